"""The compose example as a user runs it, with Debian's `docker-compose` (1.29).

Images are built offline (examples/compose/build-offline.sh: lambdad's own Debian base and
wheels built on this host), then the stack runs app -> gateway -> function -> function ->
S3-compatible store, survives `docker kill -s KILL` of lambdad (state kept, orphaned function
containers reaped) and `down` + `up`, and `down` leaves no function container behind.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import docker
import docker.errors
import pytest
from botocore.config import Config as BotoConfig

from lambdad.daemon.runtime.executor import LABEL_DAEMON, LABEL_FUNCTION, LABEL_MANAGED
from tests.helpers import free_port, wait_for

pytestmark = [pytest.mark.docker, pytest.mark.e2e]

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "compose"
BASE_IMAGE = "lambdad/debian:bookworm"
FUNCTIONS = {"greet", "store-greeting"}


class Stack:
    """One `docker-compose` project of the example, on a free gateway port."""

    def __init__(self, engine: docker.DockerClient) -> None:
        self.engine = engine
        self.project = f"lambdadtest{uuid.uuid4().hex[:8]}"
        self.port = free_port()
        self.env = {
            **os.environ,
            "COMPOSE_PROJECT_NAME": self.project,
            "LAMBDAD_PORT": str(self.port),
            "BASE_IMAGE": BASE_IMAGE,
        }

    def compose(self, *args: str) -> str:
        result = subprocess.run(
            ["docker-compose", *args],
            cwd=EXAMPLE,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, f"docker-compose {' '.join(args)}: {result.stderr}"
        return result.stdout

    def container(self, service: str) -> Any:
        return self.engine.containers.get(f"{self.project}_{service}_1")

    def app_results(self) -> list[dict[str, Any]]:
        """The JSON lines the app printed, over all its runs."""
        logs = self.container("app").logs().decode()
        return [json.loads(line) for line in logs.splitlines() if line.startswith("{")]

    def wait_for_app_runs(self, count: int) -> list[dict[str, Any]]:
        def finished() -> list[dict[str, Any]] | None:
            app = self.container("app")
            results = self.app_results()
            done = app.status == "exited" and len(results) >= count
            return results if done else None

        results = wait_for(finished, timeout=180, interval=0.5)
        assert self.container("app").attrs["State"]["ExitCode"] == 0, results
        return results

    def wait_healthy(self) -> None:
        def healthy() -> bool:
            lambdad = self.container("lambdad")
            return bool(lambdad.attrs["State"].get("Health", {}).get("Status") == "healthy")

        wait_for(healthy, timeout=90, interval=0.5)

    def function_containers(self, daemon_id: str) -> list[Any]:
        filters = {"label": [f"{LABEL_MANAGED}=true", f"{LABEL_DAEMON}={daemon_id}"]}
        return list(self.engine.containers.list(all=True, filters=filters))

    def lambda_client(self) -> Any:
        return boto3.client(
            "lambda",
            endpoint_url=f"http://127.0.0.1:{self.port}",
            region_name="us-east-1",
            aws_access_key_id="test",
            aws_secret_access_key="test",
            config=BotoConfig(retries={"max_attempts": 1}),
        )

    def function_names(self) -> set[str]:
        functions = self.lambda_client().list_functions()["Functions"]
        return {function["FunctionName"] for function in functions}


@pytest.fixture(scope="module")
def images(docker_required: docker.DockerClient, runtime_images: dict[str, str]) -> None:
    """The lambdad and example images, built without a registry (layer cache reused)."""
    if shutil.which("docker-compose") is None:
        reason = "docker-compose is not installed (apt-get install docker-compose)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; the compose tests must run in CI")
        pytest.skip(reason)
    lock_path = EXAMPLE.parents[1] / "build" / ".compose-images.lock"
    lock_path.parent.mkdir(exist_ok=True)
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # concurrent runs share build/ and the image tags
        built = subprocess.run(
            [str(EXAMPLE / "build-offline.sh")],
            env={**os.environ, "BASE_IMAGE": BASE_IMAGE},
            capture_output=True,
            text=True,
            timeout=900,
        )
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]


@pytest.fixture
def stack(images: None, docker_required: docker.DockerClient) -> Iterator[Stack]:
    """The example stack; `down -v` at the end, whatever happened."""
    running = Stack(docker_required)
    try:
        yield running
    finally:
        subprocess.run(
            ["docker-compose", "down", "-v", "--remove-orphans"],
            cwd=EXAMPLE,
            env=running.env,
            capture_output=True,
            timeout=120,
        )


def test_compose_example_end_to_end(stack: Stack) -> None:
    stack.compose("up", "-d")

    # app -> gateway (by service name) -> greet -> store-greeting (the injected Lambda
    # endpoint) -> the store (by its compose name, through the configured AWS_ENDPOINT_URL).
    [first] = stack.wait_for_app_runs(1)
    assert first["existing_before"] == []
    assert first["stored_body"] == "hello, compose"
    assert first["result"]["stored"]["by"] == "store-greeting"

    lambdad = stack.container("lambdad")
    assert lambdad.attrs["State"]["Health"]["Status"] == "healthy"  # lambdadctl health
    status = lambdad.exec_run(["cat", "/proc/1/status"]).output.decode()
    uid = next(line.split()[1] for line in status.splitlines() if line.startswith("Uid:"))
    assert uid != "0", "the daemon runs unprivileged"

    # Function containers: on lambdad's own network, named and labelled by function.
    environments = stack.engine.containers.list(
        filters={"label": [f"{LABEL_MANAGED}=true", f"{LABEL_FUNCTION}=greet"]}
    )
    mine = [
        c
        for c in environments
        if f"{stack.project}_default" in c.attrs["NetworkSettings"]["Networks"]
    ]
    assert mine, "greet's container is attached to the compose network"
    assert mine[0].name.startswith("lambdad-greet-")
    daemon_id = mine[0].labels[LABEL_DAEMON]
    # Both functions' containers, and the pre-initialized ones waiting for the next start
    # (a waiting container keeps its `lambdad-prewarm-` name and labels when assigned).
    before_kill = {c.id for c in stack.function_containers(daemon_id)}
    assert mine[0].id in before_kill and len(before_kill) >= 2

    # A crash: state survives, the orphaned function containers are reaped at start-up.
    lambdad.kill(signal="KILL")
    assert {c.id for c in stack.function_containers(daemon_id)} == before_kill
    stack.compose("up", "-d")
    stack.wait_healthy()
    wait_for(lambda: not before_kill & {c.id for c in stack.function_containers(daemon_id)})
    assert stack.function_names() == FUNCTIONS
    second = stack.wait_for_app_runs(2)[-1]
    assert set(second["existing_before"]) == FUNCTIONS
    assert second["stored_body"] == "hello, compose"

    # `down` stops lambdad gracefully: it removes its function containers; the volume stays.
    stack.compose("down")
    assert stack.function_containers(daemon_id) == []
    stack.compose("up", "-d", "lambdad")
    stack.wait_healthy()
    assert stack.function_names() == FUNCTIONS
    stack.compose("down")
    assert stack.function_containers(daemon_id) == []
