"""Fixtures shared by all test levels."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

# Before grpc loads: its fork handlers can crash a runtime the process executor starts (as
# `lambdad` itself sets it in main()).
os.environ.setdefault("GRPC_ENABLE_FORK_SUPPORT", "0")

import grpc
import pytest

from lambdad.daemon.config import Config
from lambdad.daemon.server import Daemon, start_daemon
from tests.docker_fixtures import (  # noqa: F401 - fixtures used across test levels
    assert_no_containers_left,
    docker_required,
    record_containers_at_start,
    runtime_images,
    test_daemon_id,
)


def pytest_configure(config: pytest.Config) -> None:
    record_containers_at_start(config)


def pytest_sessionfinish(session: pytest.Session) -> None:
    assert_no_containers_left(session)


@pytest.fixture
async def daemon(tmp_path: Path) -> AsyncIterator[Daemon]:
    """An in-process daemon (process executor) on a free port with its own data dir."""
    running = await start_daemon(
        # Retries of failed Event invocations after 1 s and 2 s instead of AWS's minutes.
        Config(
            data_dir=tmp_path / "data", grpc_port=0, executor="process", event_retry_delays="1,2"
        )
    )
    try:
        yield running
    finally:
        await running.stop(grace=0)


@pytest.fixture
async def channel(daemon: Daemon) -> AsyncIterator[grpc.aio.Channel]:
    """An aio channel to the in-process daemon."""
    async with grpc.aio.insecure_channel(f"127.0.0.1:{daemon.port}") as ch:
        yield ch
