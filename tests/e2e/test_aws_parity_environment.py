"""Inside the execution environment as AWS sets it up (issue 15), in Docker, with boto3.

Each of these differed before: `LANG` was `C.UTF-8` and Docker's `HOME`/`HOSTNAME` were
set, `AWS_LAMBDA_EXEC_WRAPPER` was ignored, a segfaulting runtime was reported as `exit
status 139`, and the JSON log format dropped the handler's INFO lines (no
`AWS_LAMBDA_LOG_LEVEL` unless ApplicationLogLevel was given).
"""

from __future__ import annotations

import base64
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.support import LambdadProcess, settled
from tests.helpers import wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.docker]

RUNTIME = "python3.13"


def _zip(files: dict[str, tuple[str, int]]) -> bytes:
    """A zip whose entries keep their modes (a wrapper script must be executable)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, (text, mode) in files.items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (0o100000 | mode) << 16
            archive.writestr(info, text)
    return buffer.getvalue()


def _function(client: Any, name: str, files: dict[str, tuple[str, int]], **extra: Any) -> None:
    client.create_function(
        FunctionName=name,
        Runtime=RUNTIME,
        Role="arn:aws:iam::000000000000:role/lambda-role",
        Handler="app.handler",
        Code={"ZipFile": _zip(files)},
        Timeout=30,
        **extra,
    )
    settled(client, name, timeout=60)


def _invoke(client: Any, name: str) -> tuple[Any, str | None, str]:
    answer = client.invoke(FunctionName=name, LogType="Tail")
    payload = json.loads(answer["Payload"].read())
    return payload, answer.get("FunctionError"), base64.b64decode(answer["LogResult"]).decode()


ENVIRONMENT_HANDLER = """
import os
def handler(event, context):
    return dict(os.environ)
"""


def test_environment_variables_as_aws_sets_them(
    docker_lambdad: LambdadProcess, function_name: str
) -> None:
    client = docker_lambdad.lambda_client()
    _function(client, function_name, {"app.py": (ENVIRONMENT_HANDLER, 0o644)})
    environment, error, _ = _invoke(client, function_name)
    assert error is None
    assert (environment["LANG"], environment["LC_CTYPE"]) == ("en_US.UTF-8", "C.UTF-8")
    assert "HOME" not in environment
    assert "HOSTNAME" not in environment
    # A function's own value still wins.
    client.update_function_configuration(
        FunctionName=function_name, Environment={"Variables": {"LANG": "de_DE.UTF-8"}}
    )
    settled(client, function_name, timeout=60)
    environment, _, _ = _invoke(client, function_name)
    assert environment["LANG"] == "de_DE.UTF-8"


def test_exec_wrapper_starts_the_runtime(
    docker_lambdad: LambdadProcess, function_name: str
) -> None:
    client = docker_lambdad.lambda_client()
    wrapper = '#!/bin/sh\nexport WRAPPED="yes"\nexec "$@"\n'
    handler = "import os\ndef handler(event, context):\n    return os.environ.get('WRAPPED')\n"
    _function(
        client,
        function_name,
        {"app.py": (handler, 0o644), "wrapper.sh": (wrapper, 0o755)},
        Environment={"Variables": {"AWS_LAMBDA_EXEC_WRAPPER": "/var/task/wrapper.sh"}},
    )
    assert _invoke(client, function_name)[:2] == ("yes", None)


def test_segfaulting_runtime_is_reported_by_signal(
    docker_lambdad: LambdadProcess, function_name: str
) -> None:
    client = docker_lambdad.lambda_client()
    handler = "import ctypes\ndef handler(event, context):\n    ctypes.string_at(0)\n"
    _function(client, function_name, {"app.py": (handler, 0o644)})
    payload, error, log = _invoke(client, function_name)
    assert error == "Unhandled"
    assert payload["errorType"] == "Runtime.ExitError"
    assert payload["errorMessage"].endswith(
        "Error: Runtime exited with error: signal: segmentation fault"
    )
    assert "Runtime exited with error: signal: segmentation fault" in log


JSON_HANDLER = """
import logging
logger = logging.getLogger()
def handler(event, context):
    logger.debug("a debug line")
    logger.info("an info line")
    return 1
"""


def test_json_log_format_applies_info_level(
    docker_lambdad: LambdadProcess, function_name: str
) -> None:
    client = docker_lambdad.lambda_client()
    _function(
        client,
        function_name,
        {"app.py": (JSON_HANDLER, 0o644)},
        LoggingConfig={"LogFormat": "JSON"},
    )
    _, error, log = _invoke(client, function_name)
    assert error is None
    records = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    # The platform's own records (platform.start, ...) carry no level.
    assert [(r["level"], r["message"]) for r in records if "type" not in r] == [
        ("INFO", "an info line")
    ]


def test_image_pull_never_pulls_nothing(
    tmp_path: Path, runtime_images: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LAMBDAD_IMAGE_PULL", "never")
    process = LambdadProcess(
        data_dir=tmp_path / "data", log_path=tmp_path / "lambdad.log", executor="docker"
    ).start()
    try:
        client = process.lambda_client()
        # A runtime without a local lambdad image: AWS's base image would be pulled.
        missing = next(r for r in ("python3.12", "python3.14", "java21") if r not in runtime_images)
        client.create_function(
            FunctionName="never-pulled",
            Runtime=missing,
            Role="arn:aws:iam::000000000000:role/lambda-role",
            Handler="app.handler",
            Code={"ZipFile": _zip({"app.py": ("def handler(e, c):\n    return 1\n", 0o644)})},
        )

        def failed() -> Any:
            config = client.get_function_configuration(FunctionName="never-pulled")
            return config if config["State"] == "Failed" else None

        assert wait_for(failed, timeout=60)["StateReason"]
        # Nor is a function's own ImageUri pulled.
        client.create_function(
            FunctionName="never-pulled-image",
            PackageType="Image",
            Role="arn:aws:iam::000000000000:role/lambda-role",
            Code={"ImageUri": "registry.invalid/lambdad-test/nothing:1"},
        )
        log = process.log_path.read_text()
        assert '"pulling runtime image"' not in log
        assert "image not present and pulling is off" in log
    finally:
        process.stop()
