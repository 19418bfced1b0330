"""`ProvisionedEnvironments`: keeps each provisioned concurrency target filled with environments.

A target is a version or alias (its owner string, e.g. `my-function:live`), the version
configuration it resolves to, and the number of environments asked for. One task per target
starts environments through the pool (`EnvironmentPool.provision`) until the count is reached,
and again whenever one is lost. The status AWS reports follows from it: IN_PROGRESS while
environments are starting (or waiting for host capacity), READY once all are initialized,
FAILED with a reason when one could not be (its init failed, or the host can never hold them).
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field

import structlog

from lambdad.daemon.domain.model import FunctionVersion
from lambdad.daemon.domain.provisioned import (
    STATUS_FAILED,
    STATUS_IN_PROGRESS,
    STATUS_READY,
    Allocation,
)
from lambdad.daemon.runtime.pool import EnvironmentPool, ProvisioningFailed

log = structlog.get_logger(__name__)


def owner_of(function_name: str, qualifier: str) -> str:
    """The pool's owner string of a version's or alias's provisioned environments."""
    return f"{function_name}:{qualifier}"


@dataclass(eq=False)
class _Target:
    config: FunctionVersion
    requested: int
    failure: str = ""
    # Set when an environment of the target was lost, so the filler starts another.
    refill: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[None] | None = None


class ProvisionedEnvironments:
    """Fills and drains the pool's provisioned environments, one task per target."""

    def __init__(self, pool: EnvironmentPool) -> None:
        self._pool = pool
        self._targets: dict[str, _Target] = {}
        pool.on_provisioned_lost = self._lost

    def apply(
        self,
        function_name: str,
        qualifier: str,
        config: FunctionVersion,
        count: int,
        *,
        retry: bool = True,
    ) -> None:
        """Keep `count` initialized environments of `config` for the version or alias.

        `retry`: a FAILED target tries again (a new Put); reconciling leaves it FAILED.
        """
        owner = owner_of(function_name, qualifier)
        target = self._targets.get(owner)
        if target is not None and (
            target.config.version != config.version
            or target.config.revision_id != config.revision_id
        ):
            # The alias now points elsewhere: the old version's environments go.
            self.remove(function_name, qualifier)
            target = None
        if target is None:
            target = _Target(config, count)
            self._targets[owner] = target
        else:
            if retry or count != target.requested:
                target.failure = ""
            target.requested = count
        self._pool.unprovision(owner, keep=count)
        self._count_for(function_name)
        if target.task is None or target.task.done():
            target.task = asyncio.create_task(self._fill(owner, target))
        target.refill.set()

    def remove(self, function_name: str, qualifier: str) -> None:
        """Stop keeping environments for the version or alias."""
        owner = owner_of(function_name, qualifier)
        target = self._targets.pop(owner, None)
        if target is not None and target.task is not None:
            target.task.cancel()
        self._pool.unprovision(owner)
        self._count_for(function_name)

    def _count_for(self, function_name: str) -> None:
        """Tell the pool the function's provisioned concurrency, for its admission counts."""
        total = sum(
            target.requested
            for owner, target in self._targets.items()
            if owner.rpartition(":")[0] == function_name
        )
        self._pool.set_provisioned(function_name, total)

    def targets(self) -> list[str]:
        """Owners with a target (for reconciling against stored configurations)."""
        return list(self._targets)

    def allocation(self, function_name: str, qualifier: str, requested: int) -> Allocation:
        """What AWS reports: allocated and available environments and the status."""
        owner = owner_of(function_name, qualifier)
        # AWS's Available is what is initialized and ready to serve, not what is idle this
        # instant (that is its utilization metric): each of ours is ready once allocated.
        allocated, _ = self._pool.provisioned_counts(owner)
        available = allocated
        target = self._targets.get(owner)
        if target is not None and target.failure:
            return Allocation(allocated, available, STATUS_FAILED, target.failure)
        if target is not None and allocated >= requested:
            return Allocation(allocated, available, STATUS_READY)
        return Allocation(allocated, available, STATUS_IN_PROGRESS)

    async def close(self) -> None:
        """Stop every filler task (the pool closes the environments)."""
        tasks = [t.task for t in self._targets.values() if t.task is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._targets.clear()

    def _lost(self, owner: str) -> None:
        target = self._targets.get(owner)
        if target is not None:
            log.info("provisioned environment lost; starting another", owner=owner)
            target.refill.set()

    async def _fill(self, owner: str, target: _Target) -> None:
        while True:
            await target.refill.wait()
            target.refill.clear()
            while not target.failure:
                allocated, _ = self._pool.provisioned_counts(owner)
                if allocated >= target.requested:
                    break
                try:
                    await self._pool.provision(target.config, owner)
                except ProvisioningFailed as error:
                    # AWS stops allocating and reports FAILED; a new Put tries again.
                    target.failure = error.reason
                    log.warning("provisioned concurrency failed", owner=owner, reason=error.reason)
                    break
                except Exception as error:  # never let the filler die silently
                    target.failure = f"Allocation failed: {error}"
                    log.exception("provisioned concurrency failed", owner=owner)
                    break
