"""A gateway without its constraint checks, for tests that put requests to the daemon itself.

The daemon checks the requests of gRPC callers against the model (daemon/api/model_checks.py);
boto3 through this gateway reaches those checks over the daemon's gRPC port, as any gRPC
client would.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import boto3
from aiohttp import web
from botocore.config import Config as BotoConfig

from lambdad.client.constraints import ConstraintChecker
from lambdad.gateway.app import CLIENT_MAX_SIZE, Gateway, daemon_channel
from tests.e2e.support import REGION
from tests.helpers import free_port


class UncheckedGateway:
    """The gateway's translation without its constraint checks, in a thread of its own,
    calling a daemon over the network."""

    def __init__(self, daemon_target: str) -> None:
        self.port = free_port()
        self._target = daemon_target
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> UncheckedGateway:
        self._thread.start()
        assert self._ready.wait(timeout=30), "the unchecked gateway did not start"
        return self

    def __exit__(self, *_: object) -> None:
        assert self._stop is not None
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout=30)

    def _run(self) -> None:
        self._loop.run_until_complete(self._serve())
        self._loop.close()

    async def _serve(self) -> None:
        self._stop = asyncio.Event()
        async with daemon_channel(self._target) as channel:
            gateway = Gateway(channel)
            # Its own checks off: what answers is the daemon.
            gateway._checker = ConstraintChecker(operations={})
            app = web.Application(client_max_size=CLIENT_MAX_SIZE)
            app.router.add_route("*", r"/{path:[\s\S]*}", gateway.handle)
            runner = web.AppRunner(app, access_log=None)
            await runner.setup()
            try:
                await web.TCPSite(runner, "127.0.0.1", self.port).start()
                self._ready.set()
                await self._stop.wait()
            finally:
                await runner.cleanup()

    def lambda_client(self) -> Any:
        return boto3.client(
            "lambda",
            endpoint_url=f"http://127.0.0.1:{self.port}",
            region_name=REGION,
            aws_access_key_id="test",
            aws_secret_access_key="test",
            config=BotoConfig(retries={"max_attempts": 1}, parameter_validation=False),
        )
