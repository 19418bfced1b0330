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

from lambdad.daemon.domain import event_source_kinds as kinds
from lambdad.daemon.domain import validation
from lambdad.daemon.domain.event_filters import InvalidFilterPattern, parse_patterns
from lambdad.daemon.domain.event_source_kinds import (
    DOCUMENTDB,
    DYNAMODB,
    KAFKA,
    KAFKA_SERVICES,
    KINESIS,
    MQ,
    POLLED_SERVICES,
    QUEUE_MODE,
    SELF_MANAGED_KAFKA,
    SQS,
)
from lambdad.daemon.domain.names import Account, parse_function_name
from lambdad.daemon.domain.pages import Page, paginate
from lambdad.daemon.domain.tenancy import refuse_if_tenant_isolated
from lambdad.daemon.domain.validation import check_tags
from lambdad.daemon.errors import LambdaError, Reason, invalid_parameter, validation_error

if TYPE_CHECKING:
    from lambdad.daemon.domain.storage import StateStore, Transaction

__all__ = ["DYNAMODB", "KINESIS", "SQS"]  # the pollers import these names from here
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
    def polled_locally(self) -> bool:
        """SQS, Kinesis and DynamoDB; lambdad stores the other sources' mappings only."""
        return self.service in POLLED_SERVICES

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
        or (service == KAFKA and resource.startswith(("cluster/", "vpc-connection/")))
        or (service == MQ and resource.startswith("broker:"))
        or (service == DOCUMENTDB and resource.startswith("cluster:"))
    )
    if not ok:
        raise invalid_parameter(UNRECOGNIZED_SOURCE)
    return SourceArn(arn, service, match["region"], match["account"], resource)


# A self-managed Kafka mapping has no ARN; its source is the SelfManagedEventSource.
SELF_MANAGED_SOURCE = SourceArn("", SELF_MANAGED_KAFKA, "", "", "")


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
    # Members stored and returned as AWS does (structures in AWS's member names).
    kms_key_arn: str | None = None
    metrics: tuple[str, ...] | None = None  # MetricsConfig.Metrics; None: no MetricsConfig
    system_log_level: str | None = None  # LoggingConfig.SystemLogLevel; None: no LoggingConfig
    provisioned_poller_config: dict[str, Any] | None = None
    topics: tuple[str, ...] = ()
    queues: tuple[str, ...] = ()
    source_access_configurations: tuple[dict[str, str], ...] = ()
    self_managed_endpoints: dict[str, list[str]] | None = None
    amazon_managed_kafka_config: dict[str, Any] | None = None
    self_managed_kafka_config: dict[str, Any] | None = None
    document_db_config: dict[str, Any] | None = None
    on_success: str | None = None  # Kafka: DestinationConfig.OnSuccess

    @property
    def source(self) -> SourceArn:
        """The event source ARN, parsed (SELF_MANAGED_SOURCE for self-managed Kafka)."""
        if not self.event_source_arn:
            return SELF_MANAGED_SOURCE
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
        for name in ("topics", "queues", "source_access_configurations"):
            data[name] = tuple(data.get(name, ()))
        if data.get("metrics") is not None:
            data["metrics"] = tuple(data["metrics"])
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
    kms_key_arn: str | None = None  # "" on Update removes the key
    metrics: tuple[str, ...] | None = None
    system_log_level: str | None = None
    provisioned_poller_config: dict[str, Any] | None = None
    topics: tuple[str, ...] | None = None  # Create only
    queues: tuple[str, ...] | None = None  # Create only
    source_access_configurations: tuple[dict[str, str], ...] | None = None
    self_managed_endpoints: dict[str, list[str]] | None = None  # Create only
    amazon_managed_kafka_config: dict[str, Any] | None = None
    self_managed_kafka_config: dict[str, Any] | None = None
    document_db_config: dict[str, Any] | None = None
    on_success: str | None = None
    changed: frozenset[str] = field(default_factory=frozenset)

    def source_members(self) -> dict[str, Any]:
        """The members whose rules depend on the kind of source (event_source_kinds)."""
        return {name: getattr(self, name) for name in SOURCE_MEMBERS}


# Members checked by event_source_kinds.check_members, plus what their rules look at.
SOURCE_MEMBERS = (
    "kms_key_arn",
    "metrics",
    "system_log_level",
    "provisioned_poller_config",
    "topics",
    "queues",
    "source_access_configurations",
    "self_managed_endpoints",
    "amazon_managed_kafka_config",
    "self_managed_kafka_config",
    "document_db_config",
    "on_success",
    "maximum_concurrency",
    "parallelization_factor",
    "tumbling_window_in_seconds",
    "bisect_batch_on_function_error",
    "maximum_retry_attempts",
    "maximum_record_age_in_seconds",
    "on_failure",
    "function_response_types",
)


def _bounded(value: int | None, name: str, low: int, high: int) -> None:
    if value is not None:
        validation.check_range(value, name, (low, high))


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
        if s.event_source_arn and s.self_managed_endpoints is not None:
            raise invalid_parameter(kinds.BOTH_SOURCES)
        if s.event_source_arn:
            source = parse_source_arn(s.event_source_arn)
        elif s.self_managed_endpoints is not None:
            source = SELF_MANAGED_SOURCE
        else:
            raise invalid_parameter(UNRECOGNIZED_SOURCE)
        kinds.check_members(source.service, s.source_members(), creating=True)
        queue_mode = (s.self_managed_kafka_config or {}).get("ConsumptionMode") == QUEUE_MODE
        if queue_mode:
            # Kafka share groups have no positions and no batching window (model docs).
            for member, value in (
                ("startingPosition", s.starting_position),
                ("startingPositionTimestamp", s.starting_position_timestamp),
                ("maximumBatchingWindowInSeconds", s.maximum_batching_window_in_seconds),
            ):
                if value is not None:
                    raise kinds.unsupported(member)
        if s.starting_position is not None and s.starting_position not in STARTING_POSITIONS:
            raise validation_error(
                s.starting_position,
                "startingPosition",
                "Member must satisfy enum value set: [LATEST, AT_TIMESTAMP, TRIM_HORIZON]",
            )
        # Kafka (MSK and self-managed): StartingPosition is "Required: Y" in the developer
        # guide's parameter tables. DocumentDB: not confirmed from a source, kept as before.
        needs_position = source.is_stream or (
            source.service in (*KAFKA_SERVICES, DOCUMENTDB) and not queue_mode
        )
        if needs_position and s.starting_position is None:
            raise invalid_parameter(
                "1 validation error detected: Value null at 'startingPosition' failed to "
                "satisfy constraint: Member must not be null."
            )
        # SQS takes no starting position; DynamoDB Streams have no AT_TIMESTAMP (Kinesis has).
        if (source.service in (SQS, MQ) and s.starting_position is not None) or (
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
        batch_size = s.batch_size or (10 if source.service == SQS else 100)
        window = s.maximum_batching_window_in_seconds or 0
        if source.service == SQS:
            _check_window(batch_size, window)
        await self._state.run(lambda tx: self._resolve_function(tx, s.function_name))
        if source.polled_locally:
            await self._probe.check(source)
        stream = source.is_stream
        kafka = source.service in KAFKA_SERVICES
        on_failure = s.on_failure if stream or kafka else None
        new_uuid = str(uuidlib.uuid4())
        mapping = EventSourceMapping(
            uuid=new_uuid,
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
                bool(s.bisect_batch_on_function_error)
                if stream
                else (s.bisect_batch_on_function_error if kafka else None)
            ),
            on_failure=on_failure or ("" if stream else None),
            maximum_concurrency=s.maximum_concurrency if source.service == SQS else None,
            parallelization_factor=(s.parallelization_factor or 1) if stream else None,
            tumbling_window_in_seconds=(s.tumbling_window_in_seconds or 0) if stream else None,
            last_processing_result="No records processed" if stream else None,
            tags=dict(s.tags or {}),
            kms_key_arn=s.kms_key_arn or None,
            metrics=s.metrics,
            system_log_level=s.system_log_level,
            provisioned_poller_config=s.provisioned_poller_config,
            topics=tuple(s.topics or ()),
            queues=tuple(s.queues or ()),
            source_access_configurations=tuple(s.source_access_configurations or ()),
            self_managed_endpoints=s.self_managed_endpoints,
            # Without a consumer group AWS joins one named after the mapping's UUID.
            amazon_managed_kafka_config=_kafka_config(s.amazon_managed_kafka_config, new_uuid)
            if source.service == KAFKA
            else None,
            self_managed_kafka_config=_kafka_config(s.self_managed_kafka_config, new_uuid)
            if source.service == SELF_MANAGED_KAFKA
            else None,
            document_db_config=_document_db_config(s.document_db_config)
            if source.service == DOCUMENTDB
            else None,
            on_success=s.on_success if kafka else None,
        )

        def write(tx: Transaction) -> EventSourceMapping:
            name, arn, qualifier = self._resolve_function(tx, s.function_name)
            for other in tx.event_source_mappings():
                same_source = (
                    other.event_source_arn == mapping.event_source_arn
                    and other.self_managed_endpoints == mapping.self_managed_endpoints
                    and other.topics == mapping.topics
                    and other.queues == mapping.queues
                )
                if same_source and other.function_name == name:
                    raise _duplicate(source, name, arn, mapping.topics, other.uuid)
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
        kinds.check_members(
            source.service,
            s.source_members(),
            creating=False,
            stored=dataclasses.asdict(current),
        )
        queue_mode = (current.self_managed_kafka_config or {}).get("ConsumptionMode") == QUEUE_MODE
        if queue_mode and s.maximum_batching_window_in_seconds is not None:
            raise kinds.unsupported("maximumBatchingWindowInSeconds")
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
                "state_transition_reason": "User action" if source.is_stream else "USER_INITIATED",
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
                # Kafka takes the retry settings too (its shard ones are refused above).
                if value is not None and (source.is_stream or source.service in KAFKA_SERVICES):
                    changes[name] = value
            if s.maximum_concurrency is not None and source.service == SQS:
                changes["maximum_concurrency"] = s.maximum_concurrency
            changes.update(_source_member_changes(s, stored))
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

    async def record_result(self, uuid: str, result: str) -> None:
        """A stream mapping's LastProcessingResult after a batch (its state is left alone)."""

        def write(tx: Transaction) -> None:
            stored = tx.get_event_source_mapping(uuid)
            if stored is not None and stored.last_processing_result != result:
                tx.put_event_source_mapping(
                    dataclasses.replace(stored, last_processing_result=result)
                )

        await self._state.run(write)

    async def checkpoint(self, uuid: str, shard_id: str) -> str | None:
        """The last sequence number delivered for a shard, if any."""
        return await self._state.run(lambda tx: tx.get_shard_checkpoint(uuid, shard_id))

    async def save_checkpoint(self, uuid: str, shard_id: str, sequence_number: str) -> None:
        """Remember the last sequence number delivered for a shard."""
        await self._state.run(lambda tx: tx.put_shard_checkpoint(uuid, shard_id, sequence_number))


def _kafka_config(given: dict[str, Any] | None, uuid: str) -> dict[str, Any]:
    config = dict(given or {})
    if not config.get("ConsumerGroupId"):
        config["ConsumerGroupId"] = uuid
    return config


def _document_db_config(given: dict[str, Any] | None) -> dict[str, Any]:
    config = dict(given or {})
    # AWS sends only the changes of an update unless asked for UpdateLookup.
    config.setdefault("FullDocument", "Default")
    return config


def _source_member_changes(s: MappingSettings, stored: EventSourceMapping) -> dict[str, Any]:
    """Update: the source-specific members that were given (checked already)."""
    changes: dict[str, Any] = {}
    if s.kms_key_arn is not None:
        changes["kms_key_arn"] = s.kms_key_arn or None  # "" removes the key
    for name in ("metrics", "system_log_level", "provisioned_poller_config"):
        if getattr(s, name) is not None:
            changes[name] = getattr(s, name)
    if s.source_access_configurations is not None:
        changes["source_access_configurations"] = tuple(s.source_access_configurations)
    # A source's config is merged: members given replace the stored ones, the rest stay.
    for name in ("amazon_managed_kafka_config", "self_managed_kafka_config", "document_db_config"):
        given, current = getattr(s, name), getattr(stored, name)
        if given is not None and current is not None:
            changes[name] = {**current, **{k: v for k, v in given.items() if v is not None}}
    # (OnFailure is among the retry settings `update` copies for streams and Kafka.)
    if s.on_success is not None and stored.source.service in KAFKA_SERVICES:
        changes["on_success"] = s.on_success
    return changes


def _duplicate(
    source: SourceArn,
    function_name: str,
    function_arn: str,
    topics: tuple[str, ...],
    uuid: str,
) -> LambdaError:
    if source.service == KAFKA:
        # Recorded from AWS in aws/aws-sam-cli#2308: the function's ARN, and the topic.
        message = (
            f'An event source mapping with event source arn ("{source.arn}"), function '
            f'("{function_arn}") and topics ("{",".join(topics)}") already exists. '
            f"Please update or delete the existing mapping with UUID {uuid}"
        )
    elif source.service == SQS:
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
