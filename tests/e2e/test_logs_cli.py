"""`lambdad logs FUNCTION` prints an invocation's output framed by START/END/REPORT."""

from __future__ import annotations

import re
import subprocess
import sys
from typing import Any

import pytest

from lambdad.client import LambdadClient
from lambdad.v1.invocation_service_pb2 import InvokeRequest
from tests.e2e.support import LambdadProcess
from tests.helpers import make_zip

pytestmark = pytest.mark.e2e

PRINTING_HANDLER = (
    "def handler(event, context):\n    print('hello from', event['who'])\n    return 1\n"
)


def test_logs_command_prints_framed_invocation_output(
    lambdad: LambdadProcess, client: Any, function_name: str
) -> None:
    client.create_function(
        FunctionName=function_name,
        Runtime="python3.11",
        Role="r1",
        Handler="app.handler",
        Code={"ZipFile": make_zip({"app.py": PRINTING_HANDLER})},
    )
    client.get_waiter("function_active_v2").wait(
        FunctionName=function_name, WaiterConfig={"Delay": 1}
    )
    with LambdadClient.connect(lambdad.grpc_target) as grpc_client:
        result = grpc_client.invoke(
            InvokeRequest(function_name=function_name, payload=b'{"who": "lambdad"}')
        )
    assert result.function_error == ""

    printed = subprocess.run(
        [sys.executable, "-m", "lambdad.daemon.cli", "logs", function_name],
        capture_output=True,
        text=True,
        timeout=60,
        env={"LAMBDAD_GRPC_TARGET": lambdad.grpc_target, "PATH": "/usr/bin:/bin"},
        check=True,
    ).stdout
    request_id = result.request_id
    assert f"START RequestId: {request_id} Version: $LATEST" in printed
    assert "hello from lambdad" in printed
    assert f"END RequestId: {request_id}" in printed
    assert re.search(rf"REPORT RequestId: {request_id}\tDuration: [\d.]+ ms\t", printed)


def test_logs_command_reports_unknown_function(lambdad: LambdadProcess) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "lambdad.daemon.cli", "logs", "no-such-function"],
        capture_output=True,
        text=True,
        timeout=60,
        env={"LAMBDAD_GRPC_TARGET": lambdad.grpc_target, "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 1
    assert "FUNCTION_NOT_FOUND" in result.stderr
