"""A walk over a process tree through /proc: a process, its children, theirs, and so on."""

from __future__ import annotations

from collections.abc import Callable, Iterable


def walk(root: int, visit: Callable[[int], Iterable[int]]) -> None:
    """Call `visit(pid)` once for `root` and for each descendant it leads to: `visit` returns
    the process's children (from `/proc/<pid>/task/<tid>/children`), or nothing for a
    process that is gone."""
    pending = [root]
    seen: set[int] = set()
    while pending:
        pid = pending.pop()
        if pid in seen:
            continue
        seen.add(pid)
        pending.extend(visit(pid))
