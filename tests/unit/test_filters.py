"""Lambda event filtering: one table per operator, the seed table verbatim, views, algebra."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lambdad.daemon.domain.event_filters import (
    INVALID_PATTERN,
    InvalidFilterPattern,
    dynamodb_filter_view,
    kinesis_filter_view,
    parse_pattern,
    parse_patterns,
    passes,
    sqs_filter_view,
)


def match(pattern: str | dict[str, Any], event: dict[str, Any]) -> bool:
    text = pattern if isinstance(pattern, str) else json.dumps(pattern)
    return parse_pattern(text).matches(event)


# seed-lambda.md's table, rule syntax verbatim (wrapped in braces), with an event that
# matches and one that does not.
SEED_TABLE = [
    ("Null", '"UserID": [ null ]', {"UserID": None}, {"UserID": "u1"}),
    ("Empty", '"LastName": [""]', {"LastName": ""}, {"LastName": "Doe"}),
    ("Equals", '"Name": [ "Alice" ]', {"Name": "Alice"}, {"Name": "Bob"}),
    (
        "And",
        '"Location": [ "New York" ], "Day": ["Monday"]',
        {"Location": "New York", "Day": "Monday"},
        {"Location": "New York", "Day": "Tuesday"},
    ),
    (
        "Or",
        '"PaymentType": [ "Credit", "Debit"]',
        {"PaymentType": "Debit"},
        {"PaymentType": "Cash"},
    ),
    (
        "Not",
        '"Weather": [ { "anything-but": [ "Raining" ] } ]',
        {"Weather": "Sunny"},
        {"Weather": "Raining"},
    ),
    (
        "Numeric (equals)",
        '"Price": [ { "numeric": [ "=", 100 ] } ]',
        {"Price": 100},
        {"Price": 101},
    ),
    (
        "Numeric (range)",
        '"Price": [ { "numeric": [ ">", 10, "<=", 20 ] } ]',
        {"Price": 20},
        {"Price": 10},
    ),
    ("Exists", '"ProductName": [ { "exists": true } ]', {"ProductName": "x"}, {"Other": 1}),
    (
        "Does not exist",
        '"ProductName": [ { "exists": false } ]',
        {"Other": 1},
        {"ProductName": "x"},
    ),
    (
        "Begins with",
        '"Region": [ {"prefix": "us-" } ]',
        {"Region": "us-east-1"},
        {"Region": "eu-west-1"},
    ),
]


@pytest.mark.parametrize(("name", "rule", "yes", "no"), SEED_TABLE, ids=[r[0] for r in SEED_TABLE])
def test_seed_table(name: str, rule: str, yes: dict[str, Any], no: dict[str, Any]) -> None:
    assert match("{" + rule + "}", yes)
    assert not match("{" + rule + "}", no)


def case(pattern: dict[str, Any], event: dict[str, Any], expected: bool) -> Any:
    return pytest.param(pattern, event, expected, id=f"{json.dumps(pattern)}~{json.dumps(event)}")


def check(pattern: dict[str, Any], event: dict[str, Any], expected: bool) -> None:
    assert match(pattern, event) is expected


NULL_EMPTY_EQUALS = [
    case({"a": [None]}, {"a": None}, True),
    case({"a": [None]}, {}, False),
    case({"a": [None]}, {"a": ""}, False),
    case({"a": [""]}, {"a": ""}, True),
    case({"a": [""]}, {"a": None}, False),
    case({"a": [""]}, {}, False),
    case({"a": ["x"]}, {"a": "x"}, True),
    case({"a": ["x"]}, {"a": "X"}, False),
    case({"a": ["x"]}, {"a": ["y", "x"]}, True),
    case({"a": [300]}, {"a": 300}, True),
    case({"a": [300]}, {"a": 300.0}, False),
    case({"a": [300]}, {"a": "300"}, False),
    case({"a": ["300"]}, {"a": 300}, False),
    case({"a": [True]}, {"a": True}, True),
    case({"a": [True]}, {"a": 1}, False),
    case({"a": {"b": ["x"]}}, {"a": {"b": "x"}}, True),
    case({"a": {"b": ["x"]}}, {"a": "x"}, False),
]


@pytest.mark.parametrize(("pattern", "event", "expected"), NULL_EMPTY_EQUALS)
def test_null_empty_equals(pattern: dict[str, Any], event: dict[str, Any], expected: bool) -> None:
    check(pattern, event, expected)


EQUALS_IGNORE_CASE = [
    case({"a": [{"equals-ignore-case": "alice"}]}, {"a": "ALICE"}, True),
    case({"a": [{"equals-ignore-case": "alice"}]}, {"a": "alicia"}, False),
    case({"a": [{"equals-ignore-case": "1"}]}, {"a": 1}, False),
]


@pytest.mark.parametrize(("pattern", "event", "expected"), EQUALS_IGNORE_CASE)
def test_equals_ignore_case(pattern: dict[str, Any], event: dict[str, Any], expected: bool) -> None:
    check(pattern, event, expected)


AND_OR = [
    case({"a": ["1"], "b": ["2"]}, {"a": "1", "b": "2"}, True),
    case({"a": ["1"], "b": ["2"]}, {"a": "1"}, False),
    case({"a": ["1", "2"]}, {"a": "2"}, True),
    case({"a": ["1", {"prefix": "x"}]}, {"a": "xy"}, True),
    case({"$or": [{"a": ["1"]}, {"b": ["2"]}]}, {"b": "2"}, True),
    case({"$or": [{"a": ["1"]}, {"b": ["2"]}]}, {"a": "2", "b": "1"}, False),
    case({"c": ["3"], "$or": [{"a": ["1"]}, {"b": ["2"]}]}, {"a": "1", "c": "4"}, False),
    case({"c": ["3"], "$or": [{"a": ["1"]}, {"b": ["2"]}]}, {"a": "1", "c": "3"}, True),
]


@pytest.mark.parametrize(("pattern", "event", "expected"), AND_OR)
def test_and_or(pattern: dict[str, Any], event: dict[str, Any], expected: bool) -> None:
    check(pattern, event, expected)


ANYTHING_BUT = [
    case({"a": [{"anything-but": "x"}]}, {"a": "y"}, True),
    case({"a": [{"anything-but": "x"}]}, {"a": "x"}, False),
    case({"a": [{"anything-but": "x"}]}, {}, False),
    case({"a": [{"anything-but": ["x", "y"]}]}, {"a": "y"}, False),
    case({"a": [{"anything-but": [1, 2]}]}, {"a": 3}, True),
    case({"a": [{"anything-but": [1, 2]}]}, {"a": 2}, False),
    case({"a": [{"anything-but": {"prefix": "us-"}}]}, {"a": "eu-1"}, True),
    case({"a": [{"anything-but": {"prefix": "us-"}}]}, {"a": "us-1"}, False),
    case({"a": [{"anything-but": {"suffix": ".png"}}]}, {"a": "x.jpg"}, True),
    case({"a": [{"anything-but": {"suffix": ".png"}}]}, {"a": "x.png"}, False),
    case({"a": [{"anything-but": {"equals-ignore-case": ["X", "y"]}}]}, {"a": "Y"}, False),
    case({"a": [{"anything-but": {"equals-ignore-case": "X"}}]}, {"a": "z"}, True),
    case({"a": [{"anything-but": {"wildcard": "*.png"}}]}, {"a": "x.png"}, False),
]


@pytest.mark.parametrize(("pattern", "event", "expected"), ANYTHING_BUT)
def test_anything_but(pattern: dict[str, Any], event: dict[str, Any], expected: bool) -> None:
    check(pattern, event, expected)


NUMERIC = [
    case({"a": [{"numeric": ["=", 100]}]}, {"a": 100.0}, True),
    case({"a": [{"numeric": ["=", 100]}]}, {"a": "100"}, False),
    case({"a": [{"numeric": [">", 100]}]}, {"a": 101}, True),
    case({"a": [{"numeric": [">", 100]}]}, {"a": 100}, False),
    case({"a": [{"numeric": [">=", 100]}]}, {"a": 100}, True),
    case({"a": [{"numeric": ["<", 100]}]}, {"a": 99.5}, True),
    case({"a": [{"numeric": ["<", 100]}]}, {"a": 100}, False),
    case({"a": [{"numeric": ["<=", 100]}]}, {"a": 100}, True),
    case({"a": [{"numeric": [">=", 100, "<", 200]}]}, {"a": 199}, True),
    case({"a": [{"numeric": [">=", 100, "<", 200]}]}, {"a": 200}, False),
    case({"a": [{"numeric": [">", 0]}]}, {"a": True}, False),
    case({"a": [{"numeric": [">", 0]}]}, {}, False),
]


@pytest.mark.parametrize(("pattern", "event", "expected"), NUMERIC)
def test_numeric(pattern: dict[str, Any], event: dict[str, Any], expected: bool) -> None:
    check(pattern, event, expected)


EXISTS = [
    case({"a": [{"exists": True}]}, {"a": None}, True),
    case({"a": [{"exists": True}]}, {}, False),
    case({"a": [{"exists": False}]}, {}, True),
    case({"a": [{"exists": False}]}, {"a": 0}, False),
    case({"a": {"b": [{"exists": False}]}}, {}, True),
    case({"a": {"b": [{"exists": True}]}}, {"a": {"b": 1}}, True),
]


@pytest.mark.parametrize(("pattern", "event", "expected"), EXISTS)
def test_exists(pattern: dict[str, Any], event: dict[str, Any], expected: bool) -> None:
    check(pattern, event, expected)


PREFIX_SUFFIX = [
    case({"a": [{"prefix": "us-"}]}, {"a": "us-east"}, True),
    case({"a": [{"prefix": "us-"}]}, {"a": "US-east"}, False),
    case({"a": [{"prefix": {"equals-ignore-case": "us-"}}]}, {"a": "US-east"}, True),
    case({"a": [{"prefix": "1"}]}, {"a": 12}, False),
    case({"a": [{"suffix": ".png"}]}, {"a": "x.png"}, True),
    case({"a": [{"suffix": ".png"}]}, {"a": "x.PNG"}, False),
    case({"a": [{"suffix": {"equals-ignore-case": ".png"}}]}, {"a": "x.PNG"}, True),
    case({"a": [{"suffix": ".png"}]}, {"a": "x.jpg"}, False),
]


@pytest.mark.parametrize(("pattern", "event", "expected"), PREFIX_SUFFIX)
def test_prefix_suffix(pattern: dict[str, Any], event: dict[str, Any], expected: bool) -> None:
    check(pattern, event, expected)


WILDCARD = [
    case({"a": [{"wildcard": "dir/*.png"}]}, {"a": "dir/x.png"}, True),
    case({"a": [{"wildcard": "dir/*.png"}]}, {"a": "dir/x.jpg"}, False),
    case({"a": [{"wildcard": "*"}]}, {"a": ""}, True),
    case({"a": [{"wildcard": "a*b*c"}]}, {"a": "abc"}, True),
    case({"a": [{"wildcard": "a.c"}]}, {"a": "abc"}, False),
]


@pytest.mark.parametrize(("pattern", "event", "expected"), WILDCARD)
def test_wildcard(pattern: dict[str, Any], event: dict[str, Any], expected: bool) -> None:
    check(pattern, event, expected)


INVALID = [
    "not json",
    "[]",
    '"text"',
    '{"eventSource":"aws:sqs"}',
    '{"eventSource":[]}',
    '{"a":{}}',
    '{"a":[{"exists":"yes"}]}',
    '{"a":[{"prefix":1}]}',
    '{"a":[{"unknown-op":1}]}',
    '{"a":[{"prefix":"x","suffix":"y"}]}',
    '{"a":[{"numeric":[">"]}]}',
    '{"a":[{"numeric":["!=",1]}]}',
    '{"a":[{"numeric":[">",1,">",2]}]}',
    '{"a":[{"numeric":[">",5,"<",1]}]}',
    '{"a":[{"numeric":["=",1,"<",2]}]}',
    '{"a":[{"numeric":[">","1"]}]}',
    '{"a":[{"anything-but":[]}]}',
    '{"a":[{"anything-but":{"exists":true}}]}',
    '{"a":[{"wildcard":"a**b"}]}',
    '{"$or":{"a":["1"]}}',
    '{"$or":[]}',
    '{"a":[NaN]}',
    '{"a":["' + "x" * 4100 + '"]}',
]


@pytest.mark.parametrize("text", INVALID)
def test_invalid_patterns(text: str) -> None:
    with pytest.raises(InvalidFilterPattern) as info:
        parse_pattern(text)
    assert str(info.value) == INVALID_PATTERN


def test_duplicate_keys_last_wins() -> None:
    assert match('{"a":["1"],"a":["2"]}', {"a": "2"})
    assert not match('{"a":["1"],"a":["2"]}', {"a": "1"})


def test_up_to_five_filters_any_matches() -> None:
    patterns = parse_patterns([json.dumps({"n": [i]}) for i in range(5)])
    assert passes(patterns, {"n": 4})
    assert not passes(patterns, {"n": 5})
    assert passes((), {"n": 5})
    with pytest.raises(InvalidFilterPattern):
        parse_patterns([json.dumps({"n": [i]}) for i in range(6)])


# The SQS filter examples of AWS's documentation (with-sqs-filtering).
SQS_RECORD = {
    "messageId": "m1",
    "body": json.dumps({"RetailCategory": "Fruits", "Weight": 220, "Region": "us-east-1"}),
    "attributes": {"ApproximateReceiveCount": "1"},
    "eventSource": "aws:sqs",
}


@pytest.mark.parametrize(
    ("pattern", "record", "expected"),
    [
        ({"body": {"RetailCategory": ["Fruits"]}}, SQS_RECORD, True),
        ({"body": {"Weight": [{"numeric": [">", 150]}]}}, SQS_RECORD, True),
        ({"body": {"Region": [{"prefix": "eu-"}]}}, SQS_RECORD, False),
        ({"attributes": {"ApproximateReceiveCount": ["1"]}}, SQS_RECORD, True),
        # plain body matches plain patterns only, and JSON bodies never match strings
        ({"body": ["hello"]}, {**SQS_RECORD, "body": "hello"}, True),
        ({"body": {"a": ["hello"]}}, {**SQS_RECORD, "body": "hello"}, False),
        ({"body": [SQS_RECORD["body"]]}, SQS_RECORD, False),
    ],
)
def test_sqs_view(pattern: dict[str, Any], record: dict[str, Any], expected: bool) -> None:
    assert match(pattern, sqs_filter_view(record)) is expected
    assert sqs_filter_view(record) is not record


DDB_RECORD = {
    "eventName": "INSERT",
    "dynamodb": {
        "ApproximateCreationDateTime": 1678831218.0,
        "NewImage": {"presentKey": {"S": "presentValue"}, "n": {"N": "5"}},
    },
}


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ({"dynamodb": {"NewImage": {"presentKey": {"S": ["presentValue"]}}}}, True),
        ({"dynamodb": {"NewImage": {"presentKey": ["presentValue"]}}}, False),
        ({"dynamodb": {"NewImage": {"presentKey": {"S": [{"exists": True}]}}}}, True),
        ({"dynamodb": {"NewImage": {"absent": [{"exists": False}]}}}, True),
        ({"dynamodb": {"NewImage": {"n": {"N": [{"numeric": [">", 1]}]}}}}, False),
        ({"dynamodb": {"ApproximateCreationDateTime": [{"numeric": [">", 0]}]}}, True),
        ({"eventName": ["INSERT", "MODIFY"]}, True),
        ({"eventName": ["REMOVE"]}, False),
    ],
)
def test_dynamodb_view(pattern: dict[str, Any], expected: bool) -> None:
    assert match(pattern, dynamodb_filter_view(DDB_RECORD)) is expected


def kinesis_record(data: bytes) -> dict[str, Any]:
    return {
        "kinesis": {"partitionKey": "p1", "data": base64.b64encode(data).decode()},
        "eventSource": "aws:kinesis",
    }


@pytest.mark.parametrize(
    ("pattern", "data", "expected"),
    [
        ({"data": {"City": ["Seattle"]}}, b'{"City":"Seattle"}', True),
        ({"data": {"City": ["Seattle"]}}, b'{"City":"Boston"}', False),
        ({"data": {"City": ["Seattle"]}}, b"Seattle", False),
        ({"partitionKey": ["p1"]}, b"anything", True),
        ({"eventSource": ["aws:kinesis"]}, b"{}", True),
    ],
)
def test_kinesis_view(pattern: dict[str, Any], data: bytes, expected: bool) -> None:
    assert match(pattern, kinesis_filter_view(kinesis_record(data))) is expected


# --- algebra --------------------------------------------------------------------------

scalars = st.one_of(st.text(max_size=6), st.integers(-1000, 1000), st.none(), st.booleans())
strings_or_numbers = st.one_of(st.text(max_size=6), st.integers(-1000, 1000))


@given(excluded=st.lists(st.text(max_size=4), min_size=1, max_size=3), value=scalars)
def test_anything_but_never_matches_what_equals_matches(excluded: list[str], value: Any) -> None:
    plain = match({"a": excluded}, {"a": value})
    negated = match({"a": [{"anything-but": excluded}]}, {"a": value})
    assert not (plain and negated)
    if isinstance(value, str):
        assert plain != negated


@given(prefix=st.text(max_size=3), value=st.text(max_size=6))
def test_anything_but_prefix_is_the_complement(prefix: str, value: str) -> None:
    assert match({"a": [{"prefix": prefix}]}, {"a": value}) != match(
        {"a": [{"anything-but": {"prefix": prefix}}]}, {"a": value}
    )


@given(value=st.one_of(scalars, st.just({"x": 1})), present=st.booleans())
def test_exists_true_and_false_partition(value: Any, present: bool) -> None:
    event = {"a": value} if present else {}
    assert match({"a": [{"exists": True}]}, event) != match({"a": [{"exists": False}]}, event)


@given(
    low=st.integers(-100, 100),
    width=st.integers(1, 50),
    value=st.one_of(st.integers(-200, 200), st.floats(-200, 200, allow_nan=False)),
)
def test_numeric_range_is_the_and_of_its_bounds(low: int, width: int, value: float) -> None:
    high = low + width
    both = match({"a": [{"numeric": [">", low, "<=", high]}]}, {"a": value})
    lower = match({"a": [{"numeric": [">", low]}]}, {"a": value})
    upper = match({"a": [{"numeric": ["<=", high]}]}, {"a": value})
    assert both == (lower and upper)


@given(a=strings_or_numbers, b=strings_or_numbers, value=strings_or_numbers)
def test_list_is_or_of_elements(a: Any, b: Any, value: Any) -> None:
    assert match({"k": [a, b]}, {"k": value}) == (
        match({"k": [a]}, {"k": value}) or match({"k": [b]}, {"k": value})
    )


@given(value=st.text(max_size=8))
def test_equals_ignore_case_agrees_with_casefold(value: str) -> None:
    assert match({"a": [{"equals-ignore-case": "AbC"}]}, {"a": value}) == (
        value.casefold() == "abc"
    )
