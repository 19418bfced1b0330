"""TraceService: proto <-> `TraceQueries` (services/traces.py, where X-Ray's rules live)."""

from __future__ import annotations

import time

import grpc

from lambdad.daemon.api.status import rpc
from lambdad.daemon.services.traces import TraceQueries
from lambdad.daemon.tracing.store import Trace, TraceSummary
from lambdad.v1 import trace_service_pb2 as pb
from lambdad.v1 import trace_service_pb2_grpc as pb_grpc

Context = grpc.aio.ServicerContext


def _summary(summary: TraceSummary) -> pb.TraceSummary:
    return pb.TraceSummary(
        id=summary.id,
        start_time=summary.start_time,
        duration=summary.duration,
        response_time=summary.response_time,
        has_fault=summary.has_fault,
        has_error=summary.has_error,
        has_throttle=summary.has_throttle,
        is_partial=summary.is_partial,
        service_ids=[
            pb.ServiceId(name=s.name, names=[s.name], type=s.type) for s in summary.service_ids
        ],
        http=_http(summary),
    )


def _http(summary: TraceSummary) -> pb.Http | None:
    http = summary.http
    if http is None:
        return None
    return pb.Http(
        http_url=http.url,
        http_status=http.status,
        http_method=http.method,
        user_agent=http.user_agent,
        client_ip=http.client_ip,
    )


def _trace(trace: Trace) -> pb.Trace:
    return pb.Trace(
        id=trace.id,
        duration=trace.duration,
        segments=[pb.TraceSegment(id=i, document=d) for i, d in trace.segments],
    )


class TraceServicer(pb_grpc.TraceServiceServicer):
    """gRPC face of `TraceQueries`."""

    def __init__(self, queries: TraceQueries) -> None:
        self._queries = queries

    @rpc
    async def PutTraceSegments(
        self, request: pb.PutTraceSegmentsRequest, context: Context
    ) -> pb.PutTraceSegmentsResponse:
        errors = self._queries.put_segments(list(request.trace_segment_documents))
        return pb.PutTraceSegmentsResponse(
            unprocessed_trace_segments=[
                pb.UnprocessedTraceSegment(id=e.segment_id, error_code=e.code, message=e.message)
                for e in errors
            ]
        )

    @rpc
    async def GetTraceSummaries(
        self, request: pb.GetTraceSummariesRequest, context: Context
    ) -> pb.GetTraceSummariesResponse:
        page = self._queries.summaries(
            request.start_time, request.end_time, request.filter_expression, request.next_token
        )
        response = pb.GetTraceSummariesResponse(
            trace_summaries=[_summary(s) for s in page.summaries],
            approximate_time=time.time(),
            traces_processed_count=page.scanned,
        )
        if page.next_token:
            response.next_token = page.next_token
        return response

    @rpc
    async def BatchGetTraces(
        self, request: pb.BatchGetTracesRequest, context: Context
    ) -> pb.BatchGetTracesResponse:
        traces, missing = self._queries.traces(request.trace_ids)
        return pb.BatchGetTracesResponse(
            traces=[_trace(t) for t in traces], unprocessed_trace_ids=missing
        )
