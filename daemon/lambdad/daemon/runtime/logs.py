"""Function logs: each invocation's output, framed by START/END/REPORT, kept per function."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class LogLine:
    """One line of a function's log."""

    function_name: str
    version: str
    request_id: str
    text: str
    timestamp_ms: int
    # The CloudWatch Logs group and stream of the environment that wrote the line.
    log_group: str = ""
    log_stream: str = ""


class FunctionLogs:
    """The last `max_lines` log lines of every function, and live followers.

    `sink`, when given, receives every batch of appended lines too (the durable CloudWatch
    Logs view of them); it is called on the event loop and must not block.
    """

    def __init__(
        self,
        max_lines: int = 10_000,
        sink: Callable[[Sequence[LogLine]], None] | None = None,
    ) -> None:
        self._max_lines = max_lines
        self.sink = sink
        self._lines: dict[str, deque[LogLine]] = {}
        self._followers: dict[str, set[asyncio.Queue[LogLine]]] = {}

    def append(self, lines: Iterable[LogLine]) -> None:
        """Keep `lines` and hand them to followers of their function."""
        batch = list(lines)
        for line in batch:
            kept = self._lines.setdefault(line.function_name, deque(maxlen=self._max_lines))
            kept.append(line)
            for queue in self._followers.get(line.function_name, ()):
                queue.put_nowait(line)
        if self.sink is not None and batch:
            self.sink(batch)

    def forget(self, function_name: str) -> None:
        """Drop a deleted function's lines."""
        self._lines.pop(function_name, None)

    async def read(self, function_name: str, *, follow: bool) -> AsyncIterator[LogLine]:
        """The kept lines of a function, then (with `follow`) new lines as they come."""
        queue: asyncio.Queue[LogLine] = asyncio.Queue()
        if follow:
            self._followers.setdefault(function_name, set()).add(queue)
        try:
            for line in list(self._lines.get(function_name, ())):
                yield line
            while follow:
                yield await queue.get()
        finally:
            followers = self._followers.get(function_name)
            if followers is not None:
                followers.discard(queue)
                if not followers:
                    self._followers.pop(function_name, None)
