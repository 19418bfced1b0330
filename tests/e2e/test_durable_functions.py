"""Durable functions written with AWS's Durable Execution SDK, run by lambdad, driven by boto3.

The functions (durable_functions/workflows.py) use the unmodified SDK from PyPI, vendored into
their zip as a developer packages it; the daemon runs them as local processes here (Docker in
test_durable_docker.py). Time control (`LAMBDAD_DURABLE_TIME_SCALE`) shrinks every durable
wait, retry delay and callback timeout so a one-day wait takes seconds.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.e2e.durable_support import (
    TIME_SCALE,
    SdkRun,
    callback_id,
    create_durable,
    history,
    shape,
    start_daemon,
    wait_done,
    workflow_zip,
)
from tests.e2e.support import LambdadProcess

DAY = 86400


@pytest.fixture(scope="module")
def durable(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LambdadProcess]:
    process = start_daemon(tmp_path_factory.mktemp("durable"))
    yield process
    process.stop()


@pytest.fixture(scope="module")
def zip_bytes() -> bytes:
    return workflow_zip()


@pytest.fixture(scope="module")
def lam(durable: LambdadProcess) -> Any:
    return durable.lambda_client()


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def deploy(lam: Any, zip_bytes: bytes, handler: str) -> str:
    name = unique(handler.replace("_", "-"))
    create_durable(lam, name, handler, zip_bytes)
    return name


def invoke(lam: Any, name: str, payload: Any, **kwargs: Any) -> dict[str, Any]:
    response = lam.invoke(
        FunctionName=name, Qualifier="$LATEST", Payload=json.dumps(payload).encode(), **kwargs
    )
    response["Body"] = response.pop("Payload").read()
    return dict(response)


def start(lam: Any, name: str, payload: Any, execution_name: str | None = None) -> str:
    """An Event invoke: the execution's ARN."""
    response = invoke(
        lam,
        name,
        payload,
        InvocationType="Event",
        DurableExecutionName=execution_name or unique("run"),
    )
    assert response["StatusCode"] == 202
    return str(response["DurableExecutionArn"])


def test_steps_retry_and_wait_through_a_synchronous_invoke(lam: Any, zip_bytes: bytes) -> None:
    name = deploy(lam, zip_bytes, "steps")
    response = invoke(lam, name, {"order": "o-7"}, DurableExecutionName="order-o-7")

    assert response["StatusCode"] == 200
    assert "FunctionError" not in response
    assert json.loads(response["Body"]) == {"order": "o-7", "attempts": 2, "result": "shipped o-7"}
    arn = response["DurableExecutionArn"]
    assert f":function:{name}:$LATEST/durable-execution/order-o-7/" in arn
    execution = lam.get_durable_execution(DurableExecutionArn=arn)
    assert execution["Status"] == "SUCCEEDED"
    assert execution["DurableExecutionName"] == "order-o-7"
    assert json.loads(execution["Result"]) == json.loads(response["Body"])
    assert shape(history(lam, arn)) == [
        ("ExecutionStarted", "order-o-7"),
        ("StepStarted", "validate"),
        ("StepSucceeded", "validate"),
        ("StepStarted", "flaky"),
        ("StepFailed", "flaky"),
        ("StepStarted", "flaky"),
        ("StepSucceeded", "flaky"),
        ("WaitStarted", "cool-down"),
        ("WaitSucceeded", "cool-down"),
        ("StepStarted", "ship"),
        ("StepSucceeded", "ship"),
        ("ExecutionSucceeded", "order-o-7"),
    ]
    events = history(lam, arn, IncludeExecutionData=True)
    retried = next(e for e in events if e["EventType"] == "StepFailed")
    assert (
        "transient failure on attempt 1"
        in retried["StepFailedDetails"]["Error"]["Payload"]["ErrorMessage"]
    )
    # Each invocation of the execution (first run, after the retry delay, after the wait)
    # ends with an InvocationCompleted event.
    assert sum(e["EventType"] == "InvocationCompleted" for e in events) == 3


def test_a_one_day_wait_completes_in_seconds_with_time_control(lam: Any, zip_bytes: bytes) -> None:
    name = deploy(lam, zip_bytes, "long_wait")
    started = time.monotonic()
    arn = start(lam, name, {"wait_seconds": DAY})

    execution = wait_done(lam, arn, timeout=60)

    assert execution["Status"] == "SUCCEEDED"
    assert json.loads(execution["Result"]) == {"steps": ["before", "after"]}
    assert time.monotonic() - started >= DAY * TIME_SCALE * 0.9  # it did wait, scaled
    waited = next(e for e in history(lam, arn) if e["EventType"] == "WaitStarted")
    assert waited["WaitStartedDetails"]["Duration"] == DAY


@pytest.mark.parametrize(
    ("action", "status", "expected"),
    [
        ("success", "SUCCEEDED", "CallbackSucceeded"),
        ("failure", "FAILED", "CallbackFailed"),
        ("heartbeat", "SUCCEEDED", "CallbackSucceeded"),
        ("timeout", "FAILED", "CallbackTimedOut"),
    ],
)
def test_callbacks(lam: Any, zip_bytes: bytes, action: str, status: str, expected: str) -> None:
    name = deploy(lam, zip_bytes, "callback")
    payload: dict[str, int] = {}
    if action == "heartbeat":
        payload["heartbeat_timeout"] = int(2.5 / TIME_SCALE)  # the answer comes after 4 s
    if action == "timeout":
        payload["timeout"] = int(2 / TIME_SCALE)
    arn = start(lam, name, payload)
    token = callback_id(lam, arn)

    if action == "success":
        lam.send_durable_execution_callback_success(CallbackId=token, Result=b'{"ok": true}')
    elif action == "failure":
        lam.send_durable_execution_callback_failure(
            CallbackId=token, Error={"ErrorType": "Denied", "ErrorMessage": "no"}
        )
    elif action == "heartbeat":
        deadline = time.monotonic() + 4
        while time.monotonic() < deadline:
            lam.send_durable_execution_callback_heartbeat(CallbackId=token)
            time.sleep(0.5)
        lam.send_durable_execution_callback_success(CallbackId=token, Result=b'"late but alive"')

    execution = wait_done(lam, arn)
    assert execution["Status"] == status
    assert expected in [event for event, _ in shape(history(lam, arn))]
    if action == "success":
        assert json.loads(execution["Result"]) == {"approval": '{"ok": true}'}
    if action == "failure":
        assert execution["Error"]["ErrorMessage"] == "no"
    if status != "SUCCEEDED":
        # A callback that is over cannot be answered again.
        with pytest.raises(ClientError) as caught:
            lam.send_durable_execution_callback_success(CallbackId=token, Result=b"{}")
        assert caught.value.response["Error"]["Code"] in (
            "CallbackTimeoutException",
            "InvalidParameterValueException",
            "ResourceNotFoundException",
        )


def test_chained_invoke_of_another_lambdad_function(lam: Any, zip_bytes: bytes) -> None:
    target = unique("plain")
    lam.create_function(
        FunctionName=target,
        Runtime="python3.13",
        Role="r1",
        Handler="workflows.plain",
        Code={"ZipFile": zip_bytes},
    )
    name = deploy(lam, zip_bytes, "chained")

    execution = wait_done(lam, start(lam, name, {"target": target, "n": 21}))

    assert execution["Status"] == "SUCCEEDED"
    assert json.loads(execution["Result"]) == {"target_said": {"doubled": 42}}
    events = history(lam, execution["DurableExecutionArn"], IncludeExecutionData=True)
    assert [e for e, _ in shape(events) if e.startswith("ChainedInvoke")] == [
        "ChainedInvokeStarted",
        "ChainedInvokeSucceeded",
    ]
    started = next(e for e in events if e["EventType"] == "ChainedInvokeStarted")
    assert target in started["ChainedInvokeStartedDetails"]["FunctionName"]


def test_parallel_map_and_child_contexts(lam: Any, zip_bytes: bytes) -> None:
    name = deploy(lam, zip_bytes, "fanout")

    execution = wait_done(lam, start(lam, name, {"items": [2, 3, 4]}))

    assert execution["Status"] == "SUCCEEDED"
    assert json.loads(execution["Result"]) == {
        "parallel": ["branch-a", "branch-b", "branch-c"],
        "squares": [4, 9, 16],
        "child": "inner-done",
    }
    events = history(lam, execution["DurableExecutionArn"])
    contexts = {n for e, n in shape(events) if e == "ContextSucceeded"}
    assert {"fan", "squares", "child", "map-item-0", "map-item-2", "parallel-branch-1"} <= contexts
    by_id = {e["Id"]: e for e in events if e["EventType"] == "ContextStarted"}
    inner = next(e for e in events if e["EventType"] == "StepStarted" and e["Name"] == "inner-step")
    assert by_id[inner["ParentId"]]["Name"] == "child"


def test_a_failing_step_fails_the_execution(lam: Any, zip_bytes: bytes) -> None:
    name = deploy(lam, zip_bytes, "failing")
    response = invoke(lam, name, {"message": "kaput"}, DurableExecutionName=unique("f"))

    execution = lam.get_durable_execution(DurableExecutionArn=response["DurableExecutionArn"])
    assert execution["Status"] == "FAILED"
    assert execution["Error"]["ErrorMessage"] == "kaput"
    assert ("StepFailed", "boom") in shape(history(lam, execution["DurableExecutionArn"]))


def test_stop_durable_execution(lam: Any, zip_bytes: bytes) -> None:
    name = deploy(lam, zip_bytes, "callback")
    arn = start(lam, name, {})
    token = callback_id(lam, arn)

    stopped = lam.stop_durable_execution(
        DurableExecutionArn=arn, Error={"ErrorType": "Operator", "ErrorMessage": "enough"}
    )

    assert stopped["StopTimestamp"]
    execution = lam.get_durable_execution(DurableExecutionArn=arn)
    assert execution["Status"] == "STOPPED"
    assert shape(history(lam, arn))[-1][0] == "ExecutionStopped"
    # A stopped execution is never resumed: its callback can no longer be answered.
    with pytest.raises(ClientError):
        lam.send_durable_execution_callback_success(CallbackId=token, Result=b"{}")
    assert lam.get_durable_execution(DurableExecutionArn=arn)["Status"] == "STOPPED"


def test_execution_names_are_idempotent(lam: Any, zip_bytes: bytes) -> None:
    name = deploy(lam, zip_bytes, "callback")
    first = start(lam, name, {"n": 1}, execution_name="approval-1")

    assert start(lam, name, {"n": 1}, execution_name="approval-1") == first
    with pytest.raises(ClientError) as caught:
        start(lam, name, {"n": 2}, execution_name="approval-1")
    assert caught.value.response["Error"]["Code"] == "DurableExecutionAlreadyStartedException"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409
    listed = lam.list_durable_executions_by_function(FunctionName=name)["DurableExecutions"]
    assert [e["DurableExecutionArn"] for e in listed] == [first]
    lam.stop_durable_execution(DurableExecutionArn=first)


def test_paging_of_executions_and_history(lam: Any, zip_bytes: bytes) -> None:
    name = deploy(lam, zip_bytes, "steps")
    arns = [start(lam, name, {"order": f"o-{i}"}, execution_name=f"page-{i}") for i in range(3)]
    for arn in arns:
        wait_done(lam, arn)

    pages, seen, marker = 0, [], None
    while True:
        page = lam.list_durable_executions_by_function(
            FunctionName=name, MaxItems=1, **({"Marker": marker} if marker else {})
        )
        pages += 1
        seen += [e["DurableExecutionArn"] for e in page["DurableExecutions"]]
        marker = page.get("NextMarker")
        if not marker:
            break
    assert sorted(seen) == sorted(arns)
    assert pages >= 3
    succeeded = lam.list_durable_executions_by_function(FunctionName=name, Statuses=["SUCCEEDED"])
    assert len(succeeded["DurableExecutions"]) == 3
    assert not lam.list_durable_executions_by_function(FunctionName=name, Statuses=["RUNNING"])[
        "DurableExecutions"
    ]

    whole = history(lam, arns[0])
    paged = history(lam, arns[0], MaxItems=2)
    assert [e["EventId"] for e in paged] == [e["EventId"] for e in whole]
    backwards = history(lam, arns[0], ReverseOrder=True)
    assert [e["EventId"] for e in backwards] == [e["EventId"] for e in reversed(whole)]


def test_aws_cli_runs_and_inspects_a_durable_function(
    durable: LambdadProcess, lam: Any, zip_bytes: bytes, tmp_path: Path
) -> None:
    name = deploy(lam, zip_bytes, "callback")
    out = tmp_path / "out.json"
    started = durable.aws_json(
        "lambda",
        "invoke",
        "--function-name",
        f"{name}:$LATEST",
        "--invocation-type",
        "Event",
        "--durable-execution-name",
        "cli-run",
        "--payload",
        "{}",
        str(out),
    )
    arn = started["DurableExecutionArn"]
    token = callback_id(lam, arn)

    durable.aws(
        "lambda",
        "send-durable-execution-callback-success",
        "--callback-id",
        token,
        "--result",
        '"approved by cli"',
    )

    wait_done(lam, arn)  # polled with boto3: each CLI run costs seconds on a busy host
    execution = durable.aws_json("lambda", "get-durable-execution", "--durable-execution-arn", arn)
    assert execution["Status"] == "SUCCEEDED"
    assert execution["DurableExecutionName"] == "cli-run"
    assert json.loads(execution["Result"]) == {"approval": '"approved by cli"'}
    events = durable.aws_json(
        "lambda", "get-durable-execution-history", "--durable-execution-arn", arn
    )["Events"]
    assert ("CallbackSucceeded", "approval") in shape(events)


def normalized(ops: list[dict[str, Any]]) -> dict[str, tuple[Any, ...]]:
    return {
        op["id"]: (op["type"], op["sub_type"], op["name"], op["status"], op["parent"]) for op in ops
    }


def sequence(events: list[list[Any]]) -> list[tuple[str, Any]]:
    """Event types and names, less the invocations' bookkeeping and the execution's name."""
    return [
        (kind, None if kind.startswith("Execution") else name)
        for kind, name in events
        if kind != "InvocationCompleted"
    ]


# Workflow, input, callback answer, whether the event order is deterministic (parallel and
# map branches interleave differently from run to run).
COMPARED = [
    ("steps", {"order": "o-1"}, "", True),
    ("chained", {"n": 4}, "", True),
    ("fanout", {"items": [1, 2, 3]}, "", False),
    ("callback", {}, "success", True),
    ("callback", {}, "failure", True),
    ("failing", {}, "", True),
]


def test_testing_sdk_cloud_runner_against_lambdad_matches_its_local_runner(
    durable: LambdadProcess, lam: Any, zip_bytes: bytes
) -> None:
    target = unique("plain")
    lam.create_function(
        FunctionName=target,
        Runtime="python3.13",
        Role="r1",
        Handler="workflows.plain",
        Code={"ZipFile": zip_bytes},
    )
    local_jobs, cloud_jobs = [], []
    for handler, payload, callback, _ in COMPARED:
        if handler == "chained":
            payload = {**payload, "target": target}
        job = {"input": payload, "callback": callback, "timeout": 90}
        local_jobs.append({**job, "target": handler, "register": {target: "plain"}})
        cloud_jobs.append({**job, "target": f"{deploy(lam, zip_bytes, handler)}:$LATEST"})

    # Both runners at once: the local one needs nothing of lambdad.
    local_run = SdkRun("local", local_jobs)
    cloud_runs = SdkRun("cloud", cloud_jobs, "--endpoint", durable.endpoint).result()
    local_runs = local_run.result()

    for (handler, _, _, ordered), local, cloud in zip(
        COMPARED, local_runs, cloud_runs, strict=True
    ):
        assert (handler, cloud["status"]) == (handler, local["status"])
        assert (handler, cloud["result"]) == (handler, local["result"])
        assert (handler, (cloud["error"] or {}).get("ErrorMessage")) == (
            handler,
            (local["error"] or {}).get("ErrorMessage"),
        )
        assert (handler, normalized(cloud["operations"])) == (
            handler,
            normalized(local["operations"]),
        )
        if ordered:
            assert (handler, sequence(cloud["events"])) == (handler, sequence(local["events"]))
        else:
            assert (handler, sorted(sequence(cloud["events"]))) == (
                handler,
                sorted(sequence(local["events"])),
            )
