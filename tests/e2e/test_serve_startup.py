"""`lambdad serve` start-up failures end the process with a reason instead of hanging."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import free_port

pytestmark = pytest.mark.e2e


def test_gateway_port_in_use_ends_the_daemon_with_an_error(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "lambdad.daemon.cli",
                "serve",
                "--data-dir",
                str(tmp_path / "data"),
                "--grpc-port",
                str(free_port()),
                "--gateway-port",
                str(port),
                "--executor",
                "process",
                "--log-format",
                "json",
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 1, result.stdout + result.stderr
    output = (result.stdout + result.stderr).splitlines()
    events = [json.loads(line) for line in output if line.startswith("{")]
    failure = next(e for e in events if e["event"] == "gateway not serving; stopping")
    assert "address already in use" in failure["error"]
    assert any(e["event"] == "daemon stopped" for e in events)
