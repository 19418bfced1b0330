"""The fast Invoke path's pure parts: which request heads it parses, how it writes answers
(the byte-for-byte comparison with aiohttp over HTTP: tests/daemon/test_gateway_fast_invoke.py)."""

from __future__ import annotations

import pytest
from aiohttp import web

from lambdad.gateway.fast_invoke import parse_head, wire_answer

LINE = "POST /2015-03-31/functions/f/invocations HTTP/1.1"


def test_a_plain_head_is_parsed_with_lower_case_names() -> None:
    head = f"{LINE}\r\nHost: h\r\nX-Amz-Log-Type:  Tail \t\r\nContent-Length: 2".encode()
    assert parse_head(head) == (
        "POST",
        "/2015-03-31/functions/f/invocations",
        {"host": "h", "x-amz-log-type": "Tail", "content-length": "2"},
    )


@pytest.mark.parametrize(
    "head",
    [
        f"{LINE}\r\nHost: h\r\nhost: h2",  # repeated
        f"{LINE}\r\nHost: h\r\n Folded: x",  # folded / not a token
        f"{LINE}\r\nBad Name: x",
        f"{LINE}\r\nX: a\nY: b",  # bare LF
        f"{LINE}\r\nX: a\rb",  # bare CR
        f"{LINE}\r\nX: a\x00b",
        f"{LINE}\r\nX: a\x7fb",
        f"{LINE}\r\nNoColon",
        LINE.replace("HTTP/1.1", "HTTP/1.0"),
        LINE.replace("POST", "PO(ST"),
        LINE + " extra",
        f"{LINE}\r\nX: \u00e9",
    ],
)
def test_heads_left_to_aiohttp(head: str) -> None:
    assert parse_head(head.encode("utf-8")) is None


def test_answer_headers_in_aiohttp_s_order() -> None:
    response = web.Response(status=200, body=b"{}", headers={"x-amzn-RequestId": "r"})
    head, body = wire_answer(response)
    lines = head.decode().split("\r\n")
    assert lines[0] == "HTTP/1.1 200 OK"
    assert [line.split(":")[0] for line in lines[1:-2]] == [
        "x-amzn-RequestId",
        "Content-Length",
        "Content-Type",
        "Date",
        "Server",
    ]
    assert "Content-Type: application/octet-stream" in lines
    assert lines[-2:] == ["", ""]
    assert body == b"{}"


def test_no_content_length_or_body_on_204() -> None:
    response = web.Response(status=204, body=b"x", headers={"Content-Length": "1"})
    head, body = wire_answer(response)
    assert b"Content-Length" not in head
    assert body == b""


@pytest.mark.parametrize("value", ["a\r\nInjected: 1", "a\nb", "a\rb", "a\x00b"])
def test_header_injection_is_refused(value: str) -> None:
    response = web.Response(status=200, body=b"{}")
    response.headers["X-Amz-Function-Error"] = value
    with pytest.raises(ValueError, match="control character"):
        wire_answer(response)
