"""CloudWatch Logs' rules over the kept function log events.

`FunctionLogEvents` takes the framed lines of every invocation (`ingest`, the sink of the
runtime's FunctionLogs), keeps them in the `LogEventStore` and hands them to live tail
sessions; it answers DescribeLogGroups, DescribeLogStreams, GetLogEvents, FilterLogEvents and
StartLiveTail with CloudWatch Logs' limits, orders, page tokens and messages. The servicer in
``api/logs.py`` only converts to and from proto messages.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field

from lambdad.daemon.domain import log_filters
from lambdad.daemon.errors import LambdaError, Reason
from lambdad.daemon.runtime.logs import LogLine
from lambdad.daemon.store.log_events import (
    EventQuery,
    LogEventStore,
    LogGroupRow,
    LogStreamRow,
    NewLogEvent,
    StoredLogEvent,
)

# CloudWatch Logs' page sizes: default and largest.
DESCRIBE_LIMIT = 50
EVENTS_LIMIT = 10_000
# Events FilterLogEvents reads from the store per round while a filter discards some.
_SCAN_BATCH = 2_000
# How often a live tail session sends an update (AWS: about every second).
LIVE_TAIL_UPDATE_S = 1.0
# Events one live tail update carries at most (AWS: 500); the rest wait for the next.
LIVE_TAIL_MAX_EVENTS = 500
# Log groups one live tail session may follow.
LIVE_TAIL_MAX_GROUPS = 10


def invalid_parameter(message: str) -> LambdaError:
    """CloudWatch Logs' InvalidParameterException."""
    return LambdaError(Reason.LOG_INVALID_PARAMETER, message)


def group_not_found() -> LambdaError:
    return LambdaError(Reason.LOG_RESOURCE_NOT_FOUND, "The specified log group does not exist.")


def stream_not_found() -> LambdaError:
    return LambdaError(Reason.LOG_RESOURCE_NOT_FOUND, "The specified log stream does not exist.")


@dataclass(frozen=True)
class GroupsPage:
    """A DescribeLogGroups answer."""

    groups: list[LogGroupRow]
    next_token: str


@dataclass(frozen=True)
class StreamsPage:
    """A DescribeLogStreams answer."""

    streams: list[LogStreamRow]
    next_token: str


@dataclass(frozen=True)
class EventsPage:
    """A GetLogEvents answer."""

    events: list[StoredLogEvent]
    forward_token: str
    backward_token: str


@dataclass(frozen=True)
class FilteredPage:
    """A FilterLogEvents answer."""

    events: list[StoredLogEvent]
    next_token: str


@dataclass(frozen=True)
class TailedEvent:
    """An event of a live tail update, with the group as the request named it."""

    group_identifier: str
    stream: str
    timestamp_ms: int
    ingestion_ms: int
    message: str


@dataclass(eq=False)
class _TailSession:
    groups: dict[str, str]  # group name -> identifier as given
    streams: frozenset[str]
    prefixes: tuple[str, ...]
    matcher: log_filters.Matcher
    queue: asyncio.Queue[TailedEvent] = field(default_factory=asyncio.Queue)

    def offer(self, event: NewLogEvent) -> None:
        identifier = self.groups.get(event.group)
        if identifier is None:
            return
        if self.streams and event.stream not in self.streams:
            return
        if self.prefixes and not event.stream.startswith(self.prefixes):
            return
        if not self.matcher(event.message):
            return
        self.queue.put_nowait(
            TailedEvent(
                identifier, event.stream, event.timestamp_ms, event.ingestion_ms, event.message
            )
        )


def event_id(event: StoredLogEvent) -> str:
    """A stable id, unique among kept events: AWS's ids are 56 digits; so are these."""
    return f"{event.timestamp_ms:024d}{event.event_id:032d}"


class FunctionLogEvents:
    """Function log events: kept, queried and tailed as CloudWatch Logs does."""

    def __init__(
        self, store: LogEventStore, *, region: str, account_id: str, retention_days: int
    ) -> None:
        self._store = store
        self._region = region
        self._account_id = account_id
        self.retention_days = retention_days
        self._sessions: set[_TailSession] = set()

    # ---------------------------------------------------------------------- ingest
    def ingest(self, lines: Sequence[LogLine]) -> None:
        """Keep an invocation's framed lines (called on the event loop)."""
        now = int(time.time() * 1000)
        events = [
            NewLogEvent(line.log_group, line.log_stream, line.timestamp_ms, now, line.text)
            for line in lines
            if line.log_group and line.log_stream
        ]
        self._store.add(events)
        for session in list(self._sessions):
            for event in events:
                session.offer(event)

    # ----------------------------------------------------------------------- names
    def group_arn(self, name: str) -> str:
        """`arn:aws:logs:<region>:<account>:log-group:<name>` (AWS adds `:*` for `arn`)."""
        return f"arn:aws:logs:{self._region}:{self._account_id}:log-group:{name}"

    def stream_arn(self, group: str, stream: str) -> str:
        """The stream's ARN."""
        return f"{self.group_arn(group)}:log-stream:{stream}"

    def _group_name(self, name: str, identifier: str) -> str:
        """The group a request names, by logGroupName or logGroupIdentifier (name or ARN)."""
        if name and identifier:
            raise invalid_parameter(
                "LogGroup name and LogGroup ARN are mutually exclusive parameters."
            )
        given = name or identifier
        if not given:
            raise invalid_parameter("Either LogGroupName or LogGroupIdentifier must be provided.")
        return _name_of_identifier(given)

    async def _existing_group(self, name: str) -> LogGroupRow:
        group = await self._store.group(name)
        if group is None:
            raise group_not_found()
        return group

    # ------------------------------------------------------------------- describes
    async def describe_groups(
        self,
        *,
        prefix: str,
        pattern: str,
        identifiers: Sequence[str],
        log_group_class: str,
        next_token: str,
        limit: int | None,
    ) -> GroupsPage:
        """DescribeLogGroups."""
        size = _page_size(limit, DESCRIBE_LIMIT)
        if prefix and pattern:
            raise invalid_parameter(
                "LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters."
            )
        if identifiers and (prefix or pattern):
            raise invalid_parameter(
                "logGroupIdentifiers cannot be combined with logGroupNamePrefix or "
                "logGroupNamePattern."
            )
        groups = await self._store.groups()
        if log_group_class and log_group_class != "STANDARD":
            groups = []
        if prefix:
            groups = [g for g in groups if g.name.startswith(prefix)]
        if pattern:
            groups = [g for g in groups if pattern.lower() in g.name.lower()]
        if identifiers:
            wanted = {_name_of_identifier(i) for i in identifiers}
            groups = [g for g in groups if g.name in wanted]
        after = _decode_token(next_token, "g")
        if after is not None:
            groups = [g for g in groups if g.name > after]
        page = groups[:size]
        more = len(groups) > size
        return GroupsPage(page, _encode_token("g", page[-1].name) if more else "")

    async def describe_streams(
        self,
        *,
        group_name: str,
        group_identifier: str,
        prefix: str,
        order_by: str,
        descending: bool,
        next_token: str,
        limit: int | None,
    ) -> tuple[str, StreamsPage]:
        """DescribeLogStreams; also the group's name, for the stream ARNs."""
        size = _page_size(limit, DESCRIBE_LIMIT)
        group = self._group_name(group_name, group_identifier)
        if order_by not in {"", "LogStreamName", "LastEventTime"}:
            raise invalid_parameter(
                f"1 validation error detected: Value '{order_by}' at 'orderBy' failed to "
                "satisfy constraint: Member must satisfy enum value set: "
                "[LogStreamName, LastEventTime]"
            )
        by_time = order_by == "LastEventTime"
        if by_time and prefix:
            raise invalid_parameter("Cannot order by LastEventTime with a logStreamNamePrefix.")
        await self._existing_group(group)
        streams = await self._store.streams(group)
        if prefix:
            streams = [s for s in streams if s.name.startswith(prefix)]
        if by_time:
            streams.sort(key=lambda s: (s.last_ms, s.name))
        if descending:
            streams.reverse()
        offset_text = _decode_token(next_token, "s")
        offset = int(offset_text) if offset_text and offset_text.isdigit() else 0
        page = streams[offset : offset + size]
        more = len(streams) > offset + size
        return group, StreamsPage(page, _encode_token("s", str(offset + size)) if more else "")

    # ---------------------------------------------------------------------- events
    async def get_events(
        self,
        *,
        group_name: str,
        group_identifier: str,
        stream: str,
        start_ms: int | None,
        end_ms: int | None,
        next_token: str,
        limit: int | None,
        start_from_head: bool,
    ) -> EventsPage:
        """GetLogEvents: one stream, pageable both ways; tokens are positions in it."""
        size = _page_size(limit, EVENTS_LIMIT, maximum=EVENTS_LIMIT)
        group = self._group_name(group_name, group_identifier)
        if not stream:
            raise invalid_parameter(
                "1 validation error detected: Value null at 'logStreamName' failed to satisfy "
                "constraint: Member must not be null"
            )
        await self._existing_group(group)
        if stream not in {s.name for s in await self._store.streams(group)}:
            raise stream_not_found()
        direction, position = _position(next_token)
        descending = direction == "b" if next_token else not start_from_head
        events = await self._store.events(
            EventQuery(
                group,
                streams=(stream,),
                start_ms=start_ms,
                end_ms=end_ms,
                position=position,
                descending=descending,
                limit=size,
            )
        )
        if descending:
            events.reverse()
        if events:
            first, last = events[0], events[-1]
            forward = _position_token("f", (last.timestamp_ms, last.event_id))
            backward = _position_token("b", (first.timestamp_ms, first.event_id))
        else:
            # At either end the same token comes back, which is how callers know.
            here = position or (0, 0)
            if next_token:
                forward = backward = next_token
            else:
                forward = _position_token("f", here)
                backward = _position_token("b", here)
        return EventsPage(events, forward, backward)

    async def filter_events(
        self,
        *,
        group_name: str,
        group_identifier: str,
        streams: Sequence[str],
        stream_prefix: str,
        start_ms: int | None,
        end_ms: int | None,
        pattern: str,
        next_token: str,
        limit: int | None,
    ) -> FilteredPage:
        """FilterLogEvents: a group's events matching `pattern`, oldest first."""
        size = _page_size(limit, EVENTS_LIMIT, maximum=EVENTS_LIMIT)
        group = self._group_name(group_name, group_identifier)
        if streams and stream_prefix:
            raise invalid_parameter(
                "logStreamNames and logStreamNamePrefix are mutually exclusive parameters."
            )
        matcher = _matcher(pattern)
        await self._existing_group(group)
        _, position = _position(next_token)
        matched: list[StoredLogEvent] = []
        while len(matched) < size:
            batch = await self._store.events(
                EventQuery(
                    group,
                    streams=tuple(streams),
                    stream_prefix=stream_prefix,
                    start_ms=start_ms,
                    end_ms=end_ms,
                    position=position,
                    limit=_SCAN_BATCH,
                )
            )
            for event in batch:
                if matcher(event.message):
                    matched.append(event)
                    if len(matched) == size:
                        break
            if len(batch) < _SCAN_BATCH:
                break
            position = (batch[-1].timestamp_ms, batch[-1].event_id)
        token = ""
        if len(matched) == size:
            last = matched[-1]
            token = _position_token("f", (last.timestamp_ms, last.event_id))
        return FilteredPage(matched, token)

    # ------------------------------------------------------------------- live tail
    async def live_tail(
        self,
        *,
        identifiers: Sequence[str],
        streams: Sequence[str],
        prefixes: Sequence[str],
        pattern: str,
    ) -> AsyncIterator[list[TailedEvent]]:
        """StartLiveTail: the events ingested from now on, in batches about every second
        (an empty batch when nothing came). Raises before the first batch for bad input."""
        if not identifiers:
            raise invalid_parameter(
                "1 validation error detected: Value null at 'logGroupIdentifiers' failed to "
                "satisfy constraint: Member must not be null"
            )
        if len(identifiers) > LIVE_TAIL_MAX_GROUPS:
            raise invalid_parameter(
                f"1 validation error detected: Value '{list(identifiers)}' at "
                "'logGroupIdentifiers' failed to satisfy constraint: Member must have length "
                f"less than or equal to {LIVE_TAIL_MAX_GROUPS}"
            )
        if streams and prefixes:
            raise invalid_parameter(
                "logStreamNames and logStreamNamePrefixes are mutually exclusive parameters."
            )
        if (streams or prefixes) and len(identifiers) > 1:
            raise invalid_parameter(
                "logStreamNames and logStreamNamePrefixes can only be used with one log group."
            )
        groups = {_name_of_identifier(i): i for i in identifiers}
        for name in groups:
            await self._existing_group(name)
        session = _TailSession(groups, frozenset(streams), tuple(prefixes), _matcher(pattern))
        self._sessions.add(session)
        return self._tail(session)

    async def _tail(self, session: _TailSession) -> AsyncIterator[list[TailedEvent]]:
        try:
            while True:
                await asyncio.sleep(LIVE_TAIL_UPDATE_S)
                batch: list[TailedEvent] = []
                while not session.queue.empty() and len(batch) < LIVE_TAIL_MAX_EVENTS:
                    batch.append(session.queue.get_nowait())
                yield batch
        finally:
            self._sessions.discard(session)

    @staticmethod
    def new_session_id() -> str:
        """A live tail session's id."""
        return str(uuid.uuid4())


def _name_of_identifier(identifier: str) -> str:
    """A group's name from its name or ARN (with or without the trailing `:*`)."""
    if identifier.startswith("arn:"):
        parts = identifier.split(":", 6)
        if len(parts) < 7 or parts[5] != "log-group":
            raise invalid_parameter(f"Invalid log group ARN: {identifier}")
        name = parts[6]
        return name[:-2] if name.endswith(":*") else name
    return identifier


def _matcher(pattern: str) -> log_filters.Matcher:
    try:
        return log_filters.parse(pattern)
    except log_filters.LogPatternError:
        raise invalid_parameter("Invalid filter pattern") from None


def _page_size(limit: int | None, default: int, *, maximum: int | None = None) -> int:
    if limit is None:
        return default
    top = maximum or default
    if not 1 <= limit <= top:
        bound = f"less than or equal to {top}" if limit > top else "greater than or equal to 1"
        raise invalid_parameter(
            f"1 validation error detected: Value '{limit}' at 'limit' failed to satisfy "
            f"constraint: Member must have value {bound}"
        )
    return limit


def _encode_token(kind: str, value: str) -> str:
    raw = json.dumps([kind, value], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_token(token: str, kind: str) -> str | None:
    if not token:
        return None
    try:
        padded = token + "=" * (-len(token) % 4)
        got_kind, value = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, TypeError):
        raise invalid_parameter("The specified nextToken is invalid.") from None
    if got_kind != kind or not isinstance(value, str):
        raise invalid_parameter("The specified nextToken is invalid.")
    return value


def _position_token(direction: str, position: tuple[int, int]) -> str:
    """`f/<timestamp>/<id>` or `b/...`: CloudWatch's tokens also start with f/ and b/."""
    return f"{direction}/{position[0]:019d}/{position[1]:019d}"


def _position(token: str) -> tuple[str, tuple[int, int] | None]:
    if not token:
        return "f", None
    parts = token.split("/")
    if len(parts) != 3 or parts[0] not in {"f", "b"} or not all(p.isdigit() for p in parts[1:]):
        raise invalid_parameter("The specified nextToken is invalid.")
    return parts[0], (int(parts[1]), int(parts[2]))
