"""Runs one poller task per enabled mapping and settles mapping states."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import json
import math

import structlog

from lambdad.daemon.domain.event_source_kinds import NOT_POLLED, source_name
from lambdad.daemon.domain.event_sources import (
    SQS,
    EventSourceMapping,
    EventSourceMappingRegistry,
)
from lambdad.daemon.errors import LambdaError
from lambdad.daemon.services.invocations import Invocation, InvocationService
from lambdad.daemon.sources.aws import SourceClients
from lambdad.daemon.sources.batch import InvokeReply
from lambdad.daemon.sources.sqs import SqsPoller
from lambdad.daemon.sources.streams import StreamPoller

log = structlog.get_logger(__name__)


class EventSourcePollers:
    """Starts, restarts and stops pollers as mappings are created, changed and deleted."""

    def __init__(
        self,
        registry: EventSourceMappingRegistry,
        invocations: InvocationService,
        clients: SourceClients,
    ) -> None:
        self._registry = registry
        self._invocations = invocations
        self._clients = clients
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._functions: dict[str, tuple[str, str]] = {}

    async def start(self) -> None:
        """Start a poller for every stored mapping and follow changes."""
        self._registry.on_change(self._changed)
        for mapping in await self._registry.all():
            await self._changed(mapping, mapping.uuid)

    async def stop(self) -> None:
        """Cancel every poller (checkpoints are already stored)."""
        tasks = list(self._tasks.values())
        self._tasks.clear()
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def _changed(self, mapping: EventSourceMapping | None, uuid: str) -> None:
        old = self._tasks.pop(uuid, None)
        if old is not None:
            old.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await old
        known = self._functions.pop(uuid, None)
        if known is not None:  # its lag series goes; a running poller sets it again
            self._invocations.recorder.mapping_removed(uuid, known[0])
        if mapping is None:
            return
        self._functions[uuid] = (mapping.function_name, mapping.qualifier)
        source = mapping.source
        if not source.polled_locally:
            # Kafka, MQ and DocumentDB: the mapping settles like any other, and its
            # LastProcessingResult says that nothing reads the source here.
            problem = NOT_POLLED.format(name=source_name(source.service))
            await self._registry.settle(uuid, last_processing_result=problem)
            return
        await self._registry.settle(uuid)
        if not mapping.enabled:
            return
        poller: SqsPoller | StreamPoller
        if mapping.source.service == SQS:
            poller = SqsPoller(mapping, self._clients, self._invoke)
        else:
            poller = StreamPoller(
                mapping,
                self._clients,
                self._invoke,
                (self._registry.checkpoint, self._registry.save_checkpoint),
                self._registry.record_result,
            )
        # A fresh context: the poller outlives the RPC whose log fields are bound now.
        self._tasks[uuid] = asyncio.create_task(
            poller.run(), name=f"esm-{uuid}", context=contextvars.Context()
        )

    async def _invoke(self, uuid: str, payload: bytes, trace_header: str = "") -> InvokeReply:
        name, qualifier = self._functions[uuid]
        self._invocations.recorder.source_batch(uuid, name, payload)
        try:
            outcome = await self._invocations.invoke(
                Invocation(
                    function_name=name,
                    qualifier=qualifier,
                    invocation_type="RequestResponse",
                    payload=payload,
                    trace_header=trace_header,
                    # A batch waits for host capacity rather than failing and being retried.
                    capacity_wait_s=math.inf,
                )
            )
        except LambdaError as exc:
            # Throttles, a deleted function, ...: the batch failed, the poller retries.
            log.warning("event source invoke failed", uuid=uuid, error=exc.message)
            return InvokeReply(json.dumps({"errorMessage": exc.message}).encode(), "Unhandled")
        result = outcome.result
        if result is None:
            return InvokeReply(b"")
        return InvokeReply(result.payload, result.function_error)
