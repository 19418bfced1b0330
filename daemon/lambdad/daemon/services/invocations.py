"""Invoke rules: what AWS checks before running a function, and the three invocation types.

`InvocationService` resolves the function (qualifier, alias with weighted
routing), rejects what AWS rejects (Pending function, payload too large,
payload not JSON), then runs the invocation on the `EnvironmentPool`:
RequestResponse waits for the result, Event queues it and retries on function
errors in the background, DryRun only checks. It also owns reserved
concurrency (stored on the function, enforced by the pool) and function logs.

An Event invocation is written to the durable event queue (`store/event_queue.py`)
before Invoke answers 202; `EventDispatcher` (services/event_dispatcher.py) runs it with
the async settings of the qualifier it was invoked through (MaximumRetryAttempts,
MaximumEventAgeInSeconds, OnSuccess/OnFailure destinations, DeadLetterConfig) and
delivers the outcome, through this service for each attempt and Lambda destinations.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import dataclasses
import json
import math
import random
import re
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import structlog

from lambdad.client.contract import EVENT_PAYLOAD_MAX_BYTES, SYNC_PAYLOAD_MAX_BYTES
from lambdad.daemon.domain import durable as durable_rules
from lambdad.daemon.domain import recursion
from lambdad.daemon.domain.event_invoke_config import EventInvokeConfigRegistry
from lambdad.daemon.domain.functions import FunctionRegistry, VersionView
from lambdad.daemon.domain.model import State
from lambdad.daemon.domain.names import (
    LATEST,
    LATEST_PUBLISHED,
    is_alias_name,
    is_version_qualifier,
)
from lambdad.daemon.errors import LambdaError, Reason, invalid_parameter, validation_error
from lambdad.daemon.observability.history import InvocationHistory, InvocationRecord
from lambdad.daemon.observability.recorder import InvocationRecorder
from lambdad.daemon.runtime.debugging import DEBUG_TIMEOUT_S, debug_port
from lambdad.daemon.runtime.environment import InvocationResult
from lambdad.daemon.runtime.logs import LogLine
from lambdad.daemon.runtime.pool import EnvironmentPool
from lambdad.daemon.runtime.runtime_api import InvocationRequest
from lambdad.daemon.services.destinations import DestinationSender
from lambdad.daemon.services.event_dispatcher import (
    DEFAULT_EVENT_RETRY_DELAYS,
    DEFAULT_EVENT_WORKERS,
    DEFAULT_THROTTLE_DELAYS,
    EventDispatcher,
    RanEvent,
)
from lambdad.daemon.store.event_queue import EventQueueStore, NewEvent
from lambdad.daemon.tracing.header import TraceHeader, invocation_header
from lambdad.daemon.tracing.store import TraceStore
from lambdad.daemon.tracing.tracer import InvocationTracer, TraceStart

if TYPE_CHECKING:
    from lambdad.daemon.observability.metrics import LambdadMetrics
    from lambdad.daemon.services.durable import DurableExecutions

log = structlog.get_logger(__name__)

MAX_SYNC_PAYLOAD = SYNC_PAYLOAD_MAX_BYTES
MAX_EVENT_PAYLOAD = EVENT_PAYLOAD_MAX_BYTES
REQUEST_RESPONSE = "RequestResponse"
EVENT = "Event"
DRY_RUN = "DryRun"
INVOCATION_TYPES = (REQUEST_RESPONSE, EVENT, DRY_RUN)
LOG_TYPES = ("None", "Tail")
TENANT_ID_PATTERN = r"[a-zA-Z0-9\._:\/=+\-@ ]+"
TENANT_ID_MISMATCH = (
    "Tenant ID configuration not specified or passed to a function when tenant isolation is "
    "not enabled."
)


def check_tenant_id(tenant_id: str) -> None:
    """The model's TenantId shape: 1 to 256 characters of `TENANT_ID_PATTERN`."""
    if len(tenant_id) > 256:
        raise validation_error(
            tenant_id, "tenantId", "Member must have length less than or equal to 256"
        )
    if not re.fullmatch(TENANT_ID_PATTERN, tenant_id):
        raise validation_error(
            tenant_id,
            "tenantId",
            f"Member must satisfy regular expression pattern: {TENANT_ID_PATTERN}",
        )


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
    # Seconds a sync invocation may wait for host capacity (None: the function's timeout);
    # event source pollers pass math.inf so their batches drain at capacity.
    capacity_wait_s: float | None = None
    # X-Amz-Durable-Execution-Name: the durable execution to start (durable functions only).
    durable_execution_name: str = ""


@dataclass(frozen=True)
class InvokeOutcome:
    """What Invoke answers."""

    status_code: int
    request_id: str
    executed_version: str
    result: InvocationResult | None = None  # None for Event and DryRun
    durable_execution_arn: str = ""  # the execution a durable function's invoke started


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
        event_queue: EventQueueStore,
        *,
        event_retry_delays: Sequence[float] = DEFAULT_EVENT_RETRY_DELAYS,
        event_throttle_delays: Sequence[float] = DEFAULT_THROTTLE_DELAYS,
        event_workers: int = DEFAULT_EVENT_WORKERS,
        destinations: DestinationSender | None = None,
        recorder: InvocationRecorder | None = None,
        traces: TraceStore | None = None,
        metrics: LambdadMetrics | None = None,
        recursion_setting: Callable[[str], Awaitable[str]] | None = None,
    ) -> None:
        self._registry = registry
        self._pool = pool
        # A function's RecursiveLoop setting (FunctionSettings.recursion_setting); None: every
        # function has the default, Terminate.
        self._recursion_setting = recursion_setting
        # Metrics and history; the pool's on_report must feed the same recorder.
        self.recorder = recorder or InvocationRecorder(InvocationHistory())
        self.tracer = InvocationTracer(traces if traces is not None else TraceStore())
        self.event_invoke_configs = event_invoke_configs
        # Durable executions (services/durable.py), set by the daemon's wiring: invoking a
        # durable function starts one instead of running the function once.
        self.durable: DurableExecutions | None = None
        self.events = EventDispatcher(
            event_queue,
            self,
            event_invoke_configs,
            destinations or DestinationSender(),
            workers=event_workers,
            retry_delays=event_retry_delays,
            throttle_delays=event_throttle_delays,
            metrics=metrics,
        )
        if metrics is not None:
            metrics.watch_event_queue(lambda: self.events.depth)

    async def start(self) -> None:
        """Load reserved concurrency into the pool; follow function changes; resume the queue."""
        for name, reserved in (await self._registry.reserved_concurrencies()).items():
            self._pool.set_reserved(name, reserved)
        self._registry.on_change(self._function_changed)
        await self.events.start()

    async def stop(self) -> None:
        """Stop running queued Event invocations; they stay queued for the next start."""
        await self.events.stop()

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

        def not_found() -> LambdaError:
            missing_arn = registry.account.function_arn(ref.name, ref.qualifier or LATEST)
            return LambdaError(Reason.FUNCTION_NOT_FOUND, f"Function not found: {missing_arn}")

        try:
            if ref.qualifier is not None and not is_version_qualifier(ref.qualifier):
                if not is_alias_name(ref.qualifier):
                    raise not_found()
                alias = await registry.get_alias(ref.name, ref.qualifier)
                version = alias.function_version
                for extra, weight in alias.routing.items():
                    if random.random() < weight:
                        version = extra
                view = await registry.get_configuration(ref.name, version)
            else:
                view = await registry.get_configuration(ref.name, ref.qualifier)
                if ref.qualifier is None and view.config.capacity_provider_config:
                    # Lambda Managed Instances: the unqualified name runs $LATEST.PUBLISHED
                    # (lambdad falls back to $LATEST while none was published).
                    with contextlib.suppress(LambdaError):
                        view = await registry.get_configuration(ref.name, LATEST_PUBLISHED)
        except LambdaError as error:
            if error.reason in (Reason.FUNCTION_NOT_FOUND, Reason.ALIAS_NOT_FOUND):
                raise not_found() from error
            raise
        return view, arn, ref.qualifier or LATEST

    async def _chain(
        self, function_name: str, tracing_mode: str, incoming: str, *, check: bool
    ) -> TraceHeader:
        """The trace header the invocation runs with: the caller's (or a new one) with this
        function's count in the lineage raised by one. With `check`, a function that already
        ran MAX_CHAIN_INVOCATIONS times in the chain is stopped unless it allows loops."""
        header = invocation_header(tracing_mode, incoming)
        key = recursion.function_key(self._registry.account.function_arn(function_name))
        value = next((v for k, v in header.extra if k == recursion.LINEAGE_KEY), "")
        counts = recursion.parse_lineage(value)
        previous = counts.get(key, 0)
        if check and previous >= recursion.MAX_CHAIN_INVOCATIONS:
            setting = recursion.DEFAULT_RECURSIVE_LOOP
            if self._recursion_setting is not None:
                setting = await self._recursion_setting(function_name)
            if recursion.stops_invocation(setting, previous):
                log.warning("recursive loop stopped", function=function_name, invocations=previous)
                raise recursion.recursive_invocation_error()
        counts[key] = previous + 1
        extra = tuple(item for item in header.extra if item[0] != recursion.LINEAGE_KEY)
        lineage = ((recursion.LINEAGE_KEY, recursion.format_lineage(counts)),)
        return TraceHeader(header.root, header.parent, header.sampled, extra + lineage)

    async def _prepare(
        self, invocation: Invocation, *, streaming: bool, check_recursion: bool = True
    ) -> _Prepared:
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
        if invocation.tenant_id:
            check_tenant_id(invocation.tenant_id)
        view, arn, qualifier = await self._resolve(invocation.function_name, invocation.qualifier)
        config = view.config
        if config.state != State.ACTIVE:
            raise LambdaError(
                Reason.RESOURCE_CONFLICT,
                "The operation cannot be performed at this time. The function is currently in "
                f"the following state: {config.state}",
            )
        # Tenant-isolated functions need a tenant id; the others refuse one (one message for
        # both, as AWS documents it).
        if bool(config.tenant_isolation_mode) != bool(invocation.tenant_id):
            raise invalid_parameter(TENANT_ID_MISMATCH)
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
        chained = await self._chain(
            config.name, config.tracing_mode, invocation.trace_header, check=check_recursion
        )
        trace = self.tracer.begin(chained)
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
        # An Event invocation in a loop is accepted and stopped when it would run (run_event).
        prepared = await self._prepare(
            invocation,
            streaming=False,
            check_recursion=(invocation.invocation_type or REQUEST_RESPONSE) != EVENT,
        )
        config = prepared.view.config
        request = prepared.request
        if config.durable_config is not None and self.durable is not None:
            self._check_durable_invoke(invocation)
        if prepared.invocation_type == DRY_RUN:
            return InvokeOutcome(204, request.request_id, config.version)
        if config.durable_config is not None and self.durable is not None:
            return await self._invoke_durable(invocation, prepared)
        if invocation.durable_execution_name:
            raise LambdaError(
                Reason.INVALID_PARAMETER_VALUE,
                "DurableExecutionName is only supported for durable functions.",
            )
        if prepared.invocation_type == EVENT:
            # The 202 is a promise: the event is on disk before it is given.
            await self.events.enqueue(
                NewEvent(
                    request_id=request.request_id,
                    function_name=config.name,
                    qualifier=prepared.qualifier,
                    payload=request.payload,
                    enqueued_at=time.time(),
                    client_context=invocation.client_context,
                    tenant_id=invocation.tenant_id,
                    # Retries (and a restart) keep the trace the invocation joined.
                    trace_header=str(
                        invocation_header(config.tracing_mode, invocation.trace_header)
                    ),
                )
            )
            return InvokeOutcome(202, request.request_id, config.version)
        result = await self._run(prepared, capacity_wait_s=invocation.capacity_wait_s)
        if result.stream is not None:  # a streaming runtime answering a buffered Invoke
            chunks = [chunk async for chunk in result.stream]
            result = _buffered(result, b"".join(chunks))
        return InvokeOutcome(200, request.request_id, result.executed_version, result)

    def _check_durable_invoke(self, invocation: Invocation) -> None:
        """AWS runs durable functions only through a version, an alias or `$LATEST` named."""
        ref = self._registry.resolve(
            invocation.function_name, invocation.qualifier or None, namespaced=True
        )
        if ref.qualifier is None:
            raise LambdaError(
                Reason.INVALID_PARAMETER_VALUE,
                "You cannot invoke a durable function using an unqualified ARN. Specify a "
                "version, an alias or $LATEST.",
            )
        if invocation.durable_execution_name:
            durable_rules.check_execution_name(invocation.durable_execution_name)

    async def _invoke_durable(self, invocation: Invocation, prepared: _Prepared) -> InvokeOutcome:
        """Start (or find) a durable execution; RequestResponse waits for its end."""
        rules = durable_rules
        assert self.durable is not None
        config = prepared.view.config
        request = prepared.request
        trace_header = str(invocation_header(config.tracing_mode, invocation.trace_header))
        row = await self.durable.start_execution(
            prepared.view, invocation.durable_execution_name, request.payload, trace_header
        )
        if prepared.invocation_type == EVENT:
            return InvokeOutcome(
                202, request.request_id, config.version, durable_execution_arn=row.arn
            )
        row = await self.durable.wait_closed(row.arn, rules.sync_wait_limit(row.timeout_s))
        function_error: str | None = None
        if row.status == rules.SUCCEEDED:
            payload = (row.result or "null").encode()
        else:
            error = row.error_object or {}
            if row.status == rules.RUNNING:
                error = rules.error_object(
                    "The durable execution is still running; its result is available through "
                    "GetDurableExecution.",
                    "DurableExecutionStillRunning",
                )
            function_error = "Unhandled"
            body: dict[str, object] = {
                "errorType": error.get("ErrorType") or row.status,
                "errorMessage": error.get("ErrorMessage") or "",
            }
            if error.get("StackTrace"):
                body["stackTrace"] = error["StackTrace"]
            payload = json.dumps(body).encode()
        result = InvocationResult(
            request_id=request.request_id,
            payload=payload,
            executed_version=config.version,
            function_error=function_error,
        )
        return InvokeOutcome(
            200, request.request_id, config.version, result, durable_execution_arn=row.arn
        )

    async def run_durable(
        self, function_name: str, version: str, payload: bytes, trace_header: str
    ) -> InvocationResult:
        """One invocation of a durable execution (its handler gets the execution's state)."""
        prepared = await self._prepare(
            Invocation(
                function_name=function_name,
                qualifier=version,
                payload=payload,
                trace_header=trace_header,
            ),
            streaming=False,
        )
        result = await self._run(prepared, tail=False, capacity_wait_s=math.inf)
        if result.stream is not None:
            chunks = [chunk async for chunk in result.stream]
            result = _buffered(result, b"".join(chunks))
        return result

    async def run_plain(
        self, function_name: str, payload: bytes, tenant_id: str
    ) -> InvocationResult:
        """A chained invoke's non-durable target, run synchronously."""
        outcome = await self.invoke(
            Invocation(function_name=function_name, payload=payload, tenant_id=tenant_id)
        )
        assert outcome.result is not None
        return outcome.result

    async def resolve_target(self, function_name: str) -> tuple[VersionView, str]:
        """The configuration a chained invoke of `function_name` runs, and its ARN."""
        view, arn, _ = await self._resolve(function_name, "")
        return view, arn

    async def invoke_stream(self, invocation: Invocation) -> InvokeOutcome:
        """InvokeWithResponseStream: the result's `stream` (if any) yields the chunks."""
        prepared = await self._prepare(invocation, streaming=True)
        config = prepared.view.config
        if prepared.invocation_type == DRY_RUN:
            return InvokeOutcome(204, prepared.request.request_id, config.version)
        result = await self._run(prepared)
        return InvokeOutcome(200, prepared.request.request_id, result.executed_version, result)

    async def _run(
        self,
        prepared: _Prepared,
        *,
        tail: bool | None = None,
        capacity_wait_s: float | None = None,
        reserved_slot_wait_s: float | None = None,
    ) -> InvocationResult:
        """Run on the pool, telling the recorder (the REPORT itself reaches it from the pool)."""
        config = prepared.view.config
        request_id = prepared.request.request_id
        recorder = self.recorder
        recorder.began(
            request_id, qualifier=prepared.qualifier, invocation_type=prepared.invocation_type
        )
        try:
            result = await self._pool.invoke(
                config,
                prepared.request,
                tail=prepared.tail if tail is None else tail,
                capacity_wait_s=capacity_wait_s,
                reserved_slot_wait_s=reserved_slot_wait_s,
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

    # ------------------------------------------------------------ event queue
    async def run_event(self, event: NewEvent) -> RanEvent:
        """One attempt of a queued Event invocation (EventRunner), resolved afresh."""
        prepared = await self._prepare(
            Invocation(
                function_name=event.function_name,
                qualifier="" if event.qualifier == LATEST else event.qualifier,
                invocation_type=EVENT,
                client_context=event.client_context,
                payload=event.payload,
                request_id=event.request_id,
                tenant_id=event.tenant_id,
                trace_header=event.trace_header,
            ),
            streaming=False,
        )
        # Accepted events drain at host capacity: they wait for it, they are never dropped.
        # Not for a reserved slot: the dispatcher parks the throttled row, holding no worker.
        result = await self._run(
            prepared, tail=False, capacity_wait_s=math.inf, reserved_slot_wait_s=0.0
        )
        if result.stream is not None:  # a streaming runtime: keep the whole response
            chunks = [chunk async for chunk in result.stream]
            result = _buffered(result, b"".join(chunks))
        return RanEvent(result, prepared.view.config.dead_letter_target_arn or None)

    async def dead_letter_arn(self, function_name: str, qualifier: str) -> str | None:
        """DeadLetterConfig.TargetArn of what `qualifier` points to now (EventRunner)."""
        try:
            view, _, _ = await self._resolve(function_name, qualifier)
        except LambdaError:
            return None
        return view.config.dead_letter_target_arn or None

    def function_arn(self, function_name: str, qualifier: str) -> str:
        """The ARN records name (EventRunner)."""
        return self._registry.account.function_arn(function_name, qualifier)

    async def invoke_destination(self, destination: str, payload: bytes) -> str:
        """A Lambda destination gets the record as an Event invocation (EventRunner)."""
        sent = await self.invoke(
            Invocation(function_name=destination, invocation_type=EVENT, payload=payload)
        )
        return sent.request_id

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
