"""Function log events: the SQLite store (durable, bounded) and CloudWatch Logs' paging rules."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from lambdad.daemon.errors import LambdaError, Reason
from lambdad.daemon.runtime.logs import FunctionLogs, LogLine
from lambdad.daemon.services.logs import FunctionLogEvents
from lambdad.daemon.store.log_events import (
    LogEventStore,
    LogGroupRow,
    LogStreamRow,
    NewLogEvent,
)

GROUP = "/aws/lambda/fn"
STREAM_A = "2026/01/02/[$LATEST]" + "a" * 32
STREAM_B = "2026/01/02/[$LATEST]" + "b" * 32


def _line(text: str, at_ms: int, stream: str = STREAM_A, group: str = GROUP) -> LogLine:
    return LogLine("fn", "$LATEST", "req", text, at_ms, group, stream)


async def _service(path: Path, **bounds: int) -> tuple[LogEventStore, FunctionLogEvents]:
    store = LogEventStore(
        path,
        retention_days=bounds.get("retention_days", 7),
        max_events=bounds.get("max_events", 1000),
    )
    await store.open()
    service = FunctionLogEvents(store, region="us-east-1", account_id="1" * 12, retention_days=7)
    return store, service


def test_lines_survive_a_reopen_and_page_both_ways(tmp_path: Path) -> None:
    async def scenario() -> None:
        store, service = await _service(tmp_path / "logs.db")
        logs = FunctionLogs(sink=service.ingest)
        now = int(time.time() * 1000)
        logs.append(_line(f"line {i}", now + i) for i in range(5))
        logs.append([_line("other stream", now + 2, STREAM_B)])
        await store.close()

        store, service = await _service(tmp_path / "logs.db")
        groups = await service.describe_groups(
            prefix="/aws/lambda/", pattern="", identifiers=[], log_group_class="",
            next_token="", limit=None,
        )  # fmt: skip
        assert [g.name for g in groups.groups] == [GROUP]
        _, streams = await service.describe_streams(
            group_name=GROUP, group_identifier="", prefix="", order_by="LastEventTime",
            descending=True, next_token="", limit=None,
        )  # fmt: skip
        assert [s.name for s in streams.streams] == [STREAM_A, STREAM_B]

        def get(token: str = "", head: bool = False, limit: int = 2) -> object:
            return service.get_events(
                group_name="", group_identifier=f"arn:aws:logs:us-east-1:1:log-group:{GROUP}:*",
                stream=STREAM_A, start_ms=None, end_ms=None, next_token=token, limit=limit,
                start_from_head=head,
            )  # fmt: skip

        newest = await get()  # type: ignore[misc]
        assert [e.message for e in newest.events] == ["line 3", "line 4"]
        older = await get(newest.backward_token)  # type: ignore[misc]
        assert [e.message for e in older.events] == ["line 1", "line 2"]
        at_end = await get(newest.forward_token)  # type: ignore[misc]
        assert at_end.events == [] and at_end.forward_token == newest.forward_token
        head = await get(head=True, limit=10)  # type: ignore[misc]
        assert [e.message for e in head.events] == [f"line {i}" for i in range(5)]

        page = await service.filter_events(
            group_name=GROUP, group_identifier="", streams=[], stream_prefix="", start_ms=now + 1,
            end_ms=None, pattern="?other ?3", next_token="", limit=1,
        )  # fmt: skip
        assert [e.message for e in page.events] == ["other stream"] and page.next_token
        rest = await service.filter_events(
            group_name=GROUP, group_identifier="", streams=[], stream_prefix="", start_ms=now + 1,
            end_ms=None, pattern="?other ?3", next_token=page.next_token, limit=1,
        )  # fmt: skip
        assert [e.message for e in rest.events] == ["line 3"]
        await store.close()

    asyncio.run(scenario())


def test_retention_drops_old_events_and_the_cap_the_oldest(tmp_path: Path) -> None:
    async def scenario() -> None:
        store, service = await _service(tmp_path / "logs.db", retention_days=1, max_events=3)
        now = int(time.time() * 1000)
        service.ingest([_line(f"n{i}", now + i) for i in range(5)])
        await store.flush()
        assert await store.prune() == 2
        assert await store.event_count() == 3
        # A day later, everything is past its retention.
        assert await store.prune(now + 2 * 86_400_000) == 3
        _, streams = await service.describe_streams(
            group_name=GROUP, group_identifier="", prefix="", order_by="", descending=False,
            next_token="", limit=None,
        )  # fmt: skip
        assert streams.streams == []
        await store.close()

    asyncio.run(scenario())


def test_unknown_group_and_stream_and_bad_input(tmp_path: Path) -> None:
    async def scenario() -> None:
        store, service = await _service(tmp_path / "logs.db")
        with pytest.raises(LambdaError) as caught:
            await service.filter_events(
                group_name="/aws/lambda/none", group_identifier="", streams=[], stream_prefix="",
                start_ms=None, end_ms=None, pattern="", next_token="", limit=None,
            )  # fmt: skip
        assert caught.value.reason is Reason.LOG_RESOURCE_NOT_FOUND
        assert caught.value.message == "The specified log group does not exist."
        service.ingest([_line("x", 1)])
        with pytest.raises(LambdaError) as caught:
            await service.get_events(
                group_name=GROUP, group_identifier="", stream="nope", start_ms=None, end_ms=None,
                next_token="", limit=None, start_from_head=False,
            )  # fmt: skip
        assert caught.value.message == "The specified log stream does not exist."
        with pytest.raises(LambdaError) as caught:
            await service.filter_events(
                group_name=GROUP, group_identifier="", streams=[], stream_prefix="",
                start_ms=None, end_ms=None, pattern="{ $.x = ", next_token="", limit=None,
            )  # fmt: skip
        assert caught.value.reason is Reason.LOG_INVALID_PARAMETER
        await store.close()

    asyncio.run(scenario())


def test_live_tail_gets_matching_new_events(tmp_path: Path) -> None:
    async def scenario() -> None:
        store, service = await _service(tmp_path / "logs.db")
        service.ingest([_line("before", 1)])
        batches = await service.live_tail(
            identifiers=[GROUP], streams=[], prefixes=[STREAM_A[:10]], pattern="ERROR"
        )
        service.ingest([_line("ERROR one", 2), _line("fine", 3), _line("ERROR b", 4, STREAM_B)])
        got = await anext(batches)  # type: ignore[arg-type]
        assert [(e.message, e.group_identifier) for e in got] == [
            ("ERROR one", GROUP),
            ("ERROR b", GROUP),
        ]
        await batches.aclose()  # type: ignore[attr-defined]
        await store.close()

    asyncio.run(scenario())


def test_stream_and_group_figures_over_batches(tmp_path: Path) -> None:
    """A stream's first/last event and last ingestion times and a group's stored bytes are
    the same whether its events arrive in one batch (out of order, two streams, two groups)
    or spread over several."""

    def event(group: str, stream: str, ts: int, ingestion: int, message: str) -> NewLogEvent:
        return NewLogEvent(group, stream, ts, ingestion, message)

    events = [
        event(GROUP, STREAM_A, 500, 1000, "b\u00e9"),
        event(GROUP, STREAM_A, 300, 1002, "a"),
        event(GROUP, STREAM_B, 700, 1001, "ccc"),
        event("/aws/lambda/other", STREAM_A, 100, 999, "dddd"),
        event(GROUP, STREAM_A, 900, 1001, "eeeee"),
    ]

    async def figures(
        batches: list[list[NewLogEvent]], path: Path
    ) -> tuple[list[LogGroupRow], list[LogStreamRow], list[LogStreamRow]]:
        store = LogEventStore(path, retention_days=7, max_events=1000)
        await store.open()
        for batch in batches:
            store.add(batch)
            await store.flush()
        result = (
            await store.groups(),
            await store.streams(GROUP),
            await store.streams("/aws/lambda/other"),
        )
        await store.close()
        return result

    async def scenario() -> None:
        whole = await figures([events], tmp_path / "one.db")
        apart = await figures([[e] for e in events], tmp_path / "many.db")
        assert whole == apart
        groups, streams, _ = whole
        assert {g.name: g.stored_bytes for g in groups} == {GROUP: 12, "/aws/lambda/other": 4}
        by_name = {s.name: (s.first_ms, s.last_ms, s.last_ingestion_ms) for s in streams}
        assert by_name == {STREAM_A: (300, 900, 1002), STREAM_B: (700, 700, 1001)}

    asyncio.run(scenario())
