"""Extracted code on disk: each zip once, in a content-addressed directory."""

from __future__ import annotations

from pathlib import Path

from lambdad.daemon.domain.archives import extract_zip
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
