"""`lambdadctl` against an in-process daemon (process executor): tables, JSON, invoke, logs.

The CLI is blocking, so each run goes to a thread while the test's loop serves the daemon.
"""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
import structlog

from lambdad.client import AsyncLambdadClient
from lambdad.client.cli import main
from lambdad.daemon.server import Daemon
from lambdad.v1 import function_pb2, layer_service_pb2, url_service_pb2
from lambdad.v1 import function_service_pb2 as fs
from lambdad.v1 import invocation_service_pb2 as inv
from tests.helpers import async_wait_for, make_zip

FAILING_SOURCE = "def handler(event, context):\n    raise ValueError('no ' + event['want'])\n"


@pytest.fixture(autouse=True)
def quiet_logs() -> Iterator[None]:
    # The daemon logs to stdout, where the CLI prints too; keep stdout the CLI's.
    with structlog.testing.capture_logs():
        yield


@pytest.fixture
async def client(daemon: Daemon) -> AsyncIterator[AsyncLambdadClient]:
    async with AsyncLambdadClient.connect(f"127.0.0.1:{daemon.port}") as client:
        yield client


async def _create(client: AsyncLambdadClient, name: str, source: str | None = None) -> None:
    await client.create_function(
        fs.CreateFunctionRequest(
            function_name=name,
            runtime="python3.12",
            role="r1",
            handler="app.handler",
            code=function_pb2.FunctionCode(
                zip_file=make_zip({"app.py": source} if source else None)
            ),
            environment=function_pb2.Environment(variables={"STAGE": "test"}),
        )
    )


async def _ctl(daemon: Daemon, *argv: str) -> int:
    return await asyncio.to_thread(main, ["--target", f"127.0.0.1:{daemon.port}", *argv])


async def test_functions_list_prints_a_table_and_json(
    daemon: Daemon, client: AsyncLambdadClient, capsys: pytest.CaptureFixture[str]
) -> None:
    await _create(client, "alpha")
    assert await _ctl(daemon, "functions", "list") == 0
    header, row = capsys.readouterr().out.splitlines()
    assert header.split() == ["NAME", "VERSION", "RUNTIME", "HANDLER", "STATE", "LAST", "MODIFIED"]
    assert row.split()[:4] == ["alpha", "$LATEST", "python3.12", "app.handler"]

    assert await _ctl(daemon, "--json", "functions", "list") == 0
    printed = json.loads(capsys.readouterr().out)
    assert [f["FunctionName"] for f in printed["Functions"]] == ["alpha"]


async def test_functions_get_shows_configuration_rows(
    daemon: Daemon, client: AsyncLambdadClient, capsys: pytest.CaptureFixture[str]
) -> None:
    await _create(client, "alpha")
    assert await _ctl(daemon, "functions", "get", "alpha") == 0
    rows = dict(line.split(None, 1) for line in capsys.readouterr().out.splitlines()[1:])
    assert rows["FunctionName"] == "alpha"
    assert rows["Handler"] == "app.handler"
    assert rows["FunctionArn"].endswith(":function:alpha")


async def test_invoke_payload_from_string_file_and_stdin(
    daemon: Daemon,
    client: AsyncLambdadClient,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsysbinary: pytest.CaptureFixture[bytes],
) -> None:
    await _create(client, "echo")
    assert await _ctl(daemon, "functions", "invoke", "echo", "--payload", '{"a": 1}') == 0
    assert json.loads(capsysbinary.readouterr().out) == {"a": 1}

    event = tmp_path / "event.json"
    event.write_text('{"from": "file"}')
    assert await _ctl(daemon, "functions", "invoke", "echo", "--payload-file", str(event)) == 0
    assert json.loads(capsysbinary.readouterr().out) == {"from": "file"}

    monkeypatch.setattr("sys.stdin", SimpleNamespace(buffer=io.BytesIO(b'{"from": "stdin"}')))
    assert await _ctl(daemon, "functions", "invoke", "echo", "--payload-file", "-") == 0
    assert json.loads(capsysbinary.readouterr().out) == {"from": "stdin"}


async def test_invoke_log_tail_goes_to_stderr(
    daemon: Daemon, client: AsyncLambdadClient, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    await _create(client, "echo")
    argv = ("functions", "invoke", "echo", "--payload", '"hi"', "--log-tail")
    assert await _ctl(daemon, *argv) == 0
    captured = capsysbinary.readouterr()
    assert json.loads(captured.out) == "hi"
    assert b"START RequestId: " in captured.err
    assert b"REPORT RequestId: " in captured.err


async def test_invoke_function_error_exits_3_with_the_error_type(
    daemon: Daemon, client: AsyncLambdadClient, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    await _create(client, "boom", FAILING_SOURCE)
    argv = ("functions", "invoke", "boom", "--payload", '{"want": "luck"}')
    assert await _ctl(daemon, *argv) == 3
    captured = capsysbinary.readouterr()
    assert json.loads(captured.out)["errorMessage"] == "no luck"
    assert captured.err == b"Unhandled: ValueError\n"


async def test_invoke_event_prints_nothing_and_json_shows_status(
    daemon: Daemon, client: AsyncLambdadClient, capsys: pytest.CaptureFixture[str]
) -> None:
    await _create(client, "echo")
    argv = ("functions", "invoke", "echo", "--invocation-type", "Event", "--payload", "{}")
    assert await _ctl(daemon, *argv) == 0
    assert capsys.readouterr().out == ""
    assert await _ctl(daemon, "--json", "functions", "invoke", "echo", "--payload", "[1]") == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["StatusCode"] == 200
    assert printed["Payload"] == "[1]"


async def test_invoke_missing_function_exits_1_with_reason(
    daemon: Daemon, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await _ctl(daemon, "functions", "invoke", "nope") == 1
    assert capsys.readouterr().err.startswith("FUNCTION_NOT_FOUND: ")


async def test_logs_prints_the_invocation_lines(
    daemon: Daemon, client: AsyncLambdadClient, capsys: pytest.CaptureFixture[str]
) -> None:
    await _create(client, "echo")
    assert await _ctl(daemon, "functions", "invoke", "echo", "--payload", "{}") == 0
    capsys.readouterr()

    async def report_logged() -> str:
        assert await _ctl(daemon, "logs", "echo") == 0
        return capsys.readouterr().out

    # The REPORT line is written after the response; poll for it with a deadline.
    async def reported() -> str | None:
        printed = await report_logged()
        return printed if "REPORT RequestId" in printed else None

    lines = (await async_wait_for(reported)).splitlines()
    assert any(line.startswith("START RequestId: ") for line in lines)
    assert any(line.startswith("REPORT RequestId: ") for line in lines)


async def test_layers_and_urls_list(
    daemon: Daemon, client: AsyncLambdadClient, capsys: pytest.CaptureFixture[str]
) -> None:
    await client.publish_layer_version(
        layer_service_pb2.PublishLayerVersionRequest(
            layer_name="shared",
            content=layer_service_pb2.LayerVersionContentInput(
                zip_file=make_zip({"python/x.py": ""})
            ),
            compatible_runtimes=["python3.12"],
        )
    )
    assert await _ctl(daemon, "layers", "list") == 0
    header, row = capsys.readouterr().out.splitlines()
    assert header.split()[:3] == ["NAME", "LATEST", "VERSION"]
    assert row.split()[:3] == ["shared", "1", "python3.12"]

    await _create(client, "with-url")
    await _create(client, "without-url")
    created = await client.create_function_url_config(
        url_service_pb2.CreateFunctionUrlConfigRequest(function_name="with-url", auth_type="NONE")
    )
    for argv in (("urls", "list"), ("urls", "list", "with-url")):
        assert await _ctl(daemon, "--json", *argv) == 0
        printed = json.loads(capsys.readouterr().out)
        assert [c["FunctionUrl"] for c in printed["FunctionUrlConfigs"]] == [created.function_url]


async def test_health_is_quiet_and_exits_0_when_serving(
    daemon: Daemon, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await _ctl(daemon, "health") == 0
    assert capsys.readouterr() == ("", "")
    assert await _ctl(daemon, "health", "--verbose") == 0
    assert capsys.readouterr().out == "SERVING\n"
    assert await _ctl(daemon, "health", "--service", "lambdad.v1.NoSuchService") == 1


async def test_invocations_lists_the_newest_first(
    daemon: Daemon, client: AsyncLambdadClient, capsys: pytest.CaptureFixture[str]
) -> None:
    await _create(client, "boom", FAILING_SOURCE)
    assert await _ctl(daemon, "functions", "invoke", "boom", "--payload", '{"want": "x"}') == 3
    await _create(client, "echo")
    assert await _ctl(daemon, "functions", "invoke", "echo", "--payload", "{}") == 0
    capsys.readouterr()
    assert await _ctl(daemon, "invocations", "boom") == 0
    header, row = capsys.readouterr().out.splitlines()
    assert header.split()[:4] == ["REQUEST", "ID", "VERSION", "TYPE"]
    assert row.split()[1:3] == ["$LATEST", "RequestResponse"]
    assert row.split()[-2:] == ["Unhandled", "ValueError"]


async def test_logs_follow_keeps_streaming_until_its_deadline(
    daemon: Daemon, client: AsyncLambdadClient, capsys: pytest.CaptureFixture[str]
) -> None:
    await _create(client, "echo")
    follow = asyncio.create_task(_ctl(daemon, "--timeout", "3", "logs", "echo", "--follow"))
    response = await client.invoke(inv.InvokeRequest(function_name="echo", payload=b"{}"))
    # Without --follow the command ends with the history (exit 0); following, only the
    # deadline ends it.
    assert await follow == 1
    captured = capsys.readouterr()
    assert f"START RequestId: {response.request_id}" in captured.out
    assert captured.err.startswith("DEADLINE_EXCEEDED")
