"""Durable executions as text: a listing table and a history timeline (`lambdad durable`)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any


def _when(value: Any) -> str:
    if value in (None, ""):
        return "-"
    return datetime.fromtimestamp(float(value), UTC).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]


def execution_table(executions: Sequence[Mapping[str, Any]]) -> str:
    """STARTED, STATUS, NAME and ARN of each execution, one per line."""
    rows = [("STARTED", "ENDED", "STATUS", "NAME", "ARN")]
    for item in executions:
        rows.append(
            (
                _when(item.get("StartTimestamp")),
                _when(item.get("EndTimestamp")),
                str(item.get("Status", "")),
                str(item.get("DurableExecutionName", "")),
                str(item.get("DurableExecutionArn", "")),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    return "\n".join(
        "  ".join(cell.ljust(widths[i]) if i < 4 else cell for i, cell in enumerate(row))
        for row in rows
    )


def _detail(item: Mapping[str, Any]) -> str:
    details = item.get(f"{item.get('EventType', '')}Details") or {}
    parts: list[str] = []
    for key, value in details.items():
        if isinstance(value, dict) and ("Payload" in value or "Truncated" in value):
            if "Payload" in value:
                shown = value["Payload"]
                text = shown if isinstance(shown, str) else json.dumps(shown)
                parts.append(f"{key}={text[:80]}")
        elif isinstance(value, dict):
            parts.append(f"{key}={json.dumps(value)}")
        elif key in ("ScheduledEndTimestamp", "StartTimestamp", "EndTimestamp"):
            parts.append(f"{key}={_when(value)}")
        else:
            parts.append(f"{key}={value}")
    return " ".join(parts)


def timeline(events: Sequence[Mapping[str, Any]]) -> str:
    """One line per event: time, offset from the start, event, operation and details."""
    if not events:
        return "(no events)"
    start = float(events[0].get("EventTimestamp") or 0)
    lines = []
    for item in events:
        at = float(item.get("EventTimestamp") or 0)
        name = item.get("Name") or item.get("Id") or ""
        parent = f" (in {item['ParentId']})" if item.get("ParentId") else ""
        lines.append(
            f"{_when(at)}  +{at - start:9.3f}s  #{item.get('EventId', ''):<4} "
            f"{item.get('EventType', ''):<24} {name}{parent}  {_detail(item)}".rstrip()
        )
    return "\n".join(lines)
