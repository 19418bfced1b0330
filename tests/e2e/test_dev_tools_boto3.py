"""Developer tooling through boto3, as a new user tries it: a locally built image function and
a hot-reloaded directory whose saved change shows in the next response."""

from __future__ import annotations

import contextlib
import json
import time
import uuid
from pathlib import Path
from typing import Any

import docker
import docker.errors
import pytest

from tests.e2e.support import LambdadProcess

ROLE = "arn:aws:iam::000000000000:role/lambda-role"
APP = "def handler(event, context):\n    return {'version': %r, 'event': event}\n"


@pytest.mark.docker
def test_locally_built_image_function_through_boto3(
    docker_lambdad: LambdadProcess, docker_required: docker.DockerClient, tmp_path: Path
) -> None:
    (tmp_path / "app.py").write_text(APP % "image")
    (tmp_path / "Dockerfile").write_text(
        'FROM lambdad/runtime:python3.11\nCOPY app.py /var/task/\nCMD ["app.handler"]\n'
    )
    tag = f"lambdad-test/e2e-{uuid.uuid4().hex[:10]}:latest"
    image, _ = docker_required.images.build(path=str(tmp_path), tag=tag, rm=True, forcerm=True)
    try:
        client = docker_lambdad.lambda_client()
        created = client.create_function(
            FunctionName="image-fn", Role=ROLE, PackageType="Image", Code={"ImageUri": tag}
        )
        digest = str(image.id).removeprefix("sha256:")
        assert created["PackageType"] == "Image"
        assert created["CodeSha256"] == digest
        client.get_waiter("function_active_v2").wait(FunctionName="image-fn")
        code = client.get_function(FunctionName="image-fn")["Code"]
        assert code == {
            "RepositoryType": "ECR",
            "ImageUri": tag,
            "ResolvedImageUri": f"{tag.rpartition(':')[0]}@sha256:{digest}",
        }
        response = client.invoke(FunctionName="image-fn", Payload=b'{"a": 1}')
        assert "FunctionError" not in response
        assert json.loads(response["Payload"].read()) == {"version": "image", "event": {"a": 1}}
    finally:
        with contextlib.suppress(docker.errors.ImageNotFound):
            docker_required.images.remove(tag, force=True)


def test_hot_reload_shows_a_save_in_the_next_response(
    client: Any, function_name: str, tmp_path: Path
) -> None:
    code = tmp_path / "src"
    code.mkdir()
    (code / "app.py").write_text(APP % "before")
    created = client.create_function(
        FunctionName=function_name,
        Runtime="python3.11",
        Role=ROLE,
        Handler="app.handler",
        Code={"S3Bucket": "hot-reload", "S3Key": str(code)},
    )
    assert created["CodeSha256"] == "hot-reloading-hash-not-available"
    client.get_waiter("function_active_v2").wait(FunctionName=function_name)
    # No zip to download: the code's location is the directory itself.
    assert client.get_function(FunctionName=function_name)["Code"]["Location"] == code.as_uri()

    def version() -> str:
        payload = client.invoke(FunctionName=function_name)["Payload"].read()
        return str(json.loads(payload)["version"])

    assert version() == "before"
    (code / "app.py").write_text(APP % "after")
    saved = time.monotonic()
    assert version() == "after"
    assert time.monotonic() - saved < 1.0, "the saved code should answer within a second"
