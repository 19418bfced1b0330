"""ScaleOut: start an environment, or wait for a busy one of the same function (pure, no clock)."""

from __future__ import annotations

import pytest

from lambdad.daemon.runtime.scaling import ScaleOut

NOW = 1000.0


def figures(hold_s: float, start_s: float) -> ScaleOut[str]:
    policy = ScaleOut[str]()
    policy.held("f", hold_s)
    policy.started("f", start_s)
    return policy


def test_a_function_without_figures_starts_at_once() -> None:
    policy = ScaleOut[str]()
    assert policy.wait_s("f", NOW, [NOW], [], 0) == 0.0
    policy.held("f", 0.002)  # no start seen yet
    assert policy.wait_s("f", NOW, [NOW], [], 0) == 0.0
    assert policy.figures("f") == (0.002, None)


def test_a_fast_function_waits_for_its_busy_environments() -> None:
    # 2 ms per invocation, 51 ms per start: one busy environment frees 25 times before a
    # start would be ready (at 2, 4, ... 50 ms), enough for 24 queued invocations and this one.
    policy = figures(0.002, 0.051)
    assert policy.wait_s("f", NOW, [NOW], [], 24) == pytest.approx(0.051)
    assert policy.wait_s("f", NOW, [NOW], [], 25) == 0.0
    # Two busy environments serve twice as many.
    assert policy.wait_s("f", NOW, [NOW, NOW], [], 49) == pytest.approx(0.051)
    assert policy.wait_s("f", NOW, [NOW, NOW], [], 50) == 0.0


@pytest.mark.parametrize("busy", [1, 10, 100])
def test_a_burst_of_slow_invocations_starts_one_each(busy: int) -> None:
    # 2 s per invocation, 0.5 s per start: none of the busy ones frees before a start.
    policy = figures(2.0, 0.5)
    assert policy.wait_s("f", NOW, [NOW] * busy, [], 0) == 0.0
    # The environments starting for the invocations queued ahead serve those, not this one.
    assert policy.wait_s("f", NOW, [NOW] * busy, [NOW] * 8, 8) == 0.0


def test_a_start_slower_than_the_invocation_waits_for_one_release_only() -> None:
    # 2 s per invocation, 3 s per start: the busy one frees first, once.
    policy = figures(2.0, 3.0)
    assert policy.wait_s("f", NOW, [NOW], [], 0) == pytest.approx(3.0)
    assert policy.wait_s("f", NOW, [NOW], [], 1) == 0.0


def test_an_environment_held_far_beyond_the_usual_is_not_counted_on() -> None:
    policy = figures(0.01, 1.0)
    assert policy.wait_s("f", NOW, [NOW - 0.02], [], 0) > 0  # late, but not by much
    assert policy.wait_s("f", NOW, [NOW - 0.05], [], 0) == 0.0  # 5x its usual hold


def test_releases_are_counted_from_when_each_invocation_began() -> None:
    # 1 s per invocation, 0.3 s per start: one that began 0.8 s ago frees within the start,
    # one that began now does not.
    policy = figures(1.0, 0.3)
    assert policy.wait_s("f", NOW, [NOW - 0.8], [], 0) == pytest.approx(0.3)
    assert policy.wait_s("f", NOW, [NOW], [], 0) == 0.0


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


def test_the_shortfall_counts_the_invocations_no_release_serves() -> None:
    assert ScaleOut[str]().plan("f", NOW, [NOW], [], 5).shortfall is None  # no figures
    # 2 s per invocation, 0.5 s per start: of 4 (3 queued and this one), the 3 environments
    # started 0.1 s ago serve 3; the 10 busy ones serve none.
    policy = figures(2.0, 0.5)
    plan = policy.plan("f", NOW, [NOW] * 10, [NOW - 0.1] * 3, 3)
    assert plan.wait_s == 0.0 and plan.shortfall == 1
    assert policy.plan("f", NOW, [NOW] * 10, [], 3).shortfall == 4
    # A fast function: every queued invocation is served by a release, none needs a spare.
    plan = figures(0.002, 0.051).plan("f", NOW, [NOW], [], 3)
    assert plan.wait_s > 0 and plan.shortfall == 0
