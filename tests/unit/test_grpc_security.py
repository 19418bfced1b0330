"""The gRPC port's exposure rules: which addresses are loopback, and when serving warns (no
daemon; TLS, mTLS and the bearer token are tests/daemon/test_grpc_security.py)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import structlog

from lambdad.daemon.config import Config
from lambdad.daemon.security import is_loopback, warn_if_exposed


def _config(tmp_path: Path, **security: object) -> Config:
    return replace(Config(data_dir=tmp_path / "data", grpc_port=0, executor="process"), **security)


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("::", False),
        ("10.0.0.5", False),
        ("lambdad", False),
    ],
)
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


@pytest.mark.parametrize(
    ("security", "warning"),
    [
        ({"grpc_host": "127.0.0.1"}, None),
        ({"grpc_host": "0.0.0.0"}, "neither TLS nor a token"),
        ({"grpc_host": "0.0.0.0", "grpc_token": "s3cret-token"}, "clear text"),
        ({"grpc_host": "0.0.0.0", "grpc_tls_cert": "c", "grpc_tls_key": "k"}, None),
    ],
)
def test_exposed_port_warns(tmp_path: Path, security: dict[str, str], warning: str | None) -> None:
    with structlog.testing.capture_logs() as logs:
        warn_if_exposed(_config(tmp_path, **security))
    warnings = [e["event"] for e in logs if e["log_level"] == "warning"]
    if warning is None:
        assert warnings == []
    else:
        assert len(warnings) == 1 and warning in warnings[0]
