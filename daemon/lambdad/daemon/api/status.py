"""The one mapping from domain errors to gRPC statuses (google.rpc.Status + ErrorInfo)."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import grpc
import structlog
from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

from lambdad.daemon.errors import LambdaError, Reason

log = structlog.get_logger(__name__)

ERROR_DOMAIN = "lambdad.dev"

GRPC_CODES: dict[Reason, int] = {
    Reason.VALIDATION: code_pb2.INVALID_ARGUMENT,
    Reason.INVALID_PARAMETER_VALUE: code_pb2.INVALID_ARGUMENT,
    Reason.INVALID_REQUEST_CONTENT: code_pb2.INVALID_ARGUMENT,
    Reason.INVALID_REQUEST: code_pb2.INVALID_ARGUMENT,
    Reason.FUNCTION_NOT_FOUND: code_pb2.NOT_FOUND,
    Reason.ALIAS_NOT_FOUND: code_pb2.NOT_FOUND,
    Reason.RESOURCE_NOT_FOUND: code_pb2.NOT_FOUND,
    Reason.FUNCTION_ALREADY_EXISTS: code_pb2.ALREADY_EXISTS,
    Reason.ALIAS_ALREADY_EXISTS: code_pb2.ALREADY_EXISTS,
    Reason.RESOURCE_CONFLICT: code_pb2.ABORTED,
    Reason.RESOURCE_IN_USE: code_pb2.FAILED_PRECONDITION,
    Reason.REVISION_ID_MISMATCH: code_pb2.FAILED_PRECONDITION,
    Reason.REQUEST_TOO_LARGE: code_pb2.INVALID_ARGUMENT,
    Reason.ACCESS_DENIED: code_pb2.PERMISSION_DENIED,
    Reason.TOO_MANY_REQUESTS: code_pb2.RESOURCE_EXHAUSTED,
    Reason.CODE_STORAGE_EXCEEDED: code_pb2.RESOURCE_EXHAUSTED,
    Reason.SERVICE: code_pb2.INTERNAL,
    Reason.UNAUTHENTICATED: code_pb2.UNAUTHENTICATED,
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
        bound = structlog.contextvars.get_contextvars()
        if not bound.get("request_id"):
            # Not behind the guard (a bare server in a test): take the caller's id ourselves.
            metadata = dict(context.invocation_metadata() or ())
            structlog.contextvars.bind_contextvars(request_id=metadata.get("x-request-id", ""))
        structlog.contextvars.bind_contextvars(rpc=method.__name__)
        try:
            response = await method(self, request, context)
        except LambdaError as error:
            log.info("rpc failed", reason=error.reason.value, message=error.message)
            await context.abort_with_status(to_status(error))
        else:
            log.debug("rpc ok")
            return response

    return wrapper  # type: ignore[return-value]
