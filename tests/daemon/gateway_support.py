"""Shared by the gateway's tests: the gRPC services it routes to, a scripted stand-in for any of
them, a gateway on a real port over a stand-in or real daemon, a background event loop to
serve it, raw HTTP requests, and the AWS error-shape check."""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import re
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

import grpc
import pytest
from aiohttp import web
from google.protobuf import any_pb2
from google.protobuf.descriptor import ServiceDescriptor
from google.protobuf.message import Message
from google.rpc import error_details_pb2, status_pb2
from grpc_status import rpc_status

from lambdad.client.client import channel_options
from lambdad.daemon.config import Config
from lambdad.daemon.server import start_daemon
from lambdad.gateway.app import create_app, listen
from lambdad.gateway.fast_invoke import FastConnections
from lambdad.v1 import capacity_provider_service_pb2 as cp
from lambdad.v1 import code_signing_service_pb2 as cs
from lambdad.v1 import durable_execution_service_pb2 as ds
from lambdad.v1 import event_source_service_pb2 as es
from lambdad.v1 import function_service_pb2 as fs
from lambdad.v1 import function_settings_service_pb2 as fss
from lambdad.v1 import invocation_service_pb2 as inv
from lambdad.v1 import layer_service_pb2 as ls
from lambdad.v1 import resource_policy_service_pb2 as rps
from lambdad.v1 import url_service_pb2 as us

T = TypeVar("T")

# The gRPC services behind the AWS Lambda routes, by name; listed here, not taken from the
# route table, so that tests can hold the table against them.
SERVICES: dict[str, ServiceDescriptor] = {
    service.name: service
    for module in (fs, inv, ls, us, es, cs, fss, rps, cp, ds)
    for service in module.DESCRIPTOR.services_by_name.values()
}


REQUEST_ID = re.compile(r"^[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}$")


def rich_status(code: int, error_reason: str, message: str, **metadata: str) -> grpc.Status:
    """A gRPC status carrying google.rpc.Status + ErrorInfo, as the daemon sends them."""
    info = error_details_pb2.ErrorInfo(reason=error_reason, domain="lambdad", metadata=metadata)
    detail = any_pb2.Any()
    detail.Pack(info)
    return rpc_status.to_status(status_pb2.Status(code=code, message=message, details=[detail]))


class BackgroundLoop:
    """An asyncio loop in a daemon thread; tests hand it coroutines to run."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float = 30) -> T:
        """Run `coroutine` on the loop and return its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def close(self) -> None:
        """Stop the loop and its thread."""
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
        self.loop.close()


# In a streaming script, a number is a pause of that many seconds.
Script = Message | grpc.Status | list[Message | grpc.Status | float]
# A script may also be computed from the request and its metadata (to echo the request id).
Reply = Script | Callable[[Any, dict[str, str]], Script]


@dataclass
class ScriptedService:
    """A stand-in for one gRPC service of the daemon, answering every RPC from a script.

    RPCs with nothing scripted fail with `unscripted`. A streaming RPC's script is a list of
    messages and pauses, optionally ending in a status to fail with mid-stream. Every call is
    recorded with its request and invocation metadata, and every streaming call the caller
    cancelled is recorded in `cancelled`.
    """

    service: ServiceDescriptor
    unscripted: grpc.Status
    replies: dict[str, Reply] = field(default_factory=dict)
    # (rpc, request, invocation metadata); requests typed Any to read their fields.
    calls: list[tuple[str, Any, dict[str, str]]] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        # The generated `add_*_to_server` looks each RPC up by name on the servicer.
        for name, method in self.service.methods_by_name.items():
            handler = self._streamer(name) if method.server_streaming else self._answerer(name)
            setattr(self, name, handler)

    def _script(self, rpc: str, request: Message, context: grpc.aio.ServicerContext) -> Script:
        metadata = {key: str(value) for key, value in context.invocation_metadata() or ()}
        self.calls.append((rpc, request, metadata))
        reply = self.replies.get(rpc, self.unscripted)
        return reply(request, metadata) if callable(reply) else reply

    def _answerer(self, rpc: str) -> Callable[[Message, Any], Awaitable[Message]]:
        async def answer(request: Message, context: grpc.aio.ServicerContext) -> Message:
            reply = self._script(rpc, request, context)
            if isinstance(reply, Message):
                return reply
            assert isinstance(reply, grpc.Status)
            await context.abort(reply.code, reply.details, reply.trailing_metadata)
            raise AssertionError("abort returned")

        return answer

    def _streamer(self, rpc: str) -> Callable[[Message, Any], AsyncIterator[Message]]:
        async def stream(
            request: Message, context: grpc.aio.ServicerContext
        ) -> AsyncIterator[Message]:
            reply = self._script(rpc, request, context)
            try:
                for item in reply if isinstance(reply, list) else [reply]:
                    if isinstance(item, float):
                        await asyncio.sleep(item)
                        continue
                    if isinstance(item, grpc.Status):
                        await context.abort(item.code, item.details, item.trailing_metadata)
                    yield item
            except asyncio.CancelledError:
                self.cancelled.append(rpc)
                raise

        return stream


async def start_grpc(
    servicer: object, register: Callable[[Any, grpc.aio.Server], None]
) -> tuple[grpc.aio.Server, str]:
    """A grpc.aio server on a free port serving `servicer` (`register` is the generated
    `add_*Servicer_to_server` of its service)."""
    # Like the daemon, accept messages as large as the gateway lets through.
    server = grpc.aio.server(options=channel_options())
    register(servicer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    return server, f"127.0.0.1:{port}"


@dataclass
class RunningGateway:
    """A gateway served on a real port, talking to `target`."""

    channel: grpc.aio.Channel
    runner: web.AppRunner
    listener: asyncio.Server
    # Requests the fast Invoke path took (always 0 without it).
    fast: FastConnections
    port: int

    @classmethod
    async def start(cls, target: str, *, fast_invoke: bool = True) -> RunningGateway:
        """As `lambdad serve` serves it; `fast_invoke=False`: aiohttp answers everything."""
        channel = grpc.aio.insecure_channel(target, options=channel_options())
        runner = web.AppRunner(create_app(channel), access_log=None)
        await runner.setup()
        listener, fast = await listen(runner, "127.0.0.1", 0, fast_invoke=fast_invoke)
        port = listener.sockets[0].getsockname()[1]
        return cls(channel, runner, listener, fast, port)

    async def stop(self) -> None:
        self.listener.close()
        self.fast.close()
        await self.runner.cleanup()
        await self.channel.close()


@contextmanager
def serving(
    background: BackgroundLoop, servicer: object, register: Callable[[Any, grpc.aio.Server], None]
) -> Iterator[str]:
    """`servicer` served on `background` (see `start_grpc`); yields its gRPC target."""
    server, target = background.run(start_grpc(servicer, register))
    try:
        yield target
    finally:
        background.run(server.stop(None))


@contextmanager
def gateway_on(
    background: BackgroundLoop, target: str, *, fast_invoke: bool = True
) -> Iterator[int]:
    """A gateway served on `background` in front of the gRPC `target`; yields its port."""
    running = background.run(RunningGateway.start(target, fast_invoke=fast_invoke))
    try:
        yield running.port
    finally:
        background.run(running.stop())


@contextmanager
def real_daemon(
    background: BackgroundLoop, tmp_path_factory: pytest.TempPathFactory, **config: Any
) -> Iterator[str]:
    """gRPC target of the real daemon: LAMBDAD_TEST_DAEMON_TARGET, or one started on
    `background` with `config`."""
    external = os.environ.get("LAMBDAD_TEST_DAEMON_TARGET")
    if external:
        yield external
        return
    data_dir = tmp_path_factory.mktemp("lambdad")
    daemon = background.run(start_daemon(Config(data_dir=data_dir, grpc_port=0, **config)))
    try:
        yield f"127.0.0.1:{daemon.port}"
    finally:
        background.run(daemon.stop(grace=0))


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def send(
    port: int,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> Answer:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return Answer(
            response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        )
    finally:
        connection.close()


def assert_aws_error(answer: Answer, allow_success: bool = False) -> dict[str, Any] | None:
    """Check the AWS error shape (or, if allowed, any non-5xx success)."""
    assert answer.status < 500, answer
    assert REQUEST_ID.match(answer.headers.get("x-amzn-requestid", "")), answer.headers
    if allow_success and answer.status < 400:
        return None
    assert 400 <= answer.status < 500, answer
    assert answer.headers.get("x-amzn-errortype"), answer.headers
    assert answer.headers.get("content-type", "").startswith("application/json")
    body = answer.json()
    # AWS's ValidationException body has the message alone (lambda-spec §2.1).
    if answer.headers["x-amzn-errortype"] == "ValidationException":
        assert "Type" not in body, body
    else:
        assert body["Type"] == "User"
    assert isinstance(body.get("message", body.get("Message")), str), body
    return body


@dataclass(frozen=True)
class PlainStatus(grpc.Status):
    """A status without google.rpc.Status details, as a misbehaving daemon might send."""

    code: grpc.StatusCode
    details: str
    trailing_metadata: Any = ()
