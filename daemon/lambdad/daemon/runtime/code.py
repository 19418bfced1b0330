"""Extracted code on disk: each zip once, in a content-addressed directory."""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from pathlib import Path

from lambdad.daemon.domain.archives import extract_zip
from lambdad.daemon.store.blobs import BlobStore


class CodeStore:
    """`<data>/code/<sha256hex>/`: a zip's content, extracted once and shared by environments."""

    def __init__(self, root: Path, blobs: BlobStore) -> None:
        self.root = root
        self._blobs = blobs
        self._locks: dict[str, asyncio.Lock] = {}

    async def code_dir(self, sha256_hex: str) -> Path:
        """The directory holding the extracted zip `sha256_hex`, extracting it if needed."""
        target = self.root / sha256_hex
        if target.is_dir():
            return target
        lock = self._locks.setdefault(sha256_hex, asyncio.Lock())
        async with lock:
            if not target.is_dir():
                await asyncio.to_thread(self._extract, sha256_hex, target)
        self._locks.pop(sha256_hex, None)
        return target

    def _extract(self, sha256_hex: str, target: Path) -> None:
        # Extract beside the target and rename, so a half-extracted tree is never used.
        self.root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=self.root, prefix=".extracting-"))
        try:
            extract_zip(self._blobs.read(sha256_hex), staging)
            os.chmod(staging, 0o755)
            try:
                os.rename(staging, target)
            except OSError:
                if not target.is_dir():  # not a lost race with another extraction
                    raise
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)

    def remove_partial(self) -> None:
        """Delete staging directories an interrupted extraction left behind."""
        if self.root.is_dir():
            for path in self.root.glob(".extracting-*"):
                shutil.rmtree(path, ignore_errors=True)
