"""AWS clients for event sources, found the botocore way, and the existence probe.

The endpoint of each service comes from botocore's standard lookup (`AWS_ENDPOINT_URL`,
`AWS_ENDPOINT_URL_SQS`, `AWS_ENDPOINT_URL_DYNAMODB_STREAMS`, profiles, ...) and credentials
from the standard chain; the region is the event source ARN's.
"""

from __future__ import annotations

import asyncio
from typing import Any

import boto3
import botocore.exceptions
from botocore.config import Config as BotoConfig

from lambdad.daemon.domain.event_sources import DYNAMODB, KINESIS, SQS, SourceArn
from lambdad.daemon.errors import invalid_parameter

# botocore's service names per ARN service.
CLIENT_SERVICES = {SQS: "sqs", DYNAMODB: "dynamodbstreams", KINESIS: "kinesis"}
MISSING_QUEUE = (
    "Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService."
    "NonExistentQueue. SQS Error Message: The specified queue does not exist."
)
# Failures that mean "the endpoint is not there (yet)", not "the source is missing".
UNREACHABLE = (
    botocore.exceptions.EndpointConnectionError,
    botocore.exceptions.ConnectionClosedError,
    botocore.exceptions.ConnectTimeoutError,
    botocore.exceptions.ReadTimeoutError,
    botocore.exceptions.NoCredentialsError,
    botocore.exceptions.NoRegionError,
)


class SourceClients:
    """One boto3 client per (service, region), created on first use."""

    def __init__(self, *, timeout_s: float = 10.0, read_timeout_s: float | None = None) -> None:
        self._clients: dict[tuple[str, str], Any] = {}
        self._session = boto3.session.Session()
        self._config = BotoConfig(
            connect_timeout=timeout_s,
            # Long polls wait up to 20 s; senders that never long-poll give a shorter one.
            read_timeout=read_timeout_s if read_timeout_s is not None else timeout_s + 25,
            retries={"max_attempts": 1, "mode": "standard"},
        )

    def client(self, source: SourceArn, service: str | None = None) -> Any:
        """The client for a source's service (or `service`) in the source's region."""
        name = service or CLIENT_SERVICES[source.service]
        key = (name, source.region)
        if key not in self._clients:
            self._clients[key] = self._session.client(
                name, region_name=source.region, config=self._config
            )
        return self._clients[key]


def error_code(error: BaseException) -> str:
    """The AWS error code of a ClientError, or ""."""
    if isinstance(error, botocore.exceptions.ClientError):
        return str(error.response.get("Error", {}).get("Code", ""))
    return ""


class AwsEventSourceProbe:
    """Checks queues and streams on their endpoint; an unreachable endpoint is accepted
    (the poller waits for it), a missing queue or stream is AWS's IPVE."""

    def __init__(self, clients: SourceClients) -> None:
        self._clients = clients

    async def check(self, source: SourceArn) -> None:
        """Raise AWS's InvalidParameterValueException when the source does not exist."""
        try:
            await asyncio.to_thread(self._check, source)
        except UNREACHABLE:
            return
        except botocore.exceptions.ClientError as exc:
            code = error_code(exc)
            if "NonExistentQueue" in code or code == "QueueDoesNotExist":
                raise invalid_parameter(MISSING_QUEUE) from exc
            if code == "ResourceNotFoundException":
                raise invalid_parameter(f"Stream not found: {source.arn}") from exc
            return

    def _check(self, source: SourceArn) -> None:
        client = self._clients.client(source)
        if source.service == SQS:
            client.get_queue_url(QueueName=source.queue_name)
        elif source.service == DYNAMODB:
            client.describe_stream(StreamArn=source.arn, Limit=1)
        else:
            client.describe_stream_summary(StreamName=source.resource.removeprefix("stream/"))
