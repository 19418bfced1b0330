"""Serving function URLs: HTTP in, ResolveFunctionUrl + Invoke(WithResponseStream) out.

The rules (event shape, response interpretation, CORS) live in `lambdad.gateway.urls`; this
module only does the I/O around them. The gateway keeps no state: every request asks the
daemon which function the URL id names and whether the request is authorised.
"""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

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
from lambdad.gateway import rpc_errors, translate, urls
from lambdad.gateway.routes import TRACE_HEADER
from lambdad.v1 import invocation_service_pb2 as inv
from lambdad.v1 import invocation_service_pb2_grpc as inv_grpc
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
        self._invocations = inv_grpc.InvocationServiceStub(channel)

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
        lower_headers = {k.lower(): v for k, v in request.headers.items()}
        preflight = urls.is_preflight(request.method, lower_headers)
        raw_headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.raw_headers]
        metadata = ((REQUEST_ID_HEADER, request_id),)
        try:
            target = await self._urls.ResolveFunctionUrl(
                us.ResolveFunctionUrlRequest(
                    url_id=address.url_id,
                    method=request.method,
                    raw_path=request.rel_url.raw_path,
                    raw_query=request.rel_url.raw_query_string,
                    headers=[us.HttpHeader(name=k, value=v) for k, v in raw_headers],
                    body=body,
                    preflight=preflight,
                ),
                metadata=metadata,
            )
        except grpc.aio.AioRpcError as error:
            if error.code() == grpc.StatusCode.PERMISSION_DENIED:
                return _access_denied(error.details())
            return _error_answer(error)
        config = target.config
        cors = translate.message_to_aws(config.cors) if config.HasField("cors") else None
        origin = lower_headers.get("origin", "")
        if preflight:
            return web.Response(
                status=200, headers=_headers(urls.preflight_headers(cors, lower_headers))
            )

        iam = translate.message_to_aws(target.iam) if target.HasField("iam") else None
        host = request.headers.get("Host", "")
        # The path form has no URL host of its own: the function sees the host-style name
        # (`<id>.lambda-url.<region>.<host>`), the shape AWS's domainName has.
        region = config.function_arn.split(":")[3]
        domain = (
            _host_style_domain(address.url_id, region, config.function_url)
            if address.path_form
            else host.split(":")[0]
        )
        event = urls.request_event(
            urls.UrlRequest(
                method=request.method,
                raw_path=address.raw_path,
                raw_query=request.rel_url.raw_query_string,
                headers=raw_headers,
                body=body,
                source_ip=request.remote or "127.0.0.1",
                protocol=f"HTTP/{request.version.major}.{request.version.minor}",
            ),
            urls.UrlContext(
                url_id=address.url_id,
                region=region,
                domain_name=domain,
                account_id=target.account_id if iam else "anonymous",
                request_id=request_id,
                time=datetime.now(UTC),
                iam=(
                    {
                        "accessKey": iam.get("AccessKey", ""),
                        "accountId": iam.get("AccountId", ""),
                        "callerId": iam.get("CallerId", ""),
                        "principalOrgId": None,
                        "userArn": iam.get("UserArn", ""),
                        "userId": iam.get("UserId", ""),
                    }
                    if iam
                    else None
                ),
            ),
        )
        payload = json.dumps(event, separators=(",", ":")).encode()
        if config.invoke_mode == "RESPONSE_STREAM":
            return await self._stream(request, target, payload, metadata, cors, origin)
        try:
            reply = await self._invocations.Invoke(
                inv.InvokeRequest(
                    function_name=target.function_name,
                    qualifier=target.qualifier,
                    payload=payload,
                    trace_id=request.headers.get(TRACE_HEADER, ""),
                ),
                metadata=metadata,
            )
        except grpc.aio.AioRpcError as error:
            return _error_answer(error)
        answer = urls.buffered_response(reply.payload, reply.function_error)
        headers = _headers(urls.with_cors(answer.headers, cors, origin))
        headers[_REQUEST_ID_HEADER] = reply.request_id or request_id
        return web.Response(status=answer.status, body=answer.body, headers=headers)

    async def _stream(
        self,
        request: web.Request,
        target: us.ResolveFunctionUrlResponse,
        payload: bytes,
        metadata: tuple[tuple[str, str], ...],
        cors: dict[str, Any] | None,
        origin: str,
    ) -> web.StreamResponse:
        """RESPONSE_STREAM: write chunks to the client as the function produces them."""
        call = self._invocations.InvokeWithResponseStream(
            inv.InvokeWithResponseStreamRequest(
                function_name=target.function_name,
                qualifier=target.qualifier,
                payload=payload,
                trace_id=request.headers.get(TRACE_HEADER, ""),
            ),
            metadata=metadata,
        )
        try:
            try:
                first = await call.read()
            except grpc.aio.AioRpcError as error:
                return _error_answer(error)
            if first is grpc.aio.EOF or first.WhichOneof("event") != "start":
                return urls_error_response()
            content_type = first.start.content_type
            integration = content_type.startswith(urls.HTTP_INTEGRATION_CONTENT_TYPE)
            request_id = first.start.request_id
            buffer = b""
            response: web.StreamResponse | None = None

            async def begin(status: int, headers: list[tuple[str, str]]) -> web.StreamResponse:
                answer = web.StreamResponse(
                    status=status, headers=_headers(urls.with_cors(headers, cors, origin))
                )
                if request_id:
                    answer.headers[_REQUEST_ID_HEADER] = request_id
                answer.enable_chunked_encoding()
                await answer.prepare(request)
                return answer

            plain_headers = [("Content-Type", content_type or "application/octet-stream")]
            while True:
                try:
                    item = await call.read()
                except grpc.aio.AioRpcError as error:
                    log.warning("streamed url invocation failed", code=error.code().name)
                    if response is None:
                        return _error_answer(error)
                    break
                if item is grpc.aio.EOF:
                    break
                kind = item.WhichOneof("event")
                if kind == "payload_chunk":
                    data = item.payload_chunk.payload
                    if response is None and not integration:
                        # Headers wait for the first chunk, so an early failure is still a 502.
                        response = await begin(200, plain_headers)
                    if response is None:
                        buffer += data
                        parts = urls.split_prelude(buffer)
                        if parts is None and len(buffer) <= urls.MAX_PRELUDE_BYTES:
                            continue
                        if parts is None:
                            prelude, rest = urls.StreamPrelude(), buffer
                        else:
                            prelude, rest = urls.parse_prelude(parts[0]), parts[1]
                        response = await begin(prelude.status, prelude.headers)
                        data = rest
                    if data:
                        await response.write(data)
                elif kind == "invoke_complete":
                    if item.invoke_complete.error_code and response is None:
                        return urls_error_response(cors, origin)
                    break
            if response is None and not integration:
                response = await begin(200, plain_headers)
            if response is None:
                # The function ended without a complete prelude.
                prelude = urls.parse_prelude(buffer) if buffer else urls.StreamPrelude()
                response = await begin(prelude.status, prelude.headers)
            try:
                await response.write_eof()
            except ConnectionError:
                log.info("client went away during a streamed url response")
            return response
        finally:
            call.cancel()


def urls_error_response(cors: dict[str, Any] | None = None, origin: str = "") -> web.Response:
    """The 502 a failed function gets."""
    answer = urls.function_error_response()
    return web.Response(
        status=answer.status,
        body=answer.body,
        headers=_headers(urls.with_cors(answer.headers, cors, origin)),
    )


def _host_style_domain(url_id: str, region: str, function_url: str) -> str:
    """`<id>.lambda-url.<region>.<host>` for a path-form request; `host` is the FunctionUrl's
    own host when that is already host style, else its host name."""
    hostname = urlsplit(function_url).hostname or "localhost"
    marker = f"{url_id}.lambda-url.{region}."
    return hostname if hostname.startswith(marker) else marker + hostname
