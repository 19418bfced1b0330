"""Keeps provisioned concurrency's environments following the stored configurations.

`domain/provisioned.ProvisionedConcurrency` decides and stores; this module runs its
`reconcile` pass at start (a restarted daemon starts the stored configurations again), after
every function change, and periodically.
"""

from __future__ import annotations

import asyncio
import contextlib

import structlog

from lambdad.daemon.domain.functions import FunctionRegistry
from lambdad.daemon.domain.provisioned import ProvisionedConcurrency

log = structlog.get_logger(__name__)

# UpdateAlias tells no listener (it changes no code or configuration), so an alias moved to
# another version is noticed by reconciling this often (a read of one small table).
RECONCILE_INTERVAL_S = 2.0


class ProvisionedReconciler:
    """Runs `ProvisionedConcurrency.reconcile` at start, on changes and every few seconds."""

    def __init__(
        self,
        provisioned: ProvisionedConcurrency,
        registry: FunctionRegistry,
        interval_s: float = RECONCILE_INTERVAL_S,
    ) -> None:
        self._provisioned = provisioned
        self._registry = registry
        self._interval_s = interval_s
        self._watcher: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Start the stored configurations' environments; follow function changes."""
        await self._provisioned.reconcile()
        self._registry.on_change(self._function_changed)
        self._watcher = asyncio.create_task(self._watch())

    async def stop(self) -> None:
        """Stop following changes and filling targets (the pool closes the environments)."""
        if self._watcher is not None:
            self._watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watcher
        await self._provisioned.close()

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(self._interval_s)
            try:
                await self._provisioned.reconcile()
            except Exception:  # the next pass tries again
                log.exception("provisioned concurrency reconcile failed")

    async def _function_changed(self, name: str) -> None:
        await self._provisioned.reconcile()
