"""Typed gRPC clients for lambdad: `LambdadClient` (blocking) and `AsyncLambdadClient` (asyncio).

Each RPC of each `lambdad.v1` service is one explicit, typed method named after the RPC in
snake_case, so that editors and mypy see the request and response types. The methods are
generated from the service descriptors at ``buf generate`` time
(``scripts/protoc-gen-lambdad-client`` writes `services_generated.py`); each delegates to
the hand-written transport (`transport.py`), which sends an optional ``x-request-id`` header
and turns a failed RPC into a `LambdadError` subclass through `error_from_rpc`.

Adding an RPC or a service: change the proto and run ``buf generate``.
``tests/unit/test_client.py`` fails until every RPC has a correctly typed method on both
clients.
"""

from lambdad.client.services_generated import AsyncLambdadClient, LambdadClient
from lambdad.client.transport import (
    AUTHORIZATION_HEADER,
    DEFAULT_CHANNEL_OPTIONS,
    MAX_MESSAGE_BYTES,
    REQUEST_ID_HEADER,
    bearer_header,
    channel_options,
    tls_credentials,
)

__all__ = [
    "AUTHORIZATION_HEADER",
    "DEFAULT_CHANNEL_OPTIONS",
    "MAX_MESSAGE_BYTES",
    "REQUEST_ID_HEADER",
    "AsyncLambdadClient",
    "LambdadClient",
    "bearer_header",
    "channel_options",
    "tls_credentials",
]
