"""`lambdad serve --metrics-port`: the metrics endpoint as a new user sees it.

boto3 invokes through the gateway, an SQS mapping (moto's server) delivers a message, and the
daemon's `/metrics` is scraped over plain HTTP before and after; `lambdad invocations` lists
what ran.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import urllib3
from prometheus_client.parser import text_string_to_metric_families

from tests.e2e.support import RECORDER, LambdadProcess, aws_client, create_queue, records_for
from tests.helpers import free_port, make_zip, wait_for

pytestmark = pytest.mark.e2e

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory,
    aws_endpoint: str,
) -> Iterator[tuple[LambdadProcess, int]]:
    mp = pytest.MonkeyPatch()
    mp.setenv("AWS_ENDPOINT_URL", aws_endpoint)
    mp.setenv("AWS_ACCESS_KEY_ID", "test")
    mp.setenv("AWS_SECRET_ACCESS_KEY", "test")
    tmp = tmp_path_factory.mktemp("metrics")
    port = free_port()
    process = LambdadProcess(
        data_dir=tmp / "data",
        log_path=tmp / "lambdad.log",
        extra_args=["--metrics-port", str(port)],
    )
    process.start()
    yield process, port
    process.stop()
    mp.undo()


def scrape(port: int) -> Samples:
    response = urllib3.PoolManager(retries=False).request("GET", f"http://127.0.0.1:{port}/metrics")
    assert response.status == 200
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.data.decode())
        for sample in family.samples
    }


def metric(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def test_metrics_endpoint_shows_invocations_and_event_source_lag(
    served: tuple[LambdadProcess, int],
    aws_endpoint: str,
    tmp_path: Path,
) -> None:
    lambdad, port = served
    out = tmp_path / "events.jsonl"
    out.touch()
    lam = lambdad.lambda_client()
    lam.create_function(
        FunctionName="counted",
        Runtime="python3.12",
        Role="arn:aws:iam::000000000000:role/r",
        Handler="app.handler",
        Code={"ZipFile": make_zip({"app.py": RECORDER})},
        Environment={"Variables": {"OUT": str(out)}},
    )
    lam.get_waiter("function_active_v2").wait(FunctionName="counted")
    labels = {"function": "counted", "version": "$LATEST"}
    assert metric(scrape(port), "lambdad_invocations_total", **labels) == 0

    for _ in range(3):
        answer = lam.invoke(FunctionName="counted", Payload=b"{}", LogType="Tail")
        assert "FunctionError" not in answer, base64.b64decode(answer["LogResult"]).decode()
    after = scrape(port)
    assert metric(after, "lambdad_invocations_total", **labels) == 3
    assert metric(after, "lambdad_cold_starts_total", **labels) == 1
    assert metric(after, "lambdad_environments", **labels, state="idle") == 1

    sqs = aws_client("sqs", aws_endpoint)
    url, arn = create_queue(sqs, "metrics-queue")
    mapping = lam.create_event_source_mapping(FunctionName="counted", EventSourceArn=arn)
    sqs.send_message(QueueUrl=url, MessageBody="lag")
    wait_for(lambda: records_for(out, arn))
    age = metric(
        scrape(port),
        "lambdad_event_source_oldest_record_age_seconds",
        uuid=mapping["UUID"],
        function="counted",
    )
    assert 0 <= age < 600
    # The mapping's invocation is counted too (its REPORT may trail the recorded event).
    wait_for(lambda: metric(scrape(port), "lambdad_invocations_total", **labels) == 4)

    listed = subprocess.run(
        [
            sys.executable,
            "-m",
            "lambdad.daemon.cli",
            "invocations",
            "counted",
            "--json",
            "--daemon",
            lambdad.grpc_target,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    items: list[dict[str, Any]] = json.loads(listed.stdout)
    assert [item["Status"] for item in items] == ["Success"] * 4, items
    assert all(item["MaxMemoryUsed"] > 0 for item in items)
