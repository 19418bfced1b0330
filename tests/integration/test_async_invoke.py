"""Async invocation settings (FunctionEventInvokeConfig) and the Event path that follows them.

Real Python functions on the process executor, through the in-process daemon's gRPC API: the
Put/Update/Get/Delete/List round trip with qualifiers, AWS's error catalogue for them, retries
counted by the function itself (it appends to a file in a directory it gets through its
environment), and OnSuccess/OnFailure destination functions receiving AWS's invocation record.
"""

from __future__ import annotations

import asyncio
import json
import textwrap
import time
import uuid
from collections.abc import AsyncIterator, Awaitable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import grpc
import pytest

from lambdad.client import (
    AsyncLambdadClient,
    FunctionNotFoundError,
    InvalidParameterValueError,
    LambdadError,
    ResourceNotFoundError,
    ValidationError,
)
from lambdad.daemon.services import event_dispatcher
from lambdad.v1 import function_pb2 as fpb
from lambdad.v1 import function_service_pb2 as fs
from lambdad.v1 import invocation_service_pb2 as ipb
from tests.helpers import async_wait_for, make_zip
from tests.integration.support import wait_active

ARN = "arn:aws:lambda:us-east-1:000000000000:function"

# MODE=fail: count the attempt, then raise; MODE=ok: count it and answer; MODE=sink: keep the
# event (a destination record) as a JSON file. Files are renamed into place, never half-written.
HANDLER = textwrap.dedent(
    """
    import json, os, uuid

    def _write(directory, name, text, append=False):
        path = os.path.join(directory, name)
        if append:
            with open(path, "a") as f:
                f.write(text)
            return
        with open(path + ".tmp", "w") as f:
            f.write(text)
        os.replace(path + ".tmp", path)

    def handler(event, context):
        directory, mode = os.environ["OUT_DIR"], os.environ["MODE"]
        if mode == "sink":
            _write(directory, "record-" + uuid.uuid4().hex + ".json", json.dumps(event))
            return None
        _write(directory, "attempts", context.aws_request_id + "\\n", append=True)
        if mode == "fail":
            raise Exception("always fails")
        return {"doubled": event["n"] * 2}
    """
)


@pytest.fixture
async def client(channel: grpc.aio.Channel) -> AsyncIterator[AsyncLambdadClient]:
    """A typed client over the in-process daemon's channel."""
    yield AsyncLambdadClient(channel)


async def create(
    client: AsyncLambdadClient, name: str, mode: str = "ok", out_dir: Path | None = None
) -> Path:
    """Create a function running HANDLER in `mode`, wait until Active; returns its OUT_DIR."""
    directory = out_dir or Path(f"/nonexistent/{name}")
    await client.create_function(
        fs.CreateFunctionRequest(
            function_name=name,
            runtime="python3.11",
            role="arn:aws:iam::000000000000:role/lambda-role",
            handler="app.handler",
            code=fpb.FunctionCode(zip_file=make_zip({"app.py": HANDLER})),
            timeout=30,
            environment=fpb.Environment(variables={"OUT_DIR": str(directory), "MODE": mode}),
        )
    )
    await wait_active(client, name)
    return directory


def lines(path: Path) -> list[str]:
    """Lines of a file; none while it does not exist."""
    return path.read_text().splitlines() if path.exists() else []


def records(directory: Path) -> list[dict[str, Any]]:
    """Destination records a sink function kept."""
    return [json.loads(p.read_text()) for p in sorted(directory.glob("record-*.json"))]


def put(
    client: AsyncLambdadClient, name: str, **fields: Any
) -> Awaitable[ipb.PutFunctionEventInvokeConfigResponse]:
    return client.put_function_event_invoke_config(
        ipb.PutFunctionEventInvokeConfigRequest(function_name=name, **fields)
    )


def destinations(on_success: str = "", on_failure: str = "") -> ipb.DestinationConfig:
    return ipb.DestinationConfig(
        on_success=ipb.OnSuccess(destination=on_success),
        on_failure=ipb.OnFailure(destination=on_failure),
    )


# --- the configuration API -----------------------------------------------------------------


async def test_put_get_update_list_delete_round_trip(client: AsyncLambdadClient) -> None:
    await create(client, "target")
    await create(client, "dest")
    before = time.time()

    put_config = (await put(client, "target", maximum_retry_attempts=1)).event_invoke_config
    assert put_config.function_arn == f"{ARN}:target:$LATEST"
    assert put_config.maximum_retry_attempts == 1
    assert not put_config.HasField("maximum_event_age_in_seconds")
    assert put_config.destination_config == destinations()
    assert before - 1 <= put_config.last_modified <= time.time() + 1
    got = await client.get_function_event_invoke_config(
        ipb.GetFunctionEventInvokeConfigRequest(function_name=f"{ARN}:target")
    )
    assert got.event_invoke_config == put_config

    # Update merges: absent fields keep their value.
    updated = (
        await client.update_function_event_invoke_config(
            ipb.UpdateFunctionEventInvokeConfigRequest(
                function_name="target", maximum_event_age_in_seconds=120
            )
        )
    ).event_invoke_config
    assert (updated.maximum_retry_attempts, updated.maximum_event_age_in_seconds) == (1, 120)
    updated = (
        await client.update_function_event_invoke_config(
            ipb.UpdateFunctionEventInvokeConfigRequest(
                function_name="target",
                destination_config=destinations(on_failure=f"{ARN}:dest"),
            )
        )
    ).event_invoke_config
    assert (updated.maximum_retry_attempts, updated.maximum_event_age_in_seconds) == (1, 120)
    assert updated.destination_config == destinations(on_failure=f"{ARN}:dest")

    # Put replaces: what it does not name is gone.
    replaced = (await put(client, "target", maximum_event_age_in_seconds=300)).event_invoke_config
    assert not replaced.HasField("maximum_retry_attempts")
    assert replaced.maximum_event_age_in_seconds == 300
    assert replaced.destination_config == destinations()

    # Qualifiers: a version and an alias have their own configuration.
    await client.publish_version(fs.PublishVersionRequest(function_name="target"))
    await client.create_alias(
        fs.CreateAliasRequest(function_name="target", name="live", function_version="1")
    )
    version = await put(client, "target", qualifier="1", maximum_retry_attempts=0)
    assert version.event_invoke_config.function_arn == f"{ARN}:target:1"
    alias = await put(client, "target:live", maximum_retry_attempts=2)
    assert alias.event_invoke_config.function_arn == f"{ARN}:target:live"

    listed = await client.list_function_event_invoke_configs(
        ipb.ListFunctionEventInvokeConfigsRequest(function_name="target")
    )
    assert [c.function_arn for c in listed.function_event_invoke_configs] == [
        f"{ARN}:target:$LATEST",
        f"{ARN}:target:1",
        f"{ARN}:target:live",
    ]
    assert listed.next_page_token == ""
    first = await client.list_function_event_invoke_configs(
        ipb.ListFunctionEventInvokeConfigsRequest(function_name="target", page_size=2)
    )
    assert len(first.function_event_invoke_configs) == 2 and first.next_page_token
    rest = await client.list_function_event_invoke_configs(
        ipb.ListFunctionEventInvokeConfigsRequest(
            function_name="target", page_size=2, page_token=first.next_page_token
        )
    )
    assert [c.function_arn for c in rest.function_event_invoke_configs] == [f"{ARN}:target:live"]
    assert rest.next_page_token == ""

    # Delete, then deleting the alias and the function takes their configurations along.
    await client.delete_function_event_invoke_config(
        ipb.DeleteFunctionEventInvokeConfigRequest(function_name="target")
    )
    with pytest.raises(ResourceNotFoundError):
        await client.get_function_event_invoke_config(
            ipb.GetFunctionEventInvokeConfigRequest(function_name="target")
        )
    await client.delete_alias(fs.DeleteAliasRequest(function_name="target", name="live"))
    listed = await client.list_function_event_invoke_configs(
        ipb.ListFunctionEventInvokeConfigsRequest(function_name="target")
    )
    assert [c.function_arn for c in listed.function_event_invoke_configs] == [f"{ARN}:target:1"]
    await client.delete_function(fs.DeleteFunctionRequest(function_name="target"))
    await create(client, "target")  # same name again: nothing is left over
    listed = await client.list_function_event_invoke_configs(
        ipb.ListFunctionEventInvokeConfigsRequest(function_name="target")
    )
    assert list(listed.function_event_invoke_configs) == []


def _put(**fields: Any) -> ipb.PutFunctionEventInvokeConfigRequest:
    return ipb.PutFunctionEventInvokeConfigRequest(**{"function_name": "target", **fields})


def _update(**fields: Any) -> ipb.UpdateFunctionEventInvokeConfigRequest:
    return ipb.UpdateFunctionEventInvokeConfigRequest(**{"function_name": "target", **fields})


MISSING = f"The function {ARN}:target:$LATEST doesn't have an EventInvokeConfig"
NOTHING = "You must specify at least one of error handling or destination setting."
NO_FUNCTION = "The function doesn't exist."


def _range(value: int, field: str, bound: str) -> str:
    return (
        f"Value '{value}' at '{field}' failed to satisfy constraint: Member must have value {bound}"
    )


ERRORS = [
    ("put-unknown-function", "put", _put(function_name="nope", maximum_retry_attempts=1),
     FunctionNotFoundError, NO_FUNCTION),
    ("put-unknown-version", "put", _put(qualifier="9", maximum_retry_attempts=1),
     FunctionNotFoundError, NO_FUNCTION),
    ("put-unknown-alias", "put", _put(qualifier="nope", maximum_retry_attempts=1),
     FunctionNotFoundError, NO_FUNCTION),
    ("put-nothing", "put", _put(), InvalidParameterValueError, NOTHING),
    ("update-nothing", "update", _update(), InvalidParameterValueError, NOTHING),
    ("put-self-destination", "put",
     _put(destination_config=destinations(on_failure=f"{ARN}:target")),
     InvalidParameterValueError, "You can't specify the function as a destination for itself."),
    ("put-unknown-destination", "put",
     _put(destination_config=destinations(on_success=f"{ARN}:nope")),
     InvalidParameterValueError, f"The destination ARN {ARN}:nope is invalid."),
    ("put-unsupported-destination", "put",
     _put(destination_config=destinations(on_success="arn:aws:s3:::bucket")),
     InvalidParameterValueError,
     "The provided destination config DestinationConfig(onSuccess=OnSuccess(destination="
     "arn:aws:s3:::bucket), onFailure=null) is invalid."),
    ("put-retries-3", "put", _put(maximum_retry_attempts=3), ValidationError,
     "1 validation error detected: "
     + _range(3, "maximumRetryAttempts", "less than or equal to 2")),
    ("put-retries-negative", "put", _put(maximum_retry_attempts=-1), ValidationError,
     "1 validation error detected: "
     + _range(-1, "maximumRetryAttempts", "greater than or equal to 0")),
    ("put-age-59", "put", _put(maximum_event_age_in_seconds=59), ValidationError,
     "1 validation error detected: "
     + _range(59, "maximumEventAgeInSeconds", "greater than or equal to 60")),
    ("update-age-21601", "update", _update(maximum_event_age_in_seconds=21601), ValidationError,
     "1 validation error detected: "
     + _range(21601, "maximumEventAgeInSeconds", "less than or equal to 21600")),
    ("put-two-errors", "put", _put(maximum_retry_attempts=3, maximum_event_age_in_seconds=59),
     ValidationError,
     "2 validation errors detected: "
     + _range(3, "maximumRetryAttempts", "less than or equal to 2") + "; "
     + _range(59, "maximumEventAgeInSeconds", "greater than or equal to 60")),
    ("get-missing", "get", ipb.GetFunctionEventInvokeConfigRequest(function_name="target"),
     ResourceNotFoundError, MISSING),
    ("get-unknown-function", "get", ipb.GetFunctionEventInvokeConfigRequest(function_name="nope"),
     ResourceNotFoundError, MISSING.replace(":target:", ":nope:")),
    ("get-missing-version", "get",
     ipb.GetFunctionEventInvokeConfigRequest(function_name="target", qualifier="1"),
     ResourceNotFoundError, MISSING.replace("$LATEST", "1")),
    ("delete-missing", "delete",
     ipb.DeleteFunctionEventInvokeConfigRequest(function_name="target"),
     ResourceNotFoundError, MISSING),
    ("update-missing", "update", _update(maximum_retry_attempts=1), ResourceNotFoundError,
     MISSING),
    ("list-unknown-function", "list",
     ipb.ListFunctionEventInvokeConfigsRequest(function_name="nope"),
     FunctionNotFoundError, NO_FUNCTION),
    ("list-max-items-51", "list",
     ipb.ListFunctionEventInvokeConfigsRequest(function_name="target", page_size=51),
     ValidationError,
     "1 validation error detected: " + _range(51, "maxItems", "less than or equal to 50")),
]  # fmt: skip


@pytest.mark.parametrize(
    ("operation", "request_message", "error_type", "message"),
    [case[1:] for case in ERRORS],
    ids=[case[0] for case in ERRORS],
)
async def test_errors_as_aws_reports_them(
    client: AsyncLambdadClient,
    operation: str,
    request_message: Any,
    error_type: type[LambdadError],
    message: str,
) -> None:
    await create(client, "target")
    call = {
        "put": client.put_function_event_invoke_config,
        "update": client.update_function_event_invoke_config,
        "get": client.get_function_event_invoke_config,
        "delete": client.delete_function_event_invoke_config,
        "list": client.list_function_event_invoke_configs,
    }[operation]
    with pytest.raises(error_type) as caught:
        await call(request_message)
    assert caught.value.message == message


# --- the Event path ------------------------------------------------------------------------


async def invoke_event(client: AsyncLambdadClient, name: str, event: object) -> str:
    response = await client.invoke(
        ipb.InvokeRequest(
            function_name=name, invocation_type="Event", payload=json.dumps(event).encode()
        )
    )
    assert response.status_code == 202
    return str(response.request_id)


@pytest.mark.parametrize("retries", [0, 1])
async def test_retries_then_on_failure_record(
    client: AsyncLambdadClient, tmp_path: Path, retries: int
) -> None:
    flaky = await create(client, "flaky", "fail", tmp_path / "flaky")
    sink = await create(client, "sink", "sink", tmp_path / "sink")
    flaky.mkdir()
    sink.mkdir()
    await put(
        client,
        "flaky",
        maximum_retry_attempts=retries,
        destination_config=destinations(on_failure=f"{ARN}:sink"),
    )
    event = {"order": str(uuid.uuid4())}
    request_id = await invoke_event(client, "flaky", event)

    (record,) = await async_wait_for(lambda: records(sink), timeout=60)
    attempts = lines(flaky / "attempts")
    assert attempts == [request_id] * (1 + retries)  # retries keep the request id
    await asyncio.sleep(0.3)  # settle: nothing runs after the record was sent
    assert lines(flaky / "attempts") == attempts
    assert len(records(sink)) == 1
    assert record["version"] == "1.0"
    assert record["timestamp"].endswith("Z")
    assert record["requestContext"] == {
        "requestId": request_id,
        "functionArn": f"{ARN}:flaky:$LATEST",
        "condition": "RetriesExhausted",
        "approximateInvokeCount": 1 + retries,
    }
    assert record["requestPayload"] == event
    assert record["responseContext"] == {
        "statusCode": 200,
        "executedVersion": "$LATEST",
        "functionError": "Unhandled",
    }
    assert record["responsePayload"]["errorMessage"] == "always fails"
    assert record["responsePayload"]["errorType"] == "Exception"


async def test_on_success_record_carries_the_response(
    client: AsyncLambdadClient, tmp_path: Path
) -> None:
    worker = await create(client, "worker", "ok", tmp_path / "worker")
    sink = await create(client, "sink", "sink", tmp_path / "sink")
    worker.mkdir()
    sink.mkdir()
    await put(client, "worker", destination_config=destinations(on_success=f"{ARN}:sink"))
    request_id = await invoke_event(client, "worker", {"n": 21})

    (record,) = await async_wait_for(lambda: records(sink), timeout=60)
    assert lines(worker / "attempts") == [request_id]
    assert record["requestContext"] == {
        "requestId": request_id,
        "functionArn": f"{ARN}:worker:$LATEST",
        "condition": "Success",
        "approximateInvokeCount": 1,
    }
    assert record["requestPayload"] == {"n": 21}
    assert record["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST"}
    assert record["responsePayload"] == {"doubled": 42}


async def test_zero_retries_without_destination_runs_once(
    client: AsyncLambdadClient, tmp_path: Path
) -> None:
    flaky = await create(client, "flaky", "fail", tmp_path / "flaky")
    flaky.mkdir()
    await put(client, "flaky", maximum_retry_attempts=0)
    request_id = await invoke_event(client, "flaky", {})
    await async_wait_for(lambda: lines(flaky / "attempts"), timeout=60)
    await asyncio.sleep(1.5)  # settle: longer than the daemon's first retry delay (1 s)
    assert lines(flaky / "attempts") == [request_id]


async def test_retries_follow_the_invoked_qualifier(
    client: AsyncLambdadClient, tmp_path: Path
) -> None:
    flaky = await create(client, "flaky", "fail", tmp_path / "flaky")
    sink = await create(client, "sink", "sink", tmp_path / "sink")
    flaky.mkdir()
    sink.mkdir()
    await client.publish_version(fs.PublishVersionRequest(function_name="flaky"))
    await client.create_alias(
        fs.CreateAliasRequest(function_name="flaky", name="live", function_version="1")
    )
    await put(client, "flaky", maximum_retry_attempts=2)  # $LATEST: not what runs below
    await put(
        client,
        "flaky",
        qualifier="live",
        maximum_retry_attempts=0,
        destination_config=destinations(on_failure=f"{ARN}:sink"),
    )
    response = await client.invoke(
        ipb.InvokeRequest(
            function_name="flaky", qualifier="live", invocation_type="Event", payload=b"{}"
        )
    )
    (record,) = await async_wait_for(lambda: records(sink), timeout=60)
    assert lines(flaky / "attempts") == [response.request_id]
    assert record["requestContext"]["functionArn"] == f"{ARN}:flaky:live"
    assert record["requestContext"]["approximateInvokeCount"] == 1
    assert record["responseContext"]["executedVersion"] == "1"


async def test_event_older_than_maximum_age_is_dropped_to_on_failure(
    client: AsyncLambdadClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    flaky = await create(client, "flaky", "fail", tmp_path / "flaky")
    sink = await create(client, "sink", "sink", tmp_path / "sink")
    flaky.mkdir()
    sink.mkdir()
    await put(
        client,
        "flaky",
        maximum_event_age_in_seconds=60,
        destination_config=destinations(on_failure=f"{ARN}:sink"),
    )
    # The minimum age is a minute; rather than wait, the dispatcher's clock jumps 100 s per
    # reading (the event's age is wall-clock time: it survives restarts).
    readings = iter(range(1_000_000))
    clock = SimpleNamespace(time=lambda: time.time() + 100 * next(readings))
    monkeypatch.setattr(event_dispatcher, "time", clock)
    request_id = await invoke_event(client, "flaky", {"late": True})

    (record,) = await async_wait_for(lambda: records(sink), timeout=60)
    assert lines(flaky / "attempts") == []  # never run
    assert record["requestContext"] == {
        "requestId": request_id,
        "functionArn": f"{ARN}:flaky:$LATEST",
        "condition": "EventAgeExceeded",
        "approximateInvokeCount": 0,
    }
    assert record["requestPayload"] == {"late": True}
    assert "responseContext" not in record


# Appends who ran to one shared file, in the order the runs ended.
ORDER_HANDLER = textwrap.dedent(
    """
    import os, time

    def handler(event, context):
        time.sleep(float(os.environ["SLEEP_S"]))
        with open(os.environ["ORDER_FILE"], "a") as f:
            f.write(event["who"] + "\\n")
    """
)


async def test_saturated_function_does_not_hold_up_other_functions_events(
    client: AsyncLambdadClient, tmp_path: Path
) -> None:
    # A at reserved concurrency 1 with a backlog far beyond the dispatcher's 32 workers, its
    # runs short enough that a slot frees well within the pool's 2 s wait: were the workers to
    # wait for A's slot, B's Event (queued last) would run only after A's backlog.
    order = tmp_path / "order"
    for name in ("saturated", "other"):
        await client.create_function(
            fs.CreateFunctionRequest(
                function_name=name,
                runtime="python3.11",
                role="arn:aws:iam::000000000000:role/lambda-role",
                handler="app.handler",
                code=fpb.FunctionCode(zip_file=make_zip({"app.py": ORDER_HANDLER})),
                timeout=30,
                environment=fpb.Environment(
                    variables={"ORDER_FILE": str(order), "SLEEP_S": "0.02"}
                ),
            )
        )
        await wait_active(client, name)
    await client.put_function_concurrency(
        ipb.PutFunctionConcurrencyRequest(
            function_name="saturated", reserved_concurrent_executions=1
        )
    )
    backlog = 200
    for _ in range(backlog):
        await invoke_event(client, "saturated", {"who": "A"})
    await invoke_event(client, "other", {"who": "B"})

    ran = await async_wait_for(
        lambda: len(lines(order)) == backlog + 1 and lines(order), timeout=120
    )
    assert ran.count("A") == backlog  # none lost to the throttles
    # B ran while most of A's backlog still waited (parked, holding no worker).
    assert ran.index("B") < backlog // 2, ran.index("B")
