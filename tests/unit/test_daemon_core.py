"""`DaemonCore`: the event loop's CPU is reserved while it is busy and given back once quiet;
runtimes (every thread of their process trees) are placed on the other CPUs meanwhile."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest

from lambdad.daemon.runtime import daemon_core
from lambdad.daemon.runtime.daemon_core import DaemonCore
from tests.helpers import wait_for


@pytest.fixture
def runtime() -> Iterator[subprocess.Popen[bytes]]:
    """A process with a child of its own, standing in for a runtime and what it started."""
    script = "import subprocess, time; subprocess.Popen(['sleep', '60']); time.sleep(60)"
    process = subprocess.Popen([sys.executable, "-c", script])
    try:
        yield process
    finally:
        process.kill()
        process.wait()


def _descendants(pid: int) -> set[int]:
    return set(daemon_core._tree_threads(pid))


def _has_child(pid: int) -> bool:
    with open(f"/proc/{pid}/task/{pid}/children") as children:
        return bool(children.read().split())


def _core(pids: list[int], calls: list[tuple[int, set[int]]]) -> DaemonCore:
    return DaemonCore(lambda: pids, cpus={0, 1}, set_affinity=lambda t, c: calls.append((t, c)))


def test_reserved_after_busy_samples_and_given_back_after_quiet_ones(
    runtime: subprocess.Popen[bytes],
) -> None:
    threads = wait_for(lambda: _descendants(runtime.pid) if _has_child(runtime.pid) else None)
    calls: list[tuple[int, set[int]]] = []
    core = _core([runtime.pid], calls)
    core.observe(0.9)
    assert core.reserved is None and calls == []  # one busy sample is not enough
    core.observe(0.7)  # neither busy nor quiet: counting starts over
    core.observe(0.9)
    assert core.reserved is None
    core.observe(0.8)
    assert core.reserved in {0, 1}
    others = {0, 1} - {core.reserved}
    assert calls[0] == (0, {core.reserved})  # the loop thread itself
    assert {tid for tid, cpus in calls[1:] if cpus == others} >= threads
    calls.clear()
    core.observe(0.7)  # still busy enough: kept
    core.observe(0.5)
    assert core.reserved is not None and calls == []
    core.observe(0.3)
    assert core.reserved is None
    assert {tid for tid, cpus in calls if cpus == {0, 1}} >= threads


def test_a_runtime_started_while_reserved_is_placed_off_the_loops_cpu(
    runtime: subprocess.Popen[bytes],
) -> None:
    calls: list[tuple[int, set[int]]] = []
    core = _core([runtime.pid], calls)
    later = subprocess.Popen(["sleep", "60"])
    try:
        core.started(later.pid)
        assert calls == []  # not reserved: it keeps what it has
        for _ in range(daemon_core.BUSY_SAMPLES):
            core.observe(1.0)
        calls.clear()
        core.started(later.pid)
        assert calls == [(later.pid, core.runtime_cpus)]
        assert core.reserved not in core.runtime_cpus
    finally:
        later.kill()
        later.wait()


def test_nothing_is_reserved_without_a_runtime_to_move() -> None:
    """No runtime yet, or none the daemon can see (Docker's containers from a daemon in a
    container of its own): the loop's CPU alone gains nothing."""
    calls: list[tuple[int, set[int]]] = []
    core = _core([], calls)
    for _ in range(3 * daemon_core.BUSY_SAMPLES):
        core.observe(1.0)
    assert core.reserved is None and calls == []
    gone = subprocess.Popen(["true"])
    gone.wait()
    core = _core([gone.pid], calls)
    for _ in range(daemon_core.BUSY_SAMPLES):
        core.observe(1.0)
    assert core.reserved is None and calls == []


def test_one_cpu_is_never_reserved() -> None:
    calls: list[tuple[int, set[int]]] = []
    core = DaemonCore(list, cpus={0}, set_affinity=lambda t, c: calls.append((t, c)))
    assert not core.can_reserve
    for _ in range(10):
        core.observe(1.0)
    assert core.reserved is None and calls == []


def test_close_gives_the_cpu_back(runtime: subprocess.Popen[bytes]) -> None:
    calls: list[tuple[int, set[int]]] = []
    core = _core([runtime.pid], calls)
    for _ in range(daemon_core.BUSY_SAMPLES):
        core.observe(1.0)
    assert core.reserved is not None
    core.close()
    assert core.reserved is None and calls[-1][1] == {0, 1}


def test_a_busy_loop_with_few_invocations_at_once_keeps_every_cpu(
    runtime: subprocess.Popen[bytes],
) -> None:
    """Fewer invocations in flight on average than CPUs: the runtimes do not compete with the
    loop for one, and a CPU of their own would only add a cross-CPU wake-up to each."""
    calls: list[tuple[int, set[int]]] = []
    core = _core([runtime.pid], calls)
    for _ in range(3 * daemon_core.BUSY_SAMPLES):
        core.observe(1.0, in_flight=1.0)  # one connection keeps the loop busy
    assert core.reserved is None and calls == []
    for _ in range(daemon_core.BUSY_SAMPLES):
        core.observe(1.0, in_flight=16.0)
    assert core.reserved is not None
    for _ in range(daemon_core.QUIET_SAMPLES):
        core.observe(1.0, in_flight=1.5)  # still busy, but back to fewer than two at once
    assert core.reserved is None
