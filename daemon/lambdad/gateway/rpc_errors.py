"""A failed gRPC call as an AWS error answer: the gateway's one fallback.

The daemon's errors carry a google.rpc.Status with an ErrorInfo (`translate.error_from_status`
reads the reason). A call that failed without one (the daemon crashed, was unreachable, or its
trailers contradict the call's code) is a ServiceException with the call's details.
"""

from __future__ import annotations

import json

import grpc
import grpc.aio
from aiohttp import web
from grpc_status import rpc_status

from lambdad.gateway import translate


def error_from_rpc(
    error: grpc.aio.AioRpcError, *, unavailable_message: str | None = None
) -> translate.ErrorResponse:
    """The AWS error for a failed call; `unavailable_message`, when given, replaces the
    details of an UNAVAILABLE call that has no status of the daemon's."""
    try:
        # AioRpcError has the code/details/trailing_metadata that from_call reads.
        status = rpc_status.from_call(error)  # type: ignore[arg-type]
    except ValueError:
        # The trailers disagree with the call's code; treat the answer as a daemon fault.
        status = None
    if status is not None:
        return translate.error_from_status(status)
    if unavailable_message is not None and error.code() == grpc.StatusCode.UNAVAILABLE:
        return translate.service_error(unavailable_message)
    return translate.service_error(error.details() or "")


def json_answer(error: translate.ErrorResponse) -> web.Response:
    """An AWS error answer as an HTTP response with a JSON body."""
    return web.Response(
        status=error.status,
        body=json.dumps(error.body, separators=(",", ":")).encode(),
        headers=dict(error.headers),
    )
