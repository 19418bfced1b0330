"""Support for the isolation and process-hygiene scenarios: hostile handlers, counting.

The handlers are ordinary functions: a victim, an attacker that turns the Runtime API
against another environment, and a handler that leaves children behind.
"""

from __future__ import annotations

import io
import json
import os
import textwrap
import zipfile
from collections.abc import Mapping
from pathlib import Path

from lambdad.client import AsyncLambdadClient
from lambdad.v1 import function_pb2 as fpb
from lambdad.v1 import function_service_pb2 as fs
from lambdad.v1 import invocation_service_pb2 as ipb
from tests.integration.support import wait_active

VICTIM = textwrap.dedent(
    """
    import os, time

    def handler(event, context):
        if event.get("sleep"):
            time.sleep(event["sleep"])
        return {"who": "victim", "api": os.environ["AWS_LAMBDA_RUNTIME_API"], "event": event}
    """
)

# Dials the Runtime API address it is given (another environment's), as a hostile function
# would: long-polls that environment's next event and answers it, forges a response, and
# tries the Extensions API and init/error on the same port.
ATTACKER = textwrap.dedent(
    """
    import urllib.error, urllib.request

    def call(method, url, body=None, headers=None, timeout=5.0):
        request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return {
                    "status": response.status,
                    "body": response.read().decode(),
                    "request_id": response.headers.get("Lambda-Runtime-Aws-Request-Id"),
                }
        except urllib.error.HTTPError as error:
            return {"status": error.code, "body": error.read().decode()}
        except Exception as error:
            return {"status": 0, "body": repr(error)}

    def handler(event, context):
        if "target" not in event:
            return "warm"
        base = "http://" + event["target"]
        runtime = base + "/2018-06-01/runtime"
        stolen = call("GET", runtime + "/invocation/next", timeout=event.get("wait", 5.0))
        answered = None
        if stolen.get("request_id"):
            answered = call(
                "POST",
                runtime + "/invocation/" + stolen["request_id"] + "/response",
                b'{"who": "attacker"}',
            )
        return {
            "next": stolen,
            "answered": answered,
            "forged": call("POST", runtime + "/invocation/guess/response", b'{"who": "x"}'),
            "error": call("POST", runtime + "/invocation/guess/error", b'{}'),
            "init_error": call("POST", runtime + "/init/error", b'{}'),
            "register": call(
                "POST",
                base + "/2020-01-01/extension/register",
                b'{"events": ["INVOKE"]}',
                {"Lambda-Extension-Name": "spy"},
            ),
        }
    """
)

# Starts `children` processes (sleep 600) carrying MARKER in their environment and returns
# at once, leaving them running; `escape` also starts some in their own session, through a
# double fork, as a daemonizing program would; `exit` ends the runtime process itself.
SPAWNER = textwrap.dedent(
    """
    import os, subprocess

    def handler(event, context):
        env = dict(os.environ, LAMBDAD_TEST_MARKER=event["marker"])
        for i in range(event.get("children", 50)):
            subprocess.Popen(
                ["sleep", "600"],
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=event.get("escape", False) and i % 10 == 0,
            )
        if event.get("escape"):
            subprocess.Popen(
                ["sh", "-c", "setsid sleep 600 < /dev/null > /dev/null 2>&1 &"], env=env
            ).wait()
        if event.get("exit"):  # the runtime (the environment's leader) dies after them
            os._exit(0)
        return {"pid": os.getpid()}
    """
)


def zipped(files: Mapping[str, str]) -> bytes:
    """A zip of `files`."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


async def create_python(
    client: AsyncLambdadClient, name: str, source: str, *, timeout: int = 30
) -> None:
    """Create a python3.11 function `app.handler` from `source` and wait until it is Active."""
    await client.create_function(
        fs.CreateFunctionRequest(
            function_name=name,
            runtime="python3.11",
            role="arn:aws:iam::000000000000:role/lambda-role",
            handler="app.handler",
            code=fpb.FunctionCode(zip_file=zipped({"app.py": source})),
            timeout=timeout,
        )
    )
    await wait_active(client, name)


async def invoke_json(client: AsyncLambdadClient, name: str, event: object) -> object:
    """Invoke `name` with `event`; the decoded payload (a function error fails the test)."""
    response = await client.invoke(
        ipb.InvokeRequest(function_name=name, payload=json.dumps(event).encode())
    )
    assert not response.function_error, response.payload
    return json.loads(response.payload)


def marked_processes(marker: str) -> list[int]:
    """Live processes whose environment holds LAMBDAD_TEST_MARKER=`marker` (zombies have
    none, so they do not count)."""
    needle = f"LAMBDAD_TEST_MARKER={marker}".encode()
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            environ = Path(entry.path, "environ").read_bytes()
        except OSError:
            continue
        if needle in environ.split(b"\0"):
            found.append(int(entry.name))
    return found
