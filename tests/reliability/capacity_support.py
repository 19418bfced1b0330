"""Support for the capacity tests: a fake executor whose runtimes are coroutines, and configs.

The fake runtime speaks the real Runtime API over HTTP, so the pool and the governor are
exercised exactly as with containers, without an engine. An event `{"hold": "<name>"}` keeps
its environment busy until `FakeEngine.release(name)`.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp

from lambdad.daemon.domain.model import CodeRef, FunctionVersion, State
from lambdad.daemon.runtime.capacity import CapacityGovernor
from lambdad.daemon.runtime.code import CodeStore
from lambdad.daemon.runtime.environment import ExecutionEnvironment
from lambdad.daemon.runtime.executor import EnvironmentSpec, RuntimeApiBinding
from lambdad.daemon.runtime.logs import FunctionLogs
from lambdad.daemon.runtime.pool import EnvironmentPool
from lambdad.daemon.runtime.runtime_api import InvocationRequest
from lambdad.daemon.store.blobs import BlobStore


class FakeRuntime:
    """One environment's 'runtime process': echoes events, or holds them until released."""

    def __init__(self, engine: FakeEngine, spec: EnvironmentSpec, api: str) -> None:
        self.engine = engine
        self.spec = spec
        self.api = api
        self.exit: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self.killed = False
        self.task = asyncio.create_task(self._loop())

    async def _loop(self) -> None:
        base = f"http://{self.api}/2018-06-01/runtime"
        async with aiohttp.ClientSession() as http:
            while True:
                async with http.get(f"{base}/invocation/next") as response:
                    request_id = response.headers["Lambda-Runtime-Aws-Request-Id"]
                    body: dict[str, Any] = json.loads(await response.read())
                if "hold" in body:
                    await self.engine.gate(str(body["hold"])).wait()
                async with http.post(f"{base}/invocation/{request_id}/response", json=body):
                    pass

    async def output(self) -> AsyncIterator[str]:
        await asyncio.shield(self.exit)
        return
        yield  # an async generator without output lines

    async def wait(self) -> int:
        return await asyncio.shield(self.exit)

    async def kill(self) -> None:
        if self.killed:
            return
        self.killed = True
        self.task.cancel()
        if not self.exit.done():
            self.exit.set_result(-9)
        self.engine.live.discard(self)

    async def max_memory_used_mb(self) -> int | None:
        return None

    async def out_of_memory(self) -> bool:
        return False


class FakeEngine:
    """Implements `Executor`; counts live runtimes and their peak, per function too."""

    name = "fake"
    output_latency_s = 0.0

    def __init__(self, start_delay_s: float = 0.0) -> None:
        self.start_delay_s = start_delay_s
        self.started: list[FakeRuntime] = []
        self.live: set[FakeRuntime] = set()
        self.peak = 0
        self.hang_starts = 0  # how many of the next starts never finish
        self._gates: dict[str, asyncio.Event] = {}

    def gate(self, name: str) -> asyncio.Event:
        return self._gates.setdefault(name, asyncio.Event())

    def release(self, name: str) -> None:
        self.gate(name).set()

    def runtime_api_binding(self) -> RuntimeApiBinding:
        return RuntimeApiBinding("127.0.0.1", "127.0.0.1")

    async def check_runtime(self, runtime: str | None, image_uri: str | None) -> None:
        return None

    async def start(self, spec: EnvironmentSpec, runtime_api: str) -> FakeRuntime:
        if self.hang_starts:
            self.hang_starts -= 1
            await asyncio.Event().wait()
        if self.start_delay_s:
            await asyncio.sleep(self.start_delay_s)
        runtime = FakeRuntime(self, spec, runtime_api)
        self.started.append(runtime)
        self.live.add(runtime)
        self.peak = max(self.peak, len(self.live))
        return runtime

    def live_functions(self) -> list[str]:
        return sorted(r.spec.function_name for r in self.live)

    async def remove_orphans(self) -> int:
        return 0

    async def close(self) -> None:
        for runtime in list(self.live):
            await runtime.kill()


def function(name: str = "f", *, memory: int = 128, timeout: int = 3) -> FunctionVersion:
    """An Active python function version with the given MemorySize and timeout."""
    return FunctionVersion(
        name=name,
        version="$LATEST",
        role="arn:aws:iam::000000000000:role/r",
        runtime="python3.12",
        handler="app.handler",
        code=CodeRef(),
        timeout=timeout,
        memory_size=memory,
        state=State.ACTIVE,
        revision_id="r1",
    )


def request(body: dict[str, Any], timeout_s: float = 30.0) -> InvocationRequest:
    """An invocation request carrying `body` as its event."""
    return InvocationRequest(
        request_id=str(uuid.uuid4()),
        payload=json.dumps(body).encode(),
        timeout_s=timeout_s,
        invoked_function_arn="arn:aws:lambda:us-east-1:000000000000:function:f",
    )


def governed_pool(
    engine: FakeEngine,
    tmp_path: Path,
    *,
    max_environments: int,
    max_memory_mb: int = 1 << 20,
    start_deadline_s: float = 30.0,
) -> EnvironmentPool:
    """A pool on `engine` under a governor with the given limits (not started)."""
    blobs = BlobStore(tmp_path / "blobs")
    governor: CapacityGovernor[ExecutionEnvironment] = CapacityGovernor(
        max_environments, max_memory_mb
    )
    return EnvironmentPool(
        engine,  # type: ignore[arg-type]
        CodeStore(tmp_path / "code", blobs),
        FunctionLogs(),
        region="us-east-1",
        idle_timeout_s=3600,
        governor=governor,
        start_deadline_s=start_deadline_s,
    )
