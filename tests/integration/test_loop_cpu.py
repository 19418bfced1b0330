"""The process executor keeps runtimes off the event loop's CPU while the loop is busy
(`DaemonCore`), with real processes and real CPU affinity."""

from __future__ import annotations

import os

import pytest

from lambdad.client import AsyncLambdadClient
from lambdad.daemon.runtime import daemon_core
from lambdad.daemon.runtime.process import ProcessExecutor
from lambdad.daemon.server import Daemon
from tests.integration.support import create, invoke

pytestmark = pytest.mark.skipif(
    len(os.sched_getaffinity(0)) < 2, reason="needs 2 CPUs: with one there is none to spare"
)

ECHO = "def handler(event, context):\n    return event\n"


def allowed_cpus(pid: int) -> set[int]:
    return os.sched_getaffinity(pid)


async def test_runtimes_leave_the_loops_cpu_while_it_is_busy(daemon: Daemon) -> None:
    executor = daemon.pool.executor
    assert isinstance(executor, ProcessExecutor)
    core = executor._core
    assert core is not None and executor._core_task is not None
    # The samples come from this test alone (the daemon's own sampler would see a quiet loop).
    executor._core_task.cancel()
    every_cpu = os.sched_getaffinity(0)
    async with AsyncLambdadClient.connect(f"127.0.0.1:{daemon.port}") as client:
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
            # A runtime started meanwhile (forked by the pinned loop thread) is placed too.
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
