"""What a waiting node may become (`node_waiting`): the variables node reads at its start, the
loader's search path as it takes effect, and the waiting program's preloads, which follow the
runtime client's imports."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lambdad.daemon.runtime import node_waiting
from lambdad.daemon.runtime.process import NODE_CLIENT


@pytest.mark.parametrize(
    ("name", "at_startup"),
    [
        ("NODE_OPTIONS", True),
        ("NODE_EXTRA_CA_CERTS", True),
        ("NODE_PATH", False),  # the waiting program builds the search path again
        ("NODE_ENV", False),
        ("NODE_TLS_REJECT_UNAUTHORIZED", False),
        ("LANG", True),
        ("LC_ALL", True),
        ("LD_PRELOAD", True),
        ("LD_LIBRARY_PATH", True),
        ("UV_THREADPOOL_SIZE", True),
        ("OPENSSL_CONF", True),
        ("SSL_CERT_FILE", True),
        ("NO_COLOR", True),
        ("TZ", False),  # node follows process.env.TZ
        ("HOME", False),
        ("PATH", False),
        ("AWS_REGION", False),
    ],
)
def test_startup_variables(name: str, at_startup: bool) -> None:
    assert node_waiting.is_startup_variable(name) is at_startup


def test_library_path_in_effect_keeps_only_existing_directories(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    missing = tmp_path / "opt" / "lib"
    variables = {"A": "1", "LD_LIBRARY_PATH": f"{missing}:{lib}"}
    assert node_waiting.in_effect(variables) == {"A": "1", "LD_LIBRARY_PATH": str(lib)}
    # Nothing that exists: as if unset.
    assert node_waiting.in_effect({"LD_LIBRARY_PATH": str(missing)}) == {}
    # An empty entry is the working directory: it stays.
    assert node_waiting.in_effect({"LD_LIBRARY_PATH": f"{missing}::"}) == {"LD_LIBRARY_PATH": ":"}


def builtins_imported(path: Path) -> set[str]:
    return set(re.findall(r'^import [^;]*?"(node:[a-z_]+)";', path.read_text(), re.MULTILINE))


def test_the_waiting_program_loads_what_the_client_imports() -> None:
    client = builtins_imported(NODE_CLIENT)
    assert "node:http" in client and "node:worker_threads" in client
    assert client <= builtins_imported(node_waiting.NODE_WAITING)


def test_the_waiting_command_names_its_start_descriptor() -> None:
    assert node_waiting.command("/usr/bin/node", 7) == [
        "/usr/bin/node",
        str(node_waiting.NODE_WAITING),
        "7",
    ]
