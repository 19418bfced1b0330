"""The model's request constraints for gRPC callers, in the gateway's words.

The gateway checks every AWS request against botocore's Lambda model before it calls the
daemon, and answers one ValidationException naming every violation. A gRPC client (the typed
client, `lambdadctl`) reaches the servicers directly, and used to meet only the domain's own
checks: one violation at a time, in older wording (a function name pattern of another
operation, a layer name pattern of years ago). `ModelCheckInterceptor` runs the same checker
(`lambdad.client.constraints`) on the request of every RPC that is an AWS operation, so the
same bad input gets the same answer over both doors. The embedded gateway's in-process
channel skips server interceptors, so what the gateway checked is not checked twice.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable
from typing import Any

import grpc
import grpc.aio
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

from lambdad.client import constraint_table
from lambdad.client.constraints import ConstraintChecker, validation_message
from lambdad.daemon.api.faults import rewrap_handler
from lambdad.daemon.errors import LambdaError, Reason

_Handler = grpc.RpcMethodHandler
_Continuation = Callable[[grpc.HandlerCallDetails], Awaitable[_Handler | None]]
# protobuf's stubs type descriptors loosely (see gateway/translate.py).
_Field = Any


def aws_members(message: Message, required: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The members a request message carries, as the gateway reads them from an AWS request:
    by their AWS (json) names, set fields only, JSON values. Payloads (bytes) are left out:
    the model constrains none of them, and copying one would cost what a large zip costs.

    A number, flag, list or map field without presence cannot tell "not sent" from its
    default, so a `required` member held in one is taken as sent with the default (`0`
    reserved executions, no tags): a gRPC caller cannot have left it out. An empty string
    stays "not sent" (`Value null`), as in the gateway's answer."""
    members: dict[str, Any] = {}
    for fd, value in message.ListFields():
        if fd.type == FieldDescriptor.TYPE_BYTES:
            continue
        members[fd.json_name] = _value(fd, value)
    for name in required - members.keys():
        field = _by_json_name(message, name)
        if field is not None and not field.has_presence and field.type not in _NOT_DEFAULTED:
            members[name] = _value(field, getattr(message, field.name))
    return members


_NOT_DEFAULTED = frozenset({FieldDescriptor.TYPE_BYTES, FieldDescriptor.TYPE_STRING})


def _by_json_name(message: Message, name: str) -> _Field | None:
    return next((fd for fd in message.DESCRIPTOR.fields if fd.json_name == name), None)


def _value(fd: _Field, value: Any) -> Any:
    if fd.message_type is not None and fd.message_type.GetOptions().map_entry:
        item = fd.message_type.fields_by_name["value"]
        return {key: _single(item, entry) for key, entry in value.items()}
    if fd.is_repeated:
        return [_single(fd, entry) for entry in value]
    return _single(fd, value)


def _single(fd: _Field, value: Any) -> Any:
    if fd.cpp_type == FieldDescriptor.CPPTYPE_MESSAGE:
        return aws_members(value)
    return value


def model_violation(
    checker: ConstraintChecker, operation: str, request: Message, required: frozenset[str]
) -> None:
    """Raise AWS's ValidationException when `request` breaks `operation`'s constraints
    (`required`: the operation's required members)."""
    violations = checker.violations(operation, aws_members(request, required))
    if violations:
        raise LambdaError(Reason.VALIDATION, validation_message(violations))


def _checked_unary(
    checker: ConstraintChecker, operation: str, behaviour: Callable[..., Any]
) -> Callable[..., Any]:
    required = required_members(operation)

    async def checked(request: Message, context: grpc.aio.ServicerContext) -> Any:
        model_violation(checker, operation, request, required)
        result = behaviour(request, context)
        return await result if inspect.isawaitable(result) else result

    return checked


def _checked_stream(
    checker: ConstraintChecker, operation: str, behaviour: Callable[..., Any]
) -> Callable[..., Any]:
    required = required_members(operation)

    async def checked(request: Message, context: grpc.aio.ServicerContext) -> Any:
        model_violation(checker, operation, request, required)
        async for item in behaviour(request, context):
            yield item

    return checked


def required_members(operation: str) -> frozenset[str]:
    """The required top-level members of `operation`'s input shape."""
    shape = constraint_table.SHAPES[constraint_table.OPERATIONS[operation]]
    return frozenset(name for name, _, required in shape["members"] if required)


class ModelCheckInterceptor(grpc.aio.ServerInterceptor):
    """Checks the request of each RPC named like an AWS operation against the model.

    It must sit inside the fault guard (after `FaultInterceptor` in the server's list), which
    turns the LambdaError into its status.
    """

    def __init__(self, *, strict: bool = False) -> None:
        """`strict` also applies the constraints lambdad relaxes (the daemon's --strict)."""
        self._checker = ConstraintChecker(strict=strict)
        self._operations = self._checker.operations()

    async def intercept_service(
        self, continuation: _Continuation, handler_call_details: grpc.HandlerCallDetails
    ) -> _Handler | None:
        handler = await continuation(handler_call_details)
        operation = handler_call_details.method.rsplit("/", 1)[-1]
        if handler is None or operation not in self._operations:
            return handler
        return rewrap_handler(
            handler,
            functools.partial(_checked_unary, self._checker, operation),
            functools.partial(_checked_stream, self._checker, operation),
        )
