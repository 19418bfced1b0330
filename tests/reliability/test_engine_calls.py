"""EngineCalls and StartPacer: bounded concurrency, a timeout per call, paced starts."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from lambdad.daemon.runtime.docker_engine import EngineCalls, EngineCallTimeout, StartPacer


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
