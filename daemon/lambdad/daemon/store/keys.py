"""Secret keys kept in the data dir."""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path


def load_or_create_key(path: Path, size: int = 32) -> bytes:
    """The key in `path`, created (0600, `size` random bytes) on first start."""
    if not path.exists():
        # Written to a private temp file and renamed, so a crash never leaves a short key.
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".key-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(secrets.token_bytes(size))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    return path.read_bytes()
