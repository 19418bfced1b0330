"""`lambdadctl` without a daemon: table formatting, an unreachable health check, the entry
point (the commands against a daemon are tests/daemon/test_ctl.py)."""

from __future__ import annotations

import pytest

from lambdad.client.cli import Table, format_table, main
from tests.helpers import free_port


def test_format_table_aligns_columns_and_marks_empty_cells() -> None:
    text = format_table(Table(("name", "state"), [("alpha", "Active"), ("longer-name", None)]))
    assert text == "NAME         STATE\nalpha        Active\nlonger-name  -\n"


def test_health_exits_1_when_unreachable(capsys: pytest.CaptureFixture[str]) -> None:
    port = _closed_port()
    assert main(["--target", f"127.0.0.1:{port}", "--timeout", "5", "health"]) == 1
    assert capsys.readouterr().err.startswith("UNAVAILABLE: ")


def _closed_port() -> int:
    # Below the ephemeral range: no server binding port 0 can take it meanwhile.
    return free_port()


def test_module_entry_point_and_console_script_are_the_same_main() -> None:
    from importlib.metadata import entry_points

    (script,) = [e for e in entry_points(group="console_scripts") if e.name == "lambdadctl"]
    assert script.load() is main
