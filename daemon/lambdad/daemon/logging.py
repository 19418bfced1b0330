"""The one place structlog is configured: console on a terminal, JSON otherwise.

Libraries (aiohttp, grpc, asyncio, docker, urllib3) log through the standard library; their
records are rendered by the same structlog renderer as our own lines, so in JSON mode every
line on stderr is one JSON object, tracebacks included (as an `exception` member). Both paths
write through one structlog `PrintLogger`, whose lock keeps lines from interleaving.

Library messages repeated in a flood (aiohttp logs every malformed request it refuses) are
rate-limited per logger and message template: at most `LIBRARY_LINES_PER_SECOND` a second,
then one line saying how many were suppressed.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TextIO

import structlog

LIBRARY_LINES_PER_SECOND = 20
# Keys remembered by the rate limit; the oldest idle ones are forgotten beyond this.
_MAX_TRACKED_MESSAGES = 1024
# Record attributes our own summary lines carry into the JSON object.
_SUMMARY_FIELDS = ("suppressed", "repeated_logger", "repeated_message")


@dataclass
class _Window:
    started: float
    admitted: int = 0
    suppressed: int = 0


class RepeatLimit:
    """At most `per_second` records per (logger, message template) in each one-second window.

    `admit` answers whether a record may be written; `due` hands back, once, how many were
    suppressed in each window that has ended, so a flood costs one line a second after the
    first `per_second`.
    """

    def __init__(self, per_second: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_second = per_second
        self._clock = clock
        self._windows: dict[tuple[str, str], _Window] = {}
        self._unreported: list[tuple[tuple[str, str], int]] = []

    def admit(self, key: tuple[str, str]) -> bool:
        """Count a record under `key`; False if it is over the limit (to be suppressed)."""
        now = self._clock()
        window = self._windows.get(key)
        if window is None or now - window.started >= 1.0:
            if window is not None and window.suppressed:
                self._unreported.append((key, window.suppressed))
            if window is None and len(self._windows) >= _MAX_TRACKED_MESSAGES:
                self._forget_ended(now)
            window = self._windows[key] = _Window(now)
        if window.admitted < self.per_second:
            window.admitted += 1
            return True
        window.suppressed += 1
        return False

    def due(self) -> list[tuple[tuple[str, str], int]]:
        """(key, suppressed) for each ended window that suppressed records; each once."""
        now = self._clock()
        reports, self._unreported = self._unreported, []
        for key, window in self._windows.items():
            if window.suppressed and now - window.started >= 1.0:
                reports.append((key, window.suppressed))
                window.suppressed = 0
        return reports

    def pending(self) -> list[tuple[tuple[str, str], int]]:
        """(key, suppressed) not yet reported, ended or not (for shutdown)."""
        reports, self._unreported = self._unreported, []
        for key, window in self._windows.items():
            if window.suppressed:
                reports.append((key, window.suppressed))
                window.suppressed = 0
        return reports

    def _forget_ended(self, now: float) -> None:
        for key in [k for k, w in self._windows.items() if now - w.started >= 1.0]:
            window = self._windows.pop(key)
            if window.suppressed:
                self._unreported.append((key, window.suppressed))


class StructlogHandler(logging.Handler):
    """Writes standard-library records through structlog's renderer, rate-limited."""

    def __init__(self, printer: structlog.PrintLogger, limit: RepeatLimit) -> None:
        super().__init__()
        self._printer = printer
        self._limit = limit

    def emit(self, record: logging.LogRecord) -> None:
        try:
            for key, suppressed in self._limit.due():
                self._write(_summary(key, suppressed))
            key = (record.name, str(record.msg))
            if self._limit.admit(key):
                self._write(record)
        except Exception:  # noqa: BLE001 - logging must never raise into its caller
            self.handleError(record)

    def close(self) -> None:
        """Report floods still being suppressed when logging shuts down."""
        try:
            for key, suppressed in self._limit.pending():
                self._write(_summary(key, suppressed))
        finally:
            super().close()

    def handleError(self, record: logging.LogRecord) -> None:
        """A record that cannot be formatted (a library's bad format string) still yields one
        line in the log's format, instead of logging's plain-text "--- Logging error ---"."""
        try:
            fallback = logging.makeLogRecord(
                {
                    "name": record.name,
                    "levelno": logging.ERROR,
                    "levelname": "ERROR",
                    "msg": "log record could not be formatted: msg=%r args=%r",
                    "args": (record.msg, record.args),
                }
            )
            self._write(fallback)
        except Exception:  # noqa: BLE001 - nothing is left to report it with
            pass

    def _write(self, record: logging.LogRecord) -> None:
        self._printer.msg(self.format(record))


def _summary(key: tuple[str, str], suppressed: int) -> logging.LogRecord:
    logger, message = key
    return logging.makeLogRecord(
        {
            "name": logger,
            "levelno": logging.WARNING,
            "levelname": "WARNING",
            "msg": "repeated log messages suppressed",
            "suppressed": suppressed,
            "repeated_logger": logger,
            "repeated_message": message,
        }
    )


class ClientErrorDemotion(logging.Filter):
    """aiohttp logs each request it cannot parse as an ERROR with a traceback. A malformed
    request is the client's fault (it already got a 400): keep one info line, no traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        status = getattr(error, "code", None)
        if (
            record.name.startswith("aiohttp")
            and isinstance(status, int)
            and 400 <= status < 500
            and type(error).__module__.startswith("aiohttp")
        ):
            record.levelno, record.levelname = logging.INFO, "INFO"
            # Formatted here: the client's bytes in the error text may hold `%`.
            record.msg = f"{record.getMessage()}: {type(error).__name__}: {error}"
            record.args = None
            record.exc_info = None
            record.exc_text = None
        return True


def configure_logging(
    fmt: str = "auto", level: str = "info", *, stream: TextIO | None = None
) -> None:
    """Configure structlog and route standard-library logging through the same renderer."""
    output = stream or sys.stderr
    use_json = fmt == "json" or (fmt == "auto" and not output.isatty())
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer()
        if use_json
        else structlog.dev.ConsoleRenderer(colors=output.isatty())
    )
    numeric = logging.getLevelNamesMapping().get(level.upper(), logging.INFO)
    structlog.configure(
        processors=[
            *shared,
            structlog.processors.StackInfoRenderer(),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.PrintLoggerFactory(file=output),
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[
            *shared,
            structlog.stdlib.add_logger_name,
            structlog.stdlib.ExtraAdder(allow=_SUMMARY_FIELDS),
        ],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            renderer,
        ],
    )
    handler = StructlogHandler(
        structlog.PrintLogger(file=output), RepeatLimit(LIBRARY_LINES_PER_SECOND)
    )
    handler.setFormatter(formatter)
    handler.addFilter(ClientErrorDemotion())
    root = logging.getLogger()
    for old in root.handlers[:]:
        root.removeHandler(old)
        old.close()
    root.addHandler(handler)
    # Libraries speak up from WARNING on, however verbose our own lines are.
    root.setLevel(max(numeric, logging.WARNING))
    logging.captureWarnings(True)
