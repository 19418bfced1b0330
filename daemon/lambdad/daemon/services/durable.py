"""The durable execution orchestrator: starts executions, runs their invocations, applies
checkpoints, fires timers, and answers the durable execution API.

An execution runs as a series of invocations of its function version, each made through
`InvocationService` (so each shows in `lambdad invocations`, metrics and X-Ray). An
invocation gets the execution's operations and a checkpoint token; it checkpoints its
progress and answers SUCCEEDED, FAILED or PENDING. Whatever can wake a PENDING execution (a
wait's end, a step's retry, a callback's answer or timeout, a chained invoke's result) is a
change to an operation; when an invocation ends and some change happened that it was not
shown, the execution is invoked again.

Everything lives in the state database (store/durable.py): executions, operations, history
and timers. On start the orchestrator re-arms the timers and invokes every RUNNING execution
again (the SDK replays from its checkpoints), so a restart or a `kill -9` loses nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import hashlib
import json
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import structlog

from lambdad.daemon.domain import durable as rules
from lambdad.daemon.errors import LambdaError, Reason, invalid_parameter, validation_error
from lambdad.daemon.store import durable as db
from lambdad.daemon.store.state import StateStore, Transaction

if TYPE_CHECKING:
    from lambdad.daemon.domain.functions import VersionView
    from lambdad.daemon.runtime.environment import InvocationResult

log = structlog.get_logger(__name__)

# Failed invocations (function errors, invalid answers) in a row before the execution fails,
# and the delay before each retry.
MAX_FAILED_INVOCATIONS = 3
INVOCATION_RETRY_DELAY_S = 1.0
# A chained invoke whose dispatch did not finish (daemon stopped) is dispatched again.
REDISPATCH_AFTER_S = 3600.0
# The timer loop looks at the table at least this often.
TIMER_POLL_S = 30.0
_DAY = 86_400.0


@dataclass(frozen=True)
class InvokeTarget:
    """What the orchestrator needs of InvocationService (kept small to test it alone)."""

    # Runs one invocation of a durable function version: (function, version, payload, trace).
    run_durable: Callable[[str, str, bytes, str], Awaitable[InvocationResult]]
    # Runs a plain (non-durable) function synchronously: (function, payload, tenant).
    run_plain: Callable[[str, bytes, str], Awaitable[InvocationResult]]
    # Resolves a chained invoke's target: the version view, or raises LambdaError.
    resolve: Callable[[str], Awaitable[tuple[VersionView, str]]]


class DurableExecutions:
    """Durable executions: their lifecycle, the checkpoint API and the inspection API."""

    def __init__(
        self,
        state: StateStore,
        target: InvokeTarget,
        *,
        time_scale: float = 1.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._state = state
        self._target = target
        self.time_scale = max(0.0, time_scale)
        self._clock = clock
        self._drivers: dict[str, asyncio.Task[None]] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._waiters: dict[str, list[asyncio.Future[None]]] = {}
        self._wake = asyncio.Event()
        self._timer_task: asyncio.Task[None] | None = None
        self._stopping = False
        self._loop: asyncio.AbstractEventLoop | None = None

    # ---------------------------------------------------------------- lifecycle
    async def start(self) -> None:
        """Resume: dispatch unfinished chained invokes again, invoke running executions."""

        def resume(tx: Transaction) -> list[str]:
            now = self._clock()
            tx.execute("UPDATE durable_timers SET due=? WHERE kind='INVOKE'", (now,))
            # A paused execution whose invocation the restart cut short (PAUSING) is PAUSED
            # now, and resuming it must invoke it.
            for paused in db.with_status(tx, rules.PAUSED):
                if paused.invocation:
                    db.update_execution(tx, paused.arn, invocation="")
                    db.mark_interrupted(tx, paused.arn)
            return [row.arn for row in db.running(tx)]

        self._loop = asyncio.get_running_loop()
        arns = await self._state.run(resume)
        self._timer_task = asyncio.create_task(self._timer_loop(), name="durable-timers")
        for arn in arns:
            self._kick(arn)
        if arns:
            log.info("durable executions resumed", count=len(arns))

    async def stop(self) -> None:
        """Stop the timer loop and running drivers (their executions resume on next start)."""
        self._stopping = True
        tasks = [t for t in (self._timer_task, *self._drivers.values(), *self._tasks) if t]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    def _spawn(self, work: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # ------------------------------------------------------------------- invoke
    async def start_execution(
        self,
        view: VersionView,
        name: str,
        payload: bytes,
        trace_header: str = "",
        *,
        parent: tuple[str, str] | None = None,
    ) -> db.ExecutionRow:
        """Start (or, for the same name and input, find) an execution of `view`'s version."""
        config = view.config
        durable = config.durable_config or rules.with_defaults({}) or {}
        if name:
            rules.check_execution_name(name)
        name = name or str(uuid.uuid4())
        text = payload.decode("utf-8") if payload else "{}"
        prefix = view.function_arn.split(":function:")[0]
        version_arn = f"{prefix}:function:{config.name}:{config.version}"
        # The SDK finds the EXECUTION operation (and so the input) by the ARN's last segment.
        execution_id = uuid.uuid4().hex
        arn = rules.execution_arn(version_arn, name, execution_id)
        now = self._clock()
        timeout = int(durable.get("ExecutionTimeout") or rules.DEFAULT_EXECUTION_TIMEOUT)
        row = db.ExecutionRow(
            arn=arn,
            function_name=config.name,
            version=config.version,
            function_arn=version_arn,
            name=name,
            status=rules.RUNNING,
            input=text,
            start_ts=now,
            timeout_s=timeout,
            retention_days=int(
                durable.get("RetentionPeriodInDays") or rules.DEFAULT_RETENTION_DAYS
            ),
            trace_header=trace_header,
            change_seq=1,
            parent_arn=parent[0] if parent else "",
            parent_operation=parent[1] if parent else "",
        )
        execution_op: dict[str, Any] = {
            "Id": execution_id,
            "Type": "EXECUTION",
            "StartTimestamp": now,
            "Status": rules.STARTED,
            "ExecutionDetails": {"InputPayload": text},
        }

        def insert(tx: Transaction) -> tuple[db.ExecutionRow, bool]:
            existing = db.find_by_name(tx, config.name, name)
            if existing is not None:
                if existing.input != text:
                    raise LambdaError(
                        Reason.DURABLE_EXECUTION_ALREADY_STARTED,
                        f"Durable execution with name {name} already exists with a "
                        "different input.",
                    )
                return existing, False
            db.insert_execution(tx, row)
            db.put_operations(tx, arn, {execution_op["Id"]: execution_op}, 1)
            db.add_events(
                tx,
                arn,
                [
                    rules.event(
                        "ExecutionStarted",
                        now,
                        {"Id": execution_op["Id"], "Name": name},
                        Input=rules.result_payload(text),
                        ExecutionTimeout=timeout,
                    )
                ],
            )
            db.put_timer(tx, db.Timer(arn, "", "EXECUTION_TIMEOUT", now + timeout))
            return row, True

        stored, created = await self._state.run(insert)
        if created:
            log.info("durable execution started", arn=arn, function=config.name)
            self._wake.set()
            self._kick(arn)
        return stored

    async def wait_closed(self, arn: str, limit_s: float) -> db.ExecutionRow:
        """The execution once it has closed, or as it is after `limit_s` seconds."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.setdefault(arn, []).append(future)
        try:
            row = await self._load(arn)
            if row.status in rules.OPEN_EXECUTION:
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(future, limit_s)
            return await self._load(arn)
        finally:
            waiters = self._waiters.get(arn, [])
            if future in waiters:
                waiters.remove(future)

    async def _load(self, arn: str) -> db.ExecutionRow:
        row = await self._state.run(lambda tx: db.get_execution(tx, arn), invalidates_reads=False)
        if row is None:
            raise rules.not_found(arn)
        return row

    def _closed(self, arn: str) -> None:
        for future in self._waiters.pop(arn, []):
            if not future.done():
                future.set_result(None)

    # ------------------------------------------------------------ invocations
    def _kick(self, arn: str) -> None:
        """Make sure an invocation of `arn` runs (or the running one is followed by one)."""
        if self._stopping:
            return
        task = self._drivers.get(arn)
        if task is not None and not task.done():
            return
        task = asyncio.create_task(self._drive(arn), name=f"durable {arn}")
        self._drivers[arn] = task

        def forget(done: asyncio.Task[None]) -> None:
            if self._drivers.get(arn) is done:
                del self._drivers[arn]

        task.add_done_callback(forget)

    async def _drive(self, arn: str) -> None:
        """Invoke the execution until it closes or waits for something to change."""
        try:
            while await self._invoke_once(arn):
                pass
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("durable execution driver failed", arn=arn)

    async def _invoke_once(self, arn: str) -> bool:
        """One invocation; True when the execution should be invoked again at once."""
        invocation = uuid.uuid4().hex

        def begin(tx: Transaction) -> tuple[db.ExecutionRow, list[dict[str, Any]]] | None:
            row = db.get_execution(tx, arn)
            if row is None or row.status != rules.RUNNING:
                return None
            db.update_execution(
                tx, arn, invocation=invocation, token_seq=0, seen_seq=row.change_seq
            )
            return row, [op for _, op in db.operations(tx, arn)]

        begun = await self._state.run(begin, invalidates_reads=False)
        if begun is None:
            return False
        row, operations = begun
        token = rules.checkpoint_token(arn, invocation, 0)
        first_page = operations[: rules.MAX_PAGE_ITEMS]
        marker = str(rules.MAX_PAGE_ITEMS) if len(operations) > rules.MAX_PAGE_ITEMS else ""
        envelope = rules.invocation_input(arn, token, first_page, marker)
        started = self._clock()
        try:
            result = await self._target.run_durable(
                row.function_name,
                row.version,
                json.dumps(envelope, separators=(",", ":")).encode(),
                row.trace_header,
            )
            answer = rules.read_answer(result.payload, result.function_error)
            request_id = result.request_id
        except LambdaError as error:
            answer = rules.HandlerAnswer(
                "", error=rules.error_object(error.message, error.reason.value), problem="invoke"
            )
            request_id = ""
        ended = self._clock()
        return await self._state.run(
            lambda tx: self._finish_invocation(
                tx, arn, invocation, answer, request_id, started, ended
            ),
            invalidates_reads=False,
        )

    def _finish_invocation(
        self,
        tx: Transaction,
        arn: str,
        invocation: str,
        answer: rules.HandlerAnswer,
        request_id: str,
        started: float,
        ended: float,
    ) -> bool:
        row = db.get_execution(tx, arn)
        if row is None:
            return False
        completed: dict[str, Any] = {"StartTimestamp": started, "EndTimestamp": ended}
        completed["RequestId"] = request_id
        if answer.problem:
            completed["Error"] = rules.error_payload(answer.error)
        db.add_events(tx, arn, [rules.event("InvocationCompleted", ended, None, **completed)])
        # The invocation's token dies with it.
        if row.invocation == invocation:
            db.update_execution(tx, arn, invocation="")
        if row.status not in rules.OPEN_EXECUTION:
            return False
        if row.status == rules.PAUSED and answer.status not in (rules.SUCCEEDED, rules.FAILED):
            # Paused: no re-invocation now; one that failed is made up for on resume.
            if answer.problem or answer.status != rules.PENDING:
                db.mark_interrupted(tx, arn)
            return False
        problem = answer.problem
        operations = [op for _, op in db.operations(tx, arn)]
        if answer.status == rules.SUCCEEDED:
            result = answer.result
            if not result:
                # A result too large to return was checkpointed (EXECUTION SUCCEED) instead.
                result = row.result if row.result is not None else (result or "")
            self._close_tx(tx, row, rules.SUCCEEDED, ended, result=result)
            return False
        if answer.status == rules.FAILED:
            self._close_tx(tx, row, rules.FAILED, ended, error=answer.error or {})
            return False
        if answer.status == rules.PENDING:
            unseen = row.change_seq > row.seen_seq
            if rules.has_pending_work(operations) or unseen:
                db.update_execution(tx, arn, failed_attempts=0)
                return unseen
            problem = "Cannot return PENDING status with no pending operations."
            answer = rules.HandlerAnswer(
                "", error=rules.error_object(problem, "InvalidParameterValueException")
            )
        attempts = row.failed_attempts + 1
        log.warning("durable invocation failed", arn=arn, problem=problem, attempt=attempts)
        if attempts >= MAX_FAILED_INVOCATIONS:
            self._close_tx(tx, row, rules.FAILED, ended, error=answer.error or {})
            return False
        db.update_execution(tx, arn, failed_attempts=attempts)
        db.put_timer(
            tx,
            db.Timer(arn, "", "REINVOKE", ended + INVOCATION_RETRY_DELAY_S * attempts),
        )
        self._wake.set()
        return False

    def _close_tx(
        self,
        tx: Transaction,
        row: db.ExecutionRow,
        status: str,
        now: float,
        *,
        result: str | None = None,
        error: Mapping[str, Any] | None = None,
    ) -> None:
        """Close the execution (in `tx`); its waiters and parent are told after commit."""
        arn = row.arn
        db.update_execution(
            tx,
            arn,
            status=status,
            result=result if status == rules.SUCCEEDED else None,
            error=json.dumps(error) if error is not None and status != rules.SUCCEEDED else None,
            end_ts=now,
            invocation="",
        )
        ops = db.operations(tx, arn)
        for _, op in ops:
            if op["Type"] == "EXECUTION":
                closed = {**op, "Status": status, "EndTimestamp": now}
                db.put_operations(tx, arn, {op["Id"]: closed}, row.change_seq + 1)
                details: dict[str, Any] = (
                    {"Result": rules.result_payload(result)}
                    if status == rules.SUCCEEDED
                    else {"Error": rules.error_payload(error)}
                )
                name = {
                    rules.SUCCEEDED: "ExecutionSucceeded",
                    rules.FAILED: "ExecutionFailed",
                    rules.TIMED_OUT: "ExecutionTimedOut",
                    rules.STOPPED: "ExecutionStopped",
                }[status]
                db.add_events(
                    tx, arn, [rules.event(name, now, {"Id": op["Id"], "Name": row.name}, **details)]
                )
                break
        db.delete_timers(tx, arn)
        db.put_timer(tx, db.Timer(arn, "", "RETENTION", now + row.retention_days * _DAY))
        if row.parent_arn:
            self._answer_parent_tx(tx, row, status, now, result=result, error=error)
        # Runs on the state thread: the waiters and the parent are told on the event loop.
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._after_close, row)
        log.info("durable execution closed", arn=arn, status=status)

    def _after_close(self, row: db.ExecutionRow) -> None:
        self._closed(row.arn)
        self._wake.set()
        if row.parent_arn:
            self._kick(row.parent_arn)

    def _answer_parent_tx(
        self,
        tx: Transaction,
        child: db.ExecutionRow,
        status: str,
        now: float,
        *,
        result: str | None,
        error: Mapping[str, Any] | None,
    ) -> None:
        """A chained invoke's durable target closed: close the parent's operation."""
        self._complete_tx(
            tx, child.parent_arn, child.parent_operation, status, now, result=result, error=error
        )
        db.delete_timers(tx, child.parent_arn, child.parent_operation)

    def _complete_tx(
        self,
        tx: Transaction,
        arn: str,
        operation_id: str,
        status: str,
        now: float,
        *,
        result: str | None = None,
        error: Mapping[str, Any] | None = None,
        duration: int | None = None,
    ) -> bool:
        """Close a STARTED WAIT/CALLBACK/CHAINED_INVOKE of a running execution (a change)."""
        row = db.get_execution(tx, arn)
        op = db.operation(tx, arn, operation_id)
        # Operations of a paused execution still complete (it is not invoked until resumed).
        if row is None or op is None or row.status not in rules.OPEN_EXECUTION:
            return False
        if op.get("Status") != rules.STARTED:
            return False
        updated, item = rules.complete_operation(
            op, status, now, result=result, error=error, duration=duration
        )
        seq = row.change_seq + 1
        db.put_operations(tx, arn, {operation_id: updated}, seq)
        db.update_execution(tx, arn, change_seq=seq)
        db.add_events(tx, arn, [item])
        return True

    # ------------------------------------------------------------------- timers
    async def _timer_loop(self) -> None:
        while True:
            self._wake.clear()
            now = self._clock()
            try:
                timers = await self._state.run(
                    functools.partial(db.due_timers, now=now), invalidates_reads=False
                )
                for timer in timers:
                    await self._fire(timer)
                upcoming = await self._state.run(db.next_due, invalidates_reads=False)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("durable timer loop failed")
                upcoming = None
            if timers and len(timers) >= 100:
                continue
            delay = TIMER_POLL_S if upcoming is None else max(0.0, upcoming - self._clock())
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), min(delay, TIMER_POLL_S))

    async def _fire(self, timer: db.Timer) -> None:
        now = self._clock()
        if timer.kind == "INVOKE":
            await self._state.run(
                lambda tx: tx.execute(
                    "UPDATE durable_timers SET due=? WHERE arn=? AND operation_id=? AND kind=?",
                    (now + REDISPATCH_AFTER_S, timer.arn, timer.operation_id, timer.kind),
                ),
                invalidates_reads=False,
            )
            self._spawn(self._chained_invoke(timer))
            return

        def fire(tx: Transaction) -> str | None:
            if not db.delete_timer(tx, timer):
                return None
            arn, op_id = timer.arn, timer.operation_id
            row = db.get_execution(tx, arn)
            if row is None:
                return None
            if timer.kind == "RETENTION":
                db.delete_execution(tx, arn)
                return None
            if row.status not in rules.OPEN_EXECUTION:
                return None
            if timer.kind == "REINVOKE" and row.status == rules.PAUSED:
                db.mark_interrupted(tx, arn)
                return None
            if timer.kind == "EXECUTION_TIMEOUT":
                message = f"Execution timed out after {row.timeout_s} seconds."
                self._close_tx(tx, row, rules.TIMED_OUT, now, error=rules.error_object(message))
                return None
            if timer.kind == "REINVOKE":
                return arn
            if timer.kind == "WAIT":
                # The requested duration (the timer's may be scaled by time control).
                duration = int(timer.data) if timer.data.isdigit() else None
                done = self._complete_tx(tx, arn, op_id, rules.SUCCEEDED, now, duration=duration)
                return arn if done else None
            if timer.kind == "RETRY":
                op = db.operation(tx, arn, op_id)
                if op is None or op.get("Status") != rules.PENDING:
                    return None
                seq = row.change_seq + 1
                db.put_operations(tx, arn, {op_id: rules.step_ready(op)}, seq)
                db.update_execution(tx, arn, change_seq=seq)
                return arn
            if timer.kind in ("CALLBACK_TIMEOUT", "CALLBACK_HEARTBEAT"):
                what = "heartbeat " if timer.kind == "CALLBACK_HEARTBEAT" else ""
                error = rules.error_object(f"Callback {what}timed out", "CallbackTimeout")
                done = self._complete_tx(tx, arn, op_id, rules.TIMED_OUT, now, error=error)
                db.delete_timers(tx, arn, op_id)
                return arn if done else None
            return None

        arn = await self._state.run(fire, invalidates_reads=False)
        if arn is not None:
            self._kick(arn)

    async def _chained_invoke(self, timer: db.Timer) -> None:
        """Run a chained invoke's target and close the parent's operation with its outcome."""
        spec = json.loads(timer.data or "{}")
        arn, op_id = timer.arn, timer.operation_id
        target = str(spec.get("target", ""))
        payload = (spec.get("payload") or "{}").encode()
        status, result, error = rules.SUCCEEDED, None, None
        try:
            view, _ = await self._target.resolve(target)
            started: dict[str, Any] = {"ExecutedVersion": view.config.version}
            if view.config.durable_config is not None:
                digest = hashlib.sha256(f"{arn}|{op_id}".encode()).hexdigest()[:48]
                parent = await self._load(arn)
                child = await self.start_execution(
                    view, f"chained-{digest}", payload, parent.trace_header, parent=(arn, op_id)
                )
                started["DurableExecutionArn"] = child.arn

                def dispatched(tx: Transaction) -> None:
                    tx.execute(
                        "DELETE FROM durable_timers WHERE arn=? AND operation_id=? AND kind=?",
                        (arn, op_id, "INVOKE"),
                    )
                    db.amend_event(tx, arn, "ChainedInvokeStarted", op_id, started)

                await self._state.run(dispatched, invalidates_reads=False)
                return  # the child's close answers the operation
            await self._state.run(
                lambda tx: db.amend_event(tx, arn, "ChainedInvokeStarted", op_id, started),
                invalidates_reads=False,
            )
            answer = await self._target.run_plain(target, payload, str(spec.get("tenant", "")))
            if answer.function_error:
                status = rules.FAILED
                error = rules.read_answer(answer.payload, answer.function_error).error
            else:
                result = answer.payload.decode("utf-8", "replace")
        except asyncio.CancelledError:
            raise
        except LambdaError as failure:
            status, error = rules.FAILED, rules.error_object(failure.message, failure.reason.value)
        except Exception as failure:
            log.exception("chained invoke failed", arn=arn, operation=op_id)
            status, error = rules.FAILED, rules.error_object(str(failure), "ServiceException")
        now = self._clock()

        def close(tx: Transaction) -> bool:
            tx.execute(
                "DELETE FROM durable_timers WHERE arn=? AND operation_id=? AND kind=?",
                (arn, op_id, "INVOKE"),
            )
            return self._complete_tx(tx, arn, op_id, status, now, result=result, error=error)

        if await self._state.run(close, invalidates_reads=False):
            self._kick(arn)

    # ------------------------------------------------------------ checkpoint API
    async def checkpoint(
        self,
        arn: str,
        token: str,
        updates: Sequence[Mapping[str, Any]],
        client_token: str = "",
    ) -> dict[str, Any]:
        """CheckpointDurableExecution."""
        now = self._clock()
        scale = self.time_scale

        def work(tx: Transaction) -> tuple[dict[str, Any], bool, bool]:
            row = _checkpointed_execution(tx, arn)
            if client_token and row.last_checkpoint:
                cached = json.loads(row.last_checkpoint)
                if cached["client_token"] == client_token and cached["token"] == token:
                    return cached["answer"], False, False
            self._check_token(row, token)
            # Only the operations the batch names (and their parents) matter to it.
            named = [u.get("Id", "") for u in updates] + [
                u["ParentId"] for u in updates if u.get("ParentId")
            ]
            current = db.operations_by_id(tx, arn, named)
            outcome = rules.apply_updates(current, updates, arn=arn, now=now, time_scale=scale)
            seq = row.change_seq + 1 if outcome.changed else row.change_seq
            db.put_operations(tx, arn, outcome.changed, seq)
            db.add_events(tx, arn, outcome.events)
            timers_changed = False
            closing: rules.Effect | None = None
            for effect in outcome.effects:
                if effect.what == "timer":
                    db.put_timer(
                        tx,
                        db.Timer(
                            arn, effect.operation_id, effect.kind, effect.due, effect.payload or ""
                        ),
                    )
                    timers_changed = True
                elif effect.what == "cancel_timers":
                    db.delete_timers(tx, arn, effect.operation_id)
                elif effect.what == "invoke":
                    data = json.dumps(
                        {
                            "target": effect.target,
                            "payload": effect.payload,
                            "tenant": effect.tenant_id,
                        }
                    )
                    db.put_timer(tx, db.Timer(arn, effect.operation_id, "INVOKE", now, data))
                    timers_changed = True
                elif effect.what == "complete":
                    closing = effect
            delta = db.changed_since(tx, arn, row.seen_seq)
            answer: dict[str, Any] = {"NewExecutionState": {"Operations": delta}}
            db.update_execution(
                tx,
                arn,
                change_seq=seq,
                seen_seq=max(seq, row.seen_seq),
                token_seq=row.token_seq + 1,
            )
            if closing is not None:
                fresh = db.get_execution(tx, arn)
                assert fresh is not None
                self._close_tx(
                    tx,
                    fresh,
                    closing.status,
                    now,
                    result=closing.result,
                    error=closing.error or ({} if closing.status == rules.FAILED else None),
                )
            elif row.status == rules.PAUSED:
                # PAUSING: the checkpoint is kept, the invocation's token revoked (the SDK then
                # ends the invocation); resuming invokes the execution again.
                db.update_execution(tx, arn, invocation="")
                db.mark_interrupted(tx, arn)
            else:
                answer["CheckpointToken"] = rules.checkpoint_token(
                    arn, row.invocation, row.token_seq + 1
                )
            db.update_execution(
                tx,
                arn,
                last_checkpoint=json.dumps(
                    {"client_token": client_token, "token": token, "answer": answer}
                ),
            )
            return answer, timers_changed, closing is not None

        answer, timers_changed, _ = await self._state.run(work, invalidates_reads=False)
        if timers_changed:
            self._wake.set()
        return answer

    @staticmethod
    def _check_token(row: db.ExecutionRow, token: str) -> None:
        parsed = rules.parse_checkpoint_token(token)
        if (
            parsed is None
            or parsed[0] != row.arn
            or not row.invocation
            or parsed[1] != row.invocation
            or parsed[2] != row.token_seq
            or row.status not in rules.OPEN_EXECUTION
        ):
            raise invalid_parameter(rules.INVALID_TOKEN)

    async def get_state(
        self, arn: str, token: str, marker: str = "", max_items: int = 0
    ) -> dict[str, Any]:
        """GetDurableExecutionState: a page of operations for the token's invocation."""

        def read(tx: Transaction) -> dict[str, Any]:
            row = _checkpointed_execution(tx, arn)
            parsed = rules.parse_checkpoint_token(token)
            if parsed is None or parsed[0] != arn or parsed[1] != row.invocation:
                raise invalid_parameter(rules.INVALID_TOKEN)
            return _page(
                [op for _, op in db.operations(tx, arn)],
                "Operations",
                marker,
                max_items,
                rules.MAX_PAGE_ITEMS,
            )

        return await self._state.run(read, invalidates_reads=False)

    # --------------------------------------------------------- inspection API
    async def get_execution(self, arn: str, *, include_data: bool = True) -> dict[str, Any]:
        """GetDurableExecution (IncludeExecutionData false leaves out input, result, error and
        the pause reason)."""

        def read(tx: Transaction) -> tuple[db.ExecutionRow, db.Pause | None, db.Timer | None]:
            row = _execution(tx, arn)
            return row, db.get_pause(tx, arn), db.timer(tx, arn, "", "EXECUTION_TIMEOUT")

        row, pause, timeout = await self._state.run(read, invalidates_reads=False)
        answer: dict[str, Any] = {
            "DurableExecutionArn": row.arn,
            "DurableExecutionName": row.name,
            "FunctionArn": row.function_arn,
            "StartTimestamp": row.start_ts,
            "Status": _shown_status(row),
            "Version": row.version,
            "ExecutionDataIncluded": include_data,
            "DurableConfig": {
                "ExecutionTimeout": row.timeout_s,
                "RetentionPeriodInDays": row.retention_days,
            },
        }
        if include_data:
            answer["InputPayload"] = row.input
            if row.status == rules.SUCCEEDED and row.result is not None:
                answer["Result"] = row.result
            if row.error_object is not None:
                answer["Error"] = row.error_object
        if row.status == rules.PAUSED and pause is not None:
            answer["PauseDetails"] = {
                "PauseRequestTimestamp": pause.requested,
                "ExecutionTimeoutPaused": pause.timeout_paused,
            }
            if include_data and pause.reason:
                answer["PauseDetails"]["Reason"] = pause.reason
        if row.status in rules.OPEN_EXECUTION and timeout is not None:
            answer["ExpectedExecutionTimeoutTimestamp"] = timeout.due
        if row.end_ts is not None:
            answer["EndTimestamp"] = row.end_ts
        if row.trace_header:
            answer["TraceHeader"] = {"XAmznTraceId": row.trace_header}
        return answer

    async def history(
        self,
        arn: str,
        *,
        include_data: bool = False,
        max_items: int = 0,
        marker: str = "",
        reverse: bool = False,
    ) -> dict[str, Any]:
        """GetDurableExecutionHistory."""

        def read(tx: Transaction) -> list[dict[str, Any]] | None:
            if db.get_execution(tx, arn) is None:
                return None
            return db.events(tx, arn)

        items = await self._state.run(read, invalidates_reads=False)
        if items is None:
            raise rules.not_found(arn)
        if reverse:
            items.reverse()
        shown = [rules.redact_event(item, include_data) for item in items]
        return _page(shown, "Events", marker, max_items, rules.DEFAULT_HISTORY_PAGE)

    async def list_by_function(
        self,
        function_name: str,
        *,
        version: str | None = None,
        name: str | None = None,
        statuses: Sequence[str] = (),
        started_after: float | None = None,
        started_before: float | None = None,
        reverse: bool = False,
        marker: str = "",
        max_items: int = 0,
    ) -> dict[str, Any]:
        """ListDurableExecutionsByFunction (the function is resolved by the caller)."""
        for status in statuses:
            if status not in rules.EXECUTION_STATUSES:
                raise validation_error(
                    status,
                    "statuses.member",
                    f"Member must satisfy enum value set: [{', '.join(rules.EXECUTION_STATUSES)}]",
                )
        # PAUSING is a PAUSED execution with an invocation in progress (see _shown_status).
        stored = sorted({rules.PAUSED if s == rules.PAUSING else s for s in statuses})
        rows = await self._state.run(
            lambda tx: db.list_executions(
                tx,
                function_name,
                version=version,
                name=name,
                statuses=stored,
                started_after=started_after,
                started_before=started_before,
                newest_first=reverse,
            ),
            invalidates_reads=False,
        )
        items = []
        for row in rows:
            if statuses and _shown_status(row) not in statuses:
                continue
            item: dict[str, Any] = {
                "DurableExecutionArn": row.arn,
                "DurableExecutionName": row.name,
                "FunctionArn": row.function_arn,
                "Status": _shown_status(row),
                "StartTimestamp": row.start_ts,
            }
            if row.end_ts is not None:
                item["EndTimestamp"] = row.end_ts
            items.append(item)
        return _page(items, "DurableExecutions", marker, max_items, rules.MAX_PAGE_ITEMS)

    async def stop_execution(self, arn: str, error: Mapping[str, Any] | None) -> float:
        """StopDurableExecution: the stop time (the first one, for a stopped execution)."""
        now = self._clock()

        def work(tx: Transaction) -> float:
            row = _execution(tx, arn)
            if row.status not in rules.OPEN_EXECUTION:
                if row.status == rules.STOPPED and row.end_ts is not None:
                    return row.end_ts
                raise invalid_parameter(
                    f"Durable execution {arn} has already completed with status {row.status}."
                )
            stop_error = (
                dict(error) if error else rules.error_object("Execution stopped by user request")
            )
            self._close_tx(tx, row, rules.STOPPED, now, error=stop_error)
            return now

        return await self._state.run(work, invalidates_reads=False)

    # ------------------------------------------------------ pause, resume, delete
    async def pause_execution(
        self,
        arn: str,
        *,
        client_token: str = "",
        reason: str = "",
        timeout_paused: bool = True,
    ) -> None:
        """PauseDurableExecution: no invocations until resumed; operations still complete."""
        now = self._clock()

        def work(tx: Transaction) -> None:
            row = _execution(tx, arn)
            pause = db.get_pause(tx, arn)
            if pause is not None and _repeated(
                now, client_token, reason, (pause.client_token, pause.reason, pause.requested)
            ):
                return
            if row.status != rules.RUNNING:
                raise _conflict(
                    f"Cannot pause a durable execution with status {_shown_status(row)}."
                )
            remaining = None
            if timeout_paused:
                timeout = db.timer(tx, arn, "", "EXECUTION_TIMEOUT")
                if timeout is not None:
                    remaining = max(0.0, timeout.due - now)
                    limit = row.start_ts + rules.PAUSED_TIMEOUT_LIMIT_S
                    db.put_timer(tx, db.Timer(arn, "", "EXECUTION_TIMEOUT", limit))
            db.put_pause(
                tx, db.Pause(arn, now, reason, timeout_paused, remaining, False, client_token)
            )
            db.update_execution(tx, arn, status=rules.PAUSED)
            _pause_event(
                tx,
                arn,
                "ExecutionPaused",
                now,
                reason,
                PauseRequestTimestamp=now,
                ExecutionTimeoutPaused=timeout_paused,
            )

        await self._state.run(work, invalidates_reads=False)
        self._wake.set()
        log.info("durable execution paused", arn=arn)

    async def resume_execution(self, arn: str, *, client_token: str = "", reason: str = "") -> None:
        """ResumeDurableExecution: invoke again when the pause cut an invocation short or an
        operation completed meanwhile; a PAUSING execution's invocation just carries on."""
        now = self._clock()

        def work(tx: Transaction) -> bool:
            row = _execution(tx, arn)
            pause = db.get_pause(tx, arn)
            if pause is not None and _repeated(
                now, client_token, reason, (pause.resume_token, pause.resume_reason, pause.resumed)
            ):
                return False
            if row.status != rules.PAUSED or pause is None:
                raise _conflict(
                    f"Cannot resume a durable execution with status {_shown_status(row)}."
                )
            if pause.timeout_paused and pause.remaining is not None:
                db.put_timer(tx, db.Timer(arn, "", "EXECUTION_TIMEOUT", now + pause.remaining))
            db.update_execution(tx, arn, status=rules.RUNNING)
            db.put_pause(
                tx,
                dataclasses.replace(
                    pause, resumed=now, resume_reason=reason, resume_token=client_token
                ),
            )
            _pause_event(tx, arn, "ExecutionResumed", now, reason, ResumeRequestTimestamp=now)
            return not row.invocation and (pause.interrupted or row.change_seq > row.seen_seq)

        invoke = await self._state.run(work, invalidates_reads=False)
        self._wake.set()
        log.info("durable execution resumed", arn=arn, invoke=invoke)
        if invoke:
            self._kick(arn)

    async def delete_execution(self, arn: str) -> float:
        """DeleteDurableExecution: forget a closed execution with its operations, history and
        timers; the time the deletion was accepted."""
        now = self._clock()

        def work(tx: Transaction) -> None:
            row = _execution(tx, arn)
            if row.status not in rules.CLOSED_EXECUTION:
                raise _conflict(
                    f"Cannot delete a durable execution with status {_shown_status(row)}."
                )
            db.delete_execution(tx, arn)

        await self._state.run(work)
        log.info("durable execution deleted", arn=arn)
        return now

    # -------------------------------------------------------------- callbacks
    async def callback_success(self, callback: str, result: bytes) -> None:
        """SendDurableExecutionCallbackSuccess."""
        if len(result) > rules.MAX_CALLBACK_RESULT_BYTES:
            raise validation_error(
                "[BINARY]",
                "result",
                f"Member must have length less than or equal to {rules.MAX_CALLBACK_RESULT_BYTES}",
            )
        await self._answer_callback(
            callback, rules.SUCCEEDED, result=result.decode("utf-8", "replace")
        )

    async def callback_failure(self, callback: str, error: Mapping[str, Any] | None) -> None:
        """SendDurableExecutionCallbackFailure."""
        await self._answer_callback(callback, rules.FAILED, error=dict(error or {}))

    async def callback_heartbeat(self, callback: str) -> None:
        """SendDurableExecutionCallbackHeartbeat: push the heartbeat timeout back."""
        arn, op_id = self._callback_target(callback)
        now = self._clock()
        scale = self.time_scale

        def work(tx: Transaction) -> None:
            op = self._open_callback(tx, arn, op_id, callback)
            timers = tx.execute(
                "SELECT due FROM durable_timers WHERE arn=? AND operation_id=? AND kind=?",
                (arn, op_id, "CALLBACK_HEARTBEAT"),
            ).fetchone()
            if timers is None:
                return
            heartbeat = _callback_heartbeat_seconds(tx, arn, op)
            if heartbeat:
                db.put_timer(
                    tx, db.Timer(arn, op_id, "CALLBACK_HEARTBEAT", now + heartbeat * scale)
                )

        await self._state.run(work, invalidates_reads=False)
        self._wake.set()

    async def _answer_callback(
        self,
        callback: str,
        status: str,
        *,
        result: str | None = None,
        error: Mapping[str, Any] | None = None,
    ) -> None:
        arn, op_id = self._callback_target(callback)
        now = self._clock()

        def work(tx: Transaction) -> None:
            self._open_callback(tx, arn, op_id, callback)
            self._complete_tx(tx, arn, op_id, status, now, result=result, error=error)
            db.delete_timers(tx, arn, op_id)

        await self._state.run(work, invalidates_reads=False)
        self._kick(arn)

    @staticmethod
    def _callback_target(callback: str) -> tuple[str, str]:
        target = rules.parse_callback_id(callback)
        if target is None:
            raise invalid_parameter(f"Invalid callback ID: {callback}")
        return target

    @staticmethod
    def _open_callback(tx: Transaction, arn: str, op_id: str, callback: str) -> dict[str, Any]:
        row = db.get_execution(tx, arn)
        op = db.operation(tx, arn, op_id)
        if row is None or op is None or op.get("Type") != "CALLBACK":
            raise invalid_parameter(f"Invalid callback ID: {callback}")
        if op.get("Status") != rules.STARTED or row.status not in rules.OPEN_EXECUTION:
            raise LambdaError(
                Reason.CALLBACK_TIMEOUT,
                f"Callback {callback} has already timed out or completed.",
            )
        return op


def _execution(tx: Transaction, arn: str) -> db.ExecutionRow:
    """The execution `arn`, which a request names: not there is ResourceNotFound."""
    row = db.get_execution(tx, arn)
    if row is None:
        raise rules.not_found(arn)
    return row


def _checkpointed_execution(tx: Transaction, arn: str) -> db.ExecutionRow:
    """The execution a checkpoint token is for. The model lists no ResourceNotFound for
    CheckpointDurableExecution and GetDurableExecutionState: no token is valid for an
    execution that is not there."""
    row = db.get_execution(tx, arn)
    if row is None:
        raise invalid_parameter(rules.INVALID_TOKEN)
    return row


def _repeated(
    now: float, client_token: str, reason: str, earlier: tuple[str, str, float | None]
) -> bool:
    """Whether a pause (resume) request repeats the last one, `earlier` being that one's client
    token, reason and time: the same token and reason within the token's window. A repeated
    request is answered as done, whatever happened since."""
    token, earlier_reason, at = earlier
    return (
        bool(client_token)
        and token == client_token
        and earlier_reason == reason
        and at is not None
        and now - at < rules.CLIENT_TOKEN_WINDOW_S
    )


def _pause_event(
    tx: Transaction, arn: str, kind: str, now: float, reason: str, **details: Any
) -> None:
    """Record ExecutionPaused / ExecutionResumed with `details`, and the reason if one was given."""
    if reason:
        details["Reason"] = {"Payload": reason}
    db.add_events(tx, arn, [rules.event(kind, now, None, **details)])


def _shown_status(row: db.ExecutionRow) -> str:
    """The status AWS shows: a paused execution with an invocation in progress is PAUSING."""
    if row.status == rules.PAUSED and row.invocation:
        return rules.PAUSING
    return row.status


def _conflict(message: str) -> LambdaError:
    return LambdaError(Reason.RESOURCE_CONFLICT, message)


def _callback_heartbeat_seconds(tx: Transaction, arn: str, op: Mapping[str, Any]) -> int:
    for item in db.events(tx, arn):
        if item.get("EventType") == "CallbackStarted" and item.get("Id") == op["Id"]:
            return int(item.get("CallbackStartedDetails", {}).get("HeartbeatTimeout") or 0)
    return 0


def _page(
    items: list[dict[str, Any]], member: str, marker: str, max_items: int, default: int
) -> dict[str, Any]:
    """A page of `items` from an offset marker."""
    if max_items < 0 or max_items > rules.MAX_PAGE_ITEMS:
        raise validation_error(
            max_items, "maxItems", "Member must have value less than or equal to 1000"
        )
    size = max_items or default
    try:
        start = int(marker) if marker else 0
    except ValueError:
        raise invalid_parameter(f"Invalid marker: {marker}") from None
    if start < 0 or start > len(items):
        raise invalid_parameter(f"Invalid marker: {marker}")
    answer: dict[str, Any] = {member: items[start : start + size]}
    if start + size < len(items):
        answer["NextMarker"] = str(start + size)
    return answer


def parse_time(text: str) -> float:
    """A query timestamp (ISO 8601, as botocore sends it, or epoch seconds) as epoch seconds."""
    try:
        return float(text)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        raise invalid_parameter(f"Invalid timestamp: {text}") from None
