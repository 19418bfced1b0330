"""A gRPC channel to servicers in the same process, for the gateway that `lambdad serve` embeds.

Over loopback HTTP/2, a unary call between two halves of one process costs ~0.4-0.7 ms
(framing, the gRPC core's poller thread, two wake-ups of the event loop): a fifth of a warm
invoke. This channel keeps gRPC's contract and drops its transport: requests and responses are
serialized and parsed as on the wire (no object is shared), metadata reaches the servicer,
errors come back as `grpc.aio.AioRpcError` with the same code, details and trailers (so
`grpc_status.rpc_status.from_call` reads the same google.rpc.Status), each call runs in its own
task (its own contextvars, cancellable), and server streams are pulled through a small queue.
Generated stubs take it like any channel, so the gateway's code is the same on both transports;
a gateway run apart from the daemon (`lambdad gateway --daemon`) uses the network.

`HandlerRecorder` sits in front of the real `grpc.aio.Server` during registration and keeps
the method handlers the generated `add_*Servicer_to_server` functions register.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

import grpc
import structlog

__all__ = ["HandlerRecorder", "InProcessChannel"]

log = structlog.get_logger(__name__)

_Metadata = Sequence[tuple[str, str | bytes]]
# Items a server stream may run ahead of its reader (HTTP/2 flow control's stand-in).
_STREAM_BUFFER = 8


class HandlerRecorder:
    """Forwards registrations to `server` and remembers each method's handler."""

    def __init__(
        self,
        server: grpc.aio.Server,
        guard: Callable[[str, grpc.RpcMethodHandler], grpc.RpcMethodHandler] | None = None,
    ) -> None:
        self.server = server
        self.handlers: dict[str, grpc.RpcMethodHandler] = {}
        # What the server's interceptors would add to each handler (this channel skips them).
        self._guard = guard

    def add_generic_rpc_handlers(self, handlers: Sequence[grpc.GenericRpcHandler]) -> None:
        self.server.add_generic_rpc_handlers(handlers)

    def add_registered_method_handlers(
        self, service: str, handlers: dict[str, grpc.RpcMethodHandler]
    ) -> None:
        self.server.add_registered_method_handlers(service, handlers)  # type: ignore[attr-defined]
        for name, handler in handlers.items():
            method = f"/{service}/{name}"
            self.handlers[method] = self._guard(method, handler) if self._guard else handler

    def channel(self) -> InProcessChannel:
        """A channel to every servicer registered so far (and later)."""
        return InProcessChannel(self.handlers)


class _Abort(grpc.aio.AbortError):
    """Raised inside a servicer by `abort`/`abort_with_status`, as grpc.aio does (and of the
    same class, so code that lets an abort through treats both transports alike)."""

    def __init__(self, code: grpc.StatusCode, details: str, trailers: _Metadata) -> None:
        super().__init__(details)
        self.code = code
        self.details = details
        self.trailers = tuple(trailers)


class _Context:
    """The part of `grpc.aio.ServicerContext` a servicer can use in process."""

    def __init__(self, metadata: _Metadata, timeout: float | None) -> None:
        self._metadata = tuple((key.lower(), value) for key, value in metadata)
        self._deadline = None if timeout is None else asyncio.get_running_loop().time() + timeout
        self._code: grpc.StatusCode | None = None
        self._details = ""
        self._trailers: tuple[tuple[str, str | bytes], ...] = ()

    def invocation_metadata(self) -> tuple[tuple[str, str | bytes], ...]:
        return self._metadata

    def peer(self) -> str:
        return "inprocess"

    def time_remaining(self) -> float | None:
        if self._deadline is None:
            return None
        return max(0.0, self._deadline - asyncio.get_running_loop().time())

    def set_code(self, code: grpc.StatusCode) -> None:
        self._code = code

    def set_details(self, details: str) -> None:
        self._details = details

    def set_trailing_metadata(self, metadata: _Metadata) -> None:
        self._trailers = tuple(metadata)

    async def abort(
        self, code: grpc.StatusCode, details: str = "", trailing_metadata: _Metadata = ()
    ) -> None:
        raise _Abort(code, details, trailing_metadata or self._trailers)

    async def abort_with_status(self, status: grpc.Status) -> None:
        raise _Abort(status.code, status.details, status.trailing_metadata)

    def failure(self) -> _Abort | None:
        """The error a servicer set with set_code and then returned normally, if any."""
        if self._code is None or self._code is grpc.StatusCode.OK:
            return None
        return _Abort(self._code, self._details, self._trailers)


def _rpc_error(
    code: grpc.StatusCode, details: str, trailers: _Metadata = ()
) -> grpc.aio.AioRpcError:
    return grpc.aio.AioRpcError(
        code, grpc.aio.Metadata(), grpc.aio.Metadata(*trailers), details=details
    )


def _as_rpc_error(error: BaseException) -> grpc.aio.AioRpcError:
    if isinstance(error, _Abort):
        return _rpc_error(error.code, error.details, error.trailers)
    if isinstance(error, TimeoutError):
        return _rpc_error(grpc.StatusCode.DEADLINE_EXCEEDED, "Deadline Exceeded")
    # grpc.aio logs a servicer's uncaught exception and answers UNKNOWN with this text.
    log.error("servicer raised", exc_info=error)
    return _rpc_error(grpc.StatusCode.UNKNOWN, f"Unexpected {type(error)}: {error}")


class _Wire:
    """One method's handler and the stub's (de)serializers: a message crosses as bytes."""

    def __init__(
        self,
        handlers: dict[str, grpc.RpcMethodHandler],
        method: str,
        serialize: Callable[[Any], bytes] | None,
        deserialize: Callable[[bytes], Any] | None,
    ) -> None:
        self._handlers = handlers
        self._method = method
        self._serialize = serialize or (lambda message: message)
        self._deserialize = deserialize or (lambda data: data)

    def handler(self) -> Any:  # grpc.RpcMethodHandler, whose stubs type the behaviours loosely
        handler = self._handlers.get(self._method)
        if handler is None:
            raise _rpc_error(grpc.StatusCode.UNIMPLEMENTED, "Method not found!")
        return handler

    def request(self, handler: grpc.RpcMethodHandler, message: Any) -> Any:
        data = self._serialize(message)
        parse = handler.request_deserializer
        return parse(data) if parse is not None else data

    def response(self, handler: grpc.RpcMethodHandler, message: Any) -> Any:
        write = handler.response_serializer
        return self._deserialize(write(message) if write is not None else message)


class _Method:
    """A stub's multi-callable: `stub.Rpc(request, timeout=..., metadata=...)`."""

    def __init__(self, wire: _Wire) -> None:
        self._wire = wire

    def __call__(
        self,
        request: Any,
        *,
        timeout: float | None = None,
        metadata: _Metadata | None = None,
        **_: Any,
    ) -> Any:
        return self._start(request, timeout, metadata or ())

    def _start(self, request: Any, timeout: float | None, metadata: _Metadata) -> Any:
        raise NotImplementedError


class _UnaryUnary(_Method):
    async def _start(self, request: Any, timeout: float | None, metadata: _Metadata) -> Any:
        handler = self._wire.handler()
        context = _Context(metadata, timeout)
        # Its own task: the servicer binds its own log context and can be cancelled alone.
        task = asyncio.ensure_future(
            handler.unary_unary(self._wire.request(handler, request), context)
        )
        try:
            # Cancelling this call, or its deadline passing, cancels the servicer's task.
            response = await asyncio.wait_for(task, timeout)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # noqa: BLE001 - becomes the caller's AioRpcError
            raise _as_rpc_error(error) from None
        failure = context.failure()
        if failure is not None:
            raise _as_rpc_error(failure)
        return self._wire.response(handler, response)


class _StreamCall:
    """The reader side of a server stream: `read()` until `grpc.aio.EOF`, `cancel()`."""

    def __init__(self, wire: _Wire, request: Any, metadata: _Metadata, timeout: float | None):
        self._wire = wire
        self._queue: asyncio.Queue[Any] = asyncio.Queue(_STREAM_BUFFER)
        self._producer = asyncio.ensure_future(self._produce(request, metadata, timeout))

    async def _produce(self, request: Any, metadata: _Metadata, timeout: float | None) -> None:
        try:
            handler = self._wire.handler()
            context = _Context(metadata, timeout)
            messages: AsyncIterator[Any] = handler.unary_stream(
                self._wire.request(handler, request), context
            )
            async with asyncio.timeout(timeout):
                async for message in messages:
                    await self._queue.put(self._wire.response(handler, message))
            failure = context.failure()
            await self._queue.put(failure if failure is None else _as_rpc_error(failure))
        except asyncio.CancelledError:
            raise
        except grpc.aio.AioRpcError as error:
            await self._queue.put(error)
        except Exception as error:  # noqa: BLE001 - handed to the reader as AioRpcError
            await self._queue.put(_as_rpc_error(error))

    async def read(self) -> Any:
        item = await self._queue.get()
        if item is None:
            self._queue.put_nowait(None)  # later reads see the end too
            return grpc.aio.EOF
        if isinstance(item, grpc.aio.AioRpcError):
            self._queue.put_nowait(item)
            raise item
        return item

    def __aiter__(self) -> AsyncIterator[Any]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[Any]:
        while (item := await self.read()) is not grpc.aio.EOF:
            yield item

    def cancel(self) -> bool:
        return self._producer.cancel()

    def done(self) -> bool:
        return self._producer.done()


class _UnaryStream(_Method):
    def _start(self, request: Any, timeout: float | None, metadata: _Metadata) -> _StreamCall:
        return _StreamCall(self._wire, request, metadata, timeout)


class InProcessChannel:
    """What generated stubs need of a `grpc.aio.Channel`, served by recorded handlers."""

    def __init__(self, handlers: dict[str, grpc.RpcMethodHandler]) -> None:
        self._handlers = handlers

    def _wire(self, method: str, options: dict[str, Any]) -> _Wire:
        # Stubs pass request_serializer=, response_deserializer= and _registered_method=.
        serialize = options.get("request_serializer")
        return _Wire(self._handlers, method, serialize, options.get("response_deserializer"))

    def unary_unary(self, method: str, **options: Any) -> _UnaryUnary:
        return _UnaryUnary(self._wire(method, options))

    def unary_stream(self, method: str, **options: Any) -> _UnaryStream:
        return _UnaryStream(self._wire(method, options))

    def stream_unary(self, method: str, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"client streams are not served in process: {method}")

    stream_stream = stream_unary

    async def close(self, grace: float | None = None) -> None:
        """Nothing to release; here for the Channel interface."""

    async def __aenter__(self) -> InProcessChannel:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
