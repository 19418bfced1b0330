"""Support for the capacity tests: a fake executor whose runtimes are coroutines, and configs.

The fake runtime speaks the real Runtime API over HTTP, so the pool and the governor are
exercised exactly as with containers, without an engine. An event `{"hold": "<name>"}` keeps
its environment busy until `FakeEngine.release(name)`.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
import zipfile
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import docker
import docker.errors
import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from lambdad.daemon.domain.model import CodeRef, FunctionVersion, State
from lambdad.daemon.runtime.capacity import CapacityGovernor
from lambdad.daemon.runtime.code import CodeStore
from lambdad.daemon.runtime.docker import daemon_id_for
from lambdad.daemon.runtime.environment import ExecutionEnvironment
from lambdad.daemon.runtime.executor import (
    LABEL_DAEMON,
    LABEL_MANAGED,
    EnvironmentSpec,
    RuntimeApiBinding,
)
from lambdad.daemon.runtime.logs import FunctionLogs
from lambdad.daemon.runtime.pool import EnvironmentPool
from lambdad.daemon.runtime.runtime_api import InvocationRequest
from lambdad.daemon.store.blobs import BlobStore
from tests.helpers import free_port, wait_for


class FakeRuntime:
    """One environment's 'runtime process': echoes events, or holds them until released."""

    def __init__(self, engine: FakeEngine, spec: EnvironmentSpec, api: str) -> None:
        self.engine = engine
        self.spec = spec
        self.api = api
        self.exit: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self.killed = False
        self.task = asyncio.create_task(self._loop())

    async def _loop(self) -> None:
        base = f"http://{self.api}/2018-06-01/runtime"
        async with aiohttp.ClientSession() as http:
            while True:
                async with http.get(f"{base}/invocation/next") as response:
                    request_id = response.headers["Lambda-Runtime-Aws-Request-Id"]
                    body: dict[str, Any] = json.loads(await response.read())
                if "hold" in body:
                    await self.engine.gate(str(body["hold"])).wait()
                async with http.post(f"{base}/invocation/{request_id}/response", json=body):
                    pass

    async def output(self) -> AsyncIterator[str]:
        await asyncio.shield(self.exit)
        return
        yield  # an async generator without output lines

    async def wait(self) -> int:
        return await asyncio.shield(self.exit)

    async def kill(self) -> None:
        if self.killed:
            return
        self.killed = True
        self.task.cancel()
        if not self.exit.done():
            self.exit.set_result(-9)
        self.engine.live.discard(self)

    async def max_memory_used_mb(self) -> int | None:
        return None

    async def out_of_memory(self) -> bool:
        return False


class FakeEngine:
    """Implements `Executor`; counts live runtimes and their peak, per function too."""

    name = "fake"
    output_latency_s = 0.0

    def __init__(self, start_delay_s: float = 0.0) -> None:
        self.start_delay_s = start_delay_s
        self.started: list[FakeRuntime] = []
        self.live: set[FakeRuntime] = set()
        self.peak = 0
        self.hang_starts = 0  # how many of the next starts never finish
        self._gates: dict[str, asyncio.Event] = {}

    def gate(self, name: str) -> asyncio.Event:
        return self._gates.setdefault(name, asyncio.Event())

    def release(self, name: str) -> None:
        self.gate(name).set()

    def runtime_api_binding(self) -> RuntimeApiBinding:
        return RuntimeApiBinding("127.0.0.1", "127.0.0.1")

    async def check_runtime(self, runtime: str | None, image_uri: str | None) -> None:
        return None

    async def start(self, spec: EnvironmentSpec, runtime_api: str) -> FakeRuntime:
        if self.hang_starts:
            self.hang_starts -= 1
            await asyncio.Event().wait()
        if self.start_delay_s:
            await asyncio.sleep(self.start_delay_s)
        runtime = FakeRuntime(self, spec, runtime_api)
        self.started.append(runtime)
        self.live.add(runtime)
        self.peak = max(self.peak, len(self.live))
        return runtime

    def live_functions(self) -> list[str]:
        return sorted(r.spec.function_name for r in self.live)

    async def remove_orphans(self) -> int:
        return 0

    async def close(self) -> None:
        for runtime in list(self.live):
            await runtime.kill()


def function(name: str = "f", *, memory: int = 128, timeout: int = 3) -> FunctionVersion:
    """An Active python function version with the given MemorySize and timeout."""
    return FunctionVersion(
        name=name,
        version="$LATEST",
        role="arn:aws:iam::000000000000:role/r",
        runtime="python3.12",
        handler="app.handler",
        code=CodeRef(),
        timeout=timeout,
        memory_size=memory,
        state=State.ACTIVE,
        revision_id="r1",
    )


def request(body: dict[str, Any], timeout_s: float = 30.0) -> InvocationRequest:
    """An invocation request carrying `body` as its event."""
    return InvocationRequest(
        request_id=str(uuid.uuid4()),
        payload=json.dumps(body).encode(),
        timeout_s=timeout_s,
        invoked_function_arn="arn:aws:lambda:us-east-1:000000000000:function:f",
    )


def governed_pool(
    engine: FakeEngine,
    tmp_path: Path,
    *,
    max_environments: int,
    max_memory_mb: int = 1 << 20,
    start_deadline_s: float = 30.0,
) -> EnvironmentPool:
    """A pool on `engine` under a governor with the given limits (not started)."""
    blobs = BlobStore(tmp_path / "blobs")
    governor: CapacityGovernor[ExecutionEnvironment] = CapacityGovernor(
        max_environments, max_memory_mb
    )
    return EnvironmentPool(
        engine,  # type: ignore[arg-type]
        CodeStore(tmp_path / "code", blobs),
        FunctionLogs(),
        region="us-east-1",
        idle_timeout_s=3600,
        governor=governor,
        start_deadline_s=start_deadline_s,
    )


# ------------------------------------------------------------------ real engine (Docker)
SLEEPY_HANDLER = (
    "import time\n"
    "def handler(event, context):\n"
    "    time.sleep(event.get('sleep', 0))\n"
    "    return {'ok': True}\n"
)


def function_zip(source: str = SLEEPY_HANDLER) -> bytes:
    """A zip holding `app.py` with `source`."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", source)
    return buffer.getvalue()


def lambdad_containers(client: docker.DockerClient, daemon_id: str) -> list[str]:
    """Ids of the containers of the daemon `daemon_id` (one list call)."""
    filters = {"label": [f"{LABEL_MANAGED}=true", f"{LABEL_DAEMON}={daemon_id}"]}
    return [summary["Id"] for summary in client.api.containers(all=True, filters=filters)]


def remove_containers(client: docker.DockerClient, daemon_id: str) -> int:
    """Remove what the daemon `daemon_id` left (only that daemon's containers); how many."""
    left = lambdad_containers(client, daemon_id)
    for container_id in left:
        with contextlib.suppress(docker.errors.DockerException):
            client.api.remove_container(container_id, force=True, v=True)
    return len(left)


class EngineWatch:
    """A background thread that, until stopped, counts a daemon's containers (peak) and asks
    the engine `docker info` (failures and the slowest answer)."""

    def __init__(self, daemon_id: str, interval_s: float = 0.25) -> None:
        self._daemon_id = daemon_id
        self._interval_s = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="engine-watch", daemon=True)
        self.peak_containers = 0
        self.info_calls = 0
        self.info_failures: list[str] = []
        self.slowest_info_s = 0.0

    def __enter__(self) -> EngineWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        client = docker.from_env(timeout=10)
        try:
            while not self._stop.is_set():
                with contextlib.suppress(docker.errors.DockerException, OSError):
                    count = len(lambdad_containers(client, self._daemon_id))
                    self.peak_containers = max(self.peak_containers, count)
                began = time.monotonic()
                try:
                    # The CLI, as a user would check the engine (its own connection).
                    subprocess.run(
                        ["docker", "info", "--format", "{{.ServerVersion}}"],
                        check=True,
                        capture_output=True,
                        timeout=10,
                    )
                except (subprocess.SubprocessError, OSError) as error:
                    self.info_failures.append(repr(error))
                self.info_calls += 1
                self.slowest_info_s = max(self.slowest_info_s, time.monotonic() - began)
                self._stop.wait(self._interval_s)
        finally:
            client.close()


@dataclass
class ServedLambdad:
    """`lambdad serve` in a subprocess (Docker executor), as a user starts it."""

    data_dir: Path
    log_path: Path
    environment: dict[str, str] = field(default_factory=dict)
    grpc_port: int = 0
    process: subprocess.Popen[bytes] | None = None

    @property
    def target(self) -> str:
        """The gRPC address."""
        return f"127.0.0.1:{self.grpc_port}"

    @property
    def daemon_id(self) -> str:
        """The id its containers are labelled with."""
        return daemon_id_for(self.data_dir)

    def start(self) -> ServedLambdad:
        """Start it and wait until its gRPC health check answers."""
        self.grpc_port = free_port()
        command = [
            sys.executable,
            "-m",
            "lambdad.daemon.cli",
            "serve",
            "--no-gateway",
            "--data-dir",
            str(self.data_dir),
            "--grpc-port",
            str(self.grpc_port),
            "--log-format",
            "json",
            "--executor",
            "docker",
        ]
        env = {**os.environ, "LAMBDAD_METRICS_PORT": "0", **self.environment}
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)

        def serving() -> bool:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"lambdad exited early: {self.log_path.read_text()[-2000:]}")
            with grpc.insecure_channel(self.target) as channel:
                stub = health_pb2_grpc.HealthStub(channel)
                answer = stub.Check(health_pb2.HealthCheckRequest(), timeout=1)
                return answer.status == health_pb2.HealthCheckResponse.SERVING

        wait_for(serving, timeout=60, interval=0.2)
        return self

    def terminate(self, timeout_s: float = 60) -> float:
        """SIGTERM; seconds until the process exited (it is killed after `timeout_s`)."""
        assert self.process is not None
        began = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
            raise
        return time.monotonic() - began

    def kill(self) -> None:
        """SIGKILL if still running."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


def thread_count() -> int:
    """Threads of this process, as the kernel counts them (native threads included)."""
    return len(os.listdir("/proc/self/task"))
