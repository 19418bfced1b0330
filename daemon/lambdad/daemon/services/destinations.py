"""Delivery of async invocation records to SQS, SNS, EventBridge and S3, and of dead letters.

Endpoints and credentials are found the way the event source pollers find theirs
(`sources/aws.py`: `AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_SQS`, ..., the standard credential
chain); the region is the destination ARN's. boto3 calls run in a thread with short timeouts.
A failed delivery raises `DeliveryError`: the caller keeps the event and tries again later.
Lambda destinations are not sent here: they are Event invocations of this daemon.

Shapes, as AWS documents them:
- SQS / SNS: the invocation record as the message body.
- EventBridge: one event, Source `lambda`, DetailType `Lambda Function Invocation Result -
  Success` (or `- Failure`), Detail the record, Resources the function and the bus.
- S3 (on failure only): the record as a JSON object at
  `aws/lambda/async/<function>/YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-<uuid>`.
- Dead-letter queue (SQS/SNS): the original event as the body, message attributes `RequestID`
  (String), `ErrorCode` (Number, the HTTP status) and `ErrorMessage` (String, first 1 KB).
"""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime
from typing import Any

from lambdad.daemon.domain.arns import split_arn
from lambdad.daemon.domain.event_sources import SourceArn
from lambdad.daemon.sources.aws import SourceClients
from lambdad.daemon.sources.aws import error_code as aws_error_code

SUCCESS_DETAIL_TYPE = "Lambda Function Invocation Result - Success"
FAILURE_DETAIL_TYPE = "Lambda Function Invocation Result - Failure"
MAX_ERROR_MESSAGE = 1024
# botocore service names per destination ARN service.
SERVICES = {"sqs": "sqs", "sns": "sns", "events": "events", "s3": "s3"}


# Errors that no retry will cure: the record itself is refused (too large, malformed).
PERMANENT_ERROR_CODES = frozenset(
    {
        "InvalidMessageContents",
        "MessageTooLong",
        "InvalidParameterValue",
        "InvalidParameter",
        "InvalidParameterException",
        "ValidationException",
        "EntityTooLarge",
    }
)


class DeliveryError(Exception):
    """A record could not be delivered; unless `permanent`, the event stays queued for later."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


def _arn(arn: str) -> SourceArn:
    parts = split_arn(arn)
    if parts is None:
        raise DeliveryError(f"not an ARN: {arn}")
    return SourceArn(arn, parts.service, parts.region, parts.account, parts.resource)


def s3_record_key(function_name: str, now: datetime) -> str:
    """Where AWS puts a failure record in an S3 bucket."""
    return f"aws/lambda/async/{function_name}/{now:%Y/%m/%d}/{now:%Y-%m-%dT%H.%M.%S}-{uuid.uuid4()}"


class DestinationSender:
    """Sends records and dead letters to AWS-compatible endpoints."""

    def __init__(self, clients: SourceClients | None = None, *, timeout_s: float = 10.0) -> None:
        # Clients of their own: short timeouts, not the pollers' long-poll ones.
        self._clients = clients or SourceClients(timeout_s=timeout_s, read_timeout_s=timeout_s)
        self._timeout_s = timeout_s

    async def send_record(
        self, destination: str, record: dict[str, Any], *, function_name: str, success: bool
    ) -> None:
        """Deliver an invocation record to an SQS, SNS, EventBridge or S3 destination."""
        target = _arn(destination)
        body = json.dumps(record)
        if target.service == "sqs":
            await self._call(target, "send_message", QueueUrl=await self._queue_url(target),
                             MessageBody=body)  # fmt: skip
        elif target.service == "sns":
            await self._call(target, "publish", TopicArn=destination, Message=body)
        elif target.service == "events":
            function_arn = str(record.get("requestContext", {}).get("functionArn", ""))
            reply = await self._call(
                target,
                "put_events",
                Entries=[
                    {
                        "Source": "lambda",
                        "DetailType": SUCCESS_DETAIL_TYPE if success else FAILURE_DETAIL_TYPE,
                        "Detail": body,
                        "Resources": [r for r in (function_arn, destination) if r],
                        "EventBusName": destination,
                    }
                ],
            )
            if reply.get("FailedEntryCount"):
                raise DeliveryError(f"EventBridge refused the event: {reply.get('Entries')}")
        elif target.service == "s3":
            bucket = target.resource.split("/", 1)[0]
            await self._call(
                target,
                "put_object",
                Bucket=bucket,
                Key=s3_record_key(function_name, datetime.now(UTC)),
                Body=body.encode(),
                ContentType="application/json",
            )
        else:
            raise DeliveryError(f"unsupported destination service {target.service!r}")

    async def send_dead_letter(
        self,
        target_arn: str,
        payload: bytes,
        *,
        request_id: str,
        error_code: int,
        error_message: str,
    ) -> None:
        """Deliver the original event to a dead-letter queue (SQS) or topic (SNS)."""
        target = _arn(target_arn)
        body = payload.decode("utf-8", "replace")
        attributes = {
            "RequestID": {"DataType": "String", "StringValue": request_id},
            "ErrorCode": {"DataType": "Number", "StringValue": str(error_code)},
            "ErrorMessage": {
                "DataType": "String",
                "StringValue": error_message[:MAX_ERROR_MESSAGE] or "Unknown",
            },
        }
        if target.service == "sqs":
            await self._call(
                target,
                "send_message",
                QueueUrl=await self._queue_url(target),
                MessageBody=body,
                MessageAttributes=attributes,
            )
        elif target.service == "sns":
            await self._call(
                target, "publish", TopicArn=target_arn, Message=body, MessageAttributes=attributes
            )
        else:
            raise DeliveryError(f"unsupported dead-letter service {target.service!r}")

    async def _queue_url(self, target: SourceArn) -> str:
        # By name, as the pollers find queues: the endpoint's own account holds it.
        reply = await self._call(target, "get_queue_url", QueueName=target.resource)
        return str(reply["QueueUrl"])

    async def _call(self, target: SourceArn, operation: str, **arguments: Any) -> dict[str, Any]:
        """One boto3 call in a thread; any failure is a DeliveryError."""
        try:
            client = self._clients.client(target, SERVICES[target.service])
            method = getattr(client, operation)
            reply = await asyncio.wait_for(
                asyncio.to_thread(method, **arguments), self._timeout_s * 3
            )
        except DeliveryError:
            raise
        except Exception as error:
            # botocore raises many kinds; most mean "try later", a refused record never heals.
            raise DeliveryError(
                f"{operation} to {target.arn} failed: {error}",
                permanent=aws_error_code(error) in PERMANENT_ERROR_CODES,
            ) from error
        return dict(reply)
