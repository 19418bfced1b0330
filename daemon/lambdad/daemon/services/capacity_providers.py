"""Capacity provider state transitions: Pending -> Active, Deleting -> gone.

`CapacityProviderRegistry` answers Pending (create) or Deleting (delete) and schedules the
transition here; it settles shortly after in the background, so SDK callers see the states
AWS reports. A restarted daemon settles what the previous run left unsettled.
"""

from __future__ import annotations

import asyncio
import contextlib

import structlog

from lambdad.daemon.domain.capacity_providers import settle, unsettled
from lambdad.daemon.domain.storage import StateStore

log = structlog.get_logger(__name__)

# How long a provider stays Pending or Deleting (nothing is launched or torn down locally).
TRANSITION_DELAY_S = 0.2


class CapacityProviderStates:
    """Runs the transitions `CapacityProviderRegistry` schedules."""

    def __init__(self, state: StateStore, delay_s: float = TRANSITION_DELAY_S) -> None:
        self._state = state
        self._delay_s = delay_s
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        """Settle what a stopped daemon left midway."""
        for name in await self._state.run(unsettled, invalidates_reads=False):
            self.schedule(name)

    async def stop(self) -> None:
        """Cancel pending transitions (the next start settles them)."""
        for task in list(self._tasks):
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(*self._tasks, return_exceptions=True)

    def schedule(self, name: str) -> None:
        """Settle the provider `name` after the transition delay."""
        task = asyncio.create_task(self._settle(name))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _settle(self, name: str) -> None:
        await asyncio.sleep(self._delay_s)
        try:
            await self._state.run(lambda tx: settle(tx, name))
        except Exception:  # the next start settles it again
            log.exception("capacity provider transition failed", capacity_provider=name)
