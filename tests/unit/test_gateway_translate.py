"""Pure tests of the gateway's route table, request translation, rendering and error table."""

from __future__ import annotations

import base64
import json
from typing import Any

import botocore.session
import pytest
from google.protobuf import any_pb2, json_format
from google.protobuf.descriptor import FieldDescriptor
from google.rpc import code_pb2, error_details_pb2, status_pb2

from lambdad.client.constraints import ConstraintChecker
from lambdad.daemon.errors import Reason
from lambdad.gateway import translate
from lambdad.gateway.routes import (
    CODE_UPLOAD_MAX_BYTES,
    GATEWAY_ROUTES,
    ROUTES,
    Route,
    Router,
)
from lambdad.v1 import function_pb2 as fn
from lambdad.v1 import function_service_pb2 as fs
from lambdad.v1 import function_service_pb2_grpc as fs_grpc

ROUTES_BY_OP = {route.operation: route for route in ROUTES}
SERVICE = fs.DESCRIPTOR.services_by_name["FunctionService"]
ARN = "arn:aws:lambda:us-east-1:123456789012:function:my-fn"
ENCODED_ARN = ARN.replace(":", "%3A")


def to_message(
    op: str,
    params: dict[str, str] | None = None,
    query: dict[str, list[str]] | None = None,
    body: Any = b"",
) -> Any:
    """The request message of `op`; `body` is raw bytes or a value to send as JSON."""
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return translate.request_to_message(ROUTES_BY_OP[op], params or {}, query or {}, raw)


def rejection(op: str, body: bytes, params: dict[str, str] | None = None) -> str:
    """The InvalidRequestContentException message `op` answers to `body`."""
    with pytest.raises(translate.RequestError) as caught:
        translate.request_to_message(ROUTES_BY_OP[op], params or {}, {}, body)
    assert caught.value.reason is Reason.INVALID_REQUEST_CONTENT
    assert caught.value.message.startswith(translate.BODY_PARSE_PREFIX)
    return caught.value.message.removeprefix(translate.BODY_PARSE_PREFIX)


# --- the route table -------------------------------------------------------------------


# RPCs outside the AWS route table: DownloadCode (app.py serves it by path prefix) and
# SetFunctionDebug (lambdad's own, for `lambdad debug`; not an AWS operation); ListInvocations
# (lambdad's invocation history, for `lambdad invocations`).
NOT_AWS_OPERATIONS = {"DownloadCode", "SetFunctionDebug", "ListInvocations"}


def test_every_rpc_has_exactly_one_route() -> None:
    routed = sorted(route.rpc for route in ROUTES if route.stub is fs_grpc.FunctionServiceStub)
    assert routed == sorted(set(SERVICE.methods_by_name) - NOT_AWS_OPERATIONS)


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.operation)
def test_route_agrees_with_the_proto(route: Route) -> None:
    method = SERVICE.methods_by_name[route.rpc]
    assert route.request_type.DESCRIPTOR is method.input_type
    request_fields = {f.json_name: f for f in method.input_type.fields}
    bound = list(route.path_params) + list(route.query.values())
    for json_name in bound:
        fd = request_fields[json_name]
        # Only these can be written as URL text (translate refuses the rest).
        assert fd.cpp_type != FieldDescriptor.CPPTYPE_MESSAGE, json_name
        assert fd.type != FieldDescriptor.TYPE_BYTES, json_name
    if route.response_field is not None:
        assert route.response_field in method.output_type.fields_by_name
    if route.mask_from_body:
        mask_type = method.input_type.fields_by_name["update_mask"].message_type
        assert mask_type is not None
        assert mask_type.full_name == "google.protobuf.FieldMask"
    # Operations without a body answer 204, and only those.
    assert route.empty_response == (not method.output_type.fields)


def test_routes_are_unique() -> None:
    shapes = [(r.method, r.path) for r in ROUTES]
    assert len(shapes) == len(set(shapes))
    assert len(ROUTES_BY_OP) == len(ROUTES)


@pytest.mark.parametrize(
    ("op", "status"),
    [
        ("CreateFunction", 201),
        ("PublishVersion", 201),
        ("CreateAlias", 201),
        ("DeleteFunction", 204),
        ("DeleteAlias", 204),
        ("TagResource", 204),
        ("UntagResource", 204),
        ("GetFunction", 200),
        ("UpdateFunctionConfiguration", 200),
    ],
)
def test_ok_status(op: str, status: int) -> None:
    assert ROUTES_BY_OP[op].ok_status == status


# --- matching --------------------------------------------------------------------------

ROUTER = Router(ROUTES)


@pytest.mark.parametrize(
    ("method", "path", "op", "params"),
    [
        ("POST", "/2015-03-31/functions", "CreateFunction", {}),
        ("GET", "/2015-03-31/functions", "ListFunctions", {}),
        ("GET", "/2015-03-31/functions/", "ListFunctions", {}),
        ("GET", "/2015-03-31/functions/my-fn", "GetFunction", {"FunctionName": "my-fn"}),
        ("GET", f"/2015-03-31/functions/{ENCODED_ARN}", "GetFunction", {"FunctionName": ARN}),
        (
            "GET",
            f"/2015-03-31/functions/{ENCODED_ARN}%3A%24LATEST/configuration",
            "GetFunctionConfiguration",
            {"FunctionName": ARN + ":$LATEST"},
        ),
        ("PUT", "/2015-03-31/functions/f/code", "UpdateFunctionCode", {"FunctionName": "f"}),
        (
            "PUT",
            "/2015-03-31/functions/f/configuration",
            "UpdateFunctionConfiguration",
            {"FunctionName": "f"},
        ),
        ("DELETE", "/2015-03-31/functions/f", "DeleteFunction", {"FunctionName": "f"}),
        ("POST", "/2015-03-31/functions/f/versions", "PublishVersion", {"FunctionName": "f"}),
        (
            "GET",
            "/2015-03-31/functions/f/versions",
            "ListVersionsByFunction",
            {"FunctionName": "f"},
        ),
        ("POST", "/2015-03-31/functions/f/aliases", "CreateAlias", {"FunctionName": "f"}),
        ("GET", "/2015-03-31/functions/f/aliases", "ListAliases", {"FunctionName": "f"}),
        (
            "GET",
            "/2015-03-31/functions/f/aliases/live",
            "GetAlias",
            {"FunctionName": "f", "Name": "live"},
        ),
        (
            "PUT",
            "/2015-03-31/functions/f/aliases/live",
            "UpdateAlias",
            {"FunctionName": "f", "Name": "live"},
        ),
        (
            "DELETE",
            "/2015-03-31/functions/f/aliases/live",
            "DeleteAlias",
            {"FunctionName": "f", "Name": "live"},
        ),
        ("POST", f"/2017-03-31/tags/{ENCODED_ARN}", "TagResource", {"Resource": ARN}),
        ("DELETE", f"/2017-03-31/tags/{ENCODED_ARN}", "UntagResource", {"Resource": ARN}),
        ("GET", f"/2017-03-31/tags/{ENCODED_ARN}", "ListTags", {"Resource": ARN}),
        ("GET", f"/2017-03-31/tags/{ARN}", "ListTags", {"Resource": ARN}),
        # An encoded slash stays inside its parameter instead of adding a segment.
        ("GET", "/2017-03-31/tags/a%2Fb", "ListTags", {"Resource": "a/b"}),
        ("get", "/2016-08-19/account-settings", "GetAccountSettings", {}),
    ],
)
def test_match(method: str, path: str, op: str, params: dict[str, str]) -> None:
    match = ROUTER.match(method, path)
    assert match is not None
    assert match.route.operation == op
    assert dict(match.path_params) == params


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/"),
        ("GET", "/2015-03-31"),
        ("PATCH", "/2015-03-31/functions/f"),
        ("POST", "/2015-03-31/functions/f"),
        ("GET", "/2015-03-31/functions/f/code"),
        ("GET", "/2015-03-31/functions//configuration"),
        ("GET", "/2015-03-31/functions/f/aliases/a/extra"),
        ("GET", "/2016-08-19/functions/f"),
        ("PUT", "/2017-03-31/tags/x"),
        ("GET", "/2017-03-31/tags"),
    ],
)
def test_no_match(method: str, path: str) -> None:
    assert ROUTER.match(method, path) is None


def test_literal_segments_win_over_parameters() -> None:
    general = Route("Any", "GET", "/v/{A}/{B}", fs_grpc.FunctionServiceStub, "GetAlias",
                    fs.GetAliasRequest)  # fmt: skip
    specific = Route("Versions", "GET", "/v/{A}/versions", fs_grpc.FunctionServiceStub,
                     "ListVersionsByFunction", fs.ListVersionsByFunctionRequest)  # fmt: skip
    router = Router([general, specific])
    assert router.match("GET", "/v/f/versions").route is specific  # type: ignore[union-attr]
    assert router.match("GET", "/v/f/other").route is general  # type: ignore[union-attr]


def test_remembered_matches_do_not_ignore_the_query() -> None:
    """A query-less match is remembered per path; a request with a query is matched anew."""
    router = Router(GATEWAY_ROUTES)
    layers = "/2018-10-31/layers"
    for _ in range(2):
        assert router.match("GET", layers).route.operation == "ListLayers"  # type: ignore[union-attr]
        by_arn = router.match("GET", layers, {"find": "LayerVersion", "Arn": "x"})
        assert by_arn is not None and by_arn.route.operation == "GetLayerVersionByArn"
    for n in range(600):  # more paths than it remembers: still right
        match = router.match("GET", f"/2015-03-31/functions/f{n}")
        assert match is not None and match.path_params == {"FunctionName": f"f{n}"}
    assert router.match("GET", "/2015-03-31/functions/f1").path_params == {"FunctionName": "f1"}  # type: ignore[union-attr]


# --- requests: path and query ----------------------------------------------------------


def test_path_and_query_fill_the_request() -> None:
    message = to_message("GetFunction", {"FunctionName": ARN}, {"Qualifier": ["$LATEST"]})
    assert message == fs.GetFunctionRequest(function_name=ARN, qualifier="$LATEST")


def test_paging_query_is_converted_to_ints() -> None:
    query = {"Marker": ["abc"], "MaxItems": ["25"], "FunctionVersion": ["ALL"]}
    assert to_message("ListFunctions", query=query) == fs.ListFunctionsRequest(
        page_token="abc", page_size=25, function_version="ALL"
    )


def test_repeated_query_parameter_becomes_a_list() -> None:
    message = to_message("UntagResource", {"Resource": ARN}, {"tagKeys": ["a", "b"]})
    assert list(message.tag_keys) == ["a", "b"]


def test_singular_query_parameter_takes_its_first_value() -> None:
    assert to_message("GetFunction", query={"Qualifier": ["1", "2"]}).qualifier == "1"


def test_unknown_query_parameters_are_ignored() -> None:
    assert to_message("ListTags", {"Resource": ARN}, {"x-id": ["1"]}).resource == ARN


@pytest.mark.parametrize("text", ["abc", "1.5", "", " 5", "+-5", "2147483648", "١٢", "9" * 5000])
def test_bad_integer_query_is_a_validation_error(text: str) -> None:
    with pytest.raises(translate.RequestError) as caught:
        to_message("ListAliases", {"FunctionName": "f"}, {"MaxItems": [text]})
    assert caught.value.reason is Reason.VALIDATION
    assert "at 'maxItems' failed to satisfy constraint" in caught.value.message
    assert len(caught.value.message) < 400


@pytest.mark.parametrize(
    ("operation", "path"),
    [
        ("ListFunctions", {}),
        ("ListAliases", {"FunctionName": "f"}),
        ("ListVersionsByFunction", {"FunctionName": "f"}),
    ],
)
@pytest.mark.parametrize("text", ["0", "-3"])
def test_max_items_below_one_is_a_validation_error(
    operation: str, path: dict[str, str], text: str
) -> None:
    # The model's constraint (MaxListItems >= 1), checked on the query value before it is a
    # message (where 0 reads as "no page size").
    with pytest.raises(translate.RequestError) as caught:
        translate.request_to_message(
            ROUTES_BY_OP[operation], path, {"MaxItems": [text]}, b"", {}, ConstraintChecker()
        )
    assert (caught.value.reason, caught.value.message) == (
        Reason.VALIDATION,
        f"1 validation error detected: Value '{int(text)}' at 'maxItems' failed to satisfy "
        "constraint: Member must have value greater than or equal to 1",
    )


DRY_RUN_ROUTE = Route(
    "DryRunCode", "PUT", "/x/{FunctionName}", fs_grpc.FunctionServiceStub,
    "UpdateFunctionCode", fs.UpdateFunctionCodeRequest, query={"DryRun": "DryRun"},
)  # fmt: skip


@pytest.mark.parametrize(("text", "value"), [("true", True), ("false", False)])
def test_boolean_query(text: str, value: bool) -> None:
    message = translate.request_to_message(
        DRY_RUN_ROUTE, {"FunctionName": "f"}, {"DryRun": [text]}, b""
    )
    assert isinstance(message, fs.UpdateFunctionCodeRequest)
    assert message.dry_run is value


def test_bad_boolean_query_is_a_validation_error() -> None:
    with pytest.raises(translate.RequestError) as caught:
        translate.request_to_message(DRY_RUN_ROUTE, {}, {"DryRun": ["yes"]}, b"")
    assert caught.value.reason is Reason.VALIDATION
    assert "at 'dryRun'" in caught.value.message


# --- requests: bodies ------------------------------------------------------------------


def test_body_and_path_are_merged() -> None:
    body = {"Name": "live", "FunctionVersion": "1", "RoutingConfig": {
        "AdditionalVersionWeights": {"2": 0.25}}}  # fmt: skip
    message = to_message("CreateAlias", {"FunctionName": "f"}, body=body)
    assert message.function_name == "f"
    assert message.name == "live"
    assert dict(message.routing_config.additional_version_weights) == {"2": 0.25}


def test_zip_file_is_base64_decoded() -> None:
    body = {"FunctionName": "f", "Code": {"ZipFile": base64.b64encode(b"PK\x03\x04").decode()}}
    assert to_message("CreateFunction", body=body).code.zip_file == b"PK\x03\x04"


@pytest.mark.parametrize("body", [b"", b"  ", b"{}"])
def test_empty_body_is_an_empty_request(body: bytes) -> None:
    message = to_message("PublishVersion", {"FunctionName": "f"}, body=body)
    assert message == fs.PublishVersionRequest(function_name="f")


def test_body_of_a_bodiless_operation_is_ignored() -> None:
    message = to_message("GetFunction", {"FunctionName": "f"}, body=b"{not json")
    assert message.function_name == "f"


def test_integral_float_is_an_integer() -> None:
    assert to_message("CreateFunction", body={"Timeout": 30.0}).timeout == 30


def test_explicit_null_is_absent() -> None:
    message = to_message("CreateFunction", body={"FunctionName": "f", "Timeout": None})
    assert not message.HasField("timeout")


@pytest.mark.parametrize(
    ("body", "paths"),
    [
        ({}, []),
        ({"Timeout": 10, "Description": ""}, ["timeout", "description"]),
        # An empty list is a value (remove all layers), not an absence.
        ({"Layers": []}, ["layers"]),
        ({"Environment": {"Variables": {}}}, ["environment"]),
        ({"Environment": None, "Handler": "a.b"}, ["handler"]),
        # RevisionId is a precondition, not a setting.
        ({"RevisionId": "r1", "MemorySize": 256}, ["memory_size"]),
        ({"KMSKeyArn": "", "TracingConfig": {"Mode": "Active"}}, ["kms_key_arn", "tracing_config"]),
    ],
)
def test_update_mask_names_the_body_members_sent(body: dict[str, Any], paths: list[str]) -> None:
    message = to_message("UpdateFunctionConfiguration", {"FunctionName": "f"}, body=body)
    assert list(message.update_mask.paths) == paths
    assert message.function_name == "f"


def test_update_alias_mask() -> None:
    body = {"Description": "", "RoutingConfig": {"AdditionalVersionWeights": {}}, "RevisionId": "r"}
    message = to_message("UpdateAlias", {"FunctionName": "f", "Name": "a"}, body=body)
    assert list(message.update_mask.paths) == ["description", "routing_config"]
    assert message.revision_id == "r"


def test_routes_without_mask_leave_it_alone() -> None:
    message = to_message("CreateFunction", body={"FunctionName": "f"})
    assert not message.HasField("vpc_config")


@pytest.mark.parametrize(
    ("op", "body", "reason"),
    [
        ("CreateFunction", b"{nope", "Expecting property name"),
        ("CreateFunction", b"\xff\xfe\x00", ""),
        ("CreateFunction", b"[]", "expected a JSON object, got an array"),
        ("CreateFunction", b'"s"', "expected a JSON object, got a string"),
        ("CreateFunction", b"null", "expected a JSON object, got null"),
        ("CreateFunction", b"12", "expected a JSON object, got a number"),
        ("CreateFunction", b'{"Timeout": NaN}', "NaN"),
        ("CreateFunction", b'{"Timeout": 1} x', "Extra data"),
        ("CreateFunction", b"[" * 100_000, "nesting too deep"),
        ("CreateFunction", b'{"Foo": 1}', 'Unrecognized field "Foo"'),
        ("CreateFunction", b'{"function_name": "f"}', 'Unrecognized field "function_name"'),
        ("CreateFunction", b'{"Code": {"Zip": "x"}}', 'Unrecognized field "Code.Zip"'),
        ("CreateFunction", b'{"Timeout": "5"}', 'expected an integer for "Timeout", got a string'),
        ("CreateFunction", b'{"Timeout": 1.5}', 'expected an integer for "Timeout"'),
        ("CreateFunction", b'{"Timeout": true}', 'expected an integer for "Timeout"'),
        ("CreateFunction", b'{"Timeout": 2147483648}', 'value of "Timeout" out of range'),
        ("CreateFunction", b'{"Timeout": 1e400}', 'expected an integer for "Timeout"'),
        ("CreateFunction", b'{"Publish": "true"}', 'expected a boolean for "Publish"'),
        ("CreateFunction", b'{"Handler": 5}', 'expected a string for "Handler", got a number'),
        ("CreateFunction", b'{"Environment": []}', 'expected an object for "Environment"'),
        ("CreateFunction", b'{"Layers": "arn"}', 'expected an array for "Layers"'),
        ("CreateFunction", b'{"Layers": [null]}', 'expected a string for "Layers[0]", got null'),
        ("CreateFunction", b'{"Tags": {"a": 1}}', 'expected a string for "Tags.a"'),
        ("CreateFunction", b'{"Tags": ["a"]}', 'expected an object for "Tags"'),
        ("CreateFunction", b'{"Handler": "\\ud800"}', 'invalid unicode in "Handler"'),
        ("CreateFunction", b'{"Code": {"ZipFile": "!!"}}', 'invalid base64 in "Code.ZipFile"'),
        ("CreateFunction", b'{"Code": {"ZipFile": "aGk"}}', 'invalid base64 in "Code.ZipFile"'),
        ("CreateAlias", b'{"RoutingConfig": {"AdditionalVersionWeights": {"2": "x"}}}',
         'expected a number for "RoutingConfig.AdditionalVersionWeights.2"'),
        ("CreateAlias", b'{"RoutingConfig": {"AdditionalVersionWeights": {"2": 1e999}}}',
         'value of "RoutingConfig.AdditionalVersionWeights.2" out of range'),
        # Members bound to the path or the mask are not body members.
        ("UpdateFunctionConfiguration", b'{"FunctionName": "g"}', 'Unrecognized field "Func'),
        ("UpdateFunctionConfiguration", b'{"UpdateMask": "role"}', 'Unrecognized field "Upda'),
        ("TagResource", b'{"Resource": "x", "Tags": {}}', 'Unrecognized field "Resource"'),
    ],
)  # fmt: skip
def test_malformed_bodies_are_invalid_request_content(op: str, body: bytes, reason: str) -> None:
    assert reason in rejection(op, body, {"FunctionName": "f", "Resource": ARN})


def test_rejection_reasons_stay_short() -> None:
    key = "K" * 100_000
    assert len(rejection("CreateFunction", json.dumps({key: 1}).encode())) < 300
    assert len(rejection("CreateFunction", json.dumps({"Timeout": key}).encode())) < 300
    assert len(rejection("CreateFunction", b"{" + b" " * 100_000 + b"x")) < 300


def test_request_too_large_message() -> None:
    error = translate.request_too_large("CreateFunction", CODE_UPLOAD_MAX_BYTES)
    assert error.reason is Reason.REQUEST_TOO_LARGE
    assert error.message == (
        "Request must be smaller than 70167211 bytes for the CreateFunction operation"
    )


# --- responses -------------------------------------------------------------------------


def test_int64_renders_as_a_json_number() -> None:
    rendered = translate.message_to_aws(fn.FunctionConfiguration(code_size=2**40))
    assert rendered["CodeSize"] == 2**40
    assert '"CodeSize":1099511627776' in json.dumps(rendered, separators=(",", ":"))
    limits = translate.message_to_aws(fn.AccountLimit(total_code_size=80530636800))
    assert limits["TotalCodeSize"] == 80530636800


def test_plain_scalars_always_present_optionals_only_when_set() -> None:
    rendered = translate.message_to_aws(fn.FunctionConfiguration(function_name="f"))
    assert rendered["Description"] == ""
    assert rendered["Timeout"] == 0
    for absent in ("Runtime", "Handler", "KMSKeyArn", "StateReason", "LastUpdateStatus",
                   "MasterArn", "VpcConfig", "DeadLetterConfig", "Environment", "Layers",
                   "Architectures", "FileSystemConfigs", "ImageConfigResponse"):  # fmt: skip
        assert absent not in rendered
    rendered = translate.message_to_aws(
        fn.FunctionConfiguration(runtime="python3.12", last_update_status="")
    )
    assert rendered["Runtime"] == "python3.12"
    assert rendered["LastUpdateStatus"] == ""


def test_sub_messages_and_lists_when_present() -> None:
    config = fn.FunctionConfiguration(
        architectures=["x86_64"],
        layers=[fn.FunctionLayer(arn="arn:l:1", code_size=10)],
        tracing_config=fn.TracingConfig(mode="PassThrough"),
        ephemeral_storage=fn.EphemeralStorage(),
    )
    rendered = translate.message_to_aws(config)
    assert rendered["Architectures"] == ["x86_64"]
    assert rendered["Layers"] == [{"Arn": "arn:l:1", "CodeSize": 10}]
    assert rendered["TracingConfig"] == {"Mode": "PassThrough"}
    assert rendered["EphemeralStorage"] == {"Size": 0}


def test_environment_variables_are_shown_even_when_empty() -> None:
    config = fn.FunctionConfiguration(environment=fn.EnvironmentResponse())
    assert translate.message_to_aws(config)["Environment"] == {"Variables": {}}
    # ...while other empty maps are omitted.
    assert "Tags" not in translate.message_to_aws(fs.GetFunctionResponse())


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (fs.ListFunctionsResponse(), {"Functions": []}),
        (fs.ListVersionsByFunctionResponse(), {"Versions": []}),
        (fs.ListAliasesResponse(), {"Aliases": []}),
        (fs.ListTagsResponse(), {"Tags": {}}),
        (fs.ListFunctionsResponse(next_page_token="m"), {"Functions": [], "NextMarker": "m"}),
        (fs.ListTagsResponse(tags={"k": "v"}), {"Tags": {"k": "v"}}),
    ],
)
def test_list_responses(message: Any, expected: dict[str, Any]) -> None:
    assert translate.message_to_aws(message) == expected


def test_doubles_and_bytes() -> None:
    routing = fn.AliasRoutingConfiguration(additional_version_weights={"2": 0.2})
    assert translate.message_to_aws(routing) == {"AdditionalVersionWeights": {"2": 0.2}}
    code = translate.message_to_aws(fn.FunctionCode(zip_file=b"hi"))
    assert code["ZipFile"] == "aGk="


def test_response_body_selects_the_aws_shape() -> None:
    config = fn.FunctionConfiguration(function_name="f", version="1")
    published = translate.response_body(
        ROUTES_BY_OP["PublishVersion"], fs.PublishVersionResponse(configuration=config)
    )
    assert published is not None
    assert published["Version"] == "1"
    assert "Configuration" not in published
    got = translate.response_body(
        ROUTES_BY_OP["GetFunction"], fs.GetFunctionResponse(configuration=config)
    )
    assert got is not None
    assert got["Configuration"]["FunctionName"] == "f"
    alias = translate.response_body(
        ROUTES_BY_OP["GetAlias"], fs.GetAliasResponse(alias=fn.AliasConfiguration(name="a"))
    )
    assert alias is not None
    assert alias["Name"] == "a"
    deleted = translate.response_body(ROUTES_BY_OP["DeleteFunction"], fs.DeleteFunctionResponse())
    assert deleted is None


def test_code_locations_become_urls_of_the_gateway() -> None:
    location = "/_lambdad/code/ab.zip?expires=1&signature=cd"
    response = fs.GetFunctionResponse(
        configuration=fn.FunctionConfiguration(function_name="f"),
        code=fn.FunctionCodeLocation(repository_type="S3", location=location),
    )
    body = translate.response_body(ROUTES_BY_OP["GetFunction"], response, "http://h:4566")
    assert body is not None
    assert body["Code"] == {"RepositoryType": "S3", "Location": "http://h:4566" + location}
    # Without a base URL (or for other locations) the value is left alone.
    body = translate.response_body(ROUTES_BY_OP["GetFunction"], response)
    assert body is not None
    assert body["Code"]["Location"] == location
    response.code.location = "https://bucket.s3.amazonaws.com/x.zip"
    body = translate.response_body(ROUTES_BY_OP["GetFunction"], response, "http://h:4566")
    assert body is not None
    assert body["Code"]["Location"] == "https://bucket.s3.amazonaws.com/x.zip"


# --- errors ----------------------------------------------------------------------------

# Written out again on purpose: this is the contract, the table in translate is the code.
EXPECTED_ERRORS = [
    (Reason.VALIDATION, "ValidationException", 400, "message"),
    (Reason.INVALID_PARAMETER_VALUE, "InvalidParameterValueException", 400, "message"),
    (Reason.INVALID_REQUEST_CONTENT, "InvalidRequestContentException", 400, "message"),
    (Reason.FUNCTION_NOT_FOUND, "ResourceNotFoundException", 404, "Message"),
    (Reason.ALIAS_NOT_FOUND, "ResourceNotFoundException", 404, "Message"),
    (Reason.RESOURCE_NOT_FOUND, "ResourceNotFoundException", 404, "Message"),
    (
        Reason.PROVISIONED_CONCURRENCY_CONFIG_NOT_FOUND,
        "ProvisionedConcurrencyConfigNotFoundException",
        404,
        "message",
    ),
    (Reason.FUNCTION_ALREADY_EXISTS, "ResourceConflictException", 409, "message"),
    (Reason.ALIAS_ALREADY_EXISTS, "ResourceConflictException", 409, "message"),
    (Reason.RESOURCE_CONFLICT, "ResourceConflictException", 409, "message"),
    (
        Reason.DURABLE_EXECUTION_ALREADY_STARTED,
        "DurableExecutionAlreadyStartedException",
        409,
        "Message",
    ),
    (Reason.CALLBACK_TIMEOUT, "CallbackTimeoutException", 400, "Message"),
    (Reason.RESOURCE_IN_USE, "ResourceInUseException", 400, "Message"),
    (Reason.REVISION_ID_MISMATCH, "PreconditionFailedException", 412, "message"),
    (Reason.REQUEST_TOO_LARGE, "RequestEntityTooLargeException", 413, "message"),
    (Reason.ACCESS_DENIED, "AccessDeniedException", 403, "Message"),
    (Reason.TOO_MANY_REQUESTS, "TooManyRequestsException", 429, "message"),
    (Reason.CODE_STORAGE_EXCEEDED, "CodeStorageExceededException", 400, "message"),
    (Reason.CODE_SIGNING_CONFIG_NOT_FOUND, "CodeSigningConfigNotFoundException", 404, "Message"),
    (Reason.CODE_VERIFICATION_FAILED, "CodeVerificationFailedException", 400, "Message"),
    (Reason.RECURSIVE_INVOCATION, "RecursiveInvocationException", 400, "Message"),
    (Reason.SERVICE, "ServiceException", 500, "Message"),
    (Reason.INVALID_REQUEST, "InvalidRequestException", 400, "Message"),
    (Reason.LOG_INVALID_PARAMETER, "InvalidParameterException", 400, "message"),
    (Reason.LOG_RESOURCE_NOT_FOUND, "ResourceNotFoundException", 400, "message"),
    (Reason.UNAUTHENTICATED, "ServiceException", 500, "Message"),
]


def test_every_reason_is_mapped() -> None:
    assert {row[0] for row in EXPECTED_ERRORS} == set(Reason)
    assert set(translate.AWS_ERRORS) == set(Reason)


@pytest.mark.parametrize(("reason", "name", "status", "key"), EXPECTED_ERRORS)
def test_reason_to_aws_error(reason: Reason, name: str, status: int, key: str) -> None:
    response = translate.error_response_parts(reason.value, "the message", {})
    assert response.status == status
    assert response.headers["x-amzn-ErrorType"] == name
    assert response.headers["Content-Type"] == "application/json"
    typed = {} if name == "ValidationException" else {"Type": "User" if status < 500 else "Service"}
    assert response.body == {**typed, key: "the message"}


@pytest.mark.parametrize("reason", ["", "NO_SUCH_REASON", "function_not_found"])
def test_unknown_reason_is_a_service_exception(reason: str) -> None:
    response = translate.error_response_parts(reason, "boom")
    assert response.status == 500
    assert response.headers["x-amzn-ErrorType"] == "ServiceException"
    assert response.body == {"Type": "Service", "Message": "boom"}


def test_throttling_carries_reason_and_retry_after() -> None:
    metadata = {"reason": "ReservedFunctionConcurrentInvocationLimitExceeded",
                "retry_after_seconds": "3"}  # fmt: skip
    response = translate.error_response_parts("TOO_MANY_REQUESTS", "Rate Exceeded.", metadata)
    assert response.status == 429
    assert response.body == {
        "Type": "User",
        "message": "Rate Exceeded.",
        "Reason": "ReservedFunctionConcurrentInvocationLimitExceeded",
    }
    assert response.headers["Retry-After"] == "3"


def test_throttling_without_metadata_and_bad_retry_after() -> None:
    response = translate.error_response_parts(
        "TOO_MANY_REQUESTS", "Rate Exceeded.", {"retry_after_seconds": "soon"}
    )
    assert "Reason" not in response.body
    assert "Retry-After" not in response.headers


def test_other_reasons_ignore_throttling_metadata() -> None:
    response = translate.error_response_parts(
        "VALIDATION", "m", {"reason": "x", "retry_after_seconds": "1"}
    )
    assert "Reason" not in response.body
    assert "Retry-After" not in response.headers


def status_with(error_reason: str | None, message: str, **metadata: str) -> status_pb2.Status:
    status = status_pb2.Status(code=code_pb2.NOT_FOUND, message=message)
    if error_reason is not None:
        detail = any_pb2.Any()
        detail.Pack(
            error_details_pb2.ErrorInfo(reason=error_reason, domain="lambdad", metadata=metadata)
        )
        status.details.append(detail)
    return status


def test_error_from_status_uses_error_info() -> None:
    # Another detail first: the ErrorInfo is found wherever it is.
    status = status_with("FUNCTION_NOT_FOUND", f"Function not found: {ARN}")
    other = any_pb2.Any()
    other.Pack(error_details_pb2.RetryInfo())
    status.details.insert(0, other)
    response = translate.error_from_status(status)
    assert response.status == 404
    assert response.body == {"Type": "User", "Message": f"Function not found: {ARN}"}


def test_error_from_status_passes_metadata() -> None:
    status = status_with("TOO_MANY_REQUESTS", "Rate Exceeded.", reason="CallerRateLimitExceeded")
    assert translate.error_from_status(status).body["Reason"] == "CallerRateLimitExceeded"


def test_status_without_error_info_is_a_service_exception() -> None:
    response = translate.error_from_status(status_with(None, "oops"))
    assert response.status == 500
    assert response.body == {"Type": "Service", "Message": "oops"}


def test_unknown_operation() -> None:
    response = translate.unknown_operation()
    assert response.status == 404
    assert response.headers["x-amzn-ErrorType"] == "UnknownOperationException"
    assert response.body == {"Type": "User", "message": "Unknown operation"}


def test_request_error_renders_through_the_table() -> None:
    error = translate.request_too_large("UpdateFunctionCode", CODE_UPLOAD_MAX_BYTES)
    response = translate.request_error(error)
    assert response.status == 413
    assert response.headers["x-amzn-ErrorType"] == "RequestEntityTooLargeException"
    assert response.body["message"].endswith("for the UpdateFunctionCode operation")


# Exceptions AWS sends that botocore's model does not declare (lambda-spec §2.1).
_UNMODELED = {
    "ValidationException",
    "RequestEntityTooLargeException",
    "AccessDeniedException",
    "InvalidRequestException",  # X-Ray's, served by the same gateway
}


@pytest.mark.parametrize(
    "aws", [*translate.AWS_ERRORS.values(), translate.SERVICE_ERROR], ids=lambda a: a.name
)
def test_error_status_and_message_key_follow_the_model(aws: translate.AwsError) -> None:
    if aws.service != "lambda":  # CloudWatch Logs' (tests/unit/test_gateway_logs.py)
        return
    model = botocore.session.get_session().get_service_model("lambda")
    shapes = {shape.name: shape for shape in model.error_shapes}
    if aws.name in _UNMODELED:
        assert aws.name not in shapes
        return
    shape = shapes[aws.name]
    message_key = next(k for k in shape.members if k.lower() == "message")
    assert (aws.status, aws.message_key) == (shape.metadata["error"]["httpStatusCode"], message_key)
    assert aws.fault == ("User" if shape.metadata["error"].get("senderFault") else "Service")


# --- members set without json_format -----------------------------------------------------

_SAMPLES: dict[int, list[Any]] = {
    FieldDescriptor.TYPE_STRING: ["", "x", "ünïcode"],
    FieldDescriptor.TYPE_BOOL: [True, False],
    FieldDescriptor.TYPE_INT32: [0, 7, -(2**31), 2**31 - 1],
    FieldDescriptor.TYPE_INT64: [0, -5, 2**63 - 1],
    FieldDescriptor.TYPE_UINT32: [0, 2**32 - 1],
    FieldDescriptor.TYPE_UINT64: [0, 2**64 - 1],
}


def _scalar_members(route: Route, pick: int) -> dict[str, Any]:
    members = {}
    for json_name, fd in route.fields_by_json_name.items():
        samples = _SAMPLES.get(fd.type)
        if samples and not fd.is_repeated:
            members[json_name] = samples[pick % len(samples)]
    return members


@pytest.mark.parametrize("pick", range(4))
def test_scalar_members_build_the_message_parse_dict_builds(pick: int) -> None:
    """Every route's string, bool and integer members, set directly, give the message
    json_format.ParseDict gives (presence of optional members included)."""
    compared = 0
    for route in GATEWAY_ROUTES:
        members = _scalar_members(route, pick)
        built = translate._scalars_message(route.request_type, members, route.fields_by_json_name)
        assert built is not None, route.operation
        expected = json_format.ParseDict(members, route.request_type())
        assert built == expected, route.operation
        assert built.ListFields() == expected.ListFields(), route.operation
        compared += bool(members)
    assert compared > 50


@pytest.mark.parametrize(
    ("operation", "members"),
    [
        ("Invoke", {"FunctionName": 5}),  # a number for a string: ParseDict's message
        ("ListFunctions", {"MaxItems": 5.0}),  # a float for an integer: ParseDict converts
        ("ListFunctions", {"MaxItems": 2**31}),  # out of range: ParseDict names it
        ("ListFunctions", {"MaxItems": True}),  # a bool is no integer here
        ("Invoke", {"Payload": "e30="}),  # bytes take base64 text: ParseDict decodes it
        ("Invoke", {"Nope": "x"}),  # not a member
    ],
)
def test_other_members_are_left_to_parse_dict(operation: str, members: dict[str, Any]) -> None:
    route = next(route for route in GATEWAY_ROUTES if route.operation == operation)
    fields = route.fields_by_json_name
    assert translate._scalars_message(route.request_type, members, fields) is None
