"""The trace store: the last N traces' segment documents, read back as X-Ray serves them.

Documents are kept by trace and segment id (a later document with the same id, such as the
completed form of an `in_progress` segment, replaces the earlier one). Independently sent
subsegments (`"type": "subsegment"`) are folded into their parent when a trace is read,
as the X-Ray service does. The oldest trace is dropped when a new one would exceed the bound.
"""

from __future__ import annotations

import copy
import json
import math
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from lambdad.daemon.tracing.header import is_entity_id, is_trace_id

DEFAULT_MAX_TRACES = 1000
MAX_SEGMENTS_PER_TRACE = 1000


class SegmentError(ValueError):
    """A document PutTraceSegments does not accept; `code` is its ErrorCode."""

    def __init__(self, code: str, message: str, segment_id: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.segment_id = segment_id


@dataclass(frozen=True)
class ServiceId:
    """One service a trace went through (TraceSummary.ServiceIds)."""

    name: str
    type: str


@dataclass(frozen=True)
class HttpSummary:
    """The entry segment's `http` request and response (TraceSummary.Http)."""

    url: str | None = None
    status: int | None = None
    method: str | None = None
    user_agent: str | None = None
    client_ip: str | None = None


@dataclass(frozen=True)
class TraceSummary:
    """GetTraceSummaries' view of one trace."""

    id: str
    start_time: float
    duration: float
    response_time: float
    has_fault: bool
    has_error: bool
    has_throttle: bool
    is_partial: bool
    service_ids: tuple[ServiceId, ...]
    http: HttpSummary | None = None
    # (key, value) of every annotation on the trace's segments and subsegments.
    annotations: tuple[tuple[str, str | float | bool], ...] = ()


@dataclass(frozen=True)
class SummaryPage:
    """One page of GetTraceSummaries: newest first, as X-Ray pages from the window's end."""

    summaries: list[TraceSummary]
    # Traces of the window looked at for this page, matching or not.
    scanned: int
    # (start time, trace id) of the last trace looked at when more remain, else None.
    resume_after: tuple[float, str] | None


@dataclass(frozen=True)
class Trace:
    """BatchGetTraces' view of one trace: its segment documents (subsegments folded in)."""

    id: str
    duration: float
    segments: tuple[tuple[str, str], ...]  # (segment id, JSON document)


def parse_document(document: str | dict[str, Any]) -> dict[str, Any]:
    """A segment document checked for what X-Ray needs to place it; raises SegmentError."""
    if isinstance(document, str):
        try:
            parsed = json.loads(document)
        except ValueError as error:
            raise SegmentError("InvalidSegment", f"Invalid segment JSON: {error}") from None
    else:
        parsed = document
    if not isinstance(parsed, dict):
        raise SegmentError("InvalidSegment", "A segment document must be a JSON object.")
    segment_id = parsed.get("id")
    if not isinstance(segment_id, str) or not is_entity_id(segment_id):
        raise SegmentError("InvalidId", "Segment id must be 16 hexadecimal digits.")
    if not isinstance(parsed.get("trace_id"), str) or not is_trace_id(parsed["trace_id"]):
        raise SegmentError("InvalidTraceId", "Invalid trace id.", segment_id)
    if not _number(parsed.get("start_time")):
        raise SegmentError("MissingStartTime", "Segment start_time is required.", segment_id)
    if parsed.get("type") == "subsegment" and not isinstance(parsed.get("parent_id"), str):
        raise SegmentError(
            "MissingParentId", "An independent subsegment needs a parent_id.", segment_id
        )
    return parsed


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


class TraceStore:
    """The last `max_traces` traces, in memory."""

    def __init__(self, max_traces: int = DEFAULT_MAX_TRACES) -> None:
        self.max_traces = max_traces
        self._traces: OrderedDict[str, dict[str, dict[str, Any]]] = OrderedDict()
        self.dropped_segments = 0

    def __len__(self) -> int:
        return len(self._traces)

    def put(self, document: str | dict[str, Any]) -> str:
        """Keep one segment document; its trace id. Raises SegmentError when invalid."""
        segment = parse_document(document)
        trace_id = segment["trace_id"]
        segments = self._traces.get(trace_id)
        if segments is None:
            while len(self._traces) >= self.max_traces:
                self._traces.popitem(last=False)
            segments = self._traces[trace_id] = {}
        if segment["id"] not in segments and len(segments) >= MAX_SEGMENTS_PER_TRACE:
            self.dropped_segments += 1
            return trace_id
        segments[segment["id"]] = segment
        return trace_id

    def put_all(self, documents: Iterable[str | dict[str, Any]]) -> list[SegmentError]:
        """Keep every valid document; the errors of the others."""
        errors = []
        for document in documents:
            try:
                self.put(document)
            except SegmentError as error:
                errors.append(error)
        return errors

    def summaries(self, start: float, end: float) -> list[TraceSummary]:
        """Summaries of the traces that started in [start, end], oldest first."""
        found = []
        for trace_id, segments in self._traces.items():
            summary = _summary(trace_id, list(segments.values()))
            if start <= summary.start_time <= end:
                found.append(summary)
        return sorted(found, key=lambda s: s.start_time)

    def page(
        self,
        start: float,
        end: float,
        matches: Callable[[TraceSummary], bool],
        *,
        limit: int,
        resume_after: tuple[float, str] | None = None,
    ) -> SummaryPage:
        """Up to `limit` matching summaries of traces that started in [start, end], newest first.

        `resume_after` continues a previous page: traces ordered before it (start time, then
        id, descending) are skipped, so traces arriving meanwhile do not shift later pages.
        """
        ordered = sorted(
            self.summaries(start, end), key=lambda s: (s.start_time, s.id), reverse=True
        )
        if resume_after is not None:
            ordered = [s for s in ordered if (s.start_time, s.id) < resume_after]
        found: list[TraceSummary] = []
        scanned = 0
        for summary in ordered:
            if len(found) == limit:
                break
            scanned += 1
            if matches(summary):
                found.append(summary)
        resume = None
        if 0 < scanned < len(ordered):
            last = ordered[scanned - 1]
            resume = (last.start_time, last.id)
        return SummaryPage(summaries=found, scanned=scanned, resume_after=resume)

    def get(self, trace_ids: Sequence[str]) -> tuple[list[Trace], list[str]]:
        """The traces asked for, and the ids that are not kept."""
        traces: list[Trace] = []
        missing: list[str] = []
        for trace_id in trace_ids:
            segments = self._traces.get(trace_id)
            if segments is None:
                missing.append(trace_id)
                continue
            documents = _folded(list(segments.values()))
            traces.append(
                Trace(
                    id=trace_id,
                    duration=_duration(list(segments.values())),
                    segments=tuple(
                        (doc["id"], json.dumps(doc, separators=(",", ":"))) for doc in documents
                    ),
                )
            )
        return traces, missing


def _folded(documents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Top-level documents with independent subsegments placed inside their parents."""
    docs = [copy.deepcopy(doc) for doc in documents]
    loose = [doc for doc in docs if doc.get("type") == "subsegment"]
    placed: set[int] = set()
    progress = True
    while progress:
        progress = False
        by_id: dict[str, dict[str, Any]] = {}
        for doc in docs:
            if id(doc) not in placed and doc.get("type") != "subsegment":
                _index(doc, by_id)
        for doc in loose:
            if id(doc) in placed:
                continue
            parent = by_id.get(doc["parent_id"])
            if parent is None:
                continue
            for key in ("type", "trace_id", "parent_id"):
                doc.pop(key, None)
            parent.setdefault("subsegments", []).append(doc)
            placed.add(id(doc))
            progress = True
    # A subsegment whose parent never arrived is still shown, on its own.
    return [doc for doc in docs if id(doc) not in placed]


def _index(entity: dict[str, Any], by_id: dict[str, dict[str, Any]]) -> None:
    by_id[entity["id"]] = entity
    for child in entity.get("subsegments") or ():
        if isinstance(child, dict) and isinstance(child.get("id"), str):
            _index(child, by_id)


def _duration(documents: list[dict[str, Any]]) -> float:
    start = min(doc["start_time"] for doc in documents)
    ends = [float(doc["end_time"]) for doc in documents if _number(doc.get("end_time"))]
    return round(max(ends) - start, 3) if ends else 0.0


def _summary(trace_id: str, documents: list[dict[str, Any]]) -> TraceSummary:
    segments = [doc for doc in documents if doc.get("type") != "subsegment"]
    roots = [doc for doc in segments if not doc.get("parent_id")] or segments or documents
    entry = min(roots, key=lambda doc: doc["start_time"])
    entry_end = entry.get("end_time")
    services: dict[tuple[str, str], None] = {}
    for doc in segments:
        services[(str(doc.get("name", "")), str(doc.get("origin", "")))] = None
    return TraceSummary(
        id=trace_id,
        start_time=min(doc["start_time"] for doc in documents),
        duration=_duration(documents),
        response_time=round(entry_end - entry["start_time"], 3) if _number(entry_end) else 0.0,
        has_fault=any(_flag(doc, "fault") for doc in documents),
        has_error=any(_flag(doc, "error") for doc in documents),
        has_throttle=any(_flag(doc, "throttle") for doc in documents),
        is_partial=any(doc.get("in_progress") is True for doc in documents),
        service_ids=tuple(ServiceId(name, kind) for name, kind in services),
        http=_http(entry),
        annotations=tuple(
            (key, value) for entity in _entities(documents) for key, value in _annotations(entity)
        ),
    )


def _http(entry: dict[str, Any]) -> HttpSummary | None:
    http = entry.get("http")
    if not isinstance(http, dict):
        return None
    request = http.get("request")
    response = http.get("response")
    request = request if isinstance(request, dict) else {}
    response = response if isinstance(response, dict) else {}

    def text(value: Any) -> str | None:
        return value if isinstance(value, str) else None

    status = response.get("status")
    return HttpSummary(
        url=text(request.get("url")),
        status=status if isinstance(status, int) and not isinstance(status, bool) else None,
        method=text(request.get("method")),
        user_agent=text(request.get("user_agent")),
        client_ip=text(request.get("client_ip")),
    )


def _entities(documents: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for doc in documents:
        yield doc
        yield from _entities(
            [child for child in doc.get("subsegments") or () if isinstance(child, dict)]
        )


def _annotations(entity: dict[str, Any]) -> Iterator[tuple[str, str | float | bool]]:
    annotations = entity.get("annotations")
    if not isinstance(annotations, dict):
        return
    for key, value in annotations.items():
        if isinstance(value, str | bool) or _number(value):
            yield str(key), value


def _flag(entity: dict[str, Any], name: str) -> bool:
    if entity.get(name) is True:
        return True
    return any(
        isinstance(child, dict) and _flag(child, name) for child in entity.get("subsegments") or ()
    )
