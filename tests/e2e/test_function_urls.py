"""Function URLs end to end: the seed page's AWS CLI commands, then real HTTP clients.

The daemon runs functions as local processes; requests go to both URL forms (host routing
via the Host header and `*.localhost`, and the `/lambda-url/<id>/` path form).
"""

from __future__ import annotations

import asyncio
import base64
import http.server
import io
import json
import os
import shutil
import subprocess
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import pytest
import urllib3
from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from tests.e2e.support import LambdadProcess
from tests.helpers import make_zip, wait_for

pytestmark = pytest.mark.e2e

ECHO = """
import base64, json
def handler(event, context):
    if event.get("rawPath") == "/fail":
        raise Exception("boom")
    if event.get("rawPath") == "/plain":
        return "hello"
    if event.get("rawPath") == "/binary":
        return {"statusCode": 201, "headers": {"content-type": "application/octet-stream"},
                "body": base64.b64encode(bytes(range(256))).decode(), "isBase64Encoded": True,
                "cookies": ["a=1; Path=/", "b=2"]}
    return {"statusCode": 200, "headers": {"content-type": "application/json", "x-fn": "yes"},
            "body": json.dumps(event)}
"""

STREAMER = """
exports.handler = awslambda.streamifyResponse(async (event, responseStream, context) => {
  const stream = awslambda.HttpResponseStream.from(responseStream, {
    statusCode: 207, headers: {"content-type": "text/plain", "x-streamed": "1"},
    cookies: ["s=1"],
  });
  for (let i = 0; i < 4; i++) {
    stream.write(`chunk-${i}\\n`);
    await new Promise((r) => setTimeout(r, 400));
  }
  stream.end();
});
"""


@pytest.fixture(
    scope="module", params=["process", pytest.param("docker", marks=pytest.mark.docker)]
)
def lambdad(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LambdadProcess]:
    """`lambdad serve` running functions with the parameter's executor (URLs are served the
    same way for both; Docker needs the engine and images, or skips outside CI)."""
    if request.param == "docker":
        request.getfixturevalue("runtime_images")
    root = tmp_path_factory.mktemp(f"urls-{request.param}")
    process = LambdadProcess(
        data_dir=root / "data", log_path=root / "lambdad.log", executor=request.param
    ).start()
    yield process
    process.stop()


def _create(
    lambdad: LambdadProcess,
    name: str,
    tmp_path: Path,
    files: dict[str, str],
    runtime: str = "python3.11",
    handler: str = "index.handler",
) -> None:
    zip_path = tmp_path / f"{name}.zip"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for member, content in files.items():
            info = zipfile.ZipInfo(member)
            info.external_attr = (0o755 if member == "bootstrap" else 0o644) << 16
            archive.writestr(info, content)
    zip_path.write_bytes(buffer.getvalue())
    lambdad.aws_json(
        "lambda",
        "create-function",
        "--function-name",
        name,
        "--runtime",
        runtime,
        "--zip-file",
        f"fileb://{zip_path}",
        "--handler",
        handler,
        "--role",
        "cool-stacklifter",
    )
    client = lambdad.lambda_client()
    client.get_waiter("function_active_v2").wait(
        FunctionName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 100}
    )


def _url_parts(function_url: str) -> tuple[str, str]:
    """(url id, host-style Host header value) of a FunctionUrl (path style by default:
    `http://localhost:PORT/lambda-url/<id>/`)."""
    parts = urlsplit(function_url)
    url_id = parts.path.split("/")[2]
    return url_id, f"{url_id}.lambda-url.us-east-1.localhost:{parts.port}"


def _path_form(lambdad: LambdadProcess, url_id: str, path: str = "/") -> str:
    return f"{lambdad.endpoint}/lambda-url/{url_id}{path}"


@pytest.fixture(scope="module")
def echo_url(lambdad: LambdadProcess, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A python echo function with a NONE URL created by the seed page's commands, verbatim."""
    name = "url-echo"
    _create(lambdad, name, tmp_path_factory.mktemp("echo"), {"index.py": ECHO})
    created = lambdad.aws_json(
        "lambda", "create-function-url-config", "--function-name", name, "--auth-type", "NONE"
    )
    return {"name": name, **created}


def test_seed_create_function_url_config(lambdad: LambdadProcess, echo_url: dict[str, Any]) -> None:
    url = echo_url["FunctionUrl"]
    url_id, _ = _url_parts(url)
    assert len(url_id) == 32 and url_id.isalnum() and url_id.lower() == url_id
    assert url == f"http://localhost:{lambdad.gateway_port}/lambda-url/{url_id}/"
    assert echo_url["AuthType"] == "NONE"
    assert echo_url["FunctionArn"].endswith(":function:url-echo")
    assert "CreationTime" in echo_url and "InvokeMode" not in echo_url
    got = lambdad.aws_json("lambda", "get-function-url-config", "--function-name", "url-echo")
    assert got["FunctionUrl"] == url and got["InvokeMode"] == "BUFFERED"
    listed = lambdad.aws_json("lambda", "list-function-url-configs", "--function-name", "url-echo")
    assert [c["FunctionUrl"] for c in listed["FunctionUrlConfigs"]] == [url]
    again = lambdad.aws(
        "lambda",
        "create-function-url-config",
        "--function-name",
        "url-echo",
        "--auth-type",
        "NONE",
        check=False,
    )
    assert again.returncode != 0 and "ResourceConflictException" in again.stderr
    assert "FunctionUrlConfig exists for this Lambda function" in again.stderr


def test_curl_host_routing_and_path_form(lambdad: LambdadProcess, echo_url: dict[str, Any]) -> None:
    _, host = _url_parts(echo_url["FunctionUrl"])
    # The host-style URL (LAMBDAD_URL_STYLE=host prints it): curl resolves *.localhost.
    printed = subprocess.run(
        [
            "curl",
            "-sS",
            "-i",
            f"http://{host}/some/path?x=1&x=2&y=z",
            "-H",
            "Cookie: c1=v1; c2=v2",
            "-H",
            "X-Multi: a",
            "-H",
            "X-Multi: b",
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    ).stdout
    head, _, body = printed.replace("\r\n", "\n").partition("\n\n")
    assert head.startswith("HTTP/1.1 200"), head
    assert "x-fn: yes" in head.lower()
    event = json.loads(body)
    assert event["rawPath"] == "/some/path"
    assert event["rawQueryString"] == "x=1&x=2&y=z"
    assert event["queryStringParameters"] == {"x": "1,2", "y": "z"}
    assert event["cookies"] == ["c1=v1", "c2=v2"]
    assert event["headers"]["x-multi"] == "a,b"
    assert event["headers"]["host"] == host
    assert event["requestContext"]["domainName"] == host.split(":")[0]
    assert event["requestContext"]["http"]["method"] == "GET"
    assert event["requestContext"]["http"]["userAgent"].startswith("curl/")
    # The printed (path-style) URL.
    path_form = subprocess.run(
        [
            "curl",
            "-sS",
            "-X",
            "POST",
            echo_url["FunctionUrl"] + "p",
            "-d",
            "hi",
            "-H",
            "content-type: text/plain",
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    ).stdout
    event = json.loads(path_form)
    assert (event["rawPath"], event["body"], event["isBase64Encoded"]) == ("/p", "hi", False)
    assert event["requestContext"]["domainName"] == host.split(":")[0]


def test_urllib3_binary_cookies_and_inferred_response(
    lambdad: LambdadProcess, echo_url: dict[str, Any]
) -> None:
    url_id, host = _url_parts(echo_url["FunctionUrl"])
    http = urllib3.PoolManager()
    # Host routing by header against the gateway's address.
    binary = http.request(
        "GET", f"{lambdad.endpoint}/binary", headers={"Host": host}, retries=False
    )
    assert binary.status == 201
    assert binary.data == bytes(range(256))
    assert binary.headers.getlist("Set-Cookie") == ["a=1; Path=/", "b=2"]
    plain = http.request("GET", _path_form(lambdad, url_id, "/plain"), retries=False)
    assert (plain.status, plain.data) == (200, b"hello")
    failed = http.request("GET", _path_form(lambdad, url_id, "/fail"), retries=False)
    assert (failed.status, failed.data) == (502, b"Internal Server Error")
    posted = http.request(
        "POST",
        _path_form(lambdad, url_id, "/upload"),
        body=b"\x00\xffdata",
        headers={"Content-Type": "application/octet-stream"},
        retries=False,
    )
    event = json.loads(posted.data)
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == b"\x00\xffdata"
    unknown = http.request("GET", f"{lambdad.endpoint}/lambda-url/{'0' * 32}/", retries=False)
    assert unknown.status == 403 and json.loads(unknown.data) == {"Message": None}


def test_aiohttp_path_form(lambdad: LambdadProcess, echo_url: dict[str, Any]) -> None:
    url_id, _ = _url_parts(echo_url["FunctionUrl"])

    async def call() -> tuple[int, dict[str, Any]]:
        async with (
            aiohttp.ClientSession() as session,
            session.put(_path_form(lambdad, url_id, "/a/b?k=v"), json={"x": 1}) as response,
        ):
            return response.status, json.loads(await response.text())

    status, event = asyncio.run(call())
    assert status == 200
    assert event["requestContext"]["http"]["method"] == "PUT"
    assert event["body"] == '{"x": 1}' and event["isBase64Encoded"] is False
    assert event["queryStringParameters"] == {"k": "v"}


def _signed(method: str, url: str, body: bytes = b"", secret: str = "test") -> AWSRequest:
    request = AWSRequest(method=method, url=url, data=body)
    SigV4Auth(Credentials("test", secret), "lambda", "us-east-1").add_auth(request)
    return request


def test_aws_iam_url_accepts_only_botocore_signed_requests(
    lambdad: LambdadProcess, tmp_path: Path
) -> None:
    name = "url-iam"
    _create(lambdad, name, tmp_path, {"index.py": ECHO})
    created = lambdad.aws_json(
        "lambda", "create-function-url-config", "--function-name", name, "--auth-type", "AWS_IAM"
    )
    url_id, host = _url_parts(created["FunctionUrl"])
    http = urllib3.PoolManager()
    target = _path_form(lambdad, url_id, "/signed?q=1")
    unsigned = http.request("POST", target, body=b"x", retries=False)
    assert unsigned.status == 403
    assert json.loads(unsigned.data)["Message"].startswith("Forbidden.")
    assert unsigned.headers["x-amzn-ErrorType"] == "AccessDeniedException"
    wrong = _signed("POST", target, b"x", secret="not-the-secret")
    response = http.request("POST", target, body=b"x", headers=dict(wrong.headers), retries=False)
    assert response.status == 403
    good = _signed("POST", target, b"x")
    response = http.request("POST", target, body=b"x", headers=dict(good.headers), retries=False)
    assert response.status == 200, response.data
    event = json.loads(response.data)
    iam = event["requestContext"]["authorizer"]["iam"]
    assert iam["accessKey"] == "test" and iam["accountId"] == "000000000000"
    tampered = http.request("POST", target, body=b"y", headers=dict(good.headers), retries=False)
    assert tampered.status == 403
    # Host routing, signed for the host-form URL.
    host_url = f"http://{host}/h"
    signed = _signed("GET", host_url)
    response = http.request(
        "GET",
        f"{lambdad.endpoint}/h",
        headers={**dict(signed.headers), "Host": host},
        retries=False,
    )
    assert response.status == 200, response.data
    # Query-string presigned.
    presign = AWSRequest(method="GET", url=_path_form(lambdad, url_id, "/pre"))
    SigV4QueryAuth(Credentials("test", "test"), "lambda", "us-east-1", expires=60).add_auth(presign)
    response = http.request("GET", presign.url, retries=False)
    assert response.status == 200, response.data
    assert json.loads(response.data)["rawPath"] == "/pre"


def test_cors_preflight_and_headers(lambdad: LambdadProcess, tmp_path: Path) -> None:
    name = "url-cors"
    _create(lambdad, name, tmp_path, {"index.py": ECHO})
    lambdad.aws_json(
        "lambda",
        "create-function-url-config",
        "--function-name",
        name,
        "--auth-type",
        "NONE",
        "--cors",
        json.dumps(
            {
                "AllowOrigins": ["http://example.test"],
                "AllowMethods": ["GET", "POST"],
                "AllowHeaders": ["x-custom"],
                "ExposeHeaders": ["x-fn"],
                "MaxAge": 300,
                "AllowCredentials": True,
            }
        ),
    )
    url = lambdad.aws_json("lambda", "get-function-url-config", "--function-name", name)
    assert url["Cors"]["MaxAge"] == 300
    url_id, _ = _url_parts(url["FunctionUrl"])
    http = urllib3.PoolManager()
    preflight = http.request(
        "OPTIONS",
        _path_form(lambdad, url_id, "/"),
        retries=False,
        headers={
            "Origin": "http://example.test",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "x-custom",
        },
    )
    assert preflight.status == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "http://example.test"
    assert preflight.headers["Access-Control-Allow-Methods"] == "GET,POST"
    assert preflight.headers["Access-Control-Allow-Headers"] == "x-custom"
    assert preflight.headers["Access-Control-Max-Age"] == "300"
    assert preflight.headers["Access-Control-Allow-Credentials"] == "true"
    actual = http.request(
        "GET",
        _path_form(lambdad, url_id, "/"),
        headers={"Origin": "http://example.test"},
        retries=False,
    )
    assert actual.headers["Access-Control-Allow-Origin"] == "http://example.test"
    assert actual.headers["Access-Control-Expose-Headers"] == "x-fn"
    other = http.request(
        "GET",
        _path_form(lambdad, url_id, "/"),
        headers={"Origin": "http://evil.test"},
        retries=False,
    )
    assert "Access-Control-Allow-Origin" not in other.headers


# A custom runtime (provided.al2023) whose Python bootstrap streams through the Runtime API.
STREAMING_BOOTSTRAP = """#!/usr/bin/env python3
import http.client, json, os, time
host, port = os.environ["AWS_LAMBDA_RUNTIME_API"].split(":")
while True:
    conn = http.client.HTTPConnection(host, int(port))
    conn.request("GET", "/2018-06-01/runtime/invocation/next")
    answer = conn.getresponse()
    request_id = answer.getheader("Lambda-Runtime-Aws-Request-Id")
    answer.read()
    def body():
        prelude = {"statusCode": 207, "headers": {"content-type": "text/plain", "x-streamed": "1"},
                   "cookies": ["s=1"]}
        yield json.dumps(prelude).encode() + bytes(8)
        for i in range(4):
            yield f"chunk-{i}\\n".encode()
            time.sleep(0.4)
    conn.request(
        "POST", f"/2018-06-01/runtime/invocation/{request_id}/response", body=body(),
        headers={"Lambda-Runtime-Function-Response-Mode": "streaming",
                 "Content-Type": "application/vnd.awslambda.http-integration-response"},
        encode_chunked=True,
    )
    conn.getresponse().read()
    conn.close()
"""

STREAMING_FUNCTIONS = {
    "node": ("nodejs20.x", "index.handler", {"index.js": STREAMER}),
    "python-custom-runtime": (
        "provided.al2023",
        "bootstrap.handler",
        {"bootstrap": STREAMING_BOOTSTRAP},
    ),
}


@pytest.mark.parametrize("kind", sorted(STREAMING_FUNCTIONS))
def test_response_stream_arrives_chunk_by_chunk(
    lambdad: LambdadProcess, tmp_path: Path, kind: str
) -> None:
    if kind == "node" and shutil.which("node") is None:
        pytest.fail("node is required for the Node.js streaming function")
    runtime, handler, files = STREAMING_FUNCTIONS[kind]
    name = f"url-stream-{kind}"
    _create(lambdad, name, tmp_path, files, runtime=runtime, handler=handler)
    created = lambdad.aws_json(
        "lambda",
        "create-function-url-config",
        "--function-name",
        name,
        "--auth-type",
        "NONE",
        "--invoke-mode",
        "RESPONSE_STREAM",
    )
    assert created["InvokeMode"] == "RESPONSE_STREAM"
    url_id, _ = _url_parts(created["FunctionUrl"])
    http = urllib3.PoolManager()
    started = time.monotonic()
    response = http.request(
        "GET", _path_form(lambdad, url_id, "/"), preload_content=False, retries=False
    )
    assert response.status == 207, (response.headers, response.read()[:300])
    assert response.headers["x-streamed"] == "1"
    assert response.headers["Set-Cookie"] == "s=1"
    arrivals: list[tuple[float, bytes]] = []
    for chunk in response.stream(amt=None, decode_content=False):
        arrivals.append((time.monotonic() - started, chunk))
    body = b"".join(c for _, c in arrivals)
    assert body == b"".join(f"chunk-{i}\n".encode() for i in range(4))
    # The first chunk arrives well before the function's last write (4 writes, 400 ms apart).
    first_at = next(t for t, c in arrivals if c)
    print(f"{kind}: first chunk at {first_at:.3f}s, last at {arrivals[-1][0]:.3f}s")
    assert first_at < arrivals[-1][0] - 0.8, arrivals
    assert len([c for _, c in arrivals if c]) >= 3


def test_permissions_and_strict_policy(lambdad: LambdadProcess, echo_url: dict[str, Any]) -> None:
    added = lambdad.aws_json(
        "lambda",
        "add-permission",
        "--function-name",
        "url-echo",
        "--statement-id",
        "urlPermission",
        "--action",
        "lambda:InvokeFunctionUrl",
        "--principal",
        "*",
        "--function-url-auth-type",
        "NONE",
    )
    statement = json.loads(added["Statement"])
    assert statement == {
        "Sid": "urlPermission",
        "Effect": "Allow",
        "Principal": "*",
        "Action": "lambda:InvokeFunctionUrl",
        "Resource": "arn:aws:lambda:us-east-1:000000000000:function:url-echo",
        "Condition": {"StringEquals": {"lambda:FunctionUrlAuthType": "NONE"}},
    }
    policy = lambdad.aws_json("lambda", "get-policy", "--function-name", "url-echo")
    assert json.loads(policy["Policy"])["Statement"] == [statement]
    lambdad.aws(
        "lambda",
        "remove-permission",
        "--function-name",
        "url-echo",
        "--statement-id",
        "urlPermission",
    )
    gone = lambdad.aws("lambda", "get-policy", "--function-name", "url-echo", check=False)
    assert "ResourceNotFoundException" in gone.stderr


def test_strict_mode_requires_public_statement(tmp_path: Path) -> None:
    process = LambdadProcess(
        data_dir=tmp_path / "data", log_path=tmp_path / "lambdad.log", extra_args=["--strict"]
    ).start()
    try:
        role = "arn:aws:iam::000000000000:role/r"
        client = process.lambda_client()
        client.create_function(
            FunctionName="strict-url",
            Runtime="python3.12",
            Role=role,
            Handler="index.handler",
            Code={"ZipFile": make_zip({"index.py": ECHO})},
        )
        client.get_waiter("function_active_v2").wait(
            FunctionName="strict-url", WaiterConfig={"Delay": 0.2, "MaxAttempts": 100}
        )
        url = client.create_function_url_config(FunctionName="strict-url", AuthType="NONE")
        url_id, _ = _url_parts(url["FunctionUrl"])
        http = urllib3.PoolManager()
        target = _path_form(process, url_id, "/")
        refused = http.request("GET", target, retries=False)
        assert refused.status == 403
        assert json.loads(refused.data)["Message"].startswith("Forbidden. For troubleshooting")
        client.add_permission(
            FunctionName="strict-url",
            StatementId="public",
            Action="lambda:InvokeFunctionUrl",
            Principal="*",
            FunctionUrlAuthType="NONE",
        )
        assert http.request("GET", target, retries=False).status == 200
        # The URL and its id survive a restart.
        process.stop()
        process.start()
        again = process.lambda_client().get_function_url_config(FunctionName="strict-url")
        assert again["FunctionUrl"] == url["FunctionUrl"]
        wait_for(lambda: http.request("GET", target, retries=False).status == 200, timeout=30)
    finally:
        process.stop()


CORS_PAGE = """<!doctype html><html><body><pre id="out">pending</pre><script>
function call(url) {
  const xhr = new XMLHttpRequest();
  try {
    xhr.open("POST", url, false);
    xhr.setRequestHeader("x-custom", "from-browser");
    xhr.setRequestHeader("content-type", "application/json");
    xhr.send(JSON.stringify({hello: "browser"}));
    const event = JSON.parse(xhr.responseText);
    return xhr.status + " " + event.headers["x-custom"] + " " + event.body;
  } catch (e) {
    return "blocked";
  }
}
document.getElementById("out").textContent =
  "allowed=" + call("__ALLOWED__") + "|denied=" + call("__DENIED__");
</script></body></html>"""


def _serve_page(html: str) -> tuple[Any, int]:
    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = html.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, server.server_address[1]


def test_headless_chromium_calls_a_url_with_cors_from_another_origin(
    lambdad: LambdadProcess, tmp_path: Path
) -> None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        reason = "Debian's chromium is required (apt-get install -y chromium)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; .ci/run installs it")
        pytest.skip(reason)
    _create(lambdad, "url-browser", tmp_path, {"index.py": ECHO})
    _create(lambdad, "url-browser-nocors", tmp_path, {"index.py": ECHO})
    origin = "http://127.0.0.1"  # a first origin; the page's real one is set by an update below
    allowed = lambdad.aws_json(
        "lambda",
        "create-function-url-config",
        "--function-name",
        "url-browser",
        "--auth-type",
        "NONE",
        "--cors",
        json.dumps(
            {
                "AllowOrigins": [origin],
                "AllowMethods": ["POST"],
                "AllowHeaders": ["x-custom", "content-type"],
            }
        ),
    )["FunctionUrl"]
    denied = lambdad.aws_json(
        "lambda",
        "create-function-url-config",
        "--function-name",
        "url-browser-nocors",
        "--auth-type",
        "NONE",
    )["FunctionUrl"]
    # The page is served from another origin than the URLs, which the browser reaches by
    # their printed URLs.
    html = CORS_PAGE.replace("__ALLOWED__", allowed).replace("__DENIED__", denied)
    server, _ = _serve_page(html)
    try:
        page_origin = f"http://127.0.0.1:{server.server_address[1]}"
        lambdad.aws_json(
            "lambda",
            "update-function-url-config",
            "--function-name",
            "url-browser",
            "--cors",
            json.dumps(
                {
                    "AllowOrigins": [page_origin],
                    "AllowMethods": ["POST"],
                    "AllowHeaders": ["x-custom", "content-type"],
                }
            ),
        )
        result = subprocess.run(
            [
                browser,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                f"--user-data-dir={tmp_path / 'chromium'}",
                "--dump-dom",
                page_origin + "/",
            ],
            capture_output=True,
            text=True,
            timeout=90,
        )
    finally:
        server.shutdown()
    assert 'allowed=200 from-browser {"hello":"browser"}|denied=blocked' in result.stdout, (
        result.stdout[-2000:],
        result.stderr[-2000:],
    )


# (operation, kwargs, status, code, message) — lambda-spec §2.3 and §5.1; "{fn}" is the
# function's name, "{arn}" its ARN.
URL_ERRORS = [
    (
        "create_function_url_config",
        {"AuthType": "NONE"},
        409,
        "ResourceConflictException",
        "Failed to create function url config for [functionArn = {arn}]. Error message:  "
        "FunctionUrlConfig exists for this Lambda function",
    ),
    (
        "create_function_url_config",
        {"AuthType": "NONE", "Qualifier": "$LATEST"},
        400,
        "ValidationException",
        "1 validation error detected: Value '$LATEST' at 'qualifier' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: "
        "((?!^\\d+$)^[0-9a-zA-Z-_]+$)",
    ),
    (
        "create_function_url_config",
        {"AuthType": "NONE", "Qualifier": "1"},
        400,
        "ValidationException",
        "1 validation error detected: Value '1' at 'qualifier' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: ((?!^\\d+$)^[0-9a-zA-Z-_]+$)",
    ),
    (
        "create_function_url_config",
        {"AuthType": "NONE", "InvokeMode": "UNKNOWN", "Qualifier": "live"},
        400,
        "ValidationException",
        "1 validation error detected: Value 'UNKNOWN' at 'invokeMode' failed to satisfy "
        # AWS's recorded order (the model lists BUFFERED first).
        "constraint: Member must satisfy enum value set: [RESPONSE_STREAM, BUFFERED]",
    ),
    (
        "get_function_url_config",
        {"Qualifier": "live"},
        404,
        "ResourceNotFoundException",
        "The resource you requested does not exist.",
    ),
    (
        "add_permission",
        {
            "StatementId": "s",
            "Action": "lambda:InvokeFunction",
            "Principal": "*",
            "Qualifier": "$LATEST",
        },
        400,
        "InvalidParameterValueException",
        "We currently do not support adding policies for $LATEST.",
    ),
    (
        "add_permission",
        {"StatementId": "example.com", "Action": "lambda:InvokeFunction", "Principal": "*"},
        400,
        "ValidationException",
        "1 validation error detected: Value 'example.com' at 'statementId' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: ([a-zA-Z0-9-_]+)",
    ),
    (
        "add_permission",
        # No whitespace: the model's pattern ([^\s]+) would refuse it first.
        {"StatementId": "p", "Action": "lambda:InvokeFunction", "Principal": "not-a-principal"},
        400,
        "InvalidParameterValueException",
        "The provided principal was invalid. Please check the principal and try again.",
    ),
    (
        "remove_permission",
        {"StatementId": "nope"},
        404,
        "ResourceNotFoundException",
        "No policy is associated with the given resource.",
    ),
]


@pytest.fixture(scope="module")
def error_function(lambdad: LambdadProcess, tmp_path_factory: pytest.TempPathFactory) -> str:
    name = "url-errors"
    _create(lambdad, name, tmp_path_factory.mktemp("errors"), {"index.py": ECHO})
    client = lambdad.lambda_client()
    client.create_function_url_config(FunctionName=name, AuthType="NONE")
    client.publish_version(FunctionName=name)
    client.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
    return name


@pytest.mark.parametrize(
    ("operation", "kwargs", "status", "code", "message"),
    URL_ERRORS,
    ids=[f"{e[0]}-{i}" for i, e in enumerate(URL_ERRORS)],
)
def test_error_catalogue(
    lambdad: LambdadProcess,
    error_function: str,
    operation: str,
    kwargs: dict[str, Any],
    status: int,
    code: str,
    message: str,
) -> None:
    client = lambdad.lambda_client()
    with pytest.raises(ClientError) as info:
        getattr(client, operation)(FunctionName=error_function, **kwargs)
    error = info.value.response
    arn = f"arn:aws:lambda:us-east-1:000000000000:function:{error_function}"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == status
    assert (error["Error"]["Code"], error["Error"]["Message"]) == (
        code,
        message.format(fn=error_function, arn=arn),
    )


def test_alias_url_and_unknown_function(lambdad: LambdadProcess, error_function: str) -> None:
    client = lambdad.lambda_client()
    # An alias of its own, so the error catalogue's "live" stays as it expects.
    client.create_alias(FunctionName=error_function, Name="beta", FunctionVersion="1")
    created = client.create_function_url_config(
        FunctionName=error_function, Qualifier="beta", AuthType="NONE"
    )
    assert created["FunctionArn"].endswith(f":function:{error_function}:beta")
    listed = client.list_function_url_configs(FunctionName=error_function)["FunctionUrlConfigs"]
    assert {c["FunctionArn"].rsplit(":", 1)[-1] for c in listed} >= {error_function, "beta"}
    assert len({c["FunctionUrl"] for c in listed}) == len(listed)
    url_id, _ = _url_parts(created["FunctionUrl"])
    http = urllib3.PoolManager()
    served = http.request("GET", _path_form(lambdad, url_id, "/alias"), retries=False)
    assert served.status == 200 and json.loads(served.data)["rawPath"] == "/alias"
    # Deleting the alias deletes its URL.
    client.delete_alias(FunctionName=error_function, Name="beta")
    gone = http.request("GET", _path_form(lambdad, url_id, "/alias"), retries=False)
    assert gone.status == 403 and json.loads(gone.data) == {"Message": None}
    with pytest.raises(ClientError) as info:
        client.list_function_url_configs(FunctionName="no-such-function")
    assert info.value.response["Error"]["Message"] == "Function does not exist"
