"""RuntimeConfig (a customer-managed runtime) and AcceleratorConfig of a function.

Both are stored and echoed: no operation of AWS's model creates a customer-managed runtime,
so locally the function runs on its `Runtime`, and no accelerator device is attached. What
lambdad checks is the model's shape of each, reported as AWS reports constraint violations.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from lambdad.daemon.errors import validation_error

RUNTIME_ARN_PATTERN = r"arn:[a-z-]+:lambda:[a-z0-9-]+:\d{12}:runtime/.+"


def _not_null(value: object, field: str) -> None:
    if value is None:
        raise validation_error(None, field, "Member must not be null")


def _length(value: str, field: str, low: int, high: int) -> None:
    if len(value) < low:
        raise validation_error(
            value, field, f"Member must have length greater than or equal to {low}"
        )
    if len(value) > high:
        raise validation_error(
            value, field, f"Member must have length less than or equal to {high}"
        )


def _runtime_arn(arn: str) -> None:
    _length(arn, "runtimeConfig.runtimeArn", 48, 2048)
    if not re.fullmatch(RUNTIME_ARN_PATTERN, arn):
        raise validation_error(
            arn,
            "runtimeConfig.runtimeArn",
            f"Member must satisfy regular expression pattern: {RUNTIME_ARN_PATTERN}",
        )


def runtime_config_checks(config: Mapping[str, Any] | None) -> list[Callable[[], object]]:
    """The model's constraints on RuntimeConfig (both members required), in member order."""
    if config is None:
        return []
    arn, alias = config.get("RuntimeArn"), config.get("RuntimeAlias")
    checks: list[Callable[[], object]] = []
    if arn is None:
        checks.append(lambda: _not_null(None, "runtimeConfig.runtimeArn"))
    else:
        checks.append(lambda: _runtime_arn(str(arn)))
    if alias is None:
        checks.append(lambda: _not_null(None, "runtimeConfig.runtimeAlias"))
    else:
        checks.append(lambda: _length(str(alias), "runtimeConfig.runtimeAlias", 1, 128))
    return checks


def accelerator_config_checks(config: Mapping[str, Any] | None) -> list[Callable[[], object]]:
    """AcceleratorConfig: AcceleratorMemorySize is required."""
    if config is None:
        return []
    size = config.get("AcceleratorMemorySize")
    return [lambda: _not_null(size, "acceleratorConfig.acceleratorMemorySize")]
