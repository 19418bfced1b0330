"""Pause, resume and delete of durable executions through boto3 (botocore 1.44's operations).

The function speaks the checkpoint protocol by hand (boto3 inside the function): it starts a
callback and, when asked, a wait, and finishes once they completed. While an execution is
paused, its operations still complete (a callback answered, a wait due) but the function is
not invoked; resuming invokes it.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from lambdad.client import cli
from lambdad.daemon import cli as daemon_cli
from tests.e2e.durable_support import CHECKPOINTING_PREAMBLE, history
from tests.e2e.support import LambdadProcess, create_function, settled
from tests.helpers import make_zip, wait_for

pytestmark = pytest.mark.e2e

HANDLER = (
    CHECKPOINTING_PREAMBLE
    + """
    if data.get("wait"):
        if "w1" not in ops:
            checkpoint([{"Id": "w1", "Type": "WAIT", "Action": "START", "Name": "nap",
                         "WaitOptions": {"WaitSeconds": data["wait"]}}])
        if ops["w1"]["Status"] != "SUCCEEDED":
            return {"Status": "PENDING"}
        return {"Status": "SUCCEEDED", "Result": json.dumps("woke")}
    if "c1" not in ops:
        checkpoint([{"Id": "c1", "Type": "CALLBACK", "Action": "START", "Name": "approval"}])
    if ops["c1"]["Status"] == "STARTED":
        return {"Status": "PENDING"}
    return {"Status": "SUCCEEDED", "Result": ops["c1"]["CallbackDetails"]["Result"]}
"""
)


def _daemon(root: Path, scale: str = "0.001") -> LambdadProcess:
    return LambdadProcess(
        data_dir=root / "data",
        log_path=root / "lambdad.log",
        env={"LAMBDAD_DURABLE_TIME_SCALE": scale},
    ).start()


@pytest.fixture(scope="module")
def durable_daemon(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LambdadProcess]:
    process = _daemon(tmp_path_factory.mktemp("lambdad-durable-pause"))
    yield process
    process.stop()


@pytest.fixture(scope="module")
def client(durable_daemon: LambdadProcess) -> Any:
    return durable_daemon.lambda_client()


def _create(client: Any) -> str:
    name = f"durable-pause-{uuid.uuid4().hex[:8]}"
    create_function(
        client,
        name,
        make_zip({"app.py": HANDLER}),
        Timeout=60,
        DurableConfig={"ExecutionTimeout": 600},
    )
    settled(client, name)
    return name


@pytest.fixture(scope="module")
def function(client: Any) -> str:
    return _create(client)


def _start(client: Any, name: str, payload: dict[str, Any]) -> str:
    answer = client.invoke(
        FunctionName=f"{name}:$LATEST",
        Payload=json.dumps(payload).encode(),
        InvocationType="Event",
    )
    return str(answer["DurableExecutionArn"])


def _kinds(client: Any, arn: str) -> list[str]:
    return [e["EventType"] for e in history(client, arn)]


def _status(client: Any, arn: str) -> str:
    return str(client.get_durable_execution(DurableExecutionArn=arn)["Status"])


def _suspended(client: Any, arn: str, after: str) -> bool:
    """The execution has done `after` and its invocation has ended (nothing in progress)."""
    kinds = _kinds(client, arn)
    if after not in kinds or kinds[-1] != "InvocationCompleted":
        return False
    return _status(client, arn) in ("RUNNING", "PAUSED")


def _callback_id(client: Any, arn: str) -> str:
    found = [e for e in history(client, arn) if e["EventType"] == "CallbackStarted"]
    return str(found[0]["CallbackStartedDetails"]["CallbackId"])


def _code(caught: pytest.ExceptionInfo[ClientError]) -> tuple[str, int]:
    response = caught.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def test_paused_execution_is_not_invoked_until_resumed(client: Any, function: str) -> None:
    arn = _start(client, function, {})
    wait_for(lambda: _suspended(client, arn, "CallbackStarted"), timeout=60)
    paused = client.pause_durable_execution(
        DurableExecutionArn=arn, Reason="deploying", ClientToken="pause-1"
    )
    assert paused["ResponseMetadata"]["HTTPStatusCode"] == 202
    execution = client.get_durable_execution(DurableExecutionArn=arn)
    assert execution["Status"] == "PAUSED"
    assert execution["PauseDetails"]["ExecutionTimeoutPaused"] is True
    assert execution["PauseDetails"]["PauseRequestTimestamp"]
    assert execution["PauseDetails"]["Reason"] == "deploying"
    assert execution["ExecutionDataIncluded"] is True
    assert execution["DurableConfig"]["ExecutionTimeout"] == 600
    # With the execution timeout paused, it is due 366 days after the start.
    expected = execution["ExpectedExecutionTimeoutTimestamp"] - execution["StartTimestamp"]
    assert abs(expected.total_seconds() - 366 * 86_400) < 1
    compact = client.get_durable_execution(DurableExecutionArn=arn, IncludeExecutionData=False)
    assert compact["ExecutionDataIncluded"] is False
    assert "InputPayload" not in compact
    assert "Reason" not in compact["PauseDetails"]
    # A retried request (same token and reason) succeeds; another pause is a conflict.
    client.pause_durable_execution(
        DurableExecutionArn=arn, Reason="deploying", ClientToken="pause-1"
    )
    with pytest.raises(ClientError) as caught:
        client.pause_durable_execution(DurableExecutionArn=arn, ClientToken="pause-2")
    assert _code(caught) == ("ResourceConflictException", 409)
    listed = client.list_durable_executions_by_function(FunctionName=function, Statuses=["PAUSED"])[
        "DurableExecutions"
    ]
    assert arn in [e["DurableExecutionArn"] for e in listed]

    # The callback completes while paused, but the function is not invoked.
    invocations = _kinds(client, arn).count("InvocationCompleted")
    client.send_durable_execution_callback_success(
        CallbackId=_callback_id(client, arn), Result=b'"approved"'
    )
    kinds = _kinds(client, arn)
    assert "CallbackSucceeded" in kinds
    assert kinds.count("InvocationCompleted") == invocations
    assert _status(client, arn) == "PAUSED"

    resumed = client.resume_durable_execution(
        DurableExecutionArn=arn, Reason="deployed", ClientToken="resume-1"
    )
    assert resumed["ResponseMetadata"]["HTTPStatusCode"] == 202
    wait_for(lambda: _status(client, arn) == "SUCCEEDED", timeout=60)
    closed = client.get_durable_execution(DurableExecutionArn=arn)
    assert closed["Result"] == '"approved"'
    assert "ExpectedExecutionTimeoutTimestamp" not in closed
    assert "PauseDetails" not in closed
    client.resume_durable_execution(
        DurableExecutionArn=arn, Reason="deployed", ClientToken="resume-1"
    )  # retried
    with pytest.raises(ClientError) as caught:
        client.resume_durable_execution(DurableExecutionArn=arn)
    assert _code(caught) == ("ResourceConflictException", 409)

    events = history(client, arn, IncludeExecutionData=True)
    pause = next(e for e in events if e["EventType"] == "ExecutionPaused")
    assert pause["ExecutionPausedDetails"]["Reason"]["Payload"] == "deploying"
    assert pause["ExecutionPausedDetails"]["ExecutionTimeoutPaused"] is True
    resume = next(e for e in events if e["EventType"] == "ExecutionResumed")
    assert resume["ExecutionResumedDetails"]["Reason"]["Payload"] == "deployed"
    assert resume["EventId"] > pause["EventId"]
    redacted = next(e for e in history(client, arn) if e["EventType"] == "ExecutionPaused")
    assert redacted["ExecutionPausedDetails"]["Reason"] == {"Truncated": True}


def test_resume_without_changes_does_not_invoke(
    client: Any, function: str, durable_daemon: LambdadProcess
) -> None:
    arn = _start(client, function, {})
    wait_for(lambda: _suspended(client, arn, "CallbackStarted"), timeout=60)
    ctl = ["--target", durable_daemon.grpc_target, "durable"]
    # Paused through lambdadctl (gRPC), without pausing the execution timeout.
    assert cli.main([*ctl, "pause", arn, "--keep-timeout", "--reason", "ctl"]) == 0
    execution = client.get_durable_execution(DurableExecutionArn=arn)
    assert execution["PauseDetails"]["ExecutionTimeoutPaused"] is False
    expected = execution["ExpectedExecutionTimeoutTimestamp"] - execution["StartTimestamp"]
    assert abs(expected.total_seconds() - 600) < 1
    invocations = _kinds(client, arn).count("InvocationCompleted")
    # Resumed through `lambdad durable`, which is `lambdadctl durable` aimed at the daemon.
    resume = ["durable", "--daemon", durable_daemon.grpc_target, "resume", arn]
    assert daemon_cli.main(resume) == 0
    assert _status(client, arn) == "RUNNING"
    # Still waiting for its callback: answering it invokes the function as usual.
    assert _kinds(client, arn).count("InvocationCompleted") == invocations
    client.send_durable_execution_callback_success(
        CallbackId=_callback_id(client, arn), Result=b"1"
    )
    wait_for(lambda: _status(client, arn) == "SUCCEEDED", timeout=60)


def test_pause_resume_delete_refusals(client: Any, function: str) -> None:
    arn = _start(client, function, {})
    wait_for(lambda: _suspended(client, arn, "CallbackStarted"), timeout=60)
    with pytest.raises(ClientError) as caught:
        client.resume_durable_execution(DurableExecutionArn=arn)
    assert _code(caught) == ("ResourceConflictException", 409)
    assert "RUNNING" in caught.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as caught:
        client.delete_durable_execution(DurableExecutionArn=arn)
    assert _code(caught) == ("ResourceConflictException", 409)
    client.pause_durable_execution(DurableExecutionArn=arn)
    with pytest.raises(ClientError) as caught:
        client.delete_durable_execution(DurableExecutionArn=arn)
    assert _code(caught) == ("ResourceConflictException", 409)
    # A paused execution can be stopped; a stopped one neither paused nor resumed.
    client.stop_durable_execution(DurableExecutionArn=arn)
    assert _status(client, arn) == "STOPPED"
    for call in (client.pause_durable_execution, client.resume_durable_execution):
        with pytest.raises(ClientError) as caught:
            call(DurableExecutionArn=arn)
        assert _code(caught) == ("ResourceConflictException", 409)
        assert "STOPPED" in caught.value.response["Error"]["Message"]

    missing = arn.rsplit("/", 1)[0] + "/0000"
    for call in (
        client.pause_durable_execution,
        client.resume_durable_execution,
        client.delete_durable_execution,
    ):
        with pytest.raises(ClientError) as caught:
            call(DurableExecutionArn=missing)
        assert _code(caught) == ("ResourceNotFoundException", 404)
    with pytest.raises(ClientError) as caught:
        client.pause_durable_execution(DurableExecutionArn=arn, Reason="x" * 1025)
    assert _code(caught)[1] == 400


def test_delete_forgets_a_closed_execution(client: Any, function: str) -> None:
    arn = _start(client, function, {})
    wait_for(lambda: _suspended(client, arn, "CallbackStarted"), timeout=60)
    client.send_durable_execution_callback_success(
        CallbackId=_callback_id(client, arn), Result=b"1"
    )
    wait_for(lambda: _status(client, arn) == "SUCCEEDED", timeout=60)
    deleted = client.delete_durable_execution(DurableExecutionArn=arn)
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert deleted["DeletionRequestTimestamp"]
    for call in (client.get_durable_execution, client.get_durable_execution_history):
        with pytest.raises(ClientError) as caught:
            call(DurableExecutionArn=arn)
        assert _code(caught) == ("ResourceNotFoundException", 404)
    listed = client.list_durable_executions_by_function(FunctionName=function)
    assert arn not in [e["DurableExecutionArn"] for e in listed["DurableExecutions"]]
    with pytest.raises(ClientError) as caught:
        client.delete_durable_execution(DurableExecutionArn=arn)
    assert _code(caught) == ("ResourceNotFoundException", 404)


def test_restart_while_paused_keeps_the_pause(tmp_path: Path) -> None:
    first = _daemon(tmp_path, scale="0.003")  # a 3,000-second wait: about 9 seconds
    try:
        client = first.lambda_client()
        name = _create(client)
        arn = _start(client, name, {"wait": 3000})
        wait_for(lambda: _suspended(client, arn, "WaitStarted"), timeout=60)
        client.pause_durable_execution(DurableExecutionArn=arn, Reason="restart")
        invocations = _kinds(client, arn).count("InvocationCompleted")
    finally:
        first.kill()
    second = _daemon(tmp_path, scale="0.003")
    try:
        client = second.lambda_client()
        assert _status(client, arn) == "PAUSED"
        # The wait still ends while paused; the function is not invoked for it.
        wait_for(lambda: "WaitSucceeded" in _kinds(client, arn), timeout=90)
        assert _status(client, arn) == "PAUSED"
        assert _kinds(client, arn).count("InvocationCompleted") == invocations
        client.resume_durable_execution(DurableExecutionArn=arn)
        wait_for(lambda: _status(client, arn) == "SUCCEEDED", timeout=60)
        assert client.get_durable_execution(DurableExecutionArn=arn)["Result"] == '"woke"'
        kinds = _kinds(client, arn)
        assert kinds.count("ExecutionPaused") == kinds.count("ExecutionResumed") == 1
    finally:
        second.stop()


def test_durable_config_only_at_creation(client: Any, function: str) -> None:
    plain = f"plain-{uuid.uuid4().hex[:8]}"
    create_function(client, plain, make_zip({"app.py": HANDLER}), Timeout=60)
    settled(client, plain)
    with pytest.raises(ClientError) as caught:
        client.update_function_configuration(
            FunctionName=plain, DurableConfig={"ExecutionTimeout": 60}
        )
    assert _code(caught) == ("InvalidParameterValueException", 400)
    assert (
        "only be enabled when you create the function" in caught.value.response["Error"]["Message"]
    )
    assert "DurableConfig" not in client.get_function_configuration(FunctionName=plain)
    with pytest.raises(ClientError) as caught:
        create_function(
            client,
            f"no-timeout-{uuid.uuid4().hex[:8]}",
            make_zip({"app.py": HANDLER}),
            DurableConfig={"RetentionPeriodInDays": 3},
        )
    assert _code(caught) == ("InvalidParameterValueException", 400)
    assert caught.value.response["Error"]["Message"] == (
        "You cannot create a function with a durable configuration without an executionTimeout"
    )
    # A durable function's DurableConfig can still change.
    client.update_function_configuration(
        FunctionName=function, DurableConfig={"RetentionPeriodInDays": 5}
    )
    settled(client, function)
    config = client.get_function_configuration(FunctionName=function)["DurableConfig"]
    assert config["RetentionPeriodInDays"] == 5
    assert config["ExecutionTimeout"] == 600


def test_event_start_survives_a_kill_right_after_202(tmp_path: Path) -> None:
    # The execution (row, EXECUTION operation, ExecutionStarted, timeout timer) is committed
    # (synchronous=FULL) before the 202: a kill -9 at once loses nothing; restart runs it.
    first = _daemon(tmp_path)
    try:
        client = first.lambda_client()
        name = _create(client)
        arn = _start(client, name, {"wait": 1000})
    finally:
        first.kill()
    second = _daemon(tmp_path)
    try:
        client = second.lambda_client()
        wait_for(lambda: _status(client, arn) == "SUCCEEDED", timeout=90)
        assert client.get_durable_execution(DurableExecutionArn=arn)["Result"] == '"woke"'
        kinds = _kinds(client, arn)
        assert kinds.count("ExecutionStarted") == kinds.count("ExecutionSucceeded") == 1
    finally:
        second.stop()
