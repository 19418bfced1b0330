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
import struct
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NoReturn, cast

from google.protobuf import json_format
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message
from google.rpc import error_details_pb2, status_pb2

from lambdad.client.constraints import ConstraintChecker, validation_message
from lambdad.client.contract import (
    AWS_ERROR_TYPE_HEADER,
    AWS_REQUEST_ID_HEADER,
    ERRORS,
    SERVICE_EXCEPTION,
    AwsException,
    Reason,
)
from lambdad.gateway.routes import CODE_LOCATION_PREFIX, EVENT_MAX_BYTES, Route, RouteKind

BODY_PARSE_PREFIX = "Could not parse request body into json: "

EVENT_INVOCATION = "Event"

# AWS names Invoke by its old name in the size-limit message; the streamed and deprecated
# variants share the limit (and, in the daemon, the message).
_LIMIT_OPERATION_NAMES = {
    "Invoke": "InvokeFunction",
    "InvokeWithResponseStream": "InvokeFunction",
    "InvokeAsync": "InvokeFunction",
}

# protobuf's stubs type the upb and pure-Python descriptors as unrelated classes (and every
# message_type as optional), so descriptors are walked untyped.
_Field = Any
_MessageDescriptor = Any

# Reason texts quote client input; keep them short so a huge value cannot make a huge error.
_MAX_REASON_CHARS = 200

# Fields that are preconditions rather than settings: sending them changes nothing, so they
# never appear in an update mask.
_PRECONDITION_FIELDS = frozenset({"revision_id"})

# Repeated fields AWS shows even when empty, beyond the lists of List* responses
# (CreateFunction answers `"Environment": {"Variables": {}}`).
_ALWAYS_EMITTED = frozenset(
    {
        "lambdad.v1.EnvironmentResponse.variables",
        # A function's VpcConfig always lists both, `[]` once a VPC was detached.
        "lambdad.v1.VpcConfigResponse.subnet_ids",
        "lambdad.v1.VpcConfigResponse.security_group_ids",
        # AWS shows `"FunctionResponseTypes": []` on every event source mapping.
        "lambdad.v1.EventSourceMapping.function_response_types",
        # X-Ray's answers always carry their lists, empty or not.
        "lambdad.v1.GetTraceSummariesResponse.trace_summaries",
        "lambdad.v1.BatchGetTracesResponse.traces",
        "lambdad.v1.BatchGetTracesResponse.unprocessed_trace_ids",
        "lambdad.v1.PutTraceSegmentsResponse.unprocessed_trace_segments",
        # So do CloudWatch Logs'.
        "lambdad.v1.DescribeLogGroupsResponse.log_groups",
        "lambdad.v1.DescribeLogStreamsResponse.log_streams",
        "lambdad.v1.GetLogEventsResponse.events",
        "lambdad.v1.FilterLogEventsResponse.events",
        "lambdad.v1.FilterLogEventsResponse.searched_log_streams",
        "lambdad.v1.LiveTailSessionUpdate.session_results",
    }
)

# Pagination tokens are plain strings in the proto, but AWS omits NextMarker on the last page.
_OMITTED_WHEN_EMPTY = frozenset({"next_page_token"})
# Plain strings AWS leaves out when unset: a destination not configured is `"OnSuccess": {}`,
# a layer version published without LicenseInfo has none.
_OMITTED_WHEN_EMPTY_FIELDS = frozenset(
    {
        # A self-managed Kafka mapping has no EventSourceArn (SelfManagedEventSource instead).
        "lambdad.v1.EventSourceMapping.event_source_arn",
        "lambdad.v1.OnSuccess.destination",
        "lambdad.v1.OnFailure.destination",
        "lambdad.v1.LayerVersion.license_info",
        "lambdad.v1.LayerVersionsListItem.license_info",
        # The one List* whose page token is not a `next_page_token` (no NextMarker on the
        # last page).
        "lambdad.v1.ListProvisionedConcurrencyConfigsResponse.next_marker",
    }
)

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
    headers: Mapping[str, str] | None = None,
    checker: ConstraintChecker | None = None,
) -> Message:
    """Build the gRPC request of `route` from a REST request.

    `path_params` are already URL-decoded; `query` maps each query parameter name to all
    its values in order; `headers` are the request headers (looked up by the names in
    `route.headers`, so pass a case-insensitive mapping such as aiohttp's). The body is only
    read when the route takes one: as a JSON document, or, for routes with a
    `payload_member`, as the raw payload. For routes with `mask_from_body`, `update_mask`
    lists the fields whose members were in the body with a non-null value, which is how the
    daemon tells "absent" from "empty".

    Raises RequestError: InvalidRequestContentException for a body that is not a JSON object
    matching the request, ValidationException for path or query values of the wrong type,
    RequestEntityTooLargeException for an Event payload over AWS's limit. With a `checker`,
    the members are then checked against the model's constraints, every violation named in
    one ValidationException, before anything else looks at them (as AWS's front end does).
    """
    by_json_name = route.fields_by_json_name
    merged: dict[str, Any] = {}
    mask_paths: list[str] = []

    if route.has_body and route.payload_member is None:
        bound_elsewhere = set(route.path_params) | set(route.query.values())
        members = _parse_body(body)
        if route.body_member is not None:
            # The body is one structure member (an empty body: the member is absent).
            members = {route.body_member: members} if body.strip() else {}
        for key, value in members.items():
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
    for name, json_name in route.header_members.items():
        value = (headers or {}).get(name)
        if value:
            merged[json_name] = _from_text(by_json_name[json_name], [value], name)
    for json_name in route.path_params:
        if json_name in path_params:
            text = path_params[json_name]
            merged[json_name] = _from_text(by_json_name[json_name], [text], json_name)
    if checker is not None:
        violations = checker.violations(route.operation, merged)
        if violations:
            raise RequestError(Reason.VALIDATION, validation_message(violations))
    merged.update(route.fixed)

    try:
        message = _scalars_message(route.request_type, merged, by_json_name)
        if message is None:
            message = json_format.ParseDict(merged, route.request_type())
    except (json_format.ParseError, ValueError, TypeError) as exc:
        # A safety net: _check_json should have refused anything the converter refuses,
        # and whatever slips through is still the client's input, not a server fault.
        _bad_body(_short(str(exc)))
    if route.mask_from_body:
        cast(Any, message).update_mask.paths.extend(mask_paths)
    if route.payload_member is not None and route.has_body:
        setattr(message, by_json_name[route.payload_member].name, body)
        if merged.get("InvocationType") == EVENT_INVOCATION and len(body) > EVENT_MAX_BYTES:
            # Checked here too (the daemon checks again) so a refused payload is not sent on.
            raise RequestError(
                Reason.REQUEST_TOO_LARGE,
                f"{len(body)} byte payload is too large for the Event invocation type "
                f"(limit {EVENT_MAX_BYTES} bytes)",
            )
    return message


# Python types a field of each scalar type takes as they are, as json_format.ParseDict
# would (bytes fields take base64 text there, enums names: not here).
_SCALAR_TYPES: dict[int, type] = {
    FieldDescriptor.TYPE_STRING: str,
    FieldDescriptor.TYPE_BOOL: bool,
    FieldDescriptor.TYPE_INT32: int,
    FieldDescriptor.TYPE_INT64: int,
    FieldDescriptor.TYPE_UINT32: int,
    FieldDescriptor.TYPE_UINT64: int,
}


def _scalars_message(
    request_type: type[Message], members: Mapping[str, Any], fields: Mapping[str, FieldDescriptor]
) -> Message | None:
    """The request with `members` set directly, when each is a string, bool or integer field
    given a value of exactly its type (Invoke's always are); None otherwise, and
    `json_format.ParseDict` converts them and explains what it refuses.

    ParseDict was half of the ~30 us the gateway spent translating an Invoke.
    """
    message = request_type()
    for key, value in members.items():
        fd = fields.get(key)
        if fd is None or fd.is_repeated or type(value) is not _SCALAR_TYPES.get(fd.type):
            return None
        try:
            setattr(message, fd.name, value)
        except (TypeError, ValueError):  # out of range: ParseDict names the member
            return None
    return message


def unreadable_body(error: Exception) -> RequestError:
    """AWS's InvalidRequestContentException for a body that cannot even be read (broken
    chunked encoding, an undecodable Content-Encoding)."""
    detail = str(error).replace("\n", " ").strip() or type(error).__name__
    return RequestError(Reason.INVALID_REQUEST_CONTENT, f"{BODY_PARSE_PREFIX}{detail}")


def request_too_large(operation: str, limit: int) -> RequestError:
    """AWS's RequestEntityTooLargeException for a request over `limit` bytes."""
    operation = _LIMIT_OPERATION_NAMES.get(operation, operation)
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


def _check_json(value: Any, fd: _Field, where: str) -> None:
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


def _check_single(value: Any, fd: _Field, where: str) -> None:
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
        if fd.type == FieldDescriptor.TYPE_BYTES:
            _check_base64(value, where)
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
    elif cpp_type == FieldDescriptor.CPPTYPE_ENUM and (
        isinstance(value, bool) or not isinstance(value, str | int)
    ):
        _wrong_type(where, "an enum name", value)


def _check_object(value: dict[str, Any], descriptor: _MessageDescriptor, where: str) -> None:
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


def _check_base64(value: str, where: str) -> None:
    # ParseDict silently drops characters outside the alphabet; AWS refuses such blobs.
    try:
        base64.b64decode(value, validate=True)
    except ValueError:  # binascii.Error is a ValueError
        _bad_body(f"invalid base64 in {_quote(where)}")


def _finite(value: int | float) -> bool:
    try:
        return math.isfinite(float(value))
    except OverflowError:
        return False


def _from_text(fd: _Field, values: Sequence[str], name: str) -> Any:
    """Convert path or query text to the JSON value of field `fd`."""
    converted = [_scalar_from_text(fd, text, name) for text in values]
    # A repeated parameter is sent once per value (`?tagKeys=a&tagKeys=b`); a singular one
    # sent twice takes its first value.
    return converted if fd.is_repeated else converted[0]


def _scalar_from_text(fd: _Field, text: str, name: str) -> Any:
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


def _expected(fd: _Field) -> str:
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


def _is_map(fd: _Field) -> bool:
    return fd.is_repeated and fd.message_type is not None and fd.message_type.GetOptions().map_entry


def _is_update_mask(fd: _Field) -> bool:
    return fd.message_type is not None and fd.message_type.full_name == "google.protobuf.FieldMask"


# ---------------------------------------------------------------------------------------
# Responses


def response_body(route: Route, response: Message, base_url: str = "") -> dict[str, Any] | None:
    """The AWS JSON body of a successful `route` call, or None for no body.

    Code locations from the daemon are paths the gateway serves; `base_url` (scheme and
    host the client used, e.g. "http://127.0.0.1:4566") turns them into URLs.
    """
    if route.empty_response:
        return None
    message = response
    if route.response_field is not None:
        message = getattr(response, route.response_field)
    body = message_to_aws(message)
    _drop_list_item_members(message, body)
    if base_url:
        _absolute_locations(body, base_url)
    return body


# Members AWS leaves out of the configurations in function listings (they are state, read
# with GetFunction/GetFunctionConfiguration): list response -> (list member, members dropped).
_STATE_MEMBERS = (
    "State",
    "StateReason",
    "StateReasonCode",
    "LastUpdateStatus",
    "LastUpdateStatusReason",
    "LastUpdateStatusReasonCode",
    "RuntimeVersionConfig",
)
_LIST_ITEM_OMITTED: Mapping[str, tuple[str, tuple[str, ...]]] = {
    "lambdad.v1.ListFunctionsResponse": ("Functions", _STATE_MEMBERS),
    "lambdad.v1.ListVersionsByFunctionResponse": ("Versions", _STATE_MEMBERS),
}


def _drop_list_item_members(message: Message, body: dict[str, Any]) -> None:
    omitted = _LIST_ITEM_OMITTED.get(message.DESCRIPTOR.full_name)
    if omitted is None:
        return
    member, names = omitted
    for item in body.get(member, []):
        for name in names:
            item.pop(name, None)


def _absolute_locations(value: Any, base_url: str) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "Location" and isinstance(item, str):
                if item.startswith(CODE_LOCATION_PREFIX):
                    value[key] = base_url.rstrip("/") + item
            else:
                _absolute_locations(item, base_url)
    elif isinstance(value, list):
        for item in value:
            _absolute_locations(item, base_url)


def message_to_aws(message: Message) -> dict[str, Any]:
    """Render a message as AWS renders the same shape.

    Keys are json_names. Plain scalars are always present; `optional` scalars and
    sub-messages only when set; repeated and map fields only when non-empty, except the
    lists of List* responses and `Environment.Variables`, which AWS always shows. int64 are
    JSON numbers (unlike MessageToDict, which follows proto3 JSON and prints strings).
    """
    descriptor: _MessageDescriptor = message.DESCRIPTOR
    always_lists = descriptor.name.startswith("List") and descriptor.name.endswith("Response")
    # A message's own FieldMask (`emitted_when_empty`) is never an AWS member: it names the
    # repeated fields to show even when empty (a layer's compatibility lists given as []).
    shown_empty: set[str] = set()
    for fd in descriptor.fields:
        if _is_update_mask(fd) and message.HasField(fd.name):
            shown_empty.update(getattr(message, fd.name).paths)
    rendered: dict[str, Any] = {}
    for fd in descriptor.fields:
        if _is_update_mask(fd):
            continue
        value = getattr(message, fd.name)
        if fd.is_repeated:
            if not value and not (
                always_lists or fd.full_name in _ALWAYS_EMITTED or fd.name in shown_empty
            ):
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
        elif not value and _omitted_when_empty(fd):
            continue
        else:
            rendered[fd.json_name] = _render_single(value, fd)
    return rendered


def _omitted_when_empty(fd: _Field) -> bool:
    return fd.name in _OMITTED_WHEN_EMPTY or fd.full_name in _OMITTED_WHEN_EMPTY_FIELDS


def _render_single(value: Any, fd: _Field) -> Any:
    if fd.cpp_type == FieldDescriptor.CPPTYPE_MESSAGE:
        if fd.message_type.full_name == "google.protobuf.ListValue":
            # A JSON array (SelfManagedEventSource.Endpoints' lists of servers).
            return json_format.MessageToDict(value)
        return message_to_aws(value)
    if fd.type == FieldDescriptor.TYPE_BYTES:
        return base64.b64encode(value).decode("ascii")
    if fd.cpp_type == FieldDescriptor.CPPTYPE_ENUM:
        enum_value = fd.enum_type.values_by_number.get(value)
        return enum_value.name if enum_value is not None else value
    return value


# ---------------------------------------------------------------------------------------
# Invoke answers


@dataclass(frozen=True)
class RawResponse:
    """Status, headers and raw body of an answer that is not a rendered JSON document."""

    status: int
    headers: Mapping[str, str]
    body: bytes = b""


# Statuses of Invoke answers without a result: Event (queued) and DryRun.
_NO_RESULT_STATUSES = frozenset({202, 204})


def invoke_response(route: Route, reply: Message, request_id: str) -> RawResponse:
    """The answer to an Invoke (`route.kind` INVOKE) or InvokeAsync (INVOKE_ASYNC) call.

    Invoke answers with the reply's status and the function's result as the raw body, its
    function error, log tail and executed version as headers. `x-amzn-RequestId` is the
    invocation's request id (the daemon takes the gateway's `request_id` for it, so they
    agree; the reply wins should they not).
    """
    response: Any = reply
    status = response.status_code or route.ok_status
    headers = {AWS_REQUEST_ID_HEADER: response.request_id or request_id}
    if route.kind is RouteKind.INVOKE_ASYNC:
        headers["Content-Type"] = "application/json"
        body = json.dumps({"Status": status}, separators=(",", ":")).encode()
        return RawResponse(status, headers, body)
    if status == 204:
        return RawResponse(status, headers)
    headers["Content-Type"] = "application/json"
    if response.function_error:
        headers["X-Amz-Function-Error"] = response.function_error
    if response.log_result:
        headers["X-Amz-Log-Result"] = response.log_result
    if response.executed_version and status not in _NO_RESULT_STATUSES:
        headers["X-Amz-Executed-Version"] = response.executed_version
    if getattr(response, "durable_execution_arn", ""):
        headers["X-Amz-Durable-Execution-Arn"] = response.durable_execution_arn
    return RawResponse(status, headers, bytes(response.payload))


def stream_start(start: Message, request_id: str) -> RawResponse:
    """Status and headers of an InvokeWithResponseStream answer, from its `start` message.

    The body (for any status but 204) is the event stream that follows. Its Content-Type
    is the event stream's (botocore reports it as ResponseStreamContentType); the function's
    own content type in `start` has no place in this answer (function URLs use it).
    """
    message: Any = start
    status = message.status_code or 200
    headers = {AWS_REQUEST_ID_HEADER: message.request_id or request_id}
    if status != 204:
        headers["Content-Type"] = EVENT_STREAM_CONTENT_TYPE
        if message.executed_version:
            headers["X-Amz-Executed-Version"] = message.executed_version
    return RawResponse(status, headers)


# ---------------------------------------------------------------------------------------
# AWS event streams (application/vnd.amazon.eventstream)

EVENT_STREAM_CONTENT_TYPE = "application/vnd.amazon.eventstream"

# Header value type 7: a UTF-8 string with a 2-byte length.
_STRING_HEADER = 7
# botocore refuses messages with a payload above 24 MiB; larger chunks are split.
MAX_EVENT_PAYLOAD_BYTES = 16 * 1024 * 1024


def event_message(headers: Mapping[str, str], payload: bytes) -> bytes:
    """One event-stream message: prelude, prelude CRC, headers, payload, message CRC.

    The prelude is the total length and the headers' length (big-endian u32 each); both
    CRCs are CRC32, the message CRC over everything before it.
    """
    encoded = b"".join(_event_header(name, value) for name, value in headers.items())
    total = 12 + len(encoded) + len(payload) + 4
    prelude = struct.pack(">II", total, len(encoded))
    message = prelude + struct.pack(">I", zlib.crc32(prelude)) + encoded + payload
    return message + struct.pack(">I", zlib.crc32(message))


def _event_header(name: str, value: str) -> bytes:
    name_bytes = name.encode()
    value_bytes = value.encode()
    return (
        struct.pack(">B", len(name_bytes))
        + name_bytes
        + struct.pack(">BH", _STRING_HEADER, len(value_bytes))
        + value_bytes
    )


def payload_chunk_events(payload: bytes) -> list[bytes]:
    """The PayloadChunk event of one streamed chunk (split only above botocore's limit)."""
    headers = {
        ":event-type": "PayloadChunk",
        ":content-type": "application/octet-stream",
        ":message-type": "event",
    }
    pieces = range(0, max(len(payload), 1), MAX_EVENT_PAYLOAD_BYTES)
    return [event_message(headers, payload[i : i + MAX_EVENT_PAYLOAD_BYTES]) for i in pieces]


def invoke_complete_event(complete: Message) -> bytes:
    """The InvokeComplete event: a JSON body of the completion's non-empty members."""
    body = {k: v for k, v in message_to_aws(complete).items() if v}
    headers = {
        ":event-type": "InvokeComplete",
        ":content-type": "application/json",
        ":message-type": "event",
    }
    return event_message(headers, json.dumps(body, separators=(",", ":")).encode())


def stream_events(item: Message) -> list[bytes]:
    """The event-stream messages of one InvokeWithResponseStream message after `start`."""
    message: Any = item
    which = message.WhichOneof("event")
    if which == "payload_chunk":
        return payload_chunk_events(message.payload_chunk.payload)
    if which == "invoke_complete":
        return [invoke_complete_event(message.invoke_complete)]
    # A second `start` (or an event this gateway does not know yet) has nothing to send.
    return []


def error_event(error: ErrorResponse) -> bytes:
    """An event-stream error message, for a failure after the answer's headers went out.

    SDKs raise it as an EventStreamError with the AWS exception name as its code.
    """
    message = error.body.get("message", error.body.get("Message", ""))
    return event_message(
        {
            ":message-type": "error",
            ":error-code": error.headers.get(AWS_ERROR_TYPE_HEADER, SERVICE_ERROR.name),
            # Header strings have a 2-byte length; keep well inside it.
            ":error-message": _short(str(message), 2000),
        },
        b"",
    )


def live_tail_events(item: Message) -> list[bytes]:
    """The event-stream message of one StartLiveTail message (`sessionStart` or
    `sessionUpdate`, its JSON body the member's shape)."""
    message: Any = item
    which = message.WhichOneof("event")
    if which is None:
        return []
    member = message.DESCRIPTOR.fields_by_name[which]
    body = message_to_aws(getattr(message, which))
    headers = {
        ":event-type": member.json_name,
        ":content-type": "application/json",
        ":message-type": "event",
    }
    return [event_message(headers, json.dumps(body, separators=(",", ":")).encode())]


def initial_response_event() -> bytes:
    """The `initial-response` event botocore expects first in a JSON-protocol event stream
    (the response's non-stream members; StartLiveTail has none)."""
    headers = {
        ":event-type": "initial-response",
        ":content-type": "application/json",
        ":message-type": "event",
    }
    return event_message(headers, b"{}")


# ---------------------------------------------------------------------------------------
# JSON 1.1 (X-Amz-Target) services: CloudWatch Logs

JSON_11_CONTENT_TYPE = "application/x-amz-json-1.1"
# Lambda's names for the gateway's own refusals -> CloudWatch Logs' names for the same.
_JSON11_NAMES = {
    "InvalidRequestContentException": "SerializationException",
    "ValidationException": "InvalidParameterException",
    "RequestEntityTooLargeException": "InvalidParameterException",
}


def json11_error(error: ErrorResponse) -> ErrorResponse:
    """An error answer as a JSON 1.1 service writes it: `__type` and `message` in the body.

    Lambda's own client-error names (a body that is not JSON, a value of the wrong type) are
    a SerializationException there; a daemon fault stays a ServiceException-like 500.
    """
    name = error.headers.get(AWS_ERROR_TYPE_HEADER, SERVICE_ERROR.name)
    name = _JSON11_NAMES.get(name, name)
    if error.status >= 500:
        name = "ServiceUnavailableException"
    message = error.body.get("message", error.body.get("Message", ""))
    headers = {"Content-Type": JSON_11_CONTENT_TYPE, AWS_ERROR_TYPE_HEADER: name}
    status = 400 if error.status < 500 else error.status
    return ErrorResponse(status, headers, {"__type": name, "message": message})


def json11_unknown_operation(target: str) -> ErrorResponse:
    """The answer to an X-Amz-Target no served JSON 1.1 operation has."""
    return ErrorResponse(
        400,
        {"Content-Type": JSON_11_CONTENT_TYPE, AWS_ERROR_TYPE_HEADER: "UnknownOperationException"},
        {"__type": "UnknownOperationException", "message": f"Unknown operation {target}"},
    )


# ---------------------------------------------------------------------------------------
# Errors


# How one kind of failure looks on the AWS wire (declared in lambdad.client.contract).
AwsError = AwsException
SERVICE_ERROR = SERVICE_EXCEPTION
UNKNOWN_OPERATION = AwsError("UnknownOperationException", 404, "message", modelled=False)

# The mapping from daemon reasons to AWS exceptions, taken from the one contract table.
AWS_ERRORS: Mapping[Reason, AwsError] = {reason: row.aws for reason, row in ERRORS.items()}


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


# Exceptions whose body AWS sends with the message alone: the front end's constraint
# checks answer before Lambda's own code, which is what adds `Type` (lambda-spec §2.1).
_UNTYPED_ERRORS = frozenset({"ValidationException"})


def _error(aws: AwsError, message: str) -> ErrorResponse:
    body: dict[str, Any] = {aws.message_key: message}
    if aws.name not in _UNTYPED_ERRORS:
        body = {"Type": aws.fault, **body}
    return ErrorResponse(
        status=aws.status,
        headers={"Content-Type": "application/json", AWS_ERROR_TYPE_HEADER: aws.name},
        body=body,
    )
