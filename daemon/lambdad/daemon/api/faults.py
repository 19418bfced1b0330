"""One guard around every RPC handler: a fault never escapes as anything but AWS's error.

grpc.aio answers a servicer's uncaught exception with UNKNOWN and the exception's text, and
the gateway would show that as a bare 500. The guard turns a `LambdaError` into its status
and anything else into a ServiceException (INTERNAL, ErrorInfo reason SERVICE) whose message
names the request id that the log line carries, so the fault can be found. The guard holds
no state across calls: the next call runs exactly as if the fault had not happened.

It is applied once per handler, by `FaultInterceptor` for calls over the network and by
`HandlerRecorder` (see inprocess.py) for the embedded gateway's in-process channel, and it
covers unary and streaming handlers alike.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import grpc
import grpc.aio
import structlog

from lambdad.client.contract import REQUEST_ID_HEADER
from lambdad.daemon.api.status import to_status
from lambdad.daemon.errors import LambdaError, Reason

log = structlog.get_logger(__name__)

REQUEST_ID_METADATA = REQUEST_ID_HEADER

_Handler = grpc.RpcMethodHandler
_Continuation = Callable[[grpc.HandlerCallDetails], Awaitable[_Handler | None]]


def service_fault(request_id: str) -> LambdaError:
    """The ServiceException a caller gets for a fault of ours; details stay in the log."""
    return LambdaError(
        Reason.SERVICE,
        f"An internal error occurred. Request ID: {request_id}",
        metadata={"request_id": request_id},
    )


def _request_id(context: grpc.aio.ServicerContext) -> str:
    for key, value in context.invocation_metadata() or ():
        if key == REQUEST_ID_METADATA and isinstance(value, str) and value:
            return value
    # A direct gRPC caller sent none; the fault's log line still needs one to be found by.
    return str(uuid.uuid4())


async def _fail(
    context: grpc.aio.ServicerContext, method: str, request_id: str, error: Exception
) -> None:
    """Answer `error` (raised by the handler) with its status; aborting raises."""
    if isinstance(error, LambdaError):
        log.info("rpc failed", reason=error.reason.value, message=error.message)
        await context.abort_with_status(to_status(error))
    log.error(
        "rpc crashed",
        rpc_method=method,
        request_id=request_id,
        error_type=type(error).__name__,
        exc_info=error,
    )
    await context.abort_with_status(to_status(service_fault(request_id)))


def _is_abort(error: BaseException) -> bool:
    # `context.abort*` raises AbortError (grpc.aio) or a subclass (the in-process channel's):
    # that is the answer already chosen, not a fault.
    return isinstance(error, grpc.aio.AbortError)


def _bind(context: grpc.aio.ServicerContext, method: str) -> str:
    request_id = _request_id(context)
    # Each RPC runs in its own task, so this context is the call's alone.
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(rpc=method.rsplit("/", 1)[-1], request_id=request_id)
    return request_id


def _guard_unary(method: str, behaviour: Callable[..., Awaitable[Any]]) -> Callable[..., Any]:
    async def guarded(request: Any, context: grpc.aio.ServicerContext) -> Any:
        request_id = _bind(context, method)
        try:
            result = behaviour(request, context)
            # grpc.aio accepts plain functions as behaviours too (health, reflection).
            return await result if inspect.isawaitable(result) else result
        except asyncio.CancelledError:
            raise
        except Exception as error:
            if _is_abort(error):
                raise
            await _fail(context, method, request_id, error)
            raise  # not reached: _fail aborts

    return guarded


def _guard_stream(method: str, behaviour: Callable[..., Any]) -> Callable[..., Any]:
    async def guarded(request: Any, context: grpc.aio.ServicerContext) -> AsyncIterator[Any]:
        request_id = _bind(context, method)
        try:
            produced = behaviour(request, context)
            if inspect.isawaitable(produced):
                await produced  # a behaviour that answers through context.write()
            elif hasattr(produced, "__aiter__"):
                async for item in produced:
                    yield item
            else:
                for item in produced:
                    yield item
        except asyncio.CancelledError:
            raise
        except Exception as error:
            if _is_abort(error):
                raise
            await _fail(context, method, request_id, error)
            raise  # not reached: _fail aborts

    return guarded


_Wrap = Callable[[Callable[..., Any]], Callable[..., Any]]


def rewrap_handler(handler: _Handler, unary: _Wrap, stream: _Wrap) -> _Handler:
    """`handler` with its behaviour passed through `unary` or `stream` (by its kind), same
    (de)serializers: how a server interceptor puts code around an RPC."""
    if handler.request_streaming:
        # lambdad has no client-streaming RPC; such handlers pass through unchanged.
        return handler
    serializers = {
        "request_deserializer": handler.request_deserializer,
        "response_serializer": handler.response_serializer,
    }
    if handler.response_streaming:
        assert handler.unary_stream is not None
        return grpc.unary_stream_rpc_method_handler(stream(handler.unary_stream), **serializers)
    assert handler.unary_unary is not None
    return grpc.unary_unary_rpc_method_handler(unary(handler.unary_unary), **serializers)


def guard_handler(method: str, handler: _Handler) -> _Handler:
    """`handler` with each of its behaviours guarded (same kind, same (de)serializers)."""
    return rewrap_handler(
        handler,
        functools.partial(_guard_unary, method),
        functools.partial(_guard_stream, method),
    )


class FaultInterceptor(grpc.aio.ServerInterceptor):
    """Guards every handler the server resolves (see `guard_handler`)."""

    async def intercept_service(
        self, continuation: _Continuation, handler_call_details: grpc.HandlerCallDetails
    ) -> _Handler | None:
        handler = await continuation(handler_call_details)
        if handler is None:
            return None
        return guard_handler(handler_call_details.method, handler)
