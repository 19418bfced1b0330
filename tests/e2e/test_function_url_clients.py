"""Function URLs called as printed by clients that use the system resolver: Python's urllib and
requests, and Node's fetch, on the host and from a container (a runtime image on Docker's
bridge, reaching the gateway by the name LAMBDAD_URL_HOST gives it, as a compose service would).

The default FunctionUrl is path style (`http://localhost:PORT/lambda-url/<id>/`): names under
`*.localhost` resolve in curl and browsers only, so the host-style URL failed in these clients.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docker
import pytest

from tests.e2e.support import LambdadProcess, create_function, settled
from tests.helpers import make_zip

pytestmark = pytest.mark.e2e

ECHO = """
import json

def handler(event, context):
    return {"statusCode": 200, "headers": {"content-type": "application/json"},
            "body": json.dumps({"rawPath": event["rawPath"], "body": event.get("body"),
                                "domainName": event["requestContext"]["domainName"]})}
"""

PYTHON_CLIENTS = """
import json, sys, urllib.request
import requests

url = sys.argv[1]
request = urllib.request.Request(
    url + "via/urllib?q=1", data=b"u", headers={"content-type": "text/plain"}, method="POST"
)
with urllib.request.urlopen(request, timeout=30) as answer:
    by_urllib = [answer.status, json.loads(answer.read())]
answer = requests.post(
    url + "via/requests", data=b"r", headers={"content-type": "text/plain"}, timeout=30
)
print(json.dumps([by_urllib, [answer.status_code, answer.json()]]))
"""

NODE_CLIENT = """
const url = process.argv[2];
const answer = await fetch(url + "via/fetch", {
  method: "POST", body: "f", headers: { "content-type": "text/plain" },
});
console.log(JSON.stringify([answer.status, await answer.json()]));
"""

# What the three calls must get back: status, the path the function saw, the body it got.
EXPECTED = [
    [200, "/via/urllib", "u"],
    [200, "/via/requests", "r"],
    [200, "/via/fetch", "f"],
]


def _scripts(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "clients.py").write_text(PYTHON_CLIENTS)
    (directory / "client.mjs").write_text(NODE_CLIENT)
    return directory


def _results(python_output: str, node_output: str) -> list[list[Any]]:
    python = json.loads(python_output)
    node = json.loads(node_output)
    return [[status, got["rawPath"], got["body"]] for status, got in [*python, node]]


def _url(lambdad: LambdadProcess, name: str) -> str:
    client = lambdad.lambda_client()
    create_function(client, name, make_zip({"app.py": ECHO}))
    settled(client, name)
    created = client.create_function_url_config(FunctionName=name, AuthType="NONE")
    return str(created["FunctionUrl"])


def test_clients_on_the_host_call_the_printed_url(
    lambdad: LambdadProcess, function_name: str, tmp_path: Path
) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("no node on this machine")
    url = _url(lambdad, function_name)
    assert url.startswith(f"http://localhost:{lambdad.gateway_port}/lambda-url/")
    scripts = _scripts(tmp_path)
    python = subprocess.run(
        [sys.executable, str(scripts / "clients.py"), url],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    fetched = subprocess.run(
        [node, str(scripts / "client.mjs"), url],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    assert _results(python.stdout, fetched.stdout) == EXPECTED
    # The function still sees AWS's domainName shape.
    url_id = url.rstrip("/").rsplit("/", 1)[1]
    got = json.loads(fetched.stdout)[1]
    assert got["domainName"] == f"{url_id}.lambda-url.us-east-1.localhost"


GATEWAY_NAME = "lambdad-gateway"


@pytest.fixture
def bridged_lambdad(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LambdadProcess]:
    """A daemon whose gateway containers reach as `lambdad-gateway` (its FunctionUrl names
    that host), listening on every interface so Docker's bridge gets through."""
    monkeypatch.setenv("LAMBDAD_URL_HOST", GATEWAY_NAME)
    process = LambdadProcess(
        data_dir=tmp_path / "data",
        log_path=tmp_path / "lambdad.log",
        extra_args=["--gateway-host", "0.0.0.0"],
    ).start()
    yield process
    process.stop()


def _site_packages_of(*modules: str, into: Path) -> Path:
    """The host's copies of `modules` (requests and what it imports), for a container."""
    for module in modules:
        spec = importlib.util.find_spec(module)
        assert spec is not None and spec.origin is not None, module
        source = Path(spec.origin).parent
        shutil.copytree(source, into / module, ignore=shutil.ignore_patterns("__pycache__"))
    return into


@pytest.mark.docker
def test_clients_in_a_container_call_the_printed_url(
    bridged_lambdad: LambdadProcess,
    function_name: str,
    tmp_path: Path,
    runtime_images: dict[str, str],
    test_daemon_id: str,
) -> None:
    url = _url(bridged_lambdad, function_name)
    assert url.startswith(f"http://{GATEWAY_NAME}:{bridged_lambdad.gateway_port}/lambda-url/")
    scripts = _scripts(tmp_path / "scripts")
    # The host's Python is 3.11, so its requests (and charset_normalizer) suit python3.11.
    deps = _site_packages_of(
        "requests", "urllib3", "idna", "certifi", "charset_normalizer", into=tmp_path / "deps"
    )
    engine = docker.from_env()

    def run(image: str, *command: str) -> str:
        output = engine.containers.run(
            image,
            list(command),
            entrypoint=[],
            remove=True,
            extra_hosts={GATEWAY_NAME: "host-gateway"},
            volumes={
                str(scripts): {"bind": "/scripts", "mode": "ro"},
                str(deps): {"bind": "/deps", "mode": "ro"},
            },
            environment={"PYTHONPATH": "/deps"},
            labels={"lambdad.test.daemon": test_daemon_id},
        )
        return bytes(output).decode()

    try:
        python = run(runtime_images["python3.11"], "python3", "/scripts/clients.py", url)
        node_image = runtime_images.get("nodejs20.x")
        if node_image is None:
            pytest.skip("no Node.js runtime image")
        fetched = run(node_image, "node", "/scripts/client.mjs", url)
    finally:
        engine.close()
    assert _results(python, fetched) == EXPECTED
