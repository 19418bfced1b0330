"""The durable orchestrator (services/durable.py) over a real state database, with a scripted
handler in place of a function and a clock the test moves."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from lambdad.daemon.domain.functions import VersionView
from lambdad.daemon.domain.model import CodeRef, FunctionVersion
from lambdad.daemon.errors import LambdaError
from lambdad.daemon.runtime.environment import InvocationResult
from lambdad.daemon.services.durable import DurableExecutions, InvokeTarget
from lambdad.daemon.store.state import StateStore
from tests.helpers import async_wait_for

FUNCTION_ARN = "arn:aws:lambda:us-east-1:000000000000:function:wf"


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def _view(retention: int = 1) -> VersionView:
    config = FunctionVersion(
        name="wf",
        version="1",
        role="arn:aws:iam::000000000000:role/r",
        runtime="python3.12",
        handler="app.handler",
        code=CodeRef(sha256_hex="0", code_sha256="0"),
        durable_config={"ExecutionTimeout": 3600, "RetentionPeriodInDays": retention},
    )
    return VersionView(config, f"{FUNCTION_ARN}:1")


class Workflow:
    """A handler: one step, then a 60 s wait, then success; counts its invocations."""

    def __init__(self) -> None:
        self.executions: DurableExecutions | None = None
        self.invocations = 0

    async def run(self, name: str, version: str, payload: bytes, trace: str) -> InvocationResult:
        assert self.executions is not None
        self.invocations += 1
        event = json.loads(payload)
        arn, token = event["DurableExecutionArn"], event["CheckpointToken"]
        ops = {o["Id"]: o for o in event["InitialExecutionState"]["Operations"]}
        answer: dict[str, Any] = {"Status": "PENDING"}
        if "s" not in ops:
            reply = await self.executions.checkpoint(
                arn,
                token,
                [
                    {"Id": "s", "Type": "STEP", "Action": "START"},
                    {"Id": "s", "Type": "STEP", "Action": "SUCCEED", "Payload": "7"},
                    {
                        "Id": "w",
                        "Type": "WAIT",
                        "Action": "START",
                        "WaitOptions": {"WaitSeconds": 60},
                    },
                ],
            )
            # The stale token is refused once a new one was handed out.
            with pytest.raises(LambdaError):
                await self.executions.checkpoint(arn, token, [])
            assert {o["Id"] for o in reply["NewExecutionState"]["Operations"]} >= {"s", "w"}
        elif ops["w"]["Status"] == "SUCCEEDED":
            answer = {"Status": "SUCCEEDED", "Result": ops["s"]["StepDetails"]["Result"]}
        return InvocationResult(
            request_id=f"r{self.invocations}",
            payload=json.dumps(answer).encode(),
            executed_version=version,
        )


async def _nothing(*_: Any) -> Any:
    raise AssertionError("not used")


@pytest.mark.asyncio
async def test_wait_timer_reinvokes_and_retention_deletes(tmp_path: Path) -> None:
    state = StateStore(tmp_path / "state.db")
    clock = Clock()
    workflow = Workflow()
    executions = DurableExecutions(
        state, InvokeTarget(workflow.run, _nothing, _nothing), clock=clock
    )
    workflow.executions = executions
    await executions.start()
    try:
        row = await executions.start_execution(_view(), "order-1", b'{"n": 1}')
        again = await executions.start_execution(_view(), "order-1", b'{"n": 1}')
        assert again.arn == row.arn
        await async_wait_for(lambda: workflow.invocations == 1 and not executions._drivers)
        assert (await executions.get_execution(row.arn))["Status"] == "RUNNING"
        assert workflow.invocations == 1  # suspended on the wait: nothing to do until it ends
        clock.now += 61
        executions._wake.set()
        closed = await executions.wait_closed(row.arn, 10)
        assert closed.status == "SUCCEEDED" and closed.result == "7"
        assert workflow.invocations == 2
        history = (await executions.history(row.arn))["Events"]
        kinds = [e["EventType"] for e in history]
        assert kinds.count("InvocationCompleted") == 2 and kinds[-1] == "ExecutionSucceeded"
        clock.now += 86_400 + 1  # the retention period (1 day) is over
        executions._wake.set()

        async def deleted() -> bool:
            try:
                await executions.get_execution(row.arn)
            except LambdaError:
                return True
            return False

        await async_wait_for(deleted)
        with pytest.raises(LambdaError):
            await executions.get_execution(row.arn)
    finally:
        await executions.stop()
        state.close()


class PausedMidway(Workflow):
    """The Workflow, paused by an operator while its first invocation runs (PAUSING)."""

    def __init__(self) -> None:
        super().__init__()
        self.replies: list[dict[str, Any]] = []
        self.status_during: str = ""

    async def run(self, name: str, version: str, payload: bytes, trace: str) -> InvocationResult:
        assert self.executions is not None
        event = json.loads(payload)
        arn = event["DurableExecutionArn"]
        if self.invocations == 0:
            await self.executions.pause_execution(arn, reason="ops")
            self.status_during = (await self.executions.get_execution(arn))["Status"]
        return await super().run(name, version, payload, trace)


@pytest.mark.asyncio
async def test_pause_cuts_the_invocation_and_resume_invokes(tmp_path: Path) -> None:
    state = StateStore(tmp_path / "state.db")
    clock = Clock()
    workflow = PausedMidway()
    executions = DurableExecutions(
        state, InvokeTarget(workflow.run, _nothing, _nothing), clock=clock
    )
    workflow.executions = executions
    await executions.start()
    try:
        row = await executions.start_execution(_view(), "order-p", b"{}")
        await async_wait_for(lambda: workflow.invocations == 1 and not executions._drivers)
        assert workflow.status_during == "PAUSING"
        shown = await executions.get_execution(row.arn)
        assert shown["Status"] == "PAUSED"
        assert shown["PauseDetails"]["ExecutionTimeoutPaused"] is True
        for status, count in (("PAUSED", 1), ("PAUSING", 0), ("RUNNING", 0)):
            listed = await executions.list_by_function("wf", statuses=[status])
            assert len(listed["DurableExecutions"]) == count, status
        # The checkpoint was kept (the wait started) though the pause revoked the token.
        kinds = [e["EventType"] for e in (await executions.history(row.arn))["Events"]]
        assert "WaitStarted" in kinds and "ExecutionPaused" in kinds
        clock.now += 4_000  # past the wait and past the (paused) execution timeout
        executions._wake.set()

        async def waited() -> bool:
            events = (await executions.history(row.arn))["Events"]
            return "WaitSucceeded" in [e["EventType"] for e in events]

        await async_wait_for(waited)
        assert (await executions.get_execution(row.arn))["Status"] == "PAUSED"
        assert workflow.invocations == 1
        await executions.resume_execution(row.arn, reason="done")
        closed = await executions.wait_closed(row.arn, 10)
        assert closed.status == "SUCCEEDED" and closed.result == "7"
        assert workflow.invocations == 2
        with pytest.raises(LambdaError):
            await executions.pause_execution(row.arn)
        await executions.delete_execution(row.arn)
        with pytest.raises(LambdaError):
            await executions.get_execution(row.arn)
    finally:
        await executions.stop()
        state.close()
