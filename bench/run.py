"""Benchmark lambdad against AWS's Runtime Interface Emulator, in one run.

Starts its own ``lambdad serve`` (free ports, a temporary data dir), creates a python3.11 echo
function and measures warm invoke latency (gateway with boto3, and gRPC), cold start (create ->
first result) and throughput at concurrency 1, 8 and 32. In the same run it starts AWS's Runtime
Interface Emulator (RIE) in a container of lambdad's offline ``lambdad/runtime:python3.11`` image
with the same function, and measures its warm latency through boto3 and its cold start
(``docker run`` -> first answer). Writes one JSON document and prints a short summary.

Every loop is bounded by a count and a time budget; the daemon and every container this script
started are removed on exit, Ctrl-C and SIGTERM included. See bench/README.md.
"""

from __future__ import annotations

import argparse
import base64
import collections
import concurrent.futures
import contextlib
import http.client
import importlib.metadata
import io
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import botocore.config
import botocore.exceptions

from lambdad.client import LambdadClient
from lambdad.v1.invocation_service_pb2 import InvokeRequest

BENCH_DIR = Path(__file__).resolve().parent
CACHE_DIR = BENCH_DIR / ".cache"
RIE_MEMBER = "samcli/local/rapid/aws-lambda-rie-x86_64"
RIE_IMAGE = "lambdad/runtime:python3.11"
RIE_FUNCTION = "function"  # the only function name the RIE serves
RUNTIME = "python3.11"
HANDLER_SOURCE = "def handler(e, c):\n    return e\n"
# The cold-start series' echo function per `--runtime`: (handler, file, source).
ECHOES = {
    RUNTIME: ("app.handler", "app.py", HANDLER_SOURCE),
    "nodejs20.x": ("index.handler", "index.js", "exports.handler = async (e) => e;\n"),
}
PAYLOAD = {"bench": "echo", "n": 1}
PAYLOAD_BYTES = json.dumps(PAYLOAD).encode()
LEVELS = (1, 8, 32)
# Targets from issue 3 item 6.
TARGET_WARM_RATIO = 1.5
TARGET_COLD_RATIO = 1.0
# Targets from issue 16 (pre-initialized environments, throughput, burst).
TARGET_COLD_POOL_RATIO = 0.25
TARGET_COLD_POOL_MS = 100.0
TARGET_C16_PER_S = 1000.0
TARGET_P99_OVER_P50_C64 = 10.0
TARGET_BURST_S = 6.0
SWEEP_LEVELS = "1,8,16,32,64"


# ---------------------------------------------------------------------------------------------
# statistics


def summarize(samples_s: list[float], errors: int = 0) -> dict[str, Any]:
    """Percentiles (inclusive interpolation), mean, min, max of samples in seconds, as ms."""
    out: dict[str, Any] = {"n": len(samples_s), "errors": errors}
    if not samples_s:
        return out
    ms = sorted(s * 1000.0 for s in samples_s)
    if len(ms) >= 2:
        q = statistics.quantiles(ms, n=100, method="inclusive")
        p50, p90, p99 = q[49], q[89], q[98]
    else:
        p50 = p90 = p99 = ms[0]
    out.update(
        p50_ms=round(p50, 3),
        p90_ms=round(p90, 3),
        p99_ms=round(p99, 3),
        mean_ms=round(statistics.fmean(ms), 3),
        min_ms=round(ms[0], 3),
        max_ms=round(ms[-1], 3),
    )
    return out


@dataclass
class Budget:
    """A wall-clock budget for one phase; loops stop early (and say so) when it runs out."""

    seconds: float
    start: float = field(default_factory=time.monotonic)

    @property
    def remaining(self) -> float:
        return self.seconds - (time.monotonic() - self.start)

    @property
    def exhausted(self) -> bool:
        return self.remaining <= 0

    def phase(self, seconds: float) -> Budget:
        """A budget for one phase that also ends when this (whole-run) budget does."""
        return Budget(max(0.0, min(seconds, self.remaining)))


# A measured call returns None on success, else why it failed (kept, counted per reason).
Call = Callable[[], str | None]


def timed_loop(
    count: int, budget: Budget, call: Call, failures: collections.Counter[str]
) -> tuple[list[float], bool]:
    """Run ``call`` up to ``count`` times; (latencies of successes, truncated by the budget)."""
    samples: list[float] = []
    for _ in range(count):
        if budget.exhausted:
            return samples, True
        t0 = time.perf_counter()
        failure = call()
        elapsed = time.perf_counter() - t0
        if failure is None:
            samples.append(elapsed)
        else:
            failures[failure[:300]] += 1
    return samples, False


def top_failures(failures: collections.Counter[str], limit: int = 5) -> list[str]:
    return [f"{n}x {reason}" for reason, n in failures.most_common(limit)]


# ---------------------------------------------------------------------------------------------
# helpers


def free_port(span: tuple[int, int] | None = None) -> int:
    """A free port: any (the kernel's pick), or the first free one within `span` (low, high),
    for a machine whose users keep to their own port ranges."""
    if span is not None:
        for port in range(span[0], span[1] + 1):
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
                try:
                    s.bind(("127.0.0.1", port))
                except OSError:
                    continue
            if port not in _TAKEN:
                _TAKEN.add(port)
                return port
        raise RuntimeError(f"no free port in {span[0]}-{span[1]}")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# Ports of a span handed out by this run (a daemon binds them only once it is up).
_TAKEN: set[int] = set()


def echo_zip(runtime: str = RUNTIME) -> bytes:
    _, member, source = ECHOES[runtime]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(member, source)
    return buf.getvalue()


def lambda_client(endpoint: str, timeout: float = 30.0, connections: int = 4) -> Any:
    """A boto3 Lambda client without retries, so every failure is counted, not hidden."""
    config = botocore.config.Config(
        retries={"total_max_attempts": 1},
        connect_timeout=5,
        read_timeout=timeout,
        max_pool_connections=connections,
    )
    return boto3.client(
        "lambda",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=config,
    )


def boto3_echo(client: Any, function_name: str) -> str | None:
    """One RequestResponse invoke; None when the echo came back unchanged, else why not."""
    try:
        resp = client.invoke(
            FunctionName=function_name, InvocationType="RequestResponse", Payload=PAYLOAD_BYTES
        )
        body = resp["Payload"].read()
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as exc:
        return f"{type(exc).__name__}: {exc}"
    if "FunctionError" in resp or json.loads(body) != PAYLOAD:
        return f"FunctionError={resp.get('FunctionError')} payload={body[:200]!r}"
    return None


def run_cmd(args: list[str], timeout: float = 60.0) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout, check=False)


def docker_available() -> str | None:
    """None when the engine answers and the RIE image exists; else the reason."""
    if shutil.which("docker") is None:
        return "docker CLI not found"
    try:
        ver = run_cmd(["docker", "version", "--format", "{{.Server.Version}}"], timeout=15)
    except subprocess.TimeoutExpired:
        return "docker engine did not answer within 15 s"
    if ver.returncode != 0:
        return f"docker engine unavailable: {ver.stderr.strip()[:300]}"
    img = run_cmd(["docker", "image", "inspect", RIE_IMAGE, "--format", "{{.Id}}"])
    if img.returncode != 0:
        return f"image {RIE_IMAGE} missing (build it: lambdad images build {RUNTIME})"
    return None


def rie_binary(log: Callable[[str], None]) -> tuple[Path | None, str]:
    """The RIE binary from the aws-sam-cli wheel, cached in bench/.cache; (path, version|reason)."""
    target = CACHE_DIR / "aws-lambda-rie-x86_64"
    version_file = CACHE_DIR / "aws-lambda-rie.source"
    if target.is_file() and version_file.is_file():
        return target, version_file.read_text().strip()
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    log("fetching the RIE binary from the aws-sam-cli wheel (pip download, once)")
    with tempfile.TemporaryDirectory(prefix="lambdad-bench-wheel-") as tmp:
        try:
            dl = run_cmd(
                [sys.executable, "-m", "pip", "download", "--no-deps", "aws-sam-cli", "-d", tmp],
                timeout=180,
            )
        except subprocess.TimeoutExpired:
            return None, "pip download aws-sam-cli timed out"
        wheels = sorted(Path(tmp).glob("aws_sam_cli-*.whl"))
        if dl.returncode != 0 or not wheels:
            return None, f"pip download aws-sam-cli failed: {dl.stderr.strip()[-300:]}"
        with zipfile.ZipFile(wheels[0]) as zf:
            try:
                data = zf.read(RIE_MEMBER)
            except KeyError:
                return None, f"{wheels[0].name} has no {RIE_MEMBER}"
        partial = target.with_suffix(".part")
        partial.write_bytes(data)
        partial.chmod(0o755)
        partial.replace(target)
        version_file.write_text(f"{wheels[0].name}:{RIE_MEMBER}\n")
    return target, version_file.read_text().strip()


# ---------------------------------------------------------------------------------------------
# lambdad


class Lambdad:
    """A ``lambdad serve`` subprocess on free ports with a temporary data dir."""

    def __init__(
        self,
        executor: str,
        workdir: Path,
        source: Path | None = None,
        environment: dict[str, str] | None = None,
        ports: tuple[int, int] | None = None,
        metrics: bool = False,
        log_level: str = "warning",
    ) -> None:
        self.executor = executor
        # LAMBDAD_* settings of this daemon (e.g. LAMBDAD_PREWARMED_ENVIRONMENTS).
        self.environment = dict(environment or {})
        # A source tree to run instead of the installed lambdad (PYTHONPATH), so two trees
        # can be measured side by side in one run (bench/throughput.py --tree).
        self.source = source
        self.grpc_port = free_port(ports)
        self.gateway_port = free_port(ports)
        # The daemon's own /metrics (0: none), for its view of its environments.
        self.metrics_port = free_port(ports) if metrics else 0
        self.log_level = log_level
        self.data_dir = workdir / "data"
        self.log_path = workdir / "lambdad.log"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.gateway_port}"

    @property
    def grpc_target(self) -> str:
        return f"127.0.0.1:{self.grpc_port}"

    def start(self, timeout: float = 60.0) -> None:
        args = [
            "lambdad",
            "serve",
            "--data-dir",
            str(self.data_dir),
            "--grpc-port",
            str(self.grpc_port),
            "--gateway-port",
            str(self.gateway_port),
            "--executor",
            self.executor,
            "--log-level",
            self.log_level,
            "--log-format",
            "json",
            # Several daemons (and other runs) share the machine: no fixed metrics port.
            "--metrics-port",
            str(self.metrics_port),
        ]
        env = {**os.environ, **self.environment}
        if shutil.which("lambdad") is None or self.source is not None:
            args = [sys.executable, "-m", "lambdad.daemon.cli", *args[1:]]
        if self.source is not None:
            paths = [self.source / "daemon", self.source / "client", self.source]
            env["PYTHONPATH"] = os.pathsep.join(str(p) for p in paths)
        log_file = self.log_path.open("wb")
        # Own session: a Ctrl-C in the terminal reaches only this script, which then stops the
        # daemon itself (gracefully, so it removes its containers).
        self.proc = subprocess.Popen(
            args, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True, env=env
        )
        log_file.close()
        deadline = time.monotonic() + timeout
        client = lambda_client(self.endpoint, timeout=5)
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"lambdad exited with {self.proc.returncode}: {self.log_tail()}")
            try:
                client.list_functions(MaxItems=1)
                return
            except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError):
                time.sleep(0.1)
        raise RuntimeError(f"lambdad did not answer within {timeout} s: {self.log_tail()}")

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def problems(self, limit: int = 20) -> list[str]:
        """Warning/error lines the daemon logged (it runs at --log-level warning)."""
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return []
        return [line[:500] for line in text.splitlines() if line.strip()][:limit]

    def environments(self, function_name: str) -> int | None:
        if self.proc is None:
            return None
        return count_environments(self.proc.pid, self.executor, function_name)

    def metrics(self) -> dict[str, float]:
        """The daemon's /metrics samples, `name{labels}` -> value (empty without a port)."""
        if not self.metrics_port:
            return {}
        conn = http.client.HTTPConnection("127.0.0.1", self.metrics_port, timeout=5)
        try:
            conn.request("GET", "/metrics")
            text = conn.getresponse().read().decode()
        except (OSError, http.client.HTTPException):
            return {}
        finally:
            conn.close()
        samples: dict[str, float] = {}
        for line in text.splitlines():
            if line and not line.startswith("#"):
                name, _, value = line.rpartition(" ")
                with contextlib.suppress(ValueError):
                    samples[name] = float(value)
        return samples

    def stop(self, timeout: float = 120.0) -> int | None:
        # A stop removes every container, 64 pre-initialized ones too: minutes on a loaded host.
        if self.proc is None or self.proc.poll() is not None:
            return None if self.proc is None else self.proc.returncode
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait(10)


# ---------------------------------------------------------------------------------------------
# measurements against lambdad


def create_echo(client: Any, name: str, code: bytes, runtime: str = RUNTIME) -> None:
    client.create_function(
        FunctionName=name,
        Runtime=runtime,
        Role="arn:aws:iam::000000000000:role/bench",
        Handler=ECHOES[runtime][0],
        Code={"ZipFile": code},
        Timeout=30,
        MemorySize=256,
    )


def settled_count(environments_seen: Callable[[], int | None], budget: Budget) -> int | None:
    """The environment count once it stops changing (at most ~20 s).

    Container starts are paced by the daemon, and a warm-up invoke may be served by an
    environment that freed up first, so environments started for the warm-up can still be
    coming up after it: timing then would measure their starts, not the level's throughput.
    """
    seen = environments_seen()
    for _ in range(20):
        if budget.exhausted:
            break
        time.sleep(1.0)
        now = environments_seen()
        if now == seen:
            break
        seen = now
    return seen


def count_environments(daemon_pid: int, executor: str, function_name: str) -> int | None:
    """How many execution environments the daemon holds for one function, seen from outside.

    Docker: running containers named for the function (`lambdad-<name>-<environment>`: a
    pre-initialized container is renamed so when it is assigned; its labels cannot change).
    Process: the daemon's child processes (every child is one environment's runtime client).
    """
    if executor == "docker":
        out = run_cmd(["docker", "ps", "--format", "{{.Names}}"])
        if out.returncode != 0:
            return None
        pattern = re.compile(rf"lambdad-{re.escape(function_name[:40])}-[0-9a-f]{{24}}")
        return sum(1 for line in out.stdout.split() if pattern.fullmatch(line.lstrip("/")))
    children = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # Field 4 (after the parenthesised command, which may hold spaces) is the ppid.
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == daemon_pid:
            children += 1
    return children


def measure_throughput(
    endpoint: str,
    name: str,
    concurrency: int,
    count: int,
    environments_seen: Callable[[], int | None],
    budget: Budget,
) -> dict[str, Any]:
    """``count`` invokes over ``concurrency`` threads, each with its own boto3 client."""
    clients = [lambda_client(endpoint, timeout=60) for _ in range(concurrency)]
    # Untimed warm-up so the environments this level scales out to exist before timing.
    # Every thread fires together (a barrier per round), so the level's scale-out happens here
    # and not inside the timed run.
    warm_failures: collections.Counter[str] = collections.Counter()
    barrier = threading.Barrier(concurrency)

    def warm(client: Any) -> list[str | None]:
        results = []
        for _ in range(3):
            if budget.exhausted:
                break
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait(timeout=60)
            results.append(boto3_echo(client, name))
        return results

    with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
        for results in pool.map(warm, clients):
            for failure in results:
                if failure is not None:
                    warm_failures[failure[:300]] += 1
    environments = settled_count(environments_seen, budget)
    remaining = iter(range(count))
    lock = threading.Lock()
    latencies: list[float] = []
    failures: collections.Counter[str] = collections.Counter()

    def worker(client: Any) -> None:
        while not budget.exhausted:
            with lock:
                if next(remaining, None) is None:
                    return
            t0 = time.perf_counter()
            failure = boto3_echo(client, name)
            elapsed = time.perf_counter() - t0
            with lock:
                if failure is None:
                    latencies.append(elapsed)
                else:
                    failures[failure[:300]] += 1

    start = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(worker, clients))
    wall = time.perf_counter() - start
    errors = sum(failures.values())
    return {
        "concurrency": concurrency,
        "requested": count,
        "completed": len(latencies),
        "errors": errors,
        "failures": top_failures(failures),
        "warmup_errors": sum(warm_failures.values()),
        "warmup_failures": top_failures(warm_failures),
        "environments_after_warmup": environments,
        "environments_after": environments_seen(),
        "wall_s": round(wall, 3),
        "invokes_per_s": round(len(latencies) / wall, 1) if wall > 0 else None,
        "truncated": len(latencies) + errors < count,
        "latency": summarize(latencies, errors),
    }


def measure_sweep(
    daemon: Lambdad,
    name: str,
    levels: list[int],
    duration_s: int,
    warmup_s: int,
    log: Callable[[str], None],
    budget: Budget,
    rounds: int = 1,
) -> list[dict[str, Any]] | dict[str, str]:
    """wrk through the gateway at each level (bench/throughput.py's runs): invokes/s,
    percentiles, wrk's own CPU, the daemon's CPU per invoke, environments, load average.

    With `rounds`, each level is timed that many times in a row and reported by its median
    run (by invokes/s; every run's rate is kept in `rounds_invokes_per_s`): one 5 s run on a
    shared VM is off by ±20 % from the next."""
    if shutil.which("wrk") is None:
        return {"missing": "wrk is not installed (apt-get install wrk)"}
    sys.path.insert(0, str(BENCH_DIR.parent))
    from bench import throughput

    assert daemon.proc is not None
    url = f"{daemon.endpoint}/2015-03-31/functions/{name}/invocations"
    runs: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="lambdad-wrk-") as tmp:
        script = Path(tmp) / "post.lua"
        script.write_text(throughput.WRK_SCRIPT)
        for level in levels:
            if budget.exhausted:
                runs.append({"concurrency": level, "truncated": True})
                continue
            throughput.warm_up(daemon, daemon.executor, name, url, script, level, warmup_s)
            timed: list[dict[str, Any]] = []
            for _ in range(max(1, rounds)):
                cpu_before = throughput.process_cpu_s(daemon.proc.pid)
                started = time.monotonic()
                run = throughput.run_wrk(url, script, level, duration_s)
                elapsed = time.monotonic() - started
                daemon_cpu = throughput.process_cpu_s(daemon.proc.pid) - cpu_before
                run.update(
                    concurrency=level,
                    daemon_cpu_ms_per_invoke=round(daemon_cpu * 1000 / max(1, run["requests"]), 3),
                    daemon_cpu_share=round(daemon_cpu / elapsed, 3),
                    environments=daemon.environments(name),
                    load_average=round(os.getloadavg()[0], 2),
                )
                timed.append(run)
            timed.sort(key=lambda run: float(run.get("invokes_per_s") or 0))
            result = timed[len(timed) // 2]
            result["rounds_invokes_per_s"] = [run.get("invokes_per_s") for run in timed]
            # Errors of every round, not only the median one's.
            result["rounds_errors"] = sum(run["errors"] + run["non_2xx"] for run in timed)
            runs.append(result)
            log(
                f"  c={level:<3} {result.get('invokes_per_s', 0):8.1f}/s "
                f"(rounds {' / '.join(str(r) for r in result['rounds_invokes_per_s'])}) "
                f"p50 {result.get('p50_ms', 0):.2f} p99 {result.get('p99_ms', 0):.2f} ms "
                f"errors {result['errors'] + result['non_2xx']} wrk cpu {result['wrk_cpu_s']} s "
                f"envs {result['environments']} load {result['load_average']}"
            )
    return runs


def measure_provisioned(client: Any, name: str, budget: Budget) -> dict[str, Any]:
    """Publish a version, put provisioned concurrency 1, time it to READY, then invoke it."""
    version = client.publish_version(FunctionName=name)["Version"]
    t0 = time.perf_counter()
    client.put_provisioned_concurrency_config(
        FunctionName=name, Qualifier=version, ProvisionedConcurrentExecutions=1
    )
    status = "IN_PROGRESS"
    while status == "IN_PROGRESS" and time.perf_counter() - t0 < 60 and not budget.exhausted:
        time.sleep(0.02)
        got = client.get_provisioned_concurrency_config(FunctionName=name, Qualifier=version)
        status = got["Status"]
    ready_s = time.perf_counter() - t0
    out: dict[str, Any] = {
        "version": version,
        "status": status,
        "put_to_ready_s": round(ready_s, 3),
    }
    if status != "READY":
        return out
    t1 = time.perf_counter()
    resp = client.invoke(
        FunctionName=name, Qualifier=version, Payload=PAYLOAD_BYTES, LogType="Tail"
    )
    resp["Payload"].read()
    out["first_invoke_ms"] = round((time.perf_counter() - t1) * 1000, 2)
    tail = base64.b64decode(resp.get("LogResult", "")).decode(errors="replace")
    out["first_invoke_init_duration_reported"] = "Init Duration" in tail
    out["first_invoke_error"] = resp.get("FunctionError")
    samples = []
    for _ in range(100):
        t = time.perf_counter()
        client.invoke(FunctionName=name, Qualifier=version, Payload=PAYLOAD_BYTES)["Payload"].read()
        samples.append(time.perf_counter() - t)
    out["warm"] = summarize(samples)
    client.delete_provisioned_concurrency_config(FunctionName=name, Qualifier=version)
    return out


def measure_burst(
    daemon: Lambdad, name: str, code: bytes, count: int, sleep_s: float
) -> dict[str, Any]:
    """`count` simultaneous invokes (raw HTTP POSTs) of a function sleeping `sleep_s`."""
    client = lambda_client(daemon.endpoint, timeout=120)
    client.create_function(
        FunctionName=name,
        Runtime=RUNTIME,
        Role="arn:aws:iam::000000000000:role/bench",
        Handler="app.handler",
        Code={"ZipFile": code},
        Timeout=60,
    )
    client.get_waiter("function_active_v2").wait(
        FunctionName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 60}
    )
    barrier = threading.Barrier(count + 1)
    done: list[tuple[float, int, str | None]] = []
    lock = threading.Lock()

    def one() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", daemon.gateway_port, timeout=120)
        barrier.wait()
        try:
            conn.request("POST", f"/2015-03-31/functions/{name}/invocations", body=PAYLOAD_BYTES)
            response = conn.getresponse()
            response.read()
            outcome = (
                time.perf_counter(),
                response.status,
                response.getheader("X-Amz-Function-Error"),
            )
        except (OSError, http.client.HTTPException) as exc:
            outcome = (time.perf_counter(), 0, repr(exc)[:200])
        finally:
            conn.close()
        with lock:
            done.append(outcome)

    threads = [threading.Thread(target=one) for _ in range(count)]
    for thread in threads:
        thread.start()
    barrier.wait()
    t0 = time.perf_counter()
    for thread in threads:
        thread.join()
    finished = sorted(at - t0 for at, _, _ in done)
    errors = [f"{status} {error}" for _, status, error in done if status != 200 or error]
    with contextlib.suppress(botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError):
        client.delete_function(FunctionName=name)
    return {
        "count": count,
        "sleep_s": sleep_s,
        "all_done_s": round(finished[-1], 3) if finished else None,
        "p50_done_s": round(finished[len(finished) // 2], 3) if finished else None,
        "errors": len(errors),
        "error_examples": sorted(set(errors))[:5],
        "load_average": round(os.getloadavg()[0], 2),
    }


def wait_prewarmed(daemon: Lambdad, count: int, limit_s: float = 120.0) -> int:
    """How many pre-initialized containers of `daemon` wait, once `count` do (or limit_s)."""
    sys.path.insert(0, str(BENCH_DIR.parent))
    from lambdad.daemon.runtime.docker import daemon_id_for

    label = f"label=dev.lambdad.daemon={daemon_id_for(daemon.data_dir)}"
    deadline = time.monotonic() + limit_s
    seen = 0
    while True:
        out = run_cmd(
            ["docker", "ps", "--filter", label, "--filter", "label=dev.lambdad.prewarm=true",
             "--format", "{{.Names}}"]
        )  # fmt: skip
        seen = sum(1 for line in out.stdout.split() if line.startswith("lambdad-prewarm-"))
        if seen >= count or time.monotonic() >= deadline:
            return seen
        time.sleep(1.0)


def wait_spares_settled(daemon: Lambdad, quiet_s: float = 5.0, limit_s: float = 90.0) -> int | None:
    """Waiting pre-initialized environments once their number stopped growing (Docker: the
    count; process: None, after `quiet_s` x 3)."""
    if daemon.executor != "docker":
        time.sleep(3 * quiet_s)
        return None
    deadline = time.monotonic() + limit_s
    seen, since = -1, time.monotonic()
    while time.monotonic() < deadline:
        now_seen = wait_prewarmed(daemon, 0, limit_s=0)
        if now_seen != seen:
            seen, since = now_seen, time.monotonic()
        elif time.monotonic() - since >= quiet_s:
            break
        time.sleep(1.0)
    return seen


def burst_zip(sleep_s: float) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        source = f"import time\ndef handler(e, c):\n    time.sleep({sleep_s})\n    return e\n"
        archive.writestr("app.py", source)
    return buf.getvalue()


# ---------------------------------------------------------------------------------------------
# the RIE reference


class RieContainers:
    """RIE containers started by this run, all labelled with the run id and removed together."""

    def __init__(self, run_id: str, rie: Path, code_dir: Path) -> None:
        self.label = f"dev.lambdad.bench={run_id}"
        self.rie = rie
        self.code_dir = code_dir

    def run_args(self, port: int) -> list[str]:
        return [
            "docker", "run", "-d",
            "--label", self.label,
            "-p", f"127.0.0.1:{port}:8080",
            "-v", f"{self.rie}:/aws-lambda-rie:ro",
            "-v", f"{self.code_dir}:/var/task:ro",
            "-e", "AWS_LAMBDA_FUNCTION_TIMEOUT=30",
            "-e", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE=256",
            "--entrypoint", "/aws-lambda-rie",
            RIE_IMAGE,
            "python3", "-m", "awslambdaric", "app.handler",
        ]  # fmt: skip

    def start(self) -> tuple[str, int]:
        port = free_port()
        out = run_cmd(self.run_args(port))
        if out.returncode != 0:
            raise RuntimeError(f"docker run failed: {out.stderr.strip()[:300]}")
        return out.stdout.strip(), port

    def remove(self, container_id: str) -> None:
        run_cmd(["docker", "rm", "-f", container_id])

    def remove_all(self) -> int:
        ids = run_cmd(["docker", "ps", "-aq", "--filter", f"label={self.label}"]).stdout.split()
        if ids:
            run_cmd(["docker", "rm", "-f", *ids])
        return len(ids)


def rie_post_once(port: int, timeout: float = 2.0) -> bool:
    """One raw POST to the RIE's invoke path; True on the echoed payload."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(
            "POST",
            f"/2015-03-31/functions/{RIE_FUNCTION}/invocations",
            body=PAYLOAD_BYTES,
            headers={"Content-Type": "application/json"},
        )
        resp = conn.getresponse()
        body = resp.read()
    except (OSError, http.client.HTTPException):
        return False
    finally:
        conn.close()
    try:
        return resp.status == 200 and json.loads(body) == PAYLOAD
    except ValueError:
        return False


def wait_rie(port: int, deadline_s: float) -> bool:
    deadline = time.perf_counter() + deadline_s
    while time.perf_counter() < deadline:
        if rie_post_once(port):
            return True
        time.sleep(0.005)
    return False


def gateway_call(endpoint: str, name: str) -> Call:
    """One boto3 RequestResponse invoke per call, on one client (its connection stays open)."""
    client = lambda_client(endpoint)
    return lambda: boto3_echo(client, name)


def grpc_call(client: LambdadClient, name: str) -> Call:
    """One gRPC Invoke per call on an open channel."""
    request = InvokeRequest(function_name=name, payload=PAYLOAD_BYTES)

    def once() -> str | None:
        try:
            resp = client.invoke(request, timeout=30)
        except Exception as exc:  # noqa: BLE001 - any RPC failure is one counted error
            return f"{type(exc).__name__}: {exc}"
        if resp.function_error or json.loads(resp.payload) != PAYLOAD:
            return f"function_error={resp.function_error} payload={resp.payload[:200]!r}"
        return None

    return once


def measure_warm_interleaved(
    series: dict[str, Call], n: int, warmup: int, budget: Budget, rounds: int = 5
) -> dict[str, dict[str, Any]]:
    """Warm latency of each series, measured in interleaved blocks.

    The machine is shared (other builds and tests run beside the benchmark), so the series take
    turns in ``rounds`` blocks with a rotating order: a burst of background load then falls on
    every series alike instead of on whichever happened to run at that moment. Each warm-up
    and each block gets an equal share of the time left, so one slow series cannot use up the
    budget of the others.
    """
    names = list(series)
    warm_failures: dict[str, collections.Counter[str]] = {}
    for k in names:
        warm_failures[k] = collections.Counter()
        warm_budget = budget.phase(budget.remaining * 0.1 / len(names))
        for _ in range(warmup):
            if warm_budget.exhausted:
                break
            failure = series[k]()
            if failure is not None:
                warm_failures[k][failure[:300]] += 1
    samples: dict[str, list[float]] = {k: [] for k in names}
    failures: dict[str, collections.Counter[str]] = {k: collections.Counter() for k in names}
    truncated = dict.fromkeys(names, False)
    per_round = max(1, n // rounds)
    blocks_left = rounds * len(names)
    for r in range(rounds):
        order = names[r % len(names) :] + names[: r % len(names)]
        for k in order:
            count = per_round if r < rounds - 1 else n - per_round * (rounds - 1)
            block = budget.phase(budget.remaining / blocks_left)
            blocks_left -= 1
            got, cut = timed_loop(count, block, series[k], failures[k])
            samples[k] += got
            truncated[k] = truncated[k] or cut
    return {
        k: {
            **summarize(samples[k], sum(failures[k].values())),
            "failures": top_failures(failures[k]),
            "warmup": warmup,
            "warmup_errors": sum(warm_failures[k].values()),
            "rounds": rounds,
            "truncated": truncated[k],
        }
        for k in names
    }


class ColdStartError(Exception):
    """One cold-start run that did not end in the echoed payload."""


def cold_lambdad_once(
    client: Any, name: str, code: bytes, runtime: str = RUNTIME
) -> dict[str, float]:
    """CreateFunction -> poll until Active -> first invoke; seconds per phase and in total."""
    t0 = time.perf_counter()
    try:
        create_echo(client, name, code, runtime)
        t1 = time.perf_counter()
        deadline = t1 + 30
        while True:
            state = client.get_function_configuration(FunctionName=name)["State"]
            if state == "Active":
                break
            if state == "Failed" or time.perf_counter() > deadline:
                raise ColdStartError(f"{name} state {state}")
            time.sleep(0.005)
        t2 = time.perf_counter()
        resp = client.invoke(FunctionName=name, Payload=PAYLOAD_BYTES)
        body = resp["Payload"].read()
        t3 = time.perf_counter()
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as exc:
        raise ColdStartError(f"{name}: {exc}") from exc
    finally:
        # Not timed: retire the environment so every run starts from the same footing.
        with contextlib.suppress(
            botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError
        ):
            client.delete_function(FunctionName=name)
    if "FunctionError" in resp or json.loads(body) != PAYLOAD:
        raise ColdStartError(f"{name}: first invoke answered {resp.get('FunctionError')} {body!r}")
    return {
        "total": t3 - t0,
        "create_function": t1 - t0,
        "create_to_active": t2 - t1,
        "first_invoke": t3 - t2,
    }


def cold_rie_once(containers: RieContainers) -> dict[str, float]:
    """``docker run -d`` of a fresh RIE container -> first echoed answer."""
    t0 = time.perf_counter()
    try:
        cid, port = containers.start()
    except (RuntimeError, subprocess.TimeoutExpired) as exc:
        raise ColdStartError(str(exc)) from exc
    t1 = time.perf_counter()
    try:
        if not wait_rie(port, 30):
            raise ColdStartError("RIE container gave no answer within 30 s")
        t2 = time.perf_counter()
    finally:
        containers.remove(cid)
    return {"total": t2 - t0, "docker_run_d": t1 - t0, "run_to_first_answer": t2 - t1}


def measure_cold_interleaved(
    runs: int,
    kinds: dict[str, Callable[[int], dict[str, float]]],
    log: Callable[[str], None],
    budget: Budget,
    pause_s: float = 0.0,
) -> dict[str, dict[str, Any]]:
    """Cold starts of each kind, alternating run by run (same reason as the warm series)."""
    phases: dict[str, dict[str, list[float]]] = {k: {} for k in kinds}
    failures: dict[str, list[str]] = {k: [] for k in kinds}
    for i in range(runs):
        if budget.exhausted:
            for k in kinds:
                failures[k].append(f"budget exhausted after {i} runs")
            break
        # Untimed: a user creates functions seconds apart, the pool refills meanwhile.
        time.sleep(pause_s)
        for k, once in kinds.items():
            try:
                result = once(i)
            except ColdStartError as exc:
                failures[k].append(str(exc)[:500])
                log(f"  {k} cold {i}: FAILED {str(exc)[:200]}")
                continue
            for phase, seconds in result.items():
                phases[k].setdefault(phase, []).append(seconds)
            detail = ", ".join(f"{p} {1000 * s:.0f}" for p, s in result.items() if p != "total")
            log(f"  {k} cold {i}: {1000 * result['total']:.0f} ms ({detail})")
    out: dict[str, dict[str, Any]] = {}
    for k in kinds:
        totals = phases[k].pop("total", [])
        out[k] = {
            **summarize(totals, len(failures[k])),
            "phases": {p: summarize(v) for p, v in phases[k].items()},
            "error_messages": failures[k],
        }
    return out


# ---------------------------------------------------------------------------------------------
# facts and leftovers


def machine_facts(executor: str, docker_reason: str | None, rie_source: str) -> dict[str, Any]:
    def version(dist: str) -> str | None:
        try:
            return importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            return None

    docker_version = None
    if docker_reason is None:
        docker_version = run_cmd(
            ["docker", "version", "--format", "{{.Server.Version}}"]
        ).stdout.strip()
    git = run_cmd(["git", "-C", str(BENCH_DIR), "rev-parse", "--short", "HEAD"])
    dirty = run_cmd(["git", "-C", str(BENCH_DIR), "status", "--porcelain", "--", ".."])
    return {
        "cores": os.cpu_count(),
        "loadavg_start": [round(x, 2) for x in os.getloadavg()],
        "platform": platform.platform(),
        "python": platform.python_version(),
        "executor": executor,
        "lambdad": version("lambdad"),
        "lambdad_client": version("lambdad-client"),
        "boto3": version("boto3"),
        "botocore": version("botocore"),
        "grpcio": version("grpcio"),
        "docker_server": docker_version,
        "rie": rie_source,
        "rie_image": RIE_IMAGE,
        "git_commit": git.stdout.strip() or None,
        "git_dirty": bool(dirty.stdout.strip()),
    }


def lambdad_leftovers(prefix: str, daemon_ids: tuple[str, ...] = ()) -> list[str]:
    """Containers of this run's functions (or daemons) still present after they stopped.

    Pre-initialized containers carry no function label until assigned: they are found by the
    daemons' ids.
    """
    out = run_cmd(
        [
            "docker",
            "ps",
            "-a",
            "--filter",
            "label=dev.lambdad.managed=true",
            "--format",
            '{{.ID}} {{.Names}} {{.Label "dev.lambdad.function"}} {{.Label "dev.lambdad.daemon"}}',
        ]
    )
    return [
        line
        for line in out.stdout.splitlines()
        if prefix in line or any(daemon_id in line.split()[-1:] for daemon_id in daemon_ids)
    ]


def issue16_targets(lambdad: dict[str, Any], ref: dict[str, Any]) -> dict[str, Any]:
    """Issue 16's targets next to what this run measured (None: not measured)."""
    cold = lambdad.get("cold_start") or {}
    cold_ratio = ratio(cold, ref.get("docker_run_cold"))
    sweep = lambdad.get("throughput_sweep")
    by_level = {r["concurrency"]: r for r in sweep if "invokes_per_s" in r} if isinstance(
        sweep, list
    ) else {}  # fmt: skip
    c8, c16, c64 = by_level.get(8), by_level.get(16), by_level.get(64)
    burst = lambdad.get("burst_again") or lambdad.get("burst") or {}
    p99_over_p50 = None
    if c64 and c64.get("p50_ms"):
        p99_over_p50 = round(c64["p99_ms"] / c64["p50_ms"], 2)
    return {
        "cold_pool_p50_ms": cold.get("p50_ms"),
        "cold_pool_p50_ms_target": TARGET_COLD_POOL_MS,
        "cold_pool_over_rie_docker_run_p50": cold_ratio,
        "cold_pool_over_rie_target": TARGET_COLD_POOL_RATIO,
        "c16_invokes_per_s": c16 and c16.get("invokes_per_s"),
        "c16_target": TARGET_C16_PER_S,
        "c64_invokes_per_s": c64 and c64.get("invokes_per_s"),
        "c8_invokes_per_s": c8 and c8.get("invokes_per_s"),
        "c64_not_below_c8": None
        if not (c8 and c64)
        else c64["invokes_per_s"] >= c8["invokes_per_s"],
        "c64_p99_over_p50": p99_over_p50,
        "c64_p99_over_p50_target": TARGET_P99_OVER_P50_C64,
        "burst_all_done_s": burst.get("all_done_s"),
        "burst_target_s": TARGET_BURST_S,
    }


def table_row(doc: dict[str, Any]) -> str:
    """The bench/README.md figures row of one run's JSON."""
    m = doc.get("machine", {})
    lam = doc.get("lambdad", {})
    t = doc.get("targets", {})
    ref = doc.get("reference", {})

    def p50(section: dict[str, Any] | None) -> str:
        return f"{section['p50_ms']:.0f} ms" if section and section.get("p50_ms") else "-"

    sweep = lam.get("throughput_sweep")
    rates = "-"
    if isinstance(sweep, list):
        rates = " / ".join(f"{r.get('invokes_per_s', '-')}" for r in sweep)
    c64 = next((r for r in sweep or [] if isinstance(r, dict) and r.get("concurrency") == 64), {})
    load = f"{m.get('loadavg_start', ['?'])[0]}-{m.get('loadavg_end', ['?'])[0]}"
    burst = lam.get("burst") or {}
    big = lam.get("burst_big_pool") or {}
    prov = lam.get("provisioned") or {}
    return (
        f"| {m.get('executor')} | {load} | {p50(lam.get('cold_start'))} | "
        f"{p50(lam.get('cold_start_no_pool'))} | {p50(ref.get('docker_run_cold'))} | "
        f"{t.get('cold_pool_over_rie_docker_run_p50')} | "
        f"{prov.get('put_to_ready_s', '-')} s / {prov.get('first_invoke_ms', '-')} ms | "
        f"{rates} | {c64.get('p50_ms', '-')} / {c64.get('p99_ms', '-')} ms | "
        f"{burst.get('all_done_s', '-')} s | {big.get('all_done_s', '-')} s |"
    )


def ratio(num: dict[str, Any] | None, den: dict[str, Any] | None) -> float | None:
    if not num or not den or not num.get("p50_ms") or not den.get("p50_ms"):
        return None
    return round(num["p50_ms"] / den["p50_ms"], 3)


# ---------------------------------------------------------------------------------------------
# main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--executor", choices=("process", "docker"), default="process")
    p.add_argument("--invokes", type=int, default=1000, help="timed warm invokes per series")
    p.add_argument("--warmup", type=int, default=50, help="untimed warm-up invokes per series")
    p.add_argument("--cold-runs", type=int, default=10, help="fresh functions/containers (>= 5)")
    p.add_argument(
        "--runtime",
        choices=sorted(ECHOES),
        default=RUNTIME,
        help="the cold-start series' echo function (the RIE reference is python3.11's)",
    )
    p.add_argument("--throughput-count", type=int, default=960, help="invokes per level")
    p.add_argument(
        "--time-budget", type=float, default=900, help="seconds for all measurements together"
    )
    p.add_argument("--out", type=Path, default=None, help="write the JSON document here")
    p.add_argument("--no-reference", action="store_true", help="skip the RIE reference")
    p.add_argument(
        "--prewarm",
        type=int,
        default=2,
        help="LAMBDAD_PREWARMED_ENVIRONMENTS of the measured daemon (the daemon's default is 2)",
    )
    p.add_argument("--levels", default=SWEEP_LEVELS, help="wrk sweep concurrency levels")
    p.add_argument("--sweep-duration", type=int, default=5, help="seconds per timed wrk run")
    p.add_argument("--sweep-warmup", type=int, default=2, help="seconds per untimed wrk run")
    p.add_argument(
        "--sweep-rounds",
        type=int,
        default=3,
        help="timed wrk runs per level, reported by the median one",
    )
    p.add_argument("--burst", type=int, default=100, help="simultaneous invokes in the burst")
    p.add_argument("--burst-sleep", type=float, default=2.0, help="the burst function's seconds")
    p.add_argument(
        "--burst-prewarm",
        type=int,
        default=64,
        help="Docker: also burst on a daemon with this many pre-initialized environments (0: no)",
    )
    p.add_argument(
        "--skip", default="", help="comma list of: warm, cold, provisioned, sweep, burst"
    )
    p.add_argument("--table", type=Path, help="print the README table row of this JSON and exit")
    p.add_argument("--ports", help="LOW-HIGH: the daemons' ports from this range (default: any)")
    args = p.parse_args(argv)
    if args.cold_runs < 5:
        p.error("--cold-runs must be at least 5")
    if args.invokes < 2:
        p.error("--invokes >= 2")
    return args


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


@contextlib.contextmanager
def interrupts_as_keyboard() -> Iterator[None]:
    # SIGINT too: a shell without job control starts background jobs with SIGINT ignored.
    signals = (signal.SIGINT, signal.SIGTERM)
    previous = {sig: signal.signal(sig, _raise_interrupt) for sig in signals}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.table is not None:
        print(table_row(json.loads(args.table.read_text())))
        return 0
    skip = {item.strip() for item in args.skip.split(",") if item.strip()}
    started = time.monotonic()
    # Measurements stop here, leaving room for setup and teardown inside five minutes.
    run_budget = Budget(args.time_budget)

    def log(msg: str) -> None:
        print(f"[{time.monotonic() - started:6.1f}s] {msg}", file=sys.stderr, flush=True)

    run_id = uuid.uuid4().hex[:8]
    prefix = f"bench-{run_id}"
    workdir = Path(tempfile.mkdtemp(prefix="lambdad-bench-"))
    code_dir = workdir / "task"
    code_dir.mkdir()
    (code_dir / "app.py").write_text(HANDLER_SOURCE)
    code_dir.chmod(0o755)
    (code_dir / "app.py").chmod(0o644)
    code = echo_zip()

    docker_reason = docker_available()
    settings = {} if args.prewarm is None else {"LAMBDAD_PREWARMED_ENVIRONMENTS": str(args.prewarm)}
    span = None
    if args.ports:
        low, _, high = args.ports.partition("-")
        span = (int(low), int(high))
    daemon = Lambdad(args.executor, workdir, environment=settings, ports=span)
    # The same daemon without pre-initialized environments (cold start reference), and
    # (Docker) one with a larger pool for the burst.
    no_pool: Lambdad | None = None
    big_pool: Lambdad | None = None
    if "cold" not in skip:
        no_pool_dir = workdir / "no-pool"
        no_pool_dir.mkdir()
        no_pool = Lambdad(
            args.executor,
            no_pool_dir,
            environment={"LAMBDAD_PREWARMED_ENVIRONMENTS": "0"},
            ports=span,
        )
    if args.executor == "docker" and args.burst_prewarm > 0 and "burst" not in skip:
        big_dir = workdir / "big-pool"
        big_dir.mkdir()
        big_pool = Lambdad(
            "docker",
            big_dir,
            environment={"LAMBDAD_PREWARMED_ENVIRONMENTS": str(args.burst_prewarm)},
            ports=span,
        )
    containers: RieContainers | None = None
    doc: dict[str, Any] = {"run_id": run_id, "settings": {
        "invokes": args.invokes, "warmup": args.warmup, "cold_runs": args.cold_runs,
        "payload_bytes": len(PAYLOAD_BYTES), "time_budget_s": args.time_budget,
        "prewarm": args.prewarm, "levels": args.levels, "sweep_duration_s": args.sweep_duration,
        "sweep_rounds": args.sweep_rounds,
        "burst": args.burst, "burst_sleep_s": args.burst_sleep,
        "burst_prewarm": args.burst_prewarm, "skip": sorted(skip), "runtime": args.runtime,
    }}  # fmt: skip
    exit_code = 0
    with interrupts_as_keyboard():
        try:
            rie: Path | None = None
            rie_source = "not used"
            reference_missing: str | None = None
            if args.no_reference:
                reference_missing = "--no-reference"
            elif docker_reason is not None:
                reference_missing = docker_reason
            else:
                rie, rie_source = rie_binary(log)
                if rie is None:
                    reference_missing = rie_source
            doc["machine"] = machine_facts(args.executor, docker_reason, rie_source)

            log(f"starting lambdad serve --executor {args.executor}")
            daemon.start()
            if no_pool is not None and "cold" not in skip:
                no_pool.start()
            client = lambda_client(daemon.endpoint, timeout=60)
            name = f"{prefix}-echo"
            t0 = time.perf_counter()
            create_echo(client, name, code)
            client.get_waiter("function_active_v2").wait(
                FunctionName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 60}
            )
            doc["setup_create_to_active_waiter_s"] = round(time.perf_counter() - t0, 3)

            rie_port: int | None = None
            if rie is not None:
                containers = RieContainers(run_id, rie, code_dir)
                try:
                    _, rie_port = containers.start()
                    if not wait_rie(rie_port, 30):
                        raise RuntimeError("the warm RIE container gave no answer within 30 s")
                except (RuntimeError, subprocess.TimeoutExpired) as exc:
                    reference_missing = f"RIE reference failed: {exc}"
                    rie_port = None

            lambdad: dict[str, Any] = {}
            reference: dict[str, Any] = {}
            log("warm invoke: gateway (boto3), gRPC and RIE (boto3), interleaved")
            with LambdadClient.connect(daemon.grpc_target) as grpc_client:
                if "warm" in skip:
                    args.invokes, args.warmup = 2, 1
                series = {
                    "warm_gateway_boto3": gateway_call(daemon.endpoint, name),
                    "warm_grpc": grpc_call(grpc_client, name),
                }
                if rie_port is not None:
                    series["rie_warm_boto3"] = gateway_call(
                        f"http://127.0.0.1:{rie_port}", RIE_FUNCTION
                    )
                warm = measure_warm_interleaved(
                    series, args.invokes, args.warmup, run_budget.phase(60)
                )
            lambdad["warm_gateway_boto3"] = warm["warm_gateway_boto3"]
            lambdad["warm_grpc"] = warm["warm_grpc"]
            if "rie_warm_boto3" in warm:
                reference["warm_boto3"] = warm["rie_warm_boto3"]

            log(f"cold start x{args.cold_runs} ({args.runtime}), lambdad and RIE alternating")
            cold_client = lambda_client(daemon.endpoint, timeout=60)
            cold_code = echo_zip(args.runtime)
            if args.runtime != RUNTIME and "cold" not in skip:
                # Untimed: a function of the runtime was created before (as the echo function
                # is for python3.11), so its pool fills as it would have for that one.
                create_echo(cold_client, f"{prefix}-fill-cold", cold_code, args.runtime)
            kinds: dict[str, Callable[[int], dict[str, float]]] = {
                "lambdad": lambda i: cold_lambdad_once(
                    cold_client, f"{prefix}-cold-{i}", cold_code, args.runtime
                )
            }
            if no_pool is not None and no_pool.proc is not None:
                no_pool_client = lambda_client(no_pool.endpoint, timeout=60)
                kinds["lambdad_no_pool"] = lambda i: cold_lambdad_once(
                    no_pool_client, f"{prefix}-cold-np-{i}", cold_code, args.runtime
                )
            if rie_port is not None and containers is not None:
                rie_containers = containers
                kinds["rie"] = lambda i: cold_rie_once(rie_containers)
            if "cold" not in skip:
                cold = measure_cold_interleaved(
                    args.cold_runs, kinds, log, run_budget.phase(120), pause_s=1.0
                )
                lambdad["cold_start"] = cold["lambdad"]
                if "lambdad_no_pool" in cold:
                    lambdad["cold_start_no_pool"] = cold["lambdad_no_pool"]
                if "rie" in cold:
                    reference["docker_run_cold"] = cold["rie"]
            if no_pool is not None:
                no_pool.stop()

            if "provisioned" not in skip:
                log("provisioned concurrency: put -> READY, first and warm invokes")
                lambdad["provisioned"] = measure_provisioned(client, name, run_budget.phase(90))

            if "sweep" not in skip:
                log(f"throughput sweep with wrk at {args.levels}")
                levels = [int(n) for n in args.levels.split(",")]
                lambdad["throughput_sweep"] = measure_sweep(
                    daemon,
                    name,
                    levels,
                    args.sweep_duration,
                    args.sweep_warmup,
                    log,
                    run_budget.phase(400),
                    rounds=args.sweep_rounds,
                )

            if "burst" not in skip:
                pool_setting = args.prewarm if args.prewarm is not None else "default"
                log(f"burst: {args.burst} x {args.burst_sleep} s (prewarm {pool_setting})")
                lambdad["burst"] = measure_burst(
                    daemon, f"{prefix}-burst", burst_zip(args.burst_sleep), args.burst,
                    args.burst_sleep,
                )  # fmt: skip
                log(f"  all done in {lambdad['burst']['all_done_s']} s")
                if args.prewarm is None or args.prewarm > 0:
                    # The first burst sized the runtime's spares: another function of it
                    # bursts once they are up (issue 16: spares kept for a while).
                    log("burst again, another function of the runtime, once spares are up")
                    waiting = wait_spares_settled(daemon)
                    again = measure_burst(
                        daemon, f"{prefix}-burst-again", burst_zip(args.burst_sleep),
                        args.burst, args.burst_sleep,
                    )  # fmt: skip
                    again["prewarmed_waiting_before"] = waiting
                    lambdad["burst_again"] = again
                    log(f"  all done in {again['all_done_s']} s ({waiting} were waiting)")
                if big_pool is not None:
                    big_pool.start()
                    log(f"burst with {args.burst_prewarm} pre-initialized environments")
                    warm_client = lambda_client(big_pool.endpoint, timeout=60)
                    # A function of the runtime makes the pool fill for its image.
                    create_echo(warm_client, f"{prefix}-fill", code)
                    waiting = wait_prewarmed(big_pool, args.burst_prewarm)
                    burst = measure_burst(
                        big_pool, f"{prefix}-burst-big", burst_zip(args.burst_sleep),
                        args.burst, args.burst_sleep,
                    )  # fmt: skip
                    burst["prewarmed_waiting_before"] = waiting
                    burst["prewarm"] = args.burst_prewarm
                    lambdad["burst_big_pool"] = burst
                    log(f"  all done in {burst['all_done_s']} s ({waiting} were waiting)")
                    big_pool.stop()
            doc["lambdad"] = lambdad
            doc["reference"] = (
                reference if reference_missing is None else {"missing": reference_missing}
            )

            ref = doc["reference"]
            warm = ratio(lambdad["warm_gateway_boto3"], ref.get("warm_boto3"))
            cold = ratio(lambdad.get("cold_start"), ref.get("docker_run_cold"))
            doc["targets"] = issue16_targets(lambdad, ref)
            doc["ratios"] = {
                "warm_gateway_p50_over_rie_boto3_p50": warm,
                "warm_target": TARGET_WARM_RATIO,
                "warm_meets_target": None if warm is None else warm <= TARGET_WARM_RATIO,
                "cold_start_p50_over_rie_docker_run_cold_p50": cold,
                "cold_target": TARGET_COLD_RATIO,
                "cold_meets_target": None if cold is None else cold <= TARGET_COLD_RATIO,
            }
        except KeyboardInterrupt:
            log("interrupted; cleaning up")
            doc["interrupted"] = True
            exit_code = 130
        except Exception as exc:  # noqa: BLE001 - report what was measured, then fail
            log(f"failed: {exc!r}")
            doc["error"] = repr(exc)
            exit_code = 1
        finally:
            doc["daemon_log_warnings"] = daemon.problems()
            for other in (no_pool, big_pool):
                if other is not None:
                    other.stop()
            rc = daemon.stop()
            doc["daemon_exit_code"] = rc
            removed = containers.remove_all() if containers is not None else 0
            if docker_reason is None:
                from lambdad.daemon.runtime.docker import daemon_id_for

                daemons = [d for d in (daemon, no_pool, big_pool) if d is not None]
                left = lambdad_leftovers(prefix, tuple(daemon_id_for(d.data_dir) for d in daemons))
                doc["lambdad_containers_left_after_stop"] = left
                for line in left:
                    run_cmd(["docker", "rm", "-f", line.split()[0]])
            doc["rie_containers_removed_at_exit"] = removed
            doc.setdefault("machine", {})["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
            doc["elapsed_s"] = round(time.monotonic() - started, 1)
            shutil.rmtree(workdir, ignore_errors=True)

    text = json.dumps(doc, indent=2)
    if args.out is not None:
        args.out.write_text(text + "\n")
    else:
        print(text)
    print_summary(doc)
    return exit_code


def print_summary(doc: dict[str, Any]) -> None:
    def row(label: str, s: dict[str, Any] | None) -> str:
        if not s or "p50_ms" not in s:
            return f"  {label:<34} (no samples)"
        return (
            f"  {label:<34} p50 {s['p50_ms']:8.2f}  p90 {s['p90_ms']:8.2f}  "
            f"p99 {s['p99_ms']:8.2f}  mean {s['mean_ms']:8.2f} ms  n={s['n']} err={s['errors']}"
        )

    w = sys.stderr.write
    m = doc.get("machine", {})
    load = f"load {m.get('loadavg_start')} -> {m.get('loadavg_end')}"
    w(
        f"\nlambdad bench ({m.get('executor')}, {m.get('cores')} cores, {load}, "
        f"{doc.get('elapsed_s')} s)\n"
    )
    lam = doc.get("lambdad", {})
    w(row("warm gateway (boto3)", lam.get("warm_gateway_boto3")) + "\n")
    w(row("warm gRPC", lam.get("warm_grpc")) + "\n")
    w(row("cold start (create -> result)", lam.get("cold_start")) + "\n")
    w(row("cold start, no pool", lam.get("cold_start_no_pool")) + "\n")
    prov = lam.get("provisioned")
    if prov:
        w(
            f"  provisioned: put -> {prov.get('status')} {prov.get('put_to_ready_s')} s, first "
            f"invoke {prov.get('first_invoke_ms')} ms (Init Duration reported: "
            f"{prov.get('first_invoke_init_duration_reported')})\n"
        )
        w(row("provisioned warm", prov.get("warm")) + "\n")
    sweep = lam.get("throughput_sweep")
    if isinstance(sweep, list):
        for t in sweep:
            w(
                f"  wrk c={t['concurrency']:<3} {t.get('invokes_per_s')} invokes/s p50 "
                f"{t.get('p50_ms')} p99 {t.get('p99_ms')} ms, errors "
                f"{t.get('errors', 0) + t.get('non_2xx', 0)}, wrk cpu {t.get('wrk_cpu_s')} s, "
                f"daemon {t.get('daemon_cpu_ms_per_invoke')} ms/invoke, envs "
                f"{t.get('environments')}, load {t.get('load_average')}\n"
            )
    elif sweep:
        w(f"  wrk sweep: {sweep}\n")
    for key in ("burst", "burst_again", "burst_big_pool"):
        b = lam.get(key)
        if b:
            w(
                f"  {key}: {b['count']} x {b['sleep_s']} s all done in {b['all_done_s']} s "
                f"(p50 {b['p50_done_s']} s, {b['errors']} errors, load {b['load_average']})\n"
            )
    w(f"  issue 16 targets: {json.dumps(doc.get('targets'))}\n")
    ref = doc.get("reference", {})
    if "missing" in ref:
        w(f"  reference missing: {ref['missing']}\n")
    else:
        w(row("RIE warm (boto3)", ref.get("warm_boto3")) + "\n")
        w(row("RIE cold (docker run -> answer)", ref.get("docker_run_cold")) + "\n")
    r = doc.get("ratios", {})
    w(
        f"  ratio warm gateway/RIE p50: {r.get('warm_gateway_p50_over_rie_boto3_p50')} "
        f"(target <= {TARGET_WARM_RATIO})\n"
    )
    cold = r.get("cold_start_p50_over_rie_docker_run_cold_p50")
    w(f"  ratio cold start/RIE docker run p50: {cold} (target <= {TARGET_COLD_RATIO})\n")
    if doc.get("lambdad_containers_left_after_stop"):
        w(f"  WARNING: lambdad left containers: {doc['lambdad_containers_left_after_stop']}\n")
    if doc.get("daemon_log_warnings"):
        w(f"  daemon logged {len(doc['daemon_log_warnings'])} warning/error lines (see JSON)\n")


if __name__ == "__main__":
    sys.exit(main())
