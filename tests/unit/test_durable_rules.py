"""The durable execution rules (domain/durable.py): checkpoints, completions, answers."""

from __future__ import annotations

import json
from typing import Any

import pytest

from lambdad.daemon.domain import durable as rules
from lambdad.daemon.errors import LambdaError, Reason

ARN = "arn:aws:lambda:us-east-1:000000000000:function:f:1/durable-execution/n/abc"


def _apply(ops: dict[str, Any], *updates: dict[str, Any], scale: float = 1.0) -> Any:
    return rules.apply_updates(ops, list(updates), arn=ARN, now=100.0, time_scale=scale)


def _refused(ops: dict[str, Any], *updates: dict[str, Any]) -> str:
    with pytest.raises(LambdaError) as caught:
        _apply(ops, *updates)
    assert caught.value.reason is Reason.INVALID_PARAMETER_VALUE
    return caught.value.message


def test_step_start_and_succeed_in_one_batch() -> None:
    outcome = _apply(
        {},
        {"Id": "s", "Type": "STEP", "Action": "START", "Name": "n"},
        {"Id": "s", "Type": "STEP", "Action": "SUCCEED", "Payload": "1"},
    )
    step = outcome.changed["s"]
    assert step["Status"] == "SUCCEEDED"
    assert step["StepDetails"] == {"Attempt": 1, "Result": "1"}
    assert step["Name"] == "n"
    assert [e["EventType"] for e in outcome.events] == ["StepStarted", "StepSucceeded"]
    assert outcome.events[1]["StepSucceededDetails"]["RetryDetails"] == {"CurrentAttempt": 1}


def test_step_retry_is_pending_until_its_timer_then_ready() -> None:
    started = _apply({}, {"Id": "s", "Type": "STEP", "Action": "START"}).changed
    outcome = _apply(
        started,
        {
            "Id": "s",
            "Type": "STEP",
            "Action": "RETRY",
            "Error": {"ErrorMessage": "boom"},
            "StepOptions": {"NextAttemptDelaySeconds": 10},
        },
        scale=0.5,
    )
    step = outcome.changed["s"]
    assert step["Status"] == "PENDING"
    assert step["StepDetails"]["Attempt"] == 1
    assert step["StepDetails"]["NextAttemptTimestamp"] == 105.0
    assert outcome.effects == [rules.Effect("timer", operation_id="s", kind="RETRY", due=105.0)]
    failed = outcome.events[0]
    assert failed["EventType"] == "StepFailed"
    assert failed["StepFailedDetails"]["RetryDetails"] == {
        "CurrentAttempt": 1,
        "NextAttemptDelaySeconds": 10,
    }
    ready = rules.step_ready(step)
    assert ready["Status"] == "READY"
    again = _apply({"s": ready}, {"Id": "s", "Type": "STEP", "Action": "START"}).changed["s"]
    assert again["Status"] == "STARTED"
    assert rules.has_pending_work([step])


def test_wait_start_arms_a_scaled_timer_and_completes() -> None:
    outcome = _apply(
        {},
        {"Id": "w", "Type": "WAIT", "Action": "START", "WaitOptions": {"WaitSeconds": 60}},
        scale=0.0,
    )
    wait = outcome.changed["w"]
    assert wait["WaitDetails"]["ScheduledEndTimestamp"] == 100.0
    assert outcome.events[0]["WaitStartedDetails"]["Duration"] == 60
    assert outcome.effects[0].kind == "WAIT"
    done, item = rules.complete_operation(wait, rules.SUCCEEDED, 101.0)
    assert done["Status"] == "SUCCEEDED" and done["EndTimestamp"] == 101.0
    assert item["EventType"] == "WaitSucceeded"


def test_callback_gets_an_id_naming_its_execution_and_timeouts() -> None:
    outcome = _apply(
        {},
        {
            "Id": "c",
            "Type": "CALLBACK",
            "Action": "START",
            "CallbackOptions": {"TimeoutSeconds": 30, "HeartbeatTimeoutSeconds": 5},
        },
    )
    callback = outcome.changed["c"]["CallbackDetails"]["CallbackId"]
    assert rules.parse_callback_id(callback) == (ARN, "c")
    assert {e.kind for e in outcome.effects} == {"CALLBACK_TIMEOUT", "CALLBACK_HEARTBEAT"}
    details = outcome.events[0]["CallbackStartedDetails"]
    assert details == {"CallbackId": callback, "HeartbeatTimeout": 5, "Timeout": 30}


def test_execution_update_completes_and_must_be_last() -> None:
    outcome = _apply({}, {"Id": "e", "Type": "EXECUTION", "Action": "SUCCEED", "Payload": "9"})
    assert outcome.effects == [rules.Effect("complete", status="SUCCEEDED", result="9")]
    message = _refused(
        {},
        {"Id": "e", "Type": "EXECUTION", "Action": "SUCCEED"},
        {"Id": "s", "Type": "STEP", "Action": "START"},
    )
    assert message == "EXECUTION checkpoint must be the last update."


@pytest.mark.parametrize(
    ("ops", "updates", "message"),
    [
        (
            {},
            [{"Id": "w", "Type": "WAIT", "Action": "CANCEL"}],
            "Cannot cancel a WAIT that does not exist or has already completed.",
        ),
        (
            {"s": {"Id": "s", "Type": "STEP", "Status": "SUCCEEDED"}},
            [{"Id": "s", "Type": "STEP", "Action": "SUCCEED"}],
            "Invalid current STEP state to close.",
        ),
        (
            {},
            [{"Id": "s", "Type": "STEP", "Action": "START", "ParentId": "nope"}],
            "Invalid parent operation id.",
        ),
        (
            {},
            [
                {"Id": "w", "Type": "WAIT", "Action": "START", "WaitOptions": {"WaitSeconds": 1}},
                {"Id": "w", "Type": "WAIT", "Action": "CANCEL"},
            ],
            "Cannot checkpoint multiple operations with the same ID.",
        ),
        (
            {"s": {"Id": "s", "Type": "STEP", "Status": "STARTED", "Name": "a"}},
            [{"Id": "s", "Type": "STEP", "Action": "SUCCEED", "Name": "b"}],
            "Inconsistent operation name.",
        ),
        (
            {},
            [{"Id": "c", "Type": "CALLBACK", "Action": "SUCCEED"}],
            "Invalid action for the given operation type.",
        ),
        (
            {},
            [{"Id": "s", "Type": "STEP", "Action": "FAIL", "Payload": "x"}],
            "Cannot provide a Payload for FAIL action.",
        ),
        (
            {},
            [{"Id": "i", "Type": "CHAINED_INVOKE", "Action": "START"}],
            "Update for CHAINED_INVOKE operation requires ChainedInvokeOptions.",
        ),
    ],
)
def test_invalid_updates_are_refused_with_aws_messages(
    ops: dict[str, Any], updates: list[dict[str, Any]], message: str
) -> None:
    assert _refused(ops, *updates) == message


def test_children_of_a_context_started_in_the_same_batch_are_accepted() -> None:
    outcome = _apply(
        {},
        {"Id": "ctx", "Type": "CONTEXT", "Action": "START"},
        {"Id": "s", "Type": "STEP", "Action": "START", "ParentId": "ctx"},
    )
    assert outcome.changed["s"]["ParentId"] == "ctx"


def test_tokens_round_trip_and_reject_garbage() -> None:
    token = rules.checkpoint_token(ARN, "inv", 3)
    assert rules.parse_checkpoint_token(token) == (ARN, "inv", 3)
    assert rules.parse_checkpoint_token("AAAA") is None
    assert rules.parse_callback_id("not base64!") is None


def test_handler_answers() -> None:
    assert rules.read_answer(b'{"Status": "PENDING"}', None).status == "PENDING"
    done = rules.read_answer(json.dumps({"Status": "SUCCEEDED", "Result": "1"}).encode(), None)
    assert (done.status, done.result) == ("SUCCEEDED", "1")
    crashed = rules.read_answer(b'{"errorMessage": "x", "errorType": "E"}', "Unhandled")
    assert crashed.problem and crashed.error == {"ErrorMessage": "x", "ErrorType": "E"}
    assert rules.read_answer(b'{"hello": 1}', None).problem == "invalid output"


def test_invocation_input_uses_milliseconds() -> None:
    envelope = rules.invocation_input(
        ARN, "t", [{"Id": "w", "StartTimestamp": 1.5, "WaitDetails": {"ScheduledEndTimestamp": 2}}]
    )
    op = envelope["InitialExecutionState"]["Operations"][0]
    assert op["StartTimestamp"] == 1500
    assert op["WaitDetails"]["ScheduledEndTimestamp"] == 2000


def test_history_redaction_keeps_the_shape() -> None:
    item = {"EventType": "StepSucceeded", "StepSucceededDetails": {"Result": {"Payload": "1"}}}
    assert rules.redact_event(item, False)["StepSucceededDetails"]["Result"] == {"Truncated": True}
    assert rules.redact_event(item, True) == item


def test_durable_config_ranges_and_defaults() -> None:
    with pytest.raises(LambdaError) as caught:
        rules.check_durable_config({"ExecutionTimeout": 0})
    assert caught.value.reason is Reason.VALIDATION
    assert rules.with_defaults({"ExecutionTimeout": 5}) == {
        "ExecutionTimeout": 5,
        "RetentionPeriodInDays": 14,
    }
    assert rules.with_defaults(None) is None
    assert rules.sync_wait_limit(31_622_400) == 900
