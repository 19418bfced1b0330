"""The gateway's hot path: plain Invoke requests answered without aiohttp's request objects.

Under load, aiohttp's request parsing, `web.Request`/`web.Response` objects, middleware and
response writer were about a fifth of the daemon's CPU per invoke (`bench/README.md`). A
connection is served by `HandOffProtocol`, which offers each request's bytes to a callback
(`Gateway.fast_invoke`) first; the callback takes only the common case -- `POST
/2015-03-31/functions/{name}/invocations` over HTTP/1.1 with a small Content-Length body, no
query, no encoded path, no Expect/Upgrade/Transfer-Encoding/Content-Encoding, at most one of
each header -- and answers it with the same translation, gRPC call and error mapping as the
aiohttp handler, serialized as aiohttp would (`wire_answer`). The first request it does not
take hands the connection, with every byte not yet consumed, to aiohttp's protocol for good,
so anything unusual (chunked or oversized bodies, malformed HTTP, other operations) gets
aiohttp's and the gateway's ordinary answer.

This module is the gateway's own (the gateway may not import the daemon); the Runtime API has a
similar hand-off in `lambdad.daemon.runtime.trailers`.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Coroutine
from typing import Any, cast

import structlog
from aiohttp import web
from aiohttp.helpers import rfc822_formatted_time
from aiohttp.http import SERVER_SOFTWARE

__all__ = ["FastConnections", "FastRequests", "HandOffProtocol", "parse_head", "wire_answer"]

log = structlog.get_logger(__name__)

# What a fast path says of the bytes buffered on a connection: how many it took (a whole
# request, answered or being answered), 0 for "not complete yet", -1 for "not mine".
FastRequests = Callable[["HandOffProtocol", bytes], int]

# Longer request heads are left to aiohttp (its own limit is 8190 bytes per line).
MAX_HEAD_BYTES = 8 * 1024
# aiohttp's default keep-alive timeout for an idle connection.
_KEEPALIVE_S = 3630.0
# RFC 9110 token characters (header names, methods).
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
# Control characters other than HTAB (and CR/LF, counted apart), which aiohttp's parser
# refuses in a header.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_EMPTY_BODY_STATUSES = frozenset({204, 304})


def parse_head(head: bytes) -> tuple[str, str, dict[str, str]] | None:
    """(method, target, lower-cased headers) of a plain HTTP/1.1 request head, else None.

    None for anything aiohttp might parse differently or refuse: non-ASCII, a bare CR or LF,
    a control character, a request line that is not `METHOD target HTTP/1.1`, a header name
    that is no token, a folded or repeated header.
    """
    try:
        text = head.decode("ascii")
    except UnicodeDecodeError:
        return None
    lines = text.split("\r\n")
    breaks = len(lines) - 1
    if text.count("\r") != breaks or text.count("\n") != breaks or _CONTROL.search(text):
        return None
    parts = lines[0].split(" ")
    if len(parts) != 3 or parts[2] != "HTTP/1.1" or not _TOKEN.fullmatch(parts[0]):
        return None
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        key = name.lower()
        if not sep or key in headers or not _TOKEN.fullmatch(name):
            return None
        headers[key] = value.strip(" \t")
    return parts[0], parts[1], headers


def wire_answer(response: web.Response) -> list[bytes]:
    """`response` as aiohttp sends it to an HTTP/1.1 keep-alive POST: its headers in order,
    then Content-Length, a default Content-Type, Date and Server."""
    status = response.status
    raw = response.body or b""
    if not isinstance(raw, (bytes, bytearray)):
        raise TypeError("the fast path answers with bytes bodies only")
    headers = response.headers
    empty = status in _EMPTY_BODY_STATUSES or status < 200
    lines = [f"HTTP/1.1 {status} {response.reason}"]
    lines.extend(
        f"{name}: {value}"
        for name, value in headers.items()
        if not (empty and name.lower() == "content-length")
    )
    body = b"" if empty else bytes(raw)
    if not empty:
        if "Content-Length" not in headers:
            lines.append(f"Content-Length: {len(body)}")
        if body and "Content-Type" not in headers:
            lines.append("Content-Type: application/octet-stream")
    if "Date" not in headers:
        lines.append(f"Date: {rfc822_formatted_time()}")
    if "Server" not in headers:
        lines.append(f"Server: {SERVER_SOFTWARE}")
    text = "\r\n".join(lines)
    breaks = len(lines) - 1
    if text.count("\r") != breaks or text.count("\n") != breaks or "\x00" in text:
        # aiohttp refuses the same (header injection); the connection is closed.
        raise ValueError("control character in an answer header")
    return [(text + "\r\n\r\n").encode(), body]


class FastConnections:
    """A listener's connections still served by the fast path, and how many requests it took."""

    def __init__(self) -> None:
        self.live: set[HandOffProtocol] = set()
        self.requests = 0
        # Set by `shutdown`: no new request is taken, a connection closes once it is idle.
        self.stopping = False

    def close(self) -> None:
        """Close every connection the fast path still serves (aiohttp closes its own)."""
        for connection in list(self.live):
            connection.close()

    async def shutdown(self, timeout: float) -> None:
        """Stop as aiohttp's server does: idle connections close now, answers being made get
        up to `timeout` seconds to go out, then whatever is left is closed."""
        self.stopping = True
        answering = []
        for connection in list(self.live):
            if connection.answering is None:
                connection.close()
            else:
                answering.append(connection.answering)
        if answering:
            await asyncio.wait(answering, timeout=timeout)
        self.close()


class HandOffProtocol(asyncio.Protocol):
    """One connection: requests go to `fast` until it refuses one, then to aiohttp's `inner`.

    Answers go out in request order: while one is being answered, later (pipelined) requests
    wait in the buffer. Writing pauses the fast path too (a client that does not read gets no
    more answers queued). `connections` counts the requests taken and holds the live fast
    connections, so the server can close them when it stops.
    """

    def __init__(
        self,
        inner: asyncio.Protocol,
        fast: FastRequests,
        connections: FastConnections,
    ) -> None:
        self._inner = inner
        self._fast = fast
        self._connections = connections
        self._transport: asyncio.Transport | None = None
        self._inner_connected = False
        self._buffer = b""
        self._answering: asyncio.Task[None] | None = None
        self._paused = False
        self._idle: asyncio.TimerHandle | None = None
        self._eof = False

    @property
    def answering(self) -> asyncio.Task[None] | None:
        """The answer being made, if any."""
        return self._answering

    @property
    def served_by_inner(self) -> bool:
        """True once aiohttp's protocol has the connection."""
        return self._inner_connected

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)
        self._connections.live.add(self)
        self._arm_idle()

    def data_received(self, data: bytes) -> None:
        if self._inner_connected:
            self._inner.data_received(data)
            return
        self._buffer += data
        self._offer()

    def _offer(self) -> None:
        if self._connections.stopping and not self._inner_connected:
            if self._answering is None:
                self.close()
            return
        while (
            self._buffer
            and self._answering is None
            and not self._paused
            and not self._inner_connected
        ):
            taken = self._fast(self, self._buffer)
            if taken == 0:
                return
            if taken < 0:
                self._hand_off()
                return
            self._connections.requests += 1
            self._buffer = self._buffer[taken:]
        if not self._buffer and self._answering is None and not self._inner_connected:
            self._arm_idle()

    def _hand_off(self) -> None:
        assert self._transport is not None
        self._disarm_idle()
        self._connections.live.discard(self)
        data, self._buffer = self._buffer, b""
        self._inner_connected = True
        self._inner.connection_made(self._transport)
        if self._paused:
            self._inner.pause_writing()
        self._inner.data_received(data)

    def _arm_idle(self) -> None:
        self._disarm_idle()
        self._idle = asyncio.get_running_loop().call_later(_KEEPALIVE_S, self.close)

    def _disarm_idle(self) -> None:
        if self._idle is not None:
            self._idle.cancel()
            self._idle = None

    def write(self, data: list[bytes]) -> None:
        """Send a fast-path answer (dropped if the client has gone)."""
        transport = self._transport
        if transport is not None and not transport.is_closing():
            transport.writelines(data)

    def answer_later(self, answer: Coroutine[Any, Any, None]) -> None:
        """Run `answer` (which writes the response); requests after it wait until it has."""
        self._disarm_idle()
        task = asyncio.ensure_future(answer)
        self._answering = task
        task.add_done_callback(self._answered)

    def _answered(self, task: asyncio.Task[None]) -> None:
        if self._answering is task:
            self._answering = None
        if not task.cancelled() and (error := task.exception()) is not None:
            log.error("fast invoke answer failed", exc_info=error)
            self.close()  # the client must not wait for an answer that will not come
            return
        self._offer()
        if self._eof and self._answering is None and not self._inner_connected:
            self.close()

    def close(self) -> None:
        """Close the connection."""
        if self._transport is not None:
            self._transport.close()

    def eof_received(self) -> bool | None:
        if self._inner_connected:
            return self._inner.eof_received()
        # Half-closed with an answer still to send: keep the transport open for it.
        self._eof = True
        return self._answering is not None

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_idle()
        self._connections.live.discard(self)
        if self._answering is not None:
            self._answering.cancel()
        if self._inner_connected:
            self._inner.connection_lost(exc)

    def pause_writing(self) -> None:
        self._paused = True
        if self._inner_connected:
            self._inner.pause_writing()

    def resume_writing(self) -> None:
        self._paused = False
        if self._inner_connected:
            self._inner.resume_writing()
        else:
            self._offer()
