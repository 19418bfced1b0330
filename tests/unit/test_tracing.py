"""X-Ray pieces: trace headers, datagrams, the trace store and its pages, lambdad's segments."""

from __future__ import annotations

import json
import socket
import time
from typing import Any

import pytest

from lambdad.daemon.tracing import filters
from lambdad.daemon.tracing.daemon_protocol import (
    DaemonAddress,
    DatagramError,
    XRayDaemonListener,
    datagram,
    parse_datagram,
)
from lambdad.daemon.tracing.header import (
    ACTIVE,
    PASS_THROUGH,
    TraceHeader,
    invocation_header,
    is_entity_id,
    is_trace_id,
)
from lambdad.daemon.tracing.segments import (
    InvocationTiming,
    InvocationTrace,
    Span,
    invocation_segments,
)
from lambdad.daemon.tracing.store import SegmentError, SummaryPage, TraceStore, parse_document
from lambdad.daemon.tracing.tracer import InvocationTracer
from tests.helpers import async_wait_for

ROOT = "1-5759e988-bd862e3fe1be46a994272793"
PARENT = "53995c3f42cd8ad8"


# --- headers ----------------------------------------------------------------------------


def test_header_round_trip_keeps_unknown_keys_in_order() -> None:
    text = f"Root={ROOT};Parent={PARENT};Sampled=1;Lineage=a87bd80c:0"
    header = TraceHeader.parse(text)
    assert header == TraceHeader(ROOT, PARENT, "1", (("Lineage", "a87bd80c:0"),))
    assert str(header) == text


@pytest.mark.parametrize(
    "text",
    ["", "Parent=53995c3f42cd8ad8", "Root=1-xyz;Sampled=1", "Root=2-5759e988-bd862e3fe1be46a9"],
)
def test_header_without_a_valid_root_is_ignored(text: str) -> None:
    assert TraceHeader.parse(text) is None


def test_bad_parent_and_sampled_are_dropped() -> None:
    header = TraceHeader.parse(f"Root={ROOT};Parent=nothex;Sampled=yes")
    assert header == TraceHeader(ROOT)
    assert str(header) == f"Root={ROOT}"


@pytest.mark.parametrize(
    ("mode", "incoming", "sampled", "kept"),
    [
        # Active: lambdad decides only when the caller did not.
        (ACTIVE, "", "1", False),
        (ACTIVE, f"Root={ROOT};Parent={PARENT};Sampled=1", "1", True),
        (ACTIVE, f"Root={ROOT};Parent={PARENT};Sampled=0", "0", True),
        (ACTIVE, f"Root={ROOT};Sampled=?", "1", True),
        (ACTIVE, f"Root={ROOT}", "1", True),
        (ACTIVE, "garbage", "1", False),
        # PassThrough: the caller's header as it came; without one, unsampled.
        (PASS_THROUGH, "", "0", False),
        (PASS_THROUGH, f"Root={ROOT};Parent={PARENT};Sampled=1", "1", True),
        (PASS_THROUGH, f"Root={ROOT};Parent={PARENT};Sampled=0", "0", True),
        (PASS_THROUGH, f"Root={ROOT}", "", True),
    ],
)
def test_invocation_header_rules(mode: str, incoming: str, sampled: str, kept: bool) -> None:
    header = invocation_header(mode, incoming)
    assert header.sampled == sampled
    assert (header.root == ROOT) == kept
    assert is_trace_id(header.root)
    if kept and "Parent" in incoming:
        assert header.parent == PARENT
    if not kept:
        assert is_entity_id(header.parent)


def test_pass_through_header_is_unchanged() -> None:
    incoming = f"Root={ROOT};Parent={PARENT};Sampled=0;Lineage=x:1"
    assert str(invocation_header(PASS_THROUGH, incoming)) == incoming


def test_new_roots_carry_the_epoch_second() -> None:
    header = invocation_header(ACTIVE)
    assert abs(int(header.root.split("-")[1], 16) - time.time()) < 3600


# --- tracer -----------------------------------------------------------------------------


def test_sampled_invocation_gets_the_function_segment_as_parent() -> None:
    tracer = InvocationTracer(TraceStore())
    start = tracer.start(ACTIVE, f"Root={ROOT};Parent={PARENT};Sampled=1")
    assert start.trace is not None
    assert start.runtime_header == f"Root={ROOT};Parent={start.trace.function_id};Sampled=1"
    tracer.finish(
        start,
        function_name="f",
        function_arn="arn:aws:lambda:us-east-1:000000000000:function:f",
        request_id="r",
        init_span=None,
        run_span=Span(start.received, start.received + 0.01),
        function_error=None,
    )
    traces, missing = tracer.store.get([ROOT])
    assert not missing
    assert {doc_id for doc_id, _ in traces[0].segments} == {
        start.trace.service_id,
        start.trace.function_id,
    }


def test_unsampled_invocation_records_nothing() -> None:
    tracer = InvocationTracer(TraceStore())
    incoming = f"Root={ROOT};Parent={PARENT};Sampled=0"
    start = tracer.start(PASS_THROUGH, incoming)
    assert start.trace is None
    assert start.runtime_header == incoming
    tracer.finish(
        start,
        function_name="f",
        function_arn="a",
        request_id="r",
        init_span=None,
        run_span=None,
        function_error=None,
    )
    assert len(tracer.store) == 0


# --- lambdad's segments -----------------------------------------------------------------


def _segments(**timing: Any) -> list[dict[str, Any]]:
    trace = InvocationTrace(TraceHeader(ROOT, PARENT, "1"))
    return invocation_segments(
        trace,
        InvocationTiming(**{"received": 10.0, "answered": 12.0, **timing}),
        function_name="f",
        function_arn="arn:aws:lambda:us-east-1:000000000000:function:f",
        request_id="req",
    )


def test_cold_start_has_initialization_and_invocation() -> None:
    service, function = _segments(init=Span(10.1, 10.5), invocation=Span(10.5, 11.9))
    assert service["origin"] == "AWS::Lambda"
    assert service["parent_id"] == PARENT
    assert (service["start_time"], service["end_time"]) == (10.0, 12.0)
    assert function["origin"] == "AWS::Lambda::Function"
    assert function["parent_id"] == service["id"]
    assert [s["name"] for s in function["subsegments"]] == ["Initialization", "Invocation"]
    assert (function["start_time"], function["end_time"]) == (10.1, 11.9)
    for document in (service, function):
        parse_document(json.dumps(document))  # the store accepts its own documents


def test_warm_start_has_only_invocation_and_failures_are_faults() -> None:
    trace = InvocationTrace(TraceHeader(ROOT, "", "1"))
    service, function = invocation_segments(
        trace,
        InvocationTiming(10.0, 12.0, invocation=Span(10.2, 11.0)),
        function_name="f",
        function_arn="arn",
        request_id="req",
        function_error="Unhandled",
    )
    assert "parent_id" not in service
    assert [s["name"] for s in function["subsegments"]] == ["Invocation"]
    assert service["fault"] and function["fault"] and function["subsegments"][0]["fault"]


def test_invocation_that_never_ran_is_only_the_service_segment() -> None:
    trace = InvocationTrace(TraceHeader(ROOT, "", "1"))
    documents = invocation_segments(
        trace, InvocationTiming(10.0, 12.0), function_name="f", function_arn="a", request_id="r"
    )
    assert [d["origin"] for d in documents] == ["AWS::Lambda"]


# --- the store --------------------------------------------------------------------------


def _doc(segment_id: str, **fields: Any) -> dict[str, Any]:
    return {"id": segment_id, "trace_id": ROOT, "name": "s", "start_time": 1.0, **fields}


@pytest.mark.parametrize(
    ("document", "code"),
    [
        ("{not json", "InvalidSegment"),
        ("[]", "InvalidSegment"),
        (json.dumps({"trace_id": ROOT, "start_time": 1}), "InvalidId"),
        (json.dumps({"id": "abc", "trace_id": ROOT, "start_time": 1}), "InvalidId"),
        (json.dumps({"id": PARENT, "trace_id": "1-x", "start_time": 1}), "InvalidTraceId"),
        (json.dumps({"id": PARENT, "trace_id": ROOT}), "MissingStartTime"),
        (json.dumps({"id": PARENT, "trace_id": ROOT, "start_time": True}), "MissingStartTime"),
        (json.dumps(_doc(PARENT, type="subsegment")), "MissingParentId"),
    ],
)
def test_documents_the_store_refuses(document: str, code: str) -> None:
    with pytest.raises(SegmentError) as caught:
        TraceStore().put(document)
    assert caught.value.code == code


def test_a_later_document_replaces_an_in_progress_one() -> None:
    store = TraceStore()
    store.put(_doc("a" * 16, in_progress=True))
    assert store.summaries(0, 10)[0].is_partial
    store.put(_doc("a" * 16, end_time=3.0))
    summary = store.summaries(0, 10)[0]
    assert not summary.is_partial
    assert summary.duration == 2.0


def test_independent_subsegments_are_folded_into_their_parents() -> None:
    store = TraceStore()
    top, middle, leaf, orphan = "1" * 16, "2" * 16, "3" * 16, "4" * 16
    # The leaf arrives before its parent subsegment, which arrives before the segment.
    store.put(_doc(leaf, type="subsegment", parent_id=middle, name="leaf"))
    store.put(_doc(middle, type="subsegment", parent_id=top, name="middle"))
    store.put(_doc(orphan, type="subsegment", parent_id="5" * 16, name="orphan"))
    store.put(_doc(top, end_time=2.0, subsegments=[{"id": "6" * 16, "name": "own"}]))
    traces, _ = store.get([ROOT])
    documents = {i: json.loads(d) for i, d in traces[0].segments}
    assert set(documents) == {top, orphan}
    children = documents[top]["subsegments"]
    assert [c["name"] for c in children] == ["own", "middle"]
    assert children[1]["subsegments"][0]["name"] == "leaf"
    assert "parent_id" not in children[1] and "type" not in children[1]
    # Folding is a view: the kept documents are unchanged.
    assert store.get([ROOT])[0][0].segments == traces[0].segments


def test_the_oldest_trace_is_dropped_beyond_the_bound() -> None:
    store = TraceStore(max_traces=3)
    roots = [f"1-5759e988-{n:024x}" for n in range(5)]
    for root in roots:
        store.put({"id": PARENT, "trace_id": root, "start_time": 1.0})
    assert len(store) == 3
    traces, missing = store.get(roots)
    assert [t.id for t in traces] == roots[2:]
    assert missing == roots[:2]


def test_a_trace_keeps_a_bounded_number_of_segments(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("lambdad.daemon.tracing.store.MAX_SEGMENTS_PER_TRACE", 2)
    store = TraceStore()
    for n in range(4):
        store.put(_doc(f"{n:016x}"))
    assert len(store.get([ROOT])[0][0].segments) == 2
    assert store.dropped_segments == 2


def test_summaries_by_time_and_flags() -> None:
    store = TraceStore()
    late = "1-5759e988-" + "f" * 24
    store.put(_doc("a" * 16, end_time=4.0, subsegments=[{"id": "b" * 16, "error": True}]))
    store.put(_doc("c" * 16, type="subsegment", parent_id="a" * 16, fault=True, throttle=True))
    store.put({"id": "d" * 16, "trace_id": late, "start_time": 100.0, "end_time": 100.5})
    (summary,) = store.summaries(0.5, 50)
    assert summary.id == ROOT
    assert (summary.has_error, summary.has_fault, summary.has_throttle) == (True, True, True)
    assert summary.response_time == 3.0
    assert [s.id for s in store.summaries(0, 200)] == [ROOT, late]
    assert store.summaries(200, 300) == []


# --- GetTraceSummaries pages ------------------------------------------------------------


def _trace_id(n: int) -> str:
    return f"1-5759e988-{n:024x}"


def _numbered_store(count: int) -> TraceStore:
    """Traces 0..count-1 starting at second n; odd ones have a fault."""
    store = TraceStore()
    for n in range(count):
        store.put(
            {
                "id": f"{n + 1:016x}",
                "trace_id": _trace_id(n),
                "start_time": float(n),
                "end_time": n + 0.5,
                "fault": n % 2 == 1,
            }
        )
    return store


def _all_pages(
    store: TraceStore, matches: Any, start: float = 0, end: float = 1e6
) -> list[SummaryPage]:
    pages = [store.page(start, end, matches, limit=100)]
    while pages[-1].resume_after is not None:
        pages.append(
            store.page(start, end, matches, limit=100, resume_after=pages[-1].resume_after)
        )
    return pages


def test_pages_cover_every_trace_once_newest_first() -> None:
    pages = _all_pages(_numbered_store(250), lambda s: True)
    assert [len(p.summaries) for p in pages] == [100, 100, 50]
    assert [p.scanned for p in pages] == [100, 100, 50]
    ids = [s.id for p in pages for s in p.summaries]
    assert ids == [_trace_id(n) for n in reversed(range(250))]


def test_filtered_pages_count_every_trace_scanned() -> None:
    pages = _all_pages(_numbered_store(250), filters.parse("fault").matches)
    ids = [s.id for p in pages for s in p.summaries]
    assert ids == [_trace_id(n) for n in reversed(range(1, 250, 2))]
    assert [len(p.summaries) for p in pages] == [100, 25]
    # The first page stops at its 100th match; the second scans the rest.
    assert [p.scanned for p in pages] == [199, 51]


def test_a_page_boundary_is_stable_when_traces_arrive() -> None:
    store = _numbered_store(150)
    first = store.page(0, 1e6, lambda s: True, limit=100)
    store.put({"id": "f" * 16, "trace_id": _trace_id(999), "start_time": 500.0})
    second = store.page(0, 1e6, lambda s: True, limit=100, resume_after=first.resume_after)
    assert [s.id for s in second.summaries] == [_trace_id(n) for n in reversed(range(50))]
    assert second.resume_after is None


def test_exactly_one_full_page_has_no_next() -> None:
    (page,) = _all_pages(_numbered_store(100), lambda s: True)
    assert len(page.summaries) == 100 and page.resume_after is None


def test_datagram_round_trip() -> None:
    document = json.dumps(_doc(PARENT))
    assert datagram(document).startswith(b'{"format": "json", "version": 1}\n')
    assert parse_datagram(datagram(document)) == document


@pytest.mark.parametrize(
    "data",
    [
        b'{"format": "json", "version": 1}',  # no newline: no document
        b"not json\n{}",
        b'{"format": "xml", "version": 1}\n{}',
        b'{"format": "json", "version": 2}\n{}',
        b'["format"]\n{}',
        b'{"format": "json", "version": 1}\n\xff',
    ],
)
def test_bad_datagrams(data: bytes) -> None:
    with pytest.raises(DatagramError):
        parse_datagram(data)


def test_environment_variables_of_the_daemon_address() -> None:
    assert DaemonAddress("0.0.0.0", 2000).for_environment("host.docker.internal") == {
        "AWS_XRAY_DAEMON_ADDRESS": "host.docker.internal:2000",
        "_AWS_XRAY_DAEMON_ADDRESS": "host.docker.internal",
        "_AWS_XRAY_DAEMON_PORT": "2000",
        "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
    }


async def test_listener_keeps_what_sdks_send_and_drops_the_rest() -> None:
    store = TraceStore()
    listener = XRayDaemonListener(store, "127.0.0.1", 0)
    address = await listener.start()
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
            sender.sendto(b"garbage", ("127.0.0.1", address.port))
            sender.sendto(datagram(_doc("a" * 16, end_time=2.0)), ("127.0.0.1", address.port))
        await async_wait_for(lambda: listener.received == 2)  # a deadline, not a timing assertion
        assert listener.received == 2
        traces, _ = store.get([ROOT])
        assert [i for i, _ in traces[0].segments] == ["a" * 16]
    finally:
        listener.close()
