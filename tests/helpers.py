"""Shared test helpers: zips, free ports, polling with a deadline.

`wait_for` and `async_wait_for` are the test tree's only poll loops (tests/unit/test_layout.py
refuses others): a test waits for what it can observe, never for a fixed time.
"""

from __future__ import annotations

import asyncio
import inspect
import io
import os
import random
import socket
import time
import zipfile
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar, overload

from lambdad.daemon.runtime.executor import EnvironmentSpec

T = TypeVar("T")

HANDLER_SOURCE = "def handler(event, context):\n    return event\n"


def make_zip(files: Mapping[str, str | bytes] | None = None) -> bytes:
    """A zip with the given members (default: a Python echo handler in app.py)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in (files or {"app.py": HANDLER_SOURCE}).items():
            archive.writestr(name, content)
    return buffer.getvalue()


# Ports for servers a test starts later come from below the kernel's ephemeral range
# (ip_local_port_range, 32768-60999 by default). A port picked there with bind(0) can be taken
# before the server binds it: as the source port of any outgoing connection, or by another
# server that binds port 0 (every Runtime API does). Each xdist worker walks its own slice.
_PORTS = range(20000, 32000)
_next_port: int | None = None


def free_port() -> int:
    """A TCP port that is free now and that nothing else in this test run will pick."""
    global _next_port
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
    size = len(_PORTS) // max(workers, 1)
    first = _PORTS.start + worker * size
    if _next_port is None:
        # A random start: a run right after another does not meet its ports in TIME_WAIT.
        _next_port = first + random.randrange(size)
    for _ in range(size):
        port = _next_port
        _next_port = first + (port + 1 - first) % size
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port
    raise RuntimeError(f"no free port in {first}..{first + size - 1}")


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


@overload
async def async_wait_for(
    condition: Callable[[], Awaitable[T | None]], *, timeout: float = ..., interval: float = ...
) -> T: ...


@overload
async def async_wait_for(
    condition: Callable[[], T | None], *, timeout: float = ..., interval: float = ...
) -> T: ...


async def async_wait_for(
    condition: Callable[[], Any], *, timeout: float = 30.0, interval: float = 0.05
) -> Any:
    """`wait_for` on the running event loop, for tests whose daemon or fakes share the loop:
    polls `condition` (a function or a coroutine function) between sleeps of `interval`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    last_error: Exception | None = None
    while True:
        try:
            result = condition()
            if inspect.isawaitable(result):
                result = await result
            if result:
                return result
        except Exception as error:  # noqa: BLE001 - retried until the deadline
            last_error = error
        if loop.time() >= deadline:
            raise TimeoutError(f"condition not met within {timeout}s (last error: {last_error!r})")
        await asyncio.sleep(interval)


def environment_spec(variables: Mapping[str, str] | None = None, **fields: Any) -> EnvironmentSpec:
    """An EnvironmentSpec of a small python3.11 zip function; `fields` override any field."""
    values: dict[str, Any] = {
        "environment_id": "e" * 32,
        "function_name": "fn",
        "function_version": "$LATEST",
        "package_type": "Zip",
        "runtime": "python3.11",
        "handler": "app.handler",
        "code_dir": Path("/code"),
        "opt_dir": None,
        "image_uri": None,
        "image_config": None,
        "memory_mb": 128,
        "ephemeral_storage_mb": 512,
        "timeout_s": 3,
        "architecture": "x86_64",
        "variables": dict(variables or {}),
    }
    values.update(fields)
    return EnvironmentSpec(**values)
