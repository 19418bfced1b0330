"""`lambdad serve` as a subprocess in JSON log mode, for scenarios that judge its log too.

Ports are chosen by the daemon (0) and read back from its "gateway listening" line, so
parallel runs never collide. The log is kept in a file; `log_lines` splits it into JSON
objects and the lines that are not JSON (which the reliability suite requires to be none).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import urllib3

from tests.helpers import wait_for


@dataclass
class LogLines:
    """A daemon log split into JSON objects and anything else."""

    records: list[dict[str, Any]] = field(default_factory=list)
    not_json: list[str] = field(default_factory=list)


def log_lines(path: Path) -> LogLines:
    """Every line of `path`: parsed when it is one JSON object, kept as text otherwise."""
    lines = LogLines()
    for raw in path.read_text("utf-8", "replace").splitlines():
        try:
            record = json.loads(raw)
        except ValueError:
            lines.not_json.append(raw)
            continue
        if isinstance(record, dict):
            lines.records.append(record)
        else:
            lines.not_json.append(raw)
    return lines


@dataclass
class ServedDaemon:
    """A running `lambdad serve --log-format json` (process executor, no metrics port)."""

    data_dir: Path
    log_path: Path
    process: subprocess.Popen[bytes] | None = None
    gateway_port: int = 0
    grpc_target: str = ""

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.gateway_port}"

    def start(self, timeout: float = 60) -> ServedDaemon:
        """Start it and wait until the gateway answers a well-formed request."""
        command = [
            sys.executable,
            "-m",
            "lambdad.daemon.cli",
            "serve",
            "--data-dir",
            str(self.data_dir),
            "--grpc-port",
            "0",
            "--gateway-port",
            "0",
            "--metrics-port",
            "0",
            "--log-format",
            "json",
            "--executor",
            "process",
        ]
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, env=dict(os.environ)
            )
        self.gateway_port = wait_for(self._listening_port, timeout=timeout)
        self.grpc_target = next(
            str(record["grpc"])
            for record in log_lines(self.log_path).records
            if record.get("event") == "daemon serving"
        )
        http = urllib3.PoolManager()

        def answers() -> bool:
            response = http.request(
                "GET", f"{self.endpoint}/2016-08-19/account-settings", retries=False
            )
            return response.status == 200

        wait_for(answers, timeout=timeout)
        return self

    def _listening_port(self) -> int | None:
        assert self.process is not None
        if self.process.poll() is not None:
            raise RuntimeError(f"lambdad exited early; log:\n{self.log_path.read_text()}")
        for record in log_lines(self.log_path).records:
            if record.get("event") == "gateway listening":
                return int(record["addresses"][0][1])
        return None

    def stop(self, timeout: float = 30) -> int:
        """SIGTERM, then wait; returns the exit code (SIGKILL if it does not stop in time)."""
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                return self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode
