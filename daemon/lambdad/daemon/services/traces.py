"""X-Ray's rules for the trace API: call limits, time windows, filter expressions, page tokens.

`TraceQueries` answers PutTraceSegments, GetTraceSummaries and BatchGetTraces over the
`TraceStore`; the servicer in ``api/traces.py`` only converts to and from proto messages.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass

from lambdad.daemon.errors import LambdaError, Reason, validation_error
from lambdad.daemon.tracing import filters
from lambdad.daemon.tracing.store import SegmentError, Trace, TraceStore, TraceSummary

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


def _every_trace(summary: TraceSummary) -> bool:
    return True


@dataclass(frozen=True)
class SummariesPage:
    """One GetTraceSummaries answer: the summaries, how many traces were scanned, and the
    token of the next page ("" on the last)."""

    summaries: list[TraceSummary]
    scanned: int
    next_token: str


class TraceQueries:
    """The trace API over a `TraceStore`, with X-Ray's validation."""

    def __init__(self, store: TraceStore) -> None:
        self._store = store

    def put_segments(self, documents: Sequence[str]) -> list[SegmentError]:
        """PutTraceSegments: store each document; the ones refused, with X-Ray's reason."""
        if len(documents) > MAX_SEGMENT_DOCUMENTS:
            raise validation_error(
                len(documents),
                "traceSegmentDocuments",
                f"Member must have length less than or equal to {MAX_SEGMENT_DOCUMENTS}",
            )
        return self._store.put_all(list(documents))

    def summaries(
        self, start_time: float, end_time: float, filter_expression: str, next_token: str
    ) -> SummariesPage:
        """GetTraceSummaries: the traces in the window that the filter expression matches."""
        if end_time < start_time:
            raise invalid_request("EndTime must not be before StartTime.")
        expression = filter_expression.strip()
        try:
            matches = filters.parse(expression).matches if expression else _every_trace
        except filters.FilterError as error:
            raise invalid_request(f"Invalid FilterExpression: {error}") from None
        # Sampling=true asks X-Ray for a subset; every matching trace is returned here.
        page = self._store.page(
            start_time,
            end_time,
            matches,
            limit=SUMMARIES_PAGE_SIZE,
            resume_after=_resume_after(next_token, start_time, end_time),
        )
        token = (
            _page_token(page.resume_after, start_time, end_time)
            if page.resume_after is not None
            else ""
        )
        return SummariesPage(page.summaries, page.scanned, token)

    def traces(self, trace_ids: Sequence[str]) -> tuple[list[Trace], list[str]]:
        """BatchGetTraces: the traces found and the ids not found."""
        # X-Ray pages 5 ids at a time; one local page holds all of them.
        return self._store.get(list(trace_ids))
