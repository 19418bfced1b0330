"""Answers carry the members of the model's output shapes: none the shape lacks, and those
AWS always returns.

botocore drops members its model does not know while parsing, so the raw bodies are read
(ResponseRecorder) and walked against the output shape of their operation. A module fixture
sets up one of each resource the read operations need (function, version, alias, policy,
concurrency, URL, async invoke config, layer version and its policy, code signing config,
tags, resource policy); every answer of the module, writes included, is checked.

Further fixtures do the same for event source mappings (SQS, DynamoDB Streams and Kinesis
against moto), provisioned concurrency, capacity providers and durable executions (the
function records the raw answers of the calls only it can make: its checkpoints and state
reads). Members an output shape marks `required` count as always returned, and a success
answers with the status code of the model (or of AWS's recordings where they differ).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import botocore.session
import pytest

from tests.e2e.support import (
    ACCOUNT,
    REGION,
    ROLE,
    LambdadProcess,
    ResponseRecorder,
    aws_client,
    create_function,
    create_queue,
    settled,
    unique_zip,
)
from tests.helpers import make_zip, wait_for

pytestmark = pytest.mark.e2e

MODEL = botocore.session.get_session().get_service_model("lambda")

# Members AWS returns on every answer of a shape (lambda-spec §1.3 and §2.3's recorded
# answers, and the members a resource of that kind cannot lack).
_CONFIGURATION = frozenset(
    {
        "FunctionName",
        "FunctionArn",
        "Runtime",
        "Role",
        "Handler",
        "CodeSize",
        "Description",
        "Timeout",
        "MemorySize",
        "LastModified",
        "CodeSha256",
        "Version",
        "TracingConfig",
        "RevisionId",
        "PackageType",
        "Architectures",
        "EphemeralStorage",
        "SnapStart",
        "LoggingConfig",
    }
)
_ZIP_ONLY = frozenset({"Runtime", "Handler"})
ALWAYS: dict[str, frozenset[str]] = {
    "FunctionConfiguration": _CONFIGURATION,
    "GetFunctionResponse": frozenset({"Configuration", "Code"}),
    "FunctionCodeLocation": frozenset({"RepositoryType", "Location"}),
    "AliasConfiguration": frozenset(
        {"AliasArn", "Name", "FunctionVersion", "Description", "RevisionId"}
    ),
    "AddPermissionResponse": frozenset({"Statement"}),
    "GetPolicyResponse": frozenset({"Policy", "RevisionId"}),
    "GetAccountSettingsResponse": frozenset({"AccountLimit", "AccountUsage"}),
    "AccountLimit": frozenset(
        {
            "TotalCodeSize",
            "CodeSizeUnzipped",
            "CodeSizeZipped",
            "ConcurrentExecutions",
            "UnreservedConcurrentExecutions",
        }
    ),
    "AccountUsage": frozenset({"TotalCodeSize", "FunctionCount"}),
    "GetFunctionConcurrencyResponse": frozenset({"ReservedConcurrentExecutions"}),
    "PutFunctionConcurrencyResponse": frozenset({"ReservedConcurrentExecutions"}),
    "Concurrency": frozenset({"ReservedConcurrentExecutions"}),
    "GetFunctionUrlConfigResponse": frozenset(
        {"FunctionUrl", "FunctionArn", "AuthType", "CreationTime", "LastModifiedTime", "InvokeMode"}
    ),
    # InvokeMode only when the request gave one (lambda-spec §5.1).
    "CreateFunctionUrlConfigResponse": frozenset(
        {"FunctionUrl", "FunctionArn", "AuthType", "CreationTime"}
    ),
    "FunctionUrlConfig": frozenset(
        {"FunctionUrl", "FunctionArn", "AuthType", "CreationTime", "LastModifiedTime", "InvokeMode"}
    ),
    "FunctionEventInvokeConfig": frozenset({"LastModified", "FunctionArn"}),
    "GetLayerVersionResponse": frozenset(
        {"Content", "LayerArn", "LayerVersionArn", "Description", "CreatedDate", "Version"}
    ),
    "PublishLayerVersionResponse": frozenset(
        {"Content", "LayerArn", "LayerVersionArn", "Description", "CreatedDate", "Version"}
    ),
    "LayerVersionContentOutput": frozenset({"CodeSha256", "CodeSize"}),
    "LayerVersionsListItem": frozenset(
        {"LayerVersionArn", "Version", "Description", "CreatedDate"}
    ),
    "LayersListItem": frozenset({"LayerName", "LayerArn", "LatestMatchingVersion"}),
    "GetLayerVersionPolicyResponse": frozenset({"Policy", "RevisionId"}),
    "AddLayerVersionPermissionResponse": frozenset({"Statement", "RevisionId"}),
    "CodeSigningConfig": frozenset(
        {
            "CodeSigningConfigId",
            "CodeSigningConfigArn",
            "Description",
            "AllowedPublishers",
            "CodeSigningPolicies",
            "LastModified",
        }
    ),
    "GetFunctionRecursionConfigResponse": frozenset({"RecursiveLoop"}),
    "GetRuntimeManagementConfigResponse": frozenset({"UpdateRuntimeOn", "FunctionArn"}),
    "GetFunctionCodeSigningConfigResponse": frozenset({"CodeSigningConfigArn", "FunctionName"}),
    "ListFunctionsResponse": frozenset({"Functions"}),
    "ListAliasesResponse": frozenset({"Aliases"}),
    "ListVersionsByFunctionResponse": frozenset({"Versions"}),
    "ListLayersResponse": frozenset({"Layers"}),
    "ListLayerVersionsResponse": frozenset({"LayerVersions"}),
    "ListTagsResponse": frozenset({"Tags"}),
    "ListCodeSigningConfigsResponse": frozenset({"CodeSigningConfigs"}),
    "ListFunctionUrlConfigsResponse": frozenset({"FunctionUrlConfigs"}),
    "ListEventSourceMappingsResponse": frozenset({"EventSourceMappings"}),
    "ListFunctionEventInvokeConfigsResponse": frozenset({"FunctionEventInvokeConfigs"}),
    "ListFunctionsByCodeSigningConfigResponse": frozenset({"FunctionArns"}),
    "ListProvisionedConcurrencyConfigsResponse": frozenset({"ProvisionedConcurrencyConfigs"}),
    "GetResourcePolicyResponse": frozenset({"Policy", "RevisionId"}),
    # lambda-spec §6.1's recorded SQS answer; the stream members are in _STREAM_ONLY.
    "EventSourceMappingConfiguration": frozenset(
        {
            "UUID",
            "EventSourceArn",
            "FunctionArn",
            "LastModified",
            "State",
            "StateTransitionReason",
            "BatchSize",
            "MaximumBatchingWindowInSeconds",
            "FunctionResponseTypes",
            "EventSourceMappingArn",
        }
    ),
    # A provisioned concurrency config shows its counts, status and time in every answer
    # (the model marks none required; Available comes with the Get and List answers).
    "PutProvisionedConcurrencyConfigResponse": frozenset(
        {
            "RequestedProvisionedConcurrentExecutions",
            "AllocatedProvisionedConcurrentExecutions",
            "Status",
            "LastModified",
        }
    ),
    "GetProvisionedConcurrencyConfigResponse": frozenset(
        {
            "RequestedProvisionedConcurrentExecutions",
            "AvailableProvisionedConcurrentExecutions",
            "AllocatedProvisionedConcurrentExecutions",
            "Status",
            "LastModified",
        }
    ),
    "ProvisionedConcurrencyConfigListItem": frozenset(
        {
            "FunctionArn",
            "RequestedProvisionedConcurrentExecutions",
            "AvailableProvisionedConcurrentExecutions",
            "AllocatedProvisionedConcurrentExecutions",
            "Status",
            "LastModified",
        }
    ),
    "ListDurableExecutionsByFunctionResponse": frozenset({"DurableExecutions"}),
    "CapacityProvider": frozenset({"LastModified"}),
}
# What a stream's mapping has and an SQS mapping has not (lambda-spec §6.1: "no
# StartingPosition, no retry fields" on SQS; the Kinesis and DynamoDB answers list these).
_STREAM_ONLY = frozenset(
    {
        "StartingPosition",
        "LastProcessingResult",
        "ParallelizationFactor",
        "MaximumRecordAgeInSeconds",
        "MaximumRetryAttempts",
        "BisectBatchOnFunctionError",
        "TumblingWindowInSeconds",
        "DestinationConfig",
    }
)
# Success codes AWS answers where the model says otherwise (lambda-spec §1.4).
_STATUS_QUIRKS = {"DeleteFunction": 204}
# The state members of a configuration read one by one (list items leave them out).
STATE = frozenset({"State", "LastUpdateStatus"})


def body_members(shape: Any) -> dict[str, Any]:
    """The members of a structure that travel in a JSON body, by their wire name."""
    return {
        member.serialization.get("name", name): member
        for name, member in shape.members.items()
        if member.serialization.get("location") not in ("header", "headers", "statusCode")
    }


def problems(value: Any, shape: Any, path: str) -> list[str]:
    """Members `value` has that `shape` lacks, and members of ALWAYS it lacks."""
    found: list[str] = []
    if shape.type_name == "structure" and isinstance(value, dict):
        members = body_members(shape)
        found += [f"{path}.{key}: not in {shape.name}" for key in value if key not in members]
        always = ALWAYS.get(shape.name, frozenset()) | set(shape.required_members)
        if value.get("PackageType") == "Image":
            always -= _ZIP_ONLY  # a container image function has neither
        if shape.name == "EventSourceMappingConfiguration":
            if ":sqs:" in value.get("EventSourceArn", ""):
                found += [f"{path}.{key}: not on SQS" for key in sorted(_STREAM_ONLY & set(value))]
            else:
                always |= _STREAM_ONLY
        found += [f"{path}.{key}: missing from {shape.name}" for key in sorted(always - set(value))]
        if value.get("NextMarker") == "":
            found.append(f"{path}.NextMarker: empty (AWS leaves it out on the last page)")
        for key, item in value.items():
            if key in members:
                found += problems(item, members[key], f"{path}.{key}")
    elif shape.type_name == "list" and isinstance(value, list):
        for index, item in enumerate(value):
            found += problems(item, shape.member, f"{path}[{index}]")
    elif shape.type_name == "map" and isinstance(value, dict):
        for key, item in value.items():
            found += problems(item, shape.value, f"{path}.{key}")
    return found


@pytest.fixture(scope="module")
def answers(lambdad: LambdadProcess) -> Iterator[list[tuple[str, int, bytes]]]:
    """Every answer of a set-up of one resource of each kind and the reads of them."""
    client = lambdad.lambda_client()
    recorder = ResponseRecorder().attach(client)
    tag = uuid.uuid4().hex[:8]
    name = f"members-{tag}"
    layer = f"members-layer-{tag}"
    create_function(client, name, Environment={"Variables": {"AB": "c"}}, Tags={"k": "v"})
    settled(client, name)
    version = client.publish_version(FunctionName=name)["Version"]
    client.create_alias(FunctionName=name, Name="live", FunctionVersion=version)
    client.add_permission(
        FunctionName=name,
        StatementId="s3",
        Action="lambda:InvokeFunction",
        Principal="s3.amazonaws.com",
    )
    client.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=5)
    client.put_provisioned_concurrency_config(
        FunctionName=name, Qualifier="live", ProvisionedConcurrentExecutions=1
    )
    wait_for(
        lambda: (
            client.get_provisioned_concurrency_config(FunctionName=name, Qualifier="live")["Status"]
            != "IN_PROGRESS"
        ),
        timeout=30,
    )
    client.create_function_url_config(FunctionName=name, AuthType="NONE")
    client.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=1)
    layer_version = client.publish_layer_version(
        LayerName=layer, Content={"ZipFile": unique_zip(layer)}, CompatibleRuntimes=["python3.12"]
    )
    client.add_layer_version_permission(
        LayerName=layer,
        VersionNumber=layer_version["Version"],
        StatementId="all",
        Action="lambda:GetLayerVersion",
        Principal="*",
    )
    csc = client.create_code_signing_config(
        AllowedPublishers={
            "SigningProfileVersionArns": [
                "arn:aws:signer:us-east-1:000000000000:/signing-profiles/p/abcdef1234"
            ]
        }
    )["CodeSigningConfig"]
    client.put_function_code_signing_config(
        CodeSigningConfigArn=csc["CodeSigningConfigArn"], FunctionName=name
    )
    arn = client.get_function_configuration(FunctionName=name)["FunctionArn"]
    client.put_resource_policy(
        ResourceArn=arn,
        Policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "sns",
                        "Effect": "Allow",
                        "Principal": {"Service": "sns.amazonaws.com"},
                        "Action": "lambda:InvokeFunction",
                        "Resource": arn,
                    }
                ],
            }
        ),
    )

    reads = [
        client.get_account_settings,
        lambda: client.get_function(FunctionName=name),
        lambda: client.get_function(FunctionName=name, Qualifier=version),
        lambda: client.get_function_configuration(FunctionName=name),
        lambda: client.get_function_configuration(FunctionName=name, Qualifier="live"),
        lambda: client.get_alias(FunctionName=name, Name="live"),
        lambda: client.get_policy(FunctionName=name),
        lambda: client.get_function_concurrency(FunctionName=name),
        lambda: client.get_function_url_config(FunctionName=name),
        lambda: client.get_function_event_invoke_config(FunctionName=name),
        lambda: client.get_function_recursion_config(FunctionName=name),
        lambda: client.get_runtime_management_config(FunctionName=name),
        lambda: client.get_function_code_signing_config(FunctionName=name),
        lambda: client.get_code_signing_config(CodeSigningConfigArn=csc["CodeSigningConfigArn"]),
        lambda: client.get_layer_version(LayerName=layer, VersionNumber=layer_version["Version"]),
        lambda: client.get_layer_version_by_arn(Arn=layer_version["LayerVersionArn"]),
        lambda: client.get_layer_version_policy(
            LayerName=layer, VersionNumber=layer_version["Version"]
        ),
        lambda: client.get_resource_policy(ResourceArn=arn),
        lambda: client.list_functions(),
        lambda: client.list_functions(FunctionVersion="ALL"),
        lambda: client.list_versions_by_function(FunctionName=name),
        lambda: client.list_aliases(FunctionName=name),
        lambda: client.list_tags(Resource=arn),
        lambda: client.list_function_url_configs(FunctionName=name),
        lambda: client.list_function_event_invoke_configs(FunctionName=name),
        lambda: client.list_layers(),
        lambda: client.list_layer_versions(LayerName=layer),
        lambda: client.list_code_signing_configs(),
        lambda: client.list_functions_by_code_signing_config(
            CodeSigningConfigArn=csc["CodeSigningConfigArn"]
        ),
        lambda: client.list_event_source_mappings(FunctionName=name),
        lambda: client.list_provisioned_concurrency_configs(FunctionName=name),
        lambda: client.get_provisioned_concurrency_config(FunctionName=name, Qualifier="live"),
    ]
    for read in reads:
        read()
    client.delete_provisioned_concurrency_config(FunctionName=name, Qualifier="live")
    yield [(operation, status, body) for operation, status, _, body in recorder.responses]
    client.delete_function(FunctionName=name)


def test_the_walk_sees_unknown_and_missing_members() -> None:
    output = MODEL.operation_model("GetAlias").output_shape
    answer = {"AliasArn": "a", "Name": "n", "FunctionVersion": "1", "Description": "", "X": 1}
    assert problems(answer, output, "GetAlias") == [
        "GetAlias.X: not in AliasConfiguration",
        "GetAlias.RevisionId: missing from AliasConfiguration",
    ]


def test_the_walk_sees_required_and_source_members() -> None:
    provider = MODEL.operation_model("GetCapacityProvider").output_shape
    answer = {
        "CapacityProvider": {
            "CapacityProviderArn": "a",
            "LastModified": "t",
            "VpcConfig": {"SubnetIds": [], "SecurityGroupIds": []},
            "PermissionsConfig": {"CapacityProviderOperatorRoleArn": "r"},
        }
    }
    assert problems(answer, provider, "P") == [
        "P.CapacityProvider.State: missing from CapacityProvider"
    ]
    mapping = MODEL.operation_model("GetEventSourceMapping").output_shape
    sqs: dict[str, Any] = dict.fromkeys(ALWAYS["EventSourceMappingConfiguration"], 0)
    sqs |= {"EventSourceArn": "arn:aws:sqs:us-east-1:000000000000:q", "MaximumRetryAttempts": -1}
    assert problems(sqs, mapping, "M") == ["M.MaximumRetryAttempts: not on SQS"]
    stream = sqs | {"EventSourceArn": "arn:aws:kinesis:us-east-1:000000000000:stream/s"}
    assert (
        problems(stream, mapping, "M")[0]
        == "M.BisectBatchOnFunctionError: missing from EventSourceMappingConfiguration"
    )


def check(answers: list[tuple[str, int, bytes]]) -> tuple[list[str], set[str]]:
    """The problems of every answer, and the operations whose body was checked."""
    found: list[str] = []
    checked = set()
    for operation, status, body in answers:
        model = MODEL.operation_model(operation)
        expected = _STATUS_QUIRKS.get(operation, model.http.get("responseCode", 200))
        if status != expected:
            found.append(f"{operation}: status {status}, not {expected}: {body[:300]!r}")
        if not body:
            continue
        if model.output_shape is None:
            found.append(f"{operation}: a body where the model has none")
            continue
        found += problems(json.loads(body), model.output_shape, operation)
        if operation == "GetFunctionConfiguration":
            found += [f"{operation}.{m}: missing" for m in STATE - set(json.loads(body))]
        checked.add(operation)
    return found, checked


def test_answers_have_the_model_members(answers: list[tuple[str, int, bytes]]) -> None:
    found, checked = check(answers)
    assert found == []
    # Every Get*/List* called above answered with a body that was checked.
    reads = {op for op in checked if op.startswith(("Get", "List"))}
    assert len(reads) >= 29, sorted(reads)


@pytest.fixture(scope="module")
def mapping_answers(
    lambdad_with_aws: LambdadProcess, aws_endpoint: str
) -> Iterator[list[tuple[str, int, bytes]]]:
    """Create, read, update and delete mappings of an SQS queue, a DynamoDB stream and a
    Kinesis stream (moto), with AWS's defaults left alone."""
    client = lambdad_with_aws.lambda_client()
    recorder = ResponseRecorder().attach(client)
    tag = uuid.uuid4().hex[:8]
    name = f"members-esm-{tag}"
    create_function(client, name)
    settled(client, name)
    _, queue = create_queue(aws_client("sqs", aws_endpoint), f"members-{tag}")
    table = aws_client("dynamodb", aws_endpoint).create_table(
        TableName=f"members-{tag}",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
    )
    kinesis = aws_client("kinesis", aws_endpoint)
    kinesis.create_stream(StreamName=f"members-{tag}", ShardCount=1)
    stream = kinesis.describe_stream_summary(StreamName=f"members-{tag}")[
        "StreamDescriptionSummary"
    ]["StreamARN"]
    sources = [
        {"EventSourceArn": queue},
        {
            "EventSourceArn": table["TableDescription"]["LatestStreamArn"],
            "StartingPosition": "LATEST",
        },
        {"EventSourceArn": stream, "StartingPosition": "TRIM_HORIZON"},
    ]
    uuids = [
        client.create_event_source_mapping(FunctionName=name, **source)["UUID"]
        for source in sources
    ]

    def state(mapping: str) -> str:
        return str(client.get_event_source_mapping(UUID=mapping)["State"])

    for mapping in uuids:
        wait_for(lambda: state(mapping) == "Enabled", timeout=30)  # noqa: B023 - called here
        client.get_event_source_mapping(UUID=mapping)
    client.list_event_source_mappings(FunctionName=name)
    client.list_event_source_mappings(EventSourceArn=queue)
    client.list_event_source_mappings()
    client.update_event_source_mapping(UUID=uuids[0], BatchSize=5)
    wait_for(lambda: state(uuids[0]) == "Enabled")
    client.update_event_source_mapping(UUID=uuids[1], Enabled=False)
    wait_for(lambda: state(uuids[1]) == "Disabled")
    client.get_event_source_mapping(UUID=uuids[1])
    for mapping in uuids:
        client.delete_event_source_mapping(UUID=mapping)
    yield [(operation, status, body) for operation, status, _, body in recorder.responses]
    client.delete_function(FunctionName=name)


def _recorded(answers: list[tuple[str, int, bytes]], operation: str) -> list[dict[str, Any]]:
    return [json.loads(body) for op, _, body in answers if op == operation]


def test_mapping_answers_have_the_model_members(
    mapping_answers: list[tuple[str, int, bytes]],
) -> None:
    found, checked = check(mapping_answers)
    assert found == []
    assert {
        "CreateEventSourceMapping",
        "GetEventSourceMapping",
        "ListEventSourceMappings",
        "UpdateEventSourceMapping",
        "DeleteEventSourceMapping",
    } <= checked


def test_mapping_defaults_are_aws_s(mapping_answers: list[tuple[str, int, bytes]]) -> None:
    """lambda-spec §6.1's recorded Create answers: defaults, states and reasons."""
    sqs, table, stream = _recorded(mapping_answers, "CreateEventSourceMapping")
    for created in (sqs, table, stream):
        assert created["EventSourceMappingArn"] == (
            f"arn:aws:lambda:{REGION}:{ACCOUNT}:event-source-mapping:{created['UUID']}"
        )
        assert created["FunctionArn"].endswith(":function:" + created["FunctionArn"].split(":")[6])
        assert isinstance(created["LastModified"], (int, float))
        assert created["State"] == "Creating"
        assert created["FunctionResponseTypes"] == []
        assert created["MaximumBatchingWindowInSeconds"] == 0
    assert sqs["BatchSize"] == 10
    assert sqs["StateTransitionReason"] == "USER_INITIATED"
    stream_defaults = {
        "BatchSize": 100,
        "BisectBatchOnFunctionError": False,
        "DestinationConfig": {"OnFailure": {}},
        "LastProcessingResult": "No records processed",
        "MaximumRecordAgeInSeconds": -1,
        "MaximumRetryAttempts": -1,
        "ParallelizationFactor": 1,
        "StateTransitionReason": "User action",
        "TumblingWindowInSeconds": 0,
    }
    for created, position in ((table, "LATEST"), (stream, "TRIM_HORIZON")):
        assert {key: created[key] for key in stream_defaults} == stream_defaults
        assert created["StartingPosition"] == position
    updated = _recorded(mapping_answers, "UpdateEventSourceMapping")
    assert [u["State"] for u in updated] == ["Updating", "Disabling"]
    assert updated[0]["BatchSize"] == 5
    deleted = _recorded(mapping_answers, "DeleteEventSourceMapping")
    assert [d["State"] for d in deleted] == ["Deleting"] * 3
    enabled = _recorded(mapping_answers, "GetEventSourceMapping")
    assert {g["State"] for g in enabled} >= {"Enabled", "Disabled"}


def test_provisioned_answers_are_aws_s(answers: list[tuple[str, int, bytes]]) -> None:
    """Put answers IN_PROGRESS with nothing allocated; READY has everything allocated."""
    (put,) = _recorded(answers, "PutProvisionedConcurrencyConfig")
    assert put["Status"] == "IN_PROGRESS"
    assert put["RequestedProvisionedConcurrentExecutions"] == 1
    assert put["AllocatedProvisionedConcurrentExecutions"] == 0
    ready = _recorded(answers, "GetProvisionedConcurrencyConfig")[-1]
    assert ready["Status"] == "READY"
    assert ready["AllocatedProvisionedConcurrentExecutions"] == 1
    assert ready["AvailableProvisionedConcurrentExecutions"] == 1
    (listed,) = _recorded(answers, "ListProvisionedConcurrencyConfigs")[-1][
        "ProvisionedConcurrencyConfigs"
    ]
    assert listed["FunctionArn"].endswith(":live")


PROVIDER_VPC = {"SubnetIds": ["subnet-0123"], "SecurityGroupIds": ["sg-0123"]}
PROVIDER_PERMISSIONS = {
    "CapacityProviderOperatorRoleArn": f"arn:aws:iam::{ACCOUNT}:role/lmi-operator"
}


@pytest.fixture(scope="module")
def provider_answers(lambdad: LambdadProcess) -> list[tuple[str, int, bytes]]:
    """A capacity provider's life with one published function version on it."""
    client = lambdad.lambda_client()
    recorder = ResponseRecorder().attach(client)
    tag = uuid.uuid4().hex[:8]
    provider = f"members-cp-{tag}"
    function = f"members-cpf-{tag}"
    arn = client.create_capacity_provider(
        CapacityProviderName=provider,
        VpcConfig=PROVIDER_VPC,
        PermissionsConfig=PROVIDER_PERMISSIONS,
    )["CapacityProvider"]["CapacityProviderArn"]
    wait_for(
        lambda: (
            client.get_capacity_provider(CapacityProviderName=provider)["CapacityProvider"]["State"]
            == "Active"
        ),
        timeout=15,
    )
    client.create_function(
        FunctionName=function,
        Runtime="python3.13",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": unique_zip(function)},
        CapacityProviderConfig={
            "LambdaManagedInstancesCapacityProviderConfig": {"CapacityProviderArn": arn}
        },
    )
    settled(client, function)
    client.publish_version(FunctionName=function)
    client.list_capacity_providers()
    client.list_function_versions_by_capacity_provider(CapacityProviderName=provider)
    client.update_capacity_provider(
        CapacityProviderName=provider,
        CapacityProviderScalingConfig={"ScalingMode": "Auto"},
    )
    client.get_capacity_provider(CapacityProviderName=provider)
    client.delete_function(FunctionName=function)
    client.delete_capacity_provider(CapacityProviderName=provider)
    return [(operation, status, body) for operation, status, _, body in recorder.responses]


def test_provider_answers_have_the_model_members(
    provider_answers: list[tuple[str, int, bytes]],
) -> None:
    found, checked = check(provider_answers)
    assert found == []
    assert {
        "CreateCapacityProvider",
        "GetCapacityProvider",
        "ListCapacityProviders",
        "UpdateCapacityProvider",
        "DeleteCapacityProvider",
        "ListFunctionVersionsByCapacityProvider",
    } <= checked
    (created,) = _recorded(provider_answers, "CreateCapacityProvider")
    assert created["CapacityProvider"]["State"] == "Pending"
    (listed,) = _recorded(provider_answers, "ListFunctionVersionsByCapacityProvider")
    assert "1" in [v["FunctionArn"].rsplit(":", 1)[1] for v in listed["FunctionVersions"]]
    (deleted,) = _recorded(provider_answers, "DeleteCapacityProvider")
    assert deleted["CapacityProvider"]["State"] == "Deleting"


# A durable function without the SDK: reads its state, checkpoints a step and a callback,
# and records the raw answers of those calls (which only the function can make) in $OUT.
DURABLE_HANDLER = """
import json, os
import boto3

def handler(event, context):
    arn = event["DurableExecutionArn"]
    token = event["CheckpointToken"]
    client = boto3.client("lambda", region_name=os.environ.get("AWS_REGION", "us-east-1"))

    def record(http_response, model, **_):
        with open(os.environ["OUT"], "a") as out:
            answer = [model.name, http_response.status_code, http_response.content.decode()]
            out.write(json.dumps(answer) + "\\n")

    client.meta.events.register("after-call.lambda", record)
    state = client.get_durable_execution_state(DurableExecutionArn=arn, CheckpointToken=token)
    ops = {o["Id"]: o for o in state["Operations"]}

    def checkpoint(updates):
        nonlocal token
        answer = client.checkpoint_durable_execution(
            DurableExecutionArn=arn, CheckpointToken=token, Updates=updates
        )
        token = answer.get("CheckpointToken")
        for op in answer["NewExecutionState"].get("Operations", []):
            ops[op["Id"]] = op

    if "s1" not in ops:
        checkpoint([
            {"Id": "s1", "Type": "STEP", "Action": "START", "Name": "add", "SubType": "Step"},
            {"Id": "s1", "Type": "STEP", "Action": "SUCCEED", "Payload": "2"},
        ])
    if "c1" not in ops:
        checkpoint([{"Id": "c1", "Type": "CALLBACK", "Action": "START", "Name": "approval",
                     "CallbackOptions": {"TimeoutSeconds": 600}}])
    callback = ops["c1"]
    if callback["Status"] == "STARTED":
        return {"Status": "PENDING"}
    if callback["Status"] != "SUCCEEDED":
        return {"Status": "FAILED", "Error": callback["CallbackDetails"].get("Error", {})}
    return {"Status": "SUCCEEDED", "Result": callback["CallbackDetails"]["Result"]}
"""


@pytest.fixture(scope="module")
def durable_answers(
    lambdad: LambdadProcess, tmp_path_factory: pytest.TempPathFactory
) -> list[tuple[str, int, bytes]]:
    """Three executions of a durable function: one whose callback succeeds (after a
    heartbeat), one whose callback fails, one paused, resumed and stopped; then the reads."""
    client = lambdad.lambda_client()
    recorder = ResponseRecorder().attach(client)
    out = tmp_path_factory.mktemp("durable-members") / "answers.jsonl"
    out.touch()
    name = f"members-durable-{uuid.uuid4().hex[:8]}"
    create_function(
        client,
        name,
        make_zip({"app.py": DURABLE_HANDLER}),
        Timeout=60,
        Environment={"Variables": {"OUT": str(out)}},
        DurableConfig={"ExecutionTimeout": 600, "RetentionPeriodInDays": 1},
    )
    settled(client, name)

    def start() -> tuple[str, str]:
        arn = client.invoke(
            FunctionName=f"{name}:$LATEST", InvocationType="Event", Payload=b'{"x": 1}'
        )["DurableExecutionArn"]

        def callback() -> str | None:
            for event in client.get_durable_execution_history(DurableExecutionArn=arn)["Events"]:
                if event["EventType"] == "CallbackStarted":
                    return str(event["CallbackStartedDetails"]["CallbackId"])
            return None

        return arn, wait_for(callback, timeout=60)

    def status(arn: str) -> str:
        return str(client.get_durable_execution(DurableExecutionArn=arn)["Status"])

    succeeding, first = start()
    client.send_durable_execution_callback_heartbeat(CallbackId=first)
    client.send_durable_execution_callback_success(CallbackId=first, Result=b'"yes"')
    failing, second = start()
    client.send_durable_execution_callback_failure(
        CallbackId=second, Error={"ErrorMessage": "no", "ErrorType": "Rejection"}
    )
    stopped, _ = start()
    client.pause_durable_execution(DurableExecutionArn=stopped)
    client.resume_durable_execution(DurableExecutionArn=stopped)
    client.stop_durable_execution(DurableExecutionArn=stopped)
    for arn in (succeeding, failing, stopped):
        wait_for(lambda: status(arn) != "RUNNING", timeout=60)  # noqa: B023 - called here
        client.get_durable_execution(DurableExecutionArn=arn)
        client.get_durable_execution_history(DurableExecutionArn=arn, IncludeExecutionData=True)
    client.list_durable_executions_by_function(FunctionName=name)
    client.list_durable_executions_by_function(FunctionName=name, Qualifier="$LATEST")
    client.delete_durable_execution(DurableExecutionArn=succeeding)
    inside = [json.loads(line) for line in out.read_text().splitlines()]
    answers = [(operation, status, body) for operation, status, _, body in recorder.responses]
    answers += [(operation, status, body.encode()) for operation, status, body in inside]
    client.delete_function(FunctionName=name)
    return [answer for answer in answers if answer[0] != "Invoke"]


def test_durable_answers_have_the_model_members(
    durable_answers: list[tuple[str, int, bytes]],
) -> None:
    found, checked = check(durable_answers)
    assert found == []
    assert {
        "GetDurableExecution",
        "GetDurableExecutionHistory",
        "GetDurableExecutionState",
        "ListDurableExecutionsByFunction",
        "CheckpointDurableExecution",
        "StopDurableExecution",
        "DeleteDurableExecution",
    } <= checked
    last = {
        e["DurableExecutionArn"]: e["Status"]
        for e in _recorded(durable_answers, "GetDurableExecution")
    }
    assert list(last.values()) == ["SUCCEEDED", "FAILED", "STOPPED"]
    (stopped,) = _recorded(durable_answers, "StopDurableExecution")
    assert isinstance(stopped["StopTimestamp"], (int, float))
