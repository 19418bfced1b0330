"""EventSourceService: proto <-> domain for event source mappings, nothing else."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from google.protobuf import json_format

from lambdad.daemon.api.status import UnaryCall, unary_table
from lambdad.daemon.domain import arns
from lambdad.daemon.domain.event_sources import (
    EventSourceMapping,
    EventSourceMappingRegistry,
    MappingSettings,
)
from lambdad.v1 import event_source_service_pb2 as pb
from lambdad.v1 import event_source_service_pb2_grpc as pb_grpc

_OPTIONAL_SCALARS = (
    "enabled",
    "batch_size",
    "maximum_batching_window_in_seconds",
    "starting_position",
    "starting_position_timestamp",
    "maximum_retry_attempts",
    "maximum_record_age_in_seconds",
    "bisect_batch_on_function_error",
    "parallelization_factor",
    "tumbling_window_in_seconds",
)


def _settings(
    request: pb.CreateEventSourceMappingRequest | pb.UpdateEventSourceMappingRequest,
    *,
    mask: frozenset[str] | None = None,
    create: bool = False,
) -> MappingSettings:
    values: dict[str, Any] = {
        name: getattr(request, name)
        for name in _OPTIONAL_SCALARS
        if name in request.DESCRIPTOR.fields_by_name and request.HasField(name)
    }
    if request.HasField("filter_criteria"):
        values["filters"] = tuple(f.pattern for f in request.filter_criteria.filters)
    # An empty list is a value only on Create or when the gateway's mask names it.
    if create or request.function_response_types or "function_response_types" in (mask or ()):
        values["function_response_types"] = tuple(request.function_response_types)
    if request.HasField("destination_config"):
        values["on_failure"] = request.destination_config.on_failure.destination
    if request.HasField("scaling_config") and request.scaling_config.HasField(
        "maximum_concurrency"
    ):
        values["maximum_concurrency"] = request.scaling_config.maximum_concurrency
    if create and isinstance(request, pb.CreateEventSourceMappingRequest) and request.tags:
        values["tags"] = dict(request.tags)
    if request.HasField("destination_config") and request.destination_config.HasField("on_success"):
        values["on_success"] = request.destination_config.on_success.destination
    values.update(_source_members(request, mask))
    return MappingSettings(function_name=request.function_name, **values)


def _source_members(
    request: pb.CreateEventSourceMappingRequest | pb.UpdateEventSourceMappingRequest,
    mask: frozenset[str] | None,
) -> dict[str, Any]:
    """The members whose rules depend on the kind of source, in domain form."""
    values: dict[str, Any] = {}
    if request.HasField("kms_key_arn"):
        values["kms_key_arn"] = request.kms_key_arn
    if request.HasField("metrics_config"):
        values["metrics"] = tuple(request.metrics_config.metrics)
    if request.HasField("logging_config"):
        values["system_log_level"] = request.logging_config.system_log_level
    if request.HasField("provisioned_poller_config"):
        values["provisioned_poller_config"] = _present(request.provisioned_poller_config)
    given_access = request.source_access_configurations or "source_access_configurations" in (
        mask or ()
    )
    if given_access:
        values["source_access_configurations"] = tuple(
            _present(c) for c in request.source_access_configurations
        )
    if request.HasField("amazon_managed_kafka_event_source_config"):
        values["amazon_managed_kafka_config"] = _present(
            request.amazon_managed_kafka_event_source_config
        )
    if request.HasField("self_managed_kafka_event_source_config"):
        values["self_managed_kafka_config"] = _present(
            request.self_managed_kafka_event_source_config
        )
    if request.HasField("document_db_event_source_config"):
        values["document_db_config"] = _present(request.document_db_event_source_config)
    if isinstance(request, pb.CreateEventSourceMappingRequest):
        if request.topics:
            values["topics"] = tuple(request.topics)
        if request.queues:
            values["queues"] = tuple(request.queues)
        if request.HasField("self_managed_event_source"):
            values["self_managed_endpoints"] = {
                key: json_format.MessageToDict(servers)
                for key, servers in request.self_managed_event_source.endpoints.items()
            }
    return values


def _present(message: Any) -> dict[str, Any]:
    """A structure's members as AWS names them, only those given (empty strings too)."""
    return json_format.MessageToDict(message, preserving_proto_field_name=False)


def mapping_message(mapping: EventSourceMapping) -> pb.EventSourceMapping:
    """The proto form of a mapping."""
    message = pb.EventSourceMapping(
        uuid=mapping.uuid,
        # Same partition, region and account as the function.
        event_source_mapping_arn=arns.sibling_arn(
            mapping.function_arn, f"event-source-mapping:{mapping.uuid}"
        ),
        event_source_arn=mapping.event_source_arn,
        function_arn=mapping.function_arn,
        state=mapping.state,
        state_transition_reason=mapping.state_transition_reason,
        last_modified=mapping.last_modified,
        batch_size=mapping.batch_size,
        maximum_batching_window_in_seconds=mapping.maximum_batching_window_in_seconds,
        function_response_types=list(mapping.function_response_types),
    )
    for name in (
        "last_processing_result",
        "starting_position",
        "starting_position_timestamp",
        "maximum_retry_attempts",
        "maximum_record_age_in_seconds",
        "bisect_batch_on_function_error",
        "parallelization_factor",
        "tumbling_window_in_seconds",
    ):
        value = getattr(mapping, name)
        if value is not None:
            setattr(message, name, value)
    if mapping.has_filter_criteria:
        message.filter_criteria.filters.extend(pb.Filter(pattern=p) for p in mapping.filters)
    if mapping.on_failure is not None:
        # Stream mappings always show `"DestinationConfig": {"OnFailure": {}}` at least.
        message.destination_config.on_failure.SetInParent()
        message.destination_config.on_failure.destination = mapping.on_failure
    if mapping.maximum_concurrency is not None:
        message.scaling_config.maximum_concurrency = mapping.maximum_concurrency
    _add_source_members(message, mapping)
    return message


def _add_source_members(message: pb.EventSourceMapping, mapping: EventSourceMapping) -> None:
    """The members only some kinds of source have (event_source_kinds)."""
    if mapping.kms_key_arn is not None:
        message.kms_key_arn = mapping.kms_key_arn
    if mapping.metrics is not None:
        message.metrics_config.SetInParent()
        message.metrics_config.metrics.extend(mapping.metrics)
    if mapping.system_log_level is not None:
        message.logging_config.SetInParent()
        message.logging_config.system_log_level = mapping.system_log_level
    if mapping.provisioned_poller_config is not None:
        message.provisioned_poller_config.SetInParent()
        json_format.ParseDict(mapping.provisioned_poller_config, message.provisioned_poller_config)
    message.topics.extend(mapping.topics)
    message.queues.extend(mapping.queues)
    for configuration in mapping.source_access_configurations:
        json_format.ParseDict(configuration, message.source_access_configurations.add())
    if mapping.self_managed_endpoints is not None:
        message.self_managed_event_source.SetInParent()
        for key, servers in mapping.self_managed_endpoints.items():
            message.self_managed_event_source.endpoints[key].extend(servers)
    for config, target in (
        (mapping.amazon_managed_kafka_config, message.amazon_managed_kafka_event_source_config),
        (mapping.self_managed_kafka_config, message.self_managed_kafka_event_source_config),
        (mapping.document_db_config, message.document_db_event_source_config),
    ):
        if config is not None:
            target.SetInParent()
            json_format.ParseDict(config, target)
    if mapping.on_success is not None:
        message.destination_config.on_success.SetInParent()
        message.destination_config.on_success.destination = mapping.on_success


def _created(request: pb.CreateEventSourceMappingRequest) -> MappingSettings:
    settings = _settings(request, create=True)
    return MappingSettings(**{**settings.__dict__, "event_source_arn": request.event_source_arn})


def _updated(request: pb.UpdateEventSourceMappingRequest) -> MappingSettings:
    mask = frozenset(request.update_mask.paths) if request.HasField("update_mask") else None
    return _settings(request, mask=mask)


def _answer(response: type[Any]) -> Callable[[object, EventSourceMapping], Any]:
    """The response carrying one mapping."""
    return lambda _, mapping: response(event_source_mapping=mapping_message(mapping))


# Every RPC: one registry call and its mapping(s) as the response.
_CALLS: Mapping[str, UnaryCall[EventSourceMappingRegistry]] = {
    "CreateEventSourceMapping": UnaryCall(
        lambda registry, r: registry.create(_created(r)),
        _answer(pb.CreateEventSourceMappingResponse),
    ),
    "GetEventSourceMapping": UnaryCall(
        lambda registry, r: registry.get(r.uuid), _answer(pb.GetEventSourceMappingResponse)
    ),
    "UpdateEventSourceMapping": UnaryCall(
        lambda registry, r: registry.update(r.uuid, _updated(r)),
        _answer(pb.UpdateEventSourceMappingResponse),
    ),
    "DeleteEventSourceMapping": UnaryCall(
        lambda registry, r: registry.delete(r.uuid), _answer(pb.DeleteEventSourceMappingResponse)
    ),
    "ListEventSourceMappings": UnaryCall(
        lambda registry, r: registry.list_mappings(
            event_source_arn=r.event_source_arn,
            function_name=r.function_name,
            page_token=r.page_token,
            page_size=r.page_size,
        ),
        lambda _, page: pb.ListEventSourceMappingsResponse(
            event_source_mappings=[mapping_message(m) for m in page.items],
            next_page_token=page.next_token,
        ),
    ),
}


@unary_table(lambda servicer: servicer._registry, _CALLS)
class EventSourceServicer(pb_grpc.EventSourceServiceServicer):
    """Thin servicer over EventSourceMappingRegistry: the rows of `_CALLS`."""

    def __init__(self, registry: EventSourceMappingRegistry) -> None:
        self._registry = registry
