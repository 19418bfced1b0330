"""Engine access that does not cost a thread per environment, and that cannot flood the engine.

docker-py is synchronous: following a container's logs or waiting for its exit with it holds a
thread for the container's whole life, so 1,000 environments once meant 1,000 threads (and a
starved pool for everything else). Here:
- `EngineStreams` follows logs and waits for exits over aiohttp, on the event loop, one
  connection per live container and no thread;
- `EngineCalls` runs docker-py's other (short) calls on a small dedicated pool, at most
  `concurrency` at once, each with a timeout, and paces container starts (a token bucket), so
  a burst of cold starts queues in the daemon instead of in dockerd.
"""

from __future__ import annotations

import asyncio
import json
import ssl
import struct
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import quote

import aiohttp
import docker

# Short engine calls (create, start, inspect, remove, list): how many at once, and how long each
# may take. A healthy engine answers in milliseconds; one that takes this long is in trouble,
# and waiting longer only piles more work on it.
ENGINE_CONCURRENCY = 8
ENGINE_CALL_TIMEOUT_S = 30.0
# Image pulls and builds stream for minutes on a slow network.
ENGINE_PULL_TIMEOUT_S = 900.0
# Container starts per second (burst of the same size).
STARTS_PER_SECOND = 10.0
# Removals at once: the engine tears containers down partly in parallel (measured on a loaded
# 2-core host: 20 removals took 8 s eight at a time, 4.5 s all at once), and a stop with many
# environments is bound by them. A removal costs no thread (see EngineStreams.remove).
REMOVAL_CONCURRENCY = 32


class EngineUnsupported(RuntimeError):
    """The engine address is not one lambdad can stream from (e.g. ssh://)."""


class EngineCallTimeout(TimeoutError):
    """An engine call did not answer within its timeout."""


class EngineError(RuntimeError):
    """The engine refused a request (HTTP status >= 400)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"engine answered {status}: {message}")
        self.status = status


class StartPacer:
    """A token bucket: at most `rate` starts per second on average, bursts of `rate`."""

    def __init__(self, rate: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._rate = rate
        self._capacity = max(1.0, rate)
        self._tokens = self._capacity
        self._clock = clock
        self._updated = clock()
        self._lock = asyncio.Lock()

    async def take(self) -> None:
        """Wait for a token (callers are served in arrival order)."""
        async with self._lock:
            while True:
                now = self._clock()
                self._tokens = min(
                    self._capacity, self._tokens + (now - self._updated) * self._rate
                )
                self._updated = now
                if self._tokens >= 1:
                    self._tokens -= 1
                    return
                await asyncio.sleep((1 - self._tokens) / self._rate)


class EngineCalls:
    """docker-py calls on a small pool: bounded concurrency, a timeout each, paced starts."""

    def __init__(
        self,
        concurrency: int = ENGINE_CONCURRENCY,
        timeout_s: float = ENGINE_CALL_TIMEOUT_S,
        starts_per_second: float = STARTS_PER_SECOND,
    ) -> None:
        self.timeout_s = timeout_s
        self.concurrency = concurrency
        self._threads = ThreadPoolExecutor(concurrency, thread_name_prefix="lambdad-engine")
        # Created on first use: a semaphore belongs to the loop that first waits on it.
        self._slots: asyncio.Semaphore | None = None
        self.pacer = StartPacer(starts_per_second)

    async def run(self, fn: Callable[[], Any], *, timeout_s: float | None = None) -> Any:
        """Run `fn` on an engine thread; EngineCallTimeout after `timeout_s` (default 30 s).

        The wait for a free thread does not count against the timeout: a queue of removals
        at shutdown must not time out calls that never started. A call that timed out keeps
        its slot until its thread returns: the engine is still busy with it.
        """
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.concurrency)
        slots = self._slots
        limit = self.timeout_s if timeout_s is None else timeout_s
        await slots.acquire()
        try:
            call = asyncio.get_running_loop().run_in_executor(self._threads, fn)
        except BaseException:
            slots.release()
            raise
        call.add_done_callback(lambda _: slots.release())
        try:
            return await asyncio.wait_for(asyncio.shield(call), limit)
        except TimeoutError:
            raise EngineCallTimeout(f"engine call did not answer within {limit:g} s") from None

    def close(self) -> None:
        """Stop the engine threads (calls still running finish on their own)."""
        self._threads.shutdown(wait=False, cancel_futures=True)


def engine_endpoint(client: docker.DockerClient) -> tuple[str, str | None, ssl.SSLContext | None]:
    """`(base URL, unix socket path or None, TLS context or None)` of docker-py's engine."""
    api = client.api
    socket_path = getattr(getattr(api, "_custom_adapter", None), "socket_path", None)
    if socket_path:
        return "http://docker", str(socket_path), None
    base = str(api.base_url)
    if base.startswith("http://"):
        return base, None, None
    if base.startswith("https://"):
        context = ssl.create_default_context(
            cafile=api.verify if isinstance(api.verify, str) else None
        )
        if api.verify is False:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        if api.cert:
            cert, key = api.cert if isinstance(api.cert, tuple) else (api.cert, None)
            context.load_cert_chain(cert, key)
        return base, None, context
    raise EngineUnsupported(f"cannot stream container logs from {base}: use unix:// or tcp://")


class EngineStreams:
    """Log streams, exit waits and removals over the engine's HTTP API, on the event loop."""

    def __init__(
        self, client: docker.DockerClient, removal_concurrency: int = REMOVAL_CONCURRENCY
    ) -> None:
        self._base, self._socket, self._tls = engine_endpoint(client)
        self._version = str(client.api.api_version)
        self._session: aiohttp.ClientSession | None = None
        self._removal_concurrency = removal_concurrency
        self._removals: asyncio.Semaphore | None = None

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector: aiohttp.BaseConnector
            if self._socket is not None:
                connector = aiohttp.UnixConnector(path=self._socket, limit=0)
            else:
                connector = aiohttp.TCPConnector(limit=0, ssl=self._tls or True)
            # No overall timeout: a log stream and a wait last as long as the container.
            timeout = aiohttp.ClientTimeout(total=None, connect=ENGINE_CALL_TIMEOUT_S)
            self._session = aiohttp.ClientSession(self._base, connector=connector, timeout=timeout)
        return self._session

    def _path(self, container_id: str, action: str = "") -> str:
        path = f"/v{self._version}/containers/{quote(container_id)}"
        return f"{path}/{action}" if action else path

    async def remove(self, container_id: str, timeout_s: float = ENGINE_CALL_TIMEOUT_S) -> bool:
        """Force-remove a container (killing it) and its anonymous volumes.

        False if it did not exist. A removal already in progress counts as done.
        """
        if self._removals is None:
            self._removals = asyncio.Semaphore(self._removal_concurrency)
        params = {"force": "1", "v": "1"}
        async with self._removals:
            try:
                async with asyncio.timeout(timeout_s):
                    request = self._http().delete(self._path(container_id), params=params)
                    async with request as response:
                        body = await response.text()
            except TimeoutError:
                raise EngineCallTimeout(f"removal did not answer within {timeout_s:g} s") from None
        if response.status == 404:
            return False
        if response.status >= 400 and response.status != 409:
            raise EngineError(response.status, body)
        return True

    async def logs(
        self, container_id: str, *, follow: bool = True, tail: str = "all"
    ) -> AsyncIterator[tuple[int, bytes]]:
        """`(stream, payload)` of the container's output, 1 for stdout and 2 for stderr.

        With `follow` the stream ends when the container stops (or is removed). Containers
        without a TTY multiplex both streams in frames: 1 byte stream, 3 zero bytes, 4 bytes
        big-endian length, payload. The engine copies each pipe on its own, so a stderr frame
        can arrive in the middle of a long stdout line: callers keep a partial line per stream.
        """
        params = {
            "follow": "1" if follow else "0",
            "stdout": "1",
            "stderr": "1",
            "tail": tail,
        }
        async with self._http().get(self._path(container_id, "logs"), params=params) as response:
            if response.status == 404:
                return
            if response.status >= 400:
                raise aiohttp.ClientResponseError(
                    response.request_info, (), status=response.status, message=await response.text()
                )
            content = response.content
            while True:  # lambdad's containers have no TTY: the stream is always multiplexed
                try:
                    header = await content.readexactly(8)
                except asyncio.IncompleteReadError:
                    return
                size = struct.unpack(">I", header[4:])[0]
                if size:
                    yield header[0], await content.readexactly(size)

    async def wait(self, container_id: str) -> int | None:
        """The container's exit code once it has exited; None if it no longer exists."""
        async with self._http().post(self._path(container_id, "wait")) as response:
            if response.status == 404:
                return None
            body = await response.read()
            if response.status >= 400:
                raise aiohttp.ClientResponseError(
                    response.request_info, (), status=response.status, message=body.decode()
                )
            return int(json.loads(body).get("StatusCode", -1))

    async def close(self) -> None:
        """Close the connections (streams still open end)."""
        if self._session is not None:
            await self._session.close()
            self._session = None
