"""HTTP trailers of the Runtime API's streamed responses, which aiohttp parses and drops.

A runtime that fails in the middle of a streamed response (`Lambda-Runtime-Function-Response-
Mode: streaming`, chunked) says so in trailers after the last chunk:
`Lambda-Runtime-Function-Error-Type` and `Lambda-Runtime-Function-Error-Body` (base64 JSON).
aiohttp has no API for trailers, so `RawTailProtocol` sits between the transport and aiohttp's
protocol, passing every byte through and keeping the last few kilobytes of each connection;
once a chunked body has ended, `trailers()` reads the trailer section back from them.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Mapping

__all__ = ["RawTailProtocol", "parse_trailers"]

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
    """aiohttp's protocol for one connection, with the connection's last bytes kept aside."""

    def __init__(
        self, inner: asyncio.Protocol, tails: dict[asyncio.BaseTransport, RawTailProtocol]
    ) -> None:
        self._inner = inner
        self._tails = tails
        self._transport: asyncio.BaseTransport | None = None
        self.tail = b""
        # The Runtime API's verdict on who is calling (None: not checked yet), kept for the
        # connection's life so a keep-alive client is checked once.
        self.peer_allowed: bool | None = None

    @classmethod
    def factory(
        cls, inner: Callable[[], asyncio.Protocol]
    ) -> tuple[Callable[[], RawTailProtocol], Mapping[asyncio.BaseTransport, RawTailProtocol]]:
        """A protocol factory for `loop.create_server`, and its live connections by transport."""
        tails: dict[asyncio.BaseTransport, RawTailProtocol] = {}
        return (lambda: cls(inner(), tails)), tails

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport
        self._tails[transport] = self
        self._inner.connection_made(transport)

    def data_received(self, data: bytes) -> None:
        tail = self.tail + data
        self.tail = tail[-_TAIL_BYTES:] if len(tail) > _TAIL_BYTES else tail
        self._inner.data_received(data)

    def eof_received(self) -> bool | None:
        return self._inner.eof_received()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._transport is not None:
            self._tails.pop(self._transport, None)
        self._inner.connection_lost(exc)

    def pause_writing(self) -> None:
        self._inner.pause_writing()

    def resume_writing(self) -> None:
        self._inner.resume_writing()

    def trailers(self) -> dict[str, str]:
        """The trailers of the chunked body that has just ended on this connection."""
        return parse_trailers(self.tail)
