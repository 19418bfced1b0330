"""Function URLs without Docker: the pure event/response/CORS code, SigV4 checks, the servicer."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from lambdad.daemon.domain import url_http
from lambdad.daemon.domain.policies import ResourcePolicy
from lambdad.daemon.domain.sigv4 import SignatureError, verify_sigv4
from lambdad.daemon.domain.urls import _allows_public_url
from lambdad.gateway import urls

URL_ID = "abcdefghijklmnopqrstuvwxyz012345"
HOST = f"{URL_ID}.lambda-url.us-east-1.localhost:4566"
WHEN = datetime(2020, 3, 12, 19, 3, 58, 390000, tzinfo=UTC)


def _event(**changes: Any) -> dict[str, Any]:
    request = {
        "method": "POST",
        "raw_path": "/my/path",
        "raw_query": "a=1&a=2&b=x",
        "headers": [
            ("Host", HOST),
            ("User-Agent", "agent"),
            ("Cookie", "c1=v1; c2=v2"),
            ("X-Rep", "v1"),
            ("X-Rep", "v2"),
            ("Content-Type", "text/plain"),
        ],
        "body": b"Hello",
        "source_ip": "1.2.3.4",
    }
    context = {
        "url_id": URL_ID,
        "region": "us-east-1",
        "domain_name": HOST.split(":")[0],
        "account_id": "anonymous",
        "request_id": "11111111-2222-3333-4444-555555555555",
        "time": WHEN,
    }
    for key, value in changes.items():
        (request if key in request else context)[key] = value
    return url_http.request_event(url_http.UrlRequest(**request), url_http.UrlContext(**context))


# --- addressing ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "path", "expected"),
    [
        (HOST, "/x", urls.UrlAddress(URL_ID, "/x", False)),
        (
            f"{URL_ID}.lambda-url.eu-west-1.lambdad.internal",
            "",
            urls.UrlAddress(URL_ID, "/", False),
        ),
        ("127.0.0.1:4566", f"/lambda-url/{URL_ID}/a/b", urls.UrlAddress(URL_ID, "/a/b", True)),
        ("127.0.0.1:4566", f"/lambda-url/{URL_ID}", urls.UrlAddress(URL_ID, "/", True)),
        ("127.0.0.1:4566", "/2015-03-31/functions", None),
        ("127.0.0.1:4566", "/lambda-url/short/", None),
        ("lambda-url.us-east-1.localhost", "/", None),
    ],
)
def test_url_address(host: str, path: str, expected: urls.UrlAddress | None) -> None:
    assert urls.url_address(host, path) == expected


# --- the payload 2.0 event ---------------------------------------------------------------


def test_event_has_every_field_of_payload_2() -> None:
    event = _event()
    assert event["version"] == "2.0"
    assert event["routeKey"] == "$default"
    assert event["rawPath"] == "/my/path"
    assert event["rawQueryString"] == "a=1&a=2&b=x"
    assert event["cookies"] == ["c1=v1", "c2=v2"]
    assert event["queryStringParameters"] == {"a": "1,2", "b": "x"}
    headers = event["headers"]
    assert headers["x-rep"] == "v1,v2"
    assert headers["host"] == HOST
    assert "cookie" not in headers
    assert headers["x-forwarded-for"] == "1.2.3.4"
    assert headers["x-forwarded-proto"] == "http"
    assert headers["x-forwarded-port"] == "4566"
    assert headers["x-amzn-trace-id"].startswith("Root=1-")
    assert all(name == name.lower() for name in headers)
    context = event["requestContext"]
    assert context == {
        "accountId": "anonymous",
        "apiId": URL_ID,
        "domainName": f"{URL_ID}.lambda-url.us-east-1.localhost",
        "domainPrefix": URL_ID,
        "http": {
            "method": "POST",
            "path": "/my/path",
            "protocol": "HTTP/1.1",
            "sourceIp": "1.2.3.4",
            "userAgent": "agent",
        },
        "requestId": "11111111-2222-3333-4444-555555555555",
        "routeKey": "$default",
        "stage": "$default",
        "time": "12/Mar/2020:19:03:58 +0000",
        "timeEpoch": 1584039838390,
    }
    assert (event["body"], event["isBase64Encoded"]) == ("Hello", False)


def test_event_without_cookies_query_or_body_omits_them() -> None:
    event = _event(raw_query="", headers=[("Host", HOST)], body=b"")
    assert "cookies" not in event
    assert "queryStringParameters" not in event
    assert "body" not in event
    assert event["isBase64Encoded"] is False
    assert event["rawQueryString"] == ""


@pytest.mark.parametrize(
    ("content_type", "body", "base64_encoded"),
    [
        ("text/plain", b"hi", False),
        ("application/json", b'{"a":1}', False),
        ("application/xml; charset=utf-8", b"<a/>", False),
        ("application/x-www-form-urlencoded", b"a=1", False),
        ("application/octet-stream", b"\x00\xff", True),
        ("image/png", b"\x89PNG", True),
        ("", b"raw", True),
        ("text/plain", b"\xff\xfe not utf-8", True),
    ],
)
def test_binary_bodies_are_base64(content_type: str, body: bytes, base64_encoded: bool) -> None:
    headers = [("Host", HOST)] + ([("Content-Type", content_type)] if content_type else [])
    event = _event(headers=headers, body=body)
    assert event["isBase64Encoded"] is base64_encoded
    decoded = base64.b64decode(event["body"]) if base64_encoded else event["body"].encode()
    assert decoded == body


def test_iam_authorizer_is_in_the_event_only_for_aws_iam() -> None:
    assert "authorizer" not in _event()["requestContext"]
    iam = {
        "accessKey": "AK",
        "accountId": "000000000000",
        "callerId": "AK",
        "principalOrgId": None,
        "userArn": "arn:aws:iam::000000000000:root",
        "userId": "000000000000",
    }
    context = _event(iam=iam, account_id="000000000000")["requestContext"]
    assert context["authorizer"] == {"iam": {"cognitoIdentity": None, **iam}}
    assert context["accountId"] == "000000000000"


# --- response interpretation -------------------------------------------------------------


RESPONSE_TABLE = [
    # (function result, status, body) — lambda-spec §5.4
    ({"hello": "world"}, 200, b'{"hello":"world"}'),
    ({"statusCode": 200, "body": "body123"}, 200, b"body123"),
    ({"statusCode": 200, "body": '{"hello": "world"}'}, 200, b'{"hello": "world"}'),
    (["hello", 3, True], 200, b'["hello",3,true]'),
    ("hello", 200, b"hello"),
    (3, 200, b"3"),
    (3.1, 200, b"3.1"),
    (True, 200, b"true"),
    ({"statusCode": "418", "body": "teapot"}, 418, b"teapot"),
    ({"statusCode": 204}, 204, b""),
]


@pytest.mark.parametrize(("result", "status", "body"), RESPONSE_TABLE)
def test_response_mapping(result: Any, status: int, body: bytes) -> None:
    answer = url_http.buffered_response(json.dumps(result).encode())
    assert (answer.status, answer.body) == (status, body)
    assert ("Content-Type", "application/json") in answer.headers


def test_response_headers_cookies_and_base64_body() -> None:
    result = {
        "statusCode": 201,
        "headers": {"content-type": "image/png", "x-a": "1"},
        "cookies": ["a=1; Path=/", "b=2"],
        "body": base64.b64encode(b"\x89PNG\x00").decode(),
        "isBase64Encoded": True,
    }
    answer = url_http.buffered_response(json.dumps(result).encode())
    assert answer.status == 201
    assert answer.body == b"\x89PNG\x00"
    assert ("content-type", "image/png") in answer.headers
    assert not any(n == "Content-Type" for n, _ in answer.headers)
    assert [v for n, v in answer.headers if n == "Set-Cookie"] == ["a=1; Path=/", "b=2"]


def test_function_error_is_502_with_aws_body() -> None:
    answer = url_http.buffered_response(b'{"errorMessage":"boom"}', "Unhandled")
    assert (answer.status, answer.body) == (502, b"Internal Server Error")


# --- streaming prelude --------------------------------------------------------------------


def test_prelude_split_and_parse() -> None:
    prelude = json.dumps({"statusCode": 201, "headers": {"x": "y"}, "cookies": ["c=1"]})
    assert url_http.split_prelude(prelude.encode()) is None
    head, rest = url_http.split_prelude(prelude.encode() + b"\x00" * 8 + b"body") or (b"", b"")
    assert rest == b"body"
    parsed = url_http.parse_prelude(head)
    assert parsed.status == 201
    assert ("x", "y") in parsed.headers and ("Set-Cookie", "c=1") in parsed.headers
    assert ("Content-Type", "application/octet-stream") in parsed.headers


# --- CORS ---------------------------------------------------------------------------------


CORS = {
    "AllowOrigins": ["https://a.test"],
    "AllowMethods": ["GET", "POST"],
    "AllowHeaders": ["x-custom"],
    "ExposeHeaders": ["x-exposed"],
    "MaxAge": 60,
    "AllowCredentials": True,
}


def test_preflight_headers_follow_cors() -> None:
    request = {"origin": "https://a.test", "access-control-request-method": "POST"}
    headers = dict(url_http.preflight_headers(CORS, request))
    assert headers["Access-Control-Allow-Origin"] == "https://a.test"
    assert headers["Access-Control-Allow-Methods"] == "GET,POST"
    assert headers["Access-Control-Allow-Headers"] == "x-custom"
    assert headers["Access-Control-Max-Age"] == "60"
    assert headers["Access-Control-Allow-Credentials"] == "true"
    assert url_http.preflight_headers(CORS, {**request, "origin": "https://b.test"}) == []
    assert (
        url_http.preflight_headers(CORS, {**request, "access-control-request-method": "PUT"}) == []
    )


def test_cors_headers_win_over_the_functions() -> None:
    merged = url_http.with_cors(
        [("Access-Control-Allow-Origin", "*"), ("x", "1")], CORS, "https://a.test"
    )
    assert ("Access-Control-Allow-Origin", "https://a.test") in merged
    assert ("Access-Control-Allow-Origin", "*") not in merged
    assert ("Access-Control-Expose-Headers", "x-exposed") in merged
    assert url_http.with_cors([("x", "1")], {"AllowOrigins": ["*"]}, "https://z.test") == [
        ("x", "1"),
        ("Access-Control-Allow-Origin", "*"),
    ]


# --- SigV4 -------------------------------------------------------------------------------


def _verify(request: AWSRequest, body: bytes = b"", **kwargs: Any) -> str:
    prepared = request.prepare()
    parts = urlsplit(prepared.url)
    headers = [*prepared.headers.items(), ("Host", parts.netloc)]
    return verify_sigv4(
        method=prepared.method,
        raw_path=parts.path,
        raw_query=parts.query,
        headers=headers,
        body=body,
        region="us-east-1",
        service="lambda",
        credentials={"AK": "SECRET"},
        **kwargs,
    )


URL = f"http://{HOST}/p/a?x=1&y=%2F"


def test_sigv4_header_signed_request_is_accepted_and_tampering_refused() -> None:
    request = AWSRequest(method="POST", url=URL, data=b"payload")
    SigV4Auth(Credentials("AK", "SECRET"), "lambda", "us-east-1").add_auth(request)
    assert _verify(request, b"payload") == "AK"
    with pytest.raises(SignatureError):
        _verify(request, b"other")
    wrong = AWSRequest(method="POST", url=URL, data=b"payload")
    SigV4Auth(Credentials("AK", "WRONG"), "lambda", "us-east-1").add_auth(wrong)
    with pytest.raises(SignatureError):
        _verify(wrong, b"payload")
    other_service = AWSRequest(method="POST", url=URL, data=b"payload")
    SigV4Auth(Credentials("AK", "SECRET"), "s3", "us-east-1").add_auth(other_service)
    with pytest.raises(SignatureError):
        _verify(other_service, b"payload")
    with pytest.raises(SignatureError):
        _verify(request, b"payload", now=datetime.now(UTC) + timedelta(hours=1))
    with pytest.raises(SignatureError):
        _verify(AWSRequest(method="GET", url=URL))


def test_sigv4_presigned_query_is_accepted_until_it_expires() -> None:
    request = AWSRequest(method="GET", url=URL)
    SigV4QueryAuth(Credentials("AK", "SECRET"), "lambda", "us-east-1", expires=60).add_auth(request)
    assert _verify(request) == "AK"
    with pytest.raises(SignatureError):
        _verify(request, now=datetime.now(UTC) + timedelta(seconds=120))


# --- the servicer through a real gRPC server ----------------------------------------------


_URL_STATEMENT = {
    "Sid": "url",
    "Effect": "Allow",
    "Principal": "*",
    "Action": "lambda:InvokeFunctionUrl",
    "Condition": {"StringEquals": {"lambda:FunctionUrlAuthType": "NONE"}},
}


_FUNCTION_STATEMENT = {
    "Sid": "fn",
    "Effect": "Allow",
    "Principal": "*",
    "Action": "lambda:InvokeFunction",
    "Condition": {"Bool": {"lambda:InvokedViaFunctionUrl": "true"}},
}


@pytest.mark.parametrize(
    ("statements", "require_invoke_function", "allowed"),
    [
        ([], False, False),
        ([_URL_STATEMENT], False, True),
        ([_URL_STATEMENT], True, False),
        ([_URL_STATEMENT, _FUNCTION_STATEMENT], True, True),
        (
            [{**_URL_STATEMENT, "Principal": {"AWS": "arn:aws:iam::000000000000:root"}}],
            False,
            False,
        ),
        (
            [
                {
                    **_URL_STATEMENT,
                    "Condition": {"StringEquals": {"lambda:FunctionUrlAuthType": "AWS_IAM"}},
                }
            ],
            False,
            False,
        ),
        ([{**_URL_STATEMENT, "Action": "lambda:InvokeFunction"}], False, False),
    ],
)
def test_public_url_rule(
    statements: list[dict[str, Any]], require_invoke_function: bool, allowed: bool
) -> None:
    policy = ResourcePolicy("rev", statements) if statements else None
    assert _allows_public_url(policy, require_invoke_function) is allowed
