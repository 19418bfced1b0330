"""Directories built once per key, atomically: the mechanism behind code and `/opt` dirs.

A directory is filled in a staging directory beside its final place and renamed into it,
so a half-built tree is never used (a crash leaves only staging debris, removed at
start-up); concurrent requests for one key wait for a single build.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path


class BuiltDirectories:
    """`<root>/<key>/` directories, each built at most once by a blocking `fill` function."""

    def __init__(self, root: Path, staging_prefix: str) -> None:
        self.root = root
        self._staging_prefix = staging_prefix
        self._locks: dict[str, asyncio.Lock] = {}

    async def ensure(self, key: str, fill: Callable[[Path], None]) -> Path:
        """The directory of `key`, running `fill(staging_dir)` in a thread if it is missing."""
        target = self.root / key
        if target.is_dir():
            return target
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            if not target.is_dir():
                await asyncio.to_thread(self._build, target, fill)
        self._locks.pop(key, None)
        return target

    def _build(self, target: Path, fill: Callable[[Path], None]) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=self.root, prefix=self._staging_prefix))
        try:
            fill(staging)
            os.chmod(staging, 0o755)
            try:
                os.rename(staging, target)
            except OSError:
                if not target.is_dir():  # not a lost race with another build
                    raise
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)

    def remove_partial(self) -> None:
        """Delete staging directories an interrupted build left behind."""
        if self.root.is_dir():
            for path in self.root.glob(f"{self._staging_prefix}*"):
                shutil.rmtree(path, ignore_errors=True)
