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
from typing import TYPE_CHECKING, TypeVar

from lambdad.daemon.domain.event_invoke_config import EventInvokeConfig
from lambdad.daemon.domain.event_sources import EventSourceMapping
from lambdad.daemon.domain.model import Alias, FunctionRecord, FunctionVersion
from lambdad.daemon.domain.names import version_number

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
    # Layer versions (numbers never reused: layers.last_version survives deletions).
    """
    CREATE TABLE layers (
        name TEXT PRIMARY KEY,
        last_version INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE layer_versions (
        layer_name TEXT NOT NULL REFERENCES layers(name),
        version INTEGER NOT NULL,
        config TEXT NOT NULL,
        policy TEXT,
        PRIMARY KEY (layer_name, version)
    );
    """,
    # Function URLs (url_id is stable for the life of the config) and resource policies.
    """
    CREATE TABLE function_urls (
        function_name TEXT NOT NULL REFERENCES functions(name) ON DELETE CASCADE,
        qualifier TEXT NOT NULL,
        url_id TEXT NOT NULL UNIQUE,
        config TEXT NOT NULL,
        PRIMARY KEY (function_name, qualifier)
    );
    CREATE TABLE function_policies (
        function_name TEXT NOT NULL REFERENCES functions(name) ON DELETE CASCADE,
        qualifier TEXT NOT NULL,
        policy TEXT NOT NULL,
        PRIMARY KEY (function_name, qualifier)
    );
    """,
    # Event source mappings and the per-shard checkpoints of stream mappings.
    """
    CREATE TABLE event_source_mappings (
        uuid TEXT PRIMARY KEY,
        config TEXT NOT NULL
    );
    CREATE TABLE shard_checkpoints (
        uuid TEXT NOT NULL REFERENCES event_source_mappings(uuid) ON DELETE CASCADE,
        shard_id TEXT NOT NULL,
        sequence_number TEXT NOT NULL,
        PRIMARY KEY (uuid, shard_id)
    );
    """,
    # Accepted Event invocations until their outcome is recorded and delivered
    # (store/event_queue.py). IF NOT EXISTS: merges may renumber migrations.
    """
    CREATE TABLE IF NOT EXISTS event_queue (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        request_id TEXT NOT NULL,
        function_name TEXT NOT NULL,
        qualifier TEXT NOT NULL,
        payload BLOB NOT NULL,
        client_context TEXT NOT NULL DEFAULT '',
        tenant_id TEXT NOT NULL DEFAULT '',
        trace_header TEXT NOT NULL DEFAULT '',
        attempts INTEGER NOT NULL DEFAULT 0,
        enqueued_at REAL NOT NULL,
        next_attempt_at REAL NOT NULL,
        in_flight INTEGER NOT NULL DEFAULT 0,
        last_response TEXT,
        outcome TEXT
    );
    CREATE INDEX IF NOT EXISTS event_queue_due ON event_queue(next_attempt_at)
    """,
    # Provisioned concurrency per version or alias (domain/provisioned.py); the daemon starts
    # the environments again from these rows after a restart.
    """
    CREATE TABLE IF NOT EXISTS provisioned_concurrency (
        function_name TEXT NOT NULL REFERENCES functions(name) ON DELETE CASCADE,
        qualifier TEXT NOT NULL,
        requested INTEGER NOT NULL,
        last_modified TEXT NOT NULL,
        PRIMARY KEY (function_name, qualifier)
    )
    """,
    # Capacity providers (domain/capacity_providers.py), one JSON document per name.
    """
    CREATE TABLE IF NOT EXISTS capacity_providers (
        name TEXT PRIMARY KEY,
        config TEXT NOT NULL
    )
    """,
    # Durable executions, their operations, history events and timers (store/durable.py).
    # Deliberately without a foreign key to functions: executions outlive a deleted function
    # until their retention ends, as on AWS.
    """
    CREATE TABLE IF NOT EXISTS durable_executions (
        arn TEXT PRIMARY KEY,
        function_name TEXT NOT NULL,
        version TEXT NOT NULL,
        function_arn TEXT NOT NULL,
        name TEXT NOT NULL,
        status TEXT NOT NULL,
        input TEXT NOT NULL,
        result TEXT,
        error TEXT,
        start_ts REAL NOT NULL,
        end_ts REAL,
        timeout_s INTEGER NOT NULL,
        retention_days INTEGER NOT NULL,
        trace_header TEXT NOT NULL DEFAULT '',
        invocation TEXT NOT NULL DEFAULT '',
        token_seq INTEGER NOT NULL DEFAULT 0,
        seen_seq INTEGER NOT NULL DEFAULT 0,
        change_seq INTEGER NOT NULL DEFAULT 0,
        failed_attempts INTEGER NOT NULL DEFAULT 0,
        last_checkpoint TEXT,
        parent_arn TEXT NOT NULL DEFAULT '',
        parent_operation TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX IF NOT EXISTS durable_executions_by_function
        ON durable_executions(function_name, start_ts);
    CREATE UNIQUE INDEX IF NOT EXISTS durable_executions_by_name
        ON durable_executions(function_name, name);
    CREATE TABLE IF NOT EXISTS durable_operations (
        arn TEXT NOT NULL,
        id TEXT NOT NULL,
        position INTEGER NOT NULL,
        change_seq INTEGER NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (arn, id)
    );
    CREATE TABLE IF NOT EXISTS durable_events (
        arn TEXT NOT NULL,
        event_id INTEGER NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (arn, event_id)
    );
    CREATE TABLE IF NOT EXISTS durable_timers (
        arn TEXT NOT NULL,
        operation_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        due REAL NOT NULL,
        data TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (arn, operation_id, kind)
    );
    CREATE INDEX IF NOT EXISTS durable_timers_due ON durable_timers(due)
    """,
    # Code signing configurations, the one each function uses, and the per-function settings
    # with APIs of their own (recursion, runtime management, scaling): store/settings.py.
    """
    CREATE TABLE IF NOT EXISTS code_signing_configs (
        id TEXT PRIMARY KEY,
        config TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS function_code_signing (
        function_name TEXT PRIMARY KEY REFERENCES functions(name) ON DELETE CASCADE,
        csc_id TEXT NOT NULL REFERENCES code_signing_configs(id)
    );
    CREATE TABLE IF NOT EXISTS function_settings (
        function_name TEXT NOT NULL REFERENCES functions(name) ON DELETE CASCADE,
        qualifier TEXT NOT NULL,
        kind TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (function_name, qualifier, kind)
    )
    """,
    # A paused durable execution's pause (store/durable.py): the execution stays in
    # durable_executions with status PAUSED; this row holds what resuming needs, and after a
    # resume the resume's client token (for retried requests).
    """
    CREATE TABLE IF NOT EXISTS durable_pauses (
        arn TEXT PRIMARY KEY,
        requested REAL NOT NULL,
        reason TEXT NOT NULL DEFAULT '',
        timeout_paused INTEGER NOT NULL,
        remaining REAL,
        interrupted INTEGER NOT NULL DEFAULT 0,
        client_token TEXT NOT NULL DEFAULT '',
        resumed REAL,
        resume_reason TEXT NOT NULL DEFAULT '',
        resume_token TEXT NOT NULL DEFAULT ''
    )
    """,
)


class Transaction:
    """Typed reads and writes inside one SQLite transaction."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._db = connection

    def execute(self, sql: str, parameters: tuple[object, ...] = ()) -> sqlite3.Cursor:
        """One statement; for stores that own a table of their own (store/event_queue.py)."""
        return self._db.execute(sql, parameters)

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
        number = version_number(config.version)
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
        self.delete_function_policy(name, version)

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
        """Hex digests of every stored zip that some version or layer version uses."""
        shas: set[str] = set()
        for (config,) in self._db.execute("SELECT config FROM versions"):
            version = FunctionVersion.from_json(config)
            shas.add(version.code.sha256_hex)
            # A function keeps its layers' content even after the layer version is deleted.
            shas.update(layer.sha256_hex for layer in version.layers)
        for (config,) in self._db.execute("SELECT config FROM layer_versions"):
            shas.add(json.loads(config).get("sha256_hex", ""))
        shas.discard("")
        return shas

    # layers (rows are JSON documents owned by lambdad.daemon.domain.layers)
    def next_layer_version(self, layer_name: str) -> int:
        """Reserve the next version number of a layer (never reused, even after deletes)."""
        self._db.execute(
            "INSERT INTO layers(name, last_version) VALUES(?, 1) "
            "ON CONFLICT(name) DO UPDATE SET last_version=last_version+1",
            (layer_name,),
        )
        row = self._db.execute(
            "SELECT last_version FROM layers WHERE name=?", (layer_name,)
        ).fetchone()
        return int(row[0])

    def get_layer_version(self, layer_name: str, version: int) -> tuple[str, str | None] | None:
        """(config JSON, policy JSON or None) of one layer version."""
        row = self._db.execute(
            "SELECT config, policy FROM layer_versions WHERE layer_name=? AND version=?",
            (layer_name, version),
        ).fetchone()
        return (row[0], row[1]) if row else None

    def put_layer_version(
        self, layer_name: str, version: int, config: str, policy: str | None
    ) -> None:
        """Insert or replace one layer version (and its policy)."""
        self._db.execute(
            "INSERT INTO layer_versions(layer_name, version, config, policy) VALUES(?,?,?,?) "
            "ON CONFLICT(layer_name, version) DO UPDATE SET config=excluded.config, "
            "policy=excluded.policy",
            (layer_name, version, config, policy),
        )

    def delete_layer_version(self, layer_name: str, version: int) -> None:
        """Delete one layer version; the layer's counter stays."""
        self._db.execute(
            "DELETE FROM layer_versions WHERE layer_name=? AND version=?", (layer_name, version)
        )

    def layer_versions(self, layer_name: str | None = None) -> list[str]:
        """Config JSON of the versions of one layer (or all), by name then version."""
        if layer_name is None:
            rows = self._db.execute(
                "SELECT config FROM layer_versions ORDER BY layer_name, version"
            )
        else:
            rows = self._db.execute(
                "SELECT config FROM layer_versions WHERE layer_name=? ORDER BY version",
                (layer_name,),
            )
        return [r[0] for r in rows]

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
        self.delete_function_url(function_name, name)
        self.delete_function_policy(function_name, name)

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

    # function URLs and resource policies (JSON documents owned by domain/urls.py)
    def get_function_url(self, function_name: str, qualifier: str) -> str | None:
        """The URL configuration (JSON) of a function qualifier ($LATEST or an alias)."""
        row = self._db.execute(
            "SELECT config FROM function_urls WHERE function_name=? AND qualifier=?",
            (function_name, qualifier),
        ).fetchone()
        return row[0] if row else None

    def function_url_by_id(self, url_id: str) -> str | None:
        """The URL configuration (JSON) with this URL id."""
        row = self._db.execute(
            "SELECT config FROM function_urls WHERE url_id=?", (url_id,)
        ).fetchone()
        return row[0] if row else None

    def put_function_url(
        self, function_name: str, qualifier: str, url_id: str, config: str
    ) -> None:
        """Insert or replace a URL configuration; the URL id of an existing one is kept."""
        self._db.execute(
            "INSERT INTO function_urls(function_name, qualifier, url_id, config) VALUES(?,?,?,?) "
            "ON CONFLICT(function_name, qualifier) DO UPDATE SET config=excluded.config",
            (function_name, qualifier, url_id, config),
        )

    def delete_function_url(self, function_name: str, qualifier: str) -> bool:
        """Delete a URL configuration; False if there was none."""
        cursor = self._db.execute(
            "DELETE FROM function_urls WHERE function_name=? AND qualifier=?",
            (function_name, qualifier),
        )
        return cursor.rowcount > 0

    def function_urls(self, function_name: str) -> list[str]:
        """A function's URL configurations (JSON), by qualifier ($LATEST sorts first)."""
        rows = self._db.execute(
            "SELECT config FROM function_urls WHERE function_name=? ORDER BY qualifier",
            (function_name,),
        )
        return [r[0] for r in rows]

    def get_function_policy(self, function_name: str, qualifier: str) -> str | None:
        """The resource policy record (JSON) of a function qualifier ("" = unqualified)."""
        row = self._db.execute(
            "SELECT policy FROM function_policies WHERE function_name=? AND qualifier=?",
            (function_name, qualifier),
        ).fetchone()
        return row[0] if row else None

    def put_function_policy(self, function_name: str, qualifier: str, policy: str) -> None:
        """Insert or replace a resource policy record."""
        self._db.execute(
            "INSERT INTO function_policies(function_name, qualifier, policy) VALUES(?,?,?) "
            "ON CONFLICT(function_name, qualifier) DO UPDATE SET policy=excluded.policy",
            (function_name, qualifier, policy),
        )

    def delete_function_policy(self, function_name: str, qualifier: str) -> None:
        """Delete a resource policy record."""
        self._db.execute(
            "DELETE FROM function_policies WHERE function_name=? AND qualifier=?",
            (function_name, qualifier),
        )

    # event source mappings
    def get_event_source_mapping(self, uuid: str) -> EventSourceMapping | None:
        """One event source mapping."""
        row = self._db.execute(
            "SELECT config FROM event_source_mappings WHERE uuid=?", (uuid,)
        ).fetchone()
        return EventSourceMapping.from_json(row[0]) if row else None

    def put_event_source_mapping(self, mapping: EventSourceMapping) -> None:
        """Insert or replace an event source mapping."""
        self._db.execute(
            "INSERT INTO event_source_mappings(uuid, config) VALUES(?,?) "
            "ON CONFLICT(uuid) DO UPDATE SET config=excluded.config",
            (mapping.uuid, mapping.to_json()),
        )

    def delete_event_source_mapping(self, uuid: str) -> None:
        """Delete an event source mapping (and its checkpoints)."""
        self._db.execute("DELETE FROM event_source_mappings WHERE uuid=?", (uuid,))

    def event_source_mappings(self) -> list[EventSourceMapping]:
        """Every event source mapping."""
        rows = self._db.execute("SELECT config FROM event_source_mappings ORDER BY uuid")
        return [EventSourceMapping.from_json(r[0]) for r in rows]

    def get_shard_checkpoint(self, uuid: str, shard_id: str) -> str | None:
        """The last sequence number a stream mapping delivered from a shard."""
        row = self._db.execute(
            "SELECT sequence_number FROM shard_checkpoints WHERE uuid=? AND shard_id=?",
            (uuid, shard_id),
        ).fetchone()
        return str(row[0]) if row else None

    def put_shard_checkpoint(self, uuid: str, shard_id: str, sequence_number: str) -> None:
        """Remember the last sequence number delivered from a shard."""
        self._db.execute(
            "INSERT INTO shard_checkpoints(uuid, shard_id, sequence_number) VALUES(?,?,?) "
            "ON CONFLICT(uuid, shard_id) DO UPDATE SET sequence_number=excluded.sequence_number",
            (uuid, shard_id, sequence_number),
        )

    # provisioned concurrency
    def get_provisioned(self, function_name: str, qualifier: str) -> tuple[int, str] | None:
        """(requested, last_modified) of a version's or alias's provisioned concurrency."""
        row = self._db.execute(
            "SELECT requested, last_modified FROM provisioned_concurrency "
            "WHERE function_name=? AND qualifier=?",
            (function_name, qualifier),
        ).fetchone()
        return None if row is None else (int(row[0]), str(row[1]))

    def put_provisioned(
        self, function_name: str, qualifier: str, requested: int, last_modified: str
    ) -> None:
        self._db.execute(
            "INSERT INTO provisioned_concurrency(function_name, qualifier, requested, "
            "last_modified) VALUES(?,?,?,?) ON CONFLICT(function_name, qualifier) DO UPDATE "
            "SET requested=excluded.requested, last_modified=excluded.last_modified",
            (function_name, qualifier, requested, last_modified),
        )

    def delete_provisioned(self, function_name: str, qualifier: str) -> bool:
        cursor = self._db.execute(
            "DELETE FROM provisioned_concurrency WHERE function_name=? AND qualifier=?",
            (function_name, qualifier),
        )
        return cursor.rowcount > 0

    def provisioned(self, function_name: str | None = None) -> list[tuple[str, str, int, str]]:
        """(function, qualifier, requested, last_modified) rows, of one function or all."""
        sql = (
            "SELECT function_name, qualifier, requested, last_modified FROM provisioned_concurrency"
        )
        parameters: tuple[object, ...] = ()
        if function_name is not None:
            sql += " WHERE function_name=?"
            parameters = (function_name,)
        rows = self._db.execute(sql + " ORDER BY function_name, qualifier", parameters)
        return [(str(f), str(q), int(r), str(m)) for f, q, r, m in rows.fetchall()]

    # capacity providers
    def get_capacity_provider(self, name: str) -> str | None:
        """The JSON document of one capacity provider."""
        row = self._db.execute(
            "SELECT config FROM capacity_providers WHERE name=?", (name,)
        ).fetchone()
        return str(row[0]) if row else None

    def put_capacity_provider(self, name: str, config: str) -> None:
        """Insert or replace a capacity provider."""
        self._db.execute(
            "INSERT OR REPLACE INTO capacity_providers(name, config) VALUES (?, ?)",
            (name, config),
        )

    def delete_capacity_provider(self, name: str) -> None:
        """Delete a capacity provider."""
        self._db.execute("DELETE FROM capacity_providers WHERE name=?", (name,))

    def capacity_providers(self) -> list[str]:
        """Every capacity provider's JSON document, by name."""
        rows = self._db.execute("SELECT config FROM capacity_providers ORDER BY name")
        return [str(row[0]) for row in rows]

    def provisioned_outside_reserved(self, exclude: str = "") -> int:
        """Provisioned concurrency of functions without reserved concurrency (except
        `exclude`): AWS takes it from the account's unreserved pool."""
        row = self._db.execute(
            "SELECT COALESCE(SUM(p.requested), 0) FROM provisioned_concurrency p "
            "JOIN functions f ON f.name = p.function_name "
            "WHERE f.reserved_concurrency IS NULL AND p.function_name != ?",
            (exclude,),
        ).fetchone()
        return int(row[0])


class StateStore:
    """The daemon's SQLite database, used only from its own worker thread."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lambdad-state")
        self._connection: sqlite3.Connection | None = None
        # Bumped by every transaction that changed a row: readers that cache what they read
        # compare it to the value they saw before reading.
        self.generation = 0
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

    def _transact(self, work: Callable[[Transaction], T], invalidates_reads: bool = True) -> T:
        db = self._connection
        assert db is not None
        changes = db.total_changes
        db.execute("BEGIN IMMEDIATE")
        try:
            result = work(Transaction(db))
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
        if invalidates_reads and db.total_changes != changes:
            self.generation += 1
        return result

    def run_sync(self, work: Callable[[Transaction], T]) -> T:
        """Run `work` in one transaction, blocking the calling thread."""
        return self._executor.submit(self._transact, work).result()

    async def run(self, work: Callable[[Transaction], T], *, invalidates_reads: bool = True) -> T:
        """Run `work` in one transaction on the state thread.

        `invalidates_reads=False` is for tables no `ReadCache` reads (the event queue): its
        writes, one per Event invocation, must not flush the caches of the invoke path.
        """
        return await asyncio.wrap_future(
            self._executor.submit(self._transact, work, invalidates_reads)
        )

    def close(self) -> None:
        """Close the database."""

        def _close() -> None:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

        self._executor.submit(_close).result()
        self._executor.shutdown()


if TYPE_CHECKING:
    from lambdad.daemon.domain import storage

    def _implements_the_domain_protocol(state: StateStore) -> storage.StateStore:
        # mypy checks here that the SQLite store is what the domain's registries expect.
        return state
