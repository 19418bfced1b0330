"""Metrics, invocation history and event source lag, without processes.

The recorder is fed what environments and InvocationService report; metrics are read back the
way Prometheus reads them: scraped over HTTP from `MetricsServer` and parsed.
"""

from __future__ import annotations

import json
import time
from typing import Any

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from lambdad.daemon.observability.history import InvocationHistory, InvocationRecord, status_of
from lambdad.daemon.observability.http import MetricsServer
from lambdad.daemon.observability.lag import oldest_record_age
from lambdad.daemon.observability.metrics import LambdadMetrics
from lambdad.daemon.observability.recorder import InvocationRecorder
from lambdad.daemon.observability.table import invocation_table
from lambdad.daemon.runtime.environment import InvocationReport
from lambdad.daemon.sources.pollers import EventSourcePollers
from lambdad.v1 import invocation_service_pb2 as ipb


def record(request_id: str, function: str = "f", qualifier: str = "$LATEST") -> InvocationRecord:
    return InvocationRecord(
        request_id=request_id,
        function_name=function,
        qualifier=qualifier,
        executed_version="1" if qualifier == "live" else qualifier,
        invocation_type="RequestResponse",
        start_time=time.time(),
        duration_ms=1.5,
        billed_duration_ms=2,
        init_duration_ms=None,
        status="Success",
        error_type=None,
        memory_size_mb=128,
        max_memory_used_mb=40,
    )


def report(request_id: str, **overrides: Any) -> InvocationReport:
    fields: dict[str, Any] = {
        "function_name": "f",
        "version": "$LATEST",
        "request_id": request_id,
        "start_time": time.time(),
        "duration_ms": 12.5,
        "billed_duration_ms": 13,
        "memory_size_mb": 128,
        "max_memory_used_mb": 42,
        "init_duration_ms": None,
        "function_error": None,
        "error_type": None,
    }
    fields.update(overrides)
    return InvocationReport(**fields)


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of an exposition, by (name, labels)."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(text: str, name: str, **labels: str) -> float:
    return samples(text).get((name, frozenset(labels.items())), 0.0)


# --- history --------------------------------------------------------------------------------


def test_history_is_newest_first_and_bounded_per_function() -> None:
    history = InvocationHistory(per_function=3)
    for i in range(5):
        history.add(record(f"r{i}"))
    history.add(record("other", function="g"))
    assert [r.request_id for r in history.list("f")] == ["r4", "r3", "r2"]
    assert [r.request_id for r in history.list("f", max_items=2)] == ["r4", "r3"]
    assert [r.request_id for r in history.list("g")] == ["other"]
    history.forget("f")
    assert history.list("f") == []


def test_history_filters_by_invoked_qualifier_or_executed_version() -> None:
    history = InvocationHistory()
    history.add(record("a", qualifier="$LATEST"))
    history.add(record("b", qualifier="live"))  # alias live -> version 1
    history.add(record("c", qualifier="1"))
    assert [r.request_id for r in history.list("f", qualifier="live")] == ["b"]
    assert [r.request_id for r in history.list("f", qualifier="1")] == ["c", "b"]
    assert [r.request_id for r in history.list("f", qualifier="$LATEST")] == ["a"]


@pytest.mark.parametrize(
    ("function_error", "error_type", "status"),
    [
        (None, None, "Success"),
        ("Unhandled", "Exception", "Unhandled"),
        ("Handled", "ValueError", "Handled"),
        ("Unhandled", "Sandbox.Timedout", "Timeout"),
        ("Unhandled", "Runtime.ExitError", "Unhandled"),
        (None, "Runtime.OutOfMemory", "Unhandled"),
    ],
)
def test_status_of(function_error: str | None, error_type: str | None, status: str) -> None:
    assert status_of(function_error, error_type) == status


# --- event source lag -----------------------------------------------------------------------


NOW = 1_700_000_100.0


@pytest.mark.parametrize(
    ("records", "age"),
    [
        # SQS: SentTimestamp in epoch milliseconds; the oldest message counts.
        (
            [
                {"attributes": {"SentTimestamp": "1700000090000"}},
                {"attributes": {"SentTimestamp": "1700000070000"}},
            ],
            30.0,
        ),
        ([{"dynamodb": {"ApproximateCreationDateTime": 1_700_000_040.0}}], 60.0),
        ([{"kinesis": {"approximateArrivalTimestamp": 1_700_000_095.5}}], 4.5),
        # A record from the future (clock skew) is not negative lag.
        ([{"kinesis": {"approximateArrivalTimestamp": NOW + 5}}], 0.0),
        ([{"body": "no timestamp"}], None),
        ([], None),
    ],
)
def test_oldest_record_age(records: list[dict[str, Any]], age: float | None) -> None:
    assert oldest_record_age(json.dumps({"Records": records}).encode(), NOW) == age


@pytest.mark.parametrize("payload", [b"not json", b"[]", b'{"Records": "x"}', b"null"])
def test_oldest_record_age_of_odd_payloads_is_unknown(payload: bytes) -> None:
    assert oldest_record_age(payload, NOW) is None


# --- recorder -> metrics and history, scraped over HTTP ---------------------------------------


@pytest.fixture
async def scraped() -> Any:
    metrics = LambdadMetrics()
    server = MetricsServer(metrics, "127.0.0.1", 0)
    port = await server.start()

    async def scrape() -> str:
        async with (
            aiohttp.ClientSession() as http,
            http.get(f"http://127.0.0.1:{port}/metrics") as response,
        ):
            assert response.status == 200
            assert response.headers["Content-Type"].startswith("text/plain; version=")
            return await response.text()

    try:
        yield metrics, scrape
    finally:
        await server.close()


async def test_reports_move_counters_and_histograms(scraped: Any) -> None:
    metrics, scrape = scraped
    recorder = InvocationRecorder(InvocationHistory(), metrics)
    before = await scrape()
    assert value(before, "lambdad_invocations_total", function="f", version="$LATEST") == 0

    recorder.began("cold", qualifier="live", invocation_type="Event")
    recorder.reported(report("cold", init_duration_ms=250.0))
    recorder.reported(report("warm-fail", function_error="Unhandled", error_type="Exception"))
    recorder.reported(
        report("late", function_error="Unhandled", error_type="Sandbox.Timedout", duration_ms=3000)
    )
    after = await scrape()
    labels = {"function": "f", "version": "$LATEST"}
    assert value(after, "lambdad_invocations_total", **labels) == 3
    assert value(after, "lambdad_cold_starts_total", **labels) == 1
    assert value(after, "lambdad_init_duration_seconds_count", **labels) == 1
    assert value(after, "lambdad_init_duration_seconds_sum", **labels) == 0.25
    assert value(after, "lambdad_invocation_duration_seconds_count", **labels) == 3
    assert value(after, "lambdad_invocation_duration_seconds_sum", **labels) == pytest.approx(3.025)
    # 12.5 ms twice in the 25 ms bucket; the 3 s timeout only from the 5 s bucket on.
    assert value(after, "lambdad_invocation_duration_seconds_bucket", **labels, le="0.025") == 2
    assert value(after, "lambdad_invocation_duration_seconds_bucket", **labels, le="5.0") == 3
    errors = {**labels, "function_error": "Unhandled"}
    assert value(after, "lambdad_errors_total", **errors, error_type="Exception") == 1
    assert value(after, "lambdad_errors_total", **errors, error_type="Sandbox.Timedout") == 1

    history = recorder.history.list("f")
    assert [r.request_id for r in history] == ["late", "warm-fail", "cold"]
    assert [r.status for r in history] == ["Timeout", "Unhandled", "Success"]
    cold = history[-1]
    # What InvocationService said when the invocation began is joined to its REPORT.
    assert (cold.qualifier, cold.invocation_type, cold.executed_version) == (
        "live",
        "Event",
        "$LATEST",
    )
    assert (cold.init_duration_ms, cold.max_memory_used_mb, cold.billed_duration_ms) == (
        250.0,
        42,
        13,
    )


async def test_throttles_are_counted_and_kept(scraped: Any) -> None:
    metrics, scrape = scraped
    recorder = InvocationRecorder(InvocationHistory(), metrics)
    recorder.began("t1", qualifier="$LATEST", invocation_type="RequestResponse")
    recorder.throttled(
        "t1",
        function_name="f",
        qualifier="$LATEST",
        invocation_type="RequestResponse",
        reason="ReservedFunctionConcurrentInvocationLimitExceeded",
        memory_size_mb=256,
    )
    text = await scrape()
    assert (
        value(
            text,
            "lambdad_throttles_total",
            function="f",
            reason="ReservedFunctionConcurrentInvocationLimitExceeded",
        )
        == 1
    )
    assert value(text, "lambdad_invocations_total", function="f", version="$LATEST") == 0
    (kept,) = recorder.history.list("f")
    assert (kept.status, kept.executed_version, kept.memory_size_mb) == ("Throttled", "", 256)


async def test_environment_gauge_is_read_at_scrape_time(scraped: Any) -> None:
    metrics, scrape = scraped
    states = {("f", "$LATEST", "idle"): 2}
    metrics.watch_environments(lambda: states)
    text = await scrape()
    assert value(text, "lambdad_environments", function="f", version="$LATEST", state="idle") == 2
    assert value(text, "lambdad_environments", function="f", version="$LATEST", state="busy") == 0
    states = {("f", "$LATEST", "busy"): 1, ("g", "3", "idle"): 1}
    metrics.watch_environments(lambda: states)  # a second source adds to the exposition
    text = await scrape()
    assert value(text, "lambdad_environments", function="g", version="3", state="idle") == 1


class _Outcome:
    result = None


class _Invocations:
    """The slice of InvocationService the pollers use."""

    def __init__(self, recorder: InvocationRecorder) -> None:
        self.recorder = recorder

    async def invoke(self, invocation: object) -> _Outcome:
        return _Outcome()


async def test_event_source_batches_set_and_clear_the_lag_gauge(scraped: Any) -> None:
    metrics, scrape = scraped
    recorder = InvocationRecorder(InvocationHistory(), metrics)
    pollers = EventSourcePollers(None, _Invocations(recorder), None)  # type: ignore[arg-type]
    pollers._functions["u-1"] = ("f", "")
    sent_ms = int((time.time() - 120) * 1000)
    batch = {"Records": [{"attributes": {"SentTimestamp": str(sent_ms)}}]}
    await pollers._invoke("u-1", json.dumps(batch).encode())
    name = "lambdad_event_source_oldest_record_age_seconds"
    age = value(await scrape(), name, uuid="u-1", function="f")
    assert 120 <= age < 3600
    await pollers._changed(None, "u-1")  # deleted
    assert (name, frozenset({("uuid", "u-1"), ("function", "f")})) not in samples(await scrape())


async def test_a_metrics_port_in_use_fails_start() -> None:
    first = MetricsServer(LambdadMetrics(), "127.0.0.1", 0)
    port = await first.start()
    try:
        with pytest.raises(OSError):
            await MetricsServer(LambdadMetrics(), "127.0.0.1", port).start()
    finally:
        await first.close()


def test_invocation_table() -> None:
    warm = ipb.InvocationSummary(
        request_id="r2",
        executed_version="$LATEST",
        invocation_type="RequestResponse",
        start_time_ms=1_700_000_000_123,
        duration_ms=1.234,
        billed_duration_ms=2,
        status="Unhandled",
        error_type="Exception",
        memory_size_mb=128,
        max_memory_used_mb=40,
    )
    cold = ipb.InvocationSummary(
        request_id="r1", status="Success", init_duration_ms=150.5, memory_size_mb=128
    )
    lines = invocation_table([warm, cold]).splitlines()
    assert lines[0].split()[:3] == ["START", "(UTC)", "REQUEST"]
    assert "2023-11-14 22:13:20.123" in lines[1]
    assert "1.23 ms" in lines[1] and "40/128 MB" in lines[1] and lines[1].endswith("Exception")
    assert "150.50 ms" in lines[2] and lines[2].endswith("-")
    assert invocation_table([]) == "no invocations kept for this function"
