"""The one mapping from domain errors to gRPC statuses (google.rpc.Status + ErrorInfo), and
the `rpc` wrapper every servicer method goes through.

A servicer writes an RPC out as an `@rpc` method when it has logic of its own; RPCs of the
common shape (request -> one service call -> response) are rows of a table instead, installed
by `unary_table` as the same `@rpc` methods (see api/durable.py, api/logs.py,
api/event_sources.py).
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import grpc
import structlog
from google.protobuf import any_pb2
from google.protobuf.message import Message
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

from lambdad.client.contract import ERRORS, REQUEST_ID_HEADER
from lambdad.daemon.errors import LambdaError, Reason

log = structlog.get_logger(__name__)

ERROR_DOMAIN = "lambdad.dev"

# The daemon's gRPC code per reason, from the one contract table.
GRPC_CODES: Mapping[Reason, int] = {
    reason: code_pb2.Code.Value(row.grpc_code) for reason, row in ERRORS.items()
}


def to_status(error: LambdaError) -> grpc.Status:
    """A gRPC status whose details carry the reason as an ErrorInfo."""
    info = error_details_pb2.ErrorInfo(
        reason=error.reason.value, domain=ERROR_DOMAIN, metadata=error.metadata
    )
    detail = any_pb2.Any()
    detail.Pack(info)
    status = status_pb2.Status(
        code=GRPC_CODES.get(error.reason, code_pb2.UNKNOWN),
        message=error.message,
        details=[detail],
    )
    return rpc_status.to_status(status)


F = TypeVar("F", bound=Callable[..., Awaitable[Any]])


def rpc(method: F) -> F:
    """Wrap a servicer method: bind log context, map LambdaError, log one summary line.

    Unexpected exceptions are left to the fault guard (api/faults.py), which wraps every
    handler, streaming ones included, and answers them with a ServiceException.
    """

    @functools.wraps(method)
    async def wrapper(self: Any, request: Any, context: grpc.aio.ServicerContext) -> Any:
        _bind_context(method.__name__, context)
        try:
            response = await method(self, request, context)
        except LambdaError as error:
            log.info("rpc failed", reason=error.reason.value, message=error.message)
            await context.abort_with_status(to_status(error))
        else:
            log.debug("rpc ok")
            return response

    return wrapper  # type: ignore[return-value]


G = TypeVar("G", bound=Callable[..., AsyncIterator[Any]])


def rpc_stream(method: G) -> G:
    """`rpc` for server-streaming methods (async generators): the same log context, and a
    LambdaError raised before or between messages ends the call with its status."""

    @functools.wraps(method)
    async def wrapper(
        self: Any, request: Any, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[Any]:
        _bind_context(method.__name__, context)
        try:
            async for message in method(self, request, context):
                yield message
        except LambdaError as error:
            log.info("rpc failed", reason=error.reason.value, message=error.message)
            await context.abort_with_status(to_status(error))
        else:
            log.debug("rpc ok")

    return wrapper  # type: ignore[return-value]


S = TypeVar("S")
C = TypeVar("C", bound=type)


@dataclass(frozen=True)
class UnaryCall(Generic[S]):
    """A unary RPC of the common shape, as a table row: its request becomes one call of the
    service, and that call's answer becomes its response."""

    # (service, request) -> the service call; validation of the request goes here too.
    call: Callable[[S, Any], Awaitable[Any]]
    # (service, answer) -> the response message.
    respond: Callable[[S, Any], Message]


def unary_table(service: Callable[[Any], S], rows: Mapping[str, UnaryCall[S]]) -> Callable[[C], C]:
    """Class decorator: each row becomes the servicer's method of that RPC name, wrapped in
    `rpc` exactly as a written-out method is. `service` takes the servicer to the service
    the rows call. A row whose name is no RPC of the servicer's base class, or is also
    written out, is a mistake and fails at import."""

    def install(servicer: C) -> C:
        for name, row in rows.items():
            if name in vars(servicer) or not hasattr(servicer, name):
                raise TypeError(f"{servicer.__name__}.{name}: not an RPC, or written out too")
            method = _unary_method(name, service, row)
            method.__qualname__ = f"{servicer.__qualname__}.{name}"
            setattr(servicer, name, rpc(method))
        return servicer

    return install


def _unary_method(
    name: str, service: Callable[[Any], S], row: UnaryCall[S]
) -> Callable[..., Awaitable[Message]]:
    async def method(self: Any, request: Any, context: grpc.aio.ServicerContext) -> Message:
        target = service(self)
        return row.respond(target, await row.call(target, request))

    method.__name__ = name
    return method


def _bind_context(name: str, context: grpc.aio.ServicerContext) -> None:
    bound = structlog.contextvars.get_contextvars()
    if not bound.get("request_id"):
        # Not behind the guard (a bare server in a test): take the caller's id ourselves.
        metadata = dict(context.invocation_metadata() or ())
        structlog.contextvars.bind_contextvars(request_id=metadata.get(REQUEST_ID_HEADER, ""))
    structlog.contextvars.bind_contextvars(rpc=name)
