"""gRPC callers get the gateway's answer to a request that breaks the model's constraints.

The daemon runs the gateway's checker (`lambdad.client.constraints`) on the requests of gRPC
callers (daemon/api/model_checks.py). To put test_model_constraints' cases to the daemon
itself, a gateway of this module's own, with its checks turned off, translates each case and
calls the daemon over its gRPC port (the network path, where the interceptor runs); the
answer must be the one `lambdad serve`'s gateway gives.

Left out are cases a proto message cannot express: a number or list member sent as 0 or
empty, or a required one left out, where the message cannot tell "not sent" from its
default (the daemon then sees `MaxItems` 0 as "no limit", as its gRPC callers mean it).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from aiohttp import web
from botocore.config import Config as BotoConfig
from botocore.exceptions import ClientError

from lambdad.client.constraints import ConstraintChecker
from lambdad.gateway.app import CLIENT_MAX_SIZE, Gateway, daemon_channel
from tests.e2e.support import REGION, LambdadProcess
from tests.e2e.test_model_constraints import MODEL, Break, _method, cases, message, request
from tests.helpers import free_port

pytestmark = pytest.mark.e2e

_NUMBERS_AND_LISTS = ("integer", "long", "double", "float", "list", "map")


def expressible(operation: str, chosen: list[Break]) -> bool:
    """Whether a proto message can carry the case as boto3 sends it."""
    shape = MODEL.operation_model(operation).input_shape
    for one in chosen:
        kind = shape.members[one.member].type_name
        if one.value is None and kind in _NUMBERS_AND_LISTS:
            return False
        if one.value is not None and kind in _NUMBERS_AND_LISTS and not one.value:
            return False
    return True


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


@pytest.fixture(scope="module")
def daemon_only(lambdad: LambdadProcess) -> Iterator[Any]:
    """A boto3 client whose requests reach the daemon's gRPC port unchecked."""
    with UncheckedGateway(lambdad.grpc_target) as gateway:
        yield gateway.lambda_client()


CASES = [case for case in cases() if expressible(*case.values)]


def test_most_cases_are_expressible() -> None:
    assert len(CASES) >= 150, len(CASES)


@pytest.mark.parametrize(("operation", "chosen"), CASES)
def test_daemon_answers_as_the_gateway(
    daemon_only: Any, operation: str, chosen: list[Break]
) -> None:
    with pytest.raises(ClientError) as caught:
        getattr(daemon_only, _method(operation))(**request(operation, chosen))
    error = caught.value.response
    assert (
        error["ResponseMetadata"]["HTTPStatusCode"],
        error["Error"]["Code"],
        error["Error"]["Message"],
    ) == (400, "ValidationException", message(chosen))
