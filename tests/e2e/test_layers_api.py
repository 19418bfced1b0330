"""The layer API through boto3 against `lambdad serve`: publish, read, list, delete,
permissions, downloads, AWS's errors, functions referencing layers, and layers fetched
from a second lambdad playing another account.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import urllib3
from botocore.exceptions import ClientError

from tests.e2e.support import ACCOUNT, REGION, LambdadProcess, create_function, settled
from tests.helpers import make_zip

pytestmark = pytest.mark.e2e

LAYER_CODE = {"python/layered.py": "VALUE = 'from-layer'\n"}


def _layer_name() -> str:
    return f"layer-{uuid.uuid4().hex[:10]}"


def _sha(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def _error(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, int, str]:
    response = excinfo.value.response
    return (
        response["Error"]["Code"],
        response["ResponseMetadata"]["HTTPStatusCode"],
        response["Error"]["Message"],
    )


def test_publish_get_and_download(client: Any) -> None:
    name = _layer_name()
    data = make_zip(LAYER_CODE)
    published = client.publish_layer_version(
        LayerName=name,
        Description="shared code",
        Content={"ZipFile": data},
        CompatibleRuntimes=["python3.12", "python3.11"],
        CompatibleArchitectures=["x86_64"],
        LicenseInfo="MIT",
    )
    assert published["ResponseMetadata"]["HTTPStatusCode"] == 201
    layer_arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:layer:{name}"
    assert published["LayerArn"] == layer_arn
    assert published["LayerVersionArn"] == f"{layer_arn}:1"
    assert published["Version"] == 1
    assert published["Content"]["CodeSha256"] == _sha(data)
    assert published["Content"]["CodeSize"] == len(data)
    assert published["CompatibleRuntimes"] == ["python3.12", "python3.11"]
    assert published["CompatibleArchitectures"] == ["x86_64"]
    assert published["LicenseInfo"] == "MIT"
    assert published["Description"] == "shared code"

    got = client.get_layer_version(LayerName=name, VersionNumber=1)
    by_arn = client.get_layer_version_by_arn(Arn=f"{layer_arn}:1")
    by_layer_arn = client.get_layer_version(LayerName=layer_arn, VersionNumber=1)
    for answer in (got, by_arn, by_layer_arn):
        assert answer["LayerVersionArn"] == f"{layer_arn}:1"
        assert answer["CreatedDate"] == published["CreatedDate"]

    # Content.Location is a signed URL the gateway serves: it returns the zip itself.
    response = urllib3.PoolManager().request("GET", got["Content"]["Location"])
    assert response.status == 200
    assert response.data == data
    tampered = got["Content"]["Location"].replace("signature=", "signature=0")
    assert urllib3.PoolManager().request("GET", tampered).status == 403


def test_list_filters_paging_and_numbers_never_reused(client: Any) -> None:
    name = _layer_name()
    runtimes = [["python3.12"], ["nodejs20.x"], ["python3.12"]]
    for index, compatible in enumerate(runtimes):
        client.publish_layer_version(
            LayerName=name,
            Content={"ZipFile": make_zip({"f.txt": str(index)})},
            CompatibleRuntimes=compatible,
            CompatibleArchitectures=["arm64"] if index == 2 else ["x86_64"],
        )
    versions = client.list_layer_versions(LayerName=name)["LayerVersions"]
    assert [v["Version"] for v in versions] == [3, 2, 1]
    assert "Content" not in versions[0]
    python = client.list_layer_versions(LayerName=name, CompatibleRuntime="python3.12")
    assert [v["Version"] for v in python["LayerVersions"]] == [3, 1]
    x86 = client.list_layer_versions(
        LayerName=name, CompatibleRuntime="python3.12", CompatibleArchitecture="x86_64"
    )
    assert [v["Version"] for v in x86["LayerVersions"]] == [1]

    first = client.list_layer_versions(LayerName=name, MaxItems=2)
    assert [v["Version"] for v in first["LayerVersions"]] == [3, 2]
    rest = client.list_layer_versions(LayerName=name, MaxItems=2, Marker=first["NextMarker"])
    assert [v["Version"] for v in rest["LayerVersions"]] == [1]
    assert "NextMarker" not in rest
    pages = client.get_paginator("list_layer_versions").paginate(
        LayerName=name, PaginationConfig={"PageSize": 1}
    )
    assert [v["Version"] for p in pages for v in p["LayerVersions"]] == [3, 2, 1]

    listed = {
        layer["LayerName"]: layer
        for page in client.get_paginator("list_layers").paginate()
        for layer in page["Layers"]
    }
    assert listed[name]["LatestMatchingVersion"]["Version"] == 3
    node = {
        layer["LayerName"]: layer
        for layer in client.list_layers(CompatibleRuntime="nodejs20.x")["Layers"]
    }
    assert node[name]["LatestMatchingVersion"]["Version"] == 2

    client.delete_layer_version(LayerName=name, VersionNumber=3)
    client.delete_layer_version(LayerName=name, VersionNumber=3)  # idempotent, as AWS
    again = client.publish_layer_version(LayerName=name, Content={"ZipFile": make_zip({"g": "x"})})
    assert again["Version"] == 4
    with pytest.raises(ClientError) as excinfo:
        client.get_layer_version(LayerName=name, VersionNumber=3)
    assert _error(excinfo) == (
        "ResourceNotFoundException",
        404,
        "The resource you requested does not exist.",
    )


def test_permissions(client: Any) -> None:
    name = _layer_name()
    client.publish_layer_version(LayerName=name, Content={"ZipFile": make_zip(LAYER_CODE)})
    with pytest.raises(ClientError) as excinfo:
        client.get_layer_version_policy(LayerName=name, VersionNumber=1)
    assert _error(excinfo)[:2] == ("ResourceNotFoundException", 404)

    added = client.add_layer_version_permission(
        LayerName=name,
        VersionNumber=1,
        StatementId="xaccount",
        Action="lambda:GetLayerVersion",
        Principal="111122223333",
    )
    assert added["ResponseMetadata"]["HTTPStatusCode"] == 201
    arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:layer:{name}:1"
    assert json.loads(added["Statement"]) == {
        "Sid": "xaccount",
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
        "Action": "lambda:GetLayerVersion",
        "Resource": arn,
    }
    public = client.add_layer_version_permission(
        LayerName=name,
        VersionNumber=1,
        StatementId="org",
        Action="lambda:GetLayerVersion",
        Principal="*",
        OrganizationId="o-abcdefghij",
        RevisionId=added["RevisionId"],
    )
    policy = client.get_layer_version_policy(LayerName=name, VersionNumber=1)
    assert policy["RevisionId"] == public["RevisionId"] != added["RevisionId"]
    document = json.loads(policy["Policy"])
    assert document["Version"] == "2012-10-17"
    assert [s["Sid"] for s in document["Statement"]] == ["xaccount", "org"]
    assert document["Statement"][1]["Principal"] == "*"
    assert document["Statement"][1]["Condition"] == {
        "StringEquals": {"aws:PrincipalOrgID": "o-abcdefghij"}
    }

    with pytest.raises(ClientError) as excinfo:
        client.add_layer_version_permission(
            LayerName=name,
            VersionNumber=1,
            StatementId="xaccount",
            Action="lambda:GetLayerVersion",
            Principal="*",
        )
    assert _error(excinfo) == (
        "ResourceConflictException",
        409,
        "The statement id (xaccount) provided already exists. Please provide a new statement "
        "id, or remove the existing statement.",
    )
    with pytest.raises(ClientError) as excinfo:
        client.add_layer_version_permission(
            LayerName=name,
            VersionNumber=1,
            StatementId="other",
            Action="lambda:GetLayerVersion",
            Principal="*",
            RevisionId=added["RevisionId"],
        )
    assert _error(excinfo)[:2] == ("PreconditionFailedException", 412)
    assert "GetLayerPolicy API" in _error(excinfo)[2]
    with pytest.raises(ClientError) as excinfo:
        client.add_layer_version_permission(
            LayerName=name, VersionNumber=1, StatementId="s", Action="*", Principal="*"
        )
    assert _error(excinfo) == (
        "ValidationException",
        400,
        "1 validation error detected: Value '*' at 'action' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: lambda:GetLayerVersion",
    )

    client.remove_layer_version_permission(LayerName=name, VersionNumber=1, StatementId="org")
    with pytest.raises(ClientError) as excinfo:
        client.remove_layer_version_permission(LayerName=name, VersionNumber=1, StatementId="org")
    assert _error(excinfo) == (
        "ResourceNotFoundException",
        404,
        "Statement org is not found in resource policy.",
    )
    remaining = json.loads(
        client.get_layer_version_policy(LayerName=name, VersionNumber=1)["Policy"]
    )
    assert [s["Sid"] for s in remaining["Statement"]] == ["xaccount"]


def test_layer_errors(client: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        client.get_layer_version(LayerName="no-such-layer-x", VersionNumber=1)
    assert _error(excinfo)[:2] == ("ResourceNotFoundException", 404)
    with pytest.raises(ClientError) as excinfo:
        client.get_layer_version(LayerName="l", VersionNumber=0)
    assert _error(excinfo) == (
        "InvalidParameterValueException",
        400,
        "Layer Version Cannot be less than 1",
    )
    with pytest.raises(ClientError) as excinfo:
        client.publish_layer_version(LayerName="bad", Content={"ZipFile": b"not a zip"})
    assert _error(excinfo)[:2] == ("InvalidParameterValueException", 400)
    assert _error(excinfo)[2].startswith("Could not unzip uploaded file.")
    with pytest.raises(ClientError) as excinfo:
        client.publish_layer_version(LayerName="bad.name", Content={"ZipFile": make_zip({})})
    assert _error(excinfo)[:2] == ("ValidationException", 400)


def _layer(client: Any, files: dict[str, str] | None = None, name: str | None = None) -> str:
    published = client.publish_layer_version(
        LayerName=name or _layer_name(), Content={"ZipFile": make_zip(files or LAYER_CODE)}
    )
    return str(published["LayerVersionArn"])


def test_function_layer_validation(client: Any, function_name: str) -> None:
    arn = _layer(client)
    layer_arn = arn.rpartition(":")[0]
    size = client.get_layer_version_by_arn(Arn=arn)["Content"]["CodeSize"]
    cases = [
        ([arn] * 6, "Cannot reference more than 5 layers."),
        ([f"{layer_arn}:99"], f"Layer version {layer_arn}:99 does not exist."),
        (
            [arn.replace(REGION, "eu-west-1")],
            f"Layers are not in the same region as the function. Layers are expected to be in "
            f"region {REGION}.",
        ),
        (
            [arn, f"{layer_arn}:2"],
            "Two different versions of the same layer are not allowed to be referenced in the "
            f"same function. {arn} and {layer_arn}:2 are versions of the same layer.",
        ),
        (
            [arn, arn],
            "Two different versions of the same layer are not allowed to be referenced in the "
            f"same function. {arn} and {arn} are versions of the same layer.",
        ),
    ]
    for layers, message in cases:
        with pytest.raises(ClientError) as excinfo:
            create_function(client, function_name, Layers=layers)
        assert _error(excinfo) == ("InvalidParameterValueException", 400, message)

    created = create_function(client, function_name, Layers=[arn])
    assert created["Layers"] == [{"Arn": arn, "CodeSize": size}]
    settled(client, function_name)
    second = _layer(client)
    updated = client.update_function_configuration(FunctionName=function_name, Layers=[second])
    assert [layer["Arn"] for layer in updated["Layers"]] == [second]
    settled(client, function_name)
    cleared = client.update_function_configuration(FunctionName=function_name, Layers=[])
    assert "Layers" not in cleared or cleared["Layers"] == []


# --- layers of another account, fetched from an upstream lambdad ------------------------

UPSTREAM_ACCOUNT = "111111111111"


@pytest.fixture(scope="module")
def upstream(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LambdadProcess]:
    """A second lambdad playing account 111111111111."""
    root = tmp_path_factory.mktemp("upstream")
    process = LambdadProcess(
        data_dir=root / "data",
        log_path=root / "lambdad.log",
        extra_args=["--account-id", UPSTREAM_ACCOUNT],
    ).start()
    yield process
    process.stop()


@pytest.fixture
def downstream(
    tmp_path: Path, upstream: LambdadProcess, monkeypatch: pytest.MonkeyPatch
) -> Iterator[LambdadProcess]:
    """A lambdad (account 000000000000) whose layer upstream is `upstream`."""
    monkeypatch.setenv("LAMBDAD_LAYER_UPSTREAM_ENDPOINT_URL", upstream.endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    process = LambdadProcess(data_dir=tmp_path / "data", log_path=tmp_path / "lambdad.log")
    process.start()
    yield process
    process.stop()


def test_remote_layer_is_fetched_checked_and_cached(
    upstream: LambdadProcess, downstream: LambdadProcess
) -> None:
    remote = upstream.lambda_client()
    name = _layer_name()
    files = {"python/remote_mod.py": "VALUE = 'fetched from upstream'\n"}
    arn = _layer(remote, files, name)
    assert f":{UPSTREAM_ACCOUNT}:layer:{name}:1" in arn
    remote.add_layer_version_permission(
        LayerName=name,
        VersionNumber=1,
        StatementId="local",
        Action="lambda:GetLayerVersion",
        Principal=ACCOUNT,
    )
    local = downstream.lambda_client()
    code = make_zip(
        {"app.py": "import remote_mod\n\ndef handler(e, c):\n    return remote_mod.VALUE\n"}
    )
    created = create_function(local, "uses-remote", code, Layers=[arn])
    assert created["Layers"][0]["Arn"] == arn
    settled(local, "uses-remote")
    answer = local.invoke(FunctionName="uses-remote", Payload=b"{}")
    assert json.loads(answer["Payload"].read()) == "fetched from upstream"

    # Cached: deleting it upstream does not stop a second function from using it.
    remote.delete_layer_version(LayerName=name, VersionNumber=1)
    create_function(local, "uses-remote-2", code, Layers=[arn])
    # Not cached and not upstream: a clear CreateFunction error.
    missing = arn.rpartition(":")[0] + ":7"
    with pytest.raises(ClientError) as excinfo:
        create_function(local, "uses-missing", code, Layers=[missing])
    code_name, status, message = _error(excinfo)
    assert (code_name, status) == ("InvalidParameterValueException", 400)
    assert missing in message and "ResourceNotFoundException" in message
    # No upstream reachable.
    upstream_gone = arn.replace(UPSTREAM_ACCOUNT, "222222222222")
    upstream.stop()
    with pytest.raises(ClientError) as excinfo:
        create_function(local, "uses-unreachable", code, Layers=[upstream_gone])
    assert _error(excinfo)[:2] == ("InvalidParameterValueException", 400)
    assert "could not be fetched" in _error(excinfo)[2]


def test_layers_and_policies_survive_a_restart(fresh_lambdad: LambdadProcess) -> None:
    fresh_lambdad.start()
    client = fresh_lambdad.lambda_client()
    data = make_zip(LAYER_CODE)
    client.publish_layer_version(LayerName="kept", Content={"ZipFile": data})
    client.publish_layer_version(LayerName="kept", Content={"ZipFile": make_zip({"x": "2"})})
    client.delete_layer_version(LayerName="kept", VersionNumber=2)
    added = client.add_layer_version_permission(
        LayerName="kept",
        VersionNumber=1,
        StatementId="all",
        Action="lambda:GetLayerVersion",
        Principal="*",
    )
    fresh_lambdad.kill()  # a crash, not a clean stop
    fresh_lambdad.start()
    client = fresh_lambdad.lambda_client()
    got = client.get_layer_version(LayerName="kept", VersionNumber=1)
    assert urllib3.PoolManager().request("GET", got["Content"]["Location"]).data == data
    assert (
        client.get_layer_version_policy(LayerName="kept", VersionNumber=1)["RevisionId"]
        == (added["RevisionId"])
    )
    again = client.publish_layer_version(LayerName="kept", Content={"ZipFile": data})
    assert again["Version"] == 3  # 2 was deleted before the crash and is not reused
