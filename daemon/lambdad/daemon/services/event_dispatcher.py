"""Runs queued Event invocations with AWS's async rules, then delivers their outcome.

The queue itself is durable (`store/event_queue.py`); this module decides what happens to each
row. A bounded set of workers takes rows as they fall due (a timetable kept in memory, loaded
from the table at start):

- older than MaximumEventAgeInSeconds: outcome EventAgeExceeded, without running;
- a throttle (429 from the pool, reserved concurrency, capacity) or a function not ready:
  the attempt is not counted, and the function is *saturated*: its due rows wait in memory
  (no write, no worker held) and one is let through each time one of its attempts ends, plus
  one probe after a growing delay, so a function limited to N runs about N at a time instead
  of spinning on 429s; a parked row still expires at its MaximumEventAgeInSeconds. At a
  full reserved concurrency the 429 comes at once: the pool's wait for a slot (runtime/pool.py,
  SLOT_WAIT_S) is for event source batches and durable invocations, which have no parking;
  for Events it held every worker on one saturated function's slot, ahead of other functions'
  Events (for the unreserved pool, shared by all functions, Events still wait up to 2 s);
- a function error: retried after AWS's delays (about 1 then 2 minutes, configurable) up to
  MaximumRetryAttempts, then RetriesExhausted;
- success: outcome Success.

The outcome goes to its OnSuccess/OnFailure destination (and a failure to the function's
DeadLetterConfig); only when every target has it is the row deleted. A delivery that fails is
tried again later: the row stays, the dispatcher goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import json
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

import structlog

from lambdad.daemon.domain.event_invoke_config import (
    DEFAULT_MAXIMUM_EVENT_AGE,
    DEFAULT_MAXIMUM_RETRY_ATTEMPTS,
    EventInvokeConfig,
    EventInvokeConfigRegistry,
    destination_service,
)
from lambdad.daemon.errors import LambdaError, Reason
from lambdad.daemon.runtime.environment import InvocationResult
from lambdad.daemon.services.destinations import DeliveryError, DestinationSender
from lambdad.daemon.store.event_queue import (
    EventOutcome,
    EventQueueStore,
    NewEvent,
    QueuedEvent,
    StoredResponse,
    with_delivered,
)

if TYPE_CHECKING:
    from lambdad.daemon.observability.metrics import LambdadMetrics

log = structlog.get_logger(__name__)

# Conditions of a destination record (requestContext.condition).
SUCCESS = "Success"
RETRIES_EXHAUSTED = "RetriesExhausted"
EVENT_AGE_EXCEEDED = "EventAgeExceeded"
# An event stopped, without running, as part of a recursive loop (domain/recursion.py).
RECURSIVE_LOOP = "RecursiveInvocationDetected"
# AWS retries a failed async invocation after about 1 minute, then about 2.
DEFAULT_EVENT_RETRY_DELAYS = (60.0, 120.0)
# A throttled event waits, doubling, up to 30 s between tries (AWS: up to 5 minutes).
DEFAULT_THROTTLE_DELAYS = (0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 30.0)
# A destination that cannot be reached is tried again after these delays ...
DEFAULT_DELIVERY_DELAYS = (1.0, 5.0, 15.0, 60.0, 300.0)
# ... for up to this long after the outcome, then the record is given up (and logged).
DELIVERY_WINDOW_S = 6 * 3600.0
DEFAULT_EVENT_WORKERS = 32
# Not the function's fault, not an attempt: run the event later.
_RUN_LATER = (Reason.TOO_MANY_REQUESTS, Reason.RESOURCE_CONFLICT)
# A Lambda destination refusing the record for one of these will refuse it every time.
_REFUSED_FOR_GOOD = (
    Reason.REQUEST_TOO_LARGE,
    Reason.INVALID_REQUEST_CONTENT,
    Reason.VALIDATION,
    Reason.INVALID_PARAMETER_VALUE,
)


@dataclass(frozen=True)
class RanEvent:
    """One attempt that ran: its (buffered) result and the version's dead-letter target."""

    result: InvocationResult
    dead_letter_arn: str | None = None


class EventRunner(Protocol):
    """What the dispatcher needs from the invocation service."""

    async def run_event(self, event: NewEvent) -> RanEvent:
        """Run one attempt; LambdaError when it could not run."""

    async def dead_letter_arn(self, function_name: str, qualifier: str) -> str | None:
        """DeadLetterConfig.TargetArn of what the qualifier points to, None if unknown."""

    def function_arn(self, function_name: str, qualifier: str) -> str:
        """The qualified ARN records name."""

    async def invoke_destination(self, destination: str, payload: bytes) -> str:
        """Queue an Event invocation of a Lambda destination; its request id."""


def _now() -> float:
    return time.time()


def _delay(delays: Sequence[float], index: int) -> float:
    if not delays:
        return 0.0
    return delays[min(index, len(delays) - 1)]


def stored_response(result: InvocationResult) -> StoredResponse:
    """The parts of a result that records quote."""
    return StoredResponse(
        payload=result.payload,
        executed_version=result.executed_version,
        function_error=result.function_error,
        error_type=result.error_type,
    )


def _json_or_text(payload: bytes) -> Any:
    """A payload as JSON when it is JSON, else as text (AWS embeds both in records)."""
    try:
        return json.loads(payload)
    except (ValueError, UnicodeDecodeError):
        return payload.decode("utf-8", "replace")


def destination_record(
    *,
    function_arn: str,
    request_id: str,
    condition: str,
    approximate_invoke_count: int,
    request_payload: bytes,
    result: StoredResponse | InvocationResult | None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """AWS's invocation record for destinations (version 1.0).

    `responseContext`/`responsePayload` are present once the function ran, with
    `functionError` only when it failed.
    """
    moment = now or datetime.now(UTC)
    record: dict[str, Any] = {
        "version": "1.0",
        "timestamp": moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z",
        "requestContext": {
            "requestId": request_id,
            "functionArn": function_arn,
            "condition": condition,
            "approximateInvokeCount": approximate_invoke_count,
        },
        "requestPayload": _json_or_text(request_payload),
    }
    if result is not None:
        response_context: dict[str, Any] = {
            "statusCode": 200,
            "executedVersion": result.executed_version,
        }
        if result.function_error:
            response_context["functionError"] = result.function_error
        record["responseContext"] = response_context
        record["responsePayload"] = _json_or_text(result.payload)
    return record


def _refused_for_good(error: DeliveryError | LambdaError) -> bool:
    if isinstance(error, DeliveryError):
        return error.permanent
    return error.reason in _REFUSED_FOR_GOOD


def dead_letter_error(condition: str, response: StoredResponse | None) -> tuple[int, str]:
    """(ErrorCode, ErrorMessage) attributes of a dead letter."""
    if response is None:
        # Never ran: throttled (or not ready) until the event expired.
        return 429, f"Event dropped: {condition}"
    message = _json_or_text(response.payload)
    if isinstance(message, dict) and "errorMessage" in message:
        return 200, str(message["errorMessage"])
    return 200, response.payload.decode("utf-8", "replace")


class EventDispatcher:
    """Workers that run due rows of the event queue and deliver their outcomes."""

    def __init__(
        self,
        store: EventQueueStore,
        runner: EventRunner,
        configs: EventInvokeConfigRegistry,
        sender: DestinationSender,
        *,
        workers: int = DEFAULT_EVENT_WORKERS,
        retry_delays: Sequence[float] = DEFAULT_EVENT_RETRY_DELAYS,
        throttle_delays: Sequence[float] = DEFAULT_THROTTLE_DELAYS,
        delivery_delays: Sequence[float] = DEFAULT_DELIVERY_DELAYS,
        metrics: LambdadMetrics | None = None,
    ) -> None:
        self._store = store
        self._runner = runner
        self._configs = configs
        self._sender = sender
        self._workers = max(1, workers)
        self._retry_delays = tuple(retry_delays)
        self._throttle_delays = tuple(throttle_delays)
        self._delivery_delays = tuple(delivery_delays)
        self._metrics = metrics
        # The timetable: (due time, row id), lazily pruned: an entry counts only while it
        # matches `_due[row id]`. `_queued` are the rows not yet deleted.
        self._timetable: list[tuple[float, int]] = []
        self._due: dict[int, float] = {}
        self._queued: set[int] = set()
        self._ready: asyncio.Queue[int] = asyncio.Queue()
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        # Per row, in memory: how often its delivery failed (for backoff).
        self._delivery_failures: dict[int, int] = {}
        # Saturated functions (throttle level, for the probe's backoff), their parked rows in
        # arrival order, rows let through, attempts running per function, the probes.
        self._saturated: dict[str, int] = {}
        self._parked: defaultdict[str, dict[int, None]] = defaultdict(dict)
        self._parked_function: dict[int, str] = {}
        self._released: set[int] = set()
        self._running: defaultdict[str, int] = defaultdict(int)
        self._probes: dict[str, asyncio.Task[None]] = {}
        self.redeliveries = 0
        # Rows being processed now; `stop` lets them finish (briefly) so that a graceful stop
        # does not leave attempts to be redelivered.
        self._active = 0
        self._processing: set[int] = set()  # a row is processed by one worker at a time
        self._idle = asyncio.Event()
        self._idle.set()
        self._closing = False

    @property
    def depth(self) -> int:
        """Events accepted and not yet finished."""
        return len(self._queued)

    # -------------------------------------------------------------- lifecycle
    async def start(self) -> None:
        """Release rows a dead daemon was running, load the timetable, start the workers."""
        interrupted = await self._store.recover()
        for row in interrupted:
            log.warning(
                "event redelivered after an interrupted attempt",
                function=row.event.function_name,
                request_id=row.event.request_id,
                attempts=row.attempts,
            )
        self.redeliveries += len(interrupted)
        if self._metrics is not None and interrupted:
            self._metrics.event_redeliveries.inc(len(interrupted))
        for due, row_id in await self._store.schedule():
            self._schedule(row_id, due)
        if self._queued:
            log.info("event queue resumed", events=len(self._queued), redeliveries=len(interrupted))
        self._tasks.append(asyncio.create_task(self._run_timetable(), name="event-timetable"))
        for number in range(self._workers):
            self._tasks.append(asyncio.create_task(self._work(), name=f"event-worker-{number}"))

    async def stop(self, grace_s: float = 2.0) -> None:
        """Stop the workers; queued rows stay in the table for the next start.

        Attempts already running get `grace_s` to finish; one cut short is redelivered (and
        counted) at the next start, as after a crash.
        """
        self._closing = True
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._idle.wait(), grace_s)
        tasks = [*self._tasks, *self._probes.values()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._tasks.clear()
        self._probes.clear()
        await self._store.drain()

    async def enqueue(self, event: NewEvent) -> int:
        """Store an accepted event (committed on return) and schedule it now."""
        row_id = await self._store.add(event)
        self._schedule(row_id, event.enqueued_at)
        return row_id

    # ------------------------------------------------------------- scheduling
    def _schedule(self, row_id: int, due: float) -> None:
        """(Re)schedule a row; an earlier entry of it in the timetable no longer counts."""
        self._queued.add(row_id)
        self._due[row_id] = due
        heapq.heappush(self._timetable, (due, row_id))
        if len(self._timetable) > 2 * len(self._due) + 1024:
            # Parking and releasing leave stale entries (a parked row's is hours away): rebuild
            # from the live ones before they pile up.
            self._timetable = [(at, row) for row, at in self._due.items()]
            heapq.heapify(self._timetable)
        self._wake.set()

    def _forget(self, row_id: int) -> None:
        self._queued.discard(row_id)
        self._due.pop(row_id, None)
        self._delivery_failures.pop(row_id, None)
        self._released.discard(row_id)
        self._unpark(row_id)

    # ------------------------------------------------------------- saturation
    def _park(self, function_name: str, row_id: int, expires_at: float) -> None:
        """Hold a row until its function has room (or the row expires)."""
        self._saturated.setdefault(function_name, 1)  # a parked row always has a probe
        self._parked[function_name][row_id] = None
        self._parked_function[row_id] = function_name
        self._schedule(row_id, expires_at)  # the age check still happens on time
        if function_name not in self._probes or self._probes[function_name].done():
            self._probes[function_name] = asyncio.create_task(
                self._probe(function_name), name=f"event-probe-{function_name}"
            )

    def _unpark(self, row_id: int) -> None:
        function_name = self._parked_function.pop(row_id, None)
        if function_name is not None:
            self._parked[function_name].pop(row_id, None)
            if not self._parked[function_name]:
                del self._parked[function_name]

    def _release(self, function_name: str) -> None:
        """Let the oldest parked row of a saturated function through."""
        parked = self._parked.get(function_name)
        if not parked:
            self._saturated.pop(function_name, None)  # nothing waits: no longer saturated
            return
        row_id = next(iter(parked))
        self._unpark(row_id)
        self._released.add(row_id)
        self._schedule(row_id, _now())

    async def _probe(self, function_name: str) -> None:
        """While a function is saturated, let a row through now and then (the limit may have
        gone, or the throttles came from callers other than this queue)."""
        while function_name in self._saturated:
            level = self._saturated[function_name]
            await asyncio.sleep(_delay(self._throttle_delays, max(level - 1, 0)))
            if function_name in self._saturated:
                self._release(function_name)

    async def _run_timetable(self) -> None:
        """Move rows to the workers as they fall due."""
        while True:
            self._wake.clear()
            now = _now()
            while self._timetable and self._timetable[0][0] <= now:
                due, row_id = heapq.heappop(self._timetable)
                if self._due.get(row_id) != due:
                    continue  # rescheduled (or forgotten) since
                del self._due[row_id]
                self._ready.put_nowait(row_id)
            timeout = self._timetable[0][0] - now if self._timetable else None
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout)

    async def _work(self) -> None:
        while True:
            row_id = await self._ready.get()
            if self._closing:  # stays in the table for the next start
                continue
            if row_id in self._processing:  # whatever that worker decides reschedules it
                continue
            self._processing.add(row_id)
            self._active += 1
            self._idle.clear()
            try:
                await self._process(row_id)
            except asyncio.CancelledError:
                raise
            except Exception:
                # The row stays in the table; look at it again a little later.
                log.exception("event dispatch failed; retrying later", row=row_id)
                self._schedule(row_id, _now() + _delay(self._delivery_delays, 0))
            finally:
                self._processing.discard(row_id)
                self._active -= 1
                if self._active == 0:
                    self._idle.set()

    # ------------------------------------------------------------- processing
    async def _process(self, row_id: int) -> None:
        self._unpark(row_id)  # due (at its expiry) while parked: no probe may release it now
        row = await self._store.get(row_id)
        if row is None:
            self._forget(row_id)
            return
        if row.outcome is not None:  # ran before; only delivery is left
            await self._deliver(row, row.outcome)
            return
        event = row.event
        bound = log.bind(function=event.function_name, request_id=event.request_id)
        settings = await self._settings(event)
        retries = settings.retry_attempts if settings else DEFAULT_MAXIMUM_RETRY_ATTEMPTS
        max_age = settings.event_age_limit if settings else DEFAULT_MAXIMUM_EVENT_AGE
        age = _now() - event.enqueued_at
        if age > max_age:
            bound.info(
                "event dropped: older than MaximumEventAgeInSeconds",
                age_s=round(age, 3),
                maximum_event_age_s=max_age,
                attempts=row.attempts,
            )
            dead_letter = await self._runner.dead_letter_arn(event.function_name, event.qualifier)
            await self._finish(
                row, EVENT_AGE_EXCEEDED, settings, row.attempts, row.last_response, dead_letter
            )
            return
        name = event.function_name
        expires_at = event.enqueued_at + max_age + 0.001
        if name in self._saturated and row_id not in self._released:
            self._park(name, row_id, expires_at)
            return
        self._released.discard(row_id)
        await self._store.start_attempt(row_id)
        attempts = row.attempts + 1
        response: StoredResponse | None = None
        dead_letter = None
        self._running[name] += 1
        try:
            ran = await self._runner.run_event(event)
        except LambdaError as error:
            self._attempt_ended(name, throttled=error.reason in _RUN_LATER)
            if error.reason in _RUN_LATER:
                bound.debug("event throttled; runs later", reason=error.reason.value)
                # On disk for a restart; in memory it waits for room in its function.
                level = self._saturated.get(name, 0)
                due = _now() + _delay(self._throttle_delays, level)
                await self._store.retry_later(row_id, due, attempt_counts=False)
                # No await from here on: a probe must not find the function unsaturated with
                # this row about to be parked.
                self._saturated[name] = self._saturated.get(name, 0) + 1
                self._park(name, row_id, expires_at)
                return
            if error.reason == Reason.RECURSIVE_INVOCATION:
                # Not retried: AWS hands it to the on-failure destination or the DLQ at once.
                bound.warning("event stopped: recursive loop", attempt=attempts)
                dead_letter = await self._runner.dead_letter_arn(
                    event.function_name, event.qualifier
                )
                await self._finish(
                    row, RECURSIVE_LOOP, settings, attempts, row.last_response, dead_letter
                )
                return
            if error.reason == Reason.FUNCTION_NOT_FOUND:
                bound.warning("event dropped: the function no longer exists")
                await self._store.remove(row_id)
                self._forget(row_id)
                return
            bound.info("event invocation not run", reason=error.reason.value, attempt=attempts)
        except BaseException as error:
            self._attempt_ended(name, throttled=False)
            if not isinstance(error, Exception):
                raise
            bound.exception("event invocation crashed", attempt=attempts)
        else:
            self._attempt_ended(name, throttled=False)
            response = stored_response(ran.result)
            dead_letter = ran.dead_letter_arn
            if not ran.result.function_error:
                await self._finish(row, SUCCESS, settings, attempts, response, None)
                return
            bound.info(
                "event invocation failed", error_type=ran.result.error_type, attempt=attempts
            )
        if attempts < 1 + retries:
            due = _now() + _delay(self._retry_delays, attempts - 1)
            await self._store.retry_later(row_id, due, attempt_counts=True, last_response=response)
            self._schedule(row_id, due)
            return
        bound.info("event retries exhausted", attempts=attempts, maximum_retry_attempts=retries)
        if dead_letter is None:
            dead_letter = await self._runner.dead_letter_arn(event.function_name, event.qualifier)
        await self._finish(
            row, RETRIES_EXHAUSTED, settings, attempts, response or row.last_response, dead_letter
        )

    def _attempt_ended(self, function_name: str, *, throttled: bool) -> None:
        """One attempt of the function is over: a saturated function gets the slot's row."""
        self._running[function_name] -= 1
        if self._running[function_name] <= 0:
            del self._running[function_name]
        if not throttled and function_name in self._saturated:
            self._saturated[function_name] = 0  # it ran: the probe goes back to short delays
            self._release(function_name)

    async def _settings(self, event: NewEvent) -> EventInvokeConfig | None:
        try:
            return await self._configs.for_invocation(event.function_name, event.qualifier)
        except Exception:
            log.exception("event invocation settings unreadable", function=event.function_name)
            return None

    async def _finish(
        self,
        row: QueuedEvent,
        condition: str,
        settings: EventInvokeConfig | None,
        attempts: int,
        response: StoredResponse | None,
        dead_letter: str | None,
    ) -> None:
        """Record the final outcome; deliver it if it goes anywhere, else delete the row."""
        event = row.event
        destination = None
        if settings is not None:
            destination = settings.on_success if condition == SUCCESS else settings.on_failure
        outcome = EventOutcome(
            condition=condition,
            function_arn=self._runner.function_arn(event.function_name, event.qualifier),
            attempts=attempts,
            recorded_at=_now(),
            destination=destination or None,
            dead_letter_arn=(dead_letter or None) if condition != SUCCESS else None,
        )
        if not outcome.targets:
            await self._store.remove(row.id)
            self._forget(row.id)
            return
        # Durable before delivery: a crash now re-sends the record, it does not re-run the event.
        await self._store.record_outcome(row.id, outcome, outcome.recorded_at, response)
        await self._deliver(replace(row, last_response=response, outcome=outcome), outcome)

    async def _deliver(self, row: QueuedEvent, outcome: EventOutcome) -> None:
        """Send the outcome to each target not yet served; delete the row when all are."""
        event = row.event
        bound = log.bind(
            function=event.function_name, request_id=event.request_id, condition=outcome.condition
        )
        record = destination_record(
            function_arn=outcome.function_arn,
            request_id=event.request_id,
            condition=outcome.condition,
            approximate_invoke_count=outcome.attempts,
            request_payload=event.payload,
            result=row.last_response,
        )
        for target in outcome.targets:
            arn = outcome.destination if target == "destination" else outcome.dead_letter_arn
            assert arn is not None
            service = destination_service(arn)
            try:
                if target == "destination":
                    await self._send_record(arn, record, event, outcome.condition == SUCCESS)
                else:
                    code, message = dead_letter_error(outcome.condition, row.last_response)
                    await self._sender.send_dead_letter(
                        arn,
                        event.payload,
                        request_id=event.request_id,
                        error_code=code,
                        error_message=message,
                    )
            except (DeliveryError, LambdaError) as error:
                self._count_delivery(service, "failed")
                if not _refused_for_good(error):
                    await self._delivery_failed(row, outcome, target, arn, str(error), bound)
                    return
                bound.error(
                    "event outcome refused by its destination; not retried",
                    target=target,
                    destination=arn,
                    error=str(error),
                )
                outcome = with_delivered(outcome, target)
                continue
            self._count_delivery(service, "delivered")
            bound.info("event outcome delivered", target=target, destination=arn)
            outcome = with_delivered(outcome, target)
        await self._store.remove(row.id)
        self._forget(row.id)

    async def _send_record(
        self, destination: str, record: dict[str, Any], event: NewEvent, success: bool
    ) -> None:
        if destination_service(destination) == "lambda":
            sent = await self._runner.invoke_destination(destination, json.dumps(record).encode())
            log.debug("destination invoked", destination=destination, destination_request_id=sent)
            return
        await self._sender.send_record(
            destination, record, function_name=event.function_name, success=success
        )

    async def _delivery_failed(
        self,
        row: QueuedEvent,
        outcome: EventOutcome,
        target: str,
        arn: str,
        error: str,
        bound: Any,
    ) -> None:
        failures = self._delivery_failures.get(row.id, 0)
        self._delivery_failures[row.id] = failures + 1
        if _now() - outcome.recorded_at > DELIVERY_WINDOW_S:
            bound.error(
                "event outcome given up: destination unreachable",
                target=target,
                destination=arn,
                error=error,
            )
            await self._store.remove(row.id)
            self._forget(row.id)
            return
        due = _now() + _delay(self._delivery_delays, failures)
        bound.warning(
            "event outcome not delivered; will retry",
            target=target,
            destination=arn,
            error=error,
            retry_in_s=round(due - _now(), 3),
        )
        # Keeps what was delivered already, so a retry sends only the rest.
        await self._store.record_outcome(row.id, outcome, due, None)
        self._schedule(row.id, due)

    def _count_delivery(self, service: str, result: str) -> None:
        if self._metrics is not None:
            self._metrics.event_deliveries.labels(service, result).inc()
