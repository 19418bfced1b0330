"""Durable executions: the rules of AWS Lambda's durable execution API, as pure functions.

An execution is a list of operations (AWS's `Operation` shape, kept as the JSON dicts the API
answers with, timestamps in epoch seconds) and a history of events. A checkpoint applies a
batch of `OperationUpdate`s to the operations (`apply_updates`): each update is validated
against the operation's current state with the messages AWS's service gives, changes the
operation, appends history events and may ask for something to happen later (`Effect`: a
timer, a chained invoke, the execution's end). The orchestrator (services/durable.py) stores
the results and carries the effects out.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from lambdad.daemon.domain.validation import check_range
from lambdad.daemon.errors import LambdaError, Reason, invalid_parameter, validation_error

# DurableConfig ranges (botocore's model) and the default retention (AWS's documentation).
EXECUTION_TIMEOUT_RANGE = (1, 31_622_400)
RETENTION_RANGE = (1, 90)
DEFAULT_RETENTION_DAYS = 14
# Not given by AWS's documentation for an absent ExecutionTimeout; one day locally.
DEFAULT_EXECUTION_TIMEOUT = 86_400
# A synchronous durable invocation waits at most this long (AWS: 15 minutes).
SYNC_INVOKE_LIMIT_S = 900

EXECUTION_NAME_PATTERN = re.compile(r"[a-zA-Z0-9_-]{1,64}")
OPERATION_ID_PATTERN = re.compile(r"[a-zA-Z0-9_-]{1,64}")
MAX_ERROR_BYTES = 32_768
MAX_CALLBACK_RESULT_BYTES = 262_144
MAX_PAGE_ITEMS = 1000
DEFAULT_HISTORY_PAGE = 100

INVALID_TOKEN = "Invalid checkpoint token"
# AWS's answer to a CreateFunction whose DurableConfig has no ExecutionTimeout (as quoted in
# aws/aws-lambda-dotnet#2453).
EXECUTION_TIMEOUT_REQUIRED = (
    "You cannot create a function with a durable configuration without an executionTimeout"
)
# Durable execution is chosen when a function is created (AWS allows DurableConfig on an
# existing function only if it already is durable). AWS's exact wording is not published;
# this message is lambdad's.
DURABLE_NOT_ADDABLE = (
    "You cannot add a durable configuration to an existing function. Durable execution can "
    "only be enabled when you create the function."
)

# Operation and execution statuses.
STARTED, PENDING, READY = "STARTED", "PENDING", "READY"
SUCCEEDED, FAILED, CANCELLED = "SUCCEEDED", "FAILED", "CANCELLED"
TIMED_OUT, STOPPED, RUNNING = "TIMED_OUT", "STOPPED", "RUNNING"
CLOSED_OPERATION = frozenset({SUCCEEDED, FAILED, CANCELLED, TIMED_OUT, STOPPED})
PAUSED, PAUSING, DELETING = "PAUSED", "PAUSING", "DELETING"
EXECUTION_STATUSES = (
    RUNNING,
    SUCCEEDED,
    FAILED,
    TIMED_OUT,
    STOPPED,
    DELETING,
    PAUSING,
    PAUSED,
)
# Executions that are still going (PAUSING is RUNNING/PAUSED with an invocation in progress).
OPEN_EXECUTION = frozenset({RUNNING, PAUSED})
CLOSED_EXECUTION = frozenset({SUCCEEDED, FAILED, TIMED_OUT, STOPPED})
# An execution with a paused execution timeout still times out this long after it started.
PAUSED_TIMEOUT_LIMIT_S = 366 * 86_400
# A retried Pause/Resume with the same client token is answered as done within this window.
CLIENT_TOKEN_WINDOW_S = 900
# Longest Pause/Resume reason.
MAX_REASON_CHARS = 1024

TYPES = ("EXECUTION", "CONTEXT", "STEP", "WAIT", "CALLBACK", "CHAINED_INVOKE")
ACTIONS = ("START", "SUCCEED", "FAIL", "RETRY", "CANCEL")
_VALID_ACTIONS = {
    "STEP": {"START", "SUCCEED", "FAIL", "RETRY"},
    "CONTEXT": {"START", "SUCCEED", "FAIL"},
    "WAIT": {"START", "CANCEL"},
    "CALLBACK": {"START"},
    "CHAINED_INVOKE": {"START"},
    "EXECUTION": {"SUCCEED", "FAIL"},
}
# History event name of each operation type.
_EVENT_PREFIX = {
    "EXECUTION": "Execution",
    "CONTEXT": "Context",
    "STEP": "Step",
    "WAIT": "Wait",
    "CALLBACK": "Callback",
    "CHAINED_INVOKE": "ChainedInvoke",
}
_STATUS_EVENT = {
    SUCCEEDED: "Succeeded",
    FAILED: "Failed",
    TIMED_OUT: "TimedOut",
    STOPPED: "Stopped",
    CANCELLED: "Cancelled",
}


# --------------------------------------------------------------------------- config
def check_durable_config(config: Mapping[str, Any]) -> None:
    """DurableConfig's ranges, as AWS's model states them."""
    timeout = config.get("ExecutionTimeout")
    if timeout is not None:
        check_range(timeout, "durableConfig.executionTimeout", EXECUTION_TIMEOUT_RANGE)
    retention = config.get("RetentionPeriodInDays")
    if retention is not None:
        check_range(retention, "durableConfig.retentionPeriodInDays", RETENTION_RANGE)


def with_defaults(
    config: Mapping[str, Any] | None, current: Mapping[str, Any] | None = None
) -> dict[str, Any] | None:
    """The stored DurableConfig: given members over the current ones over the defaults."""
    if config is None:
        return None
    merged: dict[str, Any] = {
        "ExecutionTimeout": DEFAULT_EXECUTION_TIMEOUT,
        "RetentionPeriodInDays": DEFAULT_RETENTION_DAYS,
    }
    merged.update({k: v for k, v in (current or {}).items() if v is not None})
    merged.update({k: v for k, v in config.items() if v is not None})
    return merged


def check_execution_name(name: str) -> None:
    """DurableExecutionName: 1 to 64 of [a-zA-Z0-9-_]."""
    if not EXECUTION_NAME_PATTERN.fullmatch(name):
        raise validation_error(
            name,
            "durableExecutionName",
            "Member must satisfy regular expression pattern: [a-zA-Z0-9-_]+",
        )


def sync_wait_limit(execution_timeout: int) -> float:
    """How long a RequestResponse invoke of a durable function waits for its result."""
    return float(min(SYNC_INVOKE_LIMIT_S, execution_timeout))


# ----------------------------------------------------------------- identifiers
def execution_arn(function_version_arn: str, name: str, execution_id: str) -> str:
    """arn:...:function:NAME:VERSION/durable-execution/NAME/ID."""
    return f"{function_version_arn}/durable-execution/{name}/{execution_id}"


_ARN = re.compile(
    r"arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\d{12}:function:[a-zA-Z0-9_-]+:"
    r"(\$LATEST(?:\.PUBLISHED)?|[0-9]+)/durable-execution/[a-zA-Z0-9_-]+/[a-zA-Z0-9_-]+"
)


def check_execution_arn(arn: str) -> None:
    """The DurableExecutionArn pattern of AWS's model."""
    if not _ARN.fullmatch(arn) or len(arn) > 1024:
        raise validation_error(
            arn,
            "durableExecutionArn",
            "Member must satisfy regular expression pattern: "
            r"arn:([a-zA-Z0-9-]+):lambda:([a-zA-Z0-9-]+):(\d{12}):function:([a-zA-Z0-9_-]+):"
            r"(\$LATEST(?:\.PUBLISHED)?|[0-9]+)/durable-execution/([a-zA-Z0-9_-]+)/"
            r"([a-zA-Z0-9_-]+)",
        )


def _b64(data: Mapping[str, Any]) -> str:
    return base64.b64encode(json.dumps(data, separators=(",", ":")).encode()).decode()


def _unb64(text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(base64.b64decode(text, validate=True))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    return value if isinstance(value, dict) else None


def checkpoint_token(arn: str, invocation: str, sequence: int) -> str:
    """An opaque token naming the invocation and how many checkpoints it made."""
    return _b64({"a": arn, "i": invocation, "s": sequence})


def parse_checkpoint_token(token: str) -> tuple[str, str, int] | None:
    """(arn, invocation, sequence) of a token, or None if it is not one."""
    data = _unb64(token)
    if data is None or not {"a", "i", "s"} <= data.keys():
        return None
    return str(data["a"]), str(data["i"]), int(data["s"])


def callback_id(arn: str, operation_id: str) -> str:
    """The CallbackId of a callback operation: names its execution and operation."""
    return _b64({"a": arn, "o": operation_id})


def parse_callback_id(text: str) -> tuple[str, str] | None:
    """(arn, operation id) of a CallbackId, or None."""
    data = _unb64(text)
    if data is None or not {"a", "o"} <= data.keys():
        return None
    return str(data["a"]), str(data["o"])


def error_object(message: str, error_type: str = "") -> dict[str, Any]:
    """An ErrorObject."""
    error: dict[str, Any] = {"ErrorMessage": message}
    if error_type:
        error["ErrorType"] = error_type
    return error


# ---------------------------------------------------------------- the checkpoint
@dataclass(frozen=True)
class Effect:
    """Something a checkpoint asks the orchestrator to do after storing it."""

    # "timer" (at `due`, for operation `operation_id`, `kind` WAIT/RETRY/CALLBACK_TIMEOUT/
    # CALLBACK_HEARTBEAT), "invoke" (a chained invoke of `target` with `payload`),
    # "cancel_timers" (of `operation_id`), "complete" (the execution ends: `status`, `result`,
    # `error`).
    what: str
    operation_id: str = ""
    kind: str = ""
    due: float = 0.0
    target: str = ""
    tenant_id: str = ""
    payload: str | None = None
    status: str = ""
    result: str | None = None
    error: dict[str, Any] | None = None


@dataclass
class CheckpointOutcome:
    """What applying a batch of updates changed."""

    # The operations changed (new dicts), by id, in the order they were changed.
    changed: dict[str, dict[str, Any]] = field(default_factory=dict)
    # History events to append (without EventId).
    events: list[dict[str, Any]] = field(default_factory=list)
    effects: list[Effect] = field(default_factory=list)


def event(
    event_type: str, timestamp: float, operation: Mapping[str, Any] | None, **details: Any
) -> dict[str, Any]:
    """A history event of `operation` (None for InvocationCompleted)."""
    item: dict[str, Any] = {"EventType": event_type, "EventTimestamp": timestamp}
    if operation is not None:
        item["Id"] = operation["Id"]
        for member in ("Name", "ParentId", "SubType"):
            if operation.get(member) is not None:
                item[member] = operation[member]
    if details:
        item[_details_member(event_type)] = details
    else:
        item[_details_member(event_type)] = {}
    return item


def _details_member(event_type: str) -> str:
    return f"{event_type}Details"


def result_payload(payload: str | None) -> dict[str, Any]:
    """An EventResult / EventInput: {Payload}."""
    return {"Payload": payload if payload is not None else ""}


def error_payload(error: Mapping[str, Any] | None) -> dict[str, Any]:
    """An EventError: {Payload: ErrorObject}."""
    return {"Payload": dict(error or {})}


def apply_updates(
    operations: Mapping[str, dict[str, Any]],
    updates: Sequence[Mapping[str, Any]],
    *,
    arn: str,
    now: float,
    time_scale: float,
) -> CheckpointOutcome:
    """Apply a checkpoint's updates to `operations` (by id); raise AWS's error for a bad one.

    Every update is checked before any is applied, so a refused batch changes nothing.
    `time_scale` multiplies the delays of waits, retries and callback timeouts (lambdad's
    local time control); the durations recorded in history stay the requested ones.
    """
    _check_batch(operations, updates)
    outcome = CheckpointOutcome()
    current = dict(operations)
    for update in updates:
        op_id = update["Id"]
        previous = current.get(op_id)
        operation = _apply_one(previous, update, arn, now, time_scale, outcome)
        if operation is not None:
            current[op_id] = operation
            outcome.changed[op_id] = operation
    return outcome


def _check_batch(
    operations: Mapping[str, Mapping[str, Any]], updates: Sequence[Mapping[str, Any]]
) -> None:
    executions = [u for u in updates if u.get("Type") == "EXECUTION"]
    if len(executions) > 1:
        raise invalid_parameter("Cannot checkpoint multiple EXECUTION updates.")
    if executions and updates[-1].get("Type") != "EXECUTION":
        raise invalid_parameter("EXECUTION checkpoint must be the last update.")
    started: dict[str, Mapping[str, Any]] = {}
    last_seen: dict[str, Mapping[str, Any]] = {}
    for update in updates:
        op_id = update.get("Id", "")
        if not OPERATION_ID_PATTERN.fullmatch(op_id or ""):
            raise validation_error(
                op_id,
                "updates.member.id",
                "Member must satisfy regular expression pattern: [a-zA-Z0-9-_]+",
            )
        op_type = update.get("Type")
        if op_type not in TYPES:
            raise validation_error(
                op_type,
                "updates.member.type",
                f"Member must satisfy enum value set: [{', '.join(TYPES)}]",
            )
        if update.get("Action") not in ACTIONS:
            raise validation_error(
                update.get("Action"),
                "updates.member.action",
                f"Member must satisfy enum value set: [{', '.join(ACTIONS)}]",
            )
        last = last_seen.get(op_id)
        if last is not None and not (
            last.get("Type") in ("STEP", "CONTEXT")
            and last.get("Action") == "START"
            and update.get("Action") != "START"
        ):
            raise invalid_parameter("Cannot checkpoint multiple operations with the same ID.")
        parent = update.get("ParentId")
        if parent is not None:
            parent_type = (started.get(parent) or operations.get(parent) or {}).get("Type")
            if parent_type != "CONTEXT":
                raise invalid_parameter("Invalid parent operation id.")
        if update.get("Action") == "START":
            started[op_id] = update
        last_seen[op_id] = update
        _check_update(operations.get(op_id), update)


def _check_update(current: Mapping[str, Any] | None, update: Mapping[str, Any]) -> None:
    op_type, action = update["Type"], update["Action"]
    if current is not None and op_type != "EXECUTION":
        for member, what in (
            ("Type", "operation type"),
            ("SubType", "operation subtype"),
            ("Name", "operation name"),
            ("ParentId", "parent operation id"),
        ):
            if update.get(member) is not None and update.get(member) != current.get(member):
                raise invalid_parameter(f"Inconsistent {what}.")
    error = update.get("Error")
    if error is not None and len(json.dumps(error)) > MAX_ERROR_BYTES:
        raise invalid_parameter(f"Error object size must be less than {MAX_ERROR_BYTES} bytes.")
    if action not in _VALID_ACTIONS[op_type]:
        raise invalid_parameter("Invalid action for the given operation type.")
    status = current.get("Status") if current is not None else None
    if action == "FAIL" and update.get("Payload") is not None:
        raise invalid_parameter("Cannot provide a Payload for FAIL action.")
    if action == "SUCCEED" and error is not None:
        raise invalid_parameter("Cannot provide an Error for SUCCEED action.")
    if op_type == "STEP" and current is not None:
        if action == "START" and status != READY:
            raise invalid_parameter("Invalid current STEP state to start.")
        if action in ("SUCCEED", "FAIL") and status not in (STARTED, READY):
            raise invalid_parameter("Invalid current STEP state to close.")
        if action == "RETRY" and status not in (STARTED, READY):
            raise invalid_parameter("Invalid current STEP state to re-attempt.")
    if op_type == "STEP" and action == "RETRY":
        if update.get("StepOptions") is None:
            raise invalid_parameter("Invalid StepOptions for the given action.")
        if error is not None and update.get("Payload") is not None:
            raise invalid_parameter("Cannot provide both error and payload to RETRY a STEP.")
    if op_type == "CONTEXT":
        if action == "START" and current is not None:
            raise invalid_parameter("Cannot start a CONTEXT that already exist.")
        if action in ("SUCCEED", "FAIL") and current is not None and status != STARTED:
            raise invalid_parameter("Invalid current CONTEXT state to close.")
    if op_type == "WAIT":
        if action == "START" and current is not None:
            raise invalid_parameter("Cannot start a WAIT that already exist.")
        if action == "CANCEL" and (current is None or status != STARTED):
            raise invalid_parameter(
                "Cannot cancel a WAIT that does not exist or has already completed."
            )
        if action == "START" and not (update.get("WaitOptions") or {}).get("WaitSeconds"):
            raise invalid_parameter("Invalid WaitOptions for the given action.")
    if op_type == "CALLBACK" and current is not None:
        raise invalid_parameter("Cannot start a CALLBACK that already exist.")
    if op_type == "CHAINED_INVOKE":
        if current is not None:
            raise invalid_parameter("Cannot start a CHAINED_INVOKE operation that already exists.")
        if not (update.get("ChainedInvokeOptions") or {}).get("FunctionName"):
            raise invalid_parameter(
                "Update for CHAINED_INVOKE operation requires ChainedInvokeOptions."
            )


def _base(update: Mapping[str, Any], previous: Mapping[str, Any] | None, now: float) -> dict:
    operation: dict[str, Any] = dict(previous or {})
    operation["Id"] = update["Id"]
    operation["Type"] = update["Type"]
    for member in ("ParentId", "Name", "SubType"):
        if update.get(member) is not None:
            operation[member] = update[member]
    operation.setdefault("StartTimestamp", now)
    return operation


def _close(operation: dict[str, Any], status: str, now: float) -> None:
    operation["Status"] = status
    operation["EndTimestamp"] = now


def _apply_one(
    previous: dict[str, Any] | None,
    update: Mapping[str, Any],
    arn: str,
    now: float,
    scale: float,
    outcome: CheckpointOutcome,
) -> dict[str, Any] | None:
    op_type, action = update["Type"], update["Action"]
    payload, error = update.get("Payload"), update.get("Error")
    events, effects = outcome.events, outcome.effects
    if op_type == "EXECUTION":
        status = SUCCEEDED if action == "SUCCEED" else FAILED
        effects.append(Effect("complete", status=status, result=payload, error=error))
        return None
    operation = _base(update, previous, now)
    prefix = _EVENT_PREFIX[op_type]
    if op_type == "STEP":
        details = dict(operation.get("StepDetails") or {})
        attempt = int(details.get("Attempt", 0))
        if action == "START":
            operation["Status"] = STARTED
            operation["StepDetails"] = {**details, "Attempt": attempt}
            events.append(event("StepStarted", now, operation))
        elif action == "RETRY":
            delay = int((update.get("StepOptions") or {}).get("NextAttemptDelaySeconds") or 0)
            due = now + delay * scale
            details = {"Attempt": attempt + 1, "NextAttemptTimestamp": due}
            if payload is not None:
                details["Result"] = payload
            if error is not None:
                details["Error"] = error
            operation["Status"] = PENDING
            operation.pop("EndTimestamp", None)
            operation["StepDetails"] = details
            retry = {"CurrentAttempt": attempt + 1, "NextAttemptDelaySeconds": delay}
            if error is not None:
                events.append(
                    event(
                        "StepFailed", now, operation, Error=error_payload(error), RetryDetails=retry
                    )
                )
            else:
                events.append(
                    event(
                        "StepSucceeded",
                        now,
                        operation,
                        Result=result_payload(payload),
                        RetryDetails=retry,
                    )
                )
            effects.append(Effect("timer", operation_id=update["Id"], kind="RETRY", due=due))
        else:
            succeeded = action == "SUCCEED"
            _close(operation, SUCCEEDED if succeeded else FAILED, now)
            details = {"Attempt": attempt + 1}
            retry = {"CurrentAttempt": attempt + 1}
            if succeeded:
                details["Result"] = payload if payload is not None else ""
                events.append(
                    event(
                        "StepSucceeded",
                        now,
                        operation,
                        Result=result_payload(payload),
                        RetryDetails=retry,
                    )
                )
            else:
                details["Error"] = error or {}
                events.append(
                    event(
                        "StepFailed", now, operation, Error=error_payload(error), RetryDetails=retry
                    )
                )
            operation["StepDetails"] = details
    elif op_type == "CONTEXT":
        details = dict(operation.get("ContextDetails") or {})
        replay = (update.get("ContextOptions") or {}).get("ReplayChildren")
        if replay is not None:
            details["ReplayChildren"] = replay
        if action == "START":
            operation["Status"] = STARTED
            events.append(event("ContextStarted", now, operation))
        elif action == "SUCCEED":
            _close(operation, SUCCEEDED, now)
            details["Result"] = payload if payload is not None else ""
            events.append(event("ContextSucceeded", now, operation, Result=result_payload(payload)))
        else:
            _close(operation, FAILED, now)
            details["Error"] = error or {}
            events.append(event("ContextFailed", now, operation, Error=error_payload(error)))
        if details:
            operation["ContextDetails"] = details
    elif op_type == "WAIT":
        if action == "START":
            seconds = int((update.get("WaitOptions") or {}).get("WaitSeconds") or 0)
            due = now + seconds * scale
            operation["Status"] = STARTED
            operation["WaitDetails"] = {"ScheduledEndTimestamp": due}
            events.append(
                event("WaitStarted", now, operation, Duration=seconds, ScheduledEndTimestamp=due)
            )
            effects.append(
                Effect(
                    "timer", operation_id=update["Id"], kind="WAIT", due=due, payload=str(seconds)
                )
            )
        else:
            _close(operation, CANCELLED, now)
            events.append(event("WaitCancelled", now, operation, Error=error_payload(error)))
            effects.append(Effect("cancel_timers", operation_id=update["Id"]))
    elif op_type == "CALLBACK":
        options = update.get("CallbackOptions") or {}
        timeout = int(options.get("TimeoutSeconds") or 0)
        heartbeat = int(options.get("HeartbeatTimeoutSeconds") or 0)
        operation["Status"] = STARTED
        identifier = callback_id(arn, update["Id"])
        operation["CallbackDetails"] = {"CallbackId": identifier}
        details = {"CallbackId": identifier}
        if heartbeat:
            details["HeartbeatTimeout"] = heartbeat
            effects.append(
                Effect(
                    "timer",
                    operation_id=update["Id"],
                    kind="CALLBACK_HEARTBEAT",
                    due=now + heartbeat * scale,
                )
            )
        if timeout:
            details["Timeout"] = timeout
            effects.append(
                Effect(
                    "timer",
                    operation_id=update["Id"],
                    kind="CALLBACK_TIMEOUT",
                    due=now + timeout * scale,
                )
            )
        events.append(event("CallbackStarted", now, operation, **details))
    elif op_type == "CHAINED_INVOKE":
        options = update.get("ChainedInvokeOptions") or {}
        operation["Status"] = STARTED
        operation["ChainedInvokeDetails"] = {}
        started: dict[str, Any] = {"FunctionName": options["FunctionName"]}
        if options.get("TenantId"):
            started["TenantId"] = options["TenantId"]
        started["Input"] = result_payload(payload)
        events.append(event("ChainedInvokeStarted", now, operation, **started))
        effects.append(
            Effect(
                "invoke",
                operation_id=update["Id"],
                target=options["FunctionName"],
                tenant_id=options.get("TenantId") or "",
                payload=payload,
            )
        )
    del prefix
    return operation


# ----------------------------------------------------- asynchronous completions
def complete_operation(
    operation: Mapping[str, Any],
    status: str,
    now: float,
    *,
    result: str | None = None,
    error: Mapping[str, Any] | None = None,
    duration: int | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Close a WAIT, CALLBACK or CHAINED_INVOKE from outside the handler; (operation, event)."""
    updated = dict(operation)
    _close(updated, status, now)
    op_type = updated["Type"]
    name = _EVENT_PREFIX[op_type] + _STATUS_EVENT[status]
    if op_type == "WAIT":
        started = float(updated.get("StartTimestamp") or now)
        scheduled = float((updated.get("WaitDetails") or {}).get("ScheduledEndTimestamp") or now)
        if duration is None:
            duration = round(scheduled - started)
        return updated, event(name, now, updated, Duration=duration)
    details_member = {"CALLBACK": "CallbackDetails", "CHAINED_INVOKE": "ChainedInvokeDetails"}[
        op_type
    ]
    details = dict(updated.get(details_member) or {})
    if status == SUCCEEDED:
        details["Result"] = result if result is not None else ""
        updated[details_member] = details
        return updated, event(name, now, updated, Result=result_payload(result))
    details["Error"] = dict(error or {})
    updated[details_member] = details
    return updated, event(name, now, updated, Error=error_payload(error))


def step_ready(operation: Mapping[str, Any]) -> dict[str, Any]:
    """A retried step whose delay is over: READY for its next attempt."""
    updated = dict(operation)
    updated["Status"] = READY
    return updated


def has_pending_work(operations: Sequence[Mapping[str, Any]]) -> bool:
    """Whether something can still wake the execution (a PENDING answer is then valid)."""
    for operation in operations:
        status, op_type = operation.get("Status"), operation.get("Type")
        if op_type in ("WAIT", "CALLBACK", "CHAINED_INVOKE") and status == STARTED:
            return True
        if op_type == "STEP" and status in (PENDING, READY):
            return True
    return False


# ------------------------------------------------------------------- history view
def redact_event(item: Mapping[str, Any], include_data: bool) -> dict[str, Any]:
    """An event as GetDurableExecutionHistory shows it: payloads only with IncludeExecutionData."""
    shown = json.loads(json.dumps(item))
    if include_data:
        return shown
    for value in shown.values():
        if isinstance(value, dict):
            for member in ("Input", "Result", "Error", "Reason"):
                part = value.get(member)
                if isinstance(part, dict) and "Payload" in part:
                    value[member] = {"Truncated": True}
    return shown


def invocation_input(
    arn: str, token: str, operations: Sequence[Mapping[str, Any]], next_marker: str = ""
) -> dict[str, Any]:
    """The event a durable function's handler receives (timestamps in epoch milliseconds)."""
    return {
        "DurableExecutionArn": arn,
        "CheckpointToken": token,
        "InitialExecutionState": {
            "Operations": [_millis(op) for op in operations],
            "NextMarker": next_marker,
        },
    }


def _millis(operation: Mapping[str, Any]) -> dict[str, Any]:
    shown = json.loads(json.dumps(operation))
    for member in ("StartTimestamp", "EndTimestamp"):
        if shown.get(member) is not None:
            shown[member] = int(shown[member] * 1000)
    step = shown.get("StepDetails") or {}
    if step.get("NextAttemptTimestamp") is not None:
        step["NextAttemptTimestamp"] = int(step["NextAttemptTimestamp"] * 1000)
    wait = shown.get("WaitDetails") or {}
    if wait.get("ScheduledEndTimestamp") is not None:
        wait["ScheduledEndTimestamp"] = int(wait["ScheduledEndTimestamp"] * 1000)
    return shown


@dataclass(frozen=True)
class HandlerAnswer:
    """What a durable handler's invocation returned, interpreted."""

    # SUCCEEDED, FAILED or PENDING; "" when the answer was not a durable output.
    status: str
    result: str | None = None
    error: dict[str, Any] | None = None
    problem: str = ""  # why the answer is invalid, when it is


def read_answer(payload: bytes, function_error: str | None) -> HandlerAnswer:
    """Interpret a handler invocation's result payload."""
    if function_error:
        try:
            body = json.loads(payload or b"{}")
        except ValueError:
            body = {}
        body = body if isinstance(body, dict) else {}
        return HandlerAnswer(
            "",
            error=error_object(
                str(body.get("errorMessage") or "The invocation failed."),
                str(body.get("errorType") or function_error),
            ),
            problem="function error",
        )
    try:
        body = json.loads(payload or b"null")
    except ValueError:
        body = None
    if not isinstance(body, dict) or body.get("Status") not in (SUCCEEDED, FAILED, PENDING):
        return HandlerAnswer(
            "",
            error=error_object(
                "The durable function returned an invalid response.",
                "InvalidParameterValueException",
            ),
            problem="invalid output",
        )
    result = body.get("Result")
    error = body.get("Error")
    return HandlerAnswer(
        body["Status"],
        result=result if isinstance(result, str) else None,
        error=error if isinstance(error, dict) else None,
    )


def not_found(arn: str) -> LambdaError:
    """ResourceNotFoundException for an unknown execution."""
    return LambdaError(Reason.RESOURCE_NOT_FOUND, f"Durable execution not found: {arn}")
