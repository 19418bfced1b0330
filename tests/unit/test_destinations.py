"""DestinationSender's calls and error classes, with a fake boto3 client (no network)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import botocore.exceptions
import pytest

from lambdad.daemon.domain.event_sources import SourceArn
from lambdad.daemon.services.destinations import DeliveryError, DestinationSender, s3_record_key

RECORD = {"version": "1.0", "requestContext": {"functionArn": "arn:aws:lambda:f", "x": 1}}


@dataclass
class FakeClient:
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    fail_with: str | None = None

    def __getattr__(self, operation: str) -> Any:
        def call(**arguments: Any) -> dict[str, Any]:
            if self.fail_with:
                raise botocore.exceptions.ClientError(
                    {"Error": {"Code": self.fail_with, "Message": "no"}}, operation
                )
            self.calls.append((operation, arguments))
            if operation == "get_queue_url":
                return {"QueueUrl": f"http://q/{arguments['QueueName']}"}
            return {"FailedEntryCount": 0}

        return call


@dataclass
class FakeClients:
    fake: FakeClient = field(default_factory=FakeClient)
    asked: list[tuple[str, str]] = field(default_factory=list)

    def client(self, source: SourceArn, service: str | None = None) -> FakeClient:
        self.asked.append((service or source.service, source.region))
        return self.fake


@pytest.fixture
def clients() -> FakeClients:
    return FakeClients()


@pytest.fixture
def sender(clients: FakeClients) -> DestinationSender:
    return DestinationSender(clients)  # type: ignore[arg-type]


async def test_eventbridge_event_shape(sender: DestinationSender, clients: FakeClients) -> None:
    bus = "arn:aws:events:eu-west-1:123456789012:event-bus/records"
    await sender.send_record(bus, RECORD, function_name="f", success=False)
    ((operation, arguments),) = clients.fake.calls
    assert operation == "put_events"
    (entry,) = arguments["Entries"]
    assert entry["Source"] == "lambda"
    assert entry["DetailType"] == "Lambda Function Invocation Result - Failure"
    assert entry["Resources"] == ["arn:aws:lambda:f", bus]
    assert entry["EventBusName"] == bus
    assert clients.asked == [("events", "eu-west-1")]  # the region is the ARN's


async def test_sqs_dead_letter_attributes(sender: DestinationSender, clients: FakeClients) -> None:
    await sender.send_dead_letter(
        "arn:aws:sqs:us-east-1:123456789012:dlq",
        b'{"a": 1}',
        request_id="rid",
        error_code=200,
        error_message="x" * 2000,
    )
    (_, lookup), (operation, arguments) = clients.fake.calls
    assert lookup == {"QueueName": "dlq"}
    assert operation == "send_message"
    assert arguments["QueueUrl"] == "http://q/dlq"
    assert arguments["MessageBody"] == '{"a": 1}'
    attributes = arguments["MessageAttributes"]
    assert attributes["RequestID"] == {"DataType": "String", "StringValue": "rid"}
    assert attributes["ErrorCode"] == {"DataType": "Number", "StringValue": "200"}
    assert attributes["ErrorMessage"]["StringValue"] == "x" * 1024  # the first 1 KB


@pytest.mark.parametrize(("code", "permanent"), [("MessageTooLong", True), ("Throttling", False)])
async def test_refusals_are_permanent_outages_are_not(
    sender: DestinationSender, clients: FakeClients, code: str, permanent: bool
) -> None:
    clients.fake.fail_with = code
    with pytest.raises(DeliveryError) as caught:
        await sender.send_record(
            "arn:aws:sns:us-east-1:123456789012:t", RECORD, function_name="f", success=True
        )
    assert caught.value.permanent is permanent


async def test_unsupported_service_is_a_delivery_error(sender: DestinationSender) -> None:
    with pytest.raises(DeliveryError):
        await sender.send_dead_letter(
            "arn:aws:events:us-east-1:1:bus", b"{}", request_id="r", error_code=1, error_message=""
        )


def test_s3_record_key() -> None:
    key = s3_record_key("fn", datetime(2026, 12, 2, 13, 4, 5, tzinfo=UTC))
    assert re.fullmatch(r"aws/lambda/async/fn/2026/12/02/2026-12-02T13\.04\.05-[0-9a-f-]{36}", key)
