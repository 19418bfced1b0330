"""The HTTP side of the gateway: AWS Lambda REST requests in, gRPC calls to the daemon out.

All the rules live in `routes` (which operation a request is) and `translate` (what its
message is, what the answer looks like); this module only does the I/O around them.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import grpc
import structlog
from aiohttp import http_exceptions, web
from multidict import CIMultiDict, CIMultiDictProxy

from lambdad.client.client import channel_options
from lambdad.client.constraints import ConstraintChecker
from lambdad.client.contract import AWS_REQUEST_ID_HEADER, REQUEST_ID_HEADER
from lambdad.client.transport import bearer_token_interceptors
from lambdad.gateway import rpc_errors, translate
from lambdad.gateway.fast_invoke import (
    MAX_HEAD_BYTES,
    FastConnections,
    HandOffProtocol,
    parse_head,
    wire_answer,
)
from lambdad.gateway.routes import (
    CODE_LOCATION_PREFIX,
    GATEWAY_ROUTES,
    Route,
    RouteKind,
    Router,
)
from lambdad.gateway.url_serving import FunctionUrlServer
from lambdad.gateway.urls import url_address
from lambdad.v1 import function_service_pb2 as fs
from lambdad.v1 import function_service_pb2_grpc as fs_grpc

log = structlog.get_logger(__name__)

# The application's Gateway, for `listen` (its fast path).
_GATEWAY: web.AppKey[Gateway] = web.AppKey("gateway")

# Above the largest per-operation limit (CreateFunction's 70167211 bytes), so that limit is
# reported with AWS's message rather than aiohttp's.
CLIENT_MAX_SIZE = 80 * 1024 * 1024

# The gRPC channel uses lambdad.client's channel_options(): big messages (a CreateFunction near
# its limit) and big trailers (errors quote the offending value, as AWS does).

# Bodies above this are decoded in a worker thread: a 70 MB CreateFunction takes long
# enough to parse that it would stall every other request on the event loop.
_THREAD_PARSE_BYTES = 1024 * 1024

# Invoke bodies up to this size may take the fast path; larger ones (and their 413) are
# aiohttp's.
_FAST_BODY_BYTES = 64 * 1024
# Request headers whose handling the fast path leaves to aiohttp (and the gateway's router).
_SLOW_HEADERS = (
    "transfer-encoding",
    "expect",
    "upgrade",
    "content-encoding",
    "x-amz-target",
)

# How long a stopping gateway waits for answers in progress (aiohttp's AppRunner default).
_SHUTDOWN_TIMEOUT_S = 60.0
# A query, percent-encoded or dot segments: aiohttp and the router normalize those.
_SLOW_TARGET = re.compile(r"[?%#]|//|/\.")

_REQUEST_ID_HEADER = AWS_REQUEST_ID_HEADER
# Names the operation of a JSON 1.1 request (CloudWatch Logs).
_TARGET_HEADER = "X-Amz-Target"


class Gateway:
    """Serves the AWS Lambda REST API by calling the daemon over one gRPC channel."""

    def __init__(
        self,
        channel: grpc.aio.Channel,
        routes: Sequence[Route] = GATEWAY_ROUTES,
        *,
        strict: bool = False,
    ) -> None:
        """`strict` applies the model constraints lambdad relaxes (a Role that is no ARN)."""
        self._router = Router(routes)
        self._checker = ConstraintChecker(strict=strict)
        # One stub per generated stub class, shared by all routes using it.
        stubs: dict[Any, Any] = {}
        for route in routes:
            if route.stub not in stubs:
                stubs[route.stub] = route.stub(channel)
        self._stubs = stubs
        self._functions = fs_grpc.FunctionServiceStub(channel)
        self._function_urls = FunctionUrlServer(channel)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Answer one REST request; never raises for anything the client sent."""
        # Function URLs: `<url-id>.lambda-url.<region>.<host>` or `/lambda-url/<url-id>/...`.
        address = url_address(request.host, request.rel_url.raw_path)
        if address is not None:
            return await self._function_urls.handle(request, address)
        request_id = str(uuid.uuid4())
        started = time.perf_counter()
        raw_path = request.rel_url.raw_path
        target = request.headers.get(_TARGET_HEADER)
        match = self._router.match(request.method, raw_path, request.query, target)
        is_download = (
            match is None and request.method == "GET" and raw_path.startswith(CODE_LOCATION_PREFIX)
        )
        operation = match.route.operation if match else "DownloadCode" if is_download else None
        with structlog.contextvars.bound_contextvars(request_id=request_id, operation=operation):
            response: web.StreamResponse
            if match is not None:
                response = await self._dispatch(
                    match.route, dict(match.path_params), request, request_id
                )
            elif is_download:
                response = await self._download_code(request, request_id)
            elif target:
                response = rpc_errors.json_answer(translate.json11_unknown_operation(target))
            else:
                response = rpc_errors.json_answer(translate.unknown_operation())
            if not response.prepared:
                # Invoke answers already carry the invocation's request id.
                response.headers.setdefault(_REQUEST_ID_HEADER, request_id)
            log.info(
                "request",
                method=request.method,
                path=raw_path,
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
    ) -> web.StreamResponse:
        response = await self._answer(route, path_params, request, request_id)
        if route.target is not None and not response.prepared:
            response.headers["Content-Type"] = translate.JSON_11_CONTENT_TYPE
        return response

    async def _answer(
        self,
        route: Route,
        path_params: dict[str, str],
        request: web.Request,
        request_id: str,
    ) -> web.StreamResponse:
        try:
            body = await _read_body(route, request) if route.has_body else b""
            query = {name: request.query.getall(name) for name in request.query}
        except translate.RequestError as exc:
            return rpc_errors.json_answer(_error_shape(route)(translate.request_error(exc)))
        return await self._call(
            route, path_params, query, body, request.headers, request_id, request
        )

    async def _call(
        self,
        route: Route,
        path_params: dict[str, str],
        query: Mapping[str, list[str]],
        body: bytes,
        headers: Mapping[str, str],
        request_id: str,
        request: web.Request | None,
    ) -> web.StreamResponse:
        """Translate, call the daemon and answer; `request` is None on the fast path (which
        takes only Invoke, whose answer needs nothing more of the request)."""
        error = _error_shape(route)
        try:
            args = (route, path_params, query, body, headers, self._checker)
            if len(body) > _THREAD_PARSE_BYTES and route.payload_member is None:
                message = await asyncio.to_thread(translate.request_to_message, *args)
            else:
                message = translate.request_to_message(*args)
            call = getattr(self._stubs[route.stub], route.rpc)
            metadata = ((REQUEST_ID_HEADER, request_id),)
            if route.kind is RouteKind.INVOKE_STREAM:
                assert request is not None
                return await self._stream_invocation(
                    call(message, metadata=metadata), request, request_id
                )
            if route.kind is RouteKind.EVENT_STREAM:
                assert request is not None
                return await self._event_stream(call(message, metadata=metadata), request)
            reply = await call(message, metadata=metadata)
            if route.kind is RouteKind.JSON:
                assert request is not None
                return _success_response(route, reply, f"{request.scheme}://{request.host}")
            answer = translate.invoke_response(route, reply, request_id)
            _check_request_id(answer.headers, request_id)
            return _raw_response(answer)
        except translate.RequestError as exc:
            return rpc_errors.json_answer(error(translate.request_error(exc)))
        except grpc.aio.AioRpcError as exc:
            return rpc_errors.json_answer(error(_rpc_error(exc)))
        except ConnectionError:
            raise  # the client went away mid-request: nobody is left to answer
        except Exception:
            # A gateway bug must still get an AWS-shaped answer, not aiohttp's HTML 500.
            log.exception("unhandled error")
            return rpc_errors.json_answer(error(translate.service_error()))

    # ------------------------------------------------------------- fast path
    def fast_invoke(self, connection: HandOffProtocol, data: bytes) -> int:
        """Take a plain RequestResponse Invoke from the bytes buffered on `connection`.

        The `FastRequests` callback of `fast_invoke.HandOffProtocol`: the number of bytes of
        the request it took (and is answering), 0 while the request is incomplete, -1 for
        anything it leaves to aiohttp (see that module's docstring for what that is).
        """
        end = data.find(b"\r\n\r\n")
        if end < 0:
            # aiohttp also takes bare LF line ends: such a head would never end here.
            if len(data) >= MAX_HEAD_BYTES or data.count(b"\n") != data.count(b"\r\n"):
                return -1
            return 0
        head = parse_head(data[:end])
        if head is None:
            return -1
        method, target, fields = head
        # No query, no encoded or dot segments: the router then sees what aiohttp would give it.
        if method != "POST" or _SLOW_TARGET.search(target):
            return -1
        match = self._router.match(method, target)
        if match is None or match.route.operation != "Invoke":
            return -1
        length = fields.get("content-length", "")
        host = fields.get("host")
        if (
            not (length.isascii() and length.isdigit())
            or int(length) > _FAST_BODY_BYTES
            or host is None
            or not fields.keys().isdisjoint(_SLOW_HEADERS)
            or fields.get("connection", "keep-alive").lower() != "keep-alive"
            or fields.get("x-amz-invocation-type", "RequestResponse") != "RequestResponse"
            or url_address(host, target) is not None
        ):
            return -1
        taken = end + 4 + int(length)
        if len(data) < taken:
            return 0
        headers = CIMultiDictProxy(CIMultiDict(fields))
        body = data[end + 4 : taken]
        connection.answer_later(
            self._fast_answer(
                connection, match.route, dict(match.path_params), body, headers, target
            )
        )
        return taken

    async def _fast_answer(
        self,
        connection: HandOffProtocol,
        route: Route,
        path_params: dict[str, str],
        body: bytes,
        headers: Mapping[str, str],
        path: str,
    ) -> None:
        """Answer one fast-path Invoke as `handle` would have."""
        request_id = str(uuid.uuid4())
        started = time.perf_counter()
        # This runs in a task of its own (`answer_later`), whose context ends with it: the
        # values need no unbinding (bound_contextvars' context manager cost ~2 % of an invoke).
        structlog.contextvars.bind_contextvars(request_id=request_id, operation=route.operation)
        response = await self._call(route, path_params, {}, body, headers, request_id, None)
        assert isinstance(response, web.Response)
        response.headers.setdefault(_REQUEST_ID_HEADER, request_id)
        connection.write(wire_answer(response))
        log.info(
            "request",
            method="POST",
            path=path,
            status=response.status,
            ms=round((time.perf_counter() - started) * 1000, 1),
        )

    async def _event_stream(self, call: Any, request: web.Request) -> web.StreamResponse:
        """Answer a JSON-protocol streaming operation (StartLiveTail): `initial-response`,
        then one event per message until the client goes away or the stream ends.

        The first message is read before answering, so a refused request (an unknown log
        group) still gets an error status; a failure after that is an exception event.
        """
        try:
            first = await call.read()
            response = web.StreamResponse(
                status=200, headers={"Content-Type": translate.EVENT_STREAM_CONTENT_TYPE}
            )
            await response.prepare(request)
            await response.write(translate.initial_response_event())
            try:
                item = first
                while item is not grpc.aio.EOF:
                    for frame in translate.live_tail_events(item):
                        await response.write(frame)
                    item = await call.read()
                await response.write_eof()
            except grpc.aio.AioRpcError as exc:
                log.warning("event stream failed mid-stream", code=exc.code().name)
                await response.write(translate.error_event(_rpc_error(exc)))
            except ConnectionError:
                log.info("client went away during an event stream")
            return response
        finally:
            call.cancel()

    async def _stream_invocation(
        self, call: Any, request: web.Request, request_id: str
    ) -> web.StreamResponse:
        """Answer InvokeWithResponseStream: `start` sets the headers, the rest is events.

        Failures before `start` propagate (and become ordinary AWS error answers); after it,
        the status line has gone out, so a failure is sent as an event-stream error message.
        """
        try:
            first = await call.read()
            if first is grpc.aio.EOF or first.WhichOneof("event") != "start":
                log.error("invocation stream did not begin with start")
                return rpc_errors.json_answer(translate.service_error())
            start = translate.stream_start(first.start, request_id)
            _check_request_id(start.headers, request_id)
            if start.status == 204:
                return _raw_response(start)
            response = web.StreamResponse(status=start.status, headers=start.headers)
            await response.prepare(request)
            # From here on the answer is committed: nothing may escape as an error answer.
            try:
                await _write_events(call, response)
                await response.write_eof()
            except ConnectionError:
                log.info("client went away during a streamed invocation")
            except Exception:
                log.exception("unhandled error in a streamed invocation")
            return response
        finally:
            call.cancel()

    async def _download_code(self, request: web.Request, request_id: str) -> web.StreamResponse:
        """Serve a code location by streaming DownloadCode, as S3 serves a presigned URL."""
        call = self._functions.DownloadCode(
            fs.DownloadCodeRequest(location=request.raw_path),
            metadata=((REQUEST_ID_HEADER, request_id),),
        )
        try:
            # Read the first chunk before answering, so a refused location (expired, bad
            # signature, unknown blob) still gets an error status.
            chunk = await call.read()
        except grpc.aio.AioRpcError as exc:
            return rpc_errors.json_answer(_rpc_error(exc))
        except Exception:
            log.exception("unhandled error")
            return rpc_errors.json_answer(translate.service_error())
        response = web.StreamResponse(
            headers={"Content-Type": "application/zip", _REQUEST_ID_HEADER: request_id}
        )
        await response.prepare(request)
        try:
            while chunk is not grpc.aio.EOF:
                await response.write(chunk.chunk)
                chunk = await call.read()
        except grpc.aio.AioRpcError:
            # Too late for an error status; dropping the connection is the only way to tell
            # the client its download is incomplete.
            log.warning("code download failed mid-stream", exc_info=True)
            raise
        finally:
            call.cancel()
        await response.write_eof()
        return response


async def _write_events(call: Any, response: web.StreamResponse) -> None:
    """Copy the stream's events after `start` to `response` as event-stream messages."""
    try:
        while (item := await call.read()) is not grpc.aio.EOF:
            for frame in translate.stream_events(item):
                await response.write(frame)
    except grpc.aio.AioRpcError as exc:
        log.warning("streamed invocation failed mid-stream", code=exc.code().name)
        await response.write(translate.error_event(_rpc_error(exc)))


async def _read_body(route: Route, request: web.Request) -> bytes:
    limit = route.max_body_bytes or CLIENT_MAX_SIZE
    # Refuse before reading when the client announces the size.
    if request.content_length is not None and request.content_length > limit:
        raise translate.request_too_large(route.operation, limit)
    try:
        body = await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise translate.request_too_large(route.operation, limit) from None
    except (web.RequestPayloadError, http_exceptions.HttpProcessingError) as error:
        # A body aiohttp could not take apart (bad chunking, a Content-Encoding it does not
        # hold): the client's fault, answered like any body that is not readable JSON.
        raise translate.unreadable_body(error) from None
    if len(body) > limit:
        raise translate.request_too_large(route.operation, limit)
    return body


def _rpc_error(error: grpc.aio.AioRpcError) -> translate.ErrorResponse:
    return rpc_errors.error_from_rpc(
        error, unavailable_message="The lambdad daemon is unavailable."
    )


def _same(error: translate.ErrorResponse) -> translate.ErrorResponse:
    return error


def _error_shape(
    route: Route,
) -> Callable[[translate.ErrorResponse], translate.ErrorResponse]:
    """JSON 1.1 operations (CloudWatch Logs) answer errors in their protocol's shape."""
    return translate.json11_error if route.target is not None else _same


def _success_response(route: Route, reply: Any, base_url: str) -> web.Response:
    body = translate.response_body(route, reply, base_url)
    if body is None:
        return web.Response(status=route.ok_status)
    return web.Response(
        status=route.ok_status,
        body=json.dumps(body, separators=(",", ":")).encode(),
        headers={"Content-Type": "application/json"},
    )


def _raw_response(answer: translate.RawResponse) -> web.Response:
    return web.Response(status=answer.status, body=answer.body, headers=dict(answer.headers))


def _check_request_id(headers: Mapping[str, str], request_id: str) -> None:
    # The daemon takes the gateway's x-request-id as the invocation's id; if a daemon
    # does not, the answer carries the invocation's and the log line says so.
    invocation_id = headers.get(_REQUEST_ID_HEADER)
    if invocation_id and invocation_id != request_id:
        log.warning("daemon chose its own request id", invocation_request_id=invocation_id)


@web.middleware
async def _fault_answer(request: web.Request, handler: Any) -> web.StreamResponse:
    """The last line of defence: whatever escapes a handler (function URLs, routing, a bug)
    is answered as AWS would, a ServiceException JSON body with a request id, instead of
    aiohttp's plain-text 500 page."""
    try:
        response: web.StreamResponse = await handler(request)
        return response
    except (web.HTTPException, asyncio.CancelledError, ConnectionError):
        # aiohttp's own answers (e.g. 413 while reading a body), cancellation, a client gone.
        raise
    except Exception:
        if request.writer.output_size:
            # Part of an answer has gone out (a streamed download): dropping the connection
            # is the only honest signal left, so let aiohttp do that.
            raise
        request_id = str(uuid.uuid4())
        log.exception(
            "unhandled error", request_id=request_id, method=request.method, path=request.path
        )
        answer = rpc_errors.json_answer(translate.service_error())
        answer.headers[_REQUEST_ID_HEADER] = request_id
        return answer


def create_app(channel: grpc.aio.Channel, *, strict: bool = False) -> web.Application:
    """The gateway's aiohttp application, calling the daemon over `channel`.

    The caller owns the channel and closes it after the application has stopped. `strict`
    is the daemon's --strict (the gateway then checks a Role's pattern too).
    """
    app = web.Application(client_max_size=CLIENT_MAX_SIZE, middlewares=[_fault_answer])
    gateway = Gateway(channel, strict=strict)
    # One catch-all route: the Router matches the raw path itself, so encoded `%3A` and
    # `%2F` inside ARNs are decoded only after the path is split.
    # `[\s\S]` rather than `.`: decoded paths may hold a newline (`%0A`).
    app.router.add_route("*", r"/{path:[\s\S]*}", gateway.handle)
    app[_GATEWAY] = gateway
    return app


async def listen(
    runner: web.AppRunner, host: str, port: int, *, fast_invoke: bool = True
) -> tuple[asyncio.Server, FastConnections]:
    """Serve `runner`'s gateway application (set up) on `host:port`.

    With `fast_invoke`, each connection's plain Invoke requests are answered by the gateway's
    fast path (see fast_invoke.py) until one is not, and aiohttp serves it from then on. To
    stop: close the server, close the fast connections, then clean up the runner.
    """
    server = runner.server
    assert server is not None
    connections = FastConnections()
    loop = asyncio.get_running_loop()
    if not fast_invoke:
        return await loop.create_server(server, host, port, reuse_address=True), connections
    fast = runner.app[_GATEWAY].fast_invoke
    listener = await loop.create_server(
        lambda: HandOffProtocol(server(), fast, connections), host, port, reuse_address=True
    )
    return listener, connections


def daemon_channel(
    target: str,
    *,
    credentials: grpc.ChannelCredentials | None = None,
    token: str | None = None,
) -> grpc.aio.Channel:
    """The gateway's channel to the daemon: TLS when given `credentials`, and the daemon's
    bearer `token` on every call when it requires one."""
    interceptors = bearer_token_interceptors(token) if token else None
    if credentials is None:
        return grpc.aio.insecure_channel(target, channel_options(), interceptors=interceptors)
    return grpc.aio.secure_channel(
        target, credentials, channel_options(), interceptors=interceptors
    )


async def run_gateway(
    host: str,
    port: int,
    daemon_target: str,
    *,
    credentials: grpc.ChannelCredentials | None = None,
    token: str | None = None,
    strict: bool = False,
) -> None:
    """Serve the gateway on `host:port`, talking to the daemon at `daemon_target`.

    Runs until cancelled, then stops accepting requests and closes the channel.
    """
    async with daemon_channel(daemon_target, credentials=credentials, token=token) as channel:
        await serve_gateway(host, port, channel, daemon=daemon_target, strict=strict)


async def serve_gateway(
    host: str, port: int, channel: grpc.aio.Channel, *, daemon: str, strict: bool = False
) -> None:
    """Serve the gateway on `host:port` over `channel` (owned by the caller) until cancelled."""
    runner = web.AppRunner(create_app(channel, strict=strict), access_log=None)
    await runner.setup()
    try:
        listener, fast_connections = await listen(runner, host, port)
        try:
            addresses = [sock.getsockname() for sock in listener.sockets]
            log.info("gateway listening", addresses=addresses, daemon=daemon)
            await asyncio.Event().wait()
        finally:
            listener.close()
            # As aiohttp does for its connections in `runner.cleanup()`: answers being made
            # go out first (a graceful stop does not cut off an invocation's result).
            await fast_connections.shutdown(_SHUTDOWN_TIMEOUT_S)
    finally:
        await runner.cleanup()
