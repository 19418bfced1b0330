"""`PrewarmPool`: runtime environments started ahead of need, waiting for a function's code.

A cold start is mostly the executor's work (a container created and started) before the
runtime's own init. A pre-initialized environment has that done already: its runtime image runs
a small wrapper that blocks until the daemon hands it a function (code, layers, environment
variables), then execs the image's usual entrypoint. The executor (`docker.py`) does the
starting and the hand-over; this module decides how many wait, per pool key (e.g. an image and
its /tmp size), and keeps their capacity honest:

- each waiting environment holds a `CapacityGovernor` slot, taken only when nobody queues for
  one and another stays free (`try_acquire_spare`): a function never waits for a start of the
  pool, which holds its slot until the container is up and only then can be reclaimed;
- they are the first the governor reclaims when it needs room (`reclaim`);
- a key is filled once demand for it was seen (`want`, `take`) and drained when it has not
  been asked for within `idle_timeout_s`;
- taking one refills the key in the background;
- a burst sizes a key's spares: cold starts of a key that found none waiting (`take` misses),
  each within `BURST_WINDOW_S` of the one before, raise its size to their number or to the
  invocations in flight of the function that missed, whichever is larger (at most
  `max_spares`), for
  `BURST_KEEP_S`, started up to `max_parallel` at once, so the next burst of that runtime finds
  its environments waiting; then the key shrinks back to `size`;
- while a burst's size is not reached because the host is full, environments idle for at least
  `DISPLACE_IDLE_S` (e.g. those the burst itself left behind) make room for spares
  (`displacer`, the executor pool's): a spare serves any function of its runtime, an idle
  environment only its own. Never a busy environment, never one a function waits for (the
  governor's queue comes first), at most `max_parallel` at once;
- while invocations of at least half a burst's size are in flight (`in_use`, all
  functions: the burst, or a steady load that ramped up like one, is still on; seen within
  `BURST_QUIET_S`), its spares wait and those up stay: its own environments serve it, and
  the spares' starts (about half a second of the engine's CPU each in Docker) would only
  take the cores from its invocations.

Size 0 disables the pool: no task, no environment, nothing held.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

import structlog

from lambdad.daemon.domain.model import FunctionVersion
from lambdad.daemon.runtime.debugging import debug_port
from lambdad.daemon.runtime.executor import EnvironmentSpec

log = structlog.get_logger(__name__)

# How often the refiller looks again when nothing woke it (a slot may have freed).
REFILL_INTERVAL_S = 2.0
# After a failed start, how long a key waits before it is tried again.
FAILURE_BACKOFF_S = 5.0
# Cold starts without a spare, each within this many seconds of the one before, are one burst.
BURST_WINDOW_S = 10.0
# How long a key keeps the spares a burst sized it for.
BURST_KEEP_S = 300.0
# Spares for a burst start once it has had no cold start for this long: while it lasts, its
# own starts need the cores (the engine is the bottleneck: bench/README.md, engine starts).
BURST_QUIET_S = 3.0
# An idle environment makes room for a burst's spares once it has been idle this long.
DISPLACE_IDLE_S = 3.0


@dataclass(frozen=True)
class PoolFit:
    """What decides whether a waiting environment may serve a function, read alike from its
    configuration (before an environment is chosen) and from its environment's spec (at the
    start): one predicate for both, so the two can never disagree."""

    package_type: str
    runtime: str
    hot_reload: bool
    max_concurrency: int
    ephemeral_storage_mb: int
    variables: Mapping[str, str]

    @classmethod
    def of_config(cls, config: FunctionVersion) -> PoolFit:
        """The fit of a function's configuration."""
        return cls(
            config.package_type,
            config.runtime or "",
            bool(config.code.hot_reload_dir),
            config.max_concurrency,
            config.ephemeral_storage,
            config.environment,
        )

    @classmethod
    def of_spec(cls, spec: EnvironmentSpec) -> PoolFit:
        """The fit of an environment about to start."""
        return cls(
            spec.package_type,
            spec.runtime or "",
            spec.hot_reload,
            spec.max_concurrency,
            spec.ephemeral_storage_mb,
            spec.variables,
        )

    @property
    def poolable(self) -> bool:
        """A zip function with a runtime, one invocation at a time, no live code directory and
        no debugger: an environment that only needs its code, layers and variables handed in.
        (Each executor adds what its waiting environments cannot take.)"""
        return (
            self.package_type == "Zip"
            and bool(self.runtime)
            and not self.hot_reload
            and self.max_concurrency <= 1
            and debug_port(self.variables) is None
        )


class Governor(Protocol):
    """The part of `CapacityGovernor` the pool uses."""

    def try_acquire_spare(self, memory_mb: int) -> bool:
        """Take a slot now if nobody waits and one more stays free after it."""
        ...

    def release(self, memory_mb: int, *, reclaimed: bool = False) -> None:
        """Give a slot back."""
        ...

    @property
    def waiting(self) -> int:
        """Requests queued for a slot."""
        ...


class Waiting(Protocol):
    """A started environment waiting for its function (the executor's handle)."""

    memory_mb: int

    async def discard(self) -> None:
        """Remove it (idempotent)."""
        ...


W = TypeVar("W", bound=Waiting)
# Removes one environment idle for at least the given seconds to make room; the removal (its
# governor slot is free when it is done), or None when there is none such.
Displacer = Callable[[float], asyncio.Future[Any] | None]


@dataclass
class _Key(Generic[W]):
    ready: list[W] = field(default_factory=list)
    starting: int = 0
    wanted_at: float = 0.0
    memory_mb: int = 128
    failed_at: float = 0.0
    # Cold starts of this key that found no spare, each within BURST_WINDOW_S of the one
    # before (one burst), the last one's time, and the size a burst asked for until
    # `burst_until`.
    misses: int = 0
    last_miss: float = float("-inf")
    burst_size: int = 0
    burst_until: float = 0.0
    # When the invocations in flight were last seen at half the burst's size or more.
    in_use_at: float = float("-inf")

    def target(self, size: int, now: float) -> int:
        """How many should wait now: `size`, or more while a burst's sizing lasts (once the
        burst itself has calmed down)."""
        if now >= self.burst_until:
            self.burst_size = 0
        if now - self.last_miss < BURST_QUIET_S:
            return max(size, min(self.burst_size, len(self.ready) + self.starting))
        return max(size, self.burst_size)


class PrewarmPool(Generic[W]):
    """Up to `size` started environments per key, refilled in the background."""

    def __init__(
        self,
        size: int,
        starter: Callable[[Hashable, int], Awaitable[W]],
        governor: Governor,
        *,
        idle_timeout_s: float = 600.0,
        max_spares: int = 0,
        max_parallel: int = 4,
    ) -> None:
        self.size = max(0, size)
        # Bounds of burst sizing: spares per key, and pool starts in flight (all keys).
        self.max_spares = max(self.size, max_spares)
        self.max_parallel = max(1, max_parallel)
        self._starter = starter
        self._governor = governor
        self.idle_timeout_s = idle_timeout_s
        self._keys: dict[Hashable, _Key[W]] = defaultdict(_Key)
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._starts: set[asyncio.Task[Any]] = set()
        self._closed = False
        self._displacer: Displacer | None = None
        self._displacing = 0
        self.taken = 0
        self.started = 0
        self.reclaimed = 0
        self.displaced = 0  # idle environments removed to make room for a burst's spares
        self.peak_target = 0  # the largest size a burst asked for (bench, metrics)
        # The most invocations in flight at once (all functions) since it was last called
        # (`bind`): a burst's spares wait while its invocations are on (see the module's
        # docstring).
        self.in_use: Callable[[], int] | None = None

    def bind(self, displacer: Displacer, in_use: Callable[[], int] | None = None) -> None:
        """Connect the executor pool: how an idle environment makes room for spares, and the
        most invocations in flight at once since the last call."""
        self._displacer = displacer
        self.in_use = in_use

    @property
    def enabled(self) -> bool:
        """False when the size is 0: the pool then does nothing at all."""
        return self.size > 0 and not self._closed

    def counts(self) -> dict[Hashable, tuple[int, int]]:
        """Per key: (waiting, starting)."""
        return {key: (len(k.ready), k.starting) for key, k in self._keys.items()}

    @property
    def waiting(self) -> int:
        """Environments started and waiting for a function, all keys."""
        return sum(len(k.ready) for k in self._keys.values())

    def want(self, key: Hashable, memory_mb: int) -> None:
        """Demand for `key` was seen: keep it filled (with containers of `memory_mb`)."""
        if not self.enabled:
            return
        entry = self._keys[key]
        entry.wanted_at = time.monotonic()
        entry.memory_mb = memory_mb
        self._kick()

    def take(
        self,
        key: Hashable,
        memory_mb: int,
        *,
        keep_slot: bool = False,
        miss: bool = True,
        demand: int = 1,
    ) -> W | None:
        """A waiting environment of `key`, or None.

        Its governor slot is given back, or with `keep_slot` handed to the caller (who then
        holds it for the environment it starts: see `CapacityGovernor.transfer`). With `miss`,
        finding none counts towards a burst, whose size is at least `demand` (the caller's
        function's invocations in flight; see the module's docstring).
        """
        if not self.enabled:
            return None
        entry = self._keys[key]
        if not entry.ready and miss:
            self._missed(entry, demand)
        self.want(key, memory_mb)
        if not entry.ready:
            return None
        waiting = entry.ready.pop(0)  # the oldest: surely past its start by now
        if not keep_slot:
            self._governor.release(waiting.memory_mb)
        self.taken += 1
        return waiting

    def _missed(self, entry: _Key[W], demand: int) -> None:
        now = time.monotonic()
        if now - entry.last_miss > BURST_WINDOW_S:
            entry.misses = 0  # a new burst (or none): counted from here
        entry.misses += 1
        entry.last_miss = now
        # What the burst asked for: its invocations at once (they may have been served by
        # fewer environments, reused as each finished), or at least its cold starts.
        wanted = min(max(entry.misses, demand), self.max_spares)
        if wanted > self.size:
            entry.burst_size = max(entry.burst_size, wanted)
            entry.burst_until = now + BURST_KEEP_S
            self.peak_target = max(self.peak_target, entry.burst_size)

    def reclaim(self) -> int | None:
        """The governor needs room: remove one waiting environment; the memory it frees.

        Its slot is given back (as reclaimed) once it is gone.
        """
        best: _Key[W] | None = None
        for entry in self._keys.values():
            if entry.ready and (best is None or len(entry.ready) > len(best.ready)):
                best = entry
        if best is None:
            return None
        waiting = best.ready.pop()
        self.reclaimed += 1
        self._spawn(self._discard(waiting, reclaimed=True))
        return waiting.memory_mb

    async def _discard(self, waiting: W, *, reclaimed: bool = False) -> None:
        try:
            await waiting.discard()
        except Exception:
            log.exception("removing a pre-initialized environment failed")
        finally:
            self._governor.release(waiting.memory_mb, reclaimed=reclaimed)

    def _kick(self) -> None:
        self._wake.set()
        if self._task is None and not self._closed:
            self._task = asyncio.create_task(self._refill_forever())

    def _spawn(self, coroutine: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(coroutine)
        self._starts.add(task)
        task.add_done_callback(self._starts.discard)

    async def _refill_forever(self) -> None:
        while not self._closed:
            self._wake.clear()
            self._refill()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), REFILL_INTERVAL_S)

    def _refill(self) -> None:
        now = time.monotonic()
        in_use = self.in_use() if self.in_use is not None else 0
        for key, entry in list(self._keys.items()):
            if now - entry.wanted_at > self.idle_timeout_s:
                # Nobody asked for this key in a while: stop holding environments for it.
                for waiting in entry.ready:
                    self._spawn(self._discard(waiting))
                entry.ready.clear()
                if not entry.starting:
                    del self._keys[key]
                continue
            if now - entry.failed_at < FAILURE_BACKOFF_S:
                continue
            target = entry.target(self.size, now)
            if target > self.size and self._burst_on(entry, target, in_use, now):
                target = max(self.size, min(target, len(entry.ready) + entry.starting))
            while len(entry.ready) > target:
                # A burst's sizing is over: back to the usual size (the oldest go first).
                self._spawn(self._discard(entry.ready.pop(0)))
            while len(entry.ready) + entry.starting < target:
                if self._in_flight() >= self.max_parallel:
                    return  # the rest once these are up
                if not self._governor.try_acquire_spare(entry.memory_mb):
                    if target > self.size:
                        self._displace(target - len(entry.ready) - entry.starting)
                    return  # nearly full, or someone waits: functions come first
                entry.starting += 1
                self._spawn(self._start(key, entry, entry.memory_mb))

    def _burst_on(self, entry: _Key[W], target: int, in_use: int, now: float) -> bool:
        """Whether the invocations a burst's spares were sized by are still on: at least half
        as many in flight as `target` at once since the last look (`in_use`), or within
        BURST_QUIET_S before (a load's short pauses do not count)."""
        if 2 * in_use >= target:
            entry.in_use_at = now
        return now - entry.in_use_at < BURST_QUIET_S

    def _displace(self, missing: int) -> None:
        """A burst's spares do not fit: idle environments make room (see the docstring)."""
        if self._displacer is None or self._governor.waiting:
            return
        while self._displacing < min(missing, self.max_parallel):
            removal = self._displacer(DISPLACE_IDLE_S)
            if removal is None:
                return
            self._displacing += 1
            self.displaced += 1
            removal.add_done_callback(self._displaced)

    def _displaced(self, _: object) -> None:
        self._displacing -= 1
        self._kick()  # its slot is free: a spare may take it

    def _in_flight(self) -> int:
        return sum(k.starting for k in self._keys.values())

    async def _start(self, key: Hashable, entry: _Key[W], memory_mb: int) -> None:
        try:
            waiting = await self._starter(key, memory_mb)
        except Exception as error:  # noqa: BLE001 - a failed start must not end the refilling
            entry.starting -= 1
            entry.failed_at = time.monotonic()
            self._governor.release(memory_mb)
            log.warning("pre-initialized environment did not start", error=repr(error))
            return
        except BaseException:
            entry.starting -= 1
            self._governor.release(memory_mb)
            raise
        entry.starting -= 1
        self.started += 1
        if self._closed or self._governor.waiting:
            # A function queued for a slot while this one started (and could not be reclaimed
            # then): it gets the slot.
            await self._discard(waiting)
            return
        entry.ready.append(waiting)
        self._wake.set()  # the refiller may start the next one (`max_parallel`)

    async def close(self) -> None:
        """Remove every waiting environment and stop refilling (idempotent)."""
        if self._closed:
            return
        self._closed = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        for entry in self._keys.values():
            for waiting in entry.ready:
                self._spawn(self._discard(waiting))
            entry.ready.clear()
        # Starts in flight discard what they started (they see `_closed`).
        await asyncio.gather(*list(self._starts), return_exceptions=True)
