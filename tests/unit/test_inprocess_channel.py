"""The in-process channel answers exactly as the network channel does, for the same servicer."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import grpc
import pytest
from grpc_status import rpc_status

from lambdad.daemon.api.status import to_status
from lambdad.daemon.errors import LambdaError, Reason
from lambdad.daemon.inprocess import HandlerRecorder
from lambdad.v1 import invocation_service_pb2 as pb
from lambdad.v1 import invocation_service_pb2_grpc as pb_grpc


class _Servicer(pb_grpc.InvocationServiceServicer):
    """Behaviour chosen by the function name, so one servicer covers every outcome."""

    def __init__(self) -> None:
        self.cancelled = asyncio.Event()

    async def Invoke(self, request: pb.InvokeRequest, context: Any) -> pb.InvokeResponse:
        metadata = dict(context.invocation_metadata())
        name = request.function_name
        if name == "not-found":
            error = LambdaError(Reason.FUNCTION_NOT_FOUND, "Function not found: " + "x" * 300)
            await context.abort_with_status(to_status(error))
        if name == "crash":
            raise RuntimeError("boom")
        if name == "slow":
            try:
                await asyncio.sleep(30)
            except asyncio.CancelledError:
                self.cancelled.set()
                raise
        if name == "set-code":
            context.set_code(grpc.StatusCode.FAILED_PRECONDITION)
            context.set_details("not now")
            return pb.InvokeResponse()
        return pb.InvokeResponse(
            status_code=200,
            payload=request.payload,
            request_id=metadata.get("x-request-id", ""),
        )

    async def StreamLogs(
        self, request: pb.StreamLogsRequest, context: Any
    ) -> AsyncIterator[pb.StreamLogsResponse]:
        for number in range(20):
            yield pb.StreamLogsResponse(message=f"{request.function_name} {number}")
        if request.function_name == "fails-late":
            error = LambdaError(Reason.SERVICE, "stream broke")
            await context.abort_with_status(to_status(error))
        if request.function_name == "endless":
            try:
                while True:
                    await asyncio.sleep(0.01)
                    yield pb.StreamLogsResponse(message="more")
            finally:
                self.cancelled.set()


@pytest.fixture
async def channels() -> AsyncIterator[dict[str, Any]]:
    """The same servicer behind a real server (network) and the in-process channel."""
    servicer = _Servicer()
    server = grpc.aio.server()
    recorder = HandlerRecorder(server)
    pb_grpc.add_InvocationServiceServicer_to_server(servicer, recorder)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    network = grpc.aio.insecure_channel(f"127.0.0.1:{port}")
    try:
        yield {
            "network": pb_grpc.InvocationServiceStub(network),
            "inprocess": pb_grpc.InvocationServiceStub(recorder.channel()),
            "servicer": servicer,
        }
    finally:
        await network.close()
        await server.stop(0)


async def _outcome(call: Any) -> tuple[Any, ...]:
    """What a caller can observe of a unary call: the reply, or code, details, rpc status."""
    try:
        reply = await call
    except grpc.aio.AioRpcError as error:
        status = rpc_status.from_call(error)  # type: ignore[arg-type]
        return ("error", error.code(), error.details(), status)
    return ("ok", reply)


@pytest.mark.parametrize("name", ["echo", "not-found", "crash", "set-code"])
async def test_unary_outcomes_match_the_network(channels: dict[str, Any], name: str) -> None:
    request = pb.InvokeRequest(function_name=name, payload=b'{"a":1}')
    metadata = (("x-request-id", "req-1"),)
    over_network = await _outcome(channels["network"].Invoke(request, metadata=metadata))
    in_process = await _outcome(channels["inprocess"].Invoke(request, metadata=metadata))
    assert in_process == over_network
    if name == "echo":
        assert in_process[1].payload == b'{"a":1}'
        assert in_process[1].request_id == "req-1"
    else:
        assert in_process[0] == "error"


async def test_replies_are_copies_not_the_servicers_objects(channels: dict[str, Any]) -> None:
    request = pb.InvokeRequest(function_name="echo", payload=b"{}")
    reply = await channels["inprocess"].Invoke(request)
    reply.payload = b"changed"
    assert request.payload == b"{}"
    assert isinstance(reply, pb.InvokeResponse)


async def test_deadline_cancels_the_servicer(channels: dict[str, Any]) -> None:
    request = pb.InvokeRequest(function_name="slow")
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await channels["inprocess"].Invoke(request, timeout=0.05)
    assert raised.value.code() is grpc.StatusCode.DEADLINE_EXCEEDED
    await asyncio.wait_for(channels["servicer"].cancelled.wait(), 5)


async def _read_all(call: Any) -> tuple[list[str], Any]:
    messages: list[str] = []
    try:
        while (item := await call.read()) is not grpc.aio.EOF:
            messages.append(item.message)
    except grpc.aio.AioRpcError as error:
        return messages, (error.code(), error.details())
    return messages, None


@pytest.mark.parametrize("name", ["fn", "fails-late"])
async def test_streams_match_the_network(channels: dict[str, Any], name: str) -> None:
    request = pb.StreamLogsRequest(function_name=name)
    over_network = await _read_all(channels["network"].StreamLogs(request))
    in_process = await _read_all(channels["inprocess"].StreamLogs(request))
    assert in_process == over_network
    assert len(in_process[0]) == 20


async def test_cancelling_a_stream_stops_its_producer(channels: dict[str, Any]) -> None:
    call = channels["inprocess"].StreamLogs(pb.StreamLogsRequest(function_name="endless"))
    for _ in range(25):
        assert (await call.read()) is not grpc.aio.EOF
    call.cancel()
    await asyncio.wait_for(channels["servicer"].cancelled.wait(), 5)


async def test_unknown_method_is_unimplemented() -> None:
    recorder = HandlerRecorder(grpc.aio.server())
    stub = pb_grpc.InvocationServiceStub(recorder.channel())  # nothing registered
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await stub.Invoke(pb.InvokeRequest(function_name="x"))
    assert raised.value.code() is grpc.StatusCode.UNIMPLEMENTED
