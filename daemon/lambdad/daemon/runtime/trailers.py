"""HTTP trailers of the Runtime API's streamed responses, which aiohttp parses and drops.

A runtime that fails in the middle of a streamed response (`Lambda-Runtime-Function-Response-
Mode: streaming`, chunked) says so in trailers after the last chunk:
`Lambda-Runtime-Function-Error-Type` and `Lambda-Runtime-Function-Error-Body` (base64 JSON).
aiohttp has no API for trailers, so `RawTailProtocol` sits between the transport and aiohttp's
protocol, passing every byte through and keeping the last few kilobytes of each connection;
once a chunked body has ended, `trailers()` reads the trailer section back from them.

The same wrapper carries the Runtime API's fast path (see runtime_api.py): given a `fast`
callback, a connection's requests are offered to it first, and aiohttp's protocol is connected
only when a request comes that the callback does not take; from then on aiohttp serves the
connection alone. A runtime's `invocation/next` and buffered `response` exchanges thus skip
aiohttp's request, response and routing objects, two of the three HTTP exchanges per invoke.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Coroutine, Mapping
from typing import Any, cast

import structlog

__all__ = ["FastRequests", "RawTailProtocol", "parse_trailers"]

# What a fast path says of the bytes buffered on a connection: how many it took (a whole
# request, answered or being answered), 0 for "not complete yet", -1 for "not mine".
FastRequests = Callable[["RawTailProtocol", bytes], int]

log = structlog.get_logger(__name__)

# Trailers are a few short lines; what precedes them in the tail is body bytes.
_TAIL_BYTES = 16 * 1024
# The last chunk's size line: `0`, maybe with chunk extensions.
_LAST_CHUNK = re.compile(rb"0+(?:;.*)?")


def parse_trailers(tail: bytes) -> dict[str, str]:
    """Trailer fields (lower-cased names) ending a chunked body whose last bytes are `tail`.

    Read backwards from the end (`last-chunk trailer-lines CRLF`), so body bytes that look
    like a last chunk cannot be mistaken for one.
    """
    lines = tail.split(b"\r\n")
    if len(lines) < 3 or lines[-1] or lines[-2]:
        return {}
    fields: dict[str, str] = {}
    for line in reversed(lines[:-2]):
        name, sep, value = line.partition(b":")
        if not sep:
            return fields if _LAST_CHUNK.fullmatch(line) else {}
        fields.setdefault(name.strip().decode("latin-1").lower(), value.strip().decode("latin-1"))
    return {}


class RawTailProtocol(asyncio.Protocol):
    """aiohttp's protocol for one connection, with the connection's last bytes kept aside.

    With `fast`, requests are offered to it until one is refused; see the module docstring.
    """

    def __init__(
        self,
        inner: asyncio.Protocol,
        tails: dict[asyncio.BaseTransport, RawTailProtocol],
        fast: FastRequests | None = None,
    ) -> None:
        self._inner = inner
        self._tails = tails
        self._transport: asyncio.BaseTransport | None = None
        self.tail = b""
        # The Runtime API's verdict on who is calling (None: not checked yet), kept for the
        # connection's life so a keep-alive client is checked once.
        self.peer_allowed: bool | None = None
        self._fast = fast
        self._inner_connected = False
        # Bytes of a request the fast path waits to see whole (or that arrived while it was
        # still answering the previous one: answers go out in order).
        self._buffer = b""
        self._answering: asyncio.Task[None] | None = None

    @classmethod
    def factory(
        cls, inner: Callable[[], asyncio.Protocol], fast: FastRequests | None = None
    ) -> tuple[Callable[[], RawTailProtocol], Mapping[asyncio.BaseTransport, RawTailProtocol]]:
        """A protocol factory for `loop.create_server`, and its live connections by transport."""
        tails: dict[asyncio.BaseTransport, RawTailProtocol] = {}
        return (lambda: cls(inner(), tails, fast)), tails

    @property
    def transport(self) -> asyncio.BaseTransport | None:
        """The connection's transport (None before it is made)."""
        return self._transport

    @property
    def served_by_inner(self) -> bool:
        """True once aiohttp's protocol has the connection."""
        return self._inner_connected

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport
        self._tails[transport] = self
        if self._fast is None:
            self._connect_inner()

    def _connect_inner(self) -> None:
        assert self._transport is not None
        self._inner_connected = True
        self._inner.connection_made(self._transport)

    def data_received(self, data: bytes) -> None:
        tail = self.tail + data
        self.tail = tail[-_TAIL_BYTES:] if len(tail) > _TAIL_BYTES else tail
        if self._inner_connected:
            self._inner.data_received(data)
            return
        self._buffer += data
        self._offer()

    def _offer(self) -> None:
        """Hand the buffered requests to the fast path, or everything to aiohttp."""
        assert self._fast is not None
        while self._buffer and self._answering is None and not self._inner_connected:
            taken = self._fast(self, self._buffer)
            if taken == 0:
                return
            if taken < 0:
                data, self._buffer = self._buffer, b""
                self._connect_inner()
                self._inner.data_received(data)
                return
            self._buffer = self._buffer[taken:]

    def write(self, data: list[bytes]) -> None:
        """Send a fast-path answer (dropped if the client has gone)."""
        transport = self._transport
        # A stream server's transport writes (uvloop's is no asyncio.WriteTransport subclass).
        if transport is not None and not transport.is_closing():
            cast(asyncio.Transport, transport).writelines(data)

    def answer_later(self, answer: Coroutine[Any, Any, None]) -> None:
        """Run `answer` (which writes the response); requests after it wait until it has."""
        task = asyncio.ensure_future(answer)
        self._answering = task
        task.add_done_callback(self._answered)

    def _answered(self, task: asyncio.Task[None]) -> None:
        if self._answering is task:
            self._answering = None
        if not task.cancelled() and (error := task.exception()) is not None:
            log.error("runtime api answer failed", exc_info=error)
            self.close()  # the client must not wait for an answer that will not come
            return
        if self._buffer:
            self._offer()

    def close(self) -> None:
        """Close the connection."""
        if self._transport is not None:
            self._transport.close()

    def eof_received(self) -> bool | None:
        if self._inner_connected:
            return self._inner.eof_received()
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        if self._transport is not None:
            self._tails.pop(self._transport, None)
        if self._answering is not None:
            self._answering.cancel()
        if self._inner_connected:
            self._inner.connection_lost(exc)

    def pause_writing(self) -> None:
        if self._inner_connected:
            self._inner.pause_writing()

    def resume_writing(self) -> None:
        if self._inner_connected:
            self._inner.resume_writing()

    def trailers(self) -> dict[str, str]:
        """The trailers of the chunked body that has just ended on this connection."""
        return parse_trailers(self.tail)
