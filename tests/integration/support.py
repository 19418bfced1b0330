"""Helpers shared by the integration tests (in-process daemons, typed clients)."""

from __future__ import annotations

import io
import json
import socket
import zipfile
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from lambdad.client import AsyncLambdadClient
from lambdad.daemon.config import Config
from lambdad.daemon.server import Daemon, start_daemon
from lambdad.v1 import function_pb2 as fpb
from lambdad.v1 import function_service_pb2 as fs
from lambdad.v1 import invocation_service_pb2 as ipb
from tests.helpers import async_wait_for


@asynccontextmanager
async def executor_daemon(
    request: pytest.FixtureRequest, data_dir: Path, **settings: Any
) -> AsyncIterator[Daemon]:
    """An in-process daemon running functions with the executor of the test's parameter
    (`"docker"`: the engine and runtime images, or a skip, a failure in CI), stopped after."""
    if request.param == "docker":
        request.getfixturevalue("runtime_images")
    running = await start_daemon(
        Config(data_dir=data_dir, grpc_port=0, executor=request.param, **settings)
    )
    try:
        yield running
    finally:
        await running.stop(grace=0)


async def wait_settled(client: AsyncLambdadClient, name: str) -> fpb.FunctionConfiguration:
    """The function's configuration once it is Active (or Failed) and no update is running."""

    async def settled() -> fpb.FunctionConfiguration | None:
        got = await client.get_function_configuration(
            fs.GetFunctionConfigurationRequest(function_name=name)
        )
        config = got.configuration
        if config.state in {"Active", "Failed"} and config.last_update_status != "InProgress":
            return config
        return None

    return await async_wait_for(settled, timeout=60)


async def wait_active(client: AsyncLambdadClient, name: str, *, timeout: float = 30.0) -> None:
    """Wait until the function `name` is Active."""

    async def active() -> bool:
        got = await client.get_function_configuration(
            fs.GetFunctionConfigurationRequest(function_name=name)
        )
        return got.configuration.state == "Active"

    await async_wait_for(active, timeout=timeout)


def zip_files(files: Mapping[str, str | bytes]) -> bytes:
    """A zip of `files`; `bootstrap` is executable."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (0o755 if name == "bootstrap" else 0o644) << 16
            archive.writestr(info, content)
    return buffer.getvalue()


async def create(
    client: AsyncLambdadClient,
    name: str,
    runtime: str,
    handler: str,
    files: Mapping[str, str | bytes],
    *,
    timeout: int = 30,
    variables: Mapping[str, str] | None = None,
    memory_size: int = 128,
    layers: Sequence[str] = (),
) -> None:
    """Create a function (with the layer version ARNs `layers`) and wait until it is Active."""
    await client.create_function(
        fs.CreateFunctionRequest(
            function_name=name,
            runtime=runtime,
            role="arn:aws:iam::000000000000:role/lambda-role",
            handler=handler,
            code=fpb.FunctionCode(zip_file=zip_files(files)),
            timeout=timeout,
            memory_size=memory_size,
            layers=list(layers),
            environment=fpb.Environment(variables=dict(variables or {})),
        )
    )
    await wait_active(client, name)


async def invoke(
    client: AsyncLambdadClient, name: str, event: object = None, **fields: object
) -> ipb.InvokeResponse:
    payload = b"" if event is None else json.dumps(event).encode()
    return await client.invoke(ipb.InvokeRequest(function_name=name, payload=payload, **fields))  # type: ignore[arg-type]


def dap_request(port: int, command: str, arguments: dict[str, object]) -> dict[str, object]:
    """Send one Debug Adapter Protocol request to 127.0.0.1:`port`; its response."""
    body = json.dumps(
        {"seq": 1, "type": "request", "command": command, "arguments": arguments}
    ).encode()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        buffer = b""
        while True:
            while b"\r\n\r\n" not in buffer:
                chunk = sock.recv(65536)
                assert chunk, "debug adapter closed the connection"
                buffer += chunk
            header, _, buffer = buffer.partition(b"\r\n\r\n")
            length = int(header.split(b":")[1])
            while len(buffer) < length:
                buffer += sock.recv(65536)
            message, buffer = json.loads(buffer[:length]), buffer[length:]
            if message.get("type") == "response":
                return dict(message)
