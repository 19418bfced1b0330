"""The gateway's X-Ray routes against botocore's xray model, and the trace header extension."""

from __future__ import annotations

import botocore.session
import pytest
from multidict import CIMultiDict

from lambdad.gateway import translate
from lambdad.gateway.routes import (
    ALL_ROUTES,
    GATEWAY_ROUTES,
    LOGS_ROUTES,
    TRACE_HEADER,
    XRAY_ROUTES,
    Route,
    RouteKind,
    Router,
)
from lambdad.v1 import invocation_service_pb2 as inv
from lambdad.v1 import trace_service_pb2 as ts
from tests.unit.shape_support import check_shape

XRAY_MODEL = botocore.session.get_session().get_service_model("xray")
LAMBDA_MODEL = botocore.session.get_session().get_service_model("lambda")
SERVICE = ts.DESCRIPTOR.services_by_name["TraceService"]


def test_every_trace_rpc_has_exactly_one_route() -> None:
    assert sorted(r.rpc for r in XRAY_ROUTES) == sorted(SERVICE.methods_by_name)
    assert {r.stub.__name__ for r in XRAY_ROUTES} == {"TraceServiceStub"}


def test_gateway_serves_lambda_and_xray_without_overlap() -> None:
    assert GATEWAY_ROUTES == ALL_ROUTES + XRAY_ROUTES + LOGS_ROUTES
    shapes = [(r.method, r.path.rstrip("/")) for r in GATEWAY_ROUTES if r.target is None]
    assert len(shapes) == len(set(shapes))


@pytest.mark.parametrize("route", XRAY_ROUTES, ids=lambda r: r.operation)
def test_route_agrees_with_botocore(route: Route) -> None:
    operation = XRAY_MODEL.operation_model(route.operation)
    assert route.method == operation.http["method"]
    assert route.path == operation.http["requestUri"]
    assert route.ok_status == operation.http.get("responseCode", 200)
    assert route.kind is RouteKind.JSON and route.has_body
    method = SERVICE.methods_by_name[route.rpc]
    assert route.request_type.DESCRIPTOR is method.input_type
    check_shape(operation.input_shape, method.input_type, route.operation)
    check_shape(operation.output_shape, method.output_type, route.operation)
    # Members the CLI sends by default all have a field (the gateway refuses unknown ones).
    required = set(operation.input_shape.required_members)
    assert required <= {f.json_name for f in method.input_type.fields}


@pytest.mark.parametrize(
    ("path", "operation"),
    [
        ("/TraceSegments", "PutTraceSegments"),
        ("/TraceSummaries", "GetTraceSummaries"),
        ("/Traces", "BatchGetTraces"),
    ],
)
def test_xray_paths_match(path: str, operation: str) -> None:
    match = Router(GATEWAY_ROUTES).match("POST", path)
    assert match is not None and match.route.operation == operation


def test_summaries_request_and_one_page_answers() -> None:
    route = next(r for r in XRAY_ROUTES if r.operation == "GetTraceSummaries")
    message = translate.request_to_message(
        route, {}, {}, b'{"StartTime": 1700000000, "EndTime": 1700000060.5}'
    )
    assert (message.start_time, message.end_time) == (1700000000.0, 1700000060.5)
    body = translate.response_body(route, ts.GetTraceSummariesResponse(approximate_time=2.0))
    # No NextToken: the CLI's paginator would otherwise ask again.
    assert body == {"TraceSummaries": [], "ApproximateTime": 2.0, "TracesProcessedCount": 0}


def test_summaries_answer_carries_next_token_and_http() -> None:
    route = next(r for r in XRAY_ROUTES if r.operation == "GetTraceSummaries")
    response = ts.GetTraceSummariesResponse(
        trace_summaries=[ts.TraceSummary(id="1-a", http=ts.Http(http_status=502))],
        next_token="abc",
    )
    body = translate.response_body(route, response)
    assert body is not None
    assert body["NextToken"] == "abc"
    assert body["TraceSummaries"][0]["Http"] == {"HttpStatus": 502}


@pytest.mark.parametrize(
    ("reason", "name", "key"),
    [
        ("INVALID_REQUEST", "InvalidRequestException", "Message"),
        ("VALIDATION", "ValidationException", "message"),
    ],
)
def test_xray_refusals_are_invalid_requests(reason: str, name: str, key: str) -> None:
    response = translate.error_response_parts(reason, "Invalid NextToken.", {})
    assert (response.status, response.headers["x-amzn-ErrorType"]) == (400, name)
    typed = {} if name == "ValidationException" else {"Type": "User"}
    assert response.body == {**typed, key: "Invalid NextToken."}
    # GetTraceSummaries' errors in botocore's model, and where the message member is.
    if name == "InvalidRequestException":
        operation = XRAY_MODEL.operation_model("GetTraceSummaries")
        assert name in [e.name for e in operation.error_shapes]
        assert key in XRAY_MODEL.shape_for(name).members


# --- X-Amzn-Trace-Id on the invoke operations (a lambdad extension) ---------------------

# The invoke kinds (SendDurableExecutionCallbackSuccess takes a raw body too, but is JSON).
INVOKE_ROUTES = [
    r for r in ALL_ROUTES if r.payload_member is not None and r.kind is not RouteKind.JSON
]


@pytest.mark.parametrize("route", INVOKE_ROUTES, ids=lambda r: r.operation)
def test_trace_header_is_bound_and_not_an_aws_member(route: Route) -> None:
    assert dict(route.lambdad_headers) == {TRACE_HEADER: "TraceId"}
    members = LAMBDA_MODEL.operation_model(route.operation).input_shape.members
    assert "TraceId" not in members
    assert all(m.serialization.get("name") != TRACE_HEADER for m in members.values())
    header = "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"
    message = translate.request_to_message(
        route, {"FunctionName": "f"}, {}, b"{}", CIMultiDict({"x-amzn-trace-id": header})
    )
    assert message.trace_id == header  # type: ignore[attr-defined]


def test_no_trace_header_leaves_the_field_empty() -> None:
    route = next(r for r in ALL_ROUTES if r.operation == "Invoke")
    message = translate.request_to_message(route, {"FunctionName": "f"}, {}, b"{}", {})
    assert isinstance(message, inv.InvokeRequest)
    assert message.trace_id == ""
