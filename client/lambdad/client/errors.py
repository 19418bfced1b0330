"""Errors raised by the lambdad clients: one type per `google.rpc.ErrorInfo` reason.

The daemon reports every failure as a `google.rpc.Status` whose details hold an `ErrorInfo`
with a stable UPPER_SNAKE reason. `error_from_rpc` is the one place that turns a
`grpc.RpcError` into the matching `LambdadError` subclass, so callers catch
`FunctionNotFoundError` (or `NotFoundError` for any missing resource) instead of comparing
status codes and strings. The classes are generated from the error contract
(`lambdad.client.contract.ERRORS`) into `errors_generated.py`.
"""

from typing import cast

import grpc
from google.protobuf.message import DecodeError
from google.rpc import error_details_pb2, status_pb2
from grpc_status import rpc_status

from lambdad.client.error_base import ConflictError, LambdadError, NotFoundError
from lambdad.client.errors_generated import (
    ERROR_TYPES,
    AccessDeniedError,
    AliasAlreadyExistsError,
    AliasNotFoundError,
    CallbackTimeoutError,
    CodeSigningConfigNotFoundError,
    CodeStorageExceededError,
    CodeVerificationFailedError,
    DurableExecutionAlreadyStartedError,
    FunctionAlreadyExistsError,
    FunctionNotFoundError,
    InvalidParameterValueError,
    InvalidRequestContentError,
    InvalidRequestError,
    LogInvalidParameterError,
    LogResourceNotFoundError,
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
)

__all__ = [
    "AccessDeniedError",
    "AliasAlreadyExistsError",
    "AliasNotFoundError",
    "CallbackTimeoutError",
    "CodeSigningConfigNotFoundError",
    "CodeStorageExceededError",
    "CodeVerificationFailedError",
    "ConflictError",
    "DurableExecutionAlreadyStartedError",
    "FunctionAlreadyExistsError",
    "FunctionNotFoundError",
    "InvalidParameterValueError",
    "InvalidRequestContentError",
    "InvalidRequestError",
    "LambdadError",
    "LogInvalidParameterError",
    "LogResourceNotFoundError",
    "NotFoundError",
    "ProvisionedConcurrencyConfigNotFoundError",
    "RecursiveInvocationError",
    "RequestTooLargeError",
    "ResourceConflictError",
    "ResourceInUseError",
    "ResourceNotFoundError",
    "RevisionIdMismatchError",
    "ServiceError",
    "TooManyRequestsError",
    "UnauthenticatedError",
    "ValidationError",
    "error_from_rpc",
]


def error_from_rpc(exc: grpc.RpcError) -> LambdadError:
    """Translate a failed RPC (sync or asyncio) into the matching `LambdadError`.

    The class is chosen by the reason of the first `google.rpc.ErrorInfo` in the
    `google.rpc.Status` carried in the trailing metadata. A reason this client does not know
    gives a plain `LambdadError` that keeps the reason (so a newer daemon's errors stay
    readable); no Status or no ErrorInfo gives a plain `LambdadError` whose reason is the gRPC
    code's name (``UNAVAILABLE``, ``DEADLINE_EXCEEDED``, ... or ``UNKNOWN``).
    """
    code = _code_of(exc)
    status = _status_of(exc)
    if status is None:
        return LambdadError(_details_of(exc) or code.name, reason=code.name, code=code)
    info = _error_info_of(status)
    if info is None:
        return LambdadError(status.message or code.name, reason=code.name, code=code)
    error_type = ERROR_TYPES.get(info.reason, LambdadError)
    return error_type(status.message, reason=info.reason, code=code, metadata=info.metadata)


def _code_of(exc: grpc.RpcError) -> grpc.StatusCode:
    # A bare grpc.RpcError (raised by some interceptors) is not a grpc.Call and has no code().
    code = getattr(exc, "code", None)
    value = code() if callable(code) else None
    return value if isinstance(value, grpc.StatusCode) else grpc.StatusCode.UNKNOWN


def _details_of(exc: grpc.RpcError) -> str:
    details = getattr(exc, "details", None)
    value = details() if callable(details) else None
    return value if isinstance(value, str) else ""


def _status_of(exc: grpc.RpcError) -> status_pb2.Status | None:
    # rpc_status.from_call reads only code(), details() and trailing_metadata(), which both
    # grpc's sync errors and grpc.aio.AioRpcError provide synchronously. It raises ValueError
    # when the Status contradicts the call's own code or message; such a Status is not trusted.
    try:
        status = rpc_status.from_call(cast(grpc.Call, exc))
    except (AttributeError, TypeError, ValueError, DecodeError):
        return None
    return status if isinstance(status, status_pb2.Status) else None


def _error_info_of(status: status_pb2.Status) -> error_details_pb2.ErrorInfo | None:
    for detail in status.details:
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            if detail.Unpack(info):
                return info
    return None
