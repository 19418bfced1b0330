"""A proto message held against a botocore shape: shared by the route tests of the services
the gateway serves beside Lambda (CloudWatch Logs, X-Ray)."""

from __future__ import annotations

import botocore.model
from google.protobuf.descriptor import FieldDescriptor

# The proto field type each botocore scalar type is carried in.
SCALARS = {
    "string": FieldDescriptor.TYPE_STRING,
    "timestamp": FieldDescriptor.TYPE_DOUBLE,
    "double": FieldDescriptor.TYPE_DOUBLE,
    "boolean": FieldDescriptor.TYPE_BOOL,
    "long": FieldDescriptor.TYPE_INT64,
    "integer": FieldDescriptor.TYPE_INT32,
}


def check_shape(shape: botocore.model.Shape, descriptor: object, where: str) -> None:
    """Every member the proto carries has the model's name and a matching type."""
    fields = {f.json_name: f for f in descriptor.fields}  # type: ignore[attr-defined]
    for json_name, fd in fields.items():
        assert json_name in shape.members, f"{where}.{json_name} is not a member of the model"
        member = shape.members[json_name]
        if member.type_name == "list":
            assert fd.is_repeated, f"{where}.{json_name}"
            member = member.member
        if member.type_name == "structure":
            assert fd.message_type is not None, f"{where}.{json_name}"
            check_shape(member, fd.message_type, f"{where}.{json_name}")
        else:
            assert fd.type == SCALARS[member.type_name], f"{where}.{json_name}"
