"""Debugging forces a single environment: a debugger port can be bound only once.

Three invocations of a debugged function run at once; the handler blocks until the test
lets it go, so all three are in flight together. They must all succeed on one environment
(the others queue for it, no port conflict, no 429). With debugging off, the same three
scale out to three environments again.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from lambdad.client import AsyncLambdadClient
from lambdad.daemon.config import Config
from lambdad.daemon.server import Daemon, start_daemon
from lambdad.v1 import function_pb2 as fpb
from lambdad.v1 import function_service_pb2 as fs
from lambdad.v1 import invocation_service_pb2 as ipb
from tests.helpers import async_wait_for, free_port
from tests.integration.support import dap_request, wait_settled

ROLE = "arn:aws:iam::000000000000:role/lambda-role"
# Blocks until `node_modules/go` exists in its (hot-reload) directory: the test's release
# signal. node_modules is outside the default hot-reload globs, so the signal itself does
# not restart environments.
APP = """\
import os
import time
import uuid

ENVIRONMENT = uuid.uuid4().hex

def handler(event, context):
    go = os.path.join(os.environ["LAMBDA_TASK_ROOT"], "node_modules", "go")
    while not os.path.exists(go):
        time.sleep(0.01)
    return {"environment": ENVIRONMENT, "n": event["n"]}
"""


@pytest.fixture(params=["process", pytest.param("docker", marks=pytest.mark.docker)])
async def any_daemon(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Daemon]:
    """An in-process daemon with the executor of the test's parameter."""
    if request.param == "docker":
        request.getfixturevalue("runtime_images")
    running = await start_daemon(
        Config(data_dir=tmp_path / "data", grpc_port=0, executor=request.param)
    )
    try:
        yield running
    finally:
        await running.stop(grace=0)


async def _three_at_once(
    client: AsyncLambdadClient, daemon: Daemon, name: str, release: Path, running: int = 3
) -> list[dict[str, object]]:
    """Three concurrent invokes, released once all three are in flight and `running`
    environments run them (a start still under way would take one released meanwhile)."""
    release.unlink(missing_ok=True)
    invocations = [
        asyncio.create_task(
            client.invoke(
                ipb.InvokeRequest(function_name=name, payload=json.dumps({"n": n}).encode())
            )
        )
        for n in range(3)
    ]
    await async_wait_for(
        lambda: daemon.pool.in_flight(name) == 3 and daemon.pool.busy_count(name) == running
    )
    release.write_text("go")
    responses = await asyncio.gather(*invocations)
    for response in responses:
        assert response.function_error == "", response.payload
    return [json.loads(response.payload) for response in responses]


async def test_debugged_function_runs_in_one_environment(
    any_daemon: Daemon, tmp_path: Path
) -> None:
    code = tmp_path / "src"
    (code / "node_modules").mkdir(parents=True)
    for directory in (code, code / "node_modules"):
        directory.chmod(0o777)  # the sandbox user of a container writes nothing, but reads
    (code / "app.py").write_text(APP)
    (code / "app.py").chmod(0o644)
    release = code / "node_modules" / "go"
    port = free_port()
    pool = any_daemon.pool
    async with AsyncLambdadClient.connect(f"127.0.0.1:{any_daemon.port}") as client:
        await client.create_function(
            fs.CreateFunctionRequest(
                function_name="dbg1",
                runtime="python3.11",
                role=ROLE,
                handler="app.handler",
                timeout=30,
                code=fpb.FunctionCode(s3_bucket="hot-reload", s3_key=str(code)),
            )
        )
        await wait_settled(client, "dbg1")
        await client.set_function_debug(
            fs.SetFunctionDebugRequest(function_name="dbg1", port=port, wait=False)
        )
        await wait_settled(client, "dbg1")

        started = pool.environments_started
        results = await _three_at_once(client, any_daemon, "dbg1", release, running=1)
        assert sorted(r["n"] for r in results) == [0, 1, 2]
        assert len({r["environment"] for r in results}) == 1, results
        assert pool.environments_started - started == 1
        assert pool.environment_count("dbg1") == 1

        # A save retires the environment; its successor binds the port only once it is free.
        (code / "app.py").write_text(APP + "# saved\n")
        started = pool.environments_started
        results = await _three_at_once(client, any_daemon, "dbg1", release, running=1)
        assert len({r["environment"] for r in results}) == 1, results
        assert pool.environments_started - started == 1
        # The successor's own debugger holds the port (the old one's adapter has gone).
        answer = await asyncio.to_thread(
            dap_request, port, "initialize", {"adapterID": "lambdad-test", "clientID": "test"}
        )
        assert answer["success"] is True, answer

        # Debugging off: the same load scales out again.
        await client.set_function_debug(fs.SetFunctionDebugRequest(function_name="dbg1", port=0))
        await wait_settled(client, "dbg1")
        started = pool.environments_started
        results = await _three_at_once(client, any_daemon, "dbg1", release)
        assert len({r["environment"] for r in results}) == 3, results
        assert pool.environments_started - started == 3
