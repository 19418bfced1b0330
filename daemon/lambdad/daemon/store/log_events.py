"""Function log events in SQLite (`logs.db` in the data directory), bounded by age and count.

Kept apart from the state database: log lines are many and small, and losing the last few
hundred milliseconds of them in a crash is acceptable (WAL, synchronous=NORMAL), where a lost
function definition is not. One worker thread owns the connection; lines are buffered and
written in batches, and every read first writes what is buffered, so a read sees every line
handed to `add` before it.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import structlog

log = structlog.get_logger(__name__)

T = TypeVar("T")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS log_groups (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_ms INTEGER NOT NULL,
    stored_bytes INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS log_streams (
    id INTEGER PRIMARY KEY,
    group_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    first_ms INTEGER NOT NULL,
    last_ms INTEGER NOT NULL,
    last_ingestion_ms INTEGER NOT NULL,
    UNIQUE (group_id, name)
);
CREATE TABLE IF NOT EXISTS log_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    group_id INTEGER NOT NULL,
    stream_id INTEGER NOT NULL,
    ts INTEGER NOT NULL,
    ingestion_ms INTEGER NOT NULL,
    message TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS log_events_by_group ON log_events (group_id, ts, id);
CREATE INDEX IF NOT EXISTS log_events_by_stream ON log_events (stream_id, ts, id);
CREATE INDEX IF NOT EXISTS log_events_by_ingestion ON log_events (ingestion_ms);
"""

# Buffered lines are written after this long (or at once by a read).
_FLUSH_DELAY_S = 0.05
# Pruning runs at most this often (and once at start-up).
_PRUNE_EVERY_S = 60.0
_DAY_MS = 86_400_000


@dataclass(frozen=True)
class NewLogEvent:
    """A line to keep."""

    group: str
    stream: str
    timestamp_ms: int
    ingestion_ms: int
    message: str


@dataclass(frozen=True)
class StoredLogEvent:
    """A kept line; `event_id` orders events ingested at the same time."""

    event_id: int
    stream: str
    timestamp_ms: int
    ingestion_ms: int
    message: str


@dataclass(frozen=True)
class LogGroupRow:
    """A log group and the bytes of its kept messages."""

    name: str
    created_ms: int
    stored_bytes: int


@dataclass(frozen=True)
class LogStreamRow:
    """A log stream and the times of its kept events."""

    name: str
    created_ms: int
    first_ms: int
    last_ms: int
    last_ingestion_ms: int


@dataclass(frozen=True)
class EventQuery:
    """Which events of a group to read, in (timestamp, id) order."""

    group: str
    # Exact stream names (empty: every stream), or a stream name prefix.
    streams: Sequence[str] = ()
    stream_prefix: str = ""
    start_ms: int | None = None  # inclusive
    end_ms: int | None = None  # inclusive
    # Resume strictly after (or, descending, before) this (timestamp, id).
    position: tuple[int, int] | None = None
    descending: bool = False
    limit: int = 10_000


class LogEventStore:
    """Durable function log events with bounded retention."""

    def __init__(self, path: Path, *, retention_days: int, max_events: int) -> None:
        self._path = path
        self._retention_days = retention_days
        self._max_events = max_events
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="log-events")
        self._db: sqlite3.Connection | None = None
        self._pending: list[NewLogEvent] = []
        self._flush_handle: asyncio.TimerHandle | None = None
        self._flushing: set[asyncio.Task[None]] = set()
        self._last_prune = 0.0

    async def open(self) -> None:
        """Open (or create) the database and drop what retention no longer allows."""
        await self._run(self._open)
        await self.prune()

    def _open(self) -> None:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self._path, check_same_thread=False, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.executescript(_SCHEMA)
        self._db = db

    async def close(self) -> None:
        """Write what is buffered and close the database."""
        if self._flush_handle is not None:
            self._flush_handle.cancel()
            self._flush_handle = None
        if self._flushing:
            await asyncio.gather(*self._flushing, return_exceptions=True)
        await self.flush()
        await self._run(self._close)
        self._executor.shutdown(wait=True)

    def _close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    # ---------------------------------------------------------------------- writes
    def add(self, events: Sequence[NewLogEvent]) -> None:
        """Buffer `events`; they are written shortly (from the running event loop)."""
        if not events:
            return
        self._pending.extend(events)
        if self._flush_handle is None:
            loop = asyncio.get_running_loop()
            self._flush_handle = loop.call_later(_FLUSH_DELAY_S, self._flush_soon)

    def _flush_soon(self) -> None:
        self._flush_handle = None
        task = asyncio.ensure_future(self.flush())
        self._flushing.add(task)
        task.add_done_callback(self._flushing.discard)

    async def flush(self) -> None:
        """Write the buffered events now (and prune, when it is due)."""
        batch, self._pending = self._pending, []
        if batch:
            try:
                await self._run(lambda: self._insert(batch))
            except Exception:
                log.exception("log events not kept", count=len(batch))
        if time.monotonic() - self._last_prune > _PRUNE_EVERY_S:
            await self.prune()

    def _insert(self, batch: list[NewLogEvent]) -> None:
        # One INSERT per event, but each stream's and group's running figures are summed
        # here and written once per batch: at a thousand invokes a second (four or five
        # lines each) the two UPDATEs per event were most of this thread's time, and it
        # shares the GIL with the event loop.
        db = self._connection()
        groups: dict[str, int] = {}
        streams: dict[tuple[int, str], int] = {}
        rows: list[tuple[int, int, int, int, str]] = []
        # stream id -> [first_ms, last_ms, last_ingestion_ms]; group id -> bytes added
        stream_figures: dict[int, list[int]] = {}
        group_bytes: dict[int, int] = {}
        db.execute("BEGIN IMMEDIATE")
        try:
            for event in batch:
                group_id = groups.get(event.group)
                if group_id is None:
                    db.execute(
                        "INSERT OR IGNORE INTO log_groups (name, created_ms) VALUES (?, ?)",
                        (event.group, event.ingestion_ms),
                    )
                    group_id = db.execute(
                        "SELECT id FROM log_groups WHERE name = ?", (event.group,)
                    ).fetchone()[0]
                    groups[event.group] = group_id
                stream_key = (group_id, event.stream)
                stream_id = streams.get(stream_key)
                if stream_id is None:
                    db.execute(
                        "INSERT OR IGNORE INTO log_streams (group_id, name, created_ms, "
                        "first_ms, last_ms, last_ingestion_ms) VALUES (?, ?, ?, ?, ?, ?)",
                        (
                            group_id,
                            event.stream,
                            event.ingestion_ms,
                            event.timestamp_ms,
                            event.timestamp_ms,
                            event.ingestion_ms,
                        ),
                    )
                    stream_id = db.execute(
                        "SELECT id FROM log_streams WHERE group_id = ? AND name = ?", stream_key
                    ).fetchone()[0]
                    streams[stream_key] = stream_id
                rows.append(
                    (group_id, stream_id, event.timestamp_ms, event.ingestion_ms, event.message)
                )
                figures = stream_figures.get(stream_id)
                if figures is None:
                    stream_figures[stream_id] = [
                        event.timestamp_ms,
                        event.timestamp_ms,
                        event.ingestion_ms,
                    ]
                else:
                    figures[0] = min(figures[0], event.timestamp_ms)
                    figures[1] = max(figures[1], event.timestamp_ms)
                    figures[2] = max(figures[2], event.ingestion_ms)
                group_bytes[group_id] = group_bytes.get(group_id, 0) + len(event.message.encode())
            db.executemany(
                "INSERT INTO log_events (group_id, stream_id, ts, ingestion_ms, message) "
                "VALUES (?, ?, ?, ?, ?)",
                rows,
            )
            db.executemany(
                "UPDATE log_streams SET first_ms = MIN(first_ms, ?), last_ms = MAX(last_ms, ?),"
                " last_ingestion_ms = MAX(last_ingestion_ms, ?) WHERE id = ?",
                [(*figures, stream_id) for stream_id, figures in stream_figures.items()],
            )
            db.executemany(
                "UPDATE log_groups SET stored_bytes = stored_bytes + ? WHERE id = ?",
                [(size, group_id) for group_id, size in group_bytes.items()],
            )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    async def prune(self, now_ms: int | None = None) -> int:
        """Drop events older than the retention period and the oldest beyond the cap."""
        self._last_prune = time.monotonic()
        now = now_ms if now_ms is not None else int(time.time() * 1000)
        try:
            removed = await self._run(lambda: self._prune(now))
        except Exception:
            log.exception("log events not pruned")
            return 0
        if removed:
            log.info("log events pruned", removed=removed)
        return removed

    def _prune(self, now_ms: int) -> int:
        db = self._connection()
        db.execute("BEGIN IMMEDIATE")
        try:
            removed = 0
            if self._retention_days > 0:
                cutoff = now_ms - self._retention_days * _DAY_MS
                removed += db.execute(
                    "DELETE FROM log_events WHERE ingestion_ms < ?", (cutoff,)
                ).rowcount
            if self._max_events > 0:
                row = db.execute(
                    "SELECT id FROM log_events ORDER BY id DESC LIMIT 1 OFFSET ?",
                    (self._max_events,),
                ).fetchone()
                if row is not None:
                    removed += db.execute(
                        "DELETE FROM log_events WHERE id <= ?", (row[0],)
                    ).rowcount
            if removed:
                db.execute(
                    "DELETE FROM log_streams WHERE NOT EXISTS (SELECT 1 FROM log_events e "
                    "WHERE e.stream_id = log_streams.id)"
                )
                db.execute(
                    "UPDATE log_streams SET first_ms = (SELECT MIN(ts) FROM log_events e "
                    "WHERE e.stream_id = log_streams.id)"
                )
                db.execute(
                    "UPDATE log_groups SET stored_bytes = (SELECT COALESCE(SUM(LENGTH("
                    "CAST(message AS BLOB))), 0) FROM log_events e WHERE e.group_id = "
                    "log_groups.id)"
                )
            db.execute("COMMIT")
            return removed
        except BaseException:
            db.execute("ROLLBACK")
            raise

    # ----------------------------------------------------------------------- reads
    async def groups(self) -> list[LogGroupRow]:
        """Every group, ASCII-sorted by name."""
        await self.flush()
        rows = await self._run(
            lambda: (
                self._connection()
                .execute("SELECT name, created_ms, stored_bytes FROM log_groups ORDER BY name")
                .fetchall()
            )
        )
        return [LogGroupRow(*row) for row in rows]

    async def group(self, name: str) -> LogGroupRow | None:
        """The group called `name`, if it exists."""
        await self.flush()
        row = await self._run(
            lambda: (
                self._connection()
                .execute(
                    "SELECT name, created_ms, stored_bytes FROM log_groups WHERE name = ?", (name,)
                )
                .fetchone()
            )
        )
        return LogGroupRow(*row) if row else None

    async def streams(self, group: str) -> list[LogStreamRow]:
        """The streams of `group`, sorted by name."""
        await self.flush()
        rows = await self._run(
            lambda: (
                self._connection()
                .execute(
                    "SELECT s.name, s.created_ms, s.first_ms, s.last_ms, s.last_ingestion_ms "
                    "FROM log_streams s JOIN log_groups g ON g.id = s.group_id WHERE g.name = ? "
                    "ORDER BY s.name",
                    (group,),
                )
                .fetchall()
            )
        )
        return [LogStreamRow(*row) for row in rows]

    async def events(self, query: EventQuery) -> list[StoredLogEvent]:
        """Up to `query.limit` events, ascending (or descending) by (timestamp, id)."""
        await self.flush()
        return await self._run(lambda: self._events(query))

    def _events(self, query: EventQuery) -> list[StoredLogEvent]:
        where = ["g.name = ?"]
        args: list[object] = [query.group]
        if query.streams:
            where.append(f"s.name IN ({','.join('?' * len(query.streams))})")
            args.extend(query.streams)
        elif query.stream_prefix:
            where.append("substr(s.name, 1, ?) = ?")
            args.extend((len(query.stream_prefix), query.stream_prefix))
        if query.start_ms is not None:
            where.append("e.ts >= ?")
            args.append(query.start_ms)
        if query.end_ms is not None:
            where.append("e.ts <= ?")
            args.append(query.end_ms)
        if query.position is not None:
            where.append("(e.ts, e.id) < (?, ?)" if query.descending else "(e.ts, e.id) > (?, ?)")
            args.extend(query.position)
        order = "DESC" if query.descending else "ASC"
        sql = (
            "SELECT e.id, s.name, e.ts, e.ingestion_ms, e.message FROM log_events e "
            "JOIN log_streams s ON s.id = e.stream_id JOIN log_groups g ON g.id = e.group_id "
            f"WHERE {' AND '.join(where)} ORDER BY e.ts {order}, e.id {order} LIMIT ?"
        )
        args.append(query.limit)
        rows = self._connection().execute(sql, args).fetchall()
        return [StoredLogEvent(*row) for row in rows]

    async def event_count(self) -> int:
        """How many events are kept (all groups)."""
        await self.flush()
        row = await self._run(
            lambda: self._connection().execute("SELECT COUNT(*) FROM log_events").fetchone()
        )
        return int(row[0])

    # ------------------------------------------------------------------- internals
    def _connection(self) -> sqlite3.Connection:
        if self._db is None:
            raise RuntimeError("log event store is not open")
        return self._db

    async def _run(self, work: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, work)
