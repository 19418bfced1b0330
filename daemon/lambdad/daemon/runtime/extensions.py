"""External extensions: executables in `/opt/extensions/` beside the runtime.

The executor starts each executable file of `<opt>/extensions/` (in name order) before the
runtime, through `launcher_command`. They use the Extensions API (`/2020-01-01/extension`),
served by `ExtensionsApi` on the environment's Runtime API port: register, then long-poll
`event/next` for INVOKE and SHUTDOWN events. As on AWS, the runtime gets its first event
only after every extension has registered and asked for its first event (or the init
limit passed), and SHUTDOWN gives extensions up to 2 s before the environment is killed.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import structlog
from aiohttp import web

log = structlog.get_logger(__name__)

EXTENSION_API = "/2020-01-01/extension"
MAX_EXTENSIONS = 10
INIT_LIMIT_S = 10.0
SHUTDOWN_BUDGET_S = 2.0
EVENT_TYPES = ("INVOKE", "SHUTDOWN")
NAME_HEADER = "Lambda-Extension-Name"
IDENTIFIER_HEADER = "Lambda-Extension-Identifier"
EVENT_IDENTIFIER_HEADER = "Lambda-Extension-Event-Identifier"
ERROR_TYPE_HEADER = "Lambda-Extension-Function-Error-Type"

# Started with `sh -c LAUNCHER sh <extensions dir> <runtime command...>`: every executable
# file of the directory in the background, then the runtime in the foreground (same process
# group / container, so killing the environment kills the extensions too).
LAUNCHER = (
    'dir="$1"; shift; '
    'for ext in "$dir"/*; do if [ -f "$ext" ] && [ -x "$ext" ]; then "$ext" & fi; done; '
    'exec "$@"'
)


def extension_files(opt_dir: Path | None) -> list[Path]:
    """The executables of `<opt>/extensions`, in the order they are started."""
    if opt_dir is None:
        return []
    directory = opt_dir / "extensions"
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir() if p.is_file() and os.access(p, os.X_OK))


def launcher_command(extensions_dir: str, command: Sequence[str]) -> list[str]:
    """`command` preceded by starting the extensions of `extensions_dir`."""
    return ["/bin/sh", "-c", LAUNCHER, "sh", extensions_dir, *command]


@dataclass
class _Extension:
    name: str
    identifier: str
    events: tuple[str, ...]
    queue: asyncio.Queue[dict[str, object]] = field(default_factory=asyncio.Queue)
    polls: int = 0
    # SHUTDOWN was handed out in an event/next answer ...
    shutdown_delivered: bool = False
    # ... and the extension polled again after it: it is done.
    finished: asyncio.Event = field(default_factory=asyncio.Event)


def _error(status: int, error_type: str, message: str) -> web.Response:
    return web.json_response({"errorMessage": message, "errorType": error_type}, status=status)


class ExtensionsApi:
    """The Extensions API of one environment, expecting `expected` external extensions."""

    def __init__(self, expected: int, function_info: Mapping[str, str]) -> None:
        self.expected = min(expected, MAX_EXTENSIONS)
        self._function_info = dict(function_info)
        self._extensions: dict[str, _Extension] = {}
        self._all_polled = asyncio.Event()
        self._init_deadline = time.monotonic() + INIT_LIMIT_S
        self._registration_closed = False
        self.errors: list[tuple[str, str, str]] = []  # (extension, phase, error type)
        if self.expected == 0:
            self._all_polled.set()

    def routes(self, app: web.Application) -> None:
        """Add the Extensions API routes to the Runtime API application."""
        app.router.add_post(f"{EXTENSION_API}/register", self._register)
        app.router.add_get(f"{EXTENSION_API}/event/next", self._next)
        app.router.add_post(f"{EXTENSION_API}/init/error", self._init_error)
        app.router.add_post(f"{EXTENSION_API}/exit/error", self._exit_error)

    async def wait_ready(self) -> None:
        """Until every expected extension polls for its first event, or the init limit."""
        if self._all_polled.is_set():
            return
        remaining = self._init_deadline - time.monotonic()
        try:
            await asyncio.wait_for(self._all_polled.wait(), max(remaining, 0))
        except TimeoutError:
            log.warning(
                "extensions did not all register in time",
                expected=self.expected,
                registered=len(self._extensions),
            )
        self._registration_closed = True

    def invoke(self, request_id: str, deadline_ms: int, function_arn: str, trace_id: str) -> None:
        """Send INVOKE to the extensions subscribed to it."""
        event: dict[str, object] = {
            "eventType": "INVOKE",
            "deadlineMs": deadline_ms,
            "requestId": request_id,
            "invokedFunctionArn": function_arn,
            "tracing": {"type": "X-Amzn-Trace-Id", "value": trace_id},
        }
        for extension in self._extensions.values():
            if "INVOKE" in extension.events:
                extension.queue.put_nowait(event)

    async def shutdown(self, reason: str = "spindown") -> None:
        """Send SHUTDOWN and give subscribed extensions up to 2 s to finish (poll again)."""
        subscribed = [e for e in self._extensions.values() if "SHUTDOWN" in e.events]
        if not subscribed:
            return
        deadline_ms = int((time.time() + SHUTDOWN_BUDGET_S) * 1000)
        for extension in subscribed:
            extension.queue.put_nowait(
                {"eventType": "SHUTDOWN", "shutdownReason": reason, "deadlineMs": deadline_ms}
            )
        # Done means: polled again after SHUTDOWN was handed out. A poll that merely arrives now
        # (the one after the last INVOKE, late) is the one that receives SHUTDOWN, not the end.
        waits = [asyncio.create_task(e.finished.wait()) for e in subscribed]
        _, pending = await asyncio.wait(waits, timeout=SHUTDOWN_BUDGET_S)
        for task in pending:
            task.cancel()

    # ------------------------------------------------------------------ handlers
    async def _register(self, request: web.Request) -> web.StreamResponse:
        name = request.headers.get(NAME_HEADER, "")
        if not name:
            return _error(403, "Extension.InvalidExtensionName", "Empty extension name")
        if self._registration_closed:
            return _error(403, "Extension.RegistrationClosed", "Registration is closed")
        if len(self._extensions) >= MAX_EXTENSIONS:
            return _error(403, "Extension.TooManyExtensions", "Too many extensions")
        try:
            body = json.loads(await request.read() or b"{}")
            events = tuple(body.get("events") or ())
        except (ValueError, AttributeError):
            return _error(403, "Extension.InvalidEventType", "Invalid registration body")
        unknown = [e for e in events if e not in EVENT_TYPES]
        if unknown:
            return _error(403, "Extension.InvalidEventType", f"Unknown event type: {unknown[0]}")
        identifier = str(uuid.uuid4())
        self._extensions[identifier] = _Extension(name, identifier, events)
        log.info("extension registered", extension=name, events=list(events))
        info = {
            k: v
            for k, v in self._function_info.items()
            if k != "accountId"
            or "accountId" in request.headers.get("Lambda-Extension-Accept-Feature", "")
        }
        return web.json_response(info, headers={IDENTIFIER_HEADER: identifier})

    def _extension(self, request: web.Request) -> _Extension | web.Response:
        identifier = request.headers.get(IDENTIFIER_HEADER, "")
        if not identifier:
            return _error(
                403, "Extension.MissingExtensionIdentifier", "Missing Lambda-Extension-Identifier"
            )
        extension = self._extensions.get(identifier)
        if extension is None:
            return _error(
                403, "Extension.UnknownExtensionIdentifier", "Unknown extension identifier"
            )
        return extension

    async def _next(self, request: web.Request) -> web.StreamResponse:
        extension = self._extension(request)
        if isinstance(extension, web.Response):
            return extension
        extension.polls += 1
        if extension.shutdown_delivered:
            extension.finished.set()
        if sum(1 for e in self._extensions.values() if e.polls) >= self.expected:
            self._all_polled.set()
        event = await extension.queue.get()
        if event.get("eventType") == "SHUTDOWN":
            extension.shutdown_delivered = True
        return web.json_response(event, headers={EVENT_IDENTIFIER_HEADER: str(uuid.uuid4())})

    async def _report(self, request: web.Request, phase: str) -> web.StreamResponse:
        extension = self._extension(request)
        if isinstance(extension, web.Response):
            return extension
        error_type = request.headers.get(ERROR_TYPE_HEADER, "Extension.Unknown")
        self.errors.append((extension.name, phase, error_type))
        log.warning("extension reported an error", extension=extension.name, phase=phase)
        return web.json_response({"status": "OK"}, status=202)

    async def _init_error(self, request: web.Request) -> web.StreamResponse:
        return await self._report(request, "init")

    async def _exit_error(self, request: web.Request) -> web.StreamResponse:
        return await self._report(request, "exit")
