"""How fast can the engine tear down N environment-shaped containers? One line per strategy.

    python -m bench.stop_engine --containers 50 --strategy remove --concurrency 32
    python -m bench.stop_engine --containers 50 --strategy kill-then-remove

Creates `--containers` containers shaped like lambdad's environments (read-only root, /tmp a
tmpfs, memory limit, pids limit, json-file log, no capabilities) running `sleep`, labelled
with a bench-only daemon id, then times one teardown strategy until the label query comes
back empty. Only containers with this run's label are touched. Keep counts modest (<= 100) on
a shared engine.

Strategies:
- remove: `DELETE /containers/{id}?force=1&v=1`, `--concurrency` at once (lambdad before);
- remove-nov: the same without `v=1`;
- kill-then-remove: `POST /kill` (SIGKILL) to all at once, then remove as above;
- kill-then-prune: kill all, then one `POST /containers/prune` filtered by the label;
- autoremove: containers are created with AutoRemove; kill all, wait for the list to empty;
- cgroup-then-remove: SIGKILL each container's processes through its cgroup (v2
  `cgroup.kill`, v1 a SIGKILL per pid of `cgroup.procs`), then remove;
- cgroup-autoremove: AutoRemove containers, killed through their cgroups.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import time
import uuid
from typing import Any

import aiohttp

SOCKET = "/var/run/docker.sock"
IMAGE = "lambdad/runtime:python3.11"
LABEL = "dev.lambdad.bench.stop"


def host_config(auto_remove: bool) -> dict[str, Any]:
    return {
        "ReadonlyRootfs": True,
        "Tmpfs": {"/tmp": "rw,exec,nosuid,nodev,size=512m,mode=1777"},
        "Memory": 128 * 1024 * 1024,
        "MemorySwap": 128 * 1024 * 1024,
        "PidsLimit": 1024,
        "CapDrop": ["ALL"],
        "SecurityOpt": ["no-new-privileges"],
        "LogConfig": {"Type": "json-file", "Config": {"max-size": "10m", "max-file": "2"}},
        "ExtraHosts": ["host.docker.internal:host-gateway"],
        "AutoRemove": auto_remove,
    }


async def create_all(
    http: aiohttp.ClientSession, run: str, count: int, auto_remove: bool, network: str
) -> list[str]:
    gate = asyncio.Semaphore(8)

    async def one(index: int) -> str:
        body = {
            "Image": IMAGE,
            "Entrypoint": ["sleep"],
            "Cmd": ["3600"],
            "User": "993:993",
            "Labels": {LABEL: run},
            "HostConfig": {**host_config(auto_remove), "NetworkMode": network},
        }
        async with gate:
            async with http.post("/containers/create", json=body) as response:
                created = await response.json()
                if response.status >= 400:
                    raise RuntimeError(created)
            async with http.post(f"/containers/{created['Id']}/start") as response:
                if response.status >= 400:
                    raise RuntimeError(await response.text())
        return str(created["Id"])

    return list(await asyncio.gather(*(one(i) for i in range(count))))


async def listed(http: aiohttp.ClientSession, run: str) -> list[str]:
    filters = json.dumps({"label": [f"{LABEL}={run}"]})
    params = {"all": "1", "filters": filters}
    async with http.get("/containers/json", params=params) as response:
        return [c["Id"] for c in await response.json()]


async def remove_all(
    http: aiohttp.ClientSession, ids: list[str], concurrency: int, volumes: bool = True
) -> None:
    gate = asyncio.Semaphore(concurrency)
    params = {"force": "1", "v": "1" if volumes else "0"}

    async def one(container_id: str) -> None:
        async with gate, http.delete(f"/containers/{container_id}", params=params) as response:
            await response.read()

    await asyncio.gather(*(one(c) for c in ids))


async def kill_all(http: aiohttp.ClientSession, ids: list[str], concurrency: int) -> None:
    gate = asyncio.Semaphore(concurrency)

    async def one(container_id: str) -> None:
        async with gate, http.post(f"/containers/{container_id}/kill") as response:
            await response.read()

    await asyncio.gather(*(one(c) for c in ids))


# Where the engine keeps a container's cgroup (v2, then v1; cgroupfs or systemd driver).
CGROUP_KILL_FILES = (
    "/sys/fs/cgroup/docker/{id}/cgroup.kill",
    "/sys/fs/cgroup/system.slice/docker-{id}.scope/cgroup.kill",
)
CGROUP_PROCS_FILES = (
    "/sys/fs/cgroup/pids/docker/{id}/cgroup.procs",
    "/sys/fs/cgroup/pids/system.slice/docker-{id}.scope/cgroup.procs",
)


def kill_cgroup(container_id: str) -> bool:
    """SIGKILL a container's processes through its cgroup (root, engine on this host)."""
    for pattern in CGROUP_KILL_FILES:
        with contextlib.suppress(OSError):
            with open(pattern.format(id=container_id), "w") as kill_file:
                kill_file.write("1")
            return True
    for pattern in CGROUP_PROCS_FILES:
        try:
            with open(pattern.format(id=container_id)) as procs:
                members = procs.read().split()
        except OSError:
            continue
        for member in members:
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(member), signal.SIGKILL)
        return True
    return False


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--containers", type=int, default=20)
    parser.add_argument("--strategy", default="remove")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--network", default="bridge", help="bridge (as lambdad) or none")
    args = parser.parse_args()
    if args.containers > 100:
        parser.error("at most 100 containers on a shared engine")
    run = f"faststop-{uuid.uuid4().hex[:8]}"
    connector = aiohttp.UnixConnector(path=SOCKET, limit=0)
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession("http://docker", connector=connector, timeout=timeout) as http:
        try:
            ids = await create_all(
                http, run, args.containers, args.strategy.endswith("autoremove"), args.network
            )
            began = time.monotonic()
            if args.strategy == "remove":
                await remove_all(http, ids, args.concurrency)
            elif args.strategy == "remove-nov":
                await remove_all(http, ids, args.concurrency, volumes=False)
            elif args.strategy == "kill-then-remove":
                await kill_all(http, ids, len(ids))
                killed = time.monotonic() - began
                await remove_all(http, ids, args.concurrency)
            elif args.strategy == "kill-then-prune":
                await kill_all(http, ids, len(ids))
                killed = time.monotonic() - began
                filters = json.dumps({"label": [f"{LABEL}={run}"]})
                async with http.post("/containers/prune", params={"filters": filters}) as r:
                    await r.read()
            elif args.strategy == "autoremove":
                await kill_all(http, ids, len(ids))
                killed = time.monotonic() - began
                while await listed(http, run):
                    await asyncio.sleep(0.05)
            elif args.strategy == "cgroup-autoremove":
                for container_id in ids:
                    kill_cgroup(container_id)
                killed = time.monotonic() - began
                while await listed(http, run):
                    await asyncio.sleep(0.05)
            elif args.strategy == "cgroup-then-remove":
                for container_id in ids:
                    kill_cgroup(container_id)
                killed = time.monotonic() - began
                await remove_all(http, ids, args.concurrency)
            else:
                parser.error(f"unknown strategy {args.strategy}")
            done = time.monotonic() - began
            left = await listed(http, run)
            extra = f" killed_at={killed:.2f}s" if "killed" in locals() else ""
            print(
                f"strategy={args.strategy} containers={len(ids)} "
                f"concurrency={args.concurrency} network={args.network} seconds={done:.2f} "
                f"per_container_ms={1000 * done / len(ids):.0f}{extra} left={len(left)} "
                f"load={os.getloadavg()[0]:.1f}"
            )
        finally:
            await remove_all(http, await listed(http, run), 32)


if __name__ == "__main__":
    asyncio.run(main())
