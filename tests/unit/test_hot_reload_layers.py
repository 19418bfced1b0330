"""Hot-reload layers without a daemon: publishing, `/opt` of live directories, change tracking."""

from __future__ import annotations

import asyncio
import hashlib
import os
from pathlib import Path

import pytest

from lambdad.daemon.domain.functions import HOT_RELOAD_CODE_SHA256
from lambdad.daemon.domain.layers import LayerContentInput, LayerRegistry, NewLayerVersion
from lambdad.daemon.domain.model import LayerRef
from lambdad.daemon.domain.names import Account
from lambdad.daemon.errors import LambdaError
from lambdad.daemon.runtime.code import CodeStore
from lambdad.daemon.runtime.hot_reload import HotReloadTracker
from lambdad.daemon.runtime.opt import OptDirectories
from lambdad.daemon.services.functions import layer_registry
from lambdad.daemon.store.blobs import BlobStore
from lambdad.daemon.store.state import StateStore
from tests.helpers import async_wait_for, make_zip

ACCOUNT = Account("us-east-1", "000000000000")


class NoS3:
    """A code fetcher that must not be asked: hot-reload content is not in S3."""

    async def fetch(self, bucket: str, key: str, version: str | None = None) -> bytes:
        raise AssertionError(f"fetched s3://{bucket}/{key}")


def _registry(tmp_path: Path, bucket: str = "hot-reload") -> LayerRegistry:
    return layer_registry(
        account=ACCOUNT,
        state=StateStore(tmp_path / "state.db"),
        blobs=BlobStore(tmp_path / "blobs"),
        code_fetcher=NoS3(),
        hot_reload_bucket=bucket,
    )


def _hot(directory: str, bucket: str = "hot-reload") -> NewLayerVersion:
    return NewLayerVersion("live", LayerContentInput(s3_bucket=bucket, s3_key=directory))


async def test_publish_hot_reload_layer_records_the_directory(tmp_path: Path) -> None:
    live = tmp_path / "live"
    live.mkdir()
    layers = _registry(tmp_path)
    record = await layers.publish(_hot(f"{live}/"))
    assert record.hot_reload_dir == str(live)  # normalised
    assert record.code_sha256 == HOT_RELOAD_CODE_SHA256
    assert (record.sha256_hex, record.code_size, record.unzipped_size) == ("", 0, 0)
    assert await layers.get("live", 1) == record
    (ref,) = await layers.resolve([record.layer_version_arn])
    assert ref == LayerRef(record.layer_version_arn, 0, "", str(live))


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("relative/dir", "Hot reloading needs an absolute host directory as S3Key"),
        ("/no/such/dir", "Hot reloading directory /no/such/dir does not exist."),
        ("", "Hot reloading needs an absolute host directory as S3Key"),
    ],
)
async def test_publish_hot_reload_layer_rejects_bad_directories(
    tmp_path: Path, key: str, message: str
) -> None:
    with pytest.raises(LambdaError, match=message) as error:
        await _registry(tmp_path).publish(_hot(key))
    assert error.value.reason.name == "INVALID_PARAMETER_VALUE"


async def test_configured_bucket_only(tmp_path: Path) -> None:
    live = tmp_path / "live"
    live.mkdir()
    layers = _registry(tmp_path, bucket="mounts")
    assert (await layers.publish(_hot(str(live), bucket="mounts"))).hot_reload_dir == str(live)
    with pytest.raises(AssertionError, match="fetched s3://hot-reload/"):
        await layers.publish(_hot(str(live)))  # an ordinary S3 bucket now


# ------------------------------------------------------------------ /opt of live layers
def _opt(tmp_path: Path, data: bytes) -> tuple[OptDirectories, LayerRef]:
    blobs = BlobStore(tmp_path / "blobs")
    sha = hashlib.sha256(data).hexdigest()
    blobs.put(sha, data)
    opt = OptDirectories(tmp_path / "opt", CodeStore(tmp_path / "code", blobs))
    return opt, LayerRef("arn:zip:1", len(data), sha)


def _live(tmp_path: Path, files: dict[str, str]) -> tuple[Path, LayerRef]:
    live = tmp_path / "live"
    for name, content in files.items():
        (live / name).parent.mkdir(parents=True, exist_ok=True)
        (live / name).write_text(content)
    return live, LayerRef("arn:live:1", 0, "", str(live))


async def test_lone_live_layer_is_used_as_it_is(tmp_path: Path) -> None:
    opt, _ = _opt(tmp_path, make_zip({"a": "1"}))
    live, ref = _live(tmp_path, {"python/m.py": "1"})
    assert await opt.layers_dir([ref]) == live
    assert not (tmp_path / "opt").exists()  # nothing merged


async def test_mixed_layers_snapshot_follows_saves(tmp_path: Path) -> None:
    opt, zipped = _opt(tmp_path, make_zip({"python/m.py": "zip", "python/z.py": "z"}))
    live, ref = _live(tmp_path, {"python/m.py": "live-1"})
    first = await opt.layers_dir([zipped, ref])
    assert first is not None and first.parent == tmp_path / "opt"
    assert (first / "python/m.py").read_text() == "live-1"  # later layer wins
    assert (first / "python/z.py").read_text() == "z"
    assert await opt.layers_dir([zipped, ref]) == first  # unchanged: the same snapshot
    # Order matters: the zip layer last wins over the live one.
    reordered = await opt.layers_dir([ref, zipped])
    assert reordered is not None and (reordered / "python/m.py").read_text() == "zip"

    # A save (editors replace the file) gives a new snapshot with the new content.
    (live / "python/m.py.tmp").write_text("live-2")
    os.replace(live / "python/m.py.tmp", live / "python/m.py")
    second = await opt.layers_dir([zipped, ref])
    assert second is not None and second != first
    assert (second / "python/m.py").read_text() == "live-2"
    assert (first / "python/m.py").read_text() == "live-1"  # running environments keep theirs

    # Pruning keeps what environments use and the newest snapshot of each layer list.
    assert await opt.prune_live(in_use={first}) == 0
    assert await opt.prune_live(in_use=set()) == 1
    assert not first.exists() and second.exists()

    # At start-up (no environment yet) every snapshot goes.
    opt.remove_partial()
    assert not second.exists()


async def test_ignored_churn_does_not_rebuild_the_snapshot(tmp_path: Path) -> None:
    opt, zipped = _opt(tmp_path, make_zip({"a": "1"}))
    live, ref = _live(tmp_path, {"python/m.py": "1"})
    first = await opt.layers_dir([zipped, ref])
    (live / "node_modules").mkdir()
    (live / "node_modules/x.js").write_text("x")
    assert await opt.layers_dir([zipped, ref]) == first


# ------------------------------------------------------------------ change tracking
async def test_tracker_reports_a_change_in_any_directory(tmp_path: Path) -> None:
    code, layer = tmp_path / "code", tmp_path / "layer"
    for directory in (code, layer):
        directory.mkdir()
        (directory / "m.py").write_text("1")
    stale: list[str] = []
    tracker = HotReloadTracker[str](stale.append)
    try:
        await tracker.check("fn", [code, layer])
        await tracker.check("fn", [code, layer])
        assert stale == []
        (layer / "m.py").write_text("22")
        await tracker.check("fn", [code, layer])
        assert stale == ["fn"]
        await tracker.check("fn", [code, layer])
        assert stale == ["fn"]  # reported once
    finally:
        await tracker.close()


async def test_tracker_watcher_retires_without_an_invoke(tmp_path: Path) -> None:
    layer = tmp_path / "layer"
    layer.mkdir()
    (layer / "m.py").write_text("1")
    stale: list[str] = []
    tracker = HotReloadTracker[str](stale.append, debounce_ms=50)
    try:
        await tracker.check("a", [layer])
        await tracker.check("b", [tmp_path / "elsewhere-missing", layer])
        await asyncio.sleep(0.3)  # watchers armed
        (layer / "m.py").write_text("22")
        await async_wait_for(lambda: len(stale) == 2)
        assert sorted(stale) == ["a", "b"]
    finally:
        await tracker.close()
