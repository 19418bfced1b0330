"""The gateway's InvocationService routes: invoke, concurrency and async invoke configuration.

The route rows are checked against the proto and botocore's model; the pure translation
(raw payloads, headers, Invoke answers, event-stream framing) is checked directly, the
framing by decoding it with botocore's own parser. Then the real aiohttp app is driven over
real HTTP (raw, and through boto3) against a scripted InvocationService on a real grpc.aio
server, and fuzzed with Hypothesis against that stand-in and against the real daemon.
"""

from __future__ import annotations

import asyncio
import base64
import http.client
import json
import os
import re
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, MutableMapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

import boto3
import botocore.session
import grpc
import pytest
import structlog
from botocore.config import Config as BotoConfig
from botocore.eventstream import EventStream, EventStreamBuffer
from botocore.exceptions import ClientError, EventStreamError
from botocore.parsers import EventStreamJSONParser
from google.protobuf import message_factory
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message
from google.rpc import code_pb2
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from multidict import CIMultiDict

from lambdad.client.client import channel_options
from lambdad.daemon.config import Config
from lambdad.daemon.errors import Reason
from lambdad.daemon.server import start_daemon
from lambdad.gateway import translate
from lambdad.gateway.routes import (
    ALL_ROUTES,
    CAPACITY_PROVIDER_ROUTES,
    DURABLE_ROUTES,
    EVENT_MAX_BYTES,
    EVENT_SOURCE_ROUTES,
    INVOCATION_ROUTES,
    INVOKE_MAX_BYTES,
    LAYER_ROUTES,
    ROUTES,
    URL_ROUTES,
    Route,
    RouteKind,
    Router,
)
from lambdad.v1 import capacity_provider_service_pb2 as cp
from lambdad.v1 import durable_execution_service_pb2 as ds
from lambdad.v1 import event_source_service_pb2 as es
from lambdad.v1 import function_service_pb2 as fs
from lambdad.v1 import invocation_service_pb2 as inv
from lambdad.v1 import invocation_service_pb2_grpc as inv_grpc
from lambdad.v1 import layer_service_pb2 as ls
from lambdad.v1 import url_service_pb2 as us
from tests.helpers import make_zip, wait_for
from tests.unit.gateway_support import (
    REQUEST_ID,
    BackgroundLoop,
    PlainStatus,
    RunningGateway,
    assert_aws_error,
    rich_status,
    send,
)

SERVICES = {
    "FunctionService": fs.DESCRIPTOR.services_by_name["FunctionService"],
    "InvocationService": inv.DESCRIPTOR.services_by_name["InvocationService"],
    "LayerService": ls.DESCRIPTOR.services_by_name["LayerService"],
    "UrlService": us.DESCRIPTOR.services_by_name["UrlService"],
    "EventSourceService": es.DESCRIPTOR.services_by_name["EventSourceService"],
    "CapacityProviderService": cp.DESCRIPTOR.services_by_name["CapacityProviderService"],
    "DurableExecutionService": ds.DESCRIPTOR.services_by_name["DurableExecutionService"],
}
INVOCATION_SERVICE = SERVICES["InvocationService"]
BY_OP = {route.operation: route for route in ALL_ROUTES}
LAMBDA_MODEL = botocore.session.get_session().get_service_model("lambda")
ARN = "arn:aws:lambda:us-east-1:000000000000:function:f"
ENCODED_ARN = ARN.replace(":", "%3A")
INVOKE = "/2015-03-31/functions/f/invocations"
STREAM = "/2021-11-15/functions/f/response-streaming-invocations"
INVOKE_ASYNC = "/2014-11-13/functions/f/invoke-async/"
LOG_TAIL = base64.b64encode(b"START RequestId: x\nEND RequestId: x\n").decode()
EVENT_STREAM = "application/vnd.amazon.eventstream"


# --- the route table -------------------------------------------------------------------

# RPCs the gateway serves outside the AWS route table: DownloadCode by path prefix, and
# StreamLogs is lambdad's own (AWS has CloudWatch Logs for that); SetFunctionDebug is lambdad's
# own too (`lambdad debug`).
NOT_AWS_OPERATIONS = {
    "DownloadCode",
    "StreamLogs",
    "ResolveFunctionUrl",
    "InvokeFunctionUrl",
    "SetFunctionDebug",
    "ListInvocations",  # lambdad's invocation history (`lambdad invocations`)
}
# Deprecated operations served by another operation's RPC.
SHARED_RPCS = {"InvokeAsync": "Invoke"}


def _service_of(route: Route) -> Any:
    return SERVICES[route.stub.__name__.removesuffix("Stub")]


def test_every_rpc_of_every_service_has_exactly_one_route() -> None:
    routed = sorted(
        (_service_of(r).name, r.rpc) for r in ALL_ROUTES if r.operation not in SHARED_RPCS
    )
    expected = sorted(
        (service.name, rpc)
        for service in SERVICES.values()
        for rpc in service.methods_by_name
        if rpc not in NOT_AWS_OPERATIONS
    )
    assert routed == expected
    for operation, rpc in SHARED_RPCS.items():
        assert BY_OP[operation].rpc == rpc


def test_tables_are_split_by_service() -> None:
    assert {_service_of(r).name for r in ROUTES} == {"FunctionService"}
    assert {_service_of(r).name for r in INVOCATION_ROUTES} == {"InvocationService"}
    assert {_service_of(r).name for r in LAYER_ROUTES} == {"LayerService"}
    assert {_service_of(r).name for r in URL_ROUTES} == {"UrlService"}
    assert {_service_of(r).name for r in EVENT_SOURCE_ROUTES} == {"EventSourceService"}
    assert {_service_of(r).name for r in CAPACITY_PROVIDER_ROUTES} == {"CapacityProviderService"}
    assert {_service_of(r).name for r in DURABLE_ROUTES} == {"DurableExecutionService"}
    assert ALL_ROUTES == (
        ROUTES
        + INVOCATION_ROUTES
        + LAYER_ROUTES
        + URL_ROUTES
        + EVENT_SOURCE_ROUTES
        + CAPACITY_PROVIDER_ROUTES
        + DURABLE_ROUTES
    )


def test_all_routes_are_unique() -> None:
    shapes = [(r.method, r.path.rstrip("/")) for r in ALL_ROUTES]
    assert len(shapes) == len(set(shapes))
    assert len(BY_OP) == len(ALL_ROUTES)


@pytest.mark.parametrize(
    "route",
    INVOCATION_ROUTES + LAYER_ROUTES + URL_ROUTES + EVENT_SOURCE_ROUTES + DURABLE_ROUTES,
    ids=lambda r: r.operation,
)
def test_route_agrees_with_the_proto(route: Route) -> None:
    method = _service_of(route).methods_by_name[route.rpc]
    assert route.request_type.DESCRIPTOR is method.input_type
    assert method.server_streaming == (route.kind is RouteKind.INVOKE_STREAM)
    fields = {f.json_name: f for f in method.input_type.fields}
    for json_name in [*route.path_params, *route.query.values(), *route.headers.values()]:
        # Only these can be written as URL or header text (translate refuses the rest).
        assert fields[json_name].cpp_type != FieldDescriptor.CPPTYPE_MESSAGE, json_name
        assert fields[json_name].type != FieldDescriptor.TYPE_BYTES, json_name
    for json_name in route.fixed:
        assert fields[json_name].type == FieldDescriptor.TYPE_STRING, json_name
    # The non-JSON kinds take a raw payload (so does SendDurableExecutionCallbackSuccess, whose
    # answer is JSON); it fills a bytes field.
    if route.kind is not RouteKind.JSON:
        assert route.payload_member is not None
    if route.payload_member is not None:
        assert route.has_body
        assert fields[route.payload_member].type == FieldDescriptor.TYPE_BYTES
    if route.kind is RouteKind.JSON and route.empty_response:
        # An answer without members is 204, except where AWS answers 200 with `{}`.
        assert not method.output_type.fields


@pytest.mark.parametrize(
    "route",
    INVOCATION_ROUTES + LAYER_ROUTES + URL_ROUTES + EVENT_SOURCE_ROUTES + DURABLE_ROUTES,
    ids=lambda r: r.operation,
)
def test_route_agrees_with_botocore(route: Route) -> None:
    operation = LAMBDA_MODEL.operation_model(route.operation)
    assert route.method == operation.http["method"]
    assert route.path == operation.http["requestUri"]
    assert route.ok_status == operation.http["responseCode"]
    members = operation.input_shape.members
    query = {
        m.serialization["name"]: name
        for name, m in members.items()
        if m.serialization.get("location") == "querystring"
    }
    headers = {
        m.serialization["name"]: name
        for name, m in members.items()
        if m.serialization.get("location") == "header"
    }
    assert dict(route.query).items() <= query.items()
    assert dict(route.headers).items() <= headers.items()
    # Every header (and query) member the proto has a field for is bound: a field added to
    # the proto for a header fails here until its row binds it.
    proto_members = {f.json_name for f in route.request_type.DESCRIPTOR.fields}
    assert {h for h, m in headers.items() if m in proto_members} == set(route.headers)
    assert {q for q, m in query.items() if m in proto_members} == set(route.query)
    if route.payload_member is not None:
        # InvokeAsync calls its payload InvokeArgs; it fills the same Payload field.
        payload_name = operation.input_shape.serialization.get("payload", route.payload_member)
        assert members[payload_name].type_name == "blob"


ROUTER = Router(ALL_ROUTES)


@pytest.mark.parametrize(
    ("method", "path", "op", "function"),
    [
        ("POST", INVOKE, "Invoke", "f"),
        ("POST", f"/2015-03-31/functions/{ENCODED_ARN}%3A1/invocations", "Invoke", ARN + ":1"),
        ("POST", STREAM, "InvokeWithResponseStream", "f"),
        ("POST", "/2014-11-13/functions/f/invoke-async", "InvokeAsync", "f"),
        ("POST", INVOKE_ASYNC, "InvokeAsync", "f"),
        ("PUT", "/2017-10-31/functions/f/concurrency", "PutFunctionConcurrency", "f"),
        ("GET", "/2019-09-30/functions/f/concurrency", "GetFunctionConcurrency", "f"),
        ("DELETE", "/2017-10-31/functions/f/concurrency", "DeleteFunctionConcurrency", "f"),
    ],
)
def test_match_invocation_routes(method: str, path: str, op: str, function: str) -> None:
    match = ROUTER.match(method, path)
    assert match is not None
    assert match.route.operation == op
    assert match.path_params == {"FunctionName": function}


@pytest.mark.parametrize(
    ("method", "path", "query", "op", "params"),
    [
        ("GET", "/2018-10-31/layers", {}, "ListLayers", {}),
        ("GET", "/2018-10-31/layers", {"find": "Other"}, "ListLayers", {}),
        ("GET", "/2018-10-31/layers", {"find": "LayerVersion"}, "GetLayerVersionByArn", {}),
        ("POST", "/2018-10-31/layers/l/versions", {}, "PublishLayerVersion", {"LayerName": "l"}),
        ("GET", "/2018-10-31/layers/l/versions", {}, "ListLayerVersions", {"LayerName": "l"}),
        (
            "DELETE",
            "/2018-10-31/layers/l/versions/2/policy/s",
            {},
            "RemoveLayerVersionPermission",
            {"LayerName": "l", "VersionNumber": "2", "StatementId": "s"},
        ),
    ],
)
def test_match_layer_routes(
    method: str, path: str, query: dict[str, str], op: str, params: dict[str, str]
) -> None:
    match = ROUTER.match(method, path, query)
    assert match is not None
    assert match.route.operation == op
    assert match.path_params == params


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", INVOKE),
        ("POST", "/2017-10-31/functions/f/concurrency"),
        ("GET", "/2017-10-31/functions/f/concurrency"),
        ("PUT", "/2019-09-30/functions/f/concurrency"),
        ("POST", "/2015-03-31/functions/f/invoke-async"),
    ],
)
def test_no_match(method: str, path: str) -> None:
    assert ROUTER.match(method, path) is None


# --- requests --------------------------------------------------------------------------


def invoke_message(
    op: str = "Invoke",
    body: bytes = b"{}",
    headers: dict[str, str] | None = None,
    query: dict[str, list[str]] | None = None,
) -> Any:
    return translate.request_to_message(
        BY_OP[op], {"FunctionName": "f"}, query or {}, body, CIMultiDict(headers or {})
    )


def test_headers_query_and_raw_body_fill_the_request() -> None:
    context = base64.b64encode(b'{"custom": {"k": "v"}}').decode()
    message = invoke_message(
        body=b"\x00\xff not json",
        # Header names are case-insensitive.
        headers={
            "x-amz-invocation-type": "DryRun",
            "X-Amz-Log-Type": "Tail",
            "X-AMZ-CLIENT-CONTEXT": context,
            "X-Amz-Tenant-Id": "tenant-1",
        },
        query={"Qualifier": ["live"]},
    )
    assert message == inv.InvokeRequest(
        function_name="f",
        qualifier="live",
        invocation_type="DryRun",
        log_type="Tail",
        client_context=context,
        tenant_id="tenant-1",
        payload=b"\x00\xff not json",
    )


@pytest.mark.parametrize("body", [b"", b"  ", b"[1, 2]", b'"text"', bytes(range(256))])
def test_the_body_is_the_payload_unparsed(body: bytes) -> None:
    assert invoke_message(body=body).payload == body
    assert invoke_message("InvokeWithResponseStream", body=body).payload == body


def test_invoke_async_is_an_event_invocation() -> None:
    # InvokeAsync binds no headers: the invocation type is always Event.
    message = invoke_message("InvokeAsync", headers={"X-Amz-Invocation-Type": "DryRun"})
    assert message == inv.InvokeRequest(function_name="f", invocation_type="Event", payload=b"{}")


@pytest.mark.parametrize("op", ["Invoke", "InvokeAsync"])
def test_event_payload_limit(op: str) -> None:
    headers = {"X-Amz-Invocation-Type": "Event"}
    assert len(invoke_message(op, b"x" * EVENT_MAX_BYTES, headers).payload) == EVENT_MAX_BYTES
    with pytest.raises(translate.RequestError) as caught:
        invoke_message(op, b"x" * (EVENT_MAX_BYTES + 1), headers)
    assert caught.value.reason is Reason.REQUEST_TOO_LARGE
    assert caught.value.message == (
        "1048577 byte payload is too large for the Event invocation type (limit 1048576 bytes)"
    )


def test_synchronous_payloads_above_the_event_limit_are_fine() -> None:
    body = b"x" * (EVENT_MAX_BYTES + 1)
    assert invoke_message(body=body).payload == body
    assert invoke_message("InvokeWithResponseStream", body=body).payload == body


@pytest.mark.parametrize("op", ["Invoke", "InvokeWithResponseStream", "InvokeAsync"])
def test_request_too_large_names_invoke_function(op: str) -> None:
    route = BY_OP[op]
    assert route.max_body_bytes == INVOKE_MAX_BYTES == 6_291_456
    error = translate.request_too_large(op, INVOKE_MAX_BYTES)
    assert error.message == (
        "Request must be smaller than 6291456 bytes for the InvokeFunction operation"
    )


def test_concurrency_body() -> None:
    message = translate.request_to_message(
        BY_OP["PutFunctionConcurrency"],
        {"FunctionName": "f"},
        {},
        b'{"ReservedConcurrentExecutions": 5}',
    )
    assert message == inv.PutFunctionConcurrencyRequest(
        function_name="f", reserved_concurrent_executions=5
    )


# --- Invoke answers --------------------------------------------------------------------


def test_invoke_answer_with_everything() -> None:
    reply = inv.InvokeResponse(
        status_code=200,
        payload=b'{"errorMessage": "boom"}',
        function_error="Unhandled",
        log_result=LOG_TAIL,
        executed_version="3",
        request_id="rid",
    )
    answer = translate.invoke_response(BY_OP["Invoke"], reply, "gateway-rid")
    assert answer == translate.RawResponse(
        200,
        {
            "x-amzn-RequestId": "rid",
            "Content-Type": "application/json",
            "X-Amz-Function-Error": "Unhandled",
            "X-Amz-Log-Result": LOG_TAIL,
            "X-Amz-Executed-Version": "3",
        },
        b'{"errorMessage": "boom"}',
    )


def test_invoke_answer_leaves_out_unset_headers() -> None:
    reply = inv.InvokeResponse(status_code=200, payload=b"null", request_id="rid")
    answer = translate.invoke_response(BY_OP["Invoke"], reply, "rid")
    assert answer.headers == {"x-amzn-RequestId": "rid", "Content-Type": "application/json"}
    assert answer.body == b"null"


@pytest.mark.parametrize("status", [202, 204])
def test_event_and_dry_run_answers_have_no_executed_version(status: int) -> None:
    reply = inv.InvokeResponse(status_code=status, executed_version="$LATEST", request_id="r")
    answer = translate.invoke_response(BY_OP["Invoke"], reply, "r")
    assert answer.status == status
    assert answer.body == b""
    assert "X-Amz-Executed-Version" not in answer.headers
    assert ("Content-Type" in answer.headers) == (status != 204)


def test_invoke_async_answer() -> None:
    reply = inv.InvokeResponse(status_code=202, executed_version="$LATEST", request_id="r")
    answer = translate.invoke_response(BY_OP["InvokeAsync"], reply, "r")
    assert answer.status == 202
    assert json.loads(answer.body) == {"Status": 202}
    assert "X-Amz-Executed-Version" not in answer.headers


def test_request_id_falls_back_to_the_gateways() -> None:
    answer = translate.invoke_response(BY_OP["Invoke"], inv.InvokeResponse(), "gateway-rid")
    assert answer.status == 200
    assert answer.headers["x-amzn-RequestId"] == "gateway-rid"


def test_stream_start_headers() -> None:
    start = inv.InvokeResponseStreamStart(
        status_code=200, executed_version="$LATEST", content_type="text/plain", request_id="r"
    )
    assert translate.stream_start(start, "gw") == translate.RawResponse(
        200,
        {
            "x-amzn-RequestId": "r",
            "Content-Type": EVENT_STREAM,
            "X-Amz-Executed-Version": "$LATEST",
        },
    )
    dry_run = translate.stream_start(inv.InvokeResponseStreamStart(status_code=204), "gw")
    assert dry_run == translate.RawResponse(204, {"x-amzn-RequestId": "gw"})


# --- event-stream framing --------------------------------------------------------------


def decode(frames: bytes) -> list[Any]:
    """The messages botocore's own decoder finds in `frames` (it checks both CRCs)."""
    buffer = EventStreamBuffer()
    buffer.add_data(frames)
    return list(buffer)


@given(
    headers=st.dictionaries(
        st.text(min_size=1, max_size=20).filter(lambda t: len(t.encode()) < 256),
        st.text(max_size=300),
        max_size=5,
    ),
    payload=st.binary(max_size=5000),
)
def test_any_message_decodes_with_botocore(headers: dict[str, str], payload: bytes) -> None:
    [message] = decode(translate.event_message(headers, payload))
    assert message.headers == headers
    assert message.payload == payload


def test_frames_decode_one_by_one_and_split_anywhere() -> None:
    frames = translate.event_message({"a": "1"}, b"one") + translate.event_message({}, b"")
    buffer = EventStreamBuffer()
    decoded = []
    for i in range(len(frames)):
        buffer.add_data(frames[i : i + 1])
        decoded.extend(buffer)
    assert [(m.headers, m.payload) for m in decoded] == [({"a": "1"}, b"one"), ({}, b"")]


def test_prelude_layout() -> None:
    frame = translate.event_message({":message-type": "event"}, b"xyz")
    total, headers_length = int.from_bytes(frame[:4], "big"), int.from_bytes(frame[4:8], "big")
    assert total == len(frame)
    # 1-byte name length, name, type 7, 2-byte value length, value.
    assert headers_length == 1 + len(":message-type") + 1 + 2 + len("event")
    assert frame[12 + 1 + len(":message-type")] == 7


def parse_lambda_stream(frames: bytes) -> list[dict[str, Any]]:
    """Parse `frames` as boto3 parses an InvokeWithResponseStream answer."""
    operation = LAMBDA_MODEL.operation_model("InvokeWithResponseStream")
    shape = operation.output_shape.members["EventStream"]

    class Raw:
        def stream(self) -> Iterator[bytes]:
            yield frames

        def close(self) -> None:
            pass

    stream = EventStream(Raw(), shape, EventStreamJSONParser(), "InvokeWithResponseStream")
    return list(stream)


def stream_frames(*items: inv.InvokeWithResponseStreamResponse) -> bytes:
    return b"".join(frame for item in items for frame in translate.stream_events(item))


def chunk(payload: bytes) -> inv.InvokeWithResponseStreamResponse:
    return inv.InvokeWithResponseStreamResponse(
        payload_chunk=inv.InvokeResponseStreamUpdate(payload=payload)
    )


def complete(**fields: str) -> inv.InvokeWithResponseStreamResponse:
    return inv.InvokeWithResponseStreamResponse(
        invoke_complete=inv.InvokeWithResponseStreamCompleteEvent(**fields)
    )


def test_stream_events_parse_as_the_lambda_model_says() -> None:
    frames = stream_frames(chunk(b'{"a": '), chunk(b"\x00\xff"), complete(log_result=LOG_TAIL))
    assert parse_lambda_stream(frames) == [
        {"PayloadChunk": {"Payload": b'{"a": '}},
        {"PayloadChunk": {"Payload": b"\x00\xff"}},
        {"InvokeComplete": {"LogResult": LOG_TAIL}},
    ]
    assert decode(frames)[0].headers == {
        ":event-type": "PayloadChunk",
        ":content-type": "application/octet-stream",
        ":message-type": "event",
    }


def test_invoke_complete_carries_only_what_is_set() -> None:
    failed = complete(error_code="Sandbox.Timedout", error_details='{"errorType": "x"}')
    [message] = decode(stream_frames(failed))
    assert message.headers[":content-type"] == "application/json"
    assert json.loads(message.payload) == {
        "ErrorCode": "Sandbox.Timedout",
        "ErrorDetails": '{"errorType": "x"}',
    }
    [empty] = decode(stream_frames(complete()))
    assert json.loads(empty.payload) == {}


def test_an_empty_chunk_is_one_empty_event() -> None:
    assert parse_lambda_stream(stream_frames(chunk(b""))) == [{"PayloadChunk": {"Payload": b""}}]


def test_chunks_above_botocores_limit_are_split() -> None:
    size = translate.MAX_EVENT_PAYLOAD_BYTES
    payload = b"a" * size + b"b"
    events = parse_lambda_stream(stream_frames(chunk(payload)))
    assert [len(e["PayloadChunk"]["Payload"]) for e in events] == [size, 1]


def test_a_start_after_the_first_sends_nothing() -> None:
    start = inv.InvokeWithResponseStreamResponse(start=inv.InvokeResponseStreamStart())
    assert translate.stream_events(start) == []


def test_error_event_raises_in_the_sdk() -> None:
    error = translate.error_response_parts(Reason.SERVICE, "disk gone")
    with pytest.raises(EventStreamError) as caught:
        parse_lambda_stream(stream_frames(chunk(b"x")) + translate.error_event(error))
    assert caught.value.response["Error"] == {"Code": "ServiceException", "Message": "disk gone"}


# --- a scripted InvocationService ------------------------------------------------------

# In a streaming script, a number is a pause of that many seconds.
Script = Message | grpc.Status | list[Message | grpc.Status | float]
# A script may also be computed from the request and its metadata (to echo the request id).
Reply = Script | Callable[[Any, dict[str, str]], Script]
NOT_FOUND = rich_status(
    code_pb2.NOT_FOUND,
    "FUNCTION_NOT_FOUND",
    "Function not found: arn:aws:lambda:us-east-1:000000000000:function:f:$LATEST",
)


@dataclass
class ScriptedInvocations(inv_grpc.InvocationServiceServicer):
    """InvocationService answering from a script; unscripted RPCs fail FUNCTION_NOT_FOUND.

    A streaming RPC's script is a list of messages and pauses, optionally ending in a status
    to fail with mid-stream. Every call is recorded with its request and metadata, and every
    streaming call the caller cancelled is recorded in `cancelled`.
    """

    replies: dict[str, Reply] = field(default_factory=dict)
    calls: list[tuple[str, Any, dict[str, str]]] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        for name, method in INVOCATION_SERVICE.methods_by_name.items():
            handler = self._streamer(name) if method.server_streaming else self._answerer(name)
            setattr(self, name, handler)

    def _script(self, rpc: str, request: Message, context: grpc.aio.ServicerContext) -> Script:
        metadata = {key: str(value) for key, value in context.invocation_metadata() or ()}
        self.calls.append((rpc, request, metadata))
        reply = self.replies.get(rpc, NOT_FOUND)
        return reply(request, metadata) if callable(reply) else reply

    def _answerer(self, rpc: str) -> Callable[[Message, Any], Awaitable[Message]]:
        async def answer(request: Message, context: grpc.aio.ServicerContext) -> Message:
            reply = self._script(rpc, request, context)
            if isinstance(reply, Message):
                return reply
            assert isinstance(reply, grpc.Status)
            await context.abort(reply.code, reply.details, reply.trailing_metadata)
            raise AssertionError("abort returned")

        return answer

    def _streamer(self, rpc: str) -> Callable[[Message, Any], AsyncIterator[Message]]:
        async def stream(
            request: Message, context: grpc.aio.ServicerContext
        ) -> AsyncIterator[Message]:
            reply = self._script(rpc, request, context)
            try:
                for item in reply if isinstance(reply, list) else [reply]:
                    if isinstance(item, float):
                        await asyncio.sleep(item)
                        continue
                    if isinstance(item, grpc.Status):
                        await context.abort(item.code, item.details, item.trailing_metadata)
                    yield item
            except asyncio.CancelledError:
                self.cancelled.append(rpc)
                raise

        return stream


async def start_invocations(servicer: ScriptedInvocations) -> tuple[grpc.aio.Server, str]:
    server = grpc.aio.server(options=channel_options())
    inv_grpc.add_InvocationServiceServicer_to_server(servicer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    return server, f"127.0.0.1:{port}"


@pytest.fixture(scope="module", autouse=True)
def logs() -> Iterator[list[MutableMapping[str, Any]]]:
    """Log events of the module, captured instead of rendered."""
    with structlog.testing.capture_logs(
        processors=[structlog.contextvars.merge_contextvars]
    ) as captured:
        yield captured


@pytest.fixture(scope="module")
def background() -> Iterator[BackgroundLoop]:
    """The loop the gRPC servers and gateways of this module run on."""
    loop = BackgroundLoop()
    yield loop
    loop.close()


@pytest.fixture(scope="module")
def scripted(background: BackgroundLoop) -> Iterator[tuple[ScriptedInvocations, int]]:
    servicer = ScriptedInvocations()
    server, target = background.run(start_invocations(servicer))
    running = background.run(RunningGateway.start(target))
    yield servicer, running.port
    background.run(running.stop())
    background.run(server.stop(None))


@pytest.fixture
def stand_in(scripted: tuple[ScriptedInvocations, int]) -> Iterator[ScriptedInvocations]:
    servicer, _ = scripted
    servicer.replies.clear()
    servicer.calls.clear()
    servicer.cancelled.clear()
    yield servicer


@pytest.fixture
def port(scripted: tuple[ScriptedInvocations, int]) -> int:
    return scripted[1]


@pytest.fixture
def sdk(port: int) -> Any:
    """boto3's Lambda client on the gateway: what it parses is what AWS SDKs parse."""
    return boto3.client(
        "lambda",
        endpoint_url=f"http://127.0.0.1:{port}",
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=BotoConfig(retries={"max_attempts": 1}),
    )


def echo_invoke(**fields: Any) -> Callable[[Any, dict[str, str]], Message]:
    """An Invoke reply that, like the daemon, takes the gateway's x-request-id."""

    def reply(request: Any, metadata: dict[str, str]) -> Message:
        defaults = {"status_code": 200, "payload": request.payload, "executed_version": "$LATEST"}
        return inv.InvokeResponse(**{**defaults, **fields}, request_id=metadata["x-request-id"])

    return reply


StreamItem = inv.InvokeWithResponseStreamResponse | grpc.Status | float


def streamed(*items: StreamItem, **start: Any) -> Any:
    """An InvokeWithResponseStream script: a start taking the gateway's id, then `items`."""

    def reply(request: Any, metadata: dict[str, str]) -> list[Any]:
        fields = {"status_code": 200, "executed_version": "$LATEST", **start}
        first = inv.InvokeResponseStreamStart(**fields, request_id=metadata["x-request-id"])
        return [inv.InvokeWithResponseStreamResponse(start=first), *items]

    return reply


def still_answers(port: int) -> None:
    """The gateway serves a well-formed request after whatever came before."""
    answer = send(port, "GET", "/2019-09-30/functions/f/concurrency")
    assert answer.status < 500, answer
    assert REQUEST_ID.match(answer.headers["x-amzn-requestid"])


def fill(route: Route, function: str = "fuzz-missing") -> str:
    return route.path.replace("{FunctionName}", function)


def only_call(servicer: ScriptedInvocations, rpc: str) -> tuple[Any, dict[str, str]]:
    [(called, request, metadata)] = servicer.calls
    assert called == rpc
    return request, metadata


# --- Invoke over HTTP ------------------------------------------------------------------


def test_invoke_headers_in_and_out(stand_in: ScriptedInvocations, port: int) -> None:
    stand_in.replies["Invoke"] = echo_invoke(
        payload=b'{"errorType": "Exception"}',
        function_error="Unhandled",
        log_result=LOG_TAIL,
        executed_version="7",
    )
    context = base64.b64encode(b'{"custom": {}}').decode()
    answer = send(
        port,
        "POST",
        f"/2015-03-31/functions/{ENCODED_ARN}/invocations?Qualifier=live",
        b'{"in": 1}',
        {
            "X-Amz-Invocation-Type": "RequestResponse",
            "X-Amz-Log-Type": "Tail",
            "X-Amz-Client-Context": context,
            "X-Amz-Tenant-Id": "tenant-1",
        },
    )
    request, metadata = only_call(stand_in, "Invoke")
    assert request == inv.InvokeRequest(
        function_name=ARN,
        qualifier="live",
        invocation_type="RequestResponse",
        log_type="Tail",
        client_context=context,
        tenant_id="tenant-1",
        payload=b'{"in": 1}',
    )
    assert answer.status == 200
    assert answer.body == b'{"errorType": "Exception"}'
    assert answer.headers["content-type"] == "application/json"
    assert answer.headers["x-amz-function-error"] == "Unhandled"
    assert answer.headers["x-amz-log-result"] == LOG_TAIL
    assert answer.headers["x-amz-executed-version"] == "7"
    # One id: the gateway's, sent to the daemon, used for the invocation, answered.
    assert REQUEST_ID.match(answer.headers["x-amzn-requestid"])
    assert answer.headers["x-amzn-requestid"] == metadata["x-request-id"]


def test_invoke_through_boto3(stand_in: ScriptedInvocations, sdk: Any) -> None:
    stand_in.replies["Invoke"] = echo_invoke(log_result=LOG_TAIL, executed_version="2")
    result = sdk.invoke(FunctionName="f", Payload=b'{"hello": "world"}', LogType="Tail")
    _, metadata = only_call(stand_in, "Invoke")
    assert result["StatusCode"] == 200
    assert result["ExecutedVersion"] == "2"
    assert result["LogResult"] == LOG_TAIL
    assert "FunctionError" not in result
    assert result["Payload"].read() == b'{"hello": "world"}'
    assert result["ResponseMetadata"]["RequestId"] == metadata["x-request-id"]


@pytest.mark.parametrize(
    "payload",
    [b"", b"null", b"\x00\x01\xfe\xff", bytes(range(256)) * 64, "\u00e9\u4e2d".encode()],
    ids=["empty", "null", "binary", "16KiB-binary", "utf8"],
)
def test_raw_payload_passes_through_both_ways(
    stand_in: ScriptedInvocations, port: int, payload: bytes
) -> None:
    stand_in.replies["Invoke"] = echo_invoke()
    answer = send(port, "POST", INVOKE, payload)
    request, _ = only_call(stand_in, "Invoke")
    assert request.payload == payload
    assert answer.status == 200
    assert answer.body == payload


@pytest.mark.parametrize(
    ("invocation_type", "status"), [("Event", 202), ("DryRun", 204)], ids=["Event", "DryRun"]
)
def test_event_and_dry_run(
    stand_in: ScriptedInvocations, sdk: Any, invocation_type: str, status: int
) -> None:
    stand_in.replies["Invoke"] = echo_invoke(status_code=status, payload=b"")
    result = sdk.invoke(FunctionName="f", InvocationType=invocation_type, Payload=b"{}")
    request, metadata = only_call(stand_in, "Invoke")
    assert request.invocation_type == invocation_type
    assert result["StatusCode"] == status
    assert "ExecutedVersion" not in result
    assert result["Payload"].read() == b""
    assert result["ResponseMetadata"]["RequestId"] == metadata["x-request-id"]


def test_invoke_async(stand_in: ScriptedInvocations, port: int, sdk: Any) -> None:
    stand_in.replies["Invoke"] = echo_invoke(status_code=202, payload=b"")
    answer = send(port, "POST", INVOKE_ASYNC, b'{"a": 1}', {"X-Amz-Invocation-Type": "DryRun"})
    request, metadata = only_call(stand_in, "Invoke")
    assert request == inv.InvokeRequest(
        function_name="f", invocation_type="Event", payload=b'{"a": 1}'
    )
    assert answer.status == 202
    assert answer.json() == {"Status": 202}
    assert answer.headers["x-amzn-requestid"] == metadata["x-request-id"]
    stand_in.calls.clear()
    assert sdk.invoke_async(FunctionName="f", InvokeArgs=b"{}")["Status"] == 202


@pytest.mark.parametrize("op", ["Invoke", "InvokeWithResponseStream", "InvokeAsync"])
@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_payload_over_6_mb_is_refused_by_the_gateway(
    stand_in: ScriptedInvocations, port: int, op: str, chunked: bool
) -> None:
    route = BY_OP[op]
    payload = b"x" * (INVOKE_MAX_BYTES + 1)
    body: Any = (payload[i : i + (1 << 20)] for i in range(0, len(payload), 1 << 20))
    answer = send(
        port, "POST", route.path.replace("{FunctionName}", "f"), body if chunked else payload
    )
    assert answer.status == 413
    assert answer.headers["x-amzn-errortype"] == "RequestEntityTooLargeException"
    assert answer.json() == {
        "Type": "User",
        "message": "Request must be smaller than 6291456 bytes for the InvokeFunction operation",
    }
    assert stand_in.calls == []


def test_payload_of_exactly_6_mb_reaches_the_daemon(
    stand_in: ScriptedInvocations, port: int
) -> None:
    stand_in.replies["Invoke"] = echo_invoke(payload=b"null")
    answer = send(port, "POST", INVOKE, b"x" * INVOKE_MAX_BYTES)
    assert answer.status == 200
    request, _ = only_call(stand_in, "Invoke")
    assert len(request.payload) == INVOKE_MAX_BYTES


def test_event_payload_over_1_mb_is_refused_by_the_gateway(
    stand_in: ScriptedInvocations, port: int
) -> None:
    payload = b"x" * (EVENT_MAX_BYTES + 1)
    answer = send(port, "POST", INVOKE, payload, {"X-Amz-Invocation-Type": "Event"})
    assert answer.status == 413
    assert answer.headers["x-amzn-errortype"] == "RequestEntityTooLargeException"
    assert answer.json() == {
        "Type": "User",
        "message": (
            "1048577 byte payload is too large for the Event invocation type (limit 1048576 bytes)"
        ),
    }
    assert stand_in.calls == []


# Daemon failures of Invoke: (status details, HTTP status, exception, extra body members).
INVOKE_ERRORS = [
    (
        rich_status(
            code_pb2.RESOURCE_EXHAUSTED,
            "TOO_MANY_REQUESTS",
            "Rate Exceeded.",
            reason="ReservedFunctionConcurrentInvocationLimitExceeded",
            retry_after_seconds="1",
        ),
        429,
        "TooManyRequestsException",
        {
            "message": "Rate Exceeded.",
            "Reason": "ReservedFunctionConcurrentInvocationLimitExceeded",
        },
    ),
    (NOT_FOUND, 404, "ResourceNotFoundException", {"Message": NOT_FOUND.details}),
    (
        rich_status(
            code_pb2.FAILED_PRECONDITION,
            "RESOURCE_CONFLICT",
            "The operation cannot be performed at this time. The function is currently in the "
            "following state: Pending",
        ),
        409,
        "ResourceConflictException",
        {},
    ),
    (
        rich_status(code_pb2.INVALID_ARGUMENT, "REQUEST_TOO_LARGE", "too big"),
        413,
        "RequestEntityTooLargeException",
        {"message": "too big"},
    ),
    (
        rich_status(
            code_pb2.INVALID_ARGUMENT,
            "INVALID_REQUEST_CONTENT",
            "Could not parse request body into json: Could not parse payload into json: x",
        ),
        400,
        "InvalidRequestContentException",
        {},
    ),
    (PlainStatus(grpc.StatusCode.INTERNAL, "broken"), 500, "ServiceException", {}),
]


@pytest.mark.parametrize(
    ("status", "http_status", "exception", "members"),
    INVOKE_ERRORS,
    ids=[e[2] for e in INVOKE_ERRORS],
)
@pytest.mark.parametrize("op", ["Invoke", "InvokeWithResponseStream", "InvokeAsync"])
def test_invoke_errors_are_aws_errors(
    stand_in: ScriptedInvocations,
    port: int,
    op: str,
    status: grpc.Status,
    http_status: int,
    exception: str,
    members: dict[str, str],
) -> None:
    route = BY_OP[op]
    stand_in.replies[route.rpc] = status
    answer = send(port, "POST", fill(route, "f"), b"{}")
    assert answer.status == http_status
    assert answer.headers["x-amzn-errortype"] == exception
    assert answer.headers["content-type"] == "application/json"
    body = answer.json()
    assert members.items() <= body.items()
    if exception == "ValidationException":
        assert "Type" not in body
    else:
        assert body["Type"] == ("User" if http_status < 500 else "Service")
    assert REQUEST_ID.match(answer.headers["x-amzn-requestid"])
    if http_status == 429:
        assert answer.headers["retry-after"] == "1"


def test_throttling_through_boto3(stand_in: ScriptedInvocations, sdk: Any) -> None:
    stand_in.replies["Invoke"] = INVOKE_ERRORS[0][0]
    with pytest.raises(sdk.exceptions.TooManyRequestsException) as caught:
        sdk.invoke(FunctionName="f", Payload=b"{}")
    response = caught.value.response
    assert response["Reason"] == "ReservedFunctionConcurrentInvocationLimitExceeded"
    assert response["retryAfterSeconds"] == "1"
    assert response["Error"]["Message"] == "Rate Exceeded."


# --- InvokeWithResponseStream over HTTP ------------------------------------------------


def test_stream_through_boto3(stand_in: ScriptedInvocations, sdk: Any) -> None:
    stand_in.replies["InvokeWithResponseStream"] = streamed(
        chunk(b'{"part": '), chunk(b"1}"), complete(log_result=LOG_TAIL), executed_version="4"
    )
    result = sdk.invoke_with_response_stream(
        FunctionName="f", Qualifier="4", Payload=b'{"q": 1}', LogType="Tail"
    )
    request, metadata = only_call(stand_in, "InvokeWithResponseStream")
    assert request == inv.InvokeWithResponseStreamRequest(
        function_name="f", qualifier="4", log_type="Tail", payload=b'{"q": 1}'
    )
    assert result["StatusCode"] == 200
    assert result["ExecutedVersion"] == "4"
    assert result["ResponseStreamContentType"] == EVENT_STREAM
    assert result["ResponseMetadata"]["RequestId"] == metadata["x-request-id"]
    assert list(result["EventStream"]) == [
        {"PayloadChunk": {"Payload": b'{"part": '}},
        {"PayloadChunk": {"Payload": b"1}"}},
        {"InvokeComplete": {"LogResult": LOG_TAIL}},
    ]


def test_stream_raw_answer(stand_in: ScriptedInvocations, port: int) -> None:
    failure = complete(error_code="Unhandled", error_details='{"errorMessage": "x"}')
    stand_in.replies["InvokeWithResponseStream"] = streamed(chunk(b"\x00\xff"), failure)
    answer = send(port, "POST", STREAM, b"{}")
    _, metadata = only_call(stand_in, "InvokeWithResponseStream")
    # A function error is reported in the stream; the status stays 200.
    assert answer.status == 200
    assert answer.headers["content-type"] == EVENT_STREAM
    assert answer.headers["x-amz-executed-version"] == "$LATEST"
    assert answer.headers["x-amzn-requestid"] == metadata["x-request-id"]
    messages = decode(answer.body)
    assert [m.headers[":event-type"] for m in messages] == ["PayloadChunk", "InvokeComplete"]
    assert messages[0].payload == b"\x00\xff"
    assert json.loads(messages[1].payload) == {
        "ErrorCode": "Unhandled",
        "ErrorDetails": '{"errorMessage": "x"}',
    }


def test_stream_dry_run_is_204(stand_in: ScriptedInvocations, sdk: Any) -> None:
    stand_in.replies["InvokeWithResponseStream"] = streamed(status_code=204)
    result = sdk.invoke_with_response_stream(FunctionName="f", InvocationType="DryRun")
    request, metadata = only_call(stand_in, "InvokeWithResponseStream")
    assert request.invocation_type == "DryRun"
    assert result["StatusCode"] == 204
    assert result["ResponseMetadata"]["RequestId"] == metadata["x-request-id"]
    assert list(result["EventStream"]) == []


def test_stream_error_before_start_is_an_aws_error(stand_in: ScriptedInvocations, sdk: Any) -> None:
    stand_in.replies["InvokeWithResponseStream"] = INVOKE_ERRORS[0][0]
    with pytest.raises(sdk.exceptions.TooManyRequestsException) as caught:
        sdk.invoke_with_response_stream(FunctionName="f")
    assert caught.value.response["Reason"] == "ReservedFunctionConcurrentInvocationLimitExceeded"


def test_stream_failing_midway_ends_with_an_error_event(
    stand_in: ScriptedInvocations, port: int, sdk: Any
) -> None:
    broken = rich_status(code_pb2.INTERNAL, "SERVICE", "environment died")
    stand_in.replies["InvokeWithResponseStream"] = streamed(chunk(b"partial"), broken)
    result = sdk.invoke_with_response_stream(FunctionName="f")
    events = iter(result["EventStream"])
    assert next(events) == {"PayloadChunk": {"Payload": b"partial"}}
    with pytest.raises(EventStreamError) as caught:
        next(events)
    assert caught.value.response["Error"] == {
        "Code": "ServiceException",
        "Message": "environment died",
    }
    still_answers(port)


def test_client_leaving_mid_stream_cancels_the_invocation(
    stand_in: ScriptedInvocations, port: int
) -> None:
    stand_in.replies["InvokeWithResponseStream"] = streamed(
        chunk(b"first"), 0.5, chunk(b"second"), 30.0, complete()
    )
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("POST", STREAM, body=b"{}")
        response = connection.getresponse()
        assert response.status == 200
        buffer = EventStreamBuffer()
        while not (events := list(buffer)):
            buffer.add_data(response.read1(1024))
        assert events[0].payload == b"first"
    finally:
        connection.close()
    # The gateway notices the closed connection when it next writes (as in AWS, a silent
    # function is not interrupted), and then cancels the daemon call.
    wait_for(lambda: stand_in.cancelled == ["InvokeWithResponseStream"], timeout=10)
    still_answers(port)


def test_one_summary_line_per_streamed_request(
    stand_in: ScriptedInvocations, port: int, logs: list[MutableMapping[str, Any]]
) -> None:
    stand_in.replies["InvokeWithResponseStream"] = streamed(chunk(b"x"), complete())
    answer = send(port, "POST", STREAM, b"{}")
    request_id = answer.headers["x-amzn-requestid"]

    def lines() -> list[MutableMapping[str, Any]]:
        return [e for e in logs if e.get("request_id") == request_id and e["event"] == "request"]

    # A streamed answer is complete before the handler returns and logs.
    wait_for(lines, timeout=5)
    [line] = lines()
    assert line["operation"] == "InvokeWithResponseStream"
    assert line["status"] == 200


def test_stream_not_beginning_with_start_is_a_service_exception(
    stand_in: ScriptedInvocations, port: int
) -> None:
    stand_in.replies["InvokeWithResponseStream"] = [chunk(b"x")]
    answer = send(port, "POST", STREAM, b"{}")
    assert answer.status == 500
    assert answer.headers["x-amzn-errortype"] == "ServiceException"
    stand_in.replies["InvokeWithResponseStream"] = []
    assert send(port, "POST", STREAM, b"{}").status == 500


def test_large_streamed_response(stand_in: ScriptedInvocations, sdk: Any) -> None:
    pieces = [bytes([i]) * 100_000 for i in range(40)]
    stand_in.replies["InvokeWithResponseStream"] = streamed(*map(chunk, pieces), complete())
    result = sdk.invoke_with_response_stream(FunctionName="f")
    received = [e["PayloadChunk"]["Payload"] for e in result["EventStream"] if "PayloadChunk" in e]
    assert received == pieces


# --- concurrency over HTTP -------------------------------------------------------------


def test_concurrency_round_trip_through_boto3(stand_in: ScriptedInvocations, sdk: Any) -> None:
    stand_in.replies["PutFunctionConcurrency"] = inv.PutFunctionConcurrencyResponse(
        reserved_concurrent_executions=5
    )
    put = sdk.put_function_concurrency(FunctionName=ARN, ReservedConcurrentExecutions=5)
    assert put["ReservedConcurrentExecutions"] == 5
    stand_in.replies["GetFunctionConcurrency"] = inv.GetFunctionConcurrencyResponse(
        reserved_concurrent_executions=0
    )
    # Zero is a reservation (it throttles everything), not "unset".
    assert sdk.get_function_concurrency(FunctionName="f")["ReservedConcurrentExecutions"] == 0
    stand_in.replies["DeleteFunctionConcurrency"] = inv.DeleteFunctionConcurrencyResponse()
    deleted = sdk.delete_function_concurrency(FunctionName="f")
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert [(rpc, request) for rpc, request, _ in stand_in.calls] == [
        (
            "PutFunctionConcurrency",
            inv.PutFunctionConcurrencyRequest(function_name=ARN, reserved_concurrent_executions=5),
        ),
        ("GetFunctionConcurrency", inv.GetFunctionConcurrencyRequest(function_name="f")),
        ("DeleteFunctionConcurrency", inv.DeleteFunctionConcurrencyRequest(function_name="f")),
    ]


def test_unset_concurrency_is_an_empty_object(stand_in: ScriptedInvocations, port: int) -> None:
    stand_in.replies["GetFunctionConcurrency"] = inv.GetFunctionConcurrencyResponse()
    answer = send(port, "GET", "/2019-09-30/functions/f/concurrency")
    assert answer.status == 200
    assert answer.json() == {}


def test_put_concurrency_answers_the_body(stand_in: ScriptedInvocations, port: int) -> None:
    stand_in.replies["PutFunctionConcurrency"] = inv.PutFunctionConcurrencyResponse(
        reserved_concurrent_executions=3
    )
    answer = send(
        port, "PUT", "/2017-10-31/functions/f/concurrency", b'{"ReservedConcurrentExecutions": 3}'
    )
    assert answer.status == 200
    assert answer.json() == {"ReservedConcurrentExecutions": 3}


def test_delete_concurrency_is_204_without_body(stand_in: ScriptedInvocations, port: int) -> None:
    reply_type = message_factory.GetMessageClass(
        INVOCATION_SERVICE.methods_by_name["DeleteFunctionConcurrency"].output_type
    )
    stand_in.replies["DeleteFunctionConcurrency"] = reply_type()
    answer = send(port, "DELETE", "/2017-10-31/functions/f/concurrency")
    assert answer.status == 204
    assert answer.body == b""
    assert REQUEST_ID.match(answer.headers["x-amzn-requestid"])


def test_unknown_function_concurrency_through_boto3(
    stand_in: ScriptedInvocations, sdk: Any
) -> None:
    with pytest.raises(ClientError) as caught:
        sdk.get_function_concurrency(FunctionName="f")
    assert caught.value.response["Error"]["Code"] == "ResourceNotFoundException"


# --- async invoke configuration over HTTP ---------------------------------------------

QUEUE = "arn:aws:sqs:us-east-1:000000000000:failures"


def event_invoke_config(**fields: Any) -> inv.FunctionEventInvokeConfig:
    return inv.FunctionEventInvokeConfig(
        last_modified=1_700_000_000.5,
        function_arn=ARN + ":$LATEST",
        destination_config=inv.DestinationConfig(
            on_success=inv.OnSuccess(), on_failure=inv.OnFailure(destination=QUEUE)
        ),
        **fields,
    )


def test_event_invoke_config_through_boto3(stand_in: ScriptedInvocations, sdk: Any) -> None:
    config = event_invoke_config(maximum_retry_attempts=1)
    stand_in.replies["PutFunctionEventInvokeConfig"] = inv.PutFunctionEventInvokeConfigResponse(
        event_invoke_config=config
    )
    put = sdk.put_function_event_invoke_config(
        FunctionName="f",
        Qualifier="$LATEST",
        MaximumRetryAttempts=1,
        DestinationConfig={"OnFailure": {"Destination": QUEUE}},
    )
    request, _ = only_call(stand_in, "PutFunctionEventInvokeConfig")
    assert request == inv.PutFunctionEventInvokeConfigRequest(
        function_name="f",
        qualifier="$LATEST",
        maximum_retry_attempts=1,
        destination_config=inv.DestinationConfig(on_failure=inv.OnFailure(destination=QUEUE)),
    )
    assert put["FunctionArn"] == ARN + ":$LATEST"
    assert put["LastModified"].timestamp() == 1_700_000_000.5
    assert put["MaximumRetryAttempts"] == 1
    assert "MaximumEventAgeInSeconds" not in put
    # An unset destination is an empty object, as AWS shows it.
    assert put["DestinationConfig"] == {"OnSuccess": {}, "OnFailure": {"Destination": QUEUE}}

    stand_in.calls.clear()
    stand_in.replies["ListFunctionEventInvokeConfigs"] = inv.ListFunctionEventInvokeConfigsResponse(
        function_event_invoke_configs=[config]
    )
    listed = sdk.list_function_event_invoke_configs(FunctionName="f", MaxItems=5)
    request, _ = only_call(stand_in, "ListFunctionEventInvokeConfigs")
    assert request == inv.ListFunctionEventInvokeConfigsRequest(function_name="f", page_size=5)
    assert [c["FunctionArn"] for c in listed["FunctionEventInvokeConfigs"]] == [ARN + ":$LATEST"]
    assert "NextMarker" not in listed

    stand_in.calls.clear()
    stand_in.replies["DeleteFunctionEventInvokeConfig"] = (
        inv.DeleteFunctionEventInvokeConfigResponse()
    )
    deleted = sdk.delete_function_event_invoke_config(FunctionName="f", Qualifier="1")
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    request, _ = only_call(stand_in, "DeleteFunctionEventInvokeConfig")
    assert request == inv.DeleteFunctionEventInvokeConfigRequest(function_name="f", qualifier="1")


def test_update_event_invoke_config_sends_only_what_was_given(
    stand_in: ScriptedInvocations, port: int
) -> None:
    stand_in.replies["UpdateFunctionEventInvokeConfig"] = (
        inv.UpdateFunctionEventInvokeConfigResponse(
            event_invoke_config=event_invoke_config(maximum_event_age_in_seconds=60)
        )
    )
    answer = send(
        port,
        "POST",
        "/2019-09-25/functions/f/event-invoke-config",
        b'{"MaximumEventAgeInSeconds": 60}',
    )
    assert answer.status == 200
    assert answer.json()["MaximumEventAgeInSeconds"] == 60
    request, _ = only_call(stand_in, "UpdateFunctionEventInvokeConfig")
    assert request.HasField("maximum_event_age_in_seconds")
    assert not request.HasField("maximum_retry_attempts")
    assert not request.HasField("destination_config")


# --- properties: the stand-in that fails everything, and the real daemon ----------------

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)
INVOKE_KINDS = [r for r in INVOCATION_ROUTES if r.kind is not RouteKind.JSON]
HEADER_VALUES = st.sampled_from(
    ["", "RequestResponse", "Event", "DryRun", "None", "Tail", "event", "e30=", "!!"]
) | st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=30)


@dataclass(frozen=True)
class Backend:
    """The daemon behind the fuzzed gateway."""

    port: int
    # True for the stand-in, which fails every RPC: then every answer must be an error.
    always_fails: bool


@pytest.fixture(scope="module")
def daemon_target(
    background: BackgroundLoop, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """gRPC target of the real daemon: LAMBDAD_TEST_DAEMON_TARGET, or one started here."""
    external = os.environ.get("LAMBDAD_TEST_DAEMON_TARGET")
    if external:
        yield external
        return
    # Functions run as local processes: unit tests need no Docker engine.
    config = Config(data_dir=tmp_path_factory.mktemp("lambdad"), grpc_port=0, executor="process")
    daemon = background.run(start_daemon(config))
    yield f"127.0.0.1:{daemon.port}"
    background.run(daemon.stop(grace=0))


@pytest.fixture(scope="module")
def daemon_gateway(background: BackgroundLoop, daemon_target: str) -> Iterator[int]:
    running = background.run(RunningGateway.start(daemon_target))
    yield running.port
    background.run(running.stop())


@pytest.fixture(params=["stand-in", "daemon"])
def backend(request: pytest.FixtureRequest, scripted: tuple[Any, int]) -> Iterator[Backend]:
    """The stand-in that fails everything (unscripted), and the real daemon."""
    if request.param == "stand-in":
        servicer, port = scripted
        servicer.replies.clear()
        yield Backend(port, always_fails=True)
    else:
        port = request.getfixturevalue("daemon_gateway")
        yield Backend(port, always_fails=False)
    still_answers(port)


def invoke_headers(route: Route, data: Any) -> dict[str, str]:
    return {name: data.draw(HEADER_VALUES) for name in route.headers if data.draw(st.booleans())}


def is_valid_choice(route: Route, headers: dict[str, str]) -> bool:
    """Whether the daemon accepts the invocation and log types (it checks them first)."""
    types = ["RequestResponse", "DryRun"]
    if route.kind is not RouteKind.INVOKE_STREAM:
        types.append("Event")  # streamed invocations cannot be Event
    invocation_type = headers.get("X-Amz-Invocation-Type") or "RequestResponse"
    log_type = headers.get("X-Amz-Log-Type") or "None"
    # Members with a pattern are validated before the function is looked up, as on AWS.
    patterned = {
        "X-Amz-Tenant-Id": r"[a-zA-Z0-9\._:\/=+\-@ ]{1,256}",
        "X-Amz-Durable-Execution-Name": r"[a-zA-Z0-9\-_]{1,64}",
    }
    well_formed = all(
        not headers.get(name) or re.fullmatch(pattern, headers[name])
        for name, pattern in patterned.items()
    )
    return invocation_type in types and log_type in ("None", "Tail") and well_formed


@pytest.mark.parametrize("route", INVOCATION_ROUTES, ids=lambda r: r.operation)
@FUZZ
@given(body=st.binary(max_size=300) | st.text(max_size=300).map(str.encode), data=st.data())
def test_any_body_on_a_missing_function(
    backend: Backend, route: Route, body: bytes, data: Any
) -> None:
    headers = invoke_headers(route, data)
    answer = send(backend.port, route.method, fill(route), body, headers)
    error = assert_aws_error(answer, allow_success=False)
    assert error is not None
    if route.kind is not RouteKind.JSON and is_valid_choice(route, headers):
        # Whatever the payload, a missing function is the answer.
        assert answer.status == 404, answer
        assert answer.headers["x-amzn-errortype"] == "ResourceNotFoundException"


@pytest.mark.parametrize("route", INVOCATION_ROUTES, ids=lambda r: r.operation)
@FUZZ
@given(data=st.data())
def test_any_path_query_and_headers(backend: Backend, route: Route, data: Any) -> None:
    function = data.draw(st.text(min_size=1, max_size=150))
    names = st.sampled_from([*route.query, "Qualifier", "x"]) | st.text(max_size=10)
    query = data.draw(st.lists(st.tuples(names, st.text(min_size=1, max_size=100)), max_size=3))
    path = route.path.replace("{FunctionName}", quote(function, safe=""))
    if query:
        path += "?" + urlencode(query)
    answer = send(backend.port, route.method, path, b"{}", invoke_headers(route, data))
    assert_aws_error(answer, allow_success=not backend.always_fails)


@pytest.fixture(scope="module")
def active_function(daemon_gateway: int) -> str:
    """A function created through the gateway on the real daemon, once it is Active."""
    name = f"invoke-fuzz-{uuid.uuid4().hex[:8]}"
    body = {
        "FunctionName": name,
        "Runtime": "python3.12",
        "Handler": "app.handler",
        "Role": "arn:aws:iam::000000000000:role/lambda-role",
        "Code": {"ZipFile": base64.b64encode(make_zip()).decode()},
    }
    created = send(daemon_gateway, "POST", "/2015-03-31/functions", json.dumps(body).encode())
    assert created.status == 201, created

    def active() -> bool:
        got = send(daemon_gateway, "GET", f"/2015-03-31/functions/{name}/configuration")
        return bool(got.json().get("State") == "Active")

    wait_for(active, timeout=30)
    return name


def _is_json(payload: bytes) -> bool:
    if not payload.strip():
        return True  # an empty payload is {}
    try:
        json.loads(payload.decode("utf-8"))
    except (ValueError, RecursionError):
        return False
    return True


@FUZZ
@given(payload=st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_any_payload_on_an_active_function(
    daemon_gateway: int, active_function: str, payload: bytes
) -> None:
    # DryRun: the daemon runs every check (JSON included) but not the function.
    route = BY_OP["Invoke"]
    headers = {"X-Amz-Invocation-Type": "DryRun"}
    answer = send(daemon_gateway, "POST", fill(route, active_function), payload, headers)
    if _is_json(payload):
        assert answer.status == 204, answer
        assert REQUEST_ID.match(answer.headers["x-amzn-requestid"])
    else:
        error = assert_aws_error(answer)
        assert answer.status == 400
        assert answer.headers["x-amzn-errortype"] == "InvalidRequestContentException"
        assert error is not None
        assert error["message"].startswith(
            "Could not parse request body into json: Could not parse payload into json: "
        )


def test_echo_through_the_real_daemon(daemon_gateway: int, active_function: str) -> None:
    payload = b'{"hello": "daemon"}'
    answer = send(daemon_gateway, "POST", fill(BY_OP["Invoke"], active_function), payload)
    assert answer.status == 200, answer
    assert json.loads(answer.body) == {"hello": "daemon"}
    assert answer.headers["x-amz-executed-version"] == "$LATEST"
