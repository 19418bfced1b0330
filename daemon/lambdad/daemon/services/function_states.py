"""Function state transitions: Pending -> Active, InProgress -> Successful (or Failed).

A version is answered Pending/InProgress and settled here in the background once its
`FunctionPreparer` (the executor: is the runtime image there?) has run; SDK waiters poll for
the result. `FunctionRegistry` schedules through the `StateTransitions` protocol; this module
runs the tasks and writes the settled state.
"""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any, Protocol

import structlog

from lambdad.daemon.domain.model import FunctionVersion, State
from lambdad.daemon.domain.storage import BlobStore, StateStore, Transaction
from lambdad.daemon.errors import LambdaError, Reason

log = structlog.get_logger(__name__)


class FunctionPreparer(Protocol):
    """Gets a version ready to run (e.g. its runtime image); raises to mark it Failed."""

    async def prepare(self, config: FunctionVersion) -> None: ...


class NothingToPrepare:
    """Preparer used when no executor needs anything before a version runs."""

    async def prepare(self, config: FunctionVersion) -> None:
        """Nothing to do."""


class FunctionStates:
    """Runs the state transitions `FunctionRegistry` schedules."""

    def __init__(
        self,
        state: StateStore,
        blobs: BlobStore,
        preparer: FunctionPreparer | None = None,
        min_transition_seconds: float = 0.0,
    ) -> None:
        self._state = state
        self._blobs = blobs
        self._preparer = preparer or NothingToPrepare()
        self._min_transition_seconds = min_transition_seconds
        self._transitions: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        """Finish transitions a previous run left half-way (e.g. after kill -9)."""

        def unfinished(tx: Transaction) -> list[FunctionVersion]:
            return [
                v
                for v in tx.versions()
                if v.state == State.PENDING or v.last_update_status == State.IN_PROGRESS
            ]

        for config in await self._state.run(unfinished):
            self.schedule(config)
        referenced = await self._state.run(lambda tx: tx.referenced_blobs())
        await asyncio.to_thread(self._blobs.collect_garbage, referenced)

    async def stop(self) -> None:
        """Cancel pending transitions; they resume on the next start."""
        for task in list(self._transitions):
            task.cancel()
        await asyncio.gather(*self._transitions, return_exceptions=True)

    def schedule(self, config: FunctionVersion) -> asyncio.Task[None]:
        """Settle `config` in the background (a task `stop` cancels)."""
        task = asyncio.create_task(self._complete_transition(config))
        self._transitions.add(task)
        task.add_done_callback(self._transitions.discard)
        return task

    async def _complete_transition(self, config: FunctionVersion) -> None:
        """Pending -> Active (create/publish) or InProgress -> Successful (update)."""
        failure: LambdaError | None = None
        started = asyncio.get_running_loop().time()
        try:
            await self._preparer.prepare(config)
        except LambdaError as error:
            failure = error
        except Exception as error:  # a preparer bug must not leave the function Pending
            log.exception("preparing function failed", function=config.name)
            failure = LambdaError(Reason.SERVICE, str(error))
        # AWS keeps a change Pending/InProgress for a second or more; a second update sent
        # meanwhile is refused (ResourceConflictException). Optional here: see Config.
        remaining = self._min_transition_seconds - (asyncio.get_running_loop().time() - started)
        if remaining > 0:
            await asyncio.sleep(remaining)

        def finish(tx: Transaction) -> FunctionVersion | None:
            current = tx.get_version(config.name, config.version)
            if current is None or current.revision_id != config.revision_id:
                return None  # changed meanwhile; that change schedules its own transition
            reason_code = (
                failure.metadata.get("state_reason_code", "InternalError") if failure else None
            )
            settled: dict[str, Any] = {
                "last_update_status": State.FAILED if failure else State.SUCCESSFUL,
                "last_update_status_reason": failure.message if failure else None,
                "last_update_status_reason_code": reason_code,
            }
            if current.state == State.PENDING:
                settled |= {
                    "state": State.FAILED if failure else State.ACTIVE,
                    "state_reason": failure.message if failure else None,
                    "state_reason_code": reason_code,
                }
            # $LATEST gets a new RevisionId when it settles (AWS, lambda-spec §1.3); a
            # published version keeps the one it was answered with (issue 15).
            if current.is_latest:
                done = current.evolve(**settled)
            else:
                done = dataclasses.replace(current, **settled)
            tx.put_version(done)
            return done

        done = await self._state.run(finish)
        if done is not None:
            log.info(
                "function state settled",
                function=done.name,
                version=done.version,
                state=done.state,
                last_update_status=done.last_update_status,
            )
