"""Graceful stop: SIGTERM to `lambdad serve` with N environments; prints one line of figures.

    python -m bench.stop --environments 100

Starts `lambdad serve --executor docker` on a free port with a temporary data dir, room for N
environments (`LAMBDAD_MAX_ENVIRONMENTS`, `LAMBDAD_MAX_ENVIRONMENT_MEMORY`), creates a python3.11
function that sleeps, invokes it N times at once (each holds its environment, so there are N
containers), sends SIGTERM and times the exit.
Figures: environments, seconds to exit, the daemon's own phase timings ("daemon stopped" log
line), and the containers of that daemon still listed right after the exit (must be 0).
Whatever is left is removed afterwards. Keep N <= 100 on a shared engine.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import docker
import docker.errors
import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from lambdad.client import AsyncLambdadClient
from lambdad.daemon.runtime.docker import daemon_id_for
from lambdad.daemon.runtime.executor import LABEL_DAEMON, LABEL_MANAGED
from lambdad.v1 import function_pb2 as fpb
from lambdad.v1 import function_service_pb2 as fs
from lambdad.v1 import invocation_service_pb2 as ipb

HANDLER = (
    "import time\n"
    "def handler(event, context):\n"
    "    time.sleep(event.get('sleep', 0))\n"
    "    return {'ok': True}\n"
)


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", HANDLER)
    return buffer.getvalue()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _containers(client: docker.DockerClient, daemon_id: str) -> list[str]:
    filters = {"label": [f"{LABEL_MANAGED}=true", f"{LABEL_DAEMON}={daemon_id}"]}
    return [c["Id"] for c in client.api.containers(all=True, filters=filters)]


async def fill(target: str, environments: int, hold_s: float) -> int:
    """Create the function and run `environments` invokes at once; how many failed."""
    async with AsyncLambdadClient.connect(target) as client:
        await client.create_function(
            fs.CreateFunctionRequest(
                function_name="stopme",
                runtime="python3.11",
                role="arn:aws:iam::000000000000:role/lambda-role",
                handler="app.handler",
                code=fpb.FunctionCode(zip_file=_zip()),
                timeout=120,
                memory_size=128,
            )
        )
        deadline = time.monotonic() + 60
        while (
            await client.get_function_configuration(
                fs.GetFunctionConfigurationRequest(function_name="stopme")
            )
        ).configuration.state != "Active":
            if time.monotonic() > deadline:
                raise RuntimeError("function never became Active")
            await asyncio.sleep(0.05)
        payload = json.dumps({"sleep": hold_s}).encode()

        async def one() -> bool:
            try:
                answer = await client.invoke(
                    ipb.InvokeRequest(function_name="stopme", payload=payload), timeout=120
                )
            except Exception:  # noqa: BLE001 - counted, not raised
                return False
            return not answer.function_error

        results = await asyncio.gather(*(one() for _ in range(environments)))
        return results.count(False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--environments", type=int, default=20)
    parser.add_argument(
        "--hold", type=float, default=0.0, help="seconds each invoke sleeps (default: N/2 + 5)"
    )
    parser.add_argument("--port", type=int, default=0, help="gRPC port (default: a free one)")
    args = parser.parse_args()
    if args.environments > 100:
        parser.error("at most 100 environments on a shared engine")
    # Starts are paced at 10/s (slower on a loaded host): every invoke must still be running
    # when the last one starts, so that no environment is reused.
    hold_s = args.hold or args.environments / 2 + 5
    engine = docker.from_env(timeout=60)
    with tempfile.TemporaryDirectory(prefix="faststop-bench-") as tmp:
        data_dir = Path(tmp) / "data"
        log_path = Path(tmp) / "lambdad.log"
        daemon_id = daemon_id_for(data_dir)
        port = args.port or _free_port()
        command = [
            *(sys.executable, "-m", "lambdad.daemon.cli", "serve", "--no-gateway"),
            *("--data-dir", str(data_dir), "--grpc-port", str(port)),
            *("--log-format", "json", "--executor", "docker"),
        ]
        env = {
            **os.environ,
            "LAMBDAD_METRICS_PORT": "0",
            "LAMBDAD_MAX_ENVIRONMENTS": str(args.environments),
            # 128 MB each: half the host's memory (the default) may hold fewer than N.
            "LAMBDAD_MAX_ENVIRONMENT_MEMORY": str(128 * args.environments),
        }
        with open(log_path, "wb") as log:
            process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
        try:
            failed = asyncio.run(_serve_and_fill(process, f"127.0.0.1:{port}", args, hold_s))
            environments = len(_containers(engine, daemon_id))
            began = time.monotonic()
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=300)
            seconds = time.monotonic() - began
            left = len(_containers(engine, daemon_id))
            phases = {}
            for line in log_path.read_text().splitlines():
                with contextlib.suppress(ValueError):
                    record = json.loads(line)
                    if record.get("event") == "daemon stopped":
                        phases = record.get("phases") or {}
            print(
                f"stop: environments={environments} failed_invokes={failed} "
                f"exit_s={seconds:.2f} phases={json.dumps(phases)} left={left} "
                f"exit_code={process.returncode} load={os.getloadavg()[0]:.1f}"
            )
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)
            for container_id in _containers(engine, daemon_id):
                with contextlib.suppress(docker.errors.DockerException):
                    engine.api.remove_container(container_id, force=True, v=True)
            engine.close()


async def _serve_and_fill(
    process: subprocess.Popen[bytes], target: str, args: argparse.Namespace, hold_s: float
) -> int:
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            raise RuntimeError("lambdad exited early")
        try:
            async with grpc.aio.insecure_channel(target) as channel:
                answer = await health_pb2_grpc.HealthStub(channel).Check(
                    health_pb2.HealthCheckRequest(), timeout=1
                )
                if answer.status == health_pb2.HealthCheckResponse.SERVING:
                    break
        except grpc.aio.AioRpcError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError("lambdad did not start serving")
        await asyncio.sleep(0.2)
    return await fill(target, args.environments, hold_s)


if __name__ == "__main__":
    main()
