"""How far an event source mapping is behind: the age of the oldest record in a batch."""

from __future__ import annotations

import json
from typing import Any


def _arrival(record: Any) -> float | None:
    """When a record entered its source, epoch seconds (SQS, DynamoDB Streams, Kinesis)."""
    if not isinstance(record, dict):
        return None
    try:
        sent = (record.get("attributes") or {}).get("SentTimestamp")
        if sent is not None:
            return int(sent) / 1000  # SQS: epoch milliseconds as a string
        created = (record.get("dynamodb") or {}).get("ApproximateCreationDateTime")
        if created is not None:
            return float(created)
        arrived = (record.get("kinesis") or {}).get("approximateArrivalTimestamp")
        if arrived is not None:
            return float(arrived)
    except (TypeError, ValueError, AttributeError):
        return None
    return None


def oldest_record_age(payload: bytes, now: float) -> float | None:
    """Seconds since the oldest record of a `{"Records": [...]}` batch arrived; None if unknown."""
    try:
        records = json.loads(payload).get("Records") or []
    except (ValueError, AttributeError):
        return None
    arrivals = [a for a in map(_arrival, records) if a is not None and a > 0]
    return max(0.0, now - min(arrivals)) if arrivals else None
