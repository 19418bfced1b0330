"""Logging: library (stdlib) records become JSON lines like ours, floods are cut to a rate."""

from __future__ import annotations

import io
import json
import logging
import threading
import warnings
from collections.abc import Iterator
from typing import Any

import pytest
import structlog
from aiohttp import http_exceptions

from lambdad.daemon.logging import (
    LIBRARY_LINES_PER_SECOND,
    RepeatLimit,
    StructlogHandler,
    configure_logging,
)


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """configure_logging("json") writing to a buffer; global logging restored afterwards."""
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    saved_structlog = structlog.get_config()
    stream = io.StringIO()
    configure_logging("json", "info", stream=stream)
    try:
        yield stream
    finally:
        for handler in root.handlers[:]:
            root.removeHandler(handler)
        for handler in saved_handlers:
            root.addHandler(handler)
        root.setLevel(saved_level)
        logging.captureWarnings(False)
        structlog.configure(**saved_structlog)


def _lines(stream: io.StringIO) -> list[dict[str, Any]]:
    """Every line of the log, each of which must be one JSON object."""
    text = stream.getvalue()
    assert text.endswith("\n") or not text
    return [json.loads(line) for line in text.splitlines()]


def _handler() -> StructlogHandler:
    [handler] = [h for h in logging.getLogger().handlers if isinstance(h, StructlogHandler)]
    return handler


def test_library_traceback_is_one_json_line(json_log: io.StringIO) -> None:
    try:
        raise ValueError("broken pipe dream")
    except ValueError:
        logging.getLogger("grpc._cython.cygrpc").exception("Unexpected error in %s", "poller")
    [line] = _lines(json_log)
    assert line["event"] == "Unexpected error in poller"
    assert line["logger"] == "grpc._cython.cygrpc"
    assert line["level"] == "error"
    assert line["timestamp"].endswith("Z")
    assert "Traceback (most recent call last)" in line["exception"]
    assert "ValueError: broken pipe dream" in line["exception"]


def test_library_lines_carry_the_bound_context(json_log: io.StringIO) -> None:
    with structlog.contextvars.bound_contextvars(request_id="req-7"):
        logging.getLogger("asyncio").warning("Executing %r took %.3f seconds", "task", 0.5)
    [line] = _lines(json_log)
    assert (line["request_id"], line["level"]) == ("req-7", "warning")
    assert line["event"] == "Executing 'task' took 0.500 seconds"


def test_library_info_stays_quiet_and_warnings_are_json(json_log: io.StringIO) -> None:
    logging.getLogger("urllib3.connectionpool").info("Starting new HTTP connection")
    logging.getLogger("docker.utils").debug("noise")
    warnings.warn("old API", DeprecationWarning, stacklevel=1)
    [line] = _lines(json_log)
    assert line["logger"] == "py.warnings"
    assert "old API" in line["event"]


def test_aiohttp_parse_errors_are_one_info_line_without_traceback(json_log: io.StringIO) -> None:
    try:
        raise http_exceptions.BadStatusLine("GARBAGE")
    except http_exceptions.BadStatusLine as error:
        logging.getLogger("aiohttp.server").error(
            "Error handling request from %s", "127.0.0.1", exc_info=error
        )
    [line] = _lines(json_log)
    assert line["level"] == "info"
    assert line["event"].startswith("Error handling request from 127.0.0.1: BadStatusLine: ")
    assert "exception" not in line


def test_client_bytes_with_percent_signs_stay_one_json_line(json_log: io.StringIO) -> None:
    """The error text quotes the client's bytes; a `%s` there is not a format directive."""
    try:
        raise http_exceptions.BadStatusLine("%s%d %(x)s")
    except http_exceptions.BadStatusLine as error:
        logging.getLogger("aiohttp.server").error(
            "Error handling request from %s", "127.0.0.1", exc_info=error
        )
    [line] = _lines(json_log)
    assert "%s%d %(x)s" in line["event"]
    assert line["event"].startswith("Error handling request from 127.0.0.1: BadStatusLine")


def test_unformattable_library_record_is_still_a_json_line(
    json_log: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    # pytest's own capture handler fails the test on such a record; only ours may see it.
    monkeypatch.setattr(logging.getLogger(), "handlers", [_handler()])
    logging.getLogger("somelib").error("%s and %s", "only one")
    [line] = _lines(json_log)
    assert line["level"] == "error"
    assert line["logger"] == "somelib"
    assert line["event"].startswith("log record could not be formatted: msg='%s and %s'")


def test_aiohttp_server_faults_keep_their_traceback(json_log: io.StringIO) -> None:
    try:
        raise RuntimeError("handler bug")
    except RuntimeError as error:
        logging.getLogger("aiohttp.server").error("Error handling request", exc_info=error)
    [line] = _lines(json_log)
    assert line["level"] == "error"
    assert "RuntimeError: handler bug" in line["exception"]


def test_flood_is_cut_to_the_rate_then_one_line_counts_the_rest(json_log: io.StringIO) -> None:
    flooding = logging.getLogger("aiohttp.server")
    for number in range(500):
        flooding.warning("Error handling request from %s", f"10.0.0.{number % 250}")
    logging.getLogger("grpc").warning("a different message")
    _handler().close()  # shutdown reports what is still being suppressed
    lines = _lines(json_log)
    flood = [line for line in lines if line["event"].startswith("Error handling request")]
    assert len(flood) == LIBRARY_LINES_PER_SECOND == 20
    assert [line["event"] for line in lines if line["logger"] == "grpc"] == ["a different message"]
    [summary] = [line for line in lines if line["event"] == "repeated log messages suppressed"]
    assert summary["suppressed"] == 480
    assert summary["repeated_logger"] == "aiohttp.server"
    assert summary["repeated_message"] == "Error handling request from %s"


def test_repeat_limit_reports_each_ended_window_once() -> None:
    now = [100.0]
    limit = RepeatLimit(3, clock=lambda: now[0])
    key = ("aiohttp.server", "Error handling request from %s")
    assert [limit.admit(key) for _ in range(5)] == [True, True, True, False, False]
    assert limit.due() == []  # the window is still open
    now[0] += 1.0
    assert limit.due() == [(key, 2)]
    assert limit.due() == []
    assert limit.admit(key)  # a new window
    now[0] += 1.0
    assert [limit.admit(key) for _ in range(4)] == [True, True, True, False]
    now[0] += 1.5
    assert limit.admit(key)  # the next record's window change keeps the count for `due`
    assert limit.due() == [(key, 1)]
    assert limit.pending() == []


def test_threads_writing_both_kinds_of_line_never_interleave(json_log: io.StringIO) -> None:
    ours = structlog.get_logger("lambdad.test")

    def write(number: int) -> None:
        for item in range(50):
            ours.info("ours", thread=number, item=item, padding="x" * 500)
            logging.getLogger(f"library{number}.x{item}").warning("theirs %s", "y" * 500)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    lines = _lines(json_log)
    assert len([line for line in lines if line["event"] == "ours"]) == 200
    assert len([line for line in lines if line["event"].startswith("theirs")]) == 200
