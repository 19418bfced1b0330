"""Pure parts of the developer tooling: image references, hot-reload fingerprints, debug env."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from lambdad.daemon.domain.functions import HOT_RELOAD_CODE_SHA256
from lambdad.daemon.errors import LambdaError
from lambdad.daemon.runtime.debugging import debug_port, debug_variables
from lambdad.daemon.runtime.docker import _repository_of
from lambdad.daemon.runtime.hot_reload import ChangeFilter, DirectoryWatcher, fingerprint
from lambdad.daemon.services.code_intake import hot_reload_code
from tests.helpers import async_wait_for


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


@pytest.mark.parametrize(
    ("include", "exclude", "path", "counts"),
    [
        (None, None, "app.py", True),
        (None, None, "lib/util.py", True),
        (None, None, "node_modules/x/index.js", False),
        (None, None, "lib/node_modules/x.js", False),
        (None, None, ".git/HEAD", False),
        (None, None, "node_modules", False),
        (None, None, "pkg/__pycache__/m.cpython-311.pyc", False),
        ("*.py", None, "app.py", True),
        ("*.py", None, "lib/util.py", False),
        ("**/*.py", None, "lib/util.py", True),
        ("**/*.py", None, "README.md", False),
        (None, "*.log,tmp/**", "debug.log", False),
        (None, "*.log,tmp/**", "tmp/a/b", False),
        # A custom exclude list replaces the defaults.
        (None, "*.log", "node_modules/x.js", True),
    ],
)
def test_change_filter_globs(
    include: str | None, exclude: str | None, path: str, counts: bool
) -> None:
    assert ChangeFilter.parse(include, exclude).counts(path) is counts


async def test_watcher_debounces_a_burst_and_ignores_excluded_churn(tmp_path: Path) -> None:
    changed: list[Path] = []
    # A long debounce next to the 20 ms spacing of the burst: a loaded machine can stall the
    # writer for a few hundred milliseconds, which must not split the burst in two.
    watcher = DirectoryWatcher(changed.append, ChangeFilter(), debounce_ms=1000)
    watcher.watch(tmp_path)
    watcher.watch(tmp_path)  # idempotent
    try:
        await asyncio.sleep(0.3)  # the watch is armed
        (tmp_path / "node_modules").mkdir()
        (tmp_path / "node_modules" / "dep.js").write_text("x")
        await asyncio.sleep(1.5)
        assert changed == []
        for n in range(5):  # an editor's burst of writes is one change
            (tmp_path / "app.py").write_text(f"VERSION = {n}\n")
            await asyncio.sleep(0.02)
        await async_wait_for(lambda: changed)
        await asyncio.sleep(1.5)
        assert changed == [tmp_path]
    finally:
        await watcher.close()
    assert list(watcher.directories) == []


def test_fingerprint_follows_the_configured_globs(tmp_path: Path) -> None:
    only_code = ChangeFilter.parse(None, "*.log,build/**")
    (tmp_path / "app.py").write_text("1")
    before = fingerprint(tmp_path, only_code)
    (tmp_path / "debug.log").write_text("noise")
    (tmp_path / "build").mkdir()
    (tmp_path / "build" / "out.js").write_text("noise")
    assert fingerprint(tmp_path, only_code) == before
    # The custom list replaced the defaults: node_modules counts now.
    (tmp_path / "node_modules").mkdir()
    (tmp_path / "node_modules" / "dep.js").write_text("x")
    assert fingerprint(tmp_path, only_code) != before
