"""The Docker executor against a real engine and lambdad's offline runtime images.

The executor is driven directly, without the environment pool: each test serves a
minimal Runtime API (one event on `/next`, the `/response` recorded) and starts one
container with AWS's runtime clients talking to it.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import ipaddress
import json
import signal
import sysconfig
import textwrap
import time
import uuid
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import docker
import docker.errors
import pytest
from aiohttp import web

from lambdad.daemon.errors import LambdaError
from lambdad.daemon.images.resolve import RuntimeImages, aws_base_image, parse_image_mapping
from lambdad.daemon.runtime.docker import (
    LABEL_INSTANCE,
    LINE_LIMIT,
    SANDBOX_USER,
    DockerExecutor,
    DockerProcess,
    NetworkPlan,
    plan_network,
    select_executor,
)
from lambdad.daemon.runtime.docker_flags import parse_docker_flags
from lambdad.daemon.runtime.executor import (
    LABEL_DAEMON,
    LABEL_ENVIRONMENT,
    LABEL_FUNCTION,
    LABEL_MANAGED,
    LABEL_VERSION,
    EnvironmentSpec,
    RuntimeApiBinding,
    RuntimeStartError,
)

pytestmark = pytest.mark.docker

API = "/2018-06-01/runtime"


@dataclass
class FakeRuntimeApi:
    """The smallest Runtime API that AWS's runtime clients accept: queued events, results."""

    events: asyncio.Queue[tuple[str, bytes]] = field(default_factory=asyncio.Queue)
    results: dict[str, asyncio.Future[tuple[str, bytes]]] = field(default_factory=dict)
    init_error: asyncio.Future[bytes] | None = None

    def invoke(self, payload: Any) -> asyncio.Future[tuple[str, bytes]]:
        """Queue an event; the future resolves to ("response"|"error", body)."""
        request_id = str(uuid.uuid4())
        future: asyncio.Future[tuple[str, bytes]] = asyncio.get_running_loop().create_future()
        self.results[request_id] = future
        self.events.put_nowait((request_id, json.dumps(payload).encode()))
        return future

    async def _next(self, request: web.Request) -> web.Response:
        request_id, body = await self.events.get()
        return web.Response(
            body=body,
            content_type="application/json",
            headers={
                "Lambda-Runtime-Aws-Request-Id": request_id,
                "Lambda-Runtime-Deadline-Ms": str(int(time.time() * 1000) + 60_000),
                "Lambda-Runtime-Invoked-Function-Arn": (
                    "arn:aws:lambda:us-east-1:000000000000:function:test"
                ),
                "Lambda-Runtime-Trace-Id": "Root=1-00000000-000000000000000000000000;Sampled=0",
            },
        )

    async def _result(self, request: web.Request) -> web.Response:
        kind = request.match_info["kind"]
        future = self.results.get(request.match_info["id"])
        if future is not None and not future.done():
            future.set_result((kind, await request.read()))
        return web.json_response({"status": "OK"}, status=202)

    async def _init_error(self, request: web.Request) -> web.Response:
        body = await request.read()
        if self.init_error is not None and not self.init_error.done():
            self.init_error.set_result(body)
        return web.json_response({"status": "OK"}, status=202)

    def app(self) -> web.Application:
        """The aiohttp application serving the Runtime API paths."""
        self.init_error = asyncio.get_running_loop().create_future()
        app = web.Application()
        app.router.add_get(f"{API}/invocation/next", self._next)
        app.router.add_post(f"{API}/invocation/{{id}}/{{kind:response|error}}", self._result)
        app.router.add_post(f"{API}/init/error", self._init_error)
        return app


@dataclass
class Harness:
    """An executor plus a fake Runtime API it can reach."""

    executor: DockerExecutor
    api: FakeRuntimeApi
    runtime_api: str
    client: docker.DockerClient
    daemon_id: str


@pytest.fixture
async def harness(
    runtime_images: dict[str, str], test_daemon_id: str, docker_required: docker.DockerClient
) -> AsyncIterator[Harness]:
    """A DockerExecutor (no pulls) and a fake Runtime API on its binding."""
    daemon_id = f"{test_daemon_id}-{uuid.uuid4().hex[:6]}"
    client = docker.from_env(timeout=120)
    executor = DockerExecutor(client, daemon_id=daemon_id, images=RuntimeImages(client, pull=False))
    binding = executor.runtime_api_binding()
    api = FakeRuntimeApi()
    runner = web.AppRunner(api.app(), shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, binding.bind_host, 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield Harness(
            executor, api, f"{binding.advertised_host}:{port}", docker_required, daemon_id
        )
    finally:
        await executor.close()
        await runner.cleanup()


def write_code(directory: Path, files: Mapping[str, str], executable: tuple[str, ...] = ()) -> Path:
    """An extracted deployment package, readable (and executable) by the sandbox user."""
    directory.mkdir(parents=True, exist_ok=True)
    directory.chmod(0o755)
    for name, text in files.items():
        path = directory / name
        path.write_text(textwrap.dedent(text))
        path.chmod(0o755 if name in executable else 0o644)
    return directory


def spec_for(
    code_dir: Path | None,
    runtime: str | None,
    handler: str | None,
    *,
    memory_mb: int = 128,
    ephemeral_storage_mb: int = 512,
    variables: Mapping[str, str] | None = None,
    package_type: str = "Zip",
    image_uri: str | None = None,
    image_config: Mapping[str, Any] | None = None,
) -> EnvironmentSpec:
    """An EnvironmentSpec with Lambda's defaults."""
    return EnvironmentSpec(
        environment_id=uuid.uuid4().hex,
        function_name="test-fn",
        function_version="$LATEST",
        package_type=package_type,
        runtime=runtime,
        handler=handler,
        code_dir=code_dir,
        opt_dir=None,
        image_uri=image_uri,
        image_config=image_config,
        memory_mb=memory_mb,
        ephemeral_storage_mb=ephemeral_storage_mb,
        timeout_s=30,
        architecture="x86_64",
        variables={"AWS_LAMBDA_FUNCTION_NAME": "test-fn", **(variables or {})},
    )


async def collect(process: DockerProcess) -> list[str]:
    """Every output line until the container goes away."""
    return [line async for line in process.output()]


async def invoke(
    harness: Harness, process: DockerProcess, payload: Any, timeout: float = 60
) -> tuple[str, Any]:
    """Send one event; ("response"|"error", decoded body). Fails early if the runtime exits."""
    result = harness.api.invoke(payload)
    exited = asyncio.ensure_future(process.wait())
    waiters: set[asyncio.Future[Any]] = {result, exited}
    done, _ = await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    if result not in done:
        code = exited.result() if exited in done else None
        exited.cancel()
        lines = await asyncio.wait_for(collect(process), 5) if code is not None else []
        pytest.fail(f"no result (exit code {code}); output: {lines}")
    exited.cancel()
    kind, body = result.result()
    return kind, json.loads(body)


PYTHON_ECHO = """
    import os

    def handler(event, context):
        print("hello-from-handler", context.aws_request_id)
        custom = os.environ.get("MY_VAR")
        return {"echo": event, "handler": os.environ["_HANDLER"], "custom": custom}
"""


@pytest.mark.parametrize("runtime", ["python3.11", "python3.13"])
async def test_python_handler_runs_with_awslambdaric(
    harness: Harness, tmp_path: Path, runtime: str
) -> None:
    code = write_code(tmp_path / "code", {"app.py": PYTHON_ECHO})
    spec = spec_for(code, runtime, "app.handler", variables={"MY_VAR": "set"})
    process = await harness.executor.start(spec, harness.runtime_api)
    lines = asyncio.ensure_future(collect(process))

    kind, body = await invoke(harness, process, {"n": 1})

    assert (kind, body) == (
        "response",
        {"echo": {"n": 1}, "handler": "app.handler", "custom": "set"},
    )
    peak = await process.max_memory_used_mb()
    assert peak is not None and 1 <= peak <= 128
    await process.kill()
    output = await asyncio.wait_for(lines, 10)
    assert any("hello-from-handler" in line for line in output), output
    assert not await process.out_of_memory()


async def test_python_handler_error_is_reported(harness: Harness, tmp_path: Path) -> None:
    code = write_code(
        tmp_path / "code",
        {"app.py": "def handler(event, context):\n    raise ValueError('boom')\n"},
    )
    process = await harness.executor.start(
        spec_for(code, "python3.11", "app.handler"), harness.runtime_api
    )
    kind, body = await invoke(harness, process, {})
    assert kind == "error"
    assert (body["errorType"], body["errorMessage"]) == ("ValueError", "boom")
    await process.kill()


@pytest.mark.parametrize("runtime", ["nodejs18.x", "nodejs20.x"])
async def test_node_handler_runs_with_lambdad_node_client(
    harness: Harness, runtime_images: dict[str, str], tmp_path: Path, runtime: str
) -> None:
    if runtime not in runtime_images:
        pytest.skip(f"runtime/clients/node/index.mjs not present: no {runtime} image to test")
    code = write_code(
        tmp_path / "code",
        {
            "index.mjs": """
                export const handler = async (event, context) => ({
                  echo: event, node: process.versions.node.split(".")[0], id: context.awsRequestId,
                });
            """
        },
    )
    process = await harness.executor.start(
        spec_for(code, runtime, "index.handler"), harness.runtime_api
    )
    kind, body = await invoke(harness, process, {"n": 2})
    assert kind == "response"
    assert body["echo"] == {"n": 2} and body["id"]
    assert f"nodejs{body['node']}.x" == runtime
    await process.kill()


# The shape of AWS's custom-runtime tutorial: a shell bootstrap polling with curl.
CURL_BOOTSTRAP = """\
    #!/bin/bash
    set -euo pipefail
    while true; do
      HEADERS="$(mktemp)"
      EVENT_DATA=$(curl -sS -LD "$HEADERS" "http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/invocation/next")
      REQUEST_ID=$(grep -Fi Lambda-Runtime-Aws-Request-Id "$HEADERS" | tr -d '[:space:]' | cut -d: -f2)
      RESPONSE="{\\"echo\\": $EVENT_DATA, \\"handler\\": \\"$_HANDLER\\", \\"cwd\\": \\"$(pwd)\\"}"
      curl -sS "http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/invocation/$REQUEST_ID/response" -d "$RESPONSE"
    done
"""  # noqa: E501


@pytest.mark.parametrize("runtime", ["provided.al2023", "provided.al2"])
async def test_custom_runtime_curl_bootstrap(
    harness: Harness, tmp_path: Path, runtime: str
) -> None:
    code = write_code(tmp_path / "code", {"bootstrap": CURL_BOOTSTRAP}, executable=("bootstrap",))
    process = await harness.executor.start(
        spec_for(code, runtime, "function.handler"), harness.runtime_api
    )
    for n in range(2):  # the same environment serves the next event too
        kind, body = await invoke(harness, process, {"n": n})
        assert (kind, body) == (
            "response",
            {"echo": {"n": n}, "handler": "function.handler", "cwd": "/var/task"},
        )
    await process.kill()


async def test_custom_runtime_without_bootstrap_fails_to_start(
    harness: Harness, tmp_path: Path
) -> None:
    code = write_code(tmp_path / "code", {"README": "no bootstrap here"})
    with pytest.raises(RuntimeStartError) as raised:
        await harness.executor.start(
            spec_for(code, "provided.al2023", "function.handler"), harness.runtime_api
        )
    assert raised.value.error_type == "Runtime.InvalidEntrypoint"


PROBE = """
    import os

    def _mount_options():
        found = {}
        with open("/proc/self/mounts") as mounts:
            for line in mounts:
                _, target, kind, options, *_ = line.split()
                found[target] = {"type": kind, "options": options.split(",")}
        return found

    def handler(event, context):
        lines = open("/proc/self/status").read().splitlines()
        status = dict(line.split(":", 1) for line in lines if ":" in line)
        limit = None
        for path in ("/sys/fs/cgroup/memory/memory.limit_in_bytes", "/sys/fs/cgroup/memory.max"):
            try:
                limit = int(open(path).read().strip())
                break
            except (OSError, ValueError):
                pass
        tmp = os.statvfs("/tmp")
        with open("/tmp/probe", "w") as out:
            out.write("writable")
        mounts = _mount_options()
        return {
            "uid": os.getuid(),
            "gid": os.getgid(),
            "cap_eff": status["CapEff"].strip(),
            "cap_prm": status["CapPrm"].strip(),
            "no_new_privs": status["NoNewPrivs"].strip(),
            "memory_limit": limit,
            "tmp_bytes": tmp.f_blocks * tmp.f_frsize,
            "mounts": {k: mounts.get(k) for k in ("/", "/var/task", "/tmp")},
            "cwd": os.getcwd(),
            "runtime_api": os.environ["AWS_LAMBDA_RUNTIME_API"],
            "task_root": os.environ.get("LAMBDA_TASK_ROOT"),
            "nofile": __import__("resource").getrlimit(__import__("resource").RLIMIT_NOFILE),
        }
"""


async def test_container_is_a_lambda_sandbox(harness: Harness, tmp_path: Path) -> None:
    code = write_code(tmp_path / "code", {"app.py": PROBE})
    spec = spec_for(code, "python3.11", "app.handler", memory_mb=256, ephemeral_storage_mb=600)
    process = await harness.executor.start(spec, harness.runtime_api)
    kind, body = await invoke(harness, process, {})
    assert kind == "response", body

    assert (body["uid"], body["gid"]) == (993, 993)
    assert int(body["cap_eff"], 16) == 0 and int(body["cap_prm"], 16) == 0
    assert body["no_new_privs"] == "1"
    assert body["memory_limit"] == 256 * 2**20
    assert body["tmp_bytes"] == 600 * 2**20
    assert "ro" in body["mounts"]["/"]["options"]
    assert "ro" in body["mounts"]["/var/task"]["options"]
    assert body["mounts"]["/tmp"]["type"] == "tmpfs" and "rw" in body["mounts"]["/tmp"]["options"]
    assert body["cwd"] == "/var/task" and body["task_root"] == "/var/task"
    assert body["runtime_api"] == harness.runtime_api
    assert body["nofile"] == [1024, 1024]

    container = harness.client.containers.get(process.container_id)
    labels = container.labels
    assert labels[LABEL_MANAGED] == "true"
    assert labels[LABEL_DAEMON] == harness.daemon_id
    assert labels[LABEL_INSTANCE] == harness.executor.instance
    assert (labels[LABEL_FUNCTION], labels[LABEL_VERSION]) == ("test-fn", "$LATEST")
    assert labels[LABEL_ENVIRONMENT] == spec.environment_id
    host_config = container.attrs["HostConfig"]
    assert host_config["ReadonlyRootfs"] is True
    assert host_config["CapDrop"] == ["ALL"]
    assert host_config["Memory"] == host_config["MemorySwap"] == 256 * 2**20
    assert container.attrs["Config"]["User"] == SANDBOX_USER
    assert container.attrs["Config"]["Cmd"] == ["app.handler"]
    await process.kill()
    with pytest.raises(docker.errors.NotFound):
        harness.client.containers.get(process.container_id)
    await process.kill()  # idempotent


FLAGS_PROBE = """
    import os

    def handler(event, context):
        try:
            open("/mnt/shared/written", "w").close()
            writable = True
        except OSError:
            writable = False
        with open("/mnt/shared/hello.txt") as f:
            text = f.read()
        with open("/proc/self/mounts") as f:
            options = [l.split()[3].split(",") for l in f if l.split()[1] == "/mnt/shared"]
        return {"extra": os.environ.get("EXTRA"), "text": text, "writable": writable,
                "read_only": options == [options[0]] and "ro" in options[0]}
"""


async def test_docker_flags_reach_the_container(harness: Harness, tmp_path: Path) -> None:
    code = write_code(tmp_path / "code", {"app.py": FLAGS_PROBE})
    shared = write_code(tmp_path / "shared", {"hello.txt": "from the host"})
    plan = plan_network(harness.client)
    flags = parse_docker_flags(f"-e EXTRA=flagged -v {plan.host_path(shared)}:/mnt/shared:ro")
    executor = DockerExecutor(
        harness.client,
        daemon_id=harness.daemon_id,
        images=RuntimeImages(harness.client, pull=False),
        plan=plan,
        flags=flags,
    )
    try:
        process = await executor.start(
            spec_for(code, "python3.11", "app.handler"), harness.runtime_api
        )
        kind, body = await invoke(harness, process, {})
        assert (kind, body) == (
            "response",
            {"extra": "flagged", "text": "from the host", "writable": False, "read_only": True},
        )
    finally:
        await executor.close()
    assert not (shared / "written").exists()


async def test_image_function_honours_image_config(harness: Harness) -> None:
    script = (
        'H=$(mktemp); curl -sS -D "$H" -o /dev/null '
        '"http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation/next"; '
        "ID=$(grep -Fi Lambda-Runtime-Aws-Request-Id \"$H\" | tr -d '[:space:]' | cut -d: -f2); "
        'curl -sS -d "\\"$(pwd)\\"" '
        '"http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation/$ID/response"; sleep 30'
    )
    spec = spec_for(
        None,
        None,
        None,
        package_type="Image",
        image_uri="lambdad/runtime:provided.al2023",
        image_config={
            "EntryPoint": ["/bin/sh", "-c"],
            "Command": [script],
            "WorkingDirectory": "/tmp",
        },
    )
    process = await harness.executor.start(spec, harness.runtime_api)
    assert await invoke(harness, process, {}) == ("response", "/tmp")
    await process.kill()


async def test_out_of_memory_is_detected(harness: Harness, tmp_path: Path) -> None:
    code = write_code(
        tmp_path / "code",
        {"app.py": "def handler(event, context):\n    return len(b'x' * (400 * 2**20))\n"},
    )
    process = await harness.executor.start(
        spec_for(code, "python3.11", "app.handler", memory_mb=128), harness.runtime_api
    )
    result = harness.api.invoke({})
    code_ = await asyncio.wait_for(process.wait(), 60)
    # Killed by the kernel's OOM killer: reported as a death by SIGKILL (-9, as a subprocess
    # reports it), which AWS words "Runtime exited with error: signal: killed".
    assert code_ == -signal.SIGKILL
    assert not result.done()
    assert await process.out_of_memory()
    await process.kill()
    assert await process.out_of_memory()  # still known after the container is gone


@pytest.mark.parametrize(
    ("command", "environment", "exit_code", "message"),
    [
        ([], {"AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9"}, 142, "handler name to be the first"),
        (["a.b", "c"], {"AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9"}, 142, "handler name"),
        (["app.handler"], {}, 1, "AWS_LAMBDA_RUNTIME_API is not set"),
    ],
)
def test_lambda_entrypoint_contract(
    runtime_images: dict[str, str],
    test_daemon_id: str,
    docker_required: docker.DockerClient,
    command: list[str],
    environment: dict[str, str],
    exit_code: int,
    message: str,
) -> None:
    container = docker_required.containers.create(
        "lambdad/runtime:python3.11",
        command=command or None,
        environment=environment,
        labels={LABEL_MANAGED: "true", LABEL_DAEMON: test_daemon_id},
    )
    # An image's default CMD would be the one argument; an empty Cmd needs the API's help.
    if not command:
        container.remove(force=True)
        container = docker_required.containers.create(
            "lambdad/runtime:python3.11",
            entrypoint=["/lambda-entrypoint.sh"],
            environment=environment,
            labels={LABEL_MANAGED: "true", LABEL_DAEMON: test_daemon_id},
        )
    try:
        container.start()
        assert container.wait(timeout=60)["StatusCode"] == exit_code
        assert message in container.logs().decode()
    finally:
        container.remove(force=True)


async def test_remove_orphans_takes_only_this_daemons_leftovers(harness: Harness) -> None:
    def sleeper(daemon_id: str, instance: str) -> Any:
        return harness.client.containers.run(
            "lambdad/runtime:provided.al2023",
            entrypoint=["sleep", "300"],
            detach=True,
            labels={LABEL_MANAGED: "true", LABEL_DAEMON: daemon_id, LABEL_INSTANCE: instance},
        )

    crashed = sleeper(harness.daemon_id, "previous-run")
    other_daemon = sleeper(f"{harness.daemon_id}-other", "live")
    try:
        assert await harness.executor.remove_orphans() == 1
        with pytest.raises(docker.errors.NotFound):
            harness.client.containers.get(crashed.id)
        assert harness.client.containers.get(other_daemon.id).status == "running"
        assert await harness.executor.remove_orphans() == 0
    finally:
        for container in (crashed, other_daemon):
            with contextlib.suppress(docker.errors.NotFound):
                container.remove(force=True)


async def test_close_removes_every_container(harness: Harness, tmp_path: Path) -> None:
    code = write_code(tmp_path / "code", {"bootstrap": CURL_BOOTSTRAP}, executable=("bootstrap",))
    processes = [
        await harness.executor.start(
            spec_for(code, "provided.al2023", "function.handler"), harness.runtime_api
        )
        for _ in range(3)
    ]
    await harness.executor.close()
    for process in processes:
        with pytest.raises(docker.errors.NotFound):
            harness.client.containers.get(process.container_id)


@pytest.mark.parametrize(
    ("runtime", "expected"),
    [
        ("python3.12", "public.ecr.aws/lambda/python:3.12"),
        ("nodejs22.x", "public.ecr.aws/lambda/nodejs:22"),
        ("java21", "public.ecr.aws/lambda/java:21"),
    ],
)
async def test_missing_runtime_image_names_the_fix(
    harness: Harness, runtime: str, expected: str
) -> None:
    with pytest.raises(LambdaError) as raised:
        await harness.executor.check_runtime(runtime, None)
    assert "lambdad images build" in raised.value.message
    assert expected in raised.value.message


async def test_resolve_prefers_the_offline_image(harness: Harness) -> None:
    await harness.executor.check_runtime("python3.11", None)
    images = RuntimeImages(harness.client, {"python3.11": "elsewhere/python:3.11"}, pull=False)
    assert images.resolve("python3.11") == "lambdad/runtime:python3.11"
    unbuilt = RuntimeImages(
        harness.client, {"python3.12": "lambdad/runtime:python3.11"}, pull=False
    )
    assert unbuilt.resolve("python3.12") == "lambdad/runtime:python3.11"  # the mapping


IN_CONTAINER_DAEMON = """
import asyncio, json, sys
from pathlib import Path

import docker
from aiohttp import web

from lambdad.daemon.images.resolve import RuntimeImages
from lambdad.daemon.runtime.docker import DockerExecutor
from tests.integration.test_docker_executor import (
    CURL_BOOTSTRAP, FakeRuntimeApi, spec_for, write_code,
)


async def main() -> None:
    client = docker.from_env()
    images = RuntimeImages(client, pull=False)
    executor = DockerExecutor(client, daemon_id=sys.argv[1], images=images)
    binding = executor.runtime_api_binding()
    api = FakeRuntimeApi()
    runner = web.AppRunner(api.app(), shutdown_timeout=0.5)
    await runner.setup()
    await web.TCPSite(runner, binding.bind_host, 0).start()
    port = runner.addresses[0][1]
    code = write_code(Path(sys.argv[2]) / "code", {"bootstrap": CURL_BOOTSTRAP}, ("bootstrap",))
    spec = spec_for(code, "provided.al2023", "function.handler")
    try:
        await executor.start(spec, f"{binding.advertised_host}:{port}")
        kind, body = await asyncio.wait_for(api.invoke({"inside": True}), 60)
        print(json.dumps({"binding": [binding.bind_host, binding.advertised_host],
                          "kind": kind, "body": json.loads(body)}))
    finally:
        await executor.close()
        await runner.cleanup()


asyncio.run(main())
"""


def test_daemon_inside_a_container_reaches_its_environments(
    runtime_images: dict[str, str],
    test_daemon_id: str,
    docker_required: docker.DockerClient,
    tmp_path: Path,
) -> None:
    """The daemon in a container: environments join its network, code paths map to the host."""
    repo = Path(__file__).resolve().parents[2]
    site_packages = Path(sysconfig.get_paths()["purelib"])
    data = tmp_path / "data"
    data.mkdir()
    data.chmod(0o755)
    (data / "daemon.py").write_text(IN_CONTAINER_DAEMON)
    labels = {LABEL_MANAGED: "true", LABEL_DAEMON: test_daemon_id}
    network = docker_required.networks.create(f"{test_daemon_id}-net", labels=labels)
    daemon = None
    try:
        daemon = docker_required.containers.run(
            "lambdad/runtime:python3.11",  # Debian's Python 3.11, as the host's test interpreter
            entrypoint=["python3", "/data/daemon.py", f"{test_daemon_id}-inner", "/data"],
            detach=True,
            network=network.name,
            labels=labels,
            environment={
                "PYTHONPATH": ":".join(
                    [f"{repo}/daemon", f"{repo}/client", str(repo), str(site_packages)]
                ),
                "PYTHONDONTWRITEBYTECODE": "1",
            },
            volumes={
                "/var/run/docker.sock": {"bind": "/var/run/docker.sock", "mode": "rw"},
                str(repo): {"bind": str(repo), "mode": "ro"},
                str(site_packages): {"bind": str(site_packages), "mode": "ro"},
                str(data): {"bind": "/data", "mode": "rw"},
            },
        )
        status = daemon.wait(timeout=120)["StatusCode"]
        output = daemon.logs().decode()
        assert status == 0, output
        result = json.loads(output.strip().splitlines()[-1])
        network.reload()
        subnet = ipaddress.ip_network(network.attrs["IPAM"]["Config"][0]["Subnet"])
        bind_host, advertised = result["binding"]
        assert bind_host == "0.0.0.0"
        assert ipaddress.ip_address(advertised) in subnet  # the daemon's address on its network
        assert result["kind"] == "response"
        assert result["body"]["echo"] == {"inside": True}
    finally:
        if daemon is not None:
            daemon.remove(force=True)
        network.remove()


async def test_select_executor_honours_the_choice(
    runtime_images: dict[str, str], test_daemon_id: str
) -> None:
    sentinel: Any = object()  # stands in for the process executor
    chosen = await select_executor(
        "process", daemon_id=test_daemon_id, process_executor=lambda: sentinel
    )
    assert chosen is sentinel
    for choice in ("auto", "docker"):  # an engine answers here, so auto picks Docker
        executor = await select_executor(
            choice, daemon_id=test_daemon_id, process_executor=lambda: sentinel, pull_images=False
        )
        try:
            assert isinstance(executor, DockerExecutor)
            assert executor.runtime_api_binding().advertised_host == "host.docker.internal"
        finally:
            await executor.close()
    with pytest.raises(ValueError, match="unknown executor"):
        await select_executor("vm", daemon_id=test_daemon_id, process_executor=lambda: sentinel)


@pytest.mark.parametrize(
    ("runtime", "image"),
    [
        ("python3.12", "public.ecr.aws/lambda/python:3.12"),
        ("python3.9", "public.ecr.aws/lambda/python:3.9"),
        ("nodejs20.x", "public.ecr.aws/lambda/nodejs:20"),
        ("provided.al2023", "public.ecr.aws/lambda/provided:al2023"),
        ("provided.al2", "public.ecr.aws/lambda/provided:al2"),
        ("provided", "public.ecr.aws/lambda/provided:alami"),
        ("java8.al2", "public.ecr.aws/lambda/java:8.al2"),
        ("dotnet8", "public.ecr.aws/lambda/dotnet:8"),
        ("ruby3.3", "public.ecr.aws/lambda/ruby:3.3"),
    ],
)
def test_default_mapping_is_aws_base_images(runtime: str, image: str) -> None:
    assert aws_base_image(runtime) == image


def test_image_mapping_parses_and_rejects() -> None:
    assert parse_image_mapping("python3.12=r/py:3.12, nodejs20.x=r/node:20") == {
        "python3.12": "r/py:3.12",
        "nodejs20.x": "r/node:20",
    }
    with pytest.raises(ValueError, match="RUNTIME=IMAGE"):
        parse_image_mapping("python3.12")


def test_code_paths_map_to_the_engines_view() -> None:
    binding = RuntimeApiBinding("0.0.0.0", "10.0.0.2")
    plan = NetworkPlan(binding, "net", {}, {"/data": "/srv/lambdad", "/data/code": "/vol/code"})
    assert plan.host_path(Path("/data/blobs/x")) == "/srv/lambdad/blobs/x"
    assert plan.host_path(Path("/data/code/abc")) == "/vol/code/abc"  # the longest mount wins
    assert plan.host_path(Path("/database")) == "/database"  # a prefix is not a parent
    assert NetworkPlan(binding, None, {}).host_path(Path("/data/x")) == "/data/x"


async def test_output_lines_long_lines_and_exit_code(harness: Harness, tmp_path: Path) -> None:
    bootstrap = """\
        #!/bin/sh
        echo first
        echo to-stderr 1>&2
        head -c 2621440 /dev/zero | tr '\\0' a
        echo
        printf last
        exit 3
    """
    code = write_code(tmp_path / "code", {"bootstrap": bootstrap}, executable=("bootstrap",))
    process = await harness.executor.start(
        spec_for(code, "provided.al2023", "function.handler"), harness.runtime_api
    )
    lines = await asyncio.wait_for(collect(process), 60)
    assert await process.wait() == 3
    # Two pipes: the stderr line may land anywhere between stdout's lines, but whole.
    assert lines.count("to-stderr") == 1
    stdout = [line for line in lines if line != "to-stderr"]
    assert stdout[0] == "first"
    assert [len(line) for line in stdout[1:4]] == [LINE_LIMIT, LINE_LIMIT, 2621440 - 2 * LINE_LIMIT]
    assert set("".join(stdout[1:4])) == {"a"}
    assert stdout[4:] == ["last"]  # the last line, though it has no newline
    await process.kill()


async def test_layers_are_mounted_read_only_at_opt(harness: Harness, tmp_path: Path) -> None:
    opt = write_code(tmp_path / "opt", {})
    write_code(opt / "python", {"layered.py": "VALUE = 'from-a-layer'\n"})
    code = write_code(
        tmp_path / "code",
        {
            "app.py": """
                import layered

                def handler(event, context):
                    options = [line.split()[3] for line in open("/proc/self/mounts")
                               if line.split()[1] == "/opt"]
                    return {"value": layered.VALUE, "opt": options[0].split(",")[0]}
            """
        },
    )
    spec = dataclasses.replace(spec_for(code, "python3.11", "app.handler"), opt_dir=opt)
    process = await harness.executor.start(spec, harness.runtime_api)
    assert await invoke(harness, process, {}) == (
        "response",
        {"value": "from-a-layer", "opt": "ro"},
    )
    await process.kill()
