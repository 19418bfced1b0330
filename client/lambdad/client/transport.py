"""The hand-written half of the typed clients: channels, metadata, calls and error mapping.

`BlockingTransport` and `AsyncTransport` own a channel and turn one RPC into one call
(`_call` for unary, `_stream` for server-streaming RPCs), sending the optional request id and
bearer token and raising a `LambdadError` subclass through `error_from_rpc`. The per-RPC
methods of `LambdadClient` and `AsyncLambdadClient` are generated on top of them
(`services_generated.py`, by ``scripts/protoc-gen-lambdad-client`` at ``buf generate`` time).
"""

from collections.abc import AsyncIterator, Iterator, Sequence
from pathlib import Path
from typing import Any, Generic, Self, TypeVar

import grpc
import grpc.aio
from google.protobuf.message import Message

from lambdad.client.contract import AUTHORIZATION_HEADER, REQUEST_ID_HEADER
from lambdad.client.errors import error_from_rpc

__all__ = [
    "AUTHORIZATION_HEADER",
    "DEFAULT_CHANNEL_OPTIONS",
    "MAX_MESSAGE_BYTES",
    "REQUEST_ID_HEADER",
    "AsyncTransport",
    "BlockingTransport",
    "bearer_header",
    "bearer_token_interceptors",
    "channel_options",
    "tls_credentials",
]

_ResponseT = TypeVar("_ResponseT", bound=Message)
_ChannelOptions = Sequence[tuple[str, Any]]
_ChannelT = TypeVar("_ChannelT", grpc.Channel, grpc.aio.Channel)


def _serialize(message: Message) -> bytes:
    return message.SerializeToString()


def bearer_header(token: str) -> tuple[str, str]:
    """The metadata entry that carries the daemon's bearer `token`."""
    return (AUTHORIZATION_HEADER, f"Bearer {token}")


def bearer_token_interceptors(token: str) -> list[grpc.aio.ClientInterceptor]:
    """Interceptors for a grpc.aio channel (the gateway's): the bearer token on every call.

    One object per call kind: grpc.aio files an interceptor under the first kind it matches
    only, so one class implementing both would never see server-streaming calls.
    """
    header = bearer_header(token)
    return [_UnaryUnaryToken(header), _UnaryStreamToken(header)]


def _with_header(
    details: grpc.aio.ClientCallDetails, header: tuple[str, str]
) -> grpc.aio.ClientCallDetails:
    metadata = grpc.aio.Metadata(*tuple(details.metadata or ()), header)
    return grpc.aio.ClientCallDetails(
        details.method, details.timeout, metadata, details.credentials, details.wait_for_ready
    )


class _UnaryUnaryToken(grpc.aio.UnaryUnaryClientInterceptor):
    def __init__(self, header: tuple[str, str]) -> None:
        self._header = header

    async def intercept_unary_unary(
        self, continuation: Any, client_call_details: grpc.aio.ClientCallDetails, request: Any
    ) -> Any:
        return await continuation(_with_header(client_call_details, self._header), request)


class _UnaryStreamToken(grpc.aio.UnaryStreamClientInterceptor):
    def __init__(self, header: tuple[str, str]) -> None:
        self._header = header

    async def intercept_unary_stream(
        self, continuation: Any, client_call_details: grpc.aio.ClientCallDetails, request: Any
    ) -> Any:
        return await continuation(_with_header(client_call_details, self._header), request)


def _metadata(request_id: str | None, token: str | None) -> tuple[tuple[str, str], ...] | None:
    headers: list[tuple[str, str]] = []
    if request_id is not None:
        headers.append((REQUEST_ID_HEADER, request_id))
    if token:
        headers.append(bearer_header(token))
    return tuple(headers) or None


def tls_credentials(
    *,
    ca_cert: str | Path | None = None,
    client_cert: str | Path | None = None,
    client_key: str | Path | None = None,
) -> grpc.ChannelCredentials:
    """TLS credentials from PEM files: ``ca_cert`` (default: the system roots) verifies the
    daemon; ``client_cert`` and ``client_key`` (both or neither) are presented for mTLS."""
    if (client_cert is None) != (client_key is None):
        raise ValueError("client_cert and client_key go together")
    return grpc.ssl_channel_credentials(
        root_certificates=Path(ca_cert).read_bytes() if ca_cert else None,
        private_key=Path(client_key).read_bytes() if client_key else None,
        certificate_chain=Path(client_cert).read_bytes() if client_cert else None,
    )


# AWS messages can be long (validation errors quote the offending value, the 4 KB environment
# error quotes every variable) and travel twice in the trailers (grpc-message and the Status
# details), far past gRPC's default 8 KB metadata limit. Messages carry up to ~70 MB of zip.
MAX_MESSAGE_BYTES = 80 << 20
DEFAULT_CHANNEL_OPTIONS: tuple[tuple[str, int], ...] = (
    ("grpc.max_metadata_size", MAX_MESSAGE_BYTES),
    ("grpc.absolute_max_metadata_size", MAX_MESSAGE_BYTES),
    ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
    ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
)


def channel_options(options: _ChannelOptions | None = None) -> list[tuple[str, Any]]:
    """lambdad's channel defaults, overridden by `options`."""
    merged = dict(DEFAULT_CHANNEL_OPTIONS)
    merged.update(dict(options or ()))
    return list(merged.items())


class _Transport(Generic[_ChannelT]):
    """What both transports share: the channel, the bearer token and how a channel opens."""

    def __init__(self, channel: _ChannelT, *, token: str | None = None) -> None:
        self._channel: _ChannelT = channel
        # Sent as `authorization: Bearer <token>` on every call (also over plaintext).
        self._token = token

    @classmethod
    def connect(
        cls,
        target: str,
        *,
        credentials: grpc.ChannelCredentials | None = None,
        token: str | None = None,
        options: _ChannelOptions | None = None,
    ) -> Self:
        """Open a channel to ``target`` (``host:port``), with TLS when given ``credentials``
        (see `tls_credentials`) and a bearer ``token`` when the daemon requires one."""
        return cls(cls._open(target, credentials, channel_options(options)), token=token)

    @classmethod
    def _open(
        cls, target: str, credentials: grpc.ChannelCredentials | None, options: _ChannelOptions
    ) -> _ChannelT:
        raise NotImplementedError

    @property
    def channel(self) -> _ChannelT:
        """The underlying channel."""
        return self._channel


class BlockingTransport(_Transport[grpc.Channel]):
    """A blocking channel and the one way an RPC is called on it (base of `LambdadClient`)."""

    @classmethod
    def _open(
        cls, target: str, credentials: grpc.ChannelCredentials | None, options: _ChannelOptions
    ) -> grpc.Channel:
        if credentials is None:
            return grpc.insecure_channel(target, options)
        return grpc.secure_channel(target, credentials, options)

    def close(self) -> None:
        """Close the channel; calls in flight are cancelled."""
        self._channel.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _call(
        self,
        method: str,
        request: Message,
        response_type: type[_ResponseT],
        timeout: float | None,
        request_id: str | None,
    ) -> _ResponseT:
        rpc = self._channel.unary_unary(
            method,
            request_serializer=_serialize,
            response_deserializer=response_type.FromString,
        )
        try:
            return rpc(request, timeout=timeout, metadata=_metadata(request_id, self._token))
        except grpc.RpcError as exc:
            raise error_from_rpc(exc) from exc

    def _stream(
        self,
        method: str,
        request: Message,
        response_type: type[_ResponseT],
        timeout: float | None,
        request_id: str | None,
    ) -> Iterator[_ResponseT]:
        # For server-streaming RPCs. The call starts on the first next(); leaving the loop
        # early cancels it, so the daemon stops producing.
        rpc = self._channel.unary_stream(
            method,
            request_serializer=_serialize,
            response_deserializer=response_type.FromString,
        )
        call = rpc(request, timeout=timeout, metadata=_metadata(request_id, self._token))
        try:
            yield from call
        except grpc.RpcError as exc:
            raise error_from_rpc(exc) from exc
        finally:
            call.cancel()


class AsyncTransport(_Transport[grpc.aio.Channel]):
    """An asyncio channel and the one way an RPC is called on it (base of
    `AsyncLambdadClient`)."""

    @classmethod
    def _open(
        cls, target: str, credentials: grpc.ChannelCredentials | None, options: _ChannelOptions
    ) -> grpc.aio.Channel:
        if credentials is None:
            return grpc.aio.insecure_channel(target, options)
        return grpc.aio.secure_channel(target, credentials, options)

    async def close(self, grace: float | None = None) -> None:
        """Close the channel, letting calls in flight finish for up to ``grace`` seconds."""
        await self._channel.close(grace)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def _call(
        self,
        method: str,
        request: Message,
        response_type: type[_ResponseT],
        timeout: float | None,
        request_id: str | None,
    ) -> _ResponseT:
        rpc = self._channel.unary_unary(
            method,
            request_serializer=_serialize,
            response_deserializer=response_type.FromString,
        )
        try:
            return await rpc(request, timeout=timeout, metadata=_metadata(request_id, self._token))
        except grpc.RpcError as exc:
            raise error_from_rpc(exc) from exc

    async def _stream(
        self,
        method: str,
        request: Message,
        response_type: type[_ResponseT],
        timeout: float | None,
        request_id: str | None,
    ) -> AsyncIterator[_ResponseT]:
        # For server-streaming RPCs; see LambdadClient._stream.
        rpc = self._channel.unary_stream(
            method,
            request_serializer=_serialize,
            response_deserializer=response_type.FromString,
        )
        call = rpc(request, timeout=timeout, metadata=_metadata(request_id, self._token))
        try:
            async for response in call:
                yield response
        except grpc.RpcError as exc:
            raise error_from_rpc(exc) from exc
        finally:
            call.cancel()
