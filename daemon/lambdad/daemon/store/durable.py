"""Durable executions in the state database: executions, operations, history, timers.

Tables are created by the migration in store/state.py. Every function here works inside one
`Transaction` (the orchestrator batches a checkpoint's writes into one), so a crash leaves an
execution either before or after a checkpoint, never between.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from lambdad.daemon.store.state import Transaction

_EXECUTION_COLUMNS = (
    "arn",
    "function_name",
    "version",
    "function_arn",
    "name",
    "status",
    "input",
    "result",
    "error",
    "start_ts",
    "end_ts",
    "timeout_s",
    "retention_days",
    "trace_header",
    "invocation",
    "token_seq",
    "seen_seq",
    "change_seq",
    "failed_attempts",
    "last_checkpoint",
    "parent_arn",
    "parent_operation",
)


@dataclass(frozen=True)
class ExecutionRow:
    """One durable execution."""

    arn: str
    function_name: str
    version: str
    function_arn: str  # the version's ARN
    name: str
    status: str
    input: str
    result: str | None = None
    error: str | None = None  # ErrorObject JSON
    start_ts: float = 0.0
    end_ts: float | None = None
    timeout_s: int = 0
    retention_days: int = 14
    trace_header: str = ""
    # The running invocation's id ("" when none runs) and its checkpoint count.
    invocation: str = ""
    token_seq: int = 0
    # Highest operation change the running (or last) invocation was shown, and the newest.
    seen_seq: int = 0
    change_seq: int = 0
    failed_attempts: int = 0
    # JSON of the last checkpoint's ClientToken, inbound token and answer (retries replay it).
    last_checkpoint: str | None = None
    # The chained invoke this execution answers, if a parent execution started it.
    parent_arn: str = ""
    parent_operation: str = ""

    @property
    def error_object(self) -> dict[str, Any] | None:
        """The error as an ErrorObject dict."""
        return json.loads(self.error) if self.error else None


def _row(values: Sequence[Any]) -> ExecutionRow:
    return ExecutionRow(**dict(zip(_EXECUTION_COLUMNS, values, strict=True)))


_SELECT = f"SELECT {', '.join(_EXECUTION_COLUMNS)} FROM durable_executions"


def insert_execution(tx: Transaction, row: ExecutionRow) -> None:
    """Store a new execution."""
    values = dataclasses.astuple(row)
    marks = ",".join("?" * len(values))
    tx.execute(
        f"INSERT INTO durable_executions({', '.join(_EXECUTION_COLUMNS)}) VALUES({marks})",
        values,
    )


def get_execution(tx: Transaction, arn: str) -> ExecutionRow | None:
    """The execution of `arn`, if stored."""
    found = tx.execute(f"{_SELECT} WHERE arn=?", (arn,)).fetchone()
    return _row(found) if found else None


def find_by_name(tx: Transaction, function_name: str, name: str) -> ExecutionRow | None:
    """The function's execution of that name, if any."""
    found = tx.execute(
        f"{_SELECT} WHERE function_name=? AND name=?", (function_name, name)
    ).fetchone()
    return _row(found) if found else None


def update_execution(tx: Transaction, arn: str, **changes: Any) -> None:
    """Set some columns of an execution."""
    if not changes:
        return
    unknown = set(changes) - set(_EXECUTION_COLUMNS)
    assert not unknown, unknown
    assignments = ", ".join(f"{name}=?" for name in changes)
    tx.execute(f"UPDATE durable_executions SET {assignments} WHERE arn=?", (*changes.values(), arn))


def running(tx: Transaction) -> list[ExecutionRow]:
    """Every RUNNING execution."""
    return [_row(r) for r in tx.execute(f"{_SELECT} WHERE status='RUNNING'")]


def with_status(tx: Transaction, status: str) -> list[ExecutionRow]:
    """Every execution in `status`."""
    return [_row(r) for r in tx.execute(f"{_SELECT} WHERE status=?", (status,))]


def list_executions(
    tx: Transaction,
    function_name: str,
    *,
    version: str | None = None,
    name: str | None = None,
    statuses: Sequence[str] = (),
    started_after: float | None = None,
    started_before: float | None = None,
    newest_first: bool = False,
) -> list[ExecutionRow]:
    """The function's executions that pass the filters, by start time."""
    where = ["function_name=?"]
    params: list[Any] = [function_name]
    if version is not None:
        where.append("version=?")
        params.append(version)
    if name is not None:
        where.append("name=?")
        params.append(name)
    if statuses:
        where.append(f"status IN ({','.join('?' * len(statuses))})")
        params.extend(statuses)
    if started_after is not None:
        where.append("start_ts>?")
        params.append(started_after)
    if started_before is not None:
        where.append("start_ts<?")
        params.append(started_before)
    order = "DESC" if newest_first else "ASC"
    return [
        _row(r)
        for r in tx.execute(
            f"{_SELECT} WHERE {' AND '.join(where)} ORDER BY start_ts {order}, arn {order}",
            tuple(params),
        )
    ]


def delete_execution(tx: Transaction, arn: str) -> None:
    """Forget an execution with its operations, events and timers."""
    for table in ("durable_operations", "durable_events", "durable_timers", "durable_pauses"):
        tx.execute(f"DELETE FROM {table} WHERE arn=?", (arn,))
    tx.execute("DELETE FROM durable_executions WHERE arn=?", (arn,))


# ------------------------------------------------------------------ operations
def operations(tx: Transaction, arn: str) -> list[tuple[int, dict[str, Any]]]:
    """The execution's operations in creation order, each with its last change number."""
    return [
        (seq, json.loads(data))
        for seq, data in tx.execute(
            "SELECT change_seq, data FROM durable_operations WHERE arn=? ORDER BY position",
            (arn,),
        )
    ]


def operations_by_id(
    tx: Transaction, arn: str, operation_ids: Sequence[str]
) -> dict[str, dict[str, Any]]:
    """The operations of these ids that exist."""
    found: dict[str, dict[str, Any]] = {}
    unique = sorted(set(operation_ids))
    for start in range(0, len(unique), 500):
        chunk = unique[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for op_id, data in tx.execute(
            f"SELECT id, data FROM durable_operations WHERE arn=? AND id IN ({marks})",
            (arn, *chunk),
        ):
            found[op_id] = json.loads(data)
    return found


def changed_since(tx: Transaction, arn: str, seq: int) -> list[dict[str, Any]]:
    """Operations changed after change number `seq`, in creation order."""
    return [
        json.loads(data)
        for (data,) in tx.execute(
            "SELECT data FROM durable_operations WHERE arn=? AND change_seq>? ORDER BY position",
            (arn, seq),
        )
    ]


def operation(tx: Transaction, arn: str, operation_id: str) -> dict[str, Any] | None:
    """One operation."""
    found = tx.execute(
        "SELECT data FROM durable_operations WHERE arn=? AND id=?", (arn, operation_id)
    ).fetchone()
    return json.loads(found[0]) if found else None


def put_operations(
    tx: Transaction, arn: str, changed: Mapping[str, Mapping[str, Any]], seq: int
) -> None:
    """Insert or replace operations, all stamped with change number `seq`."""
    for op_id, data in changed.items():
        tx.execute(
            "INSERT INTO durable_operations(arn, id, position, change_seq, data) VALUES(?,?,"
            "(SELECT COALESCE(MAX(position), 0) + 1 FROM durable_operations WHERE arn=?),?,?) "
            "ON CONFLICT(arn, id) DO UPDATE SET change_seq=excluded.change_seq, "
            "data=excluded.data",
            (arn, op_id, arn, seq, json.dumps(data, separators=(",", ":"))),
        )


# ---------------------------------------------------------------------- events
def add_events(tx: Transaction, arn: str, events: Sequence[Mapping[str, Any]]) -> None:
    """Append history events, numbering them."""
    if not events:
        return
    last = tx.execute(
        "SELECT COALESCE(MAX(event_id), 0) FROM durable_events WHERE arn=?", (arn,)
    ).fetchone()[0]
    for number, item in enumerate(events, start=last + 1):
        data = {**item, "EventId": number}
        tx.execute(
            "INSERT INTO durable_events(arn, event_id, data) VALUES(?,?,?)",
            (arn, number, json.dumps(data, separators=(",", ":"))),
        )


def amend_event(
    tx: Transaction, arn: str, event_type: str, operation_id: str, details: Mapping[str, Any]
) -> None:
    """Add members to the details of an operation's event (learnt after it was written)."""
    member = f"{event_type}Details"
    rows = tx.execute(
        "SELECT event_id, data FROM durable_events WHERE arn=? ORDER BY event_id", (arn,)
    ).fetchall()
    for event_id, data in rows:
        item = json.loads(data)
        if item.get("EventType") == event_type and item.get("Id") == operation_id:
            item[member] = {**item.get(member, {}), **details}
            tx.execute(
                "UPDATE durable_events SET data=? WHERE arn=? AND event_id=?",
                (json.dumps(item, separators=(",", ":")), arn, event_id),
            )
            return


def events(tx: Transaction, arn: str) -> list[dict[str, Any]]:
    """The execution's history, oldest first."""
    return [
        json.loads(data)
        for (data,) in tx.execute(
            "SELECT data FROM durable_events WHERE arn=? ORDER BY event_id", (arn,)
        )
    ]


# ---------------------------------------------------------------------- timers
@dataclass(frozen=True)
class Timer:
    """Something due at a time: a wait's end, a retry, a callback timeout, a re-invocation."""

    arn: str
    operation_id: str
    kind: str
    due: float
    data: str = ""


def put_timer(tx: Transaction, timer: Timer) -> None:
    """Arm (or re-arm) a timer."""
    tx.execute(
        "INSERT INTO durable_timers(arn, operation_id, kind, due, data) VALUES(?,?,?,?,?) "
        "ON CONFLICT(arn, operation_id, kind) DO UPDATE SET due=excluded.due, "
        "data=excluded.data",
        (timer.arn, timer.operation_id, timer.kind, timer.due, timer.data),
    )


def delete_timers(tx: Transaction, arn: str, operation_id: str | None = None) -> None:
    """Disarm an operation's timers, or all of the execution's."""
    if operation_id is None:
        tx.execute("DELETE FROM durable_timers WHERE arn=?", (arn,))
    else:
        tx.execute("DELETE FROM durable_timers WHERE arn=? AND operation_id=?", (arn, operation_id))


def delete_timer(tx: Transaction, timer: Timer) -> bool:
    """Disarm one timer; False when it was no longer armed."""
    cursor = tx.execute(
        "DELETE FROM durable_timers WHERE arn=? AND operation_id=? AND kind=? AND due=?",
        (timer.arn, timer.operation_id, timer.kind, timer.due),
    )
    return cursor.rowcount > 0


def due_timers(tx: Transaction, now: float, limit: int = 100) -> list[Timer]:
    """Timers due at `now`, earliest first."""
    return [
        Timer(*r)
        for r in tx.execute(
            "SELECT arn, operation_id, kind, due, data FROM durable_timers WHERE due<=? "
            "ORDER BY due LIMIT ?",
            (now, limit),
        )
    ]


def next_due(tx: Transaction) -> float | None:
    """When the earliest timer is due."""
    found = tx.execute("SELECT MIN(due) FROM durable_timers").fetchone()
    return found[0] if found else None


# ---------------------------------------------------------------------- pauses
@dataclass(frozen=True)
class Pause:
    """A paused execution's pause: when and why, and what resuming must restore."""

    arn: str
    requested: float
    reason: str
    timeout_paused: bool
    # Seconds the execution timeout had left when it was paused (None: not paused).
    remaining: float | None
    # An invocation was cut short or an operation completed while paused: resume invokes.
    interrupted: bool
    client_token: str
    # When the execution was resumed (None: still paused), why, and the request's client token.
    resumed: float | None = None
    resume_reason: str = ""
    resume_token: str = ""


def put_pause(tx: Transaction, pause: Pause) -> None:
    """Record (or replace) an execution's pause."""
    tx.execute(
        "INSERT OR REPLACE INTO durable_pauses(arn, requested, reason, timeout_paused, "
        "remaining, interrupted, client_token, resumed, resume_reason, resume_token) "
        "VALUES(?,?,?,?,?,?,?,?,?,?)",
        (
            pause.arn,
            pause.requested,
            pause.reason,
            int(pause.timeout_paused),
            pause.remaining,
            int(pause.interrupted),
            pause.client_token,
            pause.resumed,
            pause.resume_reason,
            pause.resume_token,
        ),
    )


def get_pause(tx: Transaction, arn: str) -> Pause | None:
    """An execution's pause, if it is paused."""
    found = tx.execute(
        "SELECT arn, requested, reason, timeout_paused, remaining, interrupted, client_token, "
        "resumed, resume_reason, resume_token FROM durable_pauses WHERE arn=?",
        (arn,),
    ).fetchone()
    if found is None:
        return None
    return Pause(
        found[0],
        found[1],
        found[2],
        bool(found[3]),
        found[4],
        bool(found[5]),
        found[6],
        found[7],
        found[8],
        found[9],
    )


def mark_interrupted(tx: Transaction, arn: str) -> None:
    """Note that resuming the paused execution must invoke it."""
    tx.execute("UPDATE durable_pauses SET interrupted=1 WHERE arn=?", (arn,))


def timer(tx: Transaction, arn: str, operation_id: str, kind: str) -> Timer | None:
    """One armed timer."""
    found = tx.execute(
        "SELECT arn, operation_id, kind, due, data FROM durable_timers "
        "WHERE arn=? AND operation_id=? AND kind=?",
        (arn, operation_id, kind),
    ).fetchone()
    return Timer(*found) if found else None
