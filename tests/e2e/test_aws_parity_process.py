"""Inside the execution environment as AWS sets it up (issue 15), with the process executor.

`AWS_LAMBDA_EXEC_WRAPPER` was applied only by the Docker executor before.
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest

from tests.e2e.support import settled

pytestmark = pytest.mark.e2e


def _zip(files: dict[str, tuple[str, int]]) -> bytes:
    """A zip whose entries keep their modes (a wrapper script must be executable)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, (text, mode) in files.items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (0o100000 | mode) << 16
            archive.writestr(info, text)
    return buffer.getvalue()


def test_exec_wrapper_starts_the_runtime(client: Any, function_name: str) -> None:
    wrapper = '#!/bin/sh\nexport WRAPPED="$#"\nexec "$@"\n'
    handler = "import os\ndef handler(event, context):\n    return os.environ.get('WRAPPED')\n"
    client.create_function(
        FunctionName=function_name,
        Runtime="python3.12",
        Role="arn:aws:iam::000000000000:role/lambda-role",
        Handler="app.handler",
        Code={"ZipFile": _zip({"app.py": (handler, 0o644), "wrapper.sh": (wrapper, 0o755)})},
        Timeout=30,
        Environment={"Variables": {"AWS_LAMBDA_EXEC_WRAPPER": "/var/task/wrapper.sh"}},
    )
    settled(client, function_name, timeout=60)
    answer = client.invoke(FunctionName=function_name)
    assert answer.get("FunctionError") is None
    # The wrapper got the runtime's command as its arguments, and the runtime ran.
    assert int(json.loads(answer["Payload"].read())) >= 1
