"""CloudWatch Logs filter patterns (domain/log_filters.py): the documented forms."""

from __future__ import annotations

import json

import pytest

from lambdad.daemon.domain.log_filters import LogPatternError, parse

TEXT = [
    "START RequestId: 1 Version: $LATEST",
    "[ERROR] Failed to connect to db",
    "[WARN] slow response 1200 ms",
    "INFO all good",
    "END RequestId: 1",
]


def _matching(pattern: str, lines: list[str]) -> list[str]:
    matcher = parse(pattern)
    return [line for line in lines if matcher(line)]


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("", TEXT),
        ('""', TEXT),
        ("ERROR", [TEXT[1]]),
        ("error", []),  # case-sensitive
        ("RequestId", [TEXT[0], TEXT[4]]),
        ("RequestId Version", [TEXT[0]]),  # every term
        ('"Failed to connect"', [TEXT[1]]),
        ('"failed to connect"', []),
        ("?ERROR ?WARN", [TEXT[1], TEXT[2]]),  # any optional term
        ("RequestId -END", [TEXT[0]]),  # excluded term
        ('-"RequestId"', TEXT[1:4]),
        ("%[0-9]{4} ms%", [TEXT[2]]),
        ("%^END%", [TEXT[4]]),
    ],
)
def test_term_patterns(pattern: str, expected: list[str]) -> None:
    assert _matching(pattern, TEXT) == expected


JSON_LINES = [
    json.dumps({"level": "ERROR", "message": "boom", "latency": 250, "user": {"id": 7}}),
    json.dumps({"level": "INFO", "message": "ok", "latency": 12, "retry": True, "tags": ["a"]}),
    json.dumps({"level": "WARN", "message": "slow request", "latency": 100, "trace": None}),
    "plain text ERROR line",
]


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ('{ $.level = "ERROR" }', [0]),
        ("{ $.level = ERROR }", [0]),
        ('{ $.level != "ERROR" }', [1, 2]),
        ("{ $.latency > 100 }", [0]),
        ("{ $.latency >= 100 }", [0, 2]),
        ("{ $.latency < 100 }", [1]),
        ("{ $.latency = 12 }", [1]),
        ('{ $.message = "slow*" }', [2]),
        ('{ $.message = "*o*" }', [0, 1, 2]),
        ("{ $.message = %^b.*m$% }", [0]),
        ("{ $.user.id = 7 }", [0]),
        ('{ $.tags[0] = "a" }', [1]),
        ("{ $.retry IS TRUE }", [1]),
        ("{ $.retry IS FALSE }", []),
        ("{ $.trace IS NULL }", [2]),
        ("{ $.user NOT EXISTS }", [1, 2]),
        ("{ $.user EXISTS }", [0]),
        ('{ $.level = "ERROR" || $.latency < 50 }', [0, 1]),
        ('{ $.level = "WARN" && $.latency >= 100 }', [2]),
        ('{ ($.level = "ERROR" || $.level = "WARN") && $.latency > 200 }', [0]),
    ],
)
def test_json_patterns(pattern: str, expected: list[int]) -> None:
    assert _matching(pattern, JSON_LINES) == [JSON_LINES[i] for i in expected]


ACCESS = [
    '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 200 1534',
    '127.0.0.1 - frank [10/Oct/2000:13:35:22 -0700] "GET /apache_pb.gif HTTP/1.0" 500 5256',
    '127.0.0.1 - frank [10/Oct/2000:13:50:35 -0700] "GET /apache_pb.gif HTTP/1.0" 404 0',
]


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("[ip, user, username, timestamp, request, status_code, bytes]", [0, 1, 2]),
        ("[ip, user, username, timestamp, request, status_code = 4*, bytes]", [2]),
        ("[..., status_code = 5*, bytes]", [1]),
        ("[..., status_code != 200, bytes > 1000]", [1]),
        ("[ip, ..., status_code = 404 || status_code = 500, bytes]", [1, 2]),
        ('[ip, user, username, timestamp, request = "GET /apache*", ...]', [0, 1, 2]),
        ("[ip, user]", []),  # too few fields without `...`
    ],
)
def test_space_delimited_patterns(pattern: str, expected: list[int]) -> None:
    assert _matching(pattern, ACCESS) == [ACCESS[i] for i in expected]


@pytest.mark.parametrize(
    "pattern",
    ['{ $.level = "ERROR" ', "{ $.level }", "{ level = 1 }", '"unterminated', "%(%", "[a, , b]"],
)
def test_unreadable_patterns_are_refused(pattern: str) -> None:
    with pytest.raises(LogPatternError):
        parse(pattern)
