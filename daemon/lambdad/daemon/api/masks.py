"""Update masks: which fields of an Update request to apply.

The one rule for every Update RPC whose request carries a `google.protobuf.FieldMask`:
with paths, exactly those (each must be an updatable field, else AWS-shaped validation
error); without, every updatable field the request sets (proto3 presence), which is what a
gRPC caller that never heard of masks means.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from google.protobuf.field_mask_pb2 import FieldMask

from lambdad.daemon.errors import validation_error


def fields_to_apply(request: Any, mask: FieldMask, updatable: Iterable[str]) -> list[str]:
    """The fields of `request` to apply: `mask`'s paths, or every updatable field it sets."""
    allowed = list(updatable)
    if mask.paths:
        unknown = [p for p in mask.paths if p not in allowed]
        if unknown:
            raise validation_error(
                ",".join(unknown), "updateMask", "Member must name fields of the request"
            )
        return list(mask.paths)
    present = {f.name for f, _ in request.ListFields()}
    return [name for name in allowed if name in present]
