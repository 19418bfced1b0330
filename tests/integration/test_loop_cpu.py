"""Both executors keep runtimes off the event loop's CPU while the loop is busy (`DaemonCore`),
with real processes (and containers) and real CPU affinity."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from lambdad.client import AsyncLambdadClient
from lambdad.daemon.runtime import daemon_core
from lambdad.daemon.runtime.docker import DockerExecutor
from lambdad.daemon.runtime.process import ProcessExecutor
from lambdad.daemon.server import Daemon
from tests.integration.support import create, executor_daemon, invoke

pytestmark = pytest.mark.skipif(
    len(os.sched_getaffinity(0)) < 2, reason="needs 2 CPUs: with one there is none to spare"
)

ECHO = "def handler(event, context):\n    return event\n"


@pytest.fixture(params=["process", pytest.param("docker", marks=pytest.mark.docker)])
async def daemon(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Daemon]:
    """A daemon of the test's executor; Docker's without waiting containers, so that every
    container belongs to a function."""
    async with executor_daemon(
        request, tmp_path / "data", metrics_port=0, prewarmed_environments=0
    ) as running:
        yield running


def allowed_cpus(pid: int) -> set[int]:
    return os.sched_getaffinity(pid)


async def test_runtimes_leave_the_loops_cpu_while_it_is_busy(daemon: Daemon) -> None:
    executor = daemon.pool.executor
    assert isinstance(executor, ProcessExecutor | DockerExecutor)
    core = executor._core
    assert core is not None and core.sampler is not None
    # The samples come from this test alone (the daemon's own sampler would see a quiet loop).
    core.sampler.cancel()
    every_cpu = os.sched_getaffinity(0)
    async with AsyncLambdadClient.connect(f"127.0.0.1:{daemon.port}") as client:
        # Busy with no runtime yet: nothing to move, so the loop's CPU is not reserved.
        for _ in range(daemon_core.BUSY_SAMPLES):
            core.observe(1.0)
        assert core.reserved is None
        await create(client, "first", "python3.11", "app.handler", {"app.py": ECHO})
        await invoke(client, "first", {})
        before = executor._runtime_pids()
        assert before and all(allowed_cpus(pid) == every_cpu for pid in before)
        try:
            for _ in range(daemon_core.BUSY_SAMPLES):
                core.observe(1.0)
            assert core.reserved is not None
            assert os.sched_getaffinity(0) == {core.reserved}  # the loop thread
            others = every_cpu - {core.reserved}
            assert all(allowed_cpus(pid) == others for pid in before)
            # A runtime started meanwhile (a process forked by the pinned loop thread, or a
            # container's processes, which the engine started on every CPU) is placed too.
            await create(client, "second", "python3.11", "app.handler", {"app.py": ECHO})
            assert (await invoke(client, "second", {"n": 1})).payload == b'{"n": 1}'
            started = set(executor._runtime_pids()) - set(before)
            assert started and all(allowed_cpus(pid) == others for pid in started)
        finally:
            for _ in range(daemon_core.QUIET_SAMPLES):
                core.observe(0.0)
        assert core.reserved is None
        assert os.sched_getaffinity(0) == every_cpu
        assert all(allowed_cpus(pid) == every_cpu for pid in executor._runtime_pids())
