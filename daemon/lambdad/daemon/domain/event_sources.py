"""Event source mappings (ESM): the rules of Create/Get/Update/Delete/ListEventSourceMappings.

`EventSourceMappingRegistry` validates requests with AWS's messages (spec §2.3, §6.1),
stores mappings in SQLite and tells listeners (the pollers) when a mapping changes. It does
no I/O of its own: whether a queue or stream exists is asked of an `EventSourceProbe`.

States follow AWS: Create answers `Creating`, Update `Updating` (`Disabling`/`Enabling` when
it turns polling off/on), Delete `Deleting`; the poller supervisor settles them (`settle`) into
Enabled/Disabled.
"""

from __future__ import annotations

import dataclasses
import json
import re
import time
import uuid as uuidlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from lambdad.daemon.domain.event_filters import InvalidFilterPattern, parse_patterns
from lambdad.daemon.domain.names import Account, parse_function_name
from lambdad.daemon.domain.pages import Page, paginate
from lambdad.daemon.domain.tenancy import refuse_if_tenant_isolated
from lambdad.daemon.domain.validation import check_tags
from lambdad.daemon.errors import LambdaError, Reason, invalid_parameter, validation_error

if TYPE_CHECKING:
    from lambdad.daemon.domain.storage import StateStore, Transaction

SQS = "sqs"
DYNAMODB = "dynamodb"
KINESIS = "kinesis"
STREAM_SERVICES = (DYNAMODB, KINESIS)
STARTING_POSITIONS = ("LATEST", "AT_TIMESTAMP", "TRIM_HORIZON")
REPORT_BATCH_ITEM_FAILURES = "ReportBatchItemFailures"

CREATING, ENABLING, ENABLED = "Creating", "Enabling", "Enabled"
DISABLING, DISABLED, UPDATING, DELETING = "Disabling", "Disabled", "Updating", "Deleting"
TRANSITIONAL = (CREATING, ENABLING, DISABLING, UPDATING, DELETING)

UNRECOGNIZED_SOURCE = "Unrecognized event source."
FUNCTION_MISSING = "Function does not exist"
WINDOW_REQUIRED = (
    "Maximum batch window in seconds must be greater than 0 if maximum batch size is "
    "greater than 10"
)
NOT_FOUND = "The resource you requested does not exist."
DEFAULT_PAGE_SIZE = 100

_ARN_RE = re.compile(
    r"arn:aws[a-zA-Z-]*:(?P<service>[a-z0-9-]+):(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
    r"(?P<resource>.+)"
)


@dataclass(frozen=True)
class SourceArn:
    """An event source ARN, taken apart: the service and region decide the endpoint."""

    arn: str
    service: str
    region: str
    account: str
    resource: str

    @property
    def is_stream(self) -> bool:
        """DynamoDB and Kinesis streams (as opposed to SQS queues)."""
        return self.service in STREAM_SERVICES

    @property
    def queue_name(self) -> str:
        """For SQS: the queue name."""
        return self.resource

    @property
    def is_fifo(self) -> bool:
        """For SQS: whether the queue is FIFO."""
        return self.service == SQS and self.resource.endswith(".fifo")


def parse_source_arn(arn: str) -> SourceArn:
    """Parse an event source ARN; raise AWS's `Unrecognized event source.` otherwise."""
    match = _ARN_RE.fullmatch(arn or "")
    if match is None:
        raise invalid_parameter(UNRECOGNIZED_SOURCE)
    service = match["service"]
    resource = match["resource"]
    ok = (
        (service == SQS and ":" not in resource)
        or (service == DYNAMODB and "/stream/" in resource)
        or (service == KINESIS and resource.startswith("stream/"))
    )
    if not ok:
        raise invalid_parameter(UNRECOGNIZED_SOURCE)
    return SourceArn(arn, service, match["region"], match["account"], resource)


class EventSourceProbe(Protocol):
    """Checks that a queue or stream exists, raising AWS's IPVE message when it does not."""

    async def check(self, source: SourceArn) -> None: ...


class NoProbe:
    """Accepts every source (used when no endpoint is reachable, e.g. in unit tests)."""

    async def check(self, source: SourceArn) -> None:
        """Accept."""


@dataclass(frozen=True)
class EventSourceMapping:
    """One mapping as stored and as returned (AWS's EventSourceMappingConfiguration)."""

    uuid: str
    event_source_arn: str
    function_name: str  # the function's name (for listing and invoking)
    function_arn: str  # as resolved: qualified when a qualifier was given
    qualifier: str  # "" for $LATEST
    state: str
    state_transition_reason: str
    last_modified: float
    enabled: bool
    batch_size: int
    maximum_batching_window_in_seconds: int
    filters: tuple[str, ...] = ()
    function_response_types: tuple[str, ...] = ()
    starting_position: str | None = None
    starting_position_timestamp: float | None = None
    maximum_retry_attempts: int | None = None
    maximum_record_age_in_seconds: int | None = None
    bisect_batch_on_function_error: bool | None = None
    on_failure: str | None = None
    maximum_concurrency: int | None = None
    parallelization_factor: int | None = None
    tumbling_window_in_seconds: int | None = None
    last_processing_result: str | None = None
    has_filter_criteria: bool = False
    # TagResource/ListTags on the mapping's ARN (not a member of AWS's answer).
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def source(self) -> SourceArn:
        """The event source ARN, parsed."""
        return parse_source_arn(self.event_source_arn)

    @property
    def report_batch_item_failures(self) -> bool:
        """Whether the function answers partial batch failures."""
        return REPORT_BATCH_ITEM_FAILURES in self.function_response_types

    def to_json(self) -> str:
        """Stored form."""
        return json.dumps(dataclasses.asdict(self))

    @classmethod
    def from_json(cls, text: str) -> EventSourceMapping:
        """Read the stored form."""
        data = json.loads(text)
        data["filters"] = tuple(data.get("filters", ()))
        data["function_response_types"] = tuple(data.get("function_response_types", ()))
        return cls(**data)


@dataclass(frozen=True)
class MappingSettings:
    """The settings of a Create or Update request; None means "not given"."""

    function_name: str = ""
    event_source_arn: str = ""
    enabled: bool | None = None
    batch_size: int | None = None
    maximum_batching_window_in_seconds: int | None = None
    starting_position: str | None = None
    starting_position_timestamp: float | None = None
    filters: tuple[str, ...] | None = None  # None: not given; (): remove filters
    function_response_types: tuple[str, ...] | None = None
    maximum_retry_attempts: int | None = None
    maximum_record_age_in_seconds: int | None = None
    bisect_batch_on_function_error: bool | None = None
    on_failure: str | None = None
    maximum_concurrency: int | None = None
    parallelization_factor: int | None = None
    tumbling_window_in_seconds: int | None = None
    tags: dict[str, str] | None = None  # Create only
    changed: frozenset[str] = field(default_factory=frozenset)


def _bounded(value: int | None, name: str, low: int, high: int) -> None:
    if value is None:
        return
    if value < low:
        raise validation_error(
            value, name, f"Member must have value greater than or equal to {low}"
        )
    if value > high:
        raise validation_error(value, name, f"Member must have value less than or equal to {high}")


def _check_filters(filters: Sequence[str] | None) -> None:
    if filters is None:
        return
    try:
        parse_patterns(filters)
    except InvalidFilterPattern as exc:
        raise invalid_parameter(str(exc)) from exc


def _check_ranges(s: MappingSettings, source: SourceArn) -> None:
    batch_high = 10 if source.is_fifo else 10_000
    _bounded(s.batch_size, "batchSize", 1, batch_high)
    _bounded(s.maximum_batching_window_in_seconds, "maximumBatchingWindowInSeconds", 0, 300)
    _bounded(s.maximum_retry_attempts, "maximumRetryAttempts", -1, 10_000)
    _bounded(s.maximum_record_age_in_seconds, "maximumRecordAgeInSeconds", -1, 604_800)
    if s.maximum_record_age_in_seconds is not None and 0 <= s.maximum_record_age_in_seconds < 60:
        raise validation_error(
            s.maximum_record_age_in_seconds,
            "maximumRecordAgeInSeconds",
            "Member must have value greater than or equal to 60",
        )
    _bounded(s.parallelization_factor, "parallelizationFactor", 1, 10)
    _bounded(s.tumbling_window_in_seconds, "tumblingWindowInSeconds", 0, 900)
    _bounded(s.maximum_concurrency, "scalingConfig.maximumConcurrency", 2, 1000)
    types = s.function_response_types or ()
    if len(types) > 1 or any(t != REPORT_BATCH_ITEM_FAILURES for t in types):
        raise validation_error(
            list(types),
            "functionResponseTypes",
            "Member must satisfy constraint: [Member must satisfy enum value set: "
            "[ReportBatchItemFailures]]",
        )


def _check_window(batch_size: int, window: int) -> None:
    if batch_size > 10 and window < 1:
        raise invalid_parameter(WINDOW_REQUIRED)


class EventSourceMappingRegistry:
    """The ESM API's rules and storage; listeners are told of every change."""

    def __init__(
        self,
        *,
        account: Account,
        state: StateStore,
        probe: EventSourceProbe | None = None,
    ) -> None:
        self.account = account
        self._state = state
        self._probe: EventSourceProbe = probe or NoProbe()
        self._listeners: list[Callable[[EventSourceMapping | None, str], Awaitable[None]]] = []

    def on_change(
        self, listener: Callable[[EventSourceMapping | None, str], Awaitable[None]]
    ) -> None:
        """Call `listener(mapping or None when deleted, uuid)` after every change."""
        self._listeners.append(listener)

    async def _changed(self, mapping: EventSourceMapping | None, uuid: str) -> None:
        for listener in self._listeners:
            await listener(mapping, uuid)

    def _resolve_function(self, tx: Transaction, function_name: str) -> tuple[str, str, str]:
        try:
            ref = parse_function_name(self.account, function_name, None, namespaced=True)
        except LambdaError as exc:
            raise invalid_parameter(FUNCTION_MISSING) from exc
        if tx.get_function(ref.name) is None:
            raise invalid_parameter(FUNCTION_MISSING)
        qualifier = ref.qualifier or ""
        if qualifier and qualifier != "$LATEST":
            found = (
                tx.get_version(ref.name, qualifier) is not None
                or tx.get_alias(ref.name, qualifier) is not None
            )
            if not found:
                raise invalid_parameter(FUNCTION_MISSING)
        refuse_if_tenant_isolated(tx, ref.name, "mapping")
        arn = self.account.function_arn(ref.name, qualifier or None)
        return ref.name, arn, qualifier

    async def create(self, s: MappingSettings) -> EventSourceMapping:
        """CreateEventSourceMapping: validate, store in state Creating."""
        if not s.event_source_arn:
            raise invalid_parameter(UNRECOGNIZED_SOURCE)
        source = parse_source_arn(s.event_source_arn)
        if s.starting_position is not None and s.starting_position not in STARTING_POSITIONS:
            raise validation_error(
                s.starting_position,
                "startingPosition",
                "Member must satisfy enum value set: [LATEST, AT_TIMESTAMP, TRIM_HORIZON]",
            )
        if source.is_stream and s.starting_position is None:
            raise invalid_parameter(
                "1 validation error detected: Value null at 'startingPosition' failed to "
                "satisfy constraint: Member must not be null."
            )
        # SQS takes no starting position; DynamoDB Streams have no AT_TIMESTAMP (Kinesis has).
        if (not source.is_stream and s.starting_position is not None) or (
            source.service == DYNAMODB and s.starting_position == "AT_TIMESTAMP"
        ):
            raise invalid_parameter(f"Unsupported starting position for arn type: {source.arn}")
        if s.starting_position == "AT_TIMESTAMP" and s.starting_position_timestamp is None:
            raise invalid_parameter(
                "StartingPositionTimestamp must be set when StartingPosition is AT_TIMESTAMP."
            )
        _check_ranges(s, source)
        _check_filters(s.filters)
        if s.tags:
            check_tags(s.tags, {})
        batch_size = s.batch_size or (10 if not source.is_stream else 100)
        window = s.maximum_batching_window_in_seconds or 0
        if source.service == SQS:
            _check_window(batch_size, window)
        await self._state.run(lambda tx: self._resolve_function(tx, s.function_name))
        await self._probe.check(source)
        stream = source.is_stream
        on_failure = s.on_failure if stream else None
        mapping = EventSourceMapping(
            uuid=str(uuidlib.uuid4()),
            event_source_arn=source.arn,
            function_name="",
            function_arn="",
            qualifier="",
            state=CREATING,
            state_transition_reason="User action" if stream else "USER_INITIATED",
            last_modified=time.time(),
            enabled=True if s.enabled is None else s.enabled,
            batch_size=batch_size,
            maximum_batching_window_in_seconds=window,
            filters=tuple(s.filters or ()),
            has_filter_criteria=bool(s.filters),
            function_response_types=tuple(s.function_response_types or ()),
            starting_position=s.starting_position,
            starting_position_timestamp=s.starting_position_timestamp,
            maximum_retry_attempts=(
                s.maximum_retry_attempts
                if s.maximum_retry_attempts is not None
                else (-1 if stream else None)
            ),
            maximum_record_age_in_seconds=(
                s.maximum_record_age_in_seconds
                if s.maximum_record_age_in_seconds is not None
                else (-1 if stream else None)
            ),
            bisect_batch_on_function_error=(
                bool(s.bisect_batch_on_function_error) if stream else None
            ),
            on_failure=on_failure or ("" if stream else None),
            maximum_concurrency=s.maximum_concurrency if not stream else None,
            parallelization_factor=(s.parallelization_factor or 1) if stream else None,
            tumbling_window_in_seconds=(s.tumbling_window_in_seconds or 0) if stream else None,
            last_processing_result="No records processed" if stream else None,
            tags=dict(s.tags or {}),
        )

        def write(tx: Transaction) -> EventSourceMapping:
            name, arn, qualifier = self._resolve_function(tx, s.function_name)
            for other in tx.event_source_mappings():
                if other.event_source_arn == source.arn and other.function_name == name:
                    raise _duplicate(source, name, other.uuid)
            created = dataclasses.replace(
                mapping, function_name=name, function_arn=arn, qualifier=qualifier
            )
            tx.put_event_source_mapping(created)
            return created

        created = await self._state.run(write)
        await self._changed(created, created.uuid)
        return created

    async def get(self, uuid: str) -> EventSourceMapping:
        """GetEventSourceMapping."""
        found = await self._state.run(lambda tx: tx.get_event_source_mapping(uuid))
        if found is None:
            raise LambdaError(Reason.RESOURCE_NOT_FOUND, NOT_FOUND)
        return found

    async def update(self, uuid: str, s: MappingSettings) -> EventSourceMapping:
        """UpdateEventSourceMapping: only given settings change; state becomes Updating."""
        current = await self.get(uuid)
        source = current.source
        _check_ranges(s, source)
        _check_filters(s.filters)
        batch_size = s.batch_size if s.batch_size is not None else current.batch_size
        window = (
            s.maximum_batching_window_in_seconds
            if s.maximum_batching_window_in_seconds is not None
            else current.maximum_batching_window_in_seconds
        )
        if source.service == SQS:
            _check_window(batch_size, window)

        def write(tx: Transaction) -> EventSourceMapping:
            stored = tx.get_event_source_mapping(uuid)
            if stored is None:
                raise LambdaError(Reason.RESOURCE_NOT_FOUND, NOT_FOUND)
            # The poller settles a change right after it is stored; only a mapping still
            # being created or deleted refuses another change.
            if stored.state in (CREATING, DELETING):
                raise _in_use(stored)
            changes: dict[str, Any] = {
                "batch_size": batch_size,
                "maximum_batching_window_in_seconds": window,
                "state": UPDATING,
                "state_transition_reason": "USER_INITIATED"
                if source.service == SQS
                else "User action",
                "last_modified": time.time(),
            }
            if s.function_name:
                name, arn, qualifier = self._resolve_function(tx, s.function_name)
                changes.update(function_name=name, function_arn=arn, qualifier=qualifier)
            if s.enabled is not None:
                changes["enabled"] = s.enabled
                # Turning polling off or on shows as Disabling/Enabling until it has settled.
                if s.enabled != stored.enabled:
                    changes["state"] = ENABLING if s.enabled else DISABLING
            if s.filters is not None:
                changes["filters"] = tuple(s.filters)
                changes["has_filter_criteria"] = bool(s.filters)
            if s.function_response_types is not None:
                changes["function_response_types"] = tuple(s.function_response_types)
            for name in (
                "maximum_retry_attempts",
                "maximum_record_age_in_seconds",
                "bisect_batch_on_function_error",
                "parallelization_factor",
                "tumbling_window_in_seconds",
                "on_failure",
            ):
                value = getattr(s, name)
                if value is not None and source.is_stream:
                    changes[name] = value
            if s.maximum_concurrency is not None and not source.is_stream:
                changes["maximum_concurrency"] = s.maximum_concurrency
            updated = dataclasses.replace(stored, **changes)
            tx.put_event_source_mapping(updated)
            return updated

        updated = await self._state.run(write)
        await self._changed(updated, uuid)
        return updated

    async def delete(self, uuid: str) -> EventSourceMapping:
        """DeleteEventSourceMapping: answers the mapping in state Deleting, then removes it."""

        def write(tx: Transaction) -> EventSourceMapping:
            stored = tx.get_event_source_mapping(uuid)
            if stored is None:
                raise LambdaError(Reason.RESOURCE_NOT_FOUND, NOT_FOUND)
            if stored.state == DELETING:
                raise _in_use(stored)
            tx.delete_event_source_mapping(uuid)
            return dataclasses.replace(stored, state=DELETING, last_modified=time.time())

        deleted = await self._state.run(write)
        await self._changed(None, uuid)
        return deleted

    async def list_mappings(
        self, *, event_source_arn: str, function_name: str, page_token: str, page_size: int
    ) -> Page[EventSourceMapping]:
        """ListEventSourceMappings, by UUID."""
        name = ""
        if function_name:
            try:
                name = parse_function_name(self.account, function_name, None, namespaced=True).name
            except LambdaError:
                name = function_name

        def read(tx: Transaction) -> list[EventSourceMapping]:
            return [
                m
                for m in tx.event_source_mappings()
                if (not event_source_arn or m.event_source_arn == event_source_arn)
                and (not name or m.function_name == name)
            ]

        # paginate cuts a list sorted by its key; UUID order is stable across updates.
        items = sorted(await self._state.run(read), key=lambda m: m.uuid)
        return paginate(items, lambda m: m.uuid, page_token, page_size or DEFAULT_PAGE_SIZE)

    async def all(self) -> list[EventSourceMapping]:
        """Every stored mapping (for the poller supervisor at start)."""
        return await self._state.run(lambda tx: tx.event_source_mappings())

    async def settle(self, uuid: str, *, last_processing_result: str | None = None) -> None:
        """Move a mapping out of its transitional state (Enabled or Disabled)."""

        def write(tx: Transaction) -> None:
            stored = tx.get_event_source_mapping(uuid)
            if stored is None:
                return
            state = ENABLED if stored.enabled else DISABLED
            result = last_processing_result or stored.last_processing_result
            if stored.state == state and result == stored.last_processing_result:
                return
            tx.put_event_source_mapping(
                dataclasses.replace(stored, state=state, last_processing_result=result)
            )

        await self._state.run(write)

    async def checkpoint(self, uuid: str, shard_id: str) -> str | None:
        """The last sequence number delivered for a shard, if any."""
        return await self._state.run(lambda tx: tx.get_shard_checkpoint(uuid, shard_id))

    async def save_checkpoint(self, uuid: str, shard_id: str, sequence_number: str) -> None:
        """Remember the last sequence number delivered for a shard."""
        await self._state.run(lambda tx: tx.put_shard_checkpoint(uuid, shard_id, sequence_number))


def _duplicate(source: SourceArn, function_name: str, uuid: str) -> LambdaError:
    if source.service == SQS:
        message = (
            f'An event source mapping with SQS arn (" {source.arn} ") and function '
            f'(" {function_name} ") already exists. Please update or delete the existing '
            f"mapping with UUID {uuid}"
        )
    else:
        message = (
            f'The event source arn (" {source.arn} ") and function (" {function_name} ") '
            f"provided mapping already exists. Please update or delete the existing mapping "
            f"with UUID {uuid}"
        )
    return LambdaError(Reason.RESOURCE_CONFLICT, message)


def _in_use(mapping: EventSourceMapping) -> LambdaError:
    return LambdaError(
        Reason.RESOURCE_IN_USE,
        f"Cannot update the event source mapping because it is in use: {mapping.uuid}",
    )
