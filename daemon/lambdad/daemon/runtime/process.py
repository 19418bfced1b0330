"""`ProcessExecutor`: execution environments as local subprocesses (no Docker).

Each environment is one process group started in its own directory under the
data dir (`<data>/environments/<id>/`, with a private `tmp/`). Python runtimes
run `python -m awslambdaric <handler>`, Node.js runtimes run lambdad's own
runtime client (`clients/node/index.mjs`), `provided.*` runtimes run the
package's `bootstrap`. There is no filesystem isolation, no memory limit and no
read-only `/var/task`: this is the no-Docker convenience mode.

Two things hold even here: every process an environment starts dies with it
(`containment.ProcessTree`: its own cgroup, else its session, with the daemon as
subreaper; a record in the environment's directory lets a restarted daemon kill what a
crashed one left), and only the environment's own processes may use its Runtime API
(`LocalProcess.owns_connection`).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Callable, Hashable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import structlog

from lambdad.daemon.errors import LambdaError, Reason
from lambdad.daemon.runtime import containment, node_waiting, peers, proc_tree
from lambdad.daemon.runtime.containment import EnvironmentRecord, ProcessTree
from lambdad.daemon.runtime.daemon_core import DaemonCore
from lambdad.daemon.runtime.debugging import SITE_DIR, debug_port, debug_variables, debugpy_path
from lambdad.daemon.runtime.executor import (
    EnvironmentSpec,
    RuntimeApiBinding,
    RuntimeStartError,
)
from lambdad.daemon.runtime.extensions import extension_files, launcher_command
from lambdad.daemon.runtime.node_waiting import NodeBinary
from lambdad.daemon.runtime.prewarm import Governor, PoolFit, PrewarmPool
from lambdad.daemon.runtime.python_preload import program_text

if TYPE_CHECKING:
    from lambdad.daemon.domain.model import FunctionVersion
    from lambdad.daemon.runtime.environment import AwsEndpoints

log = structlog.get_logger(__name__)

NODE_CLIENT = Path(__file__).parent / "clients" / "node" / "index.mjs"
_LINE_LIMIT = 1024 * 1024
_PYTHON_RE = re.compile(r"python(\d+)\.(\d+)")
_NODE_RE = re.compile(r"nodejs(\d+)\.x")
# Pre-started Python runtimes (see `PrestartedRuntime`) run this (Node.js ones
# `node_waiting.NODE_WAITING`), and say they are up with READY on stdout before anything of a
# function is written there.
PROCESS_WAITING = program_text(Path(__file__).with_name("process_waiting.py"))
READY = b"lambdad-waiting-ready\n"
PRESTART_DEADLINE_S = 30.0
# Variables that change how an interpreter starts (its locale, loader, flags): a function whose
# start differs in one gets a fresh interpreter exec'd by the waiting one, not the waiting one.
STARTUP_VARIABLES = frozenset({"LANG", "LANGUAGE"})
STARTUP_PREFIXES = ("LC_", "PYTHON", "LD_", "MALLOC_", "GLIBC_")


class LocalProcess:
    """A runtime running as a local process tree (`RuntimeProcess`, `peers.ConnectionOwner`)."""

    def __init__(
        self,
        process: asyncio.subprocess.Process,
        directory: Path,
        on_killed: Callable[[], None] | None = None,
        tree: ProcessTree | None = None,
        leaders: Callable[[], set[int]] = set,
    ) -> None:
        self._process = process
        self._directory = directory
        self._on_killed = on_killed
        self._tree = tree
        self._leaders = leaders  # every live environment's leader: asyncio reaps those
        self._killed = False
        self._peak_kb = 0

    @property
    def pid(self) -> int:
        """The process id (also the process group id)."""
        return self._process.pid

    async def output(self) -> AsyncIterator[str]:
        """Lines of the merged stdout/stderr, until the process closes them."""
        stream = self._process.stdout
        assert stream is not None
        while True:
            try:
                raw = await stream.readline()
            except ValueError:  # a line longer than the limit: hand it over in pieces
                raw = await stream.read(_LINE_LIMIT)
            if not raw:
                return
            yield raw.decode("utf-8", "replace").rstrip("\n")

    async def wait(self) -> int:
        """The exit code (negative: killed by that signal)."""
        return await self._process.wait()

    async def owns_connection(self, peer: peers.Address, local: peers.Address) -> bool:
        """True if one of the environment's processes holds the peer end of the connection."""
        if self._killed:
            return False
        members = self._tree.members if self._tree is not None else self._session_members
        return await asyncio.to_thread(peers.connection_from, peer, local, members)

    def _session_members(self) -> list[int]:
        return containment.session_members(self.pid)

    async def kill(self) -> None:
        """Kill every process of the environment, even those whose parent already exited
        (bootstrap scripts and handlers start children), and clean up."""
        if not self._killed:
            self._killed = True
            if self._process.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self._process.pid, signal.SIGKILL)
            killed: list[int] = []
            if self._tree is not None:
                killed = await asyncio.to_thread(self._tree.kill)
                if len(killed) > 1:
                    log.info("killed the environment's processes", count=len(killed))
            try:
                await asyncio.wait_for(self._process.wait(), 10)
            except TimeoutError:
                log.warning("runtime process did not exit after SIGKILL", pid=self.pid)
            # Orphans were re-parented to the daemon (subreaper): collect them.
            leaders = self._leaders() | {self.pid}
            await asyncio.to_thread(_reap_and_remove, self.pid, leaders, killed, self._directory)
            if self._on_killed is not None:
                self._on_killed()

    async def max_memory_used_mb(self) -> int | None:
        """Peak resident memory of the runtime's process tree, as far as /proc shows it.

        The largest of: any member's own peak (VmHWM), the tree's resident total now (a
        bootstrap's children, extensions), and what earlier calls saw -- so a killed
        environment still reports its last figure.
        """
        if not self._killed and self._process.returncode is None:
            # Inline, not in a thread: a few /proc reads (no disk) cost less than the thread
            # hop did, which was paid on every invoke (as the Docker executor's cgroupfs read).
            seen = _tree_memory_kb(self.pid)
            self._peak_kb = max(self._peak_kb, seen)
        return -(-self._peak_kb // 1024) if self._peak_kb else None

    async def out_of_memory(self) -> bool:
        """Processes have no memory limit here, so never."""
        return False


class PrestartedRuntime:
    """A Python interpreter or a node started ahead of need, waiting for a function
    (`PrewarmPool`).

    It runs `process_waiting.py` (or `node_waiting.NODE_WAITING`) in a directory and a process
    tree of its own; at assignment that directory becomes the environment's (HOME, TMPDIR) and
    the process its runtime. A Python interpreter reads the function's start from its stdin, a
    node from `start_fd` (the daemon's end of a pipe): its stdin is /dev/null from the start.
    """

    def __init__(
        self,
        process: LocalProcess,
        key: str | NodeBinary,
        environment: Mapping[str, str],
        memory_mb: int,
        start_fd: int | None = None,
    ) -> None:
        self.process = process
        self.key = key  # the interpreter, or the node (its pool key)
        self.wrapped = False  # started through the shell that enters its cgroup
        self.environment = dict(environment)  # what it was started with
        self.memory_mb = memory_mb
        self.start_fd = start_fd
        # The function it was taken for (`take_prewarmed`), in `_unfit_key`'s terms.
        self.taken_for: tuple[str, ...] | None = None

    @property
    def program(self) -> str:
        """The executable it runs."""
        return self.key.path if isinstance(self.key, NodeBinary) else self.key

    @property
    def directory(self) -> Path:
        """Its directory (`<data>/environments/<pool id>/`)."""
        return self.process._directory

    def close_start(self) -> None:
        """Close the daemon's end of the start pipe (idempotent)."""
        if self.start_fd is not None:
            os.close(self.start_fd)
            self.start_fd = None

    async def discard(self) -> None:
        """Kill it and remove its directory (idempotent)."""
        self.close_start()
        await self.process.kill()


class ProcessExecutor:
    """Starts runtimes as local subprocesses; the default when no Docker engine is reachable."""

    name = "process"
    output_latency_s = 0.005  # a pipe delivers output almost at once

    def __init__(
        self,
        data_dir: Path,
        *,
        python: str | None = None,
        node: str | None = None,
        endpoints: AwsEndpoints | None = None,
        contain: bool = True,
    ):
        self.root = data_dir / "environments"
        # Cgroups where this daemon may create them (root, writable cgroupfs); else sessions.
        self._hierarchy = containment.detect_hierarchy() if contain else None
        self._subreaper = containment.become_subreaper() if contain else False
        log.debug(
            "process containment",
            cgroup=str(self._hierarchy.parent) if self._hierarchy else None,
            cgroup_version=self._hierarchy.version if self._hierarchy else None,
            subreaper=self._subreaper,
        )
        self._endpoints = endpoints
        self._python = python
        self._node = node
        self._warned: set[str] = set()
        self._node_version: str | None = None
        self._usable_pythons: dict[str, bool] = {}
        self._started: dict[str, LocalProcess] = {}
        # Pre-started runtimes: the pool (None: off), those alive by pool id, and the one taken
        # for an environment about to start (`take_prewarmed`).
        self.prewarm: PrewarmPool[PrestartedRuntime] | None = None
        self._prestarted: dict[str, LocalProcess] = {}
        self._reserved: dict[str, PrestartedRuntime] = {}
        # Functions whose start a waiting node turned out not to fit (a layer's lib/ or
        # extensions) are not handed one again: as configured (with their layers, for
        # `take_prewarmed`) and as started (with their /opt, for `start`).
        self._unfit: set[tuple[str, ...]] = set()
        # The event loop's CPU reservation (`keep_loop_cpu`), if on.
        self._core: DaemonCore | None = None

    def runtime_api_binding(self) -> RuntimeApiBinding:
        """Local processes reach the daemon on the loopback interface."""
        return RuntimeApiBinding(bind_host="127.0.0.1", advertised_host="127.0.0.1")

    async def check_runtime(self, runtime: str | None, image_uri: str | None) -> None:
        """Zip functions of Python, Node.js and custom runtimes can run; images cannot."""
        if image_uri or runtime is None:
            raise LambdaError(
                Reason.INVALID_PARAMETER_VALUE,
                "Container image functions need the Docker executor; this daemon runs "
                "functions as local processes (start it with a reachable Docker engine).",
            )
        if runtime.startswith(("python", "nodejs", "provided")):
            if runtime.startswith("nodejs") and not (self._node or shutil.which("node")):
                raise LambdaError(
                    Reason.INVALID_PARAMETER_VALUE,
                    f"Runtime {runtime} needs `node` on PATH in process mode.",
                )
            if self.prewarm is not None and not runtime.startswith("provided"):
                # A function of this runtime is being created: its first invocation is near.
                self.prewarm.want(self._program_key(runtime), 128)
            return
        raise LambdaError(
            Reason.INVALID_PARAMETER_VALUE,
            f"Runtime {runtime} is not supported by the process executor "
            "(Python, Node.js and provided.* runtimes are).",
        )

    def _warn_once(self, runtime: str, message: str, **fields: str) -> None:
        if runtime not in self._warned:
            self._warned.add(runtime)
            log.warning(message, runtime=runtime, **fields)

    def _python_for(self, runtime: str) -> str:
        if self._python:
            return self._python
        match = _PYTHON_RE.fullmatch(runtime)
        here = f"{sys.version_info.major}.{sys.version_info.minor}"
        wanted = f"{match.group(1)}.{match.group(2)}" if match else here
        if wanted == here:
            return sys.executable
        candidate = shutil.which(f"python{wanted}")
        if candidate and candidate not in self._usable_pythons:
            self._usable_pythons[candidate] = _has_awslambdaric(candidate)
        if candidate and self._usable_pythons[candidate]:
            return candidate
        self._warn_once(
            runtime,
            "no local interpreter with awslambdaric for this runtime; using the daemon's",
            local_python=here,
            interpreter=sys.executable,
        )
        return sys.executable

    def _node_for(self, runtime: str) -> str:
        node = self._node or shutil.which("node") or "node"
        match = _NODE_RE.fullmatch(runtime)
        if match and runtime not in self._warned:
            if self._node_version is None:
                try:
                    self._node_version = subprocess.run(
                        [node, "--version"], capture_output=True, text=True, timeout=10
                    ).stdout.strip()
                except (OSError, subprocess.TimeoutExpired):
                    self._node_version = ""
            version = self._node_version
            if not version.startswith(f"v{match.group(1)}."):
                self._warn_once(
                    runtime, "local node differs from the function's runtime", local_node=version
                )
        return node

    def _command(self, spec: EnvironmentSpec, env: dict[str, str]) -> list[str]:
        runtime = spec.runtime or ""
        code = spec.code_dir
        opt = spec.opt_dir
        if runtime.startswith("python"):
            python = self._python_for(runtime)
            match = _PYTHON_RE.fullmatch(runtime)
            version = f"{match.group(1)}.{match.group(2)}" if match else ""
            paths = [str(code)] if code else []
            if opt:
                paths += [
                    str(opt / "python"),
                    str(opt / f"python/lib/python{version}/site-packages"),
                ]
                # The interpreter may be another version than the runtime's (a warning said
                # so); its own site-packages directory of the layer is the one that fits.
                actual = _interpreter_version(python)
                if actual and actual != version:
                    paths.append(str(opt / f"python/lib/python{actual}/site-packages"))
            env["PYTHONPATH"] = os.pathsep.join(paths)
            return [python, "-m", "awslambdaric", spec.handler or ""]
        if runtime.startswith("nodejs"):
            node = self._node_for(runtime)
            paths = []
            if opt:
                match = _NODE_RE.fullmatch(runtime)
                if match:
                    paths.append(str(opt / f"nodejs/node{match.group(1)}/node_modules"))
                paths.append(str(opt / "nodejs/node_modules"))
            if code:
                paths.append(str(code / "node_modules"))
            env["NODE_PATH"] = os.pathsep.join(paths)
            return [node, str(NODE_CLIENT)]
        candidates = [p / "bootstrap" for p in (code, opt) if p is not None]
        for bootstrap in candidates:
            if bootstrap.is_file() and os.access(bootstrap, os.X_OK):
                return [str(bootstrap)]
        raise RuntimeStartError(
            "Runtime.InvalidEntrypoint",
            "Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]",
        )

    async def start(self, spec: EnvironmentSpec, runtime_api: str) -> LocalProcess:
        """Start the runtime in `<data>/environments/<id>/`, cwd = the code dir (or hand a
        pre-started runtime the function, in its own directory)."""
        waiting = self._reserved.pop(spec.environment_id, None)
        key = None
        if waiting is None and _unfit_start(spec) not in self._unfit:
            key = self._prestart_key(PoolFit.of_spec(spec))
        if key is not None and self.prewarm is not None:
            # Not a miss of its own: `take_prewarmed` counted this start already.
            waiting = self.prewarm.take(key, spec.memory_mb, miss=False)
        directory = self.root / spec.environment_id
        if waiting is not None:
            directory = waiting.directory
        tmp = directory / "tmp"  # created with the process tree, just before the start
        env = {
            **_base_variables(directory),
            **(self._endpoints.variables(self._endpoints.local_host) if self._endpoints else {}),
            **spec.variables,
            "AWS_LAMBDA_RUNTIME_API": runtime_api,
        }
        if spec.opt_dir is not None:
            env["PATH"] = f"{env['PATH']}{os.pathsep}{spec.opt_dir / 'bin'}"
            library_path = [p for p in (env.get("LD_LIBRARY_PATH"), str(spec.opt_dir / "lib")) if p]
            env["LD_LIBRARY_PATH"] = os.pathsep.join(library_path)
        if spec.hot_reload:
            # No bytecode is written for a live directory, so a quick edit (same size, same
            # mtime second) is never hidden by our own stale .pyc. (A per-environment cache
            # prefix did the same but recompiled the whole stdlib at every restart: 5x slower.)
            env.setdefault("PYTHONDONTWRITEBYTECODE", "1")
        if spec.code_dir is not None:
            # Handlers build paths from LAMBDA_TASK_ROOT; here the code is not at /var/task.
            env["LAMBDA_TASK_ROOT"] = str(spec.code_dir)
        command = self._command(spec, env)
        # Managed runtimes start through AWS_LAMBDA_EXEC_WRAPPER, as in Docker (OS-only
        # runtimes run their bootstrap as it is). /var/task and /opt map to the local dirs.
        wrapper = spec.variables.get("AWS_LAMBDA_EXEC_WRAPPER")
        if wrapper and not (spec.runtime or "").startswith("provided"):
            command = [_local_path(wrapper, spec), *command]
        if debug_port(env) is not None:
            debugpy_dir = debugpy_path()
            env = debug_variables(
                env,
                host="127.0.0.1",
                site_dir=str(SITE_DIR),
                debugpy_dir=str(debugpy_dir) if debugpy_dir else None,
            )
        if extension_files(spec.opt_dir):
            assert spec.opt_dir is not None
            command = launcher_command(str(spec.opt_dir / "extensions"), command)
        if waiting is not None:
            cwd = str(spec.code_dir or directory)
            in_process = self._in_process(waiting, command, env)
            try:
                if in_process or not isinstance(waiting.key, NodeBinary):
                    return await self._assign(waiting, spec, command, env, cwd, in_process)
                # Only known now (a layer's lib/, a launcher): node has no exec to fall back on.
                log.debug("pre-started node does not fit the function's start")
                self._unfit.add(_unfit_start(spec))
                if waiting.taken_for is not None:
                    self._unfit.add(waiting.taken_for)
            except OSError as error:
                log.warning("pre-started runtime unusable", error=repr(error))
            await waiting.discard()
            directory = self.root / spec.environment_id
            tmp = directory / "tmp"
            for name, value in (("HOME", directory), ("TMPDIR", tmp)):
                env[name] = str(value)
        started, _, _ = await self._spawn(
            spec.environment_id,
            command,
            cwd=spec.code_dir or directory,
            env=env,
            tmp=tmp,
            stdin=asyncio.subprocess.DEVNULL,
            forget=functools.partial(self._forget, spec.environment_id),
        )
        self._started[spec.environment_id] = started
        log.debug("runtime process started", pid=started.pid, command=command[0])
        return started

    def _leaders(self) -> set[int]:
        return {p.pid for p in [*self._started.values(), *self._prestarted.values()]}

    # ------------------------------------------------------------ pre-started runtimes
    def enable_prewarm(
        self,
        size: int,
        governor: Governor,
        *,
        idle_timeout_s: float = 600.0,
        max_spares: int = 0,
        max_parallel: int = 4,
    ) -> PrewarmPool[PrestartedRuntime] | None:
        """Keep `size` runtimes per Python interpreter and per node waiting for a function
        (0: off)."""
        if size <= 0:
            return None
        self.prewarm = PrewarmPool(
            size,
            self._prestart,
            governor,
            idle_timeout_s=idle_timeout_s,
            max_spares=max_spares,
            max_parallel=max_parallel,
        )
        return self.prewarm

    def keep_loop_cpu(self) -> DaemonCore | None:
        """While the event loop is busy, keep this executor's runtimes off its CPU
        (`DaemonCore`; None on a host with one CPU). Runs until `close`."""
        self._core = DaemonCore.keep(self._runtime_pids)
        return self._core

    def _runtime_pids(self) -> list[int]:
        return [p.pid for p in (*self._started.values(), *self._prestarted.values())]

    def _program_key(self, runtime: str) -> str | NodeBinary:
        """The pool key of a Python or Node.js runtime: its interpreter, or its node."""
        if runtime.startswith("nodejs"):
            return NodeBinary(self._node_for(runtime))
        return self._python_for(runtime)

    def _prestart_key(self, fit: PoolFit) -> str | NodeBinary | None:
        """The interpreter or node whose waiting runtimes can run a function of `fit`, or None:
        a Python or Node.js function started as the runtime client itself (no exec wrapper),
        for Node.js one whose variables node reads at its start are the waiting node's."""
        if (
            self.prewarm is None
            or not fit.poolable
            or not fit.runtime.startswith(("python", "nodejs"))
            or "AWS_LAMBDA_EXEC_WRAPPER" in fit.variables
        ):
            return None
        if fit.runtime.startswith("nodejs"):
            # Checked again at the start, with all of its variables (`_in_process`).
            base = _base_variables(self.root)
            variables = node_waiting.in_effect({**base, **fit.variables})
            if not _starts_alike(variables, base, node_waiting.is_startup_variable):
                return None
        return self._program_key(fit.runtime)

    def take_prewarmed(self, config: FunctionVersion, demand: int = 1) -> PrestartedRuntime | None:
        """A waiting interpreter or node for `config`, its capacity slot kept by the caller, or None
        (`demand`: the function's invocations in flight, see `PrewarmPool.take`)."""
        key = self._prestart_key(PoolFit.of_config(config))
        if key is None or self.prewarm is None or _unfit_key(config) in self._unfit:
            return None
        waiting = self.prewarm.take(key, config.memory_size, keep_slot=True, demand=demand)
        if waiting is not None:
            waiting.taken_for = _unfit_key(config)
        return waiting

    def reserve(self, environment_id: str, waiting: PrestartedRuntime) -> None:
        """`waiting` is for the environment `environment_id`: its start uses it."""
        self._reserved[environment_id] = waiting

    async def _spawn(
        self,
        ident: str,
        command: list[str],
        *,
        cwd: Path,
        env: dict[str, str],
        tmp: Path,
        stdin: int,
        forget: Callable[[], None],
        pass_fds: tuple[int, ...] = (),
    ) -> tuple[LocalProcess, ProcessTree, asyncio.subprocess.Process]:
        """Start `command` in a process tree of its own (cgroup or session) under `ident`
        (`pass_fds`: descriptors it inherits besides stdin, stdout and stderr)."""
        directory = self.root / ident
        # Recorded before the start too: a crash right after it leaves a findable cgroup.
        tree = await asyncio.to_thread(_prepared_tree, ident, self._hierarchy, tmp)
        try:
            process = await asyncio.create_subprocess_exec(
                *tree.wrap(command),
                cwd=str(cwd),
                env=env,
                stdin=stdin,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT,
                start_new_session=True,
                limit=_LINE_LIMIT,
                pass_fds=pass_fds,
            )
        except BaseException:
            await asyncio.to_thread(tree.kill)
            raise
        if self._core is not None:
            self._core.started(process.pid)
        await asyncio.to_thread(_record_start, tree, process.pid, directory)
        return LocalProcess(process, directory, forget, tree, self._leaders), tree, process

    async def _prestart(self, key: Hashable, memory_mb: int) -> PrestartedRuntime:
        assert isinstance(key, (str, NodeBinary))
        ident = f"waiting-{uuid.uuid4().hex}"
        directory = self.root / ident
        env = _base_variables(directory)
        start_read = start_write = None
        stdin = asyncio.subprocess.PIPE
        if isinstance(key, NodeBinary):
            # The start comes through a pipe of its own: stdin is /dev/null from the start.
            start_read, start_write = os.pipe()
            command = node_waiting.command(key.path, start_read)
            stdin = asyncio.subprocess.DEVNULL
        else:
            command = [key, "-c", PROCESS_WAITING]
        try:
            local, tree, process = await self._spawn(
                ident,
                command,
                cwd=directory,
                env=env,
                tmp=directory / "tmp",
                stdin=stdin,
                forget=functools.partial(self._forget_prestarted, ident),
                pass_fds=() if start_read is None else (start_read,),
            )
        except BaseException:
            if start_write is not None:
                os.close(start_write)
            raise
        finally:
            if start_read is not None:
                os.close(start_read)
        self._prestarted[ident] = local
        waiting = PrestartedRuntime(local, key, env, memory_mb, start_write)
        waiting.wrapped = tree.wrap(command) != command
        try:
            assert process.stdout is not None
            async with asyncio.timeout(PRESTART_DEADLINE_S):
                line = await process.stdout.readline()
            if line != READY:
                raise RuntimeError(f"the waiting interpreter said {line[:200]!r}")
        except BaseException:
            await waiting.discard()
            raise
        return waiting

    def _in_process(
        self, waiting: PrestartedRuntime, command: list[str], env: Mapping[str, str]
    ) -> bool:
        """True if `waiting` can become the runtime `command` starts with `env` (not exec it).

        A Python interpreter: `python -m awslambdaric <handler>` of its own interpreter, no
        variable that changes how an interpreter starts otherwise. A node: `node <client>` of
        its own node, none that node reads at its start otherwise (`node_waiting`).
        """
        if isinstance(waiting.key, NodeBinary):
            return command == [waiting.program, str(NODE_CLIENT)] and _starts_alike(
                node_waiting.in_effect(env), waiting.environment, node_waiting.is_startup_variable
            )
        return (
            command[1:3] == ["-m", "awslambdaric"]
            and len(command) == 4
            and command[0] == waiting.program
            and _starts_alike(env, waiting.environment)
        )

    async def _assign(
        self,
        waiting: PrestartedRuntime,
        spec: EnvironmentSpec,
        command: list[str],
        env: dict[str, str],
        cwd: str,
        in_process: bool,
    ) -> LocalProcess:
        """Hand a waiting runtime the function: its environment, directory and command."""
        local = waiting.process
        if waiting.wrapped:
            env = {**env, "PWD": cwd}  # the shell that enters the cgroup exports it
        message = json.dumps({"argv": command, "env": env, "cwd": cwd, "in_process": in_process})
        if waiting.start_fd is not None:
            # OSError (BrokenPipeError) when it died meanwhile.
            await _hand_over(waiting.start_fd, message.encode())
            waiting.close_start()
        else:
            stdin = local._process.stdin
            assert stdin is not None
            stdin.write(message.encode() + b"\n")
            await stdin.drain()  # OSError (e.g. BrokenPipeError) when it died meanwhile
            stdin.close()
        ident = local._directory.name
        self._prestarted.pop(ident, None)
        local._on_killed = functools.partial(self._forget, spec.environment_id)
        self._started[spec.environment_id] = local
        log.debug(
            "pre-started runtime assigned",
            pid=local.pid,
            function=spec.function_name,
            in_process=in_process,
        )
        return local

    def _forget_prestarted(self, ident: str) -> None:
        self._prestarted.pop(ident, None)

    def _forget(self, environment_id: str) -> None:
        self._started.pop(environment_id, None)

    async def remove_orphans(self) -> int:
        """Kill the processes and remove the directories of environments a previous (crashed)
        run left behind.

        A runtime client would exit once its Runtime API is gone, but what its handler
        started would not: each environment's record names its cgroup and session.
        """
        if not self.root.is_dir():
            return 0
        live = {p._directory.name for p in [*self._started.values(), *self._prestarted.values()]}
        leftovers = [p for p in self.root.iterdir() if p.name not in live]
        killed = 0
        for path in leftovers:
            record = await asyncio.to_thread(EnvironmentRecord.read, path)
            if record is not None:
                killed += len(await asyncio.to_thread(containment.kill_record, record))
            await asyncio.to_thread(shutil.rmtree, path, True)
        if killed:
            log.info("killed processes of a previous run", count=killed)
        return len(leftovers)

    async def close(self) -> None:
        """Kill every process this executor started."""
        if self._core is not None:
            await self._core.stop()
        if self.prewarm is not None:
            await self.prewarm.close()
        for waiting in self._reserved.values():
            await waiting.discard()
        self._reserved.clear()
        started, self._started = list(self._started.values()), {}
        await asyncio.gather(*(p.kill() for p in started), return_exceptions=True)


def _unfit_key(config: FunctionVersion) -> tuple[str, ...]:
    """A function version with its layers (versions of a layer never change their content)."""
    return ("config", config.name, config.version, *(layer.arn for layer in config.layers))


def _unfit_start(spec: EnvironmentSpec) -> tuple[str, ...]:
    """A function version with its /opt (named after the layers' content)."""
    return ("start", spec.function_name, spec.function_version, str(spec.opt_dir))


def _python_startup_variable(name: str) -> bool:
    """True if a Python interpreter starting with `name` set otherwise would run otherwise."""
    if name == "PYTHONPATH":
        return False  # the waiting interpreter builds sys.path itself
    return name in STARTUP_VARIABLES or name.startswith(STARTUP_PREFIXES)


def _starts_alike(
    variables: Mapping[str, str],
    started: Mapping[str, str],
    is_startup: Callable[[str], bool] = _python_startup_variable,
) -> bool:
    """True if no variable that affects a runtime's start differs from `started`'s."""
    names = {n for n in [*variables, *started] if is_startup(n)}
    return all(variables.get(name) == started.get(name) for name in names)


def _base_variables(directory: Path) -> dict[str, str]:
    """What every runtime process starts with, pre-started ones too (in `directory`)."""
    return {
        "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
        "LANG": "en_US.UTF-8",
        "HOME": str(directory),
        "TMPDIR": str(directory / "tmp"),
    }


async def _hand_over(fd: int, data: bytes) -> None:
    """Write `data` to the pipe `fd`: at once what fits, the rest from a thread."""
    os.set_blocking(fd, False)
    try:
        written = os.write(fd, data)
    except BlockingIOError:
        written = 0
    if written < len(data):
        os.set_blocking(fd, True)
        await asyncio.to_thread(_write_all, fd, data[written:])


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _local_path(path: str, spec: EnvironmentSpec) -> str:
    """An environment path (`/var/task/...`, `/opt/...`) as this host's own path."""
    for root, local in (("/var/task", spec.code_dir), ("/opt", spec.opt_dir)):
        if local is not None and (path == root or path.startswith(root + "/")):
            return str(local) + path[len(root) :]
    return path


def _prepared_tree(
    environment_id: str, hierarchy: containment.CgroupHierarchy | None, tmp: Path
) -> ProcessTree:
    """The environment's directory and (empty) process tree, recorded; one thread hop."""
    tmp.mkdir(parents=True, exist_ok=True)
    tree = ProcessTree.prepare(environment_id, hierarchy)
    tree.record().write(tmp.parent)
    return tree


def _record_start(tree: ProcessTree, pid: int, directory: Path) -> None:
    tree.started(pid)
    tree.record().write(directory)


def _reap_and_remove(leader: int, leaders: set[int], killed: list[int], directory: Path) -> None:
    """Collect the orphans the daemon adopted (as subreaper), then remove the directory."""
    containment.reap_zombies([leader], leaders, killed)
    shutil.rmtree(directory, True)


_STATUS_FIELDS = re.compile(rb"^(VmHWM|VmRSS|Threads):\s+(\d+)", re.MULTILINE)


def _tree_memory_kb(root: int) -> int:
    """max(largest VmHWM, sum of VmRSS) over process `root` and its descendants; 0 if gone.

    Descendants come from /proc/<pid>/task/<tid>/children: a walk of the tree, not of /proc.
    """
    peak = total = 0

    def visit(pid: int) -> list[int]:
        nonlocal peak, total
        try:
            status = proc_tree.read_file(f"/proc/{pid}/status")
        except OSError:
            return []  # exited meanwhile
        threads = 0
        for name, number in _STATUS_FIELDS.findall(status):
            if name == b"VmHWM":
                peak = max(peak, int(number))
            elif name == b"VmRSS":
                total += int(number)
            else:
                threads = int(number)
        # Without CONFIG_PROC_CHILDREN (or once exited) only what was read so far counts.
        # A single-threaded process's one task is itself: no directory listing needed.
        if threads == 1:
            return proc_tree.children(pid, [str(pid)])
        try:
            return proc_tree.children(pid, os.listdir(f"/proc/{pid}/task"))
        except OSError:
            return []

    proc_tree.walk(root, visit)
    return max(peak, total)


def _has_awslambdaric(python: str) -> bool:
    try:
        return (
            subprocess.run(
                [python, "-c", "import awslambdaric"], capture_output=True, timeout=30
            ).returncode
            == 0
        )
    except (OSError, subprocess.TimeoutExpired):
        return False


def _interpreter_version(python: str) -> str:
    """`X.Y` of an interpreter: the daemon's own without a subprocess, else from its name."""
    if python == sys.executable:
        return f"{sys.version_info.major}.{sys.version_info.minor}"
    match = re.search(r"python(\d+\.\d+)$", python)
    return match.group(1) if match else ""
