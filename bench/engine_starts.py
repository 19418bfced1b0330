"""Where a container start's time goes in the engine: create + start, alone and in parallel,
with lambdad's options and with each group of them left out.

    python -m bench.engine_starts [--count 16] [--parallel 1,2,4,8,16] [--variants all]

Every container carries the label `dev.lambdad.bench=<label>` and is removed (force) after
its round; nothing else is touched. Prints, per variant and parallelism: wall seconds for
`count` create+start calls, seconds per container, the median create and start call, and the
1-minute load average before and after the round.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import docker

from lambdad.daemon.runtime.docker import (
    DEFAULT_EPHEMERAL_MB,
    HOST_ALIAS,
    NetworkPlan,
    RuntimeApiBinding,
    container_options,
    prewarm_template,
)

IMAGE = "lambdad/runtime:python3.13"


def lambdad_options(label: str, workdir: Path) -> dict[str, Any]:
    """What lambdad passes for a pre-initialized container (code and opt dirs mounted)."""
    ident = uuid.uuid4().hex
    spec = prewarm_template(ident, workdir, 128, DEFAULT_EPHEMERAL_MB)
    plan = NetworkPlan(
        RuntimeApiBinding(bind_host="0.0.0.0", advertised_host=HOST_ALIAS),
        None,
        {HOST_ALIAS: "host-gateway"},
    )
    options = container_options(spec, IMAGE, "", plan, {"dev.lambdad.bench": label})
    options["entrypoint"] = ["sleep", "600"]
    options.pop("command", None)
    return options


def _without(*names: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def change(options: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in options.items() if k not in names}

    return change


def _minimal(options: dict[str, Any]) -> dict[str, Any]:
    keep = {"image", "labels", "entrypoint", "detach", "name"}
    return {k: v for k, v in options.items() if k in keep}


def _set(**extra: Any) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def change(options: dict[str, Any]) -> dict[str, Any]:
        return {**options, **extra}

    return change


VARIANTS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "lambdad": lambda options: options,
    "minimal": _minimal,
    "network_none": _set(network_mode="none", extra_hosts=None),
    "no_extra_hosts": _without("extra_hosts"),
    "log_local": _set(log_config=docker.types.LogConfig(type="local")),
    "log_none": _set(log_config=docker.types.LogConfig(type="none")),
    "no_mounts": _without("mounts"),
    "no_tmpfs": _without("tmpfs"),
    "no_limits": _without("mem_limit", "memswap_limit", "pids_limit", "ulimits"),
    "no_hardening": _without("read_only", "cap_drop", "security_opt", "user"),
    "init": _set(init=True),
}


def one_round(
    client: docker.DockerClient, options: dict[str, Any], count: int, parallel: int
) -> dict[str, Any]:
    creates: list[float] = []
    starts: list[float] = []
    made: list[Any] = []

    def one(i: int) -> None:
        opts = {**options, "name": f"{options['name'][:40]}-{i}"}
        t0 = time.perf_counter()
        container = client.containers.create(**opts)
        t1 = time.perf_counter()
        made.append(container)
        container.start()
        t2 = time.perf_counter()
        creates.append(t1 - t0)
        starts.append(t2 - t1)

    load_before = os.getloadavg()[0]
    t0 = time.perf_counter()
    with ThreadPoolExecutor(parallel) as threads:
        list(threads.map(one, range(count)))
    wall = time.perf_counter() - t0
    load_after = os.getloadavg()[0]
    t1 = time.perf_counter()
    with ThreadPoolExecutor(16) as threads:
        list(threads.map(lambda c: c.remove(force=True, v=True), made))
    removal = time.perf_counter() - t1
    return {
        "count": count,
        "parallel": parallel,
        "wall_s": round(wall, 3),
        "per_container_s": round(wall / count, 3),
        "create_p50_s": round(statistics.median(creates), 3),
        "start_p50_s": round(statistics.median(starts), 3),
        "removal_s": round(removal, 3),
        "load": [round(load_before, 2), round(load_after, 2)],
    }


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--count", type=int, default=16, help="containers per round (<= 32)")
    p.add_argument("--parallel", default="1,4,16", help="create+start calls at once")
    p.add_argument("--variants", default="all", help="comma list, or all")
    p.add_argument("--label", default="h18burst", help="dev.lambdad.bench label value")
    p.add_argument("--out", type=Path, help="write the rows as JSON here")
    args = p.parse_args()
    count = min(args.count, 32)
    names = list(VARIANTS) if args.variants == "all" else args.variants.split(",")
    client = docker.from_env(max_pool_size=32)
    workdir = Path(f"/tmp/{args.label}-engine-starts")
    for sub in ("task", "opt"):
        (workdir / sub).mkdir(parents=True, exist_ok=True)
    rows = []
    try:
        for parallel in [int(n) for n in args.parallel.split(",")]:
            for name in names:
                base = lambdad_options(args.label, workdir)
                base["name"] = f"{args.label}-{name}-{uuid.uuid4().hex[:6]}"
                row = {"variant": name, **one_round(client, VARIANTS[name](base), count, parallel)}
                rows.append(row)
                print(json.dumps(row), flush=True)
    finally:
        leftovers = client.containers.list(
            all=True, filters={"label": f"dev.lambdad.bench={args.label}"}
        )
        for container in leftovers:
            container.remove(force=True, v=True)
    if args.out:
        args.out.write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
