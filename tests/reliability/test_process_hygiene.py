"""Every process a process-mode environment starts dies with it (issue 13, item 4).

A handler that starts 50 children and returns leaves them running under a warm
environment; deleting the function must kill all of them, including children that left the
session (where the daemon has cgroups). A daemon killed with SIGKILL leaves its environments
behind; the next daemon on the same data directory must kill what they started.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import grpc
import pytest

from lambdad.client import AsyncLambdadClient
from lambdad.daemon.config import Config
from lambdad.daemon.runtime import containment
from lambdad.daemon.server import Daemon, start_daemon
from lambdad.v1 import function_service_pb2 as fs
from lambdad.v1 import invocation_service_pb2 as ipb
from tests.helpers import async_wait_for, free_port
from tests.reliability.isolation_support import (
    SPAWNER,
    create_python,
    invoke_json,
    marked_processes,
)

CGROUPS = containment.detect_hierarchy() is not None


@pytest.fixture(params=["cgroups", "sessions"])
async def daemon(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Daemon]:
    """An in-process daemon (process executor) that uses cgroups where it can, or, as a
    daemon without the rights to, sessions."""
    if request.param == "sessions":
        monkeypatch.setattr(containment, "detect_hierarchy", lambda: None)
    elif not CGROUPS:
        pytest.skip("no writable cgroup hierarchy here")
    running = await start_daemon(
        Config(data_dir=tmp_path / "data", grpc_port=0, executor="process")
    )
    try:
        yield running
    finally:
        await running.stop(grace=0)


@pytest.fixture
async def client(daemon: Daemon) -> AsyncIterator[AsyncLambdadClient]:
    async with AsyncLambdadClient.connect(f"127.0.0.1:{daemon.port}") as connected:
        yield connected


@pytest.fixture
def marker() -> Iterator[str]:
    """A marker for the children of one test; whatever is left is killed afterwards."""
    value = uuid.uuid4().hex
    yield value
    for pid in marked_processes(value):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


@pytest.mark.parametrize(
    ("escape", "leader_exits"),
    [
        (False, False),
        (False, True),
        (True, True),
    ],
)
async def test_children_a_handler_left_die_with_the_function(
    request: pytest.FixtureRequest,
    client: AsyncLambdadClient,
    marker: str,
    escape: bool,
    leader_exits: bool,
) -> None:
    if escape and "sessions" in request.node.callspec.id:
        pytest.skip("a child that leaves its session is only found through a cgroup")
    await create_python(client, "spawner", SPAWNER)
    event = {"marker": marker, "children": 50, "escape": escape, "exit": leader_exits}
    response = await client.invoke(
        ipb.InvokeRequest(function_name="spawner", payload=json.dumps(event).encode())
    )
    assert bool(response.function_error) == leader_exits, response.payload
    expected = 51 if escape else 50
    if not leader_exits:
        await async_wait_for(lambda: len(marked_processes(marker)) == expected)
    else:
        # The environment broke with its leader; closing it kills what the leader left.
        await async_wait_for(lambda: not marked_processes(marker), timeout=20)

    await client.delete_function(fs.DeleteFunctionRequest(function_name="spawner"))
    await async_wait_for(lambda: not marked_processes(marker), timeout=20)
    print(f"process leak ({request.node.callspec.id}): {expected} children started, 0 left")


def _serve(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "lambdad.daemon.cli",
            "serve",
            "--data-dir",
            str(data_dir),
            "--grpc-port",
            str(port),
            "--no-gateway",
            "--metrics-port",
            "0",
            "--executor",
            "process",
            "--log-format",
            "json",
        ],
        env={**os.environ, "GRPC_ENABLE_FORK_SUPPORT": "0"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def _connected(port: int) -> AsyncLambdadClient:
    """A client of the daemon on `port`, once it accepts connections (60 s at most)."""
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{port}")
    await asyncio.wait_for(channel.channel_ready(), 60)
    return AsyncLambdadClient(channel)


async def test_a_restarted_daemon_kills_what_a_crashed_one_left(
    tmp_path: Path, marker: str
) -> None:
    data_dir = tmp_path / "data"
    port = free_port()
    first = _serve(data_dir, port)
    try:
        client = await _connected(port)
        await create_python(client, "spawner", SPAWNER)
        await invoke_json(client, "spawner", {"marker": marker, "children": 20})
        await async_wait_for(lambda: len(marked_processes(marker)) == 20)
    finally:
        first.kill()  # SIGKILL: no cleanup at all
        first.wait()
    every = [json.loads(p.read_text()) for p in (data_dir / "environments").glob("*/process.json")]
    # The function's environment, and pre-started runtimes waiting (killed the same way).
    records = [r for r in every if not r["environment_id"].startswith("waiting-")]
    assert len(records) == 1 and records[0]["pid"]
    assert len(marked_processes(marker)) == 20  # orphaned, still running

    second = _serve(data_dir, port)
    try:
        await _connected(port)
        await async_wait_for(lambda: not marked_processes(marker), timeout=30)
        assert not list((data_dir / "environments").glob("*/process.json"))
        if records[0]["cgroup"]:
            assert not Path(records[0]["cgroup"]).exists()
    finally:
        second.send_signal(signal.SIGTERM)
        try:
            second.wait(30)
        except subprocess.TimeoutExpired:
            second.kill()
            second.wait()
    print("daemon kill -9 + restart: 20 children orphaned, 0 left after restart")
