"""Fixtures shared by all test levels."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import pytest

from lambdad.daemon.config import Config
from lambdad.daemon.server import Daemon, start_daemon


@pytest.fixture
async def daemon(tmp_path: Path) -> AsyncIterator[Daemon]:
    """An in-process daemon (process executor) on a free port with its own data dir."""
    running = await start_daemon(
        Config(data_dir=tmp_path / "data", grpc_port=0, executor="process")
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
