"""Capacity providers (Lambda Managed Instances) and tenant isolation through boto3 and the AWS CLI.

API shapes, states, validation (with the model's constraints, several violations reported
together), not-found and paging against the shared daemon; then what they mean when a
function runs, with the process and the Docker executor: an environment of a capacity-provider
function runs several invocations at once, and tenants never share an environment.
"""

from __future__ import annotations

import json
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from tests.e2e.support import (
    ACCOUNT,
    REGION,
    ROLE,
    LambdadProcess,
    code_sha256,
    function_arn,
    settled,
    unique_zip,
)
from tests.helpers import make_zip, wait_for

OPERATOR_ROLE = f"arn:aws:iam::{ACCOUNT}:role/lmi-operator"
VPC = {"SubnetIds": ["subnet-0123"], "SecurityGroupIds": ["sg-0123"]}
PERMISSIONS = {"CapacityProviderOperatorRoleArn": OPERATOR_ROLE}
MANAGED = "LambdaManagedInstancesCapacityProviderConfig"
CONFIG_PATH = "capacityProviderConfig.lambdaManagedInstancesCapacityProviderConfig"


def _unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def _unvalidated(lambdad: LambdadProcess) -> Any:
    """A client that sends what it is given, so the server's own validation answers."""
    return lambdad.lambda_client(validated=False)


def _error(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[int, str, str]:
    response = excinfo.value.response
    return (
        response["ResponseMetadata"]["HTTPStatusCode"],
        response["Error"]["Code"],
        response["Error"]["Message"],
    )


def _active_provider(client: Any, name: str | None = None, **extra: Any) -> str:
    """Create a provider, wait until it is Active; its ARN."""
    name = name or _unique("cp")
    created = client.create_capacity_provider(
        CapacityProviderName=name, VpcConfig=VPC, PermissionsConfig=PERMISSIONS, **extra
    )
    arn = str(created["CapacityProvider"]["CapacityProviderArn"])
    wait_for(
        lambda: (
            client.get_capacity_provider(CapacityProviderName=name)["CapacityProvider"]["State"]
            == "Active"
        ),
        timeout=15,
    )
    return arn


def _create_on_provider(
    client: Any, name: str, provider_arn: str, *, code: bytes | None = None, **managed: Any
) -> Any:
    return client.create_function(
        FunctionName=name,
        Runtime="python3.13",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": code or unique_zip(name)},
        Timeout=60,
        CapacityProviderConfig={MANAGED: {"CapacityProviderArn": provider_arn, **managed}},
    )


# --------------------------------------------------------------------- capacity providers
def test_capacity_provider_lifecycle(lambdad: LambdadProcess) -> None:
    client = lambdad.lambda_client()
    name = _unique("cp")
    created = client.create_capacity_provider(
        CapacityProviderName=name,
        VpcConfig=VPC,
        PermissionsConfig=PERMISSIONS,
        InstanceRequirements={"Architectures": ["arm64"], "AllowedInstanceTypes": ["m7g.large"]},
        CapacityProviderScalingConfig={"MaxVCpuCount": 64, "ScalingMode": "Auto"},
        Tags={"team": "a"},
    )
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 202
    provider = created["CapacityProvider"]
    arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:capacity-provider:{name}"
    assert provider["CapacityProviderArn"] == arn
    assert provider["State"] == "Pending"
    assert provider["VpcConfig"] == VPC
    assert provider["PermissionsConfig"] == PERMISSIONS
    assert provider["InstanceRequirements"] == {
        "Architectures": ["arm64"],
        "AllowedInstanceTypes": ["m7g.large"],
    }
    assert provider["CapacityProviderScalingConfig"] == {"MaxVCpuCount": 64, "ScalingMode": "Auto"}
    wait_for(
        lambda: (
            client.get_capacity_provider(CapacityProviderName=name)["CapacityProvider"]["State"]
            == "Active"
        ),
        timeout=15,
    )
    # By ARN too.
    assert (
        client.get_capacity_provider(CapacityProviderName=arn)["CapacityProvider"][
            "CapacityProviderArn"
        ]
        == arn
    )

    updated = client.update_capacity_provider(
        CapacityProviderName=name,
        CapacityProviderScalingConfig={
            "ScalingMode": "Manual",
            "ScalingPolicies": [
                {
                    "PredefinedMetricType": "LambdaCapacityProviderAverageCPUUtilization",
                    "TargetValue": 60.0,
                }
            ],
        },
    )
    assert updated["ResponseMetadata"]["HTTPStatusCode"] == 202
    scaling = updated["CapacityProvider"]["CapacityProviderScalingConfig"]
    assert scaling["ScalingMode"] == "Manual"
    assert scaling["ScalingPolicies"][0]["TargetValue"] == 60.0

    deleted = client.delete_capacity_provider(CapacityProviderName=name)
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert deleted["CapacityProvider"]["State"] == "Deleting"

    def gone() -> bool:
        try:
            client.get_capacity_provider(CapacityProviderName=name)
        except ClientError as error:
            return error.response["Error"]["Code"] == "ResourceNotFoundException"
        return False

    wait_for(gone, timeout=15)


def test_capacity_provider_validation_and_not_found(lambdad: LambdadProcess) -> None:
    client = _unvalidated(lambdad)
    with pytest.raises(ClientError) as excinfo:
        client.create_capacity_provider(CapacityProviderName=_unique("cp"))
    assert _error(excinfo) == (
        400,
        "ValidationException",
        "2 validation errors detected: "
        "Value null at 'vpcConfig' failed to satisfy constraint: Member must not be null; "
        "Value null at 'permissionsConfig' failed to satisfy constraint: "
        "Member must not be null",
    )
    with pytest.raises(ClientError) as excinfo:
        client.create_capacity_provider(
            CapacityProviderName=_unique("cp"),
            VpcConfig={"SubnetIds": [], "SecurityGroupIds": []},
            PermissionsConfig=PERMISSIONS,
        )
    assert _error(excinfo) == (
        400,
        "ValidationException",
        "1 validation error detected: Value '[]' at 'vpcConfig.subnetIds' failed to satisfy "
        "constraint: Member must have length greater than or equal to 1",
    )
    with pytest.raises(ClientError) as excinfo:
        client.create_capacity_provider(
            CapacityProviderName="no spaces",
            VpcConfig=VPC,
            PermissionsConfig=PERMISSIONS,
            CapacityProviderScalingConfig={"MaxVCpuCount": 1},
        )
    status, code, message = _error(excinfo)
    assert (status, code) == (400, "ValidationException")
    assert message.startswith(
        "2 validation errors detected: Value 'no spaces' at 'capacityProviderName' failed to "
        "satisfy constraint: Member must satisfy regular expression pattern: "
    )
    assert message.endswith(
        "Value '1' at 'capacityProviderScalingConfig.maxVCpuCount' failed to satisfy "
        "constraint: Member must have value greater than or equal to 2"
    )

    missing = _unique("missing")
    for call in (
        lambda: client.get_capacity_provider(CapacityProviderName=missing),
        lambda: client.delete_capacity_provider(CapacityProviderName=missing),
        lambda: client.update_capacity_provider(
            CapacityProviderName=missing, CapacityProviderScalingConfig={"ScalingMode": "Auto"}
        ),
        lambda: client.list_function_versions_by_capacity_provider(CapacityProviderName=missing),
    ):
        with pytest.raises(ClientError) as excinfo:
            call()
        assert _error(excinfo) == (
            404,
            "ResourceNotFoundException",
            f"Capacity provider not found: arn:aws:lambda:{REGION}:{ACCOUNT}:"
            f"capacity-provider:{missing}",
        )

    name = _unique("cp")
    _active_provider(client, name)
    with pytest.raises(ClientError) as excinfo:
        client.create_capacity_provider(
            CapacityProviderName=name, VpcConfig=VPC, PermissionsConfig=PERMISSIONS
        )
    assert _error(excinfo)[:2] == (409, "ResourceConflictException")
    with pytest.raises(ClientError) as excinfo:
        client.list_capacity_providers(MaxItems=51)
    assert _error(excinfo) == (
        400,
        "ValidationException",
        "1 validation error detected: Value '51' at 'maxItems' failed to satisfy constraint: "
        "Member must have value less than or equal to 50",
    )


def test_capacity_providers_page_and_filter_by_state(lambdad: LambdadProcess) -> None:
    client = lambdad.lambda_client()
    names = sorted(_unique("page") for _ in range(3))
    for name in names:
        _active_provider(client, name)
    seen: list[str] = []
    kwargs: dict[str, Any] = {"MaxItems": 1, "State": "Active"}
    while True:
        page = client.list_capacity_providers(**kwargs)
        assert len(page["CapacityProviders"]) <= 1
        seen += [p["CapacityProviderArn"].rsplit(":", 1)[1] for p in page["CapacityProviders"]]
        if "NextMarker" not in page:
            break
        kwargs["Marker"] = page["NextMarker"]
    assert [n for n in seen if n in names] == names
    assert seen == sorted(seen)
    paginator = client.get_paginator("list_capacity_providers")
    listed = [
        p["CapacityProviderArn"].rsplit(":", 1)[1]
        for page in paginator.paginate(PaginationConfig={"PageSize": 2})
        for p in page["CapacityProviders"]
    ]
    assert set(names) <= set(listed)
    assert not [
        p
        for p in client.list_capacity_providers(State="Deleting")["CapacityProviders"]
        if p["CapacityProviderArn"].rsplit(":", 1)[1] in names
    ]


# ------------------------------------------------------------- functions on a provider
def test_function_on_capacity_provider(lambdad: LambdadProcess, function_name: str) -> None:
    client = lambdad.lambda_client()
    provider_name = _unique("cp")
    provider = _active_provider(client, provider_name)
    created = _create_on_provider(
        client, function_name, provider, PerExecutionEnvironmentMaxConcurrency=8
    )
    assert created["CapacityProviderConfig"] == {
        MANAGED: {"CapacityProviderArn": provider, "PerExecutionEnvironmentMaxConcurrency": 8}
    }
    # Managed Instances log in JSON only: the default, and Text is refused.
    assert created["LoggingConfig"] == {
        "LogFormat": "JSON",
        "ApplicationLogLevel": "INFO",
        "SystemLogLevel": "INFO",
        "LogGroup": f"/aws/lambda/{function_name}",
    }
    settled(client, function_name)
    got = client.get_function(FunctionName=function_name)["Configuration"]
    assert got["CapacityProviderConfig"][MANAGED]["PerExecutionEnvironmentMaxConcurrency"] == 8
    with pytest.raises(ClientError) as excinfo:
        client.update_function_configuration(
            FunctionName=function_name, LoggingConfig={"LogFormat": "Text"}
        )
    assert _error(excinfo) == (
        400,
        "InvalidParameterValueException",
        "Lambda Managed Instances functions support only the JSON log format.",
    )
    with pytest.raises(ClientError) as excinfo:
        client.create_function(
            FunctionName=f"{function_name}-text",
            Runtime="python3.13",
            Role=ROLE,
            Handler="app.handler",
            Code={"ZipFile": unique_zip(function_name)},
            CapacityProviderConfig={MANAGED: {"CapacityProviderArn": provider}},
            LoggingConfig={"LogFormat": "Text"},
        )
    assert _error(excinfo)[1] == "InvalidParameterValueException"
    updated = client.update_function_configuration(
        FunctionName=function_name,
        CapacityProviderConfig={
            MANAGED: {
                "CapacityProviderArn": provider,
                "PerExecutionEnvironmentMaxConcurrency": 2,
                "ExecutionEnvironmentMemoryGiBPerVCpu": 4.0,
            }
        },
    )
    assert updated["CapacityProviderConfig"][MANAGED] == {
        "CapacityProviderArn": provider,
        "PerExecutionEnvironmentMaxConcurrency": 2,
        "ExecutionEnvironmentMemoryGiBPerVCpu": 4.0,
    }
    settled(client, function_name)
    published = client.publish_version(FunctionName=function_name)["Version"]
    listed = client.list_function_versions_by_capacity_provider(
        CapacityProviderName=provider_name, MaxItems=1
    )
    assert listed["CapacityProviderArn"] == provider
    assert len(listed["FunctionVersions"]) == 1
    second = client.list_function_versions_by_capacity_provider(
        CapacityProviderName=provider_name, Marker=listed["NextMarker"]
    )
    arns = {v["FunctionArn"] for v in listed["FunctionVersions"] + second["FunctionVersions"]}
    assert arns == {
        function_arn(function_name, "$LATEST"),
        function_arn(function_name, published),
    }
    # In use: the provider cannot go.
    with pytest.raises(ClientError) as excinfo:
        client.delete_capacity_provider(CapacityProviderName=provider_name)
    assert _error(excinfo)[:2] == (409, "ResourceConflictException")
    client.delete_function(FunctionName=function_name)
    assert (
        client.delete_capacity_provider(CapacityProviderName=provider_name)["CapacityProvider"][
            "State"
        ]
        == "Deleting"
    )


def test_function_capacity_provider_config_refused(
    lambdad: LambdadProcess, function_name: str
) -> None:
    client = _unvalidated(lambdad)
    provider = _active_provider(client)
    with pytest.raises(ClientError) as excinfo:
        _create_on_provider(
            client, function_name, provider, PerExecutionEnvironmentMaxConcurrency=0
        )
    assert _error(excinfo) == (
        400,
        "ValidationException",
        f"1 validation error detected: Value '0' at '{CONFIG_PATH}."
        "perExecutionEnvironmentMaxConcurrency' failed to satisfy constraint: Member must have "
        "value greater than or equal to 1",
    )
    unknown = f"arn:aws:lambda:{REGION}:{ACCOUNT}:capacity-provider:{_unique('nope')}"
    with pytest.raises(ClientError) as excinfo:
        _create_on_provider(client, function_name, unknown)
    assert _error(excinfo) == (
        400,
        "InvalidParameterValueException",
        f"The capacity provider {unknown} does not exist.",
    )
    with pytest.raises(ClientError) as excinfo:
        client.create_function(
            FunctionName=function_name,
            Runtime="python3.12",
            Role=ROLE,
            Handler="app.handler",
            Code={"ZipFile": unique_zip()},
            CapacityProviderConfig={MANAGED: {"CapacityProviderArn": provider}},
        )
    assert _error(excinfo) == (
        400,
        "InvalidParameterValueException",
        "The runtime python3.12 is not supported for Lambda Managed Instances.",
    )
    with pytest.raises(ClientError) as excinfo:
        client.create_function(
            FunctionName=function_name,
            Runtime="python3.13",
            Role=ROLE,
            Handler="app.handler",
            Code={"ZipFile": unique_zip()},
            PublishTo="SOMEWHERE",
        )
    assert _error(excinfo) == (
        400,
        "ValidationException",
        "1 validation error detected: Value 'SOMEWHERE' at 'publishTo' failed to satisfy "
        "constraint: Member must satisfy enum value set: [LATEST_PUBLISHED]",
    )
    # Functions created without a provider cannot be moved onto one.
    client.create_function(
        FunctionName=function_name,
        Runtime="python3.13",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": unique_zip()},
    )
    settled(client, function_name)
    with pytest.raises(ClientError) as excinfo:
        client.update_function_configuration(
            FunctionName=function_name,
            CapacityProviderConfig={MANAGED: {"CapacityProviderArn": provider}},
        )
    assert _error(excinfo)[:2] == (400, "InvalidParameterValueException")


# ---------------------------------------------------------------------- tenant isolation
def test_tenancy_config_and_tenant_id_rules(lambdad: LambdadProcess, function_name: str) -> None:
    client = _unvalidated(lambdad)
    with pytest.raises(ClientError) as excinfo:
        client.create_function(
            FunctionName=function_name,
            Runtime="python3.12",
            Role=ROLE,
            Handler="app.handler",
            Code={"ZipFile": unique_zip()},
            TenancyConfig={"TenantIsolationMode": "SHARED"},
        )
    assert _error(excinfo) == (
        400,
        "ValidationException",
        "1 validation error detected: Value 'SHARED' at 'tenancyConfig.tenantIsolationMode' "
        "failed to satisfy constraint: Member must satisfy enum value set: [PER_TENANT]",
    )
    created = client.create_function(
        FunctionName=function_name,
        Runtime="python3.12",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": unique_zip()},
        TenancyConfig={"TenantIsolationMode": "PER_TENANT"},
    )
    assert created["TenancyConfig"] == {"TenantIsolationMode": "PER_TENANT"}
    settled(client, function_name)
    assert client.get_function_configuration(FunctionName=function_name)["TenancyConfig"] == {
        "TenantIsolationMode": "PER_TENANT"
    }
    mismatch = (
        400,
        "InvalidParameterValueException",
        "Tenant ID configuration not specified or passed to a function when tenant isolation "
        "is not enabled.",
    )
    with pytest.raises(ClientError) as excinfo:
        client.invoke(FunctionName=function_name, Payload=b"{}")
    assert _error(excinfo) == mismatch
    with pytest.raises(ClientError) as excinfo:
        client.invoke(FunctionName=function_name, Payload=b"{}", TenantId="bad#tenant")
    assert _error(excinfo) == (
        400,
        "ValidationException",
        "1 validation error detected: Value 'bad#tenant' at 'tenantId' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9\\._:\\/=+\\-@ ]+",
    )
    other = _unique("shared")
    client.create_function(
        FunctionName=other,
        Runtime="python3.12",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": unique_zip()},
    )
    settled(client, other)
    assert "TenancyConfig" not in client.get_function_configuration(FunctionName=other)
    with pytest.raises(ClientError) as excinfo:
        client.invoke(FunctionName=other, Payload=b"{}", TenantId="blue")
    assert _error(excinfo) == mismatch
    # Event invocations follow the same rule, and a tenant's event is accepted.
    with pytest.raises(ClientError) as excinfo:
        client.invoke(FunctionName=function_name, Payload=b"{}", InvocationType="Event")
    assert _error(excinfo) == mismatch
    accepted = client.invoke(
        FunctionName=function_name, Payload=b"{}", InvocationType="Event", TenantId="blue"
    )
    assert accepted["StatusCode"] == 202


def test_cli_capacity_provider_and_tenant(
    lambdad: LambdadProcess, function_name: str, tmp_path: Path
) -> None:
    name = _unique("cli")
    created = lambdad.aws_json(
        "lambda",
        "create-capacity-provider",
        "--capacity-provider-name",
        name,
        "--vpc-config",
        json.dumps(VPC),
        "--permissions-config",
        json.dumps(PERMISSIONS),
    )
    assert created["CapacityProvider"]["State"] == "Pending"
    wait_for(
        lambda: (
            lambdad.aws_json("lambda", "get-capacity-provider", "--capacity-provider-name", name)[
                "CapacityProvider"
            ]["State"]
            == "Active"
        ),
        timeout=20,
    )
    listed = lambdad.aws_json("lambda", "list-capacity-providers", "--state", "Active")
    assert created["CapacityProvider"]["CapacityProviderArn"] in {
        p["CapacityProviderArn"] for p in listed["CapacityProviders"]
    }
    missing = lambdad.aws(
        "lambda",
        "get-capacity-provider",
        "--capacity-provider-name",
        _unique("missing"),
        check=False,
    )
    assert missing.returncode != 0
    assert "ResourceNotFoundException" in missing.stderr

    code = tmp_path / "code.zip"
    code.write_bytes(
        make_zip(
            {"app.py": "def handler(event, context):\n    return {'tenant': context.tenant_id}\n"}
        )
    )
    lambdad.aws_json(
        "lambda",
        "create-function",
        "--function-name",
        function_name,
        "--runtime",
        "python3.12",
        "--role",
        ROLE,
        "--handler",
        "app.handler",
        "--zip-file",
        f"fileb://{code}",
        "--tenancy-config",
        "TenantIsolationMode=PER_TENANT",
    )
    settled(lambdad.lambda_client(), function_name)
    out = tmp_path / "out.json"
    result = lambdad.aws_json(
        "lambda", "invoke", "--function-name", function_name, "--tenant-id", "blue", str(out)
    )
    assert result["StatusCode"] == 200
    assert json.loads(out.read_text()) == {"tenant": "blue"}
    refused = lambdad.aws(
        "lambda", "invoke", "--function-name", function_name, str(out), check=False
    )
    assert refused.returncode != 0
    assert "InvalidParameterValueException" in refused.stderr


# ------------------------------------------------------------------- what it means at run
# Each invocation leaves a marker in the environment's /tmp and waits (bounded) until it sees
# `expected` markers: only invocations running at once in one environment can all see them.
CONCURRENT_HANDLER = """
import os, time, uuid
def handler(event, context):
    started = time.time()
    marker_dir = "/tmp/markers-" + event["round"]
    os.makedirs(marker_dir, exist_ok=True)
    open(os.path.join(marker_dir, uuid.uuid4().hex), "w").close()
    deadline = time.time() + 45
    while len(os.listdir(marker_dir)) < event["expected"] and time.time() < deadline:
        time.sleep(0.05)
    return {
        "started": started,
        "ended": time.time(),
        "seen": len(os.listdir(marker_dir)),
        "stream": os.environ["AWS_LAMBDA_LOG_STREAM_NAME"],
        "max_concurrency": os.environ.get("AWS_LAMBDA_MAX_CONCURRENCY"),
        "pid": os.getpid(),
    }
"""

TENANT_HANDLER = """
import os, uuid
BOOT = uuid.uuid4().hex
def handler(event, context):
    return {
        "tenant": context.tenant_id,
        "stream": os.environ["AWS_LAMBDA_LOG_STREAM_NAME"],
        "boot": BOOT,
    }
"""


def _invoke_together(client: Any, function_name: str, concurrency: int) -> list[dict[str, Any]]:
    """`concurrency` invocations released at once, all of one round (the handlers wait until
    they have seen each other's markers); each answer's body, with its `request_id`."""
    round_id = uuid.uuid4().hex
    barrier = threading.Barrier(concurrency)

    def invoke(_: int) -> dict[str, Any]:
        barrier.wait(timeout=60)
        response = client.invoke(
            FunctionName=function_name,
            Payload=json.dumps({"round": round_id, "expected": concurrency}),
        )
        assert "FunctionError" not in response, response["Payload"].read()
        body = dict(json.loads(response["Payload"].read()))
        body["request_id"] = response["ResponseMetadata"]["RequestId"]
        return body

    with ThreadPoolExecutor(concurrency) as pool:
        return list(pool.map(invoke, range(concurrency)))


def test_environment_runs_its_max_concurrency_at_once(
    served: LambdadProcess, function_name: str
) -> None:
    client = served.lambda_client()
    provider = _active_provider(client)
    concurrency = 3
    _create_on_provider(
        client,
        function_name,
        provider,
        code=make_zip({"app.py": CONCURRENT_HANDLER}),
        PerExecutionEnvironmentMaxConcurrency=concurrency,
    )
    settled(client, function_name, timeout=60)
    results = _invoke_together(client, function_name, concurrency)
    # One environment (one log stream), every invocation saw all markers: they ran together.
    assert {r["stream"] for r in results} == {results[0]["stream"]}
    assert [r["seen"] for r in results] == [concurrency] * concurrency
    assert max(r["started"] for r in results) < min(r["ended"] for r in results)
    assert {r["max_concurrency"] for r in results} == {str(concurrency)}
    # awslambdaric runs each concurrent invocation in a process of its own.
    assert len({r["pid"] for r in results}) == concurrency


# One environment, shared state in /tmp/<round>. "slow" runs past the timeout until the test
# releases it; "fast" returns once the slow one's deadline has passed; "probe" reads the state.
TIMEOUT_HANDLER = """
import json, logging, os, time
def handler(event, context):
    state = "/tmp/" + event["round"]
    os.makedirs(state, exist_ok=True)
    stream = os.environ["AWS_LAMBDA_LOG_STREAM_NAME"]
    kind = event["kind"]
    if kind == "slow":
        deadline = time.time() + context.get_remaining_time_in_millis() / 1000
        with open(state + "/slow-started", "w") as out:
            out.write(json.dumps({"at": time.time(), "deadline": deadline}))
        stop = time.time() + 60
        while not os.path.exists(state + "/release") and time.time() < stop:
            time.sleep(0.05)
        open(state + "/slow-done", "w").close()
        return "late"
    if kind == "fast":
        with open(state + "/slow-started") as source:
            slow_deadline = json.load(source)["deadline"]
        open(state + "/fast-" + context.aws_request_id, "w").close()
        stop = time.time() + context.get_remaining_time_in_millis() / 1000 - 0.5
        while time.time() < min(slow_deadline + 1.0, stop):
            time.sleep(0.05)
        logging.getLogger().info("fast done")
        return {"after_slow_deadline": time.time() > slow_deadline, "stream": stream}
    if kind == "release":
        open(state + "/release", "w").close()
    started = None
    if os.path.exists(state + "/slow-started"):
        with open(state + "/slow-started") as source:
            started = json.load(source)["at"]
    return {"files": sorted(os.listdir(state)), "now": time.time(), "slow_started": started,
            "stream": stream}
"""


def test_a_timeout_fails_only_its_own_invocation(
    served: LambdadProcess, function_name: str
) -> None:
    """Lambda Managed Instances: a timed-out invocation fails alone; its code goes on (AWS
    does not stop it), and the environment and its other invocations go on."""
    client = served.lambda_client()
    provider = _active_provider(client)
    client.create_function(
        FunctionName=function_name,
        Runtime="python3.13",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": make_zip({"app.py": TIMEOUT_HANDLER})},
        Timeout=6,
        CapacityProviderConfig={
            MANAGED: {"CapacityProviderArn": provider, "PerExecutionEnvironmentMaxConcurrency": 4}
        },
    )
    settled(client, function_name, timeout=60)
    round_id = uuid.uuid4().hex

    def call(kind: str) -> dict[str, Any]:
        response = client.invoke(
            FunctionName=function_name, Payload=json.dumps({"round": round_id, "kind": kind})
        )
        return {
            "error": response.get("FunctionError"),
            "body": json.loads(response["Payload"].read()),
            "request_id": response["ResponseMetadata"]["RequestId"],
        }

    first = call("probe")["body"]
    with ThreadPoolExecutor(3) as pool:
        slow = pool.submit(call, "slow")
        # The fast ones start 2 s into the slow one, so they outlive its 6 s deadline.
        wait_for(
            lambda: (
                (b := call("probe")["body"])["slow_started"] and b["now"] > b["slow_started"] + 2
            ),
            timeout=60,
        )
        fast = [pool.submit(call, "fast") for _ in range(2)]
        timed_out = slow.result(timeout=60)
        fast_results = [f.result(timeout=60) for f in fast]

    assert timed_out["error"] == "Unhandled"
    assert timed_out["body"]["errorType"] == "Sandbox.Timedout"
    assert timed_out["body"]["errorMessage"].endswith("Task timed out after 6.00 seconds")
    for result in fast_results:
        assert result["error"] is None, result
        assert result["body"] == {"after_slow_deadline": True, "stream": first["stream"]}
    # The timed-out code was not stopped: released now, it finishes in the same environment.
    call("release")
    done = wait_for(lambda: "slow-done" in (b := call("probe")["body"])["files"] and b, timeout=30)
    assert done["stream"] == first["stream"]
    # JSON logs (the only format of Managed Instances): each line names its invocation.
    logs = boto3.client(
        "logs",
        endpoint_url=served.endpoint,
        region_name=REGION,
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    request_id = fast_results[0]["request_id"]

    def fast_line() -> list[dict[str, Any]]:
        events = logs.filter_log_events(
            logGroupName=f"/aws/lambda/{function_name}",
            filterPattern=f'{{ $.requestId = "{request_id}" && $.message = "fast done" }}',
        )["events"]
        return [json.loads(e["message"]) for e in events]

    (line,) = wait_for(fast_line, timeout=30)
    assert line["level"] == "INFO" and line["requestId"] == request_id
    report = f'{{ $.type = "platform.report" && $.record.requestId = "{timed_out["request_id"]}" }}'
    statuses = wait_for(
        lambda: [
            json.loads(e["message"])["record"]["status"]
            for e in logs.filter_log_events(
                logGroupName=f"/aws/lambda/{function_name}",
                filterPattern=report,
            )["events"]
        ],
        timeout=30,
    )
    assert statuses == ["timeout"]


# Node.js: every invocation leaves a marker and waits (bounded, without blocking its thread)
# until it sees `expected` of them, then says which worker thread ran it.
NODE_CONCURRENT_HANDLER = """
import fs from "node:fs";
import { threadId } from "node:worker_threads";

export const handler = async (event, context) => {
  const dir = `/tmp/markers-${event.round}`;
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(`${dir}/${context.awsRequestId}`, "");
  const deadline = Date.now() + 45000;
  while (fs.readdirSync(dir).length < event.expected && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  console.log("node marker");
  return {
    seen: fs.readdirSync(dir).length,
    thread: threadId,
    stream: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
  };
};
"""


@pytest.mark.parametrize("workers", [1, 2])
def test_node_environment_runs_its_max_concurrency_at_once(
    lambdad: LambdadProcess, function_name: str, workers: int
) -> None:
    """lambdad's Node.js client on Managed Instances, as AWS's: worker threads
    (AWS_LAMBDA_NODEJS_WORKER_COUNT), each running several async invocations at once. (The
    process executor runs the client from this tree; runtime images carry the copy they were
    built with.)"""
    client = lambdad.lambda_client()
    provider = _active_provider(client)
    concurrency = 4
    client.create_function(
        FunctionName=function_name,
        Runtime="nodejs22.x",
        Role=ROLE,
        Handler="index.handler",
        Code={"ZipFile": make_zip({"index.mjs": NODE_CONCURRENT_HANDLER})},
        Timeout=60,
        Environment={"Variables": {"AWS_LAMBDA_NODEJS_WORKER_COUNT": str(workers)}},
        CapacityProviderConfig={
            MANAGED: {
                "CapacityProviderArn": provider,
                "PerExecutionEnvironmentMaxConcurrency": concurrency,
            }
        },
    )
    settled(client, function_name, timeout=60)
    results = _invoke_together(client, function_name, concurrency)
    # One environment, and every invocation saw all markers: they ran together, spread over
    # the worker threads (two each with two workers, all four on one thread with one).
    assert {r["stream"] for r in results} == {results[0]["stream"]}
    assert [r["seen"] for r in results] == [concurrency] * concurrency
    threads = [r["thread"] for r in results]
    assert len(set(threads)) == workers
    assert sorted(threads.count(t) for t in set(threads)) == [concurrency // workers] * workers
    # JSON logs (Managed Instances): each console line names its own invocation.
    logs = boto3.client(
        "logs",
        endpoint_url=lambdad.endpoint,
        region_name=REGION,
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    for result in results:
        pattern = f'{{ $.requestId = "{result["request_id"]}" && $.message = "node marker" }}'
        wait_for(
            lambda pattern=pattern: logs.filter_log_events(
                logGroupName=f"/aws/lambda/{function_name}", filterPattern=pattern
            )["events"],
            timeout=30,
        )


def test_tenants_never_share_an_environment(served: LambdadProcess, function_name: str) -> None:
    client = served.lambda_client()
    client.create_function(
        FunctionName=function_name,
        Runtime="python3.13",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": make_zip({"app.py": TENANT_HANDLER})},
        Timeout=30,
        TenancyConfig={"TenantIsolationMode": "PER_TENANT"},
    )
    settled(client, function_name, timeout=60)
    results: dict[str, list[dict[str, Any]]] = {"blue": [], "green": []}
    for tenant in ("blue", "green", "blue", "green"):
        response = client.invoke(FunctionName=function_name, Payload=b"{}", TenantId=tenant)
        assert "FunctionError" not in response
        results[tenant].append(json.loads(response["Payload"].read()))
    for tenant, answers in results.items():
        assert {a["tenant"] for a in answers} == {tenant}
    blue = {(a["stream"], a["boot"]) for a in results["blue"]}
    green = {(a["stream"], a["boot"]) for a in results["green"]}
    assert not blue & green
    # A tenant's warm environment is reused for it.
    assert len(blue) == 1 and len(green) == 1


def test_latest_published_version(lambdad: LambdadProcess, function_name: str) -> None:
    client = lambdad.lambda_client()
    provider = _active_provider(client)
    created = client.create_function(
        FunctionName=function_name,
        Runtime="python3.13",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": unique_zip(function_name)},
        CapacityProviderConfig={MANAGED: {"CapacityProviderArn": provider}},
        PublishTo="LATEST_PUBLISHED",
    )
    assert created["Version"] == "$LATEST.PUBLISHED"
    settled(client, function_name)
    settled(client, function_name, "$LATEST.PUBLISHED")
    client.update_function_configuration(FunctionName=function_name, Timeout=7)
    settled(client, function_name)
    republished = client.publish_version(FunctionName=function_name, PublishTo="LATEST_PUBLISHED")
    assert republished["Version"] == "$LATEST.PUBLISHED"
    assert republished["FunctionArn"] == function_arn(function_name, "$LATEST.PUBLISHED")
    got = client.get_function_configuration(
        FunctionName=function_name, Qualifier="$LATEST.PUBLISHED"
    )
    assert got["Timeout"] == 7
    versions = [
        v["Version"]
        for v in client.list_versions_by_function(FunctionName=function_name)["Versions"]
    ]
    assert versions == ["$LATEST", "$LATEST.PUBLISHED"]
    # The unqualified name runs $LATEST.PUBLISHED.
    invoked = client.invoke(FunctionName=function_name, Payload=b"{}")
    assert invoked["ExecutedVersion"] == "$LATEST.PUBLISHED"
    # UpdateFunctionCode publishes the new code to $LATEST.PUBLISHED once it has settled.
    new_code = unique_zip(f"{function_name}-v2")
    code_published = client.update_function_code(
        FunctionName=function_name, ZipFile=new_code, PublishTo="LATEST_PUBLISHED"
    )
    assert code_published["Version"] == "$LATEST.PUBLISHED"
    assert code_published["CodeSha256"] == code_sha256(new_code)
    assert client.get_function_configuration(
        FunctionName=function_name, Qualifier="$LATEST.PUBLISHED"
    )["CodeSha256"] == code_sha256(new_code)
    # Not for functions without a capacity provider.
    other = _unique("plain")
    client.create_function(
        FunctionName=other,
        Runtime="python3.13",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": unique_zip(other)},
    )
    settled(client, other)
    with pytest.raises(ClientError) as excinfo:
        client.publish_version(FunctionName=other, PublishTo="LATEST_PUBLISHED")
    assert _error(excinfo) == (
        400,
        "InvalidParameterValueException",
        "PublishTo is only supported for functions with a CapacityProviderConfig.",
    )
    with pytest.raises(ClientError) as excinfo:
        client.update_function_code(
            FunctionName=other, ZipFile=unique_zip(other), PublishTo="LATEST_PUBLISHED"
        )
    assert _error(excinfo) == (
        400,
        "InvalidParameterValueException",
        "PublishTo is only supported for functions with a CapacityProviderConfig.",
    )


def test_runtime_and_accelerator_config_are_kept(
    lambdad: LambdadProcess, function_name: str
) -> None:
    client = _unvalidated(lambdad)
    runtime_arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:runtime/my-custom-runtime"
    with pytest.raises(ClientError) as excinfo:
        client.create_function(
            FunctionName=function_name,
            Runtime="python3.13",
            Role=ROLE,
            Handler="app.handler",
            Code={"ZipFile": unique_zip()},
            RuntimeConfig={"RuntimeArn": "arn:aws:lambda:us-east-1:1:runtime/x"},
            AcceleratorConfig={},
        )
    assert _error(excinfo) == (
        400,
        "ValidationException",
        # A value too short and unmatched breaks two constraints, each reported (length first).
        "4 validation errors detected: "
        "Value 'arn:aws:lambda:us-east-1:1:runtime/x' at 'runtimeConfig.runtimeArn' failed to "
        "satisfy constraint: Member must have length greater than or equal to 48; "
        "Value 'arn:aws:lambda:us-east-1:1:runtime/x' at 'runtimeConfig.runtimeArn' failed to "
        "satisfy constraint: Member must satisfy regular expression pattern: "
        r"arn:[a-z-]+:lambda:[a-z0-9-]+:\d{12}:runtime/.+; "
        "Value null at 'runtimeConfig.runtimeAlias' failed to satisfy constraint: Member must "
        "not be null; "
        "Value null at 'acceleratorConfig.acceleratorMemorySize' failed to satisfy constraint: "
        "Member must not be null",
    )
    created = client.create_function(
        FunctionName=function_name,
        Runtime="python3.13",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": unique_zip()},
        RuntimeConfig={"RuntimeArn": runtime_arn, "RuntimeAlias": "live"},
        AcceleratorConfig={"AcceleratorMemorySize": 16},
    )
    assert created["RuntimeConfig"] == {"RuntimeArn": runtime_arn, "RuntimeAlias": "live"}
    assert created["AcceleratorConfig"] == {"AcceleratorMemorySize": 16}
    settled(client, function_name)
    updated = client.update_function_configuration(
        FunctionName=function_name, AcceleratorConfig={"AcceleratorMemorySize": 24}
    )
    assert updated["AcceleratorConfig"] == {"AcceleratorMemorySize": 24}
    assert updated["RuntimeConfig"] == {"RuntimeArn": runtime_arn, "RuntimeAlias": "live"}


def test_capacity_provider_propagate_tags_and_telemetry(lambdad: LambdadProcess) -> None:
    client = _unvalidated(lambdad)
    name = _unique("cp")
    provider = client.create_capacity_provider(
        CapacityProviderName=name,
        VpcConfig=VPC,
        PermissionsConfig=PERMISSIONS,
        PropagateTags={"Mode": "Explicit", "ExplicitTags": {"cost": "lmi"}},
        TelemetryConfig={"LoggingConfig": {"SystemLogLevel": "WARN", "LogGroup": "/lmi/cp"}},
    )["CapacityProvider"]
    assert provider["PropagateTags"] == {"Mode": "Explicit", "ExplicitTags": {"cost": "lmi"}}
    assert provider["TelemetryConfig"] == {
        "LoggingConfig": {"SystemLogLevel": "WARN", "LogGroup": "/lmi/cp"}
    }
    with pytest.raises(ClientError) as excinfo:
        client.create_capacity_provider(
            CapacityProviderName=_unique("cp"),
            VpcConfig=VPC,
            PermissionsConfig=PERMISSIONS,
            PropagateTags={"Mode": "Always"},
        )
    assert _error(excinfo) == (
        400,
        "ValidationException",
        "1 validation error detected: Value 'Always' at 'propagateTags.mode' failed to satisfy "
        "constraint: Member must satisfy enum value set: [None, Explicit]",
    )
    # UpdateCapacityProvider replaces both once the provider is Active, and checks them alike.
    wait_for(
        lambda: (
            client.get_capacity_provider(CapacityProviderName=name)["CapacityProvider"]["State"]
            == "Active"
        ),
        timeout=15,
    )
    updated = client.update_capacity_provider(
        CapacityProviderName=name,
        PropagateTags={"Mode": "None"},
        TelemetryConfig={"LoggingConfig": {"SystemLogLevel": "DEBUG", "LogGroup": "/lmi/new"}},
    )["CapacityProvider"]
    assert updated["PropagateTags"] == {"Mode": "None"}
    assert updated["TelemetryConfig"] == {
        "LoggingConfig": {"SystemLogLevel": "DEBUG", "LogGroup": "/lmi/new"}
    }
    got = client.get_capacity_provider(CapacityProviderName=name)["CapacityProvider"]
    assert (got["PropagateTags"], got["TelemetryConfig"]) == (
        updated["PropagateTags"],
        updated["TelemetryConfig"],
    )
    # A member not given keeps its value.
    rescaled = client.update_capacity_provider(
        CapacityProviderName=name, CapacityProviderScalingConfig={"ScalingMode": "Auto"}
    )["CapacityProvider"]
    assert rescaled["PropagateTags"] == {"Mode": "None"}
    with pytest.raises(ClientError) as excinfo:
        client.update_capacity_provider(
            CapacityProviderName=name,
            TelemetryConfig={"LoggingConfig": {"SystemLogLevel": "TRACE"}},
        )
    assert _error(excinfo) == (
        400,
        "ValidationException",
        "1 validation error detected: Value 'TRACE' at 'telemetryConfig.loggingConfig."
        "systemLogLevel' failed to satisfy constraint: Member must satisfy enum value set: "
        "[DEBUG, INFO, WARN]",
    )


def test_tenant_isolated_function_refuses_urls_provisioned_and_mappings(
    lambdad: LambdadProcess, function_name: str
) -> None:
    client = lambdad.lambda_client()
    client.create_function(
        FunctionName=function_name,
        Runtime="python3.12",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": unique_zip()},
        TenancyConfig={"TenantIsolationMode": "PER_TENANT"},
    )
    settled(client, function_name)
    version = client.publish_version(FunctionName=function_name)["Version"]

    def refused(call: Any, feature: str) -> None:
        with pytest.raises(ClientError) as excinfo:
            call()
        assert _error(excinfo) == (
            400,
            "InvalidParameterValueException",
            f"{feature} not supported for functions with tenant isolation mode.",
        )

    refused(
        lambda: client.create_function_url_config(FunctionName=function_name, AuthType="NONE"),
        "Function URLs are",
    )
    refused(
        lambda: client.put_provisioned_concurrency_config(
            FunctionName=function_name,
            Qualifier=version,
            ProvisionedConcurrentExecutions=1,
        ),
        "Provisioned concurrency is",
    )
    refused(
        lambda: client.create_event_source_mapping(
            FunctionName=function_name,
            EventSourceArn=f"arn:aws:sqs:{REGION}:{ACCOUNT}:{_unique('q')}",
        ),
        "Event source mappings are",
    )


def test_capacity_provider_arn_is_taggable(lambdad: LambdadProcess) -> None:
    client = lambdad.lambda_client()
    arn = _active_provider(client, Tags={"team": "a"})
    assert client.list_tags(Resource=arn)["Tags"] == {"team": "a"}
    client.tag_resource(Resource=arn, Tags={"stage": "dev"})
    assert client.list_tags(Resource=arn)["Tags"] == {"team": "a", "stage": "dev"}
    client.untag_resource(Resource=arn, TagKeys=["team"])
    assert client.list_tags(Resource=arn)["Tags"] == {"stage": "dev"}
    missing = arn.rsplit(":", 1)[0] + ":" + _unique("nosuch")
    with pytest.raises(ClientError) as excinfo:
        client.list_tags(Resource=missing)
    assert _error(excinfo) == (
        404,
        "ResourceNotFoundException",
        f"Capacity provider not found: {missing}",
    )


def test_providers_scaling_and_tenancy_survive_a_restart(fresh_lambdad: LambdadProcess) -> None:
    fresh_lambdad.start()
    client = fresh_lambdad.lambda_client()
    provider = _active_provider(client, "kept-provider", Tags={"team": "a"})
    _create_on_provider(client, "kept-on-provider", provider)
    settled(client, "kept-on-provider")
    scaling = {"MinExecutionEnvironments": 1, "MaxExecutionEnvironments": 3}
    client.publish_version(FunctionName="kept-on-provider")
    client.put_function_scaling_config(
        FunctionName="kept-on-provider", Qualifier="1", FunctionScalingConfig=scaling
    )
    client.create_function(
        FunctionName="kept-tenancy",
        Runtime="python3.12",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": unique_zip()},
        TenancyConfig={"TenantIsolationMode": "PER_TENANT"},
    )
    before = client.get_capacity_provider(CapacityProviderName=provider)["CapacityProvider"]
    fresh_lambdad.stop()
    fresh_lambdad.start()
    client = fresh_lambdad.lambda_client()
    assert client.get_capacity_provider(CapacityProviderName=provider)["CapacityProvider"] == before
    assert client.list_tags(Resource=provider)["Tags"] == {"team": "a"}
    listed = client.list_function_versions_by_capacity_provider(CapacityProviderName=provider)
    assert function_arn("kept-on-provider", "1") in [
        v["FunctionArn"] for v in listed["FunctionVersions"]
    ]
    got = client.get_function_scaling_config(FunctionName="kept-on-provider", Qualifier="1")
    assert got["RequestedFunctionScalingConfig"] == scaling
    assert client.get_function_configuration(FunctionName="kept-tenancy")["TenancyConfig"] == {
        "TenantIsolationMode": "PER_TENANT"
    }
