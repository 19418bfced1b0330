"""AWS's exact answers for the operations lambdad implements (issue 15), checked with boto3.

Three tables:
- every answer body is walked against botocore's output shape of its operation: a member
  the model does not have, or an enum value it does not list, is a mismatch;
- answers whose members AWS shows in a particular form (VpcConfig, LoggingConfig, listings,
  PublishVersion, GetAccountSettings);
- error and no-op answers AWS gives where lambdad used to answer differently.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import botocore.session
import pytest
from botocore.exceptions import ClientError

from tests.e2e.support import (
    REGION,
    LambdadProcess,
    ResponseRecorder,
    create_function,
    function_arn,
    settled,
    unique_zip,
)

pytestmark = pytest.mark.e2e

LAMBDA_MODEL = botocore.session.get_session().get_service_model("lambda")
# The model's Runtime enum, which a layer's runtimes are checked against.
MODEL_RUNTIMES = ", ".join(LAMBDA_MODEL.shape_for("Runtime").enum)

NAMESPACED_PATTERN = (
    r"(arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?"
    r"(\d{12}:)?(function:)?([a-zA-Z0-9-_\.]+)(:(\$LATEST(\.PUBLISHED)?|[a-zA-Z0-9-_]+))?"
)

# botocore 1.44's TaggableResource (newer than the installed model's).
TAGGABLE_RESOURCE_1_44 = (
    r"arn:(aws[a-zA-Z-]*):lambda:(eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:\d{12}:"
    r"(function:[a-zA-Z0-9-_]+(:(\$LATEST|[a-zA-Z0-9-_]+))?|code-signing-config:csc-[a-z0-9]{17}|"
    r"event-source-mapping:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
    r"[0-9a-fA-F]{12}|(capacity-provider|network-connector):[a-zA-Z0-9-_]{1,64})"
)
LAYER_ARN_PREFIX = f"arn:aws:lambda:{REGION}:000000000000:layer:"

# Values AWS itself sends outside the model's enums (lambda-spec §1.3, recorded: an update
# in progress reports `LastUpdateStatusReasonCode: Creating`).
_RECORDED_OFF_ENUM = {("LastUpdateStatusReasonCode", "Creating")}


def shape_mismatches(shape: Any, value: Any, path: str) -> list[str]:
    """Members of `value` that botocore's `shape` does not have, and off-enum strings."""
    found: list[str] = []
    if shape.type_name == "structure":
        if not isinstance(value, dict):
            return [f"{path}: expected an object"]
        for key, item in value.items():
            if key not in shape.members:
                found.append(f"{path}.{key}: not in the model")
            else:
                found += shape_mismatches(shape.members[key], item, f"{path}.{key}")
    elif shape.type_name == "list":
        for item in value:
            found += shape_mismatches(shape.member, item, f"{path}[]")
    elif shape.type_name == "map":
        for key, item in value.items():
            found += shape_mismatches(shape.value, item, f"{path}.{key}")
    elif shape.type_name == "string" and shape.enum and value not in shape.enum:
        member = path.rsplit(".", 1)[-1]
        if (member, value) not in _RECORDED_OFF_ENUM:
            found.append(f"{path}: {value!r} is not one of the model's values")
    return found


@pytest.fixture
def recorded(client: Any) -> ResponseRecorder:
    """Every raw answer `client` gets in this test."""
    return ResponseRecorder().attach(client)


def _exercise(client: Any, name: str) -> None:
    """One call of each JSON operation that has a body worth walking."""
    arn = function_arn(name)
    layer = f"{name}-layer"
    create_function(
        client,
        name,
        Publish=True,
        VpcConfig={"SubnetIds": [], "SecurityGroupIds": []},
        LoggingConfig={"LogFormat": "JSON"},
        Tags={"team": "parity"},
    )
    settled(client, name)
    client.get_function(FunctionName=name)
    client.get_function_configuration(FunctionName=name, Qualifier="1")
    client.list_functions(MaxItems=50)
    client.list_functions(FunctionVersion="ALL", MaxItems=1)
    client.list_versions_by_function(FunctionName=name)
    client.update_function_configuration(FunctionName=name, Description="changed")
    settled(client, name)
    client.update_function_code(FunctionName=name, ZipFile=unique_zip(name))
    settled(client, name)
    client.publish_version(FunctionName=name)
    client.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
    client.get_alias(FunctionName=name, Name="live")
    client.update_alias(FunctionName=name, Name="live", Description="x")
    client.list_aliases(FunctionName=name)
    client.list_tags(Resource=arn)
    client.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=2)
    client.get_function_concurrency(FunctionName=name)
    client.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=1)
    client.get_function_event_invoke_config(FunctionName=name)
    client.list_function_event_invoke_configs(FunctionName=name)
    client.create_function_url_config(FunctionName=name, AuthType="NONE")
    client.get_function_url_config(FunctionName=name)
    client.list_function_url_configs(FunctionName=name)
    client.add_permission(
        FunctionName=name,
        StatementId="s3",
        Action="lambda:InvokeFunction",
        Principal="s3.amazonaws.com",
    )
    client.get_policy(FunctionName=name)
    client.publish_layer_version(LayerName=layer, Content={"ZipFile": unique_zip(layer)})
    client.get_layer_version(LayerName=layer, VersionNumber=1)
    client.list_layers()
    client.list_layer_versions(LayerName=layer)
    client.add_layer_version_permission(
        LayerName=layer,
        VersionNumber=1,
        StatementId="all",
        Action="lambda:GetLayerVersion",
        Principal="*",
    )
    client.get_layer_version_policy(LayerName=layer, VersionNumber=1)
    client.get_account_settings()
    client.list_event_source_mappings()


def test_every_answer_has_only_members_of_the_model(
    client: Any, function_name: str, recorded: ResponseRecorder
) -> None:
    _exercise(client, function_name)
    walked: set[str] = set()
    mismatches: list[str] = []
    for operation, status, _, content in recorded.responses:
        output = LAMBDA_MODEL.operation_model(operation).output_shape
        if status >= 300 or output is None or not content:
            continue
        walked.add(operation)
        mismatches += shape_mismatches(output, json.loads(content), operation)
    assert mismatches == []
    # The walk covered what it was meant to cover.
    assert len(walked) >= 28, sorted(walked)


# --------------------------------------------------------------------------------------
# Response members


def test_vpc_config_and_json_logging_as_aws_shows_them(client: Any, function_name: str) -> None:
    created = create_function(
        client,
        function_name,
        VpcConfig={"SubnetIds": [], "SecurityGroupIds": []},
        LoggingConfig={"LogFormat": "JSON"},
    )
    for config in (created, settled(client, function_name)):
        assert config["VpcConfig"] == {
            "SubnetIds": [],
            "SecurityGroupIds": [],
            "VpcId": "",
            "Ipv6AllowedForDualStack": False,
        }
        # The JSON format has log levels, INFO unless given.
        assert config["LoggingConfig"] == {
            "LogFormat": "JSON",
            "ApplicationLogLevel": "INFO",
            "SystemLogLevel": "INFO",
            "LogGroup": f"/aws/lambda/{function_name}",
        }
    updated = client.update_function_configuration(
        FunctionName=function_name,
        LoggingConfig={"LogFormat": "JSON", "ApplicationLogLevel": "DEBUG"},
    )
    assert updated["LoggingConfig"]["ApplicationLogLevel"] == "DEBUG"
    assert updated["LoggingConfig"]["SystemLogLevel"] == "INFO"


def test_environment_only_with_variables(client: Any, function_name: str) -> None:
    created = create_function(client, function_name)
    assert "Environment" not in created
    updated = client.update_function_configuration(
        FunctionName=function_name, Environment={"Variables": {"A1": "x"}}
    )
    assert updated["Environment"] == {"Variables": {"A1": "x"}}
    settled(client, function_name)
    cleared = client.update_function_configuration(
        FunctionName=function_name, Environment={"Variables": {}}
    )
    assert "Environment" not in cleared
    assert "Environment" not in settled(client, function_name)


def test_listings_leave_out_state_members(
    client: Any, function_name: str, recorded: ResponseRecorder
) -> None:
    create_function(client, function_name, Publish=True)
    settled(client, function_name)
    state_members = {
        "State",
        "StateReason",
        "StateReasonCode",
        "LastUpdateStatus",
        "LastUpdateStatusReason",
        "LastUpdateStatusReasonCode",
        "RuntimeVersionConfig",
    }
    versions = client.list_versions_by_function(FunctionName=function_name)["Versions"]
    everything = client.list_functions(FunctionVersion="ALL", MaxItems=1000)["Functions"]
    ours = [f for f in everything if f["FunctionName"] == function_name]
    assert [v["Version"] for v in versions] == ["$LATEST", "1"]
    assert len(ours) == 2
    for config in versions + ours:
        assert state_members & set(config) == set(), config
    # ...while a single read still shows them.
    assert client.get_function_configuration(FunctionName=function_name)["State"] == "Active"


def test_publish_answers_active_and_keeps_its_revision(client: Any, function_name: str) -> None:
    created = create_function(client, function_name, Publish=True)
    # CreateFunction with Publish answers version 1 under the unqualified ARN.
    assert (created["Version"], created["FunctionArn"]) == ("1", function_arn(function_name))
    settled(client, function_name)
    # Version 1 turns Active with the RevisionId it was created with.
    version_1 = settled(client, function_name, "1")
    assert version_1["RevisionId"] == created["RevisionId"]
    client.update_function_configuration(FunctionName=function_name, Description="two")
    settled(client, function_name)
    published = client.publish_version(FunctionName=function_name)
    assert (published["Version"], published["FunctionArn"]) == (
        "2",
        function_arn(function_name, "2"),
    )
    assert (published["State"], published["LastUpdateStatus"]) == ("Active", "Successful")
    again = client.get_function_configuration(FunctionName=function_name, Qualifier="2")
    assert again["RevisionId"] == published["RevisionId"]


def test_published_version_keeps_the_function_description(client: Any, function_name: str) -> None:
    # The model: PublishVersion's Description is "a description for the version to override
    # the description in the function configuration"; without one the version keeps $LATEST's.
    create_function(client, function_name, Description="from the function", Publish=True)
    assert settled(client, function_name, "1")["Description"] == "from the function"
    client.update_function_configuration(FunctionName=function_name, Description="changed")
    settled(client, function_name)
    published = client.publish_version(FunctionName=function_name)
    assert published["Description"] == "changed"
    client.update_function_configuration(FunctionName=function_name, Timeout=9)
    settled(client, function_name)
    overridden = client.publish_version(FunctionName=function_name, Description="the version's")
    assert overridden["Description"] == "the version's"
    assert settled(client, function_name)["Description"] == "changed"


def test_tagging_changes_the_revision_id(client: Any, function_name: str) -> None:
    create_function(client, function_name)
    before = settled(client, function_name)["RevisionId"]
    client.tag_resource(Resource=function_arn(function_name), Tags={"k": "v"})
    after = settled(client, function_name)["RevisionId"]
    assert after != before
    assert client.list_tags(Resource=function_arn(function_name))["Tags"] == {"k": "v"}
    client.untag_resource(Resource=function_arn(function_name), TagKeys=["k"])
    assert settled(client, function_name)["RevisionId"] != after


def test_account_code_size_counts_layers(client: Any, function_name: str) -> None:
    before = client.get_account_settings()["AccountUsage"]["TotalCodeSize"]
    layer = client.publish_layer_version(
        LayerName=f"{function_name}-layer", Content={"ZipFile": unique_zip(function_name)}
    )
    after = client.get_account_settings()["AccountUsage"]["TotalCodeSize"]
    assert after - before == layer["Content"]["CodeSize"]


# --------------------------------------------------------------------------------------
# Errors and no-ops


@dataclass(frozen=True)
class Answer:
    """A call on function `name` (which exists, settled) and AWS's answer to it."""

    call: Callable[[Any, str], Any]
    # HTTP status; 2xx means the call succeeds.
    status: int
    code: str = ""
    # The exact message, from the function's name.
    message: Callable[[str], str] = lambda name: ""


ANSWERS = [
    pytest.param(
        Answer(
            lambda c, n: c.tag_resource(Resource=function_arn(n), Tags={}),
            400,
            "InvalidParameterValueException",
            lambda n: "An error occurred and the request cannot be processed.",
        ),
        id="tag-with-empty-tags",
    ),
    pytest.param(
        Answer(
            lambda c, n: c.get_function_concurrency(FunctionName=f"{n}-missing"),
            404,
            "ResourceNotFoundException",
            # The unqualified ARN (PutFunctionConcurrency's names `:$LATEST`).
            lambda n: f"Function not found: {function_arn(n + '-missing')}",
        ),
        id="get-concurrency-unknown-function",
    ),
    pytest.param(
        Answer(
            lambda c, n: c.invoke(FunctionName="f" * 65),
            404,
            "ResourceNotFoundException",
            lambda n: f"Function not found: {function_arn('f' * 65, '$LATEST')}",
        ),
        id="invoke-65-character-name",
    ),
    pytest.param(
        Answer(
            lambda c, n: c.invoke(FunctionName=n, Qualifier="$latest"),
            404,
            "ResourceNotFoundException",
            lambda n: f"Function not found: {function_arn(n, '$latest')}",
        ),
        id="invoke-lower-case-latest",
    ),
    pytest.param(
        Answer(
            lambda c, n: c.create_function(
                FunctionName=f"{n}-new",
                Runtime="python3.12",
                Role="r1",
                Handler="a b",
                Timeout=0,
                Code={"ZipFile": unique_zip(n)},
            ),
            400,
            "ValidationException",
            lambda n: (
                "2 validation errors detected: Value 'a b' at 'handler' failed to satisfy "
                r"constraint: Member must satisfy regular expression pattern: [^\s]+; Value '0' at "
                "'timeout' failed to satisfy constraint: Member must have value greater than or "
                "equal to 1"
            ),
        ),
        id="create-with-two-violations",
    ),
    pytest.param(
        Answer(
            lambda c, n: c.get_function(FunctionName="bad name", Qualifier="q!"),
            400,
            "ValidationException",
            lambda n: (
                "2 validation errors detected: Value 'bad name' at 'functionName' failed "
                "to satisfy constraint: Member must satisfy regular expression pattern: "
                f"{NAMESPACED_PATTERN}; Value 'q!' at 'qualifier' failed to satisfy constraint: "
                "Member must satisfy regular expression pattern: "
                r"\$(LATEST(\.PUBLISHED)?)|[a-zA-Z0-9-_$]+"
            ),
        ),
        id="get-with-bad-name-and-qualifier",
    ),
    pytest.param(
        Answer(
            lambda c, n: c.create_alias(FunctionName=n, Name="1", FunctionVersion="x y"),
            400,
            "ValidationException",
            lambda n: (
                "2 validation errors detected: Value '1' at 'name' failed to satisfy constraint: "
                "Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+); "
                "Value 'x y' at 'functionVersion' failed to satisfy constraint: Member must "
                r"satisfy regular expression pattern: (\$LATEST(\.PUBLISHED)?|[0-9]+)"
            ),
        ),
        id="create-alias-with-two-violations",
    ),
    pytest.param(
        Answer(
            lambda c, n: c.publish_layer_version(
                LayerName=n,
                Content={"ZipFile": unique_zip(n)},
                CompatibleRuntimes=["python3.12", "python9"],
                CompatibleArchitectures=["x86"],
            ),
            400,
            "ValidationException",
            lambda n: (
                # The model's member order: CompatibleArchitectures, then CompatibleRuntimes.
                "2 validation errors detected: Value '[x86]' at 'compatibleArchitectures' failed "
                "to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum "
                "value set: [x86_64, arm64], Member must not be null]; Value '[python3.12, "
                "python9]' at 'compatibleRuntimes' failed to satisfy constraint: Member must "
                f"satisfy constraint: [Member must satisfy enum value set: [{MODEL_RUNTIMES}], "
                "Member must not be null]"
            ),
        ),
        id="layer-with-bad-runtime-and-architecture",
    ),
    pytest.param(
        Answer(
            lambda c, n: c.list_layers(CompatibleRuntime="python9"),
            400,
            "ValidationException",
            lambda n: (
                "1 validation error detected: Value 'python9' at 'compatibleRuntime' "
                "failed to satisfy constraint: Member must satisfy enum value set: "
                f"[{MODEL_RUNTIMES}]"
            ),
        ),
        id="list-layers-bad-runtime",
    ),
    pytest.param(
        Answer(
            lambda c, n: c.get_layer_version_policy(LayerName=f"{n}-nolayer", VersionNumber=3),
            404,
            "ResourceNotFoundException",
            lambda n: f"Layer version {LAYER_ARN_PREFIX}{n}-nolayer:3 does not exist.",
        ),
        id="layer-policy-of-missing-version",
    ),
    pytest.param(
        Answer(
            lambda c, n: c.remove_layer_version_permission(
                LayerName=f"{n}-nolayer", VersionNumber=3, StatementId="s"
            ),
            404,
            "ResourceNotFoundException",
            lambda n: f"Layer version {LAYER_ARN_PREFIX}{n}-nolayer:3 does not exist.",
        ),
        id="remove-layer-permission-of-missing-version",
    ),
    pytest.param(
        Answer(
            lambda c, n: c.list_tags(Resource="not-an-arn"),
            400,
            "ValidationException",
            lambda n: (
                "1 validation error detected: Value 'not-an-arn' at 'resource' failed to "
                "satisfy constraint: Member must satisfy regular expression pattern: "
                + TAGGABLE_RESOURCE_1_44
            ),
        ),
        id="tags-of-a-bad-arn",
    ),
    pytest.param(
        Answer(lambda c, n: c.delete_alias(FunctionName=n, Name="nosuch"), 204),
        id="delete-unknown-alias-is-a-no-op",
    ),
    pytest.param(
        Answer(
            lambda c, n: c.delete_alias(FunctionName=f"{n}-missing", Name="nosuch"),
            404,
            "ResourceNotFoundException",
            lambda n: f"Function not found: {function_arn(n + '-missing')}",
        ),
        id="delete-alias-of-unknown-function",
    ),
    pytest.param(
        Answer(lambda c, n: c.delete_function(FunctionName=n, Qualifier="77"), 204),
        id="delete-unknown-version-is-a-no-op",
    ),
    pytest.param(
        Answer(
            lambda c, n: c.delete_function(FunctionName=n, Qualifier="$LATEST"),
            400,
            "InvalidParameterValueException",
            lambda n: "$LATEST version cannot be deleted without deleting the function.",
        ),
        id="delete-latest-version",
    ),
]


@pytest.fixture(scope="module")
def unchecked_client(lambdad: LambdadProcess) -> Any:
    """A client without botocore's own parameter checks, so the server's are what is tested."""
    return lambdad.lambda_client(validated=False)


@pytest.mark.parametrize("answer", ANSWERS)
def test_answers(unchecked_client: Any, answer: Answer) -> None:
    client = unchecked_client
    name = f"parity-{uuid.uuid4().hex[:8]}"
    create_function(client, name)
    settled(client, name)
    try:
        response = answer.call(client, name)
    except ClientError as error:
        got = (
            error.response["ResponseMetadata"]["HTTPStatusCode"],
            error.response["Error"]["Code"],
            error.response["Error"]["Message"],
        )
    else:
        got = (response["ResponseMetadata"]["HTTPStatusCode"], "", "")
    assert got == (answer.status, answer.code, answer.message(name))
    # Whatever the answer, the function is still there.
    assert client.get_function(FunctionName=name)["Configuration"]["FunctionName"] == name
