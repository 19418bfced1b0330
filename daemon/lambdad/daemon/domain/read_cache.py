"""Reads of the state store kept in memory until the next write anywhere in it.

Invoke resolves its function version on every call; a round trip to the state thread costs
about a quarter of a millisecond, which is a tenth of a warm invoke. Every transaction that
changes a row bumps `StateStore.generation`, and an entry is only served while the generation
it was read under is still current, so a cached read never outlives a write that finished
before it was asked for.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

from lambdad.daemon.domain.storage import StateStore

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class ReadCache(Generic[K, V]):
    """Values loaded from `state`, each valid while no transaction has changed a row since."""

    def __init__(self, state: StateStore, max_entries: int = 4096) -> None:
        self._state = state
        self._max_entries = max_entries
        self._entries: dict[K, tuple[int, V]] = {}

    async def get(self, key: K, load: Callable[[], Awaitable[V]]) -> V:
        """The cached value of `key`, or `load()`'s (exceptions are not cached)."""
        entry = self._entries.get(key)
        if entry is not None and entry[0] == self._state.generation:
            return entry[1]
        # Read the generation *before* loading: a write that lands during the load makes the
        # entry stale at once instead of labelling an old value with the new generation.
        generation = self._state.generation
        value = await load()
        if len(self._entries) >= self._max_entries:
            self._entries.clear()
        self._entries[key] = (generation, value)
        return value
