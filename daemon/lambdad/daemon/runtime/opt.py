"""`/opt` directories: a function's layers merged in order, each layer extracted once.

Each layer zip is extracted once by the `CodeStore` (content-addressed, safe extraction).
A function with one layer uses that directory as `/opt` directly; several layers are merged
into `<root>/<digest of the ordered list>/`, later layers winning on conflicts and folders
merged, by hard links where possible (no copy of the content).
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Sequence
from pathlib import Path

from lambdad.daemon.runtime.code import CodeStore
from lambdad.daemon.runtime.directories import BuiltDirectories


class OptDirectories:
    """Builds (once) and finds the merged `/opt` of an ordered list of layer zips."""

    def __init__(self, root: Path, code: CodeStore) -> None:
        self.root = root
        self._code = code
        self._directories = BuiltDirectories(root, ".merging-")

    async def opt_dir(self, layer_shas: Sequence[str]) -> Path | None:
        """The directory to mount at `/opt` for these layers (None without layers)."""
        shas = [s for s in layer_shas if s]
        if not shas:
            return None
        sources = [await self._code.code_dir(sha) for sha in shas]
        if len(sources) == 1:
            return sources[0]
        key = hashlib.sha256("\n".join(shas).encode()).hexdigest()
        return await self._directories.ensure(key, lambda staging: _merge(sources, staging))

    def remove_partial(self) -> None:
        """Delete staging directories an interrupted merge left behind."""
        self._directories.remove_partial()


def _merge(sources: Sequence[Path], staging: Path) -> None:
    for source in sources:
        _overlay(source, staging)


def _overlay(source: Path, destination: Path) -> None:
    """Copy `source` over `destination`: files replace files, folders merge."""
    for directory, dirnames, filenames in os.walk(source):
        relative = Path(directory).relative_to(source)
        here = destination / relative
        for name in list(dirnames):
            src, dst = Path(directory) / name, here / name
            if src.is_symlink():
                dirnames.remove(name)  # do not descend; copy the link itself
                _replace(dst)
                os.symlink(os.readlink(src), dst)
                continue
            if dst.is_symlink() or (dst.exists() and not dst.is_dir()):
                _replace(dst)
            dst.mkdir(exist_ok=True)
            shutil.copymode(src, dst)
        for name in filenames:
            src, dst = Path(directory) / name, here / name
            _replace(dst)
            if src.is_symlink():
                os.symlink(os.readlink(src), dst)
                continue
            try:
                os.link(src, dst)
            except OSError:
                shutil.copy2(src, dst)


def _replace(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path)
