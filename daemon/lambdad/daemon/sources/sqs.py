"""The SQS poller: receive, filter, invoke, delete (spec §6.2, §6.4).

Messages are deleted only after the function succeeded with them. On a function error the
batch is left alone, so it becomes visible again when its visibility timeout ends (as on
AWS); with ReportBatchItemFailures only the listed messages are left. Messages no filter
matches are deleted without invoking. FIFO queues are read one batch at a time, so message
groups stay in order; on a partial failure of a FIFO batch, the first failed message and
every later one are returned.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import time
from typing import Any

import botocore.exceptions
import structlog

from lambdad.daemon.domain.event_filters import parse_patterns, passes, sqs_filter_view
from lambdad.daemon.domain.event_sources import EventSourceMapping
from lambdad.daemon.sources.aws import SourceClients
from lambdad.daemon.sources.batch import Backoff, BatchInvoker, failed_items

log = structlog.get_logger(__name__)

MAX_RECEIVE = 10  # SQS's ReceiveMessage limit
LONG_POLL_S = 1  # short enough to notice a stopped mapping quickly


def sqs_record(message: dict[str, Any], mapping: EventSourceMapping) -> dict[str, Any]:
    """An SQS message in Lambda's event shape."""
    source = mapping.source
    record: dict[str, Any] = {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message.get("Body", ""),
        "attributes": dict(message.get("Attributes") or {}),
        "messageAttributes": {
            name: _lower_attribute(value)
            for name, value in (message.get("MessageAttributes") or {}).items()
        },
        "md5OfBody": message.get("MD5OfBody")
        or hashlib.md5(message.get("Body", "").encode()).hexdigest(),
        "eventSource": "aws:sqs",
        "eventSourceARN": source.arn,
        "awsRegion": source.region,
    }
    if message.get("MD5OfMessageAttributes"):
        record["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
    return record


def _lower_attribute(value: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "stringListValues": [],
        "binaryListValues": [],
        "dataType": value.get("DataType", "String"),
    }
    if "StringValue" in value:
        out["stringValue"] = value["StringValue"]
    if "BinaryValue" in value:
        raw = value["BinaryValue"]
        out["binaryValue"] = base64.b64encode(raw).decode() if isinstance(raw, bytes) else raw
    return out


class SqsPoller:
    """Polls one queue for one mapping until cancelled."""

    def __init__(
        self, mapping: EventSourceMapping, clients: SourceClients, invoke: BatchInvoker
    ) -> None:
        self._mapping = mapping
        self._clients = clients
        self._invoke = invoke
        self._patterns = parse_patterns(mapping.filters)
        self._queue_url: str | None = None
        self._backoff = Backoff()

    async def run(self) -> None:
        """Poll until cancelled; endpoint outages are waited out with backoff."""
        while True:
            try:
                await self.poll_once()
                self._backoff.reset()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - an outage must not end the poller
                self._queue_url = None
                delay = self._backoff.next_delay()
                log.warning(
                    "sqs poll failed",
                    uuid=self._mapping.uuid,
                    queue=self._mapping.event_source_arn,
                    error=str(exc),
                    retry_in_s=delay,
                )
                await asyncio.sleep(delay)

    def _client(self) -> Any:
        return self._clients.client(self._mapping.source)

    async def _url(self) -> str:
        if self._queue_url is None:
            reply = await asyncio.to_thread(
                self._client().get_queue_url, QueueName=self._mapping.source.queue_name
            )
            self._queue_url = str(reply["QueueUrl"])
        return self._queue_url

    async def _receive(self, url: str, count: int, wait_s: int) -> list[dict[str, Any]]:
        reply = await asyncio.to_thread(
            self._client().receive_message,
            QueueUrl=url,
            MaxNumberOfMessages=count,
            WaitTimeSeconds=wait_s,
            AttributeNames=["All"],
            MessageSystemAttributeNames=["All"],
            MessageAttributeNames=["All"],
        )
        return list(reply.get("Messages") or [])

    async def poll_once(self) -> None:
        """Receive one batch (honouring BatchSize and the batching window) and deliver it."""
        mapping = self._mapping
        url = await self._url()
        messages = await self._receive(url, min(MAX_RECEIVE, mapping.batch_size), LONG_POLL_S)
        if not messages:
            return
        deadline = time.monotonic() + mapping.maximum_batching_window_in_seconds
        while len(messages) < mapping.batch_size and time.monotonic() < deadline:
            more = await self._receive(url, min(MAX_RECEIVE, mapping.batch_size - len(messages)), 0)
            if not more:
                await asyncio.sleep(min(0.2, max(0.0, deadline - time.monotonic())))
            messages.extend(more)
        await self.deliver(url, messages)

    async def deliver(self, url: str, messages: list[dict[str, Any]]) -> None:
        """Filter, invoke and delete one batch."""
        records = [sqs_record(m, self._mapping) for m in messages]
        matching = [r for r in records if passes(self._patterns, sqs_filter_view(r))]
        dropped = [r for r in records if r not in matching]
        await self._delete(url, dropped)
        if not matching:
            return
        # One invocation, one trace: that of the first message with an AWSTraceHeader.
        trace = next(
            (
                r["attributes"]["AWSTraceHeader"]
                for r in matching
                if r["attributes"].get("AWSTraceHeader")
            ),
            "",
        )
        reply = await self._invoke(
            self._mapping.uuid, json.dumps({"Records": matching}).encode(), trace
        )
        ids = [r["messageId"] for r in matching]
        if self._mapping.report_batch_item_failures:
            failed = failed_items(reply, ids)
        else:
            failed = None if reply.function_error else []
        if failed is None:
            log.info("sqs batch failed", uuid=self._mapping.uuid, size=len(matching))
            return  # the whole batch becomes visible again after its visibility timeout
        if failed and self._mapping.source.is_fifo:
            # FIFO: keep order by returning the first failure and everything after it.
            first = ids.index(failed[0])
            failed = ids[first:]
        succeeded = [r for r in matching if r["messageId"] not in set(failed)]
        await self._delete(url, succeeded)

    async def _delete(self, url: str, records: list[dict[str, Any]]) -> None:
        for start in range(0, len(records), MAX_RECEIVE):
            chunk = records[start : start + MAX_RECEIVE]
            entries = [
                {"Id": str(i), "ReceiptHandle": r["receiptHandle"]} for i, r in enumerate(chunk)
            ]
            try:
                await asyncio.to_thread(
                    self._client().delete_message_batch, QueueUrl=url, Entries=entries
                )
            except botocore.exceptions.ClientError as exc:
                log.warning("sqs delete failed", uuid=self._mapping.uuid, error=str(exc))
