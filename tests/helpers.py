"""Shared test helpers: zips, free ports, polling with a deadline."""

from __future__ import annotations

import io
import socket
import time
import zipfile
from collections.abc import Callable, Mapping
from typing import TypeVar

T = TypeVar("T")

HANDLER_SOURCE = "def handler(event, context):\n    return event\n"


def make_zip(files: Mapping[str, str | bytes] | None = None) -> bytes:
    """A zip with the given members (default: a Python echo handler in app.py)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in (files or {"app.py": HANDLER_SOURCE}).items():
            archive.writestr(name, content)
    return buffer.getvalue()


def free_port() -> int:
    """A TCP port that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(
    condition: Callable[[], T | None], *, timeout: float = 30.0, interval: float = 0.05
) -> T:
    """Poll `condition` until it returns something truthy, or fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            result = condition()
            if result:
                return result
        except Exception as error:  # noqa: BLE001 - retried until the deadline
            last_error = error
        time.sleep(interval)
    raise TimeoutError(f"condition not met within {timeout}s (last error: {last_error!r})")
