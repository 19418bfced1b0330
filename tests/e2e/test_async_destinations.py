"""Async invocation outcomes delivered for real, and the event queue surviving `kill -9`.

A `lambdad serve` subprocess finds moto's standalone server through `AWS_ENDPOINT_URL`, as a
user's daemon would find LocalStack or AWS; records are read back from SQS queues (SNS and
EventBridge deliver into queues subscribed to them) and from the S3 bucket.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import urllib3

from tests.e2e.support import LambdadProcess, aws_client, moto_server
from tests.helpers import free_port, make_zip, wait_for

pytestmark = pytest.mark.e2e

HANDLER = """
import json, os, time

def handler(event, context):
    if os.environ.get("OUT"):
        with open(os.environ["OUT"], "a") as out:
            out.write(context.aws_request_id + "\\n")
    time.sleep(float(os.environ.get("SLEEP", "0")))
    if event.get("fail"):
        raise Exception("asked to fail")
    return {"doubled": event.get("n", 0) * 2}
"""
ROLE = "arn:aws:iam::000000000000:role/r"
FUNCTION_ARN = "arn:aws:lambda:us-east-1:000000000000:function"


@pytest.fixture(scope="module")
def aws_endpoint() -> Iterator[str]:
    with moto_server() as endpoint:
        yield endpoint


@pytest.fixture(scope="module")
def daemon(tmp_path_factory: pytest.TempPathFactory, aws_endpoint: str) -> Iterator[LambdadProcess]:
    """A daemon whose AWS endpoint is moto, with retries after 0.2 s instead of minutes."""
    mp = pytest.MonkeyPatch()
    mp.setenv("AWS_ENDPOINT_URL", aws_endpoint)
    mp.setenv("AWS_ACCESS_KEY_ID", "test")
    mp.setenv("AWS_SECRET_ACCESS_KEY", "test")
    mp.setenv("LAMBDAD_EVENT_RETRY_DELAYS", "0.2")
    tmp = tmp_path_factory.mktemp("destinations")
    process = LambdadProcess(
        data_dir=tmp / "data",
        log_path=tmp / "lambdad.log",
        extra_args=["--metrics-port", "0"],
    )
    process.start()
    yield process
    process.stop()
    mp.undo()


def create(lam: Any, name: str, **extra: Any) -> None:
    lam.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": make_zip({"app.py": HANDLER})},
        Timeout=10,
        **extra,
    )
    lam.get_waiter("function_active_v2").wait(FunctionName=name)


def queue(sqs: Any, name: str) -> tuple[str, str]:
    """(URL, ARN) of a new queue."""
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]
    return url, arn["QueueArn"]


def receive(sqs: Any, url: str, count: int = 1, timeout: float = 30) -> list[dict[str, Any]]:
    """At least `count` messages from a queue (deleted once read)."""
    got: list[dict[str, Any]] = []

    def enough() -> bool:
        reply = sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1, MessageAttributeNames=["All"]
        )
        for message in reply.get("Messages", []):
            got.append(message)
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        return len(got) >= count

    wait_for(enough, timeout=timeout)
    return got


def invoke_event(lam: Any, name: str, event: dict[str, Any]) -> str:
    reply = lam.invoke(FunctionName=name, InvocationType="Event", Payload=json.dumps(event))
    assert reply["StatusCode"] == 202
    return str(reply["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"])


def test_sqs_on_success_and_on_failure_records(daemon: LambdadProcess, aws_endpoint: str) -> None:
    lam, sqs = daemon.lambda_client(), aws_client("sqs", aws_endpoint)
    ok_url, ok_arn = queue(sqs, "on-success")
    fail_url, fail_arn = queue(sqs, "on-failure")
    create(lam, "sqs-dest")
    lam.put_function_event_invoke_config(
        FunctionName="sqs-dest",
        MaximumRetryAttempts=1,
        DestinationConfig={
            "OnSuccess": {"Destination": ok_arn},
            "OnFailure": {"Destination": fail_arn},
        },
    )

    good = invoke_event(lam, "sqs-dest", {"n": 21})
    bad = invoke_event(lam, "sqs-dest", {"fail": True})

    (success,) = receive(sqs, ok_url)
    record = json.loads(success["Body"])
    assert record["version"] == "1.0"
    assert record["timestamp"].endswith("Z")
    assert record["requestContext"] == {
        "requestId": good,
        "functionArn": f"{FUNCTION_ARN}:sqs-dest:$LATEST",
        "condition": "Success",
        "approximateInvokeCount": 1,
    }
    assert record["requestPayload"] == {"n": 21}
    assert record["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST"}
    assert record["responsePayload"] == {"doubled": 42}

    (failure,) = receive(sqs, fail_url)
    record = json.loads(failure["Body"])
    assert record["requestContext"] == {
        "requestId": bad,
        "functionArn": f"{FUNCTION_ARN}:sqs-dest:$LATEST",
        "condition": "RetriesExhausted",
        "approximateInvokeCount": 2,
    }
    assert record["requestPayload"] == {"fail": True}
    assert record["responseContext"] == {
        "statusCode": 200,
        "executedVersion": "$LATEST",
        "functionError": "Unhandled",
    }
    assert record["responsePayload"]["errorMessage"] == "asked to fail"


def test_sns_and_eventbridge_destinations(daemon: LambdadProcess, aws_endpoint: str) -> None:
    lam, sqs = daemon.lambda_client(), aws_client("sqs", aws_endpoint)
    sns, events = aws_client("sns", aws_endpoint), aws_client("events", aws_endpoint)
    topic_url, topic_queue = queue(sqs, "from-topic")
    topic = sns.create_topic(Name="records")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=topic_queue)
    bus_url, bus_queue = queue(sqs, "from-bus")
    bus = events.create_event_bus(Name="records")["EventBusArn"]
    events.put_rule(Name="lambda", EventBusName="records", EventPattern='{"source": ["lambda"]}')
    events.put_targets(
        Rule="lambda", EventBusName="records", Targets=[{"Id": "q", "Arn": bus_queue}]
    )
    create(lam, "sns-dest")
    lam.put_function_event_invoke_config(
        FunctionName="sns-dest",
        MaximumRetryAttempts=0,
        DestinationConfig={"OnSuccess": {"Destination": topic}, "OnFailure": {"Destination": bus}},
    )

    good = invoke_event(lam, "sns-dest", {"n": 1})
    bad = invoke_event(lam, "sns-dest", {"fail": True})

    (notification,) = receive(sqs, topic_url)
    record = json.loads(json.loads(notification["Body"])["Message"])
    assert record["requestContext"]["requestId"] == good
    assert record["requestContext"]["condition"] == "Success"
    assert record["responsePayload"] == {"doubled": 2}

    (event,) = receive(sqs, bus_url)
    envelope = json.loads(event["Body"])
    assert envelope["source"] == "lambda"
    assert envelope["detail-type"] == "Lambda Function Invocation Result - Failure"
    assert envelope["detail"]["requestContext"]["requestId"] == bad
    assert envelope["detail"]["requestContext"]["condition"] == "RetriesExhausted"
    assert envelope["detail"]["requestContext"]["approximateInvokeCount"] == 1


def test_s3_on_failure_record(daemon: LambdadProcess, aws_endpoint: str) -> None:
    lam, s3 = daemon.lambda_client(), aws_client("s3", aws_endpoint)
    s3.create_bucket(Bucket="failures")
    create(lam, "s3-dest")
    lam.put_function_event_invoke_config(
        FunctionName="s3-dest",
        MaximumRetryAttempts=0,
        DestinationConfig={"OnFailure": {"Destination": "arn:aws:s3:::failures"}},
    )
    bad = invoke_event(lam, "s3-dest", {"fail": True})

    prefix = "aws/lambda/async/s3-dest/"
    (key,) = wait_for(
        lambda: [o["Key"] for o in s3.list_objects_v2(Bucket="failures").get("Contents", [])],
        timeout=30,
    )
    assert key.startswith(prefix)
    # aws/lambda/async/<function>/YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-<uuid>
    day, name = key[len(prefix) :].rsplit("/", 1)
    assert time.strptime(day, "%Y/%m/%d")
    assert name.startswith(day.replace("/", "-") + "T")
    assert time.strptime(name[:19], "%Y-%m-%dT%H.%M.%S")
    assert len(name) == 19 + 1 + 36
    record = json.loads(s3.get_object(Bucket="failures", Key=key)["Body"].read())
    assert record["requestContext"]["requestId"] == bad
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestPayload"] == {"fail": True}


def test_dead_letter_queue_gets_the_event_with_aws_attributes(
    daemon: LambdadProcess, aws_endpoint: str
) -> None:
    lam, sqs = daemon.lambda_client(), aws_client("sqs", aws_endpoint)
    dlq_url, dlq_arn = queue(sqs, "dead-letters")
    create(lam, "dlq-fn", DeadLetterConfig={"TargetArn": dlq_arn})
    lam.put_function_event_invoke_config(FunctionName="dlq-fn", MaximumRetryAttempts=1)
    bad = invoke_event(lam, "dlq-fn", {"fail": True, "order": 7})

    (message,) = receive(sqs, dlq_url)
    assert json.loads(message["Body"]) == {"fail": True, "order": 7}  # the event itself
    attributes = message["MessageAttributes"]
    assert attributes["RequestID"] == {"StringValue": bad, "DataType": "String"}
    assert attributes["ErrorCode"] == {"StringValue": "200", "DataType": "Number"}
    assert attributes["ErrorMessage"] == {"StringValue": "asked to fail", "DataType": "String"}


def test_unreachable_destination_is_retried_until_it_exists(
    daemon: LambdadProcess, aws_endpoint: str
) -> None:
    lam, sqs = daemon.lambda_client(), aws_client("sqs", aws_endpoint)
    create(lam, "late-dest")
    arn = "arn:aws:sqs:us-east-1:123456789012:created-later"
    lam.put_function_event_invoke_config(
        FunctionName="late-dest", DestinationConfig={"OnSuccess": {"Destination": arn}}
    )
    good = invoke_event(lam, "late-dest", {"n": 2})
    wait_for(lambda: "event outcome not delivered; will retry" in daemon.log_path.read_text())
    url, _ = queue(sqs, "created-later")
    (message,) = receive(sqs, url)
    assert json.loads(message["Body"])["requestContext"]["requestId"] == good


def test_kill_9_loses_no_accepted_event(tmp_path: Path) -> None:
    """Events accepted before a SIGKILL all run after the restart; duplicates are counted."""
    out = tmp_path / "ran.txt"
    out.touch()
    process = LambdadProcess(
        data_dir=tmp_path / "data",
        log_path=tmp_path / "lambdad.log",
        extra_args=["--metrics-port", str(free_port())],
    )
    process.start()
    try:
        lam = process.lambda_client()
        create(lam, "slow", Environment={"Variables": {"OUT": str(out), "SLEEP": "0.3"}})
        accepted = [invoke_event(lam, "slow", {"n": i}) for i in range(120)]
        wait_for(lambda: len(out.read_text().split()) >= 10, timeout=60)
        process.kill()  # mid-run: some events ran, some are running, most wait
        assert len(set(out.read_text().split())) < len(accepted)

        process.start()
        wait_for(lambda: set(accepted) <= set(out.read_text().split()), timeout=120)
        ran = out.read_text().split()
        duplicates = len(ran) - len(set(ran))
        log = process.log_path.read_text()
        redelivered = log.count("event redelivered after an interrupted attempt")
        assert redelivered >= 1  # some were running when the daemon died
        assert duplicates <= redelivered  # every second run is one the daemon counted
        metrics = process_metrics(process)
        assert f"lambdad_event_redeliveries_total {float(redelivered)}" in metrics
        wait_for(lambda: "lambdad_event_queue_depth 0.0" in process_metrics(process), timeout=30)
    finally:
        process.stop()


def process_metrics(process: LambdadProcess) -> str:
    """The daemon's Prometheus exposition."""
    port = process.extra_args[process.extra_args.index("--metrics-port") + 1]
    reply = urllib3.PoolManager().request("GET", f"http://127.0.0.1:{port}/metrics")
    return str(reply.data.decode())
