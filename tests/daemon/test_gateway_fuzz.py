"""Property tests: the real gateway app, over real HTTP, backed by a real grpc.aio server.

Every route is sent malformed JSON, wrong types, unknown members, odd path and query text
and oversized values. Whatever arrives, the gateway must answer with an AWS-shaped error
(never a 5xx) and keep answering afterwards.

The gateway and the gRPC server run on their own event loop in a background thread, and the
tests talk plain HTTP to them, so Hypothesis drives ordinary synchronous test functions.

Each property runs twice: against a stand-in daemon that fails every RPC with
FUNCTION_NOT_FOUND (so every answer must be a 4xx error), and against the real daemon
in-process (valid requests may then succeed, but no answer may be a 5xx). Set
LAMBDAD_TEST_DAEMON_TARGET=host:port to fuzz an already running daemon instead.
"""

from __future__ import annotations

import base64
import http.client
import json
import uuid
from collections.abc import (
    Iterator,
    MutableMapping,
)
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

import grpc
import pytest
from google.protobuf import message_factory
from google.rpc import code_pb2
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lambdad.gateway.routes import CODE_UPLOAD_MAX_BYTES, ROUTES, Route
from lambdad.v1 import function_pb2 as fn
from lambdad.v1 import function_service_pb2 as fs
from lambdad.v1 import function_service_pb2_grpc as fs_grpc
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
from tests.helpers import free_port, make_zip

# Every test runs with the module's log events captured (see conftest.py).
pytestmark = pytest.mark.usefixtures("logs")

SERVICE = SERVICES["FunctionService"]
REGISTER = fs_grpc.add_FunctionServiceServicer_to_server
FUZZ = settings(
    max_examples=50,
    deadline=None,
    # `gateway` is function-scoped on purpose: it checks the server once all examples ran.
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)
BODY_ROUTES = [route for route in ROUTES if route.has_body]
ARN = "arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Af"


# --- a daemon stand-in -----------------------------------------------------------------


NOT_FOUND = rich_status(
    code_pb2.NOT_FOUND,
    "FUNCTION_NOT_FOUND",
    "Function not found: arn:aws:lambda:us-east-1:000000000000:function:fuzz",
)


def scripted_functions() -> ScriptedService:
    """A stand-in FunctionService; unscripted RPCs fail with NOT_FOUND / FUNCTION_NOT_FOUND."""
    return ScriptedService(SERVICE, NOT_FOUND)


# --- servers on a background loop ------------------------------------------------------


@dataclass(frozen=True)
class Backend:
    """The daemon behind the fuzzed gateway."""

    target: str
    # True for the stand-in, which fails every RPC: then every answer must be an error.
    always_fails: bool


@pytest.fixture(scope="module", params=["stand-in", "daemon"])
def backend(request: pytest.FixtureRequest, background: BackgroundLoop) -> Iterator[Backend]:
    """The stand-in that fails everything, and the real daemon (in-process, or external)."""
    if request.param == "stand-in":
        with serving(background, scripted_functions(), REGISTER) as target:
            yield Backend(target, always_fails=True)
        return
    yield Backend(request.getfixturevalue("daemon_target"), always_fails=False)


@pytest.fixture(scope="module")
def daemon_target(
    background: BackgroundLoop, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """gRPC target of the real daemon: LAMBDAD_TEST_DAEMON_TARGET, or one started here."""
    with real_daemon(background, tmp_path_factory) as target:
        yield target


@pytest.fixture(scope="module")
def running_gateway(background: BackgroundLoop, backend: Backend) -> Iterator[int]:
    with gateway_on(background, backend.target) as port:
        yield port


@pytest.fixture
def gateway(running_gateway: int) -> Iterator[int]:
    """The gateway's port; after the test (all its examples), it must still answer."""
    yield running_gateway
    still_answers(running_gateway)


# --- HTTP ------------------------------------------------------------------------------


def still_answers(port: int) -> None:
    """The gateway serves a well-formed request after whatever came before."""
    answer = send(port, "GET", f"/2017-03-31/tags/{ARN}")
    assert answer.status < 500
    assert REQUEST_ID.match(answer.headers["x-amzn-requestid"])


def fill_path(route: Route, params: dict[str, str]) -> str:
    path = route.path
    for name in route.path_params:
        path = path.replace("{" + name + "}", quote(params.get(name, "fuzz-fn"), safe=""))
    return path


# --- strategies ------------------------------------------------------------------------

OVERSIZED_TEXT = st.integers(min_value=4_096, max_value=300_000).map(lambda n: "x" * n)
HUGE_NUMBERS = st.sampled_from([2**31, -(2**31) - 1, 2**63, 10**30, -(10**40), 1e300, -1e-300])
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=50),
    HUGE_NUMBERS,
    OVERSIZED_TEXT,
)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.text(max_size=12), children, max_size=4),
    ),
    max_leaves=12,
)
# Text that goes into the URL; cut to stay under aiohttp's request-line limit.
URL_TEXT = st.text(min_size=1, max_size=200)


def member_names(route: Route) -> list[str]:
    """The JSON body members the route accepts, plus a few it must refuse."""
    names = [f.json_name for f in route.request_type.DESCRIPTOR.fields]
    return [*names, "UpdateMask", "function_name", "Unknown"]


# --- properties ------------------------------------------------------------------------


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.operation)
@FUZZ
@given(body=st.one_of(st.binary(max_size=300), st.text(max_size=300).map(str.encode)))
def test_arbitrary_bytes_as_body(gateway: int, backend: Backend, route: Route, body: bytes) -> None:
    answer = send(gateway, route.method, fill_path(route, {}), body)
    error = assert_aws_error(answer, allow_success=not backend.always_fails)
    if route.has_body and error is not None and not _is_json_object(body):
        assert answer.status == 400
        assert answer.headers["x-amzn-errortype"] == "InvalidRequestContentException"
        assert error["message"].startswith("Could not parse request body into json: ")


@pytest.mark.parametrize("route", BODY_ROUTES, ids=lambda r: r.operation)
@FUZZ
@given(data=st.data())
def test_members_of_any_type(gateway: int, backend: Backend, route: Route, data: Any) -> None:
    body = data.draw(st.dictionaries(st.sampled_from(member_names(route)), JSON_VALUES, max_size=5))
    answer = send(gateway, route.method, fill_path(route, {}), json.dumps(body).encode())
    assert_aws_error(answer, allow_success=not backend.always_fails)


@pytest.mark.parametrize("route", BODY_ROUTES, ids=lambda r: r.operation)
@FUZZ
@given(data=st.data())
def test_unknown_members_are_refused(gateway: int, route: Route, data: Any) -> None:
    known = {f.json_name for f in route.request_type.DESCRIPTOR.fields}
    unknown = data.draw(st.text(max_size=40).filter(lambda k: k not in known))
    body = {unknown: data.draw(JSON_VALUES)}
    answer = send(gateway, route.method, fill_path(route, {}), json.dumps(body).encode())
    error = assert_aws_error(answer)
    assert answer.headers["x-amzn-errortype"] == "InvalidRequestContentException"
    assert error is not None
    assert error["message"].startswith("Could not parse request body into json: ")


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.operation)
@FUZZ
@given(data=st.data())
def test_any_path_and_query_text(gateway: int, backend: Backend, route: Route, data: Any) -> None:
    params = {name: data.draw(URL_TEXT) for name in route.path_params}
    names = st.sampled_from([*route.query, "Marker", "MaxItems", "x-id"]) | st.text(max_size=10)
    query = data.draw(st.lists(st.tuples(names, URL_TEXT), max_size=4))
    path = fill_path(route, params) + ("?" + urlencode(query) if query else "")
    answer = send(gateway, route.method, path, b"{}" if route.has_body else None)
    assert_aws_error(answer, allow_success=not backend.always_fails)


@FUZZ
@given(
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]),
    segments=st.lists(URL_TEXT, max_size=5),
)
def test_unknown_operations(gateway: int, method: str, segments: list[str]) -> None:
    path = "/" + "/".join(quote(s, safe="") for s in segments)
    answer = send(gateway, method, path)
    if answer.headers.get("x-amzn-errortype") != "UnknownOperationException":
        return  # the fuzzer found a real route; other properties cover those
    assert answer.status == 404
    if method != "HEAD":
        assert answer.json() == {"Type": "User", "message": "Unknown operation"}
    assert REQUEST_ID.match(answer.headers["x-amzn-requestid"])


def _is_json_object(body: bytes) -> bool:
    if not body.strip():
        return True  # an empty body counts as {}
    try:
        return isinstance(json.loads(body), dict)
    except (ValueError, RecursionError):
        return False


# --- fixed hostile inputs --------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 200_000,
        b'{"a":' * 200_000,
        b'{"Tags": ' + b'{"a":' * 50_000 + b"1" + b"}" * 50_001,
        json.dumps({"Description": "d" * 5_000_000}).encode(),
        b'{"Timeout": ' + b"9" * 100_000 + b"}",
    ],
    ids=["deep-array", "deep-object", "deep-member", "5MB-string", "100k-digit-number"],
)
@pytest.mark.parametrize("route", BODY_ROUTES, ids=lambda r: r.operation)
def test_hostile_bodies(gateway: int, backend: Backend, route: Route, body: bytes) -> None:
    answer = send(gateway, route.method, fill_path(route, {}), body)
    assert_aws_error(answer, allow_success=not backend.always_fails)


@pytest.mark.parametrize("op", ["CreateFunction", "UpdateFunctionCode"])
@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_oversized_code_upload(gateway: int, op: str, chunked: bool) -> None:
    route = next(r for r in ROUTES if r.operation == op)
    size = CODE_UPLOAD_MAX_BYTES + 1
    payload = b'{"ZipFile": "' + b"A" * (size - 15) + b'"}'
    assert len(payload) == size
    if chunked:
        # No Content-Length: the limit is found while reading.
        chunks = (payload[i : i + (1 << 20)] for i in range(0, size, 1 << 20))
        answer = send(gateway, route.method, fill_path(route, {}), chunks)  # type: ignore[arg-type]
    else:
        answer = send(gateway, route.method, fill_path(route, {}), payload)
    error = assert_aws_error(answer)
    assert answer.status == 413
    assert answer.headers["x-amzn-errortype"] == "RequestEntityTooLargeException"
    assert error == {
        "Type": "User",
        "message": f"Request must be smaller than 70167211 bytes for the {op} operation",
    }


# --- wiring, against a scripted stand-in -----------------------------------------------


@pytest.fixture(scope="module")
def scripted(background: BackgroundLoop) -> Iterator[tuple[ScriptedService, int]]:
    servicer = scripted_functions()
    with serving(background, servicer, REGISTER) as target, gateway_on(background, target) as port:
        yield servicer, port


@pytest.fixture
def stand_in(scripted: tuple[ScriptedService, int]) -> Iterator[tuple[ScriptedService, int]]:
    servicer, port = scripted
    servicer.replies.clear()
    servicer.calls.clear()
    yield servicer, port


def test_request_id_reaches_the_daemon(stand_in: tuple[ScriptedService, int]) -> None:
    servicer, port = stand_in
    answer = send(port, "GET", f"/2015-03-31/functions/{ARN}?Qualifier=%24LATEST")
    assert answer.status == 404
    assert answer.json()["Message"].startswith("Function not found: ")
    [(rpc, request, metadata)] = servicer.calls
    assert rpc == "GetFunction"
    assert request == fs.GetFunctionRequest(
        function_name="arn:aws:lambda:us-east-1:000000000000:function:f", qualifier="$LATEST"
    )
    assert metadata["x-request-id"] == answer.headers["x-amzn-requestid"]


def test_one_summary_line_per_request(
    stand_in: tuple[ScriptedService, int], logs: list[MutableMapping[str, Any]]
) -> None:
    _, port = stand_in
    answers = [
        send(port, "GET", "/2015-03-31/functions/f/aliases/a"),
        send(port, "GET", "/nowhere"),
    ]
    for answer, operation in zip(answers, ["GetAlias", None], strict=True):
        request_id = answer.headers["x-amzn-requestid"]
        lines = [e for e in logs if e.get("request_id") == request_id and e["event"] == "request"]
        assert len(lines) == 1, lines
        assert lines[0]["operation"] == operation
        assert lines[0]["status"] == answer.status
        assert lines[0]["ms"] >= 0


def test_created_function_is_201_with_the_configuration(
    stand_in: tuple[ScriptedService, int],
) -> None:
    servicer, port = stand_in
    config = fn.FunctionConfiguration(
        function_name="f", code_size=2**33, environment=fn.EnvironmentResponse(), state="Pending"
    )
    servicer.replies["CreateFunction"] = fs.CreateFunctionResponse(configuration=config)
    body = {
        "FunctionName": "f",
        "Role": "arn:aws:iam::123456789012:role/r",
        "Code": {"ZipFile": "UEs="},
    }
    answer = send(port, "POST", "/2015-03-31/functions", json.dumps(body).encode())
    assert answer.status == 201
    assert answer.headers["content-type"] == "application/json"
    rendered = answer.json()
    assert rendered["CodeSize"] == 2**33
    assert rendered["Environment"] == {"Variables": {}}
    assert "Runtime" not in rendered
    assert servicer.calls[0][1].code.zip_file == b"PK"


def test_update_configuration_sends_the_mask(stand_in: tuple[ScriptedService, int]) -> None:
    servicer, port = stand_in
    servicer.replies["UpdateFunctionConfiguration"] = fs.UpdateFunctionConfigurationResponse()
    answer = send(
        port, "PUT", "/2015-03-31/functions/f/configuration", b'{"Layers": [], "Timeout": 9}'
    )
    assert answer.status == 200
    request = servicer.calls[0][1]
    assert list(request.update_mask.paths) == ["layers", "timeout"]


@pytest.mark.parametrize(
    ("rpc", "method", "path"),
    [
        ("DeleteFunction", "DELETE", "/2015-03-31/functions/f"),
        ("DeleteAlias", "DELETE", "/2015-03-31/functions/f/aliases/a"),
        ("TagResource", "POST", f"/2017-03-31/tags/{ARN}"),
        ("UntagResource", "DELETE", f"/2017-03-31/tags/{ARN}?tagKeys=a&tagKeys=b"),
    ],
)
def test_empty_answers_are_204_without_body(
    stand_in: tuple[ScriptedService, int], rpc: str, method: str, path: str
) -> None:
    servicer, port = stand_in
    reply_type = message_factory.GetMessageClass(SERVICE.methods_by_name[rpc].output_type)
    servicer.replies[rpc] = reply_type()
    answer = send(port, method, path, b'{"Tags": {"k": "v"}}' if method == "POST" else None)
    assert answer.status == 204
    assert answer.body == b""
    assert REQUEST_ID.match(answer.headers["x-amzn-requestid"])
    if rpc == "UntagResource":
        assert list(servicer.calls[0][1].tag_keys) == ["a", "b"]


def test_throttling_through_grpc(stand_in: tuple[ScriptedService, int]) -> None:
    servicer, port = stand_in
    servicer.replies["GetAccountSettings"] = rich_status(
        code_pb2.RESOURCE_EXHAUSTED,
        "TOO_MANY_REQUESTS",
        "Rate Exceeded.",
        reason="CallerRateLimitExceeded",
        retry_after_seconds="2",
    )
    answer = send(port, "GET", "/2016-08-19/account-settings")
    assert answer.status == 429
    assert answer.headers["x-amzn-errortype"] == "TooManyRequestsException"
    assert answer.headers["retry-after"] == "2"
    assert answer.json() == {
        "Type": "User",
        "message": "Rate Exceeded.",
        "Reason": "CallerRateLimitExceeded",
    }


def test_plain_grpc_error_is_a_service_exception(stand_in: tuple[ScriptedService, int]) -> None:
    servicer, port = stand_in
    servicer.replies["ListTags"] = PlainStatus(grpc.StatusCode.INTERNAL, "broken")
    answer = send(port, "GET", f"/2017-03-31/tags/{ARN}")
    assert answer.status == 500
    assert answer.headers["x-amzn-errortype"] == "ServiceException"
    assert answer.json() == {"Type": "Service", "Message": "broken"}


def test_unreachable_daemon_is_a_service_exception(background: BackgroundLoop) -> None:
    closed_port = free_port()  # nothing listens there, and no bind(0) can take it
    with gateway_on(background, f"127.0.0.1:{closed_port}") as port:
        answer = send(port, "GET", "/2016-08-19/account-settings")
    assert answer.status == 500
    assert answer.headers["x-amzn-errortype"] == "ServiceException"
    assert answer.json()["Type"] == "Service"
    assert REQUEST_ID.match(answer.headers["x-amzn-requestid"])


# --- code locations --------------------------------------------------------------------

LOCATION = "/_lambdad/code/" + "ab" * 32 + ".zip?expires=1&signature=cd"


def test_get_function_location_is_a_gateway_url(stand_in: tuple[ScriptedService, int]) -> None:
    servicer, port = stand_in
    code = fn.FunctionCodeLocation(repository_type="S3", location=LOCATION)
    servicer.replies["GetFunction"] = fs.GetFunctionResponse(code=code)
    answer = send(port, "GET", "/2015-03-31/functions/f")
    assert answer.status == 200
    assert answer.json()["Code"]["Location"] == f"http://127.0.0.1:{port}{LOCATION}"


def test_code_location_streams_the_zip(stand_in: tuple[ScriptedService, int]) -> None:
    servicer, port = stand_in
    chunks = [fs.DownloadCodeResponse(chunk=b"PK"), fs.DownloadCodeResponse(chunk=b"\x03\x04")]
    servicer.replies["DownloadCode"] = list(chunks)
    answer = send(port, "GET", LOCATION)
    assert answer.status == 200
    assert answer.headers["content-type"] == "application/zip"
    assert answer.body == b"PK\x03\x04"
    [(rpc, request, metadata)] = servicer.calls
    assert (rpc, request) == ("DownloadCode", fs.DownloadCodeRequest(location=LOCATION))
    assert metadata["x-request-id"] == answer.headers["x-amzn-requestid"]


def test_refused_code_location_is_an_error(stand_in: tuple[ScriptedService, int]) -> None:
    servicer, port = stand_in
    servicer.replies["DownloadCode"] = rich_status(
        code_pb2.PERMISSION_DENIED, "ACCESS_DENIED", "Request has expired or is not signed."
    )
    answer = send(port, "GET", LOCATION)
    assert answer.status == 403
    assert answer.headers["x-amzn-errortype"] == "AccessDeniedException"
    assert answer.json() == {"Type": "User", "Message": "Request has expired or is not signed."}


def test_download_failing_midway_is_cut_short(stand_in: tuple[ScriptedService, int]) -> None:
    servicer, port = stand_in
    servicer.replies["DownloadCode"] = [
        fs.DownloadCodeResponse(chunk=b"PK"),
        rich_status(code_pb2.INTERNAL, "SERVICE", "disk gone"),
    ]
    # The status line has gone out; a truncated body must not look complete.
    with pytest.raises(http.client.HTTPException):
        send(port, "GET", LOCATION)
    still_answers(port)


def create_body(prefix: str, zipped: bytes) -> dict[str, Any]:
    """A CreateFunction body for a new python function named `prefix`-<random>."""
    return {
        "FunctionName": f"{prefix}-{uuid.uuid4().hex[:8]}",
        "Runtime": "python3.12",
        "Handler": "app.handler",
        "Role": "arn:aws:iam::000000000000:role/lambda-role",
        "Code": {"ZipFile": base64.b64encode(zipped).decode()},
    }


def test_code_round_trip_through_the_daemon(background: BackgroundLoop, daemon_target: str) -> None:
    zipped = make_zip({"app.py": "def handler(event, context):\n    return event\n"})
    body = create_body("fuzz-code", zipped)
    with gateway_on(background, daemon_target) as port:
        created = send(port, "POST", "/2015-03-31/functions", json.dumps(body).encode())
        assert created.status == 201, created
        got = send(port, "GET", f"/2015-03-31/functions/{body['FunctionName']}")
        assert got.status == 200, got
        base = f"http://127.0.0.1:{port}"
        location = got.json()["Code"]["Location"]
        assert location.startswith(base + "/_lambdad/code/")
        downloaded = send(port, "GET", location.removeprefix(base))
        assert downloaded.status == 200
        assert downloaded.body == zipped
        tampered = location.removeprefix(base).replace("signature=", "signature=0")
        refused = send(port, "GET", tampered)
        assert refused.status == 403
        assert refused.headers["x-amzn-errortype"] == "AccessDeniedException"


def test_gateway_fault_is_a_service_exception_json(
    stand_in: tuple[ScriptedService, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever escapes the gateway's own code is AWS-shaped, never aiohttp's text 500."""
    _, port = stand_in
    faults = [RuntimeError("gateway bug")]

    def broken_url_address(host: str, path: str) -> None:
        if faults:
            raise faults.pop()

    monkeypatch.setattr("lambdad.gateway.app.url_address", broken_url_address)
    answer = send(port, "GET", "/2016-08-19/account-settings")
    assert answer.status == 500
    assert answer.headers["x-amzn-errortype"] == "ServiceException"
    assert answer.headers["content-type"] == "application/json"
    assert answer.json() == {"Type": "Service", "Message": "An internal error occurred."}
    assert REQUEST_ID.match(answer.headers["x-amzn-requestid"])
    still_answers(port)


def test_undecodable_body_is_invalid_request_content(
    stand_in: tuple[ScriptedService, int],
) -> None:
    """A body aiohttp cannot decode (it claims gzip) is the client's fault, not a 500."""
    servicer, port = stand_in
    answer = send(
        port,
        "POST",
        "/2015-03-31/functions",
        b'{"FunctionName": "f"}',
        {"Content-Encoding": "gzip", "Content-Type": "application/json"},
    )
    error = assert_aws_error(answer)
    assert answer.status == 400
    assert answer.headers["x-amzn-errortype"] == "InvalidRequestContentException"
    assert error is not None
    assert error["message"].startswith("Could not parse request body into json: ")
    assert servicer.calls == []


def test_deep_zip_is_refused_at_create_through_the_gateway(
    background: BackgroundLoop, daemon_target: str
) -> None:
    """The zip of issue 13 (a 1,000-level path): a 400 at CreateFunction, not a 500 later."""
    zipped = make_zip({"/".join(["d"] * 1000) + "/app.py": "def handler(e, c):\n    return e\n"})
    body = create_body("fuzz-deep", zipped)
    with gateway_on(background, daemon_target) as port:
        answer = send(port, "POST", "/2015-03-31/functions", json.dumps(body).encode())
        missing = send(port, "GET", f"/2015-03-31/functions/{body['FunctionName']}")
    error = assert_aws_error(answer)
    assert answer.status == 400
    assert answer.headers["x-amzn-errortype"] == "InvalidParameterValueException"
    assert error is not None
    shown = ("d/" * 1000)[:200]
    assert error["message"] == (
        "Could not unzip uploaded file. Please check your file, then try to upload again. "
        f"Entry '{shown}...' is nested deeper than 256 levels."
    )
    assert missing.status == 404
