"""End-to-end fixtures: `lambdad serve` started as a user starts it, plus boto3 and the AWS CLI."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest
import urllib3
from botocore.config import Config as BotoConfig

from tests.helpers import free_port, wait_for

REGION = "us-east-1"


@dataclass
class LambdadProcess:
    """A `lambdad serve` subprocess with its ports and data dir."""

    data_dir: Path
    log_path: Path
    extra_args: list[str] = field(default_factory=list)
    # Control-plane tests run functions as local processes; Docker tests ask for "docker".
    executor: str = "process"
    grpc_port: int = field(default_factory=free_port)
    gateway_port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        """The gateway's URL, for --endpoint-url."""
        return f"http://127.0.0.1:{self.gateway_port}"

    @property
    def grpc_target(self) -> str:
        """The daemon's gRPC address."""
        return f"127.0.0.1:{self.grpc_port}"

    def start(self) -> LambdadProcess:
        """Start and wait until the gateway answers."""
        command = [
            sys.executable,
            "-m",
            "lambdad.daemon.cli",
            "serve",
            "--data-dir",
            str(self.data_dir),
            "--grpc-port",
            str(self.grpc_port),
            "--gateway-port",
            str(self.gateway_port),
            "--log-format",
            "json",
            "--executor",
            self.executor,
            *self.extra_args,
        ]
        log = open(self.log_path, "ab")  # noqa: SIM115 - owned by the process
        self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        http = urllib3.PoolManager()

        def ready() -> bool:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"lambdad exited early; log: {self.log_path.read_text()}")
            response = http.request(
                "GET", f"{self.endpoint}/2016-08-19/account-settings", retries=False
            )
            return response.status == 200

        wait_for(ready, timeout=30)
        return self

    def kill(self) -> None:
        """SIGKILL, as a crash would."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        """SIGTERM and wait for a graceful exit."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    def lambda_client(self) -> Any:
        """A boto3 Lambda client pointed at the gateway."""
        return boto3.client(
            "lambda",
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id="test",
            aws_secret_access_key="test",
            config=BotoConfig(retries={"max_attempts": 1}),
        )

    def aws(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run the AWS CLI against the gateway; stdout is JSON where the command prints any."""
        env = {
            **os.environ,
            "AWS_ACCESS_KEY_ID": "test",
            "AWS_SECRET_ACCESS_KEY": "test",
            "AWS_DEFAULT_REGION": REGION,
            "AWS_MAX_ATTEMPTS": "1",
            "AWS_PAGER": "",
        }
        result = subprocess.run(
            [sys.executable, "-m", "awscli", "--endpoint-url", self.endpoint, *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"aws {' '.join(args)} failed: {result.stderr}")
        return result

    def aws_json(self, *args: str) -> Any:
        """Run the AWS CLI and parse its JSON output."""
        output = self.aws(*args).stdout
        return json.loads(output) if output.strip() else None


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
