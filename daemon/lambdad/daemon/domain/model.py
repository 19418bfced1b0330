"""Domain values for functions, versions and aliases (no gRPC, no Docker)."""

from __future__ import annotations

import dataclasses
import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from lambdad.daemon.domain.names import LATEST


def now_lambda_timestamp() -> str:
    """AWS's LastModified format: 2019-08-14T22:26:11.234+0000."""
    now = datetime.now(UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}+0000"


REVISION_MISMATCH = (
    "The Revision Id provided does not match the latest Revision Id. "
    "Call the GetFunction/GetAlias API to retrieve the latest Revision Id"
)


def new_revision_id() -> str:
    """RevisionIds are UUIDs."""
    return str(uuid.uuid4())


# The one member of CapacityProviderConfig.
MANAGED_INSTANCES = "LambdaManagedInstancesCapacityProviderConfig"
TENANT_ISOLATION_PER_TENANT = "PER_TENANT"
# Invocations per environment when PerExecutionEnvironmentMaxConcurrency is not given: AWS's
# per-vCPU defaults of Lambda Managed Instances (Python 16, Node.js 64, Java and .NET 32), for
# one vCPU.
_DEFAULT_MAX_CONCURRENCY = {"python": 16, "nodejs": 64, "java": 32, "dotnet": 32}


def default_max_concurrency(runtime: str | None) -> int:
    """The default PerExecutionEnvironmentMaxConcurrency of a runtime (16 when unknown)."""
    for prefix, value in _DEFAULT_MAX_CONCURRENCY.items():
        if (runtime or "").startswith(prefix):
            return value
    return 16


class State:
    """Function states and last-update statuses used here."""

    PENDING = "Pending"
    ACTIVE = "Active"
    FAILED = "Failed"
    IN_PROGRESS = "InProgress"
    SUCCESSFUL = "Successful"


@dataclass(frozen=True)
class CodeRef:
    """The deployed code of a version: a stored zip or a container image."""

    sha256_hex: str = ""  # blob key for zips
    code_sha256: str = ""  # base64 digest (zip) or image digest hex (image)
    size: int = 0
    unzipped_size: int = 0
    image_uri: str = ""
    resolved_image_uri: str = ""
    # Hot reloading: a host directory used as the code, in place of a stored zip.
    hot_reload_dir: str = ""


@dataclass(frozen=True)
class LayerRef:
    """A layer version attached to a function."""

    arn: str
    code_size: int
    sha256_hex: str = ""  # blob key of the layer zip (kept even if the version is deleted)
    # Hot reloading: a host directory used as the layer's content, in place of a zip.
    hot_reload_dir: str = ""


@dataclass(frozen=True)
class FunctionVersion:
    """Configuration of `$LATEST` or of one published version."""

    name: str
    version: str
    role: str
    runtime: str | None
    handler: str | None
    code: CodeRef
    description: str = ""
    timeout: int = 3
    memory_size: int = 128
    package_type: str = "Zip"
    environment: dict[str, str] = field(default_factory=dict)
    architectures: list[str] = field(default_factory=lambda: ["x86_64"])
    ephemeral_storage: int = 512
    tracing_mode: str = "PassThrough"
    layers: list[LayerRef] = field(default_factory=list)
    dead_letter_target_arn: str | None = None
    kms_key_arn: str | None = None
    vpc_config: dict[str, Any] | None = None
    file_system_configs: list[dict[str, str]] = field(default_factory=list)
    image_config: dict[str, Any] | None = None
    snap_start_apply_on: str = "None"
    logging_config: dict[str, str] = field(default_factory=dict)
    code_signing_config_arn: str | None = None
    # CapacityProviderConfig as AWS's members (LambdaManagedInstancesCapacityProviderConfig
    # with CapacityProviderArn, PerExecutionEnvironmentMaxConcurrency, ...); None: on demand.
    capacity_provider_config: dict[str, Any] | None = None
    # TenancyConfig.TenantIsolationMode ("PER_TENANT"), fixed at creation; None: shared.
    tenant_isolation_mode: str | None = None
    # RuntimeConfig {RuntimeArn, RuntimeAlias} and AcceleratorConfig {AcceleratorMemorySize}
    # as AWS's members: stored and echoed (the function runs on `runtime`, with no accelerator).
    runtime_config: dict[str, Any] | None = None
    accelerator_config: dict[str, Any] | None = None
    last_modified: str = field(default_factory=now_lambda_timestamp)
    revision_id: str = field(default_factory=new_revision_id)
    state: str = State.PENDING
    state_reason: str | None = "The function is being created."
    state_reason_code: str | None = "Creating"
    last_update_status: str | None = None
    last_update_status_reason: str | None = None
    last_update_status_reason_code: str | None = None
    # DurableConfig ({"ExecutionTimeout": s, "RetentionPeriodInDays": d}) of a durable function.
    durable_config: dict[str, int] | None = None

    @property
    def max_concurrency(self) -> int:
        """Invocations one execution environment runs at once (1 unless on a capacity provider)."""
        if not self.capacity_provider_config:
            return 1
        managed = self.capacity_provider_config.get(MANAGED_INSTANCES, {})
        value = managed.get("PerExecutionEnvironmentMaxConcurrency")
        return int(value) if value else default_max_concurrency(self.runtime)

    @property
    def is_latest(self) -> bool:
        """True for `$LATEST`."""
        return self.version == LATEST

    def evolve(self, **changes: Any) -> FunctionVersion:
        """A copy with `changes` and a fresh RevisionId (every change gets one)."""
        return dataclasses.replace(self, revision_id=new_revision_id(), **changes)

    def to_json(self) -> str:
        """Serialised for the state store."""
        return json.dumps(dataclasses.asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> FunctionVersion:
        """Inverse of `to_json`."""
        raw = json.loads(text)
        raw["code"] = CodeRef(**raw["code"])
        raw["layers"] = [LayerRef(**layer) for layer in raw.get("layers", [])]
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in raw.items() if k in known})


@dataclass(frozen=True)
class Alias:
    """A named pointer to a version, with at most one weighted extra version."""

    function_name: str
    name: str
    function_version: str
    description: str = ""
    routing: dict[str, float] = field(default_factory=dict)
    revision_id: str = field(default_factory=new_revision_id)

    def evolve(self, **changes: Any) -> Alias:
        """A copy with `changes` and a fresh RevisionId."""
        return dataclasses.replace(self, revision_id=new_revision_id(), **changes)

    def to_json(self) -> str:
        """Serialised for the state store."""
        return json.dumps(dataclasses.asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Alias:
        """Inverse of `to_json`."""
        return cls(**json.loads(text))


@dataclass(frozen=True)
class FunctionRecord:
    """Per-function data shared by all its versions."""

    name: str
    last_published: int = 0  # highest version number ever published; never reused
    tags: dict[str, str] = field(default_factory=dict)
    reserved_concurrency: int | None = None
