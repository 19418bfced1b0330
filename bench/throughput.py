"""Throughput sweep through the gateway with wrk: invokes/s, p50/p99 and wrk's own CPU.

Not part of the test run. Starts one ``lambdad serve`` per ``--tree`` (default: this checkout),
creates a python3.11 echo function in each and, per concurrency level, takes turns between the
trees (rotating who goes first), so background load on a shared machine lands on all of them
alike and "before/after" figures come from the same machine state:

    python bench/throughput.py --executor process
    python bench/throughput.py --tree /path/to/before --tree . --out sweep.json
    python bench/throughput.py --tree . --tree . --setting "" \
        --setting LAMBDAD_MAX_ENVIRONMENTS=16 --levels 64   # one tree, two settings

With ``--ports LOW-HIGH`` the daemons take their ports (gateway, gRPC, /metrics) from that
range; their /metrics give the daemon's own view next to the count seen from outside: the
function's environments (idle + busy, peak while wrk ran, sampled every 0.25 s), the host's
(pre-initialized spares included) and how many invocations started an environment.

Each turn is an untimed wrk warm-up at the level's concurrency (the scale-out to that many
environments happens there), then the timed wrk run (``--latency``). wrk is a compiled load
generator (Debian's ``wrk``); its user+system CPU is reported per run so a saturated load
generator shows up, next to the daemon's own CPU per invoke.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.run import (
    Lambdad,
    count_environments,
    create_echo,
    echo_zip,
    lambda_client,
)

# One name per tree: Docker's environment count filters containers by function name, and
# both daemons' containers share the engine. A run id keeps them apart from other runs.
FUNCTION_PREFIX = f"bench-echo-{os.getpid()}-"
PAYLOAD = '{"hello":"world","n":12345}'
WRK_SCRIPT = f"""wrk.method = "POST"
wrk.body = '{PAYLOAD}'
wrk.headers["Content-Type"] = "application/json"
"""
UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def to_ms(text: str) -> float:
    """wrk's `1.23ms` / `870.00us` / `1.02s` in milliseconds."""
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if match is None:
        raise ValueError(f"unexpected wrk duration {text!r}")
    return float(match[1]) * UNITS[match[2]]


def parse_wrk(out: str) -> dict[str, Any]:
    """Requests/s, latency percentiles (ms) and error counts from `wrk --latency` output."""
    result: dict[str, Any] = {"requests": 0, "errors": 0, "non_2xx": 0}
    if match := re.search(r"Requests/sec:\s+([\d.]+)", out):
        result["invokes_per_s"] = float(match[1])
    if match := re.search(r"(\d+) requests in", out):
        result["requests"] = int(match[1])
    for pct, value in re.findall(r"^\s+(50|75|90|99)%\s+(\S+)\s*$", out, re.M):
        result[f"p{pct}_ms"] = round(to_ms(value), 3)
    if match := re.search(r"Non-2xx or 3xx responses: (\d+)", out):
        result["non_2xx"] = int(match[1])
    if match := re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    ):
        result["errors"] = sum(int(n) for n in match.groups())
    return result


def process_cpu_s(pid: int) -> float:
    """utime + stime of one process (its own threads, not its children)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children_cpu_s(pid: int) -> dict[int, float]:
    """utime + stime of each live child of `pid` (process executor: the runtimes and spares)."""
    cpu: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            cpu[int(stat.parent.name)] = (int(fields[11]) + int(fields[12])) / tick
    return cpu


def runtime_cpu_s(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU the children used between two readings (a child that started meanwhile: all of its
    CPU; one that exited meanwhile is not seen)."""
    return sum(value - before.get(child, 0.0) for child, value in after.items())


def run_wrk(url: str, script: Path, concurrency: int, duration_s: int) -> dict[str, Any]:
    """One wrk run; its own CPU comes from the rusage of the child it was."""
    threads = min(2, concurrency)
    args = ["wrk", f"-t{threads}", f"-c{concurrency}", f"-d{max(1, duration_s)}s"]
    args += ["--timeout", "10s", "--latency", "-s", str(script), url]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    result = parse_wrk(out)
    result["wrk_cpu_s"] = round(usage.ru_utime + usage.ru_stime, 3)
    if os.waitstatus_to_exitcode(status) != 0 or "invokes_per_s" not in result:
        result["wrk_output"] = out[-500:]
    return result


def function_environments(samples: dict[str, float], function: str) -> int:
    """The function's environments (idle and busy) in the daemon's /metrics samples."""
    tag = f'function="{function}"'
    return int(
        sum(v for k, v in samples.items() if k.startswith("lambdad_environments{") and tag in k)
    )


def cold_starts(samples: dict[str, float], function: str) -> int:
    """Invocations of the function that started an environment, as /metrics counts them."""
    tag = f'function="{function}"'
    prefix = "lambdad_cold_starts_total{"
    return int(sum(v for k, v in samples.items() if k.startswith(prefix) and tag in k))


class PeakSampler:
    """Samples the daemon's /metrics every 0.25 s while a run lasts: peak environment counts."""

    def __init__(self, daemon: Lambdad, function: str) -> None:
        self.daemon = daemon
        self.function = function
        self.peak_function = 0
        self.peak_host = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while True:
            samples = self.daemon.metrics()
            if samples:
                self.peak_function = max(
                    self.peak_function, function_environments(samples, self.function)
                )
                self.peak_host = max(
                    self.peak_host, int(samples.get("lambdad_host_environments", 0))
                )
            if self._stop.wait(0.25):
                return

    def __enter__(self) -> PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def parse_span(text: str | None) -> tuple[int, int] | None:
    """`46200-46299` as (46200, 46299); None stays None (any free port)."""
    if not text:
        return None
    low, _, high = text.partition("-")
    return int(low), int(high)


def parse_setting(text: str) -> dict[str, str]:
    """`LAMBDAD_A=1,LAMBDAD_B=2` as a dict ("" is none)."""
    pairs = (item.partition("=") for item in text.split(",") if item.strip())
    return {name.strip(): value.strip() for name, _, value in pairs}


def warm_up(
    daemon: Lambdad, executor: str, function: str, url: str, script: Path, level: int, seconds: int
) -> None:
    """Untimed wrk runs until the function's environments stop growing (at most 8).

    Scaling out to a new level starts one environment per extra connection, each a runtime
    start (a Python interpreter, or a container) competing for the same 2 cores; a timed run
    that overlaps that storm measures cold starts, not throughput.
    """
    assert daemon.proc is not None
    before = count_environments(daemon.proc.pid, executor, function)
    for _ in range(8):
        run_wrk(url, script, level, seconds)
        after = count_environments(daemon.proc.pid, executor, function)
        if after == before:
            return
        before = after


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--executor", choices=("process", "docker"), default="process")
    p.add_argument("--levels", default="1,8,16,32,64", help="concurrency levels, comma separated")
    p.add_argument("--duration", type=int, default=6, help="seconds per timed wrk run")
    p.add_argument("--warmup", type=int, default=2, help="seconds of untimed wrk first")
    p.add_argument("--rounds", type=int, default=1, help="turns per tree and level")
    p.add_argument("--tree", action="append", type=Path, help="source tree (repeatable)")
    p.add_argument(
        "--setting",
        action="append",
        default=[],
        help="LAMBDAD_* variables of the daemon of the --tree in the same position, "
        "VAR=VALUE[,VAR=VALUE]; '' for none (repeatable)",
    )
    p.add_argument("--ports", help="LOW-HIGH: the daemons' ports from this range")
    p.add_argument("--out", type=Path)
    args = p.parse_args(argv)
    levels = [int(n) for n in args.levels.split(",")]
    trees: list[Path | None] = [t.resolve() for t in args.tree] if args.tree else [None]
    settings = [parse_setting(text) for text in args.setting]
    settings += [{}] * (len(trees) - len(settings))
    span = parse_span(args.ports)
    doc: dict[str, Any] = {
        "executor": args.executor,
        "cores": os.cpu_count(),
        "load_average_start": os.getloadavg(),
        "duration_s": args.duration,
        "trees": [
            (str(t) if t else "installed")
            + "".join(f" {k}={v}" for k, v in sorted(settings[i].items()))
            for i, t in enumerate(trees)
        ],
        "runs": [],
    }
    with tempfile.TemporaryDirectory(prefix="lambdad-throughput-") as tmp:
        script = Path(tmp) / "post.lua"
        script.write_text(WRK_SCRIPT)
        daemons: list[Lambdad] = []
        try:
            for index, tree in enumerate(trees):
                workdir = Path(tmp) / f"tree{index}"
                workdir.mkdir()
                daemon = Lambdad(
                    args.executor,
                    workdir,
                    source=tree,
                    environment=settings[index],
                    ports=span,
                    metrics=True,
                )
                daemon.start()
                daemons.append(daemon)
                client = lambda_client(daemon.endpoint, timeout=60)
                function = f"{FUNCTION_PREFIX}{index}"
                create_echo(client, function, echo_zip())
                client.get_waiter("function_active_v2").wait(FunctionName=function)
                client.invoke(FunctionName=function, Payload=PAYLOAD.encode())
            for level in levels:
                for turn in range(args.rounds * len(daemons)):
                    index = (turn + level) % len(daemons)
                    daemon = daemons[index]
                    assert daemon.proc is not None
                    function = f"{FUNCTION_PREFIX}{index}"
                    url = f"{daemon.endpoint}/2015-03-31/functions/{function}/invocations"
                    warm_up(daemon, args.executor, function, url, script, level, args.warmup)
                    cold_before = cold_starts(daemon.metrics(), function)
                    cpu_before = process_cpu_s(daemon.proc.pid)
                    children_before = children_cpu_s(daemon.proc.pid)
                    started = time.monotonic()
                    with PeakSampler(daemon, function) as peaks:
                        result = run_wrk(url, script, level, args.duration)
                    elapsed = time.monotonic() - started
                    daemon_cpu = process_cpu_s(daemon.proc.pid) - cpu_before
                    children = runtime_cpu_s(children_before, children_cpu_s(daemon.proc.pid))
                    requests = max(1, result["requests"])
                    samples = daemon.metrics()
                    result.update(
                        tree=doc["trees"][index],
                        concurrency=level,
                        daemon_cpu_share=round(daemon_cpu / elapsed, 3),
                        daemon_cpu_ms_per_invoke=round(daemon_cpu * 1000 / requests, 3),
                        # Process executor only: its runtimes are the daemon's children.
                        runtime_cpu_ms_per_invoke=round(children * 1000 / requests, 3),
                        environments=count_environments(daemon.proc.pid, args.executor, function),
                        function_environments=function_environments(samples, function),
                        function_environments_peak=peaks.peak_function,
                        host_environments_peak=peaks.peak_host,
                        cold_starts=cold_starts(samples, function) - cold_before,
                        load_average=os.getloadavg()[0],
                    )
                    doc["runs"].append(result)
                    print(
                        f"{doc['trees'][index][-24:]:>24} c={level:<3} "
                        f"{result.get('invokes_per_s', 0):8.1f}/s "
                        f"p50 {result.get('p50_ms', 0):8.2f} ms "
                        f"p99 {result.get('p99_ms', 0):8.2f} ms "
                        f"errors {result['errors'] + result['non_2xx']} "
                        f"daemon {result['daemon_cpu_ms_per_invoke']:.2f} ms/invoke "
                        f"runtimes {result['runtime_cpu_ms_per_invoke']:.2f} "
                        f"wrk cpu {result['wrk_cpu_s']:.2f} s envs {result['environments']} "
                        f"(daemon: {result['function_environments']}, peak "
                        f"{result['function_environments_peak']}, host "
                        f"{result['host_environments_peak']}, cold {result['cold_starts']}) "
                        f"load {result['load_average']:.1f}",
                        file=sys.stderr,
                        flush=True,
                    )
        finally:
            for daemon in daemons:
                daemon.stop()
    doc["load_average_end"] = os.getloadavg()
    doc["self_cpu_s"] = resource.getrusage(resource.RUSAGE_SELF).ru_utime
    text = json.dumps(doc, indent=2)
    if args.out:
        args.out.write_text(text + "\n")
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
