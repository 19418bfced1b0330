"""Pure translation between the AWS Lambda REST shapes and the lambdad.v1 messages.

No I/O here: the functions take bytes, strings and messages and return messages, dicts and
`ErrorResponse`s, so every rule can be tested without a server.

The proto fields' `json_name`s are the AWS member names, so requests and responses are
translated by walking descriptors rather than by per-operation code.
"""

from __future__ import annotations

import base64
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NoReturn

from google.protobuf import json_format
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message
from google.rpc import error_details_pb2, status_pb2

from lambdad.daemon.errors import Reason
from lambdad.gateway.routes import Route

BODY_PARSE_PREFIX = "Could not parse request body into json: "

# Reason texts quote client input; keep them short so a huge value cannot make a huge error.
_MAX_REASON_CHARS = 200

# Fields that are preconditions rather than settings: sending them changes nothing, so they
# never appear in an update mask.
_PRECONDITION_FIELDS = frozenset({"revision_id"})

# Repeated fields AWS shows even when empty, beyond the lists of List* responses
# (CreateFunction answers `"Environment": {"Variables": {}}`).
_ALWAYS_EMITTED = frozenset({"lambdad.v1.EnvironmentResponse.variables"})

# Pagination tokens are plain strings in the proto, but AWS omits NextMarker on the last page.
_OMITTED_WHEN_EMPTY = frozenset({"next_page_token"})

_INT_RANGES = {
    FieldDescriptor.CPPTYPE_INT32: (-(2**31), 2**31 - 1),
    FieldDescriptor.CPPTYPE_INT64: (-(2**63), 2**63 - 1),
    FieldDescriptor.CPPTYPE_UINT32: (0, 2**32 - 1),
    FieldDescriptor.CPPTYPE_UINT64: (0, 2**64 - 1),
}
_FLOAT_TYPES = (FieldDescriptor.CPPTYPE_DOUBLE, FieldDescriptor.CPPTYPE_FLOAT)
# Deliberately ASCII only: str.isdigit and int() also accept other scripts' digits.
_INTEGER_TEXT = re.compile(r"[+-]?[0-9]{1,40}")


class RequestError(Exception):
    """A request the gateway answers with an error without calling the daemon."""

    def __init__(self, reason: Reason, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


# ---------------------------------------------------------------------------------------
# Requests


def request_to_message(
    route: Route,
    path_params: Mapping[str, str],
    query: Mapping[str, Sequence[str]],
    body: bytes,
) -> Message:
    """Build the gRPC request of `route` from a REST request.

    `path_params` are already URL-decoded; `query` maps each query parameter name to all
    its values in order. The body is only read when the route takes one. For routes with
    `mask_from_body`, `update_mask` lists the fields whose members were in the body with a
    non-null value, which is how the daemon tells "absent" from "empty".

    Raises RequestError: InvalidRequestContentException for a body that is not a JSON object
    matching the request, ValidationException for path or query values of the wrong type.
    """
    descriptor = route.request_type.DESCRIPTOR
    by_json_name = {f.json_name: f for f in descriptor.fields}
    merged: dict[str, Any] = {}
    mask_paths: list[str] = []

    if route.has_body:
        bound_elsewhere = set(route.path_params) | set(route.query.values())
        for key, value in _parse_body(body).items():
            fd = by_json_name.get(key)
            if fd is None or key in bound_elsewhere or _is_update_mask(fd):
                _bad_body(f"Unrecognized field {_quote(key)}")
            _check_json(value, fd, key)
            if value is None:
                # AWS treats an explicit null like an absent member.
                continue
            merged[key] = value
            if route.mask_from_body and fd.name not in _PRECONDITION_FIELDS:
                mask_paths.append(fd.name)

    for name, json_name in route.query.items():
        values = query.get(name)
        if values:
            merged[json_name] = _from_text(by_json_name[json_name], values, name)
    for json_name, text in path_params.items():
        merged[json_name] = _from_text(by_json_name[json_name], [text], json_name)

    try:
        message = json_format.ParseDict(merged, route.request_type())
    except (json_format.ParseError, ValueError, TypeError) as exc:
        # _check_json catches what it can with clearer words; this is for what only the
        # converter knows (bad base64, for one).
        _bad_body(_short(str(exc)))
    if route.mask_from_body:
        getattr(message, "update_mask").paths.extend(mask_paths)
    return message


def request_too_large(operation: str, limit: int) -> RequestError:
    """AWS's RequestEntityTooLargeException for a request over `limit` bytes."""
    return RequestError(
        Reason.REQUEST_TOO_LARGE,
        f"Request must be smaller than {limit} bytes for the {operation} operation",
    )


def _parse_body(body: bytes) -> dict[str, Any]:
    # SDKs send no body at all when no body member is set.
    if not body.strip():
        return {}
    try:
        document = json.loads(body, parse_constant=_reject_constant)
    except RecursionError:
        _bad_body("nesting too deep")
    except ValueError as exc:  # includes JSONDecodeError and UnicodeDecodeError
        _bad_body(_short(str(exc)))
    if not isinstance(document, dict):
        _bad_body(f"expected a JSON object, got {_json_kind(document)}")
    return document


def _reject_constant(name: str) -> NoReturn:
    # Python's json accepts NaN and Infinity; JSON does not.
    raise ValueError(f"invalid literal {name}")


def _check_json(value: Any, fd: FieldDescriptor, where: str) -> None:
    """Check that `value` has the JSON type of field `fd`, strictly.

    ParseDict is lenient in ways AWS is not (it takes "5" for an integer, [] for an object
    and proto field names as keys), and its errors name proto types; this walk rejects
    such bodies with AWS member paths in the message.
    """
    if value is None:
        return
    if _is_map(fd):
        if not isinstance(value, dict):
            _wrong_type(where, "an object", value)
        value_fd = fd.message_type.fields_by_name["value"]
        for key, item in value.items():
            _check_string(key, f"{where} key")
            _check_single(item, value_fd, f"{where}.{key}")
    elif fd.is_repeated:
        if not isinstance(value, list):
            _wrong_type(where, "an array", value)
        for index, item in enumerate(value):
            _check_single(item, fd, f"{where}[{index}]")
    else:
        _check_single(value, fd, where)


def _check_single(value: Any, fd: FieldDescriptor, where: str) -> None:
    if value is None:
        _wrong_type(where, _expected(fd), value)
    cpp_type = fd.cpp_type
    if cpp_type == FieldDescriptor.CPPTYPE_MESSAGE:
        if fd.message_type.full_name.startswith("google.protobuf."):
            return  # well-known types have their own JSON forms; ParseDict checks them
        if not isinstance(value, dict):
            _wrong_type(where, "an object", value)
        _check_object(value, fd.message_type, where)
    elif cpp_type == FieldDescriptor.CPPTYPE_STRING:
        if not isinstance(value, str):
            _wrong_type(where, "a string", value)
        _check_string(value, where)
    elif cpp_type == FieldDescriptor.CPPTYPE_BOOL:
        if not isinstance(value, bool):
            _wrong_type(where, "a boolean", value)
    elif cpp_type in _INT_RANGES:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            _wrong_type(where, "an integer", value)
        low, high = _INT_RANGES[cpp_type]
        if not low <= value <= high:
            _bad_body(f"value of {_quote(where)} out of range")
    elif cpp_type in _FLOAT_TYPES:
        if isinstance(value, bool) or not isinstance(value, int | float):
            _wrong_type(where, "a number", value)
        if not _finite(value):
            _bad_body(f"value of {_quote(where)} out of range")
    elif cpp_type == FieldDescriptor.CPPTYPE_ENUM:
        if isinstance(value, bool) or not isinstance(value, str | int):
            _wrong_type(where, "an enum name", value)


def _check_object(value: dict[str, Any], descriptor: Descriptor, where: str) -> None:
    by_json_name = {f.json_name: f for f in descriptor.fields}
    for key, item in value.items():
        fd = by_json_name.get(key)
        path = f"{where}.{key}"
        if fd is None:
            _bad_body(f"Unrecognized field {_quote(path)}")
        _check_json(item, fd, path)


def _check_string(value: str, where: str) -> None:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        _bad_body(f"invalid unicode in {_quote(where)}")


def _finite(value: int | float) -> bool:
    try:
        return math.isfinite(float(value))
    except OverflowError:
        return False


def _from_text(fd: FieldDescriptor, values: Sequence[str], name: str) -> Any:
    """Convert path or query text to the JSON value of field `fd`."""
    converted = [_scalar_from_text(fd, text, name) for text in values]
    # A repeated parameter is sent once per value (`?tagKeys=a&tagKeys=b`); a singular one
    # sent twice takes its first value.
    return converted if fd.is_repeated else converted[0]


def _scalar_from_text(fd: FieldDescriptor, text: str, name: str) -> Any:
    cpp_type = fd.cpp_type
    if cpp_type == FieldDescriptor.CPPTYPE_STRING and fd.type != FieldDescriptor.TYPE_BYTES:
        return text
    if cpp_type == FieldDescriptor.CPPTYPE_BOOL and text in ("true", "false"):
        return text == "true"
    if cpp_type in _INT_RANGES:
        low, high = _INT_RANGES[cpp_type]
        if _INTEGER_TEXT.fullmatch(text) and low <= int(text) <= high:
            return int(text)
        constraint = "Member must be an integer"
    elif cpp_type in _FLOAT_TYPES:
        try:
            number_f = float(text)
        except ValueError:
            number_f = math.nan
        if math.isfinite(number_f):
            return number_f
        constraint = "Member must be a number"
    elif cpp_type == FieldDescriptor.CPPTYPE_BOOL:
        constraint = "Member must be true or false"
    else:
        # Route tables only bind strings, numbers and booleans to the URL; anything else
        # is a mistake in the table, caught by a unit test.
        raise TypeError(f"{fd.full_name} cannot be bound to a path or query parameter")
    shown = text if len(text) <= _MAX_REASON_CHARS else text[:_MAX_REASON_CHARS] + "..."
    raise RequestError(
        Reason.VALIDATION,
        f"1 validation error detected: Value '{shown}' at '{_lower_camel(name)}' failed to "
        f"satisfy constraint: {constraint}",
    )


def _bad_body(reason: str) -> NoReturn:
    raise RequestError(Reason.INVALID_REQUEST_CONTENT, BODY_PARSE_PREFIX + _short(reason))


def _wrong_type(where: str, expected: str, value: Any) -> NoReturn:
    _bad_body(f"expected {expected} for {_quote(where)}, got {_json_kind(value)}")


def _expected(fd: FieldDescriptor) -> str:
    if fd.cpp_type == FieldDescriptor.CPPTYPE_MESSAGE:
        return "an object"
    if fd.cpp_type == FieldDescriptor.CPPTYPE_STRING:
        return "a string"
    if fd.cpp_type == FieldDescriptor.CPPTYPE_BOOL:
        return "a boolean"
    return "a number"


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def _quote(text: str) -> str:
    return json.dumps(_short(text, 80))


def _short(text: str, limit: int = _MAX_REASON_CHARS) -> str:
    return text if len(text) <= limit else text[:limit] + "..."


def _lower_camel(name: str) -> str:
    # AWS names members in validation messages in lowerCamel ('maxItems', 'tagKeys').
    return name[:1].lower() + name[1:]


def _is_map(fd: FieldDescriptor) -> bool:
    return (
        fd.is_repeated
        and fd.message_type is not None
        and fd.message_type.GetOptions().map_entry
    )


def _is_update_mask(fd: FieldDescriptor) -> bool:
    return (
        fd.message_type is not None
        and fd.message_type.full_name == "google.protobuf.FieldMask"
    )


# ---------------------------------------------------------------------------------------
# Responses


def response_body(route: Route, response: Message) -> dict[str, Any] | None:
    """The AWS JSON body of a successful `route` call, or None for no body."""
    if route.empty_response:
        return None
    if route.response_field is not None:
        return message_to_aws(getattr(response, route.response_field))
    return message_to_aws(response)


def message_to_aws(message: Message) -> dict[str, Any]:
    """Render a message as AWS renders the same shape.

    Keys are json_names. Plain scalars are always present; `optional` scalars and
    sub-messages only when set; repeated and map fields only when non-empty, except the
    lists of List* responses and `Environment.Variables`, which AWS always shows. int64 are
    JSON numbers (unlike MessageToDict, which follows proto3 JSON and prints strings).
    """
    descriptor = message.DESCRIPTOR
    always_lists = descriptor.name.startswith("List") and descriptor.name.endswith("Response")
    rendered: dict[str, Any] = {}
    for fd in descriptor.fields:
        value = getattr(message, fd.name)
        if fd.is_repeated:
            if not value and not (always_lists or fd.full_name in _ALWAYS_EMITTED):
                continue
            if _is_map(fd):
                value_fd = fd.message_type.fields_by_name["value"]
                rendered[fd.json_name] = {
                    str(k): _render_single(v, value_fd) for k, v in value.items()
                }
            else:
                rendered[fd.json_name] = [_render_single(v, fd) for v in value]
        elif fd.has_presence:
            if message.HasField(fd.name):
                rendered[fd.json_name] = _render_single(value, fd)
        elif fd.name in _OMITTED_WHEN_EMPTY and not value:
            continue
        else:
            rendered[fd.json_name] = _render_single(value, fd)
    return rendered


def _render_single(value: Any, fd: FieldDescriptor) -> Any:
    if fd.cpp_type == FieldDescriptor.CPPTYPE_MESSAGE:
        return message_to_aws(value)
    if fd.type == FieldDescriptor.TYPE_BYTES:
        return base64.b64encode(value).decode("ascii")
    if fd.cpp_type == FieldDescriptor.CPPTYPE_ENUM:
        enum_value = fd.enum_type.values_by_number.get(value)
        return enum_value.name if enum_value is not None else value
    return value


# ---------------------------------------------------------------------------------------
# Errors


@dataclass(frozen=True)
class AwsError:
    """How one kind of failure looks on the AWS wire."""

    # Exception shape name, sent as x-amzn-ErrorType; SDKs raise the class of that name.
    name: str
    # HTTP status.
    status: int
    # Body key of the message; the model's casing differs per exception.
    message_key: str

    @property
    def fault(self) -> str:
        """AWS's `Type`: who is to blame."""
        return "User" if self.status < 500 else "Service"


SERVICE_ERROR = AwsError("ServiceException", 500, "Message")
UNKNOWN_OPERATION = AwsError("UnknownOperationException", 404, "message")

# The one mapping from daemon reasons to AWS exceptions (lambda-spec §2.2, §2.3).
AWS_ERRORS: Mapping[Reason, AwsError] = {
    Reason.VALIDATION: AwsError("ValidationException", 400, "message"),
    Reason.INVALID_PARAMETER_VALUE: AwsError("InvalidParameterValueException", 400, "message"),
    Reason.INVALID_REQUEST_CONTENT: AwsError("InvalidRequestContentException", 400, "message"),
    Reason.FUNCTION_NOT_FOUND: AwsError("ResourceNotFoundException", 404, "Message"),
    Reason.ALIAS_NOT_FOUND: AwsError("ResourceNotFoundException", 404, "Message"),
    Reason.RESOURCE_NOT_FOUND: AwsError("ResourceNotFoundException", 404, "Message"),
    Reason.FUNCTION_ALREADY_EXISTS: AwsError("ResourceConflictException", 409, "message"),
    Reason.ALIAS_ALREADY_EXISTS: AwsError("ResourceConflictException", 409, "message"),
    Reason.RESOURCE_CONFLICT: AwsError("ResourceConflictException", 409, "message"),
    Reason.REVISION_ID_MISMATCH: AwsError("PreconditionFailedException", 412, "message"),
    Reason.REQUEST_TOO_LARGE: AwsError("RequestEntityTooLargeException", 413, "message"),
    Reason.ACCESS_DENIED: AwsError("AccessDeniedException", 403, "Message"),
    Reason.TOO_MANY_REQUESTS: AwsError("TooManyRequestsException", 429, "message"),
    Reason.CODE_STORAGE_EXCEEDED: AwsError("CodeStorageExceededException", 400, "message"),
    Reason.SERVICE: SERVICE_ERROR,
}


@dataclass(frozen=True)
class ErrorResponse:
    """Status, headers and JSON body of an AWS error answer (without the request id)."""

    status: int
    headers: Mapping[str, str]
    body: Mapping[str, Any] = field(default_factory=dict)


def error_response_parts(
    reason: str, message: str, metadata: Mapping[str, str] | None = None
) -> ErrorResponse:
    """The AWS error answer for a daemon `reason` (unknown reasons are ServiceException).

    `metadata` is the ErrorInfo metadata; throttling errors carry `reason` (AWS's
    ThrottleReason) and `retry_after_seconds` there.
    """
    metadata = metadata or {}
    try:
        known = Reason(reason)
    except ValueError:
        known = Reason.SERVICE
    aws = AWS_ERRORS.get(known, SERVICE_ERROR)
    response = _error(aws, message)
    if known is Reason.TOO_MANY_REQUESTS:
        body = dict(response.body)
        headers = dict(response.headers)
        if metadata.get("reason"):
            body["Reason"] = metadata["reason"]
        retry_after = metadata.get("retry_after_seconds", "")
        if retry_after.isdigit():
            headers["Retry-After"] = retry_after
        response = ErrorResponse(response.status, headers, body)
    return response


def error_from_status(status: status_pb2.Status) -> ErrorResponse:
    """The AWS error answer for a daemon's google.rpc.Status.

    The reason comes from its ErrorInfo detail; a status without one is a daemon fault.
    """
    for detail in status.details:
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            return error_response_parts(info.reason, status.message, dict(info.metadata))
    return service_error(status.message)


def service_error(message: str = "") -> ErrorResponse:
    """A ServiceException (500), for daemon faults and an unreachable daemon."""
    return _error(SERVICE_ERROR, message or "An internal error occurred.")


def unknown_operation() -> ErrorResponse:
    """The answer to a method and path that name no operation."""
    return _error(UNKNOWN_OPERATION, "Unknown operation")


def request_error(error: RequestError) -> ErrorResponse:
    """The AWS error answer for a request the gateway rejected itself."""
    return error_response_parts(error.reason, error.message)


def _error(aws: AwsError, message: str) -> ErrorResponse:
    return ErrorResponse(
        status=aws.status,
        headers={"Content-Type": "application/json", "x-amzn-ErrorType": aws.name},
        body={"Type": aws.fault, aws.message_key: message},
    )
