"""Function names, ARNs, qualifiers and alias names, with AWS's exact errors (spec §2.3, §7.2)."""

from __future__ import annotations

import pytest

from lambdad.daemon.domain.names import (
    ALIAS_PATTERN,
    FUNCTION_NAME_PATTERN,
    LATEST,
    Account,
    FunctionRef,
    check_alias_name,
    check_version,
    is_version_qualifier,
    parse_function_name,
)
from lambdad.daemon.errors import LambdaError, Reason

ACCOUNT = Account("us-east-1", "000000000000")
ARN = "arn:aws:lambda:us-east-1:000000000000:function"
NAME_64 = "n" * 64
NAME_65 = "n" * 65
LONG_ARN = f"{ARN}:{NAME_64}:{'q' * 40}"  # matches the pattern, 149 characters
PATTERN_MESSAGE = f"Member must satisfy regular expression pattern: {FUNCTION_NAME_PATTERN}"


def _validation(value: str | None, field: str, constraint: str) -> str:
    shown = "null" if value is None else f"'{value}'"
    return (
        f"1 validation error detected: Value {shown} at '{field}' failed to satisfy "
        f"constraint: {constraint}"
    )


@pytest.mark.parametrize(
    ("function_name", "qualifier", "expected"),
    [
        ("f", None, FunctionRef("f", None)),
        ("my-Func_1", None, FunctionRef("my-Func_1", None)),
        (NAME_64, None, FunctionRef(NAME_64, None)),
        ("f:1", None, FunctionRef("f", "1")),
        ("f:$LATEST", None, FunctionRef("f", LATEST)),
        ("f:live", None, FunctionRef("f", "live")),
        ("f", "7", FunctionRef("f", "7")),
        ("f", "", FunctionRef("f", None)),
        ("000000000000:function:f", None, FunctionRef("f", None)),
        ("000000000000:function:f:prod", None, FunctionRef("f", "prod")),
        ("us-east-1:000000000000:function:f", None, FunctionRef("f", None)),
        (f"{ARN}:f", None, FunctionRef("f", None)),
        (f"{ARN}:f:3", None, FunctionRef("f", "3")),
        (f"{ARN}:f:$LATEST", None, FunctionRef("f", LATEST)),
        (f"{ARN}:f:prod", "prod", FunctionRef("f", "prod")),
        (f"{ARN}:f", "prod", FunctionRef("f", "prod")),
        (f"{ARN}:{NAME_64}", None, FunctionRef(NAME_64, None)),
        ("arn:aws-cn:lambda:us-east-1:000000000000:function:f", None, FunctionRef("f", None)),
    ],
)
def test_parse_function_name_accepts(
    function_name: str, qualifier: str | None, expected: FunctionRef
) -> None:
    assert parse_function_name(ACCOUNT, function_name, qualifier) == expected


@pytest.mark.parametrize(
    ("function_name", "qualifier", "reason", "message"),
    [
        pytest.param(
            "arn:aws:lambda:eu-west-1:000000000000:function:f",
            None,
            Reason.FUNCTION_NOT_FOUND,
            "Functions from 'eu-west-1' are not reachable in this region ('us-east-1')",
            id="other-region-arn",
        ),
        pytest.param(
            "ap-southeast-1:000000000000:function:f",
            None,
            Reason.FUNCTION_NOT_FOUND,
            "Functions from 'ap-southeast-1' are not reachable in this region ('us-east-1')",
            id="other-region-partial",
        ),
        pytest.param(
            "arn:aws:lambda:us-east-1:111111111111:function:f",
            None,
            Reason.ACCESS_DENIED,
            "",
            id="other-account-arn",
        ),
        pytest.param(
            "111111111111:function:f",
            None,
            Reason.ACCESS_DENIED,
            "",
            id="other-account-partial",
        ),
        pytest.param(
            NAME_65,
            None,
            Reason.INVALID_PARAMETER_VALUE,
            _validation(
                NAME_65, "functionName", "Member must have length less than or equal to 64"
            ),
            id="name-65",
        ),
        pytest.param(
            f"{ARN}:{NAME_65}",
            None,
            Reason.INVALID_PARAMETER_VALUE,
            _validation(
                NAME_65, "functionName", "Member must have length less than or equal to 64"
            ),
            id="arn-with-name-65",
        ),
        pytest.param(
            LONG_ARN,
            None,
            Reason.VALIDATION,
            _validation(
                LONG_ARN, "functionName", "Member must have length less than or equal to 140"
            ),
            id="arn-over-140",
        ),
        pytest.param(
            "x" * 141,
            None,
            Reason.VALIDATION,
            _validation(
                "x" * 141, "functionName", "Member must have length less than or equal to 140"
            ),
            id="name-over-140",
        ),
        pytest.param(
            "x" * 141 + "!",
            None,
            Reason.VALIDATION,
            _validation(
                "x" * 141 + "!",
                "functionName",
                "Member must have length less than or equal to 140",
            ),
            id="bad-chars-and-over-140",
        ),
        pytest.param(
            "invalid:function:name",
            None,
            Reason.VALIDATION,
            _validation("invalid:function:name", "functionName", PATTERN_MESSAGE),
            id="bad-shape",
        ),
        pytest.param(
            "my function",
            None,
            Reason.VALIDATION,
            _validation("my function", "functionName", PATTERN_MESSAGE),
            id="space",
        ),
        pytest.param(
            "f.g",
            None,
            Reason.VALIDATION,
            _validation("f.g", "functionName", PATTERN_MESSAGE),
            id="dot",
        ),
        pytest.param(
            "",
            None,
            Reason.VALIDATION,
            _validation(None, "functionName", "Member must have length greater than or equal to 1"),
            id="empty",
        ),
        pytest.param(
            "f:1",
            "2",
            Reason.INVALID_PARAMETER_VALUE,
            "The derived qualifier from the function name does not match the specified qualifier.",
            id="qualifier-mismatch",
        ),
        pytest.param(
            f"{ARN}:f:prod",
            "live",
            Reason.INVALID_PARAMETER_VALUE,
            "The derived qualifier from the function name does not match the specified qualifier.",
            id="arn-qualifier-mismatch",
        ),
        pytest.param(
            "f",
            "a b",
            Reason.VALIDATION,
            _validation(
                "a b",
                "qualifier",
                "Member must satisfy regular expression pattern: "
                r"\$(LATEST(\.PUBLISHED)?)|[a-zA-Z0-9-_$]+",
            ),
            id="bad-qualifier",
        ),
        pytest.param(
            "f",
            "q" * 129,
            Reason.VALIDATION,
            _validation(
                "q" * 129, "qualifier", "Member must have length less than or equal to 128"
            ),
            id="qualifier-too-long",
        ),
    ],
)
def test_parse_function_name_rejects(
    function_name: str, qualifier: str | None, reason: Reason, message: str
) -> None:
    with pytest.raises(LambdaError) as caught:
        parse_function_name(ACCOUNT, function_name, qualifier)
    assert caught.value.reason == reason
    assert caught.value.message == message


def test_long_arn_fixture_really_matches_the_pattern() -> None:
    # Guards the arn-over-140 row: it must be rejected for its length, not its shape.
    import re

    assert len(LONG_ARN) > 140
    assert re.fullmatch(FUNCTION_NAME_PATTERN, LONG_ARN)


def test_other_region_checked_with_configured_region() -> None:
    other = Account("eu-west-1", "123456789012")
    arn = "arn:aws:lambda:eu-west-1:123456789012:function:f"
    assert parse_function_name(other, arn) == FunctionRef("f", None)
    with pytest.raises(LambdaError) as caught:
        parse_function_name(ACCOUNT, arn)
    assert caught.value.reason == Reason.FUNCTION_NOT_FOUND


@pytest.mark.parametrize(
    ("qualifier", "expected"),
    [(LATEST, True), ("1", True), ("42", True), ("live", False), ("1a", False), ("$latest", False)],
)
def test_is_version_qualifier(qualifier: str, expected: bool) -> None:
    assert is_version_qualifier(qualifier) is expected


@pytest.mark.parametrize(("qualifier", "is_version"), [(None, True), ("3", True), ("prod", False)])
def test_function_ref_is_version(qualifier: str | None, is_version: bool) -> None:
    assert FunctionRef("f", qualifier).is_version is is_version


@pytest.mark.parametrize(
    ("qualifier", "arn"),
    [
        (None, "arn:aws:lambda:us-east-1:000000000000:function:f"),
        ("$LATEST", "arn:aws:lambda:us-east-1:000000000000:function:f:$LATEST"),
        ("prod", "arn:aws:lambda:us-east-1:000000000000:function:f:prod"),
    ],
)
def test_function_arn(qualifier: str | None, arn: str) -> None:
    assert ACCOUNT.function_arn("f", qualifier) == arn


@pytest.mark.parametrize("name", ["live", "v1", "1a", "a-b_C", "x" * 128])
def test_alias_name_accepted(name: str) -> None:
    check_alias_name(name)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "2024",
            "1 validation error detected: Value '2024' at 'name' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)",
        ),
        (
            "a.b",
            _validation(
                "a.b", "name", f"Member must satisfy regular expression pattern: {ALIAS_PATTERN}"
            ),
        ),
        (
            "$LATEST",
            _validation(
                "$LATEST",
                "name",
                f"Member must satisfy regular expression pattern: {ALIAS_PATTERN}",
            ),
        ),
        (
            "x" * 129,
            _validation("x" * 129, "name", "Member must have length less than or equal to 128"),
        ),
        ("", _validation(None, "name", "Member must not be null")),
    ],
)
def test_alias_name_rejected(name: str, message: str) -> None:
    with pytest.raises(LambdaError) as caught:
        check_alias_name(name)
    assert caught.value.reason == Reason.VALIDATION
    assert caught.value.message == message


@pytest.mark.parametrize("version", ["$LATEST", "1", "123"])
def test_version_accepted(version: str) -> None:
    check_version(version)


@pytest.mark.parametrize("version", ["", "live", "1.0", "$latest"])
def test_version_rejected(version: str) -> None:
    with pytest.raises(LambdaError) as caught:
        check_version(version)
    assert caught.value.reason == Reason.VALIDATION
    shown = f"'{version}'" if version else "null"
    assert caught.value.message == (
        f"1 validation error detected: Value {shown} at 'functionVersion' failed to satisfy "
        r"constraint: Member must satisfy regular expression pattern: (\$LATEST|[0-9]+)"
    )
