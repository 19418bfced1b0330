"""The ARN builders and the splitter in `domain/arns.py`."""

from __future__ import annotations

import pytest

from lambdad.daemon.domain import arns
from lambdad.daemon.domain.arns import Arn, split_arn

ACCOUNT = "123456789012"


@pytest.mark.parametrize(
    ("built", "expected"),
    [
        (
            arns.function_arn("us-east-1", ACCOUNT, "f"),
            "arn:aws:lambda:us-east-1:123456789012:function:f",
        ),
        (
            arns.function_arn("us-east-1", ACCOUNT, "f", "live"),
            "arn:aws:lambda:us-east-1:123456789012:function:f:live",
        ),
        (
            arns.layer_arn("eu-west-1", ACCOUNT, "deps"),
            "arn:aws:lambda:eu-west-1:123456789012:layer:deps",
        ),
        (arns.account_root_arn(ACCOUNT), "arn:aws:iam::123456789012:root"),
        (arns.runtime_arn("us-east-1", "abc"), "arn:aws:lambda:us-east-1::runtime:abc"),
        (
            arns.sibling_arn(
                "arn:aws-cn:lambda:cn-north-1:123456789012:function:f:1",
                "event-source-mapping:u",
            ),
            "arn:aws-cn:lambda:cn-north-1:123456789012:event-source-mapping:u",
        ),
        (arns.role_arn(ACCOUNT, "lambdad"), "arn:aws:iam::123456789012:role/lambdad"),
    ],
)
def test_builders_write_aws_shapes(built: str, expected: str) -> None:
    assert built == expected


def test_split_keeps_the_resource_whole_and_round_trips() -> None:
    text = "arn:aws:lambda:us-east-1:123456789012:function:f:live"
    arn = split_arn(text)
    assert arn == Arn("aws", "lambda", "us-east-1", ACCOUNT, "function:f:live")
    assert str(arn) == text


@pytest.mark.parametrize("text", ["", "f", "arn:aws:sqs:us-east-1:1", "urn:aws:sqs:r:1:q"])
def test_split_refuses_what_is_not_an_arn(text: str) -> None:
    assert split_arn(text) is None
