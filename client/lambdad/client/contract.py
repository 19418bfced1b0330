"""lambdad's wire contract, declared once: error reasons, limits and header names.

Every failure the daemon reports carries a stable UPPER_SNAKE reason (the gRPC `ErrorInfo`
reason). `ERRORS` says, per reason, everything the other layers need to know about it: the
gRPC status code the daemon sends, the AWS exception (name, HTTP status, message key) the
gateway answers with, and the client exception class that stands for it. The daemon's
`errors.Reason` and gRPC code table, the gateway's `AWS_ERRORS` and the client's exception
classes (generated from this table at ``buf generate`` time, see
``scripts/protoc-gen-lambdad-client``) are all derived from it.

Standard library only: the code generator loads this file by path, without installing
the package.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Final, Literal

__all__ = [
    "AUTHORIZATION_HEADER",
    "AWS_ERROR_TYPE_HEADER",
    "AWS_REQUEST_ID_HEADER",
    "ERRORS",
    "EVENT_PAYLOAD_MAX_BYTES",
    "REQUEST_ID_HEADER",
    "SERVICE_EXCEPTION",
    "SYNC_PAYLOAD_MAX_BYTES",
    "TRACE_HEADER",
    "AwsException",
    "ErrorContract",
    "Reason",
]


class Reason(StrEnum):
    """Stable error reasons; the contract between daemon, gateway and clients."""

    VALIDATION = "VALIDATION"
    INVALID_PARAMETER_VALUE = "INVALID_PARAMETER_VALUE"
    INVALID_REQUEST_CONTENT = "INVALID_REQUEST_CONTENT"
    # X-Ray's refusal of invalid input (its model has no ValidationException).
    INVALID_REQUEST = "INVALID_REQUEST"
    # CloudWatch Logs' refusal of invalid input, and its unknown log group or stream.
    LOG_INVALID_PARAMETER = "LOG_INVALID_PARAMETER"
    LOG_RESOURCE_NOT_FOUND = "LOG_RESOURCE_NOT_FOUND"
    FUNCTION_NOT_FOUND = "FUNCTION_NOT_FOUND"
    ALIAS_NOT_FOUND = "ALIAS_NOT_FOUND"
    RESOURCE_NOT_FOUND = "RESOURCE_NOT_FOUND"
    PROVISIONED_CONCURRENCY_CONFIG_NOT_FOUND = "PROVISIONED_CONCURRENCY_CONFIG_NOT_FOUND"
    CODE_SIGNING_CONFIG_NOT_FOUND = "CODE_SIGNING_CONFIG_NOT_FOUND"
    FUNCTION_ALREADY_EXISTS = "FUNCTION_ALREADY_EXISTS"
    ALIAS_ALREADY_EXISTS = "ALIAS_ALREADY_EXISTS"
    RESOURCE_CONFLICT = "RESOURCE_CONFLICT"
    RESOURCE_IN_USE = "RESOURCE_IN_USE"
    REVISION_ID_MISMATCH = "REVISION_ID_MISMATCH"
    REQUEST_TOO_LARGE = "REQUEST_TOO_LARGE"
    ACCESS_DENIED = "ACCESS_DENIED"
    TOO_MANY_REQUESTS = "TOO_MANY_REQUESTS"
    CODE_STORAGE_EXCEEDED = "CODE_STORAGE_EXCEEDED"
    CODE_VERIFICATION_FAILED = "CODE_VERIFICATION_FAILED"
    RECURSIVE_INVOCATION = "RECURSIVE_INVOCATION"
    SERVICE = "SERVICE"
    # Invoke of a durable function with an execution name already taken by another input.
    DURABLE_EXECUTION_ALREADY_STARTED = "DURABLE_EXECUTION_ALREADY_STARTED"
    # A callback that already timed out or was completed (durable executions).
    CALLBACK_TIMEOUT = "CALLBACK_TIMEOUT"
    # A gRPC caller without the daemon's bearer token; never reaches an AWS caller as such.
    UNAUTHENTICATED = "UNAUTHENTICATED"


@dataclass(frozen=True)
class AwsException:
    """How a failure looks on the AWS wire."""

    # Exception shape name, sent as x-amzn-ErrorType; SDKs raise the class of that name.
    name: str
    # HTTP status.
    status: int
    # Body key of the message; the model's casing differs per exception.
    message_key: Literal["message", "Message"]
    # Whether botocore's Lambda model declares it; AWS sends a few it does not (lambda-spec
    # §2.1), which SDKs surface as a generic ClientError.
    modelled: bool = True
    # The botocore service model that declares it, when not Lambda's (`logs`: CloudWatch
    # Logs, whose client errors are all status 400).
    service: str = "lambda"

    @property
    def fault(self) -> Literal["User", "Service"]:
        """AWS's `Type`: who is to blame (botocore's `senderFault`)."""
        return "User" if self.status < 500 else "Service"


# What the gateway answers for a daemon fault, an unknown reason or an unreachable daemon.
SERVICE_EXCEPTION: Final = AwsException("ServiceException", 500, "Message")


@dataclass(frozen=True)
class ErrorContract:
    """Everything about one error reason, on every wire."""

    reason: Reason
    # google.rpc.Code name the daemon sends (the value of grpc.StatusCode of that name).
    grpc_code: str
    # The AWS exception the gateway answers with (lambda-spec §2.2, §2.3).
    aws: AwsException
    # The client exception class (generated into lambdad.client.errors_generated).
    client_class: str
    # Its base: LambdadError, or the family a caller may catch at once.
    client_base: Literal["LambdadError", "NotFoundError", "ConflictError"]
    # The class's docstring.
    doc: str


def _row(
    reason: Reason,
    grpc_code: str,
    aws: AwsException,
    client_class: str,
    doc: str,
    client_base: Literal["LambdadError", "NotFoundError", "ConflictError"] = "LambdadError",
) -> tuple[Reason, ErrorContract]:
    return reason, ErrorContract(reason, grpc_code, aws, client_class, client_base, doc)


_NOT_FOUND = AwsException("ResourceNotFoundException", 404, "Message")
_CONFLICT = AwsException("ResourceConflictException", 409, "message")

#: The error contract: one row per reason, in `Reason`'s order.
ERRORS: Final[Mapping[Reason, ErrorContract]] = MappingProxyType(
    dict(
        [
            _row(
                Reason.VALIDATION,
                "INVALID_ARGUMENT",
                AwsException("ValidationException", 400, "message", modelled=False),
                "ValidationError",
                "The request failed validation (AWS's ValidationException).",
            ),
            _row(
                Reason.INVALID_PARAMETER_VALUE,
                "INVALID_ARGUMENT",
                AwsException("InvalidParameterValueException", 400, "message"),
                "InvalidParameterValueError",
                "A request parameter has an invalid value (InvalidParameterValueException).",
            ),
            _row(
                Reason.INVALID_REQUEST_CONTENT,
                "INVALID_ARGUMENT",
                AwsException("InvalidRequestContentException", 400, "message"),
                "InvalidRequestContentError",
                "The request body could not be parsed (InvalidRequestContentException).",
            ),
            _row(
                Reason.INVALID_REQUEST,
                "INVALID_ARGUMENT",
                # X-Ray refuses invalid input (a FilterExpression it cannot read, a foreign
                # NextToken) so.
                AwsException("InvalidRequestException", 400, "Message", modelled=False),
                "InvalidRequestError",
                "X-Ray refused the request's input (InvalidRequestException).",
            ),
            _row(
                Reason.LOG_INVALID_PARAMETER,
                "INVALID_ARGUMENT",
                # CloudWatch Logs (JSON 1.1) answers every client error with status 400.
                AwsException("InvalidParameterException", 400, "message", service="logs"),
                "LogInvalidParameterError",
                "CloudWatch Logs refused a parameter (InvalidParameterException).",
            ),
            _row(
                Reason.LOG_RESOURCE_NOT_FOUND,
                "NOT_FOUND",
                AwsException("ResourceNotFoundException", 400, "message", service="logs"),
                "LogResourceNotFoundError",
                "The log group or log stream does not exist (CloudWatch Logs).",
                "NotFoundError",
            ),
            _row(
                Reason.FUNCTION_NOT_FOUND,
                "NOT_FOUND",
                _NOT_FOUND,
                "FunctionNotFoundError",
                "The function, or the requested version of it, does not exist.",
                "NotFoundError",
            ),
            _row(
                Reason.ALIAS_NOT_FOUND,
                "NOT_FOUND",
                _NOT_FOUND,
                "AliasNotFoundError",
                "The alias does not exist.",
                "NotFoundError",
            ),
            _row(
                Reason.RESOURCE_NOT_FOUND,
                "NOT_FOUND",
                _NOT_FOUND,
                "ResourceNotFoundError",
                "Another resource (layer version, URL config, event source mapping...) does "
                "not exist.",
                "NotFoundError",
            ),
            _row(
                Reason.PROVISIONED_CONCURRENCY_CONFIG_NOT_FOUND,
                "NOT_FOUND",
                AwsException("ProvisionedConcurrencyConfigNotFoundException", 404, "message"),
                "ProvisionedConcurrencyConfigNotFoundError",
                "The version or alias has no provisioned concurrency configuration.",
                "NotFoundError",
            ),
            _row(
                Reason.CODE_SIGNING_CONFIG_NOT_FOUND,
                "NOT_FOUND",
                AwsException("CodeSigningConfigNotFoundException", 404, "Message"),
                "CodeSigningConfigNotFoundError",
                "The code signing configuration a function names does not exist.",
                "NotFoundError",
            ),
            _row(
                Reason.FUNCTION_ALREADY_EXISTS,
                "ALREADY_EXISTS",
                _CONFLICT,
                "FunctionAlreadyExistsError",
                "A function with this name already exists.",
                "ConflictError",
            ),
            _row(
                Reason.ALIAS_ALREADY_EXISTS,
                "ALREADY_EXISTS",
                _CONFLICT,
                "AliasAlreadyExistsError",
                "An alias with this name already exists.",
                "ConflictError",
            ),
            _row(
                Reason.RESOURCE_CONFLICT,
                "ABORTED",
                _CONFLICT,
                "ResourceConflictError",
                "The resource already exists or another operation on it is in progress.",
                "ConflictError",
            ),
            _row(
                Reason.RESOURCE_IN_USE,
                "FAILED_PRECONDITION",
                AwsException("ResourceInUseException", 400, "Message"),
                "ResourceInUseError",
                "The resource is in a transitional state (ResourceInUseException), e.g. an "
                "event source mapping that is being created, updated or deleted; retry when it "
                "has settled.",
            ),
            _row(
                Reason.REVISION_ID_MISMATCH,
                "FAILED_PRECONDITION",
                AwsException("PreconditionFailedException", 412, "message"),
                "RevisionIdMismatchError",
                # Deliberately not a ConflictError: AWS reports a failed precondition (412),
                # not a conflict (409), and the fix differs.
                "The given revision ID no longer matches (AWS's PreconditionFailedException); "
                "re-read the resource, then retry.",
            ),
            _row(
                Reason.REQUEST_TOO_LARGE,
                "INVALID_ARGUMENT",
                AwsException("RequestEntityTooLargeException", 413, "message", modelled=False),
                "RequestTooLargeError",
                "The request payload exceeds the size limit (RequestTooLargeException).",
            ),
            _row(
                Reason.ACCESS_DENIED,
                "PERMISSION_DENIED",
                AwsException("AccessDeniedException", 403, "Message", modelled=False),
                "AccessDeniedError",
                "The caller may not perform the operation (AccessDeniedException).",
            ),
            _row(
                Reason.TOO_MANY_REQUESTS,
                "RESOURCE_EXHAUSTED",
                AwsException("TooManyRequestsException", 429, "message"),
                "TooManyRequestsError",
                "A rate or concurrency limit was hit (TooManyRequestsException).",
            ),
            _row(
                Reason.CODE_STORAGE_EXCEEDED,
                "RESOURCE_EXHAUSTED",
                AwsException("CodeStorageExceededException", 400, "message"),
                "CodeStorageExceededError",
                "The code storage limit was exceeded (CodeStorageExceededException).",
            ),
            _row(
                Reason.CODE_VERIFICATION_FAILED,
                "FAILED_PRECONDITION",
                AwsException("CodeVerificationFailedException", 400, "Message"),
                "CodeVerificationFailedError",
                "The code is not signed by a publisher its code signing configuration allows, "
                "and the configuration enforces it (CodeVerificationFailedException).",
            ),
            _row(
                Reason.RECURSIVE_INVOCATION,
                "FAILED_PRECONDITION",
                AwsException("RecursiveInvocationException", 400, "Message"),
                "RecursiveInvocationError",
                "The invocation was stopped as part of a recursive loop "
                "(RecursiveInvocationException).",
            ),
            _row(
                Reason.SERVICE,
                "INTERNAL",
                SERVICE_EXCEPTION,
                "ServiceError",
                "The daemon failed internally (ServiceException).",
            ),
            _row(
                Reason.DURABLE_EXECUTION_ALREADY_STARTED,
                "ALREADY_EXISTS",
                AwsException("DurableExecutionAlreadyStartedException", 409, "Message"),
                "DurableExecutionAlreadyStartedError",
                "A durable execution of this name was already started with another input.",
                "ConflictError",
            ),
            _row(
                Reason.CALLBACK_TIMEOUT,
                "FAILED_PRECONDITION",
                AwsException("CallbackTimeoutException", 400, "Message"),
                "CallbackTimeoutError",
                "The durable execution callback timed out or is already closed.",
            ),
            _row(
                Reason.UNAUTHENTICATED,
                "UNAUTHENTICATED",
                # The daemon refused the gateway's own token: a service misconfiguration, not
                # the caller's fault.
                SERVICE_EXCEPTION,
                "UnauthenticatedError",
                "The daemon requires a bearer token and the call had none or a wrong one.",
            ),
        ]
    )
)

# ---------------------------------------------------------------------------------------
# Limits (lambda-spec: payload quotas)

#: AWS's payload limit of a synchronous invocation (RequestResponse, streamed, function URL).
SYNC_PAYLOAD_MAX_BYTES: Final = 6_291_456  # 6 MiB
#: AWS's payload limit of an asynchronous (Event) invocation.
EVENT_PAYLOAD_MAX_BYTES: Final = 1_048_576  # 1 MiB

# ---------------------------------------------------------------------------------------
# gRPC metadata names

#: Header carrying the caller's request ID; the daemon binds it to its logs and takes it as
#: the invocation's id.
REQUEST_ID_HEADER: Final = "x-request-id"
#: Header carrying ``Bearer <token>`` when the daemon requires a token.
AUTHORIZATION_HEADER: Final = "authorization"

# ---------------------------------------------------------------------------------------
# AWS HTTP header names (the gateway's side of the wire)

#: The request id of every AWS answer; a caller may also send one to name an invocation.
AWS_REQUEST_ID_HEADER: Final = "x-amzn-RequestId"
#: The AWS exception name of an error answer (`AwsException.name`).
AWS_ERROR_TYPE_HEADER: Final = "x-amzn-ErrorType"
#: The X-Ray trace header callers send (API Gateway, SDKs, function URL clients).
TRACE_HEADER: Final = "X-Amzn-Trace-Id"
