"""EnvironmentPool and ExecutionEnvironment against a fake executor whose runtime is a coroutine.

The fake runtime speaks the real Runtime API over HTTP (aiohttp client), so these tests cover
the pool's bookkeeping -- reuse, limits, retirement, reaping -- and the environment's failure
reports (OOM, exit codes) without processes.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import math
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from lambdad.daemon.domain.model import CodeRef, FunctionVersion, State
from lambdad.daemon.errors import LambdaError, Reason
from lambdad.daemon.runtime import pool as pool_module
from lambdad.daemon.runtime.code import CodeStore
from lambdad.daemon.runtime.environment import exit_reason
from lambdad.daemon.runtime.logs import FunctionLogs
from lambdad.daemon.runtime.pool import EnvironmentPool
from lambdad.daemon.runtime.runtime_api import InvocationRequest
from lambdad.daemon.store.blobs import BlobStore
from tests.helpers import async_wait_for
from tests.unit.pool_fakes import FakeExecutor


def config(name: str = "f", timeout: int = 3, revision: str = "r1") -> FunctionVersion:
    return FunctionVersion(
        name=name,
        version="$LATEST",
        role="arn:aws:iam::000000000000:role/r",
        runtime="python3.12",
        handler="app.handler",
        code=CodeRef(),
        timeout=timeout,
        state=State.ACTIVE,
        revision_id=revision,
    )


def event(body: dict[str, Any], timeout: float = 3.0, request_id: str = "") -> InvocationRequest:
    return InvocationRequest(
        request_id=request_id or str(uuid.uuid4()),
        payload=json.dumps(body).encode(),
        timeout_s=timeout,
        invoked_function_arn="arn:aws:lambda:us-east-1:000000000000:function:f",
    )


@pytest.fixture
async def executor() -> FakeExecutor:
    return FakeExecutor()


@pytest.fixture
async def pool(executor: FakeExecutor, tmp_path: Path) -> AsyncIterator[EnvironmentPool]:
    blobs = BlobStore(tmp_path / "blobs")
    running = EnvironmentPool(
        executor,  # type: ignore[arg-type]
        CodeStore(tmp_path / "code", blobs),
        FunctionLogs(),
        region="us-east-1",
        account_concurrency=3,
        idle_timeout_s=3600,
    )
    await running.start()
    try:
        yield running
    finally:
        await running.close()


async def test_start_removes_orphans_and_close_closes_executor(
    pool: EnvironmentPool, executor: FakeExecutor
) -> None:
    assert executor.orphans_removed
    await pool.invoke(config(), event({"x": 1}))
    await pool.close()
    assert executor.closed
    assert all(p.killed for p in executor.started)


async def test_warm_environment_is_reused_and_logs_are_framed(
    pool: EnvironmentPool, executor: FakeExecutor
) -> None:
    first = await pool.invoke(config(), event({"n": 1}), tail=True)
    second = await pool.invoke(config(), event({"n": 2}), tail=True)
    assert (first.payload, second.payload) == (b'{"n": 1}', b'{"n": 2}')
    assert len(executor.started) == 1
    lines = second.log_tail.decode().splitlines()
    assert lines[0] == f"START RequestId: {second.request_id} Version: $LATEST"
    assert lines[1] == f"handling {second.request_id}"
    assert lines[2] == f"END RequestId: {second.request_id}"
    assert "Max Memory Used: 42 MB" in lines[3]
    assert "Init Duration" in first.log_tail.decode() and "Init Duration" not in lines[3]


async def test_account_limit_throttles_unreserved_functions(pool: EnvironmentPool) -> None:
    pool.set_reserved("reserved", 1)  # leaves 2 of the account's 3 unreserved
    waiting = [
        asyncio.create_task(pool.invoke(config(f"g{i}"), event({"do": "wait"}, 30)))
        for i in range(2)
    ]
    await async_wait_for(lambda: sum(pool.in_flight(f"g{i}") for i in range(2)) == 2)
    with pytest.raises(LambdaError) as caught:
        await pool.invoke(config("g9"), event({}))
    assert caught.value.reason is Reason.TOO_MANY_REQUESTS
    assert caught.value.message == "Rate Exceeded."
    assert caught.value.metadata == {"reason": "ConcurrentInvocationLimitExceeded"}
    # the reserved function still has its own slot
    assert (await pool.invoke(config("reserved"), event({"ok": 1}))).payload == b'{"ok": 1}'
    for task in waiting:
        task.cancel()
    await asyncio.gather(*waiting, return_exceptions=True)


async def test_event_callers_wait_briefly_for_a_reserved_slot(
    pool: EnvironmentPool, monkeypatch: pytest.MonkeyPatch
) -> None:
    pool.set_reserved("r", 1)
    holder = asyncio.create_task(pool.invoke(config("r"), event({"do": "sleep", "s": 0.3})))
    await async_wait_for(lambda: pool.in_flight("r") >= 1)
    # A sync caller is throttled at once, as AWS does ...
    with pytest.raises(LambdaError) as caught:
        await pool.invoke(config("r"), event({}))
    assert caught.value.metadata == {"reason": "ReservedFunctionConcurrentInvocationLimitExceeded"}
    # ... so is the event dispatcher, which parks the row instead of holding a worker ...
    with pytest.raises(LambdaError) as caught:
        await pool.invoke(
            config("r"), event({}), capacity_wait_s=math.inf, reserved_slot_wait_s=0.0
        )
    assert caught.value.metadata == {"reason": "ReservedFunctionConcurrentInvocationLimitExceeded"}
    # ... an event-source or durable caller takes the slot as soon as it frees.
    waited = await pool.invoke(config("r"), event({"n": 2}), capacity_wait_s=math.inf)
    assert waited.payload == b'{"n": 2}'
    assert holder.done()
    await holder
    # Reserved 0 never admits, so it never waits (a wait would outlast the 10 s bound).
    monkeypatch.setattr(pool_module, "SLOT_WAIT_S", 60.0)
    pool.set_reserved("zero", 0)
    with pytest.raises(LambdaError):
        await asyncio.wait_for(pool.invoke(config("zero"), event({}), capacity_wait_s=math.inf), 10)


async def test_out_of_memory_is_reported_and_environment_replaced(
    pool: EnvironmentPool, executor: FakeExecutor
) -> None:
    result = await pool.invoke(config(), event({"do": "oom"}))
    assert result.function_error == "Unhandled"
    assert json.loads(result.payload) == {
        "errorType": "Runtime.OutOfMemory",
        "errorMessage": f"RequestId: {result.request_id} Error: Runtime exited with error: "
        "signal: killed",
    }
    assert (await pool.invoke(config(), event({"ok": 1}))).payload == b'{"ok": 1}'
    assert len(executor.started) == 2


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        (0, "Runtime exited without providing a reason"),
        (127, "Runtime exited with error: exit status 127"),
        (-9, "Runtime exited with error: signal: killed"),
        (-11, "Runtime exited with error: signal: segmentation fault"),
    ],
)
def test_exit_reasons(code: int, reason: str) -> None:
    assert exit_reason(code) == reason


async def test_change_retires_environments(pool: EnvironmentPool, executor: FakeExecutor) -> None:
    await pool.invoke(config(), event({}))
    await pool.retire("f")
    await pool.invoke(config(), event({}))
    assert len(executor.started) == 2
    # a new revision never reuses the old revision's environments
    await pool.invoke(config(revision="r2"), event({}))
    assert len(executor.started) == 3


async def test_idle_environments_are_reaped(executor: FakeExecutor, tmp_path: Path) -> None:
    pool = EnvironmentPool(
        executor,  # type: ignore[arg-type]
        CodeStore(tmp_path / "code", BlobStore(tmp_path / "blobs")),
        FunctionLogs(),
        region="us-east-1",
        idle_timeout_s=0.1,
    )
    await pool.start()
    try:
        await pool.invoke(config(), event({}))
        await async_wait_for(lambda: executor.started[0].killed)
        assert pool.environment_count("f") == 0
    finally:
        await pool.close()


async def test_provisioned_concurrency_is_carved_out_of_the_unreserved_pool(
    pool: EnvironmentPool,
) -> None:
    # Account 3: "p" has 1 provisioned, so the others share 2, and "p" spills into those 2.
    pool.set_provisioned("p", 1)
    waiting = [asyncio.create_task(pool.invoke(config("p"), event({"do": "wait"}, 30)))]
    waiting += [
        asyncio.create_task(pool.invoke(config(f"g{i}"), event({"do": "wait"}, 30)))
        for i in range(2)
    ]
    await async_wait_for(lambda: sum(pool.in_flight(name) for name in ("p", "g0", "g1")) >= 3)
    for name in ("g9", "p"):
        with pytest.raises(LambdaError) as caught:
            await pool.invoke(config(name), event({}))
        assert caught.value.metadata == {"reason": "ConcurrentInvocationLimitExceeded"}
    waiting.pop().cancel()  # one unreserved slot frees: "p" may spill into it
    await async_wait_for(lambda: pool.in_flight("g1") == 0)
    assert (await pool.invoke(config("p"), event({"ok": 1}))).payload == b'{"ok": 1}'
    for task in waiting:
        task.cancel()
    await asyncio.gather(*waiting, return_exceptions=True)
    assert pool.in_flight("p") == 0


def managed_config(max_concurrency: int) -> FunctionVersion:
    return dataclasses.replace(
        config(),
        runtime="python3.13",
        capacity_provider_config={
            "LambdaManagedInstancesCapacityProviderConfig": {
                "CapacityProviderArn": "arn:aws:lambda:us-east-1:000000000000:capacity-provider:c",
                "PerExecutionEnvironmentMaxConcurrency": max_concurrency,
            }
        },
    )


async def test_multi_concurrency_environment_takes_invocations_up_to_its_limit(
    pool: EnvironmentPool, executor: FakeExecutor
) -> None:
    # Three invocations that can only finish once all three run at once: one environment
    # (one governor slot) takes them all.
    managed = managed_config(3)
    results = await asyncio.gather(
        *(pool.invoke(managed, event({"do": "gather", "n": 3})) for _ in range(3))
    )
    assert all(r.function_error is None for r in results)
    assert len(executor.started) == 1
    assert pool.governor.running == 1
    assert pool.environment_count("f") == 1
    # A fourth at once does not fit: a second environment starts (reserved concurrency lifts
    # the fixture's account limit of 3).
    pool.set_reserved("f", 10)
    executor.started[0].gathered = 0
    executor.started[0].gathering.clear()
    results = await asyncio.gather(
        *(
            pool.invoke(managed, event({"do": "gather", "n": 3}), capacity_wait_s=5)
            for _ in range(3)
        ),
        pool.invoke(managed, event({"x": 1})),
    )
    assert all(r.function_error is None for r in results)
    assert len(executor.started) == 2
    assert pool.governor.running == 2


async def test_tenants_get_environments_of_their_own(
    pool: EnvironmentPool, executor: FakeExecutor
) -> None:
    isolated = dataclasses.replace(config(), tenant_isolation_mode="PER_TENANT")
    for tenant in ("blue", "green", "blue", "green"):
        request = dataclasses.replace(event({"t": tenant}), tenant_id=tenant)
        result = await pool.invoke(isolated, request)
        assert result.payload == json.dumps({"t": tenant}).encode()
    assert len(executor.started) == 2
    assert pool.environment_count("f") == 2


class GatedExecutor(FakeExecutor):
    """Starts wait for `gate`; counts how many are in flight at once."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = asyncio.Event()
        self.in_flight = 0
        self.peak_in_flight = 0
        self.calls = 0

    async def start(self, spec: Any, runtime_api: str) -> Any:
        self.calls += 1
        self.in_flight += 1
        self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
        try:
            await self.gate.wait()
        finally:
            self.in_flight -= 1
        return await super().start(spec, runtime_api)


async def gated_pool(executor: GatedExecutor, tmp_path: Path, **options: Any) -> EnvironmentPool:
    running = EnvironmentPool(
        executor,  # type: ignore[arg-type]
        CodeStore(tmp_path / "code", BlobStore(tmp_path / "blobs")),
        FunctionLogs(),
        region="us-east-1",
        idle_timeout_s=3600,
        **options,
    )
    await running.start()
    return running


async def test_waiting_invocation_takes_a_released_environment(tmp_path: Path) -> None:
    executor = GatedExecutor()
    executor.gate.set()
    pool = await gated_pool(executor, tmp_path)
    try:
        await pool.invoke(config(), event({"n": 0}))
        slow = asyncio.create_task(pool.invoke(config(), event({"do": "sleep", "s": 0.3})))
        await async_wait_for(lambda: pool.idle_count == 0)  # it took the warm one
        executor.gate.clear()  # the next start hangs until the gate opens
        second = await asyncio.wait_for(pool.invoke(config(), event({"n": 2}), tail=True), 10)
        assert second.payload == b'{"n": 2}'
        assert "Init Duration" not in second.log_tail.decode()  # the released, warm one
        await slow
        assert executor.calls == 2 and len(executor.started) == 1
        executor.gate.set()  # the environment started for it joins the pool
        await async_wait_for(lambda: pool.idle_count == 2)
        assert pool.environment_count("f") == 2
        third = await pool.invoke(config(), event({"n": 3}), tail=True)
        # Its first invocation reports its init, though it started ahead of it.
        assert "Init Duration" in third.log_tail.decode()
        assert len(executor.started) == 2
    finally:
        await pool.close()


async def test_starts_beyond_the_limit_wait_for_a_slot(tmp_path: Path) -> None:
    executor = GatedExecutor()
    pool = await gated_pool(executor, tmp_path, max_starting=1)
    try:
        calls = [asyncio.create_task(pool.invoke(config(), event({"n": n}))) for n in range(3)]

        def waiting_for_a_slot() -> int:
            return sum(len(waiters) for waiters in pool._start_waiters.values())

        # The first waits for its own start (or a released one), the others for a start slot.
        await async_wait_for(lambda: waiting_for_a_slot() == 3)
        assert executor.calls == 1  # the others wait for a start slot
        executor.gate.set()
        results = await asyncio.wait_for(asyncio.gather(*calls), 10)
        assert sorted(r.payload for r in results) == [b'{"n": 0}', b'{"n": 1}', b'{"n": 2}']
        assert executor.peak_in_flight == 1
    finally:
        await pool.close()


async def test_idle_environments_make_room_for_spares_least_recent_first(
    pool: EnvironmentPool,
) -> None:
    await pool.invoke(config("a"), event({"n": 1}))
    await pool.invoke(config("b"), event({"n": 2}))
    await pool.provision(config("c"), owner="c:1")
    assert pool.governor.running == 3
    assert pool._displace_idle(3600.0) is None  # none has been idle that long
    for name in ("a", "b"):  # the least recently used first
        removal = pool._displace_idle(0.0)
        assert removal is not None
        await removal
        assert pool.environment_count(name) == 0
    # A provisioned environment is never removed for spares.
    assert pool._displace_idle(0.0) is None
    assert pool.environment_count("c") == 1 and pool.governor.running == 1


async def test_a_function_being_invoked_keeps_its_idle_environments_from_spares(
    pool: EnvironmentPool, executor: FakeExecutor
) -> None:
    fn = config("a")
    # Two environments (two invocations that finish only together), then one of them busy.
    await asyncio.gather(*(pool.invoke(fn, event({"do": "meet", "n": 2})) for _ in range(2)))
    assert pool.environment_count("a") == 2
    slow = asyncio.create_task(pool.invoke(fn, event({"do": "wait"}, timeout=30)))
    await async_wait_for(lambda: pool.idle_count == 1)
    assert pool._displace_idle(0.0) is None  # its idle one stays: "a" is being invoked
    slow.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await slow
    await async_wait_for(lambda: pool.in_flight("a") == 0)
    removal = pool._displace_idle(0.0)  # nothing in flight any more: displaced
    assert removal is not None
    await removal
    assert pool.environment_count("a") < 2
