"""A function cannot receive or answer another function's invocations (issue 13, item 3).

The attacker is handed the victim's Runtime API address (a port is easy to find) and, while
the victim is busy, long-polls that environment's `invocation/next` and answers what it gets;
it also forges responses and errors, reports an init error and registers an extension there.
Every one of those requests is refused (403 AccessDeniedException), and the victim's caller
gets the victim's own answer. Run in both executors.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from lambdad.client import AsyncLambdadClient
from lambdad.daemon.config import Config
from lambdad.daemon.runtime import containment
from lambdad.daemon.server import Daemon, start_daemon
from tests.helpers import async_wait_for
from tests.reliability.isolation_support import ATTACKER, VICTIM, create_python, invoke_json


@pytest.fixture(
    params=["process", "process-without-cgroups", pytest.param("docker", marks=pytest.mark.docker)]
)
async def daemon(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Daemon]:
    """An in-process daemon with the executor of the test's parameter (process mode also as
    a daemon that may not create cgroups: environments are then told apart by session)."""
    if request.param == "docker":
        request.getfixturevalue("runtime_images")  # engine + images, or skip (fail in CI)
    if request.param == "process-without-cgroups":
        monkeypatch.setattr(containment, "detect_hierarchy", lambda: None)
    executor = request.param.split("-", 1)[0]
    running = await start_daemon(Config(data_dir=tmp_path / "data", grpc_port=0, executor=executor))
    try:
        yield running
    finally:
        await running.stop(grace=0)


@pytest.fixture
async def client(daemon: Daemon) -> AsyncIterator[AsyncLambdadClient]:
    async with AsyncLambdadClient.connect(f"127.0.0.1:{daemon.port}") as connected:
        yield connected


def _refused(answer: dict[str, Any]) -> bool:
    """403 with AWS's error shape, or no answer at all (connection refused or reset)."""
    if answer["status"] == 0:
        return True
    body = json.loads(answer["body"]) if answer["body"] else {}
    return answer["status"] == 403 and body.get("errorType") == "AccessDeniedException"


async def test_a_function_cannot_take_or_answer_another_functions_invocation(
    client: AsyncLambdadClient, daemon: Daemon
) -> None:
    await create_python(client, "victim", VICTIM)
    await create_python(client, "attacker", ATTACKER)
    first = await invoke_json(client, "victim", {})
    assert isinstance(first, dict)
    target = first["api"]  # the victim environment's AWS_LAMBDA_RUNTIME_API
    assert await invoke_json(client, "attacker", {}) == "warm"

    # The victim is busy; the attacker polls the victim's next event meanwhile, so an
    # unguarded API would hand it the victim's following invocation.
    busy = asyncio.create_task(invoke_json(client, "victim", {"sleep": 1.5}))
    # The attack must arrive while the victim works.
    await async_wait_for(lambda: daemon.pool.in_flight("victim") == 1)
    attack = asyncio.create_task(invoke_json(client, "attacker", {"target": target, "wait": 4}))
    await busy
    secret = await invoke_json(client, "victim", {"secret": "s3cret"})
    stolen = await attack

    assert isinstance(secret, dict)
    assert secret["who"] == "victim"
    assert secret["event"] == {"secret": "s3cret"}
    assert secret["api"] == target  # the same (warm) environment answered
    assert isinstance(stolen, dict)
    assert "s3cret" not in json.dumps(stolen)
    assert stolen["answered"] is None
    for name in ("next", "forged", "error", "init_error", "register"):
        assert _refused(stolen[name]), (name, stolen[name])
    # The refused init/error did not break the victim either.
    again = await invoke_json(client, "victim", {"n": 2})
    assert isinstance(again, dict) and again["event"] == {"n": 2}
    print(f"runtime api theft: refused {len(stolen) - 1}/5 hostile requests")
