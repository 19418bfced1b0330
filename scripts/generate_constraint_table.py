#!/usr/bin/env python3
"""Write client/lambdad/client/constraint_table.py from botocore's Lambda model.

AWS checks every request's members against the model's constraints (required, length,
pattern, enum, value range) before anything else; the gateway does the same from this table.
The table is generated rather than read from botocore at start-up so that the rules the
gateway applies are the ones committed (and reviewed), whatever botocore is installed; a unit
test fails when the committed table and the installed model differ, so a botocore upgrade
shows up as a diff to regenerate:

    python scripts/generate_constraint_table.py            # rewrite the table
    python scripts/generate_constraint_table.py --check    # exit 1 when it is stale

Only what constraint checking needs is kept: each shape's type, constraints and sensitivity,
each structure's members (name, shape, required), and only the shapes an operation's input
reaches through a member that carries (or contains) a constraint.
"""

from __future__ import annotations

import argparse
import pprint
import subprocess
import sys
from pathlib import Path
from typing import Any

import botocore
import botocore.session

TABLE = (
    Path(__file__).resolve().parents[1] / "client" / "lambdad" / "client" / "constraint_table.py"
)

HEADER = '''# ruff: noqa: E501 (the model's patterns are quoted whole)
"""AWS Lambda's request constraints, generated from botocore's model: do not edit.

Regenerate with `python scripts/generate_constraint_table.py` (a unit test fails while this
file and the installed botocore disagree).

SHAPES maps a shape name to its facts: `type` (structure, list, map, string, integer, long,
double, float, boolean, blob, timestamp), the constraints it has (`min`, `max`, `pattern`,
`enum`), `sensitive` when AWS leaves its values out of messages, and for containers `members`
(structure: (member name, shape name, required) in the model's order), `member` (list),
`key` and `value` (map). OPERATIONS maps an operation to its input shape.
"""

from __future__ import annotations

from typing import Any

'''

_CONSTRAINTS = ("min", "max", "pattern", "enum")

# Enums whose values AWS lists in another order than the model's, as recorded from AWS's own
# answers (shared/lambda-spec.md section 2.3: a bad InvokeMode and a bad StartingPosition).
# Only the order of the message's list changes; the values are the model's.
ENUM_ORDER_AS_AWS_ANSWERS: dict[str, list[str]] = {
    "InvokeMode": ["RESPONSE_STREAM", "BUFFERED"],
    "EventSourcePosition": ["LATEST", "AT_TIMESTAMP", "TRIM_HORIZON"],
}


def _has_constraints(shape: Any, memo: dict[str, bool], stack: frozenset[str]) -> bool:
    """Whether `shape` or anything below it carries a constraint or a required member."""
    if shape.name in memo:
        return memo[shape.name]
    if shape.name in stack:
        return False
    stack = stack | {shape.name}
    found = any(key in shape.metadata for key in _CONSTRAINTS)
    if shape.type_name == "structure":
        found = bool(shape.required_members) or any(
            [_has_constraints(m, memo, stack) for m in shape.members.values()]
        )
    elif shape.type_name == "list":
        found = _has_constraints(shape.member, memo, stack) or found
    elif shape.type_name == "map":
        found = (
            _has_constraints(shape.key, memo, stack)
            or _has_constraints(shape.value, memo, stack)
            or found
        )
    memo[shape.name] = found
    return found


def _number(value: Any, type_name: str) -> Any:
    return float(value) if type_name in ("double", "float") else int(value)


def build() -> tuple[dict[str, dict[str, Any]], dict[str, str], str]:
    """(SHAPES, OPERATIONS, model version) of the installed botocore's Lambda model."""
    model = botocore.session.get_session().get_service_model("lambda")
    memo: dict[str, bool] = {}
    shapes: dict[str, dict[str, Any]] = {}
    operations: dict[str, str] = {}

    def add(shape: Any) -> None:
        if shape.name in shapes:
            return
        facts: dict[str, Any] = {"type": shape.type_name}
        shapes[shape.name] = facts
        for key in _CONSTRAINTS:
            if key in shape.metadata:
                value = shape.metadata[key]
                if key in ("min", "max"):
                    value = _number(value, shape.type_name)
                if key == "enum" and shape.name in ENUM_ORDER_AS_AWS_ANSWERS:
                    recorded = ENUM_ORDER_AS_AWS_ANSWERS[shape.name]
                    assert sorted(recorded) == sorted(value), f"{shape.name}: model changed"
                    value = recorded
                facts[key] = value
        if shape.metadata.get("sensitive"):
            facts["sensitive"] = True
        if shape.type_name == "structure":
            required = set(shape.required_members)
            payload = shape.serialization.get("payload")
            if payload and shape.members[payload].type_name == "blob":
                # A raw payload is the HTTP body itself, never absent (an empty body is an
                # empty payload), so its `required` can never fail.
                required.discard(payload)
            members = []
            for name, member in shape.members.items():
                if name in required or _has_constraints(member, memo, frozenset()):
                    members.append((name, member.name, name in required))
                    add(member)
            facts["members"] = tuple(members)
        elif shape.type_name == "list":
            facts["member"] = shape.member.name
            add(shape.member)
        elif shape.type_name == "map":
            facts["key"] = shape.key.name
            facts["value"] = shape.value.name
            add(shape.key)
            add(shape.value)

    for name in sorted(model.operation_names):
        operation = model.operation_model(name)
        if operation.input_shape is None:
            continue
        operations[name] = operation.input_shape.name
        add(operation.input_shape)
    return dict(sorted(shapes.items())), operations, botocore.__version__


def render() -> str:
    """The text of constraint_table.py for the installed botocore."""
    shapes, operations, version = build()
    return (
        HEADER
        + f'MODEL = "botocore {version}, lambda 2015-03-31"\n\n'
        + "SHAPES: dict[str, dict[str, Any]] = "
        + pprint.pformat(shapes, width=96, sort_dicts=False)
        + "\n\nOPERATIONS: dict[str, str] = "
        + pprint.pformat(operations, width=96, sort_dicts=False)
        + "\n"
    )


def stale() -> bool:
    """Whether the committed table's data differ from the installed model's."""
    if not TABLE.exists():
        return True
    committed: dict[str, Any] = {}
    exec(compile(TABLE.read_text(), str(TABLE), "exec"), committed)
    shapes, operations, _ = build()
    return (committed["SHAPES"], committed["OPERATIONS"]) != (shapes, operations)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when the table is stale")
    args = parser.parse_args()
    if args.check:
        if stale():
            print(f"{TABLE} is stale: run {Path(__file__).name}", file=sys.stderr)
            return 1
        return 0
    TABLE.write_text(render())
    # The repository's formatter has the last word on layout (ruff format --check runs in CI).
    subprocess.run(["ruff", "format", "--quiet", str(TABLE)], check=False)
    print(f"wrote {TABLE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
