"""The typed clients, their errors and the CLI, against real grpc servers on port 0.

The first tests walk the descriptors of every `lambdad.v1.*_service_pb2` module, so a new RPC
or a new service fails here until both clients have a correctly typed method for it.
"""

import collections.abc
import importlib
import inspect
import json
import pkgutil
import re
import typing
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent import futures
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import grpc
import grpc.aio
import pytest
from google.protobuf import message_factory
from google.protobuf.message import Message
from google.rpc import error_details_pb2, status_pb2
from grpc_status import rpc_status

import lambdad.v1
from lambdad.client import (
    AccessDeniedError,
    AliasAlreadyExistsError,
    AliasNotFoundError,
    AsyncLambdadClient,
    CallbackTimeoutError,
    CodeSigningConfigNotFoundError,
    CodeStorageExceededError,
    CodeVerificationFailedError,
    ConflictError,
    DurableExecutionAlreadyStartedError,
    FunctionAlreadyExistsError,
    FunctionNotFoundError,
    InvalidParameterValueError,
    InvalidRequestContentError,
    InvalidRequestError,
    LambdadClient,
    LambdadError,
    LogInvalidParameterError,
    LogResourceNotFoundError,
    NotFoundError,
    ProvisionedConcurrencyConfigNotFoundError,
    RecursiveInvocationError,
    RequestTooLargeError,
    ResourceConflictError,
    ResourceInUseError,
    ResourceNotFoundError,
    RevisionIdMismatchError,
    ServiceError,
    TooManyRequestsError,
    UnauthenticatedError,
    ValidationError,
    error_from_rpc,
)
from lambdad.client import errors as errors_module
from lambdad.client.cli import TARGET_ENV, main
from lambdad.v1 import function_pb2, function_service_pb2, function_service_pb2_grpc
from tests.helpers import free_port

CLIENTS = [LambdadClient, AsyncLambdadClient]
# Public client members that are not RPCs.
NON_RPC_MEMBERS = {"connect", "close", "channel"}


# --- the RPC catalogue, read from the generated descriptors -------------------------------


class Rpc(NamedTuple):
    """One RPC of one lambdad.v1 service, as the clients must expose it."""

    service: str  # lambdad.v1.FunctionService
    name: str  # CreateFunction
    request_type: type[Message]
    response_type: type[Message]
    client_streaming: bool
    server_streaming: bool

    @property
    def path(self) -> str:
        return f"/{self.service}/{self.name}"

    @property
    def method_name(self) -> str:
        return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", self.name).lower()

    def __str__(self) -> str:
        return f"{self.service.rsplit('.', 1)[-1]}.{self.name}"


def _service_rpcs() -> list[Rpc]:
    rpcs = []
    for module_info in pkgutil.iter_modules(lambdad.v1.__path__):
        if not module_info.name.endswith("_service_pb2"):
            continue
        module = importlib.import_module(f"lambdad.v1.{module_info.name}")
        for service in module.DESCRIPTOR.services_by_name.values():
            for method in service.methods:
                rpcs.append(
                    Rpc(
                        service=service.full_name,
                        name=method.name,
                        request_type=message_factory.GetMessageClass(method.input_type),
                        response_type=message_factory.GetMessageClass(method.output_type),
                        client_streaming=method.client_streaming,
                        server_streaming=method.server_streaming,
                    )
                )
    return rpcs


RPCS = _service_rpcs()


def test_catalogue_includes_function_service() -> None:
    services = {rpc.service for rpc in RPCS}
    assert "lambdad.v1.FunctionService" in services
    names = {rpc.name for rpc in RPCS if rpc.service == "lambdad.v1.FunctionService"}
    assert {"CreateFunction", "GetFunction", "GetAccountSettings"} <= names


def test_rpc_method_names_are_unique_across_services() -> None:
    seen: dict[str, Rpc] = {}
    for rpc in RPCS:
        assert rpc.method_name not in seen, f"{rpc} and {seen[rpc.method_name]} clash"
        seen[rpc.method_name] = rpc


@pytest.mark.parametrize("client_type", CLIENTS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("rpc", RPCS, ids=str)
def test_every_rpc_has_a_typed_client_method(client_type: type, rpc: Rpc) -> None:
    method = getattr(client_type, rpc.method_name, None)
    assert method is not None, f"{client_type.__name__} has no method {rpc.method_name} for {rpc}"
    assert not rpc.client_streaming, f"{rpc}: client-streaming RPCs need a client design first"

    params = inspect.signature(method).parameters
    assert list(params) == ["self", "request", "timeout", "request_id"]
    assert params["timeout"].kind is inspect.Parameter.KEYWORD_ONLY
    assert params["request_id"].kind is inspect.Parameter.KEYWORD_ONLY

    hints = typing.get_type_hints(method)
    assert hints["request"] is rpc.request_type
    returned = hints["return"]
    is_async = client_type is AsyncLambdadClient
    if rpc.server_streaming:
        iterator = collections.abc.AsyncIterator if is_async else collections.abc.Iterator
        assert typing.get_origin(returned) is iterator
        assert typing.get_args(returned) == (rpc.response_type,)
        assert not inspect.iscoroutinefunction(method)
    else:
        assert returned is rpc.response_type
        assert inspect.iscoroutinefunction(method) is is_async


@pytest.mark.parametrize("client_type", CLIENTS, ids=lambda c: c.__name__)
def test_clients_have_no_method_without_an_rpc(client_type: type) -> None:
    public = {name for name in dir(client_type) if not name.startswith("_")}
    assert public - NON_RPC_MEMBERS == {rpc.method_name for rpc in RPCS}


# --- servers -------------------------------------------------------------------------------


Serve = Callable[[Callable[[grpc.Server], None]], str]


@pytest.fixture
def serve() -> Iterator[Serve]:
    """Start grpc servers on 127.0.0.1:0, each set up by a callback; return their targets."""
    with futures.ThreadPoolExecutor(max_workers=8) as pool:
        servers: list[grpc.Server] = []

        def start(setup: Callable[[grpc.Server], None]) -> str:
            server = grpc.server(pool)
            setup(server)
            port = server.add_insecure_port("127.0.0.1:0")
            server.start()
            servers.append(server)
            return f"127.0.0.1:{port}"

        yield start
        for server in servers:
            server.stop(None)


@dataclass
class Received:
    """What a test server saw of one call."""

    path: str
    request: Message
    request_id: str | None
    time_remaining: float | None


def _has_deadline(call: Received, timeout: float) -> bool:
    # The server measures from its own clock, so allow a little slack over the timeout.
    return call.time_remaining is not None and 0 < call.time_remaining < timeout + 1


def _received(path: str, request: Message, context: grpc.ServicerContext) -> Received:
    metadata = dict(context.invocation_metadata())
    request_id = metadata.get("x-request-id")
    assert request_id is None or isinstance(request_id, str)
    return Received(path, request, request_id, context.time_remaining())


@dataclass
class EchoServer:
    """Answers every RPC of every service with an empty response and records the call."""

    calls: list[Received] = field(default_factory=list)

    def handlers(self) -> list[grpc.GenericRpcHandler]:
        by_service: dict[str, dict[str, grpc.RpcMethodHandler]] = {}
        for rpc in RPCS:
            by_service.setdefault(rpc.service, {})[rpc.name] = self._handler(rpc)
        return [grpc.method_handlers_generic_handler(s, h) for s, h in by_service.items()]

    def _handler(self, rpc: Rpc) -> grpc.RpcMethodHandler:
        def unary(request: Message, context: grpc.ServicerContext) -> Message:
            self.calls.append(_received(rpc.path, request, context))
            return rpc.response_type()

        def stream(request: Message, context: grpc.ServicerContext) -> Iterator[Message]:
            self.calls.append(_received(rpc.path, request, context))
            yield rpc.response_type()

        codec: dict[str, Any] = {
            "request_deserializer": rpc.request_type.FromString,
            "response_serializer": rpc.response_type.SerializeToString,
        }
        if rpc.server_streaming:
            return grpc.unary_stream_rpc_method_handler(stream, **codec)
        return grpc.unary_unary_rpc_method_handler(unary, **codec)


def _function(name: str) -> function_pb2.FunctionConfiguration:
    return function_pb2.FunctionConfiguration(
        function_name=name,
        function_arn=f"arn:aws:lambda:us-east-1:123456789012:function:{name}",
        runtime="python3.12",
        handler="app.handler",
        memory_size=128,
    )


def _error_status(
    code: grpc.StatusCode,
    message: str,
    reason: str | None = None,
    metadata: dict[str, str] | None = None,
    *,
    other_details: tuple[Message, ...] = (),
) -> status_pb2.Status:
    status = status_pb2.Status(code=code.value[0], message=message)
    for detail in other_details:
        status.details.add().Pack(detail)
    if reason is not None:
        info = error_details_pb2.ErrorInfo(reason=reason, domain="lambdad", metadata=metadata)
        status.details.add().Pack(info)
    return status


def _not_found(name: str) -> status_pb2.Status:
    arn = _function(name).function_arn
    return _error_status(
        grpc.StatusCode.NOT_FOUND,
        f"Function not found: {arn}",
        "FUNCTION_NOT_FOUND",
        {"function_arn": arn},
    )


class FakeFunctionService(function_service_pb2_grpc.FunctionServiceServicer):
    """Functions in a dict, answered the way the daemon answers; `fail_with` forces an error."""

    PAGE_SIZE = 2

    def __init__(self) -> None:
        self.functions = {name: _function(name) for name in ("alpha", "beta", "gamma")}
        self.fail_with: status_pb2.Status | None = None
        self.calls: list[Received] = []

    def _begin(self, rpc: str, request: Message, context: grpc.ServicerContext) -> None:
        self.calls.append(_received(f"/lambdad.v1.FunctionService/{rpc}", request, context))
        if self.fail_with is not None:
            context.abort_with_status(rpc_status.to_status(self.fail_with))

    def _lookup(
        self, name: str, context: grpc.ServicerContext
    ) -> function_pb2.FunctionConfiguration:
        if name not in self.functions:
            context.abort_with_status(rpc_status.to_status(_not_found(name)))
        return self.functions[name]

    def GetFunction(
        self, request: function_service_pb2.GetFunctionRequest, context: grpc.ServicerContext
    ) -> function_service_pb2.GetFunctionResponse:
        self._begin("GetFunction", request, context)
        configuration = function_pb2.FunctionConfiguration()
        configuration.CopyFrom(self._lookup(request.function_name, context))
        if request.qualifier:
            configuration.version = request.qualifier
        return function_service_pb2.GetFunctionResponse(
            configuration=configuration, tags={"team": "lambdad"}
        )

    def ListFunctions(
        self, request: function_service_pb2.ListFunctionsRequest, context: grpc.ServicerContext
    ) -> function_service_pb2.ListFunctionsResponse:
        self._begin("ListFunctions", request, context)
        names = sorted(self.functions)
        start = int(request.page_token or 0)
        end = start + self.PAGE_SIZE
        return function_service_pb2.ListFunctionsResponse(
            functions=[self.functions[name] for name in names[start:end]],
            next_page_token=str(end) if end < len(names) else "",
        )

    def DeleteFunction(
        self, request: function_service_pb2.DeleteFunctionRequest, context: grpc.ServicerContext
    ) -> function_service_pb2.DeleteFunctionResponse:
        self._begin("DeleteFunction", request, context)
        self._lookup(request.function_name, context)
        del self.functions[request.function_name]
        return function_service_pb2.DeleteFunctionResponse()


@pytest.fixture
def fake() -> FakeFunctionService:
    return FakeFunctionService()


@pytest.fixture
def target(serve: Serve, fake: FakeFunctionService) -> str:
    return serve(
        lambda server: function_service_pb2_grpc.add_FunctionServiceServicer_to_server(fake, server)
    )


@pytest.fixture
def echo() -> EchoServer:
    return EchoServer()


@pytest.fixture
def echo_target(serve: Serve, echo: EchoServer) -> str:
    return serve(lambda server: server.add_generic_rpc_handlers(echo.handlers()))


def _adding(handler: grpc.GenericRpcHandler) -> Callable[[grpc.Server], None]:
    return lambda server: server.add_generic_rpc_handlers((handler,))


def _closed_port_target() -> str:
    # Below the ephemeral range: no server binding port 0 can take it meanwhile.
    return f"127.0.0.1:{free_port()}"


# --- every method reaches its RPC ----------------------------------------------------------


@pytest.mark.parametrize("rpc", RPCS, ids=str)
def test_sync_method_calls_its_rpc(rpc: Rpc, echo: EchoServer, echo_target: str) -> None:
    request = rpc.request_type()
    with LambdadClient.connect(echo_target) as client:
        result = getattr(client, rpc.method_name)(request, timeout=10)
        responses = list(result) if rpc.server_streaming else [result]
    assert [call.path for call in echo.calls] == [rpc.path]
    assert [type(response) for response in responses] == [rpc.response_type]


@pytest.mark.asyncio
@pytest.mark.parametrize("rpc", RPCS, ids=str)
async def test_async_method_calls_its_rpc(rpc: Rpc, echo: EchoServer, echo_target: str) -> None:
    request = rpc.request_type()
    async with AsyncLambdadClient.connect(echo_target) as client:
        method = getattr(client, rpc.method_name)
        if rpc.server_streaming:
            responses = [response async for response in method(request, timeout=10)]
        else:
            responses = [await method(request, timeout=10)]
    assert [call.path for call in echo.calls] == [rpc.path]
    assert [type(response) for response in responses] == [rpc.response_type]


# --- responses, request ids, deadlines -----------------------------------------------------


def test_get_function_returns_the_servers_response(target: str, fake: FakeFunctionService) -> None:
    with LambdadClient.connect(target) as client:
        response = client.get_function(
            function_service_pb2.GetFunctionRequest(function_name="beta", qualifier="7")
        )
    assert response.configuration.function_arn == fake.functions["beta"].function_arn
    assert response.configuration.version == "7"
    assert dict(response.tags) == {"team": "lambdad"}
    assert fake.calls[0].request == function_service_pb2.GetFunctionRequest(
        function_name="beta", qualifier="7"
    )


def test_request_id_and_timeout_are_sent(target: str, fake: FakeFunctionService) -> None:
    request = function_service_pb2.ListFunctionsRequest()
    with LambdadClient.connect(target) as client:
        client.list_functions(request, timeout=5, request_id="req-1")
        client.list_functions(request)
    with_id, without = fake.calls
    assert with_id.request_id == "req-1"
    assert _has_deadline(with_id, 5)
    assert without.request_id is None
    # No deadline: grpc reports "infinite" time remaining.
    assert without.time_remaining is None or without.time_remaining > 10**6


@pytest.mark.asyncio
async def test_async_client_returns_responses_and_sends_request_id(
    target: str, fake: FakeFunctionService
) -> None:
    async with AsyncLambdadClient.connect(target) as client:
        page = await client.list_functions(
            function_service_pb2.ListFunctionsRequest(), timeout=5, request_id="req-2"
        )
    assert [f.function_name for f in page.functions] == ["alpha", "beta"]
    assert page.next_page_token == "2"
    assert fake.calls[0].request_id == "req-2"
    assert _has_deadline(fake.calls[0], 5)


def test_closed_sync_client_refuses_calls(target: str) -> None:
    with LambdadClient.connect(target) as client:
        pass
    with pytest.raises(ValueError, match="closed channel"):
        client.get_function(function_service_pb2.GetFunctionRequest(function_name="alpha"))


@pytest.mark.asyncio
async def test_closed_async_client_refuses_calls(target: str) -> None:
    async with AsyncLambdadClient.connect(target) as client:
        pass
    with pytest.raises(grpc.aio.UsageError):
        await client.get_function(function_service_pb2.GetFunctionRequest(function_name="alpha"))


# --- errors --------------------------------------------------------------------------------

# reason -> (error type, group base, a gRPC code the daemon may send with it). The client picks
# the type by reason alone; the codes only make the statuses realistic.
ERROR_CATALOGUE: dict[str, tuple[type[LambdadError], type[LambdadError], grpc.StatusCode]] = {
    "VALIDATION": (ValidationError, LambdadError, grpc.StatusCode.INVALID_ARGUMENT),
    "INVALID_PARAMETER_VALUE": (
        InvalidParameterValueError,
        LambdadError,
        grpc.StatusCode.INVALID_ARGUMENT,
    ),
    "INVALID_REQUEST": (InvalidRequestError, LambdadError, grpc.StatusCode.INVALID_ARGUMENT),
    "LOG_INVALID_PARAMETER": (
        LogInvalidParameterError,
        LambdadError,
        grpc.StatusCode.INVALID_ARGUMENT,
    ),
    "LOG_RESOURCE_NOT_FOUND": (LogResourceNotFoundError, NotFoundError, grpc.StatusCode.NOT_FOUND),
    "INVALID_REQUEST_CONTENT": (
        InvalidRequestContentError,
        LambdadError,
        grpc.StatusCode.INVALID_ARGUMENT,
    ),
    "FUNCTION_NOT_FOUND": (FunctionNotFoundError, NotFoundError, grpc.StatusCode.NOT_FOUND),
    "ALIAS_NOT_FOUND": (AliasNotFoundError, NotFoundError, grpc.StatusCode.NOT_FOUND),
    "RESOURCE_NOT_FOUND": (ResourceNotFoundError, NotFoundError, grpc.StatusCode.NOT_FOUND),
    "PROVISIONED_CONCURRENCY_CONFIG_NOT_FOUND": (
        ProvisionedConcurrencyConfigNotFoundError,
        NotFoundError,
        grpc.StatusCode.NOT_FOUND,
    ),
    "FUNCTION_ALREADY_EXISTS": (
        FunctionAlreadyExistsError,
        ConflictError,
        grpc.StatusCode.ALREADY_EXISTS,
    ),
    "ALIAS_ALREADY_EXISTS": (
        AliasAlreadyExistsError,
        ConflictError,
        grpc.StatusCode.ALREADY_EXISTS,
    ),
    "DURABLE_EXECUTION_ALREADY_STARTED": (
        DurableExecutionAlreadyStartedError,
        ConflictError,
        grpc.StatusCode.ALREADY_EXISTS,
    ),
    "CALLBACK_TIMEOUT": (
        CallbackTimeoutError,
        LambdadError,
        grpc.StatusCode.FAILED_PRECONDITION,
    ),
    "RESOURCE_CONFLICT": (ResourceConflictError, ConflictError, grpc.StatusCode.ABORTED),
    "RESOURCE_IN_USE": (ResourceInUseError, LambdadError, grpc.StatusCode.FAILED_PRECONDITION),
    "REVISION_ID_MISMATCH": (
        RevisionIdMismatchError,
        LambdadError,
        grpc.StatusCode.FAILED_PRECONDITION,
    ),
    "REQUEST_TOO_LARGE": (RequestTooLargeError, LambdadError, grpc.StatusCode.RESOURCE_EXHAUSTED),
    "ACCESS_DENIED": (AccessDeniedError, LambdadError, grpc.StatusCode.PERMISSION_DENIED),
    "TOO_MANY_REQUESTS": (TooManyRequestsError, LambdadError, grpc.StatusCode.RESOURCE_EXHAUSTED),
    "CODE_STORAGE_EXCEEDED": (
        CodeStorageExceededError,
        LambdadError,
        grpc.StatusCode.RESOURCE_EXHAUSTED,
    ),
    "CODE_SIGNING_CONFIG_NOT_FOUND": (
        CodeSigningConfigNotFoundError,
        NotFoundError,
        grpc.StatusCode.NOT_FOUND,
    ),
    "CODE_VERIFICATION_FAILED": (
        CodeVerificationFailedError,
        LambdadError,
        grpc.StatusCode.FAILED_PRECONDITION,
    ),
    "RECURSIVE_INVOCATION": (
        RecursiveInvocationError,
        LambdadError,
        grpc.StatusCode.FAILED_PRECONDITION,
    ),
    "SERVICE": (ServiceError, LambdadError, grpc.StatusCode.INTERNAL),
    "UNAUTHENTICATED": (UnauthenticatedError, LambdadError, grpc.StatusCode.UNAUTHENTICATED),
}


def test_error_catalogue_covers_every_error_type() -> None:
    def leaves(cls: type[LambdadError]) -> set[type[LambdadError]]:
        subclasses = set(cls.__subclasses__())
        found = {sub for sub in subclasses if not sub.__subclasses__()}
        for sub in subclasses:
            found |= leaves(sub)
        return found

    declared = {
        obj
        for obj in vars(errors_module).values()
        if isinstance(obj, type) and issubclass(obj, LambdadError)
    }
    assert leaves(LambdadError) & declared == {entry[0] for entry in ERROR_CATALOGUE.values()}
    for reason, (error_type, _, _) in ERROR_CATALOGUE.items():
        assert reason == error_type.REASON


def _check_error(
    err: LambdadError, reason: str, code: grpc.StatusCode, metadata: dict[str, str]
) -> None:
    error_type, base, _ = ERROR_CATALOGUE[reason]
    assert type(err) is error_type
    assert isinstance(err, base)
    assert err.reason == reason
    assert err.message == f"{reason} happened"
    assert err.code is code
    assert err.metadata == metadata
    assert str(err) == f"{reason}: {reason} happened"
    assert isinstance(err.__cause__, grpc.RpcError)


@pytest.mark.parametrize("reason", ERROR_CATALOGUE)
def test_sync_error_becomes_its_type(reason: str, target: str, fake: FakeFunctionService) -> None:
    code = ERROR_CATALOGUE[reason][2]
    metadata = {"function_arn": "arn:aws:lambda:us-east-1:123456789012:function:alpha"}
    fake.fail_with = _error_status(code, f"{reason} happened", reason, metadata)
    with LambdadClient.connect(target) as client, pytest.raises(LambdadError) as caught:
        client.get_function(function_service_pb2.GetFunctionRequest(function_name="alpha"))
    _check_error(caught.value, reason, code, metadata)


@pytest.mark.asyncio
@pytest.mark.parametrize("reason", ERROR_CATALOGUE)
async def test_async_error_becomes_its_type(
    reason: str, target: str, fake: FakeFunctionService
) -> None:
    code = ERROR_CATALOGUE[reason][2]
    metadata = {"name": "live"}
    fake.fail_with = _error_status(code, f"{reason} happened", reason, metadata)
    async with AsyncLambdadClient.connect(target) as client:
        with pytest.raises(LambdadError) as caught:
            await client.get_function(
                function_service_pb2.GetFunctionRequest(function_name="alpha")
            )
    _check_error(caught.value, reason, code, metadata)


def test_daemon_not_found_is_a_function_not_found_error(target: str) -> None:
    with LambdadClient.connect(target) as client, pytest.raises(NotFoundError) as caught:
        client.delete_function(function_service_pb2.DeleteFunctionRequest(function_name="nope"))
    arn = _function("nope").function_arn
    assert type(caught.value) is FunctionNotFoundError
    assert caught.value.message == f"Function not found: {arn}"
    assert caught.value.metadata == {"function_arn": arn}


@dataclass(frozen=True)
class Fallback:
    """A failure without a known reason, and the plain LambdadError it must give."""

    id: str
    status: status_pb2.Status | None  # None: a bare abort, no google.rpc.Status at all
    code: grpc.StatusCode
    reason: str
    message: str
    metadata: dict[str, str] = field(default_factory=dict)


FALLBACKS = [
    Fallback("no-status", None, grpc.StatusCode.UNAVAILABLE, "UNAVAILABLE", "daemon draining"),
    Fallback(
        "status-without-error-info",
        _error_status(
            grpc.StatusCode.DEADLINE_EXCEEDED,
            "took too long",
            other_details=(error_details_pb2.RetryInfo(),),
        ),
        grpc.StatusCode.DEADLINE_EXCEEDED,
        "DEADLINE_EXCEEDED",
        "took too long",
    ),
    Fallback(
        "unknown-reason-is-kept",
        _error_status(grpc.StatusCode.INTERNAL, "newer daemon", "BRAND_NEW", {"k": "v"}),
        grpc.StatusCode.INTERNAL,
        "BRAND_NEW",
        "newer daemon",
        {"k": "v"},
    ),
]


@pytest.mark.parametrize("case", FALLBACKS, ids=lambda case: case.id)
def test_failure_without_known_reason_is_a_plain_lambdad_error(
    case: Fallback, serve: Serve
) -> None:
    def fail(request: Message, context: grpc.ServicerContext) -> Message:
        if case.status is None:
            context.abort(case.code, case.message)
        context.abort_with_status(rpc_status.to_status(case.status))

    handler = grpc.method_handlers_generic_handler(
        "lambdad.v1.FunctionService",
        {
            "GetAccountSettings": grpc.unary_unary_rpc_method_handler(
                fail,
                request_deserializer=function_service_pb2.GetAccountSettingsRequest.FromString,
                response_serializer=function_service_pb2.GetAccountSettingsResponse.SerializeToString,
            )
        },
    )
    with (
        LambdadClient.connect(serve(_adding(handler))) as client,
        pytest.raises(LambdadError) as caught,
    ):
        client.get_account_settings(function_service_pb2.GetAccountSettingsRequest())
    assert type(caught.value) is LambdadError
    assert (caught.value.reason, caught.value.message) == (case.reason, case.message)
    assert caught.value.code is case.code
    assert caught.value.metadata == case.metadata


def test_error_info_after_other_details_is_found() -> None:
    status = _error_status(
        grpc.StatusCode.NOT_FOUND,
        "Alias not found",
        "ALIAS_NOT_FOUND",
        other_details=(error_details_pb2.DebugInfo(detail="x"),),
    )
    err = error_from_rpc(_StatusError(status))
    assert type(err) is AliasNotFoundError
    assert err.message == "Alias not found"


def test_bare_rpc_error_is_unknown() -> None:
    err = error_from_rpc(grpc.RpcError())
    assert type(err) is LambdadError
    assert (err.reason, err.code, err.message, err.metadata) == (
        "UNKNOWN",
        grpc.StatusCode.UNKNOWN,
        "UNKNOWN",
        {},
    )


def test_status_contradicting_the_call_is_ignored() -> None:
    # grpc_status rejects a Status whose code differs from the call's; so do we.
    status = _error_status(grpc.StatusCode.NOT_FOUND, "Function not found", "FUNCTION_NOT_FOUND")
    err = error_from_rpc(_StatusError(status, code=grpc.StatusCode.INTERNAL))
    assert type(err) is LambdadError
    assert err.reason == "INTERNAL"


class _StatusError(grpc.RpcError):
    """An RpcError carrying a Status in its trailing metadata, as grpc raises them."""

    def __init__(self, status: status_pb2.Status, code: grpc.StatusCode | None = None) -> None:
        self._status = status
        self._code = code or next(c for c in grpc.StatusCode if c.value[0] == status.code)

    def code(self) -> grpc.StatusCode:
        return self._code

    def details(self) -> str:
        return self._status.message

    def trailing_metadata(self) -> tuple[tuple[str, bytes], ...]:
        return (("grpc-status-details-bin", self._status.SerializeToString()),)


def test_unreachable_daemon_is_unavailable() -> None:
    with (
        LambdadClient.connect(_closed_port_target()) as client,
        pytest.raises(LambdadError) as caught,
    ):
        client.get_account_settings(function_service_pb2.GetAccountSettingsRequest(), timeout=10)
    assert type(caught.value) is LambdadError
    assert caught.value.reason == "UNAVAILABLE"
    assert caught.value.code is grpc.StatusCode.UNAVAILABLE


# --- server streaming (for InvocationService and log tails) --------------------------------

STREAM_PATH = "/lambdad.test.Pages/Stream"


@pytest.fixture
def stream_target(serve: Serve) -> str:
    """A made-up server-streaming RPC: three pages, then FUNCTION_NOT_FOUND."""

    def stream(
        request: function_service_pb2.ListFunctionsRequest, context: grpc.ServicerContext
    ) -> Iterator[function_service_pb2.ListFunctionsResponse]:
        for token in ("1", "2", "3"):
            yield function_service_pb2.ListFunctionsResponse(next_page_token=token)
        context.abort_with_status(rpc_status.to_status(_not_found(request.master_region)))

    handler = grpc.method_handlers_generic_handler(
        "lambdad.test.Pages",
        {
            "Stream": grpc.unary_stream_rpc_method_handler(
                stream,
                request_deserializer=function_service_pb2.ListFunctionsRequest.FromString,
                response_serializer=function_service_pb2.ListFunctionsResponse.SerializeToString,
            )
        },
    )
    return serve(_adding(handler))


def test_sync_stream_yields_then_raises_typed_error(stream_target: str) -> None:
    request = function_service_pb2.ListFunctionsRequest(master_region="gone")
    tokens = []
    with LambdadClient.connect(stream_target) as client, pytest.raises(FunctionNotFoundError):
        for page in client._stream(
            STREAM_PATH, request, function_service_pb2.ListFunctionsResponse, 10, None
        ):
            tokens.append(page.next_page_token)
    assert tokens == ["1", "2", "3"]


@pytest.mark.asyncio
async def test_async_stream_yields_then_raises_typed_error(stream_target: str) -> None:
    request = function_service_pb2.ListFunctionsRequest(master_region="gone")
    tokens = []
    async with AsyncLambdadClient.connect(stream_target) as client:
        stream: AsyncIterator[function_service_pb2.ListFunctionsResponse] = client._stream(
            STREAM_PATH, request, function_service_pb2.ListFunctionsResponse, 10, None
        )
        with pytest.raises(FunctionNotFoundError):
            async for page in stream:
                tokens.append(page.next_page_token)
    assert tokens == ["1", "2", "3"]


# --- CLI -----------------------------------------------------------------------------------


def test_cli_get_prints_aws_shaped_json(
    target: str, fake: FakeFunctionService, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(["--target", target, "--json", "functions", "get", "alpha", "--qualifier", "3"]) == 0
    )
    printed = json.loads(capsys.readouterr().out)
    assert printed["Configuration"]["FunctionName"] == "alpha"
    assert printed["Configuration"]["Version"] == "3"
    assert printed["Tags"] == {"team": "lambdad"}


def test_cli_list_follows_every_page(
    target: str, fake: FakeFunctionService, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--target", target, "--json", "functions", "list", "--all-versions"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert [f["FunctionName"] for f in printed["Functions"]] == ["alpha", "beta", "gamma"]
    assert [call.request.page_token for call in fake.calls] == ["", "2"]
    assert {call.request.function_version for call in fake.calls} == {"ALL"}


def test_cli_delete_removes_the_function_and_sends_request_id(
    target: str, fake: FakeFunctionService, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--target", target, "--request-id", "cli-1", "--json", "functions", "delete", "beta"]
    assert main(argv) == 0
    assert json.loads(capsys.readouterr().out) == {}
    assert set(fake.functions) == {"alpha", "gamma"}
    assert fake.calls[0].request_id == "cli-1"


def test_cli_error_prints_reason_and_message(
    target: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--target", target, "functions", "get", "nope"]) == 1
    captured = capsys.readouterr()
    arn = _function("nope").function_arn
    assert captured.err == f"FUNCTION_NOT_FOUND: Function not found: {arn}\n"
    assert captured.out == ""


def test_cli_target_defaults_to_environment(
    target: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(TARGET_ENV, target)
    assert main(["--json", "functions", "get", "gamma"]) == 0
    assert json.loads(capsys.readouterr().out)["Configuration"]["FunctionName"] == "gamma"


def test_cli_unreachable_daemon_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--target", _closed_port_target(), "functions", "list"]) == 1
    assert capsys.readouterr().err.startswith("UNAVAILABLE: ")


def test_cli_requires_a_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["functions"])
    assert exited.value.code == 2
