"""The `lambdad invocations` table: one row per invocation, newest first."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from lambdad.v1.invocation_service_pb2 import InvocationSummary

HEADER = (
    "START (UTC)",
    "REQUEST ID",
    "VERSION",
    "TYPE",
    "STATUS",
    "DURATION",
    "BILLED",
    "INIT",
    "MEMORY",
    "ERROR TYPE",
)


def _row(item: InvocationSummary) -> tuple[str, ...]:
    start = datetime.fromtimestamp(item.start_time_ms / 1000, UTC)
    return (
        start.strftime("%Y-%m-%d %H:%M:%S.") + f"{start.microsecond // 1000:03d}",
        item.request_id,
        item.executed_version or item.qualifier,
        item.invocation_type,
        item.status,
        f"{item.duration_ms:.2f} ms",
        f"{item.billed_duration_ms} ms",
        f"{item.init_duration_ms:.2f} ms" if item.HasField("init_duration_ms") else "-",
        f"{item.max_memory_used_mb}/{item.memory_size_mb} MB",
        item.error_type or "-",
    )


def invocation_table(items: Iterable[InvocationSummary]) -> str:
    """Aligned columns with a header; says so when there is nothing to show."""
    rows = [_row(item) for item in items]
    if not rows:
        return "no invocations kept for this function"
    widths = [max(len(row[i]) for row in (HEADER, *rows)) for i in range(len(HEADER))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in (HEADER, *rows)
    )
