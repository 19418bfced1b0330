"""The gRPC port's TLS, mTLS and bearer token: an in-process daemon, real certificates."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import grpc
import pytest
import structlog
from grpc_health.v1 import health_pb2, health_pb2_grpc

from lambdad.client import (
    AsyncLambdadClient,
    LambdadError,
    UnauthenticatedError,
    tls_credentials,
)
from lambdad.daemon.config import Config
from lambdad.daemon.security import SecurityConfigError
from lambdad.daemon.server import Daemon, start_daemon
from lambdad.v1 import function_service_pb2 as fs
from lambdad.v1 import function_service_pb2_grpc as fs_grpc
from lambdad.v1 import invocation_service_pb2 as inv
from tests.pki import Pki, make_pki

TOKEN = "s3cret-token"


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


def _config(tmp_path: Path, **security: object) -> Config:
    return replace(Config(data_dir=tmp_path / "data", grpc_port=0, executor="process"), **security)


async def _list(target: str, **connect: object) -> fs.ListFunctionsResponse:
    async with AsyncLambdadClient.connect(target, **connect) as client:  # type: ignore[arg-type]
        return await client.list_functions(fs.ListFunctionsRequest(), timeout=10)


def _tls(pki: Pki) -> dict[str, object]:
    return {"grpc_tls_cert": str(pki.server_cert), "grpc_tls_key": str(pki.server_key)}


@pytest.fixture
async def tls_daemon(pki: Pki, tmp_path: Path) -> AsyncIterator[Daemon]:
    daemon = await start_daemon(_config(tmp_path, **_tls(pki)))
    try:
        yield daemon
    finally:
        await daemon.stop(grace=0)


@pytest.fixture
async def mtls_daemon(pki: Pki, tmp_path: Path) -> AsyncIterator[Daemon]:
    config = _config(tmp_path, **_tls(pki), grpc_tls_client_ca=str(pki.ca))
    daemon = await start_daemon(config)
    try:
        yield daemon
    finally:
        await daemon.stop(grace=0)


@pytest.fixture
async def token_daemon(tmp_path: Path) -> AsyncIterator[Daemon]:
    daemon = await start_daemon(_config(tmp_path, grpc_token=TOKEN))
    try:
        yield daemon
    finally:
        await daemon.stop(grace=0)


async def test_tls_accepts_clients_trusting_the_ca(pki: Pki, tls_daemon: Daemon) -> None:
    target = f"127.0.0.1:{tls_daemon.port}"
    await _list(target, credentials=tls_credentials(ca_cert=pki.ca))
    # The embedded gateway's in-process channel needs neither certificates nor the network.
    stub = fs_grpc.FunctionServiceStub(tls_daemon.in_process_channel())
    assert isinstance(await stub.ListFunctions(fs.ListFunctionsRequest()), fs.ListFunctionsResponse)


@pytest.mark.parametrize("client", ["plaintext", "untrusted CA"])
async def test_tls_refuses_plaintext_and_untrusted_clients(
    pki: Pki, tls_daemon: Daemon, client: str
) -> None:
    credentials = None if client == "plaintext" else tls_credentials(ca_cert=pki.rogue_ca)
    with pytest.raises(LambdadError) as caught:
        await _list(f"127.0.0.1:{tls_daemon.port}", credentials=credentials)
    assert caught.value.code == grpc.StatusCode.UNAVAILABLE


async def test_mtls_accepts_a_client_certificate_from_the_ca(pki: Pki, mtls_daemon: Daemon) -> None:
    credentials = tls_credentials(
        ca_cert=pki.ca, client_cert=pki.client_cert, client_key=pki.client_key
    )
    await _list(f"127.0.0.1:{mtls_daemon.port}", credentials=credentials)


@pytest.mark.parametrize("client", ["no client certificate", "certificate of another CA"])
async def test_mtls_refuses_other_clients(pki: Pki, mtls_daemon: Daemon, client: str) -> None:
    if client == "no client certificate":
        credentials = tls_credentials(ca_cert=pki.ca)
    else:
        credentials = tls_credentials(
            ca_cert=pki.ca, client_cert=pki.rogue_cert, client_key=pki.rogue_key
        )
    with pytest.raises(LambdadError) as caught:
        await _list(f"127.0.0.1:{mtls_daemon.port}", credentials=credentials)
    assert caught.value.code == grpc.StatusCode.UNAVAILABLE


async def test_token_accepted(token_daemon: Daemon) -> None:
    await _list(f"127.0.0.1:{token_daemon.port}", token=TOKEN)


@pytest.mark.parametrize(
    ("token", "message"),
    [
        (None, "Missing bearer token (authorization metadata)."),
        ("wrong", "Invalid bearer token."),
        (TOKEN + "x", "Invalid bearer token."),
    ],
)
async def test_token_missing_or_wrong_is_unauthenticated(
    token_daemon: Daemon, token: str | None, message: str
) -> None:
    target = f"127.0.0.1:{token_daemon.port}"
    with structlog.testing.capture_logs() as logs, pytest.raises(UnauthenticatedError) as caught:
        await _list(target, token=token)
    # A google.rpc.Status with ErrorInfo(reason=UNAUTHENTICATED): the client typed it.
    assert caught.value.code == grpc.StatusCode.UNAUTHENTICATED
    assert caught.value.reason == "UNAUTHENTICATED"
    assert caught.value.message == message
    assert [e["rpc"] for e in logs if e["event"] == "rpc unauthenticated"] == [
        "/lambdad.v1.FunctionService/ListFunctions"
    ]


async def test_token_guards_streaming_rpcs_too(token_daemon: Daemon) -> None:
    async with AsyncLambdadClient.connect(f"127.0.0.1:{token_daemon.port}") as client:
        with pytest.raises(UnauthenticatedError):
            async for _ in client.stream_logs(inv.StreamLogsRequest(function_name="f")):
                pass


async def test_health_needs_no_token(token_daemon: Daemon) -> None:
    async with grpc.aio.insecure_channel(f"127.0.0.1:{token_daemon.port}") as channel:
        response = await health_pb2_grpc.HealthStub(channel).Check(
            health_pb2.HealthCheckRequest(), timeout=10
        )
    assert response.status == health_pb2.HealthCheckResponse.SERVING


@pytest.mark.parametrize(
    "security",
    [
        {"grpc_tls_cert": "cert.pem"},
        {"grpc_tls_key": "key.pem"},
        {"grpc_tls_client_ca": "ca.pem"},
        {"grpc_tls_cert": "/nonexistent/cert.pem", "grpc_tls_key": "/nonexistent/key.pem"},
    ],
)
async def test_inconsistent_tls_settings_refuse_to_start(
    tmp_path: Path, security: dict[str, str]
) -> None:
    with pytest.raises(SecurityConfigError):
        await start_daemon(_config(tmp_path, **security))
