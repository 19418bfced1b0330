"""Typed partial updates: UpdateFunctionConfiguration's and UpdateAlias's changes.

A field left `UNSET` is not changed; any other value (None and empty ones included) replaces
the stored one. The fields of `ConfigurationChange` are the one list of what
UpdateFunctionConfiguration may change (`UPDATABLE_FIELDS`).
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass
from typing import Any, Final, Literal


class _Unset(enum.Enum):
    UNSET = "UNSET"

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = _Unset.UNSET
Unset = Literal[_Unset.UNSET]


def _given(change: object) -> dict[str, Any]:
    return {
        f.name: value
        for f in dataclasses.fields(change)  # type: ignore[arg-type]
        if (value := getattr(change, f.name)) is not UNSET
    }


@dataclass(frozen=True)
class ConfigurationChange:
    """UpdateFunctionConfiguration: FunctionVersion fields and their new values."""

    role: str | Unset = UNSET
    handler: str | Unset = UNSET
    description: str | Unset = UNSET
    timeout: int | Unset = UNSET
    memory_size: int | Unset = UNSET
    vpc_config: dict[str, Any] | Unset = UNSET
    environment: dict[str, str] | Unset = UNSET
    runtime: str | Unset = UNSET
    dead_letter_target_arn: str | Unset | None = UNSET
    kms_key_arn: str | Unset | None = UNSET
    tracing_mode: str | Unset = UNSET
    layers: list[str] | Unset = UNSET
    file_system_configs: list[dict[str, str]] | Unset = UNSET
    image_config: dict[str, Any] | Unset = UNSET
    ephemeral_storage: int | Unset = UNSET
    snap_start_apply_on: str | Unset = UNSET
    logging_config: dict[str, str] | Unset = UNSET
    capacity_provider_config: dict[str, Any] | Unset | None = UNSET
    durable_config: dict[str, int] | Unset | None = UNSET
    runtime_config: dict[str, Any] | Unset | None = UNSET
    accelerator_config: dict[str, Any] | Unset | None = UNSET

    def given(self) -> dict[str, Any]:
        """The fields to change, by name."""
        return _given(self)


UPDATABLE_FIELDS: frozenset[str] = frozenset(
    f.name for f in dataclasses.fields(ConfigurationChange)
)


@dataclass(frozen=True)
class AliasChange:
    """UpdateAlias: the alias fields and their new values."""

    function_version: str | Unset = UNSET
    description: str | Unset = UNSET
    routing: dict[str, float] | Unset = UNSET

    def given(self) -> dict[str, Any]:
        """The fields to change, by name."""
        return _given(self)
