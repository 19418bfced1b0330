"""The gateway's model-driven constraint checker (lambdad.client.constraints).

Expected messages are written out by hand from the model's constraint texts (and, where
lambda-spec §2.3 has them, AWS's recorded messages), so a change in how the checker words,
orders or counts violations fails here.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from typing import Any

import botocore.session
import pytest

from lambdad.client import constraint_table
from lambdad.client.constraints import (
    ConstraintChecker,
    java_text,
    python_pattern,
    validation_message,
)
from lambdad.gateway import translate
from lambdad.gateway.routes import ALL_ROUTES

ROOT = Path(__file__).resolve().parents[2]
MODEL = botocore.session.get_session().get_service_model("lambda")
CHECKER = ConstraintChecker()

FUNCTION_NAME_PATTERN = (
    r"(arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?"
    r"(\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?"
)
ROLE_PATTERN = r"arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+"


def _generator() -> Any:
    path = ROOT / "scripts" / "generate_constraint_table.py"
    spec = importlib.util.spec_from_file_location("generate_constraint_table", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_the_committed_table_is_the_installed_model() -> None:
    # Fails after a botocore upgrade that changed a constraint: regenerate the table.
    assert not _generator().stale(), "run scripts/generate_constraint_table.py"


def test_every_operation_of_the_model_is_in_the_table() -> None:
    with_input = {op for op in MODEL.operation_names if MODEL.operation_model(op).input_shape}
    assert CHECKER.operations() == with_input
    assert len(MODEL.operation_names) == 91


def test_every_route_operation_is_checked() -> None:
    assert {r.operation for r in ALL_ROUTES} - CHECKER.operations() == set()


def test_routes_carry_every_constrained_member_under_its_model_name() -> None:
    """The checker reads members by model name from what the route binds (path, query,
    headers by json_name, body members); a member bound under another name goes unchecked."""
    unbound: list[str] = []
    missing: set[str] = set()
    for route in ALL_ROUTES:
        shape = MODEL.operation_model(route.operation).input_shape
        if shape is None:
            continue
        bound = set(route.path_params) | set(route.query.values()) | set(route.headers.values())
        by_json_name = {f.json_name for f in route.request_type.DESCRIPTOR.fields}
        for name, _, _ in constraint_table.SHAPES[shape.name]["members"]:
            location = shape.members[name].serialization.get("location")
            if location in ("uri", "querystring", "header"):
                if name not in bound and not (route.required_query and name == "Arn"):
                    unbound.append(f"{route.operation}.{name}")
            elif (
                route.payload_member is None
                and route.body_member is None
                and (name not in by_json_name)
            ):
                missing.add(f"{route.operation}.{name}")
    assert unbound == []
    # A constrained body member without a field in the request message would be refused as
    # an unrecognized field (InvalidRequestContentException) before its constraints are seen.
    assert missing == set()


@pytest.mark.parametrize(
    "pattern", sorted({f["pattern"] for f in constraint_table.SHAPES.values() if "pattern" in f})
)
def test_every_model_pattern_compiles(pattern: str) -> None:
    re.compile(python_pattern(pattern))


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("x", "x"),
        (5, "5"),
        (2.0, "2.0"),
        (0.25, "0.25"),
        (True, "true"),
        (["x86_64", "arm64"], "[x86_64, arm64]"),
        ({"2": 2.0}, "{2=2.0}"),
        ([], "[]"),
    ],
)
def test_values_print_as_java_prints_them(value: Any, text: str) -> None:
    assert java_text(value) == text


def _v(value: str, path: str, constraint: str) -> str:
    return f"Value {value} at '{path}' failed to satisfy constraint: {constraint}"


NULL = "Member must not be null"

CASES = [
    pytest.param(
        "GetFunction",
        {},
        [_v("null", "functionName", NULL)],
        id="required-missing",
    ),
    pytest.param(
        "CreateFunction",
        {"FunctionName": "f" * 141, "Role": "r1", "Code": {}},
        [_v(f"'{'f' * 141}'", "functionName", "Member must have length less than or equal to 140")],
        id="length-max",
    ),
    pytest.param(
        "CreateFunction",
        {"FunctionName": "", "Role": "r1", "Code": {}},
        [
            _v("''", "functionName", "Member must have length greater than or equal to 1"),
            _v(
                "''",
                "functionName",
                f"Member must satisfy regular expression pattern: {FUNCTION_NAME_PATTERN}",
            ),
        ],
        id="empty-string-is-short-and-unmatched",
    ),
    pytest.param(
        "CreateFunction",
        {"FunctionName": "f", "Role": "r1", "Code": {}, "Handler": "a b", "Timeout": 0},
        [
            _v("'a b'", "handler", r"Member must satisfy regular expression pattern: [^\s]+"),
            _v("'0'", "timeout", "Member must have value greater than or equal to 1"),
        ],
        id="aws-recorded-two-violations",
    ),
    pytest.param(
        "CreateFunction",
        {"FunctionName": "f", "Role": "r1", "Code": {}, "Runtime": "python9"},
        [],
        id="runtime-is-lambdas-own-check",
    ),
    pytest.param(
        "CreateFunction",
        {"FunctionName": "f", "Role": "r1", "Code": {}, "Architectures": ["x86_64", "arm64"]},
        [
            _v(
                "'[x86_64, arm64]'",
                "architectures",
                "Member must have length less than or equal to 1",
            )
        ],
        id="aws-recorded-list-length",
    ),
    pytest.param(
        "CreateFunction",
        {"FunctionName": "f", "Role": "r1", "Code": {}, "Architectures": ["X86_64"]},
        [
            _v(
                "'[X86_64]'",
                "architectures",
                "Member must satisfy constraint: [Member must satisfy enum value set: "
                "[x86_64, arm64], Member must not be null]",
            )
        ],
        id="aws-recorded-list-element",
    ),
    pytest.param(
        "CreateFunction",
        {"FunctionName": "f", "Role": "r1", "Code": {}, "Environment": {"Variables": {"1": "x"}}},
        [
            "Value at 'environment.variables' failed to satisfy constraint: Map keys must "
            "satisfy constraint: [Member must satisfy regular expression pattern: "
            "[a-zA-Z]([a-zA-Z0-9_])+]"
        ],
        id="aws-recorded-sensitive-map-keys",
    ),
    pytest.param(
        "CreateFunction",
        {"FunctionName": "f", "Role": "r1", "Code": {}, "EphemeralStorage": {}},
        [_v("null", "ephemeralStorage.size", NULL)],
        id="nested-required",
    ),
    pytest.param(
        "CreateFunction",
        {
            "FunctionName": "f",
            "Role": "r1",
            "Code": {},
            "FileSystemConfigs": [{"Arn": "x", "LocalMountPath": "/mnt/a"}],
        },
        [
            _v(
                "'x'",
                "fileSystemConfigs.1.member.arn",
                "Member must satisfy regular expression pattern: "
                + constraint_table.SHAPES["FileSystemArn"]["pattern"],
            )
        ],
        id="structure-in-list",
    ),
    pytest.param(
        "UpdateAlias",
        {
            "FunctionName": "f",
            "Name": "live",
            "RoutingConfig": {"AdditionalVersionWeights": {"2": 2.0}},
        },
        [
            _v(
                "'{2=2.0}'",
                "routingConfig.additionalVersionWeights",
                "Map value must satisfy constraint: [Member must have value less than or equal "
                "to 1.0, Member must have value greater than or equal to 0.0, Member must not be "
                "null]",
            )
        ],
        id="aws-recorded-map-value",
    ),
    pytest.param(
        "CreateFunctionUrlConfig",
        {"FunctionName": "f", "AuthType": "NONE", "Qualifier": "$LATEST", "InvokeMode": "UNKNOWN"},
        [
            _v(
                "'$LATEST'",
                "qualifier",
                r"Member must satisfy regular expression pattern: ((?!^\d+$)^[0-9a-zA-Z-_]+$)",
            ),
            _v(
                "'UNKNOWN'",
                "invokeMode",
                "Member must satisfy enum value set: [RESPONSE_STREAM, BUFFERED]",
            ),
        ],
        id="pattern-and-enum-in-model-order-enum-values-as-aws-lists-them",
    ),
    pytest.param(
        "ListFunctions",
        {"MaxItems": 0, "FunctionVersion": "X"},
        [
            _v("'X'", "functionVersion", "Member must satisfy enum value set: [ALL]"),
            _v("'0'", "maxItems", "Member must have value greater than or equal to 1"),
        ],
        id="query-members",
    ),
    pytest.param(
        "UntagResource",
        {"Resource": "arn:aws:lambda:us-east-1:123456789012:function:f"},
        [_v("null", "tagKeys", NULL)],
        id="aws-recorded-untag-without-keys",
    ),
    pytest.param(
        "Invoke",
        {"FunctionName": "f", "Qualifier": "$LATEST.PUBLISHED", "InvocationType": "Event"},
        [],
        id="invoke-latest-published",
    ),
    pytest.param(
        "InvokeAsync",
        {"FunctionName": "f"},
        [],
        id="raw-payload-is-never-missing",
    ),
]


@pytest.mark.parametrize(("operation", "members", "expected"), CASES)
def test_violations(operation: str, members: dict[str, Any], expected: list[str]) -> None:
    assert CHECKER.violations(operation, members) == expected


def test_role_pattern_only_in_strict_mode() -> None:
    members = {"FunctionName": "f", "Role": "r1", "Code": {}}
    assert CHECKER.violations("CreateFunction", members) == []
    assert ConstraintChecker(strict=True).violations("CreateFunction", members) == [
        _v("'r1'", "role", f"Member must satisfy regular expression pattern: {ROLE_PATTERN}")
    ]


def test_unknown_operations_and_members_pass() -> None:
    assert CHECKER.violations("GetTraceSummaries", {"x": 1}) == []
    assert CHECKER.violations("GetFunction", {"FunctionName": "f", "TraceId": "!"}) == []


def test_tag_keys_allow_any_letter() -> None:
    # The model's \p{L}\p{Z}\p{N} (Java) classes, in Python's spelling.
    members = {"Resource": "arn:aws:lambda:us-east-1:123456789012:function:f"}
    assert CHECKER.violations("TagResource", {**members, "Tags": {"ключ é 1": "v\u00a0"}}) == []
    assert CHECKER.violations("TagResource", {**members, "Tags": {"a\tb": "v"}}) != []


@pytest.mark.parametrize(
    ("violations", "message"),
    [
        (["A"], "1 validation error detected: A"),
        (["A", "B"], "2 validation errors detected: A; B"),
    ],
)
def test_messages_count_every_violation(violations: list[str], message: str) -> None:
    assert validation_message(violations) == message


def test_the_translation_raises_one_validation_exception() -> None:
    route = next(r for r in ALL_ROUTES if r.operation == "CreateAlias")
    body = b'{"Name": "1", "FunctionVersion": "x y"}'
    with pytest.raises(translate.RequestError) as caught:
        translate.request_to_message(route, {"FunctionName": "f"}, {}, body, {}, CHECKER)
    assert caught.value.message == (
        "2 validation errors detected: Value '1' at 'name' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+); "
        "Value 'x y' at 'functionVersion' failed to satisfy constraint: Member must satisfy "
        r"regular expression pattern: (\$LATEST(\.PUBLISHED)?|[0-9]+)"
    )


def test_a_body_that_is_no_json_is_refused_before_constraints() -> None:
    route = next(r for r in ALL_ROUTES if r.operation == "CreateAlias")
    with pytest.raises(translate.RequestError) as caught:
        translate.request_to_message(route, {"FunctionName": "bad name"}, {}, b"{", {}, CHECKER)
    assert caught.value.message.startswith(translate.BODY_PARSE_PREFIX)
