"""X-Ray through an in-process daemon: TraceService's filters and pages (the pieces alone:
tests/unit/test_tracing.py)."""

from __future__ import annotations

import json
from typing import Any, NamedTuple

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from lambdad.v1 import trace_service_pb2 as ts
from lambdad.v1 import trace_service_pb2_grpc as ts_grpc

# --- headers ----------------------------------------------------------------------------


def _trace_id(n: int) -> str:
    return f"1-5759e988-{n:024x}"


class _Failure(NamedTuple):
    code: grpc.StatusCode
    reason: str
    metadata: dict[str, str]
    message: str


async def _failure(call: Any) -> _Failure:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call
    status = rpc_status.from_call(caught.value)
    assert status is not None
    info = error_details_pb2.ErrorInfo()
    assert status.details[0].Unpack(info)
    return _Failure(caught.value.code(), info.reason, dict(info.metadata), status.message)


async def test_summaries_service_filters_and_pages(channel: grpc.aio.Channel) -> None:
    stub = ts_grpc.TraceServiceStub(channel)
    base = 1_600_000_000.0
    for batch in range(3):
        documents = [
            json.dumps(
                {
                    "id": f"{n + 1:016x}",
                    "trace_id": _trace_id(n),
                    "name": "orders" if n % 3 else "billing",
                    "start_time": base + n,
                    "end_time": base + n + 0.5,
                    "fault": n % 2 == 1,
                }
            )
            for n in range(batch * 50, batch * 50 + 50)
        ]
        put = await stub.PutTraceSegments(
            ts.PutTraceSegmentsRequest(trace_segment_documents=documents)
        )
        assert not put.unprocessed_trace_segments
    request = ts.GetTraceSummariesRequest(
        start_time=base, end_time=base + 1000, filter_expression='service("orders") AND !fault'
    )
    seen: list[str] = []
    pages = 0
    while True:
        response = await stub.GetTraceSummaries(request)
        pages += 1
        seen += [s.id for s in response.trace_summaries]
        if not response.HasField("next_token"):
            break
        request.next_token = response.next_token
    expected = [_trace_id(n) for n in reversed(range(150)) if n % 3 and n % 2 == 0]
    assert seen == expected and pages == 1
    # Without a filter, 150 traces take two pages.
    everything = await stub.GetTraceSummaries(
        ts.GetTraceSummariesRequest(start_time=base, end_time=base + 1000)
    )
    assert len(everything.trace_summaries) == 100 and everything.traces_processed_count == 100
    rest = await stub.GetTraceSummaries(
        ts.GetTraceSummariesRequest(
            start_time=base, end_time=base + 1000, next_token=everything.next_token
        )
    )
    assert len(rest.trace_summaries) == 50 and not rest.HasField("next_token")
    ids = {s.id for s in everything.trace_summaries} | {s.id for s in rest.trace_summaries}
    assert ids == {_trace_id(n) for n in range(150)}

    refused = await _failure(
        stub.GetTraceSummaries(
            ts.GetTraceSummariesRequest(
                start_time=base, end_time=base + 1, filter_expression='edge("a", "b")'
            )
        )
    )
    assert refused == _Failure(
        grpc.StatusCode.INVALID_ARGUMENT,
        "INVALID_REQUEST",
        {},
        "Invalid FilterExpression: Unsupported filter expression keyword 'edge'.",
    )
    foreign = await _failure(
        stub.GetTraceSummaries(
            ts.GetTraceSummariesRequest(
                start_time=base, end_time=base + 5, next_token=everything.next_token
            )
        )
    )
    assert foreign.message == "NextToken does not belong to this StartTime and EndTime."
    garbage = await _failure(
        stub.GetTraceSummaries(
            ts.GetTraceSummariesRequest(start_time=base, end_time=base + 5, next_token="??")
        )
    )
    assert (garbage.reason, garbage.message) == ("INVALID_REQUEST", "Invalid NextToken.")
    backwards = await _failure(
        stub.GetTraceSummaries(ts.GetTraceSummariesRequest(start_time=base, end_time=base - 1))
    )
    assert (backwards.reason, backwards.message) == (
        "INVALID_REQUEST",
        "EndTime must not be before StartTime.",
    )


# --- datagrams and the listener ---------------------------------------------------------
