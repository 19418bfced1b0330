"""Serving one function URL request: authorise, build the event, invoke, interpret the result.

The gateway hands the HTTP request over whole (`InvokeFunctionUrl`) and writes out what this
yields: an `HttpHead`, then the body as bytes. The rules (event shape, response
interpretation, CORS) are `domain/url_http.py`; authorisation is `FunctionUrlRegistry`.
A `LambdaError` raised before the head is the call's status, as Invoke's would be.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from lambdad.daemon.domain import url_http
from lambdad.daemon.domain.url_http import HttpHead
from lambdad.daemon.domain.urls import FunctionUrlRegistry, HttpRequestParts, UrlTarget
from lambdad.daemon.runtime.environment import InvocationResult
from lambdad.daemon.services.invocations import Invocation, InvocationService

# What a streamed invocation's result is split into when it was not written as a stream.
STREAM_CHUNK = 64 * 1024
_OCTET_STREAM = "application/octet-stream"


@dataclass(frozen=True)
class UrlHttpRequest:
    """An HTTP request to a function URL as the gateway received it."""

    url_id: str
    method: str
    raw_path: str  # as sent on the wire (what SigV4 signed)
    function_path: str  # rawPath of the event (the path form drops `/lambda-url/<id>`)
    raw_query: str
    headers: Sequence[tuple[str, str]]
    body: bytes
    source_ip: str
    protocol: str
    path_form: bool
    host: str
    trace_header: str
    request_id: str


class FunctionUrlService:
    """Function URL requests over the URL registry and the invocation service."""

    def __init__(self, urls: FunctionUrlRegistry, invocations: InvocationService) -> None:
        self._urls = urls
        self._invocations = invocations

    async def serve(self, request: UrlHttpRequest) -> AsyncIterator[HttpHead | bytes]:
        """The answer to `request`: its head, then its body."""
        lower_headers = {k.lower(): v for k, v in request.headers}
        preflight = url_http.is_preflight(request.method, lower_headers)
        target = await self._urls.resolve_url(
            request.url_id,
            HttpRequestParts(
                method=request.method,
                raw_path=request.raw_path,
                raw_query=request.raw_query,
                headers=list(request.headers),
                body=request.body,
                preflight=preflight,
            ),
        )
        url = target.url
        cors = url_http.aws_cors(url.cors)
        origin = lower_headers.get("origin", "")
        if preflight:
            yield HttpHead(200, url_http.preflight_headers(cors, lower_headers))
            return
        invocation = Invocation(
            function_name=url.function_name,
            qualifier="" if url.qualifier == "$LATEST" else url.qualifier,
            payload=self._event(request, target),
            request_id=request.request_id,
            trace_header=request.trace_header,
        )
        if url.invoke_mode == "RESPONSE_STREAM":
            outcome = await self._invocations.invoke_stream(invocation)
            async for part in _streamed(outcome.request_id, outcome.result, cors, origin):
                yield part
            return
        outcome = await self._invocations.invoke(invocation)
        result = outcome.result
        answer = url_http.buffered_response(
            result.payload if result is not None else b"",
            (result.function_error or "") if result is not None else "",
        )
        yield HttpHead(
            answer.status,
            url_http.with_cors(answer.headers, cors, origin),
            outcome.request_id or request.request_id,
        )
        yield answer.body

    def _event(self, request: UrlHttpRequest, target: UrlTarget) -> bytes:
        """The payload format 2.0 event, as compact JSON."""
        url = target.url
        iam = target.iam
        function_url = self._urls.function_url(url)
        region = self._urls.function_arn(url).split(":")[3]
        # The path form has no URL host of its own: the function sees the host-style name
        # (`<id>.lambda-url.<region>.<host>`), the shape AWS's domainName has.
        domain = (
            _host_style_domain(request.url_id, region, function_url)
            if request.path_form
            else request.host.split(":")[0]
        )
        event = url_http.request_event(
            url_http.UrlRequest(
                method=request.method,
                raw_path=request.function_path,
                raw_query=request.raw_query,
                headers=request.headers,
                body=request.body,
                source_ip=request.source_ip,
                protocol=request.protocol,
            ),
            url_http.UrlContext(
                url_id=request.url_id,
                region=region,
                domain_name=domain,
                account_id=target.account_id if iam else "anonymous",
                request_id=request.request_id,
                time=datetime.now(UTC),
                iam=(
                    {
                        "accessKey": iam.get("accessKey", ""),
                        "accountId": iam.get("accountId", ""),
                        "callerId": iam.get("callerId", ""),
                        "principalOrgId": None,
                        "userArn": iam.get("userArn", ""),
                        "userId": iam.get("userId", ""),
                    }
                    if iam
                    else None
                ),
            ),
        )
        return json.dumps(event, separators=(",", ":")).encode()


async def _chunks(result: InvocationResult | None) -> AsyncIterator[bytes | str]:
    """The body of a streamed invocation; a str last when the function failed (its error)."""
    if result is None:
        return
    if result.stream is not None:
        async for chunk in result.stream:
            yield chunk
        if result.stream.error_type:
            yield result.stream.error_type
    elif result.function_error:
        yield result.error_type or "Unhandled"
    else:
        for start in range(0, len(result.payload), STREAM_CHUNK):
            yield result.payload[start : start + STREAM_CHUNK]


async def _streamed(
    request_id: str, result: InvocationResult | None, cors: Any, origin: str
) -> AsyncIterator[HttpHead | bytes]:
    """RESPONSE_STREAM: the head once known (after the prelude of an HTTP integration
    stream, else at the first chunk, so an early failure is still a 502), then the chunks."""
    content_type = _OCTET_STREAM
    if result is not None and result.stream is not None:
        content_type = result.stream.content_type
    integration = content_type.startswith(url_http.HTTP_INTEGRATION_CONTENT_TYPE)

    def head(status: int, headers: list[tuple[str, str]]) -> HttpHead:
        return HttpHead(status, url_http.with_cors(headers, cors, origin), request_id, True)

    plain_headers = [("Content-Type", content_type or _OCTET_STREAM)]
    started = False
    buffer = b""
    async for data in _chunks(result):
        if isinstance(data, str):
            if not started:
                answer = url_http.function_error_response()
                yield HttpHead(answer.status, url_http.with_cors(answer.headers, cors, origin))
                yield answer.body
                return
            break
        if not started and not integration:
            started = True
            yield head(200, plain_headers)
        if not started:
            buffer += data
            parts = url_http.split_prelude(buffer)
            if parts is None and len(buffer) <= url_http.MAX_PRELUDE_BYTES:
                continue
            if parts is None:
                prelude, data = url_http.StreamPrelude(), buffer
            else:
                prelude, data = url_http.parse_prelude(parts[0]), parts[1]
            started = True
            yield head(prelude.status, prelude.headers)
        if data:
            yield data
    if not started and not integration:
        yield head(200, plain_headers)
    elif not started:
        # The function ended without a complete prelude.
        prelude = url_http.parse_prelude(buffer) if buffer else url_http.StreamPrelude()
        yield head(prelude.status, prelude.headers)


def _host_style_domain(url_id: str, region: str, function_url: str) -> str:
    """`<id>.lambda-url.<region>.<host>` for a path-form request; the FunctionUrl's own host
    when that is already host style, else its host name after the marker."""
    hostname = urlsplit(function_url).hostname or "localhost"
    marker = f"{url_id}.lambda-url.{region}."
    return hostname if hostname.startswith(marker) else marker + hostname
