"""Extracted code on disk: each zip once, in a content-addressed directory."""

from __future__ import annotations

import os
from pathlib import Path

from lambdad.daemon.domain.archives import (
    READ_CHUNK,
    check_entry_name,
    check_symlink_target,
    is_symlink,
    open_for_extraction,
    rejected,
    shown,
)
from lambdad.daemon.runtime.directories import BuiltDirectories
from lambdad.daemon.store.blobs import BlobStore


class CodeStore:
    """`<data>/code/<sha256hex>/`: a zip's content, extracted once and shared by environments."""

    def __init__(self, root: Path, blobs: BlobStore) -> None:
        self.root = root
        self._blobs = blobs
        self._directories = BuiltDirectories(root, ".extracting-")

    async def code_dir(self, sha256_hex: str) -> Path:
        """The directory holding the extracted zip `sha256_hex`, extracting it if needed."""
        return await self._directories.ensure(
            sha256_hex, lambda staging: extract_zip(self._blobs.read(sha256_hex), staging)
        )

    def remove_partial(self) -> None:
        """Delete staging directories an interrupted extraction left behind."""
        self._directories.remove_partial()


def _make_directories(root: Path, parts: list[str]) -> Path:
    """Create `root/parts...` one level at a time (Path.mkdir(parents=True) recurses once
    per level). The caller has checked that the path, through any in-root symlink, stays
    inside `root`."""
    current = root
    for part in parts:
        current = current / part
        try:
            os.mkdir(current)
        except FileExistsError:
            if not current.is_dir():
                raise rejected(
                    f"Entry path '{shown('/'.join(parts))}' crosses a non-directory."
                ) from None
    return current


def extract_zip(data: bytes, destination: Path) -> None:
    """Extract a package that passed `inspect_zip`, keeping modes and in-root symlinks.

    The checks of `inspect_zip` are repeated (`open_for_extraction`), and nothing here
    recurses per path level, so no package can exhaust the stack.
    """
    destination.mkdir(parents=True, exist_ok=True)
    root = destination.resolve()
    with open_for_extraction(data) as archive:
        for info in archive.infolist():
            member = check_entry_name(info.filename)
            parts = [] if member == "." else member.split("/")
            target = (root / member).resolve() if parts else root
            if target != root and root not in target.parents:
                raise rejected(f"Entry '{shown(info.filename)}' escapes the package root.")
            mode = info.external_attr >> 16
            if info.is_dir():
                _make_directories(root, parts)
                continue
            _make_directories(root, parts[:-1])
            if is_symlink(info):
                link = archive.read(info).decode()
                check_symlink_target(member, link)
                if target.is_symlink() or target.exists():
                    target.unlink()
                target.symlink_to(link)
                continue
            with archive.open(info) as source, open(target, "wb") as sink:
                while chunk := source.read(READ_CHUNK):
                    sink.write(chunk)
            # Keep executable bits (bootstrap scripts); default to rw-r--r--.
            target.chmod((mode & 0o777) | 0o444 if mode & 0o777 else 0o644)
