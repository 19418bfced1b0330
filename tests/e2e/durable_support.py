"""AWS's Durable Execution SDKs for the durable-function e2e tests: fetched once, kept apart.

The SDK (`aws-durable-execution-sdk-python`) and its testing SDK are `pip install --target`ed
once per machine into a cache directory beside the runtime-image cache (a lock keeps xdist
workers from fetching twice). Function zips vendor the SDK from there, as a developer's
deployment package would; the testing SDK's runners run from there in a subprocess, since
the testing SDK wants a newer boto3 than the test environment need have.
"""

from __future__ import annotations

import fcntl
import io
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.docker_fixtures import image_cache_dir
from tests.e2e.support import LambdadProcess
from tests.helpers import wait_for

SDK = "aws-durable-execution-sdk-python==3.0.0"
TESTING_SDK = "aws-durable-execution-sdk-python-testing==1.4.0"
FUNCTIONS_DIR = Path(__file__).resolve().parent / "durable_functions"
# Terminal statuses of GetDurableExecution.
DONE = ("SUCCEEDED", "FAILED", "TIMED_OUT", "STOPPED")
DURABLE_CONFIG = {"ExecutionTimeout": 900, "RetentionPeriodInDays": 1}
# Time control: 1 durable second = 50 us, so a one-day wait lasts 4.3 s.
TIME_SCALE = 0.00005


def start_daemon(root: Path, executor: str = "process") -> LambdadProcess:
    """`lambdad serve` with durable time control (`LAMBDAD_DURABLE_TIME_SCALE`)."""
    return restart(LambdadProcess(root / "data", root / "lambdad.log", executor=executor))


def restart(process: LambdadProcess) -> LambdadProcess:
    """Start (again) a daemon with the time control in its environment."""
    mp = pytest.MonkeyPatch()
    mp.setenv("LAMBDAD_DURABLE_TIME_SCALE", str(TIME_SCALE))
    try:
        return process.start()
    finally:
        mp.undo()


def sdk_dir() -> Path:
    """A directory holding both SDKs and their dependencies (installed on first use)."""
    key = f"{SDK}-{TESTING_SDK}".replace("==", "-")
    root = image_cache_dir() / "durable-sdk"
    target = root / key
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (target / ".complete").is_file():
            partial = root / f"{key}.partial-{os.getpid()}"
            fetched = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                    "--no-warn-conflicts",
                    "--target",
                    str(partial),
                    SDK,
                    TESTING_SDK,
                ],
                capture_output=True,
                text=True,
                timeout=300,
            )
            if fetched.returncode != 0:
                reason = f"cannot install {SDK} from PyPI: {fetched.stderr.strip()[-500:]}"
                if os.environ.get("CI"):
                    pytest.fail(reason)
                pytest.skip(reason)
            (partial / ".complete").write_text(f"{SDK} {TESTING_SDK}\n")
            if target.exists():
                shutil.rmtree(target)
            partial.rename(target)
    return target


def workflow_zip(*, vendor_sdk: bool = True) -> bytes:
    """workflows.py, with the SDK vendored unless the runtime is to provide it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(FUNCTIONS_DIR / "workflows.py", "workflows.py")
        if vendor_sdk:
            package = sdk_dir() / "aws_durable_execution_sdk_python"
            for path in sorted(package.rglob("*")):
                if path.is_file() and "__pycache__" not in path.parts:
                    archive.write(path, str(path.relative_to(package.parent)))
    return buffer.getvalue()


class SdkRun:
    """durable_functions/sdk_runner.py running with the testing SDK in a subprocess."""

    def __init__(self, mode: str, jobs: list[dict[str, Any]], *args: str) -> None:
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(sdk_dir()), str(FUNCTIONS_DIR)]),
            "AWS_ACCESS_KEY_ID": "test",
            "AWS_SECRET_ACCESS_KEY": "test",
            "AWS_MAX_ATTEMPTS": "1",
        }
        self.mode = mode
        self.process = subprocess.Popen(
            [sys.executable, str(FUNCTIONS_DIR / "sdk_runner.py"), mode, json.dumps(jobs), *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )

    def result(self, timeout: float = 300) -> list[dict[str, Any]]:
        """Its answer for each job (waits for it to finish)."""
        try:
            stdout, stderr = self.process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            stdout, stderr = self.process.communicate()
        if self.process.returncode != 0:
            raise AssertionError(f"sdk_runner {self.mode} failed:\n{stderr[-4000:]}")
        return list(json.loads(stdout.strip().splitlines()[-1]))


def create_durable(client: Any, name: str, handler: str, zip_bytes: bytes, **extra: Any) -> Any:
    """CreateFunction of a durable python3.13 function from workflows.py; waits until Active."""
    client.create_function(
        FunctionName=name,
        Runtime="python3.13",
        Role="r1",
        Handler=f"workflows.{handler}",
        Code={"ZipFile": zip_bytes},
        Timeout=60,
        DurableConfig=DURABLE_CONFIG,
        **extra,
    )

    def active() -> Any:
        config = client.get_function_configuration(FunctionName=name)
        return config if config["State"] == "Active" else None

    return wait_for(active, timeout=60)


def wait_done(client: Any, arn: str, timeout: float = 60) -> dict[str, Any]:
    """Poll GetDurableExecution until the execution ends."""

    def done() -> Any:
        execution = client.get_durable_execution(DurableExecutionArn=arn)
        return execution if execution["Status"] in DONE else None

    return dict(wait_for(done, timeout=timeout, interval=0.1))


def history(client: Any, arn: str, **kwargs: Any) -> list[dict[str, Any]]:
    """Every event of an execution's history, following NextMarker."""
    events: list[dict[str, Any]] = []
    marker = None
    while True:
        page = client.get_durable_execution_history(
            DurableExecutionArn=arn, **kwargs, **({"Marker": marker} if marker else {})
        )
        events += page["Events"]
        marker = page.get("NextMarker")
        if not marker:
            return events


def shape(events: list[dict[str, Any]]) -> list[tuple[str, str | None]]:
    """(EventType, Name) of each event, without the invocations' own bookkeeping."""
    return [
        (e["EventType"], e.get("Name")) for e in events if e["EventType"] != "InvocationCompleted"
    ]


def callback_id(client: Any, arn: str, name: str = "approval", timeout: float = 60) -> str:
    """The CallbackId of the named callback once its CallbackStarted event is in the history."""

    def started() -> str | None:
        for event in history(client, arn):
            if event["EventType"] == "CallbackStarted" and event.get("Name") == name:
                return str(event["CallbackStartedDetails"]["CallbackId"])
        return None

    return wait_for(started, timeout=timeout, interval=0.1)


# The start of a hand-written durable handler (no SDK): reads the durable invocation input and
# defines `checkpoint(updates)`, which sends updates and keeps `ops` and `token` current. The
# e2e modules append the workflow's own body to it.
CHECKPOINTING_PREAMBLE = """
import json, os
import boto3

def handler(event, context):
    arn = event["DurableExecutionArn"]
    token = event["CheckpointToken"]
    ops = {o["Id"]: o for o in event["InitialExecutionState"]["Operations"]}
    execution = next(o for o in ops.values() if o["Type"] == "EXECUTION")
    data = json.loads(execution["ExecutionDetails"]["InputPayload"])
    client = boto3.client("lambda", region_name=os.environ.get("AWS_REGION", "us-east-1"))

    def checkpoint(updates):
        nonlocal token
        answer = client.checkpoint_durable_execution(
            DurableExecutionArn=arn, CheckpointToken=token, Updates=updates
        )
        token = answer.get("CheckpointToken")
        for op in answer["NewExecutionState"].get("Operations", []):
            ops[op["Id"]] = op
"""
