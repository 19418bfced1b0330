"""What pollers share: the invoke callback, partial batch responses (§6.4), backoff."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class InvokeReply:
    """A synchronous invocation's answer, as a poller needs it."""

    payload: bytes
    function_error: str | None = None


class BatchInvoker(Protocol):
    """Invokes the mapping's function (RequestResponse) with an event; given the mapping's
    uuid and the X-Ray trace header the batch carries (SQS's AWSTraceHeader), if any."""

    async def __call__(self, uuid: str, payload: bytes, trace_header: str = "") -> InvokeReply:
        """The function's answer."""
        ...


def failed_items(
    reply: InvokeReply, batch_ids: Sequence[str], *, empty_string_ok: bool = False
) -> list[str] | None:
    """The ids a ReportBatchItemFailures response names, in batch order.

    Returns [] for full success and None when the whole batch counts as failed: a function
    error, invalid JSON, an identifier that is missing, empty, null or not in the batch, or
    a response of another shape (AWS's rules, §6.4).
    """
    if reply.function_error:
        return None
    text = reply.payload.strip()
    if not text:
        return []
    try:
        response = json.loads(text)
    except ValueError:
        return None
    if response is None or response == {}:
        return []
    if response == "" and empty_string_ok:
        return []
    if not isinstance(response, dict) or "batchItemFailures" not in response:
        return None
    failures = response["batchItemFailures"]
    if failures is None:
        return []
    if not isinstance(failures, list):
        return None
    known = set(batch_ids)
    named: set[str] = set()
    for item in failures:
        if not isinstance(item, dict):
            return None
        identifier = item.get("itemIdentifier")
        if not isinstance(identifier, str) or not identifier or identifier not in known:
            return None
        named.add(identifier)
    return [i for i in batch_ids if i in named]


class Backoff:
    """Exponential backoff for endpoint outages: 1 s doubling up to `limit_s`."""

    def __init__(self, first_s: float = 1.0, limit_s: float = 30.0) -> None:
        self._first = first_s
        self._limit = limit_s
        self._next = first_s

    def next_delay(self) -> float:
        """The delay before the next attempt (grows until `reset`)."""
        delay = self._next
        self._next = min(self._next * 2, self._limit)
        return delay

    def reset(self) -> None:
        """Back to the first delay after a success."""
        self._next = self._first
