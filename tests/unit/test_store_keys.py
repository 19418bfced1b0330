"""store/keys.py: the data dir's signing key is created once, private, and then kept."""

from __future__ import annotations

import stat
from pathlib import Path

from lambdad.daemon.store.keys import load_or_create_key


def test_a_key_is_created_private_and_then_kept(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "code-url.key"
    first = load_or_create_key(path)
    assert len(first) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_key(path) == first
    assert [p.name for p in path.parent.iterdir()] == ["code-url.key"]  # no temp file left
