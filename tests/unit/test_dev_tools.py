"""Pure parts of the developer tooling: image references, hot-reload fingerprints, debug env."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lambdad.daemon.domain.functions import HOT_RELOAD_CODE_SHA256, hot_reload_code
from lambdad.daemon.errors import LambdaError
from lambdad.daemon.runtime.debugging import debug_port, debug_variables
from lambdad.daemon.runtime.docker import _repository_of
from lambdad.daemon.runtime.hot_reload import fingerprint


@pytest.mark.parametrize(
    ("uri", "repository"),
    [
        ("repo:tag", "repo"),
        ("repo", "repo"),
        ("repo@sha256:abc", "repo"),
        ("localhost:5000/team/repo:1.0", "localhost:5000/team/repo"),
        ("localhost:5000/repo", "localhost:5000/repo"),
        ("123.dkr.ecr.us-east-1.amazonaws.com/fn:latest", "123.dkr.ecr.us-east-1.amazonaws.com/fn"),
    ],
)
def test_repository_of_image_reference(uri: str, repository: str) -> None:
    assert _repository_of(uri) == repository


def test_fingerprint_follows_files_but_not_ignored_churn(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("one")
    first = fingerprint(tmp_path)
    assert fingerprint(tmp_path) == first
    (tmp_path / "node_modules").mkdir()
    (tmp_path / "node_modules" / "dep.js").write_text("x")
    (tmp_path / "__pycache__").mkdir()
    assert fingerprint(tmp_path) == first
    stat = (tmp_path / "app.py").stat()
    (tmp_path / "app.py").write_text("two")  # same size: the mtime tells
    os.utime(tmp_path / "app.py", ns=(stat.st_atime_ns, stat.st_mtime_ns + 1))
    second = fingerprint(tmp_path)
    assert second != first
    (tmp_path / "app.py").rename(tmp_path / "main.py")
    assert fingerprint(tmp_path) != second


def test_hot_reload_code_needs_an_existing_absolute_directory(tmp_path: Path) -> None:
    code = hot_reload_code(str(tmp_path) + "/")
    assert code.hot_reload_dir == str(tmp_path)
    assert code.code_sha256 == HOT_RELOAD_CODE_SHA256
    for bad in ("", "relative", str(tmp_path / "missing")):
        with pytest.raises(LambdaError):
            hot_reload_code(bad)


def test_debug_variables() -> None:
    assert debug_port({"LAMBDAD_DEBUG_PORT": "5678"}) == 5678
    for bad in ("", "x", "0", "70000"):
        assert debug_port({"LAMBDAD_DEBUG_PORT": bad}) is None
    assert debug_variables({"A": "1"}, host="h", site_dir="/s", debugpy_dir=None) == {"A": "1"}
    got = debug_variables(
        {"LAMBDAD_DEBUG_PORT": "9229", "LAMBDAD_DEBUG_WAIT": "1", "PYTHONPATH": "/p"},
        host="0.0.0.0",
        site_dir="/site",
        debugpy_dir="/lib",
    )
    assert got["PYTHONPATH"] == "/site:/p"
    assert got["LAMBDAD_DEBUGPY_PATH"] == "/lib"
    assert got["NODE_OPTIONS"] == "--inspect-brk=0.0.0.0:9229"
