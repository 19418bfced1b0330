"""Developer tooling: container-image functions, hot reloading, remote debugging.

Image functions run on the Docker executor only; their images are built in the test from
lambdad's own offline images (no registry) and removed afterwards. Hot reloading and
debugging run under both executors.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import socket
import sys
import textwrap
import urllib.request
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import docker
import docker.errors
import pytest

from lambdad.client import AsyncLambdadClient
from lambdad.daemon.cli import main as cli_main
from lambdad.daemon.config import Config
from lambdad.daemon.images.build import _download_wheels, ensure_debian_base
from lambdad.daemon.server import Daemon, start_daemon
from lambdad.v1 import function_pb2 as fpb
from lambdad.v1 import function_service_pb2 as fs
from lambdad.v1 import invocation_service_pb2 as ipb
from tests.docker_fixtures import image_cache_dir
from tests.helpers import async_wait_for, free_port
from tests.integration.support import dap_request, wait_settled

ROLE = "arn:aws:iam::000000000000:role/lambda-role"
APP = textwrap.dedent(
    """
    import os

    def handler(event, context):
        return {"version": VERSION, "cwd": os.getcwd(), "handler": os.environ.get("_HANDLER"),
                "api": bool(os.environ.get("AWS_LAMBDA_RUNTIME_API")), "event": event}

    VERSION = "%s"
    """
)


async def _invoke(client: AsyncLambdadClient, name: str, event: object) -> ipb.InvokeResponse:
    return await client.invoke(
        ipb.InvokeRequest(function_name=name, payload=json.dumps(event).encode())
    )


async def _start(tmp_path: Path, executor: str) -> Daemon:
    return await start_daemon(Config(data_dir=tmp_path / "data", grpc_port=0, executor=executor))


@pytest.fixture
async def docker_daemon(runtime_images: dict[str, str], tmp_path: Path) -> AsyncIterator[Daemon]:
    """An in-process daemon with the Docker executor."""
    running = await _start(tmp_path, "docker")
    try:
        yield running
    finally:
        await running.stop(grace=0)


@pytest.fixture(params=["process", pytest.param("docker", marks=pytest.mark.docker)])
async def any_daemon(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Daemon]:
    """An in-process daemon with the executor of the test's parameter."""
    if request.param == "docker":
        request.getfixturevalue("runtime_images")
    running = await _start(tmp_path, request.param)
    try:
        yield running
    finally:
        await running.stop(grace=0)


def _client(daemon: Daemon) -> AsyncLambdadClient:
    return AsyncLambdadClient.connect(f"127.0.0.1:{daemon.port}")


# ------------------------------------------------------------------ image functions
@pytest.fixture
def built_images(docker_required: docker.DockerClient) -> Iterator[list[str]]:
    """Tags the test builds; every one is removed afterwards."""
    tags: list[str] = []
    yield tags
    for tag in tags:
        with contextlib.suppress(docker.errors.ImageNotFound):
            docker_required.images.remove(tag, force=True)


def _build(
    client: docker.DockerClient, context: Path, dockerfile: str, tags: list[str]
) -> tuple[str, str]:
    """Build `dockerfile` in `context`; (tag, image id)."""
    (context / "Dockerfile").write_text(dockerfile)
    tag = f"lambdad-test/app-{uuid.uuid4().hex[:10]}:latest"
    tags.append(tag)
    image, _ = client.images.build(path=str(context), tag=tag, rm=True, forcerm=True)
    return tag, str(image.id)


async def _create_image_function(
    client: AsyncLambdadClient, name: str, image_uri: str, **image_config: object
) -> fpb.FunctionConfiguration:
    request = fs.CreateFunctionRequest(
        function_name=name,
        role=ROLE,
        package_type="Image",
        code=fpb.FunctionCode(image_uri=image_uri),
    )
    if image_config:
        request.image_config.CopyFrom(fpb.ImageConfig(**image_config))  # type: ignore[arg-type]
    created = await client.create_function(request)
    return created.configuration


@pytest.mark.docker
async def test_image_from_lambdad_base_image(
    docker_daemon: Daemon,
    docker_required: docker.DockerClient,
    built_images: list[str],
    tmp_path: Path,
) -> None:
    context = tmp_path / "ctx"
    context.mkdir()
    (context / "app.py").write_text(APP % "one")
    dockerfile = (
        "FROM lambdad/runtime:python3.11\n"
        "COPY app.py /var/task/\n"
        "COPY app.py /srv/app/\n"
        'CMD ["app.handler"]\n'
    )
    tag, image_id = _build(docker_required, context, dockerfile, built_images)
    digest = image_id.removeprefix("sha256:")
    repository = tag.rpartition(":")[0]

    async with _client(docker_daemon) as client:
        created = await _create_image_function(client, "img", tag)
        assert created.package_type == "Image"
        assert created.code_sha256 == digest
        assert (await wait_settled(client, "img")).state == "Active"
        got = await client.get_function(fs.GetFunctionRequest(function_name="img"))
        assert got.code.repository_type == "ECR"
        assert got.code.image_uri == tag
        assert got.code.resolved_image_uri == f"{repository}@sha256:{digest}"

        response = await _invoke(client, "img", {"n": 1})
        assert response.function_error == "", response.payload
        body = json.loads(response.payload)
        assert body == {
            "version": "one",
            "cwd": "/var/task",
            "handler": "app.handler",
            "api": True,
            "event": {"n": 1},
        }

        # A new image under a new tag: UpdateFunctionCode rolls the warm environment.
        (context / "app.py").write_text(APP % "two")
        tag2, image_id2 = _build(docker_required, context, dockerfile, built_images)
        updated = await client.update_function_code(
            fs.UpdateFunctionCodeRequest(function_name="img", image_uri=tag2)
        )
        assert updated.configuration.code_sha256 == image_id2.removeprefix("sha256:")
        await wait_settled(client, "img")
        assert json.loads((await _invoke(client, "img", {})).payload)["version"] == "two"

        # ImageConfig overrides: Command names the handler, WorkingDirectory the cwd.
        await _create_image_function(
            client, "img-config", tag2, command=["app.handler"], working_directory="/srv/app"
        )
        await wait_settled(client, "img-config")
        response = await _invoke(client, "img-config", {})
        assert response.function_error == "", response.payload
        assert json.loads(response.payload)["cwd"] == "/srv/app"

        # Bad entrypoint / working directory fail the invocation as AWS reports it.
        await _create_image_function(client, "bad-entry", tag2, entry_point=["/no/such/binary"])
        await _create_image_function(client, "bad-workdir", tag2, working_directory="/no/such/dir")
        for name, error_type in (
            ("bad-entry", "Runtime.InvalidEntrypoint"),
            ("bad-workdir", "Runtime.InvalidWorkingDir"),
        ):
            await wait_settled(client, name)
            response = await _invoke(client, name, {})
            assert response.function_error == "Unhandled"
            error = json.loads(response.payload)
            assert error["errorType"] == error_type, error


@pytest.mark.docker
async def test_image_with_awslambdaric_entrypoint_on_plain_debian(
    docker_daemon: Daemon,
    docker_required: docker.DockerClient,
    built_images: list[str],
    tmp_path: Path,
) -> None:
    base = ensure_debian_base(docker_required, "bookworm", image_cache_dir())
    context = tmp_path / "ctx"
    context.mkdir()
    (context / "app.py").write_text(APP % "ric")
    await asyncio.to_thread(_download_wheels, "3.11", context / "wheels", sys.stderr)
    dockerfile = textwrap.dedent(
        f"""\
        FROM {base}
        COPY wheels /wheels
        RUN python3 -m pip install --no-index --find-links /wheels --break-system-packages \\
            awslambdaric && rm -rf /wheels
        WORKDIR /function
        COPY app.py /function/
        ENTRYPOINT ["/usr/bin/python3", "-m", "awslambdaric"]
        CMD ["app.handler"]
        """
    )
    tag, _ = _build(docker_required, context, dockerfile, built_images)
    async with _client(docker_daemon) as client:
        await _create_image_function(client, "ric", tag)
        assert (await wait_settled(client, "ric")).state == "Active"
        response = await _invoke(client, "ric", {"k": "v"})
        assert response.function_error == "", response.payload
        body = json.loads(response.payload)
        assert body["version"] == "ric"
        assert body["cwd"] == "/function"
        assert body["event"] == {"k": "v"}


# ------------------------------------------------------------------ hot reloading
async def test_hot_reload_runs_the_saved_code(any_daemon: Daemon, tmp_path: Path) -> None:
    code = tmp_path / "src"
    code.mkdir()
    code.chmod(0o755)
    (code / "app.py").write_text(APP % "one")
    (code / "app.py").chmod(0o644)
    async with _client(any_daemon) as client:
        created = await client.create_function(
            fs.CreateFunctionRequest(
                function_name="hot",
                runtime="python3.11",
                role=ROLE,
                handler="app.handler",
                code=fpb.FunctionCode(s3_bucket="hot-reload", s3_key=str(code)),
            )
        )
        assert created.configuration.code_sha256 == "hot-reloading-hash-not-available"
        await wait_settled(client, "hot")
        assert json.loads((await _invoke(client, "hot", {})).payload)["version"] == "one"
        assert json.loads((await _invoke(client, "hot", {})).payload)["version"] == "one"

        (code / "app.py").write_text(APP % "two")
        loop = asyncio.get_running_loop()
        saved = loop.time()
        assert json.loads((await _invoke(client, "hot", {})).payload)["version"] == "two"
        assert loop.time() - saved < 5  # a new environment, not a new daemon

        # Churn in ignored directories does not restart the environment.
        (code / "node_modules").mkdir()
        (code / "node_modules" / "x.js").write_text("1")
        pool = any_daemon.pool
        started = pool.environments_started
        assert json.loads((await _invoke(client, "hot", {})).payload)["version"] == "two"
        assert pool.environments_started == started


async def test_hot_reload_watcher_retires_warm_environments_on_save(
    any_daemon: Daemon, tmp_path: Path
) -> None:
    code = tmp_path / "src"
    code.mkdir()
    code.chmod(0o755)
    (code / "app.py").write_text(APP % "one")
    (code / "app.py").chmod(0o644)
    pool = any_daemon.pool
    async with _client(any_daemon) as client:
        await _create_zip_function(client, "watched", "python3.11", "app.handler", code, {})
        assert json.loads((await _invoke(client, "watched", {})).payload)["version"] == "one"
        assert pool.idle_count == 1
        await asyncio.sleep(0.3)  # the watcher is armed

        (code / "app.py").write_text(APP % "two")
        # Retired in the background, without waiting for an invoke (the bound only keeps a
        # broken watcher from hanging the test; speed is the benchmark's business).
        await async_wait_for(lambda: pool.idle_count == 0, timeout=15)
        assert pool.idle_count == 0
        assert json.loads((await _invoke(client, "watched", {})).payload)["version"] == "two"


async def test_hot_reload_rejects_relative_or_missing_directory(any_daemon: Daemon) -> None:
    async with _client(any_daemon) as client:
        for key in ("relative/dir", "/no/such/dir"):
            with pytest.raises(Exception, match="Hot reloading"):
                await client.create_function(
                    fs.CreateFunctionRequest(
                        function_name="hot-bad",
                        runtime="python3.11",
                        role=ROLE,
                        handler="app.handler",
                        code=fpb.FunctionCode(s3_bucket="hot-reload", s3_key=key),
                    )
                )


# ------------------------------------------------------------------ remote debugging
async def _create_zip_function(
    client: AsyncLambdadClient,
    name: str,
    runtime: str,
    handler: str,
    directory: Path,
    variables: dict[str, str],
    timeout: int = 3,
) -> None:
    await client.create_function(
        fs.CreateFunctionRequest(
            function_name=name,
            runtime=runtime,
            role=ROLE,
            handler=handler,
            timeout=timeout,
            code=fpb.FunctionCode(s3_bucket="hot-reload", s3_key=str(directory)),
            environment=fpb.Environment(variables=variables),
        )
    )
    await wait_settled(client, name)


async def test_python_debugpy_listens_and_timeout_is_lifted(
    any_daemon: Daemon, tmp_path: Path
) -> None:
    code = tmp_path / "src"
    code.mkdir()
    code.chmod(0o755)
    (code / "app.py").write_text(
        "import time\n\ndef handler(event, context):\n"
        "    time.sleep(event.get('sleep', 0))\n    return {'slept': event.get('sleep', 0)}\n"
    )
    port = free_port()
    async with _client(any_daemon) as client:
        await _create_zip_function(
            client,
            "dbg",
            "python3.11",
            "app.handler",
            code,
            {"LAMBDAD_DEBUG_PORT": str(port)},
            timeout=1,
        )
        # Longer than Timeout: while debugging, the timeout is lifted.
        response = await _invoke(client, "dbg", {"sleep": 1.5})
        assert response.function_error == "", response.payload
        assert json.loads(response.payload) == {"slept": 1.5}
        # The warm environment's debugpy answers a DAP initialize request.
        answer = await asyncio.to_thread(
            dap_request, port, "initialize", {"adapterID": "lambdad-test", "clientID": "test"}
        )
        assert answer["command"] == "initialize"
        assert answer["success"] is True, answer


async def test_debug_command_turns_debugging_on_and_off(
    any_daemon: Daemon, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = tmp_path / "src"
    code.mkdir()
    code.chmod(0o755)
    (code / "app.py").write_text(
        "import time\n\ndef handler(event, context):\n"
        "    time.sleep(event.get('sleep', 0))\n    return {'slept': event.get('sleep', 0)}\n"
    )
    port = free_port()
    target = f"127.0.0.1:{any_daemon.port}"
    async with _client(any_daemon) as client:
        await _create_zip_function(
            client, "dbgcli", "python3.11", "app.handler", code, {"KEEP": "me"}, timeout=1
        )
        # The CLI's client is synchronous: run it off the loop that serves the daemon.
        argv = ["debug", "dbgcli", "--port", str(port), "--daemon", target]
        assert await asyncio.to_thread(cli_main, argv) == 0
        assert f"debugger on 127.0.0.1:{port}" in capsys.readouterr().out
        config = await wait_settled(client, "dbgcli")
        assert dict(config.environment.variables) == {
            "KEEP": "me",
            "LAMBDAD_DEBUG_PORT": str(port),
        }
        response = await _invoke(client, "dbgcli", {"sleep": 1.5})
        assert response.function_error == "", response.payload
        answer = await asyncio.to_thread(
            dap_request, port, "initialize", {"adapterID": "lambdad-test", "clientID": "test"}
        )
        assert answer["command"] == "initialize" and answer["success"] is True, answer

        assert await asyncio.to_thread(cli_main, [*argv, "--off"]) == 0
        assert "debugging off" in capsys.readouterr().out
        config = await wait_settled(client, "dbgcli")
        assert dict(config.environment.variables) == {"KEEP": "me"}
        # The timeout applies again: the same event now times out.
        response = await _invoke(client, "dbgcli", {"sleep": 1.5})
        assert response.function_error == "Unhandled", response.payload
        assert b"Task timed out" in response.payload


async def test_debug_command_rejects_a_bad_port(
    any_daemon: Daemon, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["debug", "nope", "--port", "70000", "--daemon", f"127.0.0.1:{any_daemon.port}"]
    assert await asyncio.to_thread(cli_main, argv) == 1
    assert "Port must be between 1 and 65535" in capsys.readouterr().err


async def test_node_inspector_listens(any_daemon: Daemon, tmp_path: Path) -> None:
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    code = tmp_path / "src"
    code.mkdir()
    code.chmod(0o755)
    (code / "index.js").write_text("exports.handler = async () => ({ node: true });\n")
    port = free_port()
    async with _client(any_daemon) as client:
        await _create_zip_function(
            client,
            "dbg-node",
            "nodejs20.x",
            "index.handler",
            code,
            {"LAMBDAD_DEBUG_PORT": str(port)},
        )
        response = await _invoke(client, "dbg-node", {})
        assert json.loads(response.payload) == {"node": True}

        def inspector_version() -> dict[str, object]:
            url = f"http://127.0.0.1:{port}/json/version"
            with urllib.request.urlopen(url, timeout=10) as answer:
                return dict(json.loads(answer.read()))

        version = await asyncio.to_thread(inspector_version)
        assert "Browser" in version and "node" in str(version["Browser"]).lower()


class DapSession:
    """A minimal Debug Adapter Protocol client over a socket (blocking; run in a thread)."""

    def __init__(self, port: int) -> None:
        self._sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self._buffer = b""
        self._seq = 0
        self.events: list[dict[str, object]] = []

    def close(self) -> None:
        self._sock.close()

    def send(self, command: str, arguments: dict[str, object]) -> int:
        self._seq += 1
        body = json.dumps(
            {"seq": self._seq, "type": "request", "command": command, "arguments": arguments}
        ).encode()
        self._sock.sendall(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        return self._seq

    def _read(self) -> dict[str, object]:
        while b"\r\n\r\n" not in self._buffer:
            chunk = self._sock.recv(65536)
            assert chunk, "debug adapter closed the connection"
            self._buffer += chunk
        header, _, self._buffer = self._buffer.partition(b"\r\n\r\n")
        length = int(header.split(b":")[1])
        while len(self._buffer) < length:
            self._buffer += self._sock.recv(65536)
        message, self._buffer = json.loads(self._buffer[:length]), self._buffer[length:]
        return dict(message)

    def response(self, seq: int) -> dict[str, object]:
        while True:
            message = self._read()
            if message.get("type") == "response" and message.get("request_seq") == seq:
                return message
            self.events.append(message)

    def event(self, name: str) -> dict[str, object]:
        for index, message in enumerate(self.events):
            if message.get("event") == name:
                return self.events.pop(index)
        while True:
            message = self._read()
            if message.get("event") == name:
                return message
            self.events.append(message)


async def test_debugpy_breakpoint_is_hit(any_daemon: Daemon, tmp_path: Path) -> None:
    code = tmp_path / "src"
    code.mkdir()
    code.chmod(0o755)
    (code / "app.py").write_text(
        "def handler(event, context):\n    value = event['x'] * 2\n    return {'value': value}\n"
    )
    port = free_port()
    source = (
        "/var/task/app.py" if any_daemon.pool.executor.name == "docker" else str(code / "app.py")
    )
    async with _client(any_daemon) as client:
        await _create_zip_function(
            client, "bp", "python3.11", "app.handler", code, {"LAMBDAD_DEBUG_PORT": str(port)}
        )
        await _invoke(client, "bp", {"x": 1})  # starts the environment and its debugpy

        dap = DapSession(port)
        try:

            def attach() -> None:
                assert dap.response(dap.send("initialize", {"adapterID": "debugpy"}))["success"]
                attach_seq = dap.send("attach", {"justMyCode": False})
                dap.event("initialized")
                breakpoints = dap.response(
                    dap.send(
                        "setBreakpoints",
                        {"source": {"path": source}, "breakpoints": [{"line": 3}]},
                    )
                )
                assert breakpoints["success"], breakpoints
                assert dap.response(dap.send("configurationDone", {}))["success"]
                assert dap.response(attach_seq)["success"]

            await asyncio.to_thread(attach)
            invocation = asyncio.create_task(_invoke(client, "bp", {"x": 21}))
            stopped = await asyncio.to_thread(dap.event, "stopped")
            body = stopped["body"]
            assert isinstance(body, dict) and body["reason"] == "breakpoint", stopped
            assert not invocation.done()  # paused at the breakpoint
            await asyncio.to_thread(
                lambda: dap.response(dap.send("continue", {"threadId": body["threadId"]}))
            )
            response = await asyncio.wait_for(invocation, 30)
            assert json.loads(response.payload) == {"value": 42}
        finally:
            await asyncio.to_thread(dap.close)
