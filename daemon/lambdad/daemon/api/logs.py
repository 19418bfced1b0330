"""LogService: proto <-> `FunctionLogEvents` (services/logs.py, where CloudWatch Logs' rules
live)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping

import grpc

from lambdad.client.contract import REQUEST_ID_HEADER
from lambdad.daemon.api.status import UnaryCall, rpc_stream, unary_table
from lambdad.daemon.services.logs import (
    EventsPage,
    FilteredPage,
    FunctionLogEvents,
    GroupsPage,
    StreamsPage,
    event_id,
)
from lambdad.v1 import log_service_pb2 as pb
from lambdad.v1 import log_service_pb2_grpc as pb_grpc

Context = grpc.aio.ServicerContext


def _optional(request: object, name: str) -> int | None:
    return getattr(request, name) if request.HasField(name) else None  # type: ignore[attr-defined]


def _groups(logs: FunctionLogEvents, page: GroupsPage) -> pb.DescribeLogGroupsResponse:
    days = logs.retention_days
    return pb.DescribeLogGroupsResponse(
        log_groups=[
            pb.LogGroup(
                log_group_name=group.name,
                creation_time=group.created_ms,
                retention_in_days=days if days > 0 else None,
                metric_filter_count=0,
                arn=logs.group_arn(group.name) + ":*",
                stored_bytes=group.stored_bytes,
                log_group_class="STANDARD",
                log_group_arn=logs.group_arn(group.name),
            )
            for group in page.groups
        ],
        next_token=page.next_token or None,
    )


def _streams(
    logs: FunctionLogEvents, answer: tuple[str, StreamsPage]
) -> pb.DescribeLogStreamsResponse:
    group, page = answer
    return pb.DescribeLogStreamsResponse(
        log_streams=[
            pb.LogStream(
                log_stream_name=stream.name,
                creation_time=stream.created_ms,
                first_event_timestamp=stream.first_ms,
                last_event_timestamp=stream.last_ms,
                last_ingestion_time=stream.last_ingestion_ms,
                arn=logs.stream_arn(group, stream.name),
                stored_bytes=0,
            )
            for stream in page.streams
        ],
        next_token=page.next_token or None,
    )


def _events(logs: FunctionLogEvents, page: EventsPage) -> pb.GetLogEventsResponse:
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


def _filtered(logs: FunctionLogEvents, page: FilteredPage) -> pb.FilterLogEventsResponse:
    return pb.FilterLogEventsResponse(
        events=[
            pb.FilteredLogEvent(
                log_stream_name=e.stream,
                timestamp=e.timestamp_ms,
                message=e.message,
                ingestion_time=e.ingestion_ms,
                event_id=event_id(e),
            )
            for e in page.events
        ],
        next_token=page.next_token or None,
    )


# The unary RPCs: each is one query of `FunctionLogEvents` and its page as the response.
_CALLS: Mapping[str, UnaryCall[FunctionLogEvents]] = {
    "DescribeLogGroups": UnaryCall(
        lambda logs, r: logs.describe_groups(
            prefix=r.log_group_name_prefix,
            pattern=r.log_group_name_pattern,
            identifiers=list(r.log_group_identifiers),
            log_group_class=r.log_group_class,
            next_token=r.next_token,
            limit=_optional(r, "limit"),
        ),
        _groups,
    ),
    "DescribeLogStreams": UnaryCall(
        lambda logs, r: logs.describe_streams(
            group_name=r.log_group_name,
            group_identifier=r.log_group_identifier,
            prefix=r.log_stream_name_prefix,
            order_by=r.order_by,
            descending=r.descending,
            next_token=r.next_token,
            limit=_optional(r, "limit"),
        ),
        _streams,
    ),
    "GetLogEvents": UnaryCall(
        lambda logs, r: logs.get_events(
            group_name=r.log_group_name,
            group_identifier=r.log_group_identifier,
            stream=r.log_stream_name,
            start_ms=_optional(r, "start_time"),
            end_ms=_optional(r, "end_time"),
            next_token=r.next_token,
            limit=_optional(r, "limit"),
            start_from_head=r.start_from_head,
        ),
        _events,
    ),
    "FilterLogEvents": UnaryCall(
        lambda logs, r: logs.filter_events(
            group_name=r.log_group_name,
            group_identifier=r.log_group_identifier,
            streams=list(r.log_stream_names),
            stream_prefix=r.log_stream_name_prefix,
            start_ms=_optional(r, "start_time"),
            end_ms=_optional(r, "end_time"),
            pattern=r.filter_pattern,
            next_token=r.next_token,
            limit=_optional(r, "limit"),
        ),
        _filtered,
    ),
}


@unary_table(lambda servicer: servicer._logs, _CALLS)
class LogServicer(pb_grpc.LogServiceServicer):
    """gRPC face of `FunctionLogEvents`: the rows of `_CALLS`, and the live tail stream."""

    def __init__(self, logs: FunctionLogEvents) -> None:
        self._logs = logs

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
