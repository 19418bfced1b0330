"""Metrics endpoint, invocation history and REPORT figures of real invocations, by BOTH executors.

A daemon with its Prometheus endpoint on a free port runs Python functions (process executor,
and Docker with lambdad's runtime images); the endpoint is scraped over HTTP before and after
invocations, errors and a throttle; history comes back over gRPC and from `lambdad invocations`.
Invocations use LogType Tail: the environment then frames the REPORT before Invoke answers, so
the figures are there without waiting.
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
import sys
import textwrap
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from lambdad.client import AsyncLambdadClient, TooManyRequestsError
from lambdad.client.errors import FunctionNotFoundError
from lambdad.daemon.server import Daemon
from lambdad.v1 import function_service_pb2 as fs
from lambdad.v1 import invocation_service_pb2 as ipb
from tests.helpers import async_wait_for, free_port
from tests.integration.support import create, executor_daemon, invoke

HANDLER = textwrap.dedent(
    """
    import subprocess, sys, threading, time

    KEPT = []
    CHILD = "import sys, time; x = b'x' * (64 << 20); print('ready', flush=True); time.sleep(60)"

    def handler(event, context):
        action = event.get("action")
        if action == "fail":
            raise ValueError("asked to fail")
        if action == "allocate":
            KEPT.append(b"x" * (event["mb"] << 20))  # written, so resident
        if action == "child":  # a process of the environment's tree holds 64 MB
            child = subprocess.Popen([sys.executable, "-c", CHILD], stdout=subprocess.PIPE)
            KEPT.append(child)
            child.stdout.readline()
        if action == "thread_child":  # started by a thread that stays: its task lists it
            started = threading.Event()

            def spawn():
                child = subprocess.Popen([sys.executable, "-c", CHILD], stdout=subprocess.PIPE)
                KEPT.append(child)
                child.stdout.readline()
                started.set()
                time.sleep(60)

            threading.Thread(target=spawn, daemon=True).start()
            started.wait()
        if action == "sleep":
            time.sleep(event["seconds"])
        return {"ok": True}
    """
)
REPORT = re.compile(
    r"^REPORT RequestId: (?P<id>\S+)\tDuration: (?P<duration>[\d.]+) ms\t"
    r"Billed Duration: (?P<billed>\d+) ms\tMemory Size: (?P<size>\d+) MB\t"
    r"Max Memory Used: (?P<used>\d+) MB\t(?:Init Duration: (?P<init>[\d.]+) ms\t)?$",
    re.MULTILINE,
)


@pytest.fixture(params=["process", pytest.param("docker", marks=pytest.mark.docker)])
async def daemon(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Daemon]:
    """An in-process daemon with its metrics endpoint on a free port."""
    async with executor_daemon(request, tmp_path / "data", metrics_port=free_port()) as running:
        yield running


@pytest.fixture
async def client(daemon: Daemon) -> AsyncIterator[AsyncLambdadClient]:
    async with AsyncLambdadClient.connect(f"127.0.0.1:{daemon.port}") as connected:
        yield connected


@pytest.fixture
async def fn(client: AsyncLambdadClient) -> str:
    await create(client, "obs", "python3.11", "app.handler", {"app.py": HANDLER}, memory_size=256)
    return "obs"


async def scrape(daemon: Daemon) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    assert daemon.metrics is not None
    url = f"http://127.0.0.1:{daemon.metrics.port}/metrics"
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        assert response.status == 200
        text = await response.text()
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def metric(
    scraped: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str
) -> float:
    return scraped.get((name, frozenset(labels.items())), 0.0)


def report_of(response: ipb.InvokeResponse) -> re.Match[str]:
    match = REPORT.search(base64.b64decode(response.log_result).decode())
    assert match is not None and match["id"] == response.request_id
    return match


async def test_metrics_change_as_invocations_run(
    daemon: Daemon, client: AsyncLambdadClient, fn: str
) -> None:
    labels = {"function": fn, "version": "$LATEST"}
    before = await scrape(daemon)
    assert metric(before, "lambdad_invocations_total", **labels) == 0
    assert metric(before, "lambdad_environments", **labels, state="idle") == 0

    ok = await invoke(client, fn, {}, log_type="Tail")
    failed = await invoke(client, fn, {"action": "fail"}, log_type="Tail")
    assert (ok.function_error, failed.function_error) == ("", "Unhandled")
    after = await scrape(daemon)
    assert metric(after, "lambdad_invocations_total", **labels) == 2
    errors = {**labels, "function_error": "Unhandled", "error_type": "ValueError"}
    assert metric(after, "lambdad_errors_total", **errors) == 1
    assert metric(after, "lambdad_cold_starts_total", **labels) == 1
    assert metric(after, "lambdad_init_duration_seconds_count", **labels) == 1
    assert metric(after, "lambdad_init_duration_seconds_sum", **labels) > 0
    assert metric(after, "lambdad_invocation_duration_seconds_count", **labels) == 2
    assert metric(after, "lambdad_environments", **labels, state="idle") == 1
    assert metric(after, "lambdad_environments", **labels, state="busy") == 0

    # A busy environment shows as busy while it runs.
    slow = asyncio.create_task(invoke(client, fn, {"action": "sleep", "seconds": 30}))
    try:

        async def busy() -> bool:
            scraped = await scrape(daemon)
            return metric(scraped, "lambdad_environments", **labels, state="busy") == 1

        assert await async_wait_for(busy)
    finally:
        slow.cancel()

    await client.put_function_concurrency(
        ipb.PutFunctionConcurrencyRequest(function_name=fn, reserved_concurrent_executions=0)
    )
    with pytest.raises(TooManyRequestsError):
        await invoke(client, fn, {})
    throttled = await scrape(daemon)
    reason = "ReservedFunctionConcurrentInvocationLimitExceeded"
    assert metric(throttled, "lambdad_throttles_total", function=fn, reason=reason) == 1
    assert metric(throttled, "lambdad_invocations_total", **labels) == 2


async def test_report_carries_real_memory_and_init_duration(
    client: AsyncLambdadClient, fn: str
) -> None:
    cold = report_of(await invoke(client, fn, {}, log_type="Tail"))
    assert cold["init"] is not None and float(cold["init"]) > 0
    baseline = int(cold["used"])
    assert 0 < baseline < 256
    warm = report_of(await invoke(client, fn, {"action": "allocate", "mb": 64}, log_type="Tail"))
    assert warm["init"] is None  # warm: no Init Duration
    assert int(warm["used"]) >= baseline + 60  # the 64 MB the handler keeps, measured
    history = await client.list_invocations(ipb.ListInvocationsRequest(function_name=fn))
    assert [i.max_memory_used_mb for i in history.invocations] == [
        int(warm["used"]),
        baseline,
    ]


async def test_max_memory_used_counts_the_whole_environment(
    client: AsyncLambdadClient, fn: str
) -> None:
    baseline = int(report_of(await invoke(client, fn, {}, log_type="Tail"))["used"])
    tree = report_of(await invoke(client, fn, {"action": "child"}, log_type="Tail"))
    assert int(tree["used"]) >= baseline + 60


async def test_max_memory_used_counts_children_of_other_threads(
    client: AsyncLambdadClient, fn: str
) -> None:
    """A child started by another thread of the runtime counts too (the REPORT reads the
    children of every thread, not only of a single-threaded runtime's one)."""
    baseline = int(report_of(await invoke(client, fn, {}, log_type="Tail"))["used"])
    tree = report_of(await invoke(client, fn, {"action": "thread_child"}, log_type="Tail"))
    assert int(tree["used"]) >= baseline + 60


async def test_history_lists_invocations_newest_first(client: AsyncLambdadClient, fn: str) -> None:
    ok = await invoke(client, fn, {}, log_type="Tail")
    failed = await invoke(client, fn, {"action": "fail"}, log_type="Tail")
    await client.publish_version(fs.PublishVersionRequest(function_name=fn))
    await client.create_alias(
        fs.CreateAliasRequest(function_name=fn, name="live", function_version="1")
    )
    aliased = await invoke(client, fn, {}, qualifier="live", log_type="Tail")
    queued = await invoke(client, fn, {}, invocation_type="Event")

    async def all_listed() -> bool:  # the Event invocation runs in the background
        listed = await client.list_invocations(ipb.ListInvocationsRequest(function_name=fn))
        return len(listed.invocations) == 4

    await async_wait_for(all_listed)
    await client.put_function_concurrency(
        ipb.PutFunctionConcurrencyRequest(function_name=fn, reserved_concurrent_executions=0)
    )
    with pytest.raises(TooManyRequestsError):
        await invoke(client, fn, {})
    listed = await client.list_invocations(ipb.ListInvocationsRequest(function_name=fn))
    items = listed.invocations
    assert [i.status for i in items] == ["Throttled", "Success", "Success", "Unhandled", "Success"]
    assert [i.request_id for i in items[1:]] == [
        queued.request_id,
        aliased.request_id,
        failed.request_id,
        ok.request_id,
    ]
    assert [i.invocation_type for i in items] == [
        "RequestResponse",
        "Event",
        "RequestResponse",
        "RequestResponse",
        "RequestResponse",
    ]
    assert [(i.qualifier, i.executed_version) for i in items[2:]] == [
        ("live", "1"),
        ("$LATEST", "$LATEST"),
        ("$LATEST", "$LATEST"),
    ]
    assert [i.start_time_ms for i in items[1:]] == sorted(
        (i.start_time_ms for i in items[1:]), reverse=True
    )
    first = items[-1]
    report = report_of(ok)
    assert first.HasField("init_duration_ms") and first.init_duration_ms > 0
    assert not items[-2].HasField("init_duration_ms")  # warm
    assert f"{first.duration_ms:.2f}" == report["duration"]
    assert first.billed_duration_ms == int(report["billed"])
    assert (first.memory_size_mb, first.max_memory_used_mb) == (256, int(report["used"]))
    assert (items[-2].error_type, first.error_type) == ("ValueError", "")

    newest = await client.list_invocations(
        ipb.ListInvocationsRequest(function_name=fn, max_items=2)
    )
    assert [i.status for i in newest.invocations] == ["Throttled", "Success"]
    by_alias = await client.list_invocations(
        ipb.ListInvocationsRequest(function_name=fn, qualifier="live")
    )
    assert [i.request_id for i in by_alias.invocations] == [aliased.request_id]
    with pytest.raises(FunctionNotFoundError):
        await client.list_invocations(ipb.ListInvocationsRequest(function_name="missing"))


async def lambdad_cli(*args: str) -> tuple[int, str, str]:
    """Run the `lambdad` command line as a user would: exit code, stdout, stderr."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "lambdad.daemon.cli",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_invocations_command(daemon: Daemon, client: AsyncLambdadClient, fn: str) -> None:
    ok = await invoke(client, fn, {}, log_type="Tail")
    target = ("--daemon", f"127.0.0.1:{daemon.port}")
    code, out, _ = await lambdad_cli("invocations", fn, "--json", *target)
    assert code == 0
    (item,) = json.loads(out)
    assert item["RequestId"] == ok.request_id
    assert (item["Status"], item["InvocationType"], item["MemorySize"]) == (
        "Success",
        "RequestResponse",
        256,
    )
    assert item["MaxMemoryUsed"] > 0 and item["InitDuration"] > 0
    code, out, _ = await lambdad_cli("invocations", fn, *target)
    table = out.splitlines()
    assert code == 0 and table[0].startswith("START (UTC)") and ok.request_id in table[1]
    code, _, err = await lambdad_cli("invocations", "missing", *target)
    assert code == 1 and "Function not found" in err
