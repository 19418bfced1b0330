"""A daemon with mTLS and a bearer token, used as users use it: `lambdad serve` (its gateway
wired with the same credentials), a standalone `lambdad gateway`, and `lambdadctl`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import botocore.exceptions
import pytest
import urllib3

from tests.e2e.support import LambdadProcess, create_function, settled
from tests.helpers import free_port, wait_for
from tests.pki import Pki, make_pki

TOKEN = "e2e-token"


@dataclass(frozen=True)
class Secured:
    """The running daemon and the certificates it was started with."""

    process: LambdadProcess
    pki: Pki


@pytest.fixture
def secured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Secured]:
    pki = make_pki(tmp_path / "pki")
    monkeypatch.setenv("LAMBDAD_GRPC_TLS_CERT", str(pki.server_cert))
    monkeypatch.setenv("LAMBDAD_GRPC_TLS_KEY", str(pki.server_key))
    monkeypatch.setenv("LAMBDAD_GRPC_TLS_CLIENT_CA", str(pki.ca))
    monkeypatch.setenv("LAMBDAD_GRPC_TOKEN", TOKEN)
    process = LambdadProcess(data_dir=tmp_path / "data", log_path=tmp_path / "lambdad.log")
    # start() waits for the gateway to answer AccountSettings: the in-process gateway must
    # already get through to the secured daemon.
    yield Secured(process.start(), pki)
    process.stop()


def _ctl(
    secured: Secured, *argv: str, token: str | None = TOKEN
) -> subprocess.CompletedProcess[str]:
    pki = secured.pki
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAMBDAD_")}
    if token is not None:
        env["LAMBDAD_GRPC_TOKEN"] = token
    command = [
        sys.executable,
        "-m",
        "lambdad.client",
        "--target",
        secured.process.grpc_target,
        "--ca-cert",
        str(pki.ca),
        "--client-cert",
        str(pki.client_cert),
        "--client-key",
        str(pki.client_key),
        *argv,
    ]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=60)


def test_gateway_of_lambdad_serve_works_against_mtls_and_token(secured: Secured) -> None:
    client = secured.process.lambda_client()
    create_function(client, "secured-echo")
    settled(client, "secured-echo")
    response = client.invoke(FunctionName="secured-echo", Payload=b'{"ok": true}')
    assert json.loads(response["Payload"].read()) == {"ok": True}
    # Server-streamed RPCs go through the gateway's token interceptor too.
    streamed = client.invoke_with_response_stream(FunctionName="secured-echo", Payload=b"[7]")
    events = list(streamed["EventStream"])
    chunks = b"".join(e["PayloadChunk"]["Payload"] for e in events if "PayloadChunk" in e)
    assert json.loads(chunks) == [7]
    assert "InvokeComplete" in events[-1]


def test_lambdadctl_with_certificates_and_token(secured: Secured) -> None:
    client = secured.process.lambda_client()
    create_function(client, "ctl-echo")
    settled(client, "ctl-echo")

    listed = _ctl(secured, "--json", "functions", "list")
    assert listed.returncode == 0, listed.stderr
    assert "ctl-echo" in [f["FunctionName"] for f in json.loads(listed.stdout)["Functions"]]

    invoked = _ctl(secured, "functions", "invoke", "ctl-echo", "--payload", '{"n": 1}')
    assert invoked.returncode == 0, invoked.stderr
    assert json.loads(invoked.stdout) == {"n": 1}

    for token, message in ((None, "Missing bearer token"), ("nope", "Invalid bearer token")):
        refused = _ctl(secured, "functions", "list", token=token)
        assert refused.returncode == 1
        assert refused.stderr.startswith(f"UNAUTHENTICATED: {message}")

    # Health stays open without a token (container health checks hold no secret).
    health = _ctl(secured, "health", token=None)
    assert (health.returncode, health.stdout) == (0, "")


@pytest.mark.parametrize("token", [TOKEN, "wrong"])
def test_standalone_gateway_with_daemon_credentials(
    secured: Secured, tmp_path: Path, token: str
) -> None:
    pki = secured.pki
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAMBDAD_")}
    command = [
        sys.executable,
        "-m",
        "lambdad.daemon.cli",
        "gateway",
        "--daemon",
        secured.process.grpc_target,
        "--daemon-ca-cert",
        str(pki.ca),
        "--daemon-client-cert",
        str(pki.client_cert),
        "--daemon-client-key",
        str(pki.client_key),
        "--daemon-token",
        token,
        "--port",
        str(port),
        "--log-format",
        "json",
    ]
    with open(tmp_path / "gateway.log", "ab") as log:
        gateway = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        http = urllib3.PoolManager()
        url = f"http://127.0.0.1:{port}/2016-08-19/account-settings"
        answered = wait_for(lambda: http.request("GET", url, retries=False), timeout=30)
        client = LambdadProcess(
            data_dir=tmp_path, log_path=tmp_path / "unused.log", gateway_port=port
        ).lambda_client()
        if token == TOKEN:
            assert answered.status == 200
            client.list_functions()
        else:
            # The daemon refused the gateway itself: a service fault, not the caller's.
            assert answered.status == 500
            with pytest.raises(botocore.exceptions.ClientError) as caught:
                client.list_functions()
            assert caught.value.response["Error"]["Code"] == "ServiceException"
    finally:
        gateway.terminate()
        gateway.wait(timeout=15)
