"""TraceService: proto <-> the trace store, nothing else."""

from __future__ import annotations

import base64
import binascii
import json
import time

import grpc

from lambdad.daemon.api.status import rpc
from lambdad.daemon.errors import LambdaError, Reason, validation_error
from lambdad.daemon.tracing import filters
from lambdad.daemon.tracing.store import Trace, TraceStore, TraceSummary
from lambdad.v1 import trace_service_pb2 as pb
from lambdad.v1 import trace_service_pb2_grpc as pb_grpc

Context = grpc.aio.ServicerContext

# X-Ray's limits on one call.
MAX_SEGMENT_DOCUMENTS = 50
# Summaries per GetTraceSummaries page. X-Ray documents no number; its pages are of this order.
SUMMARIES_PAGE_SIZE = 100


def invalid_request(message: str) -> LambdaError:
    """X-Ray's InvalidRequestException: a VALIDATION reason the gateway shows as X-Ray does."""
    return LambdaError(Reason.INVALID_REQUEST, message)


def _page_token(after: tuple[float, str], start: float, end: float) -> str:
    raw = json.dumps({"after": list(after), "window": [start, end]}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode()


def _resume_after(token: str, start: float, end: float) -> tuple[float, str] | None:
    """Where a NextToken resumes; refused when it is not one of ours or for another window."""
    if not token:
        return None
    try:
        decoded = json.loads(base64.urlsafe_b64decode(token.encode()))
        after_time, after_id = decoded["after"]
        window = decoded["window"]
    except (binascii.Error, ValueError, KeyError, TypeError):
        raise invalid_request("Invalid NextToken.") from None
    if window != [start, end] or not isinstance(after_id, str):
        raise invalid_request("NextToken does not belong to this StartTime and EndTime.")
    return float(after_time), after_id


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


def _every_trace(summary: TraceSummary) -> bool:
    return True


def _trace(trace: Trace) -> pb.Trace:
    return pb.Trace(
        id=trace.id,
        duration=trace.duration,
        segments=[pb.TraceSegment(id=i, document=d) for i, d in trace.segments],
    )


class TraceServicer(pb_grpc.TraceServiceServicer):
    """gRPC face of the TraceStore."""

    def __init__(self, store: TraceStore) -> None:
        self._store = store

    @rpc
    async def PutTraceSegments(
        self, request: pb.PutTraceSegmentsRequest, context: Context
    ) -> pb.PutTraceSegmentsResponse:
        documents = list(request.trace_segment_documents)
        if len(documents) > MAX_SEGMENT_DOCUMENTS:
            raise validation_error(
                len(documents),
                "traceSegmentDocuments",
                f"Member must have length less than or equal to {MAX_SEGMENT_DOCUMENTS}",
            )
        errors = self._store.put_all(documents)
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
        if request.end_time < request.start_time:
            raise invalid_request("EndTime must not be before StartTime.")
        expression = request.filter_expression.strip()
        try:
            matches = filters.parse(expression).matches if expression else _every_trace
        except filters.FilterError as error:
            raise invalid_request(f"Invalid FilterExpression: {error}") from None
        # Sampling=true asks X-Ray for a subset; every matching trace is returned here.
        page = self._store.page(
            request.start_time,
            request.end_time,
            matches,
            limit=SUMMARIES_PAGE_SIZE,
            resume_after=_resume_after(request.next_token, request.start_time, request.end_time),
        )
        response = pb.GetTraceSummariesResponse(
            trace_summaries=[_summary(s) for s in page.summaries],
            approximate_time=time.time(),
            traces_processed_count=page.scanned,
        )
        if page.resume_after is not None:
            response.next_token = _page_token(
                page.resume_after, request.start_time, request.end_time
            )
        return response

    @rpc
    async def BatchGetTraces(
        self, request: pb.BatchGetTracesRequest, context: Context
    ) -> pb.BatchGetTracesResponse:
        # X-Ray pages 5 ids at a time; one local page holds all of them.
        traces, missing = self._store.get(list(request.trace_ids))
        return pb.BatchGetTracesResponse(
            traces=[_trace(t) for t in traces], unprocessed_trace_ids=missing
        )
