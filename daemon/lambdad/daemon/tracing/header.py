"""The X-Ray trace header (`X-Amzn-Trace-Id`) and how an invocation's header is chosen.

`Root=1-<8 hex epoch seconds>-<24 hex>;Parent=<16 hex>;Sampled=1`. Other keys (such as
`Lineage`) are kept as they came, in order.
"""

from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass, replace

ACTIVE = "Active"
PASS_THROUGH = "PassThrough"
_ROOT = re.compile(r"^1-[0-9a-f]{8}-[0-9a-f]{24}$")
_ENTITY_ID = re.compile(r"^[0-9a-f]{16}$")


def new_root(now: float | None = None) -> str:
    """A new trace id: version 1, the epoch second, 96 random bits."""
    seconds = int(time.time() if now is None else now)
    return f"1-{seconds:08x}-{secrets.token_hex(12)}"


def new_entity_id() -> str:
    """A new segment or subsegment id (64 random bits)."""
    return secrets.token_hex(8)


def is_trace_id(text: str) -> bool:
    """Whether `text` is a well-formed X-Ray trace id."""
    return bool(_ROOT.match(text))


def is_entity_id(text: str) -> bool:
    """Whether `text` is a well-formed segment id."""
    return bool(_ENTITY_ID.match(text))


@dataclass(frozen=True)
class TraceHeader:
    """A parsed trace header; `sampled` is "1", "0", "?" (caller asks) or "" (undecided)."""

    root: str
    parent: str = ""
    sampled: str = ""
    extra: tuple[tuple[str, str], ...] = ()

    @property
    def is_sampled(self) -> bool:
        """Whether segments are recorded for this trace."""
        return self.sampled == "1"

    @classmethod
    def parse(cls, text: str) -> TraceHeader | None:
        """The header in `text`, or None without a valid Root (such a header is ignored)."""
        fields: dict[str, str] = {}
        extra: list[tuple[str, str]] = []
        for part in text.split(";"):
            key, _, value = part.strip().partition("=")
            if key in ("Root", "Parent", "Sampled"):
                fields[key] = value.strip()
            elif key:
                extra.append((key, value.strip()))
        root = fields.get("Root", "")
        if not is_trace_id(root):
            return None
        parent = fields.get("Parent", "")
        sampled = fields.get("Sampled", "")
        return cls(
            root=root,
            parent=parent if is_entity_id(parent) else "",
            sampled=sampled if sampled in ("0", "1", "?") else "",
            extra=tuple(extra),
        )

    def __str__(self) -> str:
        parts = [f"Root={self.root}"]
        if self.parent:
            parts.append(f"Parent={self.parent}")
        if self.sampled:
            parts.append(f"Sampled={self.sampled}")
        parts.extend(f"{key}={value}" for key, value in self.extra)
        return ";".join(parts)


def invocation_header(mode: str, incoming: str = "") -> TraceHeader:
    """The trace an invocation belongs to, before lambdad adds its own segments.

    Active: the caller's sampling decision is kept; without one (no header, `Sampled=?` or
    none given) lambdad samples -- every request, where AWS samples a reservoir plus a
    rate, so that a local trace is always there to look at. PassThrough: the caller's
    header as it came; without one, a new unsampled trace.
    """
    caller = TraceHeader.parse(incoming) if incoming else None
    if mode == ACTIVE:
        if caller is None:
            return TraceHeader(new_root(), new_entity_id(), "1")
        if caller.sampled in ("0", "1"):
            return caller
        return replace(caller, sampled="1")
    if caller is None:
        return TraceHeader(new_root(), new_entity_id(), "0")
    return caller
