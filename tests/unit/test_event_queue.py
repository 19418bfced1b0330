"""The durable event queue (store/event_queue.py) and its dispatcher's rules.

A real SQLite state store; the function, the async settings and the destinations are fakes,
so each rule is seen on its own: restart resume, throttles, event age, delivery retries.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from lambdad.daemon.domain.event_invoke_config import EventInvokeConfig
from lambdad.daemon.errors import LambdaError, Reason
from lambdad.daemon.observability.metrics import LambdadMetrics
from lambdad.daemon.runtime.environment import InvocationResult
from lambdad.daemon.services.destinations import DeliveryError
from lambdad.daemon.services.event_dispatcher import EventDispatcher, RanEvent
from lambdad.daemon.store.event_queue import EventQueueStore, NewEvent, QueuedEvent
from lambdad.daemon.store.state import StateStore
from tests.helpers import async_wait_for

ARN = "arn:aws:lambda:us-east-1:000000000000:function"
QUEUE = "arn:aws:sqs:us-east-1:000000000000:records"
DLQ = "arn:aws:sqs:us-east-1:000000000000:dead"


def ok(payload: bytes = b'{"ok": true}') -> RanEvent:
    return RanEvent(InvocationResult(request_id="r1", payload=payload, executed_version="$LATEST"))


def failed(dead_letter: str | None = None) -> RanEvent:
    body = b'{"errorMessage": "boom", "errorType": "Exception"}'
    result = InvocationResult(
        request_id="r1",
        payload=body,
        executed_version="$LATEST",
        function_error="Unhandled",
        error_type="Exception",
    )
    return RanEvent(result, dead_letter)


@dataclass
class FakeRunner:
    """Answers attempts from a script: a RanEvent, or a LambdaError to raise."""

    script: list[RanEvent | LambdaError] = field(default_factory=list)
    ran: list[str] = field(default_factory=list)
    dead_letter: str | None = None

    async def run_event(self, event: NewEvent) -> RanEvent:
        self.ran.append(event.request_id)
        step = self.script.pop(0) if self.script else ok()
        if isinstance(step, LambdaError):
            raise step
        return step

    async def dead_letter_arn(self, function_name: str, qualifier: str) -> str | None:
        return self.dead_letter

    def function_arn(self, function_name: str, qualifier: str) -> str:
        return f"{ARN}:{function_name}:{qualifier}"

    async def invoke_destination(self, destination: str, payload: bytes) -> str:
        raise AssertionError("no Lambda destinations here")


@dataclass
class FakeConfigs:
    config: EventInvokeConfig | None = None

    async def for_invocation(self, function_name: str, qualifier: str) -> EventInvokeConfig | None:
        return self.config


@dataclass
class FakeSender:
    """Keeps what it is sent; fails the first `failures` deliveries."""

    failures: int = 0
    permanent: bool = False  # failures are refusals no retry cures
    attempts: int = 0
    records: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    dead_letters: list[tuple[str, bytes, dict[str, Any]]] = field(default_factory=list)

    def _maybe_fail(self) -> None:
        self.attempts += 1
        if self.failures > 0:
            self.failures -= 1
            raise DeliveryError("endpoint down", permanent=self.permanent)

    async def send_record(
        self, destination: str, record: dict[str, Any], *, function_name: str, success: bool
    ) -> None:
        self._maybe_fail()
        self.records.append((destination, record))

    async def send_dead_letter(self, target_arn: str, payload: bytes, **attributes: Any) -> None:
        self._maybe_fail()
        self.dead_letters.append((target_arn, payload, attributes))


def settings(**fields: Any) -> EventInvokeConfig:
    return EventInvokeConfig(function_name="f", qualifier="$LATEST", last_modified=0, **fields)


@dataclass
class Queue:
    """A state store, its event queue and a dispatcher; `restart` is a new daemon on the file."""

    path: Path
    runner: FakeRunner
    configs: FakeConfigs
    sender: FakeSender
    state: StateStore | None = None
    store: EventQueueStore | None = None
    dispatcher: EventDispatcher | None = None
    metrics: LambdadMetrics = field(default_factory=LambdadMetrics)

    async def start(self, **options: Any) -> EventDispatcher:
        self.state = StateStore(self.path)
        self.store = EventQueueStore(self.state)
        self.metrics = LambdadMetrics()
        self.dispatcher = EventDispatcher(
            self.store,
            self.runner,
            self.configs,  # type: ignore[arg-type]
            self.sender,  # type: ignore[arg-type]
            workers=options.get("workers", 2),
            retry_delays=options.get("retry_delays", (0.01,)),
            throttle_delays=(0.01,),
            delivery_delays=(0.01,),
            metrics=self.metrics,
        )
        await self.dispatcher.start()
        return self.dispatcher

    async def stop(self) -> None:
        assert self.dispatcher is not None and self.state is not None
        await self.dispatcher.stop()
        self.state.close()

    async def enqueue(self, request_id: str = "r1", *, age: float = 0.0) -> None:
        assert self.dispatcher is not None
        await self.dispatcher.enqueue(
            NewEvent(
                request_id=request_id,
                function_name="f",
                qualifier="$LATEST",
                payload=b'{"n": 1}',
                enqueued_at=time.time() - age,
            )
        )

    async def rows(self) -> int:
        assert self.store is not None
        return await self.store.depth()


@pytest.fixture
async def queue(tmp_path: Path) -> AsyncIterator[Queue]:
    made = Queue(tmp_path / "state.db", FakeRunner(), FakeConfigs(), FakeSender())
    yield made
    if made.state is not None and made.dispatcher is not None:
        await made.dispatcher.stop()
        made.state.close()


async def test_success_goes_to_on_success_and_the_row_is_deleted(queue: Queue) -> None:
    queue.configs.config = settings(on_success=QUEUE)
    await queue.start()
    await queue.enqueue()
    ((destination, record),) = await async_wait_for(lambda: queue.sender.records)
    assert destination == QUEUE
    assert record["requestContext"] == {
        "requestId": "r1",
        "functionArn": f"{ARN}:f:$LATEST",
        "condition": "Success",
        "approximateInvokeCount": 1,
    }
    assert record["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST"}
    assert record["responsePayload"] == {"ok": True}
    assert record["requestPayload"] == {"n": 1}
    await async_wait_for(lambda: queue.dispatcher and queue.dispatcher.depth == 0)
    assert await queue.rows() == 0


async def test_restart_resumes_with_attempts_and_age_kept(queue: Queue) -> None:
    queue.configs.config = settings(maximum_retry_attempts=2, on_failure=QUEUE)
    queue.runner.script = [failed()]
    # The retry is an hour away: the daemon stops before it.
    await queue.start(retry_delays=(3600,))
    await queue.enqueue(age=30)
    await async_wait_for(lambda: queue.runner.ran)
    assert queue.store is not None
    store = queue.store

    async def retry_on_disk() -> QueuedEvent | None:  # the failed attempt's retry
        first = await store.get(1)
        return first if first is not None and first.next_attempt_at > time.time() + 3000 else None

    first = await async_wait_for(retry_on_disk)
    assert first is not None
    enqueued_at = first.event.enqueued_at
    await queue.stop()

    queue.runner.script = [failed(), failed()]
    queue.state = None
    await queue.start(retry_delays=(0.01,))
    row = await queue.store.get(1)
    assert row is not None
    # Not due for an hour: still waiting, with its attempt and its age.
    assert (row.attempts, row.event.enqueued_at) == (1, enqueued_at)
    assert row.next_attempt_at > time.time() + 3000
    assert queue.runner.ran == ["r1"]
    await queue.stop()

    # Make it due now (as if the hour had passed) and start again: two more attempts.
    state = StateStore(queue.path)
    await state.run(lambda tx: tx.execute("UPDATE event_queue SET next_attempt_at=0"))
    state.close()
    await queue.start()
    ((_, record),) = await async_wait_for(lambda: queue.sender.records)
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 3
    assert queue.runner.ran == ["r1", "r1", "r1"]
    assert queue.dispatcher is not None and queue.dispatcher.redeliveries == 0


async def test_a_row_running_when_the_daemon_died_is_redelivered_and_counted(
    queue: Queue,
) -> None:
    await queue.start()
    await queue.stop()
    # What a killed daemon leaves: an accepted row whose attempt had started.
    state = StateStore(queue.path)
    store = EventQueueStore(state)
    row_id = await store.add(NewEvent("lost", "f", "$LATEST", b"{}", enqueued_at=time.time() - 5))
    await store.start_attempt(row_id)
    await store.drain()
    state.close()

    dispatcher = await queue.start()
    await async_wait_for(lambda: "lost" in queue.runner.ran)
    assert dispatcher.redeliveries == 1
    assert queue.metrics.event_redeliveries._value.get() == 1
    await async_wait_for(lambda: dispatcher.depth == 0)
    assert await queue.rows() == 0


async def test_throttles_do_not_use_up_attempts(queue: Queue) -> None:
    queue.configs.config = settings(maximum_retry_attempts=0, on_failure=QUEUE)
    throttle = LambdaError(Reason.TOO_MANY_REQUESTS, "Rate Exceeded.")
    queue.runner.script = [throttle, throttle, throttle, failed()]
    await queue.start()
    await queue.enqueue()
    ((_, record),) = await async_wait_for(lambda: queue.sender.records)
    assert len(queue.runner.ran) == 4  # three throttles, then the one attempt
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 1
    assert record["responseContext"]["functionError"] == "Unhandled"


async def test_an_event_older_than_its_maximum_age_goes_to_on_failure_unrun(
    queue: Queue,
) -> None:
    queue.configs.config = settings(maximum_event_age_in_seconds=60, on_failure=QUEUE)
    await queue.start()
    await queue.enqueue(age=100)
    ((_, record),) = await async_wait_for(lambda: queue.sender.records)
    assert queue.runner.ran == []
    assert record["requestContext"]["condition"] == "EventAgeExceeded"
    assert record["requestContext"]["approximateInvokeCount"] == 0
    assert "responseContext" not in record


async def test_throttled_until_too_old_is_event_age_exceeded(queue: Queue) -> None:
    queue.configs.config = settings(maximum_event_age_in_seconds=60, on_failure=QUEUE)
    queue.runner.script = [LambdaError(Reason.TOO_MANY_REQUESTS, "Rate Exceeded.")] * 1000
    await queue.start()
    await queue.enqueue(age=59.7)  # a few throttles, then too old
    ((_, record),) = await async_wait_for(lambda: queue.sender.records)
    assert queue.runner.ran  # it was tried
    assert record["requestContext"]["condition"] == "EventAgeExceeded"
    assert record["requestContext"]["approximateInvokeCount"] == 0


async def test_failed_delivery_keeps_the_row_and_is_retried(queue: Queue) -> None:
    queue.configs.config = settings(on_success=QUEUE)
    queue.sender.failures = 2
    await queue.start()
    await queue.enqueue()
    ((_, record),) = await async_wait_for(lambda: queue.sender.records)
    assert record["requestContext"]["condition"] == "Success"
    assert queue.runner.ran == ["r1"]  # delivery retries do not run the function again
    await async_wait_for(lambda: queue.dispatcher and queue.dispatcher.depth == 0)
    failed_count = queue.metrics.event_deliveries.labels("sqs", "failed")._value.get()
    assert failed_count == 2


async def test_retries_exhausted_goes_to_the_dead_letter_queue_and_on_failure(
    queue: Queue,
) -> None:
    queue.configs.config = settings(maximum_retry_attempts=1, on_failure=QUEUE)
    queue.runner.script = [failed(DLQ), failed(DLQ)]
    await queue.start()
    await queue.enqueue()
    ((target, payload, attributes),) = await async_wait_for(lambda: queue.sender.dead_letters)
    assert (target, payload) == (DLQ, b'{"n": 1}')
    assert attributes == {"request_id": "r1", "error_code": 200, "error_message": "boom"}
    ((_, record),) = await async_wait_for(lambda: queue.sender.records)
    assert record["requestContext"]["approximateInvokeCount"] == 2


async def test_a_deleted_function_drops_its_events(queue: Queue) -> None:
    queue.configs.config = settings(on_failure=QUEUE)
    queue.runner.script = [LambdaError(Reason.FUNCTION_NOT_FOUND, "Function not found")]
    await queue.start()
    await queue.enqueue()
    await async_wait_for(lambda: queue.runner.ran)
    await async_wait_for(lambda: queue.dispatcher and queue.dispatcher.depth == 0)
    assert await queue.rows() == 0
    assert queue.sender.records == []


async def test_a_graceful_stop_lets_a_running_attempt_finish(queue: Queue) -> None:
    started = asyncio.Event()
    runner = queue.runner

    async def slow(event: NewEvent) -> RanEvent:
        runner.ran.append(event.request_id)
        started.set()
        await asyncio.sleep(0.2)
        return ok()

    runner.run_event = slow  # type: ignore[method-assign]
    await queue.start()
    await queue.enqueue()
    await started.wait()
    await queue.stop()
    assert queue.state is not None
    dispatcher = await queue.start()
    assert dispatcher.redeliveries == 0
    assert await queue.rows() == 0
    assert runner.ran == ["r1"]


async def test_a_record_refused_for_good_is_not_retried(queue: Queue) -> None:
    queue.configs.config = settings(on_success=QUEUE)
    queue.sender.failures, queue.sender.permanent = 1, True
    await queue.start()
    await queue.enqueue()
    await async_wait_for(lambda: queue.dispatcher and queue.dispatcher.depth == 0)
    assert await queue.rows() == 0
    assert (queue.sender.attempts, queue.sender.records) == (1, [])


async def test_a_function_limited_to_two_runs_two_at_a_time_without_spinning(
    queue: Queue,
) -> None:
    """Throttles saturate the function: its rows wait for a free slot, not for timers."""
    queue.configs.config = settings(on_success=QUEUE)
    runner, running, most, throttles = queue.runner, [0], [0], [0]

    async def limited(event: NewEvent) -> RanEvent:
        if running[0] >= 2:  # the pool's reserved concurrency of 2
            throttles[0] += 1
            raise LambdaError(Reason.TOO_MANY_REQUESTS, "Rate Exceeded.")
        running[0] += 1
        most[0] = max(most[0], running[0])
        try:
            runner.ran.append(event.request_id)
            await asyncio.sleep(0.01)
            return ok()
        finally:
            running[0] -= 1

    runner.run_event = limited  # type: ignore[method-assign]
    dispatcher = await queue.start(workers=8)
    # Slow probes: a row that waited for one would take a second; slots free every 10 ms.
    dispatcher._throttle_delays = (1.0,)
    for number in range(60):
        await queue.enqueue(f"r{number}")
    await async_wait_for(lambda: len(queue.sender.records) == 60, timeout=15)
    assert most[0] == 2
    assert sorted(runner.ran) == sorted(f"r{n}" for n in range(60))
    assert {r["requestContext"]["approximateInvokeCount"] for _, r in queue.sender.records} == {1}
    # At most the first wave of workers (and the odd probe) hit the limit.
    assert throttles[0] < 20
