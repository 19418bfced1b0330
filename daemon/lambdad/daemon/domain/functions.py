"""Functions, versions, aliases and tags: the rules of AWS Lambda's control plane.

`FunctionRegistry` is the one place these rules live. It validates, stores
through `StateStore`/`BlobStore`, and drives the asynchronous state
transitions (Pending -> Active, InProgress -> Successful) that SDK waiters poll.
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import json
import os
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

import structlog

from lambdad.daemon.domain import validation
from lambdad.daemon.domain.archives import (
    MAX_UNZIPPED_BYTES,
    MAX_ZIPPED_BYTES,
    ZipSummary,
    inspect_zip,
)
from lambdad.daemon.domain.model import (
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
    Account,
    FunctionRef,
    check_alias_name,
    check_version,
    is_version_qualifier,
    parse_function_name,
)
from lambdad.daemon.errors import (
    LambdaError,
    Reason,
    invalid_parameter,
    validation_error,
)
from lambdad.daemon.runtime.debugging import DEBUG_PORT_VARIABLE, DEBUG_WAIT_VARIABLE
from lambdad.daemon.store.blobs import BlobStore
from lambdad.daemon.store.read_cache import ReadCache
from lambdad.daemon.store.state import StateStore, Transaction

log = structlog.get_logger(__name__)
T = TypeVar("T")

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 10_000
ACCOUNT_CONCURRENCY = 1000
MIN_UNRESERVED_CONCURRENCY = 100
TOTAL_CODE_SIZE_LIMIT = 80_530_636_800
REVISION_MISMATCH = (
    "The Revision Id provided does not match the latest Revision Id. "
    "Call the GetFunction/GetAlias API to retrieve the latest Revision Id"
)
_UPDATABLE_FIELDS = frozenset(
    {
        "role",
        "handler",
        "description",
        "timeout",
        "memory_size",
        "vpc_config",
        "environment",
        "runtime",
        "dead_letter_target_arn",
        "kms_key_arn",
        "tracing_mode",
        "layers",
        "file_system_configs",
        "image_config",
        "ephemeral_storage",
        "snap_start_apply_on",
        "logging_config",
    }
)
# botocore's TaggableResource (1.44): the pattern AWS quotes when a tag operation's ARN is bad.
TAGGABLE_RESOURCE_PATTERN = (
    r"arn:(aws[a-zA-Z-]*):lambda:(eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:\d{12}:"
    r"(function:[a-zA-Z0-9-_]+(:(\$LATEST|[a-zA-Z0-9-_]+))?|code-signing-config:csc-[a-z0-9]{17}|"
    r"event-source-mapping:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
    r"[0-9a-fA-F]{12}|(capacity-provider|network-connector):[a-zA-Z0-9-_]{1,64})"
)
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


class FunctionPreparer(Protocol):
    """Gets a version ready to run (e.g. its runtime image); raises to mark it Failed."""

    async def prepare(self, config: FunctionVersion) -> None: ...


class ImageResolver(Protocol):
    """Pins an image reference to its digest: `(digest hex, "<repo>@sha256:<hex>")`.

    Returns None when the image is not available (the preparer then fails the version).
    """

    async def resolve_image(self, image_uri: str) -> tuple[str, str] | None: ...


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


class NothingToPrepare:
    """Preparer used when no executor needs anything before a version runs."""

    async def prepare(self, config: FunctionVersion) -> None:
        """Nothing to do."""


@dataclass(frozen=True)
class CodeInput:
    """Code as given to CreateFunction/UpdateFunctionCode."""

    zip_file: bytes = b""
    s3_bucket: str = ""
    s3_key: str = ""
    s3_object_version: str = ""
    image_uri: str = ""

    @property
    def given(self) -> bool:
        """True if any source was named."""
        return bool(self.zip_file or self.s3_bucket or self.s3_key or self.image_uri)


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


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list and the token of the next one ("" on the last page)."""

    items: list[T]
    next_token: str


@dataclass(frozen=True)
class AccountSettings:
    """GetAccountSettings."""

    function_count: int
    total_code_size: int
    unreserved_concurrency: int


def paginate(items: Sequence[T], key: Callable[[T], str], token: str, size: int) -> Page[T]:
    """Cut a sorted list after the item whose key is `token` (opaque: base64url of the key)."""
    if size < 0 or size > MAX_PAGE_SIZE:
        bound = (
            "greater than or equal to 1" if size < 1 else f"less than or equal to {MAX_PAGE_SIZE}"
        )
        raise validation_error(size, "maxItems", f"Member must have value {bound}")
    size = size or DEFAULT_PAGE_SIZE
    start = 0
    if token:
        try:
            after = base64.urlsafe_b64decode(token.encode()).decode()
        except (ValueError, UnicodeDecodeError):
            raise invalid_parameter("Invalid pagination token.") from None
        start = next((i for i, item in enumerate(items) if key(item) > after), len(items))
    chunk = list(items[start : start + size])
    if start + size >= len(items) or not chunk:
        return Page(chunk, "")
    return Page(chunk, base64.urlsafe_b64encode(key(chunk[-1]).encode()).decode())


class FunctionRegistry:
    """Creates, reads, changes and deletes functions, versions, aliases and tags."""

    def __init__(
        self,
        *,
        account: Account,
        state: StateStore,
        blobs: BlobStore,
        code_fetcher: CodeFetcher,
        strict: bool = False,
        layers: LayerResolver | None = None,
        preparer: FunctionPreparer | None = None,
        image_resolver: ImageResolver | None = None,
        hot_reload_bucket: str = DEFAULT_HOT_RELOAD_BUCKET,
    ) -> None:
        self.account = account
        self._state = state
        self._blobs = blobs
        self._code_fetcher = code_fetcher
        self._strict = strict
        self._layers = layers or NoLayers()
        self._preparer = preparer or NothingToPrepare()
        self._image_resolver = image_resolver
        self._hot_reload_bucket = hot_reload_bucket
        self._transitions: set[asyncio.Task[None]] = set()
        self._listeners: list[Callable[[str], Awaitable[None]]] = []
        # Invoke's lookups, served from memory until the next write to the state store.
        self._configurations: ReadCache[tuple[str, str | None], VersionView] = ReadCache(state)
        self._aliases: ReadCache[tuple[str, str], Alias] = ReadCache(state)

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
        return parse_function_name(self.account, function_name, qualifier, namespaced=namespaced)

    def _not_found(self, ref: FunctionRef | str, qualifier: str | None = None) -> LambdaError:
        if isinstance(ref, FunctionRef):
            name, qualifier = ref.name, ref.qualifier
        else:
            name = ref
        return LambdaError(
            Reason.FUNCTION_NOT_FOUND,
            f"Function not found: {self.account.function_arn(name, qualifier)}",
        )

    async def start(self) -> None:
        """Finish transitions a previous run left half-way (e.g. after kill -9)."""

        def unfinished(tx: Transaction) -> list[FunctionVersion]:
            return [
                v
                for v in tx.versions()
                if v.state == State.PENDING or v.last_update_status == State.IN_PROGRESS
            ]

        for config in await self._state.run(unfinished):
            self._schedule_transition(config)
        referenced = await self._state.run(lambda tx: tx.referenced_blobs())
        await asyncio.to_thread(self._blobs.collect_garbage, referenced)

    async def stop(self) -> None:
        """Cancel pending transitions; they resume on the next start."""
        for task in list(self._transitions):
            task.cancel()
        await asyncio.gather(*self._transitions, return_exceptions=True)

    def _schedule_transition(self, config: FunctionVersion) -> asyncio.Task[None]:
        task = asyncio.create_task(self._complete_transition(config))
        self._transitions.add(task)
        task.add_done_callback(self._transitions.discard)
        return task

    async def _complete_transition(self, config: FunctionVersion) -> None:
        """Pending -> Active (create/publish) or InProgress -> Successful (update)."""
        failure: LambdaError | None = None
        try:
            await self._preparer.prepare(config)
        except LambdaError as error:
            failure = error
        except Exception as error:  # a preparer bug must not leave the function Pending
            log.exception("preparing function failed", function=config.name)
            failure = LambdaError(Reason.SERVICE, str(error))

        def finish(tx: Transaction) -> FunctionVersion | None:
            current = tx.get_version(config.name, config.version)
            if current is None or current.revision_id != config.revision_id:
                return None  # changed meanwhile; that change schedules its own transition
            reason_code = (
                failure.metadata.get("state_reason_code", "InternalError") if failure else None
            )
            settled: dict[str, Any] = {
                "last_update_status": State.FAILED if failure else State.SUCCESSFUL,
                "last_update_status_reason": failure.message if failure else None,
                "last_update_status_reason_code": reason_code,
            }
            if current.state == State.PENDING:
                settled |= {
                    "state": State.FAILED if failure else State.ACTIVE,
                    "state_reason": failure.message if failure else None,
                    "state_reason_code": reason_code,
                }
            # $LATEST gets a new RevisionId when it settles (AWS, lambda-spec §1.3); a
            # published version keeps the one it was answered with (issue 15).
            if current.is_latest:
                done = current.evolve(**settled)
            else:
                done = dataclasses.replace(current, **settled)
            tx.put_version(done)
            return done

        done = await self._state.run(finish)
        if done is not None:
            log.info(
                "function state settled",
                function=done.name,
                version=done.version,
                state=done.state,
                last_update_status=done.last_update_status,
            )

    # --------------------------------------------------------------- code intake
    async def _take_code(self, code: CodeInput, package_type: str) -> CodeRef:
        """Validate and store code; nothing is stored when it is rejected."""
        if package_type == "Image":
            if not code.image_uri:
                raise invalid_parameter(
                    "An image is required when the package type is set to 'image'"
                )
            if code.zip_file or code.s3_bucket or code.s3_key:
                raise invalid_parameter(
                    "Please don't provide ZipFile or S3 location when the package type is "
                    "set to 'image'"
                )
            resolved = None
            if self._image_resolver is not None:
                resolved = await self._image_resolver.resolve_image(code.image_uri)
            if resolved is None:
                return CodeRef(image_uri=code.image_uri)
            digest_hex, resolved_uri = resolved
            return CodeRef(
                image_uri=code.image_uri, resolved_image_uri=resolved_uri, code_sha256=digest_hex
            )
        if code.image_uri:
            raise invalid_parameter(
                "Please don't provide ImageUri when updating a function with packageType Zip."
            )
        if self._hot_reload_bucket and code.s3_bucket == self._hot_reload_bucket:
            return hot_reload_code(code.s3_key)
        if code.zip_file:
            data = code.zip_file
        elif code.s3_bucket and code.s3_key:
            data = await self._code_fetcher.fetch(
                code.s3_bucket, code.s3_key, code.s3_object_version or None
            )
        elif code.s3_bucket or code.s3_key:
            missing = "s3Key" if code.s3_bucket else "s3Bucket"
            raise invalid_parameter(
                f"Please provide a source for function code. {missing} is missing."
            )
        else:
            raise invalid_parameter("Please provide a source for function code.")
        # Code taken from S3 has no 50 MB zipped limit on AWS, only the unzipped one.
        max_zipped = MAX_ZIPPED_BYTES if code.zip_file else MAX_UNZIPPED_BYTES
        summary: ZipSummary = await asyncio.to_thread(inspect_zip, data, max_zipped=max_zipped)
        await asyncio.to_thread(self._blobs.put, summary.sha256_hex, data)
        return CodeRef(
            sha256_hex=summary.sha256_hex,
            code_sha256=summary.code_sha256,
            size=summary.size,
            unzipped_size=summary.unzipped_size,
        )

    # ---------------------------------------------------------------- validation
    def _check_settings(
        self,
        values: Mapping[str, Any],
        package_type: str,
        first: Sequence[Callable[[], object]] = (),
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
                checks.append(lambda: validation.check_runtime(runtime, strict=self._strict))
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
        log_format = (values.get("logging_config") or {}).get("LogFormat")
        if log_format:
            checks.append(
                lambda: validation.check_enum(
                    log_format, "loggingConfig.logFormat", ("JSON", "Text")
                )
            )
        validation.check_all(checks)

    async def _resolve_layers(self, arns: Sequence[str]) -> list[LayerRef]:
        if len(arns) > 5:
            raise invalid_parameter("Cannot reference more than 5 layers.")
        return await self._layers.resolve(arns)

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
        values = {k: getattr(spec, k) for k in _UPDATABLE_FIELDS if hasattr(spec, k)}
        values |= {
            "role": spec.role,
            "package_type": package_type,
            "tags": spec.tags,
            "architectures": spec.architectures,
        }
        self._check_settings(values, package_type, first=[check_name])
        ref = refs[0]
        if package_type == "Zip" and (not spec.runtime or not spec.handler):
            raise invalid_parameter(
                "Runtime and Handler are mandatory parameters for functions created with "
                "deployment packages."
            )
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
        code = await self._take_code(spec.code, package_type)
        logging_config = {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{ref.name}"}
        logging_config.update({k: v for k, v in spec.logging_config.items() if v})
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
        )

        def insert(tx: Transaction) -> FunctionVersion:
            if tx.get_function(ref.name) is not None:
                raise LambdaError(
                    Reason.FUNCTION_ALREADY_EXISTS,
                    f"Function already exist: {ref.name}",
                )
            tx.put_function(
                FunctionRecord(
                    name=ref.name, tags=dict(spec.tags), last_published=1 if spec.publish else 0
                )
            )
            tx.put_version(latest)
            if not spec.publish:
                return latest
            published = latest.evolve(version="1")
            tx.put_version(published)
            return published

        created = await self._state.run(insert)
        self._schedule_transition(latest)
        if created is not latest:
            self._schedule_transition(created)
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
        dry_run: bool = False,
        architectures: Sequence[str] = (),
    ) -> VersionView:
        """UpdateFunctionCode (and optionally publish)."""
        ref = self.resolve(function_name)
        if architectures:
            validation.check_architectures(architectures)
        current = await self._state.run(lambda tx: self._updatable_latest(tx, ref, revision_id))
        if current.package_type == "Image" and not code.image_uri:
            raise invalid_parameter(
                "Please provide ImageUri when updating a function with packageType Image."
            )
        new_code = await self._take_code(code, current.package_type)
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
        transition = self._schedule_transition(updated)
        await self._changed(ref.name)
        log.info("function code updated", function=ref.name, code_size=new_code.size)
        if publish:
            # AWS publishes the new code once the update has settled; so do we.
            await asyncio.shield(transition)
            return await self.publish_version(ref.name)
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
        return await self.update_configuration(function_name, {"environment": environment})

    async def update_configuration(
        self, function_name: str, changes: Mapping[str, Any], *, revision_id: str = ""
    ) -> VersionView:
        """UpdateFunctionConfiguration; `changes` maps FunctionVersion fields to new values."""
        ref = self.resolve(function_name)
        unknown = set(changes) - _UPDATABLE_FIELDS
        if unknown:
            raise invalid_parameter(f"Unsupported fields: {', '.join(sorted(unknown))}")
        current = await self._state.run(lambda tx: self._updatable_latest(tx, ref, revision_id))
        self._check_settings(changes, current.package_type)
        resolved: dict[str, Any] = dict(changes)
        if "layers" in changes:
            resolved["layers"] = await self._resolve_layers(changes["layers"])
        if "logging_config" in changes:
            merged = dict(current.logging_config)
            merged.update({k: v for k, v in changes["logging_config"].items() if v})
            resolved["logging_config"] = merged
        if changes.get("runtime") == "":
            resolved.pop("runtime")

        def write(tx: Transaction) -> FunctionVersion:
            latest = self._updatable_latest(tx, ref, revision_id)
            updated = self._begin_update(latest, **resolved)
            tx.put_version(updated)
            return updated

        updated = await self._state.run(write)
        self._schedule_transition(updated)
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
    ) -> VersionView:
        """PublishVersion; returns the newest version unchanged if nothing changed."""
        ref = self.resolve(function_name)

        def write(tx: Transaction) -> tuple[FunctionVersion, bool]:
            latest = self._updatable_latest(tx, ref, revision_id)
            if code_sha256 and code_sha256 != latest.code.code_sha256:
                raise invalid_parameter(
                    f"CodeSHA256 ({code_sha256}) is different from current CodeSHA256 in $LATEST "
                    f"({latest.code.code_sha256}). Please try again with the CodeSHA256 in $LATEST."
                )
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
                description=description,
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
            self._schedule_transition(version)
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

    # ------------------------------------------------------------------ aliases
    def _alias_arn(self, function: str, alias: str) -> str:
        return self.account.function_arn(function, alias)

    def _check_routing(
        self, tx: Transaction, name: str, version: str, routing: Mapping[str, float]
    ) -> None:
        if len(routing) > 1:
            raise invalid_parameter(
                "Number of items in AdditionalVersionWeights cannot be greater than 1"
            )
        for extra, weight in routing.items():
            if not 0.0 <= weight <= 1.0:
                shown = "{" + ", ".join(f"{k}={v}" for k, v in routing.items()) + "}"
                raise validation_error(
                    shown,
                    "routingConfig.additionalVersionWeights",
                    "Map value must satisfy constraint: [Member must have value less than or "
                    "equal to 1.0, Member must have value greater than or equal to 0.0, Member "
                    "must not be null]",
                )
            if version == LATEST:
                raise invalid_parameter(
                    "$LATEST is not supported for an alias pointing to more than 1 version"
                )
            if extra == version:
                raise invalid_parameter(
                    f"Invalid function version {extra}. Function version {extra} is already "
                    "included in routing configuration."
                )
            if not re.fullmatch(r"[0-9]+", extra):
                raise validation_error(
                    extra,
                    "routingConfig.additionalVersionWeights",
                    "Map keys must satisfy constraint: [Member must satisfy regular expression "
                    "pattern: [0-9]+]",
                )
            if tx.get_version(name, extra) is None:
                raise LambdaError(
                    Reason.FUNCTION_NOT_FOUND,
                    f"Function not found: {self.account.function_arn(name, extra)}",
                )

    async def create_alias(
        self,
        function_name: str,
        name: str,
        function_version: str,
        description: str = "",
        routing: Mapping[str, float] | None = None,
    ) -> Alias:
        """CreateAlias."""
        ref = self.resolve(function_name)
        check_alias_name(name)
        check_version(function_version)
        validation.check_description(description)
        routing = dict(routing or {})

        def write(tx: Transaction) -> Alias:
            if tx.get_function(ref.name) is None:
                raise self._not_found(ref.name)
            if tx.get_version(ref.name, function_version) is None:
                raise LambdaError(
                    Reason.FUNCTION_NOT_FOUND,
                    f"Function not found: {self.account.function_arn(ref.name, function_version)}",
                )
            if tx.get_alias(ref.name, name) is not None:
                raise LambdaError(
                    Reason.ALIAS_ALREADY_EXISTS,
                    f"Alias already exists: {self._alias_arn(ref.name, name)}",
                )
            self._check_routing(tx, ref.name, function_version, routing)
            alias = Alias(ref.name, name, function_version, description, routing)
            tx.put_alias(alias)
            return alias

        alias = await self._state.run(write)
        log.info("alias created", function=ref.name, alias=name, version=function_version)
        return alias

    def _get_alias(self, tx: Transaction, ref: FunctionRef, name: str, verb: str) -> Alias:
        if tx.get_function(ref.name) is None:
            raise self._not_found(ref.name)
        alias = tx.get_alias(ref.name, name)
        if alias is None:
            arn = self._alias_arn(ref.name, name)
            message = (
                f"Alias not found: {arn}" if verb == "update" else f"Cannot find alias arn: {arn}"
            )
            raise LambdaError(Reason.ALIAS_NOT_FOUND, message)
        return alias

    async def get_alias(self, function_name: str, name: str) -> Alias:
        """GetAlias."""
        ref = self.resolve(function_name)
        check_alias_name(name)
        return await self._aliases.get(
            (ref.name, name),
            lambda: self._state.run(lambda tx: self._get_alias(tx, ref, name, "get")),
        )

    async def list_aliases(
        self,
        function_name: str,
        *,
        function_version: str,
        page_token: str,
        page_size: int,
    ) -> Page[Alias]:
        """ListAliases, optionally only those pointing at one version."""
        ref = self.resolve(function_name)
        if function_version:
            check_version(function_version)

        def read(tx: Transaction) -> list[Alias]:
            if tx.get_function(ref.name) is None:
                raise self._not_found(ref.name)
            return [
                a
                for a in tx.aliases(ref.name)
                if not function_version or a.function_version == function_version
            ]

        aliases = await self._state.run(read)
        return paginate(aliases, lambda a: a.name, page_token, page_size)

    async def update_alias(
        self,
        function_name: str,
        name: str,
        changes: Mapping[str, Any],
        *,
        revision_id: str = "",
    ) -> Alias:
        """UpdateAlias; `changes` holds function_version, description and/or routing."""
        ref = self.resolve(function_name)
        check_alias_name(name)
        if "function_version" in changes:
            check_version(changes["function_version"])
        if "description" in changes:
            validation.check_description(changes["description"])

        def write(tx: Transaction) -> Alias:
            alias = self._get_alias(tx, ref, name, "update")
            if revision_id and revision_id != alias.revision_id:
                raise LambdaError(Reason.REVISION_ID_MISMATCH, REVISION_MISMATCH)
            updated = alias.evolve(**changes)
            if "function_version" in changes and (
                tx.get_version(ref.name, updated.function_version) is None
            ):
                raise LambdaError(
                    Reason.FUNCTION_NOT_FOUND,
                    "Function not found: "
                    f"{self.account.function_arn(ref.name, updated.function_version)}",
                )
            self._check_routing(tx, ref.name, updated.function_version, updated.routing)
            tx.put_alias(updated)
            return updated

        alias = await self._state.run(write)
        log.info("alias updated", function=ref.name, alias=name, fields=sorted(changes))
        return alias

    async def delete_alias(self, function_name: str, name: str) -> None:
        """DeleteAlias; deleting an alias that does not exist succeeds, as on AWS (recorded
        2025: 204), while an unknown function is still a 404."""
        ref = self.resolve(function_name)
        check_alias_name(name)

        def write(tx: Transaction) -> None:
            if tx.get_function(ref.name) is None:
                raise self._not_found(ref.name)
            if tx.get_alias(ref.name, name) is not None:
                tx.delete_alias(ref.name, name)

        await self._state.run(write)
        log.info("alias deleted", function=ref.name, alias=name)

    # --------------------------------------------------------------------- tags
    def _tag_target(self, resource: str) -> str:
        """The function name behind a taggable ARN."""
        match = re.fullmatch(
            r"arn:(aws[a-zA-Z-]*)?:lambda:([a-z0-9-]+):(\d{12}):function:([a-zA-Z0-9-_]+)(:.+)?",
            resource,
        )
        if match is None:
            raise validation_error(
                resource,
                "resource",
                f"Member must satisfy regular expression pattern: {TAGGABLE_RESOURCE_PATTERN}",
            )
        if match.group(5):
            raise invalid_parameter(
                "Tags on function aliases and versions are not supported. Please specify a "
                "function ARN."
            )
        return self.resolve(resource).name

    async def tag_resource(self, resource: str, tags: Mapping[str, str]) -> None:
        """TagResource: add or replace tags; a new RevisionId, as AWS gives one."""
        name = self._tag_target(resource)
        if not tags:
            # AWS's answer to `"Tags": {}` (and to no Tags at all).
            raise invalid_parameter("An error occurred and the request cannot be processed.")

        def write(tx: Transaction) -> FunctionVersion | None:
            record = tx.get_function(name)
            if record is None:
                raise self._not_found(name)
            validation.check_tags(tags, record.tags)
            tx.put_function(dataclasses.replace(record, tags={**record.tags, **tags}))
            return self._retag_latest(tx, name)

        self._continue_transition(await self._state.run(write))

    @staticmethod
    def _retag_latest(tx: Transaction, name: str) -> FunctionVersion | None:
        """Give $LATEST a new RevisionId: AWS changes it when the function's tags change."""
        latest = tx.get_version(name, LATEST)
        if latest is None:
            return None
        retagged = latest.evolve()
        tx.put_version(retagged)
        return retagged

    def _continue_transition(self, config: FunctionVersion | None) -> None:
        # A transition settles only the revision it was started for; a new revision of a
        # version still settling needs one of its own.
        if config is not None and (
            config.state == State.PENDING or config.last_update_status == State.IN_PROGRESS
        ):
            self._schedule_transition(config)

    async def untag_resource(self, resource: str, keys: Sequence[str]) -> None:
        """UntagResource."""
        name = self._tag_target(resource)
        if not keys:
            raise validation_error(None, "tagKeys", "Member must not be null")

        def write(tx: Transaction) -> FunctionVersion | None:
            record = tx.get_function(name)
            if record is None:
                raise self._not_found(name)
            kept = {k: v for k, v in record.tags.items() if k not in set(keys)}
            tx.put_function(dataclasses.replace(record, tags=kept))
            return self._retag_latest(tx, name)

        self._continue_transition(await self._state.run(write))

    async def list_tags(self, resource: str) -> dict[str, str]:
        """ListTags."""
        name = self._tag_target(resource)

        def read(tx: Transaction) -> dict[str, str]:
            record = tx.get_function(name)
            if record is None:
                raise self._not_found(name)
            return dict(record.tags)

        return await self._state.run(read)

    # ------------------------------------------------------------------ account
    async def account_settings(self) -> AccountSettings:
        """GetAccountSettings usage figures."""

        def read(tx: Transaction) -> AccountSettings:
            names = tx.function_names()
            size = sum(v.code.size for v in tx.versions())
            # AWS's account TotalCodeSize counts layer versions too.
            size += sum(json.loads(text).get("code_size", 0) for text in tx.layer_versions())
            reserved = sum(
                (record.reserved_concurrency or 0)
                for record in (tx.get_function(n) for n in names)
                if record is not None
            )
            # As on AWS, provisioned concurrency of functions without reserved concurrency
            # is taken from the unreserved pool.
            unreserved = ACCOUNT_CONCURRENCY - reserved - tx.provisioned_outside_reserved()
            return AccountSettings(len(names), size, unreserved)

        return await self._state.run(read)

    # -------------------------------------------------------------- concurrency
    async def set_reserved_concurrency(
        self, function_name: str, reserved: int | None
    ) -> int | None:
        """Put (or, with None, delete) a function's reserved concurrency.

        Only unqualified names; at least MIN_UNRESERVED_CONCURRENCY must stay unreserved.
        """
        ref = self.resolve(function_name)
        if ref.qualifier is not None:
            raise invalid_parameter(
                "This operation is permitted on Lambda functions only. Aliases and versions do "
                "not support this operation. Please specify either a function name or an "
                "unqualified function ARN."
            )

        def write(tx: Transaction) -> int | None:
            record = tx.get_function(ref.name)
            if record is None:
                raise self._not_found(ref.name, LATEST)
            if reserved is not None:
                others = sum(
                    (other.reserved_concurrency or 0)
                    for other in (tx.get_function(n) for n in tx.function_names())
                    if other is not None and other.name != ref.name
                )
                # Provisioned concurrency outside reserved concurrency is unreserved no more;
                # this function's own moves inside its reservation.
                outside = tx.provisioned_outside_reserved(exclude=ref.name)
                if ACCOUNT_CONCURRENCY - others - outside - reserved < MIN_UNRESERVED_CONCURRENCY:
                    raise invalid_parameter(
                        "Specified ReservedConcurrentExecutions for function decreases "
                        "account's UnreservedConcurrentExecution below its minimum value of "
                        f"[{MIN_UNRESERVED_CONCURRENCY}]."
                    )
            tx.put_function(dataclasses.replace(record, reserved_concurrency=reserved))
            return reserved

        return await self._state.run(write)

    async def reserved_concurrency(self, function_name: str) -> int | None:
        """A function's reserved concurrency (None when it has none)."""
        ref = self.resolve(function_name)

        def read(tx: Transaction) -> int | None:
            record = tx.get_function(ref.name)
            if record is None:
                # Unlike PutFunctionConcurrency's (`...:$LATEST`), AWS names the bare ARN here.
                raise self._not_found(ref.name)
            return record.reserved_concurrency

        return await self._state.run(read)

    async def reserved_concurrencies(self) -> dict[str, int]:
        """Every function with reserved concurrency, and its value."""

        def read(tx: Transaction) -> dict[str, int]:
            records = (tx.get_function(n) for n in tx.function_names())
            return {
                r.name: r.reserved_concurrency
                for r in records
                if r is not None and r.reserved_concurrency is not None
            }

        return await self._state.run(read)


def _raise(error: LambdaError) -> None:
    raise error


def _version_sort_key(view: VersionView) -> str:
    config = view.config
    number = 0 if config.is_latest else int(config.version)
    return f"{config.name}\x00{number:012d}"


def _same_content(a: FunctionVersion, b: FunctionVersion) -> bool:
    left = {k: v for k, v in dataclasses.asdict(a).items() if k not in _VOLATILE_FIELDS}
    right = {k: v for k, v in dataclasses.asdict(b).items() if k not in _VOLATILE_FIELDS}
    return left == right


def hot_reload_code(directory: str) -> CodeRef:
    """The CodeRef of a hot-reloaded function: the host directory `directory`, used in place."""
    if not directory or not os.path.isabs(directory):
        raise invalid_parameter(
            f"Hot reloading needs an absolute host directory as S3Key, got {directory!r}."
        )
    if not os.path.isdir(directory):
        raise invalid_parameter(f"Hot reloading directory {directory} does not exist.")
    return CodeRef(code_sha256=HOT_RELOAD_CODE_SHA256, hot_reload_dir=os.path.normpath(directory))
