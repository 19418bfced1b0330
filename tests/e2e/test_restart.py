"""Durability: state written before a SIGKILL is all there after a restart on the same data
dir, and a crash in the middle of concurrent creates leaves each function whole or absent."""

from __future__ import annotations

import base64
import io
import os
import threading
import uuid
import zipfile
from typing import Any

import boto3
import pytest
import urllib3
from botocore.config import Config as BotoConfig
from botocore.exceptions import ClientError

from tests.e2e.support import (
    REGION,
    LambdadProcess,
    code_sha256,
    create_function,
    function_arn,
    settled,
    unique_zip,
)
from tests.helpers import wait_for

pytestmark = pytest.mark.e2e


def _snapshot(client: Any, names: list[str]) -> dict[str, Any]:
    """Everything the control API says about `names`, minus per-request metadata."""

    def clean(response: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in response.items() if k != "ResponseMetadata"}

    state: dict[str, Any] = {}
    for name in names:
        function = clean(client.get_function(FunctionName=name))
        # Code.Location is a presigned URL with its own expiry: different on every call.
        function["Code"].pop("Location", None)
        state[name] = {
            "function": function,
            "versions": client.list_versions_by_function(FunctionName=name)["Versions"],
            "aliases": client.list_aliases(FunctionName=name)["Aliases"],
            "tags": client.list_tags(Resource=function_arn(name))["Tags"],
        }
    return state


def test_state_survives_sigkill(fresh_lambdad: LambdadProcess) -> None:
    client = fresh_lambdad.start().lambda_client()
    suffix = uuid.uuid4().hex[:6]
    first, second = f"keep-a-{suffix}", f"keep-b-{suffix}"
    zip_a1, zip_a2, zip_b = unique_zip("a1"), unique_zip("a2"), unique_zip("b")

    create_function(
        client,
        first,
        zip_a1,
        Environment={"Variables": {"STAGE": "prod"}},
        MemorySize=256,
        Tags={"team": "core"},
    )
    create_function(client, second, zip_b, Description="second")
    settled(client, first)
    settled(client, second)
    client.publish_version(FunctionName=first)
    settled(client, first, "1")
    client.update_function_code(FunctionName=first, ZipFile=zip_a2)
    settled(client, first)
    client.publish_version(FunctionName=first)
    settled(client, first, "2")
    client.create_alias(
        FunctionName=first,
        Name="live",
        FunctionVersion="2",
        RoutingConfig={"AdditionalVersionWeights": {"1": 0.25}},
    )
    client.tag_resource(Resource=function_arn(second), Tags={"owner": "me", "env": "test"})
    before = _snapshot(client, [first, second])

    fresh_lambdad.kill()
    fresh_lambdad.start()
    client = fresh_lambdad.lambda_client()
    after = _snapshot(client, [first, second])

    assert after == before
    location = client.get_function(FunctionName=first)["Code"]["Location"]
    assert urllib3.request("GET", location, retries=False).data == zip_a2
    # Spelled out, so a failure names the fact that broke.
    latest = after[first]["function"]["Configuration"]
    assert (latest["State"], latest["CodeSha256"]) == ("Active", code_sha256(zip_a2))
    assert latest["RevisionId"] == before[first]["function"]["Configuration"]["RevisionId"]
    assert [(v["Version"], v["CodeSha256"]) for v in after[first]["versions"]] == [
        ("$LATEST", code_sha256(zip_a2)),
        ("1", code_sha256(zip_a1)),
        ("2", code_sha256(zip_a2)),
    ]
    assert after[first]["aliases"][0]["RoutingConfig"] == {"AdditionalVersionWeights": {"1": 0.25}}
    assert after[second]["tags"] == {"owner": "me", "env": "test"}
    assert {f["FunctionName"] for f in client.list_functions()["Functions"]} == {first, second}
    # Version numbers continue after the restart rather than starting over.
    client.update_function_configuration(FunctionName=first, Timeout=7)
    settled(client, first)
    assert client.publish_version(FunctionName=first)["Version"] == "3"


BURST = 20


def test_sigkill_during_concurrent_creates(fresh_lambdad: LambdadProcess) -> None:
    fresh_lambdad.start()
    client = boto3.client(
        "lambda",
        endpoint_url=fresh_lambdad.endpoint,
        region_name=REGION,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=BotoConfig(
            retries={"total_max_attempts": 1},
            max_pool_connections=BURST + 5,
            connect_timeout=5,
            read_timeout=30,
        ),
    )
    suffix = uuid.uuid4().hex[:6]
    names = [f"burst-{i:02d}-{suffix}" for i in range(BURST)]
    # A few MB each, so that requests are still in flight when the first one finishes.
    packages = {name: _padded_zip(name) for name in names}
    acknowledged: list[str] = []
    failed: list[str] = []
    start = threading.Barrier(BURST + 1)
    lock = threading.Lock()

    def create(name: str) -> None:
        start.wait()
        try:
            create_function(client, name, packages[name])
        except Exception:  # noqa: BLE001 - connection errors are the expected outcome
            with lock:
                failed.append(name)
        else:
            with lock:
                acknowledged.append(name)

    threads = [threading.Thread(target=create, args=(n,), daemon=True) for n in names]
    for thread in threads:
        thread.start()
    start.wait()
    # Kill once a few creates were answered: the rest are in flight somewhere between the
    # socket and the database.
    wait_for(lambda: len(acknowledged) >= 5 or failed, timeout=30, interval=0.002)
    fresh_lambdad.kill()
    for thread in threads:
        thread.join(timeout=60)
    assert acknowledged, "no create finished before the kill"
    assert failed, "every create finished before the kill: the crash hit nothing in flight"

    fresh_lambdad.start()
    client = fresh_lambdad.lambda_client()
    present: dict[str, Any] = {}
    for name in names:
        try:
            present[name] = client.get_function(FunctionName=name)["Configuration"]
        except ClientError as error:
            assert error.response["Error"]["Code"] == "ResourceNotFoundException", name
    # An acknowledged create is durable.
    assert sorted(set(acknowledged) - set(present)) == []
    for name, config in present.items():
        assert (config["CodeSha256"], config["CodeSize"]) == (
            code_sha256(packages[name]),
            len(packages[name]),
        ), name
        assert settled(client, name)["State"] == "Active"
    listed = [
        f["FunctionName"]
        for page in client.get_paginator("list_functions").paginate()
        for f in page["Functions"]
    ]
    assert sorted(listed) == sorted(present)
    # Stored code is exactly the code of the functions that exist: no orphans from the
    # creates the crash cut short (they are collected at start-up).
    blobs = {p.name for p in (fresh_lambdad.data_dir / "blobs").rglob("*") if p.is_file()}
    assert blobs == {base64.b64decode(code_sha256(packages[name])).hex() for name in present}


def _padded_zip(name: str) -> bytes:
    """A 3 MB zip unique to `name`."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("app.py", f"def handler(event, context):\n    return {name!r}\n")
        archive.writestr("padding.bin", os.urandom(3 * 1024 * 1024))
    return buffer.getvalue()
