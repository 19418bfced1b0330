"""Pre-initialized environments (Docker): a function handed a waiting container runs exactly as
in a container started for it (code, variables, sys.path, memory limit), the pool refills,
holds capacity slots (the first reclaimed), grows for a burst within the capacity cap and shrinks
back, is off at size 0, and leaves nothing after a stop.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import docker
import pytest

from lambdad.client import AsyncLambdadClient
from lambdad.daemon.config import Config
from lambdad.daemon.runtime import prewarm as prewarm_module
from lambdad.daemon.runtime.docker import LABEL_PREWARM, daemon_id_for
from lambdad.daemon.runtime.executor import LABEL_DAEMON, LABEL_MANAGED
from lambdad.daemon.server import Daemon, start_daemon
from lambdad.v1 import function_pb2 as fpb
from lambdad.v1 import function_service_pb2 as fs
from tests.helpers import async_wait_for
from tests.integration.support import create, invoke, wait_settled, zip_files

pytestmark = pytest.mark.usefixtures("runtime_images")

PYTHON_DUMP = """
import os, socket, sys
from pathlib import Path

def memory_limit():
    for name in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            return Path(name).read_text().strip()
        except OSError:
            pass
    return None

def handler(event, context):
    return {
        "cmdline": Path("/proc/1/cmdline").read_bytes().decode(),
        "mounts": sorted(line.split()[4] for line in open("/proc/self/mountinfo")),
        "modules": sorted(sys.modules),
        "env": dict(os.environ),
        "path": sys.path,
        "cwd": os.getcwd(),
        "files": sorted(os.listdir(".")),
        "memory": memory_limit(),
        "hostname": socket.gethostname(),
    }
"""
NODE_DUMP = """
const fs = require("fs");
const os = require("os");
function memoryLimit() {
  for (const name of ["/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"]) {
    try { return fs.readFileSync(name, "utf8").trim(); } catch (e) {}
  }
  return null;
}
exports.handler = async () => ({
  cmdline: fs.readFileSync("/proc/1/cmdline", "utf8"),
  mounts: fs.readFileSync("/proc/self/mountinfo", "utf8").trim().split("\\n")
    .map((line) => line.split(" ")[4]).sort(),
  modules: [],
  env: process.env,
  path: [],
  cwd: process.cwd(),
  files: fs.readdirSync(".").sort(),
  memory: memoryLimit(),
  hostname: os.hostname(),
});
"""
CODE = {
    "python3.11": ("app.handler", {"app.py": PYTHON_DUMP}),
    "nodejs18.x": ("index.handler", {"index.js": NODE_DUMP}),
}
# What differs between any two environments of different functions.
PER_ENVIRONMENT = {
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_LOG_GROUP_NAME",
    "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_LAMBDA_RUNTIME_API",
    "HOSTNAME",
    "_X_AMZN_TRACE_ID",
}
TRICKY = {
    "GREETING": 'it\'s "quoted"\nover two lines $HOME `id` \\ ;',
    "EMPTY": "",
    "UNICODE": "grüße ✓",
}


@pytest.fixture(scope="module")
def engine() -> Any:
    client = docker.from_env(timeout=60)
    yield client
    client.close()


def containers(engine: docker.DockerClient, daemon_id: str, *extra: str) -> list[dict[str, Any]]:
    labels = [f"{LABEL_MANAGED}=true", f"{LABEL_DAEMON}={daemon_id}", *extra]
    return list(engine.api.containers(all=True, filters={"label": labels}))


@asynccontextmanager
async def docker_daemon(
    engine: docker.DockerClient, data_dir: Path, **settings: Any
) -> AsyncIterator[tuple[Daemon, AsyncLambdadClient]]:
    running = await start_daemon(
        Config(data_dir=data_dir, grpc_port=0, metrics_port=0, executor="docker", **settings)
    )
    try:
        async with AsyncLambdadClient.connect(f"127.0.0.1:{running.port}") as client:
            yield running, client
    finally:
        await running.stop(grace=0)
        # Stopping removes every container, the waiting ones too.
        assert containers(engine, daemon_id_for(data_dir)) == []


async def create_with(
    client: AsyncLambdadClient,
    name: str,
    runtime: str,
    *,
    variables: Mapping[str, str],
    memory_size: int = 128,
    ephemeral_mb: int = 512,
) -> None:
    handler, files = CODE[runtime]
    await client.create_function(
        fs.CreateFunctionRequest(
            function_name=name,
            runtime=runtime,
            role="arn:aws:iam::000000000000:role/lambda-role",
            handler=handler,
            code=fpb.FunctionCode(zip_file=zip_files(files)),
            timeout=30,
            memory_size=memory_size,
            environment=fpb.Environment(variables=dict(variables)),
            ephemeral_storage=fpb.EphemeralStorage(size=ephemeral_mb),
        )
    )
    assert (await wait_settled(client, name)).state == "Active"


async def dump(client: AsyncLambdadClient, name: str) -> dict[str, Any]:
    response = await invoke(client, name, {})
    assert not response.function_error, response.payload
    result: dict[str, Any] = json.loads(response.payload)
    return result


@pytest.mark.parametrize(
    ("runtime", "variables"),
    [
        ("python3.11", TRICKY),
        # A locale variable changes how an interpreter starts: the runtime is exec'd instead.
        ("python3.11", {**TRICKY, "LC_ALL": "C.UTF-8"}),
        ("nodejs18.x", TRICKY),
    ],
)
async def test_assigned_environment_runs_as_a_fresh_one(
    engine: docker.DockerClient,
    tmp_path: Path,
    runtime: str,
    variables: dict[str, str],
    runtime_images: dict[str, str],
) -> None:
    if runtime not in runtime_images:
        pytest.skip(f"no {runtime} image")
    data_dir = tmp_path / "data"
    async with docker_daemon(engine, data_dir, prewarmed_environments=1) as (daemon, client):
        prewarm = daemon.pool.prewarm
        assert prewarm is not None
        # The first function of the runtime makes the pool fill for its image.
        await create_with(client, "fresh", runtime, variables=variables, ephemeral_mb=1024)
        await async_wait_for(lambda: prewarm.waiting == 1, timeout=60)
        await create_with(client, "pooled", runtime, variables=variables, memory_size=256)
        pooled = await dump(client, "pooled")
        # Another /tmp size cannot use a waiting container: this one was started for it.
        fresh = await dump(client, "fresh")

        daemon_id = daemon_id_for(data_dir)
        waiting_ids = {c["Id"][:12] for c in containers(engine, daemon_id, f"{LABEL_PREWARM}=true")}
        assert pooled["hostname"] in waiting_ids
        assert fresh["hostname"] not in waiting_ids

        for name, value in variables.items():
            assert pooled["env"][name] == value
        assert pooled["env"]["AWS_LAMBDA_FUNCTION_NAME"] == "pooled"
        assert pooled["env"]["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "256"

        def comparable(env: dict[str, str]) -> dict[str, str]:
            return {k: v for k, v in env.items() if k not in PER_ENVIRONMENT}

        fresh_env = comparable(fresh["env"])
        fresh_env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = "256"
        assert comparable(pooled["env"]) == fresh_env
        assert pooled["path"] == fresh["path"]
        if runtime.startswith("python") and "LC_ALL" not in variables:
            # The waiting interpreter became the runtime in-process (the documented
            # difference): PID 1 is still `python3 -c <waiting program>`, which had imported
            # the runtime client's modules; everything a fresh start imports is there too.
            assert pooled["cmdline"].startswith("python3\x00-c\x00")
            assert set(fresh["modules"]) - set(pooled["modules"]) == set()
        else:
            # The same process, started the same way, with the same modules loaded.
            assert pooled["cmdline"] == fresh["cmdline"]
            assert pooled["modules"] == fresh["modules"]
        # The same mounts, but /opt (a pre-initialized container mounts it for layers that may
        # come; a fresh one without layers has the image's empty /opt).
        assert "/var/lambdad" not in pooled["mounts"]
        assert [m for m in pooled["mounts"] if m != "/opt"] == fresh["mounts"]
        assert pooled["cwd"] == fresh["cwd"] == "/var/task"
        assert pooled["files"] == fresh["files"] == sorted(CODE[runtime][1])
        assert pooled["memory"] == str(256 * 2**20)
        assert fresh["memory"] == str(128 * 2**20)
        # A second invoke reuses the assigned environment warm.
        assert (await dump(client, "pooled"))["hostname"] == pooled["hostname"]


async def test_pool_refills_holds_slots_and_is_reclaimed_first(
    engine: docker.DockerClient, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    settings = {"prewarmed_environments": 2, "max_environments": 4}
    async with docker_daemon(engine, data_dir, **settings) as (daemon, client):
        prewarm = daemon.pool.prewarm
        governor = daemon.pool.governor
        assert prewarm is not None
        await create(client, "one", "python3.11", "app.handler", {"app.py": PYTHON_DUMP})
        await async_wait_for(lambda: prewarm.waiting == 2, timeout=60)
        assert governor.running == 2  # waiting containers hold slots

        await dump(client, "one")
        assert prewarm.taken == 1
        # Refilled in the background, but never into the last free slot: one environment
        # of "one", two waiting, one slot free for a function.
        await async_wait_for(lambda: prewarm.waiting == 2 and governor.running == 3, timeout=60)

        # A function that needs a container of its own (another /tmp size) takes the free
        # slot at once; the next one, at capacity, gets one because a waiting container
        # makes room, not the warm environment of "one".
        for name in ("two", "three"):
            await create_with(client, name, "python3.11", variables={}, ephemeral_mb=1024)
            answer = await dump(client, name)
            assert answer["env"]["AWS_LAMBDA_FUNCTION_NAME"] == name
        assert prewarm.reclaimed >= 1
        assert daemon.pool.environment_count("one") == 1
        assert governor.peak_running <= 4
        await async_wait_for(lambda: governor.running == 4 and governor.waiting == 0, timeout=60)
        assert prewarm.waiting == 1


SLEEPER = "import time\n\ndef handler(event, context):\n    time.sleep(2)\n    return {}\n"


async def test_a_burst_grows_the_spares_within_the_cap_then_they_shrink(
    engine: docker.DockerClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Short versions of the burst's timings (the defaults are minutes).
    monkeypatch.setattr(prewarm_module, "BURST_QUIET_S", 0.5)
    monkeypatch.setattr(prewarm_module, "DISPLACE_IDLE_S", 0.5)
    monkeypatch.setattr(prewarm_module, "BURST_KEEP_S", 60.0)
    data_dir = tmp_path / "data"
    # A cap of 8 environments, 2 starting at once: a burst may keep 6 spares (8 - 2).
    settings = {"prewarmed_environments": 2, "max_environments": 8, "max_starting_environments": 2}
    async with docker_daemon(engine, data_dir, **settings) as (daemon, client):
        pool = daemon.pool
        prewarm = pool.prewarm
        governor = pool.governor
        assert prewarm is not None and prewarm.max_spares == 6
        await create(client, "burst", "python3.11", "app.handler", {"app.py": SLEEPER})
        await async_wait_for(lambda: prewarm.waiting == 2, timeout=60)
        # Eight invocations at once: two find a spare, the others cold-start (or take an
        # environment released meanwhile) and size the runtime's spares for the next burst.
        answers = await asyncio.gather(*(invoke(client, "burst", {}) for _ in range(8)))
        assert all(not answer.function_error for answer in answers)
        target = prewarm.peak_target
        assert 2 < target <= 6
        # The spares reach the burst's size once it is over; the burst's own idle
        # environments made room for those the cap could not otherwise hold (one slot
        # always stays free).
        await async_wait_for(lambda: prewarm.waiting == target, timeout=120)
        left = pool.environment_count("burst")
        assert left <= 8 - 1 - target
        assert left == pool.environments_started - prewarm.displaced
        assert governor.peak_running <= 8
        # The burst's sizing lapses: back to the usual two, their slots given back.
        await async_wait_for(lambda: prewarm.waiting == 2, timeout=120)

        def waiting_containers() -> int:
            # Assigned ones keep the label; a waiting one keeps its name until assigned.
            found = containers(engine, daemon_id_for(data_dir), f"{LABEL_PREWARM}=true")
            return sum(1 for c in found if c["Names"][0].startswith("/lambdad-prewarm-"))

        await async_wait_for(lambda: waiting_containers() == 2, timeout=60)
        # The slots of those removed are given back (each once its container is gone).
        await async_wait_for(
            lambda: governor.running == 2 + pool.environment_count("burst"), timeout=60
        )


async def test_disabled_pool_starts_nothing(engine: docker.DockerClient, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    async with docker_daemon(engine, data_dir, prewarmed_environments=0) as (daemon, client):
        assert daemon.pool.prewarm is None
        await create(client, "solo", "python3.11", "app.handler", {"app.py": PYTHON_DUMP})
        await dump(client, "solo")
        assert containers(engine, daemon_id_for(data_dir), f"{LABEL_PREWARM}=true") == []
        assert daemon.pool.governor.running == 1
        assert not (data_dir / "prewarm").exists()
