"""Pre-started runtimes (process executor): a Python function handed a waiting interpreter runs
as in one started for it (environment, sys.path, working directory, stdin), a function whose
variables change how an interpreter starts gets a fresh one exec'd, and size 0 starts nothing.
"""

from __future__ import annotations

import json
import sys
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from lambdad.client import AsyncLambdadClient
from lambdad.daemon.config import Config
from lambdad.daemon.server import Daemon, start_daemon
from tests.helpers import async_wait_for
from tests.integration.support import create, invoke

RUNTIME = f"python{sys.version_info.major}.{sys.version_info.minor}"
DUMP = """
import os, sys

def handler(event, context):
    return {
        "env": dict(os.environ),
        "path": sys.path,
        "cwd": os.getcwd(),
        "argv": sys.argv,
        "stdin": os.readlink("/proc/self/fd/0"),
        "cmdline": open("/proc/self/cmdline", "rb").read().decode().split("\\0"),
        "tmp_is_dir": os.path.isdir(os.environ["TMPDIR"]),
    }
"""
# Differ between any two environments (names, directories, ports).
PER_ENVIRONMENT = {
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_LOG_GROUP_NAME",
    "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_LAMBDA_RUNTIME_API",
    "HOME",
    "TMPDIR",
    "_X_AMZN_TRACE_ID",
    "AWS_XRAY_DAEMON_ADDRESS",
    "_AWS_XRAY_DAEMON_PORT",
}


@asynccontextmanager
async def process_daemon(data_dir: Path, size: int) -> AsyncIterator[tuple[Daemon, Any]]:
    running = await start_daemon(
        Config(
            data_dir=data_dir,
            grpc_port=0,
            metrics_port=0,
            executor="process",
            prewarmed_environments=size,
        )
    )
    try:
        async with AsyncLambdadClient.connect(f"127.0.0.1:{running.port}") as client:
            yield running, client
    finally:
        await running.stop(grace=0)


async def dump(client: Any, name: str) -> dict[str, Any]:
    response = await invoke(client, name, {})
    assert not response.function_error, response.payload
    result: dict[str, Any] = json.loads(response.payload)
    return result


def comparable(answer: Mapping[str, Any], code_dir: str) -> dict[str, Any]:
    """What must match between two environments, their own code directory written as CODE."""

    def local(text: str) -> str:
        return text.replace(code_dir, "CODE")

    return {
        "env": {k: local(v) for k, v in answer["env"].items() if k not in PER_ENVIRONMENT},
        "path": [local(p) for p in answer["path"]],
        "cwd": local(answer["cwd"]),
        "argv": answer["argv"],
        "stdin": answer["stdin"],
        "tmp_is_dir": answer["tmp_is_dir"],
    }


async def test_pooled_runtime_runs_as_a_fresh_one(tmp_path: Path) -> None:
    async with process_daemon(tmp_path / "fresh", 0) as (fresh_daemon, client):
        assert fresh_daemon.pool.prewarm is None
        await create(client, "fn", RUNTIME, "app.handler", {"app.py": DUMP})
        fresh = await dump(client, "fn")
    async with process_daemon(tmp_path / "pooled", 1) as (daemon, client):
        prewarm = daemon.pool.prewarm
        assert prewarm is not None
        # The first function of the runtime makes the pool fill for its interpreter.
        await create(client, "fn", RUNTIME, "app.handler", {"app.py": DUMP})
        await async_wait_for(lambda: prewarm.waiting == 1, timeout=60)
        pooled = await dump(client, "fn")
        assert prewarm.taken == 1
        # The waiting interpreter became the runtime itself (no exec of a new one).
        assert pooled["cmdline"][1] == "-c" and fresh["cmdline"][1:3] == ["-m", "awslambdaric"]
        assert comparable(pooled, pooled["cwd"]) == comparable(fresh, fresh["cwd"])
        # A second invoke runs warm on it; the pool refilled meanwhile.
        assert (await dump(client, "fn"))["env"]["HOME"] == pooled["env"]["HOME"]
        await async_wait_for(lambda: prewarm.waiting == 1, timeout=60)


async def test_a_startup_variable_gets_a_fresh_interpreter(tmp_path: Path) -> None:
    async with process_daemon(tmp_path / "data", 1) as (daemon, client):
        prewarm = daemon.pool.prewarm
        assert prewarm is not None
        variables = {"PYTHONDONTWRITEBYTECODE": "1", "GREETING": 'it\'s "quoted"\n'}
        await create(client, "fn", RUNTIME, "app.handler", {"app.py": DUMP}, variables=variables)
        await async_wait_for(lambda: prewarm.waiting == 1, timeout=60)
        answer = await dump(client, "fn")
        assert prewarm.taken == 1
        # Exec'd by the waiting process: a fresh interpreter, with the function's variables.
        assert answer["cmdline"][1:3] == ["-m", "awslambdaric"]
        assert answer["env"]["PYTHONDONTWRITEBYTECODE"] == "1"
        assert answer["env"]["GREETING"] == variables["GREETING"]
        assert answer["stdin"] == "/dev/null"
