"""Content-addressed blob store for code zips (and, later, layers).

A blob is written to a temporary file, fsynced and renamed into place before
any state row refers to it, so a crash leaves at worst an unreferenced blob,
which `collect_garbage` removes at start-up.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import structlog

log = structlog.get_logger(__name__)


class BlobStore:
    """Blobs addressed by the hex SHA-256 of their content."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)

    def path(self, sha256_hex: str) -> Path:
        """Where the blob with this digest lives (it may not exist)."""
        return self.root / sha256_hex[:2] / sha256_hex

    def exists(self, sha256_hex: str) -> bool:
        """True if the blob is stored."""
        return self.path(sha256_hex).is_file()

    def put(self, sha256_hex: str, data: bytes) -> Path:
        """Store `data` under its digest (computed by the caller); idempotent and atomic."""
        target = self.path(sha256_hex)
        if target.is_file():
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _fsync_dir(target.parent)
        return target

    def read(self, sha256_hex: str) -> bytes:
        """The blob's content."""
        return self.path(sha256_hex).read_bytes()

    def collect_garbage(self, referenced: Iterable[str]) -> int:
        """Delete blobs nothing refers to, and leftovers of interrupted writes."""
        keep = set(referenced)
        removed = 0
        for path in self.root.glob("*/*"):
            if path.name.startswith(".incoming-") or path.name not in keep:
                path.unlink(missing_ok=True)
                removed += 1
        if removed:
            log.info("blob garbage collected", removed=removed)
        return removed


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


if TYPE_CHECKING:
    from lambdad.daemon.domain import storage

    def _implements_the_domain_protocol(blobs: BlobStore) -> storage.BlobStore:
        # mypy checks here that the blob directory is what the domain's registries expect.
        return blobs
