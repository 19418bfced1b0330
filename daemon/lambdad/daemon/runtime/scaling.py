"""`ScaleOut`: how many of a function's invocations a busy environment will not serve in time.

An invocation that finds no idle environment of its function starts one, taking a
pre-initialized spare when one waits. A start that finds no spare counts towards a burst, and
a burst sizes the runtime's spares (`PrewarmPool.take`'s `demand`) for the next one. Sized by
all of the function's invocations in flight, one miss of an echo at 64 connections asked for
56 spares for five minutes: they filled the host, displaced the function's idle environments
(idle because the most recently used is reused first), which were started again from spares,
which were refilled in turn: the runtimes' CPU per invoke tripled and c=64 fell below c=8.

So the demand is the shortfall: from the key's recent hold times (how long an invocation kept
its environment) and start times, how many of the invocations queued for an environment,
this one included, will no busy or starting environment of the key serve before a start
begun now would be ready? A fast function's busy environments come back many times within a
start: its shortfall is 0 (its start still happens, and takes a spare if one waits, but asks
for none). A burst of 2 s invocations: none comes back within a start, every invocation
counts. A key without figures yet (its first invocations, a new revision) counts its
invocations in flight, as before. A busy environment held much longer than its function's
usual hold time is not counted on (one slow invocation of a usually fast function).

Waiting for a released environment instead of starting one when the shortfall is 0 was
tried and measured (bench/README.md, 2026-12-03, h19scale): fewer environments (4-8 instead
of 13-16 at c=8 and c=16), but a hand-over costs the daemon more than an idle environment
taken at once, and at c=64 throughput fell. Environments are therefore still started as
before; only the spares they ask for changed.

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

    def shortfall(
        self,
        key: K,
        now: float,
        busy_since: Iterable[float],
        starting_since: Iterable[float],
        queued: int,
    ) -> int | None:
        """Invocations of `key`, this one included, that no release is expected to serve
        before a start begun now would be ready; None when the key has no figures yet.

        `busy_since`: when each busy environment of `key` was given its invocation;
        `starting_since`: when each environment of `key` being started was decided on;
        `queued`: invocations of `key` already waiting for an environment (each takes one
        released or started environment before this one).
        """
        figures = self._figures.get(key)
        if figures is None or figures.hold_s is None or figures.start_s is None:
            return None
        hold, start = figures.hold_s, figures.start_s
        needed = queued + 1
        expected = 0
        # Each environment comes free at `first` and, handed to the next waiter, every `hold`
        # after: how many come free before a start begun now would be ready?
        for since in busy_since:
            if now - since > OVERDUE_FACTOR * hold:
                continue
            expected += _releases_within(max(0.0, since + hold - now), hold, start)
            if expected >= needed:
                return 0
        for since in starting_since:
            expected += _releases_within(max(0.0, since + start - now), hold, start)
            if expected >= needed:
                return 0
        return needed - expected


def _releases_within(first: float, hold: float, horizon: float) -> int:
    """Releases at `first`, `first + hold`, ... strictly before `horizon`."""
    if first >= horizon:
        return 0
    return math.ceil((horizon - first) / hold)
