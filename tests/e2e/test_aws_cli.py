"""The lifecycle driven by the AWS CLI (`aws --endpoint-url ... lambda ...`), including the
seed page's commands verbatim. Each CLI call costs ~0.6 s, so checks are batched per call."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.e2e.support import (
    ACCOUNT,
    UUID_RE,
    LambdadProcess,
    code_sha256,
    function_arn,
    unique_zip,
)
from tests.helpers import make_zip

pytestmark = pytest.mark.e2e


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_cli_lifecycle(lambdad: LambdadProcess, function_name: str, tmp_path: Path) -> None:
    name = function_name
    arn = function_arn(name)
    first = _write(tmp_path / "first.zip", unique_zip("first"))
    second = _write(tmp_path / "second.zip", unique_zip("second"))

    created = lambdad.aws_json(
        "lambda", "create-function", "--function-name", name, "--runtime", "python3.12",
        "--zip-file", f"fileb://{first}", "--handler", "app.handler", "--role", "r1",
    )  # fmt: skip
    assert {k: created.get(k) for k in ("FunctionName", "FunctionArn", "State", "CodeSha256")} == {
        "FunctionName": name,
        "FunctionArn": arn,
        "State": "Pending",
        "CodeSha256": code_sha256(first.read_bytes()),
    }

    lambdad.aws("lambda", "wait", "function-active-v2", "--function-name", name)
    got = lambdad.aws_json("lambda", "get-function", "--function-name", name)
    assert got["Configuration"]["State"] == "Active"
    assert got["Code"]["RepositoryType"] == "S3"
    configuration = lambdad.aws_json(
        "lambda", "get-function-configuration", "--function-name", name
    )
    assert configuration == got["Configuration"]

    listed = lambdad.aws_json("lambda", "list-functions")
    assert name in [f["FunctionName"] for f in listed["Functions"]]

    updated = lambdad.aws_json(
        "lambda", "update-function-code", "--function-name", name, "--zip-file", f"fileb://{second}"
    )
    assert updated["CodeSha256"] == code_sha256(second.read_bytes())
    assert updated["LastUpdateStatus"] == "InProgress"
    lambdad.aws("lambda", "wait", "function-updated-v2", "--function-name", name)

    reconfigured = lambdad.aws_json(
        "lambda", "update-function-configuration", "--function-name", name,
        "--timeout", "10", "--memory-size", "256", "--environment", "Variables={STAGE=dev}",
    )  # fmt: skip
    assert (reconfigured["Timeout"], reconfigured["MemorySize"], reconfigured["Environment"]) == (
        10,
        256,
        {"Variables": {"STAGE": "dev"}},
    )
    lambdad.aws("lambda", "wait", "function-updated-v2", "--function-name", name)

    published = lambdad.aws_json("lambda", "publish-version", "--function-name", name)
    assert (published["Version"], published["FunctionArn"]) == ("1", function_arn(name, "1"))
    versions = lambdad.aws_json("lambda", "list-versions-by-function", "--function-name", name)
    assert [v["Version"] for v in versions["Versions"]] == ["$LATEST", "1"]

    alias = lambdad.aws_json(
        "lambda", "create-alias", "--function-name", name, "--name", "live",
        "--function-version", "1",
    )  # fmt: skip
    assert (alias["AliasArn"], alias["FunctionVersion"]) == (function_arn(name, "live"), "1")
    assert UUID_RE.match(alias["RevisionId"])

    tagged = lambdad.aws("lambda", "tag-resource", "--resource", arn, "--tags", "team=core")
    assert tagged.stdout == ""
    assert lambdad.aws_json("lambda", "list-tags", "--resource", arn) == {"Tags": {"team": "core"}}
    lambdad.aws("lambda", "untag-resource", "--resource", arn, "--tag-keys", "team")
    assert lambdad.aws_json("lambda", "list-tags", "--resource", arn) == {"Tags": {}}

    # botocore models DeleteFunction's HTTP status as the output member StatusCode (§1.4: 204).
    assert lambdad.aws_json("lambda", "delete-function", "--function-name", name) == {
        "StatusCode": 204
    }

    missing = lambdad.aws("lambda", "get-function", "--function-name", name, check=False)
    assert missing.returncode != 0
    assert (
        "An error occurred (ResourceNotFoundException) when calling the GetFunction operation: "
        f"Function not found: arn:aws:lambda:us-east-1:{ACCOUNT}:function:{name}"
    ) in missing.stderr


def test_cli_duplicate_create_reports_conflict(
    lambdad: LambdadProcess, client: Any, function_name: str, tmp_path: Path
) -> None:
    package = _write(tmp_path / "app.zip", make_zip())
    client.create_function(
        FunctionName=function_name,
        Runtime="python3.12",
        Role="r1",
        Handler="app.handler",
        Code={"ZipFile": package.read_bytes()},
    )
    result = lambdad.aws(
        "lambda", "create-function", "--function-name", function_name, "--runtime", "python3.12",
        "--zip-file", f"fileb://{package}", "--handler", "app.handler", "--role", "r1",
        check=False,
    )  # fmt: skip
    assert result.returncode != 0
    assert (
        "An error occurred (ResourceConflictException) when calling the CreateFunction "
        f"operation: Function already exist: {function_name}"
    ) in result.stderr


def test_seed_function_url_page_create_function(
    lambdad: LambdadProcess, client: Any, function_name: str, tmp_path: Path
) -> None:
    # seed-lambda.md, "Lambda Function URL": the placeholders filled with a python3.12
    # runtime and a zip whose index.py has a handler.
    package = _write(
        tmp_path / "function.zip",
        make_zip({"index.py": "def handler(event, context):\n    return {'statusCode': 200}\n"}),
    )
    created = lambdad.aws_json(
        "lambda", "create-function",
        "--function-name", function_name,
        "--runtime", "python3.12",
        "--zip-file", f"fileb://{package}",
        "--handler", "index.handler",
        "--role", "cool-stacklifter",
    )  # fmt: skip
    assert (created["Role"], created["Handler"], created["Runtime"]) == (
        "cool-stacklifter",
        "index.handler",
        "python3.12",
    )
    lambdad.aws("lambda", "wait", "function-active-v2", "--function-name", function_name)
    client.delete_function(FunctionName=function_name)


def test_seed_layer_walkthrough_create_function_without_layers(
    lambdad: LambdadProcess, client: Any, tmp_path: Path
) -> None:
    # seed-lambda.md, "Creating Lambda layers locally", minus `--layers $LAYER_ARN:1` (layers
    # are not implemented yet); the zip is built as the page builds /tmp/testlambda.zip.
    source = (
        "def handler(*args, **kwargs):\n"
        "  import testlayer; testlayer.util()\n"
        '  print("Debug output from Lambda function")\n'
    )
    package = _write(tmp_path / "testlambda.zip", make_zip({"testlambda.py": source}))
    try:
        created = lambdad.aws_json(
            "lambda", "create-function", "--function-name", "func1", "--runtime", "python3.8",
            "--role", "r1", "--handler", "testlambda.handler", "--timeout", "30",
            "--zip-file", f"fileb://{package}",
        )  # fmt: skip
        assert {
            k: created[k] for k in ("FunctionName", "Runtime", "Role", "Handler", "Timeout")
        } == {
            "FunctionName": "func1",
            "Runtime": "python3.8",
            "Role": "r1",
            "Handler": "testlambda.handler",
            "Timeout": 30,
        }
        waited = lambdad.aws("lambda", "wait", "function-active-v2", "--function-name", "func1")
        assert waited.returncode == 0
        active = lambdad.aws_json(
            "lambda", "get-function-configuration", "--function-name", "func1"
        )
        assert active["State"] == "Active"
    finally:
        with contextlib.suppress(ClientError):  # keep a failed create's own error visible
            client.delete_function(FunctionName="func1")
