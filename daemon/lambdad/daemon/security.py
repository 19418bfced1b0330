"""Securing the gRPC port: TLS server credentials, the bearer-token check and its client side.

The daemon binds loopback by default. Bound elsewhere it can serve TLS (optionally requiring
client certificates signed by a given CA) and/or require ``authorization: Bearer <token>``.
`grpc.health.v1.Health` stays open without a token so container health checks need no
secret; it reveals only SERVING or NOT_SERVING.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import grpc
import grpc.aio
import structlog

from lambdad.client.client import AUTHORIZATION_HEADER, bearer_header
from lambdad.daemon.api.status import to_status
from lambdad.daemon.config import Config
from lambdad.daemon.errors import LambdaError, Reason

log = structlog.get_logger(__name__)

#: Methods callable without a token (prefix match).
OPEN_METHOD_PREFIXES = ("/grpc.health.v1.Health/",)


class SecurityConfigError(ValueError):
    """The TLS/token settings contradict each other or name unreadable files."""


def server_credentials(config: Config) -> grpc.ServerCredentials | None:
    """TLS credentials from the configured PEM files; None serves plaintext."""
    if not config.grpc_tls_cert and not config.grpc_tls_key:
        if config.grpc_tls_client_ca:
            raise SecurityConfigError("grpc_tls_client_ca needs grpc_tls_cert and grpc_tls_key")
        return None
    if not config.grpc_tls_cert or not config.grpc_tls_key:
        raise SecurityConfigError("grpc_tls_cert and grpc_tls_key go together")
    try:
        pair = (Path(config.grpc_tls_key).read_bytes(), Path(config.grpc_tls_cert).read_bytes())
        client_ca = (
            Path(config.grpc_tls_client_ca).read_bytes() if config.grpc_tls_client_ca else None
        )
    except OSError as exc:
        raise SecurityConfigError(f"cannot read TLS file: {exc}") from exc
    return grpc.ssl_server_credentials(
        [pair], root_certificates=client_ca, require_client_auth=client_ca is not None
    )


def is_loopback(host: str) -> bool:
    """Whether binding `host` keeps the port reachable from this machine only."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def warn_if_exposed(config: Config) -> None:
    """Log loudly when the gRPC port is reachable from elsewhere without protection.

    Not an error: compose sidecars bind 0.0.0.0 on a private network on purpose.
    """
    if is_loopback(config.grpc_host):
        return
    tls = bool(config.grpc_tls_cert)
    if not tls and not config.grpc_token:
        log.warning(
            "gRPC port is reachable beyond loopback with neither TLS nor a token: anyone who "
            "can reach it can create and run code",
            grpc_host=config.grpc_host,
            hint="set LAMBDAD_GRPC_TOKEN and/or LAMBDAD_GRPC_TLS_CERT/LAMBDAD_GRPC_TLS_KEY",
        )
    elif not tls:
        log.warning(
            "gRPC bearer token travels in clear text: set LAMBDAD_GRPC_TLS_CERT/KEY unless "
            "the network is private",
            grpc_host=config.grpc_host,
        )


_Handler = grpc.RpcMethodHandler
_Continuation = Callable[[grpc.HandlerCallDetails], Awaitable[_Handler | None]]


class BearerTokenInterceptor(grpc.aio.ServerInterceptor):
    """Rejects calls without ``authorization: Bearer <token>`` with UNAUTHENTICATED."""

    def __init__(self, token: str) -> None:
        if not token:
            raise ValueError("empty token")
        self._expected = bearer_header(token)[1].encode()

    async def intercept_service(
        self, continuation: _Continuation, handler_call_details: grpc.HandlerCallDetails
    ) -> _Handler | None:
        handler = await continuation(handler_call_details)
        method = handler_call_details.method
        if handler is None or method.startswith(OPEN_METHOD_PREFIXES):
            return handler
        presented = [
            value
            for key, value in handler_call_details.invocation_metadata or ()
            if key == AUTHORIZATION_HEADER
        ]
        if not presented:
            return _rejecting(handler, method, "Missing bearer token (authorization metadata).")
        value = presented[0]
        given = value.encode() if isinstance(value, str) else bytes(value)
        # Constant-time: a timing difference must not reveal how much of the token matched.
        if not hmac.compare_digest(given, self._expected):
            return _rejecting(handler, method, "Invalid bearer token.")
        return handler


def _rejecting(handler: _Handler, method: str, message: str) -> _Handler:
    """A handler of the same kind as `handler` that aborts with UNAUTHENTICATED."""
    status = to_status(LambdaError(Reason.UNAUTHENTICATED, message))

    async def abort(request: Any, context: grpc.aio.ServicerContext) -> None:
        log.warning("rpc unauthenticated", rpc=method, peer=context.peer(), message=message)
        await context.abort_with_status(status)

    kinds = {
        (False, False): grpc.unary_unary_rpc_method_handler,
        (False, True): grpc.unary_stream_rpc_method_handler,
        (True, False): grpc.stream_unary_rpc_method_handler,
        (True, True): grpc.stream_stream_rpc_method_handler,
    }
    make = kinds[(handler.request_streaming, handler.response_streaming)]
    return make(  # type: ignore[operator]
        abort,
        request_deserializer=handler.request_deserializer,
        response_serializer=handler.response_serializer,
    )
