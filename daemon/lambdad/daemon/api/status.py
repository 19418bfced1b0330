"""The one mapping from domain errors to gRPC statuses (google.rpc.Status + ErrorInfo)."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any, TypeVar

import grpc
import structlog
from google.protobuf import any_pb2
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


def _bind_context(name: str, context: grpc.aio.ServicerContext) -> None:
    bound = structlog.contextvars.get_contextvars()
    if not bound.get("request_id"):
        # Not behind the guard (a bare server in a test): take the caller's id ourselves.
        metadata = dict(context.invocation_metadata() or ())
        structlog.contextvars.bind_contextvars(request_id=metadata.get(REQUEST_ID_HEADER, ""))
    structlog.contextvars.bind_contextvars(rpc=name)
