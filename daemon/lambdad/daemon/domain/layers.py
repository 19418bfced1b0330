"""Layers: publishing, listing, permissions, and resolving the layer ARNs a function names.

`LayerRegistry` is the one place the rules of AWS Lambda's layer API live. Layer zips go
through the same validation as function code and into the same content-addressed blob
store; rows live in the `layers`/`layer_versions` tables. Version numbers come from a
per-layer counter that survives deletions, so a number is never reused.

`LayerRegistry.resolve` is the `LayerResolver` of `FunctionRegistry`: it checks the ARNs of
CreateFunction/UpdateFunctionConfiguration with AWS's messages and, for ARNs of another
account, asks a `RemoteLayerSource` (another Lambda endpoint) for the layer and caches it.

Content in the hot-reload bucket (`S3Key` = an absolute host directory) makes a layer version
whose content is that directory, used in place like a hot-reloaded function's code.
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import structlog

from lambdad.daemon.domain import arns, validation
from lambdad.daemon.domain.archives import (
    ZipSummary,
)
from lambdad.daemon.domain.model import LayerRef, new_revision_id, now_lambda_timestamp
from lambdad.daemon.domain.names import Account
from lambdad.daemon.domain.pages import Page, paginate
from lambdad.daemon.domain.policies import ResourcePolicy, without_statement
from lambdad.daemon.domain.storage import StateStore, Transaction
from lambdad.daemon.errors import LambdaError, Reason, invalid_parameter, validation_error

log = structlog.get_logger(__name__)

MAX_LAYERS_PER_FUNCTION = 5
MAX_LAYER_PAGE_SIZE = 50
MAX_COMPATIBLE_RUNTIMES = 15
# Runtimes a layer may name, current and deprecated alike (a layer outlives its runtime).
LAYER_RUNTIMES = validation.SUPPORTED_RUNTIMES + validation.DEPRECATED_RUNTIMES
LAYER_NAME_PATTERN = validation.model_pattern("LayerNameOrArn")
LAYER_VERSION_ARN_PATTERN = validation.model_pattern("LayerVersionArn")
STATEMENT_ID_PATTERN = validation.model_pattern("StatementId")
PRINCIPAL_PATTERN = validation.model_pattern("LayerPermissionAllowedPrincipal")
ORGANIZATION_ID_PATTERN = validation.model_pattern("OrganizationId")
_LAYER_ARN_RE = re.compile(
    r"arn:(?P<partition>[a-zA-Z0-9-]+):lambda:(?P<region>[a-zA-Z0-9-]+):(?P<account>\d{12})"
    r":layer:(?P<name>[a-zA-Z0-9-_]+)(?::(?P<version>[0-9]+))?"
)
NOT_FOUND = "The resource you requested does not exist."
POLICY_REVISION_MISMATCH = (
    "The Revision Id provided does not match the latest Revision Id. "
    "Call the GetLayerPolicy API to retrieve the latest Revision Id"
)


@dataclass(frozen=True)
class LayerVersionRecord:
    """One published layer version, as stored."""

    layer_arn: str
    layer_name: str
    version: int
    sha256_hex: str
    code_sha256: str
    code_size: int
    unzipped_size: int
    created_date: str
    description: str = ""
    license_info: str = ""
    compatible_runtimes: list[str] = field(default_factory=list)
    compatible_architectures: list[str] = field(default_factory=list)
    # The compatibility lists published as `[]` (field names), which AWS echoes as `[]`
    # where it omits lists never given.
    given_empty: list[str] = field(default_factory=list)
    # Hot reloading: the host directory that is the content (no zip, sha256_hex empty).
    hot_reload_dir: str = ""

    @property
    def layer_version_arn(self) -> str:
        """`<layer arn>:<version>`."""
        return f"{self.layer_arn}:{self.version}"

    def to_json(self) -> str:
        """Serialised for the state store."""
        return json.dumps(dataclasses.asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> LayerVersionRecord:
        """Inverse of `to_json`."""
        raw = json.loads(text)
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in raw.items() if k in known})

    def matches(self, runtime: str, architecture: str) -> bool:
        """Whether the ListLayers/ListLayerVersions filters select this version."""
        if runtime and runtime not in self.compatible_runtimes:
            return False
        return not architecture or architecture in self.compatible_architectures


@dataclass(frozen=True)
class LayerContentInput:
    """The zip of PublishLayerVersion: inline or in S3."""

    zip_file: bytes = b""
    s3_bucket: str = ""
    s3_key: str = ""
    s3_object_version: str = ""


class LayerContentIntake(Protocol):
    """Takes layer content in: validated and stored (`services/code_intake.py`)."""

    async def take(self, content: LayerContentInput) -> tuple[ZipSummary, str]:
        """The stored zip's summary and, for hot-reload content, the host directory."""
        ...

    async def keep(self, zip_bytes: bytes) -> ZipSummary:
        """Store a copy of another account's layer fetched from upstream."""
        ...


@dataclass(frozen=True)
class NewLayerVersion:
    """A PublishLayerVersion request in domain terms."""

    layer_name: str
    content: LayerContentInput
    description: str = ""
    license_info: str = ""
    compatible_runtimes: list[str] = field(default_factory=list)
    compatible_architectures: list[str] = field(default_factory=list)
    # The members the request carried (field names), to tell a `[]` list from an absent one.
    given: frozenset[str] = frozenset()


@dataclass(frozen=True)
class LayerSummary:
    """A ListLayers item: a layer and its newest matching version."""

    layer_name: str
    layer_arn: str
    latest: LayerVersionRecord


@dataclass(frozen=True)
class RemoteLayer:
    """A layer version fetched from another Lambda endpoint."""

    arn: str
    zip_bytes: bytes
    code_sha256: str  # as the upstream reported it
    description: str = ""
    license_info: str = ""
    compatible_runtimes: list[str] = field(default_factory=list)
    compatible_architectures: list[str] = field(default_factory=list)
    created_date: str = ""


class RemoteLayerSource(Protocol):
    """Fetches a layer version of another account (GetLayerVersionByArn + download)."""

    async def fetch(self, arn: str) -> RemoteLayer: ...


class NoRemoteLayers:
    """Used when no upstream is configured: other accounts' layers do not exist."""

    async def fetch(self, arn: str) -> RemoteLayer:
        """Always refuse."""
        raise invalid_parameter(f"Layer version {arn} does not exist.")


def _check_pattern(value: str, field_name: str, pattern: str) -> None:
    if not re.fullmatch(pattern, value):
        raise validation_error(
            value, field_name, f"Member must satisfy regular expression pattern: {pattern}"
        )


class LayerRegistry:
    """Publishes, reads, lists and deletes layer versions and their policies."""

    def __init__(
        self,
        *,
        account: Account,
        state: StateStore,
        content: LayerContentIntake,
        remote: RemoteLayerSource | None = None,
    ) -> None:
        self.account = account
        self._state = state
        self._content = content
        self._remote = remote or NoRemoteLayers()
        self._remote_locks: dict[str, asyncio.Lock] = {}

    # ----------------------------------------------------------------- naming
    def layer_arn(self, name: str, account_id: str | None = None) -> str:
        """`arn:aws:lambda:<region>:<account>:layer:<name>`."""
        account = account_id or self.account.account_id
        return arns.layer_arn(self.account.region, account, name)

    def _layer_key(self, layer_name: str) -> str:
        """The storage key of a layer named by name or by ARN (of this account)."""
        if len(layer_name) > 140 or not layer_name:
            bound = "less than or equal to 140" if layer_name else "greater than or equal to 1"
            raise validation_error(layer_name, "layerName", f"Member must have length {bound}")
        _check_pattern(layer_name, "layerName", LAYER_NAME_PATTERN)
        match = _LAYER_ARN_RE.fullmatch(layer_name)
        if match is None:
            return layer_name
        if (
            match.group("region") != self.account.region
            or match.group("account") != self.account.account_id
        ):
            # A foreign layer ARN is stored (cached) under its full ARN.
            return layer_name
        return match.group("name")

    @staticmethod
    def _check_version_number(version: int) -> None:
        if version < 1:
            raise invalid_parameter("Layer Version Cannot be less than 1")

    # ---------------------------------------------------------------- publish
    async def publish(self, spec: NewLayerVersion) -> LayerVersionRecord:
        """PublishLayerVersion."""
        key = self._layer_key(spec.layer_name)
        if key.startswith("arn:"):
            raise LambdaError(Reason.ACCESS_DENIED, "")
        validation.check_description(spec.description)
        if len(spec.license_info) > 512:
            raise validation_error(
                spec.license_info,
                "licenseInfo",
                "Member must have length less than or equal to 512",
            )
        if len(spec.compatible_runtimes) > MAX_COMPATIBLE_RUNTIMES:
            raise validation_error(
                f"[{', '.join(spec.compatible_runtimes)}]",
                "compatibleRuntimes",
                f"Member must have length less than or equal to {MAX_COMPATIBLE_RUNTIMES}",
            )
        runtimes = f"[{', '.join(spec.compatible_runtimes)}]"
        architectures = f"[{', '.join(spec.compatible_architectures)}]"

        def check_runtimes() -> None:
            # A ValidationException here (unlike a function's Runtime), naming the whole list.
            if set(spec.compatible_runtimes) - set(LAYER_RUNTIMES):
                raise validation_error(
                    runtimes,
                    "compatibleRuntimes",
                    f"Member must satisfy enum value set: [{', '.join(LAYER_RUNTIMES)}]",
                )

        def check_architectures() -> None:
            if len(spec.compatible_architectures) > 2:
                raise validation_error(
                    architectures,
                    "compatibleArchitectures",
                    "Member must have length less than or equal to 2",
                )
            if set(spec.compatible_architectures) - set(validation.ARCHITECTURES):
                raise validation_error(
                    architectures,
                    "compatibleArchitectures",
                    "Member must satisfy constraint: [Member must satisfy enum value set: "
                    "[x86_64, arm64]]",
                )

        validation.check_all([check_runtimes, check_architectures])
        summary, hot_reload_dir = await self._content.take(spec.content)
        layer_arn = self.layer_arn(key)

        def publish(tx: Transaction) -> LayerVersionRecord:
            number = tx.next_layer_version(key)
            record = LayerVersionRecord(
                layer_arn=layer_arn,
                layer_name=key,
                version=number,
                sha256_hex=summary.sha256_hex,
                code_sha256=summary.code_sha256,
                code_size=summary.size,
                unzipped_size=summary.unzipped_size,
                hot_reload_dir=hot_reload_dir,
                created_date=now_lambda_timestamp(),
                description=spec.description,
                license_info=spec.license_info,
                compatible_runtimes=list(spec.compatible_runtimes),
                compatible_architectures=list(spec.compatible_architectures),
                given_empty=[
                    name
                    for name in ("compatible_runtimes", "compatible_architectures")
                    if name in spec.given and not getattr(spec, name)
                ],
            )
            tx.put_layer_version(key, number, record.to_json(), None)
            return record

        record = await self._state.run(publish)
        log.info("layer version published", layer=key, version=record.version)
        return record

    # ------------------------------------------------------------------ reads
    async def _load(
        self, key: str, version: int
    ) -> tuple[LayerVersionRecord, ResourcePolicy | None]:
        row = await self._state.run(lambda tx: tx.get_layer_version(key, version))
        if row is None:
            raise LambdaError(Reason.RESOURCE_NOT_FOUND, NOT_FOUND)
        return LayerVersionRecord.from_json(row[0]), ResourcePolicy.from_json(row[1])

    async def get(self, layer_name: str, version: int) -> LayerVersionRecord:
        """GetLayerVersion."""
        self._check_version_number(version)
        record, _ = await self._load(self._layer_key(layer_name), version)
        return record

    async def get_by_arn(self, arn: str) -> LayerVersionRecord:
        """GetLayerVersionByArn."""
        if len(arn) > 140:
            raise validation_error(arn, "arn", "Member must have length less than or equal to 140")
        _check_pattern(arn, "arn", LAYER_VERSION_ARN_PATTERN)
        layer_name, _, version = arn.rpartition(":")
        return await self.get(layer_name, int(version))

    async def list_versions(
        self, layer_name: str, runtime: str, architecture: str, token: str, size: int
    ) -> Page[LayerVersionRecord]:
        """ListLayerVersions: newest first."""
        self._check_list_args(runtime, architecture, size)
        key = self._layer_key(layer_name)
        rows = await self._state.run(lambda tx: tx.layer_versions(key))
        records = [LayerVersionRecord.from_json(r) for r in rows]
        matching = [r for r in reversed(records) if r.matches(runtime, architecture)]
        # Keys sort like the list (newest first): zero-padded complement of the number.
        return paginate(matching, lambda r: f"{10**12 - r.version:013d}", token, size)

    async def list_layers(
        self, runtime: str, architecture: str, token: str, size: int
    ) -> Page[LayerSummary]:
        """ListLayers: every layer of this account with a matching version, by name."""
        self._check_list_args(runtime, architecture, size)
        rows = await self._state.run(lambda tx: tx.layer_versions())
        newest: dict[str, LayerVersionRecord] = {}
        for record in map(LayerVersionRecord.from_json, rows):
            if record.layer_name.startswith("arn:") or not record.matches(runtime, architecture):
                continue  # cached remote layers are not this account's layers
            newest[record.layer_name] = record  # rows come in version order
        items = [LayerSummary(n, r.layer_arn, r) for n, r in sorted(newest.items())]
        return paginate(items, lambda s: s.layer_name, token, size)

    @staticmethod
    def _check_list_args(runtime: str, architecture: str, size: int) -> None:
        def check_runtime() -> None:
            if runtime:
                validation.check_enum(runtime, "compatibleRuntime", LAYER_RUNTIMES)

        def check_size() -> None:
            if size > MAX_LAYER_PAGE_SIZE:
                raise validation_error(
                    size,
                    "maxItems",
                    f"Member must have value less than or equal to {MAX_LAYER_PAGE_SIZE}",
                )

        def check_architecture() -> None:
            if architecture:
                validation.check_enum(
                    architecture, "compatibleArchitecture", validation.ARCHITECTURES
                )

        # The model's member order: CompatibleRuntime, Marker, MaxItems, CompatibleArchitecture.
        validation.check_all([check_runtime, check_size, check_architecture])

    # ----------------------------------------------------------------- delete
    async def delete(self, layer_name: str, version: int) -> None:
        """DeleteLayerVersion: idempotent; functions using it keep their copy."""
        self._check_version_number(version)
        key = self._layer_key(layer_name)
        await self._state.run(lambda tx: tx.delete_layer_version(key, version))
        log.info("layer version deleted", layer=key, version=version)

    # ------------------------------------------------------------- permissions
    async def add_permission(
        self,
        layer_name: str,
        version: int,
        *,
        statement_id: str,
        action: str,
        principal: str,
        organization_id: str = "",
        revision_id: str = "",
    ) -> tuple[str, str]:
        """AddLayerVersionPermission: (statement JSON, new RevisionId)."""
        self._check_version_number(version)
        key = self._layer_key(layer_name)
        if len(statement_id) > 100 or not statement_id:
            raise validation_error(
                statement_id, "statementId", "Member must have length less than or equal to 100"
            )
        _check_pattern(statement_id, "statementId", STATEMENT_ID_PATTERN)
        _check_pattern(action, "action", "lambda:GetLayerVersion")
        _check_pattern(principal, "principal", PRINCIPAL_PATTERN)
        if organization_id:
            _check_pattern(organization_id, "organizationId", ORGANIZATION_ID_PATTERN)
        row = await self._state.run(lambda tx: tx.get_layer_version(key, version))
        if row is None:
            raise self._missing_version(key, version)
        record = LayerVersionRecord.from_json(row[0])
        statement: dict[str, Any] = {
            "Sid": statement_id,
            "Effect": "Allow",
            "Principal": "*"
            if principal == "*"
            else {
                "AWS": principal
                if principal.startswith("arn:")
                else arns.account_root_arn(principal)
            },
            "Action": action,
            "Resource": record.layer_version_arn,
        }
        if organization_id:
            statement["Condition"] = {"StringEquals": {"aws:PrincipalOrgID": organization_id}}

        def add(tx: Transaction) -> str:
            row = tx.get_layer_version(key, version)
            if row is None:
                raise self._missing_version(key, version)
            current = ResourcePolicy.from_json(row[1]) or ResourcePolicy("", [])
            if revision_id and revision_id != current.revision_id:
                raise LambdaError(Reason.REVISION_ID_MISMATCH, POLICY_REVISION_MISMATCH)
            if any(s["Sid"] == statement_id for s in current.statements):
                raise LambdaError(
                    Reason.RESOURCE_CONFLICT,
                    f"The statement id ({statement_id}) provided already exists. Please provide "
                    "a new statement id, or remove the existing statement.",
                )
            updated = ResourcePolicy(new_revision_id(), [*current.statements, statement])
            tx.put_layer_version(key, version, row[0], updated.to_json())
            return updated.revision_id

        new_revision = await self._state.run(add)
        return json.dumps(statement, separators=(",", ":")), new_revision

    def _missing_version(self, key: str, version: int) -> LambdaError:
        """The permission operations' not-found, which names the version ARN (AWS)."""
        arn = key if key.startswith("arn:") else self.layer_arn(key)
        return LambdaError(
            Reason.RESOURCE_NOT_FOUND, f"Layer version {arn}:{version} does not exist."
        )

    async def get_policy(self, layer_name: str, version: int) -> ResourcePolicy:
        """GetLayerVersionPolicy."""
        self._check_version_number(version)
        key = self._layer_key(layer_name)
        row = await self._state.run(lambda tx: tx.get_layer_version(key, version))
        if row is None:
            raise self._missing_version(key, version)
        policy = ResourcePolicy.from_json(row[1])
        if policy is None or not policy.statements:
            raise LambdaError(
                Reason.RESOURCE_NOT_FOUND, "No policy is associated with the given resource."
            )
        return policy

    async def remove_permission(
        self, layer_name: str, version: int, statement_id: str, revision_id: str = ""
    ) -> None:
        """RemoveLayerVersionPermission."""
        self._check_version_number(version)
        key = self._layer_key(layer_name)

        def remove(tx: Transaction) -> None:
            row = tx.get_layer_version(key, version)
            if row is None:
                raise self._missing_version(key, version)
            updated = without_statement(
                ResourcePolicy.from_json(row[1]),
                statement_id,
                revision_id,
                POLICY_REVISION_MISMATCH,
                new_revision_id(),
            )
            tx.put_layer_version(key, version, row[0], updated.to_json())

        await self._state.run(remove)

    # ---------------------------------------------------- functions' layer ARNs
    async def resolve(self, arns: Sequence[str]) -> list[LayerRef]:
        """Check a function's layer ARNs (AWS's messages) and describe them in order."""
        if len(arns) > MAX_LAYERS_PER_FUNCTION:
            raise invalid_parameter("Cannot reference more than 5 layers.")
        for arn in arns:
            if len(arn) > 140 or not re.fullmatch(LAYER_VERSION_ARN_PATTERN, arn):
                raise validation_error(
                    f"[{', '.join(arns)}]",
                    "layers",
                    "Member must satisfy constraint: [Member must have length less than or "
                    "equal to 140, Member must have length greater than or equal to 1, Member "
                    f"must satisfy regular expression pattern: {LAYER_VERSION_ARN_PATTERN}, "
                    "Member must not be null]",
                )
        for arn in arns:
            match = _LAYER_ARN_RE.fullmatch(arn)
            assert match is not None
            if match.group("region") != self.account.region:
                raise invalid_parameter(
                    "Layers are not in the same region as the function. Layers are expected "
                    f"to be in region {self.account.region}."
                )
        seen: dict[str, str] = {}
        for arn in arns:
            layer = arn.rpartition(":")[0]
            # The same version listed twice is refused too, with the same words (AWS).
            if layer in seen:
                raise invalid_parameter(
                    "Two different versions of the same layer are not allowed to be referenced "
                    f"in the same function. {seen[layer]} and {arn} are versions of the same layer."
                )
            seen[layer] = arn
        return [await self._resolve_one(arn) for arn in arns]

    async def _resolve_one(self, arn: str) -> LayerRef:
        match = _LAYER_ARN_RE.fullmatch(arn)
        assert match is not None and match.group("version") is not None
        version = int(match.group("version"))
        if match.group("account") == self.account.account_id:
            row = await self._state.run(
                lambda tx: tx.get_layer_version(match.group("name"), version)
            )
            if row is None:
                raise invalid_parameter(f"Layer version {arn} does not exist.")
            record = LayerVersionRecord.from_json(row[0])
            return LayerRef(arn, record.code_size, record.sha256_hex, record.hot_reload_dir)
        return await self._resolve_remote(arn, arn.rpartition(":")[0], version)

    async def _resolve_remote(self, arn: str, key: str, version: int) -> LayerRef:
        """A layer of another account: the cached copy, else fetched once from upstream."""
        lock = self._remote_locks.setdefault(arn, asyncio.Lock())
        async with lock:
            row = await self._state.run(lambda tx: tx.get_layer_version(key, version))
            if row is not None:
                record = LayerVersionRecord.from_json(row[0])
                return LayerRef(arn, record.code_size, record.sha256_hex, record.hot_reload_dir)
            remote = await self._remote.fetch(arn)
            digest = hashlib.sha256(remote.zip_bytes).digest()
            if base64.b64encode(digest).decode() != remote.code_sha256:
                raise invalid_parameter(
                    f"Layer version {arn} could not be fetched: its content does not match "
                    f"CodeSha256 {remote.code_sha256}."
                )
            summary = await self._content.keep(remote.zip_bytes)
            record = LayerVersionRecord(
                layer_arn=key,
                layer_name=key,
                version=version,
                sha256_hex=summary.sha256_hex,
                code_sha256=summary.code_sha256,
                code_size=summary.size,
                unzipped_size=summary.unzipped_size,
                created_date=remote.created_date or now_lambda_timestamp(),
                description=remote.description,
                license_info=remote.license_info,
                compatible_runtimes=remote.compatible_runtimes,
                compatible_architectures=remote.compatible_architectures,
            )

            def cache(tx: Transaction) -> None:
                # Keep the layer counter in step so the row has a parent.
                tx.next_layer_version(key)
                tx.put_layer_version(key, version, record.to_json(), None)

            await self._state.run(cache)
            log.info("remote layer version cached", arn=arn, size=summary.size)
            return LayerRef(arn, record.code_size, record.sha256_hex, record.hot_reload_dir)
