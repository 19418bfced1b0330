"""`EnvironmentPool`: warm reuse, scale-out and concurrency limits of execution environments.

Environments are kept per function version and configuration revision. An
invocation takes an idle warm environment of its version or starts a new one
(scale-out); each environment runs one invocation at a time. Concurrency is
limited per function by its reserved concurrency, and for the others by the
account's unreserved pool; beyond that Invoke is throttled (429) as AWS does.
How many environments exist at once on this host is the `CapacityGovernor`'s call
(`capacity.py`): at capacity, idle environments are reclaimed or invocations queue.
A code or configuration change retires the function's environments; idle
environments are removed after `idle_timeout_s`.

Provisioned concurrency (`provision`) adds environments initialized ahead of need and pinned
to an owner (a version or alias): they hold governor slots like any other, serve invocations
of their version like any warm environment, but are never reaped for idleness nor reclaimed
for capacity; when one is lost (crash, timeout) the owner is told so it can start another.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import math
import os
import time
from collections import defaultdict, deque
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import structlog

from lambdad.daemon.domain.model import FunctionVersion
from lambdad.daemon.errors import LambdaError, Reason
from lambdad.daemon.runtime.capacity import CapacityGovernor, capacity_throttled, default_limits
from lambdad.daemon.runtime.code import CodeStore
from lambdad.daemon.runtime.credentials import RoleCredentials
from lambdad.daemon.runtime.debugging import (
    DebuggerTurn,
    DebuggerTurns,
    debug_port,
    wait_for_port_release,
)
from lambdad.daemon.runtime.environment import (
    ExecutionEnvironment,
    InitializationFailed,
    InvocationReport,
    InvocationResult,
    build_spec,
)
from lambdad.daemon.runtime.executor import EnvironmentStartTimeout, Executor
from lambdad.daemon.runtime.hot_reload import ChangeFilter, HotReloadTracker
from lambdad.daemon.runtime.logs import FunctionLogs
from lambdad.daemon.runtime.opt import OptDirectories
from lambdad.daemon.runtime.prewarm import PrewarmPool
from lambdad.daemon.runtime.runtime_api import InvocationRequest
from lambdad.daemon.tracing.daemon_protocol import DaemonAddress

log = structlog.get_logger(__name__)

DEFAULT_IDLE_TIMEOUT_S = 600.0
DEFAULT_ACCOUNT_CONCURRENCY = 1000
RESERVED_EXCEEDED = "ReservedFunctionConcurrentInvocationLimitExceeded"
ACCOUNT_EXCEEDED = "ConcurrentInvocationLimitExceeded"
# How long an environment may take to start (container created and started) before it is
# removed; its invocation is retried once on a new one, then fails with ServiceException.
DEFAULT_START_DEADLINE_S = 30.0
START_ATTEMPTS = 2
# Callers that never drop work (event source batches, durable invocations) wait this long for a
# concurrency slot of their function before the 429 sends them back to their queue: a slot
# that frees meanwhile is taken at once instead of after the queue's backoff. This wait is all
# they have (no dispatcher behind them: a 429 goes back to the poller's retry, and for a durable
# execution counts as one of its 3 failed invocations). Event invocations do not wait for a
# reserved slot (`reserved_slot_wait_s=0`): the dispatcher (services/event_dispatcher.py)
# parks a saturated function's rows and lets one through per finished attempt, which holds no
# worker; waiting here instead held all of its workers on one fast function's slot (a slot
# freed within the bound every time, so nothing was parked) and kept other functions' Events
# behind them, with up to 6,344 refused admissions from waiters woken together (31 with
# parking alone, all 300 of 300 Events delivered). The cost: a freed slot stays empty until
# the next parked row comes through a worker (a 10-20 ms function's backlog drains about 20%
# slower). The unreserved (account) pool is shared between functions, so Events still wait
# for it.
SLOT_WAIT_S = 2.0
# Environments starting at once (all functions): a start is a container or a process plus a
# runtime init, CPU-bound; more at once on a small host only makes each slower. Invocations
# beyond it wait for a start slot or take an environment released meanwhile.
DEFAULT_MAX_STARTING = max(4, 4 * (os.cpu_count() or 1))
INITIALIZATION_ON_DEMAND = "on-demand"
INITIALIZATION_PROVISIONED = "provisioned-concurrency"
# AWS's StatusReason of a provisioned concurrency configuration whose init failed.
INIT_FAILURE = "FUNCTION_ERROR_INIT_FAILURE"


class ProvisioningFailed(Exception):
    """An environment for provisioned concurrency could not be started; `reason` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class PoolKey:
    """Environments are interchangeable only within one version at one revision, and, for a
    tenant-isolated function, one tenant (AWS never shares an environment between tenants)."""

    function_name: str
    version: str
    revision_id: str
    tenant_id: str = ""

    @classmethod
    def of(cls, config: FunctionVersion, tenant_id: str = "") -> PoolKey:
        """The key of a configuration (and tenant)."""
        return cls(config.name, config.version, config.revision_id, tenant_id)


def throttled(reason: str) -> LambdaError:
    """429 TooManyRequestsException, `Rate Exceeded.`, with AWS's Reason."""
    return LambdaError(Reason.TOO_MANY_REQUESTS, "Rate Exceeded.", {"reason": reason})


class EnvironmentPool:
    """Hands invocations to warm or new execution environments, within concurrency limits."""

    def __init__(
        self,
        executor: Executor,
        code: CodeStore,
        logs: FunctionLogs,
        *,
        region: str,
        idle_timeout_s: float = DEFAULT_IDLE_TIMEOUT_S,
        account_concurrency: int = DEFAULT_ACCOUNT_CONCURRENCY,
        output_settle_s: float = 0.005,
        opt: OptDirectories | None = None,
        change_filter: ChangeFilter | None = None,
        on_report: Callable[[InvocationReport], None] | None = None,
        xray_daemon: DaemonAddress | None = None,
        governor: CapacityGovernor[ExecutionEnvironment] | None = None,
        start_deadline_s: float = DEFAULT_START_DEADLINE_S,
        credentials: RoleCredentials | None = None,
        prewarm: PrewarmPool[Any] | None = None,
        max_starting: int = DEFAULT_MAX_STARTING,
    ) -> None:
        self.executor = executor
        self._credentials = credentials
        # Pre-initialized environments (the executor's): reclaimed before any warm one.
        self.prewarm = prewarm
        self.governor = governor or CapacityGovernor(*default_limits())
        self.governor.bind(self._reclaim_idle, self._take_back)
        if prewarm is not None:
            prewarm.bind(self._displace_idle, self.in_flight_peak)
        self.start_deadline_s = start_deadline_s
        # Environments holding a governor slot -> the MemorySize they were charged.
        self._slots: dict[str, int] = {}
        self._reclaimed: set[str] = set()
        # Told each invocation's REPORT figures (metrics and history).
        self.on_report = on_report
        # Where functions send X-Ray segments (AWS_XRAY_DAEMON_ADDRESS).
        self.xray_daemon = xray_daemon
        self._change_filter = change_filter or ChangeFilter()
        self._hot_reload = HotReloadTracker[PoolKey](self._retire_key, self._change_filter)
        self._debugger_turns = DebuggerTurns()
        # Environments being closed, so a debugger port is bound again only once it is free.
        self._stopping: dict[str, tuple[ExecutionEnvironment, asyncio.Task[None]]] = {}
        self._opt = opt
        self.logs = logs
        self._code = code
        self._region = region
        self.idle_timeout_s = idle_timeout_s
        self.account_concurrency = account_concurrency
        # How long output must be quiet before an invocation's log is framed; an executor
        # whose output arrives late (Docker's log stream) needs more than a pipe does.
        self.output_settle_s = output_settle_s
        self._idle: dict[PoolKey, list[ExecutionEnvironment]] = defaultdict(list)
        self._busy: dict[str, tuple[PoolKey, ExecutionEnvironment]] = {}
        # Environments starting for an invocation, and the invocations waiting for one: an
        # environment of their key released meanwhile goes to the oldest of them (whichever
        # comes first: it, or the one starting, which then joins the pool when it is ready).
        self._starting: dict[str, tuple[PoolKey, ExecutionEnvironment]] = {}
        self._start_waiters: dict[PoolKey, deque[asyncio.Future[ExecutionEnvironment]]] = (
            defaultdict(deque)
        )
        # At most this many environments start at once; set (and replaced) when one is done.
        self.max_starting = max_starting
        self._start_slot_freed = asyncio.Event()
        self._scale_locks: dict[PoolKey, asyncio.Lock] = {}
        self._retiring: set[str] = set()
        self._reserved: dict[str, int] = {}
        self._in_flight: dict[str, int] = defaultdict(int)
        # Invocations in flight, all functions, their peak since `in_flight_peak`, and their
        # integral over time up to `_counted_at` (`in_flight_area`).
        self._total_in_flight = 0
        self._in_flight_peak = 0
        self._area = 0.0
        self._counted_at = time.monotonic()
        self._unreserved_in_flight = 0
        # Provisioned concurrency per function, and its invocations counted in the unreserved
        # pool (each function's share of `_unreserved_in_flight`).
        self._provisioned: dict[str, int] = {}
        self._spilled: dict[str, int] = {}
        # Set (and replaced) whenever a concurrency slot frees; waiters hold the one they saw.
        self._slot_freed = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()
        self._reaper: asyncio.Task[None] | None = None
        self._closing = False
        self.environments_started = 0
        self.reaper_passes = 0  # idle-expiry passes done (tests wait for passes, not time)
        # Provisioned environments -> their owner (e.g. "my-function:live"), and whom to tell
        # when one of them is lost.
        self._pinned: dict[str, str] = {}
        # Provisioned environments being started -> the memory they will be charged.
        self._provisioning: dict[object, int] = {}
        self.on_provisioned_lost: Callable[[str], None] | None = None

    @property
    def idle_count(self) -> int:
        """Warm environments waiting for an invocation."""
        return sum(len(envs) for envs in self._idle.values())

    # ----------------------------------------------------------------- lifecycle
    async def start(self) -> None:
        """Remove what a crashed daemon left behind; start reaping idle environments."""
        removed = await self.executor.remove_orphans()
        await asyncio.to_thread(self._code.remove_partial)
        if self._opt is not None:
            await asyncio.to_thread(self._opt.remove_partial)
        if removed:
            log.info("orphaned environments removed", count=removed, executor=self.executor.name)
        self._reaper = asyncio.create_task(self._reap())

    async def close(self) -> None:
        """Kill every environment, idle or busy."""
        self._closing = True
        self.governor.close()
        await self._hot_reload.close()
        if self._reaper is not None:
            self._reaper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reaper
        environments = [env for envs in self._idle.values() for env in envs]
        environments += [env for _, env in self._busy.values()]
        environments += [env for _, env in self._starting.values()]
        self._idle.clear()
        for waiters in self._start_waiters.values():
            for handed in waiters:
                handed.cancel()
        await asyncio.gather(*(env.close() for env in environments), return_exceptions=True)
        for env in environments:
            self._free_slot(env.environment_id)
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.executor.close()

    async def _reap(self) -> None:
        interval = max(0.05, min(self.idle_timeout_s / 2, 10.0))
        while True:
            await asyncio.sleep(interval)
            now = time.monotonic()
            for key, envs in list(self._idle.items()):
                expired = [
                    e
                    for e in envs
                    if now - e.last_used >= self.idle_timeout_s
                    and e.environment_id not in self._pinned
                ]
                for env in expired:
                    envs.remove(env)
                    self._close_later(env)
                if not envs:
                    self._idle.pop(key, None)
            if self._opt is not None:
                await self._opt.prune_live(self._opt_dirs_in_use())
            self.reaper_passes += 1

    def _opt_dirs_in_use(self) -> set[Path]:
        environments = [env for envs in self._idle.values() for env in envs]
        environments += [env for _, env in [*self._busy.values(), *self._starting.values()]]
        environments += [env for env, _ in self._stopping.values()]
        return {env.spec.opt_dir for env in environments if env.spec.opt_dir is not None}

    def _close_later(self, env: ExecutionEnvironment) -> asyncio.Task[None]:
        task = asyncio.create_task(env.close())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        env_id = env.environment_id
        self._stopping[env_id] = (env, task)
        task.add_done_callback(lambda _: self._stopping.pop(env_id, None))
        owner = self._pinned.pop(env_id, None)
        if owner is not None and not self._closing and self.on_provisioned_lost is not None:
            self.on_provisioned_lost(owner)
        # The slot is given back once the environment is gone, not when it is told to go:
        # a container being removed still weighs on the host.
        task.add_done_callback(lambda _: self._free_slot(env_id))
        return task

    def _free_slot(self, env_id: str) -> None:
        memory_mb = self._slots.pop(env_id, None)
        if memory_mb is not None:
            reclaimed = env_id in self._reclaimed
            self._reclaimed.discard(env_id)
            self.governor.release(memory_mb, reclaimed=reclaimed)

    def _reclaim_idle(self) -> int | None:
        """The governor needs room: a pre-initialized environment first, else the least
        recently used idle environment is closed."""
        if self.prewarm is not None:
            freed = self.prewarm.reclaim()
            if freed is not None:
                return freed
        taken = self._take_least_recently_used(0.0, "environment reclaimed for capacity")
        if taken is None:
            return None
        self._reclaimed.add(taken.environment_id)
        self._close_later(taken)
        return taken.spec.memory_mb

    def _displace_idle(self, idle_for_s: float) -> asyncio.Task[None] | None:
        """A burst's spares need room: close the least recently used environment idle for at
        least `idle_for_s` (never a provisioned one, nor one of a function with invocations
        in flight); its removal, or None.

        A function being invoked keeps its idle environments: at 64 connections an echo's
        least recently used ones sit idle for seconds (the most recently used is reused
        first), and displacing them for spares sized by that same function's scale-out only
        had them started again, from spares that were refilled in turn.
        """
        if self._closing:
            return None
        taken = self._take_least_recently_used(
            idle_for_s,
            "idle environment removed for pre-initialized spares",
            keep_invoked=True,
        )
        return None if taken is None else self._close_later(taken)

    def _take_least_recently_used(
        self, idle_for_s: float, why: str, *, keep_invoked: bool = False
    ) -> ExecutionEnvironment | None:
        """Remove from the idle lists the least recently used environment idle for at least
        `idle_for_s` that is not provisioned (with `keep_invoked`, nor of a function with
        invocations in flight), and log why; None when there is none."""
        now = time.monotonic()
        in_flight = self._in_flight if keep_invoked else {}
        candidates = [
            (env.last_used, key, env)
            for key, envs in self._idle.items()
            if not in_flight.get(key.function_name)
            for env in envs
            if env.environment_id not in self._pinned and now - env.last_used >= idle_for_s
        ]
        if not candidates:
            return None
        _, key, env = min(candidates, key=lambda item: item[0])
        self._idle[key].remove(env)
        if not self._idle[key]:
            self._idle.pop(key, None)
        log.info(
            why, function=key.function_name, version=key.version, environment=env.environment_id
        )
        return env

    def _take_back(self, key: object, env: ExecutionEnvironment) -> None:
        """An environment handed to a waiter that gave up: back to the pool."""
        assert isinstance(key, PoolKey)
        self._release(key, env)

    # --------------------------------------------------------------- concurrency
    def set_reserved(self, function_name: str, reserved: int | None) -> None:
        """Record a function's reserved concurrency (None: it shares the unreserved pool)."""
        if reserved is None:
            self._reserved.pop(function_name, None)
        else:
            self._reserved[function_name] = reserved

    def in_flight(self, function_name: str) -> int:
        """Invocations of the function running now."""
        return self._in_flight.get(function_name, 0)

    def _count_in_flight(self, change: int) -> None:
        now = time.monotonic()
        self._area += self._total_in_flight * (now - self._counted_at)
        self._counted_at = now
        self._total_in_flight += change

    def in_flight_area(self) -> float:
        """Invocations in flight (all functions) integrated over time, in seconds: its rise
        over a while, divided by the while, is the mean number in flight."""
        return self._area + self._total_in_flight * (time.monotonic() - self._counted_at)

    def in_flight_peak(self) -> int:
        """The most invocations in flight at once (all functions) since the last call."""
        peak, self._in_flight_peak = self._in_flight_peak, self._total_in_flight
        return peak

    def busy_count(self, function_name: str) -> int:
        """Started environments of the function that are running an invocation now."""
        return sum(1 for k, _ in self._busy.values() if k.function_name == function_name)

    def environment_count(self, function_name: str) -> int:
        """Live environments (idle and busy) of the function."""
        idle = sum(len(v) for k, v in self._idle.items() if k.function_name == function_name)
        busy = sum(1 for k, _ in self._busy.values() if k.function_name == function_name)
        starting = sum(1 for k, _ in self._starting.values() if k.function_name == function_name)
        return idle + busy + starting

    def environment_states(self) -> dict[tuple[str, str, str], int]:
        """Live environments by (function, version, "idle" or "busy"), for metrics."""
        counts: dict[tuple[str, str, str], int] = defaultdict(int)
        for key, envs in self._idle.items():
            counts[(key.function_name, key.version, "idle")] += len(envs)
        for key, _ in [*self._busy.values(), *self._starting.values()]:
            counts[(key.function_name, key.version, "busy")] += 1
        return dict(counts)

    async def _admit_waiting(self, name: str, wait_s: float, reserved_wait_s: float) -> None:
        """`_admit`, waiting up to `wait_s` for a slot, `reserved_wait_s` when the function's
        reserved concurrency is what is full (never when reserved is 0)."""
        start = time.monotonic()
        while True:
            try:
                self._admit(name)
                return
            except LambdaError:
                reserved = self._reserved.get(name)
                limit = wait_s if reserved is None else reserved_wait_s
                remaining = start + limit - time.monotonic()
                if remaining <= 0 or reserved == 0:
                    raise
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._slot_freed.wait(), remaining)

    def set_provisioned(self, function_name: str, count: int) -> None:
        """Record a function's provisioned concurrency (all its versions and aliases).

        Without reserved concurrency, it is carved out of the unreserved pool (as on AWS):
        the function's first `count` concurrent invocations run on it, the rest spill into
        the unreserved pool that is left.
        """
        if count > 0:
            self._provisioned[function_name] = count
        else:
            self._provisioned.pop(function_name, None)

    def _admit(self, name: str) -> None:
        reserved = self._reserved.get(name)
        if reserved is not None:
            if self._in_flight[name] >= reserved:
                raise throttled(RESERVED_EXCEEDED)
        elif self._in_flight[name] - self._spilled.get(name, 0) >= self._provisioned.get(name, 0):
            carved_out = sum(
                count
                for function, count in self._provisioned.items()
                if function not in self._reserved
            )
            unreserved = self.account_concurrency - sum(self._reserved.values()) - carved_out
            if self._unreserved_in_flight >= unreserved:
                raise throttled(ACCOUNT_EXCEEDED)
            self._unreserved_in_flight += 1
            self._spilled[name] = self._spilled.get(name, 0) + 1
        self._in_flight[name] += 1
        self._count_in_flight(1)
        self._in_flight_peak = max(self._in_flight_peak, self._total_in_flight)

    def _leave(self, name: str) -> None:
        self._in_flight[name] -= 1
        self._count_in_flight(-1)
        if self._in_flight[name] <= 0:
            self._in_flight.pop(name, None)
        # Invocations counted in the unreserved pool give their slots back first.
        spilled = self._spilled.get(name, 0)
        if spilled > 0:
            self._unreserved_in_flight -= 1
            if spilled == 1:
                del self._spilled[name]
            else:
                self._spilled[name] = spilled - 1
        self._slot_freed.set()
        self._slot_freed = asyncio.Event()

    # ---------------------------------------------------------------- invocation
    async def invoke(
        self,
        config: FunctionVersion,
        request: InvocationRequest,
        *,
        tail: bool = False,
        capacity_wait_s: float | None = None,
        reserved_slot_wait_s: float | None = None,
    ) -> InvocationResult:
        """Run `request` on an environment of `config`; raises 429 when over the limits.

        At host capacity the invocation waits up to `capacity_wait_s` seconds for an
        environment (default: the function's timeout), then is throttled (429); callers that
        must not lose work (Event invocations, event source batches) pass math.inf. Those
        also wait up to SLOT_WAIT_S for a concurrency slot of the function, or up to
        `reserved_slot_wait_s` (if given) when its reserved concurrency is full: the event
        dispatcher passes 0 and parks the throttled row instead.
        With a streamed response the environment stays busy until the stream ends.
        """
        wait_s = float(config.timeout) if capacity_wait_s is None else capacity_wait_s
        if self._closing:
            raise LambdaError(Reason.SERVICE, "The daemon is shutting down.")
        name = config.name
        if math.isinf(wait_s):
            await self._admit_waiting(
                name,
                SLOT_WAIT_S,
                SLOT_WAIT_S if reserved_slot_wait_s is None else reserved_slot_wait_s,
            )
        else:
            self._admit(name)
        key = PoolKey.of(config, request.tenant_id or "")
        env: ExecutionEnvironment | None = None
        # A debugged function has one environment: its invocations queue for it.
        turn = self._debugger_turns.turn(debug_port(config.environment))
        try:
            await turn.wait()
            if self._closing:
                raise LambdaError(Reason.SERVICE, "The daemon is shutting down.")
            for attempt in range(1, START_ATTEMPTS + 1):
                env = await self._acquire(key, config, wait_s)
                try:
                    result = await env.invoke(request, tail=tail)
                    break
                except EnvironmentStartTimeout as error:
                    self._release(key, env)  # broken: removed, and its slot given back
                    env = None
                    log.warning(
                        "environment did not start in time",
                        function=name,
                        attempt=attempt,
                        deadline_s=error.deadline_s,
                    )
                    if attempt == START_ATTEMPTS:
                        raise LambdaError(
                            Reason.SERVICE,
                            "The execution environment did not start in time.",
                        ) from error
        except BaseException:
            self._leave(name)
            if env is not None:
                self._release(key, env)
            turn.release()
            raise
        assert env is not None  # the loop either broke with a result or raised
        if result.stream is not None and not result.stream.finished:
            self._spawn(self._release_after_stream(key, env, result, request.timeout_s, turn))
        else:
            self._leave(name)
            self._release(key, env)
            turn.release()
        return result

    async def _acquire(
        self, key: PoolKey, config: FunctionVersion, wait_s: float = math.inf
    ) -> ExecutionEnvironment:
        if config.max_concurrency == 1:
            return await self._acquire_one(key, config, wait_s)
        # Multi-concurrency: concurrent callers of one key take turns deciding, so those that
        # arrive while an environment is being created join it instead of each starting one.
        lock = self._scale_locks.setdefault(key, asyncio.Lock())
        async with lock:
            return await self._acquire_one(key, config, wait_s)

    async def _acquire_one(
        self, key: PoolKey, config: FunctionVersion, wait_s: float
    ) -> ExecutionEnvironment:
        live = [config.code.hot_reload_dir, *(layer.hot_reload_dir for layer in config.layers)]
        live_dirs = [Path(directory) for directory in live if directory]
        if live_dirs:
            await self._hot_reload.check(key, live_dirs)
        deadline = time.monotonic() + wait_s
        while True:
            # Lambda Managed Instances: a busy environment with room takes another invocation
            # before an idle one is woken or a new one started (it holds one governor slot).
            # Only they can have room: the scan over every busy environment is skipped for the
            # others (at c=64 it was ~60 of the ~110 more Python calls per invoke than at c=8).
            shared = self._with_room(key) if config.max_concurrency > 1 else None
            if shared is not None:
                shared.active += 1
                return shared
            idle = self._idle.get(key)
            while idle:
                env = idle.pop()  # most recently used first: the warmest
                if env.usable:
                    env.active = 1
                    self._busy[env.environment_id] = (key, env)
                    return env
                self._close_later(env)
            if config.max_concurrency > 1 or len(self._starting) < self.max_starting:
                break
            # Enough environments are starting already (each a container and a runtime init
            # on the same cores): wait for one of them, or for a released one.
            handed = await self._wait_for_start_slot(key, deadline - time.monotonic())
            if handed is not None:
                return handed
            if self._closing:
                raise LambdaError(Reason.SERVICE, "The daemon is shutting down.")
        # A pre-initialized environment brings its capacity slot along.
        take = getattr(self.executor, "take_prewarmed", None) if self.prewarm else None
        demand = self._in_flight.get(config.name, 1)
        reserved = take(config, demand) if take is not None and not live_dirs else None
        if reserved is not None:
            self.governor.transfer(reserved.memory_mb, config.memory_size)
        else:
            grant = await self.governor.acquire(key, config.memory_size, wait_s)
            if grant.environment is not None:
                return grant.environment  # a warm one, handed over busy by `_release`
        try:
            env = await self._new_environment(config, live_dirs)
        except BaseException:
            self.governor.release(config.memory_size)
            if reserved is not None:
                self._spawn(reserved.discard())
            raise
        if reserved is not None:
            self.executor.reserve(env.environment_id, reserved)  # type: ignore[attr-defined]
        self._slots[env.environment_id] = config.memory_size
        env.active = 1
        self.environments_started += 1
        log.info(
            "environment created",
            function=config.name,
            version=config.version,
            environment=env.environment_id,
            executor=self.executor.name,
        )
        if config.max_concurrency > 1:
            # Others join it while it starts (see `_acquire`): no race for it.
            self._busy[env.environment_id] = (key, env)
            return env
        return await self._first_available(key, env)

    async def _first_available(
        self, key: PoolKey, env: ExecutionEnvironment
    ) -> ExecutionEnvironment:
        """`env` once started, or an environment of `key` released before that.

        Under a burst of short invocations a released warm environment is milliseconds away
        while a start takes a container and a runtime init; the started one is not wasted:
        it joins the pool (or the next waiter) when ready.
        """
        env_id = env.environment_id
        self._starting[env_id] = (key, env)
        warming = asyncio.ensure_future(env.warm_up())
        handed: asyncio.Future[ExecutionEnvironment] = asyncio.get_running_loop().create_future()
        waiters = self._start_waiters[key]
        waiters.append(handed)
        racing: set[asyncio.Future[Any]] = {warming, handed}
        try:
            await asyncio.wait(racing, return_when=asyncio.FIRST_COMPLETED)
        except BaseException:
            self._cancel_handed(key, handed)
            self._spawn(self._join_when_started(key, env, warming))
            raise
        self._cancel_handed(key, handed, keep=True)
        if handed.done() and not handed.cancelled():
            self._spawn(self._join_when_started(key, env, warming))
            return handed.result()
        handed.cancel()
        self._started(env_id)
        self._busy[env_id] = (key, env)
        with contextlib.suppress(BaseException):
            warming.result()  # a failed start raises again in env.invoke, as it always did
        return env

    async def _wait_for_start_slot(
        self, key: PoolKey, wait_s: float
    ) -> ExecutionEnvironment | None:
        """An environment of `key` released meanwhile, or None once a start may begin.

        Raises AWS's 429 (as the capacity wait does) when nothing came within `wait_s`.
        """
        if wait_s <= 0:
            raise capacity_throttled()
        handed: asyncio.Future[ExecutionEnvironment] = asyncio.get_running_loop().create_future()
        self._start_waiters[key].append(handed)
        freed = asyncio.ensure_future(self._start_slot_freed.wait())
        racing: set[asyncio.Future[Any]] = {handed, freed}
        try:
            done, _ = await asyncio.wait(
                racing,
                timeout=None if math.isinf(wait_s) else wait_s,
                return_when=asyncio.FIRST_COMPLETED,
            )
        except BaseException:
            freed.cancel()
            self._cancel_handed(key, handed)
            raise
        freed.cancel()
        self._cancel_handed(key, handed, keep=True)
        if handed.done() and not handed.cancelled():
            return handed.result()
        handed.cancel()
        if not done:
            raise capacity_throttled()
        return None

    def _started(self, env_id: str) -> None:
        """An environment left the starting set: a waiting invocation may start one."""
        if self._starting.pop(env_id, None) is not None:
            self._start_slot_freed.set()
            self._start_slot_freed = asyncio.Event()

    def _cancel_handed(
        self, key: PoolKey, handed: asyncio.Future[ExecutionEnvironment], keep: bool = False
    ) -> None:
        """Stop waiting for a released environment; one handed meanwhile goes back."""
        waiters = self._start_waiters.get(key)
        if waiters is not None:
            with contextlib.suppress(ValueError):
                waiters.remove(handed)
            if not waiters:
                self._start_waiters.pop(key, None)
        if not keep and handed.done() and not handed.cancelled():
            self._release(key, handed.result())
        elif not handed.done():
            handed.cancel()

    async def _join_when_started(
        self, key: PoolKey, env: ExecutionEnvironment, warming: asyncio.Future[None]
    ) -> None:
        """An environment started for an invocation that took another: into the pool."""
        with contextlib.suppress(BaseException):
            await warming
        self._started(env.environment_id)
        env.active = 1  # `_release` counts it down: idle, or to the next waiter
        self._busy[env.environment_id] = (key, env)
        self._release(key, env)

    async def _new_environment(
        self,
        config: FunctionVersion,
        live_dirs: list[Path],
        initialization_type: str = INITIALIZATION_ON_DEMAND,
    ) -> ExecutionEnvironment:
        code_dir = None
        if config.code.hot_reload_dir:
            code_dir = Path(config.code.hot_reload_dir)
        elif config.package_type == "Zip" and config.code.sha256_hex:
            code_dir = await self._code.code_dir(config.code.sha256_hex)
        opt_dir = None
        if config.layers and self._opt is not None:
            opt_dir = await self._opt.layers_dir(config.layers, self._change_filter)
        spec = build_spec(config, region=self._region, code_dir=code_dir, opt_dir=opt_dir)
        if live_dirs:
            spec = dataclasses.replace(spec, hot_reload=True)
        if initialization_type != INITIALIZATION_ON_DEMAND:
            variables = {**spec.variables, "AWS_LAMBDA_INITIALIZATION_TYPE": initialization_type}
            spec = dataclasses.replace(spec, variables=variables)
        if self._credentials is not None and config.role:
            # The execution role's own credentials, as AWS gives them (when STS answers).
            assumed = await self._credentials.for_role(config.role, config.name)
            if assumed:
                spec = dataclasses.replace(spec, variables={**spec.variables, **assumed})
        port = debug_port(config.environment)
        if port is not None:
            await self._free_debugger_port(port)
        return ExecutionEnvironment(
            spec,
            self.executor,
            self.logs,
            output_settle_s=self.output_settle_s,
            on_report=self.on_report,
            xray_daemon=self.xray_daemon,
            start_deadline_s=self.start_deadline_s,
        )

    async def _free_debugger_port(self, port: int) -> None:
        """Stop whatever else holds the debugger port before a new environment binds it.

        The caller has the port's turn, so no invocation is using it; an idle environment
        of an older revision (or another version) may still hold it, or one still stopping.
        """
        for key, envs in list(self._idle.items()):
            for env in [e for e in envs if debug_port(e.spec.variables) == port]:
                envs.remove(env)
                self._close_later(env)
            if not envs:
                self._idle.pop(key, None)
        stopping = [t for e, t in self._stopping.values() if debug_port(e.spec.variables) == port]
        if stopping:
            await asyncio.gather(*stopping, return_exceptions=True)
            if not await wait_for_port_release(port):
                log.warning("debugging: port still taken after the environment stopped", port=port)

    def _retire_key(self, key: PoolKey) -> None:
        """Hot reloading: a live directory of `key` changed; its environments are stale."""
        idle = self._idle.pop(key, [])
        running = [*self._busy.items(), *self._starting.items()]
        busy = [env_id for env_id, (busy_key, _) in running if busy_key == key]
        if not idle and not busy:
            return
        log.info("hot reload: code changed", function=key.function_name)
        for env in idle:
            self._close_later(env)
        self._retiring.update(busy)

    def _with_room(self, key: PoolKey) -> ExecutionEnvironment | None:
        """A busy environment of `key` that can take one more invocation now."""
        for env_id, (busy_key, env) in self._busy.items():
            if (
                busy_key == key
                and env.active + env.lingering < env.max_concurrency
                and env.usable
                and env_id not in self._retiring
            ):
                return env
        return None

    def _release(self, key: PoolKey, env: ExecutionEnvironment) -> None:
        env.active = max(0, env.active - 1)
        if env.active > 0 and env.usable and not self._closing:
            # Others still run on it (multi-concurrency): it stays busy, and has room.
            if env.environment_id not in self._retiring and self.governor.offer(key, env):
                env.active += 1
            return
        self._busy.pop(env.environment_id, None)
        retired = env.environment_id in self._retiring
        self._retiring.discard(env.environment_id)
        if not env.usable or retired or self._closing:
            self._close_later(env)
            return
        if self.governor.offer(key, env):
            # The oldest invocation queued for capacity with the same key takes it warm.
            env.active = 1
            self._busy[env.environment_id] = (key, env)
            return
        waiters = self._start_waiters.get(key)
        while waiters:
            # An invocation waiting for an environment to start takes this one now.
            handed = waiters.popleft()
            if not handed.done():
                env.active = 1
                self._busy[env.environment_id] = (key, env)
                handed.set_result(env)
                return
        self._idle[key].append(env)
        if self.governor.waiting:
            self.governor.pump()  # an idle environment may be reclaimed for the queue's head

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _release_after_stream(
        self,
        key: PoolKey,
        env: ExecutionEnvironment,
        result: InvocationResult,
        timeout_s: float,
        turn: DebuggerTurn,
    ) -> None:
        assert result.stream is not None
        try:
            await asyncio.wait_for(result.stream.wait_finished(), timeout_s)
        except TimeoutError:
            env.broken = True
            message = (
                f"RequestId: {result.request_id} Error: Task timed out after "
                f"{timeout_s:.2f} seconds"
            )
            result.stream.fail(
                "Sandbox.Timedout",
                json.dumps({"errorType": "Sandbox.Timedout", "errorMessage": message}).encode(),
            )
        finally:
            self._leave(key.function_name)
            self._release(key, env)
            turn.release()

    async def retire(self, function_name: str) -> None:
        """Stop reusing the function's environments: idle ones now, busy ones when done.

        Provisioned environments stay: they run published versions, which never change; their
        owner releases them (`unprovision`) when its configuration goes.
        """
        for key in [k for k in self._idle if k.function_name == function_name]:
            envs = self._idle.pop(key, [])
            kept = [env for env in envs if env.environment_id in self._pinned]
            if kept:
                self._idle[key] = kept
            for env in envs:
                if env.environment_id not in self._pinned:
                    self._close_later(env)
        for env_id, (key, _) in [*self._busy.items(), *self._starting.items()]:
            if key.function_name == function_name and env_id not in self._pinned:
                self._retiring.add(env_id)

    # ------------------------------------------------------- provisioned concurrency
    async def provision(self, config: FunctionVersion, owner: str) -> None:
        """Start one environment of `config` for `owner`, initialized now and kept warm.

        Waits for a governor slot as long as it takes (idle on-demand environments are
        reclaimed for it), but fails at once when the host could never hold one more
        provisioned environment: provisioned ones are never reclaimed, so waiting could only
        end when another configuration shrinks. Raises `ProvisioningFailed`.
        """
        if self._closing:
            raise ProvisioningFailed("The daemon is shutting down.")
        # Those being started count too, so concurrent fillers cannot both pass this check
        # and then wait forever for each other's slot.
        pinned_mb = sum(self._slots.get(env_id, 0) for env_id in self._pinned)
        pinned_mb += sum(self._provisioning.values())
        governor = self.governor
        charge = min(config.memory_size, governor.max_memory_mb)
        if (
            len(self._pinned) + len(self._provisioning) + 1 > governor.max_environments
            or pinned_mb + charge > governor.max_memory_mb
        ):
            raise ProvisioningFailed(
                "Host capacity exceeded: provisioned environments would exceed the capacity "
                f"governor's limit ({governor.max_environments} environments, "
                f"{governor.max_memory_mb} MB)."
            )
        key = PoolKey.of(config)
        ticket = object()
        self._provisioning[ticket] = charge
        try:
            env = await self._start_provisioned(config, owner)
        finally:
            del self._provisioning[ticket]
        if self._closing:
            self._close_later(env)
            raise ProvisioningFailed("The daemon is shutting down.")
        self._pinned[env.environment_id] = owner
        log.info(
            "provisioned environment ready",
            function=config.name,
            version=config.version,
            owner=owner,
            environment=env.environment_id,
        )
        env.active = 1
        self._busy[env.environment_id] = (key, env)
        self._release(key, env)  # idle, or straight to an invocation queued for capacity

    async def _start_provisioned(self, config: FunctionVersion, owner: str) -> ExecutionEnvironment:
        """A governor slot, then an environment of `config` with its init run."""
        governor = self.governor
        # A key of its own, so the governor never hands over an on-demand environment.
        await governor.acquire(("provisioned", owner), config.memory_size, math.inf)
        try:
            env = await self._new_environment(config, [], INITIALIZATION_PROVISIONED)
        except BaseException:
            governor.release(config.memory_size)
            raise
        self._slots[env.environment_id] = config.memory_size
        self.environments_started += 1
        try:
            await env.initialize()
        except BaseException as error:
            self._close_later(env)
            if isinstance(error, InitializationFailed):
                # AWS's StatusReason says only this; the runtime's error type goes to the log.
                log.warning(
                    "provisioned environment init failed",
                    function=config.name,
                    version=config.version,
                    error_type=error.error_type,
                )
                raise ProvisioningFailed(INIT_FAILURE) from error
            if isinstance(error, Exception):
                raise ProvisioningFailed(f"The environment did not start: {error}") from error
            raise
        return env

    def unprovision(self, owner: str, keep: int = 0) -> None:
        """Release `owner`'s provisioned environments beyond `keep` (idle ones first).

        Idle ones are closed now; busy ones become ordinary on-demand environments.
        """
        owned = [env_id for env_id, who in self._pinned.items() if who == owner]
        idle_ids = {env.environment_id for envs in self._idle.values() for env in envs}
        owned.sort(key=lambda env_id: env_id not in idle_ids)
        for env_id in owned[: max(0, len(owned) - keep)]:
            del self._pinned[env_id]
            for key, envs in list(self._idle.items()):
                for env in [e for e in envs if e.environment_id == env_id]:
                    envs.remove(env)
                    self._close_later(env)
                if not envs:
                    self._idle.pop(key, None)

    def provisioned_counts(self, owner: str) -> tuple[int, int]:
        """(allocated, available): `owner`'s live provisioned environments, and the idle ones."""
        owned = {env_id for env_id, who in self._pinned.items() if who == owner}
        idle = sum(1 for envs in self._idle.values() for env in envs if env.environment_id in owned)
        return len(owned), idle
