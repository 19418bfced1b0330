"""Every operation of botocore's Lambda model refuses requests that break its constraints
as AWS does: 400, ValidationException, and one message naming every violation.

For each operation with a constrained top-level member, boto3 (its own checks off) sends a
request whose other required members are valid and that breaks one constraint, then one that
breaks two. The expected message is worked out here from botocore's shapes, independently of
the gateway's table: the member's lowerCamel name, the model's constraint text, the count,
and the model's member order.

What a violation is made of, per member (one constraint each):
- a required body member left out: `Value null ... Member must not be null`;
- a string with a pattern: a value of allowed length the pattern refuses;
- an enum: a value outside it; a number: one below its minimum (or above its maximum);
- a string with only a maximum length, a list with a minimum or maximum: one past it.
An operation with a single breakable member gets its two violations from one value that is
both too long and unmatched (length first, then pattern).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import botocore.session
import pytest
from botocore.exceptions import ClientError

from tests.e2e.support import LambdadProcess
from tests.e2e.unchecked_gateway import UncheckedGateway

pytestmark = pytest.mark.e2e

MODEL = botocore.session.get_session().get_service_model("lambda")

# Valid values of the pattern shapes a required member can have (anything else: "a").
SAMPLES = {
    "Action": "lambda:InvokeFunction",
    "Arn": "arn:aws:s3:::bucket",
    "CodeSigningConfigArn": (
        "arn:aws:lambda:us-east-1:123456789012:code-signing-config:csc-0123456789abcdefg"
    ),
    "DurableExecutionArn": (
        "arn:aws:lambda:us-east-1:123456789012:function:f:1/durable-execution/e/r"
    ),
    "LayerPermissionAllowedAction": "lambda:GetLayerVersion",
    "LayerPermissionAllowedPrincipal": "*",
    "LayerVersionArn": "arn:aws:lambda:us-east-1:123456789012:layer:l:1",
    "PolicyResourceArn": "arn:aws:lambda:us-east-1:123456789012:function:f",
    "PublishedFunctionQualifier": "1",
    "RoleArn": "arn:aws:iam::123456789012:role/r",
    "SecurityGroupId": "sg-1",
    "SubnetId": "subnet-1",
    "TaggableResource": "arn:aws:lambda:us-east-1:123456789012:function:f",
    "VersionWithLatestPublished": "1",
}

# Members whose model constraint AWS's front end leaves to Lambda itself (a function's
# Runtime: InvalidParameterValueException), or that lambdad relaxes outside --strict (Role).
NOT_FRONT_END = frozenset(
    {
        ("CreateFunction", "Runtime"),
        ("UpdateFunctionConfiguration", "Runtime"),
        ("CreateFunction", "Role"),
        ("UpdateFunctionConfiguration", "Role"),
    }
)
# Body members the request messages do not carry yet (refused as unrecognized fields); the
# unit test tests/unit/test_constraints.py keeps the same list.
UNSERVED = frozenset(
    {
        "AmazonManagedKafkaEventSourceConfig",
        "DocumentDBEventSourceConfig",
        "KMSKeyArn",
        "LoggingConfig",
        "MetricsConfig",
        "ProvisionedPollerConfig",
        "Queues",
        "SelfManagedEventSource",
        "SelfManagedKafkaEventSourceConfig",
        "SourceAccessConfigurations",
        "Topics",
        "PropagateTags",
        "TelemetryConfig",
        "PublishTo",
        "S3ObjectStorageMode",
    }
)
UNSERVED_OPERATIONS = frozenset(
    {
        "CreateEventSourceMapping",
        "UpdateEventSourceMapping",
        "UpdateCapacityProvider",
        "UpdateFunctionCode",
    }
)
_NUMBERS = ("integer", "long", "double", "float")
# Values a pattern is tried against until one it refuses is found.
_BAD_STRINGS = ("bad name!", "!", "x y", "$$")
# Longer path and header values than this are not sent (aiohttp's request line limit).
_MAX_SENT = 2000


def _java(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_java(v) for v in value) + "]"
    if isinstance(value, float) and value.is_integer():
        return f"{value:.1f}"
    return str(value)


def _matches(pattern: str, value: str) -> bool:
    return re.fullmatch(pattern, value) is not None


def sample(shape: Any) -> Any:
    """A value of `shape` meeting all its constraints."""
    meta = shape.metadata
    kind = shape.type_name
    if kind == "structure":
        return {name: sample(shape.members[name]) for name in shape.required_members}
    if kind == "list":
        return [sample(shape.member)] * max(meta.get("min", 0), 1)
    if kind == "map":
        return {}
    if kind == "string":
        if "enum" in meta:
            return meta["enum"][0]
        value = SAMPLES.get(shape.name, "a" * max(meta.get("min", 1), 1))
        pattern = meta.get("pattern", "")
        assert "\\p{" in pattern or _matches(pattern or ".*", value), shape.name
        return value
    if kind in _NUMBERS:
        low = meta.get("min", 1)
        return float(low) if kind in ("double", "float") else int(low)
    if kind == "boolean":
        return True
    if kind == "blob":
        return b"x"
    raise AssertionError(f"no sample for {shape.name} ({kind})")


@dataclass(frozen=True)
class Break:
    """One way to break one member, and what AWS says about it."""

    member: str
    value: Any  # None: the member is left out
    texts: tuple[str, ...]  # the constraints the value breaks, in AWS's order
    sensitive: bool = False  # AWS leaves the value out of the message

    def violations(self) -> list[str]:
        shown = "null" if self.value is None else f"'{_java(self.value)}'"
        if self.sensitive and self.value is not None:
            shown = ""
        path = self.member[:1].lower() + self.member[1:]
        return [
            f"Value{' ' if shown else ''}{shown} at '{path}' failed to satisfy constraint: {text}"
            for text in self.texts
        ]


def breaks(operation: str) -> list[Break]:
    """One Break per breakable top-level member, in the model's member order."""
    shape = MODEL.operation_model(operation).input_shape
    found = []
    for name, member in shape.members.items():
        if (operation, name) in NOT_FRONT_END or (
            operation in UNSERVED_OPERATIONS and name in UNSERVED
        ):
            continue
        location = member.serialization.get("location")
        if shape.serialization.get("payload") == name and member.type_name == "blob":
            continue
        found_break = _break(member, name, location, name in shape.required_members)
        if found_break is not None:
            sensitive = bool(member.metadata.get("sensitive"))
            found.append(dataclasses.replace(found_break, sensitive=sensitive))
    return found


# AWS lists these enums in another order than the model (its recorded answers, lambda-spec 2.3).
_AWS_ENUM_ORDER = {
    "InvokeMode": ["RESPONSE_STREAM", "BUFFERED"],
    "EventSourcePosition": ["LATEST", "AT_TIMESTAMP", "TRIM_HORIZON"],
}


def _break(member: Any, name: str, location: str | None, required: bool) -> Break | None:
    meta = member.metadata
    kind = member.type_name
    if required and location is None:
        return Break(name, None, ("Member must not be null",))
    if kind == "string" and "enum" in meta:
        values = _AWS_ENUM_ORDER.get(member.name, meta["enum"])
        return Break(
            name,
            "NOT_IN_ENUM",
            (f"Member must satisfy enum value set: [{', '.join(values)}]",),
        )
    if kind == "string" and "pattern" in meta and "\\p{" not in meta["pattern"]:
        low, high = meta.get("min", 0), meta.get("max", 10**6)
        for text in _BAD_STRINGS:
            value = (text * low)[: max(low, len(text))] if len(text) < low else text[:high]
            if low <= len(value) <= high and not _matches(meta["pattern"], value):
                pattern = meta["pattern"]
                return Break(
                    name, value, (f"Member must satisfy regular expression pattern: {pattern}",)
                )
        return None
    if kind == "string" and "max" in meta and "pattern" not in meta and meta["max"] < _MAX_SENT:
        value = "a" * (meta["max"] + 1)
        return Break(name, value, (f"Member must have length less than or equal to {meta['max']}",))
    if kind in _NUMBERS and ("min" in meta or "max" in meta):
        is_float = kind in ("double", "float")
        if "min" in meta:
            value = meta["min"] - 1
            text = f"Member must have value greater than or equal to {_java(meta['min'])}"
        else:
            value = meta["max"] + 1
            text = f"Member must have value less than or equal to {_java(meta['max'])}"
        return Break(name, float(value) if is_float else int(value), (text,))
    if kind == "list" and location is None and meta.get("min", 0) > 0:
        return Break(name, [], (f"Member must have length greater than or equal to {meta['min']}",))
    scalar_members = kind == "list" and member.member.type_name == "string"
    if scalar_members and location is None and "max" in meta and meta["max"] < 100:
        value = [sample(member.member)] * (meta["max"] + 1)
        return Break(name, value, (f"Member must have length less than or equal to {meta['max']}",))
    return None


def double_break(operation: str) -> Break | None:
    """One member broken twice by one value: too long and unmatched."""
    shape = MODEL.operation_model(operation).input_shape
    for name, member in shape.members.items():
        meta = member.metadata
        if (
            member.type_name == "string"
            and "pattern" in meta
            and "max" in meta
            and meta["max"] < _MAX_SENT
            and not _matches(meta["pattern"], "!" * (meta["max"] + 1))
        ):
            return Break(
                name,
                "!" * (meta["max"] + 1),
                sensitive=bool(meta.get("sensitive")),
                texts=(
                    f"Member must have length less than or equal to {meta['max']}",
                    f"Member must satisfy regular expression pattern: {meta['pattern']}",
                ),
            )
    return None


def request(operation: str, chosen: list[Break]) -> dict[str, Any]:
    """Valid required members, with the chosen members broken (left out when None)."""
    shape = MODEL.operation_model(operation).input_shape
    params = {name: sample(shape.members[name]) for name in shape.required_members}
    for one in chosen:
        if one.value is None:
            params.pop(one.member, None)
        else:
            params[one.member] = one.value
    return params


def message(chosen: list[Break]) -> str:
    violations = [v for one in chosen for v in one.violations()]
    if len(violations) == 1:
        return "1 validation error detected: " + violations[0]
    return f"{len(violations)} validation errors detected: " + "; ".join(violations)


CONSTRAINED = sorted(
    op for op in MODEL.operation_names if MODEL.operation_model(op).input_shape and breaks(op)
)


def cases() -> Iterator[Any]:
    for operation in CONSTRAINED:
        found = breaks(operation)
        yield pytest.param(operation, [found[0]], id=f"{operation}-one")
        if len(found) > 1:
            yield pytest.param(operation, [found[0], found[-1]], id=f"{operation}-two")
        else:
            twice = double_break(operation)
            if twice is not None:
                yield pytest.param(operation, [twice], id=f"{operation}-two")


@pytest.fixture(scope="module")
def unvalidated(lambdad: LambdadProcess) -> Any:
    """A client that sends what it is given, so the gateway's own checks answer."""
    return lambdad.lambda_client(validated=False)


def _method(operation: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", operation).lower()


def test_every_constrained_operation_is_covered() -> None:
    # All 91 but GetAccountSettings (no members) have something breakable from outside; the
    # ones without a second violation have one member whose pattern no length-only value
    # breaks twice (an event source mapping's UUID, a layer version's number and name).
    with_input = {op for op in MODEL.operation_names if MODEL.operation_model(op).input_shape}
    assert len(MODEL.operation_names) == 91
    assert with_input - set(CONSTRAINED) == {"GetAccountSettings"}
    two = {p.values[0] for p in cases() if p.id.endswith("-two")}
    assert len(two) >= 80, sorted(set(CONSTRAINED) - two)


@pytest.mark.parametrize(("operation", "chosen"), cases())
def test_constraint_violations(unvalidated: Any, operation: str, chosen: list[Break]) -> None:
    call = getattr(unvalidated, _method(operation))
    with pytest.raises(ClientError) as caught:
        call(**request(operation, chosen))
    error = caught.value.response
    assert (
        error["ResponseMetadata"]["HTTPStatusCode"],
        error["Error"]["Code"],
        error["Error"]["Message"],
    ) == (400, "ValidationException", message(chosen))


# --------------------------------------------------------------------------- gRPC callers
# The daemon runs the gateway's checker on the requests of gRPC callers (the typed client,
# lambdadctl; daemon/api/model_checks.py). The same cases, put to the daemon over its gRPC
# port by a gateway whose own checks are off, must get the same answers. Left out are cases
# a proto message cannot express: a number or list member sent as 0 or empty, or a required
# one left out, where the message cannot tell "not sent" from its default (the daemon takes
# MaxItems 0 as "no limit", as its gRPC callers mean it).
_NUMBERS_AND_LISTS = (*_NUMBERS, "list", "map")


def expressible(operation: str, chosen: list[Break]) -> bool:
    """Whether a proto message can carry the case as boto3 sends it."""
    shape = MODEL.operation_model(operation).input_shape
    for one in chosen:
        if shape.members[one.member].type_name in _NUMBERS_AND_LISTS and not one.value:
            return False
    return True


GRPC_CASES = [case for case in cases() if expressible(*case.values)]


@pytest.fixture(scope="module")
def daemon_only(lambdad: LambdadProcess) -> Iterator[Any]:
    """A boto3 client whose requests reach the daemon's gRPC port unchecked."""
    with UncheckedGateway(lambdad.grpc_target) as gateway:
        yield gateway.lambda_client()


def test_most_cases_reach_grpc_callers() -> None:
    assert len(GRPC_CASES) >= 150, len(GRPC_CASES)


@pytest.mark.parametrize(("operation", "chosen"), GRPC_CASES)
def test_grpc_callers_get_the_same_answers(
    daemon_only: Any, operation: str, chosen: list[Break]
) -> None:
    test_constraint_violations(daemon_only, operation, chosen)
