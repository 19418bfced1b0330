"""The Runtime API (`/2018-06-01/runtime/...`) one execution environment polls.

One `RuntimeApiServer` per execution environment, on an ephemeral port: the
runtime client inside the environment long-polls `invocation/next`, then posts
the result to `invocation/{id}/response` or `/error`, or reports a failed
init to `init/error`. The server hands each posted result to the waiting
invoker as a `RuntimeOutcome`. Behaviour (paths, headers, status codes, error
bodies) follows AWS's Runtime Interface Emulator.

The Extensions API (`/2020-01-01/extension/...`) is served on the same port by
`extensions.ExtensionsApi`. Not routed (404): the Logs and Telemetry APIs, and SnapStart's
`restore/*`.

A port is no secret, so a server made `restricted` answers only its own environment: every
route (Runtime, Extensions, and whatever else is served on the port) first checks that the
connection comes from the environment's process (`peers.ConnectionOwner`), once per
connection; anyone else gets 403 `AccessDeniedException`.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import json
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field

import structlog
from aiohttp import web

from lambdad.client.contract import SYNC_PAYLOAD_MAX_BYTES
from lambdad.daemon.runtime.extensions import ExtensionsApi
from lambdad.daemon.runtime.peers import ConnectionOwner
from lambdad.daemon.runtime.trailers import RawTailProtocol

log = structlog.get_logger(__name__)

API = "/2018-06-01"
# RIE's interop.MaxPayloadSize: 6 MiB + 100 bytes.
MAX_RESPONSE_BYTES = SYNC_PAYLOAD_MAX_BYTES + 100
# A streamed response may be far longer (AWS: 200 MB).
MAX_STREAMED_BYTES = 200 * 1024 * 1024
ERROR_TYPE_HEADER = "Lambda-Runtime-Function-Error-Type"
ERROR_BODY_HEADER = "Lambda-Runtime-Function-Error-Body"
RESPONSE_MODE_HEADER = "Lambda-Runtime-Function-Response-Mode"
# How long a request waits for the environment's process to be known before it is refused.
OWNER_WAIT_S = 30.0
ACCESS_DENIED = "AccessDeniedException"
RESPONSE_TOO_LARGE = json.dumps(
    {
        "errorMessage": (
            f"Response payload size exceeded maximum allowed payload size "
            f"({MAX_RESPONSE_BYTES} bytes)."
        ),
        "errorType": "Function.ResponseSizeTooLarge",
    }
).encode()


@dataclass
class InvocationRequest:
    """One event for the runtime, with the values of the `Lambda-Runtime-*` headers."""

    request_id: str
    payload: bytes
    timeout_s: float
    invoked_function_arn: str
    trace_id: str = ""
    client_context: str | None = None  # decoded JSON text
    cognito_identity: str | None = None
    tenant_id: str | None = None
    content_type: str = "application/json"
    # Set when the runtime receives the event (epoch ms); the deadline counts from then.
    deadline_ms: int = 0


class ResponseStream:
    """A streamed response (`Lambda-Runtime-Function-Response-Mode: streaming`), chunk by chunk.

    Iterate it for the chunks. After the iteration ends, `error_type`/`error_body` hold a
    mid-stream error, when the server could see one.
    """

    def __init__(self, content_type: str) -> None:
        self.content_type = content_type
        self.error_type: str | None = None
        self.error_body: bytes | None = None
        self._chunks: asyncio.Queue[bytes | None] = asyncio.Queue()
        self._done = asyncio.Event()

    def _put(self, chunk: bytes) -> None:
        self._chunks.put_nowait(chunk)

    def _finish(self, error_type: str | None = None, error_body: bytes | None = None) -> None:
        if self._done.is_set():
            return
        self.error_type, self.error_body = error_type, error_body
        self._done.set()
        self._chunks.put_nowait(None)

    def fail(self, error_type: str, error_body: bytes) -> None:
        """End the stream with an error the platform detected (e.g. the timeout)."""
        self._finish(error_type, error_body)

    @property
    def finished(self) -> bool:
        """True once the runtime has sent the whole response (or failed)."""
        return self._done.is_set()

    async def wait_finished(self) -> None:
        """Wait for the end of the stream."""
        await self._done.wait()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while True:
            chunk = await self._chunks.get()
            if chunk is None:
                return
            yield chunk


@dataclass(frozen=True)
class RuntimeOutcome:
    """What the runtime answered for one invocation.

    `error_type` is set for `/error` posts and for failures the Runtime API itself
    detects (response too large, bad response mode); `payload` is then the error body.
    `stream` is set for streamed responses.
    """

    payload: bytes = b""
    content_type: str = "application/json"
    error_type: str | None = None
    stream: ResponseStream | None = None


@dataclass(frozen=True)
class InitError:
    """A runtime's `init/error` report."""

    error_type: str
    payload: bytes


@dataclass
class _Pending:
    request: InvocationRequest
    outcome: asyncio.Future[RuntimeOutcome]
    # Done once the runtime has been handed the invocation.
    delivered: asyncio.Future[None] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )
    # Called in the same step that hands the event to the runtime, before anything the
    # runtime prints for it can have been read.
    on_delivered: Callable[[], None] | None = None
    # Called when the runtime answers an invocation the invoker stopped waiting for (see
    # `abandon`).
    on_settled: Callable[[], None] | None = None


def _error(status: int, error_type: str, message: str) -> web.Response:
    return web.json_response({"errorMessage": message, "errorType": error_type}, status=status)


_ACCEPTED = {"status": "OK"}

# The fast path (see `RuntimeApiServer._fast_request`).
_NEXT_PATH = f"{API}/runtime/invocation/next"
_INVOCATION_PREFIX = f"{API}/runtime/invocation/"
_RESPONSE_SUFFIX = "/response"
# A request head longer than this, or a body larger, is left to aiohttp.
_FAST_HEAD_BYTES = 8 * 1024
_FAST_BODY_BYTES = 64 * 1024
# Headers whose handling the fast path leaves to aiohttp.
_SLOW_HEADERS = (
    "transfer-encoding",
    "expect",
    "upgrade",
    "content-encoding",
    RESPONSE_MODE_HEADER.lower(),
)
_NOT_OWNER = "This Runtime API serves only its own execution environment."
_JSON_CONTENT_TYPE = "application/json; charset=utf-8"
_ACCEPTED_BODY = json.dumps(_ACCEPTED).encode()
_REASONS = {
    200: "OK",
    202: "Accepted",
    400: "Bad Request",
    403: "Forbidden",
    413: "Request Entity Too Large",
}
_UNSAFE_HEADER_VALUE = re.compile(r"[\r\n]")
_INTERNAL_ERROR = (
    b"HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain; charset=utf-8\r\n"
    b"Content-Length: 21\r\nConnection: close\r\n\r\n500 Internal Server Error"
)


def _json_error_body(error_type: str, message: str) -> bytes:
    return json.dumps({"errorMessage": message, "errorType": error_type}).encode()


def _raw_answer(status: int, body: bytes, headers: Mapping[str, str] | None = None) -> list[bytes]:
    """An HTTP/1.1 answer as aiohttp's handlers would send it (JSON unless `headers` say)."""
    lines = [f"HTTP/1.1 {status} {_REASONS[status]}"]
    if headers is None:
        lines.append(f"Content-Type: {_JSON_CONTENT_TYPE}")
    else:
        lines.extend(f"{name}: {value}" for name, value in headers.items())
    lines.append(f"Content-Length: {len(body)}\r\n\r\n")
    return ["\r\n".join(lines).encode(), body]  # aiohttp writes header values as UTF-8


_NOT_OWNER_ANSWER = _raw_answer(403, _json_error_body(ACCESS_DENIED, _NOT_OWNER))


def _parse_head(head: bytes) -> tuple[str, str, dict[str, str]] | None:
    """(method, target, lower-cased headers) of a plain HTTP/1.1 request head, else None."""
    try:
        text = head.decode("ascii")
    except UnicodeDecodeError:
        return None
    lines = text.split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or parts[2] != "HTTP/1.1":
        return None
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        key = name.lower()
        if not sep or not name or name != name.strip() or key in headers:
            return None  # malformed, folded or repeated: aiohttp decides
        headers[key] = value.strip()
    return parts[0], parts[1], headers


class RuntimeApiServer:
    """The Runtime API of one execution environment.

    `start()` binds an ephemeral port on `bind_host`; `submit()` queues an invocation and
    returns a future for the runtime's outcome; `delivered(request_id)` tells when the
    runtime took it; `init_error` and `ready` report the init phase.

    `restricted`: requests wait until `set_owner()` names the environment's process, and
    are served only on connections that process holds.
    """

    def __init__(
        self,
        bind_host: str,
        *,
        max_response_bytes: int = MAX_RESPONSE_BYTES,
        extensions: ExtensionsApi | None = None,
        restricted: bool = False,
    ) -> None:
        self.bind_host = bind_host
        self._restricted = restricted
        self._owner: ConnectionOwner | None = None
        self._owner_known = asyncio.Event()
        if not restricted:
            self._owner_known.set()
        self.extensions = extensions or ExtensionsApi(0, {})
        self.max_response_bytes = max_response_bytes
        self.port = 0
        self.ready = asyncio.Event()  # the runtime asked for its first event
        self.init_error: asyncio.Future[InitError] = asyncio.get_running_loop().create_future()
        self._queue: asyncio.Queue[_Pending] = asyncio.Queue()
        # Invocations handed to the runtime and not yet answered: one at a time, or up to
        # the environment's max concurrency (Lambda Managed Instances), each polled by its
        # own `invocation/next`.
        self._delivered: dict[str, _Pending] = {}
        self._by_id: dict[str, _Pending] = {}
        self._runner: web.AppRunner | None = None
        self._listener: asyncio.Server | None = None
        self._connections: Mapping[asyncio.BaseTransport, RawTailProtocol] = {}
        self._polls: set[asyncio.Task[object]] = set()

    # ---------------------------------------------------------------- lifecycle
    async def start(self) -> int:
        """Serve on an ephemeral port; the port."""
        app = web.Application(
            client_max_size=MAX_STREAMED_BYTES,
            middlewares=[self._only_owner] if self._restricted else [],
        )
        app.router.add_get(f"{API}/runtime/invocation/next", self._next)
        app.router.add_post(f"{API}/runtime/invocation/{{request_id}}/response", self._response)
        app.router.add_post(f"{API}/runtime/invocation/{{request_id}}/error", self._error)
        app.router.add_post(f"{API}/runtime/init/error", self._init_error)
        app.router.add_get(f"{API}/ping", self._ping)
        self.extensions.routes(app)
        self._runner = web.AppRunner(
            app, access_log=None, handle_signals=False, shutdown_timeout=0.5
        )
        await self._runner.setup()
        # Served through RawTailProtocol rather than a TCPSite: streamed responses end with
        # trailers that only the raw bytes still hold.
        server = self._runner.server
        assert server is not None
        factory, self._connections = RawTailProtocol.factory(server, fast=self._fast_request)
        self._listener = await asyncio.get_running_loop().create_server(
            factory, self.bind_host, 0, reuse_address=True
        )
        self.port = int(self._listener.sockets[0].getsockname()[1])
        return self.port

    async def close(self) -> None:
        """Stop serving; invocations still waiting fail with CancelledError."""
        for pending in [*self._by_id.values()]:
            if not pending.outcome.done():
                pending.outcome.cancel()
        for poll in list(self._polls):  # long polls would hold the shutdown
            poll.cancel()
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        for connection in list(self._connections.values()):
            if not connection.served_by_inner:  # aiohttp closes its own
                connection.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def set_owner(self, owner: ConnectionOwner | None) -> None:
        """The environment's process: only its connections are served from now on.

        None opens the API to any caller (an executor that cannot tell who is calling).
        """
        self._owner = owner
        if owner is None:
            log.warning("runtime api open to any local caller: the executor cannot tell peers")
        self._owner_known.set()

    @web.middleware
    async def _only_owner(
        self,
        request: web.Request,
        handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
    ) -> web.StreamResponse:
        if not self._owner_known.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._owner_known.wait(), OWNER_WAIT_S)
        if not self._owner_known.is_set() or not await self._from_owner(request):
            return _error(403, ACCESS_DENIED, _NOT_OWNER)
        return await handler(request)

    async def _from_owner(self, request: web.Request) -> bool:
        """True if the request's connection is the owner's; decided once per connection."""
        if self._owner is None:
            return True
        transport = request.transport
        connection = self._connections.get(transport) if transport is not None else None
        if connection is None or transport is None:
            return False
        return await self._connection_from_owner(connection, transport, request.path)

    async def _connection_from_owner(
        self, connection: RawTailProtocol, transport: asyncio.BaseTransport, path: str
    ) -> bool:
        owner = self._owner
        if owner is None:
            return True
        if connection.peer_allowed is None:
            peer = transport.get_extra_info("peername")
            local = transport.get_extra_info("sockname")
            try:
                allowed = bool(peer and local and await owner.owns_connection(peer[:2], local[:2]))
            except Exception:  # an unknown peer is refused, never served
                log.exception("runtime api peer check failed")
                allowed = False
            connection.peer_allowed = allowed
            if not allowed:
                log.warning(
                    "runtime api request refused: not from this environment",
                    peer=f"{peer[0]}:{peer[1]}" if peer else None,
                    path=path,
                )
        return connection.peer_allowed

    # ---------------------------------------------------------------- invoker side
    def submit(
        self, request: InvocationRequest, on_delivered: Callable[[], None] | None = None
    ) -> asyncio.Future[RuntimeOutcome]:
        """Queue `request` for the runtime's next `invocation/next`; a future of its outcome.

        `on_delivered` runs synchronously when the runtime is handed the invocation.
        """
        pending = _Pending(
            request, asyncio.get_running_loop().create_future(), on_delivered=on_delivered
        )
        self._by_id[request.request_id] = pending
        self._queue.put_nowait(pending)
        return pending.outcome

    def delivered(self, request_id: str) -> asyncio.Future[None]:
        """Done once the runtime has received the invocation `request_id`."""
        return self._by_id[request_id].delivered

    def forget(self, request_id: str) -> None:
        """Drop an invocation the invoker stopped waiting for (timeout, crash)."""
        self._by_id.pop(request_id, None)
        self._delivered.pop(request_id, None)

    def abandon(self, request_id: str, on_settled: Callable[[], None]) -> bool:
        """Stop waiting for a delivered invocation whose runtime worker goes on running it
        (a Lambda Managed Instances timeout): its late answer is accepted and dropped, and
        `on_settled` runs then. False (and the invocation forgotten) if it was not delivered
        or is already answered."""
        pending = self._delivered.get(request_id)
        if pending is None or pending.outcome.done():
            self.forget(request_id)
            return False
        pending.on_settled = on_settled
        return True

    # ---------------------------------------------------------------- runtime side
    async def _ping(self, request: web.Request) -> web.StreamResponse:
        return web.Response(text="pong")

    async def _next(self, request: web.Request) -> web.StreamResponse:
        payload, headers = await self._next_invocation()
        return web.Response(body=payload, headers=headers)

    async def _next_invocation(self) -> tuple[bytes, dict[str, str]]:
        """Wait for the next invocation and hand it over: its payload and headers."""
        self.ready.set()
        task = asyncio.current_task()
        assert task is not None
        self._polls.add(task)
        try:
            # As on AWS, the first event waits for the external extensions' init.
            await self.extensions.wait_ready()
            while True:
                pending = await self._queue.get()
                if pending.request.request_id in self._by_id and not pending.outcome.done():
                    break
        finally:
            self._polls.discard(task)
        inv = pending.request
        inv.deadline_ms = int((time.time() + inv.timeout_s) * 1000)
        headers = {
            "Lambda-Runtime-Aws-Request-Id": inv.request_id,
            "Lambda-Runtime-Deadline-Ms": str(inv.deadline_ms),
            "Lambda-Runtime-Invoked-Function-Arn": inv.invoked_function_arn,
            "Content-Type": inv.content_type,
        }
        # RIE sets these only when non-empty.
        optional = {
            "Lambda-Runtime-Trace-Id": inv.trace_id,
            "Lambda-Runtime-Client-Context": inv.client_context,
            "Lambda-Runtime-Cognito-Identity": inv.cognito_identity,
            "Lambda-Runtime-Aws-Tenant-Id": inv.tenant_id,
        }
        headers.update({k: v for k, v in optional.items() if v})
        self._delivered[inv.request_id] = pending
        if not pending.delivered.done():
            pending.delivered.set_result(None)
        if pending.on_delivered is not None:
            pending.on_delivered()
        self.extensions.invoke(
            inv.request_id, inv.deadline_ms, inv.invoked_function_arn, inv.trace_id
        )
        return inv.payload, headers

    # ------------------------------------------------------------- fast path
    def _fast_request(self, connection: RawTailProtocol, data: bytes) -> int:
        """Serve `invocation/next` and small buffered `response` posts without aiohttp.

        Called with the bytes buffered on a connection aiohttp has not seen; answers as the
        aiohttp handlers would (same statuses, headers and bodies). Anything else -- other
        paths, chunked or large bodies, `Expect`, `Connection`, HTTP/1.0, a percent-encoded
        id, a response mode -- returns -1 and the connection is aiohttp's from then on.
        """
        end = data.find(b"\r\n\r\n")
        if end < 0:
            return 0 if len(data) < _FAST_HEAD_BYTES else -1
        request = _parse_head(data[:end])
        if request is None:
            return -1
        method, target, headers = request
        length = headers.get("content-length", "0")
        if not (length.isascii() and length.isdigit()):
            return -1
        size = int(length)
        if size > _FAST_BODY_BYTES or not headers.keys().isdisjoint(_SLOW_HEADERS):
            return -1
        if headers.get("connection", "keep-alive").lower() != "keep-alive":
            return -1
        taken = end + 4 + size
        if method == "GET" and target == _NEXT_PATH and size == 0:
            connection.answer_later(self._fast_next(connection, target))
            return taken
        if not (
            method == "POST"
            and target.startswith(_INVOCATION_PREFIX)
            and target.endswith(_RESPONSE_SUFFIX)
        ):
            return -1
        request_id = target[len(_INVOCATION_PREFIX) : -len(_RESPONSE_SUFFIX)]
        if not request_id or "/" in request_id or "%" in request_id:
            return -1
        if len(data) < taken:
            return 0
        body = data[end + 4 : taken]
        content_type = headers.get("content-type", "application/json")
        if self._owner_checked(connection):
            self._fast_response(connection, request_id, body, content_type)
        else:
            connection.answer_later(
                self._checked(
                    connection,
                    target,
                    lambda: self._fast_response(connection, request_id, body, content_type),
                )
            )
        return taken

    def _owner_checked(self, connection: RawTailProtocol) -> bool:
        """True if requests on `connection` may be served without waiting for a check."""
        if not self._restricted:
            return True
        return self._owner_known.is_set() and (
            self._owner is None or connection.peer_allowed is True
        )

    async def _allowed(self, connection: RawTailProtocol, path: str) -> bool:
        """The `_only_owner` middleware's verdict, for a fast-path request."""
        if not self._restricted:
            return True
        if not self._owner_known.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._owner_known.wait(), OWNER_WAIT_S)
        transport = connection.transport
        if not self._owner_known.is_set() or transport is None:
            return False
        return await self._connection_from_owner(connection, transport, path)

    async def _checked(
        self, connection: RawTailProtocol, path: str, serve: Callable[[], None]
    ) -> None:
        if await self._allowed(connection, path):
            serve()
        else:
            connection.write(_NOT_OWNER_ANSWER)

    async def _fast_next(self, connection: RawTailProtocol, path: str) -> None:
        if not await self._allowed(connection, path):
            connection.write(_NOT_OWNER_ANSWER)
            return
        payload, headers = await self._next_invocation()
        if _UNSAFE_HEADER_VALUE.search("".join(headers.values())):
            # aiohttp refuses such a header value when it writes the answer: so do we.
            log.error("runtime api header value holds a line break", headers=list(headers))
            connection.write([_INTERNAL_ERROR])
            connection.close()
            return
        connection.write(_raw_answer(200, payload, headers))

    def _fast_response(
        self, connection: RawTailProtocol, request_id: str, body: bytes, content_type: str
    ) -> None:
        pending = self._delivered.get(request_id)
        if pending is None or pending.outcome.done():
            answer = _raw_answer(400, _json_error_body("InvalidRequestID", "Invalid request ID"))
        elif len(body) > self.max_response_bytes:
            message = self._refuse_too_large(pending)
            answer = _raw_answer(413, _json_error_body("RequestEntityTooLarge", message))
        else:
            self._settle(pending, RuntimeOutcome(payload=body, content_type=content_type))
            answer = _raw_answer(202, _ACCEPTED_BODY)
        connection.write(answer)

    def _pending_for(self, request: web.Request) -> _Pending | None:
        pending = self._delivered.get(request.match_info["request_id"])
        if pending is None or pending.outcome.done():
            return None
        return pending

    def _response_too_large(self, pending: _Pending) -> web.Response:
        """Fail the invocation as AWS does and tell the runtime its payload was refused."""
        return _error(413, "RequestEntityTooLarge", self._refuse_too_large(pending))

    def _refuse_too_large(self, pending: _Pending) -> str:
        """Fail the invocation whose response is over the limit, as AWS does; the message
        the runtime is answered with (413 RequestEntityTooLarge)."""
        self._settle(
            pending,
            RuntimeOutcome(payload=RESPONSE_TOO_LARGE, error_type="Function.ResponseSizeTooLarge"),
        )
        return f"Exceeded maximum allowed payload size ({self.max_response_bytes} bytes)."

    def _settle(self, pending: _Pending, outcome: RuntimeOutcome) -> None:
        if not pending.outcome.done():
            pending.outcome.set_result(outcome)
        self._answered(pending)

    def _answered(self, pending: _Pending) -> None:
        self._delivered.pop(pending.request.request_id, None)
        self._by_id.pop(pending.request.request_id, None)
        if pending.on_settled is not None:
            pending.on_settled()
            pending.on_settled = None

    async def _read_limited(self, request: web.Request, limit: int) -> bytes | None:
        """The body, or None as soon as it exceeds `limit` (the rest is discarded)."""
        if request.content_length is not None and request.content_length > limit:
            return None
        parts: list[bytes] = []
        size = 0
        async for chunk in request.content.iter_any():
            size += len(chunk)
            if size > limit:
                return None
            parts.append(chunk)
        return b"".join(parts)

    async def _response(self, request: web.Request) -> web.StreamResponse:
        pending = self._pending_for(request)
        if pending is None:
            return _error(400, "InvalidRequestID", "Invalid request ID")
        mode = request.headers.get(RESPONSE_MODE_HEADER)
        content_type = request.headers.get("Content-Type", "application/json")
        if mode is not None and mode.lower() != "streaming":
            self._settle(
                pending,
                RuntimeOutcome(
                    payload=json.dumps(
                        {
                            "errorMessage": f"Invalid response mode header value: {mode}",
                            "errorType": "Runtime.InvalidResponseModeHeader",
                        }
                    ).encode(),
                    error_type="Runtime.InvalidResponseModeHeader",
                ),
            )
            return _error(
                400,
                "InvalidFunctionResponseMode",
                f"Invalid response mode header value: {mode}",
            )
        if mode is not None:
            return await self._stream_response(request, pending, content_type)
        body = await self._read_limited(request, self.max_response_bytes)
        if body is None:
            return self._response_too_large(pending)
        self._settle(pending, RuntimeOutcome(payload=body, content_type=content_type))
        return web.json_response(_ACCEPTED, status=202)

    async def _stream_response(
        self, request: web.Request, pending: _Pending, content_type: str
    ) -> web.StreamResponse:
        stream = ResponseStream(content_type or "application/octet-stream")
        # The invoker gets the stream as soon as the runtime starts sending.
        if not pending.outcome.done():
            pending.outcome.set_result(
                RuntimeOutcome(content_type=stream.content_type, stream=stream)
            )
        size = 0
        try:
            async for chunk in request.content.iter_any():
                size += len(chunk)
                if size > MAX_STREAMED_BYTES:
                    stream._finish(
                        "Function.ResponseSizeTooLarge",
                        json.dumps(
                            {
                                "errorMessage": "Response payload size exceeded maximum "
                                f"allowed payload size ({MAX_STREAMED_BYTES} bytes).",
                                "errorType": "Function.ResponseSizeTooLarge",
                            }
                        ).encode(),
                    )
                    return _error(
                        413,
                        "RequestEntityTooLarge",
                        f"Exceeded maximum allowed payload size ({MAX_STREAMED_BYTES} bytes).",
                    )
                stream._put(chunk)
        except (ConnectionError, asyncio.IncompleteReadError):
            stream._finish(
                "Runtime.TruncatedResponse",
                json.dumps(
                    {
                        "errorMessage": "Response stream ended before completion",
                        "errorType": "Runtime.TruncatedResponse",
                    }
                ).encode(),
            )
            raise
        finally:
            self._answered(pending)
        error_type, error_body = self._trailer_error(request)
        stream._finish(error_type, error_body)
        return web.json_response(_ACCEPTED, status=202)

    def _trailer_error(self, request: web.Request) -> tuple[str | None, bytes | None]:
        """A mid-stream error the runtime announced in the trailers of its chunked response."""
        connection = self._connections.get(request.transport) if request.transport else None
        trailers = connection.trailers() if connection is not None else {}
        error_type = trailers.get(ERROR_TYPE_HEADER.lower())
        if not error_type:
            return None, None
        encoded = trailers.get(ERROR_BODY_HEADER.lower(), "")
        try:
            body = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            body = encoded.encode()
        if not body:
            body = json.dumps({"errorMessage": "", "errorType": error_type}).encode()
        return error_type, body

    async def _error(self, request: web.Request) -> web.StreamResponse:
        pending = self._pending_for(request)
        if pending is None:
            return _error(400, "InvalidRequestID", "Invalid request ID")
        body = await self._read_limited(request, self.max_response_bytes)
        error_type = request.headers.get(ERROR_TYPE_HEADER) or _body_error_type(body)
        if body is None:
            return self._response_too_large(pending)
        self._settle(
            pending,
            RuntimeOutcome(
                payload=_strip_xray_cause(body, request.headers.get("Content-Type", "")),
                content_type="application/json",
                error_type=error_type,
            ),
        )
        return web.json_response(_ACCEPTED, status=202)

    async def _init_error(self, request: web.Request) -> web.StreamResponse:
        body = await self._read_limited(request, self.max_response_bytes) or b""
        error_type = request.headers.get(ERROR_TYPE_HEADER) or _body_error_type(body)
        if self.init_error.done():
            return _error(
                403, "InvalidStateTransition", "State transition from InitError is not allowed"
            )
        self.init_error.set_result(
            InitError(error_type, _strip_xray_cause(body, request.headers.get("Content-Type", "")))
        )
        return web.json_response(_ACCEPTED, status=202)


def _body_error_type(body: bytes | None) -> str:
    """The body's `errorType` when the runtime sent no error-type header (awslambdaric)."""
    try:
        parsed = json.loads(body or b"")
    except ValueError:
        return "Runtime.Unknown"
    if isinstance(parsed, dict) and isinstance(parsed.get("errorType"), str):
        return str(parsed["errorType"])
    return "Runtime.Unknown"


def _strip_xray_cause(body: bytes, content_type: str) -> bytes:
    """RIE removes `xrayErrorCause` from bodies sent as the error-cause content type."""
    if "application/vnd.aws.lambda.error.cause+json" not in content_type:
        return body
    try:
        parsed = json.loads(body)
    except ValueError:
        return body
    if isinstance(parsed, dict):
        parsed.pop("xrayErrorCause", None)
        return json.dumps(parsed).encode()
    return body
