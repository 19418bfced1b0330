"""Lambda event filtering (FilterCriteria): pattern validation and matching, with no I/O.

Lambda filters records with EventBridge event patterns (spec §6.3). A pattern is a JSON
object; every key it names must match the record (AND across keys), a key maps either to
a nested pattern object or to a non-empty list of matchers (OR within the list), and
`$or` takes a list of sub-patterns of which one must match. Matchers are literals
(string, number, boolean, null) or single-operator objects: `anything-but`, `numeric`,
`exists`, `prefix`, `suffix`, `equals-ignore-case` and `wildcard`.

Records are matched through a *filter view* built per source: SQS bodies that are JSON
are parsed, Kinesis data is base64-decoded and parsed, DynamoDB records are matched
as-is (typed attribute values). A mapping holds up to five patterns; a record passes
when any of them matches.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

INVALID_PATTERN = "Invalid filter pattern definition."
MAX_FILTERS = 5
MAX_PATTERN_LENGTH = 4096

_LOWER_BOUNDS = (">", ">=")
_UPPER_BOUNDS = ("<", "<=")
_NUMERIC_OPERATORS = ("=", *_LOWER_BOUNDS, *_UPPER_BOUNDS)
_MISSING = object()


class InvalidFilterPattern(ValueError):
    """A pattern Lambda would reject with `Invalid filter pattern definition.`."""

    def __init__(self, detail: str = "") -> None:
        super().__init__(INVALID_PATTERN)
        self.detail = detail


@dataclass(frozen=True)
class FilterPattern:
    """One validated pattern: its original text and the parsed object."""

    text: str
    pattern: Mapping[str, Any]

    def matches(self, event: Mapping[str, Any]) -> bool:
        """Whether `event` (a filter view) matches this pattern."""
        return _match_object(self.pattern, event)


def parse_pattern(text: str) -> FilterPattern:
    """Parse and validate one pattern string; raise InvalidFilterPattern otherwise."""
    if not isinstance(text, str) or len(text) > MAX_PATTERN_LENGTH:
        raise InvalidFilterPattern("pattern must be a string of at most 4096 characters")
    try:
        # Duplicate keys: the last one wins, as json.loads already does.
        parsed = json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        raise InvalidFilterPattern("pattern is not JSON") from exc
    if not isinstance(parsed, dict):
        raise InvalidFilterPattern("pattern is not a JSON object")
    _validate_object(parsed)
    return FilterPattern(text=text, pattern=parsed)


def parse_patterns(texts: Sequence[str], limit: int = MAX_FILTERS) -> tuple[FilterPattern, ...]:
    """Validate a mapping's patterns (at most `limit`)."""
    if len(texts) > limit:
        raise InvalidFilterPattern(f"at most {limit} filters")
    return tuple(parse_pattern(text) for text in texts)


def passes(patterns: Sequence[FilterPattern], event: Mapping[str, Any]) -> bool:
    """Whether a record passes a mapping's filters: no filters, or any pattern matches."""
    return not patterns or any(p.matches(event) for p in patterns)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


# --- validation -------------------------------------------------------------------------


def _validate_object(pattern: Mapping[str, Any]) -> None:
    for key, value in pattern.items():
        if key == "$or":
            if not isinstance(value, list) or not value:
                raise InvalidFilterPattern("$or takes a non-empty list of patterns")
            for branch in value:
                if not isinstance(branch, dict) or not branch:
                    raise InvalidFilterPattern("$or branches are non-empty objects")
                _validate_object(branch)
        elif isinstance(value, dict):
            if not value:
                raise InvalidFilterPattern(f"empty object at {key}")
            _validate_object(value)
        elif isinstance(value, list):
            if not value:
                raise InvalidFilterPattern(f"empty list at {key}")
            for matcher in value:
                _validate_matcher(matcher)
        else:
            raise InvalidFilterPattern(f"{key} must be a list or an object")


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _validate_matcher(matcher: Any) -> None:
    if matcher is None or isinstance(matcher, str | bool) or _is_number(matcher):
        return
    if not isinstance(matcher, dict) or len(matcher) != 1:
        raise InvalidFilterPattern("a matcher is a literal or an object with one operator")
    ((operator, operand),) = matcher.items()
    if operator == "exists":
        if not isinstance(operand, bool):
            raise InvalidFilterPattern("exists takes true or false")
    elif operator in ("prefix", "suffix"):
        _validate_text_operand(operand, allow_ignore_case=True)
    elif operator == "equals-ignore-case":
        _validate_text_operand(operand, allow_ignore_case=False)
    elif operator == "wildcard":
        _validate_wildcard(operand)
    elif operator == "numeric":
        _validate_numeric(operand)
    elif operator == "anything-but":
        _validate_anything_but(operand)
    else:
        raise InvalidFilterPattern(f"unknown operator {operator}")


def _validate_text_operand(operand: Any, *, allow_ignore_case: bool) -> None:
    if isinstance(operand, str):
        return
    if (
        allow_ignore_case
        and isinstance(operand, dict)
        and len(operand) == 1
        and isinstance(operand.get("equals-ignore-case"), str)
    ):
        return
    raise InvalidFilterPattern("text operators take a string")


def _validate_wildcard(operand: Any) -> None:
    if not isinstance(operand, str):
        raise InvalidFilterPattern("wildcard takes a string")
    # EventBridge rejects consecutive wildcards (they would make matching ambiguous).
    if "**" in operand:
        raise InvalidFilterPattern("consecutive wildcards")


def _validate_numeric(operand: Any) -> None:
    if not isinstance(operand, list) or not operand or len(operand) % 2:
        raise InvalidFilterPattern("numeric takes operator/number pairs")
    seen: set[str] = set()
    for i in range(0, len(operand), 2):
        operator, number = operand[i], operand[i + 1]
        if operator not in _NUMERIC_OPERATORS or not _is_number(number):
            raise InvalidFilterPattern("numeric takes operator/number pairs")
        seen.add(operator)
    pairs = len(operand) // 2
    lower = sum(op in _LOWER_BOUNDS for op in operand[::2])
    upper = sum(op in _UPPER_BOUNDS for op in operand[::2])
    if "=" in seen and pairs != 1:
        raise InvalidFilterPattern("numeric = stands alone")
    if lower > 1 or upper > 1 or pairs > 2:
        raise InvalidFilterPattern("numeric takes at most one lower and one upper bound")
    if pairs == 2:
        bounds = dict(zip(operand[::2], operand[1::2], strict=True))
        low = next(v for k, v in bounds.items() if k in _LOWER_BOUNDS)
        high = next(v for k, v in bounds.items() if k in _UPPER_BOUNDS)
        if low >= high:
            raise InvalidFilterPattern("numeric range is empty")


def _validate_anything_but(operand: Any) -> None:
    if isinstance(operand, str) or _is_number(operand):
        return
    if isinstance(operand, list):
        if not operand:
            raise InvalidFilterPattern("anything-but takes a non-empty list")
        if not (all(isinstance(v, str) for v in operand) or all(_is_number(v) for v in operand)):
            raise InvalidFilterPattern("anything-but lists hold strings or numbers")
        return
    if isinstance(operand, dict) and len(operand) == 1:
        ((operator, value),) = operand.items()
        if operator in ("prefix", "suffix"):
            _validate_text_operand(value, allow_ignore_case=False)
            return
        if operator == "wildcard":
            if isinstance(value, list) and value:
                for item in value:
                    _validate_wildcard(item)
            else:
                _validate_wildcard(value)
            return
        if operator == "equals-ignore-case":
            if isinstance(value, str):
                return
            if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
                return
    raise InvalidFilterPattern("anything-but takes values or one text operator")


# --- matching ---------------------------------------------------------------------------


def _match_object(pattern: Mapping[str, Any], event: Any) -> bool:
    fields = event if isinstance(event, Mapping) else {}
    for key, expected in pattern.items():
        if key == "$or":
            if not any(_match_object(branch, event) for branch in expected):
                return False
            continue
        actual = fields.get(key, _MISSING)
        if isinstance(expected, dict):
            # A nested pattern over a present non-object value cannot match; over a
            # missing value only `exists: false` conditions inside it can.
            if actual is not _MISSING and not isinstance(actual, Mapping):
                return False
            if not _match_object(expected, actual if actual is not _MISSING else {}):
                return False
        elif not _match_field(expected, actual):
            return False
    return True


def _match_field(matchers: Sequence[Any], actual: Any) -> bool:
    if actual is _MISSING:
        return any(isinstance(m, dict) and m.get("exists") is False for m in matchers)
    # An array in the record matches when any of its elements matches.
    values = actual if isinstance(actual, list) else [actual]
    return any(_match_value(m, v) for m in matchers for v in values)


def _match_value(matcher: Any, value: Any) -> bool:
    if not isinstance(matcher, dict):
        return _literal_equal(matcher, value)
    ((operator, operand),) = matcher.items()
    if operator == "exists":
        return operand is True
    if operator == "numeric":
        return _is_number(value) and _numeric(operand, value)
    if operator == "anything-but":
        return _anything_but(operand, value)
    if not isinstance(value, str):
        return False
    if operator == "prefix":
        return _affix(operand, value, str.startswith)
    if operator == "suffix":
        return _affix(operand, value, str.endswith)
    if operator == "equals-ignore-case":
        return value.casefold() == operand.casefold()
    if operator == "wildcard":
        return _wildcard(operand, value)
    return False


def _literal_equal(expected: Any, value: Any) -> bool:
    if expected is None or isinstance(expected, bool):
        return value is expected
    if isinstance(expected, str):
        return isinstance(value, str) and value == expected
    # Plain number equality compares the numbers' JSON form (300 and 300.0 differ);
    # `numeric` is the operator for numeric comparison.
    return _is_number(value) and json.dumps(value) == json.dumps(expected)


def _numeric(operand: Sequence[Any], value: float) -> bool:
    for i in range(0, len(operand), 2):
        operator, bound = operand[i], operand[i + 1]
        ok = {
            "=": value == bound,
            ">": value > bound,
            ">=": value >= bound,
            "<": value < bound,
            "<=": value <= bound,
        }[operator]
        if not ok:
            return False
    return True


def _affix(operand: Any, value: str, test: Any) -> bool:
    if isinstance(operand, dict):
        return bool(test(value.casefold(), operand["equals-ignore-case"].casefold()))
    return bool(test(value, operand))


def _wildcard(pattern: str, value: str) -> bool:
    regex = ".*".join(re.escape(part) for part in pattern.split("*"))
    return re.fullmatch(regex, value, flags=re.DOTALL) is not None


def _anything_but(operand: Any, value: Any) -> bool:
    if isinstance(operand, dict):
        ((operator, text),) = operand.items()
        if not isinstance(value, str):
            return False
        if operator == "prefix":
            return not value.startswith(text)
        if operator == "suffix":
            return not value.endswith(text)
        texts = text if isinstance(text, list) else [text]
        if operator == "wildcard":
            return not any(_wildcard(t, value) for t in texts)
        return value.casefold() not in {t.casefold() for t in texts}
    excluded = operand if isinstance(operand, list) else [operand]
    if value is None or isinstance(value, bool):
        # Only strings and numbers can be excluded; other values are "anything but".
        return True
    return not any(_literal_equal(e, value) for e in excluded)


# --- filter views per source --------------------------------------------------------------


def sqs_filter_view(record: Mapping[str, Any]) -> dict[str, Any]:
    """An SQS record as filters see it: a JSON body is parsed, a plain body stays a string."""
    view = dict(record)
    body = record.get("body")
    if isinstance(body, str):
        with contextlib.suppress(ValueError, RecursionError):
            view["body"] = json.loads(body, parse_constant=_reject_constant)
    return view


def kinesis_filter_view(record: Mapping[str, Any]) -> dict[str, Any]:
    """A Kinesis record as filters see it: metadata at the top, `data` decoded and parsed.

    Data that is not JSON is left out, so data patterns never match it (AWS drops it).
    """
    view = {k: v for k, v in record.items() if k != "kinesis"}
    kinesis = dict(record.get("kinesis") or {})
    raw = kinesis.pop("data", None)
    view.update(kinesis)
    if isinstance(raw, str):
        with contextlib.suppress(ValueError, binascii.Error, UnicodeDecodeError, RecursionError):
            view["data"] = json.loads(
                base64.b64decode(raw, validate=True).decode("utf-8"),
                parse_constant=_reject_constant,
            )
    return view


def dynamodb_filter_view(record: Mapping[str, Any]) -> Mapping[str, Any]:
    """A DynamoDB Streams record is matched as delivered (typed attribute values)."""
    return record
