"""Domain errors.

Every failure the daemon reports to a caller is a `LambdaError` carrying a
stable `reason` (UPPER_SNAKE, sent as the gRPC ErrorInfo reason) and the exact
message AWS Lambda gives in the same situation. `api/status.py` maps reasons to
gRPC codes; the gateway maps them to AWS exception names and HTTP statuses.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum


class Reason(StrEnum):
    """Stable error reasons; the contract between daemon, gateway and clients."""

    VALIDATION = "VALIDATION"
    INVALID_PARAMETER_VALUE = "INVALID_PARAMETER_VALUE"
    INVALID_REQUEST_CONTENT = "INVALID_REQUEST_CONTENT"
    # X-Ray's refusal of invalid input (its model has no ValidationException).
    INVALID_REQUEST = "INVALID_REQUEST"
    FUNCTION_NOT_FOUND = "FUNCTION_NOT_FOUND"
    ALIAS_NOT_FOUND = "ALIAS_NOT_FOUND"
    RESOURCE_NOT_FOUND = "RESOURCE_NOT_FOUND"
    FUNCTION_ALREADY_EXISTS = "FUNCTION_ALREADY_EXISTS"
    ALIAS_ALREADY_EXISTS = "ALIAS_ALREADY_EXISTS"
    RESOURCE_CONFLICT = "RESOURCE_CONFLICT"
    RESOURCE_IN_USE = "RESOURCE_IN_USE"
    REVISION_ID_MISMATCH = "REVISION_ID_MISMATCH"
    REQUEST_TOO_LARGE = "REQUEST_TOO_LARGE"
    ACCESS_DENIED = "ACCESS_DENIED"
    TOO_MANY_REQUESTS = "TOO_MANY_REQUESTS"
    CODE_STORAGE_EXCEEDED = "CODE_STORAGE_EXCEEDED"
    SERVICE = "SERVICE"
    # A gRPC caller without the daemon's bearer token; never reaches an AWS caller as such.
    UNAUTHENTICATED = "UNAUTHENTICATED"


class LambdaError(Exception):
    """A failure with a stable reason and AWS's message for it."""

    def __init__(
        self, reason: Reason, message: str, metadata: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.metadata = dict(metadata or {})

    def __repr__(self) -> str:
        return f"LambdaError({self.reason.value}, {self.message!r})"


def validation_error(value: object, field: str, constraint: str) -> LambdaError:
    """AWS's `1 validation error detected: ...` ValidationException."""
    return LambdaError(Reason.VALIDATION, validation_message(value, field, constraint))


def validation_message(value: object, field: str, constraint: str) -> str:
    """The message of a single constraint violation, in AWS's words."""
    shown = "null" if value is None else f"'{value}'"
    return (
        f"1 validation error detected: Value {shown} at '{field}' failed to satisfy "
        f"constraint: {constraint}"
    )


def invalid_parameter(message: str) -> LambdaError:
    """An InvalidParameterValueException."""
    return LambdaError(Reason.INVALID_PARAMETER_VALUE, message)
