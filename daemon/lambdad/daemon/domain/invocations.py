"""Invoke rules: what AWS checks before running a function, and the three invocation types.

`InvocationService` resolves the function (qualifier, alias with weighted
routing), rejects what AWS rejects (Pending function, payload too large,
payload not JSON), then runs the invocation on the `EnvironmentPool`:
RequestResponse waits for the result, Event queues it and retries on function
errors in the background, DryRun only checks. It also owns reserved
concurrency (stored on the function, enforced by the pool) and function logs.

An Event invocation follows the async settings of the qualifier it was invoked
through (`EventInvokeConfigRegistry`): MaximumRetryAttempts, MaximumEventAgeInSeconds
and OnSuccess/OnFailure destinations. A Lambda destination receives AWS's
invocation record as an Event invocation; other destinations (SQS, SNS,
EventBridge, S3) and a legacy DeadLetterConfig are only logged, as nothing
local can receive them.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import dataclasses
import json
import random
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import structlog

from lambdad.daemon.domain.event_invoke_config import (
    DEFAULT_MAXIMUM_EVENT_AGE,
    DEFAULT_MAXIMUM_RETRY_ATTEMPTS,
    EventInvokeConfig,
    EventInvokeConfigRegistry,
    destination_service,
)
from lambdad.daemon.domain.functions import FunctionRegistry, VersionView
from lambdad.daemon.domain.model import State
from lambdad.daemon.domain.names import LATEST, is_alias_name, is_version_qualifier
from lambdad.daemon.errors import LambdaError, Reason, validation_error
from lambdad.daemon.observability.history import InvocationHistory, InvocationRecord
from lambdad.daemon.observability.recorder import InvocationRecorder
from lambdad.daemon.runtime.debugging import DEBUG_TIMEOUT_S, debug_port
from lambdad.daemon.runtime.environment import InvocationResult
from lambdad.daemon.runtime.logs import LogLine
from lambdad.daemon.runtime.pool import EnvironmentPool
from lambdad.daemon.runtime.runtime_api import InvocationRequest
from lambdad.daemon.tracing.store import TraceStore
from lambdad.daemon.tracing.tracer import InvocationTracer, TraceStart

log = structlog.get_logger(__name__)

MAX_SYNC_PAYLOAD = 6_291_456
MAX_EVENT_PAYLOAD = 1_048_576
REQUEST_RESPONSE = "RequestResponse"
EVENT = "Event"
DRY_RUN = "DryRun"
INVOCATION_TYPES = (REQUEST_RESPONSE, EVENT, DRY_RUN)
LOG_TYPES = ("None", "Tail")
# AWS retries failed async invocations after about 1 and 2 minutes; shortened here.
# Delay before the first retry, the second; the last one repeats if ever needed.
DEFAULT_EVENT_RETRY_DELAYS = (1.0, 2.0)
# Conditions of a destination record (requestContext.condition).
SUCCESS = "Success"
RETRIES_EXHAUSTED = "RetriesExhausted"
EVENT_AGE_EXCEEDED = "EventAgeExceeded"


@dataclass(frozen=True)
class Invocation:
    """An Invoke request as the caller gave it."""

    function_name: str
    qualifier: str = ""
    invocation_type: str = ""
    log_type: str = ""
    client_context: str = ""  # base64
    payload: bytes = b""
    request_id: str = ""  # the gateway's x-request-id; generated when empty
    tenant_id: str = ""
    trace_header: str = ""  # the caller's X-Amzn-Trace-Id (or an SQS AWSTraceHeader)


@dataclass(frozen=True)
class InvokeOutcome:
    """What Invoke answers."""

    status_code: int
    request_id: str
    executed_version: str
    result: InvocationResult | None = None  # None for Event and DryRun


@dataclass(frozen=True)
class _Prepared:
    view: VersionView
    invoked_arn: str
    request: InvocationRequest
    tail: bool
    invocation_type: str
    qualifier: str = LATEST  # what the caller invoked: $LATEST, a version or an alias
    trace: TraceStart | None = None


def _json_error(payload: bytes) -> str | None:
    """AWS's (Jackson's) complaint about a payload that is not JSON; None if it is JSON."""
    location = "\n at [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled)"
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError as error:
        prefix = payload[: error.start]
        line = prefix.count(b"\n") + 1
        column = error.start - (prefix.rfind(b"\n") + 1) + 1
        return (
            f"Invalid UTF-8 start byte 0x{payload[error.start]:02x}"
            f"{location}; line: {line}, column: {column}]"
        )
    try:
        json.loads(text)
    except json.JSONDecodeError as error:
        pos = min(error.pos, len(text) - 1) if text else 0
        char = text[pos] if text else ""
        code = ord(char) if char else -1
        shown = f"(CTRL-CHAR, code {code})" if code < 32 or 127 <= code < 160 else f"'{char}'"
        return (
            f"Unexpected character ({shown} (code {code})): expected a valid value (JSON String, "
            "Number, Array, Object or token 'null', 'true' or 'false')"
            f"{location}; line: {error.lineno}, column: {error.colno}]"
        )
    return None


class InvocationService:
    """Invoke, InvokeWithResponseStream, reserved concurrency and logs."""

    def __init__(
        self,
        registry: FunctionRegistry,
        pool: EnvironmentPool,
        event_invoke_configs: EventInvokeConfigRegistry,
        *,
        event_retry_delays: Sequence[float] = DEFAULT_EVENT_RETRY_DELAYS,
        recorder: InvocationRecorder | None = None,
        traces: TraceStore | None = None,
    ) -> None:
        self._registry = registry
        self._pool = pool
        # Metrics and history; the pool's on_report must feed the same recorder.
        self.recorder = recorder or InvocationRecorder(InvocationHistory())
        self.tracer = InvocationTracer(traces if traces is not None else TraceStore())
        self._retry_delays = tuple(event_retry_delays)
        self._events: set[asyncio.Task[None]] = set()
        self.event_invoke_configs = event_invoke_configs

    async def start(self) -> None:
        """Load reserved concurrency into the pool; follow function changes."""
        for name, reserved in (await self._registry.reserved_concurrencies()).items():
            self._pool.set_reserved(name, reserved)
        self._registry.on_change(self._function_changed)

    async def stop(self) -> None:
        """Drop queued Event invocations."""
        for task in list(self._events):
            task.cancel()
        await asyncio.gather(*self._events, return_exceptions=True)

    async def _function_changed(self, name: str) -> None:
        await self._pool.retire(name)
        try:
            reserved = await self._registry.reserved_concurrency(name)
        except LambdaError:  # deleted
            reserved = None
            self._pool.logs.forget(name)
            self.recorder.function_deleted(name)
        self._pool.set_reserved(name, reserved)

    # ------------------------------------------------------------------ checks
    async def _resolve(self, function_name: str, qualifier: str) -> tuple[VersionView, str, str]:
        """The configuration to run, the ARN the caller invoked and its qualifier."""
        registry = self._registry
        # Invoke takes the namespaced name shape: a name AWS could never have created (65
        # characters, dots) or a qualifier that is neither version nor alias (`$latest`)
        # is simply not found, as on AWS, rather than a validation error.
        ref = registry.resolve(function_name, qualifier or None, namespaced=True)
        arn = registry.account.function_arn(ref.name, ref.qualifier)
        missing_arn = registry.account.function_arn(ref.name, ref.qualifier or LATEST)
        not_found = LambdaError(Reason.FUNCTION_NOT_FOUND, f"Function not found: {missing_arn}")
        try:
            if ref.qualifier is not None and not is_version_qualifier(ref.qualifier):
                if not is_alias_name(ref.qualifier):
                    raise not_found
                alias = await registry.get_alias(ref.name, ref.qualifier)
                version = alias.function_version
                for extra, weight in alias.routing.items():
                    if random.random() < weight:
                        version = extra
                view = await registry.get_configuration(ref.name, version)
            else:
                view = await registry.get_configuration(ref.name, ref.qualifier)
        except LambdaError as error:
            if error.reason in (Reason.FUNCTION_NOT_FOUND, Reason.ALIAS_NOT_FOUND):
                raise not_found from error
            raise
        return view, arn, ref.qualifier or LATEST

    async def _prepare(self, invocation: Invocation, *, streaming: bool) -> _Prepared:
        invocation_type = invocation.invocation_type or REQUEST_RESPONSE
        allowed = (REQUEST_RESPONSE, DRY_RUN) if streaming else INVOCATION_TYPES
        if invocation_type not in allowed:
            raise validation_error(
                invocation_type,
                "invocationType",
                f"Member must satisfy enum value set: [{', '.join(allowed)}]",
            )
        log_type = invocation.log_type or "None"
        if log_type not in LOG_TYPES:
            raise validation_error(
                log_type, "logType", f"Member must satisfy enum value set: [{', '.join(LOG_TYPES)}]"
            )
        view, arn, qualifier = await self._resolve(invocation.function_name, invocation.qualifier)
        config = view.config
        if config.state != State.ACTIVE:
            raise LambdaError(
                Reason.RESOURCE_CONFLICT,
                "The operation cannot be performed at this time. The function is currently in "
                f"the following state: {config.state}",
            )
        payload = invocation.payload
        limit = MAX_EVENT_PAYLOAD if invocation_type == EVENT else MAX_SYNC_PAYLOAD
        if len(payload) > limit:
            message = (
                f"{len(payload)} byte payload is too large for the Event invocation type "
                f"(limit {limit} bytes)"
                if invocation_type == EVENT
                else f"Request must be smaller than {limit} bytes for the InvokeFunction operation"
            )
            raise LambdaError(Reason.REQUEST_TOO_LARGE, message)
        if not payload.strip():
            payload = b"{}"
        problem = _json_error(payload)
        if problem is not None:
            raise LambdaError(
                Reason.INVALID_REQUEST_CONTENT,
                f"Could not parse request body into json: Could not parse payload into json: "
                f"{problem}",
            )
        client_context = None
        if invocation.client_context:
            try:
                client_context = base64.b64decode(invocation.client_context, validate=True).decode()
                json.loads(client_context)
            except (binascii.Error, UnicodeDecodeError, ValueError) as error:
                raise LambdaError(
                    Reason.INVALID_REQUEST_CONTENT,
                    "Client context must be a valid Base64-encoded JSON object.",
                ) from error
        # No per-invoke runtime/image check: the version turned Active only after one, and
        # starting a new environment resolves the image again (a warm one needs nothing).
        trace = self.tracer.start(config.tracing_mode, invocation.trace_header)
        request = InvocationRequest(
            request_id=invocation.request_id or str(uuid.uuid4()),
            payload=payload,
            # A paused breakpoint is not a hung function: no timeout while debugging.
            timeout_s=float(
                DEBUG_TIMEOUT_S if debug_port(config.environment) is not None else config.timeout
            ),
            invoked_function_arn=arn,
            trace_id=trace.runtime_header,
            client_context=client_context,
            tenant_id=invocation.tenant_id or None,
        )
        return _Prepared(view, arn, request, log_type == "Tail", invocation_type, qualifier, trace)

    # ------------------------------------------------------------------ invoke
    async def invoke(self, invocation: Invocation) -> InvokeOutcome:
        """Invoke: 200 with the result, 202 for Event (queued), 204 for DryRun."""
        prepared = await self._prepare(invocation, streaming=False)
        config = prepared.view.config
        request = prepared.request
        if prepared.invocation_type == DRY_RUN:
            return InvokeOutcome(204, request.request_id, config.version)
        if prepared.invocation_type == EVENT:
            task = asyncio.create_task(self._run_event(prepared, time.monotonic()))
            self._events.add(task)
            task.add_done_callback(self._events.discard)
            return InvokeOutcome(202, request.request_id, config.version)
        result = await self._run(prepared)
        if result.stream is not None:  # a streaming runtime answering a buffered Invoke
            chunks = [chunk async for chunk in result.stream]
            result = _buffered(result, b"".join(chunks))
        return InvokeOutcome(200, request.request_id, result.executed_version, result)

    async def invoke_stream(self, invocation: Invocation) -> InvokeOutcome:
        """InvokeWithResponseStream: the result's `stream` (if any) yields the chunks."""
        prepared = await self._prepare(invocation, streaming=True)
        config = prepared.view.config
        if prepared.invocation_type == DRY_RUN:
            return InvokeOutcome(204, prepared.request.request_id, config.version)
        result = await self._run(prepared)
        return InvokeOutcome(200, prepared.request.request_id, result.executed_version, result)

    async def _run(self, prepared: _Prepared, *, tail: bool | None = None) -> InvocationResult:
        """Run on the pool, telling the recorder (the REPORT itself reaches it from the pool)."""
        config = prepared.view.config
        request_id = prepared.request.request_id
        recorder = self.recorder
        recorder.began(
            request_id, qualifier=prepared.qualifier, invocation_type=prepared.invocation_type
        )
        try:
            result = await self._pool.invoke(
                config, prepared.request, tail=prepared.tail if tail is None else tail
            )
        except LambdaError as error:
            if error.reason == Reason.TOO_MANY_REQUESTS:
                recorder.throttled(
                    request_id,
                    function_name=config.name,
                    qualifier=prepared.qualifier,
                    invocation_type=prepared.invocation_type,
                    reason=str(error.metadata.get("reason", "")),
                    memory_size_mb=config.memory_size,
                )
            else:
                recorder.abandoned(request_id)
            raise
        except BaseException:
            recorder.abandoned(request_id)
            raise
        if prepared.trace is not None:
            self.tracer.finish(
                prepared.trace,
                function_name=config.name,
                function_arn=prepared.invoked_arn,
                request_id=request_id,
                init_span=result.init_span,
                run_span=result.run_span,
                function_error=result.function_error,
            )
        return result

    def _retry_delay(self, retry: int) -> float:
        if not self._retry_delays:
            return 0.0
        return self._retry_delays[min(retry, len(self._retry_delays) - 1)]

    async def _run_event(self, prepared: _Prepared, enqueued: float) -> None:
        """Run an Event invocation with its async settings, then send its record on."""
        config = prepared.view.config
        request = prepared.request
        bound = log.bind(function=config.name, request_id=request.request_id)
        try:
            settings = await self.event_invoke_configs.for_invocation(
                config.name, prepared.qualifier
            )
        except Exception:
            log.exception("event invocation settings unreadable", function=config.name)
            settings = None
        retries = settings.retry_attempts if settings else DEFAULT_MAXIMUM_RETRY_ATTEMPTS
        max_age = settings.event_age_limit if settings else DEFAULT_MAXIMUM_EVENT_AGE
        result: InvocationResult | None = None
        attempts = 0
        for attempt in range(1 + retries):
            age = time.monotonic() - enqueued
            if age > max_age:
                bound.info(
                    "event dropped: older than MaximumEventAgeInSeconds",
                    age_s=round(age, 3),
                    maximum_event_age_s=max_age,
                    attempts=attempts,
                )
                await self._send_record(prepared, settings, EVENT_AGE_EXCEEDED, attempts, result)
                return
            attempts += 1
            try:
                result = await self._run(prepared, tail=False)
            except LambdaError as error:
                bound.info("event invocation not run", reason=error.reason.value, attempt=attempts)
            except Exception:
                log.exception("event invocation crashed", function=config.name)
                return
            else:
                if result.stream is not None:  # a streaming runtime: keep the whole response
                    chunks = [chunk async for chunk in result.stream]
                    result = _buffered(result, b"".join(chunks))
                if result.function_error is None:
                    await self._send_record(prepared, settings, SUCCESS, attempts, result)
                    return
                bound.info(
                    "event invocation failed", error_type=result.error_type, attempt=attempts
                )
            if attempt < retries:
                await asyncio.sleep(self._retry_delay(attempt))
        bound.info("event retries exhausted", attempts=attempts, maximum_retry_attempts=retries)
        await self._send_record(prepared, settings, RETRIES_EXHAUSTED, attempts, result)

    async def _send_record(
        self,
        prepared: _Prepared,
        settings: EventInvokeConfig | None,
        condition: str,
        attempts: int,
        result: InvocationResult | None,
    ) -> None:
        """Send the invocation record to the destination for `condition`, if one is set."""
        config = prepared.view.config
        bound = log.bind(
            function=config.name, request_id=prepared.request.request_id, condition=condition
        )
        if condition != SUCCESS and config.dead_letter_target_arn:
            bound.info(
                "dead-letter queue not delivered locally",
                target_arn=config.dead_letter_target_arn,
            )
        if settings is None:
            return
        destination = settings.on_success if condition == SUCCESS else settings.on_failure
        if not destination:
            return
        service = destination_service(destination)
        if service != "lambda":
            bound.info(
                "destination not delivered locally", destination=destination, service=service
            )
            return
        record = destination_record(
            function_arn=self._registry.account.function_arn(config.name, prepared.qualifier),
            request_id=prepared.request.request_id,
            condition=condition,
            approximate_invoke_count=attempts,
            request_payload=prepared.request.payload,
            result=result,
        )
        try:
            sent = await self.invoke(
                Invocation(
                    function_name=destination,
                    invocation_type=EVENT,
                    payload=json.dumps(record).encode(),
                )
            )
        except LambdaError as error:
            bound.warning(
                "destination invocation rejected",
                destination=destination,
                reason=error.reason.value,
                message=error.message,
            )
            return
        bound.info(
            "destination invoked", destination=destination, destination_request_id=sent.request_id
        )

    # ------------------------------------------------------------- concurrency
    async def put_function_concurrency(self, function_name: str, reserved: int) -> int:
        """PutFunctionConcurrency."""
        if reserved < 0:
            raise validation_error(
                reserved,
                "reservedConcurrentExecutions",
                "Member must have value greater than or equal to 0",
            )
        await self._registry.set_reserved_concurrency(function_name, reserved)
        self._pool.set_reserved(self._registry.resolve(function_name).name, reserved)
        return reserved

    async def get_function_concurrency(self, function_name: str) -> int | None:
        """GetFunctionConcurrency."""
        ref = self._registry.resolve(function_name)
        if ref.qualifier is not None:
            await self._registry.set_reserved_concurrency(function_name, None)  # raises
        return await self._registry.reserved_concurrency(function_name)

    async def delete_function_concurrency(self, function_name: str) -> None:
        """DeleteFunctionConcurrency."""
        await self._registry.set_reserved_concurrency(function_name, None)
        self._pool.set_reserved(self._registry.resolve(function_name).name, None)

    # ----------------------------------------------------------------- history
    async def invocations(
        self, function_name: str, *, qualifier: str = "", max_items: int = 0
    ) -> list[InvocationRecord]:
        """A function's recent invocations, newest first (FUNCTION_NOT_FOUND if unknown)."""
        if max_items < 0:
            raise validation_error(
                max_items, "maxItems", "Member must have value greater than or equal to 0"
            )
        ref = self._registry.resolve(function_name, qualifier or None)
        await self._registry.get_configuration(ref.name)
        return self.recorder.history.list(
            ref.name, qualifier=ref.qualifier or "", max_items=max_items
        )

    # -------------------------------------------------------------------- logs
    async def logs(self, function_name: str, *, follow: bool) -> AsyncIterator[LogLine]:
        """A function's kept log lines, then new ones with `follow`."""
        ref = self._registry.resolve(function_name)
        await self._registry.get_configuration(ref.name)  # FUNCTION_NOT_FOUND if unknown
        async for line in self._pool.logs.read(ref.name, follow=follow):
            yield line


def _buffered(result: InvocationResult, payload: bytes) -> InvocationResult:
    return dataclasses.replace(result, payload=payload, stream=None)


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
    result: InvocationResult | None,
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
