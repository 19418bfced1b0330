"""Provisioned concurrency configurations: AWS's rules, stored per version or alias.

A configuration asks for N execution environments initialized ahead of need for a published
version or an alias (never $LATEST). Like AWS, it counts against the function's reserved
concurrency when it has some, and otherwise against the account's unreserved pool, which
must keep at least 100 (GetAccountSettings reports the pool net of it). The environments
themselves are the runtime's business (`ProvisionedAllocator`); this module decides what is
allowed and stores it, so a restarted daemon starts them again (`reconcile`, which
services/provisioned.py runs at start, on changes and periodically).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, TypeVar

import structlog

from lambdad.daemon.domain.concurrency import ACCOUNT_CONCURRENCY, MIN_UNRESERVED_CONCURRENCY
from lambdad.daemon.domain.functions import FunctionRegistry
from lambdad.daemon.domain.model import (
    FunctionVersion,
    now_lambda_timestamp,
)
from lambdad.daemon.domain.names import LATEST, is_version_qualifier
from lambdad.daemon.domain.pages import paginate
from lambdad.daemon.domain.storage import StateStore, Transaction
from lambdad.daemon.domain.tenancy import refuse_if_tenant_isolated
from lambdad.daemon.errors import LambdaError, Reason, invalid_parameter, validation_error

T = TypeVar("T")

log = structlog.get_logger(__name__)

STATUS_IN_PROGRESS = "IN_PROGRESS"
STATUS_READY = "READY"
STATUS_FAILED = "FAILED"
MAX_LIST_ITEMS = 50

LATEST_REFUSED = (
    "Provisioned Concurrency Configs cannot be applied to unpublished function versions."
)
CONFIG_NOT_FOUND = "No Provisioned Concurrency Config found for this function"
ABOVE_RESERVED = (
    "Requested Provisioned Concurrency should not be greater than the "
    "reservedConcurrentExecution for function"
)
ALIAS_OVER_PROVISIONED_VERSION = (
    "Alias can't be used for Provisioned Concurrency configuration on an already Provisioned "
    "version"
)
VERSION_UNDER_PROVISIONED_ALIAS = "Version is pointed by a Provisioned Concurrency alias"


@dataclass(frozen=True)
class Allocation:
    """How much of a configuration the runtime has made real."""

    allocated: int
    available: int
    status: str
    reason: str = ""


@dataclass(frozen=True)
class ProvisionedConfig:
    """One stored configuration and what it stands for now."""

    function_name: str
    qualifier: str
    requested: int
    last_modified: str
    function_arn: str
    allocation: Allocation


class ProvisionedAllocator(Protocol):
    """The runtime side: keeps environments for targets (runtime/provisioned.py)."""

    def apply(
        self,
        function_name: str,
        qualifier: str,
        config: FunctionVersion,
        count: int,
        *,
        retry: bool = True,
    ) -> None: ...

    def remove(self, function_name: str, qualifier: str) -> None: ...

    def targets(self) -> list[str]: ...

    def allocation(self, function_name: str, qualifier: str, requested: int) -> Allocation: ...

    async def close(self) -> None: ...


@dataclass(frozen=True)
class _Row:
    function_name: str
    qualifier: str
    requested: int
    last_modified: str
    version: FunctionVersion | None  # what the qualifier resolves to now; None: gone


def _target_version(tx: Transaction, function_name: str, qualifier: str) -> str | None:
    if is_version_qualifier(qualifier):
        return qualifier
    alias = tx.get_alias(function_name, qualifier)
    return None if alias is None else alias.function_version


class ProvisionedConcurrency:
    """Put/Get/Delete/ListProvisionedConcurrencyConfigs, and restoring them at start."""

    def __init__(
        self, registry: FunctionRegistry, state: StateStore, allocator: ProvisionedAllocator
    ) -> None:
        self._registry = registry
        self._state = state
        self._allocator = allocator

    async def close(self) -> None:
        """Stop filling targets (the pool closes the environments)."""
        await self._allocator.close()

    async def reconcile(self) -> None:
        """Make the allocator's targets match the stored configurations.

        A version deleted (or a function) takes its configuration with it; an alias moved to
        another version moves its environments.
        """

        def read(tx: Transaction) -> list[_Row]:
            rows = []
            for function_name, qualifier, requested, modified in tx.provisioned():
                version = _target_version(tx, function_name, qualifier)
                config = None if version is None else tx.get_version(function_name, version)
                if config is None:
                    tx.delete_provisioned(function_name, qualifier)
                rows.append(_Row(function_name, qualifier, requested, modified, config))
            return rows

        rows = await self._state.run(read)
        wanted = set()
        for row in rows:
            if row.version is None:
                self._allocator.remove(row.function_name, row.qualifier)
                continue
            wanted.add(f"{row.function_name}:{row.qualifier}")
            self._allocator.apply(
                row.function_name, row.qualifier, row.version, row.requested, retry=False
            )
        for owner in self._allocator.targets():
            if owner not in wanted:
                function_name, _, qualifier = owner.rpartition(":")
                self._allocator.remove(function_name, qualifier)

    # ------------------------------------------------------------------ checks
    def _ref(self, function_name: str, qualifier: str) -> tuple[str, str]:
        ref = self._registry.resolve(function_name, qualifier or None)
        if ref.qualifier is None:
            raise validation_error(None, "qualifier", "Member must not be null")
        if ref.qualifier == LATEST:
            raise invalid_parameter(LATEST_REFUSED)
        return ref.name, ref.qualifier

    def _not_found(self, function_name: str, qualifier: str | None = None) -> LambdaError:
        arn = self._registry.account.function_arn(function_name, qualifier)
        return LambdaError(Reason.FUNCTION_NOT_FOUND, f"Function not found: {arn}")

    def _resolve(self, tx: Transaction, name: str, qualifier: str) -> FunctionVersion:
        if tx.get_function(name) is None:
            raise self._not_found(name)
        version = _target_version(tx, name, qualifier)
        if version is None:
            # An alias that is not there (lambda-spec §2.3: "PC ... on unknown alias").
            arn = self._registry.account.function_arn(name, qualifier)
            raise LambdaError(Reason.ALIAS_NOT_FOUND, f"Cannot find alias arn: {arn}")
        config = tx.get_version(name, version)
        if config is None:
            raise self._not_found(name, qualifier)
        return config

    def _view(self, name: str, qualifier: str, requested: int, modified: str) -> ProvisionedConfig:
        return ProvisionedConfig(
            name,
            qualifier,
            requested,
            modified,
            self._registry.account.function_arn(name, qualifier),
            self._allocator.allocation(name, qualifier, requested),
        )

    # ------------------------------------------------------------------ operations
    async def put(self, function_name: str, qualifier: str, requested: int) -> ProvisionedConfig:
        """PutProvisionedConcurrencyConfig: stored now, environments started in background."""
        if requested < 1:
            raise validation_error(
                requested,
                "provisionedConcurrentExecutions",
                "Member must have value greater than or equal to 1",
            )
        name, qualifier = self._ref(function_name, qualifier)

        def write(tx: Transaction) -> tuple[FunctionVersion, str]:
            config = self._resolve(tx, name, qualifier)
            refuse_if_tenant_isolated(tx, name, "provisioned")
            record = tx.get_function(name)
            assert record is not None
            others = [row for row in tx.provisioned(name) if row[1] != qualifier]
            if is_version_qualifier(qualifier):
                for _, other, _, _ in others:
                    if not is_version_qualifier(other) and (
                        _target_version(tx, name, other) == qualifier
                    ):
                        raise LambdaError(Reason.RESOURCE_CONFLICT, VERSION_UNDER_PROVISIONED_ALIAS)
            elif any(other == config.version for _, other, _, _ in others):
                raise LambdaError(Reason.RESOURCE_CONFLICT, ALIAS_OVER_PROVISIONED_VERSION)
            if record.reserved_concurrency is not None:
                if sum(row[2] for row in others) + requested > record.reserved_concurrency:
                    raise invalid_parameter(ABOVE_RESERVED)
            else:
                current = tx.get_provisioned(name, qualifier)
                reserved = sum(
                    (other.reserved_concurrency or 0)
                    for other in (tx.get_function(n) for n in tx.function_names())
                    if other is not None
                )
                unreserved = (
                    ACCOUNT_CONCURRENCY
                    - reserved
                    - tx.provisioned_outside_reserved()
                    + (current[0] if current is not None else 0)
                )
                if requested > unreserved:
                    raise invalid_parameter(
                        "Specified ConcurrentExecutions for function is greater than account's "
                        f"unreserved concurrency [{unreserved}]."
                    )
                if unreserved - requested < MIN_UNRESERVED_CONCURRENCY:
                    raise invalid_parameter(
                        "Specified ConcurrentExecutions for function decreases account's "
                        "UnreservedConcurrentExecution below its minimum value of "
                        f"[{MIN_UNRESERVED_CONCURRENCY}]."
                    )
            modified = now_lambda_timestamp()
            tx.put_provisioned(name, qualifier, requested, modified)
            return config, modified

        config, modified = await self._state.run(write)
        self._allocator.apply(name, qualifier, config, requested)
        log.info("provisioned concurrency put", function=name, qualifier=qualifier, count=requested)
        return self._view(name, qualifier, requested, modified)

    async def get(self, function_name: str, qualifier: str) -> ProvisionedConfig:
        """GetProvisionedConcurrencyConfig."""
        name, qualifier = self._ref(function_name, qualifier)

        def read(tx: Transaction) -> tuple[int, str]:
            self._resolve(tx, name, qualifier)
            row = tx.get_provisioned(name, qualifier)
            if row is None:
                raise LambdaError(Reason.PROVISIONED_CONCURRENCY_CONFIG_NOT_FOUND, CONFIG_NOT_FOUND)
            return row

        requested, modified = await self._state.run(read)
        return self._view(name, qualifier, requested, modified)

    async def delete(self, function_name: str, qualifier: str) -> None:
        """DeleteProvisionedConcurrencyConfig; its environments are stopped."""
        name, qualifier = self._ref(function_name, qualifier)

        def write(tx: Transaction) -> None:
            self._resolve(tx, name, qualifier)
            tx.delete_provisioned(name, qualifier)

        await self._state.run(write)
        self._allocator.remove(name, qualifier)

    async def list(
        self, function_name: str, marker: str, max_items: int
    ) -> tuple[list[ProvisionedConfig], str]:
        """ListProvisionedConcurrencyConfigs: (page, next marker)."""
        ref = self._registry.resolve(function_name)

        def read(tx: Transaction) -> list[tuple[str, str, int, str]]:
            if tx.get_function(ref.name) is None:
                raise self._not_found(ref.name)
            return tx.provisioned(ref.name)

        rows = await self._state.run(read)
        if max_items > MAX_LIST_ITEMS:
            raise validation_error(
                max_items,
                "maxItems",
                f"Member must have value less than or equal to {MAX_LIST_ITEMS}",
            )
        page = paginate(rows, lambda row: row[1], marker, max_items or MAX_LIST_ITEMS)
        return [self._view(*row) for row in page.items], page.next_token
