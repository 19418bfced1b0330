"""Deployment packages through the intake RPCs of an in-process daemon: refused packages
store nothing, a stored deep package fails Invoke (the rules alone: tests/unit/test_archives.py).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from lambdad.daemon.domain.archives import (
    UNZIP_FAILED,
)
from lambdad.daemon.errors import LambdaError, Reason
from lambdad.daemon.runtime.code import CodeStore
from lambdad.daemon.server import Daemon
from lambdad.daemon.store.blobs import BlobStore
from lambdad.v1 import function_pb2
from lambdad.v1 import function_service_pb2 as fs
from lambdad.v1 import function_service_pb2_grpc as fs_grpc
from lambdad.v1 import layer_service_pb2 as ls
from lambdad.v1 import layer_service_pb2_grpc as ls_grpc
from tests.helpers import make_zip
from tests.unit.archive_support import MALICIOUS_ZIPS, zero_bomb_zip


# ------------------------------------------------------- intake through the RPCs
def _blobs(daemon: Daemon) -> list[Path]:
    return [path for path in daemon.config.blob_dir.rglob("*") if path.is_file()]


@pytest.fixture(scope="module")
def zero_bomb() -> tuple[bytes, int]:
    return zero_bomb_zip()


async def _refusal(call: Any) -> tuple[grpc.StatusCode, str, str]:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call
    status = rpc_status.from_call(caught.value)
    assert status is not None
    info = error_details_pb2.ErrorInfo()
    assert status.details[0].Unpack(info)
    return caught.value.code(), info.reason, status.message


def _intake_calls(channel: grpc.aio.Channel, data: bytes) -> dict[str, Any]:
    functions = fs_grpc.FunctionServiceStub(channel)
    layers = ls_grpc.LayerServiceStub(channel)
    return {
        "CreateFunction": lambda: functions.CreateFunction(
            fs.CreateFunctionRequest(
                function_name="refused",
                runtime="python3.12",
                role="arn:aws:iam::000000000000:role/lambda-role",
                handler="app.handler",
                code=function_pb2.FunctionCode(zip_file=data),
            )
        ),
        "UpdateFunctionCode": lambda: functions.UpdateFunctionCode(
            fs.UpdateFunctionCodeRequest(function_name="existing", zip_file=data)
        ),
        "PublishLayerVersion": lambda: layers.PublishLayerVersion(
            ls.PublishLayerVersionRequest(
                layer_name="refused", content=ls.LayerVersionContentInput(zip_file=data)
            )
        ),
    }


@pytest.mark.parametrize(
    "operation", ["CreateFunction", "UpdateFunctionCode", "PublishLayerVersion"]
)
@pytest.mark.parametrize(
    ("build", "message"),
    [pytest.param(build, message, id=name) for name, build, message in MALICIOUS_ZIPS],
)
async def test_intake_refuses_and_stores_nothing(
    daemon: Daemon,
    channel: grpc.aio.Channel,
    operation: str,
    build: Any,
    message: str,
    zero_bomb: tuple[bytes, int],
) -> None:
    functions = fs_grpc.FunctionServiceStub(channel)
    await functions.CreateFunction(
        fs.CreateFunctionRequest(
            function_name="existing",
            runtime="python3.12",
            role="arn:aws:iam::000000000000:role/lambda-role",
            handler="app.handler",
            code=function_pb2.FunctionCode(zip_file=make_zip()),
        )
    )
    stored_before = _blobs(daemon)
    code, reason, text = await _refusal(_intake_calls(channel, build(zero_bomb))[operation]())
    # The gateway shows INVALID_PARAMETER_VALUE as a 400 InvalidParameterValueException.
    assert (code, reason, text) == (
        grpc.StatusCode.INVALID_ARGUMENT,
        "INVALID_PARAMETER_VALUE",
        message,
    )
    assert _blobs(daemon) == stored_before


async def test_stored_deep_package_fails_invoke_with_awss_message(
    daemon: Daemon, channel: grpc.aio.Channel
) -> None:
    """A package stored before the depth rule existed: Invoke refuses it, nothing crashes."""
    deep = make_zip({"/".join(["d"] * 1000) + "/app.py": "x = 1\n"})
    digest = hashlib.sha256(deep).hexdigest()
    daemon.config.blob_dir.mkdir(parents=True, exist_ok=True)
    BlobStore(daemon.config.blob_dir).put(digest, deep)
    code_store = CodeStore(daemon.config.data_dir / "code-test", BlobStore(daemon.config.blob_dir))
    with pytest.raises(LambdaError) as caught:
        await code_store.code_dir(digest)
    assert caught.value.reason == Reason.INVALID_PARAMETER_VALUE
    assert caught.value.message.startswith(UNZIP_FAILED + " Entry 'd/d/d/")
    # Nothing half-built is left for the next attempt to trip over.
    assert list((daemon.config.data_dir / "code-test").iterdir()) == []
