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


def test_durable_sdk_extras_change_only_the_images_that_ship_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    python313, python311 = build.RUNTIME_IMAGES["python3.13"], build.RUNTIME_IMAGES["python3.11"]
    assert python313.extra_packages == build.PYTHON_DURABLE_SDK
    assert build.RUNTIME_IMAGES["nodejs24.x"].extra_packages == build.NODE_DURABLE_SDK
    before = {image.runtime: build.assets_digest(image) for image in (python313, python311)}
    real_asset = build._asset
    monkeypatch.setattr(
        build,
        "_asset",
        lambda name: real_asset(name) + ("# changed\n" if name.endswith("-extras") else ""),
    )

    assert build.assets_digest(python313) != before["python3.13"]
    assert build.assets_digest(python311) == before["python3.11"]


def test_a_suite_newer_than_debootstrap_uses_the_script_it_derives_from() -> None:
    scripts = Path("/usr/share/debootstrap/scripts")
    if not (scripts / "sid").exists():
        pytest.skip("debootstrap is not installed")
    expected = [] if (scripts / "forky").exists() else [str(scripts / "sid")]
    assert build._debootstrap_script("forky") == expected
    assert build._debootstrap_script("trixie") == []
