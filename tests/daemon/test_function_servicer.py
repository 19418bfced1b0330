"""FunctionService through a real grpc.aio server: lifecycle, versions, aliases, tags, errors.

Errors are checked the way clients see them: the google.rpc.Status in the trailers, its
ErrorInfo reason, and AWS's message text (spec §2.3).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.protobuf import field_mask_pb2
from google.rpc import error_details_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
from grpc_status import rpc_status

from lambdad.client import AsyncLambdadClient, InvalidParameterValueError
from lambdad.daemon.api.functions import FunctionServicer
from lambdad.daemon.domain.code_urls import CodeUrlSigner
from lambdad.daemon.domain.model import FunctionVersion
from lambdad.daemon.domain.names import FUNCTION_NAME_PATTERN, Account
from lambdad.daemon.errors import LambdaError, Reason
from lambdad.daemon.server import Daemon
from lambdad.daemon.services.functions import function_registry
from lambdad.daemon.store.blobs import BlobStore
from lambdad.daemon.store.state import StateStore
from lambdad.v1 import function_pb2 as fpb
from lambdad.v1 import function_service_pb2 as pb
from lambdad.v1 import function_service_pb2_grpc as pb_grpc
from tests.helpers import async_wait_for, make_zip, wait_for

ARN = "arn:aws:lambda:us-east-1:000000000000:function"
ROLE = "arn:aws:iam::000000000000:role/lambda-role"
LAYER = "arn:aws:lambda:us-east-1:000000000000:layer:shared:1"
REVISION_MISMATCH = (
    "The Revision Id provided does not match the latest Revision Id. "
    "Call the GetFunction/GetAlias API to retrieve the latest Revision Id"
)
LAST_MODIFIED = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000")
CODE_V1 = make_zip({"app.py": "def handler(e, c):\n    return 1\n"})
CODE_V2 = make_zip({"app.py": "def handler(e, c):\n    return 2\n"})


def sha(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


@dataclass
class Failure:
    code: grpc.StatusCode
    reason: str
    message: str


async def failure(call: Awaitable[Any]) -> Failure:
    """Await an RPC that must fail; decode its google.rpc.Status and ErrorInfo."""
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call
    status = rpc_status.from_call(caught.value)
    assert status is not None, "no google.rpc.Status in the trailers"
    assert status.message == caught.value.details()
    infos = []
    for detail in status.details:
        info = error_details_pb2.ErrorInfo()
        if detail.Unpack(info):
            infos.append(info)
    assert len(infos) == 1
    assert infos[0].domain == "lambdad.dev"
    return Failure(caught.value.code(), infos[0].reason, status.message)


def mask(*paths: str) -> field_mask_pb2.FieldMask:
    return field_mask_pb2.FieldMask(paths=list(paths))


@pytest.fixture
def stub(channel: grpc.aio.Channel) -> pb_grpc.FunctionServiceStub:
    return pb_grpc.FunctionServiceStub(channel)


@pytest.fixture
def sync_stub(daemon: Daemon) -> Iterator[pb_grpc.FunctionServiceStub]:
    """A blocking stub for `wait_for`, which runs in a thread while the daemon keeps serving."""
    with grpc.insecure_channel(f"127.0.0.1:{daemon.port}") as ch:
        yield pb_grpc.FunctionServiceStub(ch)


async def settled(
    sync_stub: pb_grpc.FunctionServiceStub, name: str, qualifier: str = ""
) -> fpb.FunctionConfiguration:
    """Wait (with a deadline) until the version is Active and its last update Successful."""

    def done() -> fpb.FunctionConfiguration | None:
        config = sync_stub.GetFunctionConfiguration(
            pb.GetFunctionConfigurationRequest(function_name=name, qualifier=qualifier)
        ).configuration
        ok = config.state == "Active" and config.last_update_status == "Successful"
        return config if ok else None

    return await asyncio.to_thread(wait_for, done, timeout=10)


def create_request(name: str = "f", **overrides: Any) -> pb.CreateFunctionRequest:
    values: dict[str, Any] = {
        "function_name": name,
        "runtime": "python3.12",
        "role": ROLE,
        "handler": "app.handler",
        "code": fpb.FunctionCode(zip_file=CODE_V1),
    }
    values.update(overrides)
    return pb.CreateFunctionRequest(**values)


async def create(
    stub: pb_grpc.FunctionServiceStub,
    sync_stub: pb_grpc.FunctionServiceStub,
    name: str = "f",
    **overrides: Any,
) -> fpb.FunctionConfiguration:
    await stub.CreateFunction(create_request(name, **overrides))
    return await settled(sync_stub, name)


# ------------------------------------------------------------------ lifecycle
async def test_create_pending_then_active_with_new_revision(
    stub: pb_grpc.FunctionServiceStub, sync_stub: pb_grpc.FunctionServiceStub
) -> None:
    response = await stub.CreateFunction(
        create_request(tags={"team": "a"}, environment=fpb.Environment(variables={"K1": "v"}))
    )
    created = response.configuration
    assert created.state == "Pending"
    assert created.state_reason == "The function is being created."
    assert created.state_reason_code == "Creating"
    assert created.function_name == "f"
    assert created.function_arn == f"{ARN}:f"
    assert created.version == "$LATEST"
    assert created.code_sha256 == sha(CODE_V1)
    assert created.code_size == len(CODE_V1)
    assert (created.runtime, created.handler, created.role) == ("python3.12", "app.handler", ROLE)
    assert (created.timeout, created.memory_size, created.ephemeral_storage.size) == (3, 128, 512)
    assert list(created.architectures) == ["x86_64"]
    assert created.package_type == "Zip"
    assert created.tracing_config.mode == "PassThrough"
    assert created.logging_config.log_group == "/aws/lambda/f"
    assert created.logging_config.log_format == "Text"
    assert dict(created.environment.variables) == {"K1": "v"}
    assert LAST_MODIFIED.fullmatch(created.last_modified)

    active = await settled(sync_stub, "f")
    assert active.revision_id != created.revision_id
    assert not active.HasField("state_reason")
    assert not active.HasField("state_reason_code")
    assert active.code_sha256 == created.code_sha256

    got = await stub.GetFunction(pb.GetFunctionRequest(function_name="f"))
    assert got.configuration == active
    assert got.code.repository_type == "S3"
    assert dict(got.tags) == {"team": "a"}


async def test_code_location_downloads_the_zip(
    stub: pb_grpc.FunctionServiceStub, sync_stub: pb_grpc.FunctionServiceStub
) -> None:
    await create(stub, sync_stub)
    got = await stub.GetFunction(pb.GetFunctionRequest(function_name="f"))
    location = got.code.location
    assert location.startswith("/_lambdad/code/")
    chunks = [r.chunk async for r in stub.DownloadCode(pb.DownloadCodeRequest(location=location))]
    assert b"".join(chunks) == CODE_V1

    forged = location.replace("signature=", "signature=0")
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        async for _ in stub.DownloadCode(pb.DownloadCodeRequest(location=forged)):
            pass
    assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED


@pytest.mark.parametrize(
    "function_name",
    ["f", f"{ARN}:f", "000000000000:function:f", f"{ARN}:f:$LATEST"],
)
async def test_get_by_any_name_form(
    stub: pb_grpc.FunctionServiceStub,
    sync_stub: pb_grpc.FunctionServiceStub,
    function_name: str,
) -> None:
    await create(stub, sync_stub)
    got = await stub.GetFunctionConfiguration(
        pb.GetFunctionConfigurationRequest(function_name=function_name)
    )
    assert got.configuration.function_name == "f"
    assert got.configuration.code_sha256 == sha(CODE_V1)


async def test_update_code_in_progress_then_successful(
    stub: pb_grpc.FunctionServiceStub, sync_stub: pb_grpc.FunctionServiceStub
) -> None:
    active = await create(stub, sync_stub)
    response = await stub.UpdateFunctionCode(
        pb.UpdateFunctionCodeRequest(
            function_name="f", zip_file=CODE_V2, revision_id=active.revision_id
        )
    )
    updating = response.configuration
    assert updating.state == "Active"
    assert updating.last_update_status == "InProgress"
    assert updating.code_sha256 == sha(CODE_V2)
    assert updating.code_size == len(CODE_V2)
    assert updating.revision_id != active.revision_id
    done = await settled(sync_stub, "f")
    assert done.code_sha256 == sha(CODE_V2)
    assert done.revision_id not in (active.revision_id, updating.revision_id)


async def test_update_code_dry_run_changes_nothing(
    stub: pb_grpc.FunctionServiceStub, sync_stub: pb_grpc.FunctionServiceStub
) -> None:
    active = await create(stub, sync_stub)
    response = await stub.UpdateFunctionCode(
        pb.UpdateFunctionCodeRequest(function_name="f", zip_file=CODE_V2, dry_run=True)
    )
    assert response.configuration.code_sha256 == sha(CODE_V2)
    got = await stub.GetFunctionConfiguration(pb.GetFunctionConfigurationRequest(function_name="f"))
    assert got.configuration == active


async def test_update_code_with_bad_zip_keeps_old_code(
    stub: pb_grpc.FunctionServiceStub, sync_stub: pb_grpc.FunctionServiceStub
) -> None:
    active = await create(stub, sync_stub)
    error = await failure(
        stub.UpdateFunctionCode(pb.UpdateFunctionCodeRequest(function_name="f", zip_file=b"nope"))
    )
    assert (error.code, error.reason) == (
        grpc.StatusCode.INVALID_ARGUMENT,
        "INVALID_PARAMETER_VALUE",
    )
    assert error.message == (
        "Could not unzip uploaded file. Please check your file, then try to upload again."
    )
    got = await stub.GetFunctionConfiguration(pb.GetFunctionConfigurationRequest(function_name="f"))
    assert got.configuration == active


async def test_update_code_and_publish(
    stub: pb_grpc.FunctionServiceStub, sync_stub: pb_grpc.FunctionServiceStub
) -> None:
    await create(stub, sync_stub)
    response = await stub.UpdateFunctionCode(
        pb.UpdateFunctionCodeRequest(function_name="f", zip_file=CODE_V2, publish=True)
    )
    assert response.configuration.version == "1"
    assert response.configuration.function_arn == f"{ARN}:f:1"
    assert response.configuration.code_sha256 == sha(CODE_V2)


async def test_update_configuration_with_mask(
    stub: pb_grpc.FunctionServiceStub, sync_stub: pb_grpc.FunctionServiceStub
) -> None:
    await create(stub, sync_stub)
    first = await stub.UpdateFunctionConfiguration(
        pb.UpdateFunctionConfigurationRequest(
            function_name="f",
            environment=fpb.Environment(variables={"A1": "1", "B1": "2"}),
            description="first",
            update_mask=mask("environment", "description"),
        )
    )
    assert first.configuration.last_update_status == "InProgress"
    assert dict(first.configuration.environment.variables) == {"A1": "1", "B1": "2"}
    await settled(sync_stub, "f")

    # Only "environment" is in the mask: the layer (which does not exist) and the
    # description are ignored; the environment is replaced, not merged.
    second = await stub.UpdateFunctionConfiguration(
        pb.UpdateFunctionConfigurationRequest(
            function_name="f",
            environment=fpb.Environment(variables={"C1": "3"}),
            layers=[LAYER],
            description="ignored",
            timeout=0,
            update_mask=mask("environment"),
        )
    )
    config = second.configuration
    assert dict(config.environment.variables) == {"C1": "3"}
    assert config.description == "first"
    assert list(config.layers) == []
    assert config.timeout == 3
    await settled(sync_stub, "f")

    cleared = await stub.UpdateFunctionConfiguration(
        pb.UpdateFunctionConfigurationRequest(function_name="f", update_mask=mask("environment"))
    )
    assert dict(cleared.configuration.environment.variables) == {}
    await settled(sync_stub, "f")

    # Without a mask, every field set in the request applies.
    unmasked = await stub.UpdateFunctionConfiguration(
        pb.UpdateFunctionConfigurationRequest(function_name="f", memory_size=256, timeout=30)
    )
    assert (unmasked.configuration.memory_size, unmasked.configuration.timeout) == (256, 30)
    assert unmasked.configuration.description == "first"
    final = await settled(sync_stub, "f")
    assert (final.memory_size, final.timeout, final.description) == (256, 30, "first")


@pytest.mark.parametrize(
    ("request_fields", "paths", "reason", "message"),
    [
        (
            {"layers": [LAYER]},
            ("layers",),
            "INVALID_PARAMETER_VALUE",
            f"Layer version {LAYER} does not exist.",
        ),
        (
            {"timeout": 0},
            ("timeout",),
            "VALIDATION",
            "1 validation error detected: Value '0' at 'timeout' failed to satisfy constraint: "
            "Member must have value greater than or equal to 1",
        ),
        (
            {"memory_size": 10241},
            (),
            "VALIDATION",
            "1 validation error detected: Value '10241' at 'memorySize' failed to satisfy "
            "constraint: Member must have value less than or equal to 10240",
        ),
        (
            {"runtime": "python2.0"},
            (),
            "INVALID_PARAMETER_VALUE",
            None,
        ),
        (
            {"environment": fpb.Environment(variables={"AWS_REGION": "x"})},
            (),
            "INVALID_PARAMETER_VALUE",
            "Lambda was unable to configure your environment variables because the environment "
            "variables you have provided contains reserved keys that are currently not "
            "supported for modification. Reserved keys used in this request: AWS_REGION",
        ),
        ({"description": "x"}, ("bogus_field",), "VALIDATION", None),
    ],
    ids=["unknown-layer", "timeout-0", "memory-too-big", "runtime", "reserved-env", "bad-mask"],
)
async def test_update_configuration_rejected(
    stub: pb_grpc.FunctionServiceStub,
    sync_stub: pb_grpc.FunctionServiceStub,
    request_fields: dict[str, Any],
    paths: tuple[str, ...],
    reason: str,
    message: str | None,
) -> None:
    active = await create(stub, sync_stub)
    error = await failure(
        stub.UpdateFunctionConfiguration(
            pb.UpdateFunctionConfigurationRequest(
                function_name="f", update_mask=mask(*paths), **request_fields
            )
        )
    )
    assert (error.code, error.reason) == (grpc.StatusCode.INVALID_ARGUMENT, reason)
    if message is not None:
        assert error.message == message
    got = await stub.GetFunctionConfiguration(pb.GetFunctionConfigurationRequest(function_name="f"))
    assert got.configuration == active


# -------------------------------------------------------------------- publish
async def test_publish_versions(
    stub: pb_grpc.FunctionServiceStub, sync_stub: pb_grpc.FunctionServiceStub
) -> None:
    await create(stub, sync_stub)
    first = (
        await stub.PublishVersion(pb.PublishVersionRequest(function_name="f", description="one"))
    ).configuration
    assert first.version == "1"
    assert first.function_arn == f"{ARN}:f:1"
    assert first.description == "one"
    assert first.code_sha256 == sha(CODE_V1)
    # A copy of a settled $LATEST: AWS answers it Active and Successful, RevisionId kept.
    assert (first.state, first.last_update_status) == ("Active", "Successful")
    got = await stub.GetFunctionConfiguration(
        pb.GetFunctionConfigurationRequest(function_name="f", qualifier="1")
    )
    assert got.configuration.revision_id == first.revision_id

    again = (await stub.PublishVersion(pb.PublishVersionRequest(function_name="f"))).configuration
    assert again.version == "1"
    assert again.function_arn == f"{ARN}:f:1"

    await stub.UpdateFunctionCode(pb.UpdateFunctionCodeRequest(function_name="f", zip_file=CODE_V2))
    latest = await settled(sync_stub, "f")
    error = await failure(
        stub.PublishVersion(pb.PublishVersionRequest(function_name="f", code_sha256="bogus="))
    )
    assert (error.code, error.reason) == (
        grpc.StatusCode.INVALID_ARGUMENT,
        "INVALID_PARAMETER_VALUE",
    )
    assert error.message == (
        f"CodeSHA256 (bogus=) is different from current CodeSHA256 in $LATEST ({sha(CODE_V2)}). "
        "Please try again with the CodeSHA256 in $LATEST."
    )
    second = (
        await stub.PublishVersion(
            pb.PublishVersionRequest(
                function_name="f", code_sha256=sha(CODE_V2), revision_id=latest.revision_id
            )
        )
    ).configuration
    assert second.version == "2"
    assert second.code_sha256 == sha(CODE_V2)

    # Version 1 still serves the old code.
    v1 = await stub.GetFunction(pb.GetFunctionRequest(function_name="f", qualifier="1"))
    assert v1.configuration.code_sha256 == sha(CODE_V1)
    assert v1.configuration.function_arn == f"{ARN}:f:1"

    listed = await stub.ListVersionsByFunction(pb.ListVersionsByFunctionRequest(function_name="f"))
    assert [v.version for v in listed.versions] == ["$LATEST", "1", "2"]
    assert [v.function_arn for v in listed.versions] == [
        f"{ARN}:f:$LATEST",
        f"{ARN}:f:1",
        f"{ARN}:f:2",
    ]
    assert listed.next_page_token == ""

    walked: list[str] = []
    token = ""
    for _ in range(10):
        page = await stub.ListVersionsByFunction(
            pb.ListVersionsByFunctionRequest(function_name="f", page_size=1, page_token=token)
        )
        assert len(page.versions) == 1
        walked.append(page.versions[0].version)
        token = page.next_page_token
        if not token:
            break
    assert walked == ["$LATEST", "1", "2"]


async def test_create_with_publish_returns_version_1(
    stub: pb_grpc.FunctionServiceStub, sync_stub: pb_grpc.FunctionServiceStub
) -> None:
    response = await stub.CreateFunction(create_request(publish=True))
    assert response.configuration.version == "1"
    # AWS answers version 1's configuration under the unqualified ARN.
    assert response.configuration.function_arn == f"{ARN}:f"
    await settled(sync_stub, "f", "1")
    await settled(sync_stub, "f")
    again = await stub.PublishVersion(pb.PublishVersionRequest(function_name="f"))
    assert again.configuration.version == "1"


# ------------------------------------------------------------ revision ids
@pytest.mark.parametrize("operation", ["code", "configuration", "publish"])
async def test_revision_id_mismatch(
    stub: pb_grpc.FunctionServiceStub, sync_stub: pb_grpc.FunctionServiceStub, operation: str
) -> None:
    await create(stub, sync_stub)
    stale = "00000000-0000-0000-0000-000000000000"
    calls = {
        "code": lambda: stub.UpdateFunctionCode(
            pb.UpdateFunctionCodeRequest(function_name="f", zip_file=CODE_V2, revision_id=stale)
        ),
        "configuration": lambda: stub.UpdateFunctionConfiguration(
            pb.UpdateFunctionConfigurationRequest(
                function_name="f", description="x", revision_id=stale
            )
        ),
        "publish": lambda: stub.PublishVersion(
            pb.PublishVersionRequest(function_name="f", revision_id=stale)
        ),
    }
    error = await failure(calls[operation]())
    assert error.code == grpc.StatusCode.FAILED_PRECONDITION
    assert error.reason == "REVISION_ID_MISMATCH"
    assert error.message == REVISION_MISMATCH


# ------------------------------------------------------------- create errors
async def test_duplicate_create(
    stub: pb_grpc.FunctionServiceStub, sync_stub: pb_grpc.FunctionServiceStub
) -> None:
    await create(stub, sync_stub, "dup")
    for name in ("dup", f"{ARN}:dup"):
        error = await failure(
            stub.CreateFunction(create_request(name, code=fpb.FunctionCode(zip_file=CODE_V2)))
        )
        assert (error.code, error.reason) == (
            grpc.StatusCode.ALREADY_EXISTS,
            "FUNCTION_ALREADY_EXISTS",
        )
        assert error.message == "Function already exist: dup"
    got = await stub.GetFunctionConfiguration(
        pb.GetFunctionConfigurationRequest(function_name="dup")
    )
    assert got.configuration.code_sha256 == sha(CODE_V1)


@pytest.mark.parametrize(
    ("overrides", "code", "reason", "message"),
    [
        (
            {"code": fpb.FunctionCode(zip_file=b"not a zip")},
            grpc.StatusCode.INVALID_ARGUMENT,
            "INVALID_PARAMETER_VALUE",
            "Could not unzip uploaded file. Please check your file, then try to upload again.",
        ),
        (
            {"runtime": "python3.7"},
            None,
            None,
            None,
        ),
        (
            {"architectures": ["x86_64", "arm64"]},
            grpc.StatusCode.INVALID_ARGUMENT,
            "VALIDATION",
            "1 validation error detected: Value '[x86_64, arm64]' at 'architectures' failed to "
            "satisfy constraint: Member must have length less than or equal to 1",
        ),
        (
            {"function_name": "a" * 65},
            grpc.StatusCode.INVALID_ARGUMENT,
            "INVALID_PARAMETER_VALUE",
            f"1 validation error detected: Value '{'a' * 65}' at 'functionName' failed to "
            "satisfy constraint: Member must have length less than or equal to 64",
        ),
        (
            {"function_name": "arn:aws:lambda:eu-west-1:000000000000:function:f"},
            grpc.StatusCode.NOT_FOUND,
            "FUNCTION_NOT_FOUND",
            "Functions from 'eu-west-1' are not reachable in this region ('us-east-1')",
        ),
        (
            {"function_name": "arn:aws:lambda:us-east-1:111111111111:function:f"},
            grpc.StatusCode.PERMISSION_DENIED,
            "ACCESS_DENIED",
            "",
        ),
        (
            {"handler": ""},
            grpc.StatusCode.INVALID_ARGUMENT,
            "INVALID_PARAMETER_VALUE",
            "Runtime and Handler are mandatory parameters for functions created with deployment "
            "packages.",
        ),
        (
            {"code": fpb.FunctionCode()},
            grpc.StatusCode.INVALID_ARGUMENT,
            "INVALID_PARAMETER_VALUE",
            "A ZIP file or S3 bucket is required",
        ),
        (
            {"function_name": "f:1"},
            grpc.StatusCode.INVALID_ARGUMENT,
            "VALIDATION",
            "1 validation error detected: Value 'f:1' at 'functionName' failed to satisfy "
            f"constraint: Member must satisfy regular expression pattern: {FUNCTION_NAME_PATTERN}",
        ),
        (
            {"function_name": f"{ARN}:f:live"},
            grpc.StatusCode.INVALID_ARGUMENT,
            "VALIDATION",
            f"1 validation error detected: Value '{ARN}:f:live' at 'functionName' failed to "
            "satisfy constraint: Member must satisfy regular expression pattern: "
            f"{FUNCTION_NAME_PATTERN}",
        ),
    ],
    ids=[
        "not-a-zip",
        "deprecated-runtime-lenient",
        "two-architectures",
        "name-65",
        "other-region",
        "other-account",
        "no-handler",
        "no-code",
        "qualified-name",
        "qualified-arn",
    ],
)
async def test_create_rejected(
    stub: pb_grpc.FunctionServiceStub,
    daemon: Daemon,
    overrides: dict[str, Any],
    code: grpc.StatusCode | None,
    reason: str | None,
    message: str | None,
) -> None:
    request = create_request(**overrides)
    if code is None:  # accepted: the test daemon is lenient
        response = await stub.CreateFunction(request)
        assert response.configuration.runtime == overrides["runtime"]
        return
    error = await failure(stub.CreateFunction(request))
    assert (error.code, error.reason, error.message) == (code, reason, message)
    listed = await stub.ListFunctions(pb.ListFunctionsRequest())
    assert list(listed.functions) == []
    # Nothing stored for rejected code either.
    assert not [p for p in daemon.config.blob_dir.rglob("*") if p.is_file()]


def _env_too_big(size: int) -> tuple[pb.CreateFunctionRequest, str]:
    request = create_request(environment=fpb.Environment(variables={"BIG": "x" * size}))
    message = (
        "Lambda was unable to configure your environment variables because the environment "
        'variables you have provided exceeded the 4KB limit. String measured: {"BIG":"'
        + "x" * size
        + '"}'
    )
    return request, message


@pytest.mark.parametrize("size", [4096, 20_000])
async def test_env_over_4kb_message_sent_in_full(daemon: Daemon, size: int) -> None:
    """The daemon sends AWS's whole message, however long (client with raised limits)."""
    request, message = _env_too_big(size)
    options = [
        ("grpc.max_metadata_size", 1 << 20),
        ("grpc.absolute_max_metadata_size", 1 << 20),
    ]
    async with grpc.aio.insecure_channel(f"127.0.0.1:{daemon.port}", options=options) as ch:
        error = await failure(pb_grpc.FunctionServiceStub(ch).CreateFunction(request))
    assert (error.code, error.reason, error.message) == (
        grpc.StatusCode.INVALID_ARGUMENT,
        "INVALID_PARAMETER_VALUE",
        message,
    )


async def test_env_over_4kb_message_reaches_the_typed_client(daemon: Daemon) -> None:
    # The message travels twice in the trailers; lambdad's client raises gRPC's 8 KB default.
    request, message = _env_too_big(20_000)
    async with AsyncLambdadClient.connect(f"127.0.0.1:{daemon.port}") as client:
        with pytest.raises(InvalidParameterValueError) as caught:
            await client.create_function(request)
    assert (caught.value.code, caught.value.reason, caught.value.message) == (
        grpc.StatusCode.INVALID_ARGUMENT,
        "INVALID_PARAMETER_VALUE",
        message,
    )


# ------------------------------------------------------------------- aliases
async def _two_versions(
    stub: pb_grpc.FunctionServiceStub, sync_stub: pb_grpc.FunctionServiceStub
) -> None:
    await create(stub, sync_stub)
    await stub.PublishVersion(pb.PublishVersionRequest(function_name="f"))
    await stub.UpdateFunctionCode(pb.UpdateFunctionCodeRequest(function_name="f", zip_file=CODE_V2))
    await settled(sync_stub, "f")
    await stub.PublishVersion(pb.PublishVersionRequest(function_name="f"))
    await settled(sync_stub, "f", "2")


async def test_alias_lifecycle_with_routing(
    stub: pb_grpc.FunctionServiceStub, sync_stub: pb_grpc.FunctionServiceStub
) -> None:
    await _two_versions(stub, sync_stub)
    created = (
        await stub.CreateAlias(
            pb.CreateAliasRequest(
                function_name="f",
                name="live",
                function_version="1",
                description="prod traffic",
                routing_config=fpb.AliasRoutingConfiguration(
                    additional_version_weights={"2": 0.25}
                ),
            )
        )
    ).alias
    assert created.alias_arn == f"{ARN}:f:live"
    assert (created.name, created.function_version) == ("live", "1")
    assert dict(created.routing_config.additional_version_weights) == {"2": 0.25}
    assert created.revision_id

    got = (await stub.GetAlias(pb.GetAliasRequest(function_name="f", name="live"))).alias
    assert got == created

    via_alias = await stub.GetFunction(pb.GetFunctionRequest(function_name="f", qualifier="live"))
    assert via_alias.configuration.version == "1"
    assert via_alias.configuration.function_arn == f"{ARN}:f:live"
    via_arn = await stub.GetFunctionConfiguration(
        pb.GetFunctionConfigurationRequest(function_name=f"{ARN}:f:live")
    )
    assert via_arn.configuration.code_sha256 == sha(CODE_V1)

    await stub.CreateAlias(
        pb.CreateAliasRequest(function_name="f", name="beta", function_version="2")
    )
    listed = await stub.ListAliases(pb.ListAliasesRequest(function_name="f"))
    assert [a.name for a in listed.aliases] == ["beta", "live"]
    only_1 = await stub.ListAliases(pb.ListAliasesRequest(function_name="f", function_version="1"))
    assert [a.name for a in only_1.aliases] == ["live"]
    paged = await stub.ListAliases(pb.ListAliasesRequest(function_name="f", page_size=1))
    assert [a.name for a in paged.aliases] == ["beta"]
    rest = await stub.ListAliases(
        pb.ListAliasesRequest(function_name="f", page_size=1, page_token=paged.next_page_token)
    )
    assert [a.name for a in rest.aliases] == ["live"]
    assert rest.next_page_token == ""

    # Only the description changes; routing and version stay.
    described = (
        await stub.UpdateAlias(
            pb.UpdateAliasRequest(
                function_name="f",
                name="live",
                description="new words",
                function_version="2",
                revision_id=created.revision_id,
                update_mask=mask("description"),
            )
        )
    ).alias
    assert described.description == "new words"
    assert described.function_version == "1"
    assert dict(described.routing_config.additional_version_weights) == {"2": 0.25}
    assert described.revision_id != created.revision_id

    error = await failure(
        stub.UpdateAlias(
            pb.UpdateAliasRequest(
                function_name="f",
                name="live",
                description="stale",
                revision_id=created.revision_id,
                update_mask=mask("description"),
            )
        )
    )
    assert (error.code, error.reason, error.message) == (
        grpc.StatusCode.FAILED_PRECONDITION,
        "REVISION_ID_MISMATCH",
        REVISION_MISMATCH,
    )

    moved = (
        await stub.UpdateAlias(
            pb.UpdateAliasRequest(
                function_name="f",
                name="live",
                function_version="2",
                update_mask=mask("function_version", "routing_config"),
            )
        )
    ).alias
    assert moved.function_version == "2"
    assert dict(moved.routing_config.additional_version_weights) == {}

    await stub.DeleteAlias(pb.DeleteAliasRequest(function_name="f", name="live"))
    error = await failure(stub.GetAlias(pb.GetAliasRequest(function_name="f", name="live")))
    assert error.reason == "ALIAS_NOT_FOUND"


def _routing(weights: dict[str, float]) -> fpb.AliasRoutingConfiguration:
    return fpb.AliasRoutingConfiguration(additional_version_weights=weights)


ALIAS_ERRORS = [
    pytest.param(
        "create",
        {"name": "live", "function_version": "1"},
        grpc.StatusCode.ALREADY_EXISTS,
        "ALIAS_ALREADY_EXISTS",
        f"Alias already exists: {ARN}:f:live",
        id="exists",
    ),
    pytest.param(
        "get",
        {"name": "nope"},
        grpc.StatusCode.NOT_FOUND,
        "ALIAS_NOT_FOUND",
        f"Cannot find alias arn: {ARN}:f:nope",
        id="get-unknown",
    ),
    pytest.param(
        "update",
        {"name": "nope", "description": "x"},
        grpc.StatusCode.NOT_FOUND,
        "ALIAS_NOT_FOUND",
        f"Alias not found: {ARN}:f:nope",
        id="update-unknown",
    ),
    pytest.param(
        "get-function",
        {"qualifier": "nope"},
        grpc.StatusCode.NOT_FOUND,
        "FUNCTION_NOT_FOUND",
        f"Function not found: {ARN}:f:nope",
        id="get-function-unknown-alias",
    ),
    pytest.param(
        "create",
        {"name": "2024", "function_version": "1"},
        grpc.StatusCode.INVALID_ARGUMENT,
        "VALIDATION",
        "1 validation error detected: Value '2024' at 'name' failed to satisfy constraint: Member "
        "must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)",
        id="numeric-name",
    ),
    pytest.param(
        "create",
        {"name": "two", "function_version": "1", "routing_config": _routing({"2": 0.1, "3": 0.1})},
        grpc.StatusCode.INVALID_ARGUMENT,
        "INVALID_PARAMETER_VALUE",
        "Number of items in AdditionalVersionWeights cannot be greater than 1",
        id="two-weights",
    ),
    pytest.param(
        "create",
        {"name": "heavy", "function_version": "1", "routing_config": _routing({"2": 2.0})},
        grpc.StatusCode.INVALID_ARGUMENT,
        "VALIDATION",
        "1 validation error detected: Value '{2=2.0}' at 'routingConfig.additionalVersionWeights' "
        "failed to satisfy constraint: Map value must satisfy constraint: [Member must have value "
        "less than or equal to 1.0, Member must have value greater than or equal to 0.0, Member "
        "must not be null]",
        id="weight-out-of-range",
    ),
    pytest.param(
        "create",
        {"name": "same", "function_version": "1", "routing_config": _routing({"1": 0.5})},
        grpc.StatusCode.INVALID_ARGUMENT,
        "INVALID_PARAMETER_VALUE",
        "Invalid function version 1. Function version 1 is already included in routing "
        "configuration.",
        id="routing-to-same-version",
    ),
    pytest.param(
        "create",
        {"name": "lat", "function_version": "$LATEST", "routing_config": _routing({"1": 0.5})},
        grpc.StatusCode.INVALID_ARGUMENT,
        "INVALID_PARAMETER_VALUE",
        "$LATEST is not supported for an alias pointing to more than 1 version",
        id="latest-with-weights",
    ),
    pytest.param(
        "create",
        {"name": "ghost", "function_version": "9"},
        grpc.StatusCode.NOT_FOUND,
        "FUNCTION_NOT_FOUND",
        f"Function not found: {ARN}:f:9",
        id="unknown-version",
    ),
    pytest.param(
        "create",
        {"name": "ghost", "function_version": "1", "routing_config": _routing({"9": 0.5})},
        grpc.StatusCode.NOT_FOUND,
        "FUNCTION_NOT_FOUND",
        f"Function not found: {ARN}:f:9",
        id="unknown-routing-version",
    ),
]


@pytest.mark.parametrize(("operation", "fields", "code", "reason", "message"), ALIAS_ERRORS)
async def test_alias_errors(
    stub: pb_grpc.FunctionServiceStub,
    sync_stub: pb_grpc.FunctionServiceStub,
    operation: str,
    fields: dict[str, Any],
    code: grpc.StatusCode,
    reason: str,
    message: str,
) -> None:
    await _two_versions(stub, sync_stub)
    await stub.CreateAlias(
        pb.CreateAliasRequest(function_name="f", name="live", function_version="1")
    )
    calls: dict[str, Callable[[], Awaitable[Any]]] = {
        "create": lambda: stub.CreateAlias(pb.CreateAliasRequest(function_name="f", **fields)),
        "get": lambda: stub.GetAlias(pb.GetAliasRequest(function_name="f", **fields)),
        "delete": lambda: stub.DeleteAlias(pb.DeleteAliasRequest(function_name="f", **fields)),
        "update": lambda: stub.UpdateAlias(pb.UpdateAliasRequest(function_name="f", **fields)),
        "get-function": lambda: stub.GetFunction(
            pb.GetFunctionRequest(function_name="f", **fields)
        ),
    }
    error = await failure(calls[operation]())
    assert (error.code, error.reason, error.message) == (code, reason, message)
    # The existing alias is untouched by a failed call.
    live = (await stub.GetAlias(pb.GetAliasRequest(function_name="f", name="live"))).alias
    assert (live.function_version, dict(live.routing_config.additional_version_weights)) == (
        "1",
        {},
    )


async def test_update_alias_into_routing_conflict(
    stub: pb_grpc.FunctionServiceStub, sync_stub: pb_grpc.FunctionServiceStub
) -> None:
    await _two_versions(stub, sync_stub)
    await stub.CreateAlias(
        pb.CreateAliasRequest(
            function_name="f",
            name="live",
            function_version="1",
            routing_config=_routing({"2": 0.5}),
        )
    )
    error = await failure(
        stub.UpdateAlias(
            pb.UpdateAliasRequest(
                function_name="f",
                name="live",
                function_version="2",
                update_mask=mask("function_version"),
            )
        )
    )
    assert (error.reason, error.message) == (
        "INVALID_PARAMETER_VALUE",
        "Invalid function version 2. Function version 2 is already included in routing "
        "configuration.",
    )


# ---------------------------------------------------------------------- tags
async def test_tags(
    stub: pb_grpc.FunctionServiceStub, sync_stub: pb_grpc.FunctionServiceStub
) -> None:
    await create(stub, sync_stub, tags={"a": "1"})
    resource = f"{ARN}:f"
    await stub.TagResource(pb.TagResourceRequest(resource=resource, tags={"b": "2", "a": "9"}))
    listed = await stub.ListTags(pb.ListTagsRequest(resource=resource))
    assert dict(listed.tags) == {"a": "9", "b": "2"}
    await stub.UntagResource(pb.UntagResourceRequest(resource=resource, tag_keys=["a", "zz"]))
    listed = await stub.ListTags(pb.ListTagsRequest(resource=resource))
    assert dict(listed.tags) == {"b": "2"}
    got = await stub.GetFunction(pb.GetFunctionRequest(function_name="f"))
    assert dict(got.tags) == {"b": "2"}


TAG_ERRORS = [
    pytest.param(
        "tag",
        f"{ARN}:f:1",
        {"tags": {"x": "y"}},
        "INVALID_PARAMETER_VALUE",
        "Tags on function aliases and versions are not supported. Please specify a function ARN.",
        id="qualified-version",
    ),
    pytest.param(
        "list",
        f"{ARN}:f:live",
        {},
        "INVALID_PARAMETER_VALUE",
        "Tags on function aliases and versions are not supported. Please specify a function ARN.",
        id="qualified-alias",
    ),
    pytest.param(
        "tag",
        f"{ARN}:missing",
        {"tags": {"x": "y"}},
        "FUNCTION_NOT_FOUND",
        f"Function not found: {ARN}:missing",
        id="unknown-function",
    ),
    pytest.param(
        "untag",
        f"{ARN}:f",
        {},
        "VALIDATION",
        "1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: "
        "Member must not be null",
        id="untag-without-keys",
    ),
    pytest.param(
        "tag",
        f"{ARN}:f",
        {"tags": {f"k{i}": "v" for i in range(50)}},
        "INVALID_PARAMETER_VALUE",
        "Number of tags exceeds resource tag limit.",
        id="over-50-with-existing",
    ),
    pytest.param("tag", "f", {"tags": {"x": "y"}}, "VALIDATION", None, id="not-an-arn"),
]


@pytest.mark.parametrize(("operation", "resource", "fields", "reason", "message"), TAG_ERRORS)
async def test_tag_errors(
    stub: pb_grpc.FunctionServiceStub,
    sync_stub: pb_grpc.FunctionServiceStub,
    operation: str,
    resource: str,
    fields: dict[str, Any],
    reason: str,
    message: str | None,
) -> None:
    await create(stub, sync_stub, tags={"existing": "1"})
    calls: dict[str, Callable[[], Awaitable[Any]]] = {
        "tag": lambda: stub.TagResource(pb.TagResourceRequest(resource=resource, **fields)),
        "untag": lambda: stub.UntagResource(pb.UntagResourceRequest(resource=resource, **fields)),
        "list": lambda: stub.ListTags(pb.ListTagsRequest(resource=resource, **fields)),
    }
    error = await failure(calls[operation]())
    assert error.reason == reason
    if message is not None:
        assert error.message == message
    tags = await stub.ListTags(pb.ListTagsRequest(resource=f"{ARN}:f"))
    assert dict(tags.tags) == {"existing": "1"}


# -------------------------------------------------------------------- delete
async def test_delete_version_and_function(
    stub: pb_grpc.FunctionServiceStub,
    sync_stub: pb_grpc.FunctionServiceStub,
    daemon: Daemon,
) -> None:
    await _two_versions(stub, sync_stub)
    await stub.CreateAlias(
        pb.CreateAliasRequest(function_name="f", name="live", function_version="2")
    )

    error = await failure(
        stub.DeleteFunction(pb.DeleteFunctionRequest(function_name="f", qualifier="$LATEST"))
    )
    assert (error.reason, error.message) == (
        "INVALID_PARAMETER_VALUE",
        "$LATEST version cannot be deleted without deleting the function.",
    )
    error = await failure(stub.DeleteFunction(pb.DeleteFunctionRequest(function_name="f:$LATEST")))
    assert error.reason == "INVALID_PARAMETER_VALUE"
    error = await failure(
        stub.DeleteFunction(pb.DeleteFunctionRequest(function_name="f", qualifier="2"))
    )
    assert (error.code, error.reason) == (grpc.StatusCode.ABORTED, "RESOURCE_CONFLICT")
    assert "live" in error.message
    # A version that does not exist is deleted without complaint (AWS, recorded 2025: 204).
    await stub.DeleteFunction(pb.DeleteFunctionRequest(function_name="f", qualifier="7"))

    await stub.DeleteFunction(pb.DeleteFunctionRequest(function_name="f", qualifier="1"))
    error = await failure(stub.GetFunction(pb.GetFunctionRequest(function_name="f", qualifier="1")))
    assert (error.code, error.reason, error.message) == (
        grpc.StatusCode.NOT_FOUND,
        "FUNCTION_NOT_FOUND",
        f"Function not found: {ARN}:f:1",
    )
    listed = await stub.ListVersionsByFunction(pb.ListVersionsByFunctionRequest(function_name="f"))
    assert [v.version for v in listed.versions] == ["$LATEST", "2"]

    # Version numbers are never reused.
    await stub.UpdateFunctionCode(
        pb.UpdateFunctionCodeRequest(function_name="f", zip_file=make_zip({"x.py": "3"}))
    )
    await settled(sync_stub, "f")
    third = await stub.PublishVersion(pb.PublishVersionRequest(function_name="f"))
    assert third.configuration.version == "3"

    await stub.DeleteFunction(pb.DeleteFunctionRequest(function_name=f"{ARN}:f"))
    for qualifier in ("", "2", "live"):
        error = await failure(
            stub.GetFunction(pb.GetFunctionRequest(function_name="f", qualifier=qualifier))
        )
        suffix = f":{qualifier}" if qualifier else ""
        assert (error.reason, error.message) == (
            "FUNCTION_NOT_FOUND",
            f"Function not found: {ARN}:f{suffix}",
        )
    error = await failure(stub.GetAlias(pb.GetAliasRequest(function_name="f", name="live")))
    assert (error.reason, error.message) == ("FUNCTION_NOT_FOUND", f"Function not found: {ARN}:f")
    error = await failure(stub.DeleteFunction(pb.DeleteFunctionRequest(function_name="f")))
    assert (error.reason, error.message) == ("FUNCTION_NOT_FOUND", f"Function not found: {ARN}:f")

    # A new function of the same name starts from version 1 again.
    await create(stub, sync_stub)
    again = await stub.PublishVersion(pb.PublishVersionRequest(function_name="f"))
    assert again.configuration.version == "1"
    assert again.configuration.code_sha256 == sha(CODE_V1)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        ("get", f"Function not found: {ARN}:ghost"),
        ("get-qualified", f"Function not found: {ARN}:ghost:3"),
        ("configuration", f"Function not found: {ARN}:ghost"),
        ("update-code", f"Function not found: {ARN}:ghost"),
        ("update-configuration", f"Function not found: {ARN}:ghost"),
        ("publish", f"Function not found: {ARN}:ghost"),
        ("versions", f"Function not found: {ARN}:ghost"),
        ("aliases", f"Function not found: {ARN}:ghost"),
        ("create-alias", f"Function not found: {ARN}:ghost"),
    ],
)
async def test_unknown_function(stub: pb_grpc.FunctionServiceStub, call: str, message: str) -> None:
    calls: dict[str, Callable[[], Awaitable[Any]]] = {
        "get": lambda: stub.GetFunction(pb.GetFunctionRequest(function_name="ghost")),
        "get-qualified": lambda: stub.GetFunction(
            pb.GetFunctionRequest(function_name="ghost", qualifier="3")
        ),
        "configuration": lambda: stub.GetFunctionConfiguration(
            pb.GetFunctionConfigurationRequest(function_name="ghost")
        ),
        "update-code": lambda: stub.UpdateFunctionCode(
            pb.UpdateFunctionCodeRequest(function_name="ghost", zip_file=CODE_V1)
        ),
        "update-configuration": lambda: stub.UpdateFunctionConfiguration(
            pb.UpdateFunctionConfigurationRequest(function_name="ghost", timeout=5)
        ),
        "publish": lambda: stub.PublishVersion(pb.PublishVersionRequest(function_name="ghost")),
        "versions": lambda: stub.ListVersionsByFunction(
            pb.ListVersionsByFunctionRequest(function_name="ghost")
        ),
        "aliases": lambda: stub.ListAliases(pb.ListAliasesRequest(function_name="ghost")),
        "create-alias": lambda: stub.CreateAlias(
            pb.CreateAliasRequest(function_name="ghost", name="a", function_version="1")
        ),
    }
    error = await failure(calls[call]())
    assert (error.code, error.reason, error.message) == (
        grpc.StatusCode.NOT_FOUND,
        "FUNCTION_NOT_FOUND",
        message,
    )


# -------------------------------------------------------------- list, account
async def test_list_functions_paging(
    stub: pb_grpc.FunctionServiceStub, sync_stub: pb_grpc.FunctionServiceStub
) -> None:
    for name in ("charlie", "alpha", "bravo"):
        await stub.CreateFunction(create_request(name, publish=name == "alpha"))
    await settled(sync_stub, "alpha", "1")
    await settled(sync_stub, "alpha")
    await stub.UpdateFunctionCode(
        pb.UpdateFunctionCodeRequest(function_name="alpha", zip_file=CODE_V2, publish=True)
    )

    async def walk(function_version: str) -> list[tuple[str, str, str]]:
        seen: list[tuple[str, str, str]] = []
        token = ""
        for _ in range(20):
            page = await stub.ListFunctions(
                pb.ListFunctionsRequest(
                    function_version=function_version, page_size=1, page_token=token
                )
            )
            assert len(page.functions) == 1
            config = page.functions[0]
            seen.append((config.function_name, config.version, config.function_arn))
            token = page.next_page_token
            if not token:
                return seen
        raise AssertionError("paging never ended")

    assert await walk("") == [
        ("alpha", "$LATEST", f"{ARN}:alpha"),
        ("bravo", "$LATEST", f"{ARN}:bravo"),
        ("charlie", "$LATEST", f"{ARN}:charlie"),
    ]
    assert await walk("ALL") == [
        ("alpha", "$LATEST", f"{ARN}:alpha:$LATEST"),
        ("alpha", "1", f"{ARN}:alpha:1"),
        ("alpha", "2", f"{ARN}:alpha:2"),
        ("bravo", "$LATEST", f"{ARN}:bravo:$LATEST"),
        ("charlie", "$LATEST", f"{ARN}:charlie:$LATEST"),
    ]
    whole = await stub.ListFunctions(pb.ListFunctionsRequest())
    assert [c.function_name for c in whole.functions] == ["alpha", "bravo", "charlie"]
    assert whole.next_page_token == ""
    two = await stub.ListFunctions(pb.ListFunctionsRequest(function_version="ALL", page_size=2))
    assert [(c.function_name, c.version) for c in two.functions] == [
        ("alpha", "$LATEST"),
        ("alpha", "1"),
    ]
    assert two.next_page_token


@pytest.mark.parametrize(
    ("request_fields", "message"),
    [
        (
            {"function_version": "SOME"},
            "1 validation error detected: Value 'SOME' at 'functionVersion' failed to satisfy "
            "constraint: Member must satisfy enum value set: [ALL]",
        ),
        (
            {"page_size": 10001},
            "1 validation error detected: Value '10001' at 'maxItems' failed to satisfy "
            "constraint: Member must have value less than or equal to 10000",
        ),
        (
            {"page_size": -1},
            "1 validation error detected: Value '-1' at 'maxItems' failed to satisfy "
            "constraint: Member must have value greater than or equal to 1",
        ),
    ],
)
async def test_list_functions_rejected(
    stub: pb_grpc.FunctionServiceStub, request_fields: dict[str, Any], message: str
) -> None:
    error = await failure(stub.ListFunctions(pb.ListFunctionsRequest(**request_fields)))
    assert (error.reason, error.message) == ("VALIDATION", message)


async def test_account_settings_counts(
    stub: pb_grpc.FunctionServiceStub, sync_stub: pb_grpc.FunctionServiceStub
) -> None:
    empty = await stub.GetAccountSettings(pb.GetAccountSettingsRequest())
    assert (empty.account_usage.function_count, empty.account_usage.total_code_size) == (0, 0)
    assert empty.account_limit.code_size_zipped == 52_428_800
    assert empty.account_limit.code_size_unzipped == 262_144_000
    assert empty.account_limit.total_code_size == 80_530_636_800
    assert empty.account_limit.concurrent_executions == 1000
    assert empty.account_limit.unreserved_concurrent_executions == 1000

    await create(stub, sync_stub, "one")
    await create(stub, sync_stub, "two", code=fpb.FunctionCode(zip_file=CODE_V2))
    await stub.PublishVersion(pb.PublishVersionRequest(function_name="two"))
    usage = (await stub.GetAccountSettings(pb.GetAccountSettingsRequest())).account_usage
    assert usage.function_count == 2
    assert usage.total_code_size == len(CODE_V1) + 2 * len(CODE_V2)

    await stub.DeleteFunction(pb.DeleteFunctionRequest(function_name="two"))
    usage = (await stub.GetAccountSettings(pb.GetAccountSettingsRequest())).account_usage
    assert (usage.function_count, usage.total_code_size) == (1, len(CODE_V1))


# ------------------------------------------------------ health and reflection
async def test_health_serving(channel: grpc.aio.Channel) -> None:
    health = health_pb2_grpc.HealthStub(channel)
    for service in ("", "lambdad.v1.FunctionService"):
        response = await health.Check(health_pb2.HealthCheckRequest(service=service))
        assert response.status == health_pb2.HealthCheckResponse.SERVING
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await health.Check(health_pb2.HealthCheckRequest(service="no.such.Service"))
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND


async def test_reflection_lists_services(channel: grpc.aio.Channel) -> None:
    reflection = reflection_pb2_grpc.ServerReflectionStub(channel)
    call = reflection.ServerReflectionInfo()
    await call.write(reflection_pb2.ServerReflectionRequest(list_services=""))
    response = await call.read()
    await call.done_writing()
    names = {s.name for s in response.list_services_response.service}
    assert {"lambdad.v1.FunctionService", "grpc.health.v1.Health"} <= names

    call = reflection.ServerReflectionInfo()
    await call.write(
        reflection_pb2.ServerReflectionRequest(file_containing_symbol="lambdad.v1.FunctionService")
    )
    response = await call.read()
    await call.done_writing()
    assert response.file_descriptor_response.file_descriptor_proto


# --------------------------------------------- gated transitions (own server)
class Gate:
    """A preparer that holds every transition until opened, or fails it."""

    def __init__(self) -> None:
        self.opened = asyncio.Event()
        self.failure: LambdaError | None = None

    async def prepare(self, config: FunctionVersion) -> None:
        await self.opened.wait()
        if self.failure is not None:
            raise self.failure

    def close(self) -> None:
        self.opened = asyncio.Event()


class NoS3:
    async def fetch(self, bucket: str, key: str, version: str | None = None) -> bytes:
        raise AssertionError("not used")


@dataclass
class Gated:
    stub: pb_grpc.FunctionServiceStub
    gate: Gate


@pytest.fixture
async def gated(tmp_path: Path) -> AsyncIterator[Gated]:
    state = StateStore(tmp_path / "state.db")
    gate = Gate()
    blobs = BlobStore(tmp_path / "blobs")
    registry = function_registry(
        account=Account("us-east-1", "000000000000"),
        state=state,
        blobs=blobs,
        code_fetcher=NoS3(),
        preparer=gate,
    )
    await registry.start()
    server = grpc.aio.server()
    pb_grpc.add_FunctionServiceServicer_to_server(
        FunctionServicer(registry, blobs, CodeUrlSigner(b"k" * 32)), server
    )
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as ch:
            yield Gated(pb_grpc.FunctionServiceStub(ch), gate)
    finally:
        gate.opened.set()
        await server.stop(0)
        await registry.stop()
        state.close()


async def _config(
    stub: pb_grpc.FunctionServiceStub, qualifier: str = ""
) -> fpb.FunctionConfiguration:
    response = await stub.GetFunctionConfiguration(
        pb.GetFunctionConfigurationRequest(function_name="f", qualifier=qualifier)
    )
    return response.configuration


async def _updates_refused(stub: pb_grpc.FunctionServiceStub, code: bytes, message: str) -> None:
    """UpdateFunctionCode (to `code`), UpdateFunctionConfiguration and PublishVersion of "f"
    all fail with RESOURCE_CONFLICT and `message`."""
    for call in (
        stub.UpdateFunctionCode(pb.UpdateFunctionCodeRequest(function_name="f", zip_file=code)),
        stub.UpdateFunctionConfiguration(
            pb.UpdateFunctionConfigurationRequest(function_name="f", timeout=9)
        ),
        stub.PublishVersion(pb.PublishVersionRequest(function_name="f")),
    ):
        error = await failure(call)
        assert (error.code, error.reason, error.message) == (
            grpc.StatusCode.ABORTED,
            "RESOURCE_CONFLICT",
            message,
        )


async def test_operations_refused_while_pending(gated: Gated) -> None:
    stub = gated.stub
    await stub.CreateFunction(create_request())
    pending = (
        "The operation cannot be performed at this time. The function is currently in "
        "the following state: Pending"
    )
    await _updates_refused(stub, CODE_V2, pending)
    assert (await _config(stub)).state == "Pending"
    gated.gate.opened.set()

    async def active() -> bool:
        return (await _config(stub)).state == "Active"

    await async_wait_for(active)
    assert (await _config(stub)).code_sha256 == sha(CODE_V1)


async def test_second_update_while_in_progress(gated: Gated) -> None:
    stub = gated.stub
    gated.gate.opened.set()
    await stub.CreateFunction(create_request())

    async def successful() -> bool:
        config = await _config(stub)
        return config.state == "Active" and config.last_update_status == "Successful"

    await async_wait_for(successful)
    gated.gate.close()
    first = await stub.UpdateFunctionCode(
        pb.UpdateFunctionCodeRequest(function_name="f", zip_file=CODE_V2)
    )
    assert first.configuration.last_update_status == "InProgress"
    busy = (
        "The operation cannot be performed at this time. An update is in progress for resource: "
        f"{ARN}:f"
    )
    await _updates_refused(stub, CODE_V1, busy)
    config = await _config(stub)
    assert (config.last_update_status, config.last_update_status_reason_code) == (
        "InProgress",
        "Creating",
    )
    gated.gate.opened.set()
    await async_wait_for(successful)
    config = await _config(stub)
    assert config.code_sha256 == sha(CODE_V2)
    assert config.timeout == 3
    assert not config.HasField("last_update_status_reason")


async def test_failed_preparation_marks_function_failed(gated: Gated) -> None:
    stub = gated.stub
    gated.gate.failure = LambdaError(
        Reason.INVALID_PARAMETER_VALUE,
        "runtime image missing",
        {"state_reason_code": "ImageAccessDenied"},
    )
    gated.gate.opened.set()
    await stub.CreateFunction(create_request())

    async def failed() -> bool:
        return (await _config(stub)).state == "Failed"

    await async_wait_for(failed)
    config = await _config(stub)
    assert (config.state_reason, config.state_reason_code) == (
        "runtime image missing",
        "ImageAccessDenied",
    )
    assert config.last_update_status == "Failed"


async def test_update_code_and_publish_while_preparation_is_slow(gated: Gated) -> None:
    stub = gated.stub
    gated.gate.opened.set()
    await stub.CreateFunction(create_request())

    async def successful() -> bool:
        config = await _config(stub)
        return config.state == "Active" and config.last_update_status == "Successful"

    await async_wait_for(successful)
    gated.gate.close()
    call = asyncio.ensure_future(
        stub.UpdateFunctionCode(
            pb.UpdateFunctionCodeRequest(function_name="f", zip_file=CODE_V2, publish=True)
        )
    )
    # The publish waits for the update to settle, however long preparation takes.
    await asyncio.sleep(3)
    assert not call.done()
    gated.gate.opened.set()
    response = await asyncio.wait_for(call, timeout=30)
    assert response.configuration.version == "1"
    assert response.configuration.code_sha256 == sha(CODE_V2)
