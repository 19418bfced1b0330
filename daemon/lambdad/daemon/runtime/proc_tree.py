"""Process trees through /proc (a process, its children, theirs, and so on), and the bare
read of a kernel-generated file that the per-invoke REPORT figures use."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable

# procfs and sysfs hand over what fits in one read of this size in that one read.
_READ_BYTES = 65536


def read_file(path: str) -> bytes:
    """A procfs/sysfs file's bytes, through a bare descriptor.

    Called for every invocation's REPORT: `Path.read_text` costs ~60 us more per file (a text
    wrapper and the locale's encoding looked up on each open), several times the read itself.
    """
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        data = os.read(fd, _READ_BYTES)
        if len(data) < _READ_BYTES:
            return data  # all of it
        chunks = [data]
        while chunk := os.read(fd, _READ_BYTES):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def children(pid: int, tasks: Iterable[str]) -> list[int]:
    """The children of process `pid` started by its threads `tasks`, from
    `/proc/<pid>/task/<tid>/children` (a task gone meanwhile has none)."""
    found: list[int] = []
    for task in tasks:
        with contextlib.suppress(OSError, ValueError):
            found.extend(
                int(child) for child in read_file(f"/proc/{pid}/task/{task}/children").split()
            )
    return found


def walk(root: int, visit: Callable[[int], Iterable[int]]) -> None:
    """Call `visit(pid)` once for `root` and for each descendant it leads to: `visit` returns
    the process's children (`children`), or nothing for a process that is gone."""
    pending = [root]
    seen: set[int] = set()
    while pending:
        pid = pending.pop()
        if pid in seen:
            continue
        seen.add(pid)
        pending.extend(visit(pid))
