"""Constants and small helpers shared by the e2e modules (fixtures live in conftest.py)."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import urllib3
from botocore.config import Config as BotoConfig

from tests.helpers import free_port, make_zip, wait_for

REGION = "us-east-1"
ACCOUNT = "000000000000"
RUNTIME = "python3.12"
HANDLER = "app.handler"
ROLE = "r1"

# lambda-spec §1.1 (request ids, RevisionIds) and §7.3 (LastModified).
UUID_RE = re.compile(r"^[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}$")
LAST_MODIFIED_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$")


def function_arn(name: str, qualifier: str | None = None) -> str:
    """The ARN lambdad must report for `name` in the default region and account."""
    arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"
    return f"{arn}:{qualifier}" if qualifier else arn


def code_sha256(data: bytes) -> str:
    """AWS's CodeSha256: base64 of the SHA-256 digest of the zip bytes."""
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def unique_zip(tag: str = "") -> bytes:
    """An echo-handler zip whose bytes (and so CodeSha256) differ from every other call."""
    marker = f"# {tag} {uuid.uuid4()}\n"
    return make_zip({"app.py": "def handler(event, context):\n    return event\n" + marker})


def create_function(client: Any, name: str, zip_bytes: bytes | None = None, **extra: Any) -> Any:
    """CreateFunction with the usual python3.12 / app.handler / r1 settings."""
    return client.create_function(
        FunctionName=name,
        Runtime=RUNTIME,
        Role=ROLE,
        Handler=HANDLER,
        Code={"ZipFile": zip_bytes if zip_bytes is not None else unique_zip(name)},
        **extra,
    )


def settled(client: Any, name: str, qualifier: str | None = None, timeout: float = 15) -> Any:
    """Poll GetFunctionConfiguration until State is Active and no update is in progress.

    Faster than the SDK waiters (their minimum delay is a second), for setup steps; the
    waiters themselves are exercised in test_lifecycle_boto3.
    """
    kwargs = {"FunctionName": name, **({"Qualifier": qualifier} if qualifier else {})}

    def done() -> Any:
        config = client.get_function_configuration(**kwargs)
        if config["State"] == "Active" and config.get("LastUpdateStatus") != "InProgress":
            return config
        return None

    return wait_for(done, timeout=timeout)


@dataclass
class ResponseRecorder:
    """Records every HTTP response a boto3 client receives (errors included)."""

    responses: list[tuple[str, int, dict[str, str], bytes]] = field(default_factory=list)

    def attach(self, client: Any) -> ResponseRecorder:
        """Hook `client` (botocore emits after-call before raising ClientError)."""
        client.meta.events.register("after-call.lambda", self._record)
        return self

    def _record(self, http_response: Any, model: Any, **_: Any) -> None:
        self.responses.append(
            (
                model.name,
                http_response.status_code,
                dict(http_response.headers),
                http_response.content,
            )
        )

    @property
    def last(self) -> tuple[str, int, dict[str, str], bytes]:
        """The most recent response."""
        return self.responses[-1]

    def request_ids(self) -> list[tuple[str, str | None]]:
        """(operation, x-amzn-RequestId) of every response, in order."""
        return [(op, header(headers, "x-amzn-RequestId")) for op, _, headers, _ in self.responses]


def header(headers: dict[str, str], name: str) -> str | None:
    """Case-insensitive header lookup."""
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value
    return None


@contextlib.contextmanager
def moto_server() -> Iterator[str]:
    """moto's standalone server (every service it has) on a free port; yields its URL."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    http = urllib3.PoolManager(retries=False)
    try:
        wait_for(lambda: http.request("GET", endpoint).status < 500, timeout=30)
        yield endpoint
    finally:
        server.terminate()
        server.wait(timeout=10)


def aws_client(service: str, endpoint: str) -> Any:
    """A boto3 client for moto (or any AWS-compatible endpoint) with test credentials."""
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )


# A function that appends every event to $OUT and reports SQS bodies containing
# "fail-me" as batch item failures.
RECORDER = """
import json, os

def handler(event, context):
    with open(os.environ["OUT"], "a") as out:
        out.write(json.dumps(event) + "\\n")
    failures = [
        {"itemIdentifier": r["messageId"]}
        for r in event.get("Records", [])
        if r.get("eventSource") == "aws:sqs" and "fail-me" in r.get("body", "")
    ]
    return {"batchItemFailures": failures}
"""


def records_for(out: Path, source_arn: str) -> list[dict[str, Any]]:
    """The records a RECORDER function wrote to `out` that came from `source_arn`."""
    records = []
    for line in out.read_text().splitlines():
        for record in json.loads(line).get("Records", []):
            if record.get("eventSourceARN") == source_arn:
                records.append(record)
    return records


def create_queue(sqs: Any, name: str, **attributes: str) -> tuple[str, str]:
    """Create an SQS queue; returns its URL and ARN."""
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    return url, arn


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
    # Extra environment of the daemon (LAMBDAD_* settings without a flag).
    env: dict[str, str] = field(default_factory=dict)

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
        self.process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **self.env}
        )
        http = urllib3.PoolManager()

        def ready() -> bool:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"lambdad exited early; log: {self.log_path.read_text()}")
            response = http.request(
                "GET", f"{self.endpoint}/2016-08-19/account-settings", retries=False
            )
            return response.status == 200

        try:
            wait_for(ready, timeout=30)
        except BaseException:
            self.stop()  # a daemon that never answered is not left running
            raise
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

    def lambda_client(self, *, validated: bool = True) -> Any:
        """A boto3 Lambda client pointed at the gateway; `validated=False` turns botocore's
        own parameter checks off, so that the gateway's are what answers."""
        return boto3.client(
            "lambda",
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id="test",
            aws_secret_access_key="test",
            config=BotoConfig(retries={"max_attempts": 1}, parameter_validation=validated),
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
