"""gRPC fuzz: every RPC of every lambdad service, with request messages drawn from the proto
descriptors (any field set to any value of its type, nested messages, maps, repeated fields),
sent to `lambdad serve` (subprocess, JSON log mode).

Bad input must be refused as the caller's fault: no answer may be INTERNAL (ServiceException)
or UNKNOWN (an exception grpc.aio caught itself), no handler may log "rpc crashed", and the
daemon answers a well-formed call afterwards. RPCs the gateway does not reach (debugging,
invocation history, traces, code download) are covered here and by nothing else.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import grpc
import pytest
from google.protobuf import message_factory
from google.protobuf.descriptor import Descriptor, FieldDescriptor, MethodDescriptor
from google.protobuf.message import Message
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lambdad.v1 import (
    event_source_service_pb2,
    function_service_pb2,
    invocation_service_pb2,
    layer_service_pb2,
    trace_service_pb2,
    url_service_pb2,
)
from tests.reliability.served_daemon import ServedDaemon, log_lines

EXAMPLES = int(os.environ.get("LAMBDAD_FUZZ_EXAMPLES", "200"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)
SERVICES = [
    service
    for module in (
        function_service_pb2,
        invocation_service_pb2,
        layer_service_pb2,
        url_service_pb2,
        event_source_service_pb2,
        trace_service_pb2,
    )
    for service in module.DESCRIPTOR.services_by_name.values()
]
METHODS: list[MethodDescriptor] = [m for s in SERVICES for m in s.methods]
# The caller's fault or a deadline we set: anything but a fault of the daemon's.
FAULTS = {grpc.StatusCode.INTERNAL, grpc.StatusCode.UNKNOWN}
# Streams that follow logs would wait for ever: each call gets a deadline.
CALL_TIMEOUT = 5.0

NAMES = st.sampled_from(
    [
        "fuzz",
        "fuzz:$LATEST",
        "arn:aws:lambda:us-east-1:000000000000:function:fuzz",
        "functions/fuzz",
        "layers/fuzz/versions/1",
        "$LATEST",
        "1",
        "",
    ]
)
STRINGS = st.one_of(NAMES, st.text(max_size=40), st.text(min_size=300, max_size=2000))
SCALARS: dict[int, st.SearchStrategy[Any]] = {
    FieldDescriptor.TYPE_STRING: STRINGS,
    FieldDescriptor.TYPE_BYTES: st.one_of(
        st.binary(max_size=200), st.sampled_from([b"{}", b"PK\x05\x06" + bytes(18), b"null"])
    ),
    FieldDescriptor.TYPE_BOOL: st.booleans(),
    FieldDescriptor.TYPE_DOUBLE: st.floats(allow_nan=True, allow_infinity=True),
    FieldDescriptor.TYPE_FLOAT: st.floats(width=32, allow_nan=True, allow_infinity=True),
}
INT_RANGES = {
    FieldDescriptor.TYPE_INT32: (-(2**31), 2**31 - 1),
    FieldDescriptor.TYPE_SINT32: (-(2**31), 2**31 - 1),
    FieldDescriptor.TYPE_SFIXED32: (-(2**31), 2**31 - 1),
    FieldDescriptor.TYPE_INT64: (-(2**63), 2**63 - 1),
    FieldDescriptor.TYPE_SINT64: (-(2**63), 2**63 - 1),
    FieldDescriptor.TYPE_SFIXED64: (-(2**63), 2**63 - 1),
    FieldDescriptor.TYPE_UINT32: (0, 2**32 - 1),
    FieldDescriptor.TYPE_FIXED32: (0, 2**32 - 1),
    FieldDescriptor.TYPE_UINT64: (0, 2**64 - 1),
    FieldDescriptor.TYPE_FIXED64: (0, 2**64 - 1),
}


def _integers(low: int, high: int) -> st.SearchStrategy[int]:
    edges = [v for v in (low, high, 0, -1, 1, 2**31 - 1, 2**31) if low <= v <= high]
    return st.one_of(st.integers(min_value=max(low, -5), max_value=min(high, 5000)),
                     st.sampled_from(edges))  # fmt: skip


def _scalar(field: FieldDescriptor) -> st.SearchStrategy[Any]:
    if field.type == FieldDescriptor.TYPE_ENUM:
        numbers = [value.number for value in field.enum_type.values]
        return st.sampled_from(numbers) | st.integers(min_value=-5, max_value=99)
    if field.type in INT_RANGES:
        return _integers(*INT_RANGES[field.type])
    return SCALARS[field.type]


def _is_map(field: FieldDescriptor) -> bool:
    return field.message_type is not None and field.message_type.GetOptions().map_entry


def _value(field: FieldDescriptor, depth: int) -> st.SearchStrategy[Any] | None:
    """A strategy for one field's value (None: leave the field unset at this depth)."""
    if _is_map(field):
        key_field = field.message_type.fields_by_name["key"]
        value_field = field.message_type.fields_by_name["value"]
        if value_field.message_type is not None:
            return (
                None
                if depth > 2
                else st.dictionaries(
                    _scalar(key_field), messages(value_field.message_type, depth + 1), max_size=3
                )
            )
        return st.dictionaries(_scalar(key_field), _scalar(value_field), max_size=4)
    if field.message_type is not None:
        if depth > 2 or field.message_type.full_name.startswith("google.protobuf."):
            return None
        single = messages(field.message_type, depth + 1)
    else:
        single = _scalar(field)
    if field.is_repeated:
        return st.lists(single, max_size=4)
    return single


@st.composite
def _message(draw: st.DrawFn, descriptor: Descriptor, depth: int) -> Message:
    message = message_factory.GetMessageClass(descriptor)()
    for field in descriptor.fields:
        strategy = _value(field, depth)
        if strategy is None or not draw(st.booleans()):
            continue
        value = draw(strategy)
        if _is_map(field):
            target = getattr(message, field.name)
            for key, item in value.items():
                if field.message_type.fields_by_name["value"].message_type is not None:
                    target[key].CopyFrom(item)
                else:
                    target[key] = item
        elif field.is_repeated:
            getattr(message, field.name).extend(value)
        elif field.message_type is not None:
            getattr(message, field.name).CopyFrom(value)
        else:
            setattr(message, field.name, value)
    return message


def messages(descriptor: Descriptor, depth: int = 0) -> st.SearchStrategy[Message]:
    return _message(descriptor, depth)


@st.composite
def calls(draw: st.DrawFn) -> tuple[MethodDescriptor, Message]:
    method = draw(st.sampled_from(METHODS))
    return method, draw(messages(method.input_type))


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[ServedDaemon]:
    root = tmp_path_factory.mktemp("grpc-fuzz")
    daemon = ServedDaemon(root / "data", root / "lambdad.log").start()
    yield daemon
    daemon.stop()
    lines = log_lines(daemon.log_path)
    crashed = [r for r in lines.records if r.get("event") == "rpc crashed"]
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(
            f"grpc fuzz: {len(METHODS)} RPCs, {EXAMPLES} calls, {len(crashed)} rpc crashed "
            f"log lines, {len(lines.not_json)} non-JSON log lines"
        )


@pytest.fixture(scope="module")
def channel(served: ServedDaemon) -> Iterator[grpc.Channel]:
    with grpc.insecure_channel(served.grpc_target) as opened:
        yield opened


def _invoke(channel: grpc.Channel, method: MethodDescriptor, request: Message) -> grpc.StatusCode:
    path = f"/{method.containing_service.full_name}/{method.name}"
    reply_class = message_factory.GetMessageClass(method.output_type)
    serialize, parse = type(request).SerializeToString, reply_class.FromString
    try:
        if method.server_streaming:
            stream = channel.unary_stream(path, serialize, parse)
            for _ in stream(request, timeout=CALL_TIMEOUT):
                pass
        else:
            channel.unary_unary(path, serialize, parse)(request, timeout=CALL_TIMEOUT)
    except grpc.RpcError as error:
        return error.code()  # type: ignore[no-any-return]
    return grpc.StatusCode.OK


@FUZZ
@given(call=calls())
def test_no_request_message_is_answered_with_a_fault(
    channel: grpc.Channel, call: tuple[MethodDescriptor, Message]
) -> None:
    method, request = call
    code = _invoke(channel, method, request)
    assert code not in FAULTS, (method.full_name, request)


def test_every_rpc_answers_an_empty_request_and_nothing_crashed(
    served: ServedDaemon, channel: grpc.Channel
) -> None:
    for method in METHODS:
        empty = message_factory.GetMessageClass(method.input_type)()
        assert _invoke(channel, method, empty) not in FAULTS, method.full_name
    answered = function_service_pb2.GetAccountSettingsResponse.FromString(
        channel.unary_unary(
            "/lambdad.v1.FunctionService/GetAccountSettings",
            function_service_pb2.GetAccountSettingsRequest.SerializeToString,
            lambda data: data,
        )(function_service_pb2.GetAccountSettingsRequest(), timeout=CALL_TIMEOUT)
    )
    assert answered.account_limit.concurrent_executions == 1000
    lines = log_lines(served.log_path)
    assert [r for r in lines.records if r.get("event") == "rpc crashed"] == []
    assert lines.not_json == []
