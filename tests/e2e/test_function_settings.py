"""Recursion, runtime management and scaling settings through boto3 and the AWS CLI, and
recursive loop detection: a function stopped after AWS's 16 invocations in one chain."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.e2e.support import LambdadProcess, create_function, function_arn, settled
from tests.helpers import make_zip, wait_for

pytestmark = pytest.mark.e2e

UNQUALIFIED_PATTERN = (
    r"(arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?"
    r"(\d{12}:)?(function:)?([a-zA-Z0-9-_]+)"
)
RUNTIME_VERSION = "arn:aws:lambda:us-east-1::runtime:" + "0123456789abcdef" * 4


def _error(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    error = excinfo.value.response
    return (
        error["Error"]["Code"],
        error["Error"]["Message"],
        error["ResponseMetadata"]["HTTPStatusCode"],
    )


# ---------------------------------------------------------------- recursion config
def test_recursion_config(client: Any, function_name: str) -> None:
    create_function(client, function_name)
    got = client.get_function_recursion_config(FunctionName=function_name)
    assert got["RecursiveLoop"] == "Terminate"
    put = client.put_function_recursion_config(FunctionName=function_name, RecursiveLoop="Allow")
    assert put["RecursiveLoop"] == "Allow"
    got = client.get_function_recursion_config(FunctionName=function_arn(function_name))
    assert got["RecursiveLoop"] == "Allow"


def test_recursion_config_errors(client: Any, function_name: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        client.put_function_recursion_config(
            FunctionName=f"{function_name}:1", RecursiveLoop="Maybe"
        )
    code, message, status = _error(excinfo)
    assert (code, status) == ("ValidationException", 400)
    assert message == (
        f"2 validation errors detected: Value '{function_name}:1' at 'functionName' failed to "
        f"satisfy constraint: Member must satisfy regular expression pattern: {UNQUALIFIED_PATTERN}"
        "; Value 'Maybe' at 'recursiveLoop' failed to satisfy constraint: Member must satisfy "
        "enum value set: [Allow, Terminate]"
    )
    with pytest.raises(ClientError) as excinfo:
        client.get_function_recursion_config(FunctionName=function_name)
    code, message, status = _error(excinfo)
    assert (code, status) == ("ResourceNotFoundException", 404)
    assert message == f"Function not found: {function_arn(function_name)}"


def _with_trace_header(client: Any, header: str) -> Any:
    def add(request: Any, **_: Any) -> None:
        request.headers["X-Amzn-Trace-Id"] = header

    client.meta.events.register("before-send.lambda.Invoke", add)
    return client


def test_a_chain_past_16_invocations_is_stopped(
    lambdad: LambdadProcess, function_name: str
) -> None:
    client = lambdad.lambda_client()
    create_function(client, function_name)
    settled(client, function_name)
    key = hashlib.sha256(function_arn(function_name).encode()).hexdigest()[:8]
    root = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0"

    fifteen = _with_trace_header(lambdad.lambda_client(), f"{root};Lineage={key}:15")
    assert fifteen.invoke(FunctionName=function_name, Payload=b"{}")["StatusCode"] == 200

    sixteen = _with_trace_header(lambdad.lambda_client(), f"{root};Lineage={key}:16")
    with pytest.raises(ClientError) as excinfo:
        sixteen.invoke(FunctionName=function_name, Payload=b"{}")
    code, message, status = _error(excinfo)
    assert (code, status) == ("RecursiveInvocationException", 400)
    assert message == (
        "Lambda has detected your function being invoked in a recursive loop with other AWS "
        "resources and stopped your function's invocation."
    )
    # Another function's count does not stop this one.
    other = _with_trace_header(lambdad.lambda_client(), f"{root};Lineage=0badf00d:40")
    assert other.invoke(FunctionName=function_name, Payload=b"{}")["StatusCode"] == 200

    client.put_function_recursion_config(FunctionName=function_name, RecursiveLoop="Allow")
    assert sixteen.invoke(FunctionName=function_name, Payload=b"{}")["StatusCode"] == 200


SELF_INVOKER = """\
import json
import os

import boto3


def handler(event, context):
    with open(os.environ["RECORD"], "a") as out:
        out.write(json.dumps({"trace": os.environ.get("_X_AMZN_TRACE_ID", "")}) + "\\n")
    boto3.client("lambda").invoke(
        FunctionName=context.function_name, InvocationType="Event", Payload=b"{}"
    )
    return "sent"
"""


RECORDER = """\
import json
import os


def handler(event, context):
    with open(os.environ["RECORD"], "a") as out:
        out.write(json.dumps(event) + "\\n")
"""


def test_a_function_invoking_itself_stops_after_16(
    lambdad: LambdadProcess, function_name: str, tmp_path: Path
) -> None:
    client = lambdad.lambda_client()
    record = tmp_path / "runs.jsonl"
    loop = f"{function_name}-loop"
    client.create_function(
        FunctionName=loop,
        Runtime="python3.12",
        Role="r1",
        Handler="app.handler",
        Timeout=30,
        Code={"ZipFile": make_zip({"app.py": SELF_INVOKER})},
        Environment={"Variables": {"RECORD": str(record)}},
    )
    settled(client, loop)
    failures = tmp_path / "failures.jsonl"
    recorder = f"{function_name}-failed"
    client.create_function(
        FunctionName=recorder,
        Runtime="python3.12",
        Role="r1",
        Handler="app.handler",
        Code={"ZipFile": make_zip({"app.py": RECORDER})},
        Environment={"Variables": {"RECORD": str(failures)}},
    )
    settled(client, recorder)
    client.put_function_event_invoke_config(
        FunctionName=loop,
        DestinationConfig={"OnFailure": {"Destination": function_arn(recorder)}},
    )
    client.invoke(FunctionName=loop, InvocationType="Event", Payload=b"{}")

    def runs() -> list[dict[str, Any]]:
        if not record.exists():
            return []
        return [json.loads(line) for line in record.read_text().splitlines()]

    wait_for(lambda: len(runs()) >= 16, timeout=120)

    # The 17th would be a loop past AWS's limit: it is stopped, never run. Nothing to wait
    # for but time: give a 17th run the chance to appear, then check none did.
    def stopped() -> bool:
        log = lambdad.log_path.read_text()
        return "recursive loop stopped" in log or "event stopped: recursive loop" in log

    wait_for(stopped, timeout=60)
    assert len(runs()) == 16
    assert "Lineage=" in runs()[-1]["trace"]
    # The stopped event went to the on-failure destination, as on AWS.
    wait_for(lambda: failures.exists() and failures.read_text().strip(), timeout=60)
    record = json.loads(failures.read_text().splitlines()[0])
    assert record["requestContext"]["functionArn"] == function_arn(loop, "$LATEST")
    assert record["requestContext"]["condition"] == "RecursiveInvocationDetected"
    assert record["requestPayload"] == {}


# ---------------------------------------------------------------- runtime management
def test_runtime_management_config(client: Any, function_name: str) -> None:
    create_function(client, function_name, Publish=True)
    got = client.get_runtime_management_config(FunctionName=function_name)
    assert got["UpdateRuntimeOn"] == "Auto"
    assert got["FunctionArn"].startswith(function_arn(function_name))
    assert "RuntimeVersionArn" not in got

    put = client.put_runtime_management_config(
        FunctionName=function_name,
        Qualifier="1",
        UpdateRuntimeOn="Manual",
        RuntimeVersionArn=RUNTIME_VERSION,
    )
    assert put["UpdateRuntimeOn"] == "Manual"
    assert put["RuntimeVersionArn"] == RUNTIME_VERSION
    assert put["FunctionArn"] == function_arn(function_name, "1")
    got = client.get_runtime_management_config(FunctionName=function_name, Qualifier="1")
    assert (got["UpdateRuntimeOn"], got["RuntimeVersionArn"]) == ("Manual", RUNTIME_VERSION)
    # GetFunction shows the pinned runtime version where AWS shows the one in use.
    shown = client.get_function(FunctionName=function_name, Qualifier="1")["Configuration"]
    assert shown["RuntimeVersionConfig"]["RuntimeVersionArn"] == RUNTIME_VERSION
    shown = client.get_function_configuration(FunctionName=function_name, Qualifier="1")
    assert shown["RuntimeVersionConfig"]["RuntimeVersionArn"] == RUNTIME_VERSION
    latest = client.get_function_configuration(FunctionName=function_name)
    assert latest["RuntimeVersionConfig"]["RuntimeVersionArn"] != RUNTIME_VERSION
    # $LATEST keeps its own setting.
    assert (
        client.get_runtime_management_config(FunctionName=function_name)["UpdateRuntimeOn"]
        == "Auto"
    )
    put = client.put_runtime_management_config(
        FunctionName=function_name, UpdateRuntimeOn="FunctionUpdate"
    )
    assert put["UpdateRuntimeOn"] == "FunctionUpdate"
    assert "RuntimeVersionArn" not in put


def test_runtime_management_errors(client: Any, function_name: str) -> None:
    create_function(client, function_name)
    with pytest.raises(ClientError) as excinfo:
        client.put_runtime_management_config(FunctionName=function_name, UpdateRuntimeOn="Never")
    code, message, status = _error(excinfo)
    assert (code, status) == ("ValidationException", 400)
    assert message == (
        "1 validation error detected: Value 'Never' at 'updateRuntimeOn' failed to satisfy "
        "constraint: Member must satisfy enum value set: [Auto, Manual, FunctionUpdate]"
    )
    with pytest.raises(ClientError) as excinfo:
        client.put_runtime_management_config(FunctionName=function_name, UpdateRuntimeOn="Manual")
    assert _error(excinfo)[0] == "InvalidParameterValueException"
    with pytest.raises(ClientError) as excinfo:
        client.get_runtime_management_config(FunctionName=function_name, Qualifier="7")
    code, message, status = _error(excinfo)
    assert (code, status) == ("ResourceNotFoundException", 404)
    assert message == f"Function not found: {function_arn(function_name, '7')}"


# ---------------------------------------------------------------- scaling
def test_scaling_config_needs_a_capacity_provider(client: Any, function_name: str) -> None:
    create_function(client, function_name, Publish=True)
    for call in (
        lambda: client.get_function_scaling_config(FunctionName=function_name, Qualifier="1"),
        lambda: client.put_function_scaling_config(
            FunctionName=function_name,
            Qualifier="1",
            FunctionScalingConfig={"MinExecutionEnvironments": 1, "MaxExecutionEnvironments": 2},
        ),
    ):
        with pytest.raises(ClientError) as excinfo:
            call()
        assert _error(excinfo)[0] == "InvalidParameterValueException"

    with pytest.raises(ClientError) as excinfo:
        client.get_function_scaling_config(FunctionName=function_name, Qualifier="$LATEST")
    code, message, status = _error(excinfo)
    assert (code, status) == ("ValidationException", 400)
    assert message == (
        "1 validation error detected: Value '$LATEST' at 'qualifier' failed to satisfy "
        r"constraint: Member must satisfy regular expression pattern: (\$LATEST\.PUBLISHED|[0-9]+)"
    )
    with pytest.raises(ClientError) as excinfo:
        client.put_function_scaling_config(
            FunctionName=function_name,
            Qualifier="1",
            FunctionScalingConfig={"MaxExecutionEnvironments": 15001},
        )
    assert _error(excinfo)[1] == (
        "1 validation error detected: Value '15001' at "
        "'functionScalingConfig.maxExecutionEnvironments' failed to satisfy constraint: Member "
        "must have value less than or equal to 15000"
    )
    with pytest.raises(ClientError) as excinfo:
        client.get_function_scaling_config(FunctionName=function_name, Qualifier="9")
    assert _error(excinfo)[:2] == (
        "ResourceNotFoundException",
        f"Function not found: {function_arn(function_name, '9')}",
    )


def test_scaling_config_of_a_capacity_provider_function(client: Any, function_name: str) -> None:
    provider = f"{function_name}-cp"
    provider_arn = client.create_capacity_provider(
        CapacityProviderName=provider,
        VpcConfig={"SubnetIds": ["subnet-0123"], "SecurityGroupIds": ["sg-0123"]},
        PermissionsConfig={
            "CapacityProviderOperatorRoleArn": "arn:aws:iam::000000000000:role/lmi-operator"
        },
    )["CapacityProvider"]["CapacityProviderArn"]
    wait_for(
        lambda: (
            client.get_capacity_provider(CapacityProviderName=provider)["CapacityProvider"]["State"]
            == "Active"
        ),
        timeout=15,
    )
    client.create_function(
        FunctionName=function_name,
        Runtime="python3.13",
        Role="r1",
        Handler="app.handler",
        Code={"ZipFile": make_zip({"app.py": "def handler(event, context):\n    return 1\n"})},
        CapacityProviderConfig={
            "LambdaManagedInstancesCapacityProviderConfig": {"CapacityProviderArn": provider_arn}
        },
        Publish=True,
    )
    settled(client, function_name, "1", timeout=60)
    got = client.get_function_scaling_config(FunctionName=function_name, Qualifier="1")
    assert got["FunctionArn"] == function_arn(function_name, "1")
    assert "RequestedFunctionScalingConfig" not in got
    put = client.put_function_scaling_config(
        FunctionName=function_name,
        Qualifier="$LATEST.PUBLISHED",
        FunctionScalingConfig={"MinExecutionEnvironments": 1, "MaxExecutionEnvironments": 3},
    )
    assert put["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert put["FunctionState"] == "Active"
    got = client.get_function_scaling_config(FunctionName=function_name, Qualifier="1")
    wanted = {"MinExecutionEnvironments": 1, "MaxExecutionEnvironments": 3}
    assert got["RequestedFunctionScalingConfig"] == wanted
    assert got["AppliedFunctionScalingConfig"] == wanted


# ---------------------------------------------------------------- durability and the CLI
def test_settings_survive_a_restart(fresh_lambdad: LambdadProcess) -> None:
    fresh_lambdad.start()
    client = fresh_lambdad.lambda_client()
    create_function(client, "kept-settings")
    client.put_function_recursion_config(FunctionName="kept-settings", RecursiveLoop="Allow")
    client.put_runtime_management_config(
        FunctionName="kept-settings", UpdateRuntimeOn="FunctionUpdate"
    )
    fresh_lambdad.stop()
    fresh_lambdad.start()
    client = fresh_lambdad.lambda_client()
    assert (
        client.get_function_recursion_config(FunctionName="kept-settings")["RecursiveLoop"]
        == "Allow"
    )
    assert (
        client.get_runtime_management_config(FunctionName="kept-settings")["UpdateRuntimeOn"]
        == "FunctionUpdate"
    )
    # Deleting the function deletes its settings; a new one starts from the defaults.
    client.delete_function(FunctionName="kept-settings")
    create_function(client, "kept-settings")
    assert (
        client.get_function_recursion_config(FunctionName="kept-settings")["RecursiveLoop"]
        == "Terminate"
    )


def test_aws_cli(lambdad: LambdadProcess, function_name: str) -> None:
    create_function(lambdad.lambda_client(), function_name)
    put = lambdad.aws_json(
        "lambda",
        "put-function-recursion-config",
        "--function-name",
        function_name,
        "--recursive-loop",
        "Allow",
    )
    assert put == {"RecursiveLoop": "Allow"}
    got = lambdad.aws_json(
        "lambda", "get-function-recursion-config", "--function-name", function_name
    )
    assert got == {"RecursiveLoop": "Allow"}
    runtime = lambdad.aws_json(
        "lambda",
        "put-runtime-management-config",
        "--function-name",
        function_name,
        "--update-runtime-on",
        "Manual",
        "--runtime-version-arn",
        RUNTIME_VERSION,
    )
    assert runtime["RuntimeVersionArn"] == RUNTIME_VERSION
    got = lambdad.aws_json(
        "lambda", "get-runtime-management-config", "--function-name", function_name
    )
    assert got["UpdateRuntimeOn"] == "Manual"
    refused = lambdad.aws(
        "lambda",
        "get-function-scaling-config",
        "--function-name",
        function_name,
        "--qualifier",
        "$LATEST.PUBLISHED",
        check=False,
    )
    assert refused.returncode != 0
    assert "ResourceNotFoundException" in refused.stderr
