"""`InvocationTracer`: an invocation's trace header, and lambdad's segments once it ran."""

from __future__ import annotations

import time
from dataclasses import dataclass

from lambdad.daemon.tracing.header import TraceHeader, invocation_header
from lambdad.daemon.tracing.segments import (
    InvocationTiming,
    InvocationTrace,
    Span,
    invocation_segments,
)
from lambdad.daemon.tracing.store import TraceStore


@dataclass(frozen=True)
class TraceStart:
    """The header the runtime gets, and lambdad's trace when the invocation is sampled."""

    runtime_header: str
    trace: InvocationTrace | None
    received: float  # epoch seconds


class InvocationTracer:
    """Chooses invocations' trace headers and records sampled invocations in a TraceStore."""

    def __init__(self, store: TraceStore) -> None:
        self.store = store

    def start(self, tracing_mode: str, incoming: str = "") -> TraceStart:
        """The trace of a new invocation of a function with `tracing_mode`."""
        return self.begin(invocation_header(tracing_mode, incoming))

    def begin(self, header: TraceHeader) -> TraceStart:
        """The trace of a new invocation whose header is already chosen (`invocation_header`)."""
        if not header.is_sampled:
            return TraceStart(str(header), None, time.time())
        trace = InvocationTrace(header)
        return TraceStart(trace.runtime_header, trace, time.time())

    def finish(
        self,
        start: TraceStart,
        *,
        function_name: str,
        function_arn: str,
        request_id: str,
        init_span: Span | None,
        run_span: Span | None,
        function_error: str | None,
    ) -> None:
        """Keep lambdad's segments of a sampled invocation (nothing for unsampled ones)."""
        if start.trace is None:
            return
        timing = InvocationTiming(
            received=start.received, answered=time.time(), init=init_span, invocation=run_span
        )
        documents = invocation_segments(
            start.trace,
            timing,
            function_name=function_name,
            function_arn=function_arn,
            request_id=request_id,
            function_error=function_error,
        )
        for document in documents:
            self.store.put(document)
