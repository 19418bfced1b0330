"""Invoke, InvokeWithResponseStream, InvokeAsync and reserved concurrency through the gateway.

The shared `lambdad serve` runs functions as local processes; boto3 drives it (lambda-spec §3).
Both executors and the AWS CLI are covered in test_invoke_runtimes.py.
"""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.e2e.support import settled
from tests.helpers import make_zip

pytestmark = pytest.mark.e2e


ROLE = "arn:aws:iam::000000000000:role/lambda-role"
REPORT = re.compile(r"^REPORT RequestId: ([0-9a-f-]{36})\tDuration: ", re.MULTILINE)


@pytest.fixture
def echo(client: Any, function_name: str) -> str:
    """A python3.11 echo function (tests.helpers' default zip), Active."""
    client.create_function(
        FunctionName=function_name,
        Runtime="python3.11",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": make_zip()},
    )
    settled(client, function_name)
    return function_name


def request_id(response: dict[str, Any]) -> str:
    headers = response["ResponseMetadata"]["HTTPHeaders"]
    assert headers["x-amzn-requestid"] == response["ResponseMetadata"]["RequestId"]
    return str(headers["x-amzn-requestid"])


def test_invoke_returns_the_payload_and_its_log(client: Any, echo: str) -> None:
    event = {"hello": "world", "n": [1, 2, 3]}
    result = client.invoke(FunctionName=echo, Payload=json.dumps(event), LogType="Tail")
    assert result["StatusCode"] == 200
    assert result["ExecutedVersion"] == "$LATEST"
    assert "FunctionError" not in result
    assert json.loads(result["Payload"].read()) == event
    log = base64.b64decode(result["LogResult"]).decode()
    invocation_id = request_id(result)
    assert f"START RequestId: {invocation_id} Version: $LATEST" in log
    assert f"END RequestId: {invocation_id}" in log
    # x-amzn-RequestId is the invocation's own request id (lambda-spec §1.1).
    assert REPORT.findall(log) == [invocation_id]


def test_invoke_without_tail_has_no_log(client: Any, echo: str) -> None:
    result = client.invoke(FunctionName=echo, Payload=b"[1]")
    assert result["StatusCode"] == 200
    assert "LogResult" not in result
    assert result["Payload"].read() == b"[1]"


def test_invoke_with_response_stream(client: Any, echo: str) -> None:
    event = {"streamed": "x" * 1000}
    result = client.invoke_with_response_stream(
        FunctionName=echo, Payload=json.dumps(event), LogType="Tail"
    )
    assert result["StatusCode"] == 200
    assert result["ExecutedVersion"] == "$LATEST"
    assert result["ResponseStreamContentType"] == "application/vnd.amazon.eventstream"
    events = list(result["EventStream"])
    chunks = b"".join(e["PayloadChunk"]["Payload"] for e in events if "PayloadChunk" in e)
    assert json.loads(chunks) == event
    complete = events[-1]["InvokeComplete"]
    assert "ErrorCode" not in complete
    log = base64.b64decode(complete["LogResult"]).decode()
    assert REPORT.findall(log) == [request_id(result)]


def test_dry_run_is_204(client: Any, echo: str) -> None:
    result = client.invoke(FunctionName=echo, InvocationType="DryRun", Payload=b"{}")
    assert result["StatusCode"] == 204
    assert result["Payload"].read() == b""
    streamed = client.invoke_with_response_stream(FunctionName=echo, InvocationType="DryRun")
    assert streamed["StatusCode"] == 204


def test_event_is_202(client: Any, echo: str) -> None:
    result = client.invoke(FunctionName=echo, InvocationType="Event", Payload=b'{"e": 1}')
    assert result["StatusCode"] == 202
    assert "ExecutedVersion" not in result
    assert result["Payload"].read() == b""
    assert client.invoke_async(FunctionName=echo, InvokeArgs=b"{}")["Status"] == 202


def test_invoke_errors(client: Any, echo: str) -> None:
    with pytest.raises(client.exceptions.ResourceNotFoundException) as missing:
        client.invoke(FunctionName=echo + "-missing", Payload=b"not json")
    assert missing.value.response["Error"]["Message"].endswith(f":{echo}-missing:$LATEST")
    with pytest.raises(client.exceptions.InvalidRequestContentException) as bad:
        client.invoke(FunctionName=echo, Payload=b"\x87 not json")
    assert bad.value.response["Error"]["Message"].startswith(
        "Could not parse request body into json: Could not parse payload into json: "
    )
    with pytest.raises(ClientError) as large:
        client.invoke(FunctionName=echo, Payload=b"1" * (6_291_456 + 1))
    assert large.value.response["Error"]["Code"] == "RequestEntityTooLargeException"


def test_reserved_concurrency_round_trip(client: Any, echo: str) -> None:
    unset = client.get_function_concurrency(FunctionName=echo)
    assert "ReservedConcurrentExecutions" not in unset
    put = client.put_function_concurrency(FunctionName=echo, ReservedConcurrentExecutions=5)
    assert put["ReservedConcurrentExecutions"] == 5
    assert client.get_function_concurrency(FunctionName=echo)["ReservedConcurrentExecutions"] == 5
    deleted = client.delete_function_concurrency(FunctionName=echo)
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert "ReservedConcurrentExecutions" not in client.get_function_concurrency(FunctionName=echo)


def test_zero_reserved_concurrency_throttles(client: Any, echo: str) -> None:
    client.put_function_concurrency(FunctionName=echo, ReservedConcurrentExecutions=0)
    with pytest.raises(client.exceptions.TooManyRequestsException) as throttled:
        client.invoke(FunctionName=echo, Payload=b"{}")
    response = throttled.value.response
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 429
    assert response["Reason"] == "ReservedFunctionConcurrentInvocationLimitExceeded"
    client.delete_function_concurrency(FunctionName=echo)
    assert client.invoke(FunctionName=echo, Payload=b"{}")["StatusCode"] == 200


def test_event_invoke_config_round_trip(client: Any, echo: str) -> None:
    queue = "arn:aws:sqs:us-east-1:000000000000:failures"
    put = client.put_function_event_invoke_config(
        FunctionName=echo,
        MaximumRetryAttempts=0,
        DestinationConfig={"OnFailure": {"Destination": queue}},
    )
    assert put["FunctionArn"].endswith(f":function:{echo}:$LATEST")
    assert put["MaximumRetryAttempts"] == 0
    assert put["DestinationConfig"]["OnFailure"] == {"Destination": queue}
    updated = client.update_function_event_invoke_config(
        FunctionName=echo, MaximumEventAgeInSeconds=120
    )
    assert (updated["MaximumRetryAttempts"], updated["MaximumEventAgeInSeconds"]) == (0, 120)
    got = client.get_function_event_invoke_config(FunctionName=echo)
    assert got["MaximumEventAgeInSeconds"] == 120
    listed = client.list_function_event_invoke_configs(FunctionName=echo)
    assert [c["FunctionArn"] for c in listed["FunctionEventInvokeConfigs"]] == [put["FunctionArn"]]
    deleted = client.delete_function_event_invoke_config(FunctionName=echo)
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.get_function_event_invoke_config(FunctionName=echo)
