"""Process-mode environments: finding and killing every process of one (`containment`)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from lambdad.daemon.runtime import containment
from lambdad.daemon.runtime.containment import EnvironmentRecord, ProcessTree

HIERARCHIES = containment.usable_hierarchies()

# A leader that starts `n` sleeping children (one of them in a session of its own when
# `escape`), prints their pids and exits, leaving them behind.
LEADER = """
import subprocess, sys
n, escape = int(sys.argv[1]), sys.argv[2] == "1"
kids = [subprocess.Popen(["sleep", "600"], start_new_session=escape and i == 0) for i in range(n)]
print(" ".join(str(k.pid) for k in kids), flush=True)
"""


def test_parse_stat_reads_fields_after_an_odd_command_name() -> None:
    text = "4242 (a b) c)) S 1 4242 4242 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 987654 0 0"
    stat = containment.parse_stat(text)
    assert stat == containment.ProcStat(4242, "S", 1, 4242, 987654)
    assert containment.parse_stat("garbage") is None


def test_record_round_trips_through_the_environment_directory(tmp_path: Path) -> None:
    record = EnvironmentRecord("env", 123, 456, "/sys/fs/cgroup/pids/lambdad/env", 1)
    record.write(tmp_path)
    assert EnvironmentRecord.read(tmp_path) == record
    assert EnvironmentRecord.read(tmp_path / "missing") is None
    (tmp_path / containment.RECORD_NAME).write_text("{not json")
    assert EnvironmentRecord.read(tmp_path) is None


def _alive(pids: list[int]) -> list[int]:
    alive = []
    for pid in pids:
        stat = containment.read_stat(pid)
        if stat is not None and stat.state != "Z":
            alive.append(pid)
    return alive


def _start(tree: ProcessTree, children: int, escape: bool) -> list[int]:
    leader = subprocess.Popen(
        tree.wrap([sys.executable, "-c", LEADER, str(children), "1" if escape else "0"]),
        stdout=subprocess.PIPE,
        start_new_session=True,
    )
    tree.started(leader.pid)
    assert leader.stdout is not None
    kids = [int(p) for p in leader.stdout.readline().split()]
    leader.wait()  # the leader is gone; its children are not
    return kids


@pytest.fixture
def cleanup() -> Iterator[list[int]]:
    pids: list[int] = []
    yield pids
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, 9)


def test_session_tree_kills_children_after_the_leader_exited(cleanup: list[int]) -> None:
    tree = ProcessTree.prepare("session-only", None)
    kids = _start(tree, 5, escape=False)
    cleanup += kids
    assert tree.cgroup is None
    assert sorted(tree.members()) == sorted(kids)
    killed = tree.kill()
    assert set(kids) <= set(killed)
    containment.reap_zombies([tree.pid], [tree.pid], killed)
    assert _alive(kids) == []


@pytest.mark.parametrize(
    "hierarchy",
    [pytest.param(h, id=f"v{h.version}-{h.parent.parts[4]}") for h in HIERARCHIES]
    or [pytest.param(None, marks=pytest.mark.skip(reason="no writable cgroup hierarchy here"))],
)
def test_cgroup_tree_kills_even_children_that_left_the_session(
    cleanup: list[int], hierarchy: containment.CgroupHierarchy
) -> None:
    tree = ProcessTree.prepare(f"test-{os.getpid()}-{time.monotonic_ns()}", hierarchy)
    assert tree.cgroup is not None and tree.cgroup.is_dir()
    kids = _start(tree, 5, escape=True)
    cleanup += kids
    assert sorted(tree.members()) == sorted(kids)
    tree.kill()
    assert _alive(kids) == []
    assert not tree.cgroup.exists()  # an empty cgroup is removed


def test_a_recorded_leader_pid_now_used_by_another_process_is_not_killed(
    cleanup: list[int],
) -> None:
    stranger = subprocess.Popen(["sleep", "600"], start_new_session=True)
    cleanup.append(stranger.pid)
    stat = containment.read_stat(stranger.pid)
    assert stat is not None
    # The record is of an older process that had the same pid (another start time).
    record = EnvironmentRecord("reused", stranger.pid, stat.start_ticks - 1)
    assert containment.kill_record(record) == []
    assert _alive([stranger.pid]) == [stranger.pid]
    # The same record with the right start time does kill it.
    record.start_ticks = stat.start_ticks
    assert containment.kill_record(record) == [stranger.pid]
    stranger.wait(5)
