"""The Runtime API's HTTP contract (RuntimeApiServer), driven by a plain aiohttp client."""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections.abc import AsyncIterator

import aiohttp
import pytest
import uvloop

from lambdad.daemon.runtime.runtime_api import (
    MAX_RESPONSE_BYTES,
    InvocationRequest,
    RuntimeApiServer,
)
from tests.helpers import async_wait_for

BASE = "/2018-06-01/runtime"


@pytest.fixture
async def api() -> AsyncIterator[RuntimeApiServer]:
    server = RuntimeApiServer("127.0.0.1")
    await server.start()
    try:
        yield server
    finally:
        await server.close()


@pytest.fixture
async def http(api: RuntimeApiServer) -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(f"http://127.0.0.1:{api.port}") as session:
        yield session


def request(
    request_id: str = "11111111-2222-3333-4444-555555555555", **fields: object
) -> InvocationRequest:
    values: dict[str, object] = {
        "request_id": request_id,
        "payload": b'{"k": "v"}',
        "timeout_s": 3.0,
        "invoked_function_arn": "arn:aws:lambda:us-east-1:000000000000:function:f",
    }
    values.update(fields)
    return InvocationRequest(**values)  # type: ignore[arg-type]


async def next_event(http: aiohttp.ClientSession) -> tuple[dict[str, str], bytes]:
    async with http.get(f"{BASE}/invocation/next") as response:
        assert response.status == 200
        return dict(response.headers), await response.read()


async def test_next_carries_event_and_every_header(
    api: RuntimeApiServer, http: aiohttp.ClientSession
) -> None:
    before = int(time.time() * 1000)
    api.submit(
        request(
            trace_id="Root=1-5e1b4151-5ac6c58f5b5dbd6a5b5d5b5d;Parent=1;Sampled=0",
            client_context='{"custom": {"a": 1}}',
            cognito_identity='{"cognitoIdentityId": "id", "cognitoIdentityPoolId": "pool"}',
            tenant_id="tenant-1",
        )
    )
    headers, body = await next_event(http)
    assert body == b'{"k": "v"}'
    assert headers["Lambda-Runtime-Aws-Request-Id"] == "11111111-2222-3333-4444-555555555555"
    assert headers["Lambda-Runtime-Invoked-Function-Arn"].endswith(":function:f")
    assert headers["Lambda-Runtime-Trace-Id"].startswith("Root=1-")
    assert json.loads(headers["Lambda-Runtime-Client-Context"]) == {"custom": {"a": 1}}
    assert json.loads(headers["Lambda-Runtime-Cognito-Identity"])["cognitoIdentityPoolId"] == "pool"
    assert headers["Lambda-Runtime-Aws-Tenant-Id"] == "tenant-1"
    assert headers["Content-Type"] == "application/json"
    deadline = int(headers["Lambda-Runtime-Deadline-Ms"])
    assert before + 3000 <= deadline <= int(time.time() * 1000) + 3000
    assert api.ready.is_set()


async def test_empty_optional_headers_are_left_out(
    api: RuntimeApiServer, http: aiohttp.ClientSession
) -> None:
    api.submit(request())
    headers, _ = await next_event(http)
    for name in ("Client-Context", "Cognito-Identity", "Trace-Id", "Aws-Tenant-Id"):
        assert f"Lambda-Runtime-{name}" not in headers


async def test_response_settles_the_invocation(
    api: RuntimeApiServer, http: aiohttp.ClientSession
) -> None:
    outcome = api.submit(request("a"))
    await next_event(http)
    async with http.post(
        f"{BASE}/invocation/a/response", data=b'"done"', headers={"Content-Type": "text/plain"}
    ) as response:
        assert response.status == 202
        assert await response.json() == {"status": "OK"}
    result = await outcome
    assert (result.payload, result.content_type, result.error_type) == (
        b'"done"',
        "text/plain",
        None,
    )


@pytest.mark.parametrize("kind", ["response", "error"])
async def test_wrong_or_repeated_request_id_is_rejected(
    api: RuntimeApiServer, http: aiohttp.ClientSession, kind: str
) -> None:
    outcome = api.submit(request("right"))
    await next_event(http)
    async with http.post(f"{BASE}/invocation/wrong/{kind}", data=b"{}") as response:
        assert response.status == 400
        assert await response.json() == {
            "errorMessage": "Invalid request ID",
            "errorType": "InvalidRequestID",
        }
    assert not outcome.done()
    async with http.post(f"{BASE}/invocation/right/{kind}", data=b"{}") as response:
        assert response.status == 202
    async with http.post(f"{BASE}/invocation/right/{kind}", data=b"{}") as response:
        assert response.status == 400  # already answered


async def test_error_body_passes_through_verbatim(
    api: RuntimeApiServer, http: aiohttp.ClientSession
) -> None:
    outcome = api.submit(request("e"))
    await next_event(http)
    body = b'{"errorMessage":"boom","errorType":"ValueError","stackTrace":["x"]}'
    async with http.post(
        f"{BASE}/invocation/e/error",
        data=body,
        headers={"Lambda-Runtime-Function-Error-Type": "ValueError"},
    ) as response:
        assert response.status == 202
    result = await outcome
    assert (result.payload, result.error_type) == (body, "ValueError")


async def test_response_over_the_limit_is_413_and_fails_the_invoke(
    api: RuntimeApiServer, http: aiohttp.ClientSession
) -> None:
    outcome = api.submit(request("big"))
    await next_event(http)
    async with http.post(
        f"{BASE}/invocation/big/response", data=b"x" * (MAX_RESPONSE_BYTES + 1)
    ) as response:
        assert response.status == 413
        assert await response.json() == {
            "errorMessage": "Exceeded maximum allowed payload size (6291556 bytes).",
            "errorType": "RequestEntityTooLarge",
        }
    result = await outcome
    assert result.error_type == "Function.ResponseSizeTooLarge"
    assert json.loads(result.payload) == {
        "errorMessage": "Response payload size exceeded maximum allowed payload size "
        "(6291556 bytes).",
        "errorType": "Function.ResponseSizeTooLarge",
    }


async def test_response_at_the_limit_is_accepted(
    api: RuntimeApiServer, http: aiohttp.ClientSession
) -> None:
    outcome = api.submit(request("edge"))
    await next_event(http)
    async with http.post(
        f"{BASE}/invocation/edge/response", data=b"x" * MAX_RESPONSE_BYTES
    ) as response:
        assert response.status == 202
    assert len((await outcome).payload) == MAX_RESPONSE_BYTES


async def test_init_error_is_reported_once(
    api: RuntimeApiServer, http: aiohttp.ClientSession
) -> None:
    body = b'{"errorMessage":"Unable to import module","errorType":"Runtime.ImportModuleError"}'
    headers = {"Lambda-Runtime-Function-Error-Type": "Runtime.ImportModuleError"}
    async with http.post(f"{BASE}/init/error", data=body, headers=headers) as response:
        assert response.status == 202
    failure = await api.init_error
    assert (failure.error_type, failure.payload) == ("Runtime.ImportModuleError", body)
    async with http.post(f"{BASE}/init/error", data=body, headers=headers) as response:
        assert response.status == 403


async def test_streamed_response_yields_chunks_as_they_come(
    api: RuntimeApiServer, http: aiohttp.ClientSession
) -> None:
    outcome = api.submit(request("s"))
    await next_event(http)
    release = asyncio.Event()

    async def body() -> AsyncIterator[bytes]:
        yield b"first,"
        await release.wait()  # the invoker must see the first chunk before the rest exists
        yield b"second"

    post = asyncio.create_task(
        http.post(
            f"{BASE}/invocation/s/response",
            data=body(),
            headers={
                "Lambda-Runtime-Function-Response-Mode": "streaming",
                "Content-Type": "text/event-stream",
            },
        )
    )
    result = await outcome
    assert result.stream is not None
    assert result.stream.content_type == "text/event-stream"
    chunks = aiter(result.stream)
    assert await anext(chunks) == b"first,"
    release.set()
    rest = [chunk async for chunk in chunks]
    assert b"".join(rest) == b"second"
    response = await post
    assert response.status == 202
    response.release()
    assert result.stream.finished and result.stream.error_type is None


async def _post_chunked(port: int, request_id: str, chunks: list[bytes], trailers: bytes) -> bytes:
    """A streamed response as curl or Node send it: chunked, then trailer fields."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    head = (
        f"POST {BASE}/invocation/{request_id}/response HTTP/1.1\r\n"
        "Host: runtime\r\n"
        "Lambda-Runtime-Function-Response-Mode: streaming\r\n"
        "Transfer-Encoding: chunked\r\n"
        "Trailer: Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body\r\n"
        "\r\n"
    ).encode()
    writer.write(head)
    for chunk in chunks:
        writer.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
    writer.write(b"0\r\n" + trailers + b"\r\n")
    await writer.drain()
    status = await reader.readline()
    writer.close()
    return status


async def test_mid_stream_error_in_trailers(
    api: RuntimeApiServer, http: aiohttp.ClientSession
) -> None:
    error = {"errorMessage": "half way", "errorType": "Runtime.StreamBroke"}
    encoded = base64.b64encode(json.dumps(error).encode())
    # The body itself looks like the end of a chunked message with trailers: not to be misread.
    decoy = b"\r\n0\r\nLambda-Runtime-Function-Error-Type: Decoy\r\n\r\n"
    outcome = api.submit(request("t"))
    await next_event(http)
    trailers = (
        b"Lambda-Runtime-Function-Error-Type: Runtime.StreamBroke\r\n"
        b"Lambda-Runtime-Function-Error-Body: " + encoded + b"\r\n"
    )
    status = await _post_chunked(api.port, "t", [b"part one,", decoy], trailers)
    assert status.startswith(b"HTTP/1.1 202")
    stream = (await outcome).stream
    assert stream is not None
    assert b"".join([chunk async for chunk in stream]) == b"part one," + decoy
    assert stream.error_type == "Runtime.StreamBroke"
    assert json.loads(stream.error_body or b"") == error


async def test_stream_without_error_trailers_succeeds(
    api: RuntimeApiServer, http: aiohttp.ClientSession
) -> None:
    outcome = api.submit(request("u"))
    await next_event(http)
    decoy = b"\r\n0\r\nLambda-Runtime-Function-Error-Type: Decoy\r\n\r\n"
    status = await _post_chunked(api.port, "u", [b"all,", decoy, b"good"], b"")
    assert status.startswith(b"HTTP/1.1 202")
    stream = (await outcome).stream
    assert stream is not None
    assert b"".join([chunk async for chunk in stream]) == b"all," + decoy + b"good"
    assert stream.error_type is None


async def test_bad_response_mode_is_rejected(
    api: RuntimeApiServer, http: aiohttp.ClientSession
) -> None:
    outcome = api.submit(request("m"))
    await next_event(http)
    async with http.post(
        f"{BASE}/invocation/m/response",
        data=b"x",
        headers={"Lambda-Runtime-Function-Response-Mode": "bogus"},
    ) as response:
        assert response.status == 400
        assert (await response.json())["errorType"] == "InvalidFunctionResponseMode"
    assert (await outcome).error_type == "Runtime.InvalidResponseModeHeader"


async def test_ping_extensions_routed_telemetry_not(http: aiohttp.ClientSession) -> None:
    async with http.get("/2018-06-01/ping") as response:
        assert response.status == 200
    # The Extensions API is served (tests/unit/test_layers.py); without a name, RIE's 403.
    async with http.post("/2020-01-01/extension/register", json={"events": []}) as response:
        assert response.status == 403
        assert (await response.json())["errorType"] == "Extension.InvalidExtensionName"
    async with http.put("/2022-07-01/telemetry", json={}) as response:
        assert response.status == 404


async def test_close_ends_a_pending_long_poll(api: RuntimeApiServer) -> None:
    async with aiohttp.ClientSession(f"http://127.0.0.1:{api.port}") as session:
        poll = asyncio.create_task(session.get(f"{BASE}/invocation/next"))
        await api.ready.wait()
        await api.close()
        with pytest.raises(aiohttp.ClientError):
            response = await poll
            await response.read()


async def test_several_polls_hold_several_invocations_at_once(
    api: RuntimeApiServer, http: aiohttp.ClientSession
) -> None:
    """Lambda Managed Instances: each worker's /next gets its own event; each answers its own."""
    ids = [f"00000000-0000-0000-0000-00000000000{i}" for i in range(3)]
    outcomes = [api.submit(request(i, tenant_id="blue")) for i in ids]
    events = await asyncio.gather(*(next_event(http) for _ in ids))
    delivered = {headers["Lambda-Runtime-Aws-Request-Id"] for headers, _ in events}
    assert delivered == set(ids)
    assert {headers["Lambda-Runtime-Aws-Tenant-Id"] for headers, _ in events} == {"blue"}
    # Answered out of order, while all three are out.
    for request_id in reversed(ids):
        async with http.post(
            f"{BASE}/invocation/{request_id}/response", data=request_id.encode()
        ) as response:
            assert response.status == 202
    assert [(await o).payload for o in outcomes] == [i.encode() for i in ids]
    # An answered id cannot be answered again.
    async with http.post(f"{BASE}/invocation/{ids[0]}/response", data=b"again") as response:
        assert response.status == 400


async def _read_answer(reader: asyncio.StreamReader) -> tuple[int, dict[str, str], bytes]:
    """One HTTP/1.1 answer with a Content-Length body: (status, lower-cased headers, body)."""
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
    lines = head.decode().split("\r\n")
    headers = {}
    for line in lines[1:]:
        if line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    return int(lines[0].split(" ")[1]), headers, body


def _post(request_id: str, body: bytes, extra: str = "") -> bytes:
    head = (
        f"POST {BASE}/invocation/{request_id}/response HTTP/1.1\r\nHost: x\r\n"
        f"Content-Type: text/plain\r\n{extra}Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


NEXT = f"GET {BASE}/invocation/next HTTP/1.1\r\nHost: x\r\n\r\n".encode()


async def test_one_connection_moves_from_the_fast_path_to_aiohttp(api: RuntimeApiServer) -> None:
    """next/response are answered without aiohttp until a request it must serve (chunked);
    the connection then stays aiohttp's, and every answer is the same either way."""
    reader, writer = await asyncio.open_connection("127.0.0.1", api.port)
    try:
        ids = [f"00000000-0000-0000-0000-00000000001{i}" for i in range(3)]
        outcomes = [api.submit(request(i)) for i in ids]
        writer.write(NEXT)
        status, headers, body = await _read_answer(reader)
        assert (status, body, headers["lambda-runtime-aws-request-id"]) == (
            200,
            b'{"k": "v"}',
            ids[0],
        )
        writer.write(_post(ids[0], b"one"))
        status, headers, body = await _read_answer(reader)
        assert (status, json.loads(body)) == (202, {"status": "OK"})
        assert headers["content-type"] == "application/json; charset=utf-8"
        assert "server" not in headers  # answered by the fast path, not aiohttp
        assert (await outcomes[0]).payload == b"one"
        assert (await outcomes[0]).content_type == "text/plain"
        # A repeated answer: the same 400 as aiohttp's handler gives.
        writer.write(_post(ids[0], b"again"))
        status, _, body = await _read_answer(reader)
        assert (status, json.loads(body)["errorType"]) == (400, "InvalidRequestID")
        writer.write(NEXT)
        assert (await _read_answer(reader))[1]["lambda-runtime-aws-request-id"] == ids[1]
        chunked = (
            f"POST {BASE}/invocation/{ids[1]}/response HTTP/1.1\r\nHost: x\r\n"
            "Transfer-Encoding: chunked\r\n\r\n3\r\ntwo\r\n0\r\n\r\n"
        ).encode()
        writer.write(chunked)
        status, headers, _ = await _read_answer(reader)
        assert status == 202 and "server" in headers  # aiohttp's answer
        assert (await outcomes[1]).payload == b"two"
        writer.write(NEXT)
        status, headers, _ = await _read_answer(reader)
        assert (status, headers["lambda-runtime-aws-request-id"]) == (200, ids[2])
        assert "server" in headers  # still aiohttp
        writer.write(_post(ids[2], b"three"))
        assert (await _read_answer(reader))[0] == 202
        assert (await outcomes[2]).payload == b"three"
    finally:
        writer.close()


async def test_pipelined_requests_are_answered_in_order(api: RuntimeApiServer) -> None:
    """A response posted right behind its /next, in one write, waits for the event first."""
    reader, writer = await asyncio.open_connection("127.0.0.1", api.port)
    try:
        request_id = "00000000-0000-0000-0000-000000000021"
        writer.write(NEXT + _post(request_id, b"piped"))
        await writer.drain()
        await async_wait_for(api.ready.is_set)  # the /next is being served, the post waits
        outcome = api.submit(request(request_id))
        status, headers, _ = await _read_answer(reader)
        assert (status, headers["lambda-runtime-aws-request-id"]) == (200, request_id)
        status, _, _ = await _read_answer(reader)
        assert status == 202
        assert (await outcome).payload == b"piped"
    finally:
        writer.close()


async def test_fast_path_answers_on_the_daemons_event_loop() -> None:
    """The daemon runs on uvloop, whose transports are not asyncio's classes."""

    async def scenario() -> tuple[int, bytes]:
        api = RuntimeApiServer("127.0.0.1")
        await api.start()
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", api.port)
            request_id = "00000000-0000-0000-0000-000000000031"
            outcome = api.submit(request(request_id))
            writer.write(NEXT)
            status, headers, _ = await _read_answer(reader)
            assert (status, headers["lambda-runtime-aws-request-id"]) == (200, request_id)
            writer.write(_post(request_id, b"on uvloop"))
            status, _, _ = await _read_answer(reader)
            writer.close()
            return status, (await outcome).payload
        finally:
            await api.close()

    assert await asyncio.to_thread(uvloop.run, scenario()) == (202, b"on uvloop")
