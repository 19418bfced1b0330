"""Per-function settings with APIs of their own (FunctionSettingsService).

Recursive loop detection (GetFunctionRecursionConfig / PutFunctionRecursionConfig, read by
Invoke through `recursion_setting`), runtime management (Get/PutRuntimeManagementConfig)
and the scaling of capacity-provider functions (Get/PutFunctionScalingConfig). Values are
rows of `function_settings` (store/settings.py), removed with their function.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass

import structlog

from lambdad.daemon.domain import recursion
from lambdad.daemon.domain.model import FunctionVersion
from lambdad.daemon.domain.names import LATEST, Account, FunctionRef, is_version_qualifier
from lambdad.daemon.domain.validation import check_all, check_enum
from lambdad.daemon.errors import LambdaError, Reason, invalid_parameter, validation_error
from lambdad.daemon.store import settings as table
from lambdad.daemon.store.state import StateStore, Transaction

log = structlog.get_logger(__name__)

UNQUALIFIED_FUNCTION_NAME_PATTERN = (
    r"(arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?"
    r"(\d{12}:)?(function:)?([a-zA-Z0-9-_]+)"
)
UPDATE_RUNTIME_ON = ("Auto", "Manual", "FunctionUpdate")
RUNTIME_VERSION_ARN_PATTERN = (
    r"((arn:(aws[a-zA-Z-]*):lambda:(eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}::"
    r"runtime:.+)|(arn:(aws[a-zA-Z-]*):lambda:(eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-"
    r"\d{1}:\d{12}:runtime/[A-Za-z0-9_.-]{1,128}/version/[A-Za-z0-9_.-]{1,128}))"
)
PUBLISHED_QUALIFIER_PATTERN = r"(\$LATEST\.PUBLISHED|[0-9]+)"
LATEST_PUBLISHED = "$LATEST.PUBLISHED"
MAX_EXECUTION_ENVIRONMENTS = 15_000


@dataclass(frozen=True)
class RuntimeManagement:
    """A version's runtime update mode (and the pinned runtime version, with Manual)."""

    update_runtime_on: str
    function_arn: str
    runtime_version_arn: str | None = None


@dataclass(frozen=True)
class Scaling:
    """Requested execution environments of a capacity-provider function version."""

    min_environments: int | None = None
    max_environments: int | None = None


def _capacity_provider(config: FunctionVersion) -> object:
    # AWS refuses scaling settings for functions that run without a capacity provider.
    return getattr(config, "capacity_provider_config", None)


class FunctionSettings:
    """Recursion, runtime management and scaling settings of functions."""

    def __init__(
        self,
        *,
        account: Account,
        state: StateStore,
        resolve_name: Callable[..., FunctionRef],
        capacity_provider_of: Callable[[FunctionVersion], object] = _capacity_provider,
    ) -> None:
        self._account = account
        self._state = state
        self._resolve = resolve_name
        self._capacity_provider_of = capacity_provider_of

    # ------------------------------------------------------------------ helpers
    def _unqualified(self, function_name: str) -> str:
        ref = self._resolve(function_name, None)
        if ref.qualifier is not None:
            raise validation_error(
                function_name,
                "functionName",
                f"Member must satisfy regular expression pattern: "
                f"{UNQUALIFIED_FUNCTION_NAME_PATTERN}",
            )
        return str(ref.name)

    def _not_found(self, name: str, qualifier: str | None = None) -> LambdaError:
        return LambdaError(
            Reason.FUNCTION_NOT_FOUND,
            f"Function not found: {self._account.function_arn(name, qualifier)}",
        )

    def _existing(self, tx: Transaction, name: str) -> None:
        if tx.get_function(name) is None:
            raise self._not_found(name)

    def _version(self, tx: Transaction, name: str, qualifier: str) -> FunctionVersion:
        """The version `qualifier` ($LATEST, a number or an alias) names."""
        self._existing(tx, name)
        version = qualifier
        if not is_version_qualifier(qualifier):
            alias = tx.get_alias(name, qualifier)
            if alias is None:
                raise self._not_found(name, qualifier)
            version = alias.function_version
        config = tx.get_version(name, version)
        if config is None:
            raise self._not_found(name, qualifier)
        return config

    # ---------------------------------------------------------------- recursion
    async def get_recursion(self, function_name: str) -> str:
        """GetFunctionRecursionConfig."""
        name = self._unqualified(function_name)

        def read(tx: Transaction) -> str:
            self._existing(tx, name)
            return recursion.from_json(table.get_setting(tx, name, "", table.RECURSION))

        return await self._state.run(read)

    async def put_recursion(self, function_name: str, recursive_loop: str) -> str:
        """PutFunctionRecursionConfig."""
        check_all(
            [
                lambda: self._unqualified(function_name),
                lambda: recursion.check_recursive_loop(recursive_loop),
            ]
        )
        name = self._unqualified(function_name)

        def write(tx: Transaction) -> None:
            self._existing(tx, name)
            table.put_setting(tx, name, "", table.RECURSION, recursion.to_json(recursive_loop))

        await self._state.run(write)
        log.info("recursion config set", function=name, recursive_loop=recursive_loop)
        return recursive_loop

    async def recursion_setting(self, name: str) -> str:
        """The setting Invoke applies to a function (Terminate unless changed)."""
        text = await self._state.run(
            lambda tx: table.get_setting(tx, name, "", table.RECURSION), invalidates_reads=False
        )
        return recursion.from_json(text)

    # --------------------------------------------------------- runtime management
    async def get_runtime_management(self, function_name: str, qualifier: str) -> RuntimeManagement:
        """GetRuntimeManagementConfig (Auto unless changed)."""
        ref = self._resolve(function_name, qualifier or None, namespaced=True)
        target = ref.qualifier or LATEST

        def read(tx: Transaction) -> RuntimeManagement:
            config = self._version(tx, ref.name, target)
            text = table.get_setting(tx, ref.name, config.version, table.RUNTIME_MANAGEMENT)
            values = json.loads(text) if text else {"UpdateRuntimeOn": "Auto"}
            return RuntimeManagement(
                values["UpdateRuntimeOn"],
                self._account.function_arn(ref.name, target),
                values.get("RuntimeVersionArn"),
            )

        return await self._state.run(read)

    async def put_runtime_management(
        self, function_name: str, qualifier: str, update_runtime_on: str, runtime_version_arn: str
    ) -> RuntimeManagement:
        """PutRuntimeManagementConfig."""

        def check_mode() -> None:
            if not update_runtime_on:
                raise validation_error(None, "updateRuntimeOn", "Member must not be null")
            check_enum(update_runtime_on, "updateRuntimeOn", UPDATE_RUNTIME_ON)

        def check_arn() -> None:
            if runtime_version_arn and (
                len(runtime_version_arn) < 26
                or not re.fullmatch(RUNTIME_VERSION_ARN_PATTERN, runtime_version_arn)
            ):
                raise validation_error(
                    runtime_version_arn,
                    "runtimeVersionArn",
                    f"Member must satisfy regular expression pattern: "
                    f"{RUNTIME_VERSION_ARN_PATTERN}",
                )

        refs: list[FunctionRef] = []
        check_all(
            [
                lambda: refs.append(
                    self._resolve(function_name, qualifier or None, namespaced=True)
                ),
                check_mode,
                check_arn,
            ]
        )
        ref = refs[0]
        if update_runtime_on == "Manual" and not runtime_version_arn:
            raise invalid_parameter("RuntimeVersionArn is required when UpdateRuntimeOn is Manual.")
        if update_runtime_on != "Manual" and runtime_version_arn:
            raise invalid_parameter(
                "RuntimeVersionArn can be set only when UpdateRuntimeOn is Manual."
            )
        target = ref.qualifier or LATEST
        values: dict[str, str] = {"UpdateRuntimeOn": update_runtime_on}
        if runtime_version_arn:
            values["RuntimeVersionArn"] = runtime_version_arn

        def write(tx: Transaction) -> RuntimeManagement:
            config = self._version(tx, ref.name, target)
            if config.package_type == "Image":
                # AWS's wording is not published: lambdad's.
                raise invalid_parameter(
                    "Runtime management configuration is not supported for container image "
                    "functions."
                )
            table.put_setting(
                tx, ref.name, config.version, table.RUNTIME_MANAGEMENT, json.dumps(values)
            )
            return RuntimeManagement(
                update_runtime_on,
                self._account.function_arn(ref.name, target),
                runtime_version_arn or None,
            )

        result = await self._state.run(write)
        log.info("runtime management set", function=ref.name, update_runtime_on=update_runtime_on)
        return result

    async def pinned_runtime_version(self, name: str, version: str) -> str | None:
        """The runtime version a Manual setting pins (GetFunction's RuntimeVersionConfig)."""
        text = await self._state.run(
            lambda tx: table.get_setting(tx, name, version, table.RUNTIME_MANAGEMENT),
            invalidates_reads=False,
        )
        return json.loads(text).get("RuntimeVersionArn") if text else None

    # ------------------------------------------------------------------ scaling
    def _scaling_target(self, function_name: str, qualifier: str) -> tuple[str, str]:
        names: list[str] = []

        def check_qualifier() -> None:
            if not qualifier:
                raise validation_error(None, "qualifier", "Member must not be null")
            if not re.fullmatch(PUBLISHED_QUALIFIER_PATTERN, qualifier):
                raise validation_error(
                    qualifier,
                    "qualifier",
                    "Member must satisfy regular expression pattern: "
                    + PUBLISHED_QUALIFIER_PATTERN,
                )

        check_all([lambda: names.append(self._unqualified(function_name)), check_qualifier])
        return names[0], qualifier

    def _published(self, tx: Transaction, name: str, qualifier: str) -> FunctionVersion:
        self._existing(tx, name)
        version = qualifier
        if qualifier == LATEST_PUBLISHED:
            record = tx.get_function(name)
            if record is None or not record.last_published:
                raise self._not_found(name, qualifier)
            version = str(record.last_published)
        config = tx.get_version(name, version)
        if config is None:
            raise self._not_found(name, qualifier)
        if not self._capacity_provider_of(config):
            # AWS's wording is not published: lambdad's.
            raise invalid_parameter(
                "Function scaling configuration is supported only for functions that use a "
                "capacity provider."
            )
        return config

    async def get_scaling(self, function_name: str, qualifier: str) -> tuple[str, Scaling | None]:
        """GetFunctionScalingConfig: (function ARN, requested scaling or None)."""
        name, qualifier = self._scaling_target(function_name, qualifier)

        def read(tx: Transaction) -> tuple[str, Scaling | None]:
            config = self._published(tx, name, qualifier)
            text = table.get_setting(tx, name, config.version, table.SCALING)
            scaling = Scaling(**json.loads(text)) if text else None
            return self._account.function_arn(name, config.version), scaling

        return await self._state.run(read)

    async def put_scaling(self, function_name: str, qualifier: str, scaling: Scaling) -> str:
        """PutFunctionScalingConfig: the version's state."""

        def check_bounds() -> None:
            for value, where in (
                (scaling.min_environments, "functionScalingConfig.minExecutionEnvironments"),
                (scaling.max_environments, "functionScalingConfig.maxExecutionEnvironments"),
            ):
                if value is not None and value < 0:
                    raise validation_error(
                        value, where, "Member must have value greater than or equal to 0"
                    )
                if value is not None and value > MAX_EXECUTION_ENVIRONMENTS:
                    raise validation_error(
                        value,
                        where,
                        "Member must have value less than or equal to "
                        f"{MAX_EXECUTION_ENVIRONMENTS}",
                    )

        targets: list[tuple[str, str]] = []
        check_all(
            [lambda: targets.append(self._scaling_target(function_name, qualifier)), check_bounds]
        )
        name, qualifier = targets[0]
        stored = json.dumps(
            {
                "min_environments": scaling.min_environments,
                "max_environments": scaling.max_environments,
            }
        )

        def write(tx: Transaction) -> str:
            config = self._published(tx, name, qualifier)
            table.put_setting(tx, name, config.version, table.SCALING, stored)
            return config.state

        return await self._state.run(write)
