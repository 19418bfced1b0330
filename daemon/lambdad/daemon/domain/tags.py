"""Tags: TagResource, UntagResource and ListTags on the ARN of a function, an event source
mapping or a capacity provider.

`TagOperations` is one concern of `FunctionRegistry` (domain/functions.py), which it is mixed
into; the names under ``if TYPE_CHECKING`` are the registry's, declared here for mypy.
"""

from __future__ import annotations

import asyncio
import dataclasses
import re
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from lambdad.daemon.domain import validation
from lambdad.daemon.domain.capacity_providers import PROVIDER_NOT_FOUND, CapacityProvider
from lambdad.daemon.domain.event_sources import EventSourceMapping
from lambdad.daemon.domain.model import FunctionVersion, State
from lambdad.daemon.domain.names import LATEST, FunctionRef
from lambdad.daemon.domain.storage import StateStore, Transaction
from lambdad.daemon.errors import LambdaError, Reason, invalid_parameter, validation_error

# botocore's TaggableResource (1.44): the pattern AWS quotes when a tag operation's ARN is bad.
TAGGABLE_RESOURCE_PATTERN = validation.model_pattern("TaggableResource")


_MAPPING_ARN = re.compile(
    r"arn:(aws[a-zA-Z-]*)?:lambda:[a-z0-9-]+:\d{12}:event-source-mapping:"
    r"([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})"
)
# GetEventSourceMapping's not-found answer, which AWS gives for its ARN's tags too.
_MAPPING_NOT_FOUND = "The resource you requested does not exist."


def _mapping_uuid(resource: str) -> str | None:
    match = _MAPPING_ARN.fullmatch(resource)
    return match.group(2).lower() if match else None


def _mapping(tx: Transaction, uuid: str) -> EventSourceMapping:
    mapping = tx.get_event_source_mapping(uuid)
    if mapping is None:
        raise LambdaError(Reason.RESOURCE_NOT_FOUND, _MAPPING_NOT_FOUND)
    return mapping


_PROVIDER_ARN = re.compile(
    r"arn:(aws[a-zA-Z-]*)?:lambda:[a-z0-9-]+:\d{12}:capacity-provider:([a-zA-Z0-9-_]{1,64})"
)

# How to read and replace the tags of a resource that is not a function.
_Tagged = tuple[
    Callable[[Transaction], dict[str, str]], Callable[[Transaction, dict[str, str]], None]
]


def _provider(tx: Transaction, name: str, arn: str) -> CapacityProvider:
    text = tx.get_capacity_provider(name)
    if text is None:
        raise LambdaError(Reason.RESOURCE_NOT_FOUND, PROVIDER_NOT_FOUND.format(arn=arn))
    return CapacityProvider.from_json(text)


def _tagged_resource(resource: str) -> _Tagged | None:
    """Tag access for an event source mapping's or capacity provider's ARN; None otherwise."""
    uuid = _mapping_uuid(resource)
    if uuid is not None:

        def put_mapping(tx: Transaction, tags: dict[str, str]) -> None:
            tx.put_event_source_mapping(dataclasses.replace(_mapping(tx, uuid), tags=tags))

        return (lambda tx: dict(_mapping(tx, uuid).tags)), put_mapping
    match = _PROVIDER_ARN.fullmatch(resource)
    if match is None:
        return None
    name = match.group(2)

    def put_provider(tx: Transaction, tags: dict[str, str]) -> None:
        current = _provider(tx, name, resource)
        tx.put_capacity_provider(name, dataclasses.replace(current, tags=tags).to_json())

    return (lambda tx: dict(_provider(tx, name, resource).tags)), put_provider


class TagOperations:
    """The tag operations of `FunctionRegistry`."""

    if TYPE_CHECKING:
        _state: StateStore

        def resolve(
            self, function_name: str, qualifier: str | None = None, *, namespaced: bool = False
        ) -> FunctionRef: ...

        def _not_found(
            self, ref: FunctionRef | str, qualifier: str | None = None
        ) -> LambdaError: ...

        def _schedule_transition(self, config: FunctionVersion) -> asyncio.Task[None]: ...

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
        other = _tagged_resource(resource)
        name = self._tag_target(resource) if other is None else ""
        if not tags:
            # AWS's answer to `"Tags": {}` (and to no Tags at all).
            raise invalid_parameter("An error occurred and the request cannot be processed.")
        if other is not None:
            read, replace = other

            def tag_other(tx: Transaction) -> None:
                current = read(tx)
                validation.check_tags(tags, current)
                replace(tx, {**current, **tags})

            return await self._state.run(tag_other)

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
        other = _tagged_resource(resource)
        name = self._tag_target(resource) if other is None else ""
        if not keys:
            raise validation_error(None, "tagKeys", "Member must not be null")
        if other is not None:
            read, replace = other

            def untag_other(tx: Transaction) -> None:
                replace(tx, {k: v for k, v in read(tx).items() if k not in set(keys)})

            return await self._state.run(untag_other)

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
        other = _tagged_resource(resource)
        if other is not None:
            return await self._state.run(other[0])
        name = self._tag_target(resource)

        def read(tx: Transaction) -> dict[str, str]:
            record = tx.get_function(name)
            if record is None:
                raise self._not_found(name)
            return dict(record.tags)

        return await self._state.run(read)
