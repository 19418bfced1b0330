"""`CapacityGovernor`: how many execution environments this host runs at once.

AWS reports an account concurrency of 1,000, and the pool keeps enforcing it, but a laptop or a
CI runner cannot hold 1,000 containers. The governor bounds what exists at once: a count (by
default a multiple of the host's cores) and the sum of the environments' MemorySize (by default
a share of the host's memory). A slot is held from the moment an environment is decided on
until it has been removed, so starting and stopping environments count too.

When no slot is free a request waits in one FIFO queue (fair across functions). Meanwhile:
- an environment that turns idle goes to the oldest waiter that can use it (same pool key), so
  a busy function keeps its warm environments instead of cold-starting at capacity;
- otherwise idle environments are reclaimed, least recently used first across functions, to
  make room for the head of the queue.
A wait is bounded by the caller (the function's timeout for sync Invoke, then AWS's 429);
Event and event-source callers wait without bound: they drain at capacity and are never dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
from collections import deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, TypeVar

import structlog

from lambdad.daemon.errors import LambdaError, Reason

log = structlog.get_logger(__name__)

E = TypeVar("E")

# Per-core cap: a short function's environment is mostly idle between events, so many fit on
# a core; 32 per core still keeps a 2-core runner far from the engine's breaking point.
ENVIRONMENTS_PER_CORE = 32
# Share of the host's memory the sum of running environments' MemorySize may reach.
MEMORY_SHARE = 0.5
# AWS's throttle reason for an account without spare concurrency (see pool.throttled).
CAPACITY_THROTTLE_REASON = "ConcurrentInvocationLimitExceeded"


def host_memory_mb() -> int:
    """The memory this process can use: the cgroup limit if one is set, else physical RAM."""
    physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20
    for limit_file in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        with contextlib.suppress(OSError, ValueError):
            limit = int(Path(limit_file).read_text().strip()) // 2**20
            if 0 < limit < physical:
                return limit
    return int(physical)


def default_limits(
    max_environments: int = 0, max_memory_mb: int = 0, *, cores: int | None = None
) -> tuple[int, int]:
    """`(environments, memory MB)`: explicit values (> 0) win, else the host's defaults."""
    if max_environments <= 0:
        max_environments = ENVIRONMENTS_PER_CORE * (cores or os.cpu_count() or 1)
    if max_memory_mb <= 0:
        max_memory_mb = max(128, int(host_memory_mb() * MEMORY_SHARE))
    return max_environments, max_memory_mb


def capacity_throttled() -> LambdaError:
    """429 TooManyRequestsException, `Rate Exceeded.`, as the account limit reports it."""
    return LambdaError(
        Reason.TOO_MANY_REQUESTS, "Rate Exceeded.", {"reason": CAPACITY_THROTTLE_REASON}
    )


@dataclass(frozen=True)
class Grant(Generic[E]):
    """What a waiter got: a warm environment handed over, or a slot for a new one."""

    environment: E | None = None

    @property
    def new_slot(self) -> bool:
        """True when the caller must start an environment in the slot it now holds."""
        return self.environment is None


@dataclass(eq=False)
class _Waiter(Generic[E]):
    key: Hashable
    memory_mb: int
    future: asyncio.Future[Grant[E]] = field(repr=False)


# Closes the least recently used idle environment (any function) and returns the memory its
# slot will give back once it is removed; None when nothing is idle.
Reclaimer = Callable[[], int | None]


class CapacityGovernor(Generic[E]):
    """Slots for execution environments, bounded by count and memory, with a fair FIFO queue."""

    def __init__(self, max_environments: int, max_memory_mb: int) -> None:
        if max_environments < 1 or max_memory_mb < 1:
            raise ValueError("capacity limits must be positive")
        self.max_environments = max_environments
        self.max_memory_mb = max_memory_mb
        self.running = 0  # slots held: starting, live (idle or busy) and stopping environments
        self.memory_mb = 0
        self.reclaimed = 0
        self.throttled = 0
        self.peak_running = 0
        self._waiters: deque[_Waiter[E]] = deque()
        # Reclaimed environments being removed: their slots are as good as free for planning.
        self._releasing = 0
        self._releasing_mb = 0
        self._reclaimer: Reclaimer | None = None
        # Takes back an environment handed to a waiter that left before it could use it.
        self._returner: Callable[[Hashable, E], None] | None = None

    def bind(self, reclaimer: Reclaimer, returner: Callable[[Hashable, E], None]) -> None:
        """Connect the pool: how to reclaim an idle environment, how to return a handed one."""
        self._reclaimer = reclaimer
        self._returner = returner

    @property
    def waiting(self) -> int:
        """Requests queued for capacity."""
        return len(self._waiters)

    def _charge(self, memory_mb: int) -> int:
        # An environment larger than the whole share still runs, alone in it.
        return min(memory_mb, self.max_memory_mb)

    def _fits(self, memory_mb: int, running: int, used_mb: int) -> bool:
        return running < self.max_environments and used_mb + memory_mb <= self.max_memory_mb

    def try_acquire(self, memory_mb: int) -> bool:
        """Take a slot now if one is free and nobody queues ahead (FIFO: no overtaking)."""
        charge = self._charge(memory_mb)
        if self._waiters or not self._fits(charge, self.running, self.memory_mb):
            return False
        self._take(charge)
        return True

    def try_acquire_spare(self, memory_mb: int) -> bool:
        """A slot for an environment started ahead of need (a spare), taken only when nobody
        queues and a slot and `memory_mb` stay free after it: a function arriving meanwhile
        never waits for a spare's start (which cannot be reclaimed until it is over)."""
        charge = self._charge(memory_mb)
        if self._waiters or not self._fits(charge, self.running + 1, self.memory_mb + charge):
            return False
        self._take(charge)
        return True

    def _take(self, charge: int) -> None:
        self.running += 1
        self.memory_mb += charge
        self.peak_running = max(self.peak_running, self.running)

    async def acquire(self, key: Hashable, memory_mb: int, wait_s: float) -> Grant[E]:
        """A slot for a new environment, or a warm environment of `key` handed over.

        Waits at most `wait_s` seconds (math.inf: until capacity frees up), then raises
        AWS's 429 TooManyRequestsException.
        """
        if self.try_acquire(memory_mb):
            return Grant()
        future: asyncio.Future[Grant[E]] = asyncio.get_running_loop().create_future()
        waiter = _Waiter(key, self._charge(memory_mb), future)
        self._waiters.append(waiter)
        self._pump()
        try:
            if math.isinf(wait_s):
                return await future
            async with asyncio.timeout(max(0.0, wait_s)):
                return await future
        except TimeoutError:
            self._leave(waiter)
            self.throttled += 1
            log.info(
                "capacity wait timed out",
                wait_s=wait_s,
                running=self.running,
                waiting=len(self._waiters),
            )
            raise capacity_throttled() from None
        except BaseException:
            self._leave(waiter)
            raise

    def close(self) -> None:
        """The daemon is stopping: every queued request fails now instead of waiting."""
        waiters, self._waiters = list(self._waiters), deque()
        for waiter in waiters:
            if not waiter.future.done():
                waiter.future.set_exception(
                    LambdaError(Reason.SERVICE, "The daemon is shutting down.")
                )

    def _leave(self, waiter: _Waiter[E]) -> None:
        """A waiter gives up: out of the queue, and whatever it was granted goes back."""
        with contextlib.suppress(ValueError):
            self._waiters.remove(waiter)
        future = waiter.future
        if future.done() and not future.cancelled() and future.exception() is None:
            grant = future.result()
            if grant.environment is None:
                self.release(waiter.memory_mb)
            elif self._returner is not None:
                self._returner(waiter.key, grant.environment)
        elif not future.done():
            future.cancel()
        self._pump()

    def offer(self, key: Hashable, environment: E) -> bool:
        """Hand an environment that just turned idle to the oldest waiter of `key`, if any."""
        for waiter in self._waiters:
            if waiter.key == key and not waiter.future.done():
                self._waiters.remove(waiter)
                waiter.future.set_result(Grant(environment))
                return True
        return False

    def transfer(self, from_mb: int, to_mb: int) -> None:
        """A slot held for `from_mb` now holds an environment of `to_mb` (same count)."""
        self.memory_mb = max(0, self.memory_mb - self._charge(from_mb) + self._charge(to_mb))
        if to_mb < from_mb:
            self._pump()

    def release(self, memory_mb: int, *, reclaimed: bool = False) -> None:
        """An environment holding a slot has been removed."""
        charge = self._charge(memory_mb)
        self.running = max(0, self.running - 1)
        self.memory_mb = max(0, self.memory_mb - charge)
        if reclaimed:
            self._releasing = max(0, self._releasing - 1)
            self._releasing_mb = max(0, self._releasing_mb - charge)
        self._pump()

    def pump(self) -> None:
        """Re-plan after the pool's idle set changed (an environment turned idle)."""
        self._pump()

    def _pump(self) -> None:
        # Grant in order while the head fits; never let a later waiter overtake the head.
        while self._waiters:
            head = self._waiters[0]
            if head.future.done():
                self._waiters.popleft()
                continue
            if not self._fits(head.memory_mb, self.running, self.memory_mb):
                break
            self._waiters.popleft()
            self._take(head.memory_mb)
            head.future.set_result(Grant())
        self._plan_reclaims()

    def _plan_reclaims(self) -> None:
        """Reclaim idle environments until the queued requests would fit, or none is idle."""
        if self._reclaimer is None or not self._waiters:
            return
        # Capacity as it will be once the environments already being removed are gone.
        running = self.running - self._releasing
        used_mb = self.memory_mb - self._releasing_mb
        for waiter in list(self._waiters):
            if waiter.future.done():
                continue
            while not self._fits(waiter.memory_mb, running, used_mb):
                freed = self._reclaimer()
                if freed is None:
                    return  # nothing idle: the rest wait for busy environments to finish
                charge = self._charge(freed)
                self.reclaimed += 1
                self._releasing += 1
                self._releasing_mb += charge
                running -= 1
                used_mb -= charge
            running += 1
            used_mb += waiter.memory_mb
