"""Function URL requests and answers over HTTP, as pure functions.

An HTTP request to a function URL becomes a payload format 2.0 event (`request_event`);
the function's result becomes the HTTP answer (`buffered_response`), following AWS's
interpretation of statusCode/headers/cookies/body/isBase64Encoded. Streamed answers start
with the HTTP integration prelude (`split_prelude`). CORS headers and preflight answers come
from the URL's Cors settings (`cors_headers`, `preflight_headers`). The gateway only finds the
URL id in the Host header or path (`lambdad.gateway.urls`); `services/function_urls.py` serves
the request with these rules.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, unquote

from lambdad.daemon.domain.urls import Cors

HTTP_INTEGRATION_CONTENT_TYPE = "application/vnd.awslambda.http-integration-response"
PRELUDE_SEPARATOR = b"\x00" * 8
# A prelude larger than this is not a prelude: the function did not use HttpResponseStream.
MAX_PRELUDE_BYTES = 64 * 1024

FUNCTION_ERROR_BODY = b"Internal Server Error"
_TEXT_TYPES = re.compile(
    r"^(text/.*|application/(.*\+)?(json|xml|javascript|x-www-form-urlencoded|yaml)|"
    r"application/graphql)\s*(;.*)?$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class UrlRequest:
    """An HTTP request to a function URL, as received."""

    method: str
    raw_path: str
    raw_query: str
    # (name, value) in the order received; names as sent.
    headers: Sequence[tuple[str, str]]
    body: bytes
    source_ip: str
    protocol: str = "HTTP/1.1"


@dataclass(frozen=True)
class UrlContext:
    """What the event needs besides the request."""

    url_id: str
    region: str
    domain_name: str
    account_id: str
    request_id: str
    time: datetime
    # requestContext.authorizer.iam for AWS_IAM URLs.
    iam: Mapping[str, Any] | None = None


def is_text(content_type: str) -> bool:
    """Whether a body of this content type is passed as text (else base64)."""
    return bool(_TEXT_TYPES.match(content_type.strip())) if content_type else False


def _joined(pairs: Sequence[tuple[str, str]]) -> dict[str, str]:
    joined: dict[str, str] = {}
    for name, value in pairs:
        joined[name] = f"{joined[name]},{value}" if name in joined else value
    return joined


# Headers of the client's connection to the front end, which AWS does not pass on.
_HOP_BY_HOP = frozenset({"connection", "keep-alive"})


def request_event(request: UrlRequest, context: UrlContext) -> dict[str, Any]:
    """The payload format 2.0 event of a function URL request."""
    cookies: list[str] = []
    header_pairs: list[tuple[str, str]] = []
    for name, value in request.headers:
        lower = name.lower()
        if lower in _HOP_BY_HOP:
            continue  # AWS's front end ends the client's connection; the event has none
        if lower == "cookie":
            cookies.extend(c.strip() for c in value.split(";") if c.strip())
        else:
            header_pairs.append((lower, value))
    headers = _joined(header_pairs)
    headers.setdefault("x-forwarded-for", request.source_ip)
    headers.setdefault("x-forwarded-proto", "http")
    host = headers.get("host", "")
    if ":" in host:
        headers.setdefault("x-forwarded-port", host.rsplit(":", 1)[1])
    headers.setdefault(
        "x-amzn-trace-id",
        f"Root=1-{int(context.time.timestamp()):08x}-{context.request_id.replace('-', '')[:24]}",
    )
    # AWS hands the function the path percent-decoded (`%20` a space, `%2F` a slash); the
    # query string stays as sent.
    path = unquote(request.raw_path)
    millis = int(context.time.timestamp() * 1000)
    request_context: dict[str, Any] = {
        "accountId": context.account_id,
        "apiId": context.url_id,
        "domainName": context.domain_name,
        "domainPrefix": context.url_id,
        "http": {
            "method": request.method,
            "path": path,
            "protocol": request.protocol,
            "sourceIp": request.source_ip,
            "userAgent": headers.get("user-agent", ""),
        },
        "requestId": context.request_id,
        "routeKey": "$default",
        "stage": "$default",
        "time": context.time.astimezone(UTC).strftime("%d/%b/%Y:%H:%M:%S +0000"),
        "timeEpoch": millis,
    }
    if context.iam is not None:
        request_context["authorizer"] = {"iam": {"cognitoIdentity": None, **context.iam}}
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": request.raw_query,
    }
    if cookies:
        event["cookies"] = cookies
    event["headers"] = headers
    query = parse_qsl(request.raw_query, keep_blank_values=True)
    if query:
        event["queryStringParameters"] = _joined(query)
    event["requestContext"] = request_context
    if request.body:
        content_type = headers.get("content-type", "")
        text = None
        if is_text(content_type):
            try:
                text = request.body.decode("utf-8")
            except UnicodeDecodeError:
                text = None
        if text is None:
            event["body"] = base64.b64encode(request.body).decode("ascii")
            event["isBase64Encoded"] = True
        else:
            event["body"] = text
            event["isBase64Encoded"] = False
    else:
        event["isBase64Encoded"] = False
    return event


@dataclass(frozen=True)
class UrlResponse:
    """Status, headers (repeatable, e.g. Set-Cookie) and body of a URL answer."""

    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""


def function_error_response() -> UrlResponse:
    """AWS's answer when the function failed: 502 `Internal Server Error`."""
    return UrlResponse(502, [("Content-Type", "application/json")], FUNCTION_ERROR_BODY)


def _status(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _compact(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def buffered_response(payload: bytes, function_error: str = "") -> UrlResponse:
    """The HTTP answer for a function's result (BUFFERED invoke mode)."""
    if function_error:
        return function_error_response()
    try:
        result = json.loads(payload) if payload.strip() else None
    except (ValueError, UnicodeDecodeError):
        # Not JSON (a runtime returning raw bytes): pass it through.
        return UrlResponse(200, [("Content-Type", "application/json")], payload)
    if isinstance(result, dict) and "statusCode" in result:
        status = _status(result["statusCode"])
        if status is None or not 100 <= status <= 599:
            return function_error_response()
        headers: list[tuple[str, str]] = []
        given = result.get("headers") or {}
        if isinstance(given, dict):
            for name, value in given.items():
                headers.append((str(name), _header_text(value)))
        if not any(name.lower() == "content-type" for name, _ in headers):
            headers.append(("Content-Type", "application/json"))
        cookies = result.get("cookies") or []
        if isinstance(cookies, list):
            headers.extend(("Set-Cookie", str(cookie)) for cookie in cookies)
        body = result.get("body")
        if body is None:
            data = b""
        elif isinstance(body, str):
            if result.get("isBase64Encoded") is True:
                try:
                    data = base64.b64decode(body, validate=False)
                except (binascii.Error, ValueError):
                    return function_error_response()
            else:
                data = body.encode()
        else:
            data = _compact(body)
        return UrlResponse(status, headers, data)
    body_bytes = result.encode() if isinstance(result, str) else _compact(result)
    return UrlResponse(200, [("Content-Type", "application/json")], body_bytes)


def _header_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(_header_text(v) for v in value)
    return str(value)


@dataclass(frozen=True)
class StreamPrelude:
    """The status, headers and cookies a streaming function sent before its body."""

    status: int = 200
    headers: list[tuple[str, str]] = field(default_factory=list)


def parse_prelude(data: bytes) -> StreamPrelude:
    """The prelude JSON `{"statusCode", "headers", "cookies"}` of an HTTP integration stream."""
    try:
        prelude = json.loads(data) if data.strip() else {}
    except (ValueError, UnicodeDecodeError):
        prelude = {}
    if not isinstance(prelude, dict):
        prelude = {}
    status = _status(prelude.get("statusCode", 200)) or 200
    headers: list[tuple[str, str]] = []
    given = prelude.get("headers") or {}
    if isinstance(given, dict):
        headers.extend((str(k), _header_text(v)) for k, v in given.items())
    if not any(name.lower() == "content-type" for name, _ in headers):
        headers.append(("Content-Type", "application/octet-stream"))
    cookies = prelude.get("cookies") or []
    if isinstance(cookies, list):
        headers.extend(("Set-Cookie", str(c)) for c in cookies)
    return StreamPrelude(status, headers)


def split_prelude(buffer: bytes) -> tuple[bytes, bytes] | None:
    """(prelude, rest of the body) once the 8 NUL separator has arrived, else None."""
    index = buffer.find(PRELUDE_SEPARATOR)
    if index < 0:
        return None
    return buffer[:index], buffer[index + len(PRELUDE_SEPARATOR) :]


# ------------------------------------------------------------------------------ CORS


def _origin_allowed(cors: Mapping[str, Any], origin: str) -> str | None:
    """The Access-Control-Allow-Origin value for `origin`, or None when not allowed."""
    origins = list(cors.get("AllowOrigins") or [])
    if "*" in origins:
        # A wildcard cannot be combined with credentials; echo the origin then.
        return origin if cors.get("AllowCredentials") and origin else "*"
    if origin and origin in origins:
        return origin
    return None


def cors_headers(cors: Mapping[str, Any] | None, origin: str) -> list[tuple[str, str]]:
    """CORS headers added to every answer of a URL with Cors settings (not preflight)."""
    if not cors or not origin:
        return []
    allowed = _origin_allowed(cors, origin)
    if allowed is None:
        return []
    headers = [("Access-Control-Allow-Origin", allowed)]
    if allowed != "*":
        headers.append(("Vary", "Origin"))
    if cors.get("AllowCredentials"):
        headers.append(("Access-Control-Allow-Credentials", "true"))
    if cors.get("ExposeHeaders"):
        headers.append(("Access-Control-Expose-Headers", ",".join(cors["ExposeHeaders"])))
    return headers


def is_preflight(method: str, headers: Mapping[str, str]) -> bool:
    """An OPTIONS request with Origin and Access-Control-Request-Method."""
    return (
        method == "OPTIONS"
        and bool(headers.get("origin"))
        and bool(headers.get("access-control-request-method"))
    )


def preflight_headers(
    cors: Mapping[str, Any] | None, request_headers: Mapping[str, str]
) -> list[tuple[str, str]]:
    """Headers of the answer to a CORS preflight request (empty when not allowed)."""
    if not cors:
        return []
    origin = request_headers.get("origin", "")
    allowed = _origin_allowed(cors, origin)
    if allowed is None:
        return []
    method = request_headers.get("access-control-request-method", "").upper()
    methods = [m.upper() for m in cors.get("AllowMethods") or []]
    if "*" not in methods and method not in methods:
        return []
    headers = [("Access-Control-Allow-Origin", allowed)]
    if allowed != "*":
        headers.append(("Vary", "Origin"))
    headers.append(("Access-Control-Allow-Methods", ",".join(methods) if methods else method))
    allow_headers = list(cors.get("AllowHeaders") or [])
    if allow_headers:
        if "*" in allow_headers:
            requested = request_headers.get("access-control-request-headers", "")
            value = requested or "*"
        else:
            value = ",".join(allow_headers)
        headers.append(("Access-Control-Allow-Headers", value))
    if cors.get("AllowCredentials"):
        headers.append(("Access-Control-Allow-Credentials", "true"))
    if cors.get("MaxAge") is not None:
        headers.append(("Access-Control-Max-Age", str(cors["MaxAge"])))
    if cors.get("ExposeHeaders"):
        headers.append(("Access-Control-Expose-Headers", ",".join(cors["ExposeHeaders"])))
    return headers


def with_cors(
    headers: list[tuple[str, str]], cors: Mapping[str, Any] | None, origin: str
) -> list[tuple[str, str]]:
    """`headers` with the URL's CORS headers; configured ones win over the function's."""
    extra = cors_headers(cors, origin)
    if not extra:
        return headers
    names = {name.lower() for name, _ in extra}
    return [(n, v) for n, v in headers if n.lower() not in names] + extra


def aws_cors(cors: Cors | None) -> dict[str, Any] | None:
    """A URL's Cors settings under AWS's member names, members not set left out (the shape
    the CORS rules above read)."""
    if cors is None:
        return None
    members: dict[str, Any] = {}
    if cors.allow_credentials is not None:
        members["AllowCredentials"] = cors.allow_credentials
    for name, values in (
        ("AllowHeaders", cors.allow_headers),
        ("AllowMethods", cors.allow_methods),
        ("AllowOrigins", cors.allow_origins),
        ("ExposeHeaders", cors.expose_headers),
    ):
        if values:
            members[name] = list(values)
    if cors.max_age is not None:
        members["MaxAge"] = cors.max_age
    return members


@dataclass(frozen=True)
class HttpHead:
    """Status and headers of a function URL's answer, before its body."""

    status: int
    headers: list[tuple[str, str]]
    # The invocation's request id (x-amzn-RequestId); "" when nothing was invoked.
    request_id: str = ""
    # The body follows as the function writes it (chunked), not all at once.
    streamed: bool = False
