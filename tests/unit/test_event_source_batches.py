"""ReportBatchItemFailures responses (spec §6.4) and event source ARNs."""

from __future__ import annotations

import pytest

from lambdad.daemon.domain.event_sources import parse_source_arn
from lambdad.daemon.errors import LambdaError
from lambdad.daemon.sources.batch import Backoff, InvokeReply, failed_items

IDS = ["m1", "m2", "m3"]


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        # success scenarios
        (b"", []),
        (b"null", []),
        (b"{}", []),
        (b'{"batchItemFailures": []}', []),
        (b'{"batchItemFailures": null}', []),
        # partial failures, in batch order
        (
            b'{"batchItemFailures": [{"itemIdentifier": "m3"}, {"itemIdentifier": "m1"}]}',
            ["m1", "m3"],
        ),
        # whole-batch failures
        (b"not json", None),
        (b'{"foo": "notvalid"}', None),
        (b'{"batchItemFailures": [{"itemIdentifier": ""}]}', None),
        (b'{"batchItemFailures": [{"itemIdentifier": null}]}', None),
        (b'{"batchItemFailures": [{}]}', None),
        (b'{"batchItemFailures": [{"itemIdentifier": "other"}]}', None),
        (b'{"batchItemFailures": "m1"}', None),
        (b'""', None),
        (b"[]", None),
    ],
)
def test_failed_items(payload: bytes, expected: list[str] | None) -> None:
    assert failed_items(InvokeReply(payload), IDS) == expected


def test_function_error_fails_the_whole_batch() -> None:
    assert failed_items(InvokeReply(b"{}", "Unhandled"), IDS) is None


def test_streams_take_an_empty_string_as_success() -> None:
    assert failed_items(InvokeReply(b'""'), IDS, empty_string_ok=True) == []


def test_backoff_doubles_to_its_limit_and_resets() -> None:
    backoff = Backoff(1.0, 4.0)
    assert [backoff.next_delay() for _ in range(4)] == [1.0, 2.0, 4.0, 4.0]
    backoff.reset()
    assert backoff.next_delay() == 1.0


@pytest.mark.parametrize(
    ("arn", "service", "region", "stream"),
    [
        ("arn:aws:sqs:eu-west-1:123456789012:q", "sqs", "eu-west-1", False),
        ("arn:aws:sqs:us-east-1:123456789012:q.fifo", "sqs", "us-east-1", False),
        (
            "arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/2024-01-01T00:00:00.000",
            "dynamodb",
            "us-east-1",
            True,
        ),
        ("arn:aws:kinesis:ap-south-1:123456789012:stream/s", "kinesis", "ap-south-1", True),
    ],
)
def test_arns_decide_service_and_region(arn: str, service: str, region: str, stream: bool) -> None:
    parsed = parse_source_arn(arn)
    assert (parsed.service, parsed.region, parsed.is_stream) == (service, region, stream)


@pytest.mark.parametrize(
    "arn",
    ["", "nope", "arn:aws:s3:::bucket", "arn:aws:dynamodb:us-east-1:123456789012:table/t"],
)
def test_unrecognized_sources(arn: str) -> None:
    with pytest.raises(LambdaError) as info:
        parse_source_arn(arn)
    assert info.value.message == "Unrecognized event source."
