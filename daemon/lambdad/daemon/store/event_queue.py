"""The durable queue of accepted Event invocations (table `event_queue` of the state database).

A row is written, committed, before Invoke answers 202, and deleted only once the event's final
outcome is recorded and delivered. `in_flight` is set (with the attempt counted) before an
attempt starts and cleared when it ends, so a row still marked at start-up was being run when
the daemon died: it is handed out again (at-least-once) and counted as a redelivery.

Writes are group-committed: whatever is submitted while a commit is on disk goes into the next
transaction, so concurrent Event invokes share one fsync instead of queueing for one each.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from typing import Any, TypeVar

import structlog

from lambdad.daemon.store.state import StateStore, Transaction

log = structlog.get_logger(__name__)
T = TypeVar("T")

_COLUMNS = (
    "id, request_id, function_name, qualifier, payload, client_context, tenant_id, "
    "trace_header, attempts, enqueued_at, next_attempt_at, last_response, outcome"
)


@dataclass(frozen=True)
class StoredResponse:
    """What a finished attempt answered, as destination records quote it."""

    payload: bytes
    executed_version: str
    function_error: str | None = None
    error_type: str | None = None

    def to_json(self) -> str:
        """Serialised for the queue row."""
        values = asdict(self)
        values["payload"] = base64.b64encode(self.payload).decode()
        return json.dumps(values)

    @classmethod
    def from_json(cls, text: str) -> StoredResponse:
        """Read back what `to_json` wrote."""
        values = json.loads(text)
        values["payload"] = base64.b64decode(values["payload"])
        return cls(**values)


@dataclass(frozen=True)
class EventOutcome:
    """An event's final outcome and where it still has to be delivered."""

    condition: str  # Success, RetriesExhausted or EventAgeExceeded
    function_arn: str  # the ARN the caller invoked
    attempts: int
    recorded_at: float  # epoch seconds
    destination: str | None = None  # OnSuccess / OnFailure ARN
    dead_letter_arn: str | None = None  # DeadLetterConfig.TargetArn (failures only)
    # Targets already delivered ("destination", "dead_letter"): a retry sends only the rest.
    delivered: tuple[str, ...] = ()

    @property
    def targets(self) -> tuple[str, ...]:
        """Targets not yet delivered."""
        wanted = []
        if self.destination:
            wanted.append("destination")
        if self.dead_letter_arn:
            wanted.append("dead_letter")
        return tuple(t for t in wanted if t not in self.delivered)

    def to_json(self) -> str:
        """Serialised for the queue row."""
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> EventOutcome:
        """Read back what `to_json` wrote."""
        values = json.loads(text)
        values["delivered"] = tuple(values.get("delivered", ()))
        return cls(**values)


@dataclass(frozen=True)
class NewEvent:
    """An accepted Event invocation, as the caller gave it."""

    request_id: str
    function_name: str
    qualifier: str  # as invoked: $LATEST, a version or an alias
    payload: bytes
    enqueued_at: float  # epoch seconds: the event's age survives restarts
    client_context: str = ""  # base64, as given
    tenant_id: str = ""
    trace_header: str = ""  # the trace the invocation belongs to; retries keep it


@dataclass(frozen=True)
class QueuedEvent:
    """A row of the queue."""

    id: int
    event: NewEvent
    attempts: int  # attempts started (AWS's approximateInvokeCount)
    next_attempt_at: float
    last_response: StoredResponse | None = None
    outcome: EventOutcome | None = None


@dataclass
class _Pending:
    work: Callable[[Transaction], Any]
    future: asyncio.Future[Any] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


def _run_batch(batch: list[_Pending], tx: Transaction) -> list[Any]:
    return [pending.work(tx) for pending in batch]


def _row(row: tuple[Any, ...]) -> QueuedEvent:
    (
        row_id,
        request_id,
        function_name,
        qualifier,
        payload,
        client_context,
        tenant_id,
        trace_header,
        attempts,
        enqueued_at,
        next_attempt_at,
        last_response,
        outcome,
    ) = row
    return QueuedEvent(
        id=int(row_id),
        event=NewEvent(
            request_id=request_id,
            function_name=function_name,
            qualifier=qualifier,
            payload=bytes(payload),
            enqueued_at=float(enqueued_at),
            client_context=client_context,
            tenant_id=tenant_id,
            trace_header=trace_header,
        ),
        attempts=int(attempts),
        next_attempt_at=float(next_attempt_at),
        last_response=StoredResponse.from_json(last_response) if last_response else None,
        outcome=EventOutcome.from_json(outcome) if outcome else None,
    )


class EventQueueStore:
    """Reads and group-committed writes of the `event_queue` table."""

    def __init__(self, state: StateStore) -> None:
        self._state = state
        self._pending: list[_Pending] = []
        self._flusher: asyncio.Task[None] | None = None

    # ----------------------------------------------------------------- writes
    async def add(self, event: NewEvent) -> int:
        """Store an accepted event (committed when this returns); its row id."""

        def insert(tx: Transaction) -> int:
            cursor = tx.execute(
                "INSERT INTO event_queue(request_id, function_name, qualifier, payload, "
                "client_context, tenant_id, trace_header, enqueued_at, next_attempt_at) "
                "VALUES(?,?,?,?,?,?,?,?,?)",
                (
                    event.request_id,
                    event.function_name,
                    event.qualifier,
                    event.payload,
                    event.client_context,
                    event.tenant_id,
                    event.trace_header,
                    event.enqueued_at,
                    event.enqueued_at,
                ),
            )
            return int(cursor.lastrowid or 0)

        return int(await self._write(insert))

    async def start_attempt(self, row_id: int) -> None:
        """Count an attempt and mark the row as being run (before the function runs)."""
        await self._write(
            lambda tx: tx.execute(
                "UPDATE event_queue SET in_flight=1, attempts=attempts+1 WHERE id=?", (row_id,)
            )
        )

    async def retry_later(
        self,
        row_id: int,
        at: float,
        *,
        attempt_counts: bool,
        last_response: StoredResponse | None = None,
    ) -> None:
        """Run the event again at `at`; an attempt that never ran (a throttle) is uncounted."""
        undo = 0 if attempt_counts else 1
        response = last_response.to_json() if last_response else None
        await self._write(
            lambda tx: tx.execute(
                "UPDATE event_queue SET in_flight=0, next_attempt_at=?, "
                "attempts=MAX(attempts-?, 0), last_response=COALESCE(?, last_response) "
                "WHERE id=?",
                (at, undo, response, row_id),
            )
        )

    async def record_outcome(
        self,
        row_id: int,
        outcome: EventOutcome,
        at: float,
        last_response: StoredResponse | None = None,
    ) -> None:
        """Keep the final outcome (and what is left to deliver); try delivery at `at`."""
        response = last_response.to_json() if last_response else None
        await self._write(
            lambda tx: tx.execute(
                "UPDATE event_queue SET in_flight=0, outcome=?, next_attempt_at=?, "
                "last_response=COALESCE(?, last_response) WHERE id=?",
                (outcome.to_json(), at, response, row_id),
            )
        )

    async def remove(self, row_id: int) -> None:
        """Forget an event whose outcome is delivered."""
        await self._write(lambda tx: tx.execute("DELETE FROM event_queue WHERE id=?", (row_id,)))

    async def recover(self) -> list[QueuedEvent]:
        """At start-up: rows a dead daemon was running, released (their attempt uncounted).

        The function may have run: handing them out again is AWS's at-least-once.
        """

        def release(tx: Transaction) -> list[QueuedEvent]:
            rows = tx.execute(
                f"SELECT {_COLUMNS} FROM event_queue WHERE in_flight=1 ORDER BY id"
            ).fetchall()
            tx.execute(
                "UPDATE event_queue SET in_flight=0, attempts=MAX(attempts-1, 0) WHERE in_flight=1"
            )
            return [_row(r) for r in rows]

        return await self._write(release)

    # ------------------------------------------------------------------ reads
    async def get(self, row_id: int) -> QueuedEvent | None:
        """One row, None once removed."""
        row = await self._state.run(
            lambda tx: tx.execute(
                f"SELECT {_COLUMNS} FROM event_queue WHERE id=?", (row_id,)
            ).fetchone(),
            invalidates_reads=False,
        )
        return _row(row) if row else None

    async def schedule(self) -> list[tuple[float, int]]:
        """(next attempt time, row id) of every row, for the dispatcher's timetable."""
        rows = await self._state.run(
            lambda tx: tx.execute("SELECT next_attempt_at, id FROM event_queue").fetchall(),
            invalidates_reads=False,
        )
        return [(float(at), int(row_id)) for at, row_id in rows]

    async def depth(self) -> int:
        """Rows in the queue."""
        row = await self._state.run(
            lambda tx: tx.execute("SELECT COUNT(*) FROM event_queue").fetchone(),
            invalidates_reads=False,
        )
        return int(row[0])

    # ----------------------------------------------------------- group commit
    async def _write(self, work: Callable[[Transaction], T]) -> T:
        pending = _Pending(work)
        self._pending.append(pending)
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())
        return await asyncio.shield(pending.future)  # type: ignore[no-any-return]

    async def _flush(self) -> None:
        while self._pending:
            batch, self._pending = self._pending, []
            try:
                results = await self._state.run(
                    functools.partial(_run_batch, batch), invalidates_reads=False
                )
            except Exception:
                # One bad write must not fail the others: commit each on its own.
                log.exception("event queue batch failed; writing one by one", size=len(batch))
                for pending in batch:
                    await self._write_one(pending)
                continue
            for pending, result in zip(batch, results, strict=True):
                if not pending.future.done():
                    pending.future.set_result(result)

    async def _write_one(self, pending: _Pending) -> None:
        try:
            result = await self._state.run(pending.work, invalidates_reads=False)
        except Exception as error:  # noqa: BLE001 - handed to the one caller that waits
            if not pending.future.done():
                pending.future.set_exception(error)
            return
        if not pending.future.done():
            pending.future.set_result(result)

    async def drain(self) -> None:
        """Wait until every submitted write is committed (before the database closes)."""
        while self._flusher is not None and not self._flusher.done():
            await asyncio.shield(self._flusher)


def with_delivered(outcome: EventOutcome, target: str) -> EventOutcome:
    """The outcome with one more target delivered."""
    return replace(outcome, delivered=(*outcome.delivered, target))
