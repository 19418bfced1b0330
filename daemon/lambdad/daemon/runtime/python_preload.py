"""The modules a waiting Python interpreter imports ahead of its function, for both waiting
programs (`python_zygote.py` in a container, `process_waiting.py` as a local process).

A waiting program runs as `python -c <source>` and cannot import this module: its source holds
the line `PRELOAD = ()` where `program_text` puts the list when the daemon reads it. A module
missing from an interpreter (simplejson outside lambdad's images) is skipped by the program.
"""

from __future__ import annotations

from pathlib import Path

# None of these reads a variable on import: the function's variables are set only afterwards.
PRELOAD = (
    "logging",
    "json",
    "decimal",
    "traceback",
    "socket",
    "http.client",
    "urllib.request",
    "importlib.util",
    "runpy",
    "simplejson",
    # A fresh start imports it at start-up (site looks up the home directory when HOME is
    # unset, as in a container).
    "pwd",
    # The runtime client's modules that read no variable on import (bootstrap does, and
    # lambda_runtime_client initializes the native client, which must not happen before the
    # function's variables are set).
    "awslambdaric.lambda_runtime_exception",
    "awslambdaric.lambda_runtime_marshaller",
    "awslambdaric.lambda_runtime_log_utils",
    "awslambdaric.lambda_context",
    "awslambdaric.lambda_config",
)
# The line of a waiting program that stands for the list.
PLACEHOLDER = "PRELOAD = ()"


def program_text(path: Path) -> str:
    """The source of the waiting program at `path`, with `PRELOAD` filled in."""
    source = path.read_text()
    lines = source.splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines) if line.rstrip("\n") == PLACEHOLDER)
    lines[index] = f"PRELOAD = {PRELOAD!r}\n"
    return "".join(lines)
