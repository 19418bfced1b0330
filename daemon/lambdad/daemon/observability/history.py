"""Recent invocations per function, newest first, kept in memory (bounded)."""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass

DEFAULT_PER_FUNCTION = 100

SUCCESS = "Success"
TIMEOUT = "Timeout"
THROTTLED = "Throttled"
TIMEOUT_ERROR_TYPE = "Sandbox.Timedout"


@dataclass(frozen=True)
class InvocationRecord:
    """One finished or throttled invocation, with the figures of its REPORT line."""

    request_id: str
    function_name: str
    qualifier: str  # what the caller invoked: $LATEST, a version or an alias
    executed_version: str  # "" when throttled
    invocation_type: str
    start_time: float  # epoch seconds
    duration_ms: float
    billed_duration_ms: int
    init_duration_ms: float | None  # cold starts only
    status: str  # Success, Unhandled, Handled, Timeout or Throttled
    error_type: str | None
    memory_size_mb: int
    max_memory_used_mb: int


def status_of(function_error: str | None, error_type: str | None) -> str:
    """The history status of an invocation: a timeout is told apart from other failures."""
    if error_type == TIMEOUT_ERROR_TYPE:
        return TIMEOUT
    if function_error or error_type:
        return function_error or "Unhandled"
    return SUCCESS


class InvocationHistory:
    """The last `per_function` invocations of each function (a restart forgets them)."""

    def __init__(self, per_function: int = DEFAULT_PER_FUNCTION) -> None:
        self.per_function = per_function
        self._records: defaultdict[str, deque[InvocationRecord]] = defaultdict(
            lambda: deque(maxlen=self.per_function)
        )

    def add(self, record: InvocationRecord) -> None:
        """Keep `record`; the function's oldest one goes once it has `per_function`."""
        self._records[record.function_name].append(record)

    def list(
        self, function_name: str, *, qualifier: str = "", max_items: int = 0
    ) -> list[InvocationRecord]:
        """Newest first; `qualifier` matches the invoked qualifier or the executed version."""
        found = []
        for record in reversed(self._records.get(function_name, ())):
            if qualifier and qualifier not in (record.qualifier, record.executed_version):
                continue
            found.append(record)
            if max_items and len(found) >= max_items:
                break
        return found

    def forget(self, function_name: str) -> None:
        """Drop a deleted function's records."""
        self._records.pop(function_name, None)
