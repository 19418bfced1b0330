"""StateStore (SQLite, one transaction per operation) and BlobStore (content-addressed files)."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from lambdad.daemon.domain.model import (
    Alias,
    CodeRef,
    FunctionRecord,
    FunctionVersion,
    LayerRef,
    State,
)
from lambdad.daemon.store import blobs as blobs_module
from lambdad.daemon.store.blobs import BlobStore
from lambdad.daemon.store.state import MIGRATIONS, StateStore, Transaction


@pytest.fixture
def store(tmp_path: Path) -> Iterator[StateStore]:
    state = StateStore(tmp_path / "state.db")
    try:
        yield state
    finally:
        state.close()


def _version(name: str = "f", version: str = "$LATEST", **changes: object) -> FunctionVersion:
    code = CodeRef(sha256_hex="ab" * 32, code_sha256="q" * 43 + "=", size=123, unzipped_size=456)
    values: dict[str, object] = {
        "name": name,
        "version": version,
        "role": "arn:aws:iam::000000000000:role/r",
        "runtime": "python3.12",
        "handler": "app.handler",
        "code": code,
    }
    values.update(changes)
    return FunctionVersion(**values)  # type: ignore[arg-type]


def _rich_version() -> FunctionVersion:
    """A version with every field away from its default."""
    return _version(
        description="all the things",
        timeout=30,
        memory_size=1024,
        environment={"FOO": "bar", "UNICODE": "é✓"},
        architectures=["arm64"],
        ephemeral_storage=2048,
        tracing_mode="Active",
        layers=[LayerRef("arn:aws:lambda:us-east-1:000000000000:layer:l:1", 99)],
        dead_letter_target_arn="arn:aws:sqs:us-east-1:000000000000:dlq",
        kms_key_arn="arn:aws:kms:us-east-1:000000000000:key/k",
        vpc_config={"SubnetIds": ["s-1"], "SecurityGroupIds": ["sg-1"]},
        file_system_configs=[{"Arn": "arn:efs", "LocalMountPath": "/mnt/x"}],
        image_config={"Command": ["x"]},
        snap_start_apply_on="PublishedVersions",
        logging_config={"LogFormat": "JSON", "LogGroup": "/custom"},
        code_signing_config_arn="arn:csc",
        state=State.ACTIVE,
        state_reason=None,
        state_reason_code=None,
        last_update_status=State.SUCCESSFUL,
    )


def _count(path: Path, table: str) -> int:
    with sqlite3.connect(path) as db:
        return int(db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


# ----------------------------------------------------------------- migrations
def test_new_database_migrated_to_current_version(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "state.db"
    StateStore(path).close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert {"functions", "versions", "aliases"} <= tables


def test_reopening_keeps_data_and_does_not_rerun_migrations(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    first = StateStore(path)
    first.run_sync(lambda tx: tx.put_function(FunctionRecord("f", tags={"a": "1"})))
    first.close()
    second = StateStore(path)
    try:
        assert second.run_sync(lambda tx: tx.get_function("f")) == FunctionRecord(
            "f", tags={"a": "1"}
        )
    finally:
        second.close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


def test_foreign_keys_enforced(store: StateStore) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        store.run_sync(lambda tx: tx.put_version(_version(name="orphan")))
    assert store.run_sync(lambda tx: tx.versions()) == []


# ------------------------------------------------------------------ round trips
def test_function_version_round_trip(store: StateStore) -> None:
    rich = _rich_version()
    published = _version(version="7", description="v7")

    def write(tx: Transaction) -> None:
        tx.put_function(FunctionRecord("f"))
        tx.put_version(rich)
        tx.put_version(published)

    store.run_sync(write)
    assert store.run_sync(lambda tx: tx.get_version("f", "$LATEST")) == rich
    assert store.run_sync(lambda tx: tx.get_version("f", "7")) == published
    assert store.run_sync(lambda tx: tx.get_version("f", "8")) is None
    assert store.run_sync(lambda tx: tx.get_version("g", "$LATEST")) is None


def test_function_version_json_ignores_unknown_fields() -> None:
    rich = _rich_version()
    raw = json.loads(rich.to_json())
    raw["field_from_the_future"] = 1
    assert FunctionVersion.from_json(json.dumps(raw)) == rich


def test_put_version_replaces(store: StateStore) -> None:
    first = _version()
    second = first.evolve(description="changed")
    assert second.revision_id != first.revision_id

    def write(tx: Transaction) -> None:
        tx.put_function(FunctionRecord("f"))
        tx.put_version(first)
        tx.put_version(second)

    store.run_sync(write)
    assert store.run_sync(lambda tx: tx.versions("f")) == [second]


def test_function_record_round_trip_and_upsert(store: StateStore) -> None:
    record = FunctionRecord("f", last_published=3, tags={"k": "v", "e": ""}, reserved_concurrency=7)
    store.run_sync(lambda tx: tx.put_function(record))
    assert store.run_sync(lambda tx: tx.get_function("f")) == record
    changed = FunctionRecord("f", last_published=4, tags={}, reserved_concurrency=None)
    store.run_sync(lambda tx: tx.put_function(changed))
    assert store.run_sync(lambda tx: tx.get_function("f")) == changed
    assert store.run_sync(lambda tx: tx.get_function("missing")) is None


def test_alias_round_trip(store: StateStore) -> None:
    alias = Alias("f", "live", "2", "the live one", {"3": 0.25})
    other = Alias("f", "beta", "$LATEST")

    def write(tx: Transaction) -> None:
        tx.put_function(FunctionRecord("f"))
        tx.put_alias(alias)
        tx.put_alias(other)

    store.run_sync(write)
    assert store.run_sync(lambda tx: tx.get_alias("f", "live")) == alias
    assert store.run_sync(lambda tx: tx.aliases("f")) == [other, alias]  # by name
    updated = alias.evolve(function_version="3", routing={})
    store.run_sync(lambda tx: tx.put_alias(updated))
    assert store.run_sync(lambda tx: tx.get_alias("f", "live")) == updated
    store.run_sync(lambda tx: tx.delete_alias("f", "live"))
    assert store.run_sync(lambda tx: tx.get_alias("f", "live")) is None


def test_versions_ordered_numerically_latest_first(store: StateStore) -> None:
    def write(tx: Transaction) -> None:
        for name in ("b", "a"):
            tx.put_function(FunctionRecord(name))
            for version in ("10", "$LATEST", "9", "1"):
                tx.put_version(_version(name=name, version=version))

    store.run_sync(write)
    assert [v.version for v in store.run_sync(lambda tx: tx.versions("a"))] == [
        "$LATEST",
        "1",
        "9",
        "10",
    ]
    everything = store.run_sync(lambda tx: tx.versions())
    assert [(v.name, v.version) for v in everything][:5] == [
        ("a", "$LATEST"),
        ("a", "1"),
        ("a", "9"),
        ("a", "10"),
        ("b", "$LATEST"),
    ]
    assert store.run_sync(lambda tx: tx.function_names()) == ["a", "b"]


def test_referenced_blobs(store: StateStore) -> None:
    def write(tx: Transaction) -> None:
        tx.put_function(FunctionRecord("f"))
        tx.put_version(_version(code=CodeRef(sha256_hex="11" * 32)))
        tx.put_version(_version(version="1", code=CodeRef(sha256_hex="22" * 32)))
        tx.put_version(_version(version="2", code=CodeRef(image_uri="repo/img:1")))

    store.run_sync(write)
    assert store.run_sync(lambda tx: tx.referenced_blobs()) == {"11" * 32, "22" * 32}


async def test_async_run(store: StateStore) -> None:
    await store.run(lambda tx: tx.put_function(FunctionRecord("f")))
    assert await store.run(lambda tx: tx.function_names()) == ["f"]


# ------------------------------------------------------------------ atomicity
class Boom(Exception):
    pass


def test_failing_transaction_rolls_back_completely(store: StateStore, tmp_path: Path) -> None:
    store.run_sync(lambda tx: tx.put_function(FunctionRecord("kept", tags={"v": "1"})))

    def work(tx: Transaction) -> None:
        tx.put_function(FunctionRecord("f"))
        tx.put_version(_version())
        tx.put_alias(Alias("f", "live", "$LATEST"))
        tx.put_function(FunctionRecord("kept", tags={"v": "2"}))
        tx.delete_function("kept")
        raise Boom

    with pytest.raises(Boom):
        store.run_sync(work)
    assert store.run_sync(lambda tx: tx.function_names()) == ["kept"]
    assert store.run_sync(lambda tx: tx.get_function("kept")) == FunctionRecord(
        "kept", tags={"v": "1"}
    )
    assert store.run_sync(lambda tx: tx.versions()) == []
    assert store.run_sync(lambda tx: tx.get_alias("f", "live")) is None
    # The store is still usable, and what it said is what is on disk.
    store.run_sync(lambda tx: tx.put_function(FunctionRecord("after")))
    assert _count(tmp_path / "state.db", "functions") == 2
    assert _count(tmp_path / "state.db", "versions") == 0


async def test_failing_async_transaction_rolls_back(store: StateStore) -> None:
    def work(tx: Transaction) -> None:
        tx.put_function(FunctionRecord("f"))
        raise Boom

    with pytest.raises(Boom):
        await store.run(work)
    assert await store.run(lambda tx: tx.get_function("f")) is None


def test_committed_work_visible_to_other_connections(store: StateStore, tmp_path: Path) -> None:
    store.run_sync(lambda tx: tx.put_function(FunctionRecord("f")))
    assert _count(tmp_path / "state.db", "functions") == 1


def test_delete_function_cascades(store: StateStore, tmp_path: Path) -> None:
    def write(tx: Transaction) -> None:
        for name in ("f", "g"):
            tx.put_function(FunctionRecord(name))
            tx.put_version(_version(name=name))
            tx.put_version(_version(name=name, version="1"))
            tx.put_alias(Alias(name, "live", "1"))

    store.run_sync(write)
    store.run_sync(lambda tx: tx.delete_function("f"))
    assert store.run_sync(lambda tx: tx.get_function("f")) is None
    assert store.run_sync(lambda tx: tx.versions("f")) == []
    assert store.run_sync(lambda tx: tx.aliases("f")) == []
    assert [v.version for v in store.run_sync(lambda tx: tx.versions("g"))] == ["$LATEST", "1"]
    assert [a.name for a in store.run_sync(lambda tx: tx.aliases("g"))] == ["live"]
    assert _count(tmp_path / "state.db", "versions") == 2
    assert _count(tmp_path / "state.db", "aliases") == 1


def test_delete_version(store: StateStore) -> None:
    def write(tx: Transaction) -> None:
        tx.put_function(FunctionRecord("f"))
        tx.put_version(_version())
        tx.put_version(_version(version="1"))

    store.run_sync(write)
    store.run_sync(lambda tx: tx.delete_version("f", "1"))
    assert [v.version for v in store.run_sync(lambda tx: tx.versions("f"))] == ["$LATEST"]


# ----------------------------------------------------------------------- blobs
def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _leftovers(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.name.startswith(".incoming-")]


def test_blob_put_read_exists(tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path / "blobs")
    data = b"zip bytes"
    sha = _sha(data)
    assert not blobs.exists(sha)
    path = blobs.put(sha, data)
    assert path == tmp_path / "blobs" / sha[:2] / sha
    assert blobs.exists(sha)
    assert blobs.read(sha) == data
    assert _leftovers(tmp_path) == []


def test_blob_put_is_idempotent(tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path / "blobs")
    data = os.urandom(1000)
    sha = _sha(data)
    first = blobs.put(sha, data)
    inode = first.stat().st_ino
    second = blobs.put(sha, data)
    assert second == first
    assert second.stat().st_ino == inode  # not rewritten
    assert blobs.read(sha) == data
    assert [p for p in (tmp_path / "blobs").rglob("*") if p.is_file()] == [first]


def test_blob_put_failure_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blobs = BlobStore(tmp_path / "blobs")
    data = b"will not land"
    sha = _sha(data)

    def failing_fsync(fd: int) -> None:
        raise OSError("disk on fire")

    monkeypatch.setattr(blobs_module.os, "fsync", failing_fsync)
    with pytest.raises(OSError, match="disk on fire"):
        blobs.put(sha, data)
    monkeypatch.undo()
    assert not blobs.exists(sha)
    assert _leftovers(tmp_path) == []
    blobs.put(sha, data)
    assert blobs.read(sha) == data


def test_blob_never_visible_half_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """While the data is being written, the final path does not exist yet."""
    blobs = BlobStore(tmp_path / "blobs")
    data = b"x" * 10_000
    sha = _sha(data)
    seen: list[bool] = []
    real_fsync = os.fsync

    def watching_fsync(fd: int) -> None:
        seen.append(blobs.path(sha).exists())
        real_fsync(fd)

    monkeypatch.setattr(blobs_module.os, "fsync", watching_fsync)
    blobs.put(sha, data)
    assert seen and seen[0] is False


def test_collect_garbage(tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path / "blobs")
    kept, dropped = b"kept", b"dropped"
    blobs.put(_sha(kept), kept)
    blobs.put(_sha(dropped), dropped)
    leftover = blobs.path(_sha(kept)).parent / ".incoming-abc123"
    leftover.write_bytes(b"partial")
    stray_dir = tmp_path / "blobs" / "zz"
    stray_dir.mkdir()
    (stray_dir / ".incoming-xyz").write_bytes(b"partial")

    removed = blobs.collect_garbage({_sha(kept)})
    assert removed == 3
    assert blobs.exists(_sha(kept))
    assert blobs.read(_sha(kept)) == kept
    assert not blobs.exists(_sha(dropped))
    assert _leftovers(tmp_path) == []
    assert blobs.collect_garbage({_sha(kept)}) == 0


def test_collect_garbage_keeps_everything_referenced(tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path / "blobs")
    payloads = [os.urandom(64) for _ in range(20)]
    for data in payloads:
        blobs.put(_sha(data), data)
    assert blobs.collect_garbage({_sha(d) for d in payloads}) == 0
    assert all(blobs.read(_sha(d)) == d for d in payloads)
