"""Function URLs through an in-process daemon: URL configurations and the resource policy over
gRPC (the pure event/response/CORS code and SigV4: tests/unit/test_function_urls.py)."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import grpc
import pytest

from lambdad.client.client import AsyncLambdadClient
from lambdad.daemon.config import Config
from lambdad.daemon.server import start_daemon
from lambdad.gateway import urls
from lambdad.v1 import function_pb2, function_service_pb2
from lambdad.v1 import url_service_pb2 as us
from tests.helpers import make_zip


async def _create_f(client: AsyncLambdadClient) -> None:
    """Function "f" with the default zip: what the URL configs below are made for."""
    await client.create_function(
        function_service_pb2.CreateFunctionRequest(
            function_name="f",
            runtime="python3.12",
            role="arn:aws:iam::000000000000:role/r",
            handler="index.handler",
            code=function_pb2.FunctionCode(zip_file=make_zip()),
        )
    )


async def test_url_config_and_policy_lifecycle(tmp_path: Path) -> None:
    daemon = await start_daemon(
        Config(data_dir=tmp_path / "data", grpc_port=0, executor="process", gateway_port=4567)
    )
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{daemon.port}") as channel:
            client = AsyncLambdadClient(channel)
            await _create_f(client)
            created = await client.create_function_url_config(
                us.CreateFunctionUrlConfigRequest(function_name="f", auth_type="AWS_IAM")
            )
            assert created.function_url == (
                f"http://localhost:4567/lambda-url/{created.function_url.split('/')[-2]}/"
            )
            assert not created.HasField("invoke_mode")
            updated = await client.update_function_url_config(
                us.UpdateFunctionUrlConfigRequest(
                    function_name="f",
                    invoke_mode="RESPONSE_STREAM",
                    cors=us.Cors(allow_origins=["*"], max_age=5),
                )
            )
            assert updated.config.function_url == created.function_url
            assert updated.config.auth_type == "AWS_IAM"
            assert updated.config.invoke_mode == "RESPONSE_STREAM"
            assert updated.config.cors.max_age == 5
            for bad, reason_text in (
                (us.CreateFunctionUrlConfigRequest(function_name="f", auth_type="X"), "authType"),
                (
                    us.CreateFunctionUrlConfigRequest(
                        function_name="f", qualifier="$LATEST", auth_type="NONE"
                    ),
                    "((?!^\\d+$)^[0-9a-zA-Z-_]+$)",
                ),
                (
                    us.CreateFunctionUrlConfigRequest(
                        function_name="f", auth_type="NONE", invoke_mode="UNKNOWN"
                    ),
                    "[RESPONSE_STREAM, BUFFERED]",
                ),
            ):
                with pytest.raises(Exception) as info:
                    await client.create_function_url_config(bad)
                assert reason_text in str(info.value)
            statement = await client.add_permission(
                us.AddPermissionRequest(
                    function_name="f",
                    statement_id="s3",
                    action="lambda:InvokeFunction",
                    principal="s3.amazonaws.com",
                    source_arn="arn:aws:s3:::bucket",
                )
            )
            assert json.loads(statement.statement) == {
                "Sid": "s3",
                "Effect": "Allow",
                "Principal": {"Service": "s3.amazonaws.com"},
                "Action": "lambda:InvokeFunction",
                "Resource": "arn:aws:lambda:us-east-1:000000000000:function:f",
                "Condition": {"ArnLike": {"AWS:SourceArn": "arn:aws:s3:::bucket"}},
            }
            policy = await client.get_policy(us.GetPolicyRequest(function_name="f"))
            with pytest.raises(Exception) as info:
                await client.add_permission(
                    us.AddPermissionRequest(
                        function_name="f",
                        statement_id="s3",
                        action="lambda:InvokeFunction",
                        principal="*",
                    )
                )
            assert "The statement id (s3) provided already exists" in str(info.value)
            with pytest.raises(Exception) as info:
                await client.remove_permission(
                    us.RemovePermissionRequest(
                        function_name="f", statement_id="s3", revision_id="stale"
                    )
                )
            assert "Call the GetPolicy API" in str(info.value)
            await client.remove_permission(
                us.RemovePermissionRequest(
                    function_name="f", statement_id="s3", revision_id=policy.revision_id
                )
            )
            with pytest.raises(Exception) as info:
                await client.remove_permission(
                    us.RemovePermissionRequest(function_name="f", statement_id="s3")
                )
            assert "No policy is associated with the given resource." in str(info.value)
            listed = await client.list_function_url_configs(
                us.ListFunctionUrlConfigsRequest(function_name="f")
            )
            assert [c.function_url for c in listed.function_url_configs] == [created.function_url]
            await client.delete_function_url_config(
                us.DeleteFunctionUrlConfigRequest(function_name="f")
            )
            with pytest.raises(Exception) as info:
                await client.get_function_url_config(
                    us.GetFunctionUrlConfigRequest(function_name="f")
                )
            assert "The resource you requested does not exist." in str(info.value)
    finally:
        await daemon.stop(grace=0)


# --- strict mode's public-access rule -------------------------------------------------------


@pytest.mark.parametrize(
    ("style", "expected"),
    [
        ("path", "http://gw:4567/lambda-url/{id}/"),
        ("host", "http://{id}.lambda-url.us-east-1.gw:4567/"),
    ],
)
async def test_url_style_chooses_the_function_url_shape(
    tmp_path: Path, style: str, expected: str
) -> None:
    config = Config(
        data_dir=tmp_path / "data", grpc_port=0, executor="process", gateway_port=4567,
        url_host="gw", url_style=style, metrics_port=0,
    )  # fmt: skip
    daemon = await start_daemon(config)
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{daemon.port}") as channel:
            client = AsyncLambdadClient(channel)
            await _create_f(client)
            created = await client.create_function_url_config(
                us.CreateFunctionUrlConfigRequest(function_name="f", auth_type="NONE")
            )
            url = created.function_url
            url_id = url.split("/")[-2] if style == "path" else urlsplit(url).hostname.split(".")[0]
            assert len(url_id) == 32
            assert url == expected.format(id=url_id)
            address = urls.url_address("127.0.0.1:4567", urlsplit(url).path + "x")
            if style == "path":
                assert address == urls.UrlAddress(url_id, "/x", True)
    finally:
        await daemon.stop()
