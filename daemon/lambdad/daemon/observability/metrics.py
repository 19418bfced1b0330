"""Prometheus metrics of one daemon, in a registry of its own (several daemons share a process).

Counters and histograms are updated as invocations report; environment counts are read from
the pool when scraped, so nothing is tracked per environment on the invoke path.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from lambdad.daemon.runtime.capacity import CapacityGovernor

# (function, version, state) -> live environments, e.g. ("f", "$LATEST", "idle") -> 2.
EnvironmentStates = Callable[[], Mapping[tuple[str, str, str], int]]

ENVIRONMENT_STATES = ("idle", "busy")
# Seconds; from a warm no-op invoke (~1 ms) to the 900 s maximum timeout.
DURATION_BUCKETS = (0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 900)
INIT_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)


class _EnvironmentCollector(Collector):
    """`lambdad_environments`, read from the pool at scrape time."""

    def __init__(self, states: EnvironmentStates) -> None:
        self._states = states

    def collect(self) -> Iterator[Metric]:
        family = GaugeMetricFamily(
            "lambdad_environments",
            "Live execution environments by state.",
            labels=("function", "version", "state"),
        )
        counts = dict(self._states())
        for function, version in sorted({(f, v) for f, v, _ in counts}):
            for state in ENVIRONMENT_STATES:
                count = counts.get((function, version, state), 0)
                family.add_metric((function, version, state), count)
        yield family


class _CapacityCollector(Collector):
    """The host capacity governor's figures, read at scrape time."""

    def __init__(self, governor: CapacityGovernor[Any]) -> None:
        self._governor = governor

    def collect(self) -> Iterator[Metric]:
        governor = self._governor
        yield GaugeMetricFamily(
            "lambdad_host_environments",
            "Execution environments on this host now (starting, idle, busy or stopping).",
            value=governor.running,
        )
        yield GaugeMetricFamily(
            "lambdad_host_environments_limit",
            "How many execution environments this host may run at once.",
            value=governor.max_environments,
        )
        yield GaugeMetricFamily(
            "lambdad_host_environment_memory_megabytes",
            "Sum of the MemorySize of the environments on this host now.",
            value=governor.memory_mb,
        )
        yield GaugeMetricFamily(
            "lambdad_host_environment_memory_limit_megabytes",
            "Ceiling on the sum of the MemorySize of the environments on this host.",
            value=governor.max_memory_mb,
        )
        yield GaugeMetricFamily(
            "lambdad_capacity_waiters",
            "Invocations queued for host capacity.",
            value=governor.waiting,
        )
        yield CounterMetricFamily(
            "lambdad_capacity_reclaimed",
            "Idle environments removed to make room for queued invocations.",
            value=governor.reclaimed,
        )
        yield CounterMetricFamily(
            "lambdad_capacity_throttles",
            "Invocations refused (429) after waiting for host capacity for their timeout.",
            value=governor.throttled,
        )


class LambdadMetrics:
    """The daemon's metrics (prefix `lambdad_`), labelled by function and executed version."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        by_version = ("function", "version")
        self.invocations = Counter(
            "lambdad_invocations",
            "Invocations that ran (successful or not; throttles excluded).",
            by_version,
            registry=self.registry,
        )
        self.errors = Counter(
            "lambdad_errors",
            "Invocations that ended in a function error.",
            (*by_version, "function_error", "error_type"),
            registry=self.registry,
        )
        self.throttles = Counter(
            "lambdad_throttles",
            "Invocations refused for lack of concurrency (429).",
            ("function", "reason"),
            registry=self.registry,
        )
        self.cold_starts = Counter(
            "lambdad_cold_starts",
            "Invocations that started a new execution environment.",
            by_version,
            registry=self.registry,
        )
        self.duration = Histogram(
            "lambdad_invocation_duration_seconds",
            "Duration of invocations as their REPORT line gives it.",
            by_version,
            buckets=DURATION_BUCKETS,
            registry=self.registry,
        )
        self.init_duration = Histogram(
            "lambdad_init_duration_seconds",
            "Init Duration of cold starts.",
            by_version,
            buckets=INIT_BUCKETS,
            registry=self.registry,
        )
        self.source_lag = Gauge(
            "lambdad_event_source_oldest_record_age_seconds",
            "Age of the oldest record in the last batch an event source mapping delivered "
            "(IteratorAge for streams, message age for SQS).",
            ("uuid", "function"),
            registry=self.registry,
        )

        self.event_redeliveries = Counter(
            "lambdad_event_redeliveries",
            "Event invocations handed out again because the daemon stopped while running them "
            "(at-least-once: each may run twice).",
            registry=self.registry,
        )
        self.event_deliveries = Counter(
            "lambdad_event_destination_deliveries",
            "Async invocation records sent to destinations and dead-letter queues, by the "
            "target's service and result (delivered or failed; a failed one is retried).",
            ("service", "result"),
            registry=self.registry,
        )
        self.event_queue_depth = Gauge(
            "lambdad_event_queue_depth",
            "Accepted Event invocations not yet finished (queued, running or being delivered).",
            registry=self.registry,
        )

    def watch_event_queue(self, depth: Callable[[], int]) -> None:
        """Report `lambdad_event_queue_depth` from `depth` at each scrape."""
        self.event_queue_depth.set_function(depth)

    def watch_environments(self, states: EnvironmentStates) -> None:
        """Report `lambdad_environments` from `states` at each scrape."""
        self.registry.register(_EnvironmentCollector(states))

    def watch_capacity(self, governor: CapacityGovernor[Any]) -> None:
        """Report the host capacity governor's figures at each scrape."""
        self.registry.register(_CapacityCollector(governor))

    def forget_mapping(self, uuid: str, function: str) -> None:
        """Drop a deleted mapping's lag series."""
        with contextlib.suppress(KeyError):
            self.source_lag.remove(uuid, function)

    def exposition(self) -> bytes:
        """The registry in Prometheus's text format."""
        return generate_latest(self.registry)
