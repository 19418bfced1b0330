"""ScaleOut: how many invocations no busy environment will serve in time (pure, no clock)."""

from __future__ import annotations

import pytest

from lambdad.daemon.runtime.scaling import ScaleOut

NOW = 1000.0


def figures(hold_s: float, start_s: float) -> ScaleOut[str]:
    policy = ScaleOut[str]()
    policy.held("f", hold_s)
    policy.started("f", start_s)
    return policy


def test_a_function_without_figures_has_no_shortfall_yet() -> None:
    policy = ScaleOut[str]()
    assert policy.shortfall("f", NOW, [NOW], [], 0) is None
    policy.held("f", 0.002)  # no start seen yet
    assert policy.shortfall("f", NOW, [NOW], [], 0) is None
    assert policy.figures("f") == (0.002, None)


def test_a_fast_function_is_served_by_its_busy_environments() -> None:
    # 2 ms per invocation, 51 ms per start: one busy environment frees 25 times before a
    # start would be ready (at 2, 4, ... 50 ms), enough for 24 queued invocations and this one.
    policy = figures(0.002, 0.051)
    assert policy.shortfall("f", NOW, [NOW], [], 24) == 0
    assert policy.shortfall("f", NOW, [NOW], [], 25) == 1
    # Two busy environments serve twice as many.
    assert policy.shortfall("f", NOW, [NOW, NOW], [], 49) == 0
    assert policy.shortfall("f", NOW, [NOW, NOW], [], 52) == 3


@pytest.mark.parametrize("busy", [1, 10, 100])
def test_every_invocation_of_a_burst_of_slow_ones_counts(busy: int) -> None:
    # 2 s per invocation, 0.5 s per start: none of the busy ones frees before a start.
    policy = figures(2.0, 0.5)
    assert policy.shortfall("f", NOW, [NOW] * busy, [], 0) == 1
    assert policy.shortfall("f", NOW, [NOW] * busy, [], 30) == 31
    # Environments started 0.1 s ago serve one queued invocation each.
    assert policy.shortfall("f", NOW, [NOW] * busy, [NOW - 0.1] * 8, 30) == 23


def test_a_start_slower_than_the_invocation_counts_one_release() -> None:
    # 2 s per invocation, 3 s per start: the busy one frees first, once.
    policy = figures(2.0, 3.0)
    assert policy.shortfall("f", NOW, [NOW], [], 0) == 0
    assert policy.shortfall("f", NOW, [NOW], [], 1) == 1


def test_an_environment_held_far_beyond_the_usual_is_not_counted_on() -> None:
    policy = figures(0.01, 1.0)
    assert policy.shortfall("f", NOW, [NOW - 0.02], [], 0) == 0  # late, but not by much
    assert policy.shortfall("f", NOW, [NOW - 0.05], [], 0) == 1  # 5x its usual hold


def test_releases_are_counted_from_when_each_invocation_began() -> None:
    # 1 s per invocation, 0.3 s per start: one that began 0.8 s ago frees within the start,
    # one that began now does not.
    policy = figures(1.0, 0.3)
    assert policy.shortfall("f", NOW, [NOW - 0.8], [], 0) == 0
    assert policy.shortfall("f", NOW, [NOW], [], 0) == 1


def test_figures_are_running_averages_per_key() -> None:
    policy = figures(0.010, 0.100)
    policy.held("f", 0.020)
    policy.started("f", 0.200)
    hold, start = policy.figures("f")
    assert hold is not None and 0.010 < hold < 0.020
    assert start is not None and 0.100 < start < 0.200
    assert policy.figures("g") == (None, None)
    policy.held("g", 0.5)
    policy.keep_only(["g"])
    assert policy.figures("f") == (None, None)
    assert policy.figures("g") == (0.5, None)
