"""Runtime images are rebuilt when lambdad's files inside them change (no stale clients)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lambdad.daemon.images import build


def test_digest_follows_the_node_client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    client = tmp_path / "index.mjs"
    client.write_text("// first")
    monkeypatch.setattr(build, "NODE_CLIENT", client)
    node = build.RUNTIME_IMAGES["nodejs20.x"]
    python = build.RUNTIME_IMAGES["python3.11"]
    node_before, python_before = build.assets_digest(node), build.assets_digest(python)

    client.write_text("// second")

    assert build.assets_digest(node) != node_before
    assert build.assets_digest(python) == python_before


def test_digest_differs_between_runtime_families() -> None:
    digests = {
        build.assets_digest(build.RUNTIME_IMAGES[runtime])
        for runtime in ("python3.11", "nodejs20.x", "provided.al2023")
    }
    assert len(digests) == 3
