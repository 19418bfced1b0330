"""Durable functions through boto3: DurableConfig, durable invokes and the 2025-12-01 API.

The function here speaks the checkpoint protocol by hand (boto3 inside the function, through
the AWS_ENDPOINT_URL_LAMBDA lambdad injects), so these tests do not depend on AWS's SDK.
Time control (LAMBDAD_DURABLE_TIME_SCALE=0.001) turns its one-hour wait into 3.6 seconds.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.e2e.durable_support import CHECKPOINTING_PREAMBLE, history
from tests.e2e.support import LambdadProcess, create_function, settled
from tests.helpers import make_zip, wait_for

HANDLER = (
    CHECKPOINTING_PREAMBLE
    + """
    if "s1" not in ops:
        checkpoint([
            {"Id": "s1", "Type": "STEP", "Action": "START", "Name": "add", "SubType": "Step"},
            {"Id": "s1", "Type": "STEP", "Action": "SUCCEED", "Payload": json.dumps(data["x"] + 1)},
        ])
    if "w1" not in ops:
        checkpoint([{"Id": "w1", "Type": "WAIT", "Action": "START", "Name": "nap",
                     "WaitOptions": {"WaitSeconds": 3600}}])
    if ops["w1"]["Status"] != "SUCCEEDED":
        return {"Status": "PENDING"}
    if data.get("callback"):
        if "c1" not in ops:
            options = {"TimeoutSeconds": data.get("timeout", 0)}
            checkpoint([{"Id": "c1", "Type": "CALLBACK", "Action": "START", "Name": "approval",
                         "CallbackOptions": options}])
        callback = ops["c1"]
        if callback["Status"] == "STARTED":
            return {"Status": "PENDING"}
        if callback["Status"] != "SUCCEEDED":
            return {"Status": "FAILED", "Error": callback["CallbackDetails"].get("Error", {})}
        return {"Status": "SUCCEEDED", "Result": callback["CallbackDetails"]["Result"]}
    value = json.loads(ops["s1"]["StepDetails"]["Result"])
    return {"Status": "SUCCEEDED", "Result": json.dumps({"v": value})}
"""
)


@pytest.fixture(scope="module")
def durable_daemon(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LambdadProcess]:
    root: Path = tmp_path_factory.mktemp("lambdad-durable")
    process = LambdadProcess(
        data_dir=root / "data",
        log_path=root / "lambdad.log",
        env={"LAMBDAD_DURABLE_TIME_SCALE": "0.001"},
    ).start()
    yield process
    process.stop()


@pytest.fixture(scope="module")
def client(durable_daemon: LambdadProcess) -> Any:
    return durable_daemon.lambda_client()


@pytest.fixture(scope="module")
def durable_function(client: Any) -> str:
    name = f"durable-{uuid.uuid4().hex[:8]}"
    create_function(
        client,
        name,
        make_zip({"app.py": HANDLER}),
        Timeout=60,
        DurableConfig={"ExecutionTimeout": 600, "RetentionPeriodInDays": 3},
    )
    settled(client, name)
    return name


def _invoke(client: Any, name: str, payload: dict[str, Any], **extra: Any) -> Any:
    return client.invoke(
        FunctionName=f"{name}:$LATEST", Payload=json.dumps(payload).encode(), **extra
    )


def _callback_id(client: Any, arn: str) -> str:
    def started() -> str | None:
        for item in history(client, arn):
            if item["EventType"] == "CallbackStarted":
                return str(item["CallbackStartedDetails"]["CallbackId"])
        return None

    wait_for(lambda: started() is not None, timeout=60)
    found = started()
    assert found is not None
    return found


def _status(client: Any, arn: str) -> str:
    return str(client.get_durable_execution(DurableExecutionArn=arn)["Status"])


def test_durable_config_is_stored_and_validated(client: Any, durable_function: str) -> None:
    config = client.get_function_configuration(FunctionName=durable_function)
    assert config["DurableConfig"] == {"ExecutionTimeout": 600, "RetentionPeriodInDays": 3}
    with pytest.raises(ClientError) as caught:
        client.update_function_configuration(
            FunctionName=durable_function, DurableConfig={"RetentionPeriodInDays": 91}
        )
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    assert "durableConfig.retentionPeriodInDays" in caught.value.response["Error"]["Message"]


def test_unqualified_invoke_is_refused(client: Any, durable_function: str) -> None:
    with pytest.raises(ClientError) as caught:
        client.invoke(FunctionName=durable_function, Payload=b'{"x": 1}')
    assert caught.value.response["Error"]["Code"] == "InvalidParameterValueException"


def test_sync_invoke_runs_steps_and_waits_to_the_result(client: Any, durable_function: str) -> None:
    answer = _invoke(client, durable_function, {"x": 1})
    assert answer["StatusCode"] == 200
    assert "FunctionError" not in answer
    assert json.loads(answer["Payload"].read()) == {"v": 2}
    arn = answer["DurableExecutionArn"]
    assert f":function:{durable_function}:$LATEST/durable-execution/" in arn
    execution = client.get_durable_execution(DurableExecutionArn=arn)
    assert execution["Status"] == "SUCCEEDED"
    assert json.loads(execution["Result"]) == {"v": 2}
    assert json.loads(execution["InputPayload"]) == {"x": 1}
    events = history(client, arn, IncludeExecutionData=True)
    kinds = [e["EventType"] for e in events]
    assert kinds[0] == "ExecutionStarted"
    assert kinds[-1] == "ExecutionSucceeded"
    for kind in ("StepStarted", "StepSucceeded", "WaitStarted", "WaitSucceeded"):
        assert kind in kinds
    assert kinds.count("InvocationCompleted") >= 2
    assert [e["EventId"] for e in events] == list(range(1, len(events) + 1))
    waited = next(e for e in events if e["EventType"] == "WaitSucceeded")
    assert waited["WaitSucceededDetails"]["Duration"] == 3600  # requested, not scaled
    step = next(e for e in events if e["EventType"] == "StepSucceeded")
    assert step["StepSucceededDetails"]["Result"]["Payload"] == "2"
    assert step["Name"] == "add"
    # Paging, reverse order and payload redaction.
    small = history(client, arn, MaxItems=2)
    assert [e["EventId"] for e in small] == [e["EventId"] for e in events]
    assert small[0]["ExecutionStartedDetails"]["Input"]["Truncated"] is True
    assert "Payload" not in small[0]["ExecutionStartedDetails"]["Input"]
    backwards = history(client, arn, ReverseOrder=True)
    assert [e["EventId"] for e in backwards] == [e["EventId"] for e in reversed(events)]


def test_execution_names_are_idempotent(client: Any, durable_function: str) -> None:
    name = f"order-{uuid.uuid4().hex[:8]}"
    first = _invoke(client, durable_function, {"x": 5}, DurableExecutionName=name)
    again = _invoke(client, durable_function, {"x": 5}, DurableExecutionName=name)
    assert first["DurableExecutionArn"] == again["DurableExecutionArn"]
    assert json.loads(again["Payload"].read()) == {"v": 6}
    with pytest.raises(ClientError) as caught:
        _invoke(client, durable_function, {"x": 7}, DurableExecutionName=name)
    error = caught.value.response
    assert error["Error"]["Code"] == "DurableExecutionAlreadyStartedException"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 409
    listed = client.list_durable_executions_by_function(
        FunctionName=durable_function, DurableExecutionName=name
    )["DurableExecutions"]
    assert [e["DurableExecutionArn"] for e in listed] == [first["DurableExecutionArn"]]


def test_callbacks_succeed_fail_and_refuse_late_calls(client: Any, durable_function: str) -> None:
    started = _invoke(client, durable_function, {"x": 1, "callback": True}, InvocationType="Event")
    assert started["StatusCode"] == 202
    arn = started["DurableExecutionArn"]
    callback = _callback_id(client, arn)
    client.send_durable_execution_callback_heartbeat(CallbackId=callback)
    client.send_durable_execution_callback_success(CallbackId=callback, Result=b'"approved"')
    wait_for(lambda: _status(client, arn) != "RUNNING", timeout=60)
    execution = client.get_durable_execution(DurableExecutionArn=arn)
    assert execution["Status"] == "SUCCEEDED"
    assert execution["Result"] == '"approved"'
    with pytest.raises(ClientError) as caught:
        client.send_durable_execution_callback_success(CallbackId=callback, Result=b"1")
    assert caught.value.response["Error"]["Code"] == "CallbackTimeoutException"

    failing = _invoke(client, durable_function, {"x": 1, "callback": True}, InvocationType="Event")
    arn = failing["DurableExecutionArn"]
    client.send_durable_execution_callback_failure(
        CallbackId=_callback_id(client, arn),
        Error={"ErrorMessage": "rejected", "ErrorType": "Rejection"},
    )
    wait_for(lambda: _status(client, arn) != "RUNNING", timeout=60)
    execution = client.get_durable_execution(DurableExecutionArn=arn)
    assert execution["Status"] == "FAILED"
    assert execution["Error"]["ErrorMessage"] == "rejected"
    kinds = [e["EventType"] for e in history(client, arn)]
    assert "CallbackFailed" in kinds


def test_callback_timeout_fails_the_execution(client: Any, durable_function: str) -> None:
    started = _invoke(
        client,
        durable_function,
        {"x": 1, "callback": True, "timeout": 2000},
        InvocationType="Event",
    )
    arn = started["DurableExecutionArn"]
    wait_for(lambda: _status(client, arn) != "RUNNING", timeout=60)
    assert _status(client, arn) == "FAILED"
    assert "CallbackTimedOut" in [e["EventType"] for e in history(client, arn)]


def test_stop_and_list_with_filters(client: Any, durable_function: str) -> None:
    # A finished execution of its own, so the listing has two whatever ran before (xdist).
    finished = _invoke(client, durable_function, {"x": 2})["DurableExecutionArn"]
    started = _invoke(client, durable_function, {"x": 1, "callback": True}, InvocationType="Event")
    arn = started["DurableExecutionArn"]
    _callback_id(client, arn)
    stopped = client.stop_durable_execution(
        DurableExecutionArn=arn, Error={"ErrorMessage": "enough"}
    )
    assert stopped["StopTimestamp"]
    execution = client.get_durable_execution(DurableExecutionArn=arn)
    assert execution["Status"] == "STOPPED"
    assert execution["Error"]["ErrorMessage"] == "enough"
    listed = client.list_durable_executions_by_function(
        FunctionName=durable_function, Statuses=["STOPPED"]
    )["DurableExecutions"]
    assert arn in [e["DurableExecutionArn"] for e in listed]
    assert all(e["Status"] == "STOPPED" for e in listed)
    everything: list[str] = []
    marker = None
    while True:
        page = client.list_durable_executions_by_function(
            FunctionName=durable_function, MaxItems=1, **({"Marker": marker} if marker else {})
        )
        assert len(page["DurableExecutions"]) <= 1
        everything += [e["DurableExecutionArn"] for e in page["DurableExecutions"]]
        marker = page.get("NextMarker")
        if not marker:
            break
    assert arn in everything and finished in everything
    assert len(everything) == len(set(everything)) >= 2


def test_unknown_execution_and_stale_token(client: Any, durable_function: str) -> None:
    answer = _invoke(client, durable_function, {"x": 1})
    arn = answer["DurableExecutionArn"]
    missing = arn.rsplit("/", 1)[0] + "/0000"
    with pytest.raises(ClientError) as caught:
        client.get_durable_execution(DurableExecutionArn=missing)
    assert caught.value.response["Error"]["Code"] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as caught:
        client.checkpoint_durable_execution(
            DurableExecutionArn=arn, CheckpointToken="AAAA", Updates=[]
        )
    error = caught.value.response["Error"]
    assert error["Code"] == "InvalidParameterValueException"
    assert error["Message"].startswith("Invalid checkpoint token")


def test_kill_during_a_wait_loses_nothing(tmp_path: Path) -> None:
    def daemon() -> LambdadProcess:
        return LambdadProcess(
            data_dir=tmp_path / "data",
            log_path=tmp_path / "lambdad.log",
            env={"LAMBDAD_DURABLE_TIME_SCALE": "0.003"},  # the hour: about 11 seconds
        ).start()

    first = daemon()
    try:
        client = first.lambda_client()
        name = f"durable-kill-{uuid.uuid4().hex[:6]}"
        create_function(
            client,
            name,
            make_zip({"app.py": HANDLER}),
            Timeout=60,
            DurableConfig={"ExecutionTimeout": 600},
        )
        settled(client, name)
        arn = _invoke(client, name, {"x": 41}, InvocationType="Event")["DurableExecutionArn"]
        wait_for(
            lambda: "WaitStarted" in [e["EventType"] for e in history(client, arn)], timeout=60
        )
    finally:
        first.kill()
    second = daemon()
    try:
        client = second.lambda_client()
        wait_for(lambda: _status(client, arn) != "RUNNING", timeout=90)
        execution = client.get_durable_execution(DurableExecutionArn=arn)
        assert execution["Status"] == "SUCCEEDED"
        assert json.loads(execution["Result"]) == {"v": 42}
        kinds = [e["EventType"] for e in history(client, arn)]
        assert kinds.count("ExecutionSucceeded") == 1
        assert kinds.count("WaitSucceeded") == 1
    finally:
        second.stop()


CHAIN_HANDLER = (
    CHECKPOINTING_PREAMBLE
    + """
    if data.get("state"):
        checkpoint([{"Id": "a", "Type": "STEP", "Action": "START"},
                    {"Id": "b", "Type": "STEP", "Action": "START"}])
        seen, marker = [], None
        while True:
            extra = {"Marker": marker} if marker else {}
            page = client.get_durable_execution_state(
                DurableExecutionArn=arn, CheckpointToken=token, MaxItems=1, **extra
            )
            seen += [op["Id"] for op in page["Operations"]]
            marker = page.get("NextMarker")
            if not marker:
                break
        return {"Status": "SUCCEEDED", "Result": json.dumps(seen)}
    if data.get("forever"):
        if "w" not in ops:
            checkpoint([{"Id": "w", "Type": "WAIT", "Action": "START",
                         "WaitOptions": {"WaitSeconds": 31622400}}])
        return {"Status": "PENDING"}
    if data.get("retry"):
        step = ops.get("r")
        if step is None or step["Status"] == "READY":
            checkpoint([{"Id": "r", "Type": "STEP", "Action": "START", "Name": "flaky"}])
            if ops["r"]["StepDetails"].get("Attempt", 0) < 2:
                checkpoint([{"Id": "r", "Type": "STEP", "Action": "RETRY",
                             "Error": {"ErrorMessage": "try again"},
                             "StepOptions": {"NextAttemptDelaySeconds": 30}}])
                return {"Status": "PENDING"}
            checkpoint([{"Id": "r", "Type": "STEP", "Action": "SUCCEED", "Payload": "3"}])
        if ops["r"]["Status"] != "SUCCEEDED":
            return {"Status": "PENDING"}
        return {"Status": "SUCCEEDED", "Result": json.dumps(ops["r"]["StepDetails"]["Attempt"])}
    if "i" not in ops:
        checkpoint([{"Id": "i", "Type": "CHAINED_INVOKE", "Action": "START", "Name": "call",
                     "Payload": json.dumps(data["input"]),
                     "ChainedInvokeOptions": {"FunctionName": data["target"]}}])
    invoke = ops["i"]
    if invoke["Status"] == "STARTED":
        return {"Status": "PENDING"}
    details = invoke.get("ChainedInvokeDetails", {})
    if invoke["Status"] != "SUCCEEDED":
        return {"Status": "FAILED", "Error": details.get("Error", {})}
    return {"Status": "SUCCEEDED", "Result": details["Result"]}
"""
)


@pytest.fixture(scope="module")
def chain_function(client: Any) -> str:
    name = f"durable-chain-{uuid.uuid4().hex[:6]}"
    create_function(
        client,
        name,
        make_zip({"app.py": CHAIN_HANDLER}),
        Timeout=60,
        DurableConfig={"ExecutionTimeout": 600},
    )
    settled(client, name)
    return name


def test_step_retry_runs_again_after_its_delay(client: Any, chain_function: str) -> None:
    answer = _invoke(client, chain_function, {"retry": True})
    assert json.loads(answer["Payload"].read()) == 3
    events = history(client, answer["DurableExecutionArn"])
    failed = [e for e in events if e["EventType"] == "StepFailed"]
    assert [e["StepFailedDetails"]["RetryDetails"]["CurrentAttempt"] for e in failed] == [1, 2]
    assert failed[0]["StepFailedDetails"]["RetryDetails"]["NextAttemptDelaySeconds"] == 30
    succeeded = [e for e in events if e["EventType"] == "StepSucceeded"]
    assert succeeded[-1]["StepSucceededDetails"]["RetryDetails"]["CurrentAttempt"] == 3


def test_chained_invoke_of_a_plain_and_of_a_durable_function(
    client: Any, chain_function: str, durable_function: str
) -> None:
    plain = f"plain-{uuid.uuid4().hex[:6]}"
    create_function(client, plain)  # the echo handler
    settled(client, plain)
    answer = _invoke(client, chain_function, {"target": plain, "input": {"hello": 1}})
    assert "FunctionError" not in answer
    assert json.loads(answer["Payload"].read()) == {"hello": 1}
    events = history(client, answer["DurableExecutionArn"])
    kinds = [e["EventType"] for e in events]
    assert "ChainedInvokeStarted" in kinds and "ChainedInvokeSucceeded" in kinds
    started = next(e for e in events if e["EventType"] == "ChainedInvokeStarted")
    assert started["ChainedInvokeStartedDetails"]["FunctionName"] == plain
    assert started["ChainedInvokeStartedDetails"]["ExecutedVersion"] == "$LATEST"

    nested = _invoke(
        client, chain_function, {"target": f"{durable_function}:$LATEST", "input": {"x": 9}}
    )
    assert json.loads(nested["Payload"].read()) == {"v": 10}
    nested_events = history(client, nested["DurableExecutionArn"])
    child_arn = next(e for e in nested_events if e["EventType"] == "ChainedInvokeStarted")[
        "ChainedInvokeStartedDetails"
    ]["DurableExecutionArn"]
    assert client.get_durable_execution(DurableExecutionArn=child_arn)["Status"] == "SUCCEEDED"
    children = client.list_durable_executions_by_function(
        FunctionName=durable_function, Statuses=["SUCCEEDED"]
    )["DurableExecutions"]
    assert any(e["DurableExecutionName"].startswith("chained-") for e in children)

    missing = _invoke(client, chain_function, {"target": "no-such-fn", "input": {}})
    assert missing["FunctionError"] == "Unhandled"
    body = json.loads(missing["Payload"].read())
    assert "no-such-fn" in body["errorMessage"]


def test_execution_state_pages_for_the_running_invocation(client: Any, chain_function: str) -> None:
    answer = _invoke(client, chain_function, {"state": True})
    seen = json.loads(answer["Payload"].read())
    arn = answer["DurableExecutionArn"]
    assert seen == [arn.rsplit("/", 1)[1], "a", "b"]  # the EXECUTION operation first


def test_execution_timeout_closes_a_waiting_execution(client: Any) -> None:
    name = f"durable-timeout-{uuid.uuid4().hex[:6]}"
    create_function(
        client,
        name,
        make_zip({"app.py": CHAIN_HANDLER}),
        Timeout=30,
        DurableConfig={"ExecutionTimeout": 3},
    )
    settled(client, name)
    answer = _invoke(client, name, {"forever": True})
    assert answer["FunctionError"] == "Unhandled"
    arn = answer["DurableExecutionArn"]
    wait_for(lambda: _status(client, arn) != "RUNNING", timeout=60)
    execution = client.get_durable_execution(DurableExecutionArn=arn)
    assert execution["Status"] == "TIMED_OUT"
    assert "timed out" in execution["Error"]["ErrorMessage"]
    assert history(client, arn)[-1]["EventType"] == "ExecutionTimedOut"
