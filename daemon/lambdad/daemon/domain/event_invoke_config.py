"""Async invocation settings (AWS's FunctionEventInvokeConfig): retries, event age, destinations.

`EventInvokeConfigRegistry` holds the rules of Put/Update/Get/Delete/ListFunctionEventInvokeConfig
with AWS's validation and messages, and answers which settings apply to an Event invocation.
Settings are kept per function qualifier ($LATEST, a version or an alias) in SQLite; deleting
the function (or the version or alias) deletes them.
"""

from __future__ import annotations

import dataclasses
import json
import re
import time
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from lambdad.daemon.domain import pages
from lambdad.daemon.domain.names import LATEST, Account, is_version_qualifier, parse_function_name
from lambdad.daemon.errors import LambdaError, Reason, invalid_parameter

if TYPE_CHECKING:
    from lambdad.daemon.domain.storage import StateStore, Transaction

DEFAULT_MAXIMUM_RETRY_ATTEMPTS = 2
DEFAULT_MAXIMUM_EVENT_AGE = 21_600
RETRY_ATTEMPTS_RANGE = (0, 2)
EVENT_AGE_RANGE = (60, 21_600)
MAX_LIST_ITEMS = 50
MAX_DESTINATION_LENGTH = 350
DESTINATION_PATTERN = (
    r"^$|arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\-])+:([a-z]{2}((-gov)|(-iso(b?)))?-[a-z]+-\d{1})?:"
    r"(\d{12})?:(.*)"
)
_DESTINATION_RE = re.compile(DESTINATION_PATTERN)
_LAMBDA_ARN_RE = re.compile(
    r"arn:aws[a-zA-Z-]*:lambda:(?P<region>[^:]+):(?P<account>\d{12}):function:"
    r"(?P<name>[a-zA-Z0-9-_]+)(:(?P<qualifier>[a-zA-Z0-9$_-]+))?"
)
# Destination services per condition; S3 buckets only take failure records.
_SUCCESS_SERVICES = ("lambda", "sqs", "sns", "events")
_FAILURE_SERVICES = (*_SUCCESS_SERVICES, "s3")
NOTHING_SET = "You must specify at least one of error handling or destination setting."
FUNCTION_MISSING = "The function doesn't exist."
SELF_DESTINATION = "You can't specify the function as a destination for itself."


@dataclass(frozen=True)
class Destinations:
    """AWS's DestinationConfig: an ARN (or None) per outcome."""

    on_success: str | None = None
    on_failure: str | None = None


@dataclass(frozen=True)
class EventInvokeSettings:
    """The settings of a Put or Update request; None means "not given"."""

    maximum_retry_attempts: int | None = None
    maximum_event_age_in_seconds: int | None = None
    destinations: Destinations | None = None

    @property
    def empty(self) -> bool:
        """True when nothing at all was given (AWS rejects that)."""
        return (
            self.maximum_retry_attempts is None
            and self.maximum_event_age_in_seconds is None
            and self.destinations is None
        )


@dataclass(frozen=True)
class EventInvokeConfig:
    """The stored async invocation settings of one function qualifier."""

    function_name: str
    qualifier: str  # $LATEST, a version or an alias
    last_modified: float  # epoch seconds
    maximum_retry_attempts: int | None = None
    maximum_event_age_in_seconds: int | None = None
    on_success: str | None = None
    on_failure: str | None = None

    @property
    def retry_attempts(self) -> int:
        """Retries after a function error, with AWS's default."""
        if self.maximum_retry_attempts is None:
            return DEFAULT_MAXIMUM_RETRY_ATTEMPTS
        return self.maximum_retry_attempts

    @property
    def event_age_limit(self) -> int:
        """Seconds an event may wait before it is dropped, with AWS's default."""
        if self.maximum_event_age_in_seconds is None:
            return DEFAULT_MAXIMUM_EVENT_AGE
        return self.maximum_event_age_in_seconds

    def to_json(self) -> str:
        """Serialised for the state store."""
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> EventInvokeConfig:
        """Read back what `to_json` wrote."""
        return cls(**json.loads(text))


def destination_service(arn: str) -> str:
    """The service part of a destination ARN (`lambda`, `sqs`, `sns`, `events`, `s3`, ...)."""
    parts = arn.split(":")
    return parts[2] if len(parts) > 2 else ""


def lambda_destination_name(arn: str) -> str | None:
    """The function name of a Lambda destination ARN, None if it is not one."""
    match = _LAMBDA_ARN_RE.fullmatch(arn)
    return match.group("name") if match else None


def _check_ranges(settings: EventInvokeSettings) -> None:
    """AWS's model constraints, reported together as one ValidationException."""
    messages: list[str] = []

    def bounded(value: int | None, field: str, low: int, high: int) -> None:
        if value is None or low <= value <= high:
            return
        bound = (
            f"greater than or equal to {low}" if value < low else f"less than or equal to {high}"
        )
        messages.append(
            f"Value '{value}' at '{field}' failed to satisfy constraint: "
            f"Member must have value {bound}"
        )

    bounded(settings.maximum_retry_attempts, "maximumRetryAttempts", *RETRY_ATTEMPTS_RANGE)
    bounded(settings.maximum_event_age_in_seconds, "maximumEventAgeInSeconds", *EVENT_AGE_RANGE)
    destinations = settings.destinations
    if destinations is not None:
        for field, arn in (
            ("destinationConfig.onSuccess.destination", destinations.on_success),
            ("destinationConfig.onFailure.destination", destinations.on_failure),
        ):
            if arn is None:
                continue
            if len(arn) > MAX_DESTINATION_LENGTH:
                messages.append(
                    f"Value '{arn}' at '{field}' failed to satisfy constraint: "
                    f"Member must have length less than or equal to {MAX_DESTINATION_LENGTH}"
                )
            elif not _DESTINATION_RE.fullmatch(arn):
                messages.append(
                    f"Value '{arn}' at '{field}' failed to satisfy constraint: "
                    f"Member must satisfy regular expression pattern: {DESTINATION_PATTERN}"
                )
    if messages:
        count = len(messages)
        noun = "error" if count == 1 else "errors"
        raise LambdaError(
            Reason.VALIDATION, f"{count} validation {noun} detected: " + "; ".join(messages)
        )


class EventInvokeConfigRegistry:
    """Put/Update/Get/Delete/ListFunctionEventInvokeConfig and the settings of an invocation."""

    def __init__(self, *, account: Account, state: StateStore) -> None:
        self.account = account
        self._state = state

    def function_arn(self, config: EventInvokeConfig) -> str:
        """The qualified ARN AWS reports as FunctionArn."""
        return self.account.function_arn(config.function_name, config.qualifier)

    def _missing(self, name: str, qualifier: str) -> LambdaError:
        arn = self.account.function_arn(name, qualifier)
        return LambdaError(
            Reason.RESOURCE_NOT_FOUND, f"The function {arn} doesn't have an EventInvokeConfig"
        )

    def _target(self, function_name: str, qualifier: str) -> tuple[str, str]:
        ref = parse_function_name(self.account, function_name, qualifier or None)
        return ref.name, ref.qualifier or LATEST

    @staticmethod
    def _require_qualifier(tx: Transaction, name: str, qualifier: str) -> None:
        """The function and its version or alias exist, else AWS's Put/Update 404."""
        if tx.get_function(name) is None:
            raise LambdaError(Reason.FUNCTION_NOT_FOUND, FUNCTION_MISSING)
        if is_version_qualifier(qualifier):
            found = tx.get_version(name, qualifier) is not None
        else:
            found = tx.get_alias(name, qualifier) is not None
        if not found:
            raise LambdaError(Reason.FUNCTION_NOT_FOUND, FUNCTION_MISSING)

    @staticmethod
    def _check_destinations(tx: Transaction, name: str, destinations: Destinations) -> None:
        invalid = False
        for arn, services in (
            (destinations.on_success, _SUCCESS_SERVICES),
            (destinations.on_failure, _FAILURE_SERVICES),
        ):
            if not arn:
                continue
            service = destination_service(arn)
            if service not in services:
                invalid = True
                continue
            if service == "lambda":
                target = lambda_destination_name(arn)
                if target is None or tx.get_function(target) is None:
                    raise invalid_parameter(f"The destination ARN {arn} is invalid.")
                if target == name:
                    raise invalid_parameter(SELF_DESTINATION)
        if invalid:
            success = destinations.on_success
            failure = destinations.on_failure
            on_success = f"OnSuccess(destination={success})" if success else "null"
            on_failure = f"OnFailure(destination={failure})" if failure else "null"
            raise invalid_parameter(
                f"The provided destination config DestinationConfig(onSuccess={on_success}, "
                f"onFailure={on_failure}) is invalid."
            )

    def _validate(self, settings: EventInvokeSettings) -> None:
        _check_ranges(settings)
        if settings.empty:
            raise invalid_parameter(NOTHING_SET)

    async def put(
        self, function_name: str, qualifier: str, settings: EventInvokeSettings
    ) -> EventInvokeConfig:
        """PutFunctionEventInvokeConfig: replace whatever was configured."""
        self._validate(settings)
        name, target = self._target(function_name, qualifier)
        destinations = settings.destinations or Destinations()

        def write(tx: Transaction) -> EventInvokeConfig:
            self._require_qualifier(tx, name, target)
            self._check_destinations(tx, name, destinations)
            config = EventInvokeConfig(
                function_name=name,
                qualifier=target,
                last_modified=time.time(),
                maximum_retry_attempts=settings.maximum_retry_attempts,
                maximum_event_age_in_seconds=settings.maximum_event_age_in_seconds,
                on_success=destinations.on_success or None,
                on_failure=destinations.on_failure or None,
            )
            tx.put_event_invoke_config(config)
            return config

        return await self._state.run(write)

    async def update(
        self, function_name: str, qualifier: str, settings: EventInvokeSettings
    ) -> EventInvokeConfig:
        """UpdateFunctionEventInvokeConfig: replace only the settings given."""
        self._validate(settings)
        name, target = self._target(function_name, qualifier)

        def write(tx: Transaction) -> EventInvokeConfig:
            self._require_qualifier(tx, name, target)
            config = tx.get_event_invoke_config(name, target)
            if config is None:
                raise self._missing(name, target)
            changes: dict[str, Any] = {"last_modified": time.time()}
            if settings.maximum_retry_attempts is not None:
                changes["maximum_retry_attempts"] = settings.maximum_retry_attempts
            if settings.maximum_event_age_in_seconds is not None:
                changes["maximum_event_age_in_seconds"] = settings.maximum_event_age_in_seconds
            if settings.destinations is not None:
                self._check_destinations(tx, name, settings.destinations)
                # AWS replaces the whole DestinationConfig, not one side of it.
                changes["on_success"] = settings.destinations.on_success or None
                changes["on_failure"] = settings.destinations.on_failure or None
            updated = dataclasses.replace(config, **changes)
            tx.put_event_invoke_config(updated)
            return updated

        return await self._state.run(write)

    async def get(self, function_name: str, qualifier: str = "") -> EventInvokeConfig:
        """GetFunctionEventInvokeConfig."""
        name, target = self._target(function_name, qualifier)

        def read(tx: Transaction) -> EventInvokeConfig:
            config = tx.get_event_invoke_config(name, target)
            if config is None:
                raise self._missing(name, target)
            return config

        return await self._state.run(read)

    async def delete(self, function_name: str, qualifier: str = "") -> None:
        """DeleteFunctionEventInvokeConfig."""
        name, target = self._target(function_name, qualifier)

        def write(tx: Transaction) -> None:
            if not tx.delete_event_invoke_config(name, target):
                raise self._missing(name, target)

        await self._state.run(write)

    async def list(
        self, function_name: str, *, page_token: str = "", page_size: int = 0
    ) -> tuple[list[EventInvokeConfig], str]:
        """ListFunctionEventInvokeConfigs: one page and the next page's token ("" at the end)."""
        # Checked before the function is looked up: a bad size is reported first.
        size = pages.page_size(page_size, maximum=MAX_LIST_ITEMS, default=MAX_LIST_ITEMS)
        name = parse_function_name(self.account, function_name).name

        def read(tx: Transaction) -> list[EventInvokeConfig]:
            if tx.get_function(name) is None:
                raise LambdaError(Reason.FUNCTION_NOT_FOUND, FUNCTION_MISSING)
            return tx.event_invoke_configs(name)

        configs = await self._state.run(read)
        page = pages.paginate(
            configs, lambda c: c.qualifier, page_token, size, maximum=MAX_LIST_ITEMS
        )
        return page.items, page.next_token

    async def for_invocation(self, function_name: str, qualifier: str) -> EventInvokeConfig | None:
        """The settings that apply to an Event invocation of `function_name:qualifier`."""
        return await self._state.run(
            lambda tx: tx.get_event_invoke_config(function_name, qualifier or LATEST)
        )
