"""A fake executor whose 'runtime' is a coroutine speaking the real Runtime API over HTTP:
the pool's bookkeeping and the environment's failure reports, tested without processes."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp

from lambdad.daemon.runtime.executor import EnvironmentSpec, RuntimeApiBinding


class FakeProcess:
    """A 'runtime' running as a task: answers each event by the event's `do` field."""

    def __init__(self, api: str, pollers: int = 1) -> None:
        self.api = api
        # Events of "do": "gather" wait here until `n` of them run at once.
        self.gathered = 0
        self.gathering = asyncio.Event()
        self.lines: asyncio.Queue[str | None] = asyncio.Queue()
        self.exit: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self.oom = False
        self.killed = False
        # One polling loop per concurrent invocation (AWS_LAMBDA_MAX_CONCURRENCY).
        self.tasks = [asyncio.create_task(self._loop()) for _ in range(pollers)]

    async def _loop(self) -> None:
        base = f"http://{self.api}/2018-06-01/runtime"
        async with aiohttp.ClientSession() as http:
            while True:
                async with http.get(f"{base}/invocation/next") as response:
                    request_id = response.headers["Lambda-Runtime-Aws-Request-Id"]
                    event: dict[str, Any] = json.loads(await response.read())
                self.lines.put_nowait(f"handling {request_id}")
                action = event.get("do")
                if action == "oom":
                    self.oom = True
                    self._end(-9)
                    return
                if action == "exit":
                    self._end(int(event["code"]))
                    return
                if action == "wait":
                    await asyncio.Event().wait()
                if action == "sleep":
                    await asyncio.sleep(float(event["s"]))
                if action == "gather":
                    self.gathered += 1
                    if self.gathered >= int(event["n"]):
                        self.gathering.set()
                    await self.gathering.wait()
                async with http.post(f"{base}/invocation/{request_id}/response", json=event):
                    pass

    def _end(self, code: int) -> None:
        if not self.exit.done():
            self.exit.set_result(code)
        self.lines.put_nowait(None)

    async def output(self) -> AsyncIterator[str]:
        while (line := await self.lines.get()) is not None:
            yield line

    async def wait(self) -> int:
        return await self.exit

    async def kill(self) -> None:
        self.killed = True
        for task in self.tasks:
            task.cancel()
        self._end(-9)

    async def max_memory_used_mb(self) -> int | None:
        return 42

    async def out_of_memory(self) -> bool:
        return self.oom


class FakeExecutor:
    name = "fake"
    output_latency_s = 0.0

    def __init__(self) -> None:
        self.started: list[FakeProcess] = []
        self.orphans_removed = False
        self.closed = False

    def runtime_api_binding(self) -> RuntimeApiBinding:
        return RuntimeApiBinding("127.0.0.1", "127.0.0.1")

    async def check_runtime(self, runtime: str | None, image_uri: str | None) -> None:
        return None

    async def start(self, spec: EnvironmentSpec, runtime_api: str) -> FakeProcess:
        process = FakeProcess(runtime_api, spec.max_concurrency)
        self.started.append(process)
        return process

    async def remove_orphans(self) -> int:
        self.orphans_removed = True
        return 0

    async def close(self) -> None:
        self.closed = True
