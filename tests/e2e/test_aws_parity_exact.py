"""More of AWS's exact answers for operations lambdad already had (issue 15), with boto3.

Each test here failed before the change it names: a ValidationException body carried `Type`,
a layer version without a licence showed `"LicenseInfo": ""` (and compatibility lists given
as `[]` were not echoed), any dotted domain was taken as
a service principal, event source mappings refused `Tags` and their ARNs could not be
tagged, and strict mode refused runtimes AWS was still creating functions on while letting a
second update through while the first was still in progress.
"""

from __future__ import annotations

import http.client
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import boto3
import pytest
from botocore.exceptions import ClientError

from lambdad.daemon.domain.validation import runtime_blocked
from tests.e2e.support import (
    LambdadProcess,
    ResponseRecorder,
    aws_client,
    create_function,
    function_arn,
    settled,
    unique_zip,
)
from tests.helpers import make_zip

pytestmark = pytest.mark.e2e


def _error(call: Any) -> tuple[int, str, str]:
    with pytest.raises(ClientError) as caught:
        call()
    response = caught.value.response
    return (
        response["ResponseMetadata"]["HTTPStatusCode"],
        response["Error"]["Code"],
        response["Error"]["Message"],
    )


def test_validation_errors_carry_no_type_member(client: Any) -> None:
    recorded = ResponseRecorder().attach(client)
    with pytest.raises(ClientError):
        client.list_functions(FunctionVersion="SOME")
    operation, status, _, content = recorded.last
    assert (operation, status) == ("ListFunctions", 400)
    assert json.loads(content) == {
        "message": "1 validation error detected: Value 'SOME' at 'functionVersion' failed to "
        "satisfy constraint: Member must satisfy enum value set: [ALL]"
    }
    # Lambda's own errors keep theirs.
    with pytest.raises(ClientError):
        client.get_function(FunctionName=f"nosuch-{uuid.uuid4().hex[:8]}")
    assert json.loads(recorded.last[3])["Type"] == "User"


def test_layer_version_without_licence_has_no_license_info(client: Any, function_name: str) -> None:
    published = client.publish_layer_version(
        LayerName=function_name, Content={"ZipFile": unique_zip(function_name)}
    )
    licensed = client.publish_layer_version(
        LayerName=function_name, Content={"ZipFile": unique_zip(function_name)}, LicenseInfo="MIT"
    )
    got = client.get_layer_version(LayerName=function_name, VersionNumber=1)
    listed = client.list_layer_versions(LayerName=function_name)["LayerVersions"]
    assert "LicenseInfo" not in published
    assert "LicenseInfo" not in got
    assert [v.get("LicenseInfo") for v in listed] == ["MIT", None]
    assert licensed["LicenseInfo"] == "MIT"


def test_layer_version_echoes_empty_compatibility_lists(client: Any, function_name: str) -> None:
    given = client.publish_layer_version(
        LayerName=function_name,
        Content={"ZipFile": unique_zip(function_name)},
        CompatibleRuntimes=[],
        CompatibleArchitectures=[],
    )
    absent = client.publish_layer_version(
        LayerName=function_name, Content={"ZipFile": unique_zip(function_name)}
    )
    assert (given["CompatibleRuntimes"], given["CompatibleArchitectures"]) == ([], [])
    assert "CompatibleRuntimes" not in absent
    assert "CompatibleArchitectures" not in absent
    got = client.get_layer_version(LayerName=function_name, VersionNumber=1)
    assert (got["CompatibleRuntimes"], got["CompatibleArchitectures"]) == ([], [])
    listed = client.list_layer_versions(LayerName=function_name)["LayerVersions"]
    assert ["CompatibleRuntimes" in v for v in listed] == [False, True]
    # A non-empty list is shown as before, and the mask is no member of the answer.
    recorded = ResponseRecorder().attach(client)
    one = client.publish_layer_version(
        LayerName=function_name,
        Content={"ZipFile": unique_zip(function_name)},
        CompatibleRuntimes=["python3.12"],
        CompatibleArchitectures=[],
    )
    assert (one["CompatibleRuntimes"], one["CompatibleArchitectures"]) == (["python3.12"], [])
    assert "EmittedWhenEmpty" not in json.loads(recorded.last[3])


@pytest.mark.parametrize(
    ("principal", "shown"),
    [
        ("example.com", None),
        ("lambda.example.org", None),
        ("s3.amazonaws.com", {"Service": "s3.amazonaws.com"}),
        ("logs.us-east-1.amazonaws.com", {"Service": "logs.us-east-1.amazonaws.com"}),
        ("alexa-appkit.amazon.com", {"Service": "alexa-appkit.amazon.com"}),
        ("123456789012", {"AWS": "arn:aws:iam::123456789012:root"}),
    ],
)
def test_add_permission_principals(
    client: Any, function_name: str, principal: str, shown: Any
) -> None:
    create_function(client, function_name)
    settled(client, function_name)

    def add() -> Any:
        return client.add_permission(
            FunctionName=function_name,
            StatementId="s",
            Action="lambda:InvokeFunction",
            Principal=principal,
        )

    if shown is None:
        assert _error(add) == (
            400,
            "InvalidParameterValueException",
            "The provided principal was invalid. Please check the principal and try again.",
        )
    else:
        assert json.loads(add()["Statement"])["Principal"] == shown


def test_event_source_mapping_tags(client: Any, function_name: str) -> None:
    create_function(client, function_name)
    settled(client, function_name)
    mapping = client.create_event_source_mapping(
        FunctionName=function_name,
        EventSourceArn=f"arn:aws:sqs:us-east-1:000000000000:{function_name}",
        Tags={"team": "a"},
    )
    arn = mapping["EventSourceMappingArn"]
    # Tags are not a member of the mapping itself.
    assert "Tags" not in mapping
    assert client.list_tags(Resource=arn)["Tags"] == {"team": "a"}
    client.tag_resource(Resource=arn, Tags={"cost": "b"})
    assert client.list_tags(Resource=arn)["Tags"] == {"team": "a", "cost": "b"}
    client.untag_resource(Resource=arn, TagKeys=["team"])
    assert client.list_tags(Resource=arn)["Tags"] == {"cost": "b"}
    # The function's tags are separate.
    assert client.list_tags(Resource=function_arn(function_name))["Tags"] == {}
    client.delete_event_source_mapping(UUID=mapping["UUID"])
    missing = arn.rsplit(":", 1)[0] + f":{uuid.uuid4()}"
    assert _error(lambda: client.list_tags(Resource=missing)) == (
        404,
        "ResourceNotFoundException",
        "The resource you requested does not exist.",
    )


@pytest.fixture(scope="module")
def strict_lambdad(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LambdadProcess]:
    root: Path = tmp_path_factory.mktemp("strict")
    process = LambdadProcess(
        data_dir=root / "data", log_path=root / "lambdad.log", extra_args=["--strict"]
    ).start()
    yield process
    process.stop()


ROLE = "arn:aws:iam::000000000000:role/lambda-role"


def test_strict_second_update_while_in_progress_conflicts(strict_lambdad: LambdadProcess) -> None:
    client = strict_lambdad.lambda_client()
    name = f"strict-{uuid.uuid4().hex[:8]}"
    client.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": unique_zip()},
    )
    settled(client, name)
    first = client.update_function_configuration(FunctionName=name, Description="one")
    assert first["LastUpdateStatus"] == "InProgress"
    conflict = (
        409,
        "ResourceConflictException",
        "The operation cannot be performed at this time. An update is in progress for "
        f"resource: {function_arn(name)}",
    )
    assert (
        _error(lambda: client.update_function_configuration(FunctionName=name, Description="two"))
        == conflict
    )
    assert _error(lambda: client.update_function_code(FunctionName=name, ZipFile=unique_zip())) == (
        conflict
    )
    assert _error(lambda: client.publish_version(FunctionName=name)) == conflict
    # Once it has settled, the next update goes through.
    settled(client, name)
    second = client.update_function_configuration(FunctionName=name, Description="two")
    assert second["Description"] == "two"


@pytest.mark.parametrize("runtime", ["python3.9", "nodejs18.x", "python3.12", "python3.8"])
def test_strict_runtimes_follow_the_table_of_today(
    strict_lambdad: LambdadProcess, runtime: str
) -> None:
    client = strict_lambdad.lambda_client()
    name = f"strict-{uuid.uuid4().hex[:8]}"

    def create() -> Any:
        return client.create_function(
            FunctionName=name,
            Runtime=runtime,
            Role=ROLE,
            Handler="app.handler",
            Code={"ZipFile": unique_zip()},
        )

    if runtime_blocked(runtime):
        assert _error(create) == (
            400,
            "InvalidParameterValueException",
            f"The runtime parameter of {runtime} is no longer supported for creating or "
            "updating AWS Lambda functions. We recommend you use a supported runtime while "
            "creating or updating functions.",
        )
    else:
        assert create()["Runtime"] == runtime


def test_function_url_event_path_decoded_without_connection_header(
    lambdad: LambdadProcess, client: Any, function_name: str
) -> None:
    create_function(client, function_name)
    settled(client, function_name)
    url = client.create_function_url_config(FunctionName=function_name, AuthType="NONE")
    client.add_permission(
        FunctionName=function_name,
        StatementId="url",
        Action="lambda:InvokeFunctionUrl",
        Principal="*",
        FunctionUrlAuthType="NONE",
    )
    # The URL as lambdad hands it out (path style by default, host style on request).
    parts = urlsplit(url["FunctionUrl"])
    connection = http.client.HTTPConnection("127.0.0.1", lambdad.gateway_port, timeout=30)
    connection.request(
        "GET",
        parts.path.rstrip("/") + "/a%20b/c%2Fd/%E2%82%AC?x=1%202",
        headers={"Host": parts.netloc, "Connection": "keep-alive"},
    )
    answer = connection.getresponse()
    event = json.loads(answer.read())
    connection.close()
    assert answer.status == 200
    assert (event["rawPath"], event["requestContext"]["http"]["path"]) == ("/a b/c/d/€",) * 2
    # The query string stays as sent.
    assert (event["rawQueryString"], event["queryStringParameters"]) == ("x=1%202", {"x": "1 2"})
    assert "connection" not in event["headers"]


CREDENTIALS_HANDLER = """
import os
def handler(event, context):
    return {k: os.environ[k] for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                                       "AWS_SESSION_TOKEN")}
"""


def test_credentials_of_the_assumed_execution_role(
    lambdad_with_aws: LambdadProcess, aws_endpoint: str
) -> None:
    client = lambdad_with_aws.lambda_client()
    name = f"creds-{uuid.uuid4().hex[:8]}"
    client.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role="arn:aws:iam::000000000000:role/exec-role",
        Handler="app.handler",
        Code={"ZipFile": make_zip({"app.py": CREDENTIALS_HANDLER})},
    )
    settled(client, name)
    answer = client.invoke(FunctionName=name)
    credentials = json.loads(answer["Payload"].read())
    assert credentials["AWS_ACCESS_KEY_ID"] != "lambdad"
    # They are the role's: STS says whose they are.
    caller = boto3.client(
        "sts",
        endpoint_url=aws_endpoint,
        region_name="us-east-1",
        aws_access_key_id=credentials["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=credentials["AWS_SECRET_ACCESS_KEY"],
        aws_session_token=credentials["AWS_SESSION_TOKEN"],
    ).get_caller_identity()
    assert caller["Arn"] == f"arn:aws:sts::000000000000:assumed-role/exec-role/{name}"


def test_static_credentials_without_sts(client: Any, function_name: str) -> None:
    create_function(client, function_name, make_zip({"app.py": CREDENTIALS_HANDLER}))
    settled(client, function_name)
    credentials = json.loads(client.invoke(FunctionName=function_name)["Payload"].read())
    assert credentials["AWS_ACCESS_KEY_ID"] == "lambdad"


@pytest.fixture(scope="module")
def strict_lambdad_with_ec2(
    tmp_path_factory: pytest.TempPathFactory, aws_endpoint: str
) -> Iterator[LambdadProcess]:
    """A strict daemon whose AWS_ENDPOINT_URL (moto) answers EC2."""
    patch = pytest.MonkeyPatch()
    patch.setenv("AWS_ENDPOINT_URL", aws_endpoint)
    root: Path = tmp_path_factory.mktemp("strict-ec2")
    process = LambdadProcess(
        data_dir=root / "data", log_path=root / "lambdad.log", extra_args=["--strict"]
    ).start()
    yield process
    process.stop()
    patch.undo()


def test_strict_vpc_config_names_existing_subnets_and_groups(
    strict_lambdad_with_ec2: LambdadProcess, aws_endpoint: str
) -> None:
    ec2 = aws_client("ec2", aws_endpoint)
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.9.1.0/24")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(
        GroupName=f"g-{uuid.uuid4().hex[:6]}", Description="d", VpcId=vpc
    )["GroupId"]
    client = strict_lambdad_with_ec2.lambda_client()
    name = f"vpc-{uuid.uuid4().hex[:8]}"

    def create(subnets: list[str], groups: list[str]) -> Any:
        return client.create_function(
            FunctionName=name,
            Runtime="python3.12",
            Role=ROLE,
            Handler="app.handler",
            Code={"ZipFile": unique_zip()},
            VpcConfig={"SubnetIds": subnets, "SecurityGroupIds": groups},
        )

    status, code, message = _error(lambda: create(["subnet-0123456789abcdef0"], [group]))
    assert (status, code) == (400, "InvalidParameterValueException")
    assert message.startswith(
        "Error occurred while DescribeSubnets. EC2 Error Code: InvalidSubnetID.NotFound. "
        "EC2 Error Message: "
    )
    status, code, message = _error(lambda: create([subnet], ["sg-0123456789abcdef0"]))
    assert (status, code) == (400, "InvalidParameterValueException")
    assert message.startswith(
        "Error occurred while DescribeSecurityGroups. EC2 Error Code: InvalidGroup.NotFound. "
        "EC2 Error Message: "
    )
    created = create([subnet], [group])
    assert created["VpcConfig"]["SubnetIds"] == [subnet]
    settled(client, name)
    assert _error(
        lambda: client.update_function_configuration(
            FunctionName=name, VpcConfig={"SubnetIds": ["subnet-0fedcba9876543210"]}
        )
    )[2].startswith("Error occurred while DescribeSubnets.")
