"""Durable state in SQLite.

All access goes through one worker thread that owns the connection, and every
operation runs as one `BEGIN IMMEDIATE` transaction: a crash (even `kill -9`)
leaves the database as it was before or after an operation, never between.
WAL with synchronous=FULL makes a committed operation survive power loss.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from lambdad.daemon.domain.event_invoke_config import EventInvokeConfig
from lambdad.daemon.domain.model import Alias, FunctionRecord, FunctionVersion
from lambdad.daemon.domain.names import LATEST

T = TypeVar("T")

# Each entry upgrades the schema by one version (PRAGMA user_version).
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE functions (
        name TEXT PRIMARY KEY,
        last_published INTEGER NOT NULL DEFAULT 0,
        tags TEXT NOT NULL DEFAULT '{}',
        reserved_concurrency INTEGER
    );
    CREATE TABLE versions (
        function_name TEXT NOT NULL REFERENCES functions(name) ON DELETE CASCADE,
        version TEXT NOT NULL,
        number INTEGER NOT NULL,
        config TEXT NOT NULL,
        PRIMARY KEY (function_name, version)
    );
    CREATE TABLE aliases (
        function_name TEXT NOT NULL REFERENCES functions(name) ON DELETE CASCADE,
        name TEXT NOT NULL,
        config TEXT NOT NULL,
        PRIMARY KEY (function_name, name)
    );
    """,
    # Async invocation settings per function qualifier ($LATEST, a version or an alias).
    """
    CREATE TABLE event_invoke_configs (
        function_name TEXT NOT NULL REFERENCES functions(name) ON DELETE CASCADE,
        qualifier TEXT NOT NULL,
        config TEXT NOT NULL,
        PRIMARY KEY (function_name, qualifier)
    );
    """,
)


class Transaction:
    """Typed reads and writes inside one SQLite transaction."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._db = connection

    # functions
    def get_function(self, name: str) -> FunctionRecord | None:
        """The function's shared record, if it exists."""
        row = self._db.execute(
            "SELECT name, last_published, tags, reserved_concurrency FROM functions WHERE name=?",
            (name,),
        ).fetchone()
        if row is None:
            return None
        return FunctionRecord(row[0], row[1], json.loads(row[2]), row[3])

    def put_function(self, record: FunctionRecord) -> None:
        """Insert or replace the function's shared record."""
        self._db.execute(
            "INSERT INTO functions(name, last_published, tags, reserved_concurrency) "
            "VALUES(?,?,?,?) ON CONFLICT(name) DO UPDATE SET last_published=excluded."
            "last_published, tags=excluded.tags, reserved_concurrency=excluded."
            "reserved_concurrency",
            (
                record.name,
                record.last_published,
                json.dumps(record.tags),
                record.reserved_concurrency,
            ),
        )

    def delete_function(self, name: str) -> None:
        """Delete the function with all its versions and aliases."""
        self._db.execute("DELETE FROM functions WHERE name=?", (name,))

    def function_names(self) -> list[str]:
        """Every function name, sorted."""
        return [r[0] for r in self._db.execute("SELECT name FROM functions ORDER BY name")]

    # versions
    def get_version(self, name: str, version: str) -> FunctionVersion | None:
        """One version's configuration."""
        row = self._db.execute(
            "SELECT config FROM versions WHERE function_name=? AND version=?",
            (name, version),
        ).fetchone()
        return FunctionVersion.from_json(row[0]) if row else None

    def put_version(self, config: FunctionVersion) -> None:
        """Insert or replace a version's configuration."""
        number = 0 if config.version == LATEST else int(config.version)
        self._db.execute(
            "INSERT INTO versions(function_name, version, number, config) VALUES(?,?,?,?) "
            "ON CONFLICT(function_name, version) DO UPDATE SET config=excluded.config",
            (config.name, config.version, number, config.to_json()),
        )

    def delete_version(self, name: str, version: str) -> None:
        """Delete one version (and its async invocation settings)."""
        self._db.execute(
            "DELETE FROM versions WHERE function_name=? AND version=?", (name, version)
        )
        self.delete_event_invoke_config(name, version)

    def versions(self, name: str | None = None) -> list[FunctionVersion]:
        """Versions of one function (or all), ordered by name then $LATEST first."""
        if name is None:
            rows = self._db.execute("SELECT config FROM versions ORDER BY function_name, number")
        else:
            rows = self._db.execute(
                "SELECT config FROM versions WHERE function_name=? ORDER BY number",
                (name,),
            )
        return [FunctionVersion.from_json(r[0]) for r in rows]

    def referenced_blobs(self) -> set[str]:
        """Hex digests of every stored zip that some version uses."""
        rows = self._db.execute("SELECT config FROM versions")
        return {
            sha for sha in (FunctionVersion.from_json(r[0]).code.sha256_hex for r in rows) if sha
        }

    # aliases
    def get_alias(self, function_name: str, name: str) -> Alias | None:
        """One alias."""
        row = self._db.execute(
            "SELECT config FROM aliases WHERE function_name=? AND name=?",
            (function_name, name),
        ).fetchone()
        return Alias.from_json(row[0]) if row else None

    def put_alias(self, alias: Alias) -> None:
        """Insert or replace an alias."""
        self._db.execute(
            "INSERT INTO aliases(function_name, name, config) VALUES(?,?,?) "
            "ON CONFLICT(function_name, name) DO UPDATE SET config=excluded.config",
            (alias.function_name, alias.name, alias.to_json()),
        )

    def delete_alias(self, function_name: str, name: str) -> None:
        """Delete an alias (and its async invocation settings)."""
        self._db.execute(
            "DELETE FROM aliases WHERE function_name=? AND name=?",
            (function_name, name),
        )
        self.delete_event_invoke_config(function_name, name)

    def aliases(self, function_name: str) -> list[Alias]:
        """A function's aliases, by name."""
        rows = self._db.execute(
            "SELECT config FROM aliases WHERE function_name=? ORDER BY name",
            (function_name,),
        )
        return [Alias.from_json(r[0]) for r in rows]

    # async invocation settings
    def get_event_invoke_config(
        self, function_name: str, qualifier: str
    ) -> EventInvokeConfig | None:
        """The async invocation settings of one qualifier ($LATEST, version or alias)."""
        row = self._db.execute(
            "SELECT config FROM event_invoke_configs WHERE function_name=? AND qualifier=?",
            (function_name, qualifier),
        ).fetchone()
        return EventInvokeConfig.from_json(row[0]) if row else None

    def put_event_invoke_config(self, config: EventInvokeConfig) -> None:
        """Insert or replace the async invocation settings of one qualifier."""
        self._db.execute(
            "INSERT INTO event_invoke_configs(function_name, qualifier, config) VALUES(?,?,?) "
            "ON CONFLICT(function_name, qualifier) DO UPDATE SET config=excluded.config",
            (config.function_name, config.qualifier, config.to_json()),
        )

    def delete_event_invoke_config(self, function_name: str, qualifier: str) -> bool:
        """Delete the async invocation settings of one qualifier; False if there were none."""
        cursor = self._db.execute(
            "DELETE FROM event_invoke_configs WHERE function_name=? AND qualifier=?",
            (function_name, qualifier),
        )
        return cursor.rowcount > 0

    def event_invoke_configs(self, function_name: str) -> list[EventInvokeConfig]:
        """A function's async invocation settings, by qualifier ($LATEST sorts first)."""
        rows = self._db.execute(
            "SELECT config FROM event_invoke_configs WHERE function_name=? ORDER BY qualifier",
            (function_name,),
        )
        return [EventInvokeConfig.from_json(r[0]) for r in rows]


class StateStore:
    """The daemon's SQLite database, used only from its own worker thread."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lambdad-state")
        self._connection: sqlite3.Connection | None = None
        self._executor.submit(self._open).result()

    def _open(self) -> None:
        db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        db.execute("PRAGMA foreign_keys=ON")
        current = db.execute("PRAGMA user_version").fetchone()[0]
        for number, script in enumerate(MIGRATIONS[current:], start=current + 1):
            db.execute("BEGIN IMMEDIATE")
            for statement in filter(str.strip, script.split(";")):
                db.execute(statement)
            db.execute(f"PRAGMA user_version={number}")
            db.execute("COMMIT")
        self._connection = db

    def _transact(self, work: Callable[[Transaction], T]) -> T:
        db = self._connection
        assert db is not None
        db.execute("BEGIN IMMEDIATE")
        try:
            result = work(Transaction(db))
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
        return result

    def run_sync(self, work: Callable[[Transaction], T]) -> T:
        """Run `work` in one transaction, blocking the calling thread."""
        return self._executor.submit(self._transact, work).result()

    async def run(self, work: Callable[[Transaction], T]) -> T:
        """Run `work` in one transaction on the state thread."""
        return await asyncio.wrap_future(self._executor.submit(self._transact, work))

    def close(self) -> None:
        """Close the database."""

        def _close() -> None:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

        self._executor.submit(_close).result()
        self._executor.shutdown()
