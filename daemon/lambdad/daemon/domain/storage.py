"""What the domain needs from storage: the protocols `lambdad.daemon.store` implements.

The registries in this package read and write through a `StateStore` (one transaction per
operation, run on the store's own thread) and keep code zips in a `BlobStore`; the SQLite
database and the content-addressed directory in ``store/`` are the implementations, wired in
``server.py``. Depending on these protocols instead of ``store/`` keeps imports flowing one
way: ``store/`` may import domain value types, the domain never imports ``store/``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypeVar

from lambdad.daemon.domain.model import Alias, FunctionRecord, FunctionVersion

if TYPE_CHECKING:
    # Type-only: these modules hold registries that take a `StateStore` themselves.
    from lambdad.daemon.domain.event_invoke_config import EventInvokeConfig
    from lambdad.daemon.domain.event_sources import EventSourceMapping

T = TypeVar("T")


class Transaction(Protocol):
    """The reads and writes of one state transaction (all of it or none of it happens)."""

    def get_function(self, name: str) -> FunctionRecord | None:
        """The function's shared record, if it exists."""

    def put_function(self, record: FunctionRecord) -> None:
        """Insert or replace the function's shared record."""

    def delete_function(self, name: str) -> None:
        """Delete the function with all its versions and aliases."""

    def function_names(self) -> list[str]:
        """Every function name, sorted."""

    def get_version(self, name: str, version: str) -> FunctionVersion | None:
        """One version's configuration."""

    def put_version(self, config: FunctionVersion) -> None:
        """Insert or replace a version's configuration."""

    def delete_version(self, name: str, version: str) -> None:
        """Delete one version (and its async invocation settings)."""

    def versions(self, name: str | None = None) -> list[FunctionVersion]:
        """Versions of one function (or all), ordered by name then $LATEST first."""

    def referenced_blobs(self) -> set[str]:
        """Hex digests of every stored zip that some version or layer version uses."""

    def next_layer_version(self, layer_name: str) -> int:
        """Reserve the next version number of a layer (never reused, even after deletes)."""

    def get_layer_version(self, layer_name: str, version: int) -> tuple[str, str | None] | None:
        """(config JSON, policy JSON or None) of one layer version."""

    def put_layer_version(
        self, layer_name: str, version: int, config: str, policy: str | None
    ) -> None:
        """Insert or replace one layer version (and its policy)."""

    def delete_layer_version(self, layer_name: str, version: int) -> None:
        """Delete one layer version; the layer's counter stays."""

    def layer_versions(self, layer_name: str | None = None) -> list[str]:
        """Config JSON of the versions of one layer (or all), by name then version."""

    def get_alias(self, function_name: str, name: str) -> Alias | None:
        """One alias."""

    def put_alias(self, alias: Alias) -> None:
        """Insert or replace an alias."""

    def delete_alias(self, function_name: str, name: str) -> None:
        """Delete an alias (and its async invocation settings)."""

    def aliases(self, function_name: str) -> list[Alias]:
        """A function's aliases, by name."""

    def get_event_invoke_config(
        self, function_name: str, qualifier: str
    ) -> EventInvokeConfig | None:
        """The async invocation settings of one qualifier ($LATEST, version or alias)."""

    def put_event_invoke_config(self, config: EventInvokeConfig) -> None:
        """Insert or replace the async invocation settings of one qualifier."""

    def delete_event_invoke_config(self, function_name: str, qualifier: str) -> bool:
        """Delete the async invocation settings of one qualifier; False if there were none."""

    def event_invoke_configs(self, function_name: str) -> list[EventInvokeConfig]:
        """A function's async invocation settings, by qualifier ($LATEST sorts first)."""

    def get_function_url(self, function_name: str, qualifier: str) -> str | None:
        """The URL configuration (JSON) of a function qualifier ($LATEST or an alias)."""

    def function_url_by_id(self, url_id: str) -> str | None:
        """The URL configuration (JSON) with this URL id."""

    def put_function_url(
        self, function_name: str, qualifier: str, url_id: str, config: str
    ) -> None:
        """Insert or replace a URL configuration; the URL id of an existing one is kept."""

    def delete_function_url(self, function_name: str, qualifier: str) -> bool:
        """Delete a URL configuration; False if there was none."""

    def function_urls(self, function_name: str) -> list[str]:
        """A function's URL configurations (JSON), by qualifier ($LATEST sorts first)."""

    def get_function_policy(self, function_name: str, qualifier: str) -> str | None:
        """The resource policy record (JSON) of a function qualifier ("" = unqualified)."""

    def put_function_policy(self, function_name: str, qualifier: str, policy: str) -> None:
        """Insert or replace a resource policy record."""

    def delete_function_policy(self, function_name: str, qualifier: str) -> None:
        """Delete a resource policy record."""

    def get_event_source_mapping(self, uuid: str) -> EventSourceMapping | None:
        """One event source mapping."""

    def put_event_source_mapping(self, mapping: EventSourceMapping) -> None:
        """Insert or replace an event source mapping."""

    def delete_event_source_mapping(self, uuid: str) -> None:
        """Delete an event source mapping (and its checkpoints)."""

    def event_source_mappings(self) -> list[EventSourceMapping]:
        """Every event source mapping."""

    def get_shard_checkpoint(self, uuid: str, shard_id: str) -> str | None:
        """The last sequence number a stream mapping delivered from a shard."""

    def put_shard_checkpoint(self, uuid: str, shard_id: str, sequence_number: str) -> None:
        """Remember the last sequence number delivered from a shard."""

    def get_provisioned(self, function_name: str, qualifier: str) -> tuple[int, str] | None:
        """(requested, last_modified) of a version's or alias's provisioned concurrency."""
        ...

    def put_provisioned(
        self, function_name: str, qualifier: str, requested: int, last_modified: str
    ) -> None:
        """Insert or replace a version's or alias's provisioned concurrency."""
        ...

    def delete_provisioned(self, function_name: str, qualifier: str) -> bool:
        """Delete a provisioned concurrency configuration; False if there was none."""
        ...

    def provisioned(self, function_name: str | None = None) -> list[tuple[str, str, int, str]]:
        """(function, qualifier, requested, last_modified) rows, of one function or all."""
        ...

    def provisioned_outside_reserved(self, exclude: str = "") -> int:
        """Provisioned concurrency of functions without reserved concurrency (except
        `exclude`): AWS takes it from the account's unreserved pool."""
        ...

    def get_capacity_provider(self, name: str) -> str | None:
        """The JSON document of one capacity provider."""
        ...

    def put_capacity_provider(self, name: str, config: str) -> None:
        """Insert or replace a capacity provider."""
        ...

    def delete_capacity_provider(self, name: str) -> None:
        """Delete a capacity provider."""
        ...

    def capacity_providers(self) -> list[str]:
        """Every capacity provider's JSON document, by name."""
        ...


class StateStore(Protocol):
    """Durable state: runs one unit of work as one transaction."""

    #: Bumped by every transaction that changed a row; `ReadCache` compares it to drop
    #: entries read before a write.
    generation: int

    def run_sync(self, work: Callable[[Transaction], T]) -> T:
        """Run `work` in one transaction, blocking the calling thread."""
        ...

    async def run(self, work: Callable[[Transaction], T], *, invalidates_reads: bool = True) -> T:
        """Run `work` in one transaction on the store's thread."""
        ...


class BlobStore(Protocol):
    """Code zips by SHA-256 hex digest, written durably before any row refers to them."""

    def path(self, sha256_hex: str) -> Path:
        """Where the blob with this digest lives."""
        ...

    def exists(self, sha256_hex: str) -> bool:
        """Whether the blob is stored."""
        ...

    def put(self, sha256_hex: str, data: bytes) -> Path:
        """Store `data` under its digest (idempotent) and return its path."""
        ...

    def read(self, sha256_hex: str) -> bytes:
        """The blob's bytes."""
        ...

    def collect_garbage(self, referenced: Iterable[str]) -> int:
        """Remove blobs no digest in `referenced` names; the count removed."""
        ...
