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
"""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping
from pathlib import Path

DEBUG_PORT_VARIABLE = "LAMBDAD_DEBUG_PORT"
DEBUG_WAIT_VARIABLE = "LAMBDAD_DEBUG_WAIT"
# Where the sitecustomize that starts debugpy lives (package data).
SITE_DIR = Path(__file__).parent / "debug"
# "No timeout" while debugging: long enough for any debugging session.
DEBUG_TIMEOUT_S = 12 * 60 * 60


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
