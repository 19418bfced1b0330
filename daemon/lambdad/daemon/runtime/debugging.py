"""Remote debugging: a function runs under a debugger when its Environment says so.

`LAMBDAD_DEBUG_PORT=<port>` in the function's Environment Variables starts
- Python under debugpy listening on that port (a `sitecustomize` put on PYTHONPATH calls
  `debugpy.listen`; `LAMBDAD_DEBUG_WAIT=1` also waits for the IDE before the runtime starts);
- Node.js with `--inspect=<host>:<port>` (`--inspect-brk` with LAMBDAD_DEBUG_WAIT) via
  NODE_OPTIONS.
Both forms are set for every such function (an image's language is not known), and each is
harmless to the other language. The Docker executor publishes the port on the host's
loopback; the process executor listens on 127.0.0.1. Invocations of a debugged function
have no timeout (`DEBUG_TIMEOUT_S`), since a paused breakpoint is not a hung function.

A port can be bound once, so a debugged function runs in exactly one environment: its
invocations take turns (`DebuggerTurns`) instead of scaling out. They queue rather than get
429, because the invocation in progress may be paused at a breakpoint on purpose.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import socket
from collections.abc import Mapping
from pathlib import Path

import structlog

from lambdad.daemon.domain.debugging import DEBUG_PORT_VARIABLE, DEBUG_WAIT_VARIABLE

log = structlog.get_logger(__name__)

# Where the sitecustomize that starts debugpy lives (package data).
SITE_DIR = Path(__file__).parent / "debug"
# "No timeout" while debugging: long enough for any debugging session.
DEBUG_TIMEOUT_S = 12 * 60 * 60
# How long a stopped environment's debugger may take to let go of its port (debugpy's
# adapter is a daemonised process that exits only after the runtime it served).
PORT_RELEASE_S = 2.0


def debug_port(variables: Mapping[str, str]) -> int | None:
    """The debugger port a function asked for, or None (also for an invalid value)."""
    raw = str(variables.get(DEBUG_PORT_VARIABLE, "")).strip()
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        return None
    return int(raw)


def debugpy_path() -> Path | None:
    """The directory holding the `debugpy` package the daemon has installed, if any."""
    spec = importlib.util.find_spec("debugpy")
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent.parent


def debug_variables(
    variables: Mapping[str, str],
    *,
    host: str,
    site_dir: str,
    debugpy_dir: str | None,
) -> dict[str, str]:
    """`variables` plus what starts the debugger (unchanged without LAMBDAD_DEBUG_PORT)."""
    port = debug_port(variables)
    result = dict(variables)
    if port is None:
        return result
    wait = str(variables.get(DEBUG_WAIT_VARIABLE, "")).lower() in {"1", "true", "yes"}
    pythonpath = [site_dir, *filter(None, [result.get("PYTHONPATH", "")])]
    result["PYTHONPATH"] = ":".join(pythonpath)
    result["LAMBDAD_DEBUG_HOST"] = host
    if debugpy_dir:
        result["LAMBDAD_DEBUGPY_PATH"] = debugpy_dir
    inspect = f"--inspect{'-brk' if wait else ''}={host}:{port}"
    result["NODE_OPTIONS"] = " ".join(filter(None, [result.get("NODE_OPTIONS", ""), inspect]))
    return result


class DebuggerTurns:
    """One invocation at a time per debugger port, first come first served."""

    def __init__(self) -> None:
        self._locks: dict[int, asyncio.Lock] = {}
        self._users: dict[int, int] = {}  # holder and waiters, to drop a lock nobody needs

    def turn(self, port: int | None) -> DebuggerTurn:
        """The turn of one invocation (a no-op turn for a function without a debugger)."""
        return DebuggerTurn(self, port)

    def waiting(self, port: int) -> int:
        """Invocations queued for `port` (not counting the one holding it)."""
        return max(0, self._users.get(port, 0) - 1)

    async def _acquire(self, port: int) -> None:
        self._users[port] = self._users.get(port, 0) + 1
        lock = self._locks.setdefault(port, asyncio.Lock())
        if lock.locked():
            log.info("debugging: invocation queued for the one environment", port=port)
        try:
            await lock.acquire()  # asyncio.Lock wakes waiters in arrival order
        except BaseException:
            self._leave(port)
            raise

    def _release(self, port: int) -> None:
        self._locks[port].release()
        self._leave(port)

    def _leave(self, port: int) -> None:
        self._users[port] -= 1
        if not self._users[port]:
            del self._users[port]
            del self._locks[port]


class DebuggerTurn:
    """Waits for, and gives back, the debugger port of one invocation (idempotent release)."""

    def __init__(self, turns: DebuggerTurns, port: int | None) -> None:
        self.port = port
        self._turns = turns
        self._held = False

    async def wait(self) -> None:
        """Wait until no other invocation uses the port."""
        if self.port is not None and not self._held:
            await self._turns._acquire(self.port)
            self._held = True

    def release(self) -> None:
        """Let the next invocation in."""
        if self._held and self.port is not None:
            self._held = False
            self._turns._release(self.port)


def _port_free(port: int) -> bool:
    with socket.socket() as sock, contextlib.suppress(OSError):
        # As debuggers bind: connections of a closed session (TIME_WAIT) do not count.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))
        return True
    return False


async def wait_for_port_release(port: int, timeout_s: float = PORT_RELEASE_S) -> bool:
    """Wait (bounded) until `port` can be bound on the loopback again; whether it can."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while not _port_free(port):
        if loop.time() >= deadline:
            return False
        await asyncio.sleep(0.02)
    return True
