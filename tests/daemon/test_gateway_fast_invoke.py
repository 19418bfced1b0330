"""The gateway's fast Invoke path (lambdad.gateway.fast_invoke) answers as aiohttp does.

Two gateways stand in front of the same backend -- one as `lambdad serve` runs it (fast path
on), one where aiohttp answers everything -- and the same raw bytes go to both; the answers
must be byte for byte the same once the request ids and the Date are set aside. The backends
are a scripted InvocationService (function errors, log tails, versions, daemon errors) and the
real daemon (validation through the constraint checker, not-found, a real echo). Each case
also says whether the fast path took it, so a change that silently sends everything to aiohttp
(or takes what it must not) fails here too.
"""

from __future__ import annotations

import asyncio
import base64
import re
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from botocore.config import Config as BotoConfig
from google.rpc import code_pb2

from lambdad.v1 import invocation_service_pb2 as inv
from lambdad.v1 import invocation_service_pb2_grpc as inv_grpc
from tests.daemon.gateway_support import (
    SERVICES,
    BackgroundLoop,
    RunningGateway,
    ScriptedService,
    real_daemon,
    rich_status,
    serving,
)
from tests.helpers import make_zip, wait_for

pytestmark = pytest.mark.usefixtures("logs")

INVOKE = "/2015-03-31/functions/f/invocations"
UUID = re.compile(rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
DATE = re.compile(rb"\r\nDate: [^\r]*")
LOG_TAIL = "U1RBUlQgUmVxdWVzdElkOiB4CkVORCBSZXF1ZXN0SWQ6IHgK"


@dataclass
class Pair:
    """The same backend behind a fast and an aiohttp-only gateway."""

    fast: RunningGateway
    plain: RunningGateway


@pytest.fixture(scope="module")
def stand_in(background: BackgroundLoop) -> Iterator[tuple[ScriptedService, Pair]]:
    not_found = rich_status(code_pb2.NOT_FOUND, "FUNCTION_NOT_FOUND", "Function not found: f")
    servicer = ScriptedService(SERVICES["InvocationService"], not_found)
    register = inv_grpc.add_InvocationServiceServicer_to_server
    with serving(background, servicer, register) as target:
        pair = Pair(
            background.run(RunningGateway.start(target)),
            background.run(RunningGateway.start(target, fast_invoke=False)),
        )
        try:
            yield servicer, pair
        finally:
            background.run(pair.fast.stop())
            background.run(pair.plain.stop())


@pytest.fixture(scope="module")
def daemon_pair(
    background: BackgroundLoop, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Pair]:
    with real_daemon(background, tmp_path_factory, executor="process") as target:
        pair = Pair(
            background.run(RunningGateway.start(target)),
            background.run(RunningGateway.start(target, fast_invoke=False)),
        )
        try:
            yield pair
        finally:
            background.run(pair.fast.stop())
            background.run(pair.plain.stop())


def request(
    path: str = INVOKE,
    body: bytes = b'{"in": 1}',
    headers: dict[str, str] | None = None,
    method: str = "POST",
) -> bytes:
    """A raw HTTP/1.1 request with Host and Content-Length (unless `headers` set them)."""
    fields = {"Host": "127.0.0.1", "Content-Length": str(len(body)), **(headers or {})}
    head = f"{method} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in fields.items())
    return head.encode() + b"\r\n" + body


def read_answers(sock: socket.socket, count: int) -> list[bytes]:
    """`count` whole HTTP answers (Content-Length bodies) from `sock`, then what follows."""
    buffer = b""
    answers: list[bytes] = []
    while len(answers) < count:
        end = buffer.find(b"\r\n\r\n")
        if end >= 0:
            head = buffer[:end]
            match = re.search(rb"\r\nContent-Length: (\d+)", head, re.I)
            size = int(match[1]) if match else 0
            if len(buffer) >= end + 4 + size:
                answers.append(buffer[: end + 4 + size])
                buffer = buffer[end + 4 + size :]
                continue
        chunk = sock.recv(65536)
        if not chunk:
            answers.append(buffer)  # the server closed: whatever came, even nothing
            break
        buffer += chunk
    return answers


def exchange(port: int, *pieces: bytes, answers: int = 1) -> list[bytes]:
    """Send `pieces` one write each on one connection; the answers, ids and Date masked."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for piece in pieces:
            sock.sendall(piece)
        return [mask(answer) for answer in read_answers(sock, answers)]


def mask(answer: bytes) -> bytes:
    return DATE.sub(b"\r\nDate: <date>", UUID.sub(b"<id>", answer))


def same_answers(pair: Pair, *pieces: bytes, answers: int = 1) -> tuple[list[bytes], int]:
    """Both gateways' answers (asserted equal) and how many requests the fast path took."""
    before = pair.fast.fast.requests
    fast = exchange(pair.fast.port, *pieces, answers=answers)
    plain = exchange(pair.plain.port, *pieces, answers=answers)
    assert fast == plain
    assert pair.plain.fast.requests == 0
    return fast, pair.fast.fast.requests - before


def echo(**fields: Any) -> Any:
    def reply(message: Any, metadata: dict[str, str]) -> Any:
        defaults = {"status_code": 200, "payload": message.payload, "executed_version": "$LATEST"}
        return inv.InvokeResponse(**{**defaults, **fields}, request_id=metadata["x-request-id"])

    return reply


# --- the same answer ----------------------------------------------------------------------

SCRIPTED_CASES = {
    "echo": ({}, request()),
    "empty-body": ({}, request(body=b"")),
    "binary": ({}, request(body=bytes(range(256)) * 16)),
    "function-error-and-tail": (
        {"function_error": "Unhandled", "log_result": LOG_TAIL, "executed_version": "3"},
        request(headers={"X-Amz-Log-Type": "Tail", "Content-Type": "application/json"}),
    ),
    "explicit-request-response": (
        {},
        request(headers={"X-Amz-Invocation-Type": "RequestResponse"}),
    ),
    "keep-alive-header": ({}, request(headers={"Connection": "keep-alive"})),
    "lower-case-names": (
        {},
        request(headers={"x-amz-log-type": "Tail", "connection": "Keep-Alive"}),
    ),
}


@pytest.mark.parametrize("case", SCRIPTED_CASES)
def test_fast_path_answers_as_aiohttp(stand_in: tuple[ScriptedService, Pair], case: str) -> None:
    servicer, pair = stand_in
    fields, raw = SCRIPTED_CASES[case]
    servicer.replies["Invoke"] = echo(**fields)
    [answer], taken = same_answers(pair, raw)
    assert answer.startswith(b"HTTP/1.1 200 OK\r\n"), answer
    assert taken == 1


def test_daemon_errors_through_the_fast_path(stand_in: tuple[ScriptedService, Pair]) -> None:
    servicer, pair = stand_in
    servicer.replies.clear()  # unscripted: FUNCTION_NOT_FOUND
    [answer], taken = same_answers(pair, request())
    assert answer.startswith(b"HTTP/1.1 404 Not Found\r\n"), answer
    assert b"x-amzn-ErrorType: ResourceNotFoundException" in answer
    assert taken == 1


# Requests the fast path leaves to aiohttp: the answer is aiohttp's and the gateway's.
LEFT_TO_AIOHTTP = {
    "event": request(headers={"X-Amz-Invocation-Type": "Event"}),
    "dry-run": request(headers={"X-Amz-Invocation-Type": "DryRun"}),
    "qualifier": request(path=INVOKE + "?Qualifier=live"),
    "encoded-name": request(path=INVOKE.replace("/f/", "/f%2Dx/")),
    "http-1.0": request().replace(b"HTTP/1.1", b"HTTP/1.0", 1),
    "connection-close": request(headers={"Connection": "close"}),
    "chunked": (
        b"POST " + INVOKE.encode() + b" HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"4\r\n{}{}\r\n0\r\n\r\n"
    ),
    "no-host": request(headers={"Host": ""}).replace(b"Host: \r\n", b""),
    "other-operation": request(path="/2019-09-30/functions/f/concurrency", method="GET", body=b""),
    "stream-operation": request(path="/2021-11-15/functions/f/response-streaming-invocations"),
    "non-ascii": request(headers={"X-Amz-Client-Context": "\u00e9"}),
    "function-url-host": request(headers={"Host": f"{'a1' * 16}.lambda-url.us-east-1.localhost"}),
}


@pytest.mark.parametrize("case", LEFT_TO_AIOHTTP)
def test_what_the_fast_path_leaves_to_aiohttp(
    stand_in: tuple[ScriptedService, Pair], case: str
) -> None:
    servicer, pair = stand_in
    servicer.replies["Invoke"] = echo()
    [answer], taken = same_answers(pair, LEFT_TO_AIOHTTP[case])
    assert answer.startswith(b"HTTP/1."), answer
    assert taken == 0


MALFORMED = {
    "space-in-header-name": request(headers={"Bad Name": "1"}),
    "control-in-value": request(headers={"X-Amz-Log-Type": "Ta\x01il"}),
    "bare-lf": request().replace(b"\r\n", b"\n"),
    "negative-length": request(headers={"Content-Length": "-1"}),
    "two-lengths": request().replace(b"Content-Length", b"Content-Length: 9\r\nContent-Length", 1),
    "folded-header": request(headers={"X-Amz-Log-Type": "Tail\r\n Tail"}),
    "bad-method": request(method="PO(ST"),
}


@pytest.mark.parametrize("case", MALFORMED)
def test_malformed_http_gets_aiohttp_s_answer(
    stand_in: tuple[ScriptedService, Pair], case: str
) -> None:
    servicer, pair = stand_in
    servicer.replies["Invoke"] = echo()
    [answer], taken = same_answers(pair, MALFORMED[case])
    assert taken == 0
    assert answer == b"" or re.match(rb"HTTP/1\.[01] 4\d\d ", answer), answer


def test_announced_oversized_body_is_aws_413(stand_in: tuple[ScriptedService, Pair]) -> None:
    _, pair = stand_in
    head = request(body=b"").replace(b"Content-Length: 0", b"Content-Length: 7000000")
    [answer], taken = same_answers(pair, head)
    assert answer.startswith(b"HTTP/1.1 413 "), answer
    assert b"RequestEntityTooLargeException" in answer
    assert taken == 0


# --- one connection ----------------------------------------------------------------------


def test_keep_alive_and_pipelining_answer_in_order(
    stand_in: tuple[ScriptedService, Pair],
) -> None:
    """Three invokes, another operation, then an invoke again: all on one connection, written
    at once; after the fourth request aiohttp has the connection, and answers the fifth."""
    servicer, pair = stand_in
    servicer.replies["Invoke"] = echo()
    bodies = [b'{"n": 1}', b'{"n": 2}', b'{"n": 3}']
    pipelined = b"".join(request(body=body) for body in bodies)
    other = request(path="/2019-09-30/functions/f/concurrency", method="GET", body=b"")
    answers, taken = same_answers(pair, pipelined + other + request(body=b"[5]"), answers=5)
    assert [answer.rsplit(b"\r\n\r\n", 1)[1] for answer in answers[:3]] == bodies
    assert answers[4].endswith(b"\r\n\r\n[5]")
    assert taken == 3


def test_a_request_in_pieces(stand_in: tuple[ScriptedService, Pair]) -> None:
    servicer, pair = stand_in
    servicer.replies["Invoke"] = echo()
    raw = request(body=b'{"split": "body"}')
    cut = raw.index(b"\r\n\r\n")
    pieces = (raw[:10], raw[10:cut], raw[cut : cut + 3], raw[cut + 3 : -4], raw[-4:])
    [answer], taken = same_answers(pair, *pieces)
    assert answer.endswith(b'{"split": "body"}')
    assert taken == 1


def test_half_closed_client_still_gets_its_answer(
    stand_in: tuple[ScriptedService, Pair],
) -> None:
    """A client that shuts down its sending side after the request gets the answer (aiohttp
    closes such a connection unanswered; the fast path keeps it open until it has answered)."""
    servicer, pair = stand_in
    servicer.replies["Invoke"] = echo()
    with socket.create_connection(("127.0.0.1", pair.fast.port), timeout=30) as sock:
        sock.sendall(request())
        sock.shutdown(socket.SHUT_WR)
        answers = read_answers(sock, 2)
    assert answers[0].startswith(b"HTTP/1.1 200 OK"), answers
    assert answers[0].endswith(b'{"in": 1}')
    assert answers[1:] == [b""]  # then the gateway closed the connection


# --- the real daemon ---------------------------------------------------------------------

DAEMON_CASES = {
    "missing-function": "/2015-03-31/functions/no-such-function/invocations",
    "name-too-long": f"/2015-03-31/functions/{'a' * 141}/invocations",
    "bad-name": "/2015-03-31/functions/bad!name/invocations",
    "latest-lower-case": "/2015-03-31/functions/f:$latest/invocations",
}


@pytest.mark.parametrize("case", DAEMON_CASES)
def test_validation_and_errors_of_the_real_daemon(daemon_pair: Pair, case: str) -> None:
    [answer], taken = same_answers(daemon_pair, request(path=DAEMON_CASES[case]))
    assert answer.startswith(b"HTTP/1.1 4"), answer
    assert b"x-amzn-ErrorType: " in answer
    assert taken == 1


def test_boto3_through_the_fast_path(daemon_pair: Pair) -> None:
    """boto3 invokes an echo function on the real daemon; the fast path takes its invokes."""
    client = boto3.client(
        "lambda",
        endpoint_url=f"http://127.0.0.1:{daemon_pair.fast.port}",
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=BotoConfig(retries={"max_attempts": 1}),
    )
    client.create_function(
        FunctionName="fast-echo",
        Runtime="python3.12",
        Handler="app.handler",
        Role="arn:aws:iam::000000000000:role/lambda-role",
        Code={"ZipFile": make_zip()},
    )
    wait_for(
        lambda: client.get_function(FunctionName="fast-echo")["Configuration"]["State"] == "Active",
        timeout=30,
    )
    # A connection that served another operation is aiohttp's from then on: a new client.
    client = boto3.client(
        "lambda",
        endpoint_url=f"http://127.0.0.1:{daemon_pair.fast.port}",
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=BotoConfig(retries={"max_attempts": 1}),
    )
    before = daemon_pair.fast.fast.requests
    result = client.invoke(FunctionName="fast-echo", Payload=b'{"hello": "fast"}', LogType="Tail")
    assert result["StatusCode"] == 200
    assert result["ExecutedVersion"] == "$LATEST"
    assert "START RequestId: " in base64.b64decode(result["LogResult"]).decode()
    assert result["Payload"].read() == b'{"hello": "fast"}'
    assert daemon_pair.fast.fast.requests == before + 1


# --- stopping ----------------------------------------------------------------------------


class HeldInvocations(inv_grpc.InvocationServiceServicer):
    """Answers Invoke with its payload once `release` is set (on the background loop)."""

    def __init__(self) -> None:
        self.called = threading.Event()
        self.release: asyncio.Event | None = None

    async def Invoke(self, request: Any, context: Any) -> Any:
        self.release = asyncio.Event()
        self.called.set()
        await self.release.wait()
        request_id = dict(context.invocation_metadata())["x-request-id"]
        return inv.InvokeResponse(status_code=200, payload=request.payload, request_id=request_id)


def test_stopping_lets_answers_in_progress_go_out(background: BackgroundLoop) -> None:
    """Like aiohttp's graceful stop: an idle fast connection is closed at once, an invoke
    being answered gets its answer, and then its connection is closed too."""
    held = HeldInvocations()
    register = inv_grpc.add_InvocationServiceServicer_to_server
    with serving(background, held, register) as target:
        gateway = background.run(RunningGateway.start(target))
        try:
            busy = socket.create_connection(("127.0.0.1", gateway.port), timeout=30)
            idle = socket.create_connection(("127.0.0.1", gateway.port), timeout=30)
            with busy, idle:
                busy.sendall(request(body=b'{"held": 1}'))
                assert held.called.wait(30)
                wait_for(lambda: len(gateway.fast.live) == 2, timeout=30)
                stopping = asyncio.run_coroutine_threadsafe(
                    gateway.fast.shutdown(30), background.loop
                )
                assert idle.recv(1) == b""  # closed while the invoke is still held
                assert not stopping.done()
                assert held.release is not None
                background.loop.call_soon_threadsafe(held.release.set)
                stopping.result(30)
                answers = read_answers(busy, 2)
            assert answers[0].startswith(b"HTTP/1.1 200 OK"), answers
            assert answers[0].endswith(b'{"held": 1}')
            assert answers[1:] == [b""]
        finally:
            background.run(gateway.stop())
