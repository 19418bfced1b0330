"""`ScaleOut`: start an environment, or wait for a busy one of the same function?

An invocation that finds no idle environment of its function used to start one at once. For a
function that runs a few milliseconds, under many concurrent callers, a busy environment is
released long before a new one would be ready (a process or a container and a runtime init):
the start is wasted work, and every extra environment is one more runtime process sharing the
host's cores with the daemon. 64 callers of an echo function ended up with ~47 environments
(8 callers with 13-26), and the daemon spent ~20 % more CPU per invoke at 64 than at 8.

So before starting, the pool asks `ScaleOut.wait_s`: from the function's recent hold times
(how long an invocation kept its environment) and recent start times, will the busy and the
starting environments of the key release enough environments for every invocation queued for
one, this one included, before a start begun now would be ready? Then the invocation waits
for a released environment, at most the expected start time, and starts one only if none came.
A function without figures yet (its first invocations, a new revision, a burst of a function
seen once) starts at once; so does one whose busy environments were all taken just now by
invocations that run for seconds (a burst of 2 s invocations: none is released within a
start). A busy environment held much longer than its function's usual hold time is not
counted on (one slow invocation of a usually fast function).

The same reckoning says how many spares a start that misses the pre-initialized pool should
ask for (`Plan.shortfall`): the invocations no release is expected for, not all of the
function's invocations in flight. With the latter, one miss of an echo at 64 connections
sized the runtime's spares to 56 for five minutes; they filled the host, displaced the
function's idle environments, which were started again from spares, which were refilled:
the runtimes' CPU per invoke tripled.

Pure bookkeeping, no timers: callers pass the clock's reading.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)

# Weight of the newest figure in the running averages: a handful of invocations moves them.
EWMA_WEIGHT = 0.2
# A busy environment held longer than this many times the usual hold time is not expected back.
OVERDUE_FACTOR = 3.0
# Hold times below this are taken as this (a release every few microseconds is no figure).
MIN_HOLD_S = 0.0001


def _averaged(previous: float | None, value: float) -> float:
    return value if previous is None else previous + EWMA_WEIGHT * (value - previous)


@dataclass
class _Figures:
    hold_s: float | None = None  # how long an invocation keeps a warm environment
    start_s: float | None = None  # how long an environment takes to be ready


@dataclass(frozen=True)
class Plan:
    """What an invocation that found no idle environment does."""

    # > 0: wait this long for a released environment before starting one.
    wait_s: float
    # Invocations of the key, this one included, that no release is expected to serve before
    # a start would be ready; None when the key has no figures yet.
    shortfall: int | None


class ScaleOut(Generic[K]):
    """Recent hold and start times per key, and the start-or-wait decision made from them."""

    def __init__(self) -> None:
        self._figures: dict[K, _Figures] = {}

    def held(self, key: K, seconds: float) -> None:
        """An invocation of `key` gave its (warm) environment back after `seconds`."""
        figures = self._figures.setdefault(key, _Figures())
        figures.hold_s = _averaged(figures.hold_s, max(MIN_HOLD_S, seconds))

    def started(self, key: K, seconds: float) -> None:
        """An environment of `key` became ready `seconds` after its start was decided."""
        figures = self._figures.setdefault(key, _Figures())
        figures.start_s = _averaged(figures.start_s, max(0.0, seconds))

    def figures(self, key: K) -> tuple[float | None, float | None]:
        """(hold time, start time) of `key` in seconds; None where none was seen yet."""
        figures = self._figures.get(key)
        return (None, None) if figures is None else (figures.hold_s, figures.start_s)

    def keep_only(self, keys: Iterable[K]) -> None:
        """Forget the figures of keys that have no environment any more."""
        live = set(keys)
        for key in [k for k in self._figures if k not in live]:
            del self._figures[key]

    def plan(
        self,
        key: K,
        now: float,
        busy_since: Iterable[float],
        starting_since: Iterable[float],
        queued: int,
    ) -> Plan:
        """Start an environment now (`wait_s` 0), or wait for a released one first.

        `busy_since`: when each busy environment of `key` was given its invocation;
        `starting_since`: when each environment of `key` being started was decided on;
        `queued`: invocations of `key` already waiting for an environment (each takes one
        released or started environment before this one).
        """
        figures = self._figures.get(key)
        if figures is None or figures.hold_s is None or figures.start_s is None:
            return Plan(0.0, None)
        hold, start = figures.hold_s, figures.start_s
        needed = queued + 1
        if start <= 0.0:
            return Plan(0.0, needed)
        expected = 0
        # Each environment comes free at `first` and, handed to the next waiter, every `hold`
        # after: how many come free before a start begun now would be ready?
        for since in busy_since:
            held = now - since
            if held > OVERDUE_FACTOR * hold:
                continue
            expected += _releases_within(max(0.0, since + hold - now), hold, start)
            if expected >= needed:
                return Plan(start, 0)
        for since in starting_since:
            expected += _releases_within(max(0.0, since + start - now), hold, start)
            if expected >= needed:
                return Plan(start, 0)
        return Plan(0.0, needed - expected)

    def wait_s(
        self,
        key: K,
        now: float,
        busy_since: Iterable[float],
        starting_since: Iterable[float],
        queued: int,
    ) -> float:
        """`plan(...).wait_s`: 0 to start an environment now, else how long to wait first."""
        return self.plan(key, now, busy_since, starting_since, queued).wait_s


def _releases_within(first: float, hold: float, horizon: float) -> int:
    """Releases at `first`, `first + hold`, ... strictly before `horizon`."""
    if first >= horizon:
        return 0
    return math.ceil((horizon - first) / hold)
