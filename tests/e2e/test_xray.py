"""X-Ray end to end: a function instrumented with aws-xray-sdk, read back with the AWS CLI.

The function's zip vendors aws-xray-sdk (and wrapt) from the test environment, as a user
would package it. Its segments travel over UDP to lambdad's X-Ray daemon listener, so the
tests poll for them with a deadline.
"""

from __future__ import annotations

import base64
import io
import json
import uuid
import zipfile
from pathlib import Path
from typing import Any

import aws_xray_sdk
import boto3
import pytest
import wrapt
from botocore.config import Config as BotoConfig

from tests.e2e.support import REGION, LambdadProcess
from tests.helpers import wait_for

pytestmark = pytest.mark.e2e

INSTRUMENTED = """
import os
from aws_xray_sdk.core import xray_recorder

def handler(event, context):
    with xray_recorder.in_subsegment("work") as subsegment:
        subsegment.put_annotation("marker", event.get("marker", ""))
    return {
        "trace": os.environ.get("_X_AMZN_TRACE_ID"),
        "daemon": os.environ.get("AWS_XRAY_DAEMON_ADDRESS"),
        "missing": os.environ.get("AWS_XRAY_CONTEXT_MISSING"),
    }
"""

TRACE_WRITER = """
import json, os

def handler(event, context):
    with open(os.environ["OUT"], "a") as out:
        out.write(json.dumps({"event": event, "trace": os.environ.get("_X_AMZN_TRACE_ID")}) + "\\n")
    return os.environ.get("_X_AMZN_TRACE_ID")
"""

CALLER_PARENT = "53995c3f42cd8ad8"


def caller_root() -> str:
    """A trace id of the test's own (traces outlive tests in the shared daemon)."""
    return f"1-5759e988-{uuid.uuid4().hex[:24]}"


def _package(directory: Path, prefix: str) -> dict[str, bytes]:
    return {
        f"{prefix}/{path.relative_to(directory).as_posix()}": path.read_bytes()
        for path in directory.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }


def instrumented_zip() -> bytes:
    """app.py plus aws_xray_sdk and wrapt copied from the installed packages."""
    members = {
        **_package(Path(aws_xray_sdk.__file__).parent, "aws_xray_sdk"),
        **_package(Path(wrapt.__file__).parent, "wrapt"),
        "app.py": INSTRUMENTED.encode(),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _create(
    client: Any, name: str, zip_bytes: bytes, mode: str, runtime: str = "python3.12", **extra: Any
) -> None:
    client.create_function(
        FunctionName=name,
        Runtime=runtime,
        Role="arn:aws:iam::000000000000:role/r",
        Handler="app.handler",
        Code={"ZipFile": zip_bytes},
        TracingConfig={"Mode": mode},
        Timeout=30,
        **extra,
    )
    client.get_waiter("function_active_v2").wait(FunctionName=name)


def _without_lineage(header: str) -> str:
    """The header without the `Lineage` member lambdad adds to every invocation's header (its
    recursive-loop count, domain/recursion.py), which the assertions here are not about."""
    parts = header.split(";")
    assert parts[-1].startswith("Lineage="), header
    return ";".join(parts[:-1])


def _root(header: str) -> str:
    fields = dict(part.split("=", 1) for part in header.split(";"))
    return fields["Root"]


def _with_trace_header(client: Any, value: str) -> Any:
    def add(request: Any, **_: Any) -> None:
        request.headers["X-Amzn-Trace-Id"] = value

    client.meta.events.register("before-sign.lambda.*", add)
    return client


def _xray(lambdad: LambdadProcess) -> Any:
    return boto3.client(
        "xray",
        endpoint_url=lambdad.endpoint,
        region_name=REGION,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=BotoConfig(retries={"max_attempts": 1}),
    )


def _walk(entity: dict[str, Any]) -> list[dict[str, Any]]:
    found = [entity]
    for child in entity.get("subsegments", []):
        found.extend(_walk(child))
    return found


def test_instrumented_function_trace_comes_back_from_the_aws_cli(
    lambdad: LambdadProcess, client: Any, function_name: str
) -> None:
    _create(client, function_name, instrumented_zip(), "Active")
    marker = uuid.uuid4().hex
    reply = client.invoke(FunctionName=function_name, Payload=json.dumps({"marker": marker}))
    assert "FunctionError" not in reply
    body = json.loads(reply["Payload"].read())
    header = _without_lineage(body["trace"])
    assert header.endswith(";Sampled=1")
    assert body["daemon"].startswith("127.0.0.1:")
    assert body["missing"] == "LOG_ERROR"
    root = _root(header)

    def documents() -> list[dict[str, Any]] | None:
        traces = lambdad.aws_json("xray", "batch-get-traces", "--trace-ids", root)["Traces"]
        if not traces:
            return None
        docs = [json.loads(s["Document"]) for s in traces[0]["Segments"]]
        names = {e["name"] for d in docs for e in _walk(d)}
        return docs if "work" in names else None

    docs = wait_for(documents, timeout=20)
    by_origin = {d.get("origin"): d for d in docs}
    service = by_origin["AWS::Lambda"]
    function = by_origin["AWS::Lambda::Function"]
    assert service["name"] == function["name"] == function_name
    assert function["parent_id"] == service["id"]
    assert header.split(";")[1] == f"Parent={function['id']}"
    children = {s["name"]: s for s in function["subsegments"]}
    assert {"Initialization", "Invocation", "work"} <= set(children)
    assert children["work"]["annotations"] == {"marker": marker}
    assert service["start_time"] <= function["start_time"] <= function["end_time"]
    assert function["end_time"] <= service["end_time"]

    summaries = lambdad.aws_json(
        "xray",
        "get-trace-summaries",
        "--start-time",
        str(int(service["start_time"]) - 60),
        "--end-time",
        str(int(service["end_time"]) + 60),
    )["TraceSummaries"]
    summary = next(s for s in summaries if s["Id"] == root)
    assert summary["HasFault"] is False
    assert {s["Type"] for s in summary["ServiceIds"]} == {
        "AWS::Lambda",
        "AWS::Lambda::Function",
    }

    unknown = f"1-00000000-{uuid.uuid4().hex[:24]}"
    boto = _xray(lambdad).batch_get_traces(TraceIds=[root, unknown])
    assert [t["Id"] for t in boto["Traces"]] == [root]
    assert boto["UnprocessedTraceIds"] == [unknown]


def test_put_trace_segments_through_boto3(lambdad: LambdadProcess) -> None:
    xray = _xray(lambdad)
    root = f"1-5759e988-{uuid.uuid4().hex[:24]}"
    good = {"id": "70de5b6f19ff9a0a", "trace_id": root, "name": "app", "start_time": 1.0}
    put = xray.put_trace_segments(
        TraceSegmentDocuments=[json.dumps({**good, "end_time": 2.5}), "{not json"]
    )
    assert [u["ErrorCode"] for u in put["UnprocessedTraceSegments"]] == ["InvalidSegment"]
    trace = xray.batch_get_traces(TraceIds=[root])["Traces"][0]
    assert trace["Duration"] == 1.5
    assert json.loads(trace["Segments"][0]["Document"])["name"] == "app"


def test_filtered_summaries_page_through_the_aws_cli(lambdad: LambdadProcess) -> None:
    xray = _xray(lambdad)
    service = f"fn-{uuid.uuid4().hex[:8]}"
    # A window of our own: the session's daemon keeps other tests' traces too.
    base = 1_500_000_000 + uuid.uuid4().int % 10_000_000
    ids = [f"1-{base:08x}-{uuid.uuid4().hex[:24]}" for _ in range(240)]
    for batch in range(0, 240, 48):
        documents = [
            json.dumps(
                {
                    "id": uuid.uuid4().hex[:16],
                    "trace_id": ids[n],
                    "name": service,
                    "origin": "AWS::Lambda::Function",
                    "start_time": base + n,
                    "end_time": base + n + 0.25,
                    "fault": n % 2 == 0,
                    "annotations": {"n": n},
                }
            )
            for n in range(batch, batch + 48)
        ]
        assert not xray.put_trace_segments(TraceSegmentDocuments=documents)[
            "UnprocessedTraceSegments"
        ]
    window = ["--start-time", str(base), "--end-time", str(base + 300)]
    faults = {ids[n] for n in range(0, 240, 2)}

    # 120 matches need two pages of 100; the CLI follows NextToken and merges them.
    found = lambdad.aws_json(
        "xray",
        "get-trace-summaries",
        *window,
        "--filter-expression",
        f'service("{service}") AND fault',
    )["TraceSummaries"]
    assert [s["Id"] for s in found] == [ids[n] for n in range(238, -1, -2)]
    assert set(ids) - faults and {s["Id"] for s in found} == faults
    assert all(s["HasFault"] and s["ServiceIds"][0]["Name"] == service for s in found)

    pages = list(
        xray.get_paginator("get_trace_summaries").paginate(
            StartTime=base, EndTime=base + 300, FilterExpression=f'service("{service}") AND fault'
        )
    )
    assert [len(p["TraceSummaries"]) for p in pages] == [100, 20]
    assert [p["TracesProcessedCount"] for p in pages] == [200, 40]

    narrow = lambdad.aws_json(
        "xray",
        "get-trace-summaries",
        *window,
        "--filter-expression",
        "annotation.n >= 230 AND !fault OR duration > 1",
    )["TraceSummaries"]
    assert [s["Id"] for s in narrow] == [ids[n] for n in (239, 237, 235, 233, 231)]

    refused = lambdad.aws(
        "xray", "get-trace-summaries", *window, "--filter-expression", 'edge("a", "b")', check=False
    )
    assert refused.returncode != 0
    assert "(InvalidRequestException)" in refused.stderr
    assert "Unsupported filter expression keyword 'edge'" in refused.stderr


@pytest.mark.parametrize("mode", ["PassThrough", "Active"])
def test_caller_trace_header_reaches_the_function(
    lambdad: LambdadProcess, client: Any, function_name: str, mode: str
) -> None:
    _create(client, function_name, instrumented_zip(), mode)
    caller = f"Root={caller_root()};Parent={CALLER_PARENT};Sampled=0"
    reply = _with_trace_header(client, caller).invoke(
        FunctionName=function_name, Payload=b"{}", LogType="Tail"
    )
    body = json.loads(reply["Payload"].read())
    assert "FunctionError" not in reply, (body, base64.b64decode(reply["LogResult"]))
    header = _without_lineage(body["trace"])
    # Unsampled by the caller: the header arrives unchanged, in both modes.
    assert header == caller


def test_pass_through_without_a_header_is_unsampled(
    lambdad: LambdadProcess, client: Any, function_name: str
) -> None:
    _create(client, function_name, instrumented_zip(), "PassThrough")
    reply = client.invoke(FunctionName=function_name, Payload=b"{}")
    header = _without_lineage(json.loads(reply["Payload"].read())["trace"])
    assert header.startswith("Root=1-") and header.endswith(";Sampled=0")
    root = _root(header)
    assert _xray(lambdad).batch_get_traces(TraceIds=[root])["UnprocessedTraceIds"] == [root]


def test_pass_through_async_invoke_keeps_the_callers_trace(
    lambdad: LambdadProcess, client: Any, function_name: str, tmp_path: Path
) -> None:
    out = tmp_path / "traces.jsonl"
    out.touch()
    _create(
        client,
        function_name,
        _zip_of(TRACE_WRITER),
        "PassThrough",
        Environment={"Variables": {"OUT": str(out)}},
    )
    root = caller_root()
    caller = f"Root={root};Parent={CALLER_PARENT};Sampled=1"
    reply = _with_trace_header(client, caller).invoke(
        FunctionName=function_name, InvocationType="Event", Payload=b'{"n": 1}'
    )
    assert reply["StatusCode"] == 202
    line = wait_for(lambda: out.read_text().strip(), timeout=20)
    seen = _without_lineage(json.loads(line.splitlines()[0])["trace"])
    assert _root(seen) == root
    assert seen.endswith(";Sampled=1")
    # Sampled by the caller: lambdad's segments join the caller's trace under its Parent.
    trace = wait_for(lambda: _xray(lambdad).batch_get_traces(TraceIds=[root])["Traces"], timeout=20)
    docs = [json.loads(s["Document"]) for s in trace[0]["Segments"]]
    service = next(d for d in docs if d["origin"] == "AWS::Lambda" and d["name"] == function_name)
    assert service["parent_id"] == CALLER_PARENT


def _zip_of(source: str, name: str = "app.py") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, source)
    return buffer.getvalue()


def test_sqs_mapping_continues_the_messages_trace(
    lambdad_with_aws: LambdadProcess, aws_endpoint: str, tmp_path: Path
) -> None:
    out = tmp_path / "traces.jsonl"
    out.touch()
    lam = lambdad_with_aws.lambda_client()
    name = f"sqs-trace-{uuid.uuid4().hex[:8]}"
    _create(
        lam,
        name,
        _zip_of(TRACE_WRITER),
        "PassThrough",
        Environment={"Variables": {"OUT": str(out)}},
    )
    sqs = boto3.client(
        "sqs",
        endpoint_url=aws_endpoint,
        region_name=REGION,
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    lam.create_event_source_mapping(FunctionName=name, EventSourceArn=arn, BatchSize=1)
    root = caller_root()
    header = f"Root={root};Parent={CALLER_PARENT};Sampled=0"
    sqs.send_message(
        QueueUrl=url,
        MessageBody="traced",
        MessageSystemAttributes={"AWSTraceHeader": {"DataType": "String", "StringValue": header}},
    )
    line = wait_for(lambda: out.read_text().strip(), timeout=30)
    seen = json.loads(line.splitlines()[0])
    assert seen["event"]["Records"][0]["attributes"]["AWSTraceHeader"] == header
    assert _without_lineage(seen["trace"]) == header


@pytest.mark.docker
def test_container_function_reaches_the_xray_listener(docker_lambdad: LambdadProcess) -> None:
    client = docker_lambdad.lambda_client()
    name = f"xray-docker-{uuid.uuid4().hex[:8]}"
    # A runtime lambdad's test images have (the vendored wrapt is built for this Python).
    _create(client, name, instrumented_zip(), "Active", runtime="python3.11")
    reply = client.invoke(FunctionName=name, Payload=b'{"marker": "docker"}', LogType="Tail")
    body = json.loads(reply["Payload"].read())
    assert "FunctionError" not in reply, (body, base64.b64decode(reply["LogResult"]))
    assert not body["daemon"].startswith("127.0.0.1:")
    root = _root(body["trace"])

    def work() -> dict[str, Any] | None:
        traces = _xray(docker_lambdad).batch_get_traces(TraceIds=[root])["Traces"]
        docs = [json.loads(s["Document"]) for t in traces for s in t["Segments"]]
        found = [e for d in docs for e in _walk(d) if e["name"] == "work"]
        return found[0] if found else None

    assert wait_for(work, timeout=30)["annotations"] == {"marker": "docker"}


NODE_TRACE = """
exports.handler = async () => ({ trace: process.env._X_AMZN_TRACE_ID });
"""


def test_node_runtime_gets_the_trace_header(
    lambdad: LambdadProcess, client: Any, function_name: str
) -> None:
    client.create_function(
        FunctionName=function_name,
        Runtime="nodejs20.x",
        Role="arn:aws:iam::000000000000:role/r",
        Handler="index.handler",
        Code={"ZipFile": _zip_of(NODE_TRACE, "index.js")},
        TracingConfig={"Mode": "PassThrough"},
    )
    client.get_waiter("function_active_v2").wait(FunctionName=function_name)
    caller = f"Root={caller_root()};Parent={CALLER_PARENT};Sampled=0"
    reply = _with_trace_header(client, caller).invoke(FunctionName=function_name, Payload=b"{}")
    trace = json.loads(reply["Payload"].read())["trace"]
    assert _without_lineage(trace) == caller
