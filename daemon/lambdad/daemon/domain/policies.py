"""Resource-based policies (functions and layer versions): statements plus a RevisionId."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from lambdad.daemon.errors import LambdaError, Reason


@dataclass(frozen=True)
class ResourcePolicy:
    """A policy document's statements and the RevisionId that guards changes to it."""

    revision_id: str
    statements: list[dict[str, Any]] = field(default_factory=list)
    # The document as PutResourcePolicy gave it; None for policies built statement by
    # statement (AddPermission), whose document is rendered.
    document_text: str | None = None

    def document(self) -> str:
        """The policy JSON AWS returns (GetPolicy, GetLayerVersionPolicy)."""
        if self.document_text is not None:
            return self.document_text
        return json.dumps(
            {"Version": "2012-10-17", "Id": "default", "Statement": self.statements},
            separators=(",", ":"),
        )

    def to_json(self) -> str:
        """Serialised for the state store."""
        values: dict[str, Any] = {"revision_id": self.revision_id, "statements": self.statements}
        if self.document_text is not None:
            values["document_text"] = self.document_text
        return json.dumps(values)

    @classmethod
    def from_json(cls, text: str | None) -> ResourcePolicy | None:
        """Inverse of `to_json` (None when there is no policy)."""
        if not text:
            return None
        raw = json.loads(text)
        return cls(raw["revision_id"], raw["statements"], raw.get("document_text"))


def without_statement(
    policy: ResourcePolicy | None,
    statement_id: str,
    revision_id: str,
    revision_mismatch: str,
    new_revision_id: str,
) -> ResourcePolicy:
    """RemovePermission's rules: the policy minus `statement_id`, with a new RevisionId.

    Raises AWS's errors for no policy, a RevisionId mismatch (`revision_mismatch` names the
    resource's Get API) and an unknown statement.
    """
    if policy is None or not policy.statements:
        raise LambdaError(
            Reason.RESOURCE_NOT_FOUND, "No policy is associated with the given resource."
        )
    if revision_id and revision_id != policy.revision_id:
        raise LambdaError(Reason.REVISION_ID_MISMATCH, revision_mismatch)
    kept = [s for s in policy.statements if s["Sid"] != statement_id]
    if len(kept) == len(policy.statements):
        raise LambdaError(
            Reason.RESOURCE_NOT_FOUND, f"Statement {statement_id} is not found in resource policy."
        )
    return ResourcePolicy(new_revision_id, kept)
