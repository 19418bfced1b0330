"""AWS's request constraint checks, driven by the model table in `constraint_table`.

AWS checks a request's members against its service model (required members, string and list
lengths, patterns, enums, number ranges) before the operation runs, and names every violation
in one ValidationException:

    2 validation errors detected: Value 'a b' at 'handler' failed to satisfy constraint:
    Member must satisfy regular expression pattern: [^\\s]+; Value '0' at 'timeout' ...

Violations come in the model's member order, depth first; a member is named by the
lowerCamel of its model name, nested ones joined by dots (`vpcConfig.subnetIds`), list
elements as `<list>.<n>.member` (1-based). Values print as Java prints them (`[a, b]`,
`{k=v}`, `null` without quotes); a sensitive shape's value is left out (`Value at ...`). A list
or map whose elements fail is one violation naming all of the element shape's constraints
(`Member must satisfy constraint: [..., Member must not be null]`, `Map keys must ...`).

Everything per operation is compiled once (patterns included), so a request costs a few dict
look-ups and regex matches per constrained member.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from lambdad.client import constraint_table

# A compiled check: (value, path, violations found so far) -> None.
_Check = Callable[[Any, str, list[str]], None]

ONE_VIOLATION = "1 validation error detected: "

# Members AWS's front end does not check, though the model constrains them: Lambda's own code
# checks a function's runtime and answers InvalidParameterValueException (`... or be a valid
# ARN`, lambda-spec §2.3), so the daemon does. (A layer's runtimes are the model's.)
BACKEND_CHECKED_MEMBERS = frozenset(
    {("CreateFunctionRequest", "Runtime"), ("UpdateFunctionConfigurationRequest", "Runtime")}
)
# Shapes lambdad checks only in strict mode (README, "Two deliberate leniencies"): a Role
# that is not an IAM role ARN is accepted unless the daemon runs with --strict.
LENIENT_SHAPES = frozenset({"RoleArn"})

# Java regex syntax the model uses that Python's `re` spells differently: Unicode classes.
# \p{Z} (separators) has no `re` class of its own, so its code points are listed.
_JAVA_CLASSES = (
    (r"\p{L}\p{Z}\p{N}", "\\w\u0020\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"),
)


def python_pattern(pattern: str) -> str:
    """The Python `re` spelling of a model (Java) pattern."""
    for java, python in _JAVA_CLASSES:
        pattern = pattern.replace(java, python)
    return pattern


def lower_camel(name: str) -> str:
    """How AWS names a member in messages: `FunctionName` -> `functionName`."""
    return name[:1].lower() + name[1:]


def java_text(value: Any) -> str:
    """`value` as Java's toString shows it in AWS's messages (`[a, b]`, `{k=v}`, `true`)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(java_text(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={java_text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, float) and value.is_integer() and math.isfinite(value):
        return f"{value:.1f}"
    return str(value)


def violation(value: Any, path: str, constraint: str, *, sensitive: bool = False) -> str:
    """One violation as AWS words it (without the `N validation errors detected: ` head)."""
    if sensitive:
        shown = "Value"
    elif value is None:
        shown = "Value null"
    else:
        shown = f"Value '{java_text(value)}'"
    return f"{shown} at '{path}' failed to satisfy constraint: {constraint}"


def validation_message(violations: Iterable[str]) -> str:
    """AWS's ValidationException message naming every violation."""
    found = list(violations)
    if len(found) == 1:
        return ONE_VIOLATION + found[0]
    return f"{len(found)} validation errors detected: " + "; ".join(found)


def _bound(value: int | float) -> str:
    return java_text(value)


def constraint_texts(facts: Mapping[str, Any], skip: bool = False) -> list[str]:
    """Every constraint of a shape, worded as AWS lists them inside `[...]` (maximum first)."""
    kind = "value" if facts["type"] in _NUMBER_TYPES else "length"
    texts = []
    if "max" in facts:
        texts.append(f"Member must have {kind} less than or equal to {_bound(facts['max'])}")
    if "min" in facts:
        texts.append(f"Member must have {kind} greater than or equal to {_bound(facts['min'])}")
    if skip:
        return texts
    if "pattern" in facts:
        texts.append(f"Member must satisfy regular expression pattern: {facts['pattern']}")
    if "enum" in facts:
        texts.append(f"Member must satisfy enum value set: [{', '.join(facts['enum'])}]")
    return texts


_NUMBER_TYPES = frozenset({"integer", "long", "double", "float"})
_SIZED_TYPES = {"string": str, "list": list, "map": dict}


class ConstraintChecker:
    """Checks requests against the model's constraints, one compiled check per operation."""

    def __init__(
        self,
        *,
        strict: bool = False,
        shapes: Mapping[str, Mapping[str, Any]] = constraint_table.SHAPES,
        operations: Mapping[str, str] = constraint_table.OPERATIONS,
    ) -> None:
        """`strict` also applies the constraints of LENIENT_SHAPES (lambdad's --strict)."""
        self._shapes = shapes
        self._skipped = frozenset() if strict else LENIENT_SHAPES
        self._compiled: dict[str, _Check] = {}
        self._operations: dict[str, _Check] = {
            operation: self._compile(shape) for operation, shape in operations.items()
        }

    def violations(self, operation: str, members: Mapping[str, Any]) -> list[str]:
        """Every violation of `operation`'s constraints by `members` (model member name ->
        value as JSON decodes it; None or absent for a member not sent), in AWS's order."""
        check = self._operations.get(operation)
        found: list[str] = []
        if check is not None:
            check(members, "", found)
        return found

    def operations(self) -> frozenset[str]:
        """The operations this checker knows."""
        return frozenset(self._operations)

    # --- compiling ----------------------------------------------------------------------

    def _compile(self, shape: str) -> _Check:
        compiled = self._compiled.get(shape)
        if compiled is not None:
            return compiled
        facts = self._shapes[shape]
        kind = facts["type"]

        # Recursive shapes: a placeholder until the real check exists.
        def later(value: Any, path: str, found: list[str]) -> None:
            self._compiled[shape](value, path, found)

        self._compiled[shape] = later
        if kind == "structure":
            compiled = self._structure(shape, facts)
        elif kind == "list":
            compiled = self._list(shape, facts)
        elif kind == "map":
            compiled = self._map(shape, facts)
        else:
            compiled = self._scalar(shape, facts)
        self._compiled[shape] = compiled
        return compiled

    def _structure(self, structure: str, facts: Mapping[str, Any]) -> _Check:
        members = tuple(
            (
                name,
                lower_camel(name),
                required,
                _no_check if (structure, name) in BACKEND_CHECKED_MEMBERS else self._compile(shape),
            )
            for name, shape, required in facts["members"]
        )

        def check(value: Any, path: str, found: list[str]) -> None:
            if not isinstance(value, dict):  # (a dict: JSON's objects; faster than Mapping)
                return
            prefix = path + "." if path else ""
            for name, camel, required, member_check in members:
                item = value.get(name)
                if item is None:
                    if required:
                        found.append(violation(None, prefix + camel, "Member must not be null"))
                    continue
                member_check(item, prefix + camel, found)

        return check

    def _size_checks(self, facts: Mapping[str, Any]) -> list[tuple[int, str, bool]]:
        """(bound, constraint, is_minimum) of a shape's length (or value) bounds that can fail."""
        kind = "value" if facts["type"] in _NUMBER_TYPES else "length"
        bounds = []
        if "min" in facts and (kind == "value" or facts["min"] > 0):
            text = f"Member must have {kind} greater than or equal to {_bound(facts['min'])}"
            bounds.append((facts["min"], text, True))
        if "max" in facts:
            text = f"Member must have {kind} less than or equal to {_bound(facts['max'])}"
            bounds.append((facts["max"], text, False))
        return bounds

    def _scalar(self, shape: str, facts: Mapping[str, Any]) -> _Check:
        skipped = shape in self._skipped
        sensitive = bool(facts.get("sensitive"))
        kind = facts["type"]
        bounds = self._size_checks(facts)
        pattern = None if skipped or "pattern" not in facts else facts["pattern"]
        regex = re.compile(python_pattern(pattern)) if pattern is not None else None
        pattern_text = f"Member must satisfy regular expression pattern: {pattern}"
        enum = None if skipped or "enum" not in facts else frozenset(facts["enum"])
        enum_text = f"Member must satisfy enum value set: [{', '.join(facts.get('enum', ()))}]"
        if kind == "string":
            if not bounds and regex is None and enum is None:
                return _no_check

            # The common case, a value of allowed length, is two comparisons.
            shortest = facts.get("min", 0)
            longest = facts.get("max", math.inf)

            def check_string(value: Any, path: str, found: list[str]) -> None:
                if not isinstance(value, str):
                    return
                if not shortest <= len(value) <= longest:
                    for bound, text, is_minimum in bounds:
                        if len(value) < bound if is_minimum else len(value) > bound:
                            found.append(violation(value, path, text, sensitive=sensitive))
                if regex is not None and regex.fullmatch(value) is None:
                    found.append(violation(value, path, pattern_text, sensitive=sensitive))
                if enum is not None and value not in enum:
                    found.append(violation(value, path, enum_text, sensitive=sensitive))

            return check_string
        if kind in _NUMBER_TYPES and bounds:

            def check_number(value: Any, path: str, found: list[str]) -> None:
                if isinstance(value, bool) or not isinstance(value, int | float):
                    return
                for bound, text, is_minimum in bounds:
                    if value < bound if is_minimum else value > bound:
                        found.append(violation(value, path, text, sensitive=sensitive))

            return check_number
        return _no_check

    def _elements(self, shape: str) -> tuple[bool, Callable[[Any], bool]]:
        """(whether the element shape is a structure or container, a test that one scalar
        element satisfies its constraints)."""
        facts = self._shapes[shape]
        if facts["type"] in ("structure", "list", "map"):
            return True, lambda _: True
        probe = self._scalar(shape, facts)

        def ok(item: Any) -> bool:
            found: list[str] = []
            probe(item, "", found)
            return not found

        return False, ok

    def _list(self, shape: str, facts: Mapping[str, Any]) -> _Check:
        bounds = self._size_checks(facts)
        sensitive = bool(facts.get("sensitive"))
        member = facts["member"]
        nested, element_ok = self._elements(member)
        member_check = self._compile(member)
        skip = member in self._skipped
        inner = [*constraint_texts(self._shapes[member], skip), "Member must not be null"]
        element_text = f"Member must satisfy constraint: [{', '.join(inner)}]"
        scalar_constrained = not nested and len(inner) > 1

        def check(value: Any, path: str, found: list[str]) -> None:
            if not isinstance(value, list):
                return
            for bound, text, is_minimum in bounds:
                if len(value) < bound if is_minimum else len(value) > bound:
                    found.append(violation(value, path, text, sensitive=sensitive))
            if nested:
                for index, item in enumerate(value, 1):
                    if item is not None:
                        member_check(item, f"{path}.{index}.member", found)
            elif scalar_constrained and not all(
                item is not None and element_ok(item) for item in value
            ):
                found.append(violation(value, path, element_text, sensitive=sensitive))

        return check

    def _map(self, shape: str, facts: Mapping[str, Any]) -> _Check:
        bounds = self._size_checks(facts)
        sensitive = bool(facts.get("sensitive"))
        _, key_ok = self._elements(facts["key"])
        value_nested, value_ok = self._elements(facts["value"])
        value_check = self._compile(facts["value"])
        key_facts, value_facts = self._shapes[facts["key"]], self._shapes[facts["value"]]
        key_texts = constraint_texts(key_facts, facts["key"] in self._skipped)
        value_texts = constraint_texts(value_facts, facts["value"] in self._skipped)
        key_text = f"Map keys must satisfy constraint: [{', '.join(key_texts)}]"
        value_text = (
            "Map value must satisfy constraint: ["
            + ", ".join([*value_texts, "Member must not be null"])
            + "]"
        )
        # A sensitive key or value hides the whole map's value.
        hidden = sensitive or bool(key_facts.get("sensitive") or value_facts.get("sensitive"))

        def check(value: Any, path: str, found: list[str]) -> None:
            if not isinstance(value, dict):
                return
            for bound, text, is_minimum in bounds:
                if len(value) < bound if is_minimum else len(value) > bound:
                    found.append(violation(value, path, text, sensitive=hidden))
            if key_texts and not all(key_ok(k) for k in value):
                found.append(violation(value, path, key_text, sensitive=hidden))
            if value_nested:
                for key, item in value.items():
                    if item is not None:
                        value_check(item, f"{path}.{key}", found)
            elif (value_texts or None in value.values()) and not all(
                item is not None and value_ok(item) for item in value.values()
            ):
                found.append(violation(value, path, value_text, sensitive=hidden))

        return check


def _no_check(value: Any, path: str, found: list[str]) -> None:
    return None
