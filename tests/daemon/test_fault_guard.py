"""The fault guard (api/faults.py): a servicer dependency that blows up yields AWS's
ServiceException with a request id the log line shares, and the next call works.

Checked over the network (the server's FaultInterceptor) and over the in-process channel the
embedded gateway uses (handlers guarded at registration), for unary and streaming RPCs.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator, Iterator, MutableMapping
from typing import Any

import aiohttp
import grpc
import pytest
import structlog
from aiohttp import web
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from lambdad.daemon.runtime.logs import LogLine
from lambdad.daemon.server import Daemon
from lambdad.gateway.app import create_app
from lambdad.v1 import function_pb2
from lambdad.v1 import function_service_pb2 as fs
from lambdad.v1 import function_service_pb2_grpc as fs_grpc
from lambdad.v1 import invocation_service_pb2 as inv
from lambdad.v1 import invocation_service_pb2_grpc as inv_grpc
from tests.helpers import make_zip

SERVICE_MESSAGE = re.compile(r"^An internal error occurred\. Request ID: (\S+)$")


@pytest.fixture
def logs() -> Iterator[list[MutableMapping[str, Any]]]:
    with structlog.testing.capture_logs(
        processors=[structlog.contextvars.merge_contextvars]
    ) as captured:
        yield captured


@pytest.fixture(params=["network", "in-process"])
async def transport(request: pytest.FixtureRequest, daemon: Daemon) -> AsyncIterator[Any]:
    """A channel to the daemon: over gRPC's network stack, or the embedded gateway's."""
    if request.param == "network":
        async with grpc.aio.insecure_channel(f"127.0.0.1:{daemon.port}") as channel:
            yield channel
        return
    yield daemon.in_process_channel()


async def _service_exception(call: Any) -> tuple[str, str]:
    """Await a call (or drain a stream) that must fail with a ServiceException: its request
    id and the ErrorInfo metadata's request id."""
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        if hasattr(call, "read"):
            while await call.read() is not grpc.aio.EOF:
                pass
        else:
            await call
    error = caught.value
    assert error.code() is grpc.StatusCode.INTERNAL
    status = rpc_status.from_call(error)
    assert status is not None
    info = error_details_pb2.ErrorInfo()
    assert status.details[0].Unpack(info)
    assert info.reason == "SERVICE"  # the gateway's ServiceException
    match = SERVICE_MESSAGE.match(status.message)
    assert match, status.message
    return match.group(1), info.metadata["request_id"]


def _crash_lines(logs: list[MutableMapping[str, Any]]) -> list[MutableMapping[str, Any]]:
    return [line for line in logs if line["event"] == "rpc crashed"]


async def _create(channel: Any) -> None:
    await fs_grpc.FunctionServiceStub(channel).CreateFunction(
        fs.CreateFunctionRequest(
            function_name="f",
            runtime="python3.12",
            role="arn:aws:iam::000000000000:role/lambda-role",
            handler="app.handler",
            code=function_pb2.FunctionCode(zip_file=make_zip()),
        )
    )


@pytest.mark.parametrize(
    "fault",
    [RuntimeError("disk on fire"), RecursionError("maximum recursion depth"), KeyError("x")],
    ids=lambda e: type(e).__name__,
)
async def test_unary_fault_is_a_service_exception_and_the_next_call_works(
    daemon: Daemon,
    transport: Any,
    logs: list[MutableMapping[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
    fault: Exception,
) -> None:
    await _create(transport)
    stub = fs_grpc.FunctionServiceStub(transport)
    real = daemon.registry.get_configuration
    failures = [fault]

    async def failing_once(*args: Any, **kwargs: Any) -> Any:
        if failures:
            raise failures.pop()
        return await real(*args, **kwargs)

    monkeypatch.setattr(daemon.registry, "get_configuration", failing_once)
    request = fs.GetFunctionConfigurationRequest(function_name="f")
    call = stub.GetFunctionConfiguration(request, metadata=(("x-request-id", "req-crash-1"),))
    request_id, in_metadata = await _service_exception(call)
    assert request_id == in_metadata == "req-crash-1"
    [line] = _crash_lines(logs)
    assert line["request_id"] == "req-crash-1"
    assert line["error_type"] == type(fault).__name__
    assert line["exc_info"] is fault
    assert line["log_level"] == "error"
    # The fault's own text stays in the log: the caller gets AWS's generic message.
    assert str(fault) not in request_id

    answer = await stub.GetFunctionConfiguration(request)
    assert answer.configuration.function_name == "f"


async def test_caller_without_request_id_gets_one_the_log_shares(
    daemon: Daemon,
    transport: Any,
    logs: list[MutableMapping[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def broken(*args: Any, **kwargs: Any) -> Any:
        raise ZeroDivisionError

    monkeypatch.setattr(daemon.registry, "list_functions", broken)
    stub = fs_grpc.FunctionServiceStub(transport)
    request_id, _ = await _service_exception(stub.ListFunctions(fs.ListFunctionsRequest()))
    assert uuid.UUID(request_id)
    [line] = _crash_lines(logs)
    assert line["request_id"] == request_id
    assert line["rpc"] == "ListFunctions"


async def test_streaming_fault_mid_stream_is_a_service_exception(
    daemon: Daemon,
    transport: Any,
    logs: list[MutableMapping[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    crashes = [OSError("log file vanished")]

    async def logs_then_crash(function_name: str, *, follow: bool) -> AsyncIterator[LogLine]:
        yield LogLine(function_name, "$LATEST", "r", "first line", 0)
        if crashes:
            raise crashes.pop()

    monkeypatch.setattr(daemon.invocations, "logs", logs_then_crash)
    stub = inv_grpc.InvocationServiceStub(transport)
    call = stub.StreamLogs(
        inv.StreamLogsRequest(function_name="f"), metadata=(("x-request-id", "req-stream"),)
    )
    first = await call.read()
    assert first.message == "first line"
    request_id, _ = await _service_exception(call)
    assert request_id == "req-stream"
    [line] = _crash_lines(logs)
    assert (line["request_id"], line["error_type"]) == ("req-stream", "OSError")

    again = [m.message async for m in stub.StreamLogs(inv.StreamLogsRequest(function_name="f"))]
    assert again == ["first line"]


async def test_streaming_fault_before_the_first_message(
    daemon: Daemon,
    transport: Any,
    logs: list[MutableMapping[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("executor gone")

    monkeypatch.setattr(daemon.invocations, "invoke_stream", broken)
    stub = inv_grpc.InvocationServiceStub(transport)
    call = stub.InvokeWithResponseStream(
        inv.InvokeWithResponseStreamRequest(function_name="f"),
        metadata=(("x-request-id", "req-invoke-stream"),),
    )
    request_id, _ = await _service_exception(call)
    assert request_id == "req-invoke-stream"
    assert [line["rpc"] for line in _crash_lines(logs)] == ["InvokeWithResponseStream"]


async def test_gateway_answer_and_daemon_log_share_the_request_id(
    daemon: Daemon, logs: list[MutableMapping[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through the embedded gateway: AWS's ServiceException JSON, whose request id is the
    x-amzn-RequestId header and the daemon's `rpc crashed` line; the next request works."""
    await _create(daemon.in_process_channel())
    real = daemon.registry.get_configuration
    failures: list[Exception] = [RecursionError("maximum recursion depth exceeded")]

    async def failing_once(*args: Any, **kwargs: Any) -> Any:
        if failures:
            raise failures.pop()
        return await real(*args, **kwargs)

    monkeypatch.setattr(daemon.registry, "get_configuration", failing_once)
    runner = web.AppRunner(create_app(daemon.in_process_channel()), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/2015-03-31/functions/f/configuration"
    try:
        async with aiohttp.ClientSession() as session:
            async with session.get(url) as failed:
                body = await failed.json()
                request_id = failed.headers["x-amzn-RequestId"]
                assert failed.status == 500
                assert failed.headers["x-amzn-ErrorType"] == "ServiceException"
            async with session.get(url) as next_call:
                assert next_call.status == 200
                assert (await next_call.json())["FunctionName"] == "f"
    finally:
        await runner.cleanup()
    assert body == {
        "Type": "Service",
        "Message": f"An internal error occurred. Request ID: {request_id}",
    }
    [line] = _crash_lines(logs)
    assert line["request_id"] == request_id
    assert line["error_type"] == "RecursionError"
