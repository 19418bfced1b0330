"""Aliases: CreateAlias, GetAlias, ListAliases, UpdateAlias, DeleteAlias and weighted routing.

`AliasOperations` is one concern of `FunctionRegistry` (domain/functions.py), which it is mixed
into; the names under ``if TYPE_CHECKING`` are the registry's, declared here for mypy.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

import structlog

from lambdad.daemon.domain import validation
from lambdad.daemon.domain.changes import AliasChange
from lambdad.daemon.domain.model import REVISION_MISMATCH, Alias
from lambdad.daemon.domain.names import (
    LATEST,
    Account,
    FunctionRef,
    check_alias_name,
    check_version,
)
from lambdad.daemon.domain.pages import Page, paginate
from lambdad.daemon.domain.read_cache import ReadCache
from lambdad.daemon.domain.storage import StateStore, Transaction
from lambdad.daemon.errors import LambdaError, Reason, invalid_parameter, validation_error

log = structlog.get_logger("lambdad.daemon.domain.functions")


class AliasOperations:
    """The alias operations of `FunctionRegistry`."""

    if TYPE_CHECKING:
        account: Account
        _state: StateStore
        _aliases: ReadCache[tuple[str, str], Alias]

        def resolve(
            self, function_name: str, qualifier: str | None = None, *, namespaced: bool = False
        ) -> FunctionRef: ...

        def _not_found(
            self, ref: FunctionRef | str, qualifier: str | None = None
        ) -> LambdaError: ...

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
        refs: list[FunctionRef] = []
        # Every constraint violation at once, in the model's member order, as AWS reports.
        validation.check_all(
            [
                lambda: refs.append(self.resolve(function_name)),
                lambda: check_alias_name(name),
                lambda: check_version(function_version),
                lambda: validation.check_description(description),
            ]
        )
        ref = refs[0]
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
        change: AliasChange,
        *,
        revision_id: str = "",
    ) -> Alias:
        """UpdateAlias: the fields `change` gives get their new values."""
        changes = change.given()
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
