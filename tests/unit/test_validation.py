"""CreateFunction/UpdateFunctionConfiguration rules with AWS's exact messages (spec §2.3, §7.1)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta

import pytest

from lambdad.daemon.domain import validation
from lambdad.daemon.errors import LambdaError, Reason

ROLE_PATTERN = r"arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+"
GOOD_ROLE = "arn:aws:iam::000000000000:role/lambda-role"
ENV_PREFIX = (
    "Lambda was unable to configure your environment variables because the environment "
    "variables you have provided exceeded the 4KB limit. String measured: "
)


def _validation(value: object, field: str, constraint: str) -> str:
    shown = "null" if value is None else f"'{value}'"
    return (
        f"1 validation error detected: Value {shown} at '{field}' failed to satisfy "
        f"constraint: {constraint}"
    )


def _raises(call: Callable[[], object]) -> LambdaError:
    with pytest.raises(LambdaError) as caught:
        call()
    return caught.value


# ------------------------------------------------------------------ runtimes
@pytest.mark.parametrize("strict", [False, True])
@pytest.mark.parametrize(
    "runtime",
    ["python3.12", "python3.14", "nodejs20.x", "nodejs22.x", "java21", "provided.al2023"],
)
def test_supported_runtime_accepted(runtime: str, strict: bool) -> None:
    # The recordings' window (issue 15): every one of these was still being created.
    validation.check_runtime(runtime, strict=strict, today=date(2026, 1, 15))


@pytest.mark.parametrize(
    ("runtime", "created_until", "updated_until"),
    [
        # The last day each is still created, and still updated (RUNTIME_BLOCK_DATES' sources).
        ("python3.8", date(2027, 1, 31), date(2027, 3, 2)),
        ("python3.9", date(2027, 1, 31), date(2027, 3, 2)),
        ("python3.10", date(2026, 11, 29), date(2027, 1, 14)),
        ("python3.11", date(2027, 7, 30), date(2027, 8, 30)),
        ("python3.12", date(2028, 11, 29), date(2029, 1, 9)),
        ("java8.al2", date(2027, 7, 30), date(2027, 8, 30)),
        ("java17", date(2027, 7, 30), date(2027, 8, 30)),
        ("nodejs16.x", date(2026, 2, 2), date(2026, 3, 8)),
        ("nodejs18.x", date(2026, 2, 2), date(2026, 3, 8)),
        ("nodejs20.x", date(2027, 1, 31), date(2027, 3, 2)),
        ("nodejs24.x", date(2028, 5, 31), date(2028, 6, 30)),
        ("dotnet6", date(2027, 1, 31), date(2027, 3, 2)),
        ("dotnet8", date(2027, 1, 31), date(2027, 3, 2)),
        ("dotnet10", date(2028, 12, 13), date(2029, 1, 14)),
        ("ruby3.2", date(2026, 8, 30), date(2026, 9, 29)),
        ("ruby3.3", date(2027, 4, 29), date(2027, 5, 30)),
        ("ruby3.4", date(2028, 4, 29), date(2028, 5, 30)),
        ("provided.al2", date(2026, 8, 30), date(2026, 9, 29)),
    ],
)
def test_strict_mode_follows_the_runtime_table_date_by_date(
    runtime: str, created_until: date, updated_until: date
) -> None:
    day = timedelta(days=1)
    validation.check_runtime(runtime, strict=True, today=created_until)
    error = _raises(
        lambda: validation.check_runtime(runtime, strict=True, today=created_until + day)
    )
    assert error.message.startswith(f"The runtime parameter of {runtime} is no longer supported")
    # An update is refused only from the later date.
    validation.check_runtime(runtime, strict=True, creating=False, today=created_until + day)
    validation.check_runtime(runtime, strict=True, creating=False, today=updated_until)
    _raises(
        lambda: validation.check_runtime(
            runtime, strict=True, creating=False, today=updated_until + day
        )
    )


def test_every_supported_runtime_has_its_dates() -> None:
    missing = set(validation.SUPPORTED_RUNTIMES) - set(validation.RUNTIME_BLOCK_DATES)
    assert not missing
    for created, updated in validation.RUNTIME_BLOCK_DATES.values():
        assert created < updated


@pytest.mark.parametrize("runtime", ["python3.7", "nodejs14.x", "go1.x", "python2.7", "java8"])
def test_deprecated_runtime_accepted_when_lenient(runtime: str) -> None:
    validation.check_runtime(runtime, strict=False)


@pytest.mark.parametrize("runtime", ["python3.7", "nodejs14.x", "go1.x", "python2.7", "java8"])
def test_deprecated_runtime_rejected_when_strict(runtime: str) -> None:
    error = _raises(lambda: validation.check_runtime(runtime, strict=True))
    assert error.reason == Reason.INVALID_PARAMETER_VALUE
    assert error.message == (
        f"The runtime parameter of {runtime} is no longer supported for creating or updating "
        "AWS Lambda functions. We recommend you use a supported runtime while creating or "
        "updating functions."
    )


@pytest.mark.parametrize("strict", [False, True])
@pytest.mark.parametrize("runtime", ["python4.0", "cobol", "Python3.12", "python3.12 "])
def test_unknown_runtime_rejected(runtime: str, strict: bool) -> None:
    error = _raises(lambda: validation.check_runtime(runtime, strict=strict))
    assert error.reason == Reason.INVALID_PARAMETER_VALUE
    prefix = (
        f"Value {runtime} at 'runtime' failed to satisfy constraint: Member must satisfy "
        "enum value set: ["
    )
    assert error.message.startswith(prefix)
    assert error.message.endswith("] or be a valid ARN")
    listed = error.message[len(prefix) : -len("] or be a valid ARN")].split(", ")
    for known in ("nodejs20.x", "python3.14", "java21", "provided.al2023", "python3.7"):
        assert known in listed
    assert runtime not in listed


# ---------------------------------------------------------------------- role
@pytest.mark.parametrize("role", ["r1", "whatever", GOOD_ROLE])
def test_role_lenient_accepts_any_non_empty(role: str) -> None:
    validation.check_role(role, strict=False)


@pytest.mark.parametrize(
    "role",
    [
        GOOD_ROLE,
        "arn:aws:iam::123456789012:role/service-role/my.role@x",
        "arn:aws-cn:iam::123456789012:role/r",
    ],
)
def test_role_strict_accepts_role_arns(role: str) -> None:
    validation.check_role(role, strict=True)


@pytest.mark.parametrize(
    "role", ["r1", "arn:aws:iam::12345:role/r", "arn:aws:iam::123456789012:user/u"]
)
def test_role_strict_rejects_non_arn(role: str) -> None:
    error = _raises(lambda: validation.check_role(role, strict=True))
    assert error.reason == Reason.VALIDATION
    assert error.message == (
        f"1 validation error detected: Value '{role}' at 'role' failed to satisfy constraint: "
        f"Member must satisfy regular expression pattern: {ROLE_PATTERN}"
    )


def test_role_exact_message_for_r1() -> None:
    # Spelled out once in full, exactly as AWS recorded it.
    error = _raises(lambda: validation.check_role("r1", strict=True))
    assert error.message == (
        "1 validation error detected: Value 'r1' at 'role' failed to satisfy constraint: Member "
        "must satisfy regular expression pattern: "
        "arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+"
    )


@pytest.mark.parametrize("strict", [False, True])
def test_role_empty_rejected(strict: bool) -> None:
    error = _raises(lambda: validation.check_role("", strict=strict))
    assert error.reason == Reason.VALIDATION
    assert error.message == _validation(None, "role", "Member must not be null")


# -------------------------------------------------------------- numeric ranges
RANGE_CHECKS = {
    "memorySize": validation.check_memory_size,
    "timeout": validation.check_timeout,
    "ephemeralStorage.size": validation.check_ephemeral_storage,
}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("memorySize", 128),
        ("memorySize", 1769),
        ("memorySize", 10240),
        ("timeout", 1),
        ("timeout", 900),
        ("ephemeralStorage.size", 512),
        ("ephemeralStorage.size", 10240),
    ],
)
def test_range_accepted(field: str, value: int) -> None:
    RANGE_CHECKS[field](value)


@pytest.mark.parametrize(
    ("field", "value", "constraint"),
    [
        ("memorySize", 127, "Member must have value greater than or equal to 128"),
        ("memorySize", 0, "Member must have value greater than or equal to 128"),
        ("memorySize", 10241, "Member must have value less than or equal to 10240"),
        ("timeout", 0, "Member must have value greater than or equal to 1"),
        ("timeout", -5, "Member must have value greater than or equal to 1"),
        ("timeout", 901, "Member must have value less than or equal to 900"),
        ("ephemeralStorage.size", 511, "Member must have value greater than or equal to 512"),
        ("ephemeralStorage.size", 10241, "Member must have value less than or equal to 10240"),
    ],
)
def test_range_rejected(field: str, value: int, constraint: str) -> None:
    error = _raises(lambda: RANGE_CHECKS[field](value))
    assert error.reason == Reason.VALIDATION
    assert error.message == _validation(value, field, constraint)


# ------------------------------------------------------------- architectures
@pytest.mark.parametrize("architectures", [["x86_64"], ["arm64"]])
def test_architectures_accepted(architectures: list[str]) -> None:
    validation.check_architectures(architectures)


@pytest.mark.parametrize(
    ("architectures", "message"),
    [
        (
            ["x86_64", "arm64"],
            "1 validation error detected: Value '[x86_64, arm64]' at 'architectures' failed to "
            "satisfy constraint: Member must have length less than or equal to 1",
        ),
        (
            ["X86_64"],
            "1 validation error detected: Value '[X86_64]' at 'architectures' failed to satisfy "
            "constraint: Member must satisfy constraint: [Member must satisfy enum value set: "
            "[x86_64, arm64], Member must not be null]",
        ),
        (
            ["amd64"],
            "1 validation error detected: Value '[amd64]' at 'architectures' failed to satisfy "
            "constraint: Member must satisfy constraint: [Member must satisfy enum value set: "
            "[x86_64, arm64], Member must not be null]",
        ),
    ],
)
def test_architectures_rejected(architectures: list[str], message: str) -> None:
    error = _raises(lambda: validation.check_architectures(architectures))
    assert error.reason == Reason.VALIDATION
    assert error.message == message


# ------------------------------------------------------------- environment
def _env_of_size(size: int) -> dict[str, str]:
    """Variables whose compact JSON is exactly `size` bytes."""
    overhead = len('{"KEY":""}')
    return {"KEY": "v" * (size - overhead)}


@pytest.mark.parametrize(
    "variables",
    [{}, {"FOO": "bar", "Ab_9": ""}, _env_of_size(4096)],
    ids=["empty", "small", "exactly-4096"],
)
def test_environment_accepted(variables: dict[str, str]) -> None:
    validation.check_environment(variables)


def test_environment_exactly_at_limit_is_measured_on_compact_json() -> None:
    variables = _env_of_size(4096)
    # With spaces (json.dumps default) it would be over the limit; compact JSON is not.
    assert len(json.dumps(variables)) > 4096
    validation.check_environment(variables)


def test_environment_over_4kb_rejected_with_measured_string() -> None:
    variables = _env_of_size(4097)
    error = _raises(lambda: validation.check_environment(variables))
    assert error.reason == Reason.INVALID_PARAMETER_VALUE
    assert error.message == ENV_PREFIX + '{"KEY":"' + "v" * 4087 + '"}'


def test_environment_over_4kb_many_keys_keeps_order() -> None:
    variables = {f"VAR_{i:03d}": "x" * 40 for i in range(90)}
    error = _raises(lambda: validation.check_environment(variables))
    assert error.reason == Reason.INVALID_PARAMETER_VALUE
    expected = ",".join(f'"VAR_{i:03d}":"{"x" * 40}"' for i in range(90))
    assert error.message == ENV_PREFIX + "{" + expected + "}"


def test_environment_limit_counts_utf8_bytes() -> None:
    # 2100 two-byte characters: 2100 characters of JSON text but over 4096 bytes.
    variables = {"KEY": "é" * 2100}
    error = _raises(lambda: validation.check_environment(variables))
    assert error.reason == Reason.INVALID_PARAMETER_VALUE
    assert error.message == ENV_PREFIX + '{"KEY":"' + "é" * 2100 + '"}'


@pytest.mark.parametrize(
    ("variables", "shown"),
    [
        ({"AWS_REGION": "eu-west-1"}, "AWS_REGION"),
        ({"FOO": "1", "AWS_LAMBDA_FUNCTION_NAME": "x"}, "AWS_LAMBDA_FUNCTION_NAME"),
        (
            {"AWS_SECRET_ACCESS_KEY": "s", "AWS_ACCESS_KEY_ID": "a"},
            "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY",
        ),
        ({"LAMBDA_TASK_ROOT": "/x"}, "LAMBDA_TASK_ROOT"),
        ({"AWS_LAMBDA_RUNTIME_API": "x"}, "AWS_LAMBDA_RUNTIME_API"),
    ],
)
def test_environment_reserved_keys_rejected(variables: dict[str, str], shown: str) -> None:
    error = _raises(lambda: validation.check_environment(variables))
    assert error.reason == Reason.INVALID_PARAMETER_VALUE
    assert error.message == (
        "Lambda was unable to configure your environment variables because the environment "
        "variables you have provided contains reserved keys that are currently not supported "
        f"for modification. Reserved keys used in this request: {shown}"
    )


@pytest.mark.parametrize("name", ["1ABC", "A-B", "has space", "X", "_HANDLER"])
def test_environment_bad_key_rejected(name: str) -> None:
    error = _raises(lambda: validation.check_environment({name: "v"}))
    assert error.reason == Reason.VALIDATION
    # AWS quotes no value here: environment variables may hold secrets.
    assert error.message == (
        "1 validation error detected: Value at 'environment.variables' failed to satisfy "
        "constraint: Map keys must satisfy constraint: [Member must satisfy regular expression "
        "pattern: [a-zA-Z]([a-zA-Z0-9_])+]"
    )
    assert name not in error.message


# --------------------------------------------------------------------- tags
def test_tags_up_to_50_accepted() -> None:
    validation.check_tags({f"k{i}": "v" for i in range(50)})
    validation.check_tags({"k0": "new"}, existing={f"k{i}": "v" for i in range(50)})


@pytest.mark.parametrize(
    ("tags", "existing"),
    [
        ({f"k{i}": "v" for i in range(51)}, None),
        ({"extra": "v"}, {f"k{i}": "v" for i in range(50)}),
        ({f"n{i}": "v" for i in range(26)}, {f"k{i}": "v" for i in range(25)}),
    ],
    ids=["51-new", "50-existing-plus-1", "26-plus-25"],
)
def test_tags_over_50_rejected(tags: dict[str, str], existing: dict[str, str] | None) -> None:
    error = _raises(lambda: validation.check_tags(tags, existing))
    assert error.reason == Reason.INVALID_PARAMETER_VALUE
    assert error.message == "Number of tags exceeds resource tag limit."


@pytest.mark.parametrize(
    ("tags", "value", "constraint"),
    [
        (
            {"k" * 129: "v"},
            "k" * 129,
            "Map keys must satisfy constraint: [Member must have length less than or equal to "
            "128, Member must have length greater than or equal to 1]",
        ),
        (
            {"": "v"},
            "",
            "Map keys must satisfy constraint: [Member must have length less than or equal to "
            "128, Member must have length greater than or equal to 1]",
        ),
        (
            {"k": "v" * 257},
            "v" * 257,
            "Map value must satisfy constraint: [Member must have length less than or equal to "
            "256]",
        ),
    ],
    ids=["key-129", "key-empty", "value-257"],
)
def test_tag_sizes_rejected(tags: dict[str, str], value: str, constraint: str) -> None:
    error = _raises(lambda: validation.check_tags(tags))
    assert error.reason == Reason.VALIDATION
    assert error.message == _validation(value, "tags", constraint)


# ------------------------------------------------------ handler, description
@pytest.mark.parametrize(
    ("call", "value", "field", "constraint"),
    [
        (
            validation.check_handler,
            "h" * 129,
            "handler",
            "Member must have length less than or equal to 128",
        ),
        (
            validation.check_handler,
            "app handler",
            "handler",
            r"Member must satisfy regular expression pattern: [^\s]+",
        ),
        (
            validation.check_description,
            "d" * 257,
            "description",
            "Member must have length less than or equal to 256",
        ),
    ],
    ids=["handler-long", "handler-space", "description-long"],
)
def test_string_rules(call: Callable[[str], None], value: str, field: str, constraint: str) -> None:
    error = _raises(lambda: call(value))
    assert error.reason == Reason.VALIDATION
    assert error.message == _validation(value, field, constraint)


def test_handler_and_description_limits_accepted() -> None:
    validation.check_handler("h" * 128)
    validation.check_description("d" * 256)


def test_enum_rejected_with_value_set() -> None:
    error = _raises(
        lambda: validation.check_enum("Passive", "tracingConfig.mode", ("Active", "PassThrough"))
    )
    assert error.reason == Reason.VALIDATION
    assert error.message == _validation(
        "Passive", "tracingConfig.mode", "Member must satisfy enum value set: [Active, PassThrough]"
    )


# ------------------------------------------------------------------ several violations
def _ipve() -> None:
    raise LambdaError(Reason.INVALID_PARAMETER_VALUE, "not allowed")


@pytest.mark.parametrize(
    ("checks", "reason", "message"),
    [
        pytest.param(
            [lambda: validation.check_handler("a b"), lambda: validation.check_timeout(0)],
            Reason.VALIDATION,
            "2 validation errors detected: Value 'a b' at 'handler' failed to satisfy "
            r"constraint: Member must satisfy regular expression pattern: [^\s]+; "
            "Value '0' at 'timeout' failed to satisfy constraint: Member must have value "
            "greater than or equal to 1",
            id="two-in-the-given-order",
        ),
        pytest.param(
            [_ipve, lambda: validation.check_memory_size(1)],
            Reason.VALIDATION,
            _validation(1, "memorySize", "Member must have value greater than or equal to 128"),
            id="constraint-violations-before-other-errors",
        ),
        pytest.param(
            [lambda: None, _ipve, lambda: validation.check_handler("ok")],
            Reason.INVALID_PARAMETER_VALUE,
            "not allowed",
            id="other-error-when-no-violation",
        ),
    ],
)
def test_check_all_reports_every_violation(
    checks: list[Callable[[], object]], reason: Reason, message: str
) -> None:
    error = _raises(lambda: validation.check_all(checks))
    assert (error.reason, error.message) == (reason, message)


def test_check_all_passes_when_every_check_does() -> None:
    validation.check_all([lambda: None, lambda: validation.check_timeout(3)])
