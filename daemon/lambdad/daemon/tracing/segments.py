"""lambdad's own segments for a sampled invocation, shaped as AWS Lambda's.

An `AWS::Lambda` segment (the service: from accepting the request to answering it) is the
parent of an `AWS::Lambda::Function` segment (the execution environment) with an
`Initialization` subsegment on cold starts and an `Invocation` subsegment. The header the
runtime gets names the function segment as Parent, so segments the function sends (the
X-Ray SDK's subsegments) join it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from lambdad.daemon.tracing.header import TraceHeader, new_entity_id


@dataclass(frozen=True)
class Span:
    """Start and end, in epoch seconds."""

    start: float
    end: float


@dataclass(frozen=True)
class InvocationTrace:
    """The ids lambdad uses for one sampled invocation's segments."""

    caller: TraceHeader  # the trace and the caller's segment (Parent), if any
    service_id: str = field(default_factory=new_entity_id)
    function_id: str = field(default_factory=new_entity_id)

    @property
    def runtime_header(self) -> str:
        """The header the runtime gets: the function segment is the function's parent."""
        return str(replace(self.caller, parent=self.function_id))


@dataclass(frozen=True)
class InvocationTiming:
    """When an invocation was accepted and answered, and when its environment worked."""

    received: float
    answered: float
    init: Span | None = None  # cold starts only
    invocation: Span | None = None  # None when it never reached the runtime


def invocation_segments(
    trace: InvocationTrace,
    timing: InvocationTiming,
    *,
    function_name: str,
    function_arn: str,
    request_id: str,
    function_error: str | None = None,
) -> list[dict[str, Any]]:
    """The `AWS::Lambda` and `AWS::Lambda::Function` segment documents of one invocation."""
    root = trace.caller.root
    service: dict[str, Any] = {
        "id": trace.service_id,
        "trace_id": root,
        "name": function_name,
        "start_time": timing.received,
        "end_time": timing.answered,
        "origin": "AWS::Lambda",
        "resource_arn": function_arn,
        "http": {"response": {"status": 200}},
        "aws": {"request_id": request_id},
    }
    if trace.caller.parent:
        service["parent_id"] = trace.caller.parent
    subsegments: list[dict[str, Any]] = []
    if timing.init is not None:
        subsegments.append(_subsegment("Initialization", timing.init, function_arn))
    if timing.invocation is not None:
        invocation = _subsegment("Invocation", timing.invocation, function_arn)
        if function_error:
            invocation["fault"] = True
        subsegments.append(invocation)
    if not subsegments:
        return [service]
    function: dict[str, Any] = {
        "id": trace.function_id,
        "trace_id": root,
        "parent_id": trace.service_id,
        "name": function_name,
        "start_time": subsegments[0]["start_time"],
        "end_time": subsegments[-1]["end_time"],
        "origin": "AWS::Lambda::Function",
        "resource_arn": function_arn,
        "aws": {"function_arn": function_arn, "resource_names": [function_name]},
        "subsegments": subsegments,
    }
    if function_error:
        function["fault"] = True
        service["fault"] = True
    return [service, function]


def _subsegment(name: str, span: Span, function_arn: str) -> dict[str, Any]:
    return {
        "id": new_entity_id(),
        "name": name,
        "start_time": span.start,
        "end_time": span.end,
        "aws": {"function_arn": function_arn},
    }
