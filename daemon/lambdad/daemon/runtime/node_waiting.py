"""Pre-started Node.js runtimes (process executor): their program, their pool key, and which
function starts one can become.

A waiting node process runs `clients/node/waiting.mjs`: node is up and has loaded what the
runtime client imports. Handed a function's start it becomes, in-process, the runtime client
node would have started for it (see the program's header). Node cannot exec another program,
so unlike a waiting Python interpreter it has no way out for a start that differs in what node
(or the C library, ICU, OpenSSL, libuv) reads once at its own start: such a function is not
handed a waiting process at all and starts `node index.mjs` of its own, as before.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

NODE_WAITING = Path(__file__).parent / "clients" / "node" / "waiting.mjs"
# Read once when node starts: the locale (ICU's default locale, the C library's), the dynamic
# loader's and allocator's settings, OpenSSL's configuration, libuv's (UV_THREADPOOL_SIZE: the
# thread pool may be up already) and node's own (NODE_OPTIONS, NODE_EXTRA_CA_CERTS, ...), and
# whether output is coloured.
STARTUP_VARIABLES = frozenset({"LANG", "LANGUAGE", "NO_COLOR", "FORCE_COLOR"})
STARTUP_PREFIXES = ("LC_", "LD_", "MALLOC_", "GLIBC_", "NODE_", "UV_", "OPENSSL_", "SSL_CERT_")
# NODE_ names node reads when they are used: the module search path (the waiting program
# builds it again from NODE_PATH), the TLS check (at each connection); NODE_ENV is the
# libraries' own.
USE_TIME_VARIABLES = frozenset({"NODE_PATH", "NODE_TLS_REJECT_UNAUTHORIZED", "NODE_ENV"})
LIBRARY_PATH = "LD_LIBRARY_PATH"


@dataclass(frozen=True)
class NodeBinary:
    """The pool key of waiting node processes: the node executable they run."""

    path: str


def command(node: str, start_fd: int) -> list[str]:
    """The waiting program's command line; it reads the function's start from `start_fd`."""
    return [node, str(NODE_WAITING), str(start_fd)]


def is_startup_variable(name: str) -> bool:
    """True if node starting with `name` set otherwise would run otherwise."""
    if name in USE_TIME_VARIABLES:
        return False
    return name in STARTUP_VARIABLES or name.startswith(STARTUP_PREFIXES)


def in_effect(variables: Mapping[str, str]) -> dict[str, str]:
    """`variables` as a node start sees them: the loader's search path without directories
    that do not exist (a layer without `lib/`), which change nothing of what it finds. (An
    empty entry stands for the working directory: it stays.)"""
    effective = dict(variables)
    library_path = effective.pop(LIBRARY_PATH, None)
    if library_path is not None:
        parts = library_path.split(os.pathsep)
        existing = [p for p in parts if not p or os.path.isdir(p)]
        if existing:
            effective[LIBRARY_PATH] = os.pathsep.join(existing)
    return effective
