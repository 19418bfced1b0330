"""The bases of the client's exceptions; one subclass per error reason is generated from the
contract into `errors_generated.py`."""

from collections.abc import Mapping
from typing import ClassVar

import grpc

__all__ = ["ConflictError", "LambdadError", "NotFoundError"]


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
