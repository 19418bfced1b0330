"""Reliability soak for lambdad (issue 13): nothing acknowledged is lost, the host is not overrun.

Starts its own ``lambdad serve`` (own data dir, ports from ``--ports``, JSON logs to a file,
``--executor process|docker``) and runs one scenario, printing a one-line figure and, with
``--out``, a JSON document:

- ``events``: N ``InvocationType=Event`` invokes at concurrency C (raw HTTP from several client
  processes) of a ~3 ms python function that POSTs each event's id to a collector this script
  runs; ``--kill-at 0.5`` kill -9's the daemon once half the 202s are in and restarts it on the
  same data dir. Figures: accepted, delivered, lost (accepted, never delivered), duplicates,
  drain time, peak environments, daemon RSS peak.
- ``overload``: the same with ``LAMBDAD_MAX_ENVIRONMENTS`` / ``LAMBDAD_MAX_ENVIRONMENT_MEMORY``
  set, plus sync callers: peak environments vs the cap, sync errors within their timeout, and the
  longest ``docker info`` answer throughout (Docker).
- ``kill-writes``: boto3 writes of every kind (create, code, configuration, publish, alias, tags,
  layers, URL, event source mapping, permission, event invoke config, deletes) from several
  threads, kill -9 in the middle, restart: every acknowledged write must still be there.

Every loop is bounded by a count and a deadline. Everything this script started (the daemon, its
containers by the run's unique function labels, its environment processes) is removed on exit.
The same functions back the CI-sized tests in tests/reliability/. See bench/README.md.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import http.client
import http.server
import io
import json
import multiprocessing
import os
import queue
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zipfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import botocore.config
import botocore.exceptions

from bench.run import lambda_client

RUNTIME = "python3.11"
REGION = "us-east-1"
ACCOUNT = "000000000000"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/soak"
DEFAULT_PORTS = (55000, 55999)
# Containers the shared engine can take without falling over (it did near 1,000): a run whose
# daemon starts more is aborted and the count recorded as a finding.
DEFAULT_CONTAINER_LIMIT = 150
# Docker containers reach the host (where the collector listens) through this alias, which the
# docker executor maps to the bridge gateway (`host-gateway`).
DOCKER_HOST_ALIAS = "host.docker.internal"

# ~3 ms of work, then the event's id to the collector. Sync callers send no id: nothing posted.
HANDLER_SOURCE = """\
import json, os, time, urllib.request

COLLECTOR = os.environ["SOAK_COLLECTOR"]
SLEEP_S = float(os.environ.get("SOAK_SLEEP_MS", "2")) / 1000


def handler(event, context):
    time.sleep(SLEEP_S)
    if "id" in event:
        body = json.dumps({"id": event["id"]}).encode()
        urllib.request.urlopen(urllib.request.Request(COLLECTOR, data=body), timeout=30).read()
    return {"ok": True}
"""


# ---------------------------------------------------------------------------------------------
# small helpers


def log(message: str) -> None:
    print(f"[soak {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def port_is_free(port: int, host: str = "0.0.0.0") -> bool:
    with socket.socket() as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


class PortPool:
    """Ports handed out from a range (the bench's own), or from the kernel when none is given."""

    def __init__(self, span: tuple[int, int] | None) -> None:
        self._span = span
        self._next = span[0] + random.randrange(span[1] - span[0] + 1) if span else 0
        self._taken: set[int] = set()

    def take(self) -> int:
        if self._span is None:
            with socket.socket() as sock:
                sock.bind(("0.0.0.0", 0))
                return int(sock.getsockname()[1])
        low, high = self._span
        for _ in range(high - low + 1):
            port, self._next = self._next, self._next + 1
            if self._next > high:
                self._next = low
            if port not in self._taken and port_is_free(port):
                self._taken.add(port)
                return port
        raise RuntimeError(f"no free port in {low}-{high}")


def function_zip(source: str = HANDLER_SOURCE, tag: str = "") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("app.py", source + (f"\n# {tag}\n" if tag else ""))
    return buf.getvalue()


def run_cmd(args: list[str], timeout: float = 60.0) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout, check=False)


def docker_ready() -> str | None:
    """None when a Docker engine answers; else why not."""
    if shutil.which("docker") is None:
        return "docker CLI not found"
    try:
        out = run_cmd(["docker", "version", "--format", "{{.Server.Version}}"], timeout=15)
    except subprocess.TimeoutExpired:
        return "docker engine did not answer within 15 s"
    return None if out.returncode == 0 else f"docker engine unavailable: {out.stderr[:300]}"


def rss_kb(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def function_processes(function_prefix: str, roots_only: bool = False) -> list[int]:
    """Pids of processes running one of our functions (their AWS_LAMBDA_FUNCTION_NAME).

    ``roots_only``: one per environment, the processes whose parent is not one of them (a
    runtime's children, or a wrapper around it, are the same environment).
    """
    needle = f"AWS_LAMBDA_FUNCTION_NAME={function_prefix}".encode()
    parents: dict[int, int] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            environ = (entry / "environ").read_bytes()
            if not any(item.startswith(needle) for item in environ.split(b"\0")):
                continue
            # The field after the parenthesised command (which may hold spaces) is the ppid.
            parents[int(entry.name)] = int(
                (entry / "stat").read_text().rsplit(")", 1)[1].split()[1]
            )
        except (OSError, IndexError, ValueError):
            continue
    if roots_only:
        return [pid for pid, ppid in parents.items() if ppid not in parents]
    return list(parents)


def function_containers(function_prefix: str, running_only: bool = False) -> list[str] | None:
    """Ids of containers labelled with one of our functions; None when the engine fails."""
    states = function_container_states(function_prefix)
    if states is None:
        return None
    return [cid for cid, state in states.items() if state == "running" or not running_only]


def function_container_states(function_prefix: str) -> dict[str, str] | None:
    """Container id -> state (running, created, exited...) of our functions' containers."""
    args = ["docker", "ps", "-a", "--no-trunc", "--format", "{{.ID}} {{.State}} {{.Labels}}"]
    try:
        out = run_cmd([*args, "--filter", "label=dev.lambdad.managed=true"], timeout=30)
    except subprocess.TimeoutExpired:
        return None
    if out.returncode != 0:
        return None
    marker = f"dev.lambdad.function={function_prefix}"
    states = {}
    for line in out.stdout.splitlines():
        if marker in line:
            container_id, state, _ = line.split(" ", 2)
            states[container_id] = state
    return states


def remove_leftovers(executor: str, function_prefix: str) -> int:
    """Kill/remove what our functions left behind (only ours: the prefix is unique per run)."""
    if executor == "docker":
        # The engine finishes create/start calls a killed daemon had queued, so containers can
        # appear after a first sweep: sweep until two listings in a row come back empty.
        removed: set[str] = set()
        deadline = time.monotonic() + 300
        empty_in_a_row = 0
        while empty_in_a_row < 2 and time.monotonic() < deadline:
            ids = function_containers(function_prefix)
            if ids is None:
                time.sleep(1)
                continue
            empty_in_a_row = 0 if ids else empty_in_a_row + 1
            for start in range(0, len(ids), 50):
                with contextlib.suppress(subprocess.TimeoutExpired):
                    run_cmd(["docker", "rm", "-f", *ids[start : start + 50]], timeout=120)
            removed.update(ids)
            if not ids:
                time.sleep(1)
        return len(removed)
    pids = function_processes(function_prefix)
    for pid in pids:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    return len(pids)


# ---------------------------------------------------------------------------------------------
# the daemon


class Daemon:
    """A ``lambdad serve`` subprocess: fixed ports and data dir, so a restart is the same daemon."""

    def __init__(
        self,
        executor: str,
        workdir: Path,
        ports: PortPool,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.executor = executor
        self.data_dir = workdir / "data"
        self.log_path = workdir / "lambdad.log"
        self.gateway_port = ports.take()
        self.grpc_port = ports.take()
        self.metrics_port = ports.take()
        self.env = dict(env or {})
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0
        # Set from a kill -9 until the next start answers: failures then are the harness's doing.
        self.down = threading.Event()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.gateway_port}"

    @property
    def pid(self) -> int | None:
        return None if self.proc is None or self.proc.poll() is not None else self.proc.pid

    def start(self, timeout: float = 90.0) -> float:
        """Start and wait until the gateway answers; seconds it took."""
        args = [
            sys.executable, "-m", "lambdad.daemon.cli", "serve",
            "--data-dir", str(self.data_dir),
            "--gateway-port", str(self.gateway_port),
            "--grpc-port", str(self.grpc_port),
            "--metrics-port", str(self.metrics_port),
            "--executor", self.executor,
            "--log-format", "json",
            "--log-level", os.environ.get("SOAK_LOG_LEVEL", "warning"),
        ]  # fmt: skip
        t0 = time.monotonic()
        with self.log_path.open("ab") as log_file:
            # Own session: Ctrl-C reaches only this script, which then stops the daemon itself.
            self.proc = subprocess.Popen(
                args,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                env={**os.environ, **self.env},
            )
        self.starts += 1
        deadline = t0 + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"lambdad exited with {self.proc.returncode}: {self.log_tail()}")
            if self.answers():
                self.down.clear()
                return time.monotonic() - t0
            time.sleep(0.1)
        raise RuntimeError(f"lambdad did not answer within {timeout} s: {self.log_tail()}")

    def answers(self) -> bool:
        conn = http.client.HTTPConnection("127.0.0.1", self.gateway_port, timeout=2)
        try:
            conn.request("GET", "/2015-03-31/functions/?MaxItems=1")
            return conn.getresponse().status == 200
        except (OSError, http.client.HTTPException):
            return False
        finally:
            conn.close()

    def kill9(self) -> None:
        self.down.set()
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(30)

    def stop(self, timeout: float = 30.0) -> float | None:
        """SIGTERM; seconds until it exited, None when it had to be killed."""
        if self.proc is None or self.proc.poll() is not None:
            return 0.0
        t0 = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(30)
            return None
        return time.monotonic() - t0

    def metric(self, name: str, function: str) -> int | None:
        """Sum of the daemon's /metrics series ``name`` for ``function`` (None: no answer)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.metrics_port, timeout=5)
        try:
            conn.request("GET", "/metrics")
            text = conn.getresponse().read().decode()
        except (OSError, http.client.HTTPException):
            return None
        finally:
            conn.close()
        total = 0
        for line in text.splitlines():
            if line.startswith(name + "{") and f'function="{function}"' in line:
                total += int(float(line.rsplit(" ", 1)[1]))
        return total

    def environments_metric(self, function: str) -> int | None:
        """Live environments of ``function`` as the daemon's /metrics reports them."""
        return self.metric("lambdad_environments", function)

    def log_tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def log_problems(self) -> dict[str, int]:
        """Counts of error/warning events and of non-JSON lines in the daemon's log."""
        counts: collections.Counter[str] = collections.Counter()
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return {}
        for line in text.splitlines():
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except ValueError:
                counts["non_json_lines"] += 1
                continue
            if isinstance(record, dict) and record.get("level") in {"error", "critical"}:
                counts["errors"] += 1
            elif isinstance(record, dict) and record.get("level") == "warning":
                counts["warnings"] += 1
        return dict(counts)


# ---------------------------------------------------------------------------------------------
# the collector: what the function delivered


class Collector:
    """HTTP server that counts the event ids the function POSTs (it outlives daemon restarts)."""

    def __init__(self, port: int) -> None:
        self.counts: collections.Counter[int] = collections.Counter()
        self.last_delivery = time.monotonic()
        self._lock = threading.Lock()
        collector = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    event_id = int(json.loads(body)["id"])
                except (ValueError, KeyError, TypeError):
                    self.send_response(400)
                    self.end_headers()
                    return
                with collector._lock:
                    collector.counts[event_id] += 1
                    collector.last_delivery = time.monotonic()
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        class Server(http.server.ThreadingHTTPServer):
            # The default listen backlog (5) refuses connections under a burst of deliveries:
            # the function would fail and be retried a minute later, a loss the harness made.
            request_queue_size = 1024

        # 0.0.0.0: containers reach it through the bridge gateway.
        self.server = Server(("0.0.0.0", port), Handler)
        self.server.daemon_threads = True
        self.port = int(self.server.server_address[1])
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Collector:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def url(self, executor: str) -> str:
        host = DOCKER_HOST_ALIAS if executor == "docker" else "127.0.0.1"
        return f"http://{host}:{self.port}/delivered"

    def snapshot(self) -> collections.Counter[int]:
        with self._lock:
            return collections.Counter(self.counts)


# ---------------------------------------------------------------------------------------------
# samplers: environments, RSS, docker info, running beside a scenario


@dataclass
class Samples:
    environments_peak: int = 0
    environments_metric_peak: int | None = None
    containers_all_states_peak: int = 0
    daemon_rss_peak_kb: int = 0
    docker_info_max_s: float | None = None
    docker_info_failures: int = 0
    aborted: str | None = None


class Sampler:
    """Polls what the daemon holds. Above the container limit it kills the daemon at once and
    sets ``abort``: the daemon's own count (/metrics, cheap) is checked every 0.2 s, since
    ``docker ps`` takes seconds when hundreds of containers exist (a run once made 800 before
    the engine's list caught up)."""

    def __init__(
        self,
        daemon: Daemon,
        function: str,
        container_limit: int,
        watch_docker_info: bool,
        interval: float = 0.5,
    ) -> None:
        self.daemon = daemon
        self.function = function
        self.container_limit = container_limit
        self.interval = interval
        self.samples = Samples()
        self.abort = threading.Event()
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._daemon_view, daemon=True),
            threading.Thread(target=self._environments, daemon=True),
        ]
        if watch_docker_info and daemon.executor == "docker":
            self._threads.append(threading.Thread(target=self._docker_info, daemon=True))

    def __enter__(self) -> Sampler:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(60)

    def _over_limit(self, what: str, count: int) -> None:
        if count <= self.container_limit or self.daemon.executor != "docker":
            return
        if self.samples.aborted is None:
            self.samples.aborted = (
                f"daemon had {count} {what} (> limit {self.container_limit});"
                " run aborted to protect the engine"
            )
            self.daemon.kill9()
            self.abort.set()

    def _daemon_view(self) -> None:
        s = self.samples
        while not self._stop.is_set():
            pid = self.daemon.pid
            if pid is not None:
                s.daemon_rss_peak_kb = max(s.daemon_rss_peak_kb, rss_kb(pid) or 0)
                metric = self.daemon.environments_metric(self.function)
                if metric is not None:
                    s.environments_metric_peak = max(s.environments_metric_peak or 0, metric)
                    self._over_limit("environments", metric)
            self._stop.wait(0.2)

    def _environments(self) -> None:
        s = self.samples
        while not self._stop.is_set():
            if self.daemon.executor == "docker":
                states = function_container_states(self.function)
                every = None if states is None else list(states)
                if states is not None:
                    running = sum(1 for state in states.values() if state == "running")
                    s.environments_peak = max(s.environments_peak, running)
                if every is not None:
                    s.containers_all_states_peak = max(s.containers_all_states_peak, len(every))
                    self._over_limit("containers", len(every))
            else:
                roots = function_processes(self.function, roots_only=True)
                s.environments_peak = max(s.environments_peak, len(roots))
            self._stop.wait(self.interval)

    def _docker_info(self) -> None:
        s = self.samples
        s.docker_info_max_s = 0.0
        while not self._stop.is_set():
            t0 = time.monotonic()
            try:
                ok = run_cmd(["docker", "info", "--format", "{{.ID}}"], timeout=30).returncode == 0
            except subprocess.TimeoutExpired:
                ok = False
            elapsed = time.monotonic() - t0
            s.docker_info_max_s = max(s.docker_info_max_s or 0.0, elapsed)
            if not ok:
                s.docker_info_failures += 1
            self._stop.wait(1.0)


# ---------------------------------------------------------------------------------------------
# event senders: several processes of threads, raw HTTP


def _send_events(
    port: int,
    function: str,
    ids: list[int],
    threads: int,
    accepted_total: Any,
    stop: Any,
    deadline_s: float,
    results: Any,
) -> None:
    """One client process: ``threads`` threads POST Event invokes of ``ids`` until each got a 202.

    A refused or broken request (daemon down, 429, 5xx) is retried: a 202 is the only promise,
    and lost/duplicate counting is against the 202s alone.
    """
    path = f"/2015-03-31/functions/{function}/invocations"
    headers = {"X-Amz-Invocation-Type": "Event", "Content-Type": "application/json"}
    started = time.time()
    deadline = time.monotonic() + deadline_s
    todo: queue.SimpleQueue[int] = queue.SimpleQueue()
    for event_id in ids:
        todo.put(event_id)
    accepted: list[int] = []
    unsent: list[int] = []
    refused: collections.Counter[str] = collections.Counter()
    lock = threading.Lock()

    def worker() -> None:
        conn: http.client.HTTPConnection | None = None
        while True:
            try:
                event_id = todo.get_nowait()
            except queue.Empty:
                break
            body = json.dumps({"id": event_id}).encode()
            while True:
                if stop.is_set() or time.monotonic() > deadline:
                    with lock:
                        unsent.append(event_id)
                    break
                try:
                    if conn is None:
                        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                    conn.request("POST", path, body=body, headers=headers)
                    resp = conn.getresponse()
                    resp.read()
                    status = resp.status
                except (OSError, http.client.HTTPException) as exc:
                    with lock:
                        refused[type(exc).__name__] += 1
                    if conn is not None:
                        conn.close()
                    conn = None
                    time.sleep(0.1)
                    continue
                if status == 202:
                    with lock:
                        accepted.append(event_id)
                    with accepted_total.get_lock():
                        accepted_total.value += 1
                    break
                with lock:
                    refused[f"HTTP {status}"] += 1
                time.sleep(0.05)
        if conn is not None:
            conn.close()

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    results.put(
        {
            "accepted": accepted,
            "unsent": unsent,
            "refused": dict(refused),
            "started": started,
            "ended": time.time(),
        }
    )


@dataclass
class SendResult:
    accepted: list[int] = field(default_factory=list)
    unsent: list[int] = field(default_factory=list)
    refused: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


class EventSenders:
    """Client processes sending the Event invokes; ``accepted`` counts 202s across them."""

    def __init__(
        self, port: int, function: str, events: int, concurrency: int, processes: int
    ) -> None:
        ctx = multiprocessing.get_context("spawn")
        processes = max(1, min(processes, concurrency))
        self.accepted = ctx.Value("q", 0)
        self.stop = ctx.Event()
        self._results = ctx.Queue()
        self._procs = []
        for index in range(processes):
            threads = concurrency // processes + (1 if index < concurrency % processes else 0)
            ids = list(range(index, events, processes))
            self._procs.append(
                ctx.Process(
                    target=_send_events,
                    args=(
                        port, function, ids, threads, self.accepted, self.stop, 3600.0,
                        self._results,
                    ),
                    daemon=True,
                )
            )  # fmt: skip
        self._t0 = 0.0

    def start(self) -> None:
        self._t0 = time.monotonic()
        for proc in self._procs:
            proc.start()

    def alive(self) -> bool:
        return any(proc.is_alive() for proc in self._procs)

    def finish(self, timeout: float = 120.0) -> SendResult:
        result = SendResult()
        refused: collections.Counter[str] = collections.Counter()
        started, ended = [], []
        for _ in self._procs:
            try:
                part = self._results.get(timeout=timeout)
            except queue.Empty:
                break
            result.accepted.extend(part["accepted"])
            result.unsent.extend(part["unsent"])
            refused.update(part["refused"])
            started.append(part["started"])
            ended.append(part["ended"])
        for proc in self._procs:
            proc.join(10)
            if proc.is_alive():
                proc.kill()
        result.refused = dict(refused)
        # From the first sender's start to the last one's end (process start-up excluded).
        result.seconds = max(ended) - min(started) if started else time.monotonic() - self._t0
        return result


# ---------------------------------------------------------------------------------------------
# sync callers (overload)


@dataclass
class SyncFigures:
    calls: int = 0
    ok: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    max_latency_s: float = 0.0
    # Failures while the harness had the daemon killed (kill -9 and restart, or an abort).
    failed_while_down: int = 0


def sync_callers(
    endpoint_port: int,
    function: str,
    callers: int,
    timeout_s: float,
    stop: threading.Event,
    daemon_down: threading.Event,
) -> tuple[list[threading.Thread], SyncFigures]:
    """``callers`` threads invoking RequestResponse in a loop until ``stop``; every non-200
    answer, function error or answer later than ``timeout_s`` is an error."""
    figures = SyncFigures()
    errors: collections.Counter[str] = collections.Counter()
    lock = threading.Lock()
    path = f"/2015-03-31/functions/{function}/invocations"

    def caller() -> None:
        conn: http.client.HTTPConnection | None = None
        while not stop.is_set():
            t0 = time.monotonic()
            reason = None
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", endpoint_port, timeout=timeout_s)
                conn.request("POST", path, body=b'{"sync": true}')
                resp = conn.getresponse()
                resp.read()
                if resp.status != 200:
                    reason = f"HTTP {resp.status}"
                elif resp.getheader("X-Amz-Function-Error"):
                    reason = f"FunctionError {resp.getheader('X-Amz-Function-Error')}"
            except (OSError, http.client.HTTPException) as exc:
                reason = type(exc).__name__
                if conn is not None:
                    conn.close()
                conn = None
            elapsed = time.monotonic() - t0
            if reason is not None and daemon_down.is_set():
                with lock:
                    figures.failed_while_down += 1
                time.sleep(0.2)
                continue
            with lock:
                figures.calls += 1
                figures.max_latency_s = max(figures.max_latency_s, elapsed)
                if reason is None and elapsed <= timeout_s:
                    figures.ok += 1
                else:
                    errors[reason or "slower than timeout"] += 1
                    figures.errors = dict(errors)
            if reason is not None:
                time.sleep(0.2)  # don't spin while the daemon is down
        if conn is not None:
            conn.close()

    threads = [threading.Thread(target=caller, daemon=True) for _ in range(callers)]
    return threads, figures


# ---------------------------------------------------------------------------------------------
# scenario: events (and overload)


@dataclass
class EventsOptions:
    executor: str = "process"
    events: int = 10_000
    concurrency: int = 32
    client_processes: int = 2
    kill_at: float | None = None
    # overload: LAMBDAD_MAX_ENVIRONMENTS / LAMBDAD_MAX_ENVIRONMENT_MEMORY (MB) and sync callers
    max_environments: int | None = None
    max_environment_memory_mb: int | None = None
    sync_callers: int = 0
    sync_timeout_s: float = 30.0
    function_memory_mb: int = 128
    # Milliseconds the function sleeps (plus ~1 ms for the POST to the collector).
    function_sleep_ms: int = 2
    # ReservedConcurrentExecutions of the function; a small value builds a queue backlog
    # (the CI tests use it so a kill -9 always finds events waiting).
    reserved_concurrency: int | None = None
    container_limit: int = DEFAULT_CONTAINER_LIMIT
    # Drain ends when every 202 was delivered, after `quiet_s` without a new delivery, or at
    # `drain_timeout_s`.
    drain_timeout_s: float = 300.0
    quiet_s: float = 20.0
    send_timeout_s: float = 600.0
    ports: tuple[int, int] | None = DEFAULT_PORTS
    workdir: Path | None = None


@contextlib.contextmanager
def workspace(workdir: Path | None, prefix: str) -> Iterator[Path]:
    if workdir is not None:
        workdir.mkdir(parents=True, exist_ok=True)
        yield workdir
        return
    with tempfile.TemporaryDirectory(prefix=prefix, dir="/tmp") as tmp:
        yield Path(tmp)


def capacity_env(options: EventsOptions) -> dict[str, str]:
    env = {}
    if options.max_environments is not None:
        env["LAMBDAD_MAX_ENVIRONMENTS"] = str(options.max_environments)
    if options.max_environment_memory_mb is not None:
        env["LAMBDAD_MAX_ENVIRONMENT_MEMORY"] = str(options.max_environment_memory_mb)
    return env


def expected_cap(options: EventsOptions) -> int | None:
    """Environments the configured cap allows for this function (None: no cap configured)."""
    caps = []
    if options.max_environments is not None:
        caps.append(options.max_environments)
    if options.max_environment_memory_mb is not None:
        caps.append(options.max_environment_memory_mb // options.function_memory_mb)
    return min(caps) if caps else None


def run_events(options: EventsOptions) -> dict[str, Any]:
    """The events (or, with a cap or sync callers, overload) scenario; its figures as a dict."""
    run_id = uuid.uuid4().hex[:8]
    function = f"soak-{run_id}"
    ports = PortPool(options.ports)
    result: dict[str, Any] = {
        "scenario": "overload" if expected_cap(options) or options.sync_callers else "events",
        "executor": options.executor,
        "options": {k: v for k, v in asdict(options).items() if k not in {"workdir", "ports"}},
        "function": function,
        "cores": os.cpu_count(),
        "loadavg_start": os.getloadavg()[0],
    }
    with workspace(options.workdir, f"soak-{run_id}-") as workdir:
        daemon = Daemon(options.executor, workdir, ports, env=capacity_env(options))
        result["log"] = str(daemon.log_path)
        try:
            with Collector(ports.take()) as collector:
                _events_body(options, daemon, collector, function, result)
        finally:
            stop_s = daemon.stop()
            result["sigterm_stop_s"] = None if stop_s is None else round(stop_s, 2)
            left = (
                function_containers(function)
                if options.executor == "docker"
                else function_processes(function)
            )
            result["left_after_stop"] = None if left is None else len(left)
            remove_leftovers(options.executor, function)
            result["daemon_log"] = daemon.log_problems()
    result["loadavg_end"] = os.getloadavg()[0]
    result["figure"] = events_figure(result)
    return result


def _events_body(
    options: EventsOptions,
    daemon: Daemon,
    collector: Collector,
    function: str,
    result: dict[str, Any],
) -> None:
    result["startup_s"] = round(daemon.start(), 2)
    client = lambda_client(daemon.endpoint, connections=8)
    client.create_function(
        FunctionName=function,
        Runtime=RUNTIME,
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": function_zip()},
        Timeout=int(options.sync_timeout_s),
        MemorySize=options.function_memory_mb,
        Environment={
            "Variables": {
                "SOAK_COLLECTOR": collector.url(options.executor),
                "SOAK_SLEEP_MS": str(options.function_sleep_ms),
            }
        },
    )
    client.get_waiter("function_active_v2").wait(FunctionName=function)
    if options.reserved_concurrency is not None:
        client.put_function_concurrency(
            FunctionName=function, ReservedConcurrentExecutions=options.reserved_concurrency
        )
    # One sync invoke proves the function reaches the collector before the clock starts.
    probe = client.invoke(FunctionName=function, Payload=json.dumps({"id": -1}).encode())
    if "FunctionError" in probe or collector.snapshot()[-1] != 1:
        raise RuntimeError(f"probe invoke failed: {probe['Payload'].read()[:500]!r}")

    senders = EventSenders(
        daemon.gateway_port, function, options.events, options.concurrency,
        options.client_processes,
    )  # fmt: skip
    sync_stop = threading.Event()
    sync_threads, sync = sync_callers(
        daemon.gateway_port,
        function,
        options.sync_callers,
        options.sync_timeout_s,
        sync_stop,
        daemon.down,
    )
    kill_after = None if options.kill_at is None else int(options.events * options.kill_at)
    with Sampler(daemon, function, options.container_limit, watch_docker_info=True) as sampler:
        log(f"sending {options.events} events at concurrency {options.concurrency}")
        senders.start()
        for thread in sync_threads:
            thread.start()
        send_deadline = time.monotonic() + options.send_timeout_s
        while senders.alive() and time.monotonic() < send_deadline:
            if sampler.abort.is_set():
                # At once: every second the daemon keeps running it may start more containers.
                daemon.kill9()
                break
            accepted_now = senders.accepted.value
            if kill_after is not None and accepted_now >= kill_after:
                log(f"kill -9 of the daemon after {accepted_now} 202s")
                result["killed_after_accepted"] = accepted_now
                delivered_at_kill = sum(1 for k in collector.snapshot() if k >= 0)
                result["delivered_at_kill"] = delivered_at_kill
                daemon.kill9()
                if options.executor == "docker":
                    result["containers_after_kill"] = len(function_containers(function) or [])
                else:
                    result["processes_after_kill"] = len(function_processes(function))
                result["restart_s"] = round(daemon.start(), 2)
                kill_after = None
            time.sleep(0.05)
        senders.stop.set()
        sent = senders.finish()
        log(f"{len(sent.accepted)} accepted in {sent.seconds:.1f} s; draining")
        accepted = set(sent.accepted)
        drain_t0 = time.monotonic()
        drain_deadline = drain_t0 + options.drain_timeout_s
        drained_s = None
        while not sampler.abort.is_set() and time.monotonic() < drain_deadline:
            delivered = collector.snapshot()
            if accepted <= delivered.keys():
                drained_s = time.monotonic() - drain_t0
                break
            if time.monotonic() - max(collector.last_delivery, drain_t0) > options.quiet_s:
                break
            time.sleep(0.2)
        sync_stop.set()
        for thread in sync_threads:
            thread.join(options.sync_timeout_s + 5)
        if sampler.abort.is_set():
            log(f"aborting: {sampler.samples.aborted}")
            daemon.kill9()
    # Since the last start only (counters restart with the daemon): why events were not delivered.
    result["function_errors_metric"] = daemon.metric("lambdad_errors_total", function)
    result["throttles_metric"] = daemon.metric("lambdad_throttles_total", function)
    delivered = collector.snapshot()
    delivered.pop(-1, None)
    result.update(
        requested=options.events,
        accepted=len(accepted),
        unsent=len(sent.unsent),
        refused_attempts=sent.refused,
        send_s=round(sent.seconds, 2),
        accepted_per_s=round(len(accepted) / sent.seconds, 1) if sent.seconds else None,
        delivered=len(delivered.keys() & accepted),
        delivered_unacknowledged=len(delivered.keys() - accepted),
        lost=len(accepted - delivered.keys()),
        duplicates=sum(n - 1 for n in delivered.values() if n > 1),
        drain_s=None if drained_s is None else round(drained_s, 2),
        cap=expected_cap(options),
        **asdict(sampler.samples),
    )
    if options.sync_callers:
        result["sync"] = asdict(sync)


def events_figure(r: dict[str, Any]) -> str:
    """The scenario's one-line figure."""
    parts = [f"{r['scenario']}[{r['executor']}]"]
    if r.get("aborted"):
        parts.append(f"ABORTED ({r['aborted']})")
    keys = ("requested", "accepted", "delivered", "lost", "duplicates", "delivered_unacknowledged")
    parts += [f"{k}={r[k]}" for k in keys if k in r]
    if "killed_after_accepted" in r:
        parts.append(f"kill9_after={r['killed_after_accepted']} restart={r.get('restart_s')}s")
        left = r.get("containers_after_kill", r.get("processes_after_kill"))
        parts.append(f"orphans_after_kill={left}")
    parts.append(f"send={r.get('send_s')}s ({r.get('accepted_per_s')}/s)")
    drain = r.get("drain_s")
    parts.append("drain=incomplete" if drain is None else f"drain={drain}s")
    env_text = f"peak_env={r.get('environments_peak')}"
    if r.get("environments_metric_peak") is not None:
        env_text += f" (metrics {r['environments_metric_peak']})"
    if r.get("cap") is not None:
        env_text += f" cap={r['cap']}"
    parts.append(env_text)
    if r.get("containers_all_states_peak"):
        parts.append(f"containers_peak={r['containers_all_states_peak']}")
    parts.append(f"rss_peak={(r.get('daemon_rss_peak_kb') or 0) // 1024}MB")
    if r.get("function_errors_metric") or r.get("throttles_metric"):
        parts.append(
            f"function_errors={r.get('function_errors_metric')}"
            f" throttles={r.get('throttles_metric')}"
        )
    if r.get("sync"):
        s = r["sync"]
        parts.append(
            f"sync ok={s['ok']}/{s['calls']} errors={sum(s['errors'].values())}"
            f" max={s['max_latency_s']:.1f}s"
        )
    if r.get("docker_info_max_s") is not None:
        parts.append(
            f"docker_info_max={r['docker_info_max_s']:.1f}s"
            f" failures={r.get('docker_info_failures')}"
        )
    parts.append(f"sigterm_stop={r.get('sigterm_stop_s')}s left={r.get('left_after_stop')}")
    return " ".join(parts)


# ---------------------------------------------------------------------------------------------
# scenario: kill -9 during writes of every kind


@dataclass
class WritesOptions:
    executor: str = "process"
    writers: int = 4
    kills: int = 1
    # Acknowledged writes (all writers together) before each kill -9.
    writes_before_kill: int = 60
    ports: tuple[int, int] | None = DEFAULT_PORTS
    workdir: Path | None = None


# Every kind of write the kill-writes writers make (UpdateEventSourceMapping from a writer's
# second round on: it needs the mapping of the first).
WRITE_KINDS = (
    "CreateFunction", "UpdateFunctionCode", "UpdateFunctionConfiguration", "PublishVersion",
    "CreateOrUpdateAlias", "CreateAlias", "DeleteAlias", "TagResource", "UntagResource",
    "DeleteFunction", "PublishLayerVersion", "CreateFunctionUrlConfig",
    "CreateEventSourceMapping", "UpdateEventSourceMapping", "AddPermission",
    "PutFunctionEventInvokeConfig", "PutFunctionConcurrency",
)  # fmt: skip


class Attribute:
    """A value each write replaces: after a crash it must equal the last acknowledged value, or
    a value of a write after it whose answer never came (it may have landed)."""

    def __init__(self) -> None:
        self.acked: Any = None
        self.has_acked = False
        self.maybe: list[Any] = []

    def ack(self, value: Any) -> None:
        self.acked, self.has_acked, self.maybe = value, True, []

    def unknown(self, value: Any) -> None:
        self.maybe.append(value)

    def allowed(self) -> list[Any]:
        return ([self.acked] if self.has_acked else []) + self.maybe


@dataclass
class WriterState:
    """What one writer's acknowledged writes promise about its function and layer."""

    function: str
    layer: str
    created: bool = False
    round: int = 0
    code_sha: Attribute = field(default_factory=Attribute)
    description: Attribute = field(default_factory=Attribute)
    alias_version: Attribute = field(default_factory=Attribute)
    retries: Attribute = field(default_factory=Attribute)
    concurrency: Attribute = field(default_factory=Attribute)
    versions: dict[str, str] = field(default_factory=dict)  # version -> CodeSha256
    layer_versions: list[int] = field(default_factory=list)
    tags_present: set[str] = field(default_factory=set)
    tags_absent: set[str] = field(default_factory=set)
    statements: set[str] = field(default_factory=set)
    deleted_aliases: set[str] = field(default_factory=set)
    url: bool = False
    esm: str | None = None
    esm_batch_size: Attribute = field(default_factory=Attribute)
    deleted_functions: set[str] = field(default_factory=set)
    acked: collections.Counter[str] = field(default_factory=collections.Counter)
    unknown: collections.Counter[str] = field(default_factory=collections.Counter)
    rejected: collections.Counter[str] = field(default_factory=collections.Counter)


class DaemonDown(Exception):
    """The write's answer never came (the daemon died): it may or may not have landed."""


def _write(state: WriterState, kind: str, call: Callable[[], Any]) -> Any:
    """Run one write: its response if acknowledged, None if refused (4xx: it did not land);
    raises DaemonDown if the answer never came."""
    try:
        response = call()
    except botocore.exceptions.ClientError as exc:
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        if status >= 500:
            state.unknown[kind] += 1
            raise DaemonDown(kind) from exc
        state.rejected[f"{kind}: {exc.response['Error'].get('Code')}"] += 1
        return None
    except botocore.exceptions.BotoCoreError as exc:
        state.unknown[kind] += 1
        raise DaemonDown(kind) from exc
    state.acked[kind] += 1
    return response


def _writer_round(client: Any, s: WriterState) -> None:
    """One round of writes of every kind on the writer's own function and layer."""
    s.round += 1
    r = s.round
    arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{s.function}"
    if not s.created:
        code = function_zip(tag=f"{s.function}-0")
        if _write(
            s,
            "CreateFunction",
            lambda: client.create_function(
                FunctionName=s.function,
                Runtime=RUNTIME,
                Role=ROLE,
                Handler="app.handler",
                Code={"ZipFile": code},
                Environment={"Variables": {"SOAK_COLLECTOR": "-"}},
            ),
        ) is None and not _exists(client, s.function):
            return  # refused; unless an earlier unanswered create landed (a conflict)
        s.created = True
    _settle(client, s.function)

    code = function_zip(tag=f"{s.function}-{r}")
    sha = _sha(code)
    s.code_sha.unknown(sha)
    if _write(
        s,
        "UpdateFunctionCode",
        lambda: client.update_function_code(FunctionName=s.function, ZipFile=code),
    ):
        s.code_sha.ack(sha)
    _settle(client, s.function)

    description = f"round {r}"
    s.description.unknown(description)
    if _write(
        s,
        "UpdateFunctionConfiguration",
        lambda: client.update_function_configuration(
            FunctionName=s.function, Description=description
        ),
    ):
        s.description.ack(description)
    _settle(client, s.function)

    published = _write(s, "PublishVersion", lambda: client.publish_version(FunctionName=s.function))
    if published:
        s.versions[published["Version"]] = published["CodeSha256"]
        version = published["Version"]
        s.alias_version.unknown(version)
        if r == 1 or not s.alias_version.has_acked:
            call = lambda: client.create_alias(  # noqa: E731
                FunctionName=s.function, Name="live", FunctionVersion=version
            )
        else:
            call = lambda: client.update_alias(  # noqa: E731
                FunctionName=s.function, Name="live", FunctionVersion=version
            )
        if _write(s, "CreateOrUpdateAlias", call):
            s.alias_version.ack(version)

    temp_alias = f"tmp{r}"
    if _write(
        s,
        "CreateAlias",
        lambda: client.create_alias(
            FunctionName=s.function, Name=temp_alias, FunctionVersion="$LATEST"
        ),
    ) and _write(
        s, "DeleteAlias", lambda: client.delete_alias(FunctionName=s.function, Name=temp_alias)
    ):
        s.deleted_aliases.add(temp_alias)

    tags = {f"t{r}": str(r), f"x{r}": str(r)}
    if _write(s, "TagResource", lambda: client.tag_resource(Resource=arn, Tags=tags)):
        s.tags_present.update(tags)
        # In doubt from here: an untag the kill cuts off may have landed without an answer.
        s.tags_present.discard(f"x{r}")
        if _write(
            s, "UntagResource", lambda: client.untag_resource(Resource=arn, TagKeys=[f"x{r}"])
        ):
            s.tags_absent.add(f"x{r}")

    scratch = f"{s.function}-scratch{r}"
    scratch_code = function_zip(tag=scratch)
    if _write(
        s,
        "CreateFunction",
        lambda: client.create_function(
            FunctionName=scratch,
            Runtime=RUNTIME,
            Role=ROLE,
            Handler="app.handler",
            Code={"ZipFile": scratch_code},
            Environment={"Variables": {"SOAK_COLLECTOR": "-"}},
        ),
    ) and _write(s, "DeleteFunction", lambda: client.delete_function(FunctionName=scratch)):
        s.deleted_functions.add(scratch)

    layer_zip = function_zip(tag=f"{s.layer}-{r}")
    layer = _write(
        s,
        "PublishLayerVersion",
        lambda: client.publish_layer_version(
            LayerName=s.layer, Content={"ZipFile": layer_zip}, CompatibleRuntimes=[RUNTIME]
        ),
    )
    if layer:
        s.layer_versions.append(int(layer["Version"]))

    if not s.url and _write(
        s,
        "CreateFunctionUrlConfig",
        lambda: client.create_function_url_config(FunctionName=s.function, AuthType="NONE"),
    ):
        s.url = True

    if s.esm is None:
        queue_arn = f"arn:aws:sqs:{REGION}:{ACCOUNT}:{s.function}"
        mapping = _write(
            s,
            "CreateEventSourceMapping",
            lambda: client.create_event_source_mapping(
                FunctionName=s.function, EventSourceArn=queue_arn, Enabled=False
            ),
        )
        if mapping:
            s.esm = mapping["UUID"]
        else:
            # Refused as a conflict: an earlier create whose answer never came landed. Check
            # that one from now on (it exists, so it must survive the next kills).
            s.esm = _existing_mapping(client, s.function)
    elif s.esm is not None:
        batch_size = 1 + r % 10
        s.esm_batch_size.unknown(batch_size)
        esm = s.esm
        if _write(
            s,
            "UpdateEventSourceMapping",
            lambda: client.update_event_source_mapping(UUID=esm, BatchSize=batch_size),
        ):
            s.esm_batch_size.ack(batch_size)

    statement = f"s{r}"
    if _write(
        s,
        "AddPermission",
        lambda: client.add_permission(
            FunctionName=s.function,
            StatementId=statement,
            Action="lambda:InvokeFunction",
            Principal="s3.amazonaws.com",
        ),
    ):
        s.statements.add(statement)

    retries = r % 3
    s.retries.unknown(retries)
    if _write(
        s,
        "PutFunctionEventInvokeConfig",
        lambda: client.put_function_event_invoke_config(
            FunctionName=s.function, MaximumRetryAttempts=retries
        ),
    ):
        s.retries.ack(retries)

    reserved = 1 + r % 3
    s.concurrency.unknown(reserved)
    if _write(
        s,
        "PutFunctionConcurrency",
        lambda: client.put_function_concurrency(
            FunctionName=s.function, ReservedConcurrentExecutions=reserved
        ),
    ):
        s.concurrency.ack(reserved)


def _exists(client: Any, function: str) -> bool:
    try:
        client.get_function(FunctionName=function)
    except botocore.exceptions.ClientError:
        return False
    except botocore.exceptions.BotoCoreError as exc:
        raise DaemonDown("GetFunction") from exc
    return True


def _existing_mapping(client: Any, function: str) -> str | None:
    try:
        mappings = client.list_event_source_mappings(FunctionName=function)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
        raise DaemonDown("ListEventSourceMappings") from exc
    found = mappings.get("EventSourceMappings") or []
    return str(found[0]["UUID"]) if found else None


def _sha(data: bytes) -> str:
    import base64
    import hashlib

    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def _settle(client: Any, function: str, timeout: float = 15.0) -> None:
    """Wait until the function accepts the next update (AWS: LastUpdateStatus not InProgress)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conf = client.get_function_configuration(FunctionName=function)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
            raise DaemonDown("GetFunctionConfiguration") from exc
        if conf.get("LastUpdateStatus") != "InProgress" and conf.get("State") != "Pending":
            return
        time.sleep(0.05)


def verify_writes(client: Any, s: WriterState) -> list[str]:
    """Every acknowledged write of ``s`` that is not there (empty when none was lost)."""
    lost: list[str] = []
    if not s.created:
        return lost
    try:
        conf = client.get_function_configuration(FunctionName=s.function)
    except botocore.exceptions.ClientError as exc:
        return [f"{s.function}: CreateFunction acknowledged, now {exc.response['Error']['Code']}"]

    def check(name: str, attribute: Attribute, actual: Any) -> None:
        if attribute.has_acked and actual not in attribute.allowed():
            lost.append(f"{s.function}: {name} is {actual!r}, acknowledged {attribute.acked!r}")

    check("CodeSha256", s.code_sha, conf["CodeSha256"])
    check("Description", s.description, conf.get("Description"))
    versions = {
        v["Version"]: v["CodeSha256"]
        for page in client.get_paginator("list_versions_by_function").paginate(
            FunctionName=s.function
        )
        for v in page["Versions"]
    }
    for version, sha in s.versions.items():
        if versions.get(version) != sha:
            lost.append(f"{s.function}: version {version} ({sha}) is {versions.get(version)!r}")
    aliases = {a["Name"]: a for a in client.list_aliases(FunctionName=s.function)["Aliases"]}
    if s.alias_version.has_acked:
        check("alias live", s.alias_version, aliases.get("live", {}).get("FunctionVersion"))
    for name in s.deleted_aliases & aliases.keys():
        lost.append(f"{s.function}: alias {name} deleted (acknowledged) but present")
    tags = client.list_tags(Resource=conf["FunctionArn"])["Tags"]
    for key in s.tags_present - tags.keys():
        lost.append(f"{s.function}: tag {key} acknowledged but missing")
    for key in s.tags_absent & tags.keys():
        lost.append(f"{s.function}: tag {key} removed (acknowledged) but present")
    layer_versions = {
        v["Version"]
        for page in client.get_paginator("list_layer_versions").paginate(LayerName=s.layer)
        for v in page["LayerVersions"]
    }
    for number in set(s.layer_versions) - layer_versions:
        lost.append(f"{s.layer}: layer version {number} acknowledged but missing")
    if s.url:
        try:
            client.get_function_url_config(FunctionName=s.function)
        except botocore.exceptions.ClientError:
            lost.append(f"{s.function}: function URL acknowledged but missing")
    if s.esm is not None:
        try:
            mapping = client.get_event_source_mapping(UUID=s.esm)
            check("BatchSize", s.esm_batch_size, mapping.get("BatchSize"))
        except botocore.exceptions.ClientError:
            lost.append(f"{s.function}: event source mapping {s.esm} acknowledged but missing")
    for scratch in sorted(s.deleted_functions):
        if _exists(client, scratch):
            lost.append(f"{scratch}: DeleteFunction acknowledged but the function is there")
    if s.statements:
        try:
            policy = json.loads(client.get_policy(FunctionName=s.function)["Policy"])
            sids = {st.get("Sid") for st in policy.get("Statement", [])}
        except botocore.exceptions.ClientError:
            sids = set()
        for sid in s.statements - sids:
            lost.append(f"{s.function}: permission {sid} acknowledged but missing")
    if s.retries.has_acked:
        try:
            eic = client.get_function_event_invoke_config(FunctionName=s.function)
            check("MaximumRetryAttempts", s.retries, eic.get("MaximumRetryAttempts"))
        except botocore.exceptions.ClientError:
            lost.append(f"{s.function}: event invoke config acknowledged but missing")
    if s.concurrency.has_acked:
        reserved = client.get_function_concurrency(FunctionName=s.function).get(
            "ReservedConcurrentExecutions"
        )
        check("ReservedConcurrentExecutions", s.concurrency, reserved)
    return lost


def run_kill_writes(options: WritesOptions) -> dict[str, Any]:
    """kill -9 during writes of every kind, restart, check every acknowledged write."""
    run_id = uuid.uuid4().hex[:8]
    prefix = f"kw-{run_id}"
    ports = PortPool(options.ports)
    states = [WriterState(f"{prefix}-{i}", f"{prefix}-layer-{i}") for i in range(options.writers)]
    result: dict[str, Any] = {
        "scenario": "kill-writes",
        "executor": options.executor,
        "options": {k: v for k, v in asdict(options).items() if k not in {"workdir", "ports"}},
    }
    with workspace(options.workdir, f"soak-{run_id}-") as workdir:
        daemon = Daemon(options.executor, workdir, ports)
        result["log"] = str(daemon.log_path)
        try:
            daemon.start()
            for kill in range(options.kills):
                total_before = sum(sum(s.acked.values()) for s in states)
                stop = threading.Event()

                def writer(s: WriterState, stop: threading.Event = stop) -> None:
                    client = lambda_client(daemon.endpoint, timeout=10, connections=8)
                    with contextlib.suppress(DaemonDown):
                        while not stop.is_set():
                            _writer_round(client, s)

                threads = [threading.Thread(target=writer, args=(s,)) for s in states]
                for thread in threads:
                    thread.start()
                deadline = time.monotonic() + 120
                while time.monotonic() < deadline:
                    done = sum(sum(s.acked.values()) for s in states) - total_before
                    if done >= options.writes_before_kill or not any(t.is_alive() for t in threads):
                        break
                    time.sleep(0.01)
                log(f"kill -9 #{kill + 1} during writes")
                daemon.kill9()
                stop.set()
                for thread in threads:
                    thread.join(60)
                daemon.start()
            client = lambda_client(daemon.endpoint, connections=8)
            lost = [item for s in states for item in verify_writes(client, s)]
        finally:
            daemon.stop()
            remove_leftovers(options.executor, prefix)
            result["daemon_log"] = daemon.log_problems()
    acked: collections.Counter[str] = collections.Counter()
    unknown: collections.Counter[str] = collections.Counter()
    rejected: collections.Counter[str] = collections.Counter()
    for s in states:
        acked.update(s.acked)
        unknown.update(s.unknown)
        rejected.update(s.rejected)
    result.update(
        acknowledged=sum(acked.values()),
        acknowledged_by_kind=dict(acked),
        unanswered=sum(unknown.values()),
        rejected=dict(rejected),
        lost=len(lost),
        lost_writes=lost[:50],
    )
    kinds = len(acked)
    result["figure"] = (
        f"kill-writes[{options.executor}] kills={options.kills} acknowledged={sum(acked.values())}"
        f" kinds={kinds}/{len(WRITE_KINDS)} unanswered={sum(unknown.values())}"
        f" rejected={sum(rejected.values())}"
        f" lost={len(lost)}"
    )
    return result


# ---------------------------------------------------------------------------------------------
# command line

SMALL = {
    "events": {"events": 300, "concurrency": 8, "drain_timeout_s": 60.0, "quiet_s": 10.0},
    "overload": {
        "events": 300,
        "concurrency": 8,
        "sync_callers": 2,
        "drain_timeout_s": 60.0,
        "quiet_s": 10.0,
    },
    "kill-writes": {"writers": 2, "writes_before_kill": 25},
}


def _span(text: str) -> tuple[int, int] | None:
    if text in {"", "0", "any"}:
        return None
    match = re.fullmatch(r"(\d+)-(\d+)", text)
    if not match:
        raise argparse.ArgumentTypeError("ports as LOW-HIGH, or 'any'")
    return int(match[1]), int(match[2])


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench.soak",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("scenario", choices=("events", "overload", "kill-writes"))
    parser.add_argument("--executor", choices=("process", "docker"), default="process")
    parser.add_argument("--small", action="store_true", help="CI-sized preset (300 events)")
    parser.add_argument("--events", type=int, help="Event invokes to send (default 10000)")
    parser.add_argument("--concurrency", type=int, help="client threads in all (default 32)")
    parser.add_argument("--client-processes", type=int, default=2)
    parser.add_argument(
        "--kill-at",
        type=float,
        help="kill -9 the daemon after this fraction of the 202s, then restart it",
    )
    parser.add_argument(
        "--max-environments",
        type=int,
        help="LAMBDAD_MAX_ENVIRONMENTS (overload default 4: a 2-core shape)",
    )
    parser.add_argument(
        "--max-environment-memory",
        type=int,
        help="LAMBDAD_MAX_ENVIRONMENT_MEMORY in MB (overload default 1024)",
    )
    parser.add_argument("--sync-callers", type=int, help="overload: sync callers (default 4)")
    parser.add_argument("--sync-timeout", type=float, default=30.0, help="function timeout, s")
    parser.add_argument("--function-memory", type=int, default=128, help="MemorySize, MB")
    parser.add_argument("--sleep-ms", type=int, default=2, help="the function's work, ms")
    parser.add_argument("--reserved-concurrency", type=int, help="the function's reserved")
    parser.add_argument(
        "--container-limit",
        type=int,
        default=DEFAULT_CONTAINER_LIMIT,
        help="abort when the daemon has more containers than this (protects the engine)",
    )
    parser.add_argument("--drain-timeout", type=float, help="seconds to wait for deliveries")
    parser.add_argument("--quiet", type=float, help="stop draining after this long idle, s")
    parser.add_argument("--writers", type=int, help="kill-writes: writer threads (default 4)")
    parser.add_argument("--kills", type=int, default=1, help="kill-writes: kill -9 rounds")
    parser.add_argument("--writes-before-kill", type=int, help="kill-writes: per round (60)")
    parser.add_argument("--ports", type=_span, default=DEFAULT_PORTS, help="LOW-HIGH or 'any'")
    parser.add_argument("--workdir", type=Path, help="keep data dir and log here (default tmp)")
    parser.add_argument("--out", type=Path, help="write the JSON document here")
    return parser


def options_from_args(args: argparse.Namespace) -> EventsOptions | WritesOptions:
    preset: dict[str, Any] = dict(SMALL[args.scenario]) if args.small else {}
    if args.scenario == "kill-writes":
        writes = WritesOptions(executor=args.executor, ports=args.ports, workdir=args.workdir)
        for key, value in {
            "writers": args.writers,
            "kills": args.kills,
            "writes_before_kill": args.writes_before_kill,
        }.items():
            if value is not None:
                preset[key] = value
        return WritesOptions(**{**asdict(writes), **preset})
    if args.scenario == "overload":
        preset.setdefault("sync_callers", 4)
        preset["max_environments"] = 4
        preset["max_environment_memory_mb"] = 1024
    overrides = {
        "events": args.events,
        "concurrency": args.concurrency,
        "kill_at": args.kill_at,
        "max_environments": args.max_environments,
        "max_environment_memory_mb": args.max_environment_memory,
        "sync_callers": args.sync_callers,
        "drain_timeout_s": args.drain_timeout,
        "quiet_s": args.quiet,
    }
    preset.update({k: v for k, v in overrides.items() if v is not None})
    return EventsOptions(
        executor=args.executor,
        client_processes=args.client_processes,
        sync_timeout_s=args.sync_timeout,
        function_memory_mb=args.function_memory,
        function_sleep_ms=args.sleep_ms,
        reserved_concurrency=args.reserved_concurrency,
        container_limit=args.container_limit,
        ports=args.ports,
        workdir=args.workdir,
        **preset,
    )


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.executor == "docker" and (reason := docker_ready()):
        print(f"docker executor unavailable: {reason}", file=sys.stderr)
        return 2
    options = options_from_args(args)
    # SIGTERM (e.g. a CI timeout) unwinds like Ctrl-C, so the finally blocks remove everything.
    signal.signal(signal.SIGTERM, _interrupt)
    result = run_kill_writes(options) if isinstance(options, WritesOptions) else run_events(options)
    print(result["figure"])
    if args.out:
        args.out.write_text(json.dumps(result, indent=2, default=str) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
