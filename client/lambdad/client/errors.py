"""Errors raised by the lambdad clients: one type per `google.rpc.ErrorInfo` reason.

The daemon reports every failure as a `google.rpc.Status` whose details hold an `ErrorInfo`
with a stable UPPER_SNAKE reason. `error_from_rpc` is the one place that turns a
`grpc.RpcError` into the matching `LambdadError` subclass, so callers catch
`FunctionNotFoundError` (or `NotFoundError` for any missing resource) instead of comparing
status codes and strings.
"""

from collections.abc import Mapping
from types import MappingProxyType
from typing import ClassVar, Final, cast

import grpc
from google.protobuf.message import DecodeError
from google.rpc import error_details_pb2, status_pb2
from grpc_status import rpc_status

__all__ = [
    "AccessDeniedError",
    "AliasAlreadyExistsError",
    "AliasNotFoundError",
    "CodeStorageExceededError",
    "ConflictError",
    "FunctionAlreadyExistsError",
    "FunctionNotFoundError",
    "InvalidParameterValueError",
    "InvalidRequestContentError",
    "InvalidRequestError",
    "LambdadError",
    "NotFoundError",
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


class LambdadError(Exception):
    """A failed lambdad RPC.

    Attributes:
        reason: the `ErrorInfo` reason (e.g. ``FUNCTION_NOT_FOUND``); for an error the daemon
            did not describe (transport failures, deadlines) the gRPC code's name, such as
            ``UNAVAILABLE`` or ``DEADLINE_EXCEEDED``.
        message: the human-readable message; for daemon errors, the one AWS Lambda gives.
        code: the gRPC status code.
        metadata: the `ErrorInfo` metadata (e.g. the function's ARN); empty if there was none.
    """

    #: The reason this class stands for; subclasses override it.
    REASON: ClassVar[str] = "UNKNOWN"

    def __init__(
        self,
        message: str,
        *,
        reason: str | None = None,
        code: grpc.StatusCode = grpc.StatusCode.UNKNOWN,
        metadata: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason if reason is not None else self.REASON
        self.code = code
        self.metadata: dict[str, str] = dict(metadata or {})

    def __str__(self) -> str:
        return f"{self.reason}: {self.message}"


class NotFoundError(LambdadError):
    """Base of the errors for a function, alias or other resource that does not exist."""


class ConflictError(LambdadError):
    """Base of the errors for a resource that already exists or is busy with another change."""


class ValidationError(LambdadError):
    """The request failed validation (AWS's ValidationException)."""

    REASON = "VALIDATION"


class InvalidParameterValueError(LambdadError):
    """A request parameter has an invalid value (InvalidParameterValueException)."""

    REASON = "INVALID_PARAMETER_VALUE"


class InvalidRequestError(LambdadError):
    """X-Ray refused the request's input (InvalidRequestException)."""

    REASON = "INVALID_REQUEST"


class InvalidRequestContentError(LambdadError):
    """The request body could not be parsed (InvalidRequestContentException)."""

    REASON = "INVALID_REQUEST_CONTENT"


class FunctionNotFoundError(NotFoundError):
    """The function, or the requested version of it, does not exist."""

    REASON = "FUNCTION_NOT_FOUND"


class AliasNotFoundError(NotFoundError):
    """The alias does not exist."""

    REASON = "ALIAS_NOT_FOUND"


class ResourceNotFoundError(NotFoundError):
    """Another resource (layer version, URL config, event source mapping...) does not exist."""

    REASON = "RESOURCE_NOT_FOUND"


class FunctionAlreadyExistsError(ConflictError):
    """A function with this name already exists."""

    REASON = "FUNCTION_ALREADY_EXISTS"


class AliasAlreadyExistsError(ConflictError):
    """An alias with this name already exists."""

    REASON = "ALIAS_ALREADY_EXISTS"


class ResourceConflictError(ConflictError):
    """The resource already exists or another operation on it is in progress."""

    REASON = "RESOURCE_CONFLICT"


class ResourceInUseError(LambdadError):
    """The resource is in a transitional state (ResourceInUseException), e.g. an event source
    mapping that is being created, updated or deleted; retry when it has settled."""

    REASON = "RESOURCE_IN_USE"


class RevisionIdMismatchError(LambdadError):
    """The given revision ID no longer matches (AWS's PreconditionFailedException).

    Deliberately not a `ConflictError`: AWS reports it as a failed precondition (HTTP 412), not
    as a conflict (409), and the fix differs: re-read the resource, then retry.
    """

    REASON = "REVISION_ID_MISMATCH"


class RequestTooLargeError(LambdadError):
    """The request payload exceeds the size limit (RequestTooLargeException)."""

    REASON = "REQUEST_TOO_LARGE"


class AccessDeniedError(LambdadError):
    """The caller may not perform the operation (AccessDeniedException)."""

    REASON = "ACCESS_DENIED"


class TooManyRequestsError(LambdadError):
    """A rate or concurrency limit was hit (TooManyRequestsException)."""

    REASON = "TOO_MANY_REQUESTS"


class CodeStorageExceededError(LambdadError):
    """The code storage limit was exceeded (CodeStorageExceededException)."""

    REASON = "CODE_STORAGE_EXCEEDED"


class ServiceError(LambdadError):
    """The daemon failed internally (ServiceException)."""

    REASON = "SERVICE"


class UnauthenticatedError(LambdadError):
    """The daemon requires a bearer token and the call had none or a wrong one."""

    REASON = "UNAUTHENTICATED"


_BY_REASON: Final[Mapping[str, type[LambdadError]]] = MappingProxyType(
    {
        cls.REASON: cls
        for cls in (
            ValidationError,
            InvalidParameterValueError,
            InvalidRequestContentError,
            InvalidRequestError,
            FunctionNotFoundError,
            AliasNotFoundError,
            ResourceNotFoundError,
            FunctionAlreadyExistsError,
            AliasAlreadyExistsError,
            ResourceConflictError,
            ResourceInUseError,
            RevisionIdMismatchError,
            RequestTooLargeError,
            AccessDeniedError,
            TooManyRequestsError,
            CodeStorageExceededError,
            ServiceError,
            UnauthenticatedError,
        )
    }
)


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
    error_type = _BY_REASON.get(info.reason, LambdadError)
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
