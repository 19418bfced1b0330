"""Every process a process-mode environment starts, found and killed with it.

A handler may start children and return; the children outlive the runtime's leader, and a
process group dies only while someone still signals it. So each environment gets:

- its own cgroup where the daemon may create one (cgroup v2, or v1's `pids` hierarchy):
  membership is the kernel's and survives `setsid`, double forks and the leader's exit;
- else its session (the leader starts one): every process whose session id is the leader's.

The daemon is also a child subreaper (`PR_SET_CHILD_SUBREAPER`), so orphans of a handler are
re-parented to it rather than to init, and it reaps them once killed.

A record per environment (`<environment dir>/process.json`: leader pid, its start time,
cgroups) lets a daemon restarted after a crash kill what the crashed one left. The start time
guards against pid reuse: a leader pid whose start time differs is someone else's process.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import json
import os
import signal
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import structlog

log = structlog.get_logger(__name__)

CGROUP_MOUNT = Path("/sys/fs/cgroup")
PROC = Path("/proc")
RECORD_NAME = "process.json"
PARENT_NAME = "lambdad"
_PR_SET_CHILD_SUBREAPER = 36
_KILL_DEADLINE_S = 5.0
# `sh -c JOIN_CGROUP <cgroup.procs> <command...>`: the shell moves itself into the cgroup,
# then becomes the command; a failed move fails the start rather than leaving a tree that
# could not be found again.
JOIN_CGROUP = (
    'echo $$ > "$0" || { echo "lambdad: cannot enter cgroup $0" >&2; exit 126; }; exec "$@"'
)


def become_subreaper() -> bool:
    """Make this process the reaper of its descendants' orphans (Linux); False if it cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0)
    except (OSError, AttributeError):
        return False


@dataclass(frozen=True)
class ProcStat:
    """The fields of `/proc/<pid>/stat` this module needs."""

    pid: int
    state: str
    ppid: int
    session: int
    start_ticks: int


def parse_stat(text: str) -> ProcStat | None:
    """`/proc/<pid>/stat` parsed; the command name (in parentheses) may hold anything."""
    head, _, rest = text.rpartition(")")
    if not rest:
        return None
    pid = head.split("(", 1)[0].strip()
    fields = rest.split()
    try:
        # After the name: state(3) ppid(4) pgrp(5) session(6) ... starttime(22).
        return ProcStat(int(pid), fields[0], int(fields[1]), int(fields[3]), int(fields[19]))
    except (IndexError, ValueError):
        return None


def read_stat(pid: int, proc: Path = PROC) -> ProcStat | None:
    """The stat of `pid`, or None once it is gone."""
    try:
        return parse_stat((proc / str(pid) / "stat").read_text())
    except OSError:
        return None


def all_stats(proc: Path = PROC) -> list[ProcStat]:
    """The stat of every process."""
    stats = []
    for entry in os.scandir(proc):
        if entry.name.isdigit():
            stat = read_stat(int(entry.name), proc)
            if stat is not None:
                stats.append(stat)
    return stats


def session_members(session: int, proc: Path = PROC) -> list[int]:
    """Live (not zombie) processes of `session`."""
    return [s.pid for s in all_stats(proc) if s.session == session and s.state != "Z"]


# ------------------------------------------------------------------------- cgroups
@dataclass(frozen=True)
class CgroupHierarchy:
    """Where this daemon creates environment cgroups: `<mount><own cgroup>/lambdad/`."""

    version: int  # 1 or 2
    parent: Path  # .../lambdad

    def path_for(self, environment_id: str) -> Path:
        """The cgroup directory of one environment."""
        return self.parent / environment_id


def _own_cgroup(version: int, controller: str, proc: Path = PROC) -> str | None:
    """This process's cgroup path in the v2 hierarchy or in v1's `controller` hierarchy."""
    try:
        lines = (proc / "self" / "cgroup").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        number, _, rest = line.partition(":")
        controllers, _, path = rest.partition(":")
        if version == 2 and number == "0" and controllers == "":
            return path
        if version == 1 and controller in controllers.split(","):
            return path
    return None


def usable_hierarchies(mount: Path = CGROUP_MOUNT) -> list[CgroupHierarchy]:
    """The hierarchies this daemon may create cgroups in, best first: pure v2, v1 `pids`,
    hybrid v2 (`unified`)."""
    candidates: list[tuple[int, Path, str]] = []
    if (mount / "cgroup.controllers").exists():
        candidates.append((2, mount, ""))
    candidates.append((1, mount / "pids", "pids"))
    candidates.append((2, mount / "unified", ""))
    usable = []
    for version, root, controller in candidates:
        if not (root / "cgroup.procs").exists():
            continue
        own = _own_cgroup(version, controller)
        if own is None:
            continue
        parent = root / own.lstrip("/") / PARENT_NAME
        try:
            parent.mkdir(exist_ok=True)
            probe = parent / f"probe-{os.getpid()}"
            probe.mkdir(exist_ok=True)
            probe.rmdir()
        except OSError:
            continue
        usable.append(CgroupHierarchy(version, parent))
    return usable


def detect_hierarchy(mount: Path = CGROUP_MOUNT) -> CgroupHierarchy | None:
    """The best usable hierarchy; None if none is writable (not root, read-only mount, no
    cgroup filesystem)."""
    usable = usable_hierarchies(mount)
    return usable[0] if usable else None


def cgroup_pids(path: Path) -> list[int]:
    """The processes of a cgroup (empty once it is gone)."""
    try:
        return [int(p) for p in (path / "cgroup.procs").read_text().split()]
    except (OSError, ValueError):
        return []


def remove_cgroup(path: Path, deadline_s: float = 2.0) -> bool:
    """rmdir a cgroup, retrying while the kernel still counts exiting tasks in it."""
    deadline = time.monotonic() + deadline_s
    while True:
        try:
            path.rmdir()
            return True
        except FileNotFoundError:
            return True
        except OSError as error:
            if error.errno != errno.EBUSY or time.monotonic() > deadline:
                log.warning("cgroup not removed", cgroup=str(path), error=str(error))
                return False
        time.sleep(0.01)


# ------------------------------------------------------------------------- one environment
@dataclass
class EnvironmentRecord:
    """What a restarted daemon needs to find an environment's processes."""

    environment_id: str
    pid: int = 0  # the leader, also the session id
    start_ticks: int = 0  # the leader's start time (clock ticks since boot)
    cgroup: str | None = None
    cgroup_version: int = 0

    def write(self, directory: Path) -> None:
        """Write (replace) the record in the environment's directory."""
        path = directory / RECORD_NAME
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(self)))
        os.replace(tmp, path)

    @classmethod
    def read(cls, directory: Path) -> EnvironmentRecord | None:
        """The record of an environment directory, if it has a readable one."""
        try:
            data = json.loads((directory / RECORD_NAME).read_text())
            return cls(**data)
        except (OSError, ValueError, TypeError):
            return None


@dataclass
class ProcessTree:
    """The processes of one environment: its cgroup if it has one, else its session."""

    environment_id: str
    hierarchy: CgroupHierarchy | None
    cgroup: Path | None = None
    pid: int = 0
    start_ticks: int = 0

    @classmethod
    def prepare(cls, environment_id: str, hierarchy: CgroupHierarchy | None) -> ProcessTree:
        """Create the environment's cgroup (if any) before its leader starts."""
        tree = cls(environment_id, hierarchy)
        if hierarchy is not None:
            path = hierarchy.path_for(environment_id)
            try:
                path.mkdir()
                tree.cgroup = path
            except OSError as error:
                log.warning("no cgroup for the environment", error=str(error))
        return tree

    def wrap(self, command: Sequence[str]) -> list[str]:
        """`command`, made to enter the cgroup before it runs, so not even its first fork
        escapes: a shell writes its own pid to `cgroup.procs`, then execs the command.

        (A `preexec_fn` would do the same, but forces a full fork of the daemon, on the
        event loop: 15-20 ms per start against about 1 ms.)
        """
        if self.cgroup is None:
            return list(command)
        return ["/bin/sh", "-c", JOIN_CGROUP, str(self.cgroup / "cgroup.procs"), *command]

    def started(self, pid: int) -> None:
        """The leader is running (as `pid`)."""
        self.pid = pid
        stat = read_stat(pid)
        self.start_ticks = stat.start_ticks if stat else 0

    def record(self) -> EnvironmentRecord:
        """This tree as a record for the data directory."""
        return EnvironmentRecord(
            self.environment_id,
            self.pid,
            self.start_ticks,
            str(self.cgroup) if self.cgroup else None,
            self.hierarchy.version if self.hierarchy and self.cgroup else 0,
        )

    def members(self) -> list[int]:
        """The environment's live processes (blocking: reads /proc or the cgroup)."""
        if self.cgroup is not None:
            return cgroup_pids(self.cgroup)
        return session_members(self.pid) if self.pid else []

    def kill(self) -> list[int]:
        """SIGKILL every process of the tree, then remove its cgroup; the pids killed.

        Blocking. Forks racing with the kill are caught by looping until nothing is left.
        """
        return kill_record(self.record())


def _kill_all(pids: Iterable[int]) -> list[int]:
    killed = []
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)
    return killed


def _freeze_forks(cgroup: Path, version: int) -> None:
    """No new process in `cgroup` from now on (pids.max 0), where the controller is there."""
    with contextlib.suppress(OSError):
        (cgroup / "pids.max").write_text("0")


def kill_record(record: EnvironmentRecord, proc: Path = PROC) -> list[int]:
    """Kill what `record` describes: its cgroup's processes, or the leader's session.

    The session is only trusted while the leader is the recorded one (same start time) or
    gone: a pid that names a live session is not handed out again, so a session whose
    leader pid now belongs to another process's start time is not ours.
    """
    killed: list[int] = []
    deadline = time.monotonic() + _KILL_DEADLINE_S
    cgroup = Path(record.cgroup) if record.cgroup else None
    # A cgroup holds the whole tree (children inherit it), so the session -- a scan of
    # all of /proc -- is only looked at without one.
    by_session = cgroup is None or not cgroup.is_dir()
    if cgroup is not None and cgroup.is_dir():
        kill_file = cgroup / "cgroup.kill"
        if record.cgroup_version == 2 and kill_file.exists():
            with contextlib.suppress(OSError):
                kill_file.write_text("1")
        _freeze_forks(cgroup, record.cgroup_version)
        while (pids := cgroup_pids(cgroup)) and time.monotonic() < deadline:
            killed += _kill_all(pids)
            time.sleep(0.005)
        remove_cgroup(cgroup)
    if record.pid and by_session:
        leader = read_stat(record.pid, proc)
        same_leader = leader is None or leader.start_ticks == record.start_ticks
        if same_leader:
            while (pids := session_members(record.pid, proc)) and time.monotonic() < deadline:
                killed += _kill_all(pids)
                time.sleep(0.005)
    return sorted(set(killed))


def _children(proc: Path = PROC) -> list[int] | None:
    """This process's children: orphans adopted as subreaper go to its main thread."""
    me = os.getpid()
    try:
        return [
            int(p) for p in (proc / str(me) / "task" / str(me) / "children").read_text().split()
        ]
    except (OSError, ValueError):
        return None  # no CONFIG_PROC_CHILDREN


def reap_zombies(
    sessions: Iterable[int],
    skip: Iterable[int] = (),
    pids: Iterable[int] = (),
    proc: Path = PROC,
) -> int:
    """Reap this process's zombie children that belonged to `sessions` or are among `pids`
    (orphans it adopted as subreaper, killed with their environment), except `skip` (the
    leaders, which asyncio waits for); how many."""
    wanted, skipped, listed = set(sessions), set(skip), set(pids)
    me = os.getpid()
    children = _children(proc)
    if children is None:
        stats = [s for s in all_stats(proc) if s.ppid == me]
    else:
        stats = [s for pid in children if pid not in skipped and (s := read_stat(pid, proc))]
    reaped = 0
    for stat in stats:
        if stat.state != "Z" or stat.pid in skipped:
            continue
        in_session = stat.session in wanted and stat.pid != stat.session
        if not in_session and stat.pid not in listed:
            continue
        with contextlib.suppress(ChildProcessError):
            if os.waitpid(stat.pid, os.WNOHANG)[0]:
                reaped += 1
    return reaped
