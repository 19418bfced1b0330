"""Configuration rules of CreateFunction/UpdateFunctionConfiguration, with AWS's messages."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime

import structlog

from lambdad.client.constraint_table import SHAPES as MODEL_SHAPES
from lambdad.daemon.errors import LambdaError, Reason, invalid_parameter, validation_error

log = structlog.get_logger(__name__)

SUPPORTED_RUNTIMES = (
    "nodejs20.x",
    "nodejs22.x",
    "nodejs24.x",
    "python3.10",
    "python3.11",
    "python3.12",
    "python3.13",
    "python3.14",
    "java8.al2",
    "java11",
    "java17",
    "java21",
    "java25",
    "dotnet8",
    "dotnet10",
    "ruby3.3",
    "ruby3.4",
    "provided.al2",
    "provided.al2023",
)
# Runtimes AWS no longer lets you create or update functions with.
DEPRECATED_RUNTIMES = (
    "nodejs",
    "nodejs4.3",
    "nodejs4.3-edge",
    "nodejs6.10",
    "nodejs8.10",
    "nodejs10.x",
    "nodejs12.x",
    "nodejs14.x",
    "nodejs16.x",
    "nodejs18.x",
    "python2.7",
    "python3.6",
    "python3.7",
    "python3.8",
    "python3.9",
    "java8",
    "dotnetcore1.0",
    "dotnetcore2.0",
    "dotnetcore2.1",
    "dotnetcore3.1",
    "dotnet6",
    "dotnet7",
    "go1.x",
    "ruby2.5",
    "ruby2.7",
    "ruby3.2",
    "provided",
)
# AWS's runtime dates: the day AWS stops creating functions with a runtime, and the day it
# stops updating them. Strict mode follows them; deprecated runtimes not listed here were
# blocked for both long before. AWS moves these dates (it extended most of them in 2025 and
# again in 2026), so each row names where its dates come from:
#  [dg]   the Lambda Developer Guide's per-language tables (lambda-python.html,
#         lambda-nodejs.html, lambda-java.html, lambda-ruby.html, lambda-csharp.html);
#  [2027] AWS's 2026 extension of "many create-block/update-block dates" to 2027-02-01 and
#         2027-03-03 (lambda-runtimes.html as quoted in cfn-lint issue #4531 for nodejs20.x
#         and PR #4532, which also moved python3.8's create-block into the future; re:Post
#         for python3.9; the .NET table for dotnet8 and dotnet6);
#  [+1y]  the same update's "full year extension" of java8.al2, java11 and java17 (AL2 based;
#         deprecated mid-2027, serverless/serverless#13819);
#  [2025] the deprecated-runtimes table of late 2025 (nodejs18.x "Feb 3, 2026 / Mar 9, 2026"
#         quoted in cfn-lint issue #4249; nodejs16.x ends with it): no later date was found;
#  [?]    not found in any source here: kept as first written.
RUNTIME_BLOCK_DATES: Mapping[str, tuple[date, date]] = {
    "nodejs24.x": (date(2028, 6, 1), date(2028, 7, 1)),  # [dg]
    "nodejs22.x": (date(2027, 6, 1), date(2027, 7, 1)),  # [dg]
    "nodejs20.x": (date(2027, 2, 1), date(2027, 3, 3)),  # [2027]
    "nodejs18.x": (date(2026, 2, 3), date(2026, 3, 9)),  # [2025]
    "nodejs16.x": (date(2026, 2, 3), date(2026, 3, 9)),  # [2025]
    "python3.14": (date(2029, 7, 31), date(2029, 8, 31)),  # [dg]
    "python3.13": (date(2029, 7, 31), date(2029, 8, 31)),  # [dg]
    "python3.12": (date(2028, 11, 30), date(2029, 1, 10)),  # [dg]
    "python3.11": (date(2027, 7, 31), date(2027, 8, 31)),  # [dg]
    "python3.10": (date(2026, 11, 30), date(2027, 1, 15)),  # [dg]
    "python3.9": (date(2027, 2, 1), date(2027, 3, 3)),  # [2027]
    "python3.8": (date(2027, 2, 1), date(2027, 3, 3)),  # [2027]
    "java25": (date(2029, 7, 31), date(2029, 8, 31)),  # [dg]
    "java21": (date(2029, 7, 31), date(2029, 8, 31)),  # [dg]
    "java17": (date(2027, 7, 31), date(2027, 8, 31)),  # [+1y]
    "java11": (date(2027, 7, 31), date(2027, 8, 31)),  # [+1y]
    "java8.al2": (date(2027, 7, 31), date(2027, 8, 31)),  # [+1y]
    "dotnet10": (date(2028, 12, 14), date(2029, 1, 15)),  # [dg]
    "dotnet8": (date(2027, 2, 1), date(2027, 3, 3)),  # [dg] [2027]
    "dotnet6": (date(2027, 2, 1), date(2027, 3, 3)),  # [2027]
    "ruby3.4": (date(2028, 4, 30), date(2028, 5, 31)),  # [dg]
    "ruby3.3": (date(2027, 4, 30), date(2027, 5, 31)),  # [dg]
    "ruby3.2": (date(2026, 8, 31), date(2026, 9, 30)),  # [dg]
    "provided.al2": (date(2026, 8, 31), date(2026, 9, 30)),  # [?]
    "provided.al2023": (date(2029, 7, 31), date(2029, 8, 31)),  # [?]
}


def model_pattern(shape: str) -> str:
    """The pattern botocore's model gives `shape`, from the generated table the gateway's
    checks use (lambdad.client.constraint_table): quoted in messages and matched here in one
    wording, whichever door a request came through."""
    return str(MODEL_SHAPES[shape]["pattern"])


ROLE_PATTERN = model_pattern("RoleArn")
ARCHITECTURES = ("x86_64", "arm64")
ENV_VAR_NAME_PATTERN = r"[a-zA-Z]([a-zA-Z0-9_])+"
RESERVED_ENV_VARS = frozenset(
    {
        "_HANDLER",
        "_X_AMZN_TRACE_ID",
        "AWS_REGION",
        "AWS_EXECUTION_ENV",
        "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
        "AWS_LAMBDA_FUNCTION_VERSION",
        "AWS_LAMBDA_INITIALIZATION_TYPE",
        "AWS_LAMBDA_LOG_GROUP_NAME",
        "AWS_LAMBDA_LOG_STREAM_NAME",
        "AWS_ACCESS_KEY",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_LAMBDA_RUNTIME_API",
        "LAMBDA_TASK_ROOT",
        "LAMBDA_RUNTIME_DIR",
    }
)
ENV_VARS_MAX_BYTES = 4096
MEMORY_RANGE = (128, 10240)
# 900 s is the classic limit every published guide documents; see the README.
TIMEOUT_RANGE = (1, 900)
EPHEMERAL_STORAGE_RANGE = (512, 10240)
MAX_TAGS = 50


_ONE_VIOLATION = "1 validation error detected: "


def check_all(checks: Iterable[Callable[[], object]]) -> None:
    """Run every check and report as AWS does.

    AWS checks a request's members against the model's constraints before anything else and
    names every violation in one ValidationException (`2 validation errors detected: Value
    ... ; Value ...`), in the order the checks are given (the model's member order). Only
    when there is none does the first other error (InvalidParameterValueException, ...) count.
    """
    violations: list[str] = []
    other: LambdaError | None = None
    for check in checks:
        try:
            check()
        except LambdaError as error:
            if error.reason is Reason.VALIDATION and error.message.startswith(_ONE_VIOLATION):
                violations.append(error.message.removeprefix(_ONE_VIOLATION))
            elif other is None:
                other = error
    if len(violations) == 1:
        raise LambdaError(Reason.VALIDATION, _ONE_VIOLATION + violations[0])
    if violations:
        raise LambdaError(
            Reason.VALIDATION,
            f"{len(violations)} validation errors detected: " + "; ".join(violations),
        )
    if other is not None:
        raise other


def check_runtime(
    runtime: str, *, strict: bool, creating: bool = True, today: date | None = None
) -> None:
    """Known runtimes pass; unless strict, so do deprecated ones (with a warning).

    Strict mode refuses a runtime from the day AWS's table blocks creating (or, for
    `creating=False`, updating) functions with it, and not before.
    """
    known = runtime in SUPPORTED_RUNTIMES or runtime in DEPRECATED_RUNTIMES
    if not known:
        allowed = ", ".join(SUPPORTED_RUNTIMES + DEPRECATED_RUNTIMES)
        raise invalid_parameter(
            f"Value {runtime} at 'runtime' failed to satisfy constraint: Member must satisfy "
            f"enum value set: [{allowed}] or be a valid ARN"
        )
    if not runtime_blocked(runtime, creating=creating, today=today):
        return
    if strict:
        raise invalid_parameter(
            f"The runtime parameter of {runtime} is no longer supported for creating or "
            "updating AWS Lambda functions. We recommend you use a supported runtime while "
            "creating or updating functions."
        )
    log.warning("deprecated runtime accepted", runtime=runtime)


def runtime_blocked(runtime: str, *, creating: bool = True, today: date | None = None) -> bool:
    """Whether AWS refuses `runtime` for new (or, `creating=False`, updated) functions today."""
    dates = RUNTIME_BLOCK_DATES.get(runtime)
    if dates is None:
        return runtime in DEPRECATED_RUNTIMES
    today = today or datetime.now(UTC).date()
    return today >= (dates[0] if creating else dates[1])


def check_role(role: str, *, strict: bool) -> None:
    """An IAM role ARN; any non-empty string unless strict (local stacks use `--role r1`)."""
    if not role:
        raise validation_error(None, "role", "Member must not be null")
    if strict and not re.fullmatch(ROLE_PATTERN, role):
        raise validation_error(
            role,
            "role",
            f"Member must satisfy regular expression pattern: {ROLE_PATTERN}",
        )


def check_handler(handler: str) -> None:
    """Handler: no whitespace, at most 128 characters."""
    if len(handler) > 128:
        raise validation_error(
            handler, "handler", "Member must have length less than or equal to 128"
        )
    if not re.fullmatch(r"[^\s]+", handler):
        raise validation_error(
            handler,
            "handler",
            r"Member must satisfy regular expression pattern: [^\s]+",
        )


def check_description(description: str) -> None:
    """Description: at most 256 characters."""
    if len(description) > 256:
        raise validation_error(
            description,
            "description",
            "Member must have length less than or equal to 256",
        )


def check_range(value: float, field: str, bounds: tuple[float, float]) -> None:
    """AWS's ValidationException for a number outside its model range `bounds` (inclusive)."""
    low, high = bounds
    if value < low:
        raise validation_error(
            value, field, f"Member must have value greater than or equal to {low}"
        )
    if value > high:
        raise validation_error(value, field, f"Member must have value less than or equal to {high}")


def check_memory_size(memory_size: int) -> None:
    """128 to 10240 MB."""
    check_range(memory_size, "memorySize", MEMORY_RANGE)


def check_timeout(timeout: int) -> None:
    """1 to 900 seconds."""
    check_range(timeout, "timeout", TIMEOUT_RANGE)


def check_ephemeral_storage(size: int) -> None:
    """512 to 10240 MB."""
    check_range(size, "ephemeralStorage.size", EPHEMERAL_STORAGE_RANGE)


def check_architectures(architectures: Sequence[str]) -> None:
    """Exactly one of x86_64, arm64."""
    shown = "[" + ", ".join(architectures) + "]"
    if len(architectures) > 1:
        raise validation_error(
            shown, "architectures", "Member must have length less than or equal to 1"
        )
    if any(a not in ARCHITECTURES for a in architectures):
        raise validation_error(
            shown,
            "architectures",
            "Member must satisfy constraint: [Member must satisfy enum value set: "
            "[x86_64, arm64], Member must not be null]",
        )


def check_enum(value: str, field: str, allowed: Sequence[str]) -> None:
    """A string member limited to an enum."""
    if value not in allowed:
        raise validation_error(
            value, field, f"Member must satisfy enum value set: [{', '.join(allowed)}]"
        )


def check_environment(variables: Mapping[str, str]) -> None:
    """Names, reserved keys and AWS's 4 KB limit (measured on compact JSON)."""
    for name in variables:
        if not re.fullmatch(ENV_VAR_NAME_PATTERN, name):
            # AWS leaves the value out of this message: variables may be secrets.
            raise LambdaError(
                Reason.VALIDATION,
                "1 validation error detected: Value at 'environment.variables' failed to "
                "satisfy constraint: Map keys must satisfy constraint: [Member must satisfy "
                f"regular expression pattern: {ENV_VAR_NAME_PATTERN}]",
            )
    reserved = sorted(set(variables) & RESERVED_ENV_VARS)
    if reserved:
        raise invalid_parameter(
            "Lambda was unable to configure your environment variables because the environment "
            "variables you have provided contains reserved keys that are currently not supported "
            f"for modification. Reserved keys used in this request: {', '.join(reserved)}"
        )
    measured = json.dumps(dict(variables), separators=(",", ":"), ensure_ascii=False)
    if len(measured.encode()) > ENV_VARS_MAX_BYTES:
        raise invalid_parameter(
            "Lambda was unable to configure your environment variables because the environment "
            "variables you have provided exceeded the 4KB limit. String measured: " + measured
        )


def check_tags(tags: Mapping[str, str], existing: Mapping[str, str] | None = None) -> None:
    """At most 50 tags; key 1-128 and value up to 256 characters."""
    if len({**(existing or {}), **tags}) > MAX_TAGS:
        raise invalid_parameter("Number of tags exceeds resource tag limit.")
    for key, value in tags.items():
        if not 1 <= len(key) <= 128:
            raise validation_error(
                key,
                "tags",
                "Map keys must satisfy constraint: [Member must have length "
                "less than or equal to 128, Member must have length greater than or equal to 1]",
            )
        if len(value) > 256:
            raise validation_error(
                value,
                "tags",
                "Map value must satisfy constraint: [Member must have length "
                "less than or equal to 256]",
            )
