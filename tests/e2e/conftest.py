"""End-to-end fixtures: `lambdad serve` started as a user starts it, plus boto3 and the AWS CLI."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.support import LambdadProcess, moto_server


@pytest.fixture(scope="session")
def lambdad(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LambdadProcess]:
    """One daemon shared by the e2e session (tests isolate by unique function names)."""
    root = tmp_path_factory.mktemp("lambdad")
    process = LambdadProcess(data_dir=root / "data", log_path=root / "lambdad.log").start()
    yield process
    process.stop()


@pytest.fixture(
    scope="module", params=["process", pytest.param("docker", marks=pytest.mark.docker)]
)
def served(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LambdadProcess]:
    """A daemon per test module and executor (Docker: engine + images, or skip with a reason)."""
    if request.param == "docker":
        request.getfixturevalue("runtime_images")
    root = tmp_path_factory.mktemp(f"lambdad-{request.param}")
    process = LambdadProcess(
        data_dir=root / "data", log_path=root / "lambdad.log", executor=request.param
    ).start()
    yield process
    process.stop()


@pytest.fixture
def docker_lambdad(tmp_path: Path, runtime_images: dict[str, str]) -> Iterator[LambdadProcess]:
    """A daemon of the test's own with the Docker executor."""
    process = LambdadProcess(
        data_dir=tmp_path / "data", log_path=tmp_path / "lambdad.log", executor="docker"
    ).start()
    yield process
    process.stop()


@pytest.fixture
def fresh_lambdad(tmp_path: Path) -> Iterator[LambdadProcess]:
    """A daemon of the test's own, for restart and crash tests."""
    process = LambdadProcess(data_dir=tmp_path / "data", log_path=tmp_path / "lambdad.log")
    yield process
    process.stop()


@pytest.fixture
def client(lambdad: LambdadProcess) -> Any:
    """boto3 Lambda client for the shared daemon."""
    return lambdad.lambda_client()


@pytest.fixture
def function_name(request: pytest.FixtureRequest) -> str:
    """A function name unique to this test."""
    base = request.node.name.split("[")[0].replace("test_", "")[:40]
    return f"{base}-{uuid.uuid4().hex[:8]}".replace("_", "-")


@pytest.fixture(scope="module")
def aws_endpoint() -> Iterator[str]:
    """moto's standalone server (SQS, DynamoDB Streams, SNS, ...) for one module."""
    with moto_server() as endpoint:
        yield endpoint


@pytest.fixture(scope="module")
def lambdad_with_aws(
    tmp_path_factory: pytest.TempPathFactory, aws_endpoint: str
) -> Iterator[LambdadProcess]:
    mp = pytest.MonkeyPatch()
    mp.setenv("AWS_ENDPOINT_URL", aws_endpoint)
    mp.setenv("AWS_ACCESS_KEY_ID", "test")
    mp.setenv("AWS_SECRET_ACCESS_KEY", "test")
    tmp = tmp_path_factory.mktemp("esm")
    process = LambdadProcess(data_dir=tmp / "data", log_path=tmp / "lambdad.log")
    process.start()
    yield process
    process.stop()
    mp.undo()
