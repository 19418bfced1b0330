"""ReadCache serves a read until any transaction changes a row, and never a stale one."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from lambdad.daemon.domain.read_cache import ReadCache
from lambdad.daemon.store.state import StateStore, Transaction


@pytest.fixture
def state(tmp_path: Path) -> Iterator[StateStore]:
    store = StateStore(tmp_path / "state.db")
    yield store
    store.close()


def _write(tx: Transaction) -> None:
    tx.next_layer_version("scratch")


class _Loader:
    def __init__(self) -> None:
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        return f"value {self.calls}"


async def test_a_read_is_served_until_a_transaction_changes_a_row(state: StateStore) -> None:
    cache: ReadCache[str, str] = ReadCache(state)
    load = _Loader()
    assert await cache.get("fn", load) == "value 1"
    assert await cache.get("fn", load) == "value 1"
    await state.run(lambda tx: tx.get_function("fn"))  # a read changes nothing
    assert await cache.get("fn", load) == "value 1"
    await state.run(_write)
    assert await cache.get("fn", load) == "value 2"
    assert load.calls == 2


async def test_a_write_during_the_load_leaves_the_entry_stale(state: StateStore) -> None:
    cache: ReadCache[str, str] = ReadCache(state)
    calls = 0

    async def load_racing_a_write() -> str:
        nonlocal calls
        calls += 1
        value = f"read {calls}"
        if calls == 1:
            await state.run(_write)  # lands after the read, before the entry is stored
        return value

    assert await cache.get("fn", load_racing_a_write) == "read 1"
    assert await cache.get("fn", load_racing_a_write) == "read 2"


async def test_failures_are_not_cached(state: StateStore) -> None:
    cache: ReadCache[str, str] = ReadCache(state)
    attempts = 0

    async def flaky() -> str:
        nonlocal attempts
        attempts += 1
        if attempts == 1:
            raise LookupError("not there yet")
        return "found"

    with pytest.raises(LookupError):
        await cache.get("fn", flaky)
    assert await cache.get("fn", flaky) == "found"


async def test_the_cache_is_bounded(state: StateStore) -> None:
    cache: ReadCache[int, int] = ReadCache(state, max_entries=8)

    async def value_of(key: int) -> int:
        await asyncio.sleep(0)
        return key

    for key in range(20):
        await cache.get(key, lambda key=key: value_of(key))  # type: ignore[misc]
    assert len(cache._entries) <= 8
