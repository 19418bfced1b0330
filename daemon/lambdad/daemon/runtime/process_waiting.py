"""The waiting program of a pre-started Python runtime process (run as `python -c`).

The process executor starts it ahead of need: the interpreter comes up and imports what the
runtime interface client needs (none of it reads a variable on import), then it reads one JSON
line from stdin, the function's start: `{"argv": [...], "env": {...}, "cwd": "...",
"in_process": bool}`. Then stdin becomes /dev/null (as a runtime started for the function has
it), the working directory and the environment become the function's, and

- `in_process` (nothing in `env` changes how an interpreter starts): the process becomes what
  `python -m awslambdaric <handler>` would have started there: the same `sys.path` (the working
  directory, PYTHONPATH, then the interpreter's own), the same `sys.argv`, awslambdaric run as
  `__main__`;
- otherwise it execs `argv` with `env`, which is that start itself.

This module is source text for the process: it imports nothing of lambdad.
"""

import json
import os
import sys

# What the daemon reads on stdout once this waits (before any line of the function's).
READY = b"lambdad-waiting-ready\n"
# The modules imported ahead of the function: python_preload.PRELOAD, put here by the
# daemon when it reads this source.
PRELOAD = ()


def _preload():
    for name in PRELOAD:
        try:  # noqa: SIM105 - contextlib would be one more import
            __import__(name)
        except ImportError:
            pass


def _become_runtime(argv, env, cwd):
    import importlib
    import runpy
    import time

    # What the interpreter set at its start (C locale coercion), as a fresh one would again:
    # the locale variables it started with are the function's (the daemon checked).
    for name in ("LC_CTYPE",):
        if name in os.environ and name not in env:
            env[name] = os.environ[name]
    os.environ.clear()
    os.environ.update(env)
    time.tzset()
    # sys.path as `python -m` builds it: the working directory, PYTHONPATH (site drops a
    # duplicate of what follows), then the interpreter's own entries as this one has them
    # (it started without PYTHONPATH).
    own = sys.path[1:]
    added = list(dict.fromkeys(p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p))
    known = {os.path.abspath(p) for p in added}
    sys.path[:] = [cwd, *added, *(p for p in own if os.path.abspath(p) not in known)]
    sys.path_importer_cache.clear()
    importlib.invalidate_caches()
    sys.argv = ["-m", *argv[3:]]
    runpy.run_module("awslambdaric", run_name="__main__", alter_sys=True)


def main():
    _preload()
    sys.stdout.buffer.write(READY)
    sys.stdout.buffer.flush()
    line = sys.stdin.buffer.readline()
    if not line:
        sys.exit(0)  # the daemon let it go without a function
    message = json.loads(line)
    argv, env, cwd = message["argv"], message["env"], message["cwd"]
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.chdir(cwd)
    if message.get("in_process"):
        _become_runtime(argv, env, cwd)
        sys.exit(0)
    os.execve(argv[0], argv, env)


if __name__ == "__main__":
    main()
