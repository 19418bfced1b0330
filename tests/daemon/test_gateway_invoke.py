"""The gateway's InvocationService routes over real HTTP: the real aiohttp app driven raw and
through boto3 against a scripted InvocationService on a real grpc.aio server, and fuzzed with
Hypothesis against that stand-in and against the real daemon (the route table and the pure
translation: tests/unit/test_gateway_invoke.py).
"""

from __future__ import annotations

import base64
import http.client
import json
import re
import uuid
from collections.abc import Callable, Iterator, MutableMapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

import boto3
import grpc
import pytest
from botocore.config import Config as BotoConfig
from botocore.eventstream import EventStreamBuffer
from botocore.exceptions import ClientError, EventStreamError
from google.protobuf import message_factory
from google.protobuf.message import Message
from google.rpc import code_pb2
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lambdad.gateway.routes import (
    ALL_ROUTES,
    EVENT_MAX_BYTES,
    INVOCATION_ROUTES,
    INVOKE_MAX_BYTES,
    Route,
    RouteKind,
)
from lambdad.v1 import invocation_service_pb2 as inv
from lambdad.v1 import invocation_service_pb2_grpc as inv_grpc
from tests.daemon.gateway_support import (
    REQUEST_ID,
    SERVICES,
    BackgroundLoop,
    PlainStatus,
    ScriptedService,
    assert_aws_error,
    gateway_on,
    real_daemon,
    rich_status,
    send,
    serving,
)
from tests.helpers import make_zip, wait_for
from tests.unit.stream_support import chunk, complete, decode

# Every test runs with the module's log events captured (see conftest.py).
pytestmark = pytest.mark.usefixtures("logs")

INVOCATION_SERVICE = SERVICES["InvocationService"]
BY_OP = {route.operation: route for route in ALL_ROUTES}
ARN = "arn:aws:lambda:us-east-1:000000000000:function:f"
ENCODED_ARN = ARN.replace(":", "%3A")
INVOKE = "/2015-03-31/functions/f/invocations"
STREAM = "/2021-11-15/functions/f/response-streaming-invocations"
INVOKE_ASYNC = "/2014-11-13/functions/f/invoke-async/"
LOG_TAIL = base64.b64encode(b"START RequestId: x\nEND RequestId: x\n").decode()
EVENT_STREAM = "application/vnd.amazon.eventstream"


# --- the route table -------------------------------------------------------------------


NOT_FOUND = rich_status(
    code_pb2.NOT_FOUND,
    "FUNCTION_NOT_FOUND",
    "Function not found: arn:aws:lambda:us-east-1:000000000000:function:f:$LATEST",
)


def scripted_invocations() -> ScriptedService:
    """A stand-in InvocationService; unscripted RPCs fail FUNCTION_NOT_FOUND."""
    return ScriptedService(INVOCATION_SERVICE, NOT_FOUND)


@pytest.fixture(scope="module")
def scripted(background: BackgroundLoop) -> Iterator[tuple[ScriptedService, int]]:
    servicer = scripted_invocations()
    register = inv_grpc.add_InvocationServiceServicer_to_server
    with serving(background, servicer, register) as target, gateway_on(background, target) as port:
        yield servicer, port


@pytest.fixture
def stand_in(scripted: tuple[ScriptedService, int]) -> Iterator[ScriptedService]:
    servicer, _ = scripted
    servicer.replies.clear()
    servicer.calls.clear()
    servicer.cancelled.clear()
    yield servicer


@pytest.fixture
def port(scripted: tuple[ScriptedService, int]) -> int:
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


def only_call(servicer: ScriptedService, rpc: str) -> tuple[Any, dict[str, str]]:
    [(called, request, metadata)] = servicer.calls
    assert called == rpc
    return request, metadata


# --- Invoke over HTTP ------------------------------------------------------------------


def test_invoke_headers_in_and_out(stand_in: ScriptedService, port: int) -> None:
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


def test_invoke_through_boto3(stand_in: ScriptedService, sdk: Any) -> None:
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
    stand_in: ScriptedService, port: int, payload: bytes
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
    stand_in: ScriptedService, sdk: Any, invocation_type: str, status: int
) -> None:
    stand_in.replies["Invoke"] = echo_invoke(status_code=status, payload=b"")
    result = sdk.invoke(FunctionName="f", InvocationType=invocation_type, Payload=b"{}")
    request, metadata = only_call(stand_in, "Invoke")
    assert request.invocation_type == invocation_type
    assert result["StatusCode"] == status
    assert "ExecutedVersion" not in result
    assert result["Payload"].read() == b""
    assert result["ResponseMetadata"]["RequestId"] == metadata["x-request-id"]


def test_invoke_async(stand_in: ScriptedService, port: int, sdk: Any) -> None:
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
    stand_in: ScriptedService, port: int, op: str, chunked: bool
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


def test_payload_of_exactly_6_mb_reaches_the_daemon(stand_in: ScriptedService, port: int) -> None:
    stand_in.replies["Invoke"] = echo_invoke(payload=b"null")
    answer = send(port, "POST", INVOKE, b"x" * INVOKE_MAX_BYTES)
    assert answer.status == 200
    request, _ = only_call(stand_in, "Invoke")
    assert len(request.payload) == INVOKE_MAX_BYTES


def test_event_payload_over_1_mb_is_refused_by_the_gateway(
    stand_in: ScriptedService, port: int
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
    stand_in: ScriptedService,
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


def test_throttling_through_boto3(stand_in: ScriptedService, sdk: Any) -> None:
    stand_in.replies["Invoke"] = INVOKE_ERRORS[0][0]
    with pytest.raises(sdk.exceptions.TooManyRequestsException) as caught:
        sdk.invoke(FunctionName="f", Payload=b"{}")
    response = caught.value.response
    assert response["Reason"] == "ReservedFunctionConcurrentInvocationLimitExceeded"
    assert response["retryAfterSeconds"] == "1"
    assert response["Error"]["Message"] == "Rate Exceeded."


# --- InvokeWithResponseStream over HTTP ------------------------------------------------


def test_stream_through_boto3(stand_in: ScriptedService, sdk: Any) -> None:
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


def test_stream_raw_answer(stand_in: ScriptedService, port: int) -> None:
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


def test_stream_dry_run_is_204(stand_in: ScriptedService, sdk: Any) -> None:
    stand_in.replies["InvokeWithResponseStream"] = streamed(status_code=204)
    result = sdk.invoke_with_response_stream(FunctionName="f", InvocationType="DryRun")
    request, metadata = only_call(stand_in, "InvokeWithResponseStream")
    assert request.invocation_type == "DryRun"
    assert result["StatusCode"] == 204
    assert result["ResponseMetadata"]["RequestId"] == metadata["x-request-id"]
    assert list(result["EventStream"]) == []


def test_stream_error_before_start_is_an_aws_error(stand_in: ScriptedService, sdk: Any) -> None:
    stand_in.replies["InvokeWithResponseStream"] = INVOKE_ERRORS[0][0]
    with pytest.raises(sdk.exceptions.TooManyRequestsException) as caught:
        sdk.invoke_with_response_stream(FunctionName="f")
    assert caught.value.response["Reason"] == "ReservedFunctionConcurrentInvocationLimitExceeded"


def test_stream_failing_midway_ends_with_an_error_event(
    stand_in: ScriptedService, port: int, sdk: Any
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
    stand_in: ScriptedService, port: int
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
    stand_in: ScriptedService, port: int, logs: list[MutableMapping[str, Any]]
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
    stand_in: ScriptedService, port: int
) -> None:
    stand_in.replies["InvokeWithResponseStream"] = [chunk(b"x")]
    answer = send(port, "POST", STREAM, b"{}")
    assert answer.status == 500
    assert answer.headers["x-amzn-errortype"] == "ServiceException"
    stand_in.replies["InvokeWithResponseStream"] = []
    assert send(port, "POST", STREAM, b"{}").status == 500


def test_large_streamed_response(stand_in: ScriptedService, sdk: Any) -> None:
    pieces = [bytes([i]) * 100_000 for i in range(40)]
    stand_in.replies["InvokeWithResponseStream"] = streamed(*map(chunk, pieces), complete())
    result = sdk.invoke_with_response_stream(FunctionName="f")
    received = [e["PayloadChunk"]["Payload"] for e in result["EventStream"] if "PayloadChunk" in e]
    assert received == pieces


# --- concurrency over HTTP -------------------------------------------------------------


def test_concurrency_round_trip_through_boto3(stand_in: ScriptedService, sdk: Any) -> None:
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


def test_unset_concurrency_is_an_empty_object(stand_in: ScriptedService, port: int) -> None:
    stand_in.replies["GetFunctionConcurrency"] = inv.GetFunctionConcurrencyResponse()
    answer = send(port, "GET", "/2019-09-30/functions/f/concurrency")
    assert answer.status == 200
    assert answer.json() == {}


def test_put_concurrency_answers_the_body(stand_in: ScriptedService, port: int) -> None:
    stand_in.replies["PutFunctionConcurrency"] = inv.PutFunctionConcurrencyResponse(
        reserved_concurrent_executions=3
    )
    answer = send(
        port, "PUT", "/2017-10-31/functions/f/concurrency", b'{"ReservedConcurrentExecutions": 3}'
    )
    assert answer.status == 200
    assert answer.json() == {"ReservedConcurrentExecutions": 3}


def test_delete_concurrency_is_204_without_body(stand_in: ScriptedService, port: int) -> None:
    reply_type = message_factory.GetMessageClass(
        INVOCATION_SERVICE.methods_by_name["DeleteFunctionConcurrency"].output_type
    )
    stand_in.replies["DeleteFunctionConcurrency"] = reply_type()
    answer = send(port, "DELETE", "/2017-10-31/functions/f/concurrency")
    assert answer.status == 204
    assert answer.body == b""
    assert REQUEST_ID.match(answer.headers["x-amzn-requestid"])


def test_unknown_function_concurrency_through_boto3(stand_in: ScriptedService, sdk: Any) -> None:
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


def test_event_invoke_config_through_boto3(stand_in: ScriptedService, sdk: Any) -> None:
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
    stand_in: ScriptedService, port: int
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
    # Functions run as local processes: these tests need no Docker engine.
    with real_daemon(background, tmp_path_factory, executor="process") as target:
        yield target


@pytest.fixture(scope="module")
def daemon_gateway(background: BackgroundLoop, daemon_target: str) -> Iterator[int]:
    with gateway_on(background, daemon_target) as port:
        yield port


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
