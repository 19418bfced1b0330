"""`/opt` directories: a function's layers merged in order, each layer extracted once.

Each layer zip is extracted once by the `CodeStore` (content-addressed, safe extraction).
A function with one layer uses that directory as `/opt` directly; several layers are merged
into `<root>/<digest of the ordered list>/`, later layers winning on conflicts and folders
merged, by hard links where possible (no copy of the content).

Hot-reload layers are live host directories. A function whose only layer is one of them
mounts it as it is. Mixed with other layers, the merge is a snapshot keyed by the live
directories' fingerprints (`live-<digest>/`): a change gives a new key, hence a new merge,
and snapshots no environment uses any more are pruned.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import shutil
from collections.abc import Iterable, Sequence
from pathlib import Path

from lambdad.daemon.domain.model import LayerRef
from lambdad.daemon.runtime.code import CodeStore
from lambdad.daemon.runtime.directories import BuiltDirectories
from lambdad.daemon.runtime.hot_reload import ChangeFilter, fingerprint

LIVE_PREFIX = "live-"


class OptDirectories:
    """Builds (once) and finds the merged `/opt` of an ordered list of layer zips."""

    def __init__(self, root: Path, code: CodeStore) -> None:
        self.root = root
        self._code = code
        self._directories = BuiltDirectories(root, ".merging-")
        # The newest snapshot of each ordered layer list with live directories.
        self._live_current: dict[str, Path] = {}

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

    async def layers_dir(
        self, layers: Sequence[LayerRef], change_filter: ChangeFilter | None = None
    ) -> Path | None:
        """The `/opt` of a function's layers, hot-reload directories as they are now.

        `change_filter` decides which files of a live directory count for its fingerprint.
        """
        if not any(layer.hot_reload_dir for layer in layers):
            return await self.opt_dir([layer.sha256_hex for layer in layers])
        sources: list[Path] = []
        parts: list[str] = []
        for layer in layers:
            if layer.hot_reload_dir:
                live = Path(layer.hot_reload_dir)
                sources.append(live)
                digest = await asyncio.to_thread(fingerprint, live, change_filter)
                parts.append(f"{live}\0{digest}")
            elif layer.sha256_hex:
                sources.append(await self._code.code_dir(layer.sha256_hex))
                parts.append(layer.sha256_hex)
        if len(sources) == 1:
            return sources[0]  # a lone live layer: mounted as it is, no snapshot needed
        identity = hashlib.sha256("\n".join(layer.arn for layer in layers).encode()).hexdigest()
        key = LIVE_PREFIX + hashlib.sha256("\n".join(parts).encode()).hexdigest()
        # Marked current before it exists, so a concurrent prune never takes it.
        self._live_current[identity] = self.root / key
        return await self._directories.ensure(key, lambda staging: _merge(sources, staging))

    async def prune_live(self, in_use: Iterable[Path]) -> int:
        """Delete superseded live snapshots that no environment in `in_use` mounts."""
        keep = {*in_use, *self._live_current.values()}
        stale = [p for p in self.root.glob(f"{LIVE_PREFIX}*") if p not in keep]
        for path in stale:
            await asyncio.to_thread(shutil.rmtree, path, True)
        return len(stale)

    def remove_partial(self) -> None:
        """Delete staging directories an interrupted merge left behind, and live snapshots.

        Called at start-up, before any environment exists: every snapshot is stale then.
        """
        self._directories.remove_partial()
        if self.root.is_dir():
            for path in self.root.glob(f"{LIVE_PREFIX}*"):
                shutil.rmtree(path, ignore_errors=True)


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
