"""Overload soak: many Event invokes under a host capacity cap; prints one line of figures.

    python bench/capacity.py --events 1000 --max-environments 16            # Docker
    python bench/capacity.py --executor process --events 10000

Starts an in-process daemon on a free port with a temporary data dir, creates a python3.11
function that returns at once, sends `--events` Event invokes `--concurrency` at a time, and
waits (bounded by `--time-budget`) until every accepted event has run. Meanwhile a thread
counts the daemon's containers and asks the engine `docker info`, as a user would.
Figures: acceptance and drain time, peak environments (the governor's and the engine's
count), `docker info` failures and slowest answer, the process's peak thread count and RSS,
and how long the stop took. Not part of the test run; keep counts modest on a shared engine.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

import docker

from lambdad.client import AsyncLambdadClient
from lambdad.daemon.config import Config
from lambdad.daemon.logging import configure_logging
from lambdad.daemon.runtime.docker import daemon_id_for
from lambdad.daemon.runtime.executor import LABEL_DAEMON, LABEL_MANAGED
from lambdad.daemon.server import start_daemon
from lambdad.v1 import function_pb2 as fpb
from lambdad.v1 import function_service_pb2 as fs
from lambdad.v1 import invocation_service_pb2 as ipb

HANDLER = "def handler(event, context):\n    return {'ok': True}\n"


class EngineWatch(threading.Thread):
    """Counts the daemon's containers (peak) and times `docker info`, until stopped."""

    def __init__(self, daemon_id: str) -> None:
        super().__init__(daemon=True)
        self.daemon_id = daemon_id
        self.stopped = threading.Event()
        self.peak = 0
        self.info_calls = 0
        self.info_failures = 0
        self.slowest_info_s = 0.0

    def run(self) -> None:
        client = docker.from_env(timeout=10)
        filters = {"label": [f"{LABEL_MANAGED}=true", f"{LABEL_DAEMON}={self.daemon_id}"]}
        while not self.stopped.is_set():
            with contextlib.suppress(Exception):
                self.peak = max(self.peak, len(client.api.containers(all=True, filters=filters)))
            began = time.monotonic()
            try:
                subprocess.run(["docker", "info"], check=True, capture_output=True, timeout=10)
            except (subprocess.SubprocessError, OSError):
                self.info_failures += 1
            self.info_calls += 1
            self.slowest_info_s = max(self.slowest_info_s, time.monotonic() - began)
            self.stopped.wait(0.5)
        client.close()


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", HANDLER)
    return buffer.getvalue()


async def soak(args: argparse.Namespace, data_dir: Path) -> dict[str, object]:
    daemon = await start_daemon(
        Config(
            data_dir=data_dir,
            grpc_port=0,
            metrics_port=0,
            executor=args.executor,
            log_level="warning",
            max_environments=args.max_environments,
            max_environment_memory=args.max_environment_memory,
        )
    )
    watch = EngineWatch(daemon_id_for(data_dir)) if args.executor == "docker" else None
    threads = 0
    figures: dict[str, object] = {}
    try:
        async with AsyncLambdadClient.connect(f"127.0.0.1:{daemon.port}") as client:
            await client.create_function(
                fs.CreateFunctionRequest(
                    function_name="soak",
                    runtime="python3.11",
                    role="arn:aws:iam::000000000000:role/lambda-role",
                    handler="app.handler",
                    code=fpb.FunctionCode(zip_file=_zip()),
                    timeout=3,
                )
            )
            while (
                await client.get_function_configuration(
                    fs.GetFunctionConfigurationRequest(function_name="soak")
                )
            ).configuration.state != "Active":
                await asyncio.sleep(0.05)
            if watch is not None:
                watch.start()
            began = time.monotonic()
            gate = asyncio.Semaphore(args.concurrency)
            refused = 0

            async def send() -> None:
                nonlocal refused
                async with gate:
                    answer = await client.invoke(
                        ipb.InvokeRequest(function_name="soak", invocation_type="Event")
                    )
                    refused += answer.status_code != 202

            await asyncio.gather(*(send() for _ in range(args.events)))
            accepted_s = time.monotonic() - began
            while time.monotonic() - began < args.time_budget:
                threads = max(threads, len(os.listdir("/proc/self/task")))
                if not daemon.invocations._events:  # every accepted event has run
                    break
                await asyncio.sleep(0.2)
            figures.update(
                events=args.events,
                refused=refused,
                not_run=len(daemon.invocations._events),
                accepted_s=round(accepted_s, 1),
                drained_s=round(time.monotonic() - began, 1),
                peak_environments=daemon.pool.governor.peak_running,
                reclaimed=daemon.pool.governor.reclaimed,
                peak_threads=threads,
                rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
            )
    finally:
        if watch is not None:
            watch.stopped.set()
            watch.join(timeout=30)
        stopping = time.monotonic()
        await daemon.stop(grace=0)
        figures["stop_s"] = round(time.monotonic() - stopping, 1)
    if watch is not None:
        figures.update(
            peak_containers=watch.peak,
            docker_info_calls=watch.info_calls,
            docker_info_failures=watch.info_failures,
            slowest_docker_info_s=round(watch.slowest_info_s, 2),
        )
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--executor", choices=("docker", "process"), default="docker")
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--max-environments", type=int, default=16)
    parser.add_argument("--max-environment-memory", type=int, default=0, help="MB; 0 = half")
    parser.add_argument("--time-budget", type=float, default=120.0, help="seconds to drain")
    args = parser.parse_args()
    configure_logging("json", "warning")  # the figures line stays readable on stdout
    with tempfile.TemporaryDirectory(prefix="lambdad-capacity-") as scratch:
        figures = asyncio.run(soak(args, Path(scratch) / "data"))
    print(json.dumps(figures))
    return 0 if not figures.get("refused") and not figures.get("not_run") else 1


if __name__ == "__main__":
    sys.exit(main())
