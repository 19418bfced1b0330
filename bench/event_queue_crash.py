"""Event invocations across a `kill -9` of the daemon: lost (must be 0), duplicates, drain time.

Not part of the test run. Starts `lambdad serve` (process executor by default) on free ports,
creates a python function that appends its request id to a file, sends `--count` Event invokes
through the gateway from `--concurrency` threads, SIGKILLs the daemon once `--kill-after` events
have run, starts it again on the same data dir and waits (bounded by `--time-budget`) until every
accepted event has run. Prints one JSON line:

    python bench/event_queue_crash.py --count 3000 --concurrency 32 --kill-after 1000
"""

from __future__ import annotations

import argparse
import json
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import boto3
import urllib3
from botocore.config import Config as BotoConfig

from tests.helpers import make_zip

HANDLER = """
import os

def handler(event, context):
    with open(os.environ["OUT"], "a") as out:
        out.write(context.aws_request_id + "\\n")
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Daemon:
    """`lambdad serve` as a subprocess; `start` again reuses the data dir and ports."""

    def __init__(self, root: Path, executor: str) -> None:
        self.root, self.executor = root, executor
        self.gateway, self.grpc, self.metrics = free_port(), free_port(), free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        log = open(self.root / "lambdad.log", "ab")  # noqa: SIM115 - owned by the process
        self.process = subprocess.Popen(
            [sys.executable, "-m", "lambdad.daemon.cli", "serve", "--data-dir",
             str(self.root / "data"), "--grpc-port", str(self.grpc), "--gateway-port",
             str(self.gateway), "--metrics-port", str(self.metrics), "--log-format", "json",
             "--log-level", "warning", "--executor", self.executor],
            stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        http = urllib3.PoolManager(retries=False)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                url = f"http://127.0.0.1:{self.gateway}/2016-08-19/account-settings"
                if http.request("GET", url).status == 200:
                    return
            except urllib3.exceptions.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError("lambdad did not start")

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)

    def lambda_client(self) -> Any:
        return boto3.client(
            "lambda",
            endpoint_url=f"http://127.0.0.1:{self.gateway}",
            region_name="us-east-1",
            aws_access_key_id="test",
            aws_secret_access_key="test",
            config=BotoConfig(retries={"max_attempts": 1}, max_pool_connections=64),
        )

    def metric(self, name: str) -> float:
        body = urllib3.PoolManager().request("GET", f"http://127.0.0.1:{self.metrics}/metrics")
        match = re.search(rf"^{name} (\S+)$", body.data.decode(), re.MULTILINE)
        return float(match.group(1)) if match else -1.0


def ran(out: Path) -> list[str]:
    return out.read_text().split()


def main(count: int, concurrency: int, kill_after: int, executor: str, budget: float) -> Any:
    root = Path(tempfile.mkdtemp(prefix="asyncqueue-crash-"))
    out = root / "ran.txt"
    out.touch()
    daemon = Daemon(root, executor)
    daemon.start()
    try:
        client = daemon.lambda_client()
        client.create_function(
            FunctionName="sink",
            Runtime="python3.12",
            Role="arn:aws:iam::000000000000:role/r",
            Handler="app.handler",
            Code={"ZipFile": make_zip({"app.py": HANDLER})},
            Environment={"Variables": {"OUT": str(out)}},
        )
        client.get_waiter("function_active_v2").wait(FunctionName="sink")
        accepted: list[str] = []
        refused = 0
        lock = threading.Lock()
        numbers = iter(range(count))

        def caller() -> None:
            # Like a client with retries: an invoke the kill cut off (no 202: never promised)
            # is sent again once the daemon is back.
            nonlocal refused
            mine = daemon.lambda_client()
            for _ in numbers:
                while True:
                    try:
                        reply = mine.invoke(
                            FunctionName="sink", InvocationType="Event", Payload=b"{}"
                        )
                        break
                    except Exception:  # noqa: BLE001 - daemon down: retry until the budget
                        if time.monotonic() - start > budget:
                            with lock:
                                refused += 1
                            return
                        time.sleep(0.2)
                with lock:
                    accepted.append(reply["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"])

        start = time.monotonic()
        threads = [threading.Thread(target=caller) for _ in range(concurrency)]
        for thread in threads:
            thread.start()
        while len(ran(out)) < kill_after and time.monotonic() - start < budget:
            time.sleep(0.01)
        daemon.kill()
        accepted_before = len(accepted)
        ran_before = len(set(ran(out)))
        restart = time.monotonic()
        daemon.start()
        for thread in threads:
            thread.join()
        while time.monotonic() - start < budget and not set(accepted) <= set(ran(out)):
            time.sleep(0.05)
        done = time.monotonic()
        runs = ran(out)
        result = {
            "executor": executor,
            "accepted": len(accepted),
            "accepted_before_kill": accepted_before,
            "ran_before_kill": ran_before,
            "refused": refused,
            "lost": len(set(accepted) - set(runs)),
            "duplicates": len(runs) - len(set(runs)),
            "redeliveries_metric": daemon.metric("lambdad_event_redeliveries_total"),
            "drain_after_restart_s": round(done - restart, 2),
            "total_s": round(done - start, 2),
        }
    finally:
        daemon.stop()
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--kill-after", type=int, default=1000)
    parser.add_argument("--executor", default="process", choices=("process", "docker"))
    parser.add_argument("--time-budget", type=float, default=115.0)
    args = parser.parse_args()
    print(
        json.dumps(
            main(args.count, args.concurrency, args.kill_after, args.executor, args.time_budget)
        )
    )
