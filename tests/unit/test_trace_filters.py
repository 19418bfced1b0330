"""X-Ray filter expressions over summaries of stored traces: matches, non-matches, refusals."""

from __future__ import annotations

from typing import Any

import pytest

from lambdad.daemon.tracing import filters
from lambdad.daemon.tracing.store import TraceStore, TraceSummary

ROOT = "1-5759e988-bd862e3fe1be46a994272793"


def _trace(*documents: dict[str, Any]) -> TraceSummary:
    store = TraceStore()
    for document in documents:
        store.put({"trace_id": ROOT, **document})
    (summary,) = store.summaries(0, 1e10)
    return summary


# An API call (entry segment with http) into a function that faulted, with annotations on a
# subsegment and on an independently sent subsegment.
FAULTY = _trace(
    {
        "id": "a" * 16,
        "name": "api.example.com",
        "origin": "AWS::ApiGateway::Stage",
        "start_time": 10.0,
        "end_time": 12.5,
        "http": {
            "request": {
                "url": "https://api.example.com/v2/orders?id=7",
                "method": "POST",
                "user_agent": "curl/8.0",
                "client_ip": "10.0.0.7",
            },
            "response": {"status": 502},
        },
        "fault": True,
    },
    {
        "id": "b" * 16,
        "parent_id": "a" * 16,
        "name": "orders",
        "origin": "AWS::Lambda::Function",
        "start_time": 10.5,
        "end_time": 13.0,
        "subsegments": [
            {"id": "c" * 16, "name": "work", "annotations": {"account": "12345", "items": 3}},
        ],
    },
    {
        "id": "d" * 16,
        "type": "subsegment",
        "parent_id": "b" * 16,
        "name": "late",
        "start_time": 11.0,
        "end_time": 11.2,
        "annotations": {"retried": True},
    },
)
# A quick successful trace with no http and no annotations.
QUIET = _trace({"id": "e" * 16, "name": "other", "start_time": 20.0, "end_time": 20.25})
# A trace still in progress, throttled (error) downstream.
PARTIAL = _trace(
    {"id": "f" * 16, "name": "orders", "start_time": 30.0, "in_progress": True},
    {
        "id": "1" * 16,
        "parent_id": "f" * 16,
        "name": "dynamodb",
        "start_time": 30.1,
        "end_time": 30.2,
        "error": True,
        "throttle": True,
    },
)
TRACES = {"faulty": FAULTY, "quiet": QUIET, "partial": PARTIAL}

# expression -> names of the traces it selects.
MATCHES: list[tuple[str, set[str]]] = [
    # boolean keywords, bare, negated and compared
    ("fault", {"faulty"}),
    ("!fault", {"quiet", "partial"}),
    ("NOT fault", {"quiet", "partial"}),
    ("fault = true", {"faulty"}),
    ("fault != true", {"quiet", "partial"}),
    ("fault = false", {"quiet", "partial"}),
    ("error", {"partial"}),
    ("throttle", {"partial"}),
    ("partial", {"partial"}),
    ("ok", {"quiet"}),
    ("ok !partial duration < 3", {"quiet"}),
    # numbers (seconds)
    ("duration = 3", {"faulty"}),
    ("duration != 3", {"quiet", "partial"}),
    ("duration >= 0.25", {"faulty", "quiet"}),
    ("duration > 0.25", {"faulty"}),
    ("duration < 1", {"quiet", "partial"}),
    ("duration <= 0.25", {"quiet", "partial"}),
    ("responsetime > 2", {"faulty"}),
    ("responsetime = 0.25", {"quiet"}),
    ("duration >= 1 AND duration <= 8", {"faulty"}),
    ("http.status = 502", {"faulty"}),
    ("http.status >= 500", {"faulty"}),
    ("http.status != 200", {"faulty"}),  # a trace without http never matches
    # strings
    ('http.url BEGINSWITH "https://api.example.com/"', {"faulty"}),
    ('http.url CONTAINS "/v2/" AND http.url ENDSWITH "id=7"', {"faulty"}),
    ('http.url contains "/v3/"', set()),
    ('http.method = "POST"', {"faulty"}),
    ('http.method != "GET"', {"faulty"}),
    ('http.useragent BEGINSWITH "curl/"', {"faulty"}),
    ('http.clientip = "10.0.0.7"', {"faulty"}),
    # annotations anywhere in the trace, by type
    ('annotation.account = "12345"', {"faulty"}),
    ('annotation.account != "12345"', set()),
    ('annotation.account BEGINSWITH "123"', {"faulty"}),
    ("annotation.account = 12345", set()),  # a string is not the number
    ("annotation.items >= 3", {"faulty"}),
    ("annotation.items < 3", set()),
    ("annotation.retried = true", {"faulty"}),
    ("annotation.retried != true", set()),
    ('annotation.missing = "x"', set()),
    # services
    ('service("orders")', {"faulty", "partial"}),
    ('!service("orders")', {"quiet"}),
    ('service("nope")', set()),
    ('service(id(name: "orders", type: "AWS::Lambda::Function"))', {"faulty"}),
    ('service(id(type: "AWS::ApiGateway::Stage"))', {"faulty"}),
    ('service(id(name: "orders", type: "AWS::EC2::Instance"))', set()),
    # combinations, precedence (NOT > AND > OR), symbols and parentheses
    ('service("orders") AND fault', {"faulty"}),
    ('service("orders") && !fault', {"partial"}),
    ("fault OR partial", {"faulty", "partial"}),
    ("fault || ok", {"faulty", "quiet"}),
    ("fault OR partial AND ok", {"faulty"}),
    ("(fault OR partial) AND !error", {"faulty"}),
    ("NOT (fault OR partial)", {"quiet"}),
    ('  service("orders")\tand  NOT   fault ', {"partial"}),
    (r'http.url CONTAINS "\"" OR annotation.account = "12345"', {"faulty"}),
]


@pytest.mark.parametrize(("expression", "selected"), MATCHES, ids=[m[0] for m in MATCHES])
def test_expression_selects(expression: str, selected: set[str]) -> None:
    parsed = filters.parse(expression)
    assert {name for name, trace in TRACES.items() if parsed.matches(trace)} == selected


# expression -> a part of the message that names what is wrong.
REFUSALS: list[tuple[str, str]] = [
    ("", "empty"),
    ('edge("a", "b")', "keyword 'edge'"),
    ('user = "alice"', "keyword 'user'"),
    ('rootcause.fault.service { name = "x" }', "keyword 'rootcause.fault.service'"),
    ('groupname = "g"', "keyword 'groupname'"),
    ('id(name: "x")', "keyword 'id'"),
    ("service", "keyword 'service'"),
    ('service("orders") { fault = true }', "scoped filters"),
    ('annotation[account] = "1"', "keyword 'annotation'"),
    ("annotation.account", "'annotation.account' needs an operator"),
    ("annotation.items > true", "true or false with = or != only"),
    ("annotation.account = account", "quoted string, a number, true or false"),
    ("responsetime", "'responsetime' takes one of"),
    ('responsetime > "5"', "'responsetime' compares with a number"),
    ("duration CONTAINS 5", "'duration' takes one of"),
    ('http.status = "200"', "'http.status' compares with a number"),
    ('http.url > "a"', "'http.url' takes one of"),
    ("http.url = https", "'http.url' compares with a quoted string"),
    ("fault = yes", "'fault' compares with true or false"),
    ("latency > 5", "Unknown filter expression keyword 'latency'"),
    ("fault AND", "Expected a keyword at position 9"),
    ("(fault OR error", "Expected ')'"),
    ("fault)", "Unexpected ')'"),
    ('service("orders"', "Expected ')'"),
    ("service(42)", "service() takes a quoted name"),
    ('service(id(account.id: "1"))', "Unsupported id() field 'account.id'"),
    ('service(id(name: "a", name: "b"))', "given twice"),
    ('http.url = "unterminated', "Unterminated string at position 11"),
    ("fault # comment", "Unexpected character '#'"),
    ("duration > 1e999", "out of range"),
]


@pytest.mark.parametrize(("expression", "message"), REFUSALS, ids=[r[0] for r in REFUSALS])
def test_expression_is_refused(expression: str, message: str) -> None:
    with pytest.raises(filters.FilterError) as caught:
        filters.parse(expression)
    assert message in str(caught.value)


def test_summary_carries_what_the_filters_read() -> None:
    assert FAULTY.http is not None
    assert (FAULTY.http.url, FAULTY.http.status, FAULTY.http.method) == (
        "https://api.example.com/v2/orders?id=7",
        502,
        "POST",
    )
    assert (FAULTY.http.user_agent, FAULTY.http.client_ip) == ("curl/8.0", "10.0.0.7")
    assert sorted(FAULTY.annotations) == [("account", "12345"), ("items", 3), ("retried", True)]
    assert QUIET.http is None and QUIET.annotations == ()
    assert (FAULTY.duration, FAULTY.response_time) == (3.0, 2.5)
