"""The gateway's InvocationService routes without a server: invoke, concurrency and async invoke
configuration.

The route rows are checked against the proto and botocore's model; the pure translation
(raw payloads, headers, Invoke answers, event-stream framing) is checked directly, the
framing by decoding it with botocore's own parser. The aiohttp app over real HTTP, against a
scripted InvocationService and the real daemon, is tests/daemon/test_gateway_invoke.py.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import botocore.session
import pytest
from botocore.eventstream import EventStream, EventStreamBuffer
from botocore.exceptions import EventStreamError
from botocore.parsers import EventStreamJSONParser
from google.protobuf.descriptor import FieldDescriptor
from google.rpc import code_pb2
from hypothesis import given
from hypothesis import strategies as st
from multidict import CIMultiDict

from lambdad.daemon.errors import Reason
from lambdad.gateway import translate
from lambdad.gateway.routes import (
    ALL_ROUTES,
    CAPACITY_PROVIDER_ROUTES,
    CODE_SIGNING_ROUTES,
    DURABLE_ROUTES,
    EVENT_MAX_BYTES,
    EVENT_SOURCE_ROUTES,
    FUNCTION_SETTINGS_ROUTES,
    INVOCATION_ROUTES,
    INVOKE_MAX_BYTES,
    LAYER_ROUTES,
    RESOURCE_POLICY_ROUTES,
    ROUTES,
    URL_ROUTES,
    Route,
    RouteKind,
    Router,
)
from lambdad.v1 import invocation_service_pb2 as inv
from tests.daemon.gateway_support import SERVICES, rich_status
from tests.unit.stream_support import (
    chunk,
    complete,
    decode,
)

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
    assert {_service_of(r).name for r in CODE_SIGNING_ROUTES} == {"CodeSigningService"}
    assert {_service_of(r).name for r in FUNCTION_SETTINGS_ROUTES} == {"FunctionSettingsService"}
    assert {_service_of(r).name for r in RESOURCE_POLICY_ROUTES} == {"ResourcePolicyService"}
    assert {_service_of(r).name for r in CAPACITY_PROVIDER_ROUTES} == {"CapacityProviderService"}
    assert {_service_of(r).name for r in DURABLE_ROUTES} == {"DurableExecutionService"}
    assert ALL_ROUTES == (
        ROUTES
        + INVOCATION_ROUTES
        + LAYER_ROUTES
        + URL_ROUTES
        + EVENT_SOURCE_ROUTES
        + CODE_SIGNING_ROUTES
        + FUNCTION_SETTINGS_ROUTES
        + RESOURCE_POLICY_ROUTES
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
    if route.kind is RouteKind.JSON:
        # An answer without members is 204, except where AWS answers 200 with `{}`.
        assert not route.empty_response or not method.output_type.fields


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


NOT_FOUND = rich_status(
    code_pb2.NOT_FOUND,
    "FUNCTION_NOT_FOUND",
    "Function not found: arn:aws:lambda:us-east-1:000000000000:function:f:$LATEST",
)
