"""Hot reloading: a function whose code is a host directory, used in place.

Environments of such a function run the directory as it is (Docker bind-mounts it read-only
at /var/task; the process executor runs from it). A runtime loads the code once, so after a
change the warm environments are stale: the pool fingerprints the directory when it hands
out an environment and starts a new one when the fingerprint moved. Checking at acquire time
(rather than polling in the background) means the first invoke after a save always runs the
new code, with no debounce window to wait for.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

# Churn that is not the function's code: version control, dependency trees, bytecode caches
# (the process executor's Python writes __pycache__ into the directory itself).
IGNORED_NAMES = frozenset({".git", ".hg", ".svn", "node_modules", "__pycache__", ".mypy_cache"})

Fingerprint = str


def fingerprint(directory: Path) -> Fingerprint:
    """A digest of every file's relative path, mtime (ns) and size, ignoring `IGNORED_NAMES`.

    Files only, so adding an ignored directory (which touches its parent's mtime) does not
    count, while adding, editing, renaming or deleting a file does.
    """
    entries: list[str] = []
    stack = [str(directory)]
    while stack:
        current = stack.pop()
        try:
            listing = list(os.scandir(current))
        except OSError:
            continue
        for entry in listing:
            if entry.name in IGNORED_NAMES:
                continue
            try:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                    continue
                stat = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            entries.append(f"{entry.path}\0{stat.st_mtime_ns}\0{stat.st_size}")
    entries.sort()
    return hashlib.sha256("\n".join(entries).encode()).hexdigest()
