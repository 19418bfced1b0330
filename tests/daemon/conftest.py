"""Fixtures of the gateway tests at this level (tests/daemon/gateway_support.py has the rest)."""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from typing import Any

import pytest
import structlog

from tests.daemon.gateway_support import BackgroundLoop


@pytest.fixture(scope="module")
def background() -> Iterator[BackgroundLoop]:
    """The loop the gRPC servers and gateways of a module run on."""
    loop = BackgroundLoop()
    yield loop
    loop.close()


@pytest.fixture(scope="module")
def logs() -> Iterator[list[MutableMapping[str, Any]]]:
    """Log events of a module, captured instead of rendered (thousands of requests); a module
    takes it for all its tests with `pytestmark = pytest.mark.usefixtures("logs")`."""
    # merge_contextvars first, as in the daemon's configuration, to see the bound values.
    with structlog.testing.capture_logs(
        processors=[structlog.contextvars.merge_contextvars]
    ) as captured:
        yield captured
