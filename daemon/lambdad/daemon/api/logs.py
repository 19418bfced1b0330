"""LogService: proto <-> `FunctionLogEvents` (services/logs.py, where CloudWatch Logs' rules
live)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import grpc

from lambdad.client.contract import REQUEST_ID_HEADER
from lambdad.daemon.api.status import rpc, rpc_stream
from lambdad.daemon.services.logs import FunctionLogEvents, event_id
from lambdad.v1 import log_service_pb2 as pb
from lambdad.v1 import log_service_pb2_grpc as pb_grpc

Context = grpc.aio.ServicerContext


def _optional(request: object, name: str) -> int | None:
    return getattr(request, name) if request.HasField(name) else None  # type: ignore[attr-defined]


class LogServicer(pb_grpc.LogServiceServicer):
    """gRPC face of `FunctionLogEvents`."""

    def __init__(self, logs: FunctionLogEvents) -> None:
        self._logs = logs

    @rpc
    async def DescribeLogGroups(
        self, request: pb.DescribeLogGroupsRequest, context: Context
    ) -> pb.DescribeLogGroupsResponse:
        page = await self._logs.describe_groups(
            prefix=request.log_group_name_prefix,
            pattern=request.log_group_name_pattern,
            identifiers=list(request.log_group_identifiers),
            log_group_class=request.log_group_class,
            next_token=request.next_token,
            limit=_optional(request, "limit"),
        )
        days = self._logs.retention_days
        response = pb.DescribeLogGroupsResponse(
            log_groups=[
                pb.LogGroup(
                    log_group_name=group.name,
                    creation_time=group.created_ms,
                    retention_in_days=days if days > 0 else None,
                    metric_filter_count=0,
                    arn=self._logs.group_arn(group.name) + ":*",
                    stored_bytes=group.stored_bytes,
                    log_group_class="STANDARD",
                    log_group_arn=self._logs.group_arn(group.name),
                )
                for group in page.groups
            ]
        )
        if page.next_token:
            response.next_token = page.next_token
        return response

    @rpc
    async def DescribeLogStreams(
        self, request: pb.DescribeLogStreamsRequest, context: Context
    ) -> pb.DescribeLogStreamsResponse:
        group, page = await self._logs.describe_streams(
            group_name=request.log_group_name,
            group_identifier=request.log_group_identifier,
            prefix=request.log_stream_name_prefix,
            order_by=request.order_by,
            descending=request.descending,
            next_token=request.next_token,
            limit=_optional(request, "limit"),
        )
        response = pb.DescribeLogStreamsResponse(
            log_streams=[
                pb.LogStream(
                    log_stream_name=stream.name,
                    creation_time=stream.created_ms,
                    first_event_timestamp=stream.first_ms,
                    last_event_timestamp=stream.last_ms,
                    last_ingestion_time=stream.last_ingestion_ms,
                    arn=self._logs.stream_arn(group, stream.name),
                    stored_bytes=0,
                )
                for stream in page.streams
            ]
        )
        if page.next_token:
            response.next_token = page.next_token
        return response

    @rpc
    async def GetLogEvents(
        self, request: pb.GetLogEventsRequest, context: Context
    ) -> pb.GetLogEventsResponse:
        page = await self._logs.get_events(
            group_name=request.log_group_name,
            group_identifier=request.log_group_identifier,
            stream=request.log_stream_name,
            start_ms=_optional(request, "start_time"),
            end_ms=_optional(request, "end_time"),
            next_token=request.next_token,
            limit=_optional(request, "limit"),
            start_from_head=request.start_from_head,
        )
        return pb.GetLogEventsResponse(
            events=[
                pb.OutputLogEvent(
                    timestamp=e.timestamp_ms, message=e.message, ingestion_time=e.ingestion_ms
                )
                for e in page.events
            ],
            next_forward_token=page.forward_token,
            next_backward_token=page.backward_token,
        )

    @rpc
    async def FilterLogEvents(
        self, request: pb.FilterLogEventsRequest, context: Context
    ) -> pb.FilterLogEventsResponse:
        page = await self._logs.filter_events(
            group_name=request.log_group_name,
            group_identifier=request.log_group_identifier,
            streams=list(request.log_stream_names),
            stream_prefix=request.log_stream_name_prefix,
            start_ms=_optional(request, "start_time"),
            end_ms=_optional(request, "end_time"),
            pattern=request.filter_pattern,
            next_token=request.next_token,
            limit=_optional(request, "limit"),
        )
        response = pb.FilterLogEventsResponse(
            events=[
                pb.FilteredLogEvent(
                    log_stream_name=e.stream,
                    timestamp=e.timestamp_ms,
                    message=e.message,
                    ingestion_time=e.ingestion_ms,
                    event_id=event_id(e),
                )
                for e in page.events
            ]
        )
        if page.next_token:
            response.next_token = page.next_token
        return response

    @rpc_stream
    async def StartLiveTail(
        self, request: pb.StartLiveTailRequest, context: Context
    ) -> AsyncIterator[pb.StartLiveTailResponse]:
        batches = await self._logs.live_tail(
            identifiers=list(request.log_group_identifiers),
            streams=list(request.log_stream_names),
            prefixes=list(request.log_stream_name_prefixes),
            pattern=request.log_event_filter_pattern,
        )
        metadata = dict(context.invocation_metadata() or ())
        yield pb.StartLiveTailResponse(
            session_start=pb.LiveTailSessionStart(
                request_id=str(metadata.get(REQUEST_ID_HEADER, "")),
                session_id=self._logs.new_session_id(),
                log_group_identifiers=request.log_group_identifiers,
                log_stream_names=request.log_stream_names,
                log_stream_name_prefixes=request.log_stream_name_prefixes,
                log_event_filter_pattern=request.log_event_filter_pattern,
            )
        )
        async for batch in batches:
            yield pb.StartLiveTailResponse(
                session_update=pb.LiveTailSessionUpdate(
                    session_metadata=pb.LiveTailSessionMetadata(sampled=False),
                    session_results=[
                        pb.LiveTailSessionLogEvent(
                            log_stream_name=e.stream,
                            log_group_identifier=e.group_identifier,
                            message=e.message,
                            timestamp=e.timestamp_ms,
                            ingestion_time=e.ingestion_ms,
                        )
                        for e in batch
                    ],
                )
            )
