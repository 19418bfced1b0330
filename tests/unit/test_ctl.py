"""`lambdadctl` without a daemon: table formatting, an unreachable health check, the entry
point (the commands against a daemon are tests/daemon/test_ctl.py)."""

from __future__ import annotations

import socket

import pytest

from lambdad.client.cli import Table, format_table, main


def test_format_table_aligns_columns_and_marks_empty_cells() -> None:
    text = format_table(Table(("name", "state"), [("alpha", "Active"), ("longer-name", None)]))
    assert text == "NAME         STATE\nalpha        Active\nlonger-name  -\n"


def test_health_exits_1_when_unreachable(capsys: pytest.CaptureFixture[str]) -> None:
    port = _closed_port()
    assert main(["--target", f"127.0.0.1:{port}", "--timeout", "5", "health"]) == 1
    assert capsys.readouterr().err.startswith("UNAVAILABLE: ")


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_module_entry_point_and_console_script_are_the_same_main() -> None:
    from importlib.metadata import entry_points

    (script,) = [e for e in entry_points(group="console_scripts") if e.name == "lambdadctl"]
    assert script.load() is main
