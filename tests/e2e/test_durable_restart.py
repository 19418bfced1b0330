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
    TIME_SCALE,
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


def test_killed_during_a_wait_and_a_step_resumes_both_and_completes_each_once(
    daemon: LambdadProcess,
) -> None:
    lam = daemon.lambda_client()
    zip_bytes = workflow_zip()
    create_durable(lam, "waiter", "long_wait", zip_bytes)
    create_durable(lam, "sleeper", "slow_step", zip_bytes)
    # A step that runs 6 s; a wait of 5 s with time control: long enough to kill the daemon in.
    stepping = start(lam, "sleeper", {"sleep": 6, "wait_seconds": 1000}, "kill-in-step")
    waiting = start(lam, "waiter", {"wait_seconds": int(5 / TIME_SCALE)}, "kill-in-wait")
    reached(lam, stepping, "StepStarted", "sleepy")
    reached(lam, waiting, "WaitStarted", "long")
    assert lam.get_durable_execution(DurableExecutionArn=waiting)["Status"] == "RUNNING"
    assert ("StepSucceeded", "sleepy") not in shape(history(lam, stepping))

    lam = kill_and_restart(daemon)

    execution = wait_done(lam, waiting, timeout=90)
    assert execution["Status"] == "SUCCEEDED"
    assert json.loads(execution["Result"]) == {"steps": ["before", "after"]}
    events = shape(history(lam, waiting))
    assert events.count(("ExecutionSucceeded", "kill-in-wait")) == 1
    assert events.count(("StepSucceeded", "before")) == 1  # checkpointed before the crash
    assert events.count(("WaitSucceeded", "long")) == 1

    execution = wait_done(lam, stepping, timeout=90)
    assert execution["Status"] == "SUCCEEDED"
    assert json.loads(execution["Result"]) == {"slept": "slept", "final": "final"}
    events = shape(history(lam, stepping))
    assert events.count(("ExecutionSucceeded", "kill-in-step")) == 1
    assert events.count(("StepSucceeded", "sleepy")) == 1
    assert events.count(("StepSucceeded", "final")) == 1
    for name in ("waiter", "sleeper"):
        listed = lam.list_durable_executions_by_function(FunctionName=name)["DurableExecutions"]
        assert [e["Status"] for e in listed] == ["SUCCEEDED"]
