"""Concurrency and account figures: Put/Get/DeleteFunctionConcurrency and GetAccountSettings.

`ConcurrencyOperations` is one concern of `FunctionRegistry` (domain/functions.py), which it is
mixed into; the names under ``if TYPE_CHECKING`` are the registry's, declared here for mypy.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lambdad.daemon.domain.names import LATEST, FunctionRef
from lambdad.daemon.domain.storage import StateStore, Transaction
from lambdad.daemon.errors import LambdaError, invalid_parameter

ACCOUNT_CONCURRENCY = 1000
MIN_UNRESERVED_CONCURRENCY = 100


@dataclass(frozen=True)
class AccountSettings:
    """GetAccountSettings."""

    function_count: int
    total_code_size: int
    unreserved_concurrency: int


class ConcurrencyOperations:
    """Reserved concurrency and the account's usage figures, for `FunctionRegistry`."""

    if TYPE_CHECKING:
        _state: StateStore

        def resolve(
            self, function_name: str, qualifier: str | None = None, *, namespaced: bool = False
        ) -> FunctionRef: ...

        def _not_found(
            self, ref: FunctionRef | str, qualifier: str | None = None
        ) -> LambdaError: ...

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
