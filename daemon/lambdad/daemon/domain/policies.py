"""Resource-based policies (functions and layer versions): statements plus a RevisionId."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ResourcePolicy:
    """A policy document's statements and the RevisionId that guards changes to it."""

    revision_id: str
    statements: list[dict[str, Any]] = field(default_factory=list)

    def document(self) -> str:
        """The policy JSON AWS returns (GetPolicy, GetLayerVersionPolicy)."""
        return json.dumps(
            {"Version": "2012-10-17", "Id": "default", "Statement": self.statements},
            separators=(",", ":"),
        )

    def to_json(self) -> str:
        """Serialised for the state store."""
        return json.dumps({"revision_id": self.revision_id, "statements": self.statements})

    @classmethod
    def from_json(cls, text: str | None) -> ResourcePolicy | None:
        """Inverse of `to_json` (None when there is no policy)."""
        if not text:
            return None
        raw = json.loads(text)
        return cls(raw["revision_id"], raw["statements"])
