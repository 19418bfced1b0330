"""The HTTP side of the gateway: AWS Lambda REST requests in, gRPC calls to the daemon out.

All the rules live in `routes` (which operation a request is) and `translate` (what its
message is, what the answer looks like); this module only does the I/O around them.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Sequence
from typing import Any

import grpc
import structlog
from aiohttp import web
from grpc_status import rpc_status

from lambdad.gateway import translate
from lambdad.gateway.routes import ROUTES, Route, Router

log = structlog.get_logger(__name__)

# Above the largest per-operation limit (CreateFunction's 70167211 bytes), so that limit is
# reported with AWS's message rather than aiohttp's.
CLIENT_MAX_SIZE = 80 * 1024 * 1024

# Bodies above this are decoded in a worker thread: a 70 MB CreateFunction takes long
# enough to parse that it would stall every other request on the event loop.
_THREAD_PARSE_BYTES = 1024 * 1024

_REQUEST_ID_HEADER = "x-amzn-RequestId"


class Gateway:
    """Serves the AWS Lambda REST API by calling the daemon over one gRPC channel."""

    def __init__(self, channel: grpc.aio.Channel, routes: Sequence[Route] = ROUTES) -> None:
        self._router = Router(routes)
        # One stub per generated stub class, shared by all routes using it.
        stubs: dict[Any, Any] = {}
        for route in routes:
            if route.stub not in stubs:
                stubs[route.stub] = route.stub(channel)
        self._stubs = stubs

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Answer one REST request; never raises for anything the client sent."""
        request_id = str(uuid.uuid4())
        started = time.perf_counter()
        match = self._router.match(request.method, request.rel_url.raw_path)
        operation = match.route.operation if match else None
        with structlog.contextvars.bound_contextvars(
            request_id=request_id, operation=operation
        ):
            if match is None:
                response = _error_response(translate.unknown_operation())
            else:
                response = await self._dispatch(
                    match.route, dict(match.path_params), request, request_id
                )
            response.headers[_REQUEST_ID_HEADER] = request_id
            log.info(
                "request",
                method=request.method,
                path=request.rel_url.raw_path,
                status=response.status,
                ms=round((time.perf_counter() - started) * 1000, 1),
            )
        return response

    async def _dispatch(
        self,
        route: Route,
        path_params: dict[str, str],
        request: web.Request,
        request_id: str,
    ) -> web.Response:
        try:
            body = await _read_body(route, request) if route.has_body else b""
            query = {name: request.query.getall(name) for name in request.query}
            if len(body) > _THREAD_PARSE_BYTES:
                message = await asyncio.to_thread(
                    translate.request_to_message, route, path_params, query, body
                )
            else:
                message = translate.request_to_message(route, path_params, query, body)
            call = getattr(self._stubs[route.stub], route.rpc)
            reply = await call(message, metadata=(("x-request-id", request_id),))
            return _success_response(route, reply)
        except translate.RequestError as exc:
            return _error_response(translate.request_error(exc))
        except grpc.aio.AioRpcError as exc:
            return _error_response(_rpc_error(exc))
        except Exception:
            # A gateway bug must still get an AWS-shaped answer, not aiohttp's HTML 500.
            log.exception("unhandled error")
            return _error_response(translate.service_error())


async def _read_body(route: Route, request: web.Request) -> bytes:
    limit = route.max_body_bytes or CLIENT_MAX_SIZE
    # Refuse before reading when the client announces the size.
    if request.content_length is not None and request.content_length > limit:
        raise translate.request_too_large(route.operation, limit)
    try:
        body = await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise translate.request_too_large(route.operation, limit) from None
    if len(body) > limit:
        raise translate.request_too_large(route.operation, limit)
    return body


def _rpc_error(error: grpc.aio.AioRpcError) -> translate.ErrorResponse:
    try:
        status = rpc_status.from_call(error)  # type: ignore[arg-type]
    except ValueError:
        # The trailers disagree with the call's code; treat the answer as a daemon fault.
        status = None
    if status is not None:
        return translate.error_from_status(status)
    if error.code() == grpc.StatusCode.UNAVAILABLE:
        return translate.service_error("The lambdad daemon is unavailable.")
    return translate.service_error(error.details() or "")


def _success_response(route: Route, reply: Any) -> web.Response:
    body = translate.response_body(route, reply)
    if body is None:
        return web.Response(status=route.ok_status)
    return web.Response(
        status=route.ok_status,
        body=json.dumps(body, separators=(",", ":")).encode(),
        headers={"Content-Type": "application/json"},
    )


def _error_response(error: translate.ErrorResponse) -> web.Response:
    return web.Response(
        status=error.status,
        body=json.dumps(error.body, separators=(",", ":")).encode(),
        headers=dict(error.headers),
    )


def create_app(channel: grpc.aio.Channel) -> web.Application:
    """The gateway's aiohttp application, calling the daemon over `channel`.

    The caller owns the channel and closes it after the application has stopped.
    """
    app = web.Application(client_max_size=CLIENT_MAX_SIZE)
    gateway = Gateway(channel)
    # One catch-all route: the Router matches the raw path itself, so encoded `%3A` and
    # `%2F` inside ARNs are decoded only after the path is split.
    app.router.add_route("*", "/{path:.*}", gateway.handle)
    return app


async def run_gateway(host: str, port: int, daemon_target: str) -> None:
    """Serve the gateway on `host:port`, talking to the daemon at `daemon_target`.

    Runs until cancelled, then stops accepting requests and closes the channel.
    """
    async with grpc.aio.insecure_channel(daemon_target) as channel:
        runner = web.AppRunner(create_app(channel), access_log=None)
        await runner.setup()
        try:
            site = web.TCPSite(runner, host, port)
            await site.start()
            log.info("gateway listening", addresses=runner.addresses, daemon=daemon_target)
            await asyncio.Event().wait()
        finally:
            await runner.cleanup()
