"""Endpoint injection: a function's SDK calls reach lambdad, never real AWS.

A function calls `boto3.client("lambda").invoke` of another lambdad function with no endpoint
in its code, in Docker containers and as local processes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.support import LambdadProcess, settled
from tests.helpers import make_zip

pytestmark = pytest.mark.e2e

CALLEE = "def handler(event, context):\n    return {'callee_saw': event}\n"
# No endpoint_url: botocore takes AWS_ENDPOINT_URL_LAMBDA / AWS_ENDPOINT_URL from the env.
CALLER = """\
import json
import os

import boto3


def handler(event, context):
    names = ("AWS_ENDPOINT_URL_LAMBDA", "AWS_ENDPOINT_URL")
    seen = {name: os.environ.get(name) for name in names}
    if not event.get("call"):
        return seen
    response = boto3.client("lambda").invoke(
        FunctionName=event["call"], Payload=json.dumps({"from": context.function_name})
    )
    return {"env": seen, "answer": json.loads(response["Payload"].read())}
"""


def _invoke(client: Any, name: str, event: dict[str, Any]) -> Any:
    response = client.invoke(FunctionName=name, Payload=json.dumps(event))
    payload = json.loads(response["Payload"].read())
    assert "FunctionError" not in response, payload
    return payload


def _lambda_url(served: LambdadProcess) -> str:
    """The gateway as the function reaches it: loopback, or where containers dial the daemon."""
    host = "127.0.0.1" if served.executor == "process" else "host.docker.internal"
    return f"http://{host}:{served.gateway_port}"


def _create(client: Any, name: str, source: str, **extra: Any) -> None:
    client.create_function(
        FunctionName=name,
        Runtime="python3.11",
        Role="r1",
        Handler="app.handler",
        Timeout=30,
        Code={"ZipFile": make_zip({"app.py": source})},
        **extra,
    )
    settled(client, name)


def test_lambda_to_lambda_through_the_injected_endpoint(served: LambdadProcess) -> None:
    client = served.lambda_client()
    _create(client, "callee", CALLEE)
    _create(client, "caller", CALLER)

    result = _invoke(client, "caller", {"call": "callee"})

    assert result["answer"] == {"callee_saw": {"from": "caller"}}
    assert result["env"]["AWS_ENDPOINT_URL_LAMBDA"] == _lambda_url(served)
    # Other services default to the gateway too: nothing reaches real AWS by accident.
    assert result["env"]["AWS_ENDPOINT_URL"] == _lambda_url(served)


def test_a_functions_own_environment_wins(served: LambdadProcess) -> None:
    client = served.lambda_client()
    own = {"AWS_ENDPOINT_URL": "http://s3.example:9000"}
    _create(client, "own-endpoint", CALLER, Environment={"Variables": own})

    seen = _invoke(client, "own-endpoint", {})

    assert seen["AWS_ENDPOINT_URL"] == "http://s3.example:9000"
    assert seen["AWS_ENDPOINT_URL_LAMBDA"] == _lambda_url(served)


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        (
            {"LAMBDAD_FUNCTION_AWS_ENDPOINT_URL": "http://minio:9000"},
            {"AWS_ENDPOINT_URL": "http://minio:9000"},
        ),
        (
            {"LAMBDAD_INJECT_AWS_ENDPOINTS": "false"},
            {"AWS_ENDPOINT_URL": None, "AWS_ENDPOINT_URL_LAMBDA": None},
        ),
    ],
    ids=["configured-other-endpoint", "injection-off"],
)
def test_configuration(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    variables: dict[str, str],
    expected: dict[str, str | None],
) -> None:
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    process = LambdadProcess(data_dir=tmp_path / "data", log_path=tmp_path / "lambdad.log")
    try:
        client = process.start().lambda_client()
        _create(client, "reporter", CALLER)
        seen = _invoke(client, "reporter", {})
    finally:
        process.stop()
    for name, value in expected.items():
        assert seen[name] == value
