"""Support for the reliability tests: CI-sized runs of the soak harness (bench/soak.py).

Each run starts its own ``lambdad serve`` on free ports with a data dir under the test's
tmp_path, and removes every process and container of its uniquely named functions afterwards.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench.soak import EventsOptions, WritesOptions, run_events, run_kill_writes

# Bounded so each test stays well under a minute on a 2-core machine.
SMALL_EVENTS = 300
SMALL_CONCURRENCY = 8
# The function's work per event. Long enough that events accepted just before a kill -9 have
# not been delivered yet (the kill always finds some in flight or queued), short enough to drain
# 300 events in seconds once environments are capped.
SLEEP_MS = 30
# Containers a Docker test may make before the run is aborted (the engine is shared).
DOCKER_CONTAINER_LIMIT = 60


def events_run(tmp_path: Path, **options: Any) -> dict[str, Any]:
    """One events/overload run with CI-sized defaults; prints and returns its figures."""
    values: dict[str, Any] = {
        "events": SMALL_EVENTS,
        "concurrency": SMALL_CONCURRENCY,
        "function_sleep_ms": SLEEP_MS,
        # Generous: a restarted daemon on a loaded CI machine can take many seconds to start
        # its first environments; a passing run drains in about 10 s and ends at once.
        "drain_timeout_s": 90.0,
        "quiet_s": 30.0,
        "send_timeout_s": 60.0,
        "container_limit": DOCKER_CONTAINER_LIMIT,
        "ports": None,
        "workdir": tmp_path / "soak",
    }
    values.update(options)
    result = run_events(EventsOptions(**values))
    print(result["figure"])
    return result


def kill_writes_run(tmp_path: Path, **options: Any) -> dict[str, Any]:
    """One kill-writes run with CI-sized defaults; prints and returns its figures."""
    values: dict[str, Any] = {
        "writers": 2,
        "kills": 2,
        "writes_before_kill": 40,
        "ports": None,
        "workdir": tmp_path / "soak",
    }
    values.update(options)
    result = run_kill_writes(WritesOptions(**values))
    print(result["figure"])
    return result
