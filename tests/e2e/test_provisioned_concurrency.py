"""Provisioned concurrency through boto3: AWS's shapes and errors, environments initialized ahead
of need (init ran, AWS_LAMBDA_INITIALIZATION_TYPE, no Init Duration), the account's accounting,
and configurations restored by a restart."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.e2e.support import HANDLER, ROLE, RUNTIME, LambdadProcess, function_arn, settled
from tests.helpers import make_zip, wait_for

pytestmark = pytest.mark.e2e

# Init code stamps the time it ran, so a test can tell that it ran before the invocation.
HANDLER_CODE = """
import os, time
INIT_AT = time.time()
def handler(event, context):
    return {
        "init_type": os.environ.get("AWS_LAMBDA_INITIALIZATION_TYPE"),
        "init_at": INIT_AT,
        "pid": os.getpid(),
    }
"""
LAST_MODIFIED_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$")


@pytest.fixture(scope="module")
def daemon(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LambdadProcess]:
    """A daemon of this module's own: the account figures below must not move under it."""
    root = tmp_path_factory.mktemp("provisioned")
    process = LambdadProcess(data_dir=root / "data", log_path=root / "lambdad.log").start()
    yield process
    process.stop()


@pytest.fixture
def client(daemon: LambdadProcess) -> Any:
    return daemon.lambda_client()


def _published(client: Any, name: str, alias: str | None = None, *, runtime: str = RUNTIME) -> str:
    client.create_function(
        FunctionName=name,
        Runtime=runtime,
        Role=ROLE,
        Handler=HANDLER,
        Code={"ZipFile": make_zip({"app.py": HANDLER_CODE})},
    )
    settled(client, name, timeout=60)
    version = str(client.publish_version(FunctionName=name)["Version"])
    if alias:
        client.create_alias(FunctionName=name, Name=alias, FunctionVersion=version)
    return version


def _ready(client: Any, name: str, qualifier: str, timeout: float = 30) -> dict[str, Any]:
    def check() -> dict[str, Any] | None:
        config = client.get_provisioned_concurrency_config(FunctionName=name, Qualifier=qualifier)
        assert config["Status"] != "FAILED", config
        return config if config["Status"] == "READY" else None

    return wait_for(check, timeout=timeout, interval=0.1)


def _invoke(client: Any, name: str, qualifier: str) -> tuple[dict[str, Any], str]:
    response = client.invoke(FunctionName=name, Qualifier=qualifier, LogType="Tail")
    tail = base64.b64decode(response["LogResult"]).decode()
    return json.loads(response["Payload"].read()), tail


def _error(call: Any, **kwargs: Any) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    error = caught.value.response
    return (
        error["Error"]["Code"],
        error["Error"]["Message"],
        error["ResponseMetadata"]["HTTPStatusCode"],
    )


def test_version_gets_initialized_environments(client: Any, function_name: str) -> None:
    version = _published(client, function_name)
    unreserved_before = client.get_account_settings()["AccountLimit"][
        "UnreservedConcurrentExecutions"
    ]

    put = client.put_provisioned_concurrency_config(
        FunctionName=function_name, Qualifier=version, ProvisionedConcurrentExecutions=2
    )
    assert put["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert put["RequestedProvisionedConcurrentExecutions"] == 2
    assert put["Status"] in ("IN_PROGRESS", "READY")
    assert LAST_MODIFIED_RE.match(put["LastModified"])
    assert "FunctionArn" not in put

    ready = _ready(client, function_name, version)
    assert ready["AllocatedProvisionedConcurrentExecutions"] == 2
    assert ready["AvailableProvisionedConcurrentExecutions"] == 2
    assert ready["RequestedProvisionedConcurrentExecutions"] == 2
    assert "StatusReason" not in ready

    # Provisioned concurrency is taken from the unreserved pool; reserved stays unset.
    settings = client.get_account_settings()["AccountLimit"]
    assert settings["UnreservedConcurrentExecutions"] == unreserved_before - 2
    assert "ReservedConcurrentExecutions" not in client.get_function_concurrency(
        FunctionName=function_name
    )

    payload, tail = _invoke(client, function_name, version)
    assert payload["init_type"] == "provisioned-concurrency"
    report = next(line for line in tail.splitlines() if line.startswith("REPORT"))
    assert "Init Duration" not in report

    listed = client.list_provisioned_concurrency_configs(FunctionName=function_name)
    assert [c["FunctionArn"] for c in listed["ProvisionedConcurrencyConfigs"]] == [
        function_arn(function_name, version)
    ]
    assert listed["ProvisionedConcurrencyConfigs"][0]["Status"] == "READY"

    client.delete_provisioned_concurrency_config(FunctionName=function_name, Qualifier=version)
    code, message, status = _error(
        client.get_provisioned_concurrency_config, FunctionName=function_name, Qualifier=version
    )
    assert (code, status) == ("ProvisionedConcurrencyConfigNotFoundException", 404)
    assert message == "No Provisioned Concurrency Config found for this function"
    assert (
        client.get_account_settings()["AccountLimit"]["UnreservedConcurrentExecutions"]
        == unreserved_before
    )


def test_alias_is_served_warm_and_on_demand_is_cold(client: Any, function_name: str) -> None:
    version = _published(client, function_name, alias="live")
    client.put_provisioned_concurrency_config(
        FunctionName=function_name, Qualifier="live", ProvisionedConcurrentExecutions=1
    )
    _ready(client, function_name, "live")
    payload, tail = _invoke(client, function_name, "live")
    assert payload["init_type"] == "provisioned-concurrency"
    assert "Init Duration" not in tail

    # $LATEST has no provisioned concurrency: a cold start, with AWS's on-demand marker.
    payload, tail = _invoke(client, function_name, "$LATEST")
    assert payload["init_type"] == "on-demand"
    assert "Init Duration" in tail

    # The alias holds the version: provisioning the version too is a conflict, as on AWS.
    code, message, status = _error(
        client.put_provisioned_concurrency_config,
        FunctionName=function_name,
        Qualifier=version,
        ProvisionedConcurrentExecutions=1,
    )
    assert (code, status, message) == (
        "ResourceConflictException",
        409,
        "Version is pointed by a Provisioned Concurrency alias",
    )


@pytest.mark.parametrize(
    ("qualifier", "reserved", "count", "expected"),
    [
        (
            "$LATEST",
            None,
            1,
            (
                "InvalidParameterValueException",
                400,
                "Provisioned Concurrency Configs cannot be applied to unpublished function "
                "versions.",
            ),
        ),
        (
            "{version}",
            1,
            2,
            (
                "InvalidParameterValueException",
                400,
                "Requested Provisioned Concurrency should not be greater than the "
                "reservedConcurrentExecution for function",
            ),
        ),
        (
            "{version}",
            None,
            950,
            (
                "InvalidParameterValueException",
                400,
                "Specified ConcurrentExecutions for function decreases account's "
                "UnreservedConcurrentExecution below its minimum value of [100].",
            ),
        ),
        ("99", None, 1, ("ResourceNotFoundException", 404, "Function not found: {arn99}")),
    ],
)
def test_refusals(
    client: Any,
    function_name: str,
    qualifier: str,
    reserved: int | None,
    count: int,
    expected: tuple[str, int, str],
) -> None:
    version = _published(client, function_name)
    if reserved is not None:
        client.put_function_concurrency(
            FunctionName=function_name, ReservedConcurrentExecutions=reserved
        )
    code, message, status = _error(
        client.put_provisioned_concurrency_config,
        FunctionName=function_name,
        Qualifier=qualifier.format(version=version),
        ProvisionedConcurrentExecutions=count,
    )
    name, http_status, text = expected
    assert (code, status) == (name, http_status)
    assert message == text.format(arn99=function_arn(function_name, "99"))


def test_restart_starts_the_environments_again(tmp_path: Path, function_name: str) -> None:
    process = LambdadProcess(data_dir=tmp_path / "data", log_path=tmp_path / "lambdad.log")
    try:
        client = process.start().lambda_client()
        version = _published(client, function_name)
        client.put_provisioned_concurrency_config(
            FunctionName=function_name, Qualifier=version, ProvisionedConcurrentExecutions=1
        )
        before = _ready(client, function_name, version)
        process.stop()

        client = process.start().lambda_client()
        after = _ready(client, function_name, version)
        assert after["AllocatedProvisionedConcurrentExecutions"] == 1
        assert after["LastModified"] == before["LastModified"]
        payload, tail = _invoke(client, function_name, version)
        assert payload["init_type"] == "provisioned-concurrency"
        assert "Init Duration" not in tail
    finally:
        process.stop()


@pytest.mark.docker
def test_docker_provisioned_environment_is_warm(
    docker_lambdad: LambdadProcess, function_name: str
) -> None:
    client = docker_lambdad.lambda_client()
    # A runtime whose image the Docker fixtures build.
    version = _published(client, function_name, runtime="python3.13")
    client.put_provisioned_concurrency_config(
        FunctionName=function_name, Qualifier=version, ProvisionedConcurrentExecutions=1
    )
    _ready(client, function_name, version, timeout=120)
    payload, tail = _invoke(client, function_name, version)
    assert payload["init_type"] == "provisioned-concurrency"
    assert "Init Duration" not in tail
    # The same function on demand is a cold start in its own container.
    payload, tail = _invoke(client, function_name, "$LATEST")
    assert payload["init_type"] == "on-demand"
    assert "Init Duration" in tail


def test_init_failure_is_failed_with_aws_reason(client: Any, function_name: str) -> None:
    client.create_function(
        FunctionName=function_name,
        Runtime=RUNTIME,
        Role=ROLE,
        Handler=HANDLER,
        Code={"ZipFile": make_zip({"app.py": "raise RuntimeError('no config')\n"})},
    )
    settled(client, function_name, timeout=60)
    version = str(client.publish_version(FunctionName=function_name)["Version"])
    client.put_provisioned_concurrency_config(
        FunctionName=function_name, Qualifier=version, ProvisionedConcurrentExecutions=1
    )

    def failed() -> dict[str, Any] | None:
        config = client.get_provisioned_concurrency_config(
            FunctionName=function_name, Qualifier=version
        )
        return config if config["Status"] == "FAILED" else None

    config = wait_for(failed, timeout=30, interval=0.1)
    assert config["StatusReason"] == "FUNCTION_ERROR_INIT_FAILURE"
    assert config["AllocatedProvisionedConcurrentExecutions"] == 0
