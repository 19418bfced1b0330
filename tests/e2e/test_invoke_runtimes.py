"""Python, Node.js and custom-runtime functions invoked with boto3 and the AWS CLI, in Docker
containers and as local processes: `lambdad serve --executor docker|process` as a user runs it.
"""

from __future__ import annotations

import base64
import io
import json
import textwrap
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.support import LambdadProcess, settled

pytestmark = pytest.mark.e2e

PYTHON = (
    "def handler(event, context):\n    print('python saw', event)\n    return {'python': event}\n"
)
NODE = (
    "exports.handler = async (event) => {\n"
    "  console.log('node saw', JSON.stringify(event));\n"
    "  return { node: event };\n"
    "};\n"
)
SLEEPER = "import time\n\ndef handler(event, context):\n    time.sleep(5)\n"
# The shape of AWS's custom-runtime tutorial: a shell loop speaking the Runtime API with curl.
BOOTSTRAP = textwrap.dedent(
    """\
    #!/bin/sh
    set -eu
    API="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
    while true; do
      HEADERS="$(mktemp)"
      EVENT=$(curl -sS -LD "$HEADERS" "$API/invocation/next")
      REQUEST_ID=$(grep -Fi Lambda-Runtime-Aws-Request-Id "$HEADERS" \\
        | tr -d '[:space:]' | cut -d: -f2)
      echo "custom saw $EVENT"
      curl -sS -X POST "$API/invocation/$REQUEST_ID/response" -d "{\\"custom\\": $EVENT}" >/dev/null
    done
    """
)

# runtime, handler, files, result key
RUNTIMES = {
    "python": ("python3.11", "app.handler", {"app.py": PYTHON}, "python"),
    "node": ("nodejs20.x", "index.handler", {"index.js": NODE}, "node"),
    "custom": ("provided.al2023", "function.handler", {"bootstrap": BOOTSTRAP}, "custom"),
}


def _zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (0o755 if name == "bootstrap" else 0o644) << 16
            archive.writestr(info, content)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def functions(served: LambdadProcess) -> dict[str, str]:
    """One Active function per runtime, plus a Python function that outlives its timeout."""
    client = served.lambda_client()
    names = {}
    for key, (runtime, handler, files, _) in RUNTIMES.items():
        client.create_function(
            FunctionName=f"{key}-fn",
            Runtime=runtime,
            Role="r1",
            Handler=handler,
            Code={"ZipFile": _zip(files)},
        )
        names[key] = f"{key}-fn"
    client.create_function(
        FunctionName="sleeper",
        Runtime="python3.11",
        Role="r1",
        Handler="app.handler",
        Timeout=1,
        Code={"ZipFile": _zip({"app.py": SLEEPER})},
    )
    for name in [*names.values(), "sleeper"]:
        settled(client, name)
    return names


@pytest.mark.parametrize("runtime", sorted(RUNTIMES))
def test_boto3_invoke_with_tail(
    served: LambdadProcess, functions: dict[str, str], runtime: str
) -> None:
    client = served.lambda_client()
    response = client.invoke(FunctionName=functions[runtime], Payload=b'{"n": 1}', LogType="Tail")
    assert response["StatusCode"] == 200
    assert "FunctionError" not in response
    assert response["ExecutedVersion"] == "$LATEST"
    assert json.loads(response["Payload"].read()) == {RUNTIMES[runtime][3]: {"n": 1}}
    log = base64.b64decode(response["LogResult"]).decode()
    request_id = response["ResponseMetadata"]["RequestId"]
    assert f"START RequestId: {request_id} Version: $LATEST" in log
    assert f"{runtime} saw" in log
    assert f"END RequestId: {request_id}" in log
    assert f"REPORT RequestId: {request_id}\tDuration: " in log


@pytest.mark.parametrize("runtime", sorted(RUNTIMES))
def test_aws_cli_invoke(
    served: LambdadProcess, functions: dict[str, str], runtime: str, tmp_path: Path
) -> None:
    out = tmp_path / "out.json"
    printed = served.aws_json(
        "lambda",
        "invoke",
        "--function-name",
        functions[runtime],
        "--payload",
        '{"via": "cli"}',
        str(out),
    )
    assert printed == {"StatusCode": 200, "ExecutedVersion": "$LATEST"}
    assert json.loads(out.read_text()) == {RUNTIMES[runtime][3]: {"via": "cli"}}


def test_timeout_comes_back_as_aws_reports_it(
    served: LambdadProcess, functions: dict[str, str]
) -> None:
    client = served.lambda_client()
    response = client.invoke(FunctionName="sleeper", Payload=b"{}")
    assert response["StatusCode"] == 200
    assert response["FunctionError"] == "Unhandled"
    request_id = response["ResponseMetadata"]["RequestId"]
    assert json.loads(response["Payload"].read()) == {
        "errorType": "Sandbox.Timedout",
        "errorMessage": f"RequestId: {request_id} Error: Task timed out after 1.00 seconds",
    }


def test_cli_reports_function_error(
    served: LambdadProcess, functions: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "out.json"
    printed: Any = served.aws_json("lambda", "invoke", "--function-name", "sleeper", str(out))
    assert printed["FunctionError"] == "Unhandled"
    assert json.loads(out.read_text())["errorType"] == "Sandbox.Timedout"
