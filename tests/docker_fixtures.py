"""Docker fixtures for every test level: a real engine and real runtime images.

- `docker_required`: the engine, or a skip -- except in CI (`CI` set), where a missing
  engine fails the run instead.
- `runtime_images`: builds lambdad's offline runtime images once per test run (a no-op
  when they exist), sharing the rootfs cache with `lambdad images build`.
- `test_daemon_id`: a daemon-id prefix unique to this session (and xdist worker); every
  container a test creates carries it in its labels, and the session ends by asserting
  that none of them is left.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import docker
import docker.errors
import pytest

from lambdad.daemon.config import default_data_dir
from lambdad.daemon.images.build import (
    NODE_CLIENT,
    build_runtime_images,
    default_cache_dir,
)
from lambdad.daemon.runtime.docker import docker_available
from lambdad.daemon.runtime.executor import LABEL_DAEMON, LABEL_MANAGED

# The runtimes the integration tests run (every offline image); Node.js ones only when
# its runtime client exists.
TEST_RUNTIMES = ("python3.11", "python3.13", "provided.al2023", "provided.al2")
NODE_RUNTIMES = ("nodejs18.x", "nodejs20.x")


def image_cache_dir() -> Path:
    """`LAMBDAD_IMAGE_CACHE`, else the default data dir's cache (shared with the CLI)."""
    configured = os.environ.get("LAMBDAD_IMAGE_CACHE")
    if configured:
        return Path(configured)
    env = dict(os.environ)
    data_dir = Path(env["LAMBDAD_DATA_DIR"]) if env.get("LAMBDAD_DATA_DIR") else None
    return default_cache_dir(data_dir or default_data_dir(env))


@pytest.fixture(scope="session")
def docker_required() -> Iterator[docker.DockerClient]:
    """A client of a reachable Docker engine; skip without one (fail in CI)."""
    if not docker_available(timeout=5):
        reason = (
            "no Docker engine reachable: set DOCKER_HOST or start dockerd (scripts/start-docker.sh)"
        )
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; integration tests must run in CI")
        pytest.skip(reason)
    client = docker.from_env(timeout=120)
    try:
        yield client
    finally:
        client.close()


@pytest.fixture(scope="session")
def runtime_images(docker_required: docker.DockerClient) -> dict[str, str]:
    """runtime -> image tag for the runtimes under test, built once (locked across workers)."""
    runtimes = list(TEST_RUNTIMES)
    if NODE_CLIENT.is_file():
        runtimes += NODE_RUNTIMES
    cache = image_cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    with open(cache / ".build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # xdist workers wait for one build
        results = build_runtime_images(runtimes, cache_dir=cache, client=docker_required)
    failed = [f"{r.runtime}: {r.error}" for r in results if r.status == "failed"]
    if failed:
        pytest.fail("runtime image build failed: " + "; ".join(failed))
    return {r.runtime: r.tag for r in results}


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def test_daemon_id(docker_required: docker.DockerClient) -> Iterator[str]:
    """A daemon-id prefix for this session; asserts at the end that no container is left."""
    prefix = f"test-{_worker()}-{uuid.uuid4().hex[:8]}"
    yield prefix
    # One listing call (no per-container inspect, which races with containers going away).
    left = [
        summary["Id"]
        for summary in docker_required.api.containers(
            all=True, filters={"label": f"{LABEL_MANAGED}=true"}
        )
        if (summary.get("Labels") or {}).get(LABEL_DAEMON, "").startswith(prefix)
    ]
    for container_id in left:
        with contextlib.suppress(docker.errors.DockerException):
            docker_required.api.remove_container(container_id, force=True)
    assert not left, f"containers left behind: {[i[:12] for i in left]}"


def _managed_container_ids() -> set[str]:
    if not docker_available(timeout=2):
        return set()
    client = docker.from_env(timeout=30)
    try:
        summaries = client.api.containers(all=True, filters={"label": f"{LABEL_MANAGED}=true"})
        return {summary["Id"] for summary in summaries}
    finally:
        client.close()


def record_containers_at_start(config: pytest.Config) -> None:
    """Remember which lambdad containers existed before the run (controller only)."""
    if not hasattr(config, "workerinput"):
        config.stash[_BEFORE] = _managed_container_ids()


def assert_no_containers_left(session: pytest.Session) -> None:
    """Fail the run if it left a container with lambdad's labels (controller, after workers)."""
    config = session.config
    if hasattr(config, "workerinput") or _BEFORE not in config.stash:
        return
    left = _managed_container_ids() - config.stash[_BEFORE]
    if left:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        config.get_terminal_writer().line(
            f"FAILED: {len(left)} container(s) with lambdad's labels left behind: "
            + ", ".join(sorted(i[:12] for i in left)),
            red=True,
        )


_BEFORE = pytest.StashKey[set[str]]()
