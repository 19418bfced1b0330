"""Serving function URLs: HTTP in, one InvokeFunctionUrl call out.

The gateway finds the URL id (`lambdad.gateway.urls`), checks the body's size and hands the
request to the daemon, which authorises it, invokes the function and interprets the result
(`services/function_urls.py`); this module writes the answer's head and body back, chunk by
chunk for RESPONSE_STREAM URLs. The gateway keeps no state.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import grpc
import structlog
from aiohttp import http_exceptions, web
from multidict import CIMultiDict

from lambdad.client.contract import (
    AWS_ERROR_TYPE_HEADER,
    AWS_REQUEST_ID_HEADER,
    REQUEST_ID_HEADER,
    SYNC_PAYLOAD_MAX_BYTES,
)
from lambdad.gateway import rpc_errors, urls
from lambdad.gateway.routes import TRACE_HEADER
from lambdad.v1 import url_service_pb2 as us
from lambdad.v1 import url_service_pb2_grpc as us_grpc

log = structlog.get_logger(__name__)

# AWS's limit on a synchronous invocation's request.
MAX_REQUEST_BYTES = SYNC_PAYLOAD_MAX_BYTES
_REQUEST_ID_HEADER = AWS_REQUEST_ID_HEADER


def _access_denied(message: str | None) -> web.Response:
    # AWS answers an unknown URL id with `{"Message":null}` and a refused one with its
    # Forbidden text.
    return web.Response(
        status=403,
        body=json.dumps({"Message": message or None}, separators=(",", ":")).encode(),
        headers={
            "Content-Type": "application/json",
            AWS_ERROR_TYPE_HEADER: "AccessDeniedException",
        },
    )


def _error_answer(error: grpc.aio.AioRpcError) -> web.Response:
    return rpc_errors.json_answer(rpc_errors.error_from_rpc(error))


def _headers(pairs: list[tuple[str, str]]) -> CIMultiDict[str]:
    headers: CIMultiDict[str] = CIMultiDict()
    for name, value in pairs:
        headers.add(name, value)
    return headers


class FunctionUrlServer:
    """Answers requests addressed to function URLs."""

    def __init__(self, channel: grpc.aio.Channel) -> None:
        self._urls = us_grpc.UrlServiceStub(channel)

    async def handle(self, request: web.Request, address: urls.UrlAddress) -> web.StreamResponse:
        """Answer one function URL request; never raises for anything the client sent."""
        request_id = str(uuid.uuid4())
        started = time.perf_counter()
        with structlog.contextvars.bound_contextvars(
            request_id=request_id, operation="FunctionUrl", url_id=address.url_id
        ):
            try:
                response = await self._serve(request, address, request_id)
            except ConnectionError:
                raise  # the client went away mid-request: nobody is left to answer
            except Exception:
                log.exception("unhandled error serving a function url")
                response = web.Response(status=500, text="Internal Server Error")
            if not response.prepared:
                response.headers.setdefault(_REQUEST_ID_HEADER, request_id)
            log.info(
                "function url request",
                method=request.method,
                path=address.raw_path,
                status=response.status,
                ms=round((time.perf_counter() - started) * 1000, 1),
            )
        return response

    async def _serve(
        self, request: web.Request, address: urls.UrlAddress, request_id: str
    ) -> web.StreamResponse:
        if request.content_length is not None and request.content_length > MAX_REQUEST_BYTES:
            return web.Response(status=413, text="Request Entity Too Large")
        try:
            body = await request.read()
        except (web.RequestPayloadError, http_exceptions.HttpProcessingError):
            # Broken chunking or an undecodable Content-Encoding: the client's fault.
            return web.Response(status=400, text="Bad Request")
        if len(body) > MAX_REQUEST_BYTES:
            return web.Response(status=413, text="Request Entity Too Large")
        call = self._urls.InvokeFunctionUrl(
            us.InvokeFunctionUrlRequest(
                url_id=address.url_id,
                method=request.method,
                raw_path=request.rel_url.raw_path,
                function_path=address.raw_path,
                raw_query=request.rel_url.raw_query_string,
                headers=[
                    us.HttpHeader(name=k.decode("latin-1"), value=v.decode("latin-1"))
                    for k, v in request.raw_headers
                ],
                body=body,
                source_ip=request.remote or "127.0.0.1",
                protocol=f"HTTP/{request.version.major}.{request.version.minor}",
                path_form=address.path_form,
                host=request.headers.get("Host", ""),
                trace_header=request.headers.get(TRACE_HEADER, ""),
            ),
            metadata=((REQUEST_ID_HEADER, request_id),),
        )
        try:
            return await self._answer(request, call)
        finally:
            call.cancel()

    async def _answer(
        self,
        request: web.Request,
        call: Any,  # the stub's UnaryStreamCall of InvokeFunctionUrlResponse (untyped stubs)
    ) -> web.StreamResponse:
        """Write out the daemon's answer: a head, then the body (as it comes when streamed)."""
        try:
            first = await call.read()
        except grpc.aio.AioRpcError as error:
            if error.code() == grpc.StatusCode.PERMISSION_DENIED:
                return _access_denied(error.details())
            return _error_answer(error)
        if first is grpc.aio.EOF or first.WhichOneof("part") != "head":
            return urls_error_response()
        head = first.head
        headers = _headers([(h.name, h.value) for h in head.headers])
        if head.request_id:
            headers[_REQUEST_ID_HEADER] = head.request_id
        if not head.streamed:
            body = b""
            while True:
                try:
                    item = await call.read()
                except grpc.aio.AioRpcError as error:
                    return _error_answer(error)
                if item is grpc.aio.EOF:
                    break
                body += item.body
            return web.Response(status=head.status, body=body, headers=headers)
        response = web.StreamResponse(status=head.status, headers=headers)
        response.enable_chunked_encoding()
        await response.prepare(request)
        while True:
            try:
                item = await call.read()
            except grpc.aio.AioRpcError as error:
                log.warning("streamed url invocation failed", code=error.code().name)
                break
            if item is grpc.aio.EOF:
                break
            await response.write(item.body)
        try:
            await response.write_eof()
        except ConnectionError:
            log.info("client went away during a streamed url response")
        return response


def urls_error_response() -> web.Response:
    """The 502 a failed function gets."""
    return web.Response(
        status=502, body=b"Internal Server Error", headers={"Content-Type": "application/json"}
    )
