"""Capacity providers (Lambda Managed Instances) and the functions that run on them.

A capacity provider is stored with AWS's members, states (Pending -> Active on create,
Deleting on delete) and rules; there is no fleet behind it: the host is the one "instance".
What it changes locally is how a function attached to it runs: each execution environment
takes up to `PerExecutionEnvironmentMaxConcurrency` invocations at once (see
`FunctionVersion.max_concurrency` and the runtime pool).

The function side -- `CapacityProviderConfig` on CreateFunction/UpdateFunctionConfiguration --
is checked here too (`function_config_checks`, `check_function_on_provider`), so the rules of
both live in one module.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import structlog

from lambdad.daemon.domain import validation
from lambdad.daemon.domain.model import (
    MANAGED_INSTANCES,
    FunctionVersion,
    now_lambda_timestamp,
)
from lambdad.daemon.domain.names import Account
from lambdad.daemon.domain.pages import Page, paginate
from lambdad.daemon.domain.storage import StateStore, Transaction
from lambdad.daemon.errors import LambdaError, Reason, invalid_parameter, validation_error

log = structlog.get_logger(__name__)

PENDING = "Pending"
ACTIVE = "Active"
FAILED = "Failed"
DELETING = "Deleting"
STATES = (PENDING, ACTIVE, FAILED, DELETING)
MAX_LIST_ITEMS = 50

NAME_PATTERN = validation.model_pattern("CapacityProviderName")
ARN_PATTERN = validation.model_pattern("CapacityProviderArn")
KMS_PATTERN = validation.model_pattern("KMSKeyArnNonEmpty")
INSTANCE_TYPE_PATTERN = validation.model_pattern("InstanceType")
SCALING_MODES = ("Auto", "Manual")
TAG_MODES = ("None", "Explicit")
MAX_PROPAGATED_TAGS = 40
SYSTEM_LOG_LEVELS = ("DEBUG", "INFO", "WARN")
LOG_GROUP_PATTERN = r"[\.\-_/#A-Za-z0-9]+"
METRIC_TYPES = ("LambdaCapacityProviderAverageCPUUtilization",)
# Runtimes AWS runs on Lambda Managed Instances: Java 21+, Python 3.13+, Node.js 22+, .NET 8+,
# and the OS-only provided.al2023.
_MANAGED_RUNTIME = re.compile(
    r"java(2[1-9]|[3-9]\d)|python3\.(1[3-9]|[2-9]\d)|nodejs(2[2-9]|[3-9]\d)\.x|"
    r"dotnet([89]|\d\d)|provided\.al2023"
)

# Messages AWS gives for these cases are not published; these are lambdad's, in AWS's style.
PROVIDER_EXISTS = "Capacity provider already exists: {arn}"
PROVIDER_NOT_FOUND = "Capacity provider not found: {arn}"
PROVIDER_IN_USE = (
    "Capacity provider {arn} cannot be deleted while function versions are associated with it."
)
PROVIDER_UNKNOWN_FOR_FUNCTION = "The capacity provider {arn} does not exist."
RUNTIME_NOT_SUPPORTED = "The runtime {runtime} is not supported for Lambda Managed Instances."
PROVIDER_NOT_REMOVABLE = (
    "CapacityProviderConfig cannot be added to or removed from an existing function."
)
PROVIDER_NOT_ACTIVE = "The capacity provider {arn} is not in state Active."
# AWS: "Lambda Managed Instances only support JSON log format. When you create a Managed
# Instances function, Lambda automatically configures the log format to JSON and you cannot
# change it to plain text." (Lambda developer guide, JSON and plain text log formats). The
# refusal's wording is not published: lambdad's.
TEXT_LOGS_NOT_SUPPORTED = "Lambda Managed Instances functions support only the JSON log format."

_CONFIG = "capacityProviderConfig.lambdaManagedInstancesCapacityProviderConfig"


@dataclass(frozen=True)
class CapacityProvider:
    """One stored capacity provider, its members as AWS names them."""

    name: str
    arn: str
    state: str
    vpc_config: dict[str, Any]
    permissions_config: dict[str, Any]
    instance_requirements: dict[str, Any] | None = None
    scaling_config: dict[str, Any] | None = None
    kms_key_arn: str | None = None
    last_modified: str = field(default_factory=now_lambda_timestamp)
    tags: dict[str, str] = field(default_factory=dict)
    propagate_tags: dict[str, Any] | None = None
    telemetry_config: dict[str, Any] | None = None

    def to_json(self) -> str:
        """Serialised for the state store."""
        return json.dumps(dataclasses.asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> CapacityProvider:
        """Inverse of `to_json`."""
        raw = json.loads(text)
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in raw.items() if k in known})


@dataclass(frozen=True)
class NewCapacityProvider:
    """A CreateCapacityProvider request in domain terms (None: member absent)."""

    name: str
    vpc_config: dict[str, Any] | None
    permissions_config: dict[str, Any] | None
    instance_requirements: dict[str, Any] | None = None
    scaling_config: dict[str, Any] | None = None
    kms_key_arn: str = ""
    tags: dict[str, str] = field(default_factory=dict)
    propagate_tags: dict[str, Any] | None = None
    telemetry_config: dict[str, Any] | None = None


@dataclass(frozen=True)
class ProviderVersion:
    """A function version on a provider, for ListFunctionVersionsByCapacityProvider."""

    function_arn: str
    state: str


def _check_pattern(value: str, field_name: str, pattern: str) -> None:
    if not re.fullmatch(pattern, value):
        raise validation_error(
            value, field_name, f"Member must satisfy regular expression pattern: {pattern}"
        )


def _check_length(value: Any, field_name: str, low: int, high: int, *, shown: Any = None) -> None:
    size = len(value)
    if size < low:
        bound = f"greater than or equal to {low}"
    elif size > high:
        bound = f"less than or equal to {high}"
    else:
        return
    raise validation_error(
        value if shown is None else shown, field_name, f"Member must have length {bound}"
    )


def _check_number(value: float, field_name: str, low: float, high: float) -> None:
    if value < low:
        bound = f"greater than or equal to {low}"
    elif value > high:
        bound = f"less than or equal to {high}"
    else:
        return
    raise validation_error(value, field_name, f"Member must have value {bound}")


def _scaling_checks(scaling: Mapping[str, Any]) -> list[Callable[[], object]]:
    prefix = "capacityProviderScalingConfig"
    checks: list[Callable[[], object]] = []
    if scaling.get("MaxVCpuCount") is not None:
        checks.append(
            lambda: _check_number(scaling["MaxVCpuCount"], f"{prefix}.maxVCpuCount", 2, 15000)
        )
    if scaling.get("ScalingMode"):
        checks.append(
            lambda: validation.check_enum(
                scaling["ScalingMode"], f"{prefix}.scalingMode", SCALING_MODES
            )
        )
    policies = scaling.get("ScalingPolicies")
    if policies is not None:
        checks.append(
            lambda: _check_length(policies, f"{prefix}.scalingPolicies", 1, 10, shown=policies)
        )
        for policy in policies:
            checks.append(
                functools.partial(
                    validation.check_enum,
                    policy.get("PredefinedMetricType", ""),
                    f"{prefix}.scalingPolicies.member.predefinedMetricType",
                    METRIC_TYPES,
                )
            )
            checks.append(
                functools.partial(
                    _check_number,
                    float(policy.get("TargetValue", 0.0)),
                    f"{prefix}.scalingPolicies.member.targetValue",
                    0.0,
                    100.0,
                )
            )
    return checks


def function_config_checks(config: Mapping[str, Any] | None) -> list[Callable[[], object]]:
    """Model constraints of a function's CapacityProviderConfig, in member order."""
    if not config:
        return []
    managed = config.get(MANAGED_INSTANCES) or {}
    arn = managed.get("CapacityProviderArn", "")
    checks: list[Callable[[], object]] = [
        lambda: _check_length(arn, f"{_CONFIG}.capacityProviderArn", 1, 140),
        lambda: _check_pattern(arn, f"{_CONFIG}.capacityProviderArn", ARN_PATTERN),
    ]
    concurrency = managed.get("PerExecutionEnvironmentMaxConcurrency")
    if concurrency is not None:
        checks.append(
            lambda: _check_number(
                concurrency, f"{_CONFIG}.perExecutionEnvironmentMaxConcurrency", 1, 1600
            )
        )
    memory = managed.get("ExecutionEnvironmentMemoryGiBPerVCpu")
    if memory is not None:
        checks.append(
            lambda: _check_number(
                memory, f"{_CONFIG}.executionEnvironmentMemoryGiBPerVCpu", 2.0, 8.0
            )
        )
    return checks


def provider_name(account: Account, name_or_arn: str) -> str:
    """The provider's name from a name or ARN; an ARN of another account or region is not
    found (AWS answers it the same way)."""
    if not name_or_arn.startswith("arn:"):
        return name_or_arn
    parts = name_or_arn.split(":")
    if len(parts) != 7 or parts[3] != account.region or parts[4] != account.account_id:
        raise LambdaError(Reason.RESOURCE_NOT_FOUND, PROVIDER_NOT_FOUND.format(arn=name_or_arn))
    return parts[6]


def provider_arn(account: Account, name: str) -> str:
    """arn:aws:lambda:<region>:<account>:capacity-provider:<name>."""
    return f"arn:aws:lambda:{account.region}:{account.account_id}:capacity-provider:{name}"


def check_function_on_provider(
    tx: Transaction, account: Account, config: Mapping[str, Any], runtime: str | None
) -> None:
    """What CreateFunction/UpdateFunctionConfiguration require of a provider and runtime."""
    arn = (config.get(MANAGED_INSTANCES) or {}).get("CapacityProviderArn", "")
    parts = arn.split(":")
    stored = None
    if len(parts) == 7 and parts[3] == account.region and parts[4] == account.account_id:
        text = tx.get_capacity_provider(parts[6])
        stored = CapacityProvider.from_json(text) if text else None
    if stored is None:
        raise invalid_parameter(PROVIDER_UNKNOWN_FOR_FUNCTION.format(arn=arn))
    if stored.state == DELETING:
        raise invalid_parameter(PROVIDER_NOT_ACTIVE.format(arn=arn))
    if runtime and not _MANAGED_RUNTIME.fullmatch(runtime):
        raise invalid_parameter(RUNTIME_NOT_SUPPORTED.format(runtime=runtime))


class ProviderTransitions(Protocol):
    """Runs the Pending -> Active and Deleting -> gone transitions in the background
    (`services/capacity_providers.py`), each by calling `settle` after a moment."""

    def schedule(self, name: str) -> None:
        """Settle the provider `name` shortly."""


class NoTransitions:
    """Transitions that never run (providers stay Pending/Deleting); for tests of rules."""

    def schedule(self, name: str) -> None:
        """Do nothing."""


def unsettled(tx: Transaction) -> list[str]:
    """Names of the providers a transition is owed to (after a restart, say)."""
    providers = [CapacityProvider.from_json(t) for t in tx.capacity_providers()]
    return [p.name for p in providers if p.state in (PENDING, DELETING)]


def settle(tx: Transaction, name: str) -> None:
    """The transition of one provider: Pending -> Active, Deleting -> removed."""
    text = tx.get_capacity_provider(name)
    if text is None:
        return
    current = CapacityProvider.from_json(text)
    if current.state == PENDING:
        tx.put_capacity_provider(name, dataclasses.replace(current, state=ACTIVE).to_json())
    elif current.state == DELETING:
        tx.delete_capacity_provider(name)


class CapacityProviderRegistry:
    """Create/Get/Update/Delete/List of capacity providers, and the versions on them."""

    def __init__(
        self,
        *,
        account: Account,
        state: StateStore,
        transitions: ProviderTransitions | None = None,
    ) -> None:
        self.account = account
        self._state = state
        self._transitions = transitions or NoTransitions()

    def _schedule(self, provider: CapacityProvider) -> None:
        self._transitions.schedule(provider.name)

    def _name(self, name_or_arn: str, field_name: str = "capacityProviderName") -> str:
        validation.check_all(
            [
                lambda: _check_length(name_or_arn, field_name, 1, 140),
                lambda: _check_pattern(name_or_arn, field_name, NAME_PATTERN),
            ]
        )
        return provider_name(self.account, name_or_arn)

    def _get(self, tx: Transaction, name: str) -> CapacityProvider:
        text = tx.get_capacity_provider(name)
        if text is None:
            raise LambdaError(
                Reason.RESOURCE_NOT_FOUND,
                PROVIDER_NOT_FOUND.format(arn=provider_arn(self.account, name)),
            )
        return CapacityProvider.from_json(text)

    async def create(self, spec: NewCapacityProvider) -> CapacityProvider:
        """CreateCapacityProvider: validated, stored Pending, Active shortly after."""
        names: list[str] = []
        checks: list[Callable[[], object]] = [lambda: names.append(self._name(spec.name))]
        if spec.vpc_config is None:
            checks.append(
                lambda: _raise(validation_error(None, "vpcConfig", "Member must not be null"))
            )
        else:
            vpc = spec.vpc_config
            checks.append(
                lambda: _check_length(
                    vpc.get("SubnetIds", []),
                    "vpcConfig.subnetIds",
                    1,
                    16,
                    shown=vpc.get("SubnetIds", []),
                )
            )
            checks.append(
                lambda: _check_length(
                    vpc.get("SecurityGroupIds", []),
                    "vpcConfig.securityGroupIds",
                    0,
                    5,
                    shown=vpc.get("SecurityGroupIds", []),
                )
            )
        if spec.permissions_config is None:
            checks.append(
                lambda: _raise(
                    validation_error(None, "permissionsConfig", "Member must not be null")
                )
            )
        else:
            role = spec.permissions_config.get("CapacityProviderOperatorRoleArn", "")
            checks.append(
                lambda: _check_pattern(
                    role,
                    "permissionsConfig.capacityProviderOperatorRoleArn",
                    validation.ROLE_PATTERN,
                )
            )
        requirements = spec.instance_requirements or {}
        if requirements.get("Architectures"):
            checks.append(lambda: validation.check_architectures(requirements["Architectures"]))
        for member, key in (
            ("allowedInstanceTypes", "AllowedInstanceTypes"),
            ("excludedInstanceTypes", "ExcludedInstanceTypes"),
        ):
            for instance_type in requirements.get(key) or []:
                checks.append(
                    functools.partial(
                        _check_pattern,
                        instance_type,
                        f"instanceRequirements.{member}.member",
                        INSTANCE_TYPE_PATTERN,
                    )
                )
        checks += _scaling_checks(spec.scaling_config or {})
        if spec.kms_key_arn:
            checks.append(lambda: _check_pattern(spec.kms_key_arn, "kmsKeyArn", KMS_PATTERN))
        if spec.tags:
            checks.append(lambda: validation.check_tags(spec.tags))
        checks += _propagation_checks(spec.propagate_tags, spec.telemetry_config)
        validation.check_all(checks)
        name = names[0]
        provider = CapacityProvider(
            name=name,
            arn=provider_arn(self.account, name),
            state=PENDING,
            vpc_config={
                "SubnetIds": list((spec.vpc_config or {}).get("SubnetIds", [])),
                "SecurityGroupIds": list((spec.vpc_config or {}).get("SecurityGroupIds", [])),
            },
            permissions_config=dict(spec.permissions_config or {}),
            instance_requirements=_instance_requirements(spec.instance_requirements),
            scaling_config=_scaling(spec.scaling_config),
            kms_key_arn=spec.kms_key_arn or None,
            tags=dict(spec.tags),
            propagate_tags=spec.propagate_tags,
            telemetry_config=spec.telemetry_config,
        )

        def insert(tx: Transaction) -> None:
            if tx.get_capacity_provider(name) is not None:
                raise LambdaError(
                    Reason.RESOURCE_CONFLICT, PROVIDER_EXISTS.format(arn=provider.arn)
                )
            tx.put_capacity_provider(name, provider.to_json())

        await self._state.run(insert)
        self._schedule(provider)
        log.info("capacity provider created", capacity_provider=name)
        return provider

    async def get(self, name_or_arn: str) -> CapacityProvider:
        """GetCapacityProvider."""
        name = self._name(name_or_arn)
        return await self._state.run(lambda tx: self._get(tx, name), invalidates_reads=False)

    async def update(
        self,
        name_or_arn: str,
        scaling_config: dict[str, Any] | None,
        *,
        propagate_tags: dict[str, Any] | None = None,
        telemetry_config: dict[str, Any] | None = None,
    ) -> CapacityProvider:
        """UpdateCapacityProvider: replaces the scaling, tag propagation and telemetry
        settings that are given (None: keep)."""
        name = self._name(name_or_arn)
        validation.check_all(
            (_scaling_checks(scaling_config) if scaling_config is not None else [])
            + _propagation_checks(propagate_tags, telemetry_config)
        )

        def write(tx: Transaction) -> CapacityProvider:
            current = self._get(tx, name)
            if current.state != ACTIVE:
                raise LambdaError(
                    Reason.RESOURCE_CONFLICT,
                    f"The operation cannot be performed at this time. The capacity provider is "
                    f"currently in the following state: {current.state}",
                )
            updated = dataclasses.replace(
                current,
                scaling_config=_scaling(scaling_config)
                if scaling_config is not None
                else current.scaling_config,
                propagate_tags=propagate_tags
                if propagate_tags is not None
                else current.propagate_tags,
                telemetry_config=telemetry_config
                if telemetry_config is not None
                else current.telemetry_config,
                last_modified=now_lambda_timestamp(),
            )
            tx.put_capacity_provider(name, updated.to_json())
            return updated

        return await self._state.run(write)

    async def delete(self, name_or_arn: str) -> CapacityProvider:
        """DeleteCapacityProvider: Deleting now, gone shortly after; refused while in use."""
        name = self._name(name_or_arn)

        def write(tx: Transaction) -> CapacityProvider:
            current = self._get(tx, name)
            if self._versions_on(tx, current.arn):
                raise LambdaError(Reason.RESOURCE_CONFLICT, PROVIDER_IN_USE.format(arn=current.arn))
            deleting = dataclasses.replace(current, state=DELETING)
            tx.put_capacity_provider(name, deleting.to_json())
            return deleting

        deleting = await self._state.run(write)
        self._schedule(deleting)
        return deleting

    async def list_providers(
        self, *, state: str, page_token: str, page_size: int
    ) -> Page[CapacityProvider]:
        """ListCapacityProviders, by name, optionally in one state."""
        if state:
            validation.check_enum(state, "state", STATES)
        if page_size:
            _check_number(page_size, "maxItems", 1, MAX_LIST_ITEMS)

        def read(tx: Transaction) -> list[CapacityProvider]:
            providers = [CapacityProvider.from_json(t) for t in tx.capacity_providers()]
            return [p for p in providers if not state or p.state == state]

        providers = await self._state.run(read, invalidates_reads=False)
        return paginate(providers, lambda p: p.name, page_token, page_size, maximum=MAX_LIST_ITEMS)

    def _versions_on(self, tx: Transaction, arn: str) -> list[FunctionVersion]:
        return [
            v
            for v in tx.versions()
            if v.capacity_provider_config
            and (v.capacity_provider_config.get(MANAGED_INSTANCES) or {}).get("CapacityProviderArn")
            == arn
        ]

    async def function_versions(
        self, name_or_arn: str, *, page_token: str, page_size: int
    ) -> tuple[str, Page[ProviderVersion]]:
        """ListFunctionVersionsByCapacityProvider: (provider ARN, one page of versions)."""
        name = self._name(name_or_arn)
        if page_size:
            _check_number(page_size, "maxItems", 1, MAX_LIST_ITEMS)

        def read(tx: Transaction) -> tuple[str, list[ProviderVersion]]:
            provider = self._get(tx, name)
            versions = [
                ProviderVersion(self.account.function_arn(v.name, v.version), v.state)
                for v in self._versions_on(tx, provider.arn)
            ]
            return provider.arn, versions

        arn, versions = await self._state.run(read, invalidates_reads=False)
        return arn, paginate(
            versions, lambda v: v.function_arn, page_token, page_size, maximum=MAX_LIST_ITEMS
        )


def _raise(error: LambdaError) -> None:
    raise error


def _instance_requirements(value: Mapping[str, Any] | None) -> dict[str, Any]:
    """AWS reports InstanceRequirements always; x86_64 unless asked otherwise."""
    value = value or {}
    result: dict[str, Any] = {"Architectures": list(value.get("Architectures") or ["x86_64"])}
    for key in ("AllowedInstanceTypes", "ExcludedInstanceTypes"):
        if value.get(key):
            result[key] = list(value[key])
    return result


def _scaling(value: Mapping[str, Any] | None) -> dict[str, Any]:
    """AWS reports the scaling settings always; Auto unless asked otherwise."""
    value = value or {}
    result: dict[str, Any] = {"ScalingMode": value.get("ScalingMode") or "Auto"}
    if value.get("MaxVCpuCount") is not None:
        result["MaxVCpuCount"] = value["MaxVCpuCount"]
    if value.get("ScalingPolicies"):
        result["ScalingPolicies"] = [dict(p) for p in value["ScalingPolicies"]]
    return result


def _propagation_checks(
    propagate_tags: dict[str, Any] | None, telemetry_config: dict[str, Any] | None
) -> list[Callable[[], object]]:
    """The checks of PropagateTags and TelemetryConfig (Create and Update take both)."""
    checks: list[Callable[[], object]] = []
    propagate = propagate_tags or {}
    if propagate.get("Mode"):
        checks.append(
            lambda: validation.check_enum(propagate["Mode"], "propagateTags.mode", TAG_MODES)
        )
    if len(propagate.get("ExplicitTags") or {}) > MAX_PROPAGATED_TAGS:
        checks.append(
            lambda: _check_length(
                propagate["ExplicitTags"],
                "propagateTags.explicitTags",
                0,
                MAX_PROPAGATED_TAGS,
            )
        )
    logging = (telemetry_config or {}).get("LoggingConfig") or {}
    if logging.get("SystemLogLevel"):
        checks.append(
            lambda: validation.check_enum(
                logging["SystemLogLevel"],
                "telemetryConfig.loggingConfig.systemLogLevel",
                SYSTEM_LOG_LEVELS,
            )
        )
    if logging.get("LogGroup"):
        checks.append(
            lambda: _check_pattern(
                logging["LogGroup"], "telemetryConfig.loggingConfig.logGroup", LOG_GROUP_PATTERN
            )
        )
    return checks
