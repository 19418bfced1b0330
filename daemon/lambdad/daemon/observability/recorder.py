"""`InvocationRecorder`: turns what the invoke path reports into metrics and history."""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Any

from lambdad.daemon.observability.history import (
    THROTTLED,
    InvocationHistory,
    InvocationRecord,
    status_of,
)
from lambdad.daemon.observability.lag import oldest_record_age
from lambdad.daemon.observability.metrics import LambdadMetrics
from lambdad.daemon.runtime.environment import InvocationReport

# Invocations begun but not yet reported; a report that never comes (daemon stopping, an
# environment that could not start) must not grow this forever.
PENDING_LIMIT = 10_000


class InvocationRecorder:
    """Counts invocations and keeps their history; every method is cheap and non-blocking."""

    def __init__(self, history: InvocationHistory, metrics: LambdadMetrics | None = None) -> None:
        self.history = history
        self.metrics = metrics
        # request id -> (invoked qualifier, invocation type), until the REPORT arrives.
        self._pending: OrderedDict[str, tuple[str, str]] = OrderedDict()
        # (function, version) -> its invocations counter and duration histogram: `labels()`
        # looks the children up under a lock on every call, twice per invocation.
        self._per_version: dict[tuple[str, str], tuple[Any, Any]] = {}

    def began(self, request_id: str, *, qualifier: str, invocation_type: str) -> None:
        """An invocation was handed to the pool; its REPORT follows (`reported`)."""
        self._pending[request_id] = (qualifier, invocation_type)
        self._pending.move_to_end(request_id)
        while len(self._pending) > PENDING_LIMIT:
            self._pending.popitem(last=False)

    def abandoned(self, request_id: str) -> None:
        """The invocation never ran (the pool raised); no REPORT will come."""
        self._pending.pop(request_id, None)

    def throttled(
        self,
        request_id: str,
        *,
        function_name: str,
        qualifier: str,
        invocation_type: str,
        reason: str,
        memory_size_mb: int,
    ) -> None:
        """The pool refused the invocation for lack of concurrency (429)."""
        self._pending.pop(request_id, None)
        if self.metrics is not None:
            self.metrics.throttles.labels(function_name, reason).inc()
        self.history.add(
            InvocationRecord(
                request_id=request_id,
                function_name=function_name,
                qualifier=qualifier,
                executed_version="",
                invocation_type=invocation_type,
                start_time=time.time(),
                duration_ms=0.0,
                billed_duration_ms=0,
                init_duration_ms=None,
                status=THROTTLED,
                error_type=None,
                memory_size_mb=memory_size_mb,
                max_memory_used_mb=0,
            )
        )

    def reported(self, report: InvocationReport) -> None:
        """An environment framed an invocation's REPORT line."""
        qualifier, invocation_type = self._pending.pop(
            report.request_id, (report.version, "RequestResponse")
        )
        status = status_of(report.function_error, report.error_type)
        self.history.add(
            InvocationRecord(
                request_id=report.request_id,
                function_name=report.function_name,
                qualifier=qualifier,
                executed_version=report.version,
                invocation_type=invocation_type,
                start_time=report.start_time,
                duration_ms=report.duration_ms,
                billed_duration_ms=report.billed_duration_ms,
                init_duration_ms=report.init_duration_ms,
                status=status,
                error_type=report.error_type,
                memory_size_mb=report.memory_size_mb,
                max_memory_used_mb=report.max_memory_used_mb,
            )
        )
        metrics = self.metrics
        if metrics is None:
            return
        labels = (report.function_name, report.version)
        children = self._per_version.get(labels)
        if children is None:
            children = (metrics.invocations.labels(*labels), metrics.duration.labels(*labels))
            self._per_version[labels] = children
        invocations, duration = children
        invocations.inc()
        duration.observe(report.duration_ms / 1000)
        if report.error_type:
            metrics.errors.labels(
                *labels, report.function_error or "Unhandled", report.error_type
            ).inc()
        if report.init_duration_ms is not None:
            metrics.cold_starts.labels(*labels).inc()
            metrics.init_duration.labels(*labels).observe(report.init_duration_ms / 1000)

    def source_batch(self, uuid: str, function_name: str, payload: bytes) -> None:
        """An event source mapping delivers a batch: record how old its oldest record is."""
        if self.metrics is None:
            return
        age = oldest_record_age(payload, time.time())
        if age is not None:
            self.metrics.source_lag.labels(uuid, function_name).set(age)

    def mapping_removed(self, uuid: str, function_name: str) -> None:
        """A mapping was deleted or disabled: its lag is no longer meaningful."""
        if self.metrics is not None:
            self.metrics.forget_mapping(uuid, function_name)

    def function_deleted(self, function_name: str) -> None:
        """Forget a deleted function's history."""
        self.history.forget(function_name)
