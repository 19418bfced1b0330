"""Provisioned concurrency: AWS's rules (domain/provisioned.py) on a real FunctionRegistry, and the
environments behind them (runtime/provisioned.py, EnvironmentPool.provision) on a fake executor."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from lambdad.daemon.domain.changes import AliasChange
from lambdad.daemon.domain.functions import CodeInput, FunctionRegistry, NewFunction
from lambdad.daemon.domain.names import Account
from lambdad.daemon.domain.provisioned import (
    STATUS_FAILED,
    STATUS_READY,
    ProvisionedConcurrency,
    ProvisionedConfig,
)
from lambdad.daemon.errors import LambdaError, Reason
from lambdad.daemon.runtime.capacity import CapacityGovernor
from lambdad.daemon.runtime.code import CodeStore
from lambdad.daemon.runtime.environment import ExecutionEnvironment
from lambdad.daemon.runtime.executor import EnvironmentSpec
from lambdad.daemon.runtime.logs import FunctionLogs
from lambdad.daemon.runtime.pool import EnvironmentPool
from lambdad.daemon.runtime.provisioned import ProvisionedEnvironments
from lambdad.daemon.runtime.runtime_api import InvocationRequest
from lambdad.daemon.services.functions import function_registry
from lambdad.daemon.services.provisioned import ProvisionedReconciler
from lambdad.daemon.store.blobs import BlobStore
from lambdad.daemon.store.state import StateStore
from tests.helpers import async_wait_for, make_zip
from tests.unit.pool_fakes import FakeExecutor, FakeProcess

ARN = "arn:aws:lambda:us-east-1:000000000000:function"


class RecordingExecutor(FakeExecutor):
    """Remembers the spec of every environment it starts."""

    def __init__(self) -> None:
        super().__init__()
        self.specs: list[EnvironmentSpec] = []

    async def start(self, spec: EnvironmentSpec, runtime_api: str) -> FakeProcess:
        self.specs.append(spec)
        return await super().start(spec, runtime_api)


@dataclass
class World:
    registry: FunctionRegistry
    pool: EnvironmentPool
    executor: RecordingExecutor
    provisioned: ProvisionedConcurrency
    reconciler: ProvisionedReconciler

    async def create(self, name: str = "f", *, alias: str | None = None) -> str:
        await self.registry.create_function(
            NewFunction(
                function_name=name,
                role="arn:aws:iam::000000000000:role/r",
                code=CodeInput(zip_file=make_zip()),
                runtime="python3.12",
                handler="app.handler",
            )
        )

        async def active() -> bool:
            return (await self.registry.get_configuration(name)).config.state == "Active"

        await async_wait_for(active)
        version = (await self.registry.publish_version(name)).config.version
        if alias:
            await self.registry.create_alias(name, alias, version)
        return version

    async def settled(self, name: str, qualifier: str) -> ProvisionedConfig:

        async def settled() -> ProvisionedConfig | None:
            config = await self.provisioned.get(name, qualifier)
            return config if config.allocation.status != "IN_PROGRESS" else None

        return await async_wait_for(settled)


async def _world(tmp_path: Path, governor: CapacityGovernor[ExecutionEnvironment]) -> World:
    state = StateStore(tmp_path / "state.db")
    blobs = BlobStore(tmp_path / "blobs")
    registry = function_registry(
        account=Account("us-east-1", "000000000000"),
        state=state,
        blobs=blobs,
        code_fetcher=None,  # type: ignore[arg-type]
    )
    await registry.start()
    executor = RecordingExecutor()
    pool = EnvironmentPool(
        executor,  # type: ignore[arg-type]
        CodeStore(tmp_path / "code", blobs),
        FunctionLogs(),
        region="us-east-1",
        idle_timeout_s=0.1,  # on-demand environments go at once; provisioned ones must stay
        governor=governor,
    )
    await pool.start()
    provisioned = ProvisionedConcurrency(registry, state, ProvisionedEnvironments(pool))
    reconciler = ProvisionedReconciler(provisioned, registry)
    await reconciler.start()
    return World(registry, pool, executor, provisioned, reconciler)


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    built = await _world(tmp_path, CapacityGovernor(8, 4096))
    try:
        yield built
    finally:
        await built.reconciler.stop()
        await built.pool.close()
        await built.registry.stop()


async def refused(world: World, name: str, qualifier: str, count: int) -> LambdaError:
    with pytest.raises(LambdaError) as caught:
        await world.provisioned.put(name, qualifier, count)
    return caught.value


# --- rules ----------------------------------------------------------------------------------


async def test_latest_and_missing_qualifiers_are_refused(world: World) -> None:
    await world.create()
    latest = await refused(world, "f", "$LATEST", 1)
    assert latest.reason is Reason.INVALID_PARAMETER_VALUE
    assert latest.message == (
        "Provisioned Concurrency Configs cannot be applied to unpublished function versions."
    )
    missing = await refused(world, "f", "7", 1)
    assert (missing.reason, missing.message) == (
        Reason.FUNCTION_NOT_FOUND,
        f"Function not found: {ARN}:f:7",
    )
    no_alias = await refused(world, "f", "live", 1)
    assert (no_alias.reason, no_alias.message) == (
        Reason.ALIAS_NOT_FOUND,
        f"Cannot find alias arn: {ARN}:f:live",
    )
    no_function = await refused(world, "g", "1", 1)
    assert no_function.message == f"Function not found: {ARN}:g"
    zero = await refused(world, "f", "1", 0)
    assert zero.reason is Reason.VALIDATION
    assert "Member must have value greater than or equal to 1" in zero.message


async def test_limits_follow_reserved_and_unreserved_concurrency(world: World) -> None:
    await world.create("reserved")
    await world.registry.set_reserved_concurrency("reserved", 3)
    over = await refused(world, "reserved", "1", 4)
    assert over.message == (
        "Requested Provisioned Concurrency should not be greater than the "
        "reservedConcurrentExecution for function"
    )
    await world.provisioned.put("reserved", "1", 3)  # exactly the reservation is fine

    await world.create("open")
    before = (await world.registry.account_settings()).unreserved_concurrency
    assert before == 1000 - 3
    await world.provisioned.put("open", "1", 2)
    # Taken from the unreserved pool (the reserved function's is inside its reservation).
    assert (await world.registry.account_settings()).unreserved_concurrency == before - 2
    # A new Put replaces the old count rather than adding to it.
    await world.provisioned.put("open", "1", 1)
    assert (await world.registry.account_settings()).unreserved_concurrency == before - 1
    below = await refused(world, "open", "1", before - 99)
    assert below.message == (
        "Specified ConcurrentExecutions for function decreases account's "
        "UnreservedConcurrentExecution below its minimum value of [100]."
    )
    # Reserving concurrency elsewhere must leave 100 unreserved net of provisioned: 900
    # reserved would leave exactly 100 without "open"'s 1 provisioned, 99 with it.
    with pytest.raises(LambdaError) as caught:
        await world.registry.set_reserved_concurrency("reserved", 900)
    assert "below its minimum value of [100]" in caught.value.message


async def test_alias_and_its_version_cannot_both_be_provisioned(world: World) -> None:
    await world.create(alias="live")
    await world.provisioned.put("f", "live", 1)
    conflict = await refused(world, "f", "1", 1)
    assert (conflict.reason, conflict.message) == (
        Reason.RESOURCE_CONFLICT,
        "Version is pointed by a Provisioned Concurrency alias",
    )
    await world.provisioned.delete("f", "live")
    await world.provisioned.put("f", "1", 1)
    conflict = await refused(world, "f", "live", 1)
    assert conflict.message == (
        "Alias can't be used for Provisioned Concurrency configuration on an already "
        "Provisioned version"
    )


async def test_get_list_and_delete(world: World) -> None:
    await world.create(alias="live")
    with pytest.raises(LambdaError) as caught:
        await world.provisioned.get("f", "1")
    assert caught.value.reason is Reason.PROVISIONED_CONCURRENCY_CONFIG_NOT_FOUND
    assert caught.value.message == "No Provisioned Concurrency Config found for this function"
    await world.provisioned.put("f", "live", 1)
    await world.create("g")
    await world.provisioned.put("g", "1", 1)
    page, marker = await world.provisioned.list("f", "", 0)
    assert [(c.function_arn, c.requested) for c in page] == [(f"{ARN}:f:live", 1)]
    assert marker == ""
    with pytest.raises(LambdaError) as caught:
        await world.provisioned.list("f", "", 51)
    assert caught.value.reason is Reason.VALIDATION
    await world.provisioned.delete("f", "live")
    assert (await world.provisioned.list("f", "", 0))[0] == []


# --- environments ---------------------------------------------------------------------------


async def test_environments_are_initialized_marked_and_kept(world: World) -> None:
    await world.create()
    put = await world.provisioned.put("f", "1", 2)
    assert put.allocation.status == "IN_PROGRESS"
    ready = await world.settled("f", "1")
    assert ready.allocation.status == STATUS_READY
    assert (ready.allocation.allocated, ready.allocation.available) == (2, 2)
    assert [s.variables["AWS_LAMBDA_INITIALIZATION_TYPE"] for s in world.executor.specs] == [
        "provisioned-concurrency"
    ] * 2
    # Idle through ten reaper passes (five idle timeouts): still there.
    passes = world.pool.reaper_passes
    await async_wait_for(lambda: world.pool.reaper_passes >= passes + 10)
    assert world.pool.provisioned_counts("f:1") == (2, 2)

    config = (await world.registry.get_configuration("f", "1")).config
    result = await world.pool.invoke(config, InvocationRequest("r-1", b"{}", 3, f"{ARN}:f:1"))
    assert result.error_type is None
    assert len(world.executor.specs) == 2  # served by a provisioned environment, no new one


async def test_a_lost_environment_is_replaced(world: World) -> None:
    await world.create()
    await world.provisioned.put("f", "1", 1)
    await world.settled("f", "1")
    config = (await world.registry.get_configuration("f", "1")).config
    await world.pool.invoke(
        config, InvocationRequest("r-1", b'{"do": "exit", "code": 1}', 3, f"{ARN}:f:1")
    )
    await async_wait_for(
        lambda: len(world.executor.specs) == 2 and world.pool.provisioned_counts("f:1")[0] == 1
    )
    assert world.pool.provisioned_counts("f:1") == (1, 1)
    assert (await world.provisioned.get("f", "1")).allocation.status == STATUS_READY


async def test_deleting_stops_the_environments(world: World) -> None:
    await world.create()
    await world.provisioned.put("f", "1", 2)
    await world.settled("f", "1")
    await world.provisioned.delete("f", "1")
    assert world.pool.provisioned_counts("f:1") == (0, 0)
    await async_wait_for(lambda: all(p.killed for p in world.executor.started))
    assert all(p.killed for p in world.executor.started)


async def test_more_than_the_host_holds_fails_with_a_reason(tmp_path: Path) -> None:
    # Two provisioned environments can never fit a host of one: FAILED, not waiting forever.
    world = await _world(tmp_path, CapacityGovernor(1, 4096))
    try:
        await world.create()
        await world.provisioned.put("f", "1", 2)
        failed = await world.settled("f", "1")
        assert failed.allocation.status == STATUS_FAILED
        assert failed.allocation.allocated == 1
        assert "capacity" in failed.allocation.reason
    finally:
        await world.reconciler.stop()
        await world.pool.close()
        await world.registry.stop()


async def test_alias_moves_and_deletions_follow(world: World) -> None:
    await world.create(alias="live")
    await world.provisioned.put("f", "live", 1)
    await world.settled("f", "live")
    assert world.pool.provisioned_counts("f:live") == (1, 1)
    first_env = world.executor.specs[-1]
    assert first_env.function_version == "1"

    await world.registry.update_code("f", CodeInput(zip_file=make_zip({"app.py": "# v2\n"})))

    async def successful() -> bool:
        config = (await world.registry.get_configuration("f")).config
        return config.last_update_status == "Successful"

    await async_wait_for(successful)
    await world.registry.publish_version("f")
    await world.registry.update_alias("f", "live", AliasChange(function_version="2"))
    # UpdateAlias tells no listener: the periodic pass (run here at once) moves the target.
    await world.provisioned.reconcile()
    ready = await world.settled("f", "live")
    assert ready.allocation.status == STATUS_READY
    assert world.executor.specs[-1].function_version == "2"
    assert world.pool.provisioned_counts("f:live") == (1, 1)

    await world.registry.delete_function("f")
    assert world.pool.provisioned_counts("f:live") == (0, 0)


async def test_targets_competing_for_a_small_host_do_not_wait_forever(tmp_path: Path) -> None:
    # 4 provisioned environments asked of a host of 3, by two targets filling at once: the
    # check counts environments still starting, so one target fails instead of both passing
    # it and one waiting forever for the slot the other took.
    world = await _world(tmp_path, CapacityGovernor(3, 4096))
    try:
        await world.create("a")
        await world.create("b")
        await asyncio.gather(world.provisioned.put("a", "1", 2), world.provisioned.put("b", "1", 2))
        statuses = {
            (await world.settled("a", "1")).allocation.status,
            (await world.settled("b", "1")).allocation.status,
        }
        assert STATUS_FAILED in statuses
        assert world.pool.governor.running <= 3
    finally:
        await world.reconciler.stop()
        await world.pool.close()
        await world.registry.stop()
