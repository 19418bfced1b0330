"""Invoke-with-response-stream messages and event-stream decoding the gateway tests share."""

from __future__ import annotations

from typing import Any

from botocore.eventstream import EventStreamBuffer

from lambdad.v1 import invocation_service_pb2 as inv


def decode(frames: bytes) -> list[Any]:
    """The messages botocore's own decoder finds in `frames` (it checks both CRCs)."""
    buffer = EventStreamBuffer()
    buffer.add_data(frames)
    return list(buffer)


def chunk(payload: bytes) -> inv.InvokeWithResponseStreamResponse:
    return inv.InvokeWithResponseStreamResponse(
        payload_chunk=inv.InvokeResponseStreamUpdate(payload=payload)
    )


def complete(**fields: str) -> inv.InvokeWithResponseStreamResponse:
    return inv.InvokeWithResponseStreamResponse(
        invoke_complete=inv.InvokeWithResponseStreamCompleteEvent(**fields)
    )
