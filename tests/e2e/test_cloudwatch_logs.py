"""CloudWatch Logs end to end: function output read with boto3's `logs` client and the AWS CLI
v2's `aws logs tail` (follow mode included), and kept across a daemon restart."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
import uuid
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config as BotoConfig
from botocore.exceptions import ClientError, EndpointConnectionError

from tests.e2e.support import REGION, LambdadProcess, create_function, settled
from tests.helpers import make_zip, wait_for

pytestmark = pytest.mark.e2e

PRINTER = """
import json

def handler(event, context):
    print("plain", event["marker"])
    print(json.dumps({"level": event.get("level", "INFO"), "marker": event["marker"]}))
    return event["marker"]
"""
STREAM_NAME = re.compile(r"^\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32}$")


def logs_client(endpoint: str) -> Any:
    """boto3's `logs` client with nothing but test credentials and a single attempt."""
    return boto3.client(
        "logs",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=BotoConfig(retries={"max_attempts": 1}),
    )


def aws_cli_v2() -> str | None:
    """An AWS CLI v2 executable (v1 has no `logs tail`), if the machine has one."""
    candidates = [os.environ.get("LAMBDAD_TEST_AWS_CLI_V2"), shutil.which("aws"), "/usr/bin/aws"]
    for candidate in candidates:
        if not candidate or not Path(candidate).exists():
            continue
        version = subprocess.run(
            [candidate, "--version"], capture_output=True, text=True, env=_cli_env(), check=False
        )
        if version.stdout.startswith("aws-cli/2"):
            return candidate
    return None


def _cli_env() -> dict[str, str]:
    # The v2 CLI runs on its own Python: keep this test run's PYTHONPATH out of it.
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONHOME"}}
    env.update(
        AWS_ACCESS_KEY_ID="test",
        AWS_SECRET_ACCESS_KEY="test",
        AWS_DEFAULT_REGION=REGION,
        AWS_PAGER="",
        AWS_MAX_ATTEMPTS="1",
    )
    return env


@pytest.fixture(scope="module")
def cli_v2() -> str:
    found = aws_cli_v2()
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("no AWS CLI v2 (.ci/run installs Debian's awscli)")
        pytest.skip("no AWS CLI v2 on this machine (apt-get install awscli)")
    return found


def _printer(client: Any, name: str) -> str:
    create_function(client, name, make_zip({"app.py": PRINTER}))
    settled(client, name)
    return f"/aws/lambda/{name}"


def _invoke(client: Any, name: str, marker: str, level: str = "INFO") -> None:
    reply = client.invoke(
        FunctionName=name, Payload=json.dumps({"marker": marker, "level": level}).encode()
    )
    assert json.loads(reply["Payload"].read()) == marker


def _messages(logs: Any, group: str, **filters: Any) -> list[str]:
    events = []
    for page in logs.get_paginator("filter_log_events").paginate(logGroupName=group, **filters):
        events.extend(page["events"])
    return [e["message"] for e in events]


def test_boto3_reads_groups_streams_and_events(
    lambdad: LambdadProcess, client: Any, function_name: str
) -> None:
    group = _printer(client, function_name)
    logs = logs_client(lambdad.endpoint)
    _invoke(client, function_name, "first", "ERROR")
    _invoke(client, function_name, "second")
    wait_for(lambda: sum("END RequestId" in m for m in _messages(logs, group)) == 2, timeout=30)

    groups = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]
    assert [g["logGroupName"] for g in groups] == [group]
    assert groups[0]["arn"] == f"arn:aws:logs:{REGION}:000000000000:log-group:{group}:*"
    assert groups[0]["storedBytes"] > 0 and groups[0]["retentionInDays"] == 7

    streams = logs.describe_log_streams(
        logGroupName=group, orderBy="LastEventTime", descending=True
    )["logStreams"]
    assert len(streams) == 1 and STREAM_NAME.match(streams[0]["logStreamName"])
    stream = streams[0]["logStreamName"]

    events = logs.get_log_events(logGroupName=group, logStreamName=stream, startFromHead=True)
    messages = [e["message"] for e in events["events"]]
    assert messages[0].startswith("START RequestId: ") and messages[0].endswith("$LATEST")
    assert messages[1:3] == ["plain first", '{"level": "ERROR", "marker": "first"}']
    assert messages[3].startswith("END RequestId: ") and messages[4].startswith("REPORT ")
    assert len(messages) == 10
    times = [e["timestamp"] for e in events["events"]]
    assert times == sorted(times)
    # Paging backwards from the newest event, two at a time, gives the same events.
    page = logs.get_log_events(logGroupName=group, logStreamName=stream, limit=2)
    seen = [e["message"] for e in page["events"]]
    while page["events"]:
        page = logs.get_log_events(
            logGroupName=group, logStreamName=stream, limit=2, nextToken=page["nextBackwardToken"]
        )
        seen = [e["message"] for e in page["events"]] + seen
    assert seen == messages

    assert _messages(logs, group, filterPattern="plain") == ["plain first", "plain second"]
    assert _messages(logs, group, filterPattern='{ $.level = "ERROR" }') == [messages[2]]
    assert _messages(logs, group, filterPattern='"plain s" ?nothing ?second') == ["plain second"]
    assert len(_messages(logs, group, filterPattern="RequestId -REPORT")) == 4
    assert len(_messages(logs, group, limit=3)) == 10  # the paginator follows nextToken

    with pytest.raises(ClientError) as caught:
        logs.filter_log_events(logGroupName=f"/aws/lambda/none-{uuid.uuid4().hex}")
    assert caught.value.response["Error"] == {
        "Code": "ResourceNotFoundException",
        "Message": "The specified log group does not exist.",
    }
    with pytest.raises(ClientError) as caught:
        logs.filter_log_events(logGroupName=group, filterPattern="{ $.level = ")
    assert caught.value.response["Error"]["Code"] == "InvalidParameterException"


def test_live_tail_host_prefix_is_added_by_the_client_for_any_endpoint(
    lambdad: LambdadProcess,
) -> None:
    """botocore puts StartLiveTail's `stream-` host prefix in front of every endpoint, an IP
    address and `localhost` included, so the name it looks up (`stream-127.0.0.1`) cannot resolve
    and no request reaches any server: the prefix has to be turned off on the client side."""
    for host in ("127.0.0.1", "localhost"):
        endpoint = f"http://{host}:{lambdad.gateway_port}"
        with pytest.raises(EndpointConnectionError) as caught:
            logs_client(endpoint).start_live_tail(logGroupIdentifiers=["/aws/lambda/none"])
        assert caught.value.kwargs["endpoint_url"] == f"http://stream-{endpoint[7:]}/"


def test_live_tail_streams_new_events(
    lambdad: LambdadProcess, client: Any, function_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    group = _printer(client, function_name)
    _invoke(client, function_name, "before")  # creates the group
    logs = logs_client(lambdad.endpoint)
    wait_for(lambda: "plain before" in _messages(logs, group), timeout=30)
    # A client made without any Config: the SDK's documented setting drops the `stream-` prefix.
    monkeypatch.setenv("AWS_DISABLE_HOST_PREFIX_INJECTION", "true")
    tail = logs_client(lambdad.endpoint).start_live_tail(
        logGroupIdentifiers=[f"arn:aws:logs:{REGION}:000000000000:log-group:{group}"],
        logEventFilterPattern="plain",
    )
    seen: list[dict[str, Any]] = []

    def read() -> None:
        for event in tail["responseStream"]:
            seen.append(event)
            if any(
                r["message"] == "plain during"
                for r in event.get("sessionUpdate", {}).get("sessionResults", [])
            ):
                break

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    wait_for(lambda: bool(seen), timeout=30)
    _invoke(client, function_name, "during")
    reader.join(timeout=60)
    assert not reader.is_alive()
    tail["responseStream"].close()
    assert seen[0]["sessionStart"]["logEventFilterPattern"] == "plain"
    results = [r for e in seen[1:] for r in e["sessionUpdate"]["sessionResults"]]
    assert [r["message"] for r in results] == ["plain during"]
    assert STREAM_NAME.match(results[0]["logStreamName"])


def test_aws_cli_start_live_tail_with_the_profile_setting(
    lambdad: LambdadProcess, client: Any, function_name: str, tmp_path: Path
) -> None:
    """`aws logs start-live-tail --endpoint-url ...` with `disable_host_prefix_injection = true`
    in the profile (the AWS CLI v1 of this environment; v2 has the same setting)."""
    group = _printer(client, function_name)
    _invoke(client, function_name, "before")
    logs = logs_client(lambdad.endpoint)
    wait_for(lambda: "plain before" in _messages(logs, group), timeout=30)
    config = tmp_path / "config"
    config.write_text("[default]\ndisable_host_prefix_injection = true\n")
    out = tmp_path / "live.out"
    command = [
        sys.executable,
        *("-m", "awscli", "--endpoint-url", lambdad.endpoint, "logs", "start-live-tail"),
        *("--log-group-identifiers", group, "--log-event-filter-pattern", "plain"),
    ]
    env = {
        **_cli_env(),
        "PYTHONPATH": os.environ.get("PYTHONPATH", ""),
        "AWS_CONFIG_FILE": str(config),
    }
    with open(out, "wb") as sink:
        tail = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT, env=env)
    try:
        # Invoked until the line shows: the CLI's session may open after the first invocation.
        def shown() -> bool:
            assert tail.poll() is None, out.read_text()
            _invoke(client, function_name, "during")
            return "plain during" in out.read_text()

        wait_for(shown, timeout=60, interval=1)
    finally:
        tail.kill()
        tail.wait(timeout=10)
    text = out.read_text()
    assert "plain during" in text and "plain before" not in text, text
    assert "stream-" not in text


def test_aws_cli_v2_logs_tail_and_follow(
    lambdad: LambdadProcess, client: Any, function_name: str, cli_v2: str, tmp_path: Path
) -> None:
    group = _printer(client, function_name)
    _invoke(client, function_name, "one")
    logs = logs_client(lambdad.endpoint)
    wait_for(lambda: "plain one" in _messages(logs, group), timeout=30)
    base = [cli_v2, "--endpoint-url", lambdad.endpoint, "logs", "tail", group]
    printed = subprocess.run(
        [*base, "--format", "short"], capture_output=True, text=True, env=_cli_env(), timeout=60
    )
    assert printed.returncode == 0, printed.stderr
    assert re.search(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d plain one$", printed.stdout, re.M)

    out = tmp_path / "tail.out"
    with open(out, "wb") as sink:
        follower = subprocess.Popen(
            [*base, "--follow"], stdout=sink, stderr=subprocess.STDOUT, env=_cli_env()
        )
    try:
        wait_for(lambda: "plain one" in out.read_text(), timeout=60)
        _invoke(client, function_name, "two")
        # The CLI polls FilterLogEvents every 5 seconds.
        wait_for(lambda: "plain two" in out.read_text(), timeout=60)
    finally:
        follower.kill()
        follower.wait(timeout=10)
    text = out.read_text()
    assert text.count("plain one") == 1 and text.count("plain two") == 1  # no line twice
    assert re.search(r"\[\$LATEST\][0-9a-f]{32} plain two$", text, re.M)


def test_logs_survive_a_daemon_restart(fresh_lambdad: LambdadProcess, function_name: str) -> None:
    fresh_lambdad.start()
    client = fresh_lambdad.lambda_client()
    group = _printer(client, function_name)
    _invoke(client, function_name, "kept")
    logs = logs_client(fresh_lambdad.endpoint)
    wait_for(lambda: "plain kept" in _messages(logs, group), timeout=30)
    fresh_lambdad.stop()
    assert (fresh_lambdad.data_dir / "logs.db").is_file()
    fresh_lambdad.start()
    logs = logs_client(fresh_lambdad.endpoint)
    assert "plain kept" in _messages(logs, group)
    assert [g["logGroupName"] for g in logs.describe_log_groups()["logGroups"]] == [group]


def test_function_log_group_and_configured_retention(
    fresh_lambdad: LambdadProcess, function_name: str
) -> None:
    # LoggingConfig.LogGroup moves the output to that group (none under /aws/lambda/); the
    # retention is the daemon's setting, shown as the group's retentionInDays.
    fresh_lambdad.env["LAMBDAD_LOG_RETENTION_DAYS"] = "3"
    fresh_lambdad.start()
    client = fresh_lambdad.lambda_client()
    group = f"/custom/{function_name}"
    create_function(
        client, function_name, make_zip({"app.py": PRINTER}), LoggingConfig={"LogGroup": group}
    )
    settled(client, function_name)
    _invoke(client, function_name, "elsewhere")
    logs = logs_client(fresh_lambdad.endpoint)
    wait_for(lambda: "plain elsewhere" in _messages(logs, group), timeout=30)
    groups = logs.describe_log_groups()["logGroups"]
    assert [(g["logGroupName"], g["retentionInDays"]) for g in groups] == [(group, 3)]
