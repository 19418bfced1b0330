"""A daemon killed (SIGKILL) in the middle of a durable execution loses nothing.

Killed during a wait, the restarted daemon keeps the timer and resumes the execution; killed
while a step runs, it invokes the execution again (the step, never checkpointed as done, runs
again: at least once). Either way the execution ends once, with one result.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.durable_support import (
    create_durable,
    history,
    restart,
    shape,
    start_daemon,
    wait_done,
    workflow_zip,
)
from tests.e2e.support import LambdadProcess
from tests.helpers import wait_for


@pytest.fixture
def daemon(tmp_path: Path) -> Iterator[LambdadProcess]:
    process = start_daemon(tmp_path)
    yield process
    process.stop()


def start(lam: Any, name: str, payload: Any, execution_name: str) -> str:
    response = lam.invoke(
        FunctionName=name,
        Qualifier="$LATEST",
        InvocationType="Event",
        DurableExecutionName=execution_name,
        Payload=json.dumps(payload).encode(),
    )
    return str(response["DurableExecutionArn"])


def reached(lam: Any, arn: str, event_type: str, name: str) -> None:
    def seen() -> bool:
        return (event_type, name) in shape(history(lam, arn))

    wait_for(seen, timeout=60, interval=0.05)


def kill_and_restart(daemon: LambdadProcess) -> Any:
    daemon.kill()
    restart(daemon)
    return daemon.lambda_client()


def test_killed_during_a_wait_resumes_and_completes_once(daemon: LambdadProcess) -> None:
    lam = daemon.lambda_client()
    create_durable(lam, "waiter", "long_wait", workflow_zip())
    # 50,000 durable seconds: 5 s with time control, long enough to kill the daemon in.
    arn = start(lam, "waiter", {"wait_seconds": 50000}, "kill-in-wait")
    reached(lam, arn, "WaitStarted", "long")

    lam = kill_and_restart(daemon)

    execution = wait_done(lam, arn, timeout=90)
    assert execution["Status"] == "SUCCEEDED"
    assert json.loads(execution["Result"]) == {"steps": ["before", "after"]}
    events = shape(history(lam, arn))
    assert events.count(("ExecutionSucceeded", "kill-in-wait")) == 1
    assert events.count(("StepSucceeded", "before")) == 1  # checkpointed before the crash
    assert events.count(("WaitSucceeded", "long")) == 1
    listed = lam.list_durable_executions_by_function(FunctionName="waiter")["DurableExecutions"]
    assert [e["Status"] for e in listed] == ["SUCCEEDED"]


def test_killed_during_a_step_reinvokes_and_completes_once(daemon: LambdadProcess) -> None:
    lam = daemon.lambda_client()
    create_durable(lam, "sleeper", "slow_step", workflow_zip())
    arn = start(lam, "sleeper", {"sleep": 4, "wait_seconds": 10000}, "kill-in-step")
    reached(lam, arn, "StepStarted", "sleepy")

    lam = kill_and_restart(daemon)

    execution = wait_done(lam, arn, timeout=90)
    assert execution["Status"] == "SUCCEEDED"
    assert json.loads(execution["Result"]) == {"slept": "slept", "final": "final"}
    events = shape(history(lam, arn))
    assert events.count(("ExecutionSucceeded", "kill-in-step")) == 1
    assert events.count(("StepSucceeded", "sleepy")) == 1
    assert events.count(("StepStarted", "sleepy")) >= 1
    assert events.count(("StepSucceeded", "final")) == 1
