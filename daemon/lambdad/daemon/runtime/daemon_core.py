"""`DaemonCore`: while the daemon's event loop is busy, runtime processes run on the other CPUs.

Every invocation passes through the daemon's one event-loop thread (gateway, Runtime API,
logs). With many environments at once, their runtimes are runnable tasks of equal weight on
the same CPUs: the loop waits in the run queue behind them, and the caches it needs are
theirs. On the 2-core reference machine, keeping the runtimes off the loop's CPU took a
python echo at 16 connections from 787-891 to 997-1,045 invokes/s (process executor) and
from 712-868 to 826-937 (Docker, the containers' processes moved the same way; same-run
A/Bs in bench/README.md).

It only acts while the loop is busy (three quarters of a CPU or more over consecutive
samples, with at least as many invocations in flight on average as the host has CPUs) and
the host has two CPUs or more, and gives the CPU back as soon as the loop is not. With fewer
invocations at once the runtimes do not compete with the loop for a CPU, and keeping them on
another one only adds a cross-CPU wake-up to every invocation (one connection on the
reference machine, six rounds: 298-583 invokes/s with the CPU reserved at times, 478-782
without). A burst of cold starts (CPU-bound runtime inits, a loop with less to do) gets
every CPU. AWS runs functions on vCPUs of their own too; no function sees fewer than all but
one of the host's CPUs.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import Callable, Iterable

import structlog

from lambdad.daemon.runtime import proc_tree

log = structlog.get_logger(__name__)

# Share of a CPU the loop thread used over one sample that counts as busy, and below which
# it no longer is: a loop between the two keeps what it has. A burst of cold starts (the
# runtimes' inits want every CPU, the loop does less) falls below the second.
BUSY_SHARE = 0.75
QUIET_SHARE = 0.60
# Mean invocations in flight over a sample, per CPU of the host, below which the sample is
# quiet whatever the loop's share: the runtimes then have CPUs enough beside the loop's.
MIN_IN_FLIGHT_PER_CPU = 1.0
# Consecutive busy samples before the CPU is reserved; quiet ones before it is given back.
BUSY_SAMPLES = 2
QUIET_SAMPLES = 2
SAMPLE_S = 0.5

SetAffinity = Callable[[int, set[int]], None]


class DaemonCore:
    """Reserves the loop thread's CPU for it while it is busy (`observe`, `run`).

    `runtime_pids` names the processes to keep off it (each runtime's process tree and
    threads follow); `started(pid)` places a runtime started meanwhile. `keep` starts one
    that samples the loop until `stop`; `in_flight_area`, once set, is the invocations in
    flight integrated over time (seconds), whose rise over a sample is the sample's mean.
    """

    def __init__(
        self,
        runtime_pids: Callable[[], Iterable[int]],
        *,
        cpus: set[int] | None = None,
        set_affinity: SetAffinity | None = None,
    ) -> None:
        self._runtime_pids = runtime_pids
        if cpus is None:
            # Linux only: elsewhere there is nothing to reserve (`can_reserve` is False).
            cpus = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else set()
        self._cpus = set(cpus)
        if set_affinity is None:
            set_affinity = getattr(os, "sched_setaffinity", _unset)
        self._set_affinity: SetAffinity = set_affinity
        # The loop's CPU while it is reserved.
        self.reserved: int | None = None
        # Whether the loop is busy now (with the hysteresis of `observe`), reserved or not.
        self.busy = False
        self._busy = 0
        self._quiet = 0
        self._refused = False  # the OS refused the loop thread's affinity: not tried again
        self.sampler: asyncio.Future[None] | None = None
        self.in_flight_area: Callable[[], float] | None = None

    @classmethod
    def keep(cls, runtime_pids: Callable[[], Iterable[int]]) -> DaemonCore | None:
        """A core sampling the running loop for `runtime_pids` until `stop`, or None on a host
        with one CPU."""
        core = cls(runtime_pids)
        if not core.can_reserve:
            return None
        core.sampler = asyncio.ensure_future(core.run())
        return core

    async def stop(self) -> None:
        """Stop sampling and give every CPU back."""
        if self.sampler is not None:
            self.sampler.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.sampler
        self.close()

    @property
    def can_reserve(self) -> bool:
        """Whether there is a CPU to spare: with one, runtimes would have none left."""
        return len(self._cpus) >= 2

    @property
    def runtime_cpus(self) -> set[int]:
        """The CPUs runtimes may use now."""
        return self._cpus if self.reserved is None else self._cpus - {self.reserved}

    def observe(self, share: float, in_flight: float = float("inf")) -> None:
        """One sample of the loop thread's CPU share and of the mean invocations in flight:
        reserve or give back with hysteresis."""
        parallel = in_flight >= MIN_IN_FLIGHT_PER_CPU * len(self._cpus)
        if share >= BUSY_SHARE and parallel:
            self._busy, self._quiet = self._busy + 1, 0
        elif share < QUIET_SHARE or not parallel:
            self._busy, self._quiet = 0, self._quiet + 1
        else:
            self._busy = self._quiet = 0
        if self._busy >= BUSY_SAMPLES:
            self.busy = True
        elif self._quiet >= QUIET_SAMPLES:
            self.busy = False
        if self.busy and self.reserved is None and self.can_reserve and not self._refused:
            self._reserve(share)  # (tried again at the next busy sample if nothing moved)
        elif not self.busy and self.reserved is not None:
            self._give_back(share)

    def started(self, pid: int) -> None:
        """A runtime process started: off the loop's CPU if it is reserved. (It was forked
        by the loop thread and inherited that thread's single CPU.)"""
        if self.reserved is not None:
            self._place(_threads_of([pid]), self.runtime_cpus)

    def close(self) -> None:
        """Give every CPU back (the daemon stops)."""
        if self.reserved is not None:
            self._give_back(0.0)

    async def run(self, sample_s: float = SAMPLE_S) -> None:
        """Sample the loop thread's CPU time until cancelled (runs on the loop itself)."""
        try:
            cpu, wall, area = time.thread_time(), time.monotonic(), self._area()
            while True:
                await asyncio.sleep(sample_s)
                now_cpu, now_wall, now_area = time.thread_time(), time.monotonic(), self._area()
                elapsed = max(now_wall - wall, 1e-6)
                # Without a count of invocations, every sample counts as parallel enough.
                in_flight = (now_area - area) / elapsed if self.in_flight_area else float("inf")
                self.observe((now_cpu - cpu) / elapsed, in_flight)
                cpu, wall, area = now_cpu, now_wall, now_area
        finally:
            self.close()

    def _area(self) -> float:
        return self.in_flight_area() if self.in_flight_area is not None else 0.0

    def _reserve(self, share: float) -> None:
        threads = _threads_of(self._runtime_pids())
        if not threads:
            # No runtime to move (none yet, or none this daemon can see: its engine's
            # containers from a container of its own); the loop's CPU alone gains nothing.
            return
        cpu = _current_cpu()
        if cpu not in self._cpus:
            cpu = max(self._cpus)
        try:
            self._set_affinity(0, {cpu})  # this thread: the event loop's
        except OSError as error:
            log.warning("daemon cpu not reserved", error=str(error))
            self._refused = True
            return
        self.reserved = cpu
        self._place(threads, self.runtime_cpus)
        log.info("daemon cpu reserved", cpu=cpu, loop_share=round(share, 2))

    def _give_back(self, share: float) -> None:
        # The loop thread, and the threads it started meanwhile (they inherited its CPU).
        for task in os.listdir("/proc/self/task"):
            with contextlib.suppress(OSError):
                self._set_affinity(int(task), self._cpus)
        self.reserved = None
        self._place(_threads_of(self._runtime_pids()), self._cpus)
        log.info("daemon cpu given back", loop_share=round(share, 2))

    def _place(self, threads: Iterable[int], cpus: set[int]) -> None:
        for tid in threads:
            # Gone meanwhile, or not ours to change: it keeps the CPUs it had.
            with contextlib.suppress(OSError):
                self._set_affinity(tid, cpus)


def _unset(_: int, __: set[int]) -> None:
    """Where the OS has no CPU affinity (never called: nothing can be reserved there)."""


def _current_cpu() -> int:
    """The CPU the calling thread last ran on (field 39 of its /proc stat)."""
    with open("/proc/thread-self/stat", "rb") as stat:
        fields = stat.read().rsplit(b")", 1)[1].split()
    return int(fields[36])


def _threads_of(roots: Iterable[int]) -> set[int]:
    """Every thread of the process trees of `roots` (which may be in each other's trees)."""
    return {tid for root in roots for tid in _tree_threads(root)}


def _tree_threads(root: int) -> list[int]:
    """Every thread of process `root` and of its descendants (as far as /proc shows them)."""
    threads: list[int] = []

    def visit(pid: int) -> list[int]:
        try:
            tasks = os.listdir(f"/proc/{pid}/task")
        except OSError:
            return []
        threads.extend(int(task) for task in tasks)
        return proc_tree.children(pid, tasks)

    proc_tree.walk(root, visit)
    return threads
