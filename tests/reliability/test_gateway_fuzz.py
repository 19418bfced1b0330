"""Gateway fuzz against `lambdad serve` as a user runs it (subprocess, JSON log mode).

Two sources of hostile input, both over raw sockets / plain HTTP (no SDK to tidy them up):
- botocore's own Lambda service model: any of its operations (lambdad implements most, not
  all), each member drawn valid, wrong-typed, out of range or missing, placed where the model
  puts it (URI, query string, header, JSON body, raw payload);
- malformed HTTP: broken request lines, bad headers, conflicting or lying lengths, truncated
  bodies, huge headers, bad JSON, wrong content types, random bytes.

Every answer must be below 500, and every line the daemon logged must be JSON. Bounded for CI
(a few hundred examples, well under a minute); `LAMBDAD_FUZZ_EXAMPLES` scales it up. The
unit-level fuzz of each route against a stand-in daemon is tests/unit/test_gateway_fuzz.py.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import io
import json
import os
import re
import socket
import string
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

import botocore.session
import pytest
from botocore.model import OperationModel, Shape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.reliability.served_daemon import ServedDaemon, log_lines

EXAMPLES = int(os.environ.get("LAMBDAD_FUZZ_EXAMPLES", "200"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,  # the same bounded run every time in CI
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)
LAMBDA = botocore.session.get_session().get_service_model("lambda")
OPERATIONS = sorted(LAMBDA.operation_names)
STATUS_LINE = re.compile(rb"^HTTP/1\.[01] (\d{3})")


@dataclass
class Tally:
    """What the module sent and got back, for the one-line figure."""

    model_requests: int = 0
    raw_requests: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    no_answer: int = 0
    server_errors: list[str] = field(default_factory=list)

    def record(self, status: int | None, what: str) -> None:
        if status is None:
            self.no_answer += 1
            return
        self.statuses[status] = self.statuses.get(status, 0) + 1
        if status >= 500:
            self.server_errors.append(f"{status} {what[:300]}")


@pytest.fixture(scope="module")
def tally() -> Tally:
    return Tally()


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory, tally: Tally, request: pytest.FixtureRequest
) -> Iterator[ServedDaemon]:
    root = tmp_path_factory.mktemp("fuzz")
    daemon = ServedDaemon(root / "data", root / "lambdad.log").start()
    # One real function, so the fuzz also reaches code paths behind a found resource.
    created = send(daemon.gateway_port, CREATE_FUZZ_FUNCTION)
    assert created == 201, created
    yield daemon
    daemon.stop()
    lines = log_lines(daemon.log_path)
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    figure = (
        f"gateway fuzz: {tally.model_requests} model requests, {tally.raw_requests} raw "
        f"requests, {len(tally.server_errors)} answers >= 500, {tally.no_answer} closed "
        f"without answer, {len(lines.records)} JSON log lines, "
        f"{len(lines.not_json)} non-JSON log lines"
    )
    if reporter is not None:
        reporter.write_line(figure)


# --- botocore's model -> raw HTTP requests ----------------------------------------------

TEXT = st.text(max_size=40)
WRONG_TYPES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    TEXT,
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
)


def _string(shape: Shape) -> st.SearchStrategy[Any]:
    metadata = shape.metadata
    choices: list[st.SearchStrategy[Any]] = [TEXT]
    if shape.enum:
        choices.append(st.sampled_from(shape.enum))
    low, high = metadata.get("min", 0), metadata.get("max", 64)
    choices.append(
        st.text(alphabet=string.ascii_letters + string.digits + "-_:$.", min_size=0, max_size=8)
    )
    choices.append(st.sampled_from(["a" * max(high + 1, 1), "", "x" * max(low - 1, 0)]))
    return st.one_of(*choices)


def value_for(shape: Shape, depth: int = 0) -> st.SearchStrategy[Any]:
    """A value for `shape`: often plausible, sometimes out of range or of the wrong type."""
    kind = shape.type_name
    plausible: st.SearchStrategy[Any]
    if kind == "string":
        plausible = _string(shape)
    elif kind in ("integer", "long"):
        plausible = st.one_of(
            st.integers(min_value=-5, max_value=100_000),
            st.sampled_from([2**31, -(2**31) - 1, 2**63, 10**30]),
        )
    elif kind == "double":
        plausible = st.floats(allow_nan=False, allow_infinity=False)
    elif kind == "boolean":
        plausible = st.booleans()
    elif kind == "timestamp":
        plausible = st.one_of(st.integers(min_value=-(2**40), max_value=2**40), TEXT)
    elif kind == "blob":
        plausible = st.one_of(
            st.binary(max_size=64).map(lambda b: base64.b64encode(b).decode()), TEXT
        )
    elif depth >= 3:
        plausible = st.none()
    elif kind == "list":
        plausible = st.lists(value_for(shape.member, depth + 1), max_size=3)
    elif kind == "map":
        plausible = st.dictionaries(
            st.text(max_size=10), value_for(shape.value, depth + 1), max_size=3
        )
    else:  # structure
        plausible = st.fixed_dictionaries(
            {},
            optional={name: value_for(member, depth + 1) for name, member in shape.members.items()},
        )
    return st.one_of(plausible, plausible, plausible, WRONG_TYPES)


@dataclass(frozen=True)
class ModelRequest:
    operation: str
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None


def _header_text(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value)
    # http.client refuses CR/LF and non-latin-1 in headers (the raw fuzz covers those).
    return "".join(c for c in text if 32 <= ord(c) < 127)[:200]


def _uri_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


@st.composite
def model_requests(draw: st.DrawFn) -> ModelRequest:
    operation: OperationModel = LAMBDA.operation_model(draw(st.sampled_from(OPERATIONS)))
    uri_template: str = operation.http["requestUri"]
    path_part, _, fixed_query = uri_template.partition("?")
    shape = operation.input_shape
    members = shape.members if shape is not None else {}
    payload_name = shape.serialization.get("payload") if shape is not None else None
    path = path_part
    query: list[tuple[str, str]] = [
        tuple(pair.split("=", 1)) if "=" in pair else (pair, "")  # type: ignore[misc]
        for pair in fixed_query.split("&")
        if pair
    ]
    headers: dict[str, str] = {}
    body: dict[str, Any] = {}
    payload: bytes | None = None
    for name, member in members.items():
        location = member.serialization.get("location")
        wire_name = member.serialization.get("name", name)
        if location == "uri":
            value = draw(
                st.one_of(
                    st.sampled_from(EXISTING_NAMES),
                    value_for(member),
                    st.text(min_size=1, max_size=30),
                )
            )
            text = quote(_uri_text(value) or "x", safe="")
            path = path.replace("{" + wire_name + "}", text).replace("{" + wire_name + "+}", text)
            continue
        if not draw(st.booleans()):
            continue  # members are optional to the fuzzer, required or not
        value = draw(value_for(member))
        if location == "querystring":
            values = value if isinstance(value, list) else [value]
            query.extend((wire_name, _uri_text(v)) for v in values)
        elif location == "header":
            headers[wire_name] = _header_text(value)
        elif name == payload_name and member.type_name == "blob":
            payload = draw(
                st.one_of(
                    st.binary(max_size=200),
                    st.just(json.dumps(value).encode()),
                    st.just(b'{"ok": true}'),
                )
            )
        else:
            body[name] = value
    if payload is None and (body or operation.http["method"] in ("POST", "PUT")):
        payload = json.dumps(body).encode()
    if payload is not None:
        headers.setdefault(
            "Content-Type", draw(st.sampled_from(["application/json", "text/plain", ""]))
        )
    full_path = path + ("?" + urlencode(query) if query else "")
    return ModelRequest(operation.name, operation.http["method"], full_path, headers, payload)


def _fuzz_function() -> ModelRequest:
    package = io.BytesIO()
    with zipfile.ZipFile(package, "w") as archive:
        archive.writestr("app.py", "def handler(event, context):\n    return event\n")
    body = {
        "FunctionName": "fuzz",
        "Runtime": "python3.12",
        "Handler": "app.handler",
        "Role": "arn:aws:iam::000000000000:role/lambda-role",
        "Code": {"ZipFile": base64.b64encode(package.getvalue()).decode()},
    }
    return ModelRequest(
        "CreateFunction",
        "POST",
        "/2015-03-31/functions",
        {"Content-Type": "application/json"},
        json.dumps(body).encode(),
    )


CREATE_FUZZ_FUNCTION = _fuzz_function()
EXISTING_NAMES = [
    "fuzz",
    "fuzz:$LATEST",
    "arn:aws:lambda:us-east-1:000000000000:function:fuzz",
    "arn:aws:lambda:us-east-1:000000000000:layer:fuzz:1",
]


def send(port: int, request: ModelRequest) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request(request.method, request.path, body=request.body, headers=request.headers)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


@FUZZ
@given(request=model_requests())
def test_botocore_model_operations_never_answer_5xx(
    served: ServedDaemon, tally: Tally, request: ModelRequest
) -> None:
    status = send(served.gateway_port, request)
    tally.model_requests += 1
    tally.record(status, f"{request.operation} {request.method} {request.path}")
    assert status < 500, request


# --- malformed HTTP over a socket -------------------------------------------------------


def exchange(port: int, data: bytes, *, patience: float = 1.0) -> bytes:
    """Send `data` raw and return the start of the answer (its status line, if any).

    The server gets `patience` seconds to answer what it has; only then is our sending side
    closed (a truncated body is otherwise awaited for ever), and what follows is read until
    the server hangs up. Closing first would make aiohttp drop answers it was writing.
    """
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        # The server may hang up mid-send (e.g. on a huge header): its answer still counts.
        with contextlib.suppress(OSError):
            sock.sendall(data)
        answer = _read_answer(sock, patience)
        if answer is None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_WR)
            answer = _read_answer(sock, 10) or b""
        return answer


def _read_answer(sock: socket.socket, timeout: float) -> bytes | None:
    """Bytes up to the end of a status line, b"" if the server closed, None on timeout."""
    sock.settimeout(timeout)
    received = b""
    try:
        while b"\r\n" not in received and len(received) < 1 << 16:
            chunk = sock.recv(65536)
            if not chunk:
                return received
            received += chunk
    except TimeoutError:
        return received or None
    except OSError:
        return received
    return received


def raw_status(answer: bytes) -> int | None:
    match = STATUS_LINE.match(answer)
    return int(match.group(1)) if match else None


def _request(head: str, body: bytes = b"", **headers: str) -> bytes:
    lines = [head, "Host: localhost", *(f"{k.replace('_', '-')}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


INVOKE = "POST /2015-03-31/functions/fuzz/invocations HTTP/1.1"
CREATE = "POST /2015-03-31/functions HTTP/1.1"
MALFORMED: dict[str, bytes] = {
    "garbage-line": b"GARBAGE\r\n\r\n",
    "method-only": b"GET\r\n\r\n",
    "no-version": b"GET /2015-03-31/functions/\r\n\r\n",
    "http-9": b"GET /2015-03-31/functions/ HTTP/9.9\r\nHost: x\r\n\r\n",
    "http-0.9": b"GET /\r\n",
    "bad-method-chars": b"G{}T / HTTP/1.1\r\nHost: x\r\n\r\n",
    "nul-in-path": b"GET /2015-03-31/functions/\x00 HTTP/1.1\r\nHost: x\r\n\r\n",
    "non-ascii-path": "GET /2015-03-31/functions/é HTTP/1.1\r\nHost: x\r\n\r\n".encode(),
    "space-in-path": b"GET /2015-03-31/ functions HTTP/1.1\r\nHost: x\r\n\r\n",
    "100k-uri": b"GET /" + b"a" * 100_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
    "tls-hello": bytes.fromhex("16030100a5010000a10303") + os.urandom(64),
    "header-no-colon": b"GET / HTTP/1.1\r\nHost: x\r\nNoColonHere\r\n\r\n",
    "header-space-before-colon": b"GET / HTTP/1.1\r\nHost : x\r\n\r\n",
    "header-ctl-chars": b"GET / HTTP/1.1\r\nHost: x\r\nX-A: \x01\x02\x7f\r\n\r\n",
    "header-obs-fold": b"GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n  folded\r\n\r\n",
    "header-bare-lf": b"GET / HTTP/1.1\nHost: x\nX-A: a\n\n",
    "huge-header": _request("GET /2016-08-19/account-settings HTTP/1.1", X_Big="v" * 1_000_000),
    "many-headers": _request(
        "GET /2016-08-19/account-settings HTTP/1.1",
        **{f"X_H{i}": "v" * 100 for i in range(2_000)},
    ),
    "header-8k-each": _request(
        "GET /2016-08-19/account-settings HTTP/1.1", **{f"X_H{i}": "v" * 8_000 for i in range(20)}
    ),
    "length-not-a-number": _request(INVOKE, b"{}", Content_Length="abc"),
    "length-negative": _request(INVOKE, b"{}", Content_Length="-1"),
    "length-huge": _request(INVOKE, b"{}", Content_Length="9" * 30),
    "length-conflicting": b"POST /2015-03-31/functions/fuzz/invocations HTTP/1.1\r\nHost: x\r\n"
    b"Content-Length: 2\r\nContent-Length: 5\r\n\r\n{}",
    "length-and-chunked": _request(
        INVOKE, b"2\r\n{}\r\n0\r\n\r\n", Content_Length="3", Transfer_Encoding="chunked"
    ),
    "chunk-size-garbage": _request(INVOKE, b"zz\r\n{}\r\n0\r\n\r\n", Transfer_Encoding="chunked"),
    "chunk-size-huge": _request(INVOKE, b"ffffffffffffffffff\r\n{}", Transfer_Encoding="chunked"),
    "chunk-unterminated": _request(INVOKE, b"5\r\n{}", Transfer_Encoding="chunked"),
    "te-unknown": _request(INVOKE, b"{}", Transfer_Encoding="gzip, identity"),
    "truncated-body": _request(INVOKE, b'{"a": 1', Content_Length="100"),
    "truncated-create": _request(
        CREATE, b'{"FunctionName": "f", "Code": {"ZipFile": "UEs', Content_Length="5000"
    ),
    "bad-json": _request(CREATE, b'{"FunctionName": ', Content_Length="17"),
    "json-array": _request(CREATE, b"[1,2,3]", Content_Length="7"),
    "json-deep": _request(CREATE, b"[" * 100_000, Content_Length="100000"),
    "xml-content-type": _request(
        CREATE, b"<a>1</a>", Content_Length="8", Content_Type="application/xml"
    ),
    "form-content-type": _request(
        CREATE, b"a=1&b=2", Content_Length="7", Content_Type="application/x-www-form-urlencoded"
    ),
    "multipart-garbage": _request(
        CREATE, b"--x\r\n\r\n", Content_Length="7", Content_Type="multipart/form-data; boundary"
    ),
    "bad-charset": _request(
        CREATE, b"{}", Content_Length="2", Content_Type="application/json; charset=nope"
    ),
    "invoke-binary": _request(INVOKE, os.urandom(64), Content_Length="64"),
    "gzip-lies": _request(CREATE, b"{}", Content_Length="2", Content_Encoding="gzip"),
    "expect-continue": _request(INVOKE, b"", Content_Length="10", Expect="100-continue"),
    "bad-host": b"GET /2016-08-19/account-settings HTTP/1.1\r\nHost: \xff\xfe:99999\r\n\r\n",
    "function-url-garbage": b"GET /lambda-url/\xff\xff/x HTTP/1.1\r\nHost: x\r\n\r\n",
    "url-host-garbage": b"GET / HTTP/1.1\r\nHost: abc.lambda-url.us-east-1.x\r\n"
    b"Content-Length: zz\r\n\r\n",
}


@pytest.mark.parametrize("data", list(MALFORMED.values()), ids=list(MALFORMED))
def test_malformed_http_never_answers_5xx(served: ServedDaemon, tally: Tally, data: bytes) -> None:
    answer = exchange(served.gateway_port, data)
    status = raw_status(answer)
    tally.raw_requests += 1
    tally.record(status, repr(data[:120]))
    assert status is None or status < 500, answer[:500]


TOKENS = st.sampled_from(
    [
        b"GET",
        b"POST",
        b"PUT",
        b"DELETE",
        b"HTTP/1.1",
        b"HTTP/1.0",
        b" ",
        b"\r\n",
        b"\n",
        b":",
        b"Content-Length",
        b"Transfer-Encoding",
        b"chunked",
        b"Host",
        b"/2015-03-31/functions",
        b"/invocations",
        b"{",
        b"}",
        b"\x00",
        b"\xff",
        b"0\r\n\r\n",
        b"%",
        b"?",
        b"=",
    ]
)
HEADER_NAMES = st.sampled_from(
    [
        "Content-Length",
        "Transfer-Encoding",
        "Content-Type",
        "Host",
        "X-Amz-Invocation-Type",
        "X-Amz-Log-Type",
        "X-Amz-Client-Context",
        "Expect",
        "Connection",
        "X-Fuzz",
    ]
)
HEADER_VALUE = st.one_of(
    st.binary(max_size=40).map(lambda b: b.replace(b"\r", b"").replace(b"\n", b"")),
    st.sampled_from([b"chunked", b"-1", b"0", b"application/json", b"Event", b"Tail", b""]),
)


@st.composite
def raw_requests(draw: st.DrawFn) -> bytes:
    """Either a token soup, or a near-valid request with fuzzed line, headers and body."""
    if draw(st.integers(0, 3)) == 0:
        return b"".join(draw(st.lists(TOKENS | st.binary(max_size=8), max_size=30)))
    method = draw(st.sampled_from([b"GET", b"POST", b"PUT", b"DELETE", b"PATCH", b"OPTIONS"]))
    target = draw(
        st.sampled_from(
            [
                b"/2015-03-31/functions",
                b"/2015-03-31/functions/f/invocations",
                b"/2016-08-19/account-settings",
                b"/2018-10-31/layers",
                b"/",
            ]
        )
    ) + draw(st.binary(max_size=12).map(lambda b: b.replace(b" ", b"").replace(b"\r\n", b"")))
    version = draw(st.sampled_from([b"HTTP/1.1", b"HTTP/1.0", b"HTTP/2.0", b"HTTP/1.1x", b""]))
    headers = draw(st.lists(st.tuples(HEADER_NAMES, HEADER_VALUE), max_size=6))
    body = draw(st.binary(max_size=120) | st.just(b'{"FunctionName": "f"}'))
    lines = [method + b" " + target + b" " + version, b"Host: localhost"]
    lines += [name.encode() + b": " + value for name, value in headers]
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


@FUZZ
@given(data=raw_requests())
def test_random_raw_requests_never_answer_5xx(
    served: ServedDaemon, tally: Tally, data: bytes
) -> None:
    status = raw_status(exchange(served.gateway_port, data, patience=0.3))
    tally.raw_requests += 1
    tally.record(status, repr(data[:120]))
    assert status is None or status < 500, data[:300]


# --- the verdict over everything above ----------------------------------------------------


def test_still_serving_and_every_log_line_is_json(served: ServedDaemon, tally: Tally) -> None:
    """After the fuzz (and a burst of its own), the gateway answers and the log is all JSON."""
    for data in list(MALFORMED.values())[:12] * 5:
        exchange(served.gateway_port, data)
    ok = send(
        served.gateway_port,
        ModelRequest("GetAccountSettings", "GET", "/2016-08-19/account-settings", {}, None),
    )
    assert ok == 200
    lines = log_lines(served.log_path)
    assert lines.records, "the daemon logged nothing"
    assert lines.not_json == [], lines.not_json[:20]
    assert tally.server_errors == []
