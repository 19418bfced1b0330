"""The Docker executor: one container per execution environment.

A zip function runs in its runtime's image (`images.resolve.RuntimeImages`) with the
code mounted read-only at /var/task and `command = [handler]`, the convention of AWS's
base images (their entrypoint takes the handler as its only argument). An image
function runs its own image with the ImageConfig overrides. Either way the container
gets the Lambda sandbox: read-only root, /tmp a tmpfs sized from EphemeralStorage,
memory limit = MemorySize (no swap), non-root user, no capabilities,
no-new-privileges, and labels naming lambdad, the daemon and the function.

How the container reaches the daemon's Runtime API:
- daemon on the host: the daemon listens on the docker bridge's gateway address and
  containers dial `host.docker.internal`, mapped to that gateway (`host-gateway`);
- daemon in a container: environments join the daemon's network
  (`LAMBDAD_DOCKER_NETWORK`, else the daemon container's own) and dial the daemon
  container's address on it; the daemon listens on all interfaces.

Orphans: containers carry the daemon id (stable per data dir as the engine names it, see
`daemon_id_for` and `DockerExecutor.create`) and an instance token (random per executor).
`remove_orphans` removes containers with our daemon id and another instance token: those a
previous, crashed run of this daemon left.
Containers of other daemon ids are never touched, because another daemon sharing the
engine (a second data dir, a parallel test run) may be alive and using them.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import functools
import hashlib
import ipaddress
import json
import os
import re
import shlex
import shutil
import signal
import socket
import stat
import time
import uuid
from collections.abc import AsyncIterator, Callable, Hashable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import aiohttp
import docker
import docker.errors
import requests
import structlog
from docker.models.containers import Container
from docker.types import LogConfig, Mount, Ulimit

from lambdad.daemon.errors import LambdaError, Reason
from lambdad.daemon.images.build import LABEL_RUNTIME
from lambdad.daemon.images.resolve import RuntimeImages
from lambdad.daemon.runtime import peers, proc_tree
from lambdad.daemon.runtime.daemon_core import DaemonCore
from lambdad.daemon.runtime.debugging import SITE_DIR, debug_port, debug_variables, debugpy_path
from lambdad.daemon.runtime.docker_engine import (
    ENGINE_CALL_TIMEOUT_S,
    ENGINE_CONCURRENCY,
    ENGINE_PULL_TIMEOUT_S,
    EngineCalls,
    EngineCallTimeout,
    EngineStreams,
    EngineUnsupported,
)
from lambdad.daemon.runtime.docker_flags import DockerFlags
from lambdad.daemon.runtime.executor import (
    LABEL_DAEMON,
    LABEL_ENVIRONMENT,
    LABEL_FUNCTION,
    LABEL_MANAGED,
    LABEL_VERSION,
    EnvironmentSpec,
    Executor,
    RuntimeApiBinding,
    RuntimeStartError,
)
from lambdad.daemon.runtime.extensions import extension_files, launcher_command
from lambdad.daemon.runtime.prewarm import Governor, PoolFit, PrewarmPool
from lambdad.daemon.runtime.python_preload import program_text

if TYPE_CHECKING:
    from lambdad.daemon.domain.model import FunctionVersion
    from lambdad.daemon.runtime.environment import AwsEndpoints

log = structlog.get_logger(__name__)

# Which executor process started a container; see the module docstring on orphans.
LABEL_INSTANCE = "dev.lambdad.instance"
HOST_ALIAS = "host.docker.internal"
# uid/gid of sbx_user1051, the user Lambda runs functions as (lambdad's images define it).
SANDBOX_USER = "993:993"
# RLIMIT_NOFILE as measured on AWS (lambda-spec §4.5).
NOFILE_LIMIT = 1024
PIDS_LIMIT = 1024
# Where a debugged environment finds lambdad's debugpy start-up and debugpy itself.
DEBUG_SITE_DIR = "/var/lambdad/debug/site"
DEBUG_LIB_DIR = "/var/lambdad/debug/lib"
# Longer output lines are handed over in pieces of this size (as the process executor does).
LINE_LIMIT = 1024 * 1024
# Warm environments live for minutes: bound the engine's copy of their output.
LOG_CONFIG = LogConfig(type="json-file", config={"max-size": "10m", "max-file": "2"})
# A container left in `Created` this long was abandoned by a start that failed or timed out.
STUCK_CREATED_S = 60.0
SWEEP_INTERVAL_S = 30.0
# A container's cgroup as a daemon on the engine's host sees it: cgroup v1 (its memory
# hierarchy) or v2, the engine's cgroupfs or systemd driver. Its peak memory is in
# memory.max_usage_in_bytes (v1) or memory.peak (v2).
CGROUP_DIRS = (
    "/sys/fs/cgroup/memory/docker/{}",
    "/sys/fs/cgroup/memory/system.slice/docker-{}.scope",
    "/sys/fs/cgroup/system.slice/docker-{}.scope",
    "/sys/fs/cgroup/docker/{}",
)
PEAK_FILES = ("memory.max_usage_in_bytes", "memory.peak")
# Pre-initialized containers (see `PrewarmPool`): labelled as such, and waiting in a wrapper
# that reads the function's start command from a FIFO, then execs it. The FIFO waits in the
# (still empty) /var/task mount and is unlinked before the function's code is linked in, so
# the function finds neither it nor a mount of its own.
LABEL_PREWARM = "dev.lambdad.prewarm"
START_FIFO = ".lambdad-start"
PREWARM_WRAPPER = (
    f'while :; do s=$(cat /var/task/{START_FIFO}) || exit 126; [ -n "$s" ] && break; done; '
    'eval "$s"; exit 127'
)
# A lambdad Python image waits in an interpreter with the runtime client's imports done.
PYTHON_ZYGOTE = program_text(Path(__file__).with_name("python_zygote.py"))
# Variables that change how a process or an interpreter starts: a function that sets one to
# another value than its image has gets its runtime exec'd, never the waiting interpreter.
STARTUP_VARIABLES = frozenset({"PATH", "HOME", "LANG", "LANGUAGE"})
STARTUP_PREFIXES = ("LC_", "PYTHON", "LD_", "MALLOC_", "GLIBC_")
# AWS's locale variables, set in every function container (a function may set its own), and
# in the waiting ones, so that a waiting interpreter started as a function's would be.
LOCALE_VARIABLES = {"LANG": "en_US.UTF-8", "LC_CTYPE": "C.UTF-8"}
# /tmp size of pre-initialized containers (a function with another EphemeralStorage gets its
# own key, filled once it has been seen).
DEFAULT_EPHEMERAL_MB = 512
DEFAULT_MEMORY_MB = 128
# How long the resolved image of a runtime is reused without asking the engine again.
IMAGE_CACHE_S = 10.0


def daemon_id_for(data_dir: Path) -> str:
    """A daemon id that is stable across restarts of the daemon owning `data_dir`."""
    return hashlib.sha256(str(data_dir.resolve()).encode()).hexdigest()[:16]


def docker_available(timeout: float = 2.0) -> bool:
    """True if a Docker engine answers a ping within `timeout` seconds (DOCKER_HOST honoured)."""
    try:
        client = docker.from_env(timeout=max(1, round(timeout)))
    except docker.errors.DockerException:
        return False
    try:
        return bool(client.ping())
    except (docker.errors.DockerException, requests.RequestException, OSError):
        return False
    finally:
        client.close()


def running_in_container() -> bool:
    """True if this process runs inside a container."""
    if Path("/.dockerenv").exists() or Path("/run/.containerenv").exists():
        return True
    with contextlib.suppress(OSError):
        cgroup = Path("/proc/1/cgroup").read_text()
        if re.search(r"docker|containerd|kubepods|libpod", cgroup):
            return True
    return False


def _own_container_id() -> str | None:
    """This process's container id, from the cgroup or mount tables, if visible."""
    for source in ("/proc/self/cgroup", "/proc/self/mountinfo"):
        with contextlib.suppress(OSError):
            text = Path(source).read_text()
            match = re.search(r"(?:docker[-/]|/containers/)([0-9a-f]{64})", text)
            if match:
                return match[1]
    return None


@dataclass(frozen=True)
class NetworkPlan:
    """How environments are attached and how they dial the daemon (and see its files)."""

    binding: RuntimeApiBinding
    network: str | None  # None = the engine's default bridge
    extra_hosts: Mapping[str, str]
    # Daemon-side path -> engine-side path of the daemon container's mounts: bind-mount
    # sources are resolved by the engine, so a code dir inside the daemon container must be
    # named by its host path. Empty when the daemon runs on the host.
    mounts: Mapping[str, str] = field(default_factory=dict)

    def host_path(self, path: Path) -> str:
        """`path` as the engine sees it."""
        text = str(path)
        best = ""
        for destination in self.mounts:
            inside = text == destination or text.startswith(destination.rstrip("/") + "/")
            if inside and len(destination) > len(best):
                best = destination
        if not best:
            return text
        return self.mounts[best].rstrip("/") + text[len(best.rstrip("/")) :]


def plan_network(client: docker.DockerClient, network: str | None = None) -> NetworkPlan:
    """Work out the Runtime API binding for a daemon on the host or inside a container."""
    if running_in_container():
        plan = _plan_in_container(client, network)
        if plan is not None:
            return plan
        log.info("in a container the engine does not run; networking as on the host")
    gateway = _bridge_gateway(client, network or "bridge")
    if gateway is not None and not _bindable(gateway):
        # Docker Desktop, a remote engine: the bridge is not one of our interfaces.
        gateway = None
    return NetworkPlan(
        RuntimeApiBinding(bind_host=gateway or "0.0.0.0", advertised_host=HOST_ALIAS),
        network,
        {HOST_ALIAS: "host-gateway"},
    )


def _bindable(address: str) -> bool:
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.bind((address, 0))
    except OSError:
        return False
    return True


def _bridge_gateway(client: docker.DockerClient, name: str) -> str | None:
    try:
        attrs = client.networks.get(name).attrs
    except docker.errors.DockerException:
        return None
    for config in (attrs.get("IPAM") or {}).get("Config") or []:
        gateway = config.get("Gateway")
        if gateway and ":" not in gateway:
            return str(gateway)
        subnet = config.get("Subnet")
        if subnet and ":" not in subnet:
            # The default bridge often lists no gateway; Docker gives it the subnet's first
            # address (the caller checks that it is one of ours).
            with contextlib.suppress(ValueError, StopIteration):
                return str(next(ipaddress.ip_network(subnet).hosts()))
    return None


def _plan_in_container(client: docker.DockerClient, network: str | None) -> NetworkPlan | None:
    me: Container | None = None
    for ident in (_own_container_id(), socket.gethostname()):
        if not ident:
            continue
        with contextlib.suppress(docker.errors.DockerException):
            me = client.containers.get(ident)
            break
    if me is None:
        return None
    settings = me.attrs.get("NetworkSettings", {})
    if me.attrs.get("HostConfig", {}).get("NetworkMode") == "host":
        return None  # the daemon shares the host's network: the host plan is right
    networks: dict[str, Any] = settings.get("Networks") or {}
    if network and network not in networks:
        client.networks.get(network).connect(me)
        me.reload()
        networks = me.attrs.get("NetworkSettings", {}).get("Networks") or {}
    if not network:
        # A user-defined network if there is one; the default bridge works too (by address).
        named = [name for name in networks if name not in {"bridge", "none", "host"}]
        network = named[0] if named else next(iter(networks), None)
    if not network or network not in networks:
        return None
    address = networks[network].get("IPAddress")
    if not address:
        return None
    mounts = {
        str(mount["Destination"]): str(mount["Source"])
        for mount in me.attrs.get("Mounts") or []
        if mount.get("Destination") and mount.get("Source")
    }
    return NetworkPlan(
        RuntimeApiBinding(bind_host="0.0.0.0", advertised_host=address), network, {}, mounts
    )


# AWS's environments have no HOME and no HOSTNAME; Docker sets both: a runtime starts behind
# this prefix.
UNSET_VARIABLES = ("HOME", "HOSTNAME")
UNSET_DOCKER_VARIABLES = ["/usr/bin/env", "-u", "HOME", "-u", "HOSTNAME"]


def _image_user_and_command(spec: EnvironmentSpec) -> dict[str, Any]:
    if spec.package_type == "Image":
        config = spec.image_config or {}
        options: dict[str, Any] = {}
        if config.get("EntryPoint"):
            options["entrypoint"] = list(config["EntryPoint"])
        if config.get("Command"):
            options["command"] = list(config["Command"])
        if config.get("WorkingDirectory"):
            options["working_dir"] = str(config["WorkingDirectory"])
        return options
    # AWS base images: ENTRYPOINT /lambda-entrypoint.sh takes the handler as its only argument.
    command = ["/lambda-entrypoint.sh", spec.handler or "handler"]
    # Managed runtimes start the runtime through AWS_LAMBDA_EXEC_WRAPPER when it is set
    # (OS-only runtimes run the function's bootstrap as it is).
    wrapper = spec.variables.get("AWS_LAMBDA_EXEC_WRAPPER")
    if wrapper and not (spec.runtime or "").startswith("provided"):
        command = [wrapper, *command]
    if extension_files(spec.opt_dir):
        # External extensions start first, then the image's usual entrypoint.
        command = launcher_command("/opt/extensions", command)
    # The handler stays the container's Cmd, as in a container of AWS's base image.
    return {"entrypoint": [*UNSET_DOCKER_VARIABLES, *command[:-1]], "command": command[-1:]}


def prewarm_template(
    ident: str, directory: Path, memory_mb: int, ephemeral_mb: int
) -> EnvironmentSpec:
    """The spec a pre-initialized container is created from: no function yet, its code and
    opt directories under `directory` (filled when a function is assigned)."""
    return EnvironmentSpec(
        environment_id=ident,
        function_name="prewarm",
        function_version="",
        package_type="Zip",
        runtime=None,
        handler=None,
        code_dir=directory / "task",
        opt_dir=directory / "opt",
        image_uri=None,
        image_config=None,
        memory_mb=memory_mb,
        ephemeral_storage_mb=ephemeral_mb,
        timeout_s=0,
        architecture="",
    )


def container_options(
    spec: EnvironmentSpec,
    image: str,
    runtime_api: str,
    plan: NetworkPlan,
    labels: Mapping[str, str],
    flags: DockerFlags | None = None,
    endpoints: AwsEndpoints | None = None,
) -> dict[str, Any]:
    """The `containers.create` arguments for one environment (pure; unit-testable)."""
    flags = flags or DockerFlags()
    mounts: list[Mount] = []
    if spec.code_dir is not None:
        mounts.append(
            Mount("/var/task", plan.host_path(spec.code_dir), type="bind", read_only=True)
        )
    if spec.opt_dir is not None:
        mounts.append(Mount("/opt", plan.host_path(spec.opt_dir), type="bind", read_only=True))
    # LAMBDAD_DOCKER_FLAGS mounts name host paths as the engine sees them: no translation.
    mounts.extend(
        Mount(m.target, m.source, type="bind", read_only=m.read_only) for m in flags.mounts
    )
    memory = f"{spec.memory_mb}m"
    # A function's own Environment is more specific than the daemon-wide flags and the
    # injected endpoints: it wins. The gateway is reached where the Runtime API is.
    injected = endpoints.variables(plan.binding.advertised_host) if endpoints else {}
    environment = {
        **LOCALE_VARIABLES,
        **dict(flags.environment),
        **injected,
        **spec.variables,
        "AWS_LAMBDA_RUNTIME_API": runtime_api,
    }
    if spec.hot_reload:
        # Nothing of a live directory is cached as bytecode, so a quick edit (same size, same
        # mtime second) is never hidden by our own stale .pyc; the image's stdlib .pyc files
        # still load (a cache prefix would recompile all of them in every new environment).
        environment.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    port = debug_port(spec.variables)
    if port is not None:
        mounts.append(Mount(DEBUG_SITE_DIR, plan.host_path(SITE_DIR), type="bind", read_only=True))
        debugpy_dir = debugpy_path()
        if debugpy_dir is not None:
            mounts.append(
                Mount(
                    f"{DEBUG_LIB_DIR}/debugpy",
                    plan.host_path(debugpy_dir / "debugpy"),
                    type="bind",
                    read_only=True,
                )
            )
        environment = debug_variables(
            environment,
            host="0.0.0.0",
            site_dir=DEBUG_SITE_DIR,
            debugpy_dir=DEBUG_LIB_DIR if debugpy_dir else None,
        )
    ulimits = {"nofile": Ulimit(name="nofile", soft=NOFILE_LIMIT, hard=NOFILE_LIMIT)}
    ulimits.update({u.name: Ulimit(name=u.name, soft=u.soft, hard=u.hard) for u in flags.ulimits})
    options: dict[str, Any] = {
        "image": image,
        "name": f"lambdad-{spec.function_name[:40]}-{spec.environment_id[:24]}",
        "environment": environment,
        "mounts": mounts,
        "mem_limit": memory,
        "memswap_limit": memory,  # no swap: exceeding MemorySize is an out-of-memory kill
        # Lambda's /tmp allows executables; Docker's tmpfs default is noexec.
        "tmpfs": {"/tmp": f"rw,exec,nosuid,nodev,size={spec.ephemeral_storage_mb}m,mode=1777"},
        "read_only": True,
        "user": SANDBOX_USER,
        "cap_drop": ["ALL"],
        "security_opt": ["no-new-privileges"],
        "ulimits": list(ulimits.values()),
        "pids_limit": PIDS_LIMIT,
        "labels": dict(labels),
        "log_config": LOG_CONFIG,
        "extra_hosts": {**dict(flags.extra_hosts), **dict(plan.extra_hosts)},
        "detach": True,
    }
    if plan.network:
        options["network"] = plan.network
    ports: dict[str, tuple[str, int]] = {
        f"{p.container_port}/{p.protocol}": (p.host_ip, p.host_port) for p in flags.ports
    }
    if port is not None:
        # The debugger's port, on the host's loopback only.
        ports[f"{port}/tcp"] = ("127.0.0.1", port)
    if ports:
        options["ports"] = ports
    if flags.dns:
        options["dns"] = list(flags.dns)
    options.update(_image_user_and_command(spec))
    return options


# Signals that end a runtime abnormally; Docker reports such a death as exit code 128+N.
_DEATH_SIGNALS = frozenset(
    {signal.SIGSEGV, signal.SIGABRT, signal.SIGBUS, signal.SIGILL, signal.SIGFPE, signal.SIGKILL}
)


def signal_exit(code: int) -> int:
    """`code` as a subprocess reports it: -N for a death by signal N (AWS names the signal:
    `Runtime exited with error: signal: segmentation fault`), else unchanged."""
    if code > 128 and code - 128 in {int(s) for s in _DEATH_SIGNALS}:
        return -(code - 128)
    return code


def _repository_of(image_uri: str) -> str:
    """`repo` of `repo:tag`, `repo@sha256:...` or `registry:port/repo:tag`."""
    name = image_uri.partition("@")[0]
    last = name.rpartition("/")[2]
    if ":" in last:
        name = name[: len(name) - len(last)] + last.partition(":")[0]
    return name


def _has_bootstrap(spec: EnvironmentSpec) -> bool:
    for directory in (spec.code_dir, spec.opt_dir):
        if directory is not None:
            candidate = directory / "bootstrap"
            if candidate.is_file() and os.access(candidate, os.X_OK):
                return True
    return False


def _make_prewarm_dir(directory: Path) -> None:
    """`task/` and `opt/` (empty until assignment); in `task/` the FIFO the wrapper reads."""
    for sub in ("task", "opt"):
        (directory / sub).mkdir(parents=True)
        (directory / sub).chmod(0o755)
    directory.chmod(0o755)
    fifo = directory / "task" / START_FIFO
    os.mkfifo(fifo)
    fifo.chmod(0o644)  # the sandbox user reads it; only the daemon writes


@dataclass(frozen=True)
class ImageCommand:
    """What a pre-initialized container of an image needs to know about the image."""

    entrypoint: list[str]
    cmd: list[str]
    environment: dict[str, str]
    python: bool  # a lambdad Python runtime image: waits in `python_zygote`


def _image_command(client: docker.DockerClient, image: str) -> ImageCommand:
    config = client.images.get(image).attrs.get("Config") or {}
    entrypoint = list(config.get("Entrypoint") or [])
    environment = dict(item.partition("=")[::2] for item in config.get("Env") or [])
    runtime = str((config.get("Labels") or {}).get(LABEL_RUNTIME, ""))
    return ImageCommand(
        entrypoint,
        list(config.get("Cmd") or []),
        environment,
        runtime.startswith("python") and entrypoint == ["/lambda-entrypoint.sh"],
    )


def _starts_alike(variables: Mapping[str, str], image_environment: Mapping[str, str]) -> bool:
    """True if no variable that affects a process's start differs from the image's."""
    return all(
        image_environment.get(name) == value
        for name, value in variables.items()
        if name in STARTUP_VARIABLES or name.startswith(STARTUP_PREFIXES)
    )


def _link_tree(source: Path, target: Path) -> None:
    """Hard links of `source`'s files under `target` (copies across file systems)."""
    for root, dirs, files in os.walk(source):
        relative = Path(root).relative_to(source)
        here = target / relative
        for name in dirs:
            path = here / name
            path.mkdir()
            path.chmod(stat.S_IMODE((Path(root) / name).stat().st_mode))
        for name in files:
            origin = Path(root) / name
            if origin.is_symlink():
                os.symlink(os.readlink(origin), here / name)
                continue
            try:
                os.link(origin, here / name)
            except OSError:
                shutil.copy2(origin, here / name)


def _link_function(directory: Path, code_dir: Path | None, opt_dir: Path | None) -> None:
    (directory / "task" / START_FIFO).unlink(missing_ok=True)
    if code_dir is not None:
        _link_tree(code_dir, directory / "task")
    if opt_dir is not None:
        _link_tree(opt_dir, directory / "opt")


class StartChannel:
    """The daemon's end of the FIFO a waiting container reads its start command from.

    `ready` returns once the waiting program has the FIFO open; the write end opened then is
    held until `send`, so the program's read ends (EOF) only after the command. (A readiness
    probe that opened and closed the FIFO gave the program an empty read; a command written
    while it was closing that read went down with the pipe, and the container waited forever:
    on a loaded host, a hand-over lost now and then.)
    """

    def __init__(self, fifo: Path) -> None:
        self.fifo = fifo
        self._fd: int | None = None

    async def ready(self) -> None:
        """Wait until the waiting program reads the FIFO; from then on hold its write end."""
        while self._fd is None:
            try:
                self._fd = os.open(self.fifo, os.O_WRONLY | os.O_NONBLOCK | os.O_CLOEXEC)
            except OSError as error:
                if error.errno != errno.ENXIO:
                    raise
                await asyncio.sleep(0.01)

    async def send(self, command: bytes) -> None:
        """Write the start command and close the write end (the reader's EOF).

        Raises OSError when the channel was never ready or the reader is gone (EPIPE).
        """
        fd, self._fd = self._fd, None
        if fd is None:
            raise OSError(errno.EBADF, "the waiting container's start channel is not open")
        try:
            view = memoryview(command)
            while view:
                try:
                    written = os.write(fd, view)
                except BlockingIOError:  # a command larger than the pipe's buffer
                    await asyncio.sleep(0.001)
                    continue
                view = view[written:]
        finally:
            os.close(fd)

    def close(self) -> None:
        """Drop the write end without a command (idempotent)."""
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)


class PrewarmedContainer:
    """A started container waiting for a function (see `PrewarmPool`)."""

    def __init__(
        self,
        executor: DockerExecutor,
        container: Container | None,
        directory: Path,
        memory_mb: int,
    ) -> None:
        self._executor = executor
        self.container = container
        self.directory = directory
        self.memory_mb = memory_mb
        self.started_at = time.monotonic()
        self.addresses: tuple[frozenset[str], frozenset[str]] | None = None
        self.channel = StartChannel(directory / "task" / START_FIFO)
        self._discarded = False

    async def discard(self) -> None:
        """Remove the container and its directory (idempotent)."""
        if self._discarded:
            return
        self._discarded = True
        self._executor._waiting.discard(self)
        self.channel.close()
        try:
            if self.container is not None:
                await self._executor._streams.remove(str(self.container.id))
        finally:
            await asyncio.to_thread(shutil.rmtree, self.directory, True)


class DockerProcess:
    """A running environment container (implements `executor.RuntimeProcess`).

    Its output and its exit are followed over one aiohttp log stream on the event loop
    (`EngineStreams`): no thread is held for the container's life.
    """

    def __init__(
        self,
        container: Container,
        calls: EngineCalls,
        streams: EngineStreams,
        on_removed: Callable[[], None] | None = None,
    ) -> None:
        self._container = container
        self._calls = calls
        self._streams = streams
        self._on_removed = on_removed
        self._exit_code: int | None = None
        self._final_state: dict[str, Any] | None = None
        self._removed = False
        self._stats_peak: int | None = None
        self._cgroup_peak_path: str | None = None
        self._stats_refresh: asyncio.Task[None] | None = None
        self._addresses: asyncio.Future[tuple[frozenset[str], frozenset[str]]] | None = None
        self._untranslated_warned = False
        self._chunks: asyncio.Queue[tuple[int, bytes] | None] = asyncio.Queue()
        self._follower: asyncio.Task[None] | None = None
        self._ended = asyncio.Event()

    @property
    def container_id(self) -> str:
        """The container's id."""
        return str(self._container.id)

    async def _blocking(self, fn: Callable[[], Any]) -> Any:
        return await self._calls.run(fn)

    def _follow(self) -> None:
        if self._follower is None:
            self._follower = asyncio.create_task(self._pump())

    async def _pump(self) -> None:
        """Copy the log stream into `_chunks` until the container stops (or is removed)."""
        last: dict[int, bytes] = {}
        try:
            async for stream, chunk in self._streams.logs(self.container_id):
                self._chunks.put_nowait((stream, chunk))
                last[stream] = chunk
            # A last message without a newline can miss a follow stream that ends when the
            # container stops (the engine flushes it at EOF); fetch it once more.
            if not self._removed:
                tail = self._streams.logs(self.container_id, follow=False, tail="1")
                async for stream, final in tail:
                    if final and not final.endswith(b"\n") and final != last.get(stream):
                        self._chunks.put_nowait((stream, final))
        except (aiohttp.ClientError, OSError, ValueError, asyncio.IncompleteReadError):
            pass  # the container was removed under the stream, or the engine went away
        finally:
            self._chunks.put_nowait(None)
            self._ended.set()

    async def output(self) -> AsyncIterator[str]:
        """stdout and stderr lines, interleaved as written, until the container exits."""
        self._follow()
        # Per stream (stdout, stderr): the unfinished line, in pieces (joined once, not per
        # chunk), and its size. A line of one stream is never cut by the other's output.
        partial: dict[int, tuple[list[bytes], int]] = {}
        while (item := await self._chunks.get()) is not None:
            stream, chunk = item
            parts, size = partial.get(stream, ([], 0))
            if b"\n" not in chunk and size + len(chunk) < LINE_LIMIT:
                parts.append(chunk)
                partial[stream] = (parts, size + len(chunk))
                continue
            *lines, rest = b"".join([*parts, chunk]).split(b"\n")
            for line in lines:
                yield line.decode("utf-8", "replace").rstrip("\r")
            while len(rest) >= LINE_LIMIT:  # an endless line is handed over in pieces
                yield rest[:LINE_LIMIT].decode("utf-8", "replace")
                rest = rest[LINE_LIMIT:]
            partial[stream] = ([rest], len(rest))
        for parts, size in partial.values():
            if size:
                yield b"".join(parts).decode("utf-8", "replace")

    async def wait(self) -> int:
        """The container's exit code, once it has exited."""
        if self._exit_code is None:
            # The log stream ends when the container stops: no connection is held for the
            # wait itself, which is then answered at once.
            self._follow()
            await self._ended.wait()
            code: int | None = None
            with contextlib.suppress(aiohttp.ClientError, OSError, ValueError):
                code = await self._streams.wait(self.container_id)
            if code is None:
                state = self._final_state or {}
                code = int(state.get("ExitCode", 137))
            self._exit_code = signal_exit(code)
        return self._exit_code

    async def _state(self) -> dict[str, Any]:
        if self._final_state is not None:
            return self._final_state
        try:
            await self._blocking(self._container.reload)
        except docker.errors.NotFound:
            return {}
        state = dict(self._container.attrs.get("State") or {})
        if state.get("Status") in {"exited", "dead"}:
            self._final_state = state  # it cannot change any more: kill need not ask again
        return state

    async def out_of_memory(self) -> bool:
        """True if the kernel killed the container for exceeding its memory limit."""
        return bool((await self._state()).get("OOMKilled"))

    async def max_memory_used_mb(self) -> int | None:
        """Peak memory of the container's cgroup, while it runs.

        Read from the host's cgroupfs when the daemon can see it (a sysfs read); the stats
        API is the fallback, refreshed in the background, because one call costs up to a
        second on some engines and a REPORT line must not wait for it.
        """
        peak = self._cgroup_peak()
        if peak is None:
            if self._stats_refresh is None or self._stats_refresh.done():
                self._stats_refresh = asyncio.create_task(self._refresh_stats_peak())
            peak = self._stats_peak
        return max(1, round(peak / 2**20)) if peak else None

    async def _refresh_stats_peak(self) -> None:
        try:
            stats = await self._blocking(
                functools.partial(self._container.stats, stream=False, one_shot=True)
            )
        except (docker.errors.DockerException, requests.RequestException, EngineCallTimeout):
            return
        memory = stats.get("memory_stats") or {}
        peak = memory.get("max_usage") or memory.get("usage")
        if peak:
            self._stats_peak = max(self._stats_peak or 0, int(peak))

    def _cgroup_peak(self) -> int | None:
        # The file that answered once is read first from then on (this runs for every REPORT).
        if self._cgroup_peak_path is not None:
            with contextlib.suppress(OSError, ValueError):
                return int(proc_tree.read_file(self._cgroup_peak_path))
        directory = container_cgroup(self.container_id)
        if directory is None:
            return None
        for name in PEAK_FILES:
            path = f"{directory}/{name}"
            with contextlib.suppress(OSError, ValueError):
                peak = int(proc_tree.read_file(path))
                self._cgroup_peak_path = path
                return peak
        return None

    async def owns_connection(self, peer: tuple[str, int], local: tuple[str, int]) -> bool:
        """True if the connection comes from one of the container's addresses.

        Containers reach the daemon across the bridge untranslated, so the source address
        is the container's own. The addresses are looked up once (after the start, when
        the engine has assigned them).
        """
        if self._removed:
            return False
        if self._addresses is None:
            self._addresses = asyncio.ensure_future(self._blocking(self._lookup_addresses))
        try:
            addresses, networks = await asyncio.shield(self._addresses)
        except (docker.errors.DockerException, EngineCallTimeout):
            self._addresses = None  # looked up again by the next connection
            return False
        if not addresses:
            # Host networking: the engine reports no address; there is nothing to tell
            # environments apart by.
            self._warn_unchecked(peer[0], "container has no address")
            return True
        verdict = peers.container_peer_allowed(peer[0], addresses, networks)
        if verdict is None:
            self._warn_unchecked(peer[0], "source address translated by the engine")
            return True
        return verdict

    def known_addresses(self, addresses: tuple[frozenset[str], frozenset[str]]) -> None:
        """The container's addresses, looked up already (a pre-initialized container)."""
        future: asyncio.Future[tuple[frozenset[str], frozenset[str]]]
        future = asyncio.get_running_loop().create_future()
        future.set_result(addresses)
        self._addresses = future

    def _warn_unchecked(self, peer: str, why: str) -> None:
        if not self._untranslated_warned:
            self._untranslated_warned = True
            log.warning("runtime api peer cannot be checked", reason=why, peer=peer)

    def _lookup_addresses(self) -> tuple[frozenset[str], frozenset[str]]:
        """The container's addresses and its networks (CIDRs), from the engine."""
        self._container.reload()
        settings = (self._container.attrs.get("NetworkSettings") or {}).get("Networks") or {}
        addresses, networks = set(), set()
        for network in settings.values():
            for address_key, length_key in (
                ("IPAddress", "IPPrefixLen"),
                ("GlobalIPv6Address", "GlobalIPv6PrefixLen"),
            ):
                address = (network or {}).get(address_key)
                if address:
                    addresses.add(str(address))
                    default = 128 if ":" in str(address) else 32
                    networks.add(f"{address}/{(network or {}).get(length_key) or default}")
        return frozenset(addresses), frozenset(networks)

    async def kill(self) -> None:
        """Remove the container now (idempotent); its final state stays readable."""
        if self._removed:
            return
        self._removed = True
        if self._final_state is None:
            # Not known to have exited: this removal kills it. One engine call per container
            # (no inspect first) keeps a stop with many environments within the engine's pace.
            self._final_state = {"Status": "exited", "ExitCode": 137, "OOMKilled": False}
        await self._streams.remove(self.container_id)
        if self._follower is not None and not self._follower.done():
            # Removal ends the stream; the reader stops on its own (and sets `_ended`).
            with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(asyncio.shield(self._follower), ENGINE_CALL_TIMEOUT_S)
        if self._on_removed is not None:
            self._on_removed()


class DockerExecutor:
    """Runs each execution environment in its own container (implements `Executor`)."""

    name = "docker"
    # Output reaches the daemon through the engine's log driver, typically a few ms after the
    # runtime wrote it but up to tens of ms under load: how long to wait for a function's last
    # lines after its response before framing END/REPORT.
    output_latency_s = 0.05

    def __init__(
        self,
        client: docker.DockerClient,
        *,
        daemon_id: str,
        images: RuntimeImages | None = None,
        plan: NetworkPlan | None = None,
        flags: DockerFlags | None = None,
        endpoints: AwsEndpoints | None = None,
    ) -> None:
        self._client = client
        self._flags = flags or DockerFlags()
        self._endpoints = endpoints
        self._daemon_id = daemon_id
        self._instance = uuid.uuid4().hex[:16]
        self._images = images or RuntimeImages(client)
        self._plan = plan or plan_network(client)
        self._closed = False
        # Short engine calls: a few threads, a timeout each, paced starts.
        self._calls = EngineCalls()
        # Log streams and exit waits: on the event loop, no thread per environment.
        self._streams = EngineStreams(client)
        self._sweeper: asyncio.Task[None] | None = None
        self._processes: dict[str, DockerProcess] = {}
        # (image, WorkingDirectory) -> whether the image has that directory.
        self._workdirs: dict[tuple[str, str], bool] = {}
        # runtime -> (image, when resolved): a start does not ask the engine every time.
        self._resolved: dict[str, tuple[str, float]] = {}
        # image -> (Entrypoint, Cmd) of its config, for pre-initialized containers.
        self._image_commands: dict[str, ImageCommand] = {}
        self.prewarm: PrewarmPool[PrewarmedContainer] | None = None
        self._prewarm_root: Path | None = None
        self._start_deadline_s = 30.0
        self._background: set[asyncio.Task[None]] = set()
        # Environment id -> the waiting container taken for it (`take_prewarmed`).
        self._reserved: dict[str, PrewarmedContainer] = {}
        # Started waiting containers not assigned yet (with `_processes`: every container
        # whose processes `_runtime_pids` names).
        self._waiting: set[PrewarmedContainer] = set()
        # The event loop's CPU reservation (`keep_loop_cpu`), if on.
        self._core: DaemonCore | None = None

    @classmethod
    async def create(
        cls,
        *,
        daemon_id: str,
        network: str | None = None,
        image_mapping: Mapping[str, str] | None = None,
        pull: bool = True,
        flags: DockerFlags | None = None,
        endpoints: AwsEndpoints | None = None,
        data_dir: Path | None = None,
    ) -> DockerExecutor:
        """Connect to the engine (DOCKER_HOST or the local socket) and plan networking.

        With `data_dir`, the daemon id is that of the data dir's engine-side path: every
        daemon container has the same /var/lib/lambdad, but not the same volume.
        """

        def connect() -> DockerExecutor:
            # The socket timeout backs up EngineCalls' own (pulls get longer, see _ensure_image).
            client = docker.from_env(
                timeout=round(2 * ENGINE_CALL_TIMEOUT_S), max_pool_size=2 * ENGINE_CONCURRENCY
            )
            plan = plan_network(client, network)
            images = RuntimeImages(client, image_mapping, pull=pull)
            own_id = daemon_id
            if data_dir is not None and plan.mounts:
                own_id = daemon_id_for(Path(plan.host_path(data_dir.resolve())))
            return cls(
                client,
                daemon_id=own_id,
                images=images,
                plan=plan,
                flags=flags,
                endpoints=endpoints,
            )

        executor = await asyncio.to_thread(connect)
        log.info(
            "docker executor ready",
            daemon_id=executor.daemon_id,
            bind_host=executor._plan.binding.bind_host,
            advertised_host=executor._plan.binding.advertised_host,
            network=executor._plan.network or "bridge",
        )
        return executor

    @property
    def daemon_id(self) -> str:
        """The daemon id this executor labels its containers with."""
        return self._daemon_id

    @property
    def instance(self) -> str:
        """The per-executor token that tells this run's containers from a crashed run's."""
        return self._instance

    async def _blocking(self, fn: Callable[[], Any], *, timeout_s: float | None = None) -> Any:
        # Engine calls use the executor's own threads, never asyncio's default pool (small,
        # and shared with the gateway and code intake), and at most a few at once.
        return await self._calls.run(fn, timeout_s=timeout_s)

    def runtime_api_binding(self) -> RuntimeApiBinding:
        """How this executor's environments reach the daemon."""
        return self._plan.binding

    async def _image_for(self, spec: EnvironmentSpec) -> str:
        if spec.package_type == "Image":
            if not spec.image_uri:
                raise LambdaError(Reason.INVALID_PARAMETER_VALUE, "ImageUri is required.")
            return await self._ensure_image(spec.image_uri)
        if not spec.runtime:
            raise LambdaError(Reason.INVALID_PARAMETER_VALUE, "Runtime is required.")
        cached = self._resolved.get(spec.runtime)
        if cached is not None and time.monotonic() - cached[1] < IMAGE_CACHE_S:
            return cached[0]
        resolve = functools.partial(self._images.resolve, spec.runtime)
        # Resolving may pull AWS's public base image: a pull's timeout.
        image = str(await self._blocking(resolve, timeout_s=ENGINE_PULL_TIMEOUT_S))
        self._resolved[spec.runtime] = (image, time.monotonic())
        return image

    async def _ensure_image(self, ref: str) -> str:
        """A reference the engine can run for `ref`, pulling it if needed."""

        def present_or_pulled() -> str | None:
            candidates = [ref]
            # A digest lambdad made up from a local image id (see `resolve_image`).
            if "@sha256:" in ref:
                candidates.append("sha256:" + ref.rpartition("@sha256:")[2])
            for candidate in candidates:
                try:
                    self._client.images.get(candidate)
                    return candidate
                except docker.errors.ImageNotFound:
                    continue
                except docker.errors.APIError:
                    continue  # e.g. an invalid reference format
            if not self._images.pulls:
                log.warning("image not present and pulling is off", image=ref)
                return None
            try:
                self._client.images.pull(ref)
                return ref
            except docker.errors.DockerException:
                return None

        found = await self._blocking(present_or_pulled, timeout_s=ENGINE_PULL_TIMEOUT_S)
        if found is None:
            raise LambdaError(
                Reason.INVALID_PARAMETER_VALUE,
                f"Source image {ref} does not exist. Provide a valid source image.",
            )
        return str(found)

    async def resolve_image(self, image_uri: str) -> tuple[str, str] | None:
        """`(digest hex, "<repo>@sha256:<hex>")` of `image_uri`, pulling it if needed.

        The digest is the registry's manifest digest when the engine knows one for the
        repository (a pulled image), else the local image id: a locally built image has
        no manifest digest until it is pushed. None when the image cannot be found.
        """
        try:
            found = await self._ensure_image(image_uri)
        except LambdaError:
            return None
        image = await self._blocking(functools.partial(self._client.images.get, found))
        repository = _repository_of(image_uri)
        for repo_digest in image.attrs.get("RepoDigests") or []:
            name, _, digest = str(repo_digest).partition("@")
            if name == repository and digest.startswith("sha256:"):
                return digest.removeprefix("sha256:"), f"{repository}@{digest}"
        digest = str(image.id).removeprefix("sha256:")
        return digest, f"{repository}@sha256:{digest}"

    async def check_runtime(self, runtime: str | None, image_uri: str | None) -> None:
        """Raise a LambdaError naming `lambdad images build` when no image can run this."""
        if image_uri:
            await self._ensure_image(image_uri)
        elif runtime:
            cached = self._resolved.get(runtime)
            if cached is None or time.monotonic() - cached[1] >= IMAGE_CACHE_S:
                resolve = functools.partial(self._images.resolve, runtime)
                image = str(await self._blocking(resolve, timeout_s=ENGINE_PULL_TIMEOUT_S))
                self._resolved[runtime] = (image, time.monotonic())
            # A function of this runtime is being created: its first invocation is near.
            self.expect(runtime)

    def _labels(self, spec: EnvironmentSpec) -> dict[str, str]:
        return {
            **spec.labels,
            LABEL_MANAGED: "true",
            LABEL_DAEMON: self._daemon_id,
            LABEL_INSTANCE: self._instance,
            LABEL_FUNCTION: spec.function_name,
            LABEL_VERSION: spec.function_version,
            LABEL_ENVIRONMENT: spec.environment_id,
        }

    async def start(self, spec: EnvironmentSpec, runtime_api: str) -> DockerProcess:
        """Create and start the environment's container."""
        # Checked here rather than left to the container's bootstrap so the invocation fails
        # as AWS reports it (and as the process executor does).
        custom = spec.package_type != "Image" and (spec.runtime or "").startswith("provided")
        if custom and not await self._blocking(functools.partial(_has_bootstrap, spec)):
            raise RuntimeStartError(
                "Runtime.InvalidEntrypoint",
                "Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]",
            )
        image = await self._image_for(spec)
        if spec.package_type == "Image":
            await self._check_working_dir(image, spec)
        options = container_options(
            spec, image, runtime_api, self._plan, self._labels(spec), self._flags, self._endpoints
        )
        waiting = self._reserved.pop(spec.environment_id, None)
        prewarm_key = self._prewarm_key(PoolFit.of_spec(spec), image)
        if waiting is not None and prewarm_key is None:
            await waiting.discard()  # reserved for a spec it cannot serve after all
            waiting = None
        if waiting is None and prewarm_key is not None and self.prewarm is not None:
            # Not a miss of its own: `take_prewarmed` counted this start already.
            waiting = self.prewarm.take(prewarm_key, spec.memory_mb, miss=False)
        if waiting is not None:
            try:
                return await self._assign(waiting, spec, image, options)
            except (OSError, docker.errors.DockerException, EngineCallTimeout) as error:
                # A waiting container that died or cannot take the function: start one the
                # usual way.
                log.warning("pre-initialized environment unusable", error=repr(error))
                await waiting.discard()
        # Paced: a burst of cold starts queues here rather than in the engine.
        await self._calls.pacer.take()
        container = await self._blocking(
            functools.partial(self._client.containers.create, **options)
        )
        process = DockerProcess(
            container, self._calls, self._streams, lambda: self._forget(spec.environment_id)
        )
        self._processes[spec.environment_id] = process
        try:
            await self._blocking(container.start)
        except docker.errors.APIError as error:
            await process.kill()
            # runc could not exec ENTRYPOINT/CMD: AWS reports Runtime.InvalidEntrypoint.
            explanation = str(error.explanation or error)
            match = re.search(r"exec: (.*?)(?:: unknown)?$", explanation)
            if spec.package_type == "Image" and match:
                raise RuntimeStartError(
                    "Runtime.InvalidEntrypoint", f"fork/exec {match[1]}"
                ) from error
            raise
        except BaseException:
            await process.kill()
            raise
        self._place(process.container_id)
        log.debug(
            "container started",
            container=container.short_id,
            image=image,
            function=spec.function_name,
            environment=spec.environment_id,
        )
        return process

    async def _check_working_dir(self, image: str, spec: EnvironmentSpec) -> None:
        """Runtime.InvalidWorkingDir if WorkingDirectory is not a directory of the image.

        The engine would create a missing working directory; Lambda refuses to start
        instead. It is looked up in a never-started probe container (once per image).
        """
        workdir = str((spec.image_config or {}).get("WorkingDirectory") or "")
        if not workdir:
            return
        known = self._workdirs.get((image, workdir))
        if known is None:

            def is_directory() -> bool:
                probe = self._client.containers.create(
                    image, entrypoint=["/"], labels=self._labels(spec), network_disabled=True
                )
                try:
                    stream, stat = probe.get_archive(workdir)
                    with contextlib.suppress(Exception):
                        stream.close()  # type: ignore[attr-defined]
                    return bool(int(stat.get("mode", 0)) & (1 << 31))  # Go's os.ModeDir
                except docker.errors.NotFound:
                    return False
                finally:
                    probe.remove(force=True)

            known = bool(await self._blocking(is_directory))
            self._workdirs[(image, workdir)] = known
        if not known:
            raise RuntimeStartError(
                "Runtime.InvalidWorkingDir", f"chdir {workdir}: no such file or directory"
            )

    def _forget(self, environment_id: str) -> None:
        self._processes.pop(environment_id, None)

    # ------------------------------------------------------------ the event loop's CPU
    def keep_loop_cpu(self) -> DaemonCore | None:
        """While the event loop is busy, keep the processes of this executor's containers off
        its CPU (`DaemonCore`; None on a host with one CPU). Runs until `close`.

        Only a daemon that sees its containers' cgroups and processes (one on the engine's
        host) can move them; elsewhere it finds none and reserves nothing.
        """
        self._core = DaemonCore.keep(self._runtime_pids)
        return self._core

    def _runtime_pids(self) -> list[int]:
        ids = [process.container_id for process in self._processes.values()]
        ids += [str(w.container.id) for w in self._waiting if w.container is not None]
        return [pid for container_id in ids for pid in container_pids(container_id)]

    def _place(self, container_id: str) -> None:
        """A container started: off the loop's CPU if it is reserved. (The engine started its
        processes: they may use every CPU.)"""
        if self._core is not None and self._core.reserved is not None:
            for pid in container_pids(container_id):
                self._core.started(pid)

    async def _renamed(self, rename: Callable[[], Any]) -> None:
        with contextlib.suppress(docker.errors.DockerException, EngineCallTimeout):
            await self._blocking(rename)

    # ------------------------------------------------------ pre-initialized environments
    def enable_prewarm(
        self,
        size: int,
        governor: Governor,
        root: Path,
        *,
        idle_timeout_s: float = 600.0,
        start_deadline_s: float = 30.0,
        max_spares: int = 0,
        max_parallel: int = 4,
    ) -> PrewarmPool[PrewarmedContainer] | None:
        """Keep `size` started containers per runtime image waiting for a function (0: off).

        `root` holds one directory per waiting container (code, layers and the FIFO it waits
        on); whatever a previous run left there is removed. A burst may raise an image's
        count to `max_spares` for a while, `max_parallel` starting at once (see `PrewarmPool`).
        """
        if size <= 0:
            return None
        self._start_deadline_s = start_deadline_s
        shutil.rmtree(root, ignore_errors=True)
        root.mkdir(parents=True, exist_ok=True)
        root.chmod(0o755)
        self._prewarm_root = root
        self.prewarm = PrewarmPool(
            size,
            self._start_prewarmed,
            governor,
            idle_timeout_s=idle_timeout_s,
            max_spares=max_spares,
            max_parallel=max_parallel,
        )
        return self.prewarm

    def take_prewarmed(self, config: FunctionVersion, demand: int = 1) -> PrewarmedContainer | None:
        """A waiting container for `config`, its capacity slot kept by the caller, or None.

        `demand`: the function's invocations in flight (a burst sizes the spares by it).

        The pool asks before it takes a slot of its own: taking a waiting container's slot
        over never makes the governor reclaim another waiting container for the room.
        """
        cached = self._resolved.get(config.runtime or "")
        key = self._prewarm_key(PoolFit.of_config(config), cached[0] if cached else None)
        if key is None or self.prewarm is None:
            return None
        return self.prewarm.take(key, config.memory_size, keep_slot=True, demand=demand)

    def reserve(self, environment_id: str, waiting: PrewarmedContainer) -> None:
        """`waiting` is for the environment `environment_id`: its start uses it."""
        self._reserved[environment_id] = waiting

    def _prewarm_key(self, fit: PoolFit, image: str | None) -> Hashable | None:
        """The pool key a function of `image` can be served from, or None if it needs a
        container of its own (a waiting container has the default /tmp size)."""
        if (
            self.prewarm is None
            or image is None
            or not fit.poolable
            or fit.ephemeral_storage_mb != DEFAULT_EPHEMERAL_MB
        ):
            return None
        return (image, fit.ephemeral_storage_mb)

    def expect(self, runtime: str | None, memory_mb: int = DEFAULT_MEMORY_MB) -> None:
        """A function of `runtime` was created: have containers of its image waiting."""
        if self.prewarm is None or not runtime:
            return
        cached = self._resolved.get(runtime)
        if cached is not None:
            self.prewarm.want((cached[0], DEFAULT_EPHEMERAL_MB), memory_mb)

    async def _start_prewarmed(self, key: Hashable, memory_mb: int) -> PrewarmedContainer:
        assert isinstance(key, tuple) and self._prewarm_root is not None
        image, ephemeral_mb = key
        ident = uuid.uuid4().hex
        directory = self._prewarm_root / ident
        await asyncio.to_thread(_make_prewarm_dir, directory)
        if image not in self._image_commands:
            self._image_commands[image] = await self._blocking(
                functools.partial(_image_command, self._client, image)
            )
        template = prewarm_template(ident, directory, memory_mb, ephemeral_mb)
        labels = {**self._labels(template), LABEL_FUNCTION: "", LABEL_PREWARM: "true"}
        options = container_options(template, image, "", self._plan, labels, self._flags, None)
        options["name"] = f"lambdad-prewarm-{ident[:24]}"
        # Nothing of any function (its variables come with the start command), but the
        # locale every function starts with.
        options["environment"] = dict(LOCALE_VARIABLES)
        if self._image_commands[image].python:
            options["entrypoint"] = ["python3", "-c", PYTHON_ZYGOTE]
        else:
            options["entrypoint"] = ["/bin/sh", "-c", PREWARM_WRAPPER]
        options.pop("command", None)
        waiting = PrewarmedContainer(self, None, directory, memory_mb)
        try:
            await self._calls.pacer.take()
            waiting.container = await self._blocking(
                functools.partial(self._client.containers.create, **options)
            )
            await self._blocking(waiting.container.start)
            self._waiting.add(waiting)
            self._place(str(waiting.container.id))
            # Its addresses are known now: the runtime's first connection need not ask.
            process = DockerProcess(waiting.container, self._calls, self._streams)
            waiting.addresses = await self._blocking(process._lookup_addresses)
            # Waiting only once its wrapper reads the FIFO (an interpreter start on a loaded
            # host can take seconds).
            async with asyncio.timeout(self._start_deadline_s):
                await waiting.channel.ready()
        except BaseException:
            await waiting.discard()
            raise
        waiting.started_at = time.monotonic()
        return waiting

    async def _assign(
        self,
        waiting: PrewarmedContainer,
        spec: EnvironmentSpec,
        image: str,
        options: Mapping[str, Any],
    ) -> DockerProcess:
        """Hand a waiting container the function of `spec`: code, layers, memory, variables."""
        container = waiting.container
        assert container is not None
        described = self._image_commands[image]
        if "entrypoint" in options:
            argv = [*options["entrypoint"], *options.get("command", [])]
        else:
            argv = [*described.entrypoint, *options.get("command", described.cmd)]
        variables = {name: str(value) for name, value in options["environment"].items()}
        # The waiting program holds the FIFO open: its name goes before the code comes.
        await asyncio.to_thread(_link_function, waiting.directory, spec.code_dir, spec.opt_dir)
        if spec.memory_mb != waiting.memory_mb:
            memory = f"{spec.memory_mb}m"
            update = functools.partial(container.update, mem_limit=memory, memswap_limit=memory)
            await self._blocking(update)
        if described.python:
            # The waiting interpreter becomes the runtime itself when the command is the
            # image's usual one (behind the HOME/HOSTNAME unsetting, which it then applies).
            prefix = len(UNSET_DOCKER_VARIABLES)
            unsetting = argv[:prefix] == UNSET_DOCKER_VARIABLES
            core = argv[prefix:] if unsetting else argv
            in_process = (
                core[:1] == ["/lambda-entrypoint.sh"]
                and len(core) == 2
                and _starts_alike(variables, {**described.environment, **LOCALE_VARIABLES})
            )
            unset = list(UNSET_VARIABLES) if unsetting else []
            message = json.dumps(
                {"variables": variables, "argv": argv, "in_process": in_process, "unset": unset}
            ).encode()
        else:
            message = (
                "exec env -- "
                + " ".join(
                    [*(shlex.quote(f"{name}={value}") for name, value in variables.items())]
                    + [shlex.quote(arg) for arg in argv]
                )
            ).encode()
        await waiting.channel.send(message)
        self._waiting.discard(waiting)  # an environment's container from now on
        directory = waiting.directory

        def removed() -> None:
            self._forget(spec.environment_id)
            shutil.rmtree(directory, ignore_errors=True)

        # Named as a container started for the function is (`docker ps` readers, scripts that
        # count a function's containers); off the invocation's path. Labels cannot change: an
        # assigned container keeps LABEL_PREWARM and an empty function label.
        rename = functools.partial(container.rename, str(options["name"]))
        task = asyncio.ensure_future(self._renamed(rename))
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        process = DockerProcess(container, self._calls, self._streams, removed)
        if waiting.addresses is not None:
            process.known_addresses(waiting.addresses)
        self._processes[spec.environment_id] = process
        log.debug(
            "pre-initialized container assigned",
            container=container.short_id,
            function=spec.function_name,
            environment=spec.environment_id,
        )
        return process

    async def _managed(self, **extra_filters: str) -> list[dict[str, Any]]:
        """Summaries (id, labels, state, created) of this daemon's containers: one list call,
        not one inspect per container."""
        filters: dict[str, Any] = {
            "label": [f"{LABEL_MANAGED}=true", f"{LABEL_DAEMON}={self._daemon_id}"],
            **extra_filters,
        }
        api = self._client.api
        listing = functools.partial(api.containers, all=True, filters=filters)
        return list(await self._blocking(listing))

    async def _remove(self, container_id: str) -> bool:
        """Force-remove a container by id; False if it was already gone."""
        return await self._streams.remove(container_id)

    async def remove_orphans(self) -> int:
        """Remove containers a previous run of this daemon (same daemon id) left behind.

        Also starts the sweep of containers stuck in `Created` (see `_sweep_stuck`).
        """
        orphans = [
            summary["Id"]
            for summary in await self._managed()
            if (summary.get("Labels") or {}).get(LABEL_INSTANCE) != self._instance
        ]
        results = await asyncio.gather(*(self._remove(c) for c in orphans), return_exceptions=True)
        removed = sum(1 for result in results if result is True)
        if removed:
            log.info("removed orphaned environments", count=removed)
        if self._sweeper is None and not self._closed:
            self._sweeper = asyncio.create_task(self._sweep_stuck_forever())
        return removed

    async def _sweep_stuck_forever(self) -> None:
        while True:
            await asyncio.sleep(SWEEP_INTERVAL_S)
            try:
                await self.sweep_stuck()
            except (
                docker.errors.DockerException,
                requests.RequestException,
                TimeoutError,
            ) as error:
                # An engine hiccup must not end the sweeping.
                log.warning("sweep of stuck containers failed", error=repr(error))

    async def sweep_stuck(self, older_than_s: float = STUCK_CREATED_S) -> int:
        """Remove this daemon's containers that stayed in `Created` (a start that never came).

        A start that timed out removes its container itself; this catches the ones whose
        create answered after the start was given up, or whose removal failed.
        """
        now = time.time()
        stuck = [
            summary["Id"]
            for summary in await self._managed(status="created")
            if now - float(summary.get("Created") or now) >= older_than_s
        ]
        results = await asyncio.gather(*(self._remove(c) for c in stuck), return_exceptions=True)
        removed = sum(1 for result in results if result is True)
        if removed:
            log.warning("removed containers stuck in Created", count=removed)
        return removed

    async def close(self) -> None:
        """Remove every container this executor started, then release the engine (idempotent)."""
        if self._closed:
            return
        self._closed = True
        if self._core is not None:
            await self._core.stop()
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
        if self.prewarm is not None:
            await self.prewarm.close()
        processes = list(self._processes.values())
        self._processes.clear()
        await asyncio.gather(*(p.kill() for p in processes), return_exceptions=True)
        # Final sweep by label: containers whose start was interrupted before they were
        # tracked, or whose removal failed above.
        with contextlib.suppress(docker.errors.DockerException, TimeoutError):
            left = [
                summary["Id"]
                for summary in await self._managed()
                if (summary.get("Labels") or {}).get(LABEL_INSTANCE) == self._instance
            ]
            await asyncio.gather(*(self._remove(c) for c in left), return_exceptions=True)
        self._calls.close()
        await self._streams.close()
        await asyncio.to_thread(self._client.close)


def container_cgroup(container_id: str) -> str | None:
    """The directory of a container's cgroup, or None if this daemon cannot see it."""
    for template in CGROUP_DIRS:
        path = template.format(container_id)
        if os.path.isdir(path):
            return path
    return None


def container_pids(container_id: str) -> list[int]:
    """The processes in a container's cgroup (host pids), or [] if this daemon cannot see them."""
    directory = container_cgroup(container_id)
    if directory is None:
        return []
    try:
        return [int(pid) for pid in proc_tree.read_file(f"{directory}/cgroup.procs").split()]
    except (OSError, ValueError):
        return []


async def select_executor(
    config_executor: str,
    *,
    daemon_id: str,
    process_executor: Callable[[], Executor],
    docker_network: str | None = None,
    image_mapping: Mapping[str, str] | None = None,
    pull_images: bool = True,
    docker_flags: DockerFlags | None = None,
    endpoints: AwsEndpoints | None = None,
    data_dir: Path | None = None,
) -> Executor:
    """The executor for `--executor docker|process|auto` (auto: Docker when an engine answers).

    `process_executor` builds the process executor (its constructor belongs to
    `runtime/process.py`). `docker` without a reachable engine is an error, not a fallback.
    """
    choice = config_executor.strip().lower()
    if choice not in {"docker", "process", "auto"}:
        raise ValueError(f"unknown executor {config_executor!r}: use docker, process or auto")
    network = docker_network or None
    if choice == "auto":
        reachable = await asyncio.to_thread(docker_available)
        choice = "docker" if reachable else "process"
        log.info(
            "executor selected",
            executor=choice,
            reason="docker engine reachable" if reachable else "no docker engine reachable",
        )
    else:
        log.info("executor selected", executor=choice, reason="configured")
    if choice == "process":
        return process_executor()
    if not await asyncio.to_thread(docker_available):
        raise RuntimeError(
            "--executor docker: no Docker engine reachable (DOCKER_HOST or /var/run/docker.sock)"
        )
    try:
        return await DockerExecutor.create(
            daemon_id=daemon_id,
            network=network,
            image_mapping=image_mapping,
            pull=pull_images,
            flags=docker_flags,
            endpoints=endpoints,
            data_dir=data_dir,
        )
    except EngineUnsupported as error:
        if config_executor.strip().lower() != "auto":
            raise RuntimeError(f"--executor docker: {error}") from error
        log.warning("executor selected", executor="process", reason=str(error))
        return process_executor()
