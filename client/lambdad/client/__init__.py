"""Typed Python clients for the lambdad gRPC API.

`LambdadClient` (blocking) and `AsyncLambdadClient` (asyncio) have one method per RPC; a
failed RPC raises a `LambdadError` subclass chosen by the daemon's error reason.
"""

from lambdad.client.client import AsyncLambdadClient, LambdadClient, tls_credentials
from lambdad.client.errors import (
    AccessDeniedError,
    AliasAlreadyExistsError,
    AliasNotFoundError,
    CodeStorageExceededError,
    ConflictError,
    FunctionAlreadyExistsError,
    FunctionNotFoundError,
    InvalidParameterValueError,
    InvalidRequestContentError,
    InvalidRequestError,
    LambdadError,
    NotFoundError,
    ProvisionedConcurrencyConfigNotFoundError,
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

__all__ = [
    "AccessDeniedError",
    "AliasAlreadyExistsError",
    "AliasNotFoundError",
    "AsyncLambdadClient",
    "CodeStorageExceededError",
    "ConflictError",
    "FunctionAlreadyExistsError",
    "FunctionNotFoundError",
    "InvalidParameterValueError",
    "InvalidRequestContentError",
    "InvalidRequestError",
    "LambdadClient",
    "LambdadError",
    "NotFoundError",
    "ProvisionedConcurrencyConfigNotFoundError",
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
    "tls_credentials",
]
