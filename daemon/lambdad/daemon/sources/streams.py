"""Stream pollers: DynamoDB Streams and Kinesis (spec §6.2, §6.4).

Each shard is read in order. A batch is the records of one GetRecords call; records no
filter matches are skipped. The checkpoint (last sequence number handled, per shard) is
stored, so a restarted daemon resumes after it. A failed batch is retried (up to
MaximumRetryAttempts, -1 meaning until the records are too old), optionally bisected; with
ReportBatchItemFailures the retry starts at the lowest failed sequence number. Batches given
up on are described to the OnFailure SQS destination, and the shard moves on.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

import structlog

from lambdad.daemon.domain import arns
from lambdad.daemon.domain.event_filters import (
    dynamodb_filter_view,
    kinesis_filter_view,
    parse_patterns,
    passes,
)
from lambdad.daemon.domain.event_sources import DYNAMODB, EventSourceMapping, SourceArn
from lambdad.daemon.sources.aws import SourceClients, error_code
from lambdad.daemon.sources.batch import Backoff, BatchInvoker, failed_items

log = structlog.get_logger(__name__)

IDLE_S = 0.5  # pause between empty GetRecords calls
RETRY_S = 1.0  # pause before retrying a failed batch
_ITERATOR_ERRORS = ("ExpiredIteratorException", "TrimmedDataAccessException")
# LastProcessingResult after a batch (AWS's texts; "No records processed" until the first).
RESULT_OK = "OK"
RESULT_FUNCTION_FAILED = "PROBLEM: Function call failed"

Checkpoints = tuple[
    Callable[[str, str], Awaitable[str | None]], Callable[[str, str, str], Awaitable[None]]
]
# Stores a mapping's LastProcessingResult: (uuid, result).
ResultRecorder = Callable[[str, str], Awaitable[None]]


def _epoch(value: Any) -> float:
    if isinstance(value, dt.datetime):
        return value.timestamp()
    return float(value)


def _typed(value: Any) -> Any:
    """boto3's DynamoDB JSON with bytes -> the event's JSON (bytes as base64)."""
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode()
    if isinstance(value, dict):
        return {k: _typed(v) for k, v in value.items()}
    if isinstance(value, list | set):
        return [_typed(v) for v in value]
    return value


def dynamodb_record(raw: dict[str, Any], source: SourceArn) -> dict[str, Any]:
    """A DynamoDB Streams record in Lambda's event shape."""
    body = dict(raw.get("dynamodb") or {})
    if "ApproximateCreationDateTime" in body:
        body["ApproximateCreationDateTime"] = _epoch(body["ApproximateCreationDateTime"])
    record: dict[str, Any] = {
        "eventID": raw.get("eventID", ""),
        "eventName": raw.get("eventName", ""),
        "eventVersion": raw.get("eventVersion", "1.1"),
        "eventSource": "aws:dynamodb",
        "awsRegion": source.region,
        "dynamodb": _typed(body),
        "eventSourceARN": source.arn,
    }
    if raw.get("userIdentity"):
        record["userIdentity"] = raw["userIdentity"]
    return record


def kinesis_record(raw: dict[str, Any], source: SourceArn, shard_id: str) -> dict[str, Any]:
    """A Kinesis record in Lambda's event shape."""
    data = raw.get("Data", b"")
    return {
        "kinesis": {
            "kinesisSchemaVersion": "1.0",
            "partitionKey": raw.get("PartitionKey", ""),
            "sequenceNumber": raw["SequenceNumber"],
            "data": base64.b64encode(data).decode() if isinstance(data, bytes) else data,
            "approximateArrivalTimestamp": _epoch(raw.get("ApproximateArrivalTimestamp", 0)),
        },
        "eventSource": "aws:kinesis",
        "eventVersion": "1.0",
        "eventID": f"{shard_id}:{raw['SequenceNumber']}",
        "eventName": "aws:kinesis:record",
        "invokeIdentityArn": arns.role_arn(source.account, "lambdad"),
        "awsRegion": source.region,
        "eventSourceARN": source.arn,
    }


def sequence_number(record: dict[str, Any]) -> str:
    """The sequence number of a delivered record (the ReportBatchItemFailures id)."""
    if "kinesis" in record:
        return str(record["kinesis"]["sequenceNumber"])
    return str(record["dynamodb"]["SequenceNumber"])


def _arrival(record: dict[str, Any]) -> float:
    if "kinesis" in record:
        return float(record["kinesis"]["approximateArrivalTimestamp"])
    return float(record["dynamodb"].get("ApproximateCreationDateTime", time.time()))


class StreamPoller:
    """Polls every shard of one stream for one mapping until cancelled."""

    def __init__(
        self,
        mapping: EventSourceMapping,
        clients: SourceClients,
        invoke: BatchInvoker,
        checkpoints: Checkpoints,
        record_result: ResultRecorder,
    ) -> None:
        self._mapping = mapping
        self._record_result = record_result
        self._last_result = mapping.last_processing_result
        self._source = mapping.source
        self._clients = clients
        self._invoke = invoke
        self._load, self._save = checkpoints
        self._patterns = parse_patterns(mapping.filters)
        self._is_dynamodb = self._source.service == DYNAMODB
        self._stream_name = self._source.resource.removeprefix("stream/")

    def _client(self) -> Any:
        return self._clients.client(self._source)

    async def run(self) -> None:
        """Poll every shard, each in its own task; rediscover shards on outages."""
        backoff = Backoff()
        while True:
            try:
                shards = await self._shards()
                backoff.reset()
                async with asyncio.TaskGroup() as group:
                    for shard_id in shards:
                        group.create_task(self._poll_shard(shard_id))
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - an outage must not end the poller
                delay = backoff.next_delay()
                log.warning(
                    "stream poll failed",
                    uuid=self._mapping.uuid,
                    stream=self._source.arn,
                    error=str(exc),
                    retry_in_s=delay,
                )
                await asyncio.sleep(delay)

    async def _shards(self) -> list[str]:
        if self._is_dynamodb:
            reply = await asyncio.to_thread(
                self._client().describe_stream, StreamArn=self._source.arn
            )
            return [s["ShardId"] for s in reply["StreamDescription"].get("Shards", [])]
        reply = await asyncio.to_thread(self._client().list_shards, StreamName=self._stream_name)
        return [s["ShardId"] for s in reply.get("Shards", [])]

    async def _iterator(self, shard_id: str) -> str | None:
        checkpoint = await self._load(self._mapping.uuid, shard_id)
        args: dict[str, Any] = {"ShardId": shard_id}
        if self._is_dynamodb:
            args["StreamArn"] = self._source.arn
        else:
            args["StreamName"] = self._stream_name
        if checkpoint is not None:
            # The two APIs name the same parameter differently.
            key = "SequenceNumber" if self._is_dynamodb else "StartingSequenceNumber"
            args.update({"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", key: checkpoint})
        elif self._mapping.starting_position == "AT_TIMESTAMP" and not self._is_dynamodb:
            args.update(
                ShardIteratorType="AT_TIMESTAMP",
                Timestamp=self._mapping.starting_position_timestamp or 0,
            )
        else:
            position = self._mapping.starting_position or "LATEST"
            args["ShardIteratorType"] = "TRIM_HORIZON" if position == "AT_TIMESTAMP" else position
        reply = await asyncio.to_thread(self._client().get_shard_iterator, **args)
        iterator = reply.get("ShardIterator")
        return str(iterator) if iterator else None

    async def _poll_shard(self, shard_id: str) -> None:
        backoff = Backoff()
        iterator: str | None = None
        while True:
            try:
                if iterator is None:
                    iterator = await self._iterator(shard_id)
                    if iterator is None:
                        return  # a closed shard that was read to its end
                reply = await asyncio.to_thread(
                    self._client().get_records,
                    ShardIterator=iterator,
                    Limit=self._mapping.batch_size,
                )
                backoff.reset()
                raws = reply.get("Records") or []
                if raws:
                    await self._handle(shard_id, raws)
                iterator = reply.get("NextShardIterator")
                if iterator is None:
                    return
                if not raws:
                    await asyncio.sleep(IDLE_S)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - an outage must not end the poller
                if error_code(exc) not in _ITERATOR_ERRORS:
                    log.warning(
                        "shard poll failed", uuid=self._mapping.uuid, shard=shard_id, error=str(exc)
                    )
                iterator = None  # restart from the stored checkpoint
                await asyncio.sleep(backoff.next_delay())

    async def _handle(self, shard_id: str, raws: list[dict[str, Any]]) -> None:
        if self._is_dynamodb:
            records = [dynamodb_record(r, self._source) for r in raws]
            view = dynamodb_filter_view
        else:
            records = [kinesis_record(r, self._source, shard_id) for r in raws]
            view = kinesis_filter_view
        matching = [r for r in records if passes(self._patterns, view(r))]
        if matching:
            await self._deliver(shard_id, matching)
        await self._save(self._mapping.uuid, shard_id, sequence_number(records[-1]))

    async def _deliver(self, shard_id: str, records: list[dict[str, Any]]) -> None:
        """Invoke until the batch succeeds or is given up on (then OnFailure)."""
        mapping = self._mapping
        attempts = 0
        pending = records
        while pending:
            pending = self._drop_expired(shard_id, pending)
            if not pending:
                return
            failed_from = await self._invoke_batch(pending)
            if failed_from is None:
                return
            attempts += 1
            log.info(
                "stream batch failed",
                uuid=mapping.uuid,
                shard=shard_id,
                size=len(pending),
                failed_from=failed_from,
                attempts=attempts,
            )
            if mapping.bisect_batch_on_function_error and len(pending) - failed_from > 1:
                rest = pending[failed_from:]
                half = len(rest) // 2
                await self._deliver(shard_id, rest[:half])
                await self._deliver(shard_id, rest[half:])
                return
            pending = pending[failed_from:]
            retries = mapping.maximum_retry_attempts
            if retries is not None and retries >= 0 and attempts > retries:
                await self._on_failure(shard_id, pending, "RetryAttemptsExhausted", attempts)
                return
            await asyncio.sleep(RETRY_S)

    def _drop_expired(self, shard_id: str, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        limit = self._mapping.maximum_record_age_in_seconds
        if limit is None or limit < 0:
            return records
        now = time.time()
        fresh = [r for r in records if now - _arrival(r) <= limit]
        if len(fresh) < len(records):
            expired = [r for r in records if r not in fresh]
            task = asyncio.ensure_future(
                self._on_failure(shard_id, expired, "RecordAgeExceeded", 0)
            )
            task.add_done_callback(lambda t: t.exception())
        return fresh

    async def _invoke_batch(self, records: list[dict[str, Any]]) -> int | None:
        """Invoke once; None on success, else the index of the first record to retry."""
        reply = await self._invoke(self._mapping.uuid, json.dumps({"Records": records}).encode())
        await self._result(RESULT_FUNCTION_FAILED if reply.function_error else RESULT_OK)
        ids = [sequence_number(r) for r in records]
        if self._mapping.report_batch_item_failures:
            failed = failed_items(reply, ids, empty_string_ok=True)
            if failed == []:
                return None
            if failed is None:
                return 0
            return min(ids.index(i) for i in failed)
        return 0 if reply.function_error else None

    async def _result(self, result: str) -> None:
        """Store the mapping's LastProcessingResult when it changes (not once per batch)."""
        if result != self._last_result:
            self._last_result = result
            await self._record_result(self._mapping.uuid, result)

    async def _on_failure(
        self, shard_id: str, records: list[dict[str, Any]], condition: str, attempts: int
    ) -> None:
        destination = self._mapping.on_failure
        log.warning(
            "stream batch given up",
            uuid=self._mapping.uuid,
            shard=shard_id,
            records=len(records),
            condition=condition,
        )
        if not destination or ":sqs:" not in destination:
            return
        first, last = sequence_number(records[0]), sequence_number(records[-1])
        key = "DDBStreamBatchInfo" if self._is_dynamodb else "KinesisBatchInfo"
        body = {
            "requestContext": {
                "requestId": "",
                "functionArn": self._mapping.function_arn,
                "condition": condition,
                "approximateInvokeCount": attempts,
            },
            "responseContext": {"statusCode": 200, "executedVersion": "$LATEST"},
            "version": "1.0",
            "timestamp": dt.datetime.now(dt.UTC).isoformat(),
            key: {
                "shardId": shard_id,
                "startSequenceNumber": first,
                "endSequenceNumber": last,
                "approximateArrivalOfFirstRecord": _arrival(records[0]),
                "approximateArrivalOfLastRecord": _arrival(records[-1]),
                "batchSize": len(records),
                "streamArn": self._source.arn,
            },
        }
        target = destination.split(":")
        queue_source = SourceArn(destination, "sqs", target[3], target[4], target[5])
        sqs = self._clients.client(queue_source)
        try:
            url = (await asyncio.to_thread(sqs.get_queue_url, QueueName=target[5]))["QueueUrl"]
            await asyncio.to_thread(sqs.send_message, QueueUrl=url, MessageBody=json.dumps(body))
        except Exception as exc:  # noqa: BLE001 - the record is lost either way; say so
            log.warning("on-failure destination failed", uuid=self._mapping.uuid, error=str(exc))
