"""The host capacity governor, alone and in the pool (fake engine, no Docker).

Covers: FIFO fairness across functions, no overtaking of the queue's head, the memory bound,
a wait bounded by the caller then AWS's 429, an unbounded wait for Event/event-source callers,
LRU reclamation of idle environments across functions, warm hand-over to a queued invocation
of the same function, the start deadline (retry once, then ServiceException).
"""

from __future__ import annotations

import asyncio
import math
import types
from collections.abc import AsyncIterator, Hashable
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from lambdad.daemon.errors import LambdaError, Reason
from lambdad.daemon.observability.metrics import LambdadMetrics
from lambdad.daemon.runtime import pool as pool_module
from lambdad.daemon.runtime.capacity import CapacityGovernor, Grant, default_limits
from lambdad.daemon.runtime.pool import EnvironmentPool
from tests.helpers import async_wait_for
from tests.reliability.capacity_support import FakeEngine, function, governed_pool, request


# ------------------------------------------------------------------ governor alone
async def test_waiters_are_served_first_in_first_out_across_functions() -> None:
    governor: CapacityGovernor[str] = CapacityGovernor(1, 10_000)
    assert (await governor.acquire("x", 128, 1)).new_slot
    order: list[str] = []

    async def wait(key: str) -> None:
        await governor.acquire(key, 128, 5)
        order.append(key)

    tasks = []
    for queued, key in enumerate(("c", "a", "b"), start=1):
        tasks.append(asyncio.create_task(wait(key)))
        await async_wait_for(lambda n=queued: governor.waiting == n)
    for served in range(3):
        governor.release(128)
        await async_wait_for(lambda n=served + 1: len(order) == n)
    await asyncio.gather(*tasks)
    assert order == ["c", "a", "b"]
    assert governor.peak_running == 1


async def test_a_small_request_does_not_overtake_a_large_head() -> None:
    governor: CapacityGovernor[str] = CapacityGovernor(10, 512)
    await governor.acquire("x", 256, 1)
    large = asyncio.create_task(governor.acquire("big", 512, 5))
    await async_wait_for(lambda: governor.waiting == 1)
    # 256 MB would fit, but the 512 MB request came first.
    assert not governor.try_acquire(128)
    small = asyncio.create_task(governor.acquire("small", 128, 5))
    await async_wait_for(lambda: governor.waiting == 2)
    governor.release(256)
    assert (await large).new_slot
    assert not small.done()
    governor.release(512)
    assert (await small).new_slot
    assert governor.memory_mb == 128


async def test_memory_bound_limits_environments_before_the_count_does() -> None:
    governor: CapacityGovernor[str] = CapacityGovernor(100, 1024)
    for _ in range(4):
        assert governor.try_acquire(256)
    assert not governor.try_acquire(128)
    assert governor.running == 4 and governor.memory_mb == 1024
    # An environment larger than the whole share still runs, alone.
    alone: CapacityGovernor[str] = CapacityGovernor(100, 1024)
    assert alone.try_acquire(4096)
    assert not alone.try_acquire(128)


async def test_a_bounded_wait_ends_in_aws_429() -> None:
    governor: CapacityGovernor[str] = CapacityGovernor(1, 10_000)
    governor.try_acquire(128)
    with pytest.raises(LambdaError) as caught:
        await governor.acquire("f", 128, 0.05)
    assert caught.value.reason is Reason.TOO_MANY_REQUESTS
    assert caught.value.message == "Rate Exceeded."
    assert caught.value.metadata == {"reason": "ConcurrentInvocationLimitExceeded"}
    assert governor.waiting == 0 and governor.throttled == 1
    governor.release(128)
    assert governor.running == 0


async def test_a_waiter_that_leaves_gives_back_what_it_was_handed() -> None:
    governor: CapacityGovernor[str] = CapacityGovernor(1, 10_000)
    returned: list[tuple[Hashable, str]] = []
    governor.bind(lambda: None, lambda key, env: returned.append((key, env)))
    governor.try_acquire(128)
    waiter = asyncio.create_task(governor.acquire("f", 128, math.inf))
    await async_wait_for(lambda: governor.waiting == 1)
    assert governor.offer("f", "env-1")
    waiter.cancel()  # before it ran: the environment must not be lost
    with pytest.raises(asyncio.CancelledError):
        await waiter
    assert returned == [("f", "env-1")]
    # A slot granted to a waiter that left is released, not leaked.
    slot_waiter = asyncio.create_task(governor.acquire("g", 128, math.inf))
    await async_wait_for(lambda: governor.waiting == 1)
    governor.release(128)
    slot_waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await slot_waiter
    assert governor.running == 0


def test_defaults_come_from_cores_and_memory_and_overrides_win() -> None:
    environments, memory = default_limits(cores=2)
    assert environments == 64 and memory >= 128
    assert default_limits(4, 1024) == (4, 1024)
    assert Grant[str]().new_slot and not Grant("env").new_slot


# ------------------------------------------------------------------------ in the pool
@pytest.fixture
async def engine() -> FakeEngine:
    return FakeEngine()


@pytest.fixture
async def pool(engine: FakeEngine, tmp_path: Path) -> AsyncIterator[EnvironmentPool]:
    running = governed_pool(engine, tmp_path, max_environments=2)
    await running.start()
    try:
        yield running
    finally:
        await running.close()


async def test_idle_environments_are_reclaimed_least_recently_used_first(
    pool: EnvironmentPool, engine: FakeEngine
) -> None:
    await pool.invoke(function("old"), request({}))
    await pool.invoke(function("recent"), request({}))
    assert engine.live_functions() == ["old", "recent"]
    result = await pool.invoke(function("new"), request({"n": 1}))
    assert result.payload == b'{"n": 1}'
    assert engine.live_functions() == ["new", "recent"]
    assert pool.governor.reclaimed == 1
    assert engine.peak == 2


async def test_a_queued_invocation_takes_a_warm_environment_of_its_function(
    pool: EnvironmentPool, engine: FakeEngine
) -> None:
    held = [asyncio.create_task(pool.invoke(function("f"), request({"hold": "f"}))) for _ in "ab"]
    await async_wait_for(lambda: pool.in_flight("f") == 2 and len(engine.live) == 2)
    queued = asyncio.create_task(pool.invoke(function("f"), request({"n": 3})))
    await async_wait_for(lambda: pool.governor.waiting == 1)
    engine.release("f")
    await asyncio.gather(*held)
    assert (await queued).payload == b'{"n": 3}'
    assert len(engine.started) == 2  # handed over warm, no third cold start
    assert pool.governor.reclaimed == 0


async def test_invocations_in_flight_are_counted_over_time_and_at_their_peak(
    pool: EnvironmentPool, engine: FakeEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the loop's CPU reservation (the mean in flight) and a burst's spares (the peak)
    read; the pool's clock is the test's."""
    clock = {"now": 100.0}
    monkeypatch.setattr(pool_module, "time", types.SimpleNamespace(monotonic=lambda: clock["now"]))
    pool.in_flight_peak()
    area = pool.in_flight_area()
    held = [asyncio.create_task(pool.invoke(function("f"), request({"hold": "f"}))) for _ in "ab"]
    await async_wait_for(lambda: pool.in_flight("f") == 2 and len(engine.live) == 2)
    clock["now"] += 3.0
    assert pool.in_flight_area() - area == pytest.approx(6.0)  # two for three seconds
    assert pool.in_flight_peak() == 2
    engine.release("f")
    await asyncio.gather(*held)
    assert pool.in_flight_peak() == 2  # the peak since the last look, then what is left
    assert pool.in_flight_peak() == 0
    clock["now"] += 5.0
    assert pool.in_flight_area() - area == pytest.approx(6.0)  # nothing in flight since


async def test_sync_waits_its_timeout_then_429_while_unbounded_waits_drain(
    pool: EnvironmentPool, engine: FakeEngine
) -> None:
    held = [
        asyncio.create_task(pool.invoke(function(name), request({"hold": "busy"})))
        for name in ("a", "b")
    ]
    await async_wait_for(lambda: len(engine.live) == 2)
    event = asyncio.create_task(
        pool.invoke(function("e", timeout=1), request({"n": 1}), capacity_wait_s=math.inf)
    )
    await async_wait_for(lambda: pool.governor.waiting == 1)
    with pytest.raises(LambdaError) as caught:
        # Its function's timeout (1 s) bounds a sync caller's wait.
        await pool.invoke(function("s", timeout=1), request({}))
    assert caught.value.reason is Reason.TOO_MANY_REQUESTS
    assert caught.value.metadata["reason"] == "ConcurrentInvocationLimitExceeded"
    # The same second did not end the unbounded wait.
    assert not event.done() and pool.governor.waiting == 1
    engine.release("busy")
    await asyncio.gather(*held)
    assert (await event).payload == b'{"n": 1}'
    assert engine.peak == 2


async def test_many_invocations_across_functions_stay_within_the_cap(
    engine: FakeEngine, tmp_path: Path
) -> None:
    engine.start_delay_s = 0.01
    pool = governed_pool(engine, tmp_path, max_environments=4, max_memory_mb=4 * 256)
    await pool.start()
    try:
        configs = [function(f"f{i % 6}", memory=128 + 128 * (i % 2)) for i in range(120)]
        results = await asyncio.gather(
            *(pool.invoke(config, request({"i": i})) for i, config in enumerate(configs))
        )
        assert [r.payload for r in results] == [f'{{"i": {i}}}'.encode() for i in range(120)]
        assert engine.peak <= 4 and pool.governor.peak_running <= 4
        assert pool.governor.waiting == 0
    finally:
        await pool.close()
    assert pool.governor.running == 0 and pool.governor.memory_mb == 0


async def test_an_environment_that_does_not_start_is_replaced_once_then_service_error(
    engine: FakeEngine, tmp_path: Path
) -> None:
    pool = governed_pool(engine, tmp_path, max_environments=2, start_deadline_s=0.2)
    await pool.start()
    try:
        engine.hang_starts = 1
        assert (await pool.invoke(function("f"), request({"ok": 1}))).payload == b'{"ok": 1}'
        engine.hang_starts = 2
        with pytest.raises(LambdaError) as caught:
            await pool.invoke(function("g"), request({}))
        assert caught.value.reason is Reason.SERVICE
        await async_wait_for(
            lambda: pool.governor.running == 1
        )  # only f's environment holds a slot
    finally:
        await pool.close()


async def test_closing_fails_queued_requests_at_once() -> None:
    governor: CapacityGovernor[str] = CapacityGovernor(1, 10_000)
    governor.try_acquire(128)
    queued = asyncio.create_task(governor.acquire("f", 128, math.inf))
    await async_wait_for(lambda: governor.waiting == 1)
    governor.close()
    with pytest.raises(LambdaError) as caught:
        await queued
    assert caught.value.reason is Reason.SERVICE
    assert governor.waiting == 0 and governor.running == 1


async def test_capacity_figures_are_metrics(pool: EnvironmentPool, engine: FakeEngine) -> None:
    metrics = LambdadMetrics()
    metrics.watch_capacity(pool.governor)
    held = [
        asyncio.create_task(pool.invoke(function(name), request({"hold": "m"})))
        for name in ("a", "b", "c")
    ]
    await async_wait_for(lambda: pool.governor.waiting == 1)
    samples = {
        sample.name: sample.value
        for family in text_string_to_metric_families(metrics.exposition().decode())
        for sample in family.samples
    }
    assert samples["lambdad_host_environments"] == 2
    assert samples["lambdad_host_environments_limit"] == 2
    assert samples["lambdad_host_environment_memory_megabytes"] == 256
    assert samples["lambdad_capacity_waiters"] == 1
    assert samples["lambdad_capacity_reclaimed_total"] == 0
    engine.release("m")
    await asyncio.gather(*held)
