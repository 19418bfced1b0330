"""The X-Ray daemon's UDP protocol: what the X-Ray SDKs inside functions send segments to.

Each datagram is a header line, `{"format": "json", "version": 1}`, a newline, then one
segment (or independent subsegment) document. `XRayDaemonListener` parses datagrams and
keeps their documents in the `TraceStore`; a bad datagram is logged and dropped, as the
X-Ray daemon does.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any

import structlog

from lambdad.daemon.tracing.store import SegmentError, TraceStore

log = structlog.get_logger(__name__)

HEADER = {"format": "json", "version": 1}
# The X-Ray daemon's largest datagram; the SDKs split larger traces into subsegments.
MAX_DATAGRAM_BYTES = 64 * 1024


class DatagramError(ValueError):
    """A datagram that is not `<header>\\n<document>`."""


def parse_datagram(data: bytes) -> str:
    """The segment document of one datagram; raises DatagramError."""
    head, newline, body = data.partition(b"\n")
    if not newline:
        raise DatagramError("missing the header line")
    try:
        header = json.loads(head)
    except ValueError:
        raise DatagramError("header is not JSON") from None
    if not isinstance(header, dict) or header.get("format") != "json":
        raise DatagramError('header must be {"format": "json", "version": 1}')
    if header.get("version") != 1:
        raise DatagramError(f"unsupported version {header.get('version')!r}")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise DatagramError("document is not UTF-8") from None


def datagram(document: str | dict[str, Any]) -> bytes:
    """One datagram carrying `document` (what an SDK sends)."""
    text = document if isinstance(document, str) else json.dumps(document)
    return (json.dumps(HEADER) + "\n" + text).encode()


@dataclass(frozen=True)
class DaemonAddress:
    """Where the listener is, and how environments address it."""

    bind_host: str
    port: int

    def for_environment(self, advertised_host: str) -> dict[str, str]:
        """The X-Ray variables of an environment that reaches the daemon at `advertised_host`."""
        address = f"{advertised_host}:{self.port}"
        return {
            "AWS_XRAY_DAEMON_ADDRESS": address,
            "_AWS_XRAY_DAEMON_ADDRESS": advertised_host,
            "_AWS_XRAY_DAEMON_PORT": str(self.port),
            "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
        }


class _Protocol(asyncio.DatagramProtocol):
    def __init__(self, store: TraceStore) -> None:
        self._store = store
        self.received = 0

    def datagram_received(self, data: bytes, addr: Any) -> None:
        self.received += 1
        try:
            self._store.put(parse_datagram(data))
        except (DatagramError, SegmentError) as error:
            log.warning("x-ray datagram dropped", error=str(error), sender=str(addr))


class XRayDaemonListener:
    """A UDP socket speaking the X-Ray daemon protocol, feeding a TraceStore."""

    def __init__(self, store: TraceStore, host: str, port: int = 0) -> None:
        self._store = store
        self._host = host
        self._port = port
        self._transport: asyncio.DatagramTransport | None = None
        self._protocol: _Protocol | None = None

    @property
    def received(self) -> int:
        """Datagrams received so far (kept or dropped)."""
        return self._protocol.received if self._protocol is not None else 0

    async def start(self) -> DaemonAddress:
        """Bind the socket; the address it got (port 0 picks a free one)."""
        loop = asyncio.get_running_loop()
        transport, protocol = await loop.create_datagram_endpoint(
            lambda: _Protocol(self._store), local_addr=(self._host, self._port)
        )
        self._transport = transport
        self._protocol = protocol
        port = transport.get_extra_info("sockname")[1]
        log.info("x-ray daemon listening", address=f"{self._host}:{port}")
        return DaemonAddress(self._host, int(port))

    def close(self) -> None:
        """Close the socket (idempotent)."""
        if self._transport is not None:
            self._transport.close()
            self._transport = None
