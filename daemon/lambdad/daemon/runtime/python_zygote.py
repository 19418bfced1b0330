"""The waiting program of a pre-initialized lambdad Python container (run as `python3 -c`).

It starts the interpreter and imports what the runtime interface client needs (standard library,
simplejson, some of its own modules) ahead of need, none of which reads a variable on
import, then blocks on
`/var/task/.lambdad-start` (a FIFO, gone before the function's code is linked in) for the
daemon's start message: JSON
`{"variables": {...}, "argv": [...], "in_process": bool, "unset": [...]}`.

- `in_process`: the daemon has checked that nothing in `variables` changes how an interpreter
  starts (PATH, HOME, locale, PYTHON*, LD_*, ...). The process then becomes what
  `/lambda-entrypoint.sh <handler>` -> `/var/runtime/bootstrap` -> `python3 -m awslambdaric
  <handler>` would have started: the same environment (the variables, `_HANDLER`, `PWD` and
  the bootstrap's `PYTHONPATH`, without the `unset` names, as `env -u` in `argv` would drop
  them), the same `sys.path`, then awslambdaric runs as `__main__`.
- otherwise it execs `argv` with the variables over its own environment, as the shell wrapper
  of other images does (`exec env -- K=V ... argv`).

This module is source text for the container: it imports nothing of lambdad.
"""

import json
import os
import sys

GO = "/var/task/.lambdad-start"
# The modules imported ahead of the function: python_preload.PRELOAD, put here by the
# daemon when it reads this source.
PRELOAD = ()


def _preload():
    sys.path.insert(1, "/var/runtime")
    for name in PRELOAD:
        try:  # noqa: SIM105 - contextlib would be one more import
            __import__(name)
        except ImportError:
            pass
    del sys.path[1]


def _message():
    while True:
        with open(GO, "rb") as fifo:
            data = fifo.read()
        if data:
            return json.loads(data)


def _become_runtime(variables, argv, unset):
    import importlib
    import runpy
    import time

    handler = argv[-1]
    start_path = os.environ.get("PYTHONPATH", "")
    environ = {**os.environ, **variables, "_HANDLER": handler, "PWD": os.getcwd()}
    for name in unset:
        environ.pop(name, None)
    version = f"{sys.version_info[0]}.{sys.version_info[1]}"
    python_path = f"/opt/python/lib/python{version}/site-packages:/opt/python:/var/runtime"
    if environ.get("PYTHONPATH"):
        python_path += ":" + environ["PYTHONPATH"]
    environ["PYTHONPATH"] = python_path
    os.environ.clear()
    os.environ.update(environ)
    time.tzset()
    # sys.path as `python3 -m` builds it: the working directory, PYTHONPATH, then the rest,
    # without duplicates (site.removeduppaths).
    skip = 1 + len(dict.fromkeys(p for p in start_path.split(":") if p))
    entries = [os.getcwd(), *python_path.split(":"), *sys.path[skip:]]
    sys.path[:] = list(dict.fromkeys(os.path.abspath(p) for p in entries if p))
    sys.path_importer_cache.clear()
    importlib.invalidate_caches()
    sys.argv = ["-m", handler]
    runpy.run_module("awslambdaric", run_name="__main__", alter_sys=True)


def main():
    _preload()
    message = _message()
    variables = message["variables"]
    argv = message["argv"]
    if message.get("in_process"):
        _become_runtime(variables, argv, message.get("unset", []))
        sys.exit(0)
    os.execvpe(argv[0], argv, {**os.environ, "PWD": os.getcwd(), **variables})


if __name__ == "__main__":
    main()
