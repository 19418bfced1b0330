"""The gateway's CloudWatch Logs routes (JSON 1.1, X-Amz-Target) against botocore's logs model."""

from __future__ import annotations

import botocore.session
import pytest

from lambdad.gateway import translate
from lambdad.gateway.routes import GATEWAY_ROUTES, LOGS_ROUTES, Route, RouteKind, Router
from lambdad.v1 import log_service_pb2 as pb
from tests.unit.shape_support import check_shape

LOGS_MODEL = botocore.session.get_session().get_service_model("logs")
SERVICE = pb.DESCRIPTOR.services_by_name["LogService"]


def test_every_log_rpc_has_exactly_one_route() -> None:
    assert sorted(r.rpc for r in LOGS_ROUTES) == sorted(SERVICE.methods_by_name)
    assert {r.target for r in LOGS_ROUTES} == {
        f"{LOGS_MODEL.metadata['targetPrefix']}.{r.operation}" for r in LOGS_ROUTES
    }


@pytest.mark.parametrize("route", LOGS_ROUTES, ids=lambda r: r.operation)
def test_route_agrees_with_botocore(route: Route) -> None:
    operation = LOGS_MODEL.operation_model(route.operation)
    assert (route.method, route.path) == (operation.http["method"], operation.http["requestUri"])
    method = SERVICE.methods_by_name[route.rpc]
    assert route.request_type.DESCRIPTOR is method.input_type
    # Every request member has a field: the gateway refuses members it does not know.
    assert set(operation.input_shape.members) == {f.json_name for f in method.input_type.fields}
    check_shape(operation.input_shape, method.input_type, route.operation)
    if operation.has_event_stream_output:
        assert route.kind is RouteKind.EVENT_STREAM and method.server_streaming
        stream = operation.output_shape.members["responseStream"]
        for fd in method.output_type.fields:
            check_shape(stream.members[fd.json_name], fd.message_type, route.operation)
    else:
        assert route.kind is RouteKind.JSON
        check_shape(operation.output_shape, method.output_type, route.operation)


def test_targets_route_only_post_slash() -> None:
    router = Router(GATEWAY_ROUTES)
    match = router.match("POST", "/", {}, "Logs_20140328.FilterLogEvents")
    assert match is not None and match.route.operation == "FilterLogEvents"
    assert router.match("GET", "/", {}, "Logs_20140328.FilterLogEvents") is None
    assert router.match("POST", "/x", {}, "Logs_20140328.FilterLogEvents") is None
    assert router.match("POST", "/", {}, "Logs_20140328.PutLogEvents") is None


def test_lists_are_always_present_and_tokens_only_when_set() -> None:
    route = next(r for r in LOGS_ROUTES if r.operation == "FilterLogEvents")
    assert translate.response_body(route, pb.FilterLogEventsResponse()) == {
        "events": [],
        "searchedLogStreams": [],
    }
    route = next(r for r in LOGS_ROUTES if r.operation == "DescribeLogGroups")
    body = translate.response_body(route, pb.DescribeLogGroupsResponse(next_token="t"))
    assert body == {"logGroups": [], "nextToken": "t"}


def test_errors_are_json_11_shaped() -> None:
    error = translate.json11_error(
        translate.error_response_parts(
            "LOG_RESOURCE_NOT_FOUND", "The specified log group does not exist."
        )
    )
    assert error.status == 400
    assert error.body == {
        "__type": "ResourceNotFoundException",
        "message": "The specified log group does not exist.",
    }
    refused = translate.json11_error(
        translate.request_error(
            translate.RequestError(translate.Reason.INVALID_REQUEST_CONTENT, "x")
        )
    )
    assert refused.body["__type"] == "SerializationException"


def test_live_tail_messages_become_named_events() -> None:
    update = pb.StartLiveTailResponse(
        session_update=pb.LiveTailSessionUpdate(
            session_metadata=pb.LiveTailSessionMetadata(),
            session_results=[pb.LiveTailSessionLogEvent(message="hi", timestamp=5)],
        )
    )
    (frame,) = translate.live_tail_events(update)
    assert b":event-type\x07\x00\rsessionUpdate" in frame
    assert b'"sessionResults":[{' in frame and b'"message":"hi"' in frame
