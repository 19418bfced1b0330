"""Functions running with layers, in Docker containers and as local processes.

The seed page's layer walkthrough with the AWS CLI exactly as written there, layer content
at `/opt` (ordering, later layers winning), a Node.js function using a layer's
`node_modules`, a custom runtime whose bootstrap comes from a layer, and one extraction for
two functions sharing a layer.
"""

from __future__ import annotations

import base64
import io
import json
import os
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.support import LambdadProcess, settled
from tests.helpers import make_zip, wait_for

pytestmark = pytest.mark.e2e

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
      curl -sS -X POST "$API/invocation/$REQUEST_ID/response" \\
        -d "{\\"bootstrap\\": \\"from a layer\\", \\"event\\": $EVENT}" >/dev/null
    done
    """
)


def _zip(files: dict[str, str], executable: tuple[str, ...] = ()) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (0o755 if name in executable else 0o644) << 16
            archive.writestr(info, content)
    return buffer.getvalue()


def _publish(client: Any, name: str, files: dict[str, str], **kwargs: Any) -> str:
    data = _zip(files, **kwargs)
    return str(
        client.publish_layer_version(LayerName=name, Content={"ZipFile": data})["LayerVersionArn"]
    )


def _create(
    client: Any, name: str, runtime: str, handler: str, code: bytes, layers: list[str]
) -> None:
    client.create_function(
        FunctionName=name,
        Runtime=runtime,
        Role="r1",
        Handler=handler,
        Timeout=30,
        Code={"ZipFile": code},
        Layers=layers,
    )
    settled(client, name, timeout=120)


def _invoke(client: Any, name: str) -> Any:
    answer = client.invoke(FunctionName=name, Payload=b'{"k": 1}')
    payload = json.loads(answer["Payload"].read())
    assert "FunctionError" not in answer, payload
    return payload


def test_seed_page_layer_example_verbatim(served: LambdadProcess, tmp_path: Path) -> None:
    """lambda-seed's "Creating Lambda layers locally", command for command (awslocal = aws
    --endpoint-url), run in a shell."""
    # The page's commands as written, with its /tmp replaced by this test's directory.
    page = textwrap.dedent(
        """\
        mkdir -p /tmp/python/
        echo 'def util():' > /tmp/python/testlayer.py
        echo '  print("Output from Lambda layer util function")' >> /tmp/python/testlayer.py
        (cd /tmp; zip -r testlayer.zip python)
        LAYER_ARN=$(awslocal lambda publish-layer-version --layer-name layer1 --zip-file fileb:///tmp/testlayer.zip | jq -r .LayerArn)
        echo 'def handler(*args, **kwargs):' > /tmp/testlambda.py
        echo '  import testlayer; testlayer.util()' >> /tmp/testlambda.py
        echo '  print("Debug output from Lambda function")' >> /tmp/testlambda.py
        (cd /tmp; zip testlambda.zip testlambda.py)
        awslocal lambda create-function --function-name func1 --runtime python3.8 --role r1 --handler testlambda.handler --timeout 30 --zip-file fileb:///tmp/testlambda.zip --layers $LAYER_ARN:1
        """  # noqa: E501 - the page's commands, unwrapped
    )
    script = (
        "set -e\n"
        + page.replace("/tmp", str(tmp_path / "work"))
        + (
            "awslocal lambda wait function-active-v2 --function-name func1\n"
            "awslocal lambda invoke --function-name func1 --log-type Tail "
            f"{tmp_path}/out.json --query LogResult --output text | base64 -d\n"
        )
    )
    (tmp_path / "work").mkdir()
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    awslocal = bin_dir / "awslocal"
    awslocal.write_text(
        f'#!/bin/sh\nexec "{sys.executable}" -m awscli --endpoint-url {served.endpoint} "$@"\n'
    )
    awslocal.chmod(0o755)
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_PAGER": "",
    }
    result = subprocess.run(
        ["sh", "-c", script], capture_output=True, text=True, env=env, timeout=300
    )
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    starts = [i for i, line in enumerate(lines) if line.startswith("START RequestId: ")]
    assert starts, result.stdout
    tail = lines[starts[-1] :]
    assert tail[0].endswith("Version: $LATEST")
    assert tail[1] == "Output from Lambda layer util function"
    assert tail[2] == "Debug output from Lambda function"
    assert tail[3].startswith("END RequestId: ")


OPT_HANDLER = textwrap.dedent(
    """\
    import os, shutil, subprocess
    import shared, only_a

    def handler(event, context):
        tool = shutil.which("layer-tool")
        return {
            "shared": shared.VALUE,
            "only_a": only_a.VALUE,
            "site": __import__("from_site").VALUE,
            "shared_file": shared.__file__,
            "tool": subprocess.run([tool], capture_output=True, text=True).stdout.strip(),
            "tool_path": tool,
        }
    """
)


def test_opt_contents_order_and_override(served: LambdadProcess) -> None:
    client = served.lambda_client()
    first = _publish(
        client,
        "first",
        {
            "python/shared.py": "VALUE = 'first'\n",
            "python/only_a.py": "VALUE = 'only in first'\n",
            "bin/layer-tool": "#!/bin/sh\necho tool from first\n",
        },
        executable=("bin/layer-tool",),
    )
    second = _publish(
        client,
        "second",
        {
            "python/shared.py": "VALUE = 'second'\n",
            "python/lib/python3.11/site-packages/from_site.py": "VALUE = 'site-packages'\n",
            "bin/layer-tool": "#!/bin/sh\necho tool from second\n",
        },
        executable=("bin/layer-tool",),
    )
    _create(
        client,
        "opt-order",
        "python3.11",
        "app.handler",
        make_zip({"app.py": OPT_HANDLER}),
        [first, second],
    )
    result = _invoke(client, "opt-order")
    assert result["shared"] == "second"  # later layer wins
    assert result["only_a"] == "only in first"  # folders merged
    assert result["site"] == "site-packages"
    assert result["tool"] == "tool from second"
    if served.executor == "docker":
        assert result["shared_file"] == "/opt/python/shared.py"
        assert result["tool_path"] == "/opt/bin/layer-tool"
    # The other order: the first layer wins.
    _create(
        client,
        "opt-reversed",
        "python3.11",
        "app.handler",
        make_zip({"app.py": OPT_HANDLER}),
        [second, first],
    )
    reversed_result = _invoke(client, "opt-reversed")
    assert reversed_result["shared"] == "first"
    assert reversed_result["tool"] == "tool from first"


def test_node_function_uses_layer_node_modules(served: LambdadProcess) -> None:
    client = served.lambda_client()
    layer = _publish(
        client,
        "node-greeter",
        {
            "nodejs/node_modules/greeter/index.js": (
                "exports.greet = (n) => `hello ${n} from a layer`;\n"
            )
        },
    )
    code = make_zip(
        {
            "index.js": "const g = require('greeter');\n"
            "exports.handler = async (event) => ({ greeting: g.greet('node') });\n"
        }
    )
    _create(client, "node-layer", "nodejs20.x", "index.handler", code, [layer])
    assert _invoke(client, "node-layer") == {"greeting": "hello node from a layer"}


def test_custom_runtime_bootstrap_from_layer(served: LambdadProcess) -> None:
    client = served.lambda_client()
    layer = _publish(
        client, "custom-bootstrap", {"bootstrap": BOOTSTRAP}, executable=("bootstrap",)
    )
    _create(
        client,
        "custom-from-layer",
        "provided.al2023",
        "function.handler",
        make_zip({"README.txt": "code without a bootstrap\n"}),
        [layer],
    )
    assert _invoke(client, "custom-from-layer") == {"bootstrap": "from a layer", "event": {"k": 1}}


SHARED_HANDLER = (
    "import os, shared_lib\n\ndef handler(e, c):\n"
    "    return {'real': os.path.realpath(shared_lib.__file__),"
    " 'inode': os.stat(shared_lib.__file__).st_ino}\n"
)


def test_shared_layer_is_extracted_once(served: LambdadProcess) -> None:
    client = served.lambda_client()
    data = make_zip({"python/shared_lib.py": "X = 1\n"})
    published = client.publish_layer_version(LayerName="shared-once", Content={"ZipFile": data})
    arn = published["LayerVersionArn"]
    code = make_zip({"app.py": SHARED_HANDLER})
    for name in ("share-a", "share-b"):
        _create(client, name, "python3.11", "app.handler", code, [arn])
    a, b = _invoke(client, "share-a"), _invoke(client, "share-b")
    # One extraction: both functions see the very same file (same inode).
    assert a["inode"] == b["inode"]
    sha_hex = base64.b64decode(published["Content"]["CodeSha256"]).hex()
    extracted = [p for p in (served.data_dir / "code").iterdir() if p.name == sha_hex]
    assert len(extracted) == 1
    assert (extracted[0] / "python/shared_lib.py").stat().st_ino == a["inode"]


EXTENSION = textwrap.dedent(
    """\
    #!/usr/bin/env python3
    import json, os, urllib.request

    API = "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"] + "/2020-01-01/extension"
    LOG = os.path.join(os.environ.get("TMPDIR", "/tmp"), "extension-events.jsonl")


    def record(item):
        with open(LOG, "a") as handle:
            handle.write(json.dumps(item) + "\\n")


    register = urllib.request.Request(
        API + "/register",
        data=json.dumps({"events": ["INVOKE", "SHUTDOWN"]}).encode(),
        headers={"Lambda-Extension-Name": "recorder"},
        method="POST",
    )
    with urllib.request.urlopen(register) as answer:
        identifier = answer.headers["Lambda-Extension-Identifier"]
        record({"registered": json.load(answer)})
    while True:
        poll = urllib.request.Request(
            API + "/event/next", headers={"Lambda-Extension-Identifier": identifier}
        )
        with urllib.request.urlopen(poll) as answer:
            event = json.load(answer)
        record(event)
        if event["eventType"] == "SHUTDOWN":
            if os.environ.get("SHUTDOWN_FILE"):
                with open(os.environ["SHUTDOWN_FILE"], "w") as handle:
                    json.dump(event, handle)
            break
    """
)
EVENTS_HANDLER = (
    "import json, os\n\ndef handler(e, c):\n"
    "    path = os.path.join(os.environ.get('TMPDIR', '/tmp'), 'extension-events.jsonl')\n"
    "    with open(path) as f:\n"
    "        return [json.loads(line) for line in f]\n"
)


def test_extension_receives_invoke_and_shutdown(served: LambdadProcess, tmp_path: Path) -> None:
    client = served.lambda_client()
    layer = _publish(
        client,
        "recorder-extension",
        {"extensions/recorder": EXTENSION},
        executable=("extensions/recorder",),
    )
    _create(
        client,
        "with-extension",
        "python3.11",
        "app.handler",
        make_zip({"app.py": EVENTS_HANDLER}),
        [layer],
    )
    first = client.invoke(FunctionName="with-extension", Payload=b"{}")
    first_id = first["ResponseMetadata"]["RequestId"]
    events = _invoke(client, "with-extension")
    assert events[0]["registered"] == {
        "functionName": "with-extension",
        "functionVersion": "$LATEST",
        "handler": "app.handler",
    }
    invokes = [e for e in events[1:] if e["eventType"] == "INVOKE"]
    assert invokes[0]["requestId"] == first_id
    assert invokes[0]["invokedFunctionArn"].endswith(":function:with-extension")
    assert invokes[0]["deadlineMs"] > 0
    if served.executor == "process":
        # SHUTDOWN when the environment goes away (a configuration change retires it).
        shutdown_file = tmp_path / "shutdown.json"
        client.update_function_configuration(
            FunctionName="with-extension",
            Environment={"Variables": {"SHUTDOWN_FILE": str(shutdown_file)}},
        )
        settled(client, "with-extension", timeout=60)
        _invoke(client, "with-extension")
        client.update_function_configuration(FunctionName="with-extension", Timeout=29)
        wait_for(shutdown_file.exists, timeout=30)
        assert json.loads(shutdown_file.read_text())["eventType"] == "SHUTDOWN"
