"""`PrewarmPool` bookkeeping with a fake starter and the real `CapacityGovernor`."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Hashable

from lambdad.daemon.runtime.capacity import CapacityGovernor
from lambdad.daemon.runtime.prewarm import PrewarmPool
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
    await asyncio.sleep(0.05)  # the refiller had its chance to start more
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
