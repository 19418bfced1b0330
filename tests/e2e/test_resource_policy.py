"""Put/Get/DeleteResourcePolicy (AWS's 2026-07-09 API) through boto3 and the AWS CLI: the
whole resource policy of a function, version or alias, the one AddPermission extends."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.e2e.model_support import write_model_extras
from tests.e2e.support import UUID_RE, LambdadProcess, create_function, function_arn

pytestmark = pytest.mark.e2e

STATEMENT = {
    "Sid": "s3",
    "Effect": "Allow",
    "Principal": {"Service": "s3.amazonaws.com"},
    "Action": "lambda:InvokeFunction",
}
POLICY_ARN_PATTERN = (
    r"arn:(aws[a-zA-Z-]*)?:lambda:(eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:\d{12}:"
    r"(function:[a-zA-Z0-9-_]+(:(\$LATEST(\.PUBLISHED)?|[a-zA-Z0-9-_])+)?|runtime/[a-zA-Z0-9-_./]+)"
)


def _policy(arn: str, *statements: dict[str, Any]) -> str:
    return json.dumps(
        {"Version": "2012-10-17", "Statement": [{**s, "Resource": arn} for s in statements]}
    )


def _error(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    error = excinfo.value.response
    return (
        error["Error"]["Code"],
        error["Error"]["Message"],
        error["ResponseMetadata"]["HTTPStatusCode"],
    )


def test_put_get_delete(client: Any, function_name: str) -> None:
    create_function(client, function_name)
    arn = function_arn(function_name)
    document = _policy(arn, STATEMENT)
    put = client.put_resource_policy(ResourceArn=arn, Policy=document)
    assert put["Policy"] == document
    assert UUID_RE.match(put["RevisionId"])
    got = client.get_resource_policy(ResourceArn=arn)
    assert (got["Policy"], got["RevisionId"]) == (document, put["RevisionId"])
    # The same policy GetPolicy reads and AddPermission extends.
    assert client.get_policy(FunctionName=function_name)["Policy"] == document
    client.add_permission(
        FunctionName=function_name,
        StatementId="sns",
        Action="lambda:InvokeFunction",
        Principal="sns.amazonaws.com",
    )
    sids = [
        s["Sid"]
        for s in json.loads(client.get_resource_policy(ResourceArn=arn)["Policy"])["Statement"]
    ]
    assert sids == ["s3", "sns"]

    # Replaced as a whole.
    replaced = client.put_resource_policy(
        ResourceArn=arn, Policy=_policy(arn, {**STATEMENT, "Sid": "only"})
    )
    assert [s["Sid"] for s in json.loads(replaced["Policy"])["Statement"]] == ["only"]

    with pytest.raises(ClientError) as excinfo:
        client.delete_resource_policy(ResourceArn=arn, RevisionId=put["RevisionId"])
    assert _error(excinfo)[0] == "PreconditionFailedException"
    deleted = client.delete_resource_policy(ResourceArn=arn, RevisionId=replaced["RevisionId"])
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as excinfo:
        client.get_resource_policy(ResourceArn=arn)
    assert _error(excinfo) == (
        "ResourceNotFoundException",
        "The resource you requested does not exist.",
        404,
    )
    with pytest.raises(ClientError) as excinfo:
        client.delete_resource_policy(ResourceArn=arn)
    assert _error(excinfo)[0] == "ResourceNotFoundException"


def test_versions_and_aliases(client: Any, function_name: str) -> None:
    create_function(client, function_name, Publish=True)
    client.create_alias(FunctionName=function_name, Name="live", FunctionVersion="1")
    for qualifier in ("1", "live"):
        arn = function_arn(function_name, qualifier)
        client.put_resource_policy(ResourceArn=arn, Policy=_policy(arn, STATEMENT))
        got = client.get_policy(FunctionName=function_name, Qualifier=qualifier)
        assert json.loads(got["Policy"])["Statement"][0]["Resource"] == arn
    with pytest.raises(ClientError) as excinfo:
        client.get_resource_policy(ResourceArn=function_arn(function_name))
    assert _error(excinfo)[0] == "ResourceNotFoundException"
    latest = function_arn(function_name, "$LATEST")
    with pytest.raises(ClientError) as excinfo:
        client.put_resource_policy(ResourceArn=latest, Policy=_policy(latest, STATEMENT))
    assert _error(excinfo)[:2] == (
        "InvalidParameterValueException",
        "We currently do not support adding policies for $LATEST.",
    )


def test_errors(client: Any, function_name: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        client.get_resource_policy(ResourceArn=function_name)
    code, message, status = _error(excinfo)
    assert (code, status) == ("ValidationException", 400)
    assert message == (
        f"1 validation error detected: Value '{function_name}' at 'resourceArn' failed to "
        f"satisfy constraint: Member must satisfy regular expression pattern: {POLICY_ARN_PATTERN}"
    )
    missing = function_arn(function_name)
    with pytest.raises(ClientError) as excinfo:
        client.put_resource_policy(ResourceArn=missing, Policy=_policy(missing, STATEMENT))
    assert _error(excinfo) == (
        "ResourceNotFoundException",
        f"Function not found: {missing}",
        404,
    )
    create_function(client, function_name)
    with pytest.raises(ClientError) as excinfo:
        client.put_resource_policy(ResourceArn=missing, Policy="{not json")
    assert _error(excinfo)[0] == "InvalidParameterValueException"
    with pytest.raises(ClientError) as excinfo:
        client.put_resource_policy(
            ResourceArn=missing,
            Policy=_policy(missing, STATEMENT),
            RevisionId="0" * 8 + "-0000-0000-0000-" + "0" * 12,
        )
    assert _error(excinfo)[0] == "PreconditionFailedException"


def test_survives_a_restart(fresh_lambdad: LambdadProcess) -> None:
    fresh_lambdad.start()
    client = fresh_lambdad.lambda_client()
    create_function(client, "kept-policy")
    arn = function_arn("kept-policy")
    put = client.put_resource_policy(ResourceArn=arn, Policy=_policy(arn, STATEMENT))
    fresh_lambdad.stop()
    fresh_lambdad.start()
    got = fresh_lambdad.lambda_client().get_resource_policy(ResourceArn=arn)
    assert (got["Policy"], got["RevisionId"]) == (put["Policy"], put["RevisionId"])


def test_aws_cli(
    lambdad: LambdadProcess, function_name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The AWS CLI's own model predates these operations: teach it them (model_support).
    monkeypatch.setenv("AWS_DATA_PATH", str(write_model_extras(tmp_path / "model")))
    create_function(lambdad.lambda_client(), function_name)
    arn = function_arn(function_name)
    document = _policy(arn, STATEMENT)
    put = lambdad.aws_json(
        "lambda", "put-resource-policy", "--resource-arn", arn, "--policy", document
    )
    assert put["Policy"] == document
    got = lambdad.aws_json("lambda", "get-resource-policy", "--resource-arn", arn)
    assert got == put
    lambdad.aws(
        "lambda",
        "delete-resource-policy",
        "--resource-arn",
        arn,
        "--revision-id",
        put["RevisionId"],
    )
    missing = lambdad.aws("lambda", "get-resource-policy", "--resource-arn", arn, check=False)
    assert "ResourceNotFoundException" in missing.stderr
