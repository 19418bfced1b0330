"""Answers carry the members of the model's output shapes: none the shape lacks, and those
AWS always returns.

botocore drops members its model does not know while parsing, so the raw bodies are read
(ResponseRecorder) and walked against the output shape of their operation. A module fixture
sets up one of each resource the read operations need (function, version, alias, policy,
concurrency, URL, async invoke config, layer version and its policy, code signing config,
tags, resource policy); every answer of the module, writes included, is checked.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import botocore.session
import pytest

from tests.e2e.support import (
    LambdadProcess,
    ResponseRecorder,
    create_function,
    settled,
    unique_zip,
)

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
}
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
        always = ALWAYS.get(shape.name, frozenset())
        if value.get("PackageType") == "Image":
            always -= _ZIP_ONLY  # a container image function has neither
        found += [f"{path}.{key}: missing from {shape.name}" for key in sorted(always - set(value))]
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
    ]
    for read in reads:
        read()
    yield [(operation, status, body) for operation, status, _, body in recorder.responses]
    client.delete_function(FunctionName=name)


def test_the_walk_sees_unknown_and_missing_members() -> None:
    output = MODEL.operation_model("GetAlias").output_shape
    answer = {"AliasArn": "a", "Name": "n", "FunctionVersion": "1", "Description": "", "X": 1}
    assert problems(answer, output, "GetAlias") == [
        "GetAlias.X: not in AliasConfiguration",
        "GetAlias.RevisionId: missing from AliasConfiguration",
    ]


def test_answers_have_the_model_members(answers: list[tuple[str, int, bytes]]) -> None:
    found: list[str] = []
    checked = set()
    for operation, status, body in answers:
        assert status < 300, (operation, status, body[:300])
        if not body:
            continue
        output = MODEL.operation_model(operation).output_shape
        found += problems(json.loads(body), output, operation)
        if operation == "GetFunctionConfiguration":
            found += [f"{operation}.{m}: missing" for m in STATE - set(json.loads(body))]
        checked.add(operation)
    assert found == []
    # Every Get*/List* called above answered with a body that was checked.
    reads = {op for op in checked if op.startswith(("Get", "List"))}
    assert len(reads) >= 28, sorted(reads)
