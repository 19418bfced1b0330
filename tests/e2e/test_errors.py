"""The error catalogue of lambda-spec §2.3 (functions, versions, aliases, tags, create/update
validation), one table row per situation, checked on the wire and through botocore. A few
neighbouring rows not in §2.3 say where their expectation comes from.

Each row asserts the HTTP status, `x-amzn-ErrorType`, the code botocore derives from it, the
exact message, the `Type` member and the casing of the message key in the raw JSON body
(`Message` for ResourceNotFoundException, `message` for most others, §2.1).
"""

from __future__ import annotations

import io
import json
import os
import re
import stat
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
import urllib3
from botocore.config import Config as BotoConfig
from botocore.exceptions import ClientError

from tests.e2e.support import (
    REGION,
    UUID_RE,
    LambdadProcess,
    ResponseRecorder,
    code_sha256,
    create_function,
    function_arn,
    header,
    settled,
    unique_zip,
)
from tests.helpers import HANDLER_SOURCE, make_zip

pytestmark = pytest.mark.e2e

FUNCTION_NAME_PATTERN = (
    r"(arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?"
    r"(\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?"
)
ROLE_PATTERN = r"arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+"
VALID_ROLE = "arn:aws:iam::000000000000:role/lambda-role"
REVISION_MISMATCH = (
    "The Revision Id provided does not match the latest Revision Id. "
    "Call the GetFunction/GetAlias API to retrieve the latest Revision Id"
)
UNZIP_FAILED = "Could not unzip uploaded file. Please check your file, then try to upload again."
ENV_LIMIT = (
    "Lambda was unable to configure your environment variables because the environment "
    "variables you have provided exceeded the 4KB limit. String measured: "
)
CREATE_REQUEST_LIMIT = 70_167_211


@dataclass
class Ctx:
    """What the rows act on: a function with versions 1-3 and alias `live` -> 1."""

    lambdad: LambdadProcess
    client: Any
    recorder: ResponseRecorder
    name: str
    code_sha256: str

    @property
    def arn(self) -> str:
        """The target's unqualified ARN."""
        return function_arn(self.name)

    def fresh(self) -> str:
        """A new unique function name, for create rows."""
        return f"err-{uuid.uuid4().hex[:12]}"

    def create(self, **overrides: Any) -> Any:
        """CreateFunction of a fresh name with the usual settings, overridden by `overrides`."""
        request: dict[str, Any] = {
            "FunctionName": self.fresh(),
            "Runtime": "python3.12",
            "Role": "r1",
            "Handler": "app.handler",
            "Code": {"ZipFile": make_zip()},
        }
        request.update(overrides)
        return self.client.create_function(**request)


def _client(lambdad: LambdadProcess) -> Any:
    # No client-side validation, so the server's own checks are what is tested; one attempt,
    # and time for the 50-70 MB uploads.
    return boto3.client(
        "lambda",
        endpoint_url=lambdad.endpoint,
        region_name=REGION,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=BotoConfig(
            parameter_validation=False,
            retries={"total_max_attempts": 1},
            read_timeout=120,
        ),
    )


@pytest.fixture(scope="module")
def ctx(lambdad: LambdadProcess) -> Ctx:
    """The shared target function, published three times, with an alias."""
    client = _client(lambdad)
    recorder = ResponseRecorder().attach(client)
    name = f"errors-target-{uuid.uuid4().hex[:8]}"
    create_function(client, name)
    settled(client, name)
    zip_bytes = b""
    for version in ("1", "2", "3"):
        assert client.publish_version(FunctionName=name)["Version"] == version
        settled(client, name, version)
        zip_bytes = unique_zip(f"after-{version}")
        client.update_function_code(FunctionName=name, ZipFile=zip_bytes)
        settled(client, name)
    client.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
    return Ctx(lambdad, client, recorder, name, code_sha256(zip_bytes))


@dataclass(frozen=True)
class Row:
    """One situation of the catalogue and AWS's answer to it."""

    call: Callable[[Ctx], Any]
    status: int
    code: str
    # Exact text, or a pattern the whole message must match (for AWS's long enum lists).
    message: Callable[[Ctx], str | re.Pattern[str]]
    # Key of the message in the raw body; None where the spec records no message.
    key: str | None = "message"
    # The call sends its own request with urllib3 and returns the response.
    raw: bool = False


def _zip_over_50_mb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("app.py", HANDLER_SOURCE)
        archive.writestr("blob.bin", os.urandom(52_430_000))
    data = buffer.getvalue()
    # base64 of it stays under the 70167211-byte request limit, so the zip limit is the one hit.
    assert len(data) > 52_428_800 and len(data) * 4 // 3 + 1000 < CREATE_REQUEST_LIMIT
    return data


def _zip_unzipping_over_250_mb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("app.py", HANDLER_SOURCE)
        with archive.open("zeros.bin", "w") as entry:
            chunk = bytes(1 << 20)
            for _ in range(251):  # 263192576 bytes > 262144000
                entry.write(chunk)
    return buffer.getvalue()


def _oversized_create_request(c: Ctx) -> Any:
    """A CreateFunction body over 70167211 bytes, sent as a client would send it."""
    padding = b"A" * (CREATE_REQUEST_LIMIT + 4)  # valid base64 (length divisible by 4)
    document = (
        b'{"FunctionName":"' + c.fresh().encode() + b'","Role":"r1","Runtime":"python3.12",'
        b'"Handler":"app.handler","Code":{"ZipFile":"' + padding + b'"}}'
    )
    return urllib3.PoolManager().request(
        "POST",
        f"{c.lambdad.endpoint}/2015-03-31/functions",
        body=document,
        headers={"Content-Type": "application/json"},
        retries=False,
        timeout=120,
    )


def _routing(c: Ctx, version: str, weights: dict[str, float]) -> Any:
    return c.client.create_alias(
        FunctionName=c.name,
        Name=f"a{uuid.uuid4().hex[:8]}",
        FunctionVersion=version,
        RoutingConfig={"AdditionalVersionWeights": weights},
    )


def _long_arn() -> str:
    # Name within 64 characters; only the whole ARN (with its qualifier) exceeds 140.
    base = function_arn("n" * 64)
    return f"{base}:{'q' * (141 - len(base) - 1)}"


def _not_found(c: Ctx, name: str, qualifier: str | None = None) -> str:
    return f"Function not found: {function_arn(name, qualifier)}"


# fmt: off
ROWS = [
    # --- lookup ---------------------------------------------------------------------------
    pytest.param(Row(
        lambda c: c.client.get_function(FunctionName="missing-fn-1"),
        404, "ResourceNotFoundException", lambda c: _not_found(c, "missing-fn-1"), "Message",
    ), id="get-unknown-function"),
    pytest.param(Row(
        lambda c: c.client.update_function_configuration(
            FunctionName="missing-fn-2", Description="x"),
        404, "ResourceNotFoundException", lambda c: _not_found(c, "missing-fn-2"), "Message",
    ), id="update-config-unknown-function"),
    pytest.param(Row(
        lambda c: c.client.delete_function(FunctionName="missing-fn-3"),
        404, "ResourceNotFoundException", lambda c: _not_found(c, "missing-fn-3"), "Message",
    ), id="delete-unknown-function"),
    pytest.param(Row(
        lambda c: c.client.tag_resource(Resource=function_arn("missing-fn-4"), Tags={"k": "v"}),
        404, "ResourceNotFoundException", lambda c: _not_found(c, "missing-fn-4"), "Message",
    ), id="tag-unknown-function"),
    pytest.param(Row(
        lambda c: c.client.get_function(FunctionName=c.name, Qualifier="99"),
        404, "ResourceNotFoundException", lambda c: _not_found(c, c.name, "99"), "Message",
    ), id="get-unknown-version"),
    pytest.param(Row(
        lambda c: c.client.get_function_configuration(FunctionName=function_arn(c.name, "99")),
        404, "ResourceNotFoundException", lambda c: _not_found(c, c.name, "99"), "Message",
    ), id="get-config-unknown-version-in-arn"),
    pytest.param(Row(
        lambda c: c.client.get_function(FunctionName=c.name, Qualifier="nosuch"),
        404, "ResourceNotFoundException", lambda c: _not_found(c, c.name, "nosuch"), "Message",
    ), id="get-function-unknown-alias"),
    # GetFunction takes a NamespacedFunctionName (§7.2: `.` allowed, up to 256 characters), so
    # a dotted name passes validation and is simply not found.
    pytest.param(Row(
        lambda c: c.client.get_function(FunctionName="no.such.fn"),
        404, "ResourceNotFoundException", lambda c: _not_found(c, "no.such.fn"), "Message",
    ), id="get-dotted-name-not-found"),
    pytest.param(Row(
        lambda c: c.client.get_function(
            FunctionName=f"arn:aws:lambda:ap-southeast-1:000000000000:function:{c.name}"),
        404, "ResourceNotFoundException",
        lambda c: "Functions from 'ap-southeast-1' are not reachable in this region ('us-east-1')",
        "Message",
    ), id="other-region-arn"),
    pytest.param(Row(
        lambda c: c.client.get_function(
            FunctionName=f"arn:aws:lambda:us-east-1:111111111111:function:{c.name}"),
        403, "AccessDeniedException", lambda c: "", None,
    ), id="other-account-arn"),
    pytest.param(Row(
        lambda c: c.client.get_function(FunctionName=f"{c.name}:1", Qualifier="2"),
        400, "InvalidParameterValueException",
        lambda c: "The derived qualifier from the function name does not match the specified "
        "qualifier.",
    ), id="derived-qualifier-mismatch"),
    pytest.param(Row(
        lambda c: c.create(FunctionName="f" * 65),
        400, "InvalidParameterValueException",
        lambda c: f"1 validation error detected: Value '{'f' * 65}' at 'functionName' failed to "
        "satisfy constraint: Member must have length less than or equal to 64",
    ), id="create-name-over-64"),
    pytest.param(Row(
        lambda c: c.client.update_function_configuration(
            FunctionName=_long_arn(), Description="x"),
        400, "ValidationException",
        lambda c: f"1 validation error detected: Value '{_long_arn()}' at 'functionName' failed "
        "to satisfy constraint: Member must have length less than or equal to 140",
    ), id="arn-over-140"),
    pytest.param(Row(
        lambda c: c.client.update_function_configuration(
            FunctionName="invalid:function:name", Description="x"),
        400, "ValidationException",
        lambda c: "1 validation error detected: Value 'invalid:function:name' at 'functionName' "
        f"failed to satisfy constraint: Member must satisfy regular expression pattern: "
        f"{FUNCTION_NAME_PATTERN}",
    ), id="bad-name-characters"),
    # --- conflicts and preconditions ------------------------------------------------------
    pytest.param(Row(
        lambda c: c.create(FunctionName=c.name),
        409, "ResourceConflictException", lambda c: f"Function already exist: {c.name}",
    ), id="create-duplicate"),
    pytest.param(Row(
        lambda c: c.client.update_function_configuration(
            FunctionName=c.name, Description="x", RevisionId=str(uuid.uuid4())),
        412, "PreconditionFailedException", lambda c: REVISION_MISMATCH,
    ), id="revision-mismatch-update-configuration"),
    pytest.param(Row(
        lambda c: c.client.update_function_code(
            FunctionName=c.name, ZipFile=make_zip(), RevisionId=str(uuid.uuid4())),
        412, "PreconditionFailedException", lambda c: REVISION_MISMATCH,
    ), id="revision-mismatch-update-code"),
    pytest.param(Row(
        lambda c: c.client.publish_version(FunctionName=c.name, RevisionId=str(uuid.uuid4())),
        412, "PreconditionFailedException", lambda c: REVISION_MISMATCH,
    ), id="revision-mismatch-publish-version"),
    pytest.param(Row(
        lambda c: c.client.update_alias(
            FunctionName=c.name, Name="live", Description="x", RevisionId=str(uuid.uuid4())),
        412, "PreconditionFailedException", lambda c: REVISION_MISMATCH,
    ), id="revision-mismatch-update-alias"),
    pytest.param(Row(
        lambda c: c.client.publish_version(FunctionName=c.name, CodeSha256="bogus="),
        400, "InvalidParameterValueException",
        lambda c: f"CodeSHA256 (bogus=) is different from current CodeSHA256 in $LATEST "
        f"({c.code_sha256}). Please try again with the CodeSHA256 in $LATEST.",
    ), id="publish-wrong-codesha256"),
    # --- aliases --------------------------------------------------------------------------
    pytest.param(Row(
        lambda c: c.client.create_alias(FunctionName=c.name, Name="live", FunctionVersion="2"),
        409, "ResourceConflictException", lambda c: f"Alias already exists: {c.arn}:live",
    ), id="alias-exists"),
    pytest.param(Row(
        lambda c: c.client.get_alias(FunctionName=c.name, Name="nosuch"),
        404, "ResourceNotFoundException", lambda c: f"Cannot find alias arn: {c.arn}:nosuch",
        "Message",
    ), id="get-unknown-alias"),
    pytest.param(Row(
        lambda c: c.client.update_alias(FunctionName=c.name, Name="nosuch", Description="x"),
        404, "ResourceNotFoundException", lambda c: f"Alias not found: {c.arn}:nosuch", "Message",
    ), id="update-unknown-alias"),
    pytest.param(Row(
        lambda c: c.client.create_alias(FunctionName=c.name, Name="2024", FunctionVersion="1"),
        400, "ValidationException",
        lambda c: "1 validation error detected: Value '2024' at 'name' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)",
    ), id="alias-name-numeric"),
    pytest.param(Row(
        lambda c: _routing(c, "1", {"2": 0.1, "3": 0.1}),
        400, "InvalidParameterValueException",
        lambda c: "Number of items in AdditionalVersionWeights cannot be greater than 1",
    ), id="routing-two-weights"),
    pytest.param(Row(
        lambda c: _routing(c, "1", {"2": 2.0}),
        400, "ValidationException",
        lambda c: "1 validation error detected: Value '{2=2.0}' at "
        "'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map value must "
        "satisfy constraint: [Member must have value less than or equal to 1.0, Member must have "
        "value greater than or equal to 0.0, Member must not be null]",
    ), id="routing-weight-out-of-range"),
    pytest.param(Row(
        lambda c: _routing(c, "1", {"1": 0.5}),
        400, "InvalidParameterValueException",
        lambda c: "Invalid function version 1. Function version 1 is already included in routing "
        "configuration.",
    ), id="routing-to-same-version"),
    pytest.param(Row(
        lambda c: _routing(c, "$LATEST", {"1": 0.5}),
        400, "InvalidParameterValueException",
        lambda c: "$LATEST is not supported for an alias pointing to more than 1 version",
    ), id="routing-latest-with-weights"),
    # --- create / update validation -------------------------------------------------------
    pytest.param(Row(
        lambda c: c.create(Runtime="python2.0"),
        400, "InvalidParameterValueException",
        lambda c: re.compile(
            r"Value python2\.0 at 'runtime' failed to satisfy constraint: Member must satisfy "
            r"enum value set: \[(?=[^\]]*\bpython3\.12\b)(?=[^\]]*\bnodejs20\.x\b)[^\]]+\] or be "
            r"a valid ARN"
        ),
    ), id="unknown-runtime"),
    pytest.param(Row(
        lambda c: c.create(Architectures=["x86_64", "arm64"]),
        400, "ValidationException",
        lambda c: "1 validation error detected: Value '[x86_64, arm64]' at 'architectures' failed "
        "to satisfy constraint: Member must have length less than or equal to 1",
    ), id="two-architectures"),
    pytest.param(Row(
        lambda c: c.create(Architectures=["X86_64"]),
        400, "ValidationException",
        lambda c: "1 validation error detected: Value '[X86_64]' at 'architectures' failed to "
        "satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: "
        "[x86_64, arm64], Member must not be null]",
    ), id="bad-architecture"),
    pytest.param(Row(
        lambda c: c.create(Code={"ZipFile": b"this is not a zip file"}),
        400, "InvalidParameterValueException", lambda c: UNZIP_FAILED,
    ), id="not-a-zip"),
    pytest.param(Row(
        lambda c: c.client.update_function_code(FunctionName=c.name, ZipFile=b"not a zip"),
        400, "InvalidParameterValueException", lambda c: UNZIP_FAILED,
    ), id="update-code-not-a-zip"),
    pytest.param(Row(
        lambda c: c.create(Code={"ZipFile": _zip_over_50_mb()}),
        413, "RequestEntityTooLargeException",
        lambda c: "Zipped size must be smaller than 52428800 bytes",
    ), id="zip-over-50MB"),
    pytest.param(Row(
        _oversized_create_request,
        413, "RequestEntityTooLargeException",
        lambda c: "Request must be smaller than 70167211 bytes for the CreateFunction operation",
        raw=True,
    ), id="create-request-over-70167211-bytes"),
    pytest.param(Row(
        lambda c: c.create(Code={"ZipFile": _zip_unzipping_over_250_mb()}),
        400, "InvalidParameterValueException",
        lambda c: "Unzipped size must be smaller than 262144000 bytes",
    ), id="unzipped-over-250MB"),
    pytest.param(Row(
        lambda c: c.create(Environment={"Variables": {"BIG": "x" * 4100}}),
        400, "InvalidParameterValueException",
        lambda c: ENV_LIMIT + json.dumps({"BIG": "x" * 4100}, separators=(",", ":")),
    ), id="create-environment-over-4KB"),
    pytest.param(Row(
        lambda c: c.client.update_function_configuration(
            FunctionName=c.name, Environment={"Variables": {"HUGE": "y" * 4100}}),
        400, "InvalidParameterValueException",
        lambda c: ENV_LIMIT + json.dumps({"HUGE": "y" * 4100}, separators=(",", ":")),
    ), id="update-environment-over-4KB"),
    # Not in §2.3; AWS's wording as users report it (klothoplatform/klotho#317,
    # aws-amplify/amplify-backend#2290): variables are sensitive, so no value is quoted.
    pytest.param(Row(
        lambda c: c.create(Environment={"Variables": {"bad-key": "v"}}),
        400, "ValidationException",
        lambda c: "1 validation error detected: Value at 'environment.variables' failed to "
        "satisfy constraint: Map keys must satisfy constraint: [Member must satisfy regular "
        "expression pattern: [a-zA-Z]([a-zA-Z0-9_])+]",
    ), id="environment-bad-key-name"),
    # Not in §2.3; AWS's wording from mattermost/mattermost-cloud-monitoring#264.
    pytest.param(Row(
        lambda c: c.create(Environment={"Variables": {"AWS_REGION": "eu-west-1"}}),
        400, "InvalidParameterValueException",
        lambda c: "Lambda was unable to configure your environment variables because the "
        "environment variables you have provided contains reserved keys that are currently not "
        "supported for modification. Reserved keys used in this request: AWS_REGION",
    ), id="environment-reserved-key"),
    pytest.param(Row(
        lambda c: c.create(MemorySize=64),
        400, "ValidationException",
        lambda c: "1 validation error detected: Value '64' at 'memorySize' failed to satisfy "
        "constraint: Member must have value greater than or equal to 128",
    ), id="memory-below-128"),
    pytest.param(Row(
        lambda c: c.create(MemorySize=10241),
        400, "ValidationException",
        lambda c: "1 validation error detected: Value '10241' at 'memorySize' failed to satisfy "
        "constraint: Member must have value less than or equal to 10240",
    ), id="memory-above-10240"),
    pytest.param(Row(
        lambda c: c.client.update_function_configuration(FunctionName=c.name, MemorySize=10241),
        400, "ValidationException",
        lambda c: "1 validation error detected: Value '10241' at 'memorySize' failed to satisfy "
        "constraint: Member must have value less than or equal to 10240",
    ), id="update-memory-above-10240"),
    pytest.param(Row(
        lambda c: c.create(Timeout=0),
        400, "ValidationException",
        lambda c: "1 validation error detected: Value '0' at 'timeout' failed to satisfy "
        "constraint: Member must have value greater than or equal to 1",
    ), id="timeout-below-1"),
    # --- delete and tags ------------------------------------------------------------------
    pytest.param(Row(
        lambda c: c.client.delete_function(FunctionName=c.name, Qualifier="$LATEST"),
        400, "InvalidParameterValueException",
        lambda c: "$LATEST version cannot be deleted without deleting the function.",
    ), id="delete-latest-qualifier"),
    pytest.param(Row(
        lambda c: c.client.tag_resource(Resource=function_arn(c.name, "1"), Tags={"k": "v"}),
        400, "InvalidParameterValueException",
        lambda c: "Tags on function aliases and versions are not supported. Please specify a "
        "function ARN.",
    ), id="tag-qualified-arn"),
    pytest.param(Row(
        lambda c: c.client.untag_resource(Resource=c.arn, TagKeys=[]),
        400, "ValidationException",
        lambda c: "1 validation error detected: Value null at 'tagKeys' failed to satisfy "
        "constraint: Member must not be null",
    ), id="untag-without-keys"),
]
# fmt: on


def _observe(c: Ctx, row: Row) -> dict[str, Any]:
    """Send the row's request; return what came back, botocore's view included."""
    if row.raw:
        response = row.call(c)
        status, headers, content = response.status, dict(response.headers), response.data
        parsed = json.loads(content)
        error_type = header(headers, "x-amzn-ErrorType")
        code = error_type.split(":")[0] if error_type else None
        message = parsed.get("message", parsed.get("Message"))
    else:
        try:
            result = row.call(c)
        except ClientError as error:
            code = error.response["Error"].get("Code")
            message = error.response["Error"].get("Message")
        else:
            pytest.fail(f"expected {row.status} {row.code}, the call succeeded: {result}")
        _, status, headers, content = c.recorder.last
        parsed = json.loads(content)
    return {
        "status": status,
        "x-amzn-ErrorType": header(headers, "x-amzn-ErrorType"),
        "Content-Type": header(headers, "Content-Type"),
        "x-amzn-RequestId is a uuid": bool(
            UUID_RE.match(header(headers, "x-amzn-RequestId") or "")
        ),
        "code": code,
        "message": message,
        "Type": parsed.get("Type"),
        "body keys": sorted(parsed),
    }


@pytest.mark.parametrize("row", ROWS)
def test_error_catalogue(ctx: Ctx, row: Row) -> None:
    # A row that wrongly succeeded may have started an update; let it settle first.
    settled(ctx.client, ctx.name)
    actual = _observe(ctx, row)
    message = row.message(ctx)
    if isinstance(message, re.Pattern) and message.fullmatch(actual["message"] or ""):
        message = actual["message"]
    expected = {
        "status": row.status,
        "x-amzn-ErrorType": row.code,
        "Content-Type": "application/json",
        "x-amzn-RequestId is a uuid": True,
        "code": row.code,
        "message": message,
        # AWS's ValidationException body is the message alone; Lambda's own errors add Type.
        "Type": None if row.code == "ValidationException" else "User",
        "body keys": (
            sorted({row.key} if row.code == "ValidationException" else {"Type", row.key})
            if row.key
            else actual["body keys"]
        ),
    }
    assert actual == expected


# --- strict mode ----------------------------------------------------------------------------


def _error(call: Callable[[], Any]) -> tuple[int, str, str]:
    with pytest.raises(ClientError) as info:
        call()
    response = info.value.response
    return (
        response["ResponseMetadata"]["HTTPStatusCode"],
        response["Error"]["Code"],
        response["Error"]["Message"],
    )


def _deprecated(runtime: str) -> str:
    return (
        f"The runtime parameter of {runtime} is no longer supported for creating or updating AWS "
        "Lambda functions. We recommend you use a supported runtime while creating or updating "
        "functions."
    )


def test_strict_mode_rejects_plain_roles_and_deprecated_runtimes(
    fresh_lambdad: LambdadProcess,
) -> None:
    fresh_lambdad.extra_args = ["--strict"]
    client = _client(fresh_lambdad.start())
    name = f"strict-{uuid.uuid4().hex[:8]}"

    def create(role: str, runtime: str) -> Any:
        return client.create_function(
            FunctionName=name,
            Role=role,
            Runtime=runtime,
            Handler="app.handler",
            Code={"ZipFile": make_zip()},
        )

    assert _error(lambda: create("r1", "python3.12")) == (
        400,
        "ValidationException",
        "1 validation error detected: Value 'r1' at 'role' failed to satisfy constraint: Member "
        f"must satisfy regular expression pattern: {ROLE_PATTERN}",
    )
    # python3.7: blocked for good (python3.8 is created again until 2027-02-01).
    assert _error(lambda: create(VALID_ROLE, "python3.7")) == (
        400,
        "InvalidParameterValueException",
        _deprecated("python3.7"),
    )
    assert create(VALID_ROLE, "python3.12")["ResponseMetadata"]["HTTPStatusCode"] == 201
    settled(client, name)
    assert _error(
        lambda: client.update_function_configuration(FunctionName=name, Runtime="python3.7")
    ) == (400, "InvalidParameterValueException", _deprecated("python3.7"))
    assert _error(lambda: client.update_function_configuration(FunctionName=name, Role="r1")) == (
        400,
        "ValidationException",
        "1 validation error detected: Value 'r1' at 'role' failed to satisfy constraint: Member "
        f"must satisfy regular expression pattern: {ROLE_PATTERN}",
    )


def test_lenient_default_accepts_plain_role_and_deprecated_runtime(
    client: Any, function_name: str
) -> None:
    created = client.create_function(
        FunctionName=function_name,
        Role="r1",
        Runtime="python3.8",
        Handler="app.handler",
        Code={"ZipFile": make_zip()},
    )
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert (created["Role"], created["Runtime"]) == ("r1", "python3.8")


# --- malicious packages ---------------------------------------------------------------------


def _zip_with(entries: dict[str, bytes], symlinks: dict[str, str] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("app.py", HANDLER_SOURCE)
        for name, content in entries.items():
            archive.writestr(name, content)
        for name, target in (symlinks or {}).items():
            info = zipfile.ZipInfo(name)
            info.create_system = 3  # Unix, so external_attr carries the file type
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, target)
    return buffer.getvalue()


MALICIOUS = [
    pytest.param(_zip_with({"../evil.py": b"print('escaped')"}), id="path-traversal"),
    pytest.param(_zip_with({"/tmp/evil.py": b"print('absolute')"}), id="absolute-path"),
    pytest.param(_zip_with({}, {"link": "../../../../etc/passwd"}), id="symlink-outside"),
    pytest.param(_zip_with({}, {"link": "/etc/passwd"}), id="symlink-absolute"),
]


def _blob_files(data_dir: Path) -> set[str]:
    root = data_dir / "blobs"
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


@pytest.mark.parametrize("package", MALICIOUS)
def test_malicious_zip_is_rejected_and_nothing_is_stored(
    lambdad: LambdadProcess, client: Any, function_name: str, package: bytes
) -> None:
    before = _blob_files(lambdad.data_dir)
    status, code, message = _error(lambda: create_function(client, function_name, package))
    assert (status, code) == (400, "InvalidParameterValueException")
    assert message.startswith("Could not unzip uploaded file."), message
    assert _error(lambda: client.get_function(FunctionName=function_name)) == (
        404,
        "ResourceNotFoundException",
        f"Function not found: {function_arn(function_name)}",
    )
    assert _blob_files(lambdad.data_dir) == before


@pytest.mark.parametrize("package", MALICIOUS)
def test_malicious_zip_update_keeps_the_old_code(
    lambdad: LambdadProcess, client: Any, function_name: str, package: bytes
) -> None:
    create_function(client, function_name)
    before_config = settled(client, function_name)
    before_blobs = _blob_files(lambdad.data_dir)
    status, code, message = _error(
        lambda: client.update_function_code(FunctionName=function_name, ZipFile=package)
    )
    assert (status, code) == (400, "InvalidParameterValueException")
    assert message.startswith("Could not unzip uploaded file."), message
    after_config = client.get_function_configuration(FunctionName=function_name)
    assert {k: after_config[k] for k in ("CodeSha256", "RevisionId", "LastUpdateStatus")} == {
        k: before_config[k] for k in ("CodeSha256", "RevisionId", "LastUpdateStatus")
    }
    assert _blob_files(lambdad.data_dir) == before_blobs
