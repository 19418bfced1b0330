"""TraceService: proto <-> the trace store, nothing else."""

from __future__ import annotations

import time

import grpc

from lambdad.daemon.api.status import rpc
from lambdad.daemon.errors import validation_error
from lambdad.daemon.tracing.store import Trace, TraceStore, TraceSummary
from lambdad.v1 import trace_service_pb2 as pb
from lambdad.v1 import trace_service_pb2_grpc as pb_grpc

Context = grpc.aio.ServicerContext

# X-Ray's limits on one call.
MAX_SEGMENT_DOCUMENTS = 50


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
    )


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
            raise validation_error(
                request.end_time, "endTime", "EndTime must not be before StartTime"
            )
        summaries = self._store.summaries(request.start_time, request.end_time)
        return pb.GetTraceSummariesResponse(
            trace_summaries=[_summary(s) for s in summaries],
            approximate_time=time.time(),
            traces_processed_count=len(self._store),
        )

    @rpc
    async def BatchGetTraces(
        self, request: pb.BatchGetTracesRequest, context: Context
    ) -> pb.BatchGetTracesResponse:
        # X-Ray pages 5 ids at a time; one local page holds all of them.
        traces, missing = self._store.get(list(request.trace_ids))
        return pb.BatchGetTracesResponse(
            traces=[_trace(t) for t in traces], unprocessed_trace_ids=missing
        )
