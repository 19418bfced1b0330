"""EngineCalls and StartPacer (bounded concurrency, a timeout per call, paced starts), the
engine address log streams use, and line assembly from multiplexed log frames."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from lambdad.daemon.runtime.docker import DockerProcess
from lambdad.daemon.runtime.docker_engine import (
    EngineCalls,
    EngineCallTimeout,
    EngineUnsupported,
    StartPacer,
    engine_endpoint,
)


async def test_calls_run_at_most_concurrency_at_once_on_their_own_threads() -> None:
    calls = EngineCalls(concurrency=2, timeout_s=5)
    running = 0
    peak = 0
    names: set[str] = set()
    lock = threading.Lock()

    def call() -> None:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
            names.add(threading.current_thread().name)
        time.sleep(0.05)
        with lock:
            running -= 1

    try:
        await asyncio.gather(*(calls.run(call) for _ in range(8)))
    finally:
        calls.close()
    assert peak == 2
    assert names and all(name.startswith("lambdad-engine") for name in names)


async def test_a_call_that_does_not_answer_times_out_without_counting_its_queue_time() -> None:
    calls = EngineCalls(concurrency=1, timeout_s=0.3)
    try:
        with pytest.raises(EngineCallTimeout):
            await calls.run(lambda: time.sleep(0.5), timeout_s=0.05)
        # Queued behind the hung call and three 0.2 s calls, each still within its 0.3 s.
        await asyncio.gather(*(calls.run(lambda: time.sleep(0.2)) for _ in range(3)))
    finally:
        calls.close()


async def test_starts_are_paced_after_a_burst() -> None:
    pacer = StartPacer(rate=20)
    began = time.monotonic()
    for _ in range(20):  # the burst
        await pacer.take()
    assert time.monotonic() - began < 0.1
    for _ in range(4):  # then one per 1/20 s
        await pacer.take()
    assert time.monotonic() - began >= 0.15


@dataclass
class _Adapter:
    socket_path: str


@dataclass
class _Api:
    base_url: str
    _custom_adapter: _Adapter | None = None
    verify: bool | str = True
    cert: tuple[str, str] | None = None


@dataclass
class _Client:
    api: _Api


@pytest.mark.parametrize(
    ("api", "expected"),
    [
        (_Api("http+docker://localhost", _Adapter("/run/docker.sock")), "/run/docker.sock"),
        (_Api("http://10.0.0.2:2375"), "http://10.0.0.2:2375"),
    ],
)
def test_log_streams_reach_the_engine_docker_py_reaches(api: _Api, expected: str) -> None:
    base, socket_path, tls = engine_endpoint(_Client(api))  # type: ignore[arg-type]
    assert expected in (base, socket_path) and tls is None


def test_an_engine_address_without_http_is_refused_clearly() -> None:
    with pytest.raises(EngineUnsupported, match="unix:// or tcp://"):
        engine_endpoint(_Client(_Api("http+ssh://user@host")))  # type: ignore[arg-type]


@dataclass
class _Container:
    id: str = "c" * 64


class _InterleavedStreams:
    """Frames as the engine sends them when stderr lands inside a long stdout line."""

    async def logs(
        self, container_id: str, *, follow: bool = True, tail: str = "all"
    ) -> AsyncIterator[tuple[int, bytes]]:
        if not follow:
            return
        for frame in [(1, b"first\nlong-"), (2, b"to-stderr\n"), (1, b"line\nlast")]:
            yield frame


async def test_a_stderr_frame_never_cuts_a_stdout_line() -> None:
    process = DockerProcess(
        _Container(),  # type: ignore[arg-type]
        EngineCalls(),
        _InterleavedStreams(),  # type: ignore[arg-type]
    )
    process._removed = True  # no tail fetch at the end
    lines = [line async for line in process.output()]
    assert lines == ["first", "to-stderr", "long-line", "last"]
