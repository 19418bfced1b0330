"""Shared by the gateway's unit tests: a gateway on a real port over a stand-in or real daemon,
a background event loop to serve it, raw HTTP requests, and the AWS error-shape check."""

from __future__ import annotations

import asyncio
import http.client
import json
import re
import threading
from collections.abc import (
    Coroutine,
)
from dataclasses import dataclass
from typing import Any, TypeVar

import grpc
from aiohttp import web
from google.protobuf import any_pb2
from google.rpc import error_details_pb2, status_pb2
from grpc_status import rpc_status

from lambdad.client.client import channel_options
from lambdad.gateway.app import create_app
from lambdad.v1 import function_service_pb2_grpc as fs_grpc

T = TypeVar("T")


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


async def start_grpc(servicer: fs_grpc.FunctionServiceServicer) -> tuple[grpc.aio.Server, str]:
    # Like the daemon, accept messages as large as the gateway lets through.
    server = grpc.aio.server(options=channel_options())
    fs_grpc.add_FunctionServiceServicer_to_server(servicer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    return server, f"127.0.0.1:{port}"


@dataclass
class RunningGateway:
    """A gateway served on a real port, talking to `target`."""

    channel: grpc.aio.Channel
    runner: web.AppRunner
    port: int

    @classmethod
    async def start(cls, target: str) -> RunningGateway:
        channel = grpc.aio.insecure_channel(target, options=channel_options())
        runner = web.AppRunner(create_app(channel), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        return cls(channel, runner, port)

    async def stop(self) -> None:
        await self.runner.cleanup()
        await self.channel.close()


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
