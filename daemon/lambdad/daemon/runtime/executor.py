"""The Executor seam: how an execution environment's runtime process is started.

An executor starts one runtime process per execution environment and tells it
where the daemon's Runtime API is (AWS_LAMBDA_RUNTIME_API). Everything else --
the Runtime API itself, invocation bookkeeping, warm reuse, scaling -- is the
same for every executor and lives in `runtime_api.py`, `environment.py` and
`pool.py`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from lambdad.daemon.domain.model import FunctionVersion
from lambdad.daemon.errors import LambdaError

LABEL_MANAGED = "dev.lambdad.managed"
LABEL_DAEMON = "dev.lambdad.daemon"
LABEL_FUNCTION = "dev.lambdad.function"
LABEL_VERSION = "dev.lambdad.version"
LABEL_ENVIRONMENT = "dev.lambdad.environment"


@dataclass(frozen=True)
class EnvironmentSpec:
    """Everything needed to start one execution environment."""

    environment_id: str
    function_name: str
    function_version: str
    package_type: str  # "Zip" or "Image"
    runtime: str | None  # AWS runtime id; None for images
    handler: str | None  # None for images
    code_dir: Path | None  # extracted zip, mounted read-only at /var/task
    opt_dir: Path | None  # merged layers, mounted read-only at /opt
    image_uri: str | None  # image functions
    image_config: Mapping[str, Any] | None  # EntryPoint / Command / WorkingDirectory overrides
    memory_mb: int
    ephemeral_storage_mb: int
    timeout_s: int
    architecture: str
    # Function variables plus the reserved AWS_* variables (not AWS_LAMBDA_RUNTIME_API,
    # which the executor adds because only it knows how the environment reaches the daemon).
    variables: Mapping[str, str] = field(default_factory=dict)
    labels: Mapping[str, str] = field(default_factory=dict)
    # code_dir is a live host directory (hot reloading), not an immutable extracted zip.
    hot_reload: bool = False
    # Invocations the environment runs at once (>1 on a capacity provider; the runtime client
    # learns it from AWS_LAMBDA_MAX_CONCURRENCY).
    max_concurrency: int = 1


@dataclass(frozen=True)
class RuntimeApiBinding:
    """Where the daemon listens for an environment, and the address the environment dials."""

    bind_host: str  # interface the Runtime API server listens on
    advertised_host: str  # host part of AWS_LAMBDA_RUNTIME_API inside the environment


class RuntimeProcess(Protocol):
    """A started runtime process (container or subprocess)."""

    def output(self) -> AsyncIterator[str]:
        """Lines the process writes to stdout/stderr, until it exits."""
        ...

    async def wait(self) -> int:
        """Wait for the process to exit; its exit code."""
        ...

    async def kill(self) -> None:
        """Stop the process now and release its resources (idempotent)."""
        ...

    async def max_memory_used_mb(self) -> int | None:
        """Peak memory, for REPORT lines, when the executor can tell."""
        ...

    async def out_of_memory(self) -> bool:
        """True if the process was killed for exceeding its memory limit."""
        ...


class Executor(Protocol):
    """Starts runtime processes: `docker.DockerExecutor` or `process.ProcessExecutor`."""

    name: str
    # How long after a response the process's last output lines may still arrive; the
    # environment waits this long before it closes an invocation's log window.
    output_latency_s: float

    def runtime_api_binding(self) -> RuntimeApiBinding:
        """How this executor's environments reach the daemon."""
        ...

    async def check_runtime(self, runtime: str | None, image_uri: str | None) -> None:
        """Raise a LambdaError with a clear message if this runtime/image cannot run here."""
        ...

    async def start(self, spec: EnvironmentSpec, runtime_api: str) -> RuntimeProcess:
        """Start the runtime process with AWS_LAMBDA_RUNTIME_API=`runtime_api`."""
        ...

    async def remove_orphans(self) -> int:
        """Remove environments a previous (crashed) daemon left behind; how many."""
        ...

    async def close(self) -> None:
        """Remove every environment this executor started."""
        ...


class RuntimeStartError(Exception):
    """An executor could not start the runtime process for a reason AWS reports per invoke.

    For example a custom runtime without a `bootstrap` (`Runtime.InvalidEntrypoint`). The
    invocation fails with `{"errorType": error_type, "errorMessage": "RequestId: <id> Error:
    <message>"}`, as AWS reports it.
    """

    def __init__(self, error_type: str, message: str) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.message = message


class EnvironmentStartTimeout(Exception):
    """The executor did not start an environment's runtime process within its deadline.

    The environment is removed; the pool retries the invocation once on a new one, then
    fails it with ServiceException.
    """

    def __init__(self, deadline_s: float) -> None:
        super().__init__(f"environment did not start within {deadline_s:g} s")
        self.deadline_s = deadline_s


class RuntimeReadiness:
    """FunctionPreparer: a version turns Active only if the executor can run its runtime.

    Otherwise it turns Failed with the executor's message (e.g. which `lambdad images build`
    command provides the missing image), which is what SDK waiters and Invoke then report.
    """

    def __init__(self, executor: Executor) -> None:
        self._executor = executor

    async def prepare(self, config: FunctionVersion) -> None:
        """Check the version's runtime or image."""
        try:
            await self._executor.check_runtime(config.runtime, config.code.image_uri or None)
        except LambdaError as error:
            error.metadata.setdefault("state_reason_code", "InvalidRuntime")
            raise
