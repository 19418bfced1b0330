"""EventSourceService: proto <-> domain for event source mappings, nothing else."""

from __future__ import annotations

from typing import Any

import grpc

from lambdad.daemon.api.status import rpc
from lambdad.daemon.domain import arns
from lambdad.daemon.domain.event_sources import (
    EventSourceMapping,
    EventSourceMappingRegistry,
    MappingSettings,
)
from lambdad.v1 import event_source_service_pb2 as pb
from lambdad.v1 import event_source_service_pb2_grpc as pb_grpc

Context = grpc.aio.ServicerContext

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
    return MappingSettings(function_name=request.function_name, **values)


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
    return message


class EventSourceServicer(pb_grpc.EventSourceServiceServicer):
    """Thin servicer over EventSourceMappingRegistry."""

    def __init__(self, registry: EventSourceMappingRegistry) -> None:
        self._registry = registry

    @rpc
    async def CreateEventSourceMapping(
        self, request: pb.CreateEventSourceMappingRequest, context: Context
    ) -> pb.CreateEventSourceMappingResponse:
        settings = _settings(request, create=True)
        settings = MappingSettings(
            **{**settings.__dict__, "event_source_arn": request.event_source_arn}
        )
        mapping = await self._registry.create(settings)
        return pb.CreateEventSourceMappingResponse(event_source_mapping=mapping_message(mapping))

    @rpc
    async def GetEventSourceMapping(
        self, request: pb.GetEventSourceMappingRequest, context: Context
    ) -> pb.GetEventSourceMappingResponse:
        mapping = await self._registry.get(request.uuid)
        return pb.GetEventSourceMappingResponse(event_source_mapping=mapping_message(mapping))

    @rpc
    async def UpdateEventSourceMapping(
        self, request: pb.UpdateEventSourceMappingRequest, context: Context
    ) -> pb.UpdateEventSourceMappingResponse:
        mask = frozenset(request.update_mask.paths) if request.HasField("update_mask") else None
        mapping = await self._registry.update(request.uuid, _settings(request, mask=mask))
        return pb.UpdateEventSourceMappingResponse(event_source_mapping=mapping_message(mapping))

    @rpc
    async def DeleteEventSourceMapping(
        self, request: pb.DeleteEventSourceMappingRequest, context: Context
    ) -> pb.DeleteEventSourceMappingResponse:
        mapping = await self._registry.delete(request.uuid)
        return pb.DeleteEventSourceMappingResponse(event_source_mapping=mapping_message(mapping))

    @rpc
    async def ListEventSourceMappings(
        self, request: pb.ListEventSourceMappingsRequest, context: Context
    ) -> pb.ListEventSourceMappingsResponse:
        page = await self._registry.list_mappings(
            event_source_arn=request.event_source_arn,
            function_name=request.function_name,
            page_token=request.page_token,
            page_size=request.page_size,
        )
        return pb.ListEventSourceMappingsResponse(
            event_source_mappings=[mapping_message(m) for m in page.items],
            next_page_token=page.next_token,
        )
