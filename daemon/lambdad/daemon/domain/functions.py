"""Functions and versions: the rules of AWS Lambda's control plane.

`FunctionRegistry` is the one place these rules live (aliases in `aliases.py`, tags in
`tags.py`, concurrency and account figures in `concurrency.py`, mixed in). It validates and
stores through `StateStore`; taking code in (`CodeIntake`) and settling states
(`StateTransitions`: Pending -> Active, InProgress -> Successful) are orchestration, done by
`services/code_intake.py` and `services/function_states.py` (wired by `services/functions.py`).
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

import structlog

from lambdad.daemon.domain import durable as durable_rules
from lambdad.daemon.domain import runtime_members, validation
from lambdad.daemon.domain.aliases import AliasOperations
from lambdad.daemon.domain.capacity_providers import (
    PROVIDER_NOT_REMOVABLE,
    TEXT_LOGS_NOT_SUPPORTED,
    check_function_on_provider,
    function_config_checks,
)
from lambdad.daemon.domain.changes import UPDATABLE_FIELDS, ConfigurationChange
from lambdad.daemon.domain.concurrency import ConcurrencyOperations
from lambdad.daemon.domain.debugging import DEBUG_PORT_VARIABLE, DEBUG_WAIT_VARIABLE
from lambdad.daemon.domain.model import (
    REVISION_MISMATCH,
    TENANT_ISOLATION_PER_TENANT,
    Alias,
    CodeRef,
    FunctionRecord,
    FunctionVersion,
    LayerRef,
    State,
    now_lambda_timestamp,
)
from lambdad.daemon.domain.names import (
    FUNCTION_NAME_PATTERN,
    LATEST,
    LATEST_PUBLISHED,
    Account,
    FunctionRef,
    is_version_qualifier,
    parse_function_name,
    version_number,
)
from lambdad.daemon.domain.pages import Page, paginate
from lambdad.daemon.domain.read_cache import ReadCache
from lambdad.daemon.domain.storage import StateStore, Transaction
from lambdad.daemon.domain.tags import TagOperations
from lambdad.daemon.errors import (
    LambdaError,
    Reason,
    invalid_parameter,
    validation_error,
)

log = structlog.get_logger(__name__)
T = TypeVar("T")

TOTAL_CODE_SIZE_LIMIT = 80_530_636_800
# How many parsed names `FunctionRegistry.resolve` keeps before it starts over.
_MAX_PARSED_NAMES = 1024
PUBLISH_TO_LATEST_PUBLISHED = "LATEST_PUBLISHED"
# AWS's wording for these is not published; lambdad's, in AWS's style.
PUBLISH_TO_NEEDS_PROVIDER = (
    "PublishTo is only supported for functions with a CapacityProviderConfig."
)
S3_OBJECT_STORAGE_MODES = ("COPY", "REFERENCE")
STORAGE_MODE_REFERENCE = "REFERENCE"
# AWS documents REFERENCE for zips in S3 only (configuration-self-managed-storage); its
# message is not published, this is lambdad's.
REFERENCE_NEEDS_S3 = (
    "S3ObjectStorageMode REFERENCE is only supported for code given by S3Bucket and S3Key."
)
TENANCY_WITH_PROVIDER = (
    "TenancyConfig is not supported for functions with a CapacityProviderConfig."
)
TENANCY_WITH_SNAPSTART = "SnapStart is not supported for functions with tenant isolation mode."
# Fields that make two versions "the same" for PublishVersion's no-op rule.
_VOLATILE_FIELDS = frozenset(
    {
        "version",
        "revision_id",
        "last_modified",
        "state",
        "state_reason",
        "state_reason_code",
        "last_update_status",
        "last_update_status_reason",
        "last_update_status_reason_code",
        "description",
    }
)


class CodeFetcher(Protocol):
    """Reads a zip from S3 (see `lambdad.daemon.codesource`)."""

    async def fetch(self, bucket: str, key: str, version: str | None = None) -> bytes: ...


class LayerResolver(Protocol):
    """Turns layer version ARNs into `LayerRef`s, raising AWS's errors."""

    async def resolve(self, arns: Sequence[str]) -> list[LayerRef]: ...


class CodeIntake(Protocol):
    """Validates and stores the code CreateFunction/UpdateFunctionCode give; nothing is stored
    when it is rejected (`services/code_intake.py`)."""

    async def take(self, code: CodeInput, package_type: str) -> CodeRef: ...


class StateTransitions(Protocol):
    """Settles versions asynchronously: Pending -> Active (create/publish), InProgress ->
    Successful (update), as SDK waiters poll for (`services/function_states.py`)."""

    def schedule(self, config: FunctionVersion) -> asyncio.Task[None]: ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


# LocalStack's magic bucket: `S3Key` names a host directory used as the code as it is.
DEFAULT_HOT_RELOAD_BUCKET = "hot-reload"
# What LocalStack reports as CodeSha256 for a hot-reloaded function (there is no zip to hash).
HOT_RELOAD_CODE_SHA256 = "hot-reloading-hash-not-available"


class NoLayers:
    """Resolver used until a layer store is wired in: no layer version exists."""

    async def resolve(self, arns: Sequence[str]) -> list[LayerRef]:
        """Reject any reference."""
        if arns:
            raise invalid_parameter(f"Layer version {arns[0]} does not exist.")
        return []


@dataclass(frozen=True)
class CodeInput:
    """Code as given to CreateFunction/UpdateFunctionCode."""

    zip_file: bytes = b""
    s3_bucket: str = ""
    s3_key: str = ""
    s3_object_version: str = ""
    image_uri: str = ""
    # COPY or REFERENCE: whether AWS keeps a copy of an S3 zip or reads it from the bucket.
    # Only AWS's storage differs (no member of the answer shows it), so lambdad checks it
    # and takes its own copy either way.
    s3_object_storage_mode: str = ""

    @property
    def given(self) -> bool:
        """True if any source was named."""
        return bool(self.zip_file or self.s3_bucket or self.s3_key or self.image_uri)

    def check_storage_mode(self, member: str) -> None:
        """The storage mode is an enum, and REFERENCE names an S3 object (`member` is the
        mode's name in messages: "code.s3ObjectStorageMode" or "s3ObjectStorageMode")."""
        mode = self.s3_object_storage_mode
        if not mode:
            return
        validation.check_enum(mode, member, S3_OBJECT_STORAGE_MODES)
        if mode == STORAGE_MODE_REFERENCE and (self.zip_file or self.image_uri):
            raise invalid_parameter(REFERENCE_NEEDS_S3)


@dataclass(frozen=True)
class NewFunction:
    """A CreateFunction request, already in domain terms."""

    function_name: str
    role: str
    code: CodeInput
    runtime: str | None = None
    handler: str | None = None
    description: str = ""
    timeout: int | None = None
    memory_size: int | None = None
    publish: bool = False
    package_type: str = ""
    environment: dict[str, str] = field(default_factory=dict)
    architectures: list[str] = field(default_factory=list)
    ephemeral_storage: int | None = None
    tracing_mode: str | None = None
    layers: list[str] = field(default_factory=list)
    dead_letter_target_arn: str | None = None
    kms_key_arn: str | None = None
    vpc_config: dict[str, Any] | None = None
    file_system_configs: list[dict[str, str]] = field(default_factory=list)
    image_config: dict[str, Any] | None = None
    snap_start_apply_on: str | None = None
    logging_config: dict[str, str] = field(default_factory=dict)
    code_signing_config_arn: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    capacity_provider_config: dict[str, Any] | None = None
    tenant_isolation_mode: str | None = None  # None: TenancyConfig absent
    publish_to: str = ""
    durable_config: dict[str, int] | None = None
    runtime_config: dict[str, Any] | None = None
    accelerator_config: dict[str, Any] | None = None


@dataclass(frozen=True)
class VersionView:
    """A version's configuration as seen through the name it was asked for."""

    config: FunctionVersion
    function_arn: str


@dataclass(frozen=True)
class FunctionDetails:
    """Everything GetFunction returns."""

    view: VersionView
    tags: dict[str, str]
    reserved_concurrency: int | None


class VpcCheck(Protocol):
    """Whether a VpcConfig's subnets and security groups exist (AWS asks EC2)."""

    async def check(self, subnet_ids: Sequence[str], security_group_ids: Sequence[str]) -> None: ...


class FunctionRegistry(AliasOperations, TagOperations, ConcurrencyOperations):
    """Creates, reads, changes and deletes functions and versions; aliases, tags and
    concurrency come from the operations classes it is made of (one module per concern)."""

    def __init__(
        self,
        *,
        account: Account,
        state: StateStore,
        code: CodeIntake,
        transitions: StateTransitions,
        strict: bool = False,
        layers: LayerResolver | None = None,
        vpc_check: VpcCheck | None = None,
    ) -> None:
        self.account = account
        self._vpc_check = vpc_check
        self._state = state
        self._code = code
        self._transitions = transitions
        self._strict = strict
        self._layers = layers or NoLayers()
        self._listeners: list[Callable[[str], Awaitable[None]]] = []
        # Invoke's lookups, served from memory until the next write to the state store.
        self._configurations: ReadCache[tuple[str, str | None], VersionView] = ReadCache(state)
        self._aliases: ReadCache[tuple[str, str], Alias] = ReadCache(state)
        # Names callers gave that parsed (the account is fixed): an Invoke parses its name
        # twice, and most callers repeat a handful of names.
        self._refs: dict[tuple[str, str | None, bool], FunctionRef] = {}

    # ----------------------------------------------------------------- plumbing
    def on_change(self, listener: Callable[[str], Awaitable[None]]) -> None:
        """Call `listener(function_name)` after code/config changes and deletions."""
        self._listeners.append(listener)

    async def _changed(self, name: str) -> None:
        for listener in self._listeners:
            await listener(name)

    def resolve(
        self, function_name: str, qualifier: str | None = None, *, namespaced: bool = False
    ) -> FunctionRef:
        """Parse a caller's function name and qualifier (`namespaced` for reads and Invoke)."""
        key = (function_name, qualifier, namespaced)
        ref = self._refs.get(key)
        if ref is None:
            ref = parse_function_name(self.account, function_name, qualifier, namespaced=namespaced)
            if len(self._refs) >= _MAX_PARSED_NAMES:
                self._refs.clear()
            self._refs[key] = ref
        return ref

    async def start(self) -> None:
        """Finish transitions a previous run left half-way (e.g. after kill -9)."""
        await self._transitions.start()

    async def stop(self) -> None:
        """Cancel pending transitions; they resume on the next start."""
        await self._transitions.stop()

    def _not_found(self, ref: FunctionRef | str, qualifier: str | None = None) -> LambdaError:
        if isinstance(ref, FunctionRef):
            name, qualifier = ref.name, ref.qualifier
        else:
            name = ref
        return LambdaError(
            Reason.FUNCTION_NOT_FOUND,
            f"Function not found: {self.account.function_arn(name, qualifier)}",
        )

    # ---------------------------------------------------------------- validation
    def _check_settings(
        self,
        values: Mapping[str, Any],
        package_type: str,
        first: Sequence[Callable[[], object]] = (),
        *,
        creating: bool = True,
    ) -> None:
        """Validate whichever configurable fields are present in `values`, after `first`.

        Every check runs (in the model's member order) so that all constraint violations are
        reported together, as AWS reports them (validation.check_all).
        """
        checks: list[Callable[[], object]] = list(first)
        runtime = values.get("runtime")
        if runtime:
            if package_type == "Image":
                checks.append(
                    lambda: _raise(
                        invalid_parameter(
                            "Runtime and Handler are not supported for functions with package "
                            "type Image."
                        )
                    )
                )
            else:
                checks.append(
                    lambda: validation.check_runtime(
                        runtime, strict=self._strict, creating=creating
                    )
                )
        if "role" in values:
            checks.append(lambda: validation.check_role(values["role"], strict=self._strict))
        if values.get("handler") is not None:
            checks.append(lambda: validation.check_handler(values["handler"]))
        if "description" in values:
            checks.append(lambda: validation.check_description(values["description"]))
        if values.get("timeout") is not None:
            checks.append(lambda: validation.check_timeout(values["timeout"]))
        if values.get("memory_size") is not None:
            checks.append(lambda: validation.check_memory_size(values["memory_size"]))
        if "package_type" in values:
            checks.append(
                lambda: validation.check_enum(
                    values["package_type"], "packageType", ("Zip", "Image")
                )
            )
        if "environment" in values:
            checks.append(lambda: validation.check_environment(values["environment"]))
        if values.get("tracing_mode"):
            checks.append(
                lambda: validation.check_enum(
                    values["tracing_mode"], "tracingConfig.mode", ("Active", "PassThrough")
                )
            )
        if "tags" in values:
            checks.append(lambda: validation.check_tags(values["tags"]))
        if len(values.get("layers") or []) > 5:
            checks.append(lambda: _raise(invalid_parameter("Cannot reference more than 5 layers.")))
        if values.get("architectures"):
            checks.append(lambda: validation.check_architectures(values["architectures"]))
        if values.get("ephemeral_storage") is not None:
            checks.append(lambda: validation.check_ephemeral_storage(values["ephemeral_storage"]))
        if values.get("snap_start_apply_on"):
            checks.append(
                lambda: validation.check_enum(
                    values["snap_start_apply_on"],
                    "snapStart.applyOn",
                    ("PublishedVersions", "None"),
                )
            )
        checks += function_config_checks(values.get("capacity_provider_config"))
        checks += runtime_members.runtime_config_checks(values.get("runtime_config"))
        checks += runtime_members.accelerator_config_checks(values.get("accelerator_config"))
        if values.get("tenant_isolation_mode") is not None:
            checks.append(
                lambda: validation.check_enum(
                    values["tenant_isolation_mode"],
                    "tenancyConfig.tenantIsolationMode",
                    (TENANT_ISOLATION_PER_TENANT,),
                )
            )
        if values.get("publish_to"):
            checks.append(
                lambda: validation.check_enum(
                    values["publish_to"], "publishTo", (PUBLISH_TO_LATEST_PUBLISHED,)
                )
            )
        log_format = (values.get("logging_config") or {}).get("LogFormat")
        if log_format:
            checks.append(
                lambda: validation.check_enum(
                    log_format, "loggingConfig.logFormat", ("JSON", "Text")
                )
            )
        if values.get("durable_config"):
            durable = values["durable_config"]
            checks.append(lambda: durable_rules.check_durable_config(durable))
        validation.check_all(checks)

    async def _resolve_layers(self, arns: Sequence[str]) -> list[LayerRef]:
        if len(arns) > 5:
            raise invalid_parameter("Cannot reference more than 5 layers.")
        return await self._layers.resolve(arns)

    async def _check_vpc(self, vpc_config: Mapping[str, Any] | None) -> None:
        if self._vpc_check is None or not vpc_config:
            return
        await self._vpc_check.check(
            list(vpc_config.get("SubnetIds") or ()), list(vpc_config.get("SecurityGroupIds") or ())
        )

    # ------------------------------------------------------------------- create
    async def create_function(self, spec: NewFunction) -> VersionView:
        """CreateFunction: validate everything, store code, then commit in one step."""
        refs: list[FunctionRef] = []

        def check_name() -> None:
            ref = self.resolve(spec.function_name)
            if ref.qualifier is not None:
                # A new function has no versions or aliases yet; AWS rejects `name:qualifier`.
                raise validation_error(
                    spec.function_name,
                    "functionName",
                    f"Member must satisfy regular expression pattern: {FUNCTION_NAME_PATTERN}",
                )
            refs.append(ref)

        package_type = spec.package_type or "Zip"
        values = {k: getattr(spec, k) for k in UPDATABLE_FIELDS if hasattr(spec, k)}
        values |= {
            "role": spec.role,
            "package_type": package_type,
            "tags": spec.tags,
            "architectures": spec.architectures,
            "tenant_isolation_mode": spec.tenant_isolation_mode,
            "publish_to": spec.publish_to,
        }
        self._check_settings(values, package_type, first=[check_name])
        ref = refs[0]
        if spec.durable_config is not None and not spec.durable_config.get("ExecutionTimeout"):
            raise invalid_parameter(durable_rules.EXECUTION_TIMEOUT_REQUIRED)
        if package_type == "Zip" and (not spec.runtime or not spec.handler):
            raise invalid_parameter(
                "Runtime and Handler are mandatory parameters for functions created with "
                "deployment packages."
            )
        if spec.publish_to and not spec.capacity_provider_config:
            raise invalid_parameter(PUBLISH_TO_NEEDS_PROVIDER)
        if spec.tenant_isolation_mode and spec.capacity_provider_config:
            raise invalid_parameter(TENANCY_WITH_PROVIDER)
        if spec.tenant_isolation_mode and spec.snap_start_apply_on == "PublishedVersions":
            raise invalid_parameter(TENANCY_WITH_SNAPSTART)
        spec.code.check_storage_mode("code.s3ObjectStorageMode")
        if not spec.code.given:
            raise invalid_parameter(
                "An image is required when the package type is set to 'image'"
                if package_type == "Image"
                else "A ZIP file or S3 bucket is required"
            )
        # Cheap existence check first so a duplicate doesn't pay for code intake.
        if await self._state.run(lambda tx: tx.get_function(ref.name)) is not None:
            raise LambdaError(Reason.FUNCTION_ALREADY_EXISTS, f"Function already exist: {ref.name}")
        layers = await self._resolve_layers(spec.layers)
        await self._check_vpc(spec.vpc_config)
        code = await self._code.take(spec.code, package_type)
        # Managed Instances functions log in JSON (several invocations share an environment).
        default_format = "JSON" if spec.capacity_provider_config else "Text"
        logging_config = {"LogFormat": default_format, "LogGroup": f"/aws/lambda/{ref.name}"}
        logging_config.update({k: v for k, v in spec.logging_config.items() if v})
        if spec.capacity_provider_config and logging_config["LogFormat"] != "JSON":
            raise invalid_parameter(TEXT_LOGS_NOT_SUPPORTED)
        latest = FunctionVersion(
            name=ref.name,
            version=LATEST,
            role=spec.role,
            runtime=spec.runtime if package_type == "Zip" else None,
            handler=spec.handler if package_type == "Zip" else None,
            code=code,
            description=spec.description,
            timeout=spec.timeout or 3,
            memory_size=spec.memory_size or 128,
            package_type=package_type,
            environment=dict(spec.environment),
            architectures=list(spec.architectures or ["x86_64"]),
            ephemeral_storage=spec.ephemeral_storage or 512,
            tracing_mode=spec.tracing_mode or "PassThrough",
            layers=layers,
            dead_letter_target_arn=spec.dead_letter_target_arn or None,
            kms_key_arn=spec.kms_key_arn or None,
            vpc_config=spec.vpc_config,
            file_system_configs=list(spec.file_system_configs),
            image_config=spec.image_config,
            snap_start_apply_on=spec.snap_start_apply_on or "None",
            logging_config=logging_config,
            code_signing_config_arn=spec.code_signing_config_arn or None,
            capacity_provider_config=spec.capacity_provider_config or None,
            tenant_isolation_mode=spec.tenant_isolation_mode,
            durable_config=durable_rules.with_defaults(spec.durable_config),
            runtime_config=spec.runtime_config or None,
            accelerator_config=spec.accelerator_config or None,
        )

        def insert(tx: Transaction) -> FunctionVersion:
            if spec.capacity_provider_config:
                check_function_on_provider(
                    tx, self.account, spec.capacity_provider_config, latest.runtime
                )
            if tx.get_function(ref.name) is not None:
                raise LambdaError(
                    Reason.FUNCTION_ALREADY_EXISTS,
                    f"Function already exist: {ref.name}",
                )
            tx.put_function(
                FunctionRecord(
                    name=ref.name,
                    tags=dict(spec.tags),
                    last_published=1 if spec.publish and not spec.publish_to else 0,
                )
            )
            tx.put_version(latest)
            if spec.publish_to:
                published = latest.evolve(version=LATEST_PUBLISHED)
                tx.put_version(published)
                return published
            if not spec.publish:
                return latest
            published = latest.evolve(version="1")
            tx.put_version(published)
            return published

        created = await self._state.run(insert)
        self._transitions.schedule(latest)
        if created is not latest:
            self._transitions.schedule(created)
        log.info(
            "function created",
            function=ref.name,
            code_size=code.size,
            runtime=spec.runtime,
        )
        # With Publish, AWS answers version 1's configuration under the unqualified ARN.
        return VersionView(created, self.account.function_arn(ref.name))

    # --------------------------------------------------------------------- read
    def _lookup(self, tx: Transaction, ref: FunctionRef) -> VersionView:
        """Resolve name + qualifier (version or alias) to a configuration."""
        if tx.get_function(ref.name) is None:
            raise self._not_found(ref)
        qualifier = ref.qualifier
        if qualifier is None:
            config = tx.get_version(ref.name, LATEST)
            if config is None:
                raise self._not_found(ref)
            return VersionView(config, self.account.function_arn(ref.name))
        if is_version_qualifier(qualifier):
            config = tx.get_version(ref.name, qualifier)
        else:
            alias = tx.get_alias(ref.name, qualifier)
            config = tx.get_version(ref.name, alias.function_version) if alias else None
        if config is None:
            raise self._not_found(ref)
        return VersionView(config, self.account.function_arn(ref.name, qualifier))

    async def get_function(
        self, function_name: str, qualifier: str | None = None
    ) -> FunctionDetails:
        """GetFunction."""
        ref = self.resolve(function_name, qualifier, namespaced=True)

        def read(tx: Transaction) -> FunctionDetails:
            view = self._lookup(tx, ref)
            record = tx.get_function(ref.name)
            assert record is not None
            return FunctionDetails(view, dict(record.tags), record.reserved_concurrency)

        return await self._state.run(read)

    async def get_configuration(
        self, function_name: str, qualifier: str | None = None
    ) -> VersionView:
        """GetFunctionConfiguration."""
        ref = self.resolve(function_name, qualifier, namespaced=True)
        return await self._configurations.get(
            (ref.name, ref.qualifier), lambda: self._state.run(lambda tx: self._lookup(tx, ref))
        )

    async def list_functions(
        self, *, all_versions: bool, page_token: str, page_size: int
    ) -> Page[VersionView]:
        """ListFunctions, sorted by name (and version number within a name)."""

        def read(tx: Transaction) -> list[VersionView]:
            views = []
            for config in tx.versions():
                if config.is_latest:
                    arn = self.account.function_arn(config.name, LATEST if all_versions else None)
                    views.append(VersionView(config, arn))
                elif all_versions:
                    views.append(
                        VersionView(
                            config,
                            self.account.function_arn(config.name, config.version),
                        )
                    )
            return views

        views = await self._state.run(read)
        return paginate(views, _version_sort_key, page_token, page_size)

    async def list_versions(
        self, function_name: str, *, page_token: str, page_size: int
    ) -> Page[VersionView]:
        """ListVersionsByFunction: $LATEST then published versions, all qualified ARNs."""
        ref = self.resolve(function_name, namespaced=True)

        def read(tx: Transaction) -> list[VersionView]:
            if tx.get_function(ref.name) is None:
                raise self._not_found(ref.name)
            return [
                VersionView(c, self.account.function_arn(ref.name, c.version))
                for c in tx.versions(ref.name)
            ]

        views = await self._state.run(read)
        return paginate(views, _version_sort_key, page_token, page_size)

    # ------------------------------------------------------------------- update
    def _updatable_latest(
        self, tx: Transaction, ref: FunctionRef, revision_id: str
    ) -> FunctionVersion:
        if ref.qualifier not in (None, LATEST):
            raise invalid_parameter(
                "Qualifier is not supported for this operation. Please specify an unqualified "
                "function name or ARN."
            )
        latest = tx.get_version(ref.name, LATEST)
        if latest is None:
            raise self._not_found(ref.name)
        if latest.state == State.PENDING:
            raise LambdaError(
                Reason.RESOURCE_CONFLICT,
                "The operation cannot be performed at this time. The function is currently in "
                "the following state: Pending",
            )
        if latest.last_update_status == State.IN_PROGRESS:
            raise LambdaError(
                Reason.RESOURCE_CONFLICT,
                "The operation cannot be performed at this time. An update is in progress for "
                f"resource: {self.account.function_arn(ref.name)}",
            )
        if revision_id and revision_id != latest.revision_id:
            raise LambdaError(Reason.REVISION_ID_MISMATCH, REVISION_MISMATCH)
        return latest

    def _begin_update(self, latest: FunctionVersion, **changes: Any) -> FunctionVersion:
        return latest.evolve(
            **changes,
            last_modified=now_lambda_timestamp(),
            last_update_status=State.IN_PROGRESS,
            last_update_status_reason="The function is being created.",
            last_update_status_reason_code="Creating",
        )

    async def update_code(
        self,
        function_name: str,
        code: CodeInput,
        *,
        revision_id: str = "",
        publish: bool = False,
        publish_to: str = "",
        dry_run: bool = False,
        architectures: Sequence[str] = (),
    ) -> VersionView:
        """UpdateFunctionCode (and optionally publish: a new version with `publish`, the
        $LATEST.PUBLISHED version of a capacity provider function with `publish_to`)."""
        ref = self.resolve(function_name)
        if architectures:
            validation.check_architectures(architectures)
        if publish_to:
            validation.check_enum(publish_to, "publishTo", (PUBLISH_TO_LATEST_PUBLISHED,))
        code.check_storage_mode("s3ObjectStorageMode")
        current = await self._state.run(lambda tx: self._updatable_latest(tx, ref, revision_id))
        if publish_to and not current.capacity_provider_config:
            raise invalid_parameter(PUBLISH_TO_NEEDS_PROVIDER)
        if current.package_type == "Image" and not code.image_uri:
            raise invalid_parameter(
                "Please provide ImageUri when updating a function with packageType Image."
            )
        new_code = await self._code.take(code, current.package_type)
        if dry_run:
            return VersionView(
                dataclasses.replace(current, code=new_code),
                self.account.function_arn(ref.name),
            )

        def write(tx: Transaction) -> FunctionVersion:
            latest = self._updatable_latest(tx, ref, revision_id)
            updated = self._begin_update(
                latest,
                code=new_code,
                architectures=list(architectures) or latest.architectures,
            )
            tx.put_version(updated)
            return updated

        updated = await self._state.run(write)
        transition = self._transitions.schedule(updated)
        await self._changed(ref.name)
        log.info("function code updated", function=ref.name, code_size=new_code.size)
        if publish or publish_to:
            # AWS publishes the new code once the update has settled; so do we.
            await asyncio.shield(transition)
            return await self.publish_version(ref.name, publish_to=publish_to)
        return VersionView(updated, self.account.function_arn(ref.name))

    async def set_debug(self, function_name: str, port: int, *, wait: bool) -> VersionView:
        """Turn debugging of $LATEST on (`port`) or off (0): the Environment switch.

        The same variables a compose file would set, so both forms behave alike (and
        GetFunctionConfiguration shows the switch); the update replaces warm environments.
        """
        if not 0 <= port < 65536:
            raise invalid_parameter(
                f"Port must be between 1 and 65535 (0 turns debugging off): {port}"
            )
        ref = self.resolve(function_name)
        current = await self._state.run(lambda tx: self._updatable_latest(tx, ref, ""))
        environment = {
            k: v
            for k, v in current.environment.items()
            if k not in {DEBUG_PORT_VARIABLE, DEBUG_WAIT_VARIABLE}
        }
        if port:
            environment[DEBUG_PORT_VARIABLE] = str(port)
            if wait:
                environment[DEBUG_WAIT_VARIABLE] = "1"
        return await self.update_configuration(
            function_name, ConfigurationChange(environment=environment)
        )

    async def update_configuration(
        self, function_name: str, change: ConfigurationChange, *, revision_id: str = ""
    ) -> VersionView:
        """UpdateFunctionConfiguration: the fields `change` gives get their new values."""
        ref = self.resolve(function_name)
        changes = change.given()
        current = await self._state.run(lambda tx: self._updatable_latest(tx, ref, revision_id))
        self._check_settings(changes, current.package_type, creating=False)
        resolved: dict[str, Any] = dict(changes)
        if "layers" in changes:
            resolved["layers"] = await self._resolve_layers(changes["layers"])
        if "vpc_config" in changes:
            await self._check_vpc(changes["vpc_config"])
        if "logging_config" in changes:
            merged = dict(current.logging_config)
            merged.update({k: v for k, v in changes["logging_config"].items() if v})
            if current.capacity_provider_config and merged.get("LogFormat") == "Text":
                raise invalid_parameter(TEXT_LOGS_NOT_SUPPORTED)
            resolved["logging_config"] = merged
        if changes.get("runtime") == "":
            resolved.pop("runtime")
        if "capacity_provider_config" in changes and bool(
            changes["capacity_provider_config"]
        ) != bool(current.capacity_provider_config):
            raise invalid_parameter(PROVIDER_NOT_REMOVABLE)
        if changes.get("durable_config") is not None and current.durable_config is None:
            raise invalid_parameter(durable_rules.DURABLE_NOT_ADDABLE)
        if "durable_config" in changes:
            resolved["durable_config"] = durable_rules.with_defaults(
                changes["durable_config"], current.durable_config
            )

        def write(tx: Transaction) -> FunctionVersion:
            latest = self._updatable_latest(tx, ref, revision_id)
            if latest.capacity_provider_config and (
                "capacity_provider_config" in resolved or "runtime" in resolved
            ):
                check_function_on_provider(
                    tx,
                    self.account,
                    resolved.get("capacity_provider_config") or latest.capacity_provider_config,
                    resolved.get("runtime") or latest.runtime,
                )
            updated = self._begin_update(latest, **resolved)
            tx.put_version(updated)
            return updated

        updated = await self._state.run(write)
        self._transitions.schedule(updated)
        await self._changed(ref.name)
        log.info("function configuration updated", function=ref.name, fields=sorted(changes))
        return VersionView(updated, self.account.function_arn(ref.name))

    # ------------------------------------------------------------------ publish
    async def publish_version(
        self,
        function_name: str,
        *,
        code_sha256: str = "",
        description: str = "",
        revision_id: str = "",
        publish_to: str = "",
    ) -> VersionView:
        """PublishVersion; returns the newest version unchanged if nothing changed.

        The version is a copy of $LATEST, its description too unless `description` overrides
        it (the model's wording; an empty one is "not sent" in proto, so it cannot clear it).

        With `publish_to` LATEST_PUBLISHED (capacity provider functions), $LATEST is copied to
        the version $LATEST.PUBLISHED, replacing it, instead of to a new number.
        """
        ref = self.resolve(function_name)
        if publish_to:
            validation.check_enum(publish_to, "publishTo", (PUBLISH_TO_LATEST_PUBLISHED,))

        def write(tx: Transaction) -> tuple[FunctionVersion, bool]:
            latest = self._updatable_latest(tx, ref, revision_id)
            if code_sha256 and code_sha256 != latest.code.code_sha256:
                raise invalid_parameter(
                    f"CodeSHA256 ({code_sha256}) is different from current CodeSHA256 in $LATEST "
                    f"({latest.code.code_sha256}). Please try again with the CodeSHA256 in $LATEST."
                )
            if publish_to:
                if not latest.capacity_provider_config:
                    raise invalid_parameter(PUBLISH_TO_NEEDS_PROVIDER)
                republished = latest.evolve(
                    version=LATEST_PUBLISHED,
                    description=description or latest.description,
                    last_modified=now_lambda_timestamp(),
                    state=State.ACTIVE,
                    state_reason=None,
                    state_reason_code=None,
                    last_update_status=State.SUCCESSFUL,
                    last_update_status_reason=None,
                    last_update_status_reason_code=None,
                )
                tx.put_version(republished)
                return republished, False
            record = tx.get_function(ref.name)
            assert record is not None
            newest = tx.get_version(ref.name, str(record.last_published))
            # Any update of $LATEST since the newest version (a Description-only one too, which
            # the content comparison leaves out) makes a new version, as on AWS.
            if (
                newest is not None
                and _same_content(newest, latest)
                and latest.last_modified <= newest.last_modified
            ):
                return newest, False
            number = record.last_published + 1
            if latest.state == State.ACTIVE and latest.last_update_status in (
                None,
                State.SUCCESSFUL,
            ):
                # A copy of a settled $LATEST is ready at once: AWS answers it Active and
                # Successful, and it keeps this RevisionId (no transition follows).
                settled: dict[str, Any] = {
                    "state": State.ACTIVE,
                    "state_reason": None,
                    "state_reason_code": None,
                    "last_update_status": State.SUCCESSFUL,
                }
            else:
                settled = {
                    "state": State.PENDING,
                    "state_reason": "The function is being created.",
                    "state_reason_code": "Creating",
                    "last_update_status": None,
                }
            version = latest.evolve(
                version=str(number),
                description=description or latest.description,
                last_modified=now_lambda_timestamp(),
                last_update_status_reason=None,
                last_update_status_reason_code=None,
                **settled,
            )
            tx.put_version(version)
            tx.put_function(dataclasses.replace(record, last_published=number))
            return version, True

        version, created = await self._state.run(write)
        if created and version.state == State.PENDING:
            self._transitions.schedule(version)
            log.info("version published", function=ref.name, version=version.version)
        return VersionView(version, self.account.function_arn(ref.name, version.version))

    # ------------------------------------------------------------------- delete
    async def delete_function(self, function_name: str, qualifier: str | None = None) -> None:
        """DeleteFunction: everything, or one published version."""
        ref = self.resolve(function_name, qualifier, namespaced=True)

        def write(tx: Transaction) -> None:
            if tx.get_function(ref.name) is None:
                raise self._not_found(ref.name)
            if ref.qualifier is None:
                tx.delete_function(ref.name)
                return
            if ref.qualifier == LATEST:
                raise invalid_parameter(
                    "$LATEST version cannot be deleted without deleting the function."
                )
            if not is_version_qualifier(ref.qualifier):
                raise invalid_parameter("Deletion of aliases is not currently supported.")
            if tx.get_version(ref.name, ref.qualifier) is None:
                return  # AWS answers 204 for a version that does not exist (any more)
            users = [
                a.name
                for a in tx.aliases(ref.name)
                if a.function_version == ref.qualifier or ref.qualifier in a.routing
            ]
            if users:
                raise LambdaError(
                    Reason.RESOURCE_CONFLICT,
                    f"Unable to delete version because the following aliases reference it: "
                    f"[{', '.join(users)}]",
                )
            tx.delete_version(ref.name, ref.qualifier)

        await self._state.run(write)
        await self._changed(ref.name)
        log.info("function deleted", function=ref.name, qualifier=ref.qualifier)


def _raise(error: LambdaError) -> None:
    raise error


def _version_sort_key(view: VersionView) -> str:
    config = view.config
    number = version_number(config.version)
    return f"{config.name}\x00{number:012d}"


def _same_content(a: FunctionVersion, b: FunctionVersion) -> bool:
    left = {k: v for k, v in dataclasses.asdict(a).items() if k not in _VOLATILE_FIELDS}
    right = {k: v for k, v in dataclasses.asdict(b).items() if k not in _VOLATILE_FIELDS}
    return left == right
