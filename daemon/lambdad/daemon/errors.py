"""Domain errors.

Every failure the daemon reports to a caller is a `LambdaError` carrying a
stable `reason` (UPPER_SNAKE, sent as the gRPC ErrorInfo reason) and the exact
message AWS Lambda gives in the same situation. The reasons, their gRPC codes and
their AWS exceptions are declared once, in `lambdad.client.contract`.
"""

from __future__ import annotations

from collections.abc import Mapping

from lambdad.client.contract import Reason

__all__ = [
    "LambdaError",
    "Reason",
    "invalid_parameter",
    "validation_error",
    "validation_message",
]


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
