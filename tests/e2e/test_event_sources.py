"""Event source mappings against moto's standalone server: SQS and DynamoDB Streams.

A Python function appends every event it gets to a file; the tests create queues, tables
and mappings with boto3 and check which records arrive and what is left in the queue.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import urllib3

from tests.e2e.support import (
    RECORDER,
    REGION,
    LambdadProcess,
    aws_client,
    create_queue,
    records_for,
)
from tests.helpers import free_port, make_zip, wait_for

pytestmark = pytest.mark.e2e

# seed-lambda.md's filter table: (name, rule syntax verbatim, a body that matches, one that
# does not). The rule is applied to the parsed JSON body of SQS messages.
SEED_TABLE = [
    ("null", '"UserID": [ null ]', {"UserID": None}, {"UserID": "u1"}),
    ("empty", '"LastName": [""]', {"LastName": ""}, {"LastName": "Doe"}),
    ("equals", '"Name": [ "Alice" ]', {"Name": "Alice"}, {"Name": "Bob"}),
    (
        "and",
        '"Location": [ "New York" ], "Day": ["Monday"]',
        {"Location": "New York", "Day": "Monday"},
        {"Location": "New York", "Day": "Tuesday"},
    ),
    ("or", '"PaymentType": [ "Credit", "Debit"]', {"PaymentType": "Debit"}, {"PaymentType": "X"}),
    (
        "not",
        '"Weather": [ { "anything-but": [ "Raining" ] } ]',
        {"Weather": "Sun"},
        {"Weather": "Raining"},
    ),
    ("numeric-eq", '"Price": [ { "numeric": [ "=", 100 ] } ]', {"Price": 100}, {"Price": 101}),
    (
        "numeric-range",
        '"Price": [ { "numeric": [ ">", 10, "<=", 20 ] } ]',
        {"Price": 20},
        {"Price": 10},
    ),
    ("exists", '"ProductName": [ { "exists": true } ]', {"ProductName": "x"}, {"Other": 1}),
    ("not-exists", '"ProductName": [ { "exists": false } ]', {"Other": 1}, {"ProductName": "x"}),
    (
        "begins-with",
        '"Region": [ {"prefix": "us-" } ]',
        {"Region": "us-east-1"},
        {"Region": "eu-1"},
    ),
]


@pytest.fixture(scope="module")
def recorder(lambdad_with_aws: LambdadProcess, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A function that records its events in a file; returns the file."""
    out = tmp_path_factory.mktemp("events") / "events.jsonl"
    out.touch()
    client = lambdad_with_aws.lambda_client()
    client.create_function(
        FunctionName="recorder",
        Runtime="python3.12",
        Role="arn:aws:iam::000000000000:role/r",
        Handler="app.handler",
        Code={"ZipFile": make_zip({"app.py": RECORDER})},
        Environment={"Variables": {"OUT": str(out)}},
        Timeout=10,
    )
    client.get_waiter("function_active_v2").wait(FunctionName="recorder")
    return out


def _left(sqs: Any, url: str) -> int:
    attrs = sqs.get_queue_attributes(
        QueueUrl=url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(attrs["ApproximateNumberOfMessages"]) + int(
        attrs["ApproximateNumberOfMessagesNotVisible"]
    )


def test_sqs_batch_delivered_in_aws_shape_and_deleted(
    lambdad_with_aws: LambdadProcess, recorder: Path, aws_endpoint: str
) -> None:
    sqs = aws_client("sqs", aws_endpoint)
    lam = lambdad_with_aws.lambda_client()
    url, arn = create_queue(sqs, "plain-queue")
    created = lam.create_event_source_mapping(
        FunctionName="recorder", EventSourceArn=arn, BatchSize=5
    )
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert created["State"] == "Creating"
    assert created["BatchSize"] == 5
    sqs.send_message(
        QueueUrl=url,
        MessageBody="hello",
        MessageAttributes={"a": {"DataType": "String", "StringValue": "v"}},
    )
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"n": 1}))
    records = wait_for(lambda: len(records_for(recorder, arn)) >= 2 and records_for(recorder, arn))
    assert {r["body"] for r in records} == {"hello", '{"n": 1}'}
    first = next(r for r in records if r["body"] == "hello")
    assert first["eventSource"] == "aws:sqs"
    assert first["awsRegion"] == REGION
    assert first["messageAttributes"]["a"]["stringValue"] == "v"
    assert first["attributes"]["ApproximateReceiveCount"] == "1"
    wait_for(lambda: _left(sqs, url) == 0)
    got = lam.get_event_source_mapping(UUID=created["UUID"])
    assert got["State"] == "Enabled"
    deleted = lam.delete_event_source_mapping(UUID=created["UUID"])
    assert deleted["State"] == "Deleting"


@pytest.mark.parametrize(("name", "rule", "yes", "no"), SEED_TABLE, ids=[r[0] for r in SEED_TABLE])
def test_seed_filter_table_through_a_realcreate_queue(
    lambdad_with_aws: LambdadProcess,
    recorder: Path,
    aws_endpoint: str,
    name: str,
    rule: str,
    yes: dict[str, Any],
    no: dict[str, Any],
) -> None:
    sqs = aws_client("sqs", aws_endpoint)
    lam = lambdad_with_aws.lambda_client()
    url, arn = create_queue(sqs, f"filter-{name}")
    lam.create_event_source_mapping(
        FunctionName="recorder",
        EventSourceArn=arn,
        FilterCriteria={"Filters": [{"Pattern": '{"body": {' + rule + "}}"}]},
    )
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps(no))
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps(yes))
    wait_for(lambda: records_for(recorder, arn))
    wait_for(lambda: _left(sqs, url) == 0)  # the non-matching message is deleted too
    time.sleep(0.5)
    assert [json.loads(r["body"]) for r in records_for(recorder, arn)] == [yes]


def test_report_batch_item_failures_returns_only_listed_messages(
    lambdad_with_aws: LambdadProcess, recorder: Path, aws_endpoint: str
) -> None:
    sqs = aws_client("sqs", aws_endpoint)
    lam = lambdad_with_aws.lambda_client()
    url, arn = create_queue(sqs, "partial-queue", VisibilityTimeout="1")
    sqs.send_message(QueueUrl=url, MessageBody="ok-1")
    sqs.send_message(QueueUrl=url, MessageBody="fail-me")
    sqs.send_message(QueueUrl=url, MessageBody="ok-2")
    lam.create_event_source_mapping(
        FunctionName="recorder",
        EventSourceArn=arn,
        FunctionResponseTypes=["ReportBatchItemFailures"],
    )
    # The failed message comes back after its visibility timeout and fails again.
    wait_for(
        lambda: [r["body"] for r in records_for(recorder, arn)].count("fail-me") >= 2, timeout=30
    )
    bodies = [r["body"] for r in records_for(recorder, arn)]
    assert bodies.count("ok-1") == 1
    assert bodies.count("ok-2") == 1
    assert _left(sqs, url) == 1


def test_validation_messages(
    lambdad_with_aws: LambdadProcess, recorder: Path, aws_endpoint: str
) -> None:
    sqs = aws_client("sqs", aws_endpoint)
    lam = lambdad_with_aws.lambda_client()
    _, arn = create_queue(sqs, "validation-queue")
    missing = arn.replace("validation-queue", "no-such-queue")
    cases: list[tuple[dict[str, Any], str, str]] = [
        (
            {"EventSourceArn": missing},
            "InvalidParameterValueException",
            "Error occurred while ReceiveMessage. SQS Error Code: "
            "AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: "
            "The specified queue does not exist.",
        ),
        (
            {"EventSourceArn": arn, "StartingPosition": "LATEST"},
            "InvalidParameterValueException",
            f"Unsupported starting position for arn type: {arn}",
        ),
        (
            {"EventSourceArn": arn, "BatchSize": 20},
            "InvalidParameterValueException",
            "Maximum batch window in seconds must be greater than 0 if maximum batch size is "
            "greater than 10",
        ),
        (
            {"EventSourceArn": arn, "FilterCriteria": {"Filters": [{"Pattern": '{"a":"b"}'}]}},
            "InvalidParameterValueException",
            "Invalid filter pattern definition.",
        ),
    ]
    for params, code, message in cases:
        with pytest.raises(lam.exceptions.ClientError) as info:
            lam.create_event_source_mapping(FunctionName="recorder", **params)
        assert info.value.response["Error"]["Code"] == code
        assert info.value.response["Error"]["Message"] == message
    first = lam.create_event_source_mapping(FunctionName="recorder", EventSourceArn=arn)
    with pytest.raises(lam.exceptions.ResourceConflictException) as conflict:
        lam.create_event_source_mapping(FunctionName="recorder", EventSourceArn=arn)
    assert conflict.value.response["Error"]["Message"] == (
        f'An event source mapping with SQS arn (" {arn} ") and function (" recorder ") '
        f"already exists. Please update or delete the existing mapping with UUID "
        f"{first['UUID']}"
    )
    listed = lam.list_event_source_mappings(EventSourceArn=arn)["EventSourceMappings"]
    assert [m["UUID"] for m in listed] == [first["UUID"]]
    updated = lam.update_event_source_mapping(UUID=first["UUID"], Enabled=False)
    assert updated["State"] == "Disabling"
    wait_for(lambda: lam.get_event_source_mapping(UUID=first["UUID"])["State"] == "Disabled")
    updated = lam.update_event_source_mapping(UUID=first["UUID"], BatchSize=3)
    assert updated["State"] == "Updating"
    wait_for(lambda: lam.get_event_source_mapping(UUID=first["UUID"])["State"] == "Disabled")
    updated = lam.update_event_source_mapping(UUID=first["UUID"], Enabled=True)
    assert updated["State"] == "Enabling"
    wait_for(lambda: lam.get_event_source_mapping(UUID=first["UUID"])["State"] == "Enabled")


def test_dynamodb_stream_records_with_typed_values_and_filter(
    lambdad_with_aws: LambdadProcess, recorder: Path, aws_endpoint: str
) -> None:
    ddb = aws_client("dynamodb", aws_endpoint)
    lam = lambdad_with_aws.lambda_client()
    table = ddb.create_table(
        TableName="orders",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    stream_arn = table["TableDescription"]["LatestStreamArn"]
    pattern = {
        "eventName": ["INSERT", "MODIFY"],
        "dynamodb": {"NewImage": {"kind": {"S": ["keep"]}}},
    }
    created = lam.create_event_source_mapping(
        FunctionName="recorder",
        EventSourceArn=stream_arn,
        StartingPosition="TRIM_HORIZON",
        FilterCriteria={"Filters": [{"Pattern": json.dumps(pattern)}]},
    )
    assert created["StartingPosition"] == "TRIM_HORIZON"
    assert created["MaximumRetryAttempts"] == -1
    ddb.put_item(TableName="orders", Item={"pk": {"S": "a"}, "kind": {"S": "keep"}})
    ddb.put_item(TableName="orders", Item={"pk": {"S": "b"}, "kind": {"S": "drop"}})
    ddb.put_item(
        TableName="orders", Item={"pk": {"S": "a"}, "kind": {"S": "keep"}, "n": {"N": "2"}}
    )
    ddb.delete_item(TableName="orders", Key={"pk": {"S": "a"}})
    records = wait_for(
        lambda: len(records_for(recorder, stream_arn)) >= 2 and records_for(recorder, stream_arn)
    )
    time.sleep(1.5)
    records = records_for(recorder, stream_arn)
    assert [r["eventName"] for r in records] == ["INSERT", "MODIFY"]
    assert records[0]["dynamodb"]["NewImage"] == {"pk": {"S": "a"}, "kind": {"S": "keep"}}
    assert records[1]["dynamodb"]["NewImage"]["n"] == {"N": "2"}
    assert records[0]["eventSource"] == "aws:dynamodb"
    assert isinstance(records[0]["dynamodb"]["ApproximateCreationDateTime"], float)
    # "No records processed" until a batch ran; then the last batch's result.
    assert created["LastProcessingResult"] == "No records processed"
    assert wait_for(
        lambda: lam.get_event_source_mapping(UUID=created["UUID"])["LastProcessingResult"] == "OK"
    )


@pytest.mark.parametrize(("name", "rule", "yes", "no"), SEED_TABLE, ids=[r[0] for r in SEED_TABLE])
def test_seed_filter_table_through_a_real_kinesis_stream(
    lambdad_with_aws: LambdadProcess,
    recorder: Path,
    aws_endpoint: str,
    name: str,
    rule: str,
    yes: dict[str, Any],
    no: dict[str, Any],
) -> None:
    kinesis = aws_client("kinesis", aws_endpoint)
    lam = lambdad_with_aws.lambda_client()
    stream = f"seed-{name}"
    kinesis.create_stream(StreamName=stream, ShardCount=1)
    arn = kinesis.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"][
        "StreamARN"
    ]
    kinesis.put_record(StreamName=stream, Data=json.dumps(no).encode(), PartitionKey="p")
    kinesis.put_record(StreamName=stream, Data=json.dumps(yes).encode(), PartitionKey="p")
    kinesis.put_record(StreamName=stream, Data=b'{"end": true}', PartitionKey="p")
    lam.create_event_source_mapping(
        FunctionName="recorder",
        EventSourceArn=arn,
        StartingPosition="TRIM_HORIZON",
        FilterCriteria={
            "Filters": [
                {"Pattern": '{"data": {' + rule + "}}"},
                {"Pattern": '{"data": {"end": [true]}}'},
            ]
        },
    )

    def decoded() -> list[Any]:
        return [
            json.loads(base64.b64decode(r["kinesis"]["data"])) for r in records_for(recorder, arn)
        ]

    wait_for(lambda: {"end": True} in decoded())
    assert decoded() == [yes, {"end": True}]
    record = records_for(recorder, arn)[0]
    assert record["eventSource"] == "aws:kinesis"
    assert record["eventID"].startswith("shardId-")


@pytest.mark.parametrize("service", ["kinesis", "dynamodb"])
def test_stream_resumes_after_restart_from_its_checkpoint(
    tmp_path: Path, aws_endpoint: str, monkeypatch: pytest.MonkeyPatch, service: str
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", aws_endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    process = LambdadProcess(data_dir=tmp_path / "data", log_path=tmp_path / "lambdad.log")
    process.start()
    out = tmp_path / "events.jsonl"
    out.touch()
    kinesis = aws_client("kinesis", aws_endpoint)
    ddb = aws_client("dynamodb", aws_endpoint)
    if service == "kinesis":
        kinesis.create_stream(StreamName="restart", ShardCount=1)
        arn = kinesis.describe_stream_summary(StreamName="restart")["StreamDescriptionSummary"][
            "StreamARN"
        ]
    else:
        arn = ddb.create_table(
            TableName="restart",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
        )["TableDescription"]["LatestStreamArn"]

    def put(n: int) -> None:
        if service == "kinesis":
            kinesis.put_record(StreamName="restart", Data=json.dumps({"n": n}), PartitionKey="p")
        else:
            ddb.put_item(TableName="restart", Item={"pk": {"S": str(n)}})

    def delivered() -> list[Any]:
        if service == "kinesis":
            return [
                json.loads(base64.b64decode(r["kinesis"]["data"])) for r in records_for(out, arn)
            ]
        return [{"n": int(r["dynamodb"]["Keys"]["pk"]["S"])} for r in records_for(out, arn)]

    try:
        lam = process.lambda_client()
        lam.create_function(
            FunctionName="rec",
            Runtime="python3.12",
            Role="arn:aws:iam::000000000000:role/r",
            Handler="app.handler",
            Code={"ZipFile": make_zip({"app.py": RECORDER})},
            Environment={"Variables": {"OUT": str(out)}},
        )
        lam.get_waiter("function_active_v2").wait(FunctionName="rec")
        lam.create_event_source_mapping(
            FunctionName="rec", EventSourceArn=arn, StartingPosition="TRIM_HORIZON"
        )
        put(1)
        wait_for(lambda: len(records_for(out, arn)) == 1)
        process.stop()
        put(2)
        process.start()
        wait_for(lambda: len(records_for(out, arn)) >= 2)
        time.sleep(1.5)
        assert delivered() == [{"n": 1}, {"n": 2}]
    finally:
        process.stop()


FAILER = """
import base64, json, os

def handler(event, context):
    with open(os.environ["OUT"], "a") as out:
        out.write(json.dumps(event) + "\\n")
    seen = [r.get("body") or base64.b64decode(r["kinesis"]["data"]).decode()
            for r in event["Records"]]
    if any("bad" in text for text in seen):
        raise RuntimeError("bad record")
    return {}
"""


@pytest.fixture(scope="module")
def failer(lambdad_with_aws: LambdadProcess, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A function that records its events and fails on batches with "bad" in them."""
    out = tmp_path_factory.mktemp("failer") / "events.jsonl"
    out.touch()
    client = lambdad_with_aws.lambda_client()
    client.create_function(
        FunctionName="failer",
        Runtime="python3.12",
        Role="arn:aws:iam::000000000000:role/r",
        Handler="app.handler",
        Code={"ZipFile": make_zip({"app.py": FAILER})},
        Environment={"Variables": {"OUT": str(out)}},
    )
    client.get_waiter("function_active_v2").wait(FunctionName="failer")
    return out


def test_sqs_function_error_leaves_the_whole_batch_in_thecreate_queue(
    lambdad_with_aws: LambdadProcess, failer: Path, aws_endpoint: str
) -> None:
    sqs = aws_client("sqs", aws_endpoint)
    lam = lambdad_with_aws.lambda_client()
    url, arn = create_queue(sqs, "failing-queue", VisibilityTimeout="1")
    sqs.send_message(QueueUrl=url, MessageBody="bad")
    lam.create_event_source_mapping(FunctionName="failer", EventSourceArn=arn)
    # Not deleted: it comes back after its visibility timeout and is delivered again.
    wait_for(lambda: [r["body"] for r in records_for(failer, arn)].count("bad") >= 2, timeout=30)
    assert _left(sqs, url) == 1
    first, second = records_for(failer, arn)[:2]
    assert first["messageId"] == second["messageId"]
    assert int(second["attributes"]["ApproximateReceiveCount"]) >= 2


def test_stream_retries_bisects_and_sends_failures_to_sqs(
    lambdad_with_aws: LambdadProcess, failer: Path, aws_endpoint: str
) -> None:
    kinesis = aws_client("kinesis", aws_endpoint)
    sqs = aws_client("sqs", aws_endpoint)
    lam = lambdad_with_aws.lambda_client()
    dlq_url, dlq_arn = create_queue(sqs, "stream-failures")
    kinesis.create_stream(StreamName="failing", ShardCount=1)
    arn = kinesis.describe_stream_summary(StreamName="failing")["StreamDescriptionSummary"][
        "StreamARN"
    ]
    kinesis.put_record(StreamName="failing", Data=b'{"v": "good"}', PartitionKey="p")
    kinesis.put_record(StreamName="failing", Data=b'{"v": "bad"}', PartitionKey="p")
    mapping = lam.create_event_source_mapping(
        FunctionName="failer",
        EventSourceArn=arn,
        StartingPosition="TRIM_HORIZON",
        MaximumRetryAttempts=1,
        BisectBatchOnFunctionError=True,
        DestinationConfig={"OnFailure": {"Destination": dlq_arn}},
    )

    def dlq() -> list[dict[str, Any]]:
        got = sqs.receive_message(QueueUrl=dlq_url, WaitTimeSeconds=1).get("Messages", [])
        return [json.loads(m["Body"]) for m in got]

    failure = wait_for(dlq, timeout=30)[0]
    info = failure["KinesisBatchInfo"]
    assert info["batchSize"] == 1
    assert info["streamArn"] == arn
    assert failure["requestContext"]["condition"] == "RetryAttemptsExhausted"

    def batches() -> list[list[str]]:
        return [
            [json.loads(base64.b64decode(r["kinesis"]["data"]))["v"] for r in event["Records"]]
            for line in failer.read_text().splitlines()
            if (event := json.loads(line))["Records"][0]["eventSourceARN"] == arn
        ]

    # whole batch fails, then bisected: [good] succeeds, [bad] fails and is retried once.
    assert batches() == [["good", "bad"], ["good"], ["bad"], ["bad"]]

    def last_result() -> str:
        return str(lam.get_event_source_mapping(UUID=mapping["UUID"])["LastProcessingResult"])

    assert last_result() == "PROBLEM: Function call failed"
    kinesis.put_record(StreamName="failing", Data=b'{"v": "after"}', PartitionKey="p")
    wait_for(lambda: batches()[-1] == ["after"])
    assert wait_for(lambda: last_result() == "OK")


def test_fifo_queue_delivers_each_group_in_order(
    lambdad_with_aws: LambdadProcess, recorder: Path, aws_endpoint: str
) -> None:
    sqs = aws_client("sqs", aws_endpoint)
    lam = lambdad_with_aws.lambda_client()
    url, arn = create_queue(sqs, "ordered.fifo", FifoQueue="true", ContentBasedDeduplication="true")
    sent = {"g1": [f"g1-{i}" for i in range(6)], "g2": [f"g2-{i}" for i in range(6)]}
    for i in range(6):
        for group, bodies in sent.items():
            sqs.send_message(QueueUrl=url, MessageBody=bodies[i], MessageGroupId=group)
    lam.create_event_source_mapping(FunctionName="recorder", EventSourceArn=arn, BatchSize=4)
    wait_for(lambda: len(records_for(recorder, arn)) >= 12)
    records = records_for(recorder, arn)
    for group, bodies in sent.items():
        assert [r["body"] for r in records if r["attributes"]["MessageGroupId"] == group] == bodies
    # (moto returns no SequenceNumber attribute; AWS does, and it is passed on as given.)
    assert all("MessageDeduplicationId" in r["attributes"] for r in records)
    wait_for(lambda: _left(sqs, url) == 0)


def test_update_changes_filters_and_response_types(
    lambdad_with_aws: LambdadProcess, recorder: Path, aws_endpoint: str
) -> None:
    sqs = aws_client("sqs", aws_endpoint)
    lam = lambdad_with_aws.lambda_client()
    _, arn = create_queue(sqs, "update-queue")
    created = lam.create_event_source_mapping(
        FunctionName="recorder",
        EventSourceArn=arn,
        FilterCriteria={"Filters": [{"Pattern": '{"body": {"a": ["1"]}}'}]},
        FunctionResponseTypes=["ReportBatchItemFailures"],
    )
    assert created["FilterCriteria"] == {"Filters": [{"Pattern": '{"body": {"a": ["1"]}}'}]}
    uuid = created["UUID"]
    wait_for(lambda: lam.get_event_source_mapping(UUID=uuid)["State"] == "Enabled")
    updated = lam.update_event_source_mapping(
        UUID=uuid, FilterCriteria={}, FunctionResponseTypes=[], BatchSize=7
    )
    assert "FilterCriteria" not in updated
    assert updated["FunctionResponseTypes"] == []
    assert updated["BatchSize"] == 7
    with pytest.raises(lam.exceptions.ClientError) as info:
        lam.update_event_source_mapping(UUID=uuid, FilterCriteria={"Filters": [{"Pattern": "[]"}]})
    assert info.value.response["Error"]["Message"] == "Invalid filter pattern definition."
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.get_event_source_mapping(UUID="00000000-0000-0000-0000-000000000000")


def test_poller_waits_out_an_endpoint_outage(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    process = LambdadProcess(data_dir=tmp_path / "data", log_path=tmp_path / "lambdad.log")
    process.start()
    out = tmp_path / "events.jsonl"
    out.touch()
    server: subprocess.Popen[bytes] | None = None
    try:
        lam = process.lambda_client()
        lam.create_function(
            FunctionName="rec",
            Runtime="python3.12",
            Role="arn:aws:iam::000000000000:role/r",
            Handler="app.handler",
            Code={"ZipFile": make_zip({"app.py": RECORDER})},
            Environment={"Variables": {"OUT": str(out)}},
        )
        arn = "arn:aws:sqs:us-east-1:123456789012:late-queue"
        # The endpoint is down: the mapping is accepted and its poller backs off.
        lam.create_event_source_mapping(FunctionName="rec", EventSourceArn=arn)
        time.sleep(2)
        server = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-p", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        http = urllib3.PoolManager(retries=False)
        wait_for(lambda: http.request("GET", endpoint).status < 500, timeout=30)
        sqs = aws_client("sqs", endpoint)
        url = sqs.create_queue(QueueName="late-queue")["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody="after the outage")
        records = wait_for(lambda: records_for(out, arn), timeout=45)
        assert records[0]["body"] == "after the outage"
        assert "sqs poll failed" in (tmp_path / "lambdad.log").read_text()
    finally:
        process.stop()
        if server is not None:
            server.terminate()
            server.wait(timeout=10)


# A function that sends a message to the queue it is fed by, with nothing but boto3's defaults:
# the SDK sends the invocation's trace header (`_X_AMZN_TRACE_ID`, with its `Lineage`) as the
# request's X-Amzn-Trace-Id, which AWS's SQS keeps as the message's AWSTraceHeader.
SQS_LOOPER = """
import json, os
import boto3

def handler(event, context):
    with open(os.environ["RECORD"], "a") as out:
        out.write(json.dumps({"trace": os.environ.get("_X_AMZN_TRACE_ID", "")}) + "\\n")
    # The test's credentials: moto files queues under the account of the caller's keys.
    sqs = boto3.client(
        "sqs",
        endpoint_url=os.environ["SQS_ENDPOINT"],
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    for record in event["Records"]:
        sqs.send_message(QueueUrl=os.environ["QUEUE_URL"], MessageBody=record["body"])
"""


class _SqsFront:
    """In front of moto's SQS: does what AWS's SQS does and moto does not, keep a
    SendMessage request's X-Amzn-Trace-Id header as the message's AWSTraceHeader system
    attribute; everything else is passed through unchanged."""

    def __init__(self, backend: str) -> None:
        import http.server
        import threading

        http_pool = urllib3.PoolManager()
        headers_seen: list[str] = []
        self.trace_headers = headers_seen

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
                trace = self.headers.get("X-Amzn-Trace-Id")
                if trace and self.headers.get("X-Amz-Target", "").endswith(".SendMessage"):
                    headers_seen.append(trace)
                    request = json.loads(body)
                    request.setdefault("MessageSystemAttributes", {})["AWSTraceHeader"] = {
                        "DataType": "String",
                        "StringValue": trace,
                    }
                    body = json.dumps(request).encode()
                    headers["Content-Length"] = str(len(body))
                reply = http_pool.request(
                    "POST", backend + self.path, body=body, headers=headers, retries=False
                )
                self.send_response(reply.status)
                for key, value in reply.headers.items():
                    if key.lower() not in {"content-length", "transfer-encoding", "connection"}:
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(reply.data)))
                self.end_headers()
                self.wfile.write(reply.data)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.endpoint = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def test_a_function_feeding_its_own_queue_is_stopped_after_16(
    lambdad_with_aws: LambdadProcess, aws_endpoint: str, tmp_path: Path
) -> None:
    """Recursive loop detection through SQS with a function that does nothing but send: the
    lineage goes out in the SDK's X-Amzn-Trace-Id header and comes back in the message's
    AWSTraceHeader, which the poller reads; the 17th run is stopped, and the message ends in
    the queue's dead-letter queue."""
    sqs = aws_client("sqs", aws_endpoint)
    lam = lambdad_with_aws.lambda_client()
    dlq_url, dlq_arn = create_queue(sqs, "loop-dlq")
    redrive = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "2"})
    url, arn = create_queue(sqs, "loop-queue", VisibilityTimeout="1", RedrivePolicy=redrive)
    front = _SqsFront(aws_endpoint)
    record = tmp_path / "runs.jsonl"
    try:
        lam.create_function(
            FunctionName="sqs-looper",
            Runtime="python3.12",
            Role="arn:aws:iam::000000000000:role/r",
            Handler="app.handler",
            Code={"ZipFile": make_zip({"app.py": SQS_LOOPER})},
            Environment={
                "Variables": {
                    "RECORD": str(record),
                    "SQS_ENDPOINT": front.endpoint,
                    "QUEUE_URL": url,
                }
            },
            Timeout=10,
        )
        lam.get_waiter("function_active_v2").wait(FunctionName="sqs-looper")
        lam.create_event_source_mapping(FunctionName="sqs-looper", EventSourceArn=arn)
        sqs.send_message(QueueUrl=url, MessageBody="around and around")

        def runs() -> list[str]:
            if not record.exists():
                return []
            return [json.loads(line)["trace"] for line in record.read_text().splitlines()]

        # The stopped message is received again, stopped again, and then redriven.
        dead = wait_for(
            lambda: sqs.receive_message(QueueUrl=dlq_url, WaitTimeSeconds=1).get("Messages"),
            timeout=120,
        )
        assert [m["Body"] for m in dead] == ["around and around"]
        assert len(runs()) == 16
        assert "Lineage=" in runs()[-1]
        # Each run's send carried its lineage out, as the SDK does on AWS.
        assert len(front.trace_headers) == 16
        assert all("Lineage=" in header for header in front.trace_headers)
        assert "recursive loop stopped" in lambdad_with_aws.log_path.read_text()
    finally:
        front.close()
