"""`PrewarmPool` bookkeeping with a fake starter and the real `CapacityGovernor`; which functions
a waiting environment may serve (`PoolFit`); the waiting programs' one preload list."""

from __future__ import annotations

import ast
import asyncio
import dataclasses
import math
import types
from collections.abc import Hashable
from pathlib import Path

import pytest

from lambdad.daemon.domain.debugging import DEBUG_PORT_VARIABLE
from lambdad.daemon.domain.model import MANAGED_INSTANCES, CodeRef, FunctionVersion
from lambdad.daemon.runtime import prewarm
from lambdad.daemon.runtime.capacity import CapacityGovernor
from lambdad.daemon.runtime.environment import build_spec
from lambdad.daemon.runtime.prewarm import PoolFit, PrewarmPool
from lambdad.daemon.runtime.python_preload import PLACEHOLDER, PRELOAD, program_text
from tests.helpers import async_wait_for


class Waiting:
    def __init__(self, key: Hashable, memory_mb: int) -> None:
        self.key = key
        self.memory_mb = memory_mb
        self.discarded = False

    async def discard(self) -> None:
        self.discarded = True


class Starter:
    def __init__(self) -> None:
        self.started: list[Waiting] = []
        self.fail = False
        self.calls = 0

    async def __call__(self, key: Hashable, memory_mb: int) -> Waiting:
        self.calls += 1
        if self.fail:
            raise RuntimeError("engine said no")
        waiting = Waiting(key, memory_mb)
        self.started.append(waiting)
        return waiting


async def test_fills_to_size_with_slots_and_refills_after_take() -> None:
    governor: CapacityGovernor[object] = CapacityGovernor(10, 10_000)
    starter = Starter()
    pool = PrewarmPool(2, starter, governor)
    pool.want("py", 128)
    await async_wait_for(lambda: pool.waiting == 2)
    assert governor.running == 2 and governor.memory_mb == 256

    taken = pool.take("py", 128)
    assert isinstance(taken, Waiting) and taken.key == "py"
    assert governor.running == 1  # its slot went back: the environment takes its own
    await async_wait_for(lambda: pool.waiting == 2)
    assert len(starter.started) == 3
    assert pool.take("other", 128) is None  # nothing waits for a key never seen
    await pool.close()
    await async_wait_for(lambda: governor.running == 0)
    assert pool.waiting == 0
    assert all(w.discarded for w in starter.started if w is not taken)


async def test_never_takes_the_last_slot_and_is_reclaimed_first() -> None:
    governor: CapacityGovernor[object] = CapacityGovernor(3, 10_000)
    pool = PrewarmPool(5, Starter(), governor)
    pool.want("py", 128)
    await async_wait_for(lambda: pool.waiting == 2)
    assert governor.running == 2  # bounded by the governor, one slot left for a function
    freed = pool.reclaim()
    assert freed == 128 and pool.waiting == 1
    await async_wait_for(lambda: governor.running == 1)  # given back once removed
    await pool.close()


class SlowStarter(Starter):
    """Starts that end only when the test says so (a container start on a loaded host)."""

    def __init__(self) -> None:
        super().__init__()
        self.go = asyncio.Event()

    async def __call__(self, key: Hashable, memory_mb: int) -> Waiting:
        self.calls += 1
        await self.go.wait()
        waiting = Waiting(key, memory_mb)
        self.started.append(waiting)
        return waiting


async def test_a_function_at_the_cap_never_waits_for_a_start_of_the_pool() -> None:
    # A cap of 2 and a pool of 2: the pool starts only one (a start in flight cannot be
    # reclaimed), so the function gets the other slot at once instead of queueing behind it.
    governor: CapacityGovernor[object] = CapacityGovernor(2, 10_000)
    starter = SlowStarter()
    pool = PrewarmPool(2, starter, governor)
    pool.want("py", 128)
    await async_wait_for(lambda: starter.calls >= 1)
    # One refill pass decides every start it makes: no second one came.
    assert starter.calls == 1 and governor.running == 1
    grant = await asyncio.wait_for(governor.acquire("function", 128, math.inf), 1.0)
    assert grant.new_slot and governor.running == 2
    starter.go.set()
    await async_wait_for(lambda: pool.waiting == 1)
    await pool.close()
    assert governor.running == 1  # the function's slot


async def test_size_zero_does_nothing() -> None:
    governor: CapacityGovernor[object] = CapacityGovernor(3, 10_000)
    starter = Starter()
    pool = PrewarmPool(0, starter, governor)
    pool.want("py", 128)
    assert pool.take("py", 128) is None
    assert not pool.enabled and starter.started == [] and governor.running == 0
    assert pool.reclaim() is None
    await pool.close()


async def test_failed_start_gives_its_slot_back() -> None:
    governor: CapacityGovernor[object] = CapacityGovernor(3, 10_000)
    starter = Starter()
    starter.fail = True
    pool = PrewarmPool(2, starter, governor)
    pool.want("py", 128)
    await async_wait_for(lambda: starter.calls == 2 and governor.running == 0)
    assert pool.waiting == 0
    await pool.close()


async def test_unwanted_key_is_drained() -> None:
    governor: CapacityGovernor[object] = CapacityGovernor(3, 10_000)
    starter = Starter()
    pool = PrewarmPool(1, starter, governor, idle_timeout_s=0.05)
    pool.want("py", 128)
    await async_wait_for(lambda: pool.waiting == 1)

    def drained() -> bool:
        pool._kick()  # the refiller looks again: nobody asked for "py" within the timeout
        return pool.waiting == 0 and governor.running == 0

    await async_wait_for(drained)
    assert starter.started[0].discarded
    await pool.close()


class ParallelStarter(Starter):
    """Starts that take a moment, counting how many run at once."""

    def __init__(self) -> None:
        super().__init__()
        self.in_flight = 0
        self.peak_in_flight = 0

    async def __call__(self, key: Hashable, memory_mb: int) -> Waiting:
        self.in_flight += 1
        self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
        try:
            await asyncio.sleep(0.02)
            return await super().__call__(key, memory_mb)
        finally:
            self.in_flight -= 1


async def test_a_burst_of_cold_starts_sizes_the_spares_for_a_while(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(prewarm, "BURST_KEEP_S", 4.0)
    monkeypatch.setattr(prewarm, "BURST_QUIET_S", 0.1)
    governor: CapacityGovernor[object] = CapacityGovernor(64, 100_000)
    starter = ParallelStarter()
    pool = PrewarmPool(2, starter, governor, max_spares=10, max_parallel=3)
    pool.want("py", 128)
    await async_wait_for(lambda: pool.waiting == 2)
    assert pool.take("other", 128) is None  # one miss of another runtime is no burst
    # A burst: 14 cold starts at once; two find a spare, twelve find none.
    taken = [pool.take("py", 128) for _ in range(14)]
    assert sum(1 for t in taken if t is not None) == 2
    # Once the burst is quiet, the next one of this runtime finds ten waiting (its twelve
    # misses, at most max_spares), started three at a time.
    await async_wait_for(lambda: pool.counts()["py"][0] >= 10)
    assert pool.counts()["py"] == (10, 0) and pool.peak_target == 10
    assert starter.peak_in_flight == 3
    # The burst's sizing lapses (after BURST_KEEP_S): back to the usual two, slots given back.

    def shrunk() -> bool:
        pool._kick()
        return pool.counts()["py"] == (2, 0) and governor.running == pool.waiting

    await async_wait_for(shrunk, timeout=20)
    await pool.close()


async def test_a_burst_asks_for_as_many_spares_as_invocations_were_in_flight(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(prewarm, "BURST_QUIET_S", 0.1)
    governor: CapacityGovernor[object] = CapacityGovernor(64, 100_000)
    pool = PrewarmPool(2, Starter(), governor, max_spares=10, max_parallel=4)
    assert pool.take("py", 128, demand=1) is None  # a lone cold start: no burst
    await async_wait_for(lambda: pool.waiting == 2)
    assert pool.peak_target == 0
    pool.take("py", 128)
    pool.take("py", 128)
    # Forty invocations of a function in flight, served by few environments reused in turn:
    # the next burst needs as many as there are spares allowed.
    assert pool.take("py", 128, demand=40) is None
    await async_wait_for(lambda: pool.waiting == 10)
    assert pool.peak_target == 10
    await pool.close()


async def test_a_bursts_spares_wait_while_its_invocations_are_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A steady load that ramped up like a burst: its environments serve it, spares would only
    take its CPU. They start once fewer than half the burst's size were in flight at once
    for BURST_QUIET_S. (The pool's clock is the test's; each `_refill` is one pass.)"""
    clock = {"now": 1_000.0}
    monkeypatch.setattr(prewarm, "time", types.SimpleNamespace(monotonic=lambda: clock["now"]))
    governor: CapacityGovernor[object] = CapacityGovernor(64, 100_000)
    pool = PrewarmPool(2, Starter(), governor, max_spares=10, max_parallel=4)
    in_flight = {"now": 0, "peak": 0}

    def peak() -> int:
        seen, in_flight["peak"] = in_flight["peak"], in_flight["now"]
        return seen

    def load(invocations: int) -> None:
        in_flight["now"] = in_flight["peak"] = invocations

    pool.bind(lambda _: None, peak)
    pool.want("py", 128)
    await async_wait_for(lambda: pool.waiting == 2)
    load(10)
    taken = [pool.take("py", 128, demand=10) for _ in range(3)]  # the third finds none
    assert taken[2] is None and pool.peak_target == 10
    clock["now"] += prewarm.BURST_QUIET_S + 1  # the burst's cold starts are over
    await async_wait_for(lambda: pool.counts()["py"] == (2, 0))  # the usual size, refilled
    pool._refill()
    assert pool.counts()["py"] == (2, 0)  # ten in flight: the spares wait
    # A short dip (four at once, then ten again within BURST_QUIET_S) changes nothing.
    load(4)
    clock["now"] += prewarm.BURST_QUIET_S / 2
    pool._refill()
    assert pool.counts()["py"] == (2, 0)
    load(10)
    pool._refill()
    assert pool.counts()["py"] == (2, 0)
    # The load is over: fewer than half for BURST_QUIET_S.
    load(4)
    pool._refill()
    clock["now"] += prewarm.BURST_QUIET_S
    pool._refill()
    assert pool.counts()["py"][1] > 0
    await async_wait_for(lambda: pool.waiting == 10)
    await pool.close()


_PER_ENVIRONMENT = "PerExecutionEnvironmentMaxConcurrency"


def _config(**changes: object) -> FunctionVersion:
    values: dict[str, object] = {
        "name": "f",
        "version": "$LATEST",
        "role": "arn:aws:iam::000000000000:role/r",
        "runtime": "python3.13",
        "handler": "app.handler",
        "code": CodeRef(sha256_hex="ab"),
        **changes,
    }
    return FunctionVersion(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "poolable"),
    [
        ({}, True),
        ({"package_type": "Image", "runtime": None, "handler": None}, False),
        ({"code": CodeRef(hot_reload_dir="/src")}, False),
        ({"environment": {DEBUG_PORT_VARIABLE: "5678"}}, False),
        (
            {"capacity_provider_config": {MANAGED_INSTANCES: {_PER_ENVIRONMENT: 4}}},
            False,
        ),
        ({"environment": {"AWS_LAMBDA_EXEC_WRAPPER": "/opt/w"}}, True),  # an executor's rule
        ({"ephemeral_storage": 1024}, True),  # an executor's rule
    ],
)
def test_a_function_fits_the_pool_alike_by_its_configuration_and_its_spec(
    changes: dict[str, object], poolable: bool
) -> None:
    config = _config(**changes)
    spec = build_spec(config, region="us-east-1", code_dir=None)
    spec = dataclasses.replace(spec, hot_reload=bool(config.code.hot_reload_dir))
    assert PoolFit.of_config(config).poolable is poolable
    assert PoolFit.of_spec(spec) == PoolFit(
        spec.package_type,
        spec.runtime or "",
        spec.hot_reload,
        spec.max_concurrency,
        spec.ephemeral_storage_mb,
        spec.variables,
    )
    assert PoolFit.of_spec(spec).poolable is poolable


@pytest.mark.parametrize("program", ["python_zygote.py", "process_waiting.py"])
def test_both_waiting_programs_preload_the_one_list(program: str) -> None:
    path = Path(prewarm.__file__).with_name(program)
    text = program_text(path)
    line = next(line for line in text.splitlines() if line.startswith("PRELOAD = "))
    assert ast.literal_eval(line.removeprefix("PRELOAD = ")) == PRELOAD
    assert "awslambdaric.lambda_context" in PRELOAD
    assert PLACEHOLDER not in text.splitlines()
    compile(text, program, "exec")


class IdleEnvironments:
    """Idle environments of functions holding governor slots; the pool's displacer removes
    them (the least recently used first), as `EnvironmentPool._displace_idle` does."""

    def __init__(self, governor: CapacityGovernor[object], count: int) -> None:
        self.governor = governor
        for _ in range(count):
            assert governor.try_acquire(128)
        self.left = count
        self.asked_idle_for: set[float] = set()

    def __call__(self, idle_for_s: float) -> asyncio.Future[None] | None:
        self.asked_idle_for.add(idle_for_s)
        if self.left == 0:
            return None
        self.left -= 1

        async def removed() -> None:
            await asyncio.sleep(0)  # the removal ends later; then its slot is free
            self.governor.release(128)

        return asyncio.ensure_future(removed())


async def test_a_burst_displaces_idle_environments_for_its_spares(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(prewarm, "BURST_QUIET_S", 0.05)
    governor: CapacityGovernor[object] = CapacityGovernor(12, 100_000)
    pool = PrewarmPool(2, Starter(), governor, max_spares=8, max_parallel=3)
    idle = IdleEnvironments(governor, 9)  # what a burst left behind: 9 of 12 slots
    pool.bind(idle)
    pool.want("py", 128)
    await async_wait_for(lambda: pool.waiting == 2)
    assert pool.displaced == 0  # the usual size fits: nothing is displaced for it
    assert idle.left == 9
    pool.take("py", 128)
    pool.take("py", 128)
    assert pool.take("py", 128, demand=20) is None  # a burst of 20 in flight: 8 spares asked
    # The spares grow into the free slots, then idle environments make room for the rest;
    # one slot always stays free.
    await async_wait_for(lambda: pool.waiting == 8)
    assert pool.displaced == 9 - idle.left >= 5
    assert governor.running <= 11 and governor.running == pool.waiting + idle.left
    assert idle.asked_idle_for == {prewarm.DISPLACE_IDLE_S}
    await pool.close()


async def test_nothing_is_displaced_while_a_function_waits_for_a_slot(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(prewarm, "BURST_QUIET_S", 0.0)
    governor: CapacityGovernor[object] = CapacityGovernor(4, 100_000)
    pool = PrewarmPool(1, Starter(), governor, max_spares=3)
    idle = IdleEnvironments(governor, 4)  # the host is full
    pool.bind(idle)
    queued = asyncio.ensure_future(governor.acquire("f", 128, math.inf))
    await async_wait_for(lambda: governor.waiting == 1)
    assert pool.take("py", 128, demand=3) is None
    pool._refill()  # a refill pass: nothing may happen while a function waits
    assert idle.left == 4 and pool.displaced == 0 and pool.waiting == 0
    governor.release(128)  # a function's environment went away: the queued one takes it
    await queued
    await pool.close()
    governor.release(128)
