"""The whole function lifecycle driven by boto3, checked against lambda-spec §1.3-§1.5 and §7."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import urllib3
from botocore.exceptions import ClientError

from tests.e2e.support import (
    ACCOUNT,
    LAST_MODIFIED_RE,
    UUID_RE,
    LambdadProcess,
    ResponseRecorder,
    code_sha256,
    create_function,
    function_arn,
    header,
    settled,
    unique_zip,
)

pytestmark = pytest.mark.e2e

WAIT = {"Delay": 1, "MaxAttempts": 30}


def status(response: dict[str, Any]) -> int:
    """The HTTP status botocore saw."""
    return int(response["ResponseMetadata"]["HTTPStatusCode"])


def body(response: dict[str, Any]) -> dict[str, Any]:
    """The parsed body without botocore's metadata."""
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


def not_found(call: Any, **kwargs: Any) -> str:
    """Run a call that must fail with ResourceNotFoundException; return its message."""
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    error = info.value.response
    assert (error["ResponseMetadata"]["HTTPStatusCode"], error["Error"]["Code"]) == (
        404,
        "ResourceNotFoundException",
    )
    return str(error["Error"]["Message"])


@pytest.fixture
def recorder(client: Any) -> ResponseRecorder:
    """Every response the test's client receives."""
    return ResponseRecorder().attach(client)


def assert_request_ids(recorder: ResponseRecorder) -> None:
    """§1.1: a lower-case UUID x-amzn-RequestId on every response, never reused."""
    ids = recorder.request_ids()
    assert ids, "no responses recorded"
    bad = [(op, rid) for op, rid in ids if rid is None or not UUID_RE.match(rid)]
    assert bad == []
    values = [rid for _, rid in ids]
    assert len(set(values)) == len(values)


def test_create_function_returns_201_with_aws_defaults(
    client: Any, function_name: str, recorder: ResponseRecorder
) -> None:
    zip_bytes = unique_zip()
    response = create_function(client, function_name, zip_bytes)

    assert status(response) == 201
    config = body(response)
    expected = {
        "FunctionName": function_name,
        "FunctionArn": function_arn(function_name),
        "Runtime": "python3.12",
        "Role": "r1",
        "Handler": "app.handler",
        "CodeSize": len(zip_bytes),
        "CodeSha256": code_sha256(zip_bytes),
        "Description": "",
        "Timeout": 3,
        "MemorySize": 128,
        "Version": "$LATEST",
        # No Environment member without variables (AWS, recorded 2025-26; issue 15).
        "Environment": None,
        "TracingConfig": {"Mode": "PassThrough"},
        "State": "Pending",
        "StateReason": "The function is being created.",
        "StateReasonCode": "Creating",
        "PackageType": "Zip",
        "Architectures": ["x86_64"],
        "EphemeralStorage": {"Size": 512},
        "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{function_name}"},
        "SnapStart": {"ApplyOn": "None", "OptimizationStatus": "Off"},
    }
    modified = datetime.strptime(config["LastModified"], "%Y-%m-%dT%H:%M:%S.%f%z")
    # One comparison, so that every deviation shows at once.
    actual = {key: config.get(key) for key in expected}
    actual.update(
        {
            "LastUpdateStatus absent": "LastUpdateStatus" not in config,  # "(no ... yet)"
            "LastModified format": bool(LAST_MODIFIED_RE.match(config["LastModified"])),
            "LastModified is now": abs(datetime.now(UTC) - modified) < timedelta(minutes=5),
            "RevisionId is a uuid": bool(UUID_RE.match(config["RevisionId"])),
            "RuntimeVersionArn": config["RuntimeVersionConfig"]["RuntimeVersionArn"].startswith(
                "arn:aws:lambda:us-east-1::runtime:"
            ),
        }
    )
    assert actual == {
        **expected,
        "LastUpdateStatus absent": True,
        "LastModified format": True,
        "LastModified is now": True,
        "RevisionId is a uuid": True,
        "RuntimeVersionArn": True,
    }
    assert_request_ids(recorder)
    assert header(recorder.last[2], "x-amzn-RequestId") == response["ResponseMetadata"]["RequestId"]


def test_waiters_and_revision_id_changes(
    client: Any, function_name: str, recorder: ResponseRecorder
) -> None:
    created = create_function(client, function_name)
    revisions = [created["RevisionId"]]

    client.get_waiter("function_active_v2").wait(FunctionName=function_name, WaiterConfig=WAIT)
    active = client.get_function(FunctionName=function_name)["Configuration"]
    assert (active["State"], active.get("LastUpdateStatus")) == ("Active", "Successful")
    assert "StateReason" not in active and "StateReasonCode" not in active
    revisions.append(active["RevisionId"])

    new_zip = unique_zip("v2")
    updated = client.update_function_code(FunctionName=function_name, ZipFile=new_zip)
    assert status(updated) == 200
    assert {
        k: updated.get(k)
        for k in (
            "State",
            "LastUpdateStatus",
            "LastUpdateStatusReason",
            "LastUpdateStatusReasonCode",
            "CodeSha256",
            "CodeSize",
        )
    } == {
        "State": "Active",
        "LastUpdateStatus": "InProgress",
        "LastUpdateStatusReason": "The function is being created.",
        "LastUpdateStatusReasonCode": "Creating",
        "CodeSha256": code_sha256(new_zip),
        "CodeSize": len(new_zip),
    }
    revisions.append(updated["RevisionId"])

    client.get_waiter("function_updated_v2").wait(FunctionName=function_name, WaiterConfig=WAIT)
    after_code = client.get_function(FunctionName=function_name)["Configuration"]
    assert after_code["LastUpdateStatus"] == "Successful"
    assert "LastUpdateStatusReason" not in after_code
    assert after_code["CodeSha256"] == code_sha256(new_zip)
    revisions.append(after_code["RevisionId"])

    changed = client.update_function_configuration(
        FunctionName=function_name,
        Description="changed",
        MemorySize=256,
        Timeout=10,
        Environment={"Variables": {"KEY_A": "1", "KEY_B": "2"}},
    )
    assert status(changed) == 200
    assert changed["LastUpdateStatus"] == "InProgress"
    assert (changed["Description"], changed["MemorySize"], changed["Timeout"]) == (
        "changed",
        256,
        10,
    )
    assert changed["Environment"] == {"Variables": {"KEY_A": "1", "KEY_B": "2"}}
    revisions.append(changed["RevisionId"])

    client.get_waiter("function_updated_v2").wait(FunctionName=function_name, WaiterConfig=WAIT)
    after_config = client.get_function(FunctionName=function_name)["Configuration"]
    assert after_config["LastUpdateStatus"] == "Successful"
    revisions.append(after_config["RevisionId"])

    # Environment.Variables are replaced wholesale (names need 2+ characters: the model's
    # pattern is [a-zA-Z]([a-zA-Z0-9_])+); members not sent are kept.
    replaced = client.update_function_configuration(
        FunctionName=function_name, Environment={"Variables": {"KEY_C": "3"}}
    )
    assert replaced["Environment"] == {"Variables": {"KEY_C": "3"}}
    assert (replaced["Description"], replaced["MemorySize"], replaced["Timeout"]) == (
        "changed",
        256,
        10,
    )
    revisions.append(replaced["RevisionId"])
    client.get_waiter("function_updated_v2").wait(FunctionName=function_name, WaiterConfig=WAIT)
    revisions.append(client.get_function(FunctionName=function_name)["Configuration"]["RevisionId"])

    client.get_waiter("function_exists").wait(FunctionName=function_name, WaiterConfig=WAIT)

    assert all(UUID_RE.match(r) for r in revisions), revisions
    assert len(set(revisions)) == len(revisions), f"a RevisionId repeated: {revisions}"
    assert_request_ids(recorder)


def test_get_function_and_configuration(client: Any, function_name: str) -> None:
    untagged = f"{function_name}-plain"
    package = unique_zip("tagged")
    create_function(client, function_name, package, Tags={"team": "core"})
    create_function(client, untagged)
    settled(client, function_name)
    settled(client, untagged)

    tagged = body(client.get_function(FunctionName=function_name))
    assert set(tagged) == {"Configuration", "Code", "Tags"}
    assert tagged["Code"]["RepositoryType"] == "S3"
    assert tagged["Tags"] == {"team": "core"}
    # Code.Location: a URL (presigned on AWS, valid 10 minutes) serving the zip itself.
    download = urllib3.request("GET", tagged["Code"]["Location"], retries=False)
    assert (download.status, download.data) == (200, package)
    assert tagged["Configuration"] == body(
        client.get_function_configuration(FunctionName=function_name)
    )

    plain = body(client.get_function(FunctionName=untagged))
    assert set(plain) == {"Configuration", "Code"}, "Tags only when the function is tagged"
    assert plain["Code"]["RepositoryType"] == "S3"
    assert plain["Configuration"]["FunctionName"] == untagged


def test_function_name_forms(client: Any, function_name: str) -> None:
    urls: list[str] = []
    client.meta.events.register("before-send.lambda", lambda request, **_: urls.append(request.url))
    create_function(client, function_name)
    settled(client, function_name)
    assert client.publish_version(FunctionName=function_name)["Version"] == "1"
    settled(client, function_name, "1")

    unqualified = {
        "name": function_name,
        "partial ARN": f"{ACCOUNT}:function:{function_name}",
        "full ARN": function_arn(function_name),
    }
    for form, given in unqualified.items():
        for call in (client.get_function, client.get_function_configuration):
            result = call(FunctionName=given)
            config = result.get("Configuration", result)
            assert (config["FunctionArn"], config["Version"]) == (
                function_arn(function_name),
                "$LATEST",
            ), form

    qualified = {
        "name:1": f"{function_name}:1",
        "partial ARN:1": f"{ACCOUNT}:function:{function_name}:1",
        "qualified ARN": function_arn(function_name, "1"),
    }
    for form, given in qualified.items():
        config = client.get_function(FunctionName=given)["Configuration"]
        assert (config["FunctionArn"], config["Version"]) == (
            function_arn(function_name, "1"),
            "1",
        ), form
    by_param = client.get_function(FunctionName=function_name, Qualifier="1")["Configuration"]
    assert by_param["FunctionArn"] == function_arn(function_name, "1")

    # botocore percent-encodes ':' in the path; the gateway must decode it.
    encoded = function_arn(function_name, "1").replace(":", "%3A")
    assert any(f"/2015-03-31/functions/{encoded}?" in u or u.endswith(encoded) for u in urls), urls

    changed = client.update_function_configuration(
        FunctionName=function_arn(function_name), Description="via ARN"
    )
    assert changed["FunctionArn"] == function_arn(function_name)
    settled(client, function_name)

    deleted = client.delete_function(FunctionName=f"{ACCOUNT}:function:{function_name}")
    assert status(deleted) == 204
    assert not_found(client.get_function, FunctionName=function_name) == (
        f"Function not found: {function_arn(function_name)}"
    )


def test_list_functions_paging_and_account_settings(fresh_lambdad: LambdadProcess) -> None:
    client = fresh_lambdad.start().lambda_client()
    suffix = uuid.uuid4().hex[:6]
    names = [f"page-{i}-{suffix}" for i in range(3)]
    zips = {name: unique_zip(name) for name in names}
    for name in names:
        create_function(client, name, zips[name])
    for name in names:
        settled(client, name)
    client.publish_version(FunctionName=names[0])
    settled(client, names[0], "1")

    first = client.list_functions(MaxItems=1)
    assert len(first["Functions"]) == 1 and "NextMarker" in first
    second = client.list_functions(MaxItems=1, Marker=first["NextMarker"])
    assert len(second["Functions"]) == 1
    assert second["Functions"][0]["FunctionName"] != first["Functions"][0]["FunctionName"]

    pages = list(client.get_paginator("list_functions").paginate(PaginationConfig={"PageSize": 1}))
    listed = [f for page in pages for f in page["Functions"]]
    assert sorted(f["FunctionName"] for f in listed) == sorted(names)
    assert len(pages) == 3 and "NextMarker" not in pages[-1]
    assert {(f["Version"], f["FunctionArn"]) for f in listed} == {
        ("$LATEST", function_arn(n)) for n in names
    }

    everything = [
        f
        for page in client.get_paginator("list_functions").paginate(FunctionVersion="ALL")
        for f in page["Functions"]
    ]
    assert sorted((f["FunctionName"], f["Version"]) for f in everything) == sorted(
        [(n, "$LATEST") for n in names] + [(names[0], "1")]
    )
    published = next(f for f in everything if f["Version"] == "1")
    assert published["FunctionArn"] == function_arn(names[0], "1")

    with pytest.raises(ClientError) as info:
        client.list_functions(FunctionVersion="LATEST")
    assert (info.value.response["Error"]["Code"], info.value.response["Error"]["Message"]) == (
        "ValidationException",
        "1 validation error detected: Value 'LATEST' at 'functionVersion' failed to satisfy "
        "constraint: Member must satisfy enum value set: [ALL]",
    )

    settings = body(client.get_account_settings())
    assert settings["AccountLimit"] == {
        "TotalCodeSize": 80530636800,
        "CodeSizeUnzipped": 262144000,
        "CodeSizeZipped": 52428800,
        "ConcurrentExecutions": 1000,
        "UnreservedConcurrentExecutions": 1000,
    }
    assert set(settings["AccountUsage"]) == {"TotalCodeSize", "FunctionCount"}
    assert settings["AccountUsage"]["FunctionCount"] == 3
    assert settings["AccountUsage"]["TotalCodeSize"] >= sum(len(z) for z in zips.values())


def test_versions_aliases_and_deletes(client: Any, function_name: str) -> None:
    zip1 = unique_zip("one")
    create_function(client, function_name, zip1)
    settled(client, function_name)

    v1 = client.publish_version(FunctionName=function_name, Description="first")
    assert status(v1) == 201
    assert (v1["Version"], v1["FunctionArn"], v1["CodeSha256"], v1["Description"]) == (
        "1",
        function_arn(function_name, "1"),
        code_sha256(zip1),
        "first",
    )
    # Published from a settled $LATEST, AWS answers the version Active and Successful at once
    # (issue 15, recorded 2025) and it keeps that RevisionId.
    assert (v1["State"], v1["LastUpdateStatus"]) == ("Active", "Successful")
    client.get_waiter("published_version_active").wait(
        FunctionName=function_name, Qualifier="1", WaiterConfig=WAIT
    )
    active_v1 = client.get_function_configuration(FunctionName=function_name, Qualifier="1")
    assert active_v1["RevisionId"] == v1["RevisionId"]
    # Nothing changed since version 1: no new version.
    assert client.publish_version(FunctionName=function_name)["Version"] == "1"

    zip2 = unique_zip("two")
    client.update_function_code(FunctionName=function_name, ZipFile=zip2)
    settled(client, function_name)
    v2 = client.publish_version(FunctionName=function_name, CodeSha256=code_sha256(zip2))
    assert (v2["Version"], v2["CodeSha256"]) == ("2", code_sha256(zip2))
    settled(client, function_name, "2")

    versions = client.list_versions_by_function(FunctionName=function_name)["Versions"]
    assert [(v["Version"], v["FunctionArn"], v["CodeSha256"]) for v in versions] == [
        ("$LATEST", function_arn(function_name, "$LATEST"), code_sha256(zip2)),
        ("1", function_arn(function_name, "1"), code_sha256(zip1)),
        ("2", function_arn(function_name, "2"), code_sha256(zip2)),
    ]
    paged = client.get_paginator("list_versions_by_function").paginate(
        FunctionName=function_name, PaginationConfig={"PageSize": 1}
    )
    assert [v["Version"] for page in paged for v in page["Versions"]] == ["$LATEST", "1", "2"]

    live = client.create_alias(
        FunctionName=function_name,
        Name="live",
        FunctionVersion="2",
        Description="prod",
        RoutingConfig={"AdditionalVersionWeights": {"1": 0.3}},
    )
    assert status(live) == 201
    live_body = body(live)
    assert UUID_RE.match(live_body.pop("RevisionId"))
    assert live_body == {
        "AliasArn": function_arn(function_name, "live"),
        "Name": "live",
        "FunctionVersion": "2",
        "Description": "prod",
        "RoutingConfig": {"AdditionalVersionWeights": {"1": 0.3}},
    }
    assert body(client.get_alias(FunctionName=function_name, Name="live")) == body(live)
    client.create_alias(FunctionName=function_name, Name="beta", FunctionVersion="1")

    aliases = client.list_aliases(FunctionName=function_name)["Aliases"]
    assert sorted(a["Name"] for a in aliases) == ["beta", "live"]
    only_v1 = client.list_aliases(FunctionName=function_name, FunctionVersion="1")["Aliases"]
    assert [a["Name"] for a in only_v1] == ["beta"]

    renamed = client.update_alias(
        FunctionName=function_name,
        Name="live",
        Description="still prod",
        RevisionId=live["RevisionId"],
    )
    assert renamed["RevisionId"] != live["RevisionId"]
    assert (renamed["Description"], renamed["FunctionVersion"], renamed["RoutingConfig"]) == (
        "still prod",
        "2",
        {"AdditionalVersionWeights": {"1": 0.3}},
    )

    for given in (
        {"FunctionName": function_name, "Qualifier": "live"},
        {"FunctionName": function_arn(function_name, "live")},
    ):
        config = client.get_function(**given)["Configuration"]
        assert (config["Version"], config["FunctionArn"]) == (
            "2",
            function_arn(function_name, "live"),
        )

    assert status(client.delete_alias(FunctionName=function_name, Name="beta")) == 204
    assert status(client.delete_alias(FunctionName=function_name, Name="live")) == 204
    assert not_found(client.get_alias, FunctionName=function_name, Name="beta") == (
        f"Cannot find alias arn: {function_arn(function_name, 'beta')}"
    )

    # Delete one version: the rest of the function stays.
    assert status(client.delete_function(FunctionName=function_name, Qualifier="1")) == 204
    assert not_found(client.get_function, FunctionName=function_name, Qualifier="1") == (
        f"Function not found: {function_arn(function_name, '1')}"
    )
    remaining = client.list_versions_by_function(FunctionName=function_name)["Versions"]
    assert [v["Version"] for v in remaining] == ["$LATEST", "2"]

    # Delete everything: AWS answers 204 although the model says 200 (§1.4).
    deleted = client.delete_function(FunctionName=function_name)
    assert (status(deleted), deleted.get("StatusCode")) == (204, 204)
    expected = f"Function not found: {function_arn(function_name)}"
    assert not_found(client.get_function, FunctionName=function_name) == expected
    assert not_found(client.list_versions_by_function, FunctionName=function_name) == expected
    assert not_found(client.get_function, FunctionName=function_name, Qualifier="2") == (
        f"Function not found: {function_arn(function_name, '2')}"
    )


def test_tags(client: Any, function_name: str) -> None:
    create_function(client, function_name)
    settled(client, function_name)
    arn = function_arn(function_name)

    assert body(client.list_tags(Resource=arn)) == {"Tags": {}}
    assert status(client.tag_resource(Resource=arn, Tags={"a": "1", "b": "2"})) == 204
    assert client.list_tags(Resource=arn)["Tags"] == {"a": "1", "b": "2"}
    assert client.get_function(FunctionName=function_name)["Tags"] == {"a": "1", "b": "2"}

    client.tag_resource(Resource=arn, Tags={"b": "3", "c": ""})
    assert client.list_tags(Resource=arn)["Tags"] == {"a": "1", "b": "3", "c": ""}

    assert status(client.untag_resource(Resource=arn, TagKeys=["a", "c"])) == 204
    assert client.list_tags(Resource=arn)["Tags"] == {"b": "3"}
    client.untag_resource(Resource=arn, TagKeys=["b", "never-set"])
    assert client.list_tags(Resource=arn)["Tags"] == {}
    assert "Tags" not in client.get_function(FunctionName=function_name)


def test_request_id_on_success_and_error(
    client: Any, function_name: str, recorder: ResponseRecorder
) -> None:
    create_function(client, function_name)
    client.get_account_settings()
    not_found(client.get_function, FunctionName=f"{function_name}-missing")
    settled(client, function_name)
    client.delete_function(FunctionName=function_name)

    operations = [op for op, _ in recorder.request_ids()]
    assert {"CreateFunction", "GetAccountSettings", "GetFunction", "DeleteFunction"} <= set(
        operations
    )
    assert_request_ids(recorder)
