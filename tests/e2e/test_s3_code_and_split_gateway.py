"""Code from an S3-compatible endpoint (moto's server), and the gateway run on its own."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import botocore.exceptions
import pytest

from tests.e2e.support import LambdadProcess, aws_client, code_sha256, moto_server
from tests.helpers import make_zip, wait_for

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """moto's standalone server: a real S3-compatible HTTP endpoint."""
    with moto_server() as endpoint:
        yield endpoint


@pytest.fixture
def s3(s3_endpoint: str) -> Any:
    return aws_client("s3", s3_endpoint)


@pytest.fixture
def lambdad_with_s3(
    tmp_path: Path, s3_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[LambdadProcess]:
    monkeypatch.setenv("LAMBDAD_S3_ENDPOINT_URL", s3_endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    process = LambdadProcess(data_dir=tmp_path / "data", log_path=tmp_path / "lambdad.log")
    process.start()
    yield process
    process.stop()


def test_code_from_s3_bucket_and_key(lambdad_with_s3: LambdadProcess, s3: Any) -> None:
    bucket = "deployments"
    s3.create_bucket(Bucket=bucket)
    code = make_zip()
    s3.put_object(Bucket=bucket, Key="fn.zip", Body=code)
    client = lambdad_with_s3.lambda_client()

    created = client.create_function(
        FunctionName="from-s3",
        Runtime="python3.12",
        Role="r1",
        Handler="app.handler",
        # REFERENCE only changes where AWS keeps the zip; lambdad keeps its own copy.
        Code={"S3Bucket": bucket, "S3Key": "fn.zip", "S3ObjectStorageMode": "REFERENCE"},
    )
    assert created["CodeSha256"] == code_sha256(code)
    assert created["CodeSize"] == len(code)

    new_code = make_zip({"app.py": "def handler(e, c):\n    return 2\n"})
    s3.put_object(Bucket=bucket, Key="fn-v2.zip", Body=new_code)
    client.get_waiter("function_active_v2").wait(FunctionName="from-s3")
    updated = client.update_function_code(
        FunctionName="from-s3", S3Bucket=bucket, S3Key="fn-v2.zip", S3ObjectStorageMode="COPY"
    )
    assert updated["CodeSha256"] == code_sha256(new_code)
    client.get_waiter("function_updated_v2").wait(FunctionName="from-s3")
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        client.update_function_code(
            FunctionName="from-s3", ZipFile=new_code, S3ObjectStorageMode="REFERENCE"
        )
    assert excinfo.value.response["Error"] == {
        "Code": "InvalidParameterValueException",
        "Message": "S3ObjectStorageMode REFERENCE is only supported for code given by S3Bucket "
        "and S3Key.",
    }


def test_code_from_s3_over_50_mb_zipped_is_accepted(
    lambdad_with_s3: LambdadProcess, s3: Any
) -> None:
    # AWS holds code from S3 to the unzipped limit only; a direct upload of the same zip is
    # refused with `Zipped size must be smaller than 52428800 bytes`.
    bucket = "deployments-large"
    s3.create_bucket(Bucket=bucket)
    payload = os.urandom(51 * 1024 * 1024)  # incompressible: the zip stays over 50 MB
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("app.py", "def handler(e, c):\n    return 1\n")
        archive.writestr("blob.bin", payload)
    code = buffer.getvalue()
    assert len(code) > 52_428_800
    s3.put_object(Bucket=bucket, Key="large.zip", Body=code)
    client = lambdad_with_s3.lambda_client()
    created = client.create_function(
        FunctionName="large-from-s3",
        Runtime="python3.12",
        Role="r1",
        Handler="app.handler",
        Code={"S3Bucket": bucket, "S3Key": "large.zip"},
    )
    assert created["CodeSize"] == len(code)


@pytest.mark.parametrize(
    ("bucket", "key", "code", "message"),
    [
        (
            "deployments-missing-key",
            "nope.zip",
            "NoSuchKey",
            "The specified key does not exist.",
        ),
        (
            "no-such-bucket",
            "fn.zip",
            "NoSuchBucket",
            "The specified bucket does not exist",
        ),
    ],
)
def test_missing_s3_object_gets_aws_message(
    lambdad_with_s3: LambdadProcess, s3: Any, bucket: str, key: str, code: str, message: str
) -> None:
    if bucket == "deployments-missing-key":
        s3.create_bucket(Bucket=bucket)
    client = lambdad_with_s3.lambda_client()
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        client.create_function(
            FunctionName="missing-code",
            Runtime="python3.12",
            Role="r1",
            Handler="app.handler",
            Code={"S3Bucket": bucket, "S3Key": key},
        )
    error = caught.value.response["Error"]
    assert error["Code"] == "InvalidParameterValueException"
    assert error["Message"] == (
        f"Error occurred while GetObject. S3 Error Code: {code}. S3 Error Message: {message}"
    )
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.get_function(FunctionName="missing-code")


def test_gateway_runs_alone_against_a_daemon(tmp_path: Path) -> None:
    daemon = LambdadProcess(
        data_dir=tmp_path / "data", log_path=tmp_path / "daemon.log", extra_args=["--no-gateway"]
    )
    daemon.process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "lambdad.daemon.cli",
            "serve",
            "--no-gateway",
            "--executor",
            "process",
            "--data-dir",
            str(daemon.data_dir),
            "--grpc-port",
            str(daemon.grpc_port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    gateway = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "lambdad.daemon.cli",
            "gateway",
            "--daemon",
            daemon.grpc_target,
            "--port",
            str(daemon.gateway_port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ},
    )
    try:
        client = daemon.lambda_client()
        wait_for(lambda: client.list_functions()["Functions"] == [], timeout=30)
        client.create_function(
            FunctionName="split",
            Runtime="python3.12",
            Role="r1",
            Handler="app.handler",
            Code={"ZipFile": make_zip()},
        )
        assert client.get_function(FunctionName="split")["Configuration"]["FunctionName"] == (
            "split"
        )
    finally:
        gateway.terminate()
        gateway.wait(timeout=15)
        daemon.stop()


def test_layer_content_from_s3(lambdad_with_s3: LambdadProcess, s3: Any) -> None:
    s3.create_bucket(Bucket="layers")
    content = make_zip({"python/from_s3.py": "VALUE = 1\n"})
    s3.put_object(Bucket="layers", Key="layer.zip", Body=content)
    client = lambdad_with_s3.lambda_client()
    published = client.publish_layer_version(
        LayerName="from-s3", Content={"S3Bucket": "layers", "S3Key": "layer.zip"}
    )
    assert published["Content"]["CodeSha256"] == code_sha256(content)
    assert published["Content"]["CodeSize"] == len(content)
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        client.publish_layer_version(
            LayerName="from-s3", Content={"S3Bucket": "layers", "S3Key": "missing.zip"}
        )
    assert excinfo.value.response["Error"]["Message"] == (
        "Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error Message: "
        "The specified key does not exist."
    )
