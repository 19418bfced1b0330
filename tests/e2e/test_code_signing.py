"""Code signing configurations through boto3 and the AWS CLI, and what they do to deployments.

lambdad has no signer: under `Warn` unsigned code deploys (as AWS deploys it with a warning),
under `Enforce` a zip deployment is refused with AWS's CodeVerificationFailedException.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.e2e.support import (
    ACCOUNT,
    LAST_MODIFIED_RE,
    LambdadProcess,
    create_function,
    function_arn,
    unique_zip,
)

pytestmark = pytest.mark.e2e

PROFILE = "arn:aws:signer:us-east-1:000000000000:/signing-profiles/MyProfile/abcdef1234"
CSC_ARN_RE = re.compile(
    rf"^arn:aws:lambda:us-east-1:{ACCOUNT}:code-signing-config:csc-[a-z0-9]{{17}}$"
)
MISSING_CSC = f"arn:aws:lambda:us-east-1:{ACCOUNT}:code-signing-config:csc-0000000000000000a"
CSC_PATTERN = (
    r"arn:(aws[a-zA-Z-]*)?:lambda:(eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:\d{12}:"
    r"code-signing-config:csc-[a-z0-9]{17}"
)


def _error(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    error = excinfo.value.response
    return (
        error["Error"]["Code"],
        error["Error"]["Message"],
        error["ResponseMetadata"]["HTTPStatusCode"],
    )


def _create(client: Any, policy: str = "Warn", **extra: Any) -> dict[str, Any]:
    return client.create_code_signing_config(
        AllowedPublishers={"SigningProfileVersionArns": [PROFILE]},
        CodeSigningPolicies={"UntrustedArtifactOnDeployment": policy},
        **extra,
    )["CodeSigningConfig"]


def test_create_get_update_delete(client: Any) -> None:
    created = _create(client, Description="team signing")
    assert CSC_ARN_RE.match(created["CodeSigningConfigArn"])
    assert created["CodeSigningConfigArn"].endswith(created["CodeSigningConfigId"])
    assert created["Description"] == "team signing"
    assert created["AllowedPublishers"] == {"SigningProfileVersionArns": [PROFILE]}
    assert created["CodeSigningPolicies"] == {"UntrustedArtifactOnDeployment": "Warn"}
    assert LAST_MODIFIED_RE.match(created["LastModified"])
    arn = created["CodeSigningConfigArn"]

    assert client.get_code_signing_config(CodeSigningConfigArn=arn)["CodeSigningConfig"] == created

    updated = client.update_code_signing_config(
        CodeSigningConfigArn=arn,
        CodeSigningPolicies={"UntrustedArtifactOnDeployment": "Enforce"},
    )["CodeSigningConfig"]
    assert updated["CodeSigningPolicies"] == {"UntrustedArtifactOnDeployment": "Enforce"}
    # Members not given keep their values.
    assert updated["Description"] == "team signing"
    assert updated["AllowedPublishers"] == created["AllowedPublishers"]

    response = client.delete_code_signing_config(CodeSigningConfigArn=arn)
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as excinfo:
        client.get_code_signing_config(CodeSigningConfigArn=arn)
    code, message, status = _error(excinfo)
    assert (code, status) == ("ResourceNotFoundException", 404)
    assert message == (
        "The code signing configuration cannot be found. Check that the provided configuration "
        f"is not deleted: {arn}."
    )


def test_default_policy_is_warn_and_description_empty(client: Any) -> None:
    created = client.create_code_signing_config(
        AllowedPublishers={"SigningProfileVersionArns": [PROFILE]}
    )["CodeSigningConfig"]
    assert created["CodeSigningPolicies"] == {"UntrustedArtifactOnDeployment": "Warn"}
    assert created["Description"] == ""


def test_validation_errors(client: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        client.create_code_signing_config(
            AllowedPublishers={"SigningProfileVersionArns": ["not-an-arn"]},
            CodeSigningPolicies={"UntrustedArtifactOnDeployment": "Deny"},
        )
    code, message, status = _error(excinfo)
    assert (code, status) == ("ValidationException", 400)
    assert message.startswith("2 validation errors detected: ")
    assert "Value '[not-an-arn]' at 'allowedPublishers.signingProfileVersionArns'" in message
    assert (
        "Value 'Deny' at 'codeSigningPolicies.untrustedArtifactOnDeployment' failed to satisfy "
        "constraint: Member must satisfy enum value set: [Warn, Enforce]"
    ) in message

    with pytest.raises(ClientError) as excinfo:
        client.get_code_signing_config(CodeSigningConfigArn="csc-1")
    code, message, status = _error(excinfo)
    assert (code, status) == ("ValidationException", 400)
    assert message == (
        "1 validation error detected: Value 'csc-1' at 'codeSigningConfigArn' failed to satisfy "
        f"constraint: Member must satisfy regular expression pattern: {CSC_PATTERN}"
    )


def test_list_pages(client: Any) -> None:
    mine = {_create(client)["CodeSigningConfigArn"] for _ in range(3)}
    seen: list[str] = []
    marker = None
    while True:
        page = client.list_code_signing_configs(
            MaxItems=2, **({"Marker": marker} if marker else {})
        )
        assert len(page["CodeSigningConfigs"]) <= 2
        seen += [c["CodeSigningConfigArn"] for c in page["CodeSigningConfigs"]]
        marker = page.get("NextMarker")
        if not marker:
            break
    assert mine <= set(seen)
    assert len(seen) == len(set(seen))
    paginated = client.get_paginator("list_code_signing_configs").paginate(
        PaginationConfig={"PageSize": 1}
    )
    assert mine <= {c["CodeSigningConfigArn"] for p in paginated for c in p["CodeSigningConfigs"]}


def test_function_attachment(client: Any, function_name: str) -> None:
    arn = _create(client)["CodeSigningConfigArn"]
    other = f"{function_name}-b"
    create_function(client, function_name, CodeSigningConfigArn=arn)
    create_function(client, other)

    got = client.get_function_code_signing_config(FunctionName=function_name)
    assert (got["CodeSigningConfigArn"], got["FunctionName"]) == (arn, function_name)
    none = client.get_function_code_signing_config(FunctionName=other)
    assert (none["CodeSigningConfigArn"], none["FunctionName"]) == ("", other)

    put = client.put_function_code_signing_config(
        FunctionName=function_arn(other), CodeSigningConfigArn=arn
    )
    assert (put["CodeSigningConfigArn"], put["FunctionName"]) == (arn, other)

    listed = client.list_functions_by_code_signing_config(CodeSigningConfigArn=arn, MaxItems=1)
    assert listed["FunctionArns"] == [function_arn(function_name)]
    rest = client.list_functions_by_code_signing_config(
        CodeSigningConfigArn=arn, Marker=listed["NextMarker"]
    )
    assert rest["FunctionArns"] == [function_arn(other)]
    assert "NextMarker" not in rest

    # In use: AWS refuses to delete it.
    with pytest.raises(ClientError) as excinfo:
        client.delete_code_signing_config(CodeSigningConfigArn=arn)
    assert _error(excinfo)[0] == "ResourceConflictException"

    deleted = client.delete_function_code_signing_config(FunctionName=other)
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert client.get_function_code_signing_config(FunctionName=other)["CodeSigningConfigArn"] == ""
    # A deleted function leaves the configuration.
    client.delete_function(FunctionName=function_name)
    listed = client.list_functions_by_code_signing_config(CodeSigningConfigArn=arn)
    assert listed["FunctionArns"] == []
    client.delete_code_signing_config(CodeSigningConfigArn=arn)


def test_attachment_not_found(client: Any, function_name: str) -> None:
    create_function(client, function_name)
    with pytest.raises(ClientError) as excinfo:
        client.put_function_code_signing_config(
            FunctionName=function_name, CodeSigningConfigArn=MISSING_CSC
        )
    code, message, status = _error(excinfo)
    assert (code, status) == ("CodeSigningConfigNotFoundException", 404)
    assert message.endswith(f"is not deleted: {MISSING_CSC}.")

    with pytest.raises(ClientError) as excinfo:
        client.get_function_code_signing_config(FunctionName=f"{function_name}-missing")
    code, message, status = _error(excinfo)
    assert (code, status) == ("ResourceNotFoundException", 404)
    assert message == f"Function not found: {function_arn(function_name + '-missing')}"

    with pytest.raises(ClientError) as excinfo:
        create_function(client, f"{function_name}-c", CodeSigningConfigArn=MISSING_CSC)
    assert _error(excinfo)[:2] == (
        "CodeSigningConfigNotFoundException",
        "The code signing configuration cannot be found. Check that the provided configuration "
        f"is not deleted: {MISSING_CSC}.",
    )


def test_container_image_functions_have_no_code_signing(client: Any, function_name: str) -> None:
    """AWS's answer for code signing on an image function (recorded in
    cloudquery/cq-provider-aws#230 for GetFunctionCodeSigningConfig)."""
    expected = (
        "InvalidParameterValueException",
        "Code signing is not supported for functions created with container images.",
        400,
    )
    client.create_function(
        FunctionName=function_name,
        PackageType="Image",
        Role="arn:aws:iam::000000000000:role/lambda-role",
        Code={"ImageUri": "registry.invalid/lambdad-test/nothing:1"},
    )
    with pytest.raises(ClientError) as excinfo:
        client.get_function_code_signing_config(FunctionName=function_name)
    assert _error(excinfo) == expected
    warn = _create(client, "Warn")["CodeSigningConfigArn"]
    with pytest.raises(ClientError) as excinfo:
        client.put_function_code_signing_config(
            FunctionName=function_name, CodeSigningConfigArn=warn
        )
    assert _error(excinfo) == expected
    with pytest.raises(ClientError) as excinfo:
        client.create_function(
            FunctionName=f"{function_name}-signed",
            PackageType="Image",
            Role="arn:aws:iam::000000000000:role/lambda-role",
            Code={"ImageUri": "registry.invalid/lambdad-test/nothing:1"},
            CodeSigningConfigArn=warn,
        )
    assert _error(excinfo) == expected


def test_enforce_refuses_unsigned_code_and_warn_accepts_it(client: Any, function_name: str) -> None:
    enforce = _create(client, "Enforce")["CodeSigningConfigArn"]
    warn = _create(client, "Warn")["CodeSigningConfigArn"]

    with pytest.raises(ClientError) as excinfo:
        create_function(client, function_name, CodeSigningConfigArn=enforce)
    code, message, status = _error(excinfo)
    assert (code, status) == ("CodeVerificationFailedException", 400)
    assert message == (
        "Lambda cannot deploy the function. The function or layer might be signed using a "
        "signature that the client is not configured to accept. Check the provided signature "
        f"for {function_name}."
    )
    with pytest.raises(ClientError):
        client.get_function(FunctionName=function_name)

    create_function(client, function_name, CodeSigningConfigArn=warn)
    client.update_function_code(FunctionName=function_name, ZipFile=unique_zip("warned"))
    client.put_function_code_signing_config(
        FunctionName=function_name, CodeSigningConfigArn=enforce
    )
    with pytest.raises(ClientError) as excinfo:
        client.update_function_code(FunctionName=function_name, ZipFile=unique_zip("refused"))
    assert _error(excinfo)[0] == "CodeVerificationFailedException"


def test_survives_a_restart(fresh_lambdad: LambdadProcess) -> None:
    fresh_lambdad.start()
    client = fresh_lambdad.lambda_client()
    arn = _create(client, "Enforce", Description="kept")["CodeSigningConfigArn"]
    create_function(client, "kept-fn")
    client.put_function_code_signing_config(FunctionName="kept-fn", CodeSigningConfigArn=arn)
    fresh_lambdad.stop()
    fresh_lambdad.start()
    client = fresh_lambdad.lambda_client()
    assert (
        client.get_code_signing_config(CodeSigningConfigArn=arn)["CodeSigningConfig"]["Description"]
        == "kept"
    )
    assert (
        client.get_function_code_signing_config(FunctionName="kept-fn")["CodeSigningConfigArn"]
        == arn
    )


def test_aws_cli(lambdad: LambdadProcess, function_name: str, tmp_path: Path) -> None:
    created = lambdad.aws_json(
        "lambda",
        "create-code-signing-config",
        "--allowed-publishers",
        f"SigningProfileVersionArns={PROFILE}",
        "--code-signing-policies",
        "UntrustedArtifactOnDeployment=Enforce",
    )["CodeSigningConfig"]
    arn = created["CodeSigningConfigArn"]
    got = lambdad.aws_json("lambda", "get-code-signing-config", "--code-signing-config-arn", arn)
    assert got["CodeSigningConfig"] == created
    listed = lambdad.aws_json("lambda", "list-code-signing-configs")
    assert arn in {c["CodeSigningConfigArn"] for c in listed["CodeSigningConfigs"]}
    updated = lambdad.aws_json(
        "lambda",
        "update-code-signing-config",
        "--code-signing-config-arn",
        arn,
        "--description",
        "from the cli",
    )
    assert updated["CodeSigningConfig"]["Description"] == "from the cli"
    create_function(lambdad.lambda_client(), function_name)
    put = lambdad.aws_json(
        "lambda",
        "put-function-code-signing-config",
        "--function-name",
        function_name,
        "--code-signing-config-arn",
        arn,
    )
    assert put == {"CodeSigningConfigArn": arn, "FunctionName": function_name}
    by = lambdad.aws_json(
        "lambda", "list-functions-by-code-signing-config", "--code-signing-config-arn", arn
    )
    assert by["FunctionArns"] == [function_arn(function_name)]
    package = tmp_path / "code.zip"
    package.write_bytes(unique_zip("cli"))
    refused = lambdad.aws(
        "lambda",
        "update-function-code",
        "--function-name",
        function_name,
        "--zip-file",
        f"fileb://{package}",
        check=False,
    )
    assert refused.returncode != 0
    assert "CodeVerificationFailedException" in refused.stderr
    lambdad.aws("lambda", "delete-function-code-signing-config", "--function-name", function_name)
    lambdad.aws("lambda", "delete-code-signing-config", "--code-signing-config-arn", arn)
    missing = lambdad.aws(
        "lambda", "get-code-signing-config", "--code-signing-config-arn", arn, check=False
    )
    assert "ResourceNotFoundException" in missing.stderr


def test_tags(client: Any) -> None:
    arn = _create(client, Tags={"team": "core"})["CodeSigningConfigArn"]
    assert client.list_tags(Resource=arn)["Tags"] == {"team": "core"}
    client.tag_resource(Resource=arn, Tags={"stage": "dev"})
    assert client.list_tags(Resource=arn)["Tags"] == {"team": "core", "stage": "dev"}
    client.untag_resource(Resource=arn, TagKeys=["team"])
    assert client.list_tags(Resource=arn)["Tags"] == {"stage": "dev"}
    with pytest.raises(ClientError) as excinfo:
        client.list_tags(Resource=MISSING_CSC)
    assert _error(excinfo)[0] == "ResourceNotFoundException"
