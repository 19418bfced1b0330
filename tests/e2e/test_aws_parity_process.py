"""Inside the execution environment as AWS sets it up (issue 15), with the process executor.

`AWS_LAMBDA_EXEC_WRAPPER` was applied only by the Docker executor before, and under
`LoggingConfig.LogFormat=JSON` the platform's START/END/REPORT lines stayed text.
"""

from __future__ import annotations

import base64
import io
import json
import re
import zipfile
from typing import Any

import pytest

from tests.e2e.support import LambdadProcess, aws_client, settled
from tests.helpers import wait_for

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


JSON_HANDLER = """
import logging
logger = logging.getLogger()
def handler(event, context):
    logger.info("an info line")
    return 1
"""


def test_json_log_format_applies_to_platform_lines(
    lambdad: LambdadProcess, client: Any, function_name: str
) -> None:
    client.create_function(
        FunctionName=function_name,
        Runtime="python3.12",
        Role="arn:aws:iam::000000000000:role/lambda-role",
        Handler="app.handler",
        Code={"ZipFile": _zip({"app.py": (JSON_HANDLER, 0o644)})},
        Timeout=30,
        LoggingConfig={"LogFormat": "JSON"},
    )
    settled(client, function_name, timeout=60)
    answer = client.invoke(FunctionName=function_name, LogType="Tail")
    request_id = answer["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"]
    tail = base64.b64decode(answer["LogResult"]).decode()
    assert "RequestId:" not in tail
    records = [json.loads(line) for line in tail.splitlines()]
    platform = [r for r in records if "type" in r]
    assert [r["type"] for r in platform] == [
        "platform.start",
        "platform.runtimeDone",
        "platform.report",
    ]
    assert platform[0]["record"] == {"requestId": request_id, "version": "$LATEST"}
    assert platform[1]["record"] == {"requestId": request_id, "status": "success"}
    report = platform[2]["record"]
    assert (report["requestId"], report["status"]) == (request_id, "success")
    assert set(report["metrics"]) == {
        "durationMs",
        "billedDurationMs",
        "memorySizeMB",
        "maxMemoryUsedMB",
        "initDurationMs",
    }
    assert report["metrics"]["memorySizeMB"] == 128
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", platform[0]["time"])
    # The handler's own line is a JSON record of the runtime's, with level and request id.
    app = [r for r in records if "type" not in r]
    assert [(r["level"], r["message"], r["requestId"]) for r in app] == [
        ("INFO", "an info line", request_id)
    ]
    # CloudWatch Logs holds the same records.
    logs = aws_client("logs", lambdad.endpoint)
    group = f"/aws/lambda/{function_name}"

    def types() -> list[str]:
        pages = logs.get_paginator("filter_log_events").paginate(logGroupName=group)
        messages = [e["message"] for page in pages for e in page["events"]]
        return [json.loads(m).get("type", "app") for m in messages]

    wait_for(lambda: "platform.report" in types(), timeout=30)
    assert types() == ["platform.start", "app", "platform.runtimeDone", "platform.report"]
