"""Durable functions in Docker, on the SDK lambdad's runtime images ship (as AWS's runtimes do).

The Python function's zip holds only its own module: `aws_durable_execution_sdk_python` (and a
boto3 that knows the durable execution API) come from the python3.13 image. The JavaScript
function runs on nodejs24.x (Debian forky's Node.js 24; the JS SDK needs Node >= 22) with the
SDK from the image's /var/runtime/node_modules.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import docker
import pytest

from tests.docker_fixtures import image_cache_dir
from tests.e2e.durable_support import (
    DURABLE_CONFIG,
    create_durable,
    history,
    shape,
    start_daemon,
    wait_done,
    workflow_zip,
)
from tests.e2e.support import LambdadProcess
from tests.helpers import make_zip, wait_for

pytestmark = pytest.mark.docker

JS_HANDLER = """\
const { withDurableExecution } = require("@aws/durable-execution-sdk-js");

exports.handler = withDurableExecution(async (event, context) => {
  const first = await context.step("first", async () => ({ n: event.n ?? 1 }));
  await context.wait("pause", { seconds: 3600 });
  const second = await context.step("second", async () => first.n * 2);
  return { doubled: second, node: process.versions.node.split(".")[0] };
});
"""


@pytest.fixture(scope="module")
def docker_durable(
    tmp_path_factory: pytest.TempPathFactory, runtime_images: dict[str, str]
) -> Iterator[LambdadProcess]:
    process = start_daemon(tmp_path_factory.mktemp("durable-docker"), executor="docker")
    yield process
    process.stop()


@pytest.fixture(scope="module")
def node24_image(docker_required: docker.DockerClient) -> str:
    """lambdad/runtime:nodejs24.x, built (once, locked across workers) when missing."""
    import fcntl

    from lambdad.daemon.images.build import build_runtime_images

    cache = image_cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    with open(cache / ".build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        results = build_runtime_images(["nodejs24.x"], cache_dir=cache, client=docker_required)
    failed = [f"{r.runtime}: {r.error}" for r in results if r.status == "failed"]
    if failed:
        pytest.fail("nodejs24.x image build failed: " + "; ".join(failed))
    return results[0].tag


def test_python_durable_function_on_the_images_sdk(docker_durable: LambdadProcess) -> None:
    lam = docker_durable.lambda_client()
    create_durable(lam, "docker-steps", "steps", workflow_zip(vendor_sdk=False))

    response = lam.invoke(
        FunctionName="docker-steps:$LATEST",
        DurableExecutionName="in-docker",
        Payload=b'{"order": "d-1"}',
    )

    assert "FunctionError" not in response, response["Payload"].read()
    assert json.loads(response["Payload"].read()) == {
        "order": "d-1",
        "attempts": 2,
        "result": "shipped d-1",
    }
    events = shape(history(lam, response["DurableExecutionArn"]))
    assert events.count(("StepFailed", "flaky")) == 1
    assert events[-1] == ("ExecutionSucceeded", "in-docker")


def test_javascript_durable_function_on_nodejs24(
    docker_durable: LambdadProcess, node24_image: str, tmp_path: Path
) -> None:
    lam = docker_durable.lambda_client()
    lam.create_function(
        FunctionName="js-durable",
        Runtime="nodejs24.x",
        Role="r1",
        Handler="index.handler",
        Code={"ZipFile": make_zip({"index.js": JS_HANDLER})},
        Timeout=60,
        DurableConfig=DURABLE_CONFIG,
    )
    wait_for(
        lambda: lam.get_function_configuration(FunctionName="js-durable")["State"] == "Active",
        timeout=60,
    )
    response = lam.invoke(
        FunctionName="js-durable:$LATEST",
        InvocationType="Event",
        DurableExecutionName="js-run",
        Payload=b'{"n": 21}',
    )

    execution = wait_done(lam, response["DurableExecutionArn"], timeout=90)

    assert execution["Status"] == "SUCCEEDED", execution.get("Error")
    assert json.loads(execution["Result"]) == {"doubled": 42, "node": "24"}
    assert shape(history(lam, execution["DurableExecutionArn"]))[1:-1] == [
        ("StepStarted", "first"),
        ("StepSucceeded", "first"),
        ("WaitStarted", "pause"),
        ("WaitSucceeded", "pause"),
        ("StepStarted", "second"),
        ("StepSucceeded", "second"),
    ]
