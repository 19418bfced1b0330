"""Functions run for real through the real gRPC InvocationService, by BOTH executors.

Every test runs twice: with the process executor and with the Docker executor (real engine,
lambdad's offline runtime images; skipped without an engine, failed in CI). Python functions
run on AWS's own `awslambdaric`, Node.js functions on lambdad's runtime client, custom
runtimes on a `bootstrap` shell script that speaks the Runtime API with curl (the shape of
AWS's custom-runtime tutorial).
"""

from __future__ import annotations

import asyncio
import base64
import json
import shutil
import textwrap
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from lambdad.client import AsyncLambdadClient, TooManyRequestsError
from lambdad.client.errors import (
    FunctionNotFoundError,
    InvalidParameterValueError,
    InvalidRequestContentError,
    RequestTooLargeError,
)
from lambdad.daemon.server import Daemon
from lambdad.v1 import function_pb2 as fpb
from lambdad.v1 import function_service_pb2 as fs
from lambdad.v1 import invocation_service_pb2 as ipb
from tests.helpers import async_wait_for
from tests.integration.support import create, executor_daemon, invoke

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")

PYTHON_HANDLER = textwrap.dedent(
    """
    import json, os, sys, time

    COUNTER = 0

    def handler(event, context):
        global COUNTER
        COUNTER += 1
        print("event", json.dumps(event))
        action = event.get("action")
        if action == "fail":
            raise Exception("Handler fails")
        if action == "sleep":
            time.sleep(event["seconds"])
        if action == "exit":
            sys.stdout.flush()
            os._exit(3)
        if action == "hog":
            hoard = []
            while True:
                hoard.append(bytearray(16 * 1024 * 1024))
        if action == "big":
            return "x" * (7 * 1024 * 1024)
        if action == "tmp":
            path = "/tmp/lambdad-warm-" + context.function_name
            path = os.path.join(os.environ.get("TMPDIR", "/tmp"), "warm")
            seen = os.path.exists(path)
            open(path, "w").write("1")
            return {"seen": seen, "counter": COUNTER}
        return {
            "hello": event.get("name", "world"),
            "request_id": context.aws_request_id,
            "counter": COUNTER,
            "env": {k: os.environ.get(k) for k in ("AWS_LAMBDA_FUNCTION_NAME", "FOO", "TZ",
                    "AWS_EXECUTION_ENV", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "_HANDLER")},
            "client_context": getattr(context.client_context, "custom", None),
            "tenant_id": getattr(context, "tenant_id", None),
            "remaining_ok": 0 < context.get_remaining_time_in_millis() <= 30000,
        }
    """
)

NODE_HANDLER = textwrap.dedent(
    """
    exports.handler = async (event, context) => {
      console.log("node event", JSON.stringify(event));
      if (event.action === "fail") throw new TypeError("node fails");
      return { hello: event.name || "world", requestId: context.awsRequestId,
               fn: context.functionName, remaining: context.getRemainingTimeInMillis() > 0 };
    };
    exports.callback = (event, context, callback) => callback(null, { style: "callback" });
    """
)

NODE_ESM_HANDLER = "export const handler = async (event) => ({ esm: true, event });\n"

NODE_STREAM_HANDLER = textwrap.dedent(
    """
    export const handler = awslambda.streamifyResponse(async (event, stream, context) => {
      stream.write("one,");
      stream.write("two,");
      stream.end("three");
    });
    """
)

NODE_FAILING_STREAM_HANDLER = textwrap.dedent(
    """
    export const handler = awslambda.streamifyResponse(async (event, stream) => {
      stream.write("partial,");
      await new Promise((resolve) => setTimeout(resolve, 50));
      throw new TypeError("broke mid-stream");
    });
    """
)

NODE_SLOW_STREAM_HANDLER = textwrap.dedent(
    """
    export const handler = awslambda.streamifyResponse(async (event, stream) => {
      stream.write("started");
      await new Promise((resolve) => setTimeout(resolve, 5000));
      stream.end("never");
    });
    """
)

BOOTSTRAP = textwrap.dedent(
    """\
    #!/bin/sh
    set -eu
    API="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
    while true; do
      HEADERS="$(mktemp)"
      EVENT=$(curl -sS -LD "$HEADERS" "$API/invocation/next")
      REQUEST_ID=$(grep -Fi Lambda-Runtime-Aws-Request-Id "$HEADERS" \\
        | tr -d '[:space:]' | cut -d: -f2)
      echo "custom runtime got $EVENT"
      curl -sS -X POST "$API/invocation/$REQUEST_ID/response" \\
        -d "{\\"echo\\": $EVENT, \\"handler\\": \\"$_HANDLER\\"}" > /dev/null
    done
    """
)


@pytest.fixture(params=["process", pytest.param("docker", marks=pytest.mark.docker)])
async def daemon(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Daemon]:
    """An in-process daemon running functions with the executor of the test's parameter."""
    # Event retries after 1 and 2 s, not AWS's minutes.
    async with executor_daemon(request, tmp_path / "data", event_retry_delays="1,2") as running:
        yield running


@pytest.fixture
async def client(daemon: Daemon) -> AsyncIterator[AsyncLambdadClient]:
    """A typed client of the in-process daemon."""
    async with AsyncLambdadClient.connect(f"127.0.0.1:{daemon.port}") as connected:
        yield connected


@pytest.fixture
async def python_fn(client: AsyncLambdadClient) -> str:
    """A Python function (Timeout 30)."""
    await create(
        client,
        "py",
        "python3.11",
        "app.handler",
        {"app.py": PYTHON_HANDLER},
        variables={"FOO": "bar"},
    )
    return "py"


# --- hello world in each runtime ------------------------------------------------------------


async def test_python_hello_world(client: AsyncLambdadClient, python_fn: str) -> None:
    request_id = str(uuid.uuid4())
    context = base64.b64encode(json.dumps({"custom": {"k": "v"}}).encode()).decode()
    response = await client.invoke(
        ipb.InvokeRequest(
            function_name=python_fn,
            payload=b'{"name": "lambdad"}',
            client_context=context,
        ),
        request_id=request_id,
    )
    body = json.loads(response.payload)
    assert response.status_code == 200
    assert response.function_error == ""
    assert response.executed_version == "$LATEST"
    assert body["hello"] == "lambdad"
    assert body["request_id"] == response.request_id == request_id
    assert body["env"] == {
        "AWS_LAMBDA_FUNCTION_NAME": "py",
        "FOO": "bar",
        "TZ": ":UTC",
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.11",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
        "_HANDLER": "app.handler",
    }
    assert body["client_context"] == {"k": "v"}
    # Not tenant-isolated: no tenant id (a TenantId would be refused; tests/e2e/
    # test_capacity_providers covers tenant-isolated functions).
    assert body["tenant_id"] is None
    assert body["remaining_ok"] is True


async def test_node_hello_world_commonjs_esm_and_callback(client: AsyncLambdadClient) -> None:
    await create(client, "node", "nodejs20.x", "index.handler", {"index.js": NODE_HANDLER})
    response = await invoke(client, "node", {"name": "node"})
    body = json.loads(response.payload)
    assert response.function_error == ""
    assert body == {
        "hello": "node",
        "requestId": response.request_id,
        "fn": "node",
        "remaining": True,
    }

    await create(client, "node-cb", "nodejs20.x", "index.callback", {"index.js": NODE_HANDLER})
    assert json.loads((await invoke(client, "node-cb", {})).payload) == {"style": "callback"}

    await create(client, "node-esm", "nodejs20.x", "app.handler", {"app.mjs": NODE_ESM_HANDLER})
    assert json.loads((await invoke(client, "node-esm", {"a": 1})).payload) == {
        "esm": True,
        "event": {"a": 1},
    }


async def test_provided_bootstrap_with_curl(client: AsyncLambdadClient) -> None:
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed")
    await create(client, "custom", "provided.al2023", "function.handler", {"bootstrap": BOOTSTRAP})
    response = await invoke(client, "custom", {"x": 1}, log_type="Tail")
    assert json.loads(response.payload) == {"echo": {"x": 1}, "handler": "function.handler"}
    tail = base64.b64decode(response.log_result).decode()
    assert 'custom runtime got {"x": 1}' in tail


# --- failures, as AWS reports them ----------------------------------------------------------


async def test_custom_runtime_without_bootstrap(client: AsyncLambdadClient) -> None:
    await create(client, "no-bootstrap", "provided.al2023", "x", {"readme.txt": "no bootstrap"})
    response = await invoke(client, "no-bootstrap", {})
    assert response.function_error == "Unhandled"
    assert json.loads(response.payload) == {
        "errorType": "Runtime.InvalidEntrypoint",
        "errorMessage": f"RequestId: {response.request_id} Error: Couldn't find valid "
        "bootstrap(s): [/var/task/bootstrap /opt/bootstrap]",
    }


async def test_python_handler_exception_payload(client: AsyncLambdadClient, python_fn: str) -> None:
    response = await invoke(client, python_fn, {"action": "fail"})
    body = json.loads(response.payload)
    assert response.status_code == 200
    assert response.function_error == "Unhandled"
    assert body["errorMessage"] == "Handler fails"
    assert body["errorType"] == "Exception"
    assert body["requestId"] == response.request_id
    assert 'raise Exception("Handler fails")' in "".join(body["stackTrace"])


async def test_node_handler_exception_payload(client: AsyncLambdadClient) -> None:
    await create(client, "node-fail", "nodejs20.x", "index.handler", {"index.js": NODE_HANDLER})
    response = await invoke(client, "node-fail", {"action": "fail"})
    body = json.loads(response.payload)
    assert response.function_error == "Unhandled"
    assert (body["errorType"], body["errorMessage"]) == ("TypeError", "node fails")
    assert body["trace"][0] == "TypeError: node fails"


@pytest.mark.parametrize(
    ("runtime", "handler", "files", "error_type", "message"),
    [
        (
            "python3.11",
            "app.handler",
            {"app.py": "import no_such_module\n"},
            "Runtime.ImportModuleError",
            "Unable to import module 'app': No module named 'no_such_module'",
        ),
        (
            "python3.11",
            "app.missing",
            {"app.py": PYTHON_HANDLER},
            "Runtime.HandlerNotFound",
            "Handler 'missing' missing on module 'app'",
        ),
        (
            "nodejs20.x",
            "index.missing",
            {"index.js": NODE_HANDLER},
            "Runtime.HandlerNotFound",
            "index.missing is undefined or not exported",
        ),
        (
            "nodejs20.x",
            "nope.handler",
            {"index.js": NODE_HANDLER},
            "Runtime.ImportModuleError",
            None,
        ),
    ],
    ids=["py-import", "py-handler", "node-handler", "node-import"],
)
async def test_init_errors(
    client: AsyncLambdadClient,
    runtime: str,
    handler: str,
    files: dict[str, str],
    error_type: str,
    message: str | None,
) -> None:
    await create(client, "init-error", runtime, handler, files)
    response = await invoke(client, "init-error", {})
    body = json.loads(response.payload)
    assert response.function_error == "Unhandled"
    assert body["errorType"] == error_type
    if message is not None:
        assert body["errorMessage"] == message
    # the broken environment is not reused: the next invoke reports the same error again
    again = json.loads((await invoke(client, "init-error", {})).payload)
    assert again["errorType"] == error_type


async def test_timeout_kills_and_next_invoke_gets_fresh_environment(
    client: AsyncLambdadClient, daemon: Daemon
) -> None:
    await create(client, "slow", "python3.11", "app.handler", {"app.py": PYTHON_HANDLER}, timeout=1)
    response = await invoke(client, "slow", {"action": "sleep", "seconds": 5}, log_type="Tail")
    assert response.function_error == "Unhandled"
    assert json.loads(response.payload) == {
        "errorType": "Sandbox.Timedout",
        "errorMessage": f"RequestId: {response.request_id} Error: "
        "Task timed out after 1.00 seconds",
    }
    tail = base64.b64decode(response.log_result).decode()
    assert f"{response.request_id} Task timed out after 1.00 seconds" in tail
    after = json.loads((await invoke(client, "slow", {})).payload)
    assert after["counter"] == 1  # a fresh environment: module state started over
    assert daemon.pool.environments_started == 2


async def test_process_exit_is_runtime_exit_error(
    client: AsyncLambdadClient, python_fn: str
) -> None:
    response = await invoke(client, python_fn, {"action": "exit"})
    assert response.function_error == "Unhandled"
    assert json.loads(response.payload) == {
        "errorType": "Runtime.ExitError",
        "errorMessage": f"RequestId: {response.request_id} Error: Runtime exited with error: "
        "exit status 3",
    }
    after = await invoke(client, python_fn, {"name": "again"})
    assert json.loads(after.payload)["hello"] == "again"


async def test_response_over_6_mb(client: AsyncLambdadClient, python_fn: str) -> None:
    response = await invoke(client, python_fn, {"action": "big"})
    assert response.function_error == "Unhandled"
    assert json.loads(response.payload) == {
        "errorMessage": "Response payload size exceeded maximum allowed payload size "
        "(6291556 bytes).",
        "errorType": "Function.ResponseSizeTooLarge",
    }
    after = await invoke(client, python_fn, {})
    assert json.loads(after.payload)["hello"] == "world", after


# --- reuse, scale-out, throttling ----------------------------------------------------------


async def test_warm_reuse_keeps_tmp_and_module_state(
    client: AsyncLambdadClient, python_fn: str, daemon: Daemon
) -> None:
    first = json.loads((await invoke(client, python_fn, {"action": "tmp"})).payload)
    second = json.loads((await invoke(client, python_fn, {"action": "tmp"})).payload)
    assert first == {"seen": False, "counter": 1}
    assert second == {"seen": True, "counter": 2}
    assert daemon.pool.environments_started == 1


async def test_parallel_invokes_scale_out(
    client: AsyncLambdadClient, python_fn: str, daemon: Daemon
) -> None:
    responses = await asyncio.gather(
        *(invoke(client, python_fn, {"action": "sleep", "seconds": 0.5}) for _ in range(10))
    )
    assert all(r.function_error == "" for r in responses)
    assert len({r.request_id for r in responses}) == 10
    assert daemon.pool.environments_started > 1


async def test_reserved_concurrency_one_throttles_the_second(
    client: AsyncLambdadClient, python_fn: str, daemon: Daemon
) -> None:
    await client.put_function_concurrency(
        ipb.PutFunctionConcurrencyRequest(function_name=python_fn, reserved_concurrent_executions=1)
    )
    slow = asyncio.create_task(invoke(client, python_fn, {"action": "sleep", "seconds": 3}))
    # wait (without timing assumptions) until the slow invocation holds the one slot
    await async_wait_for(lambda: daemon.pool.in_flight(python_fn) >= 1)
    with pytest.raises(TooManyRequestsError) as caught:
        await invoke(client, python_fn, {})
    assert caught.value.message == "Rate Exceeded."
    assert caught.value.metadata["reason"] == "ReservedFunctionConcurrentInvocationLimitExceeded"
    assert (await slow).function_error == ""


async def test_reserved_concurrency_zero_throttles_all(
    client: AsyncLambdadClient, python_fn: str
) -> None:
    await client.put_function_concurrency(
        ipb.PutFunctionConcurrencyRequest(function_name=python_fn, reserved_concurrent_executions=0)
    )
    with pytest.raises(TooManyRequestsError):
        await invoke(client, python_fn, {})
    await client.delete_function_concurrency(
        ipb.DeleteFunctionConcurrencyRequest(function_name=python_fn)
    )
    got = await client.get_function_concurrency(
        ipb.GetFunctionConcurrencyRequest(function_name=python_fn)
    )
    assert not got.HasField("reserved_concurrent_executions")
    assert (await invoke(client, python_fn, {})).function_error == ""


async def test_concurrency_rules(client: AsyncLambdadClient, python_fn: str) -> None:
    with pytest.raises(InvalidParameterValueError) as caught:
        await client.put_function_concurrency(
            ipb.PutFunctionConcurrencyRequest(
                function_name=f"{python_fn}:$LATEST", reserved_concurrent_executions=1
            )
        )
    assert caught.value.message.startswith("This operation is permitted on Lambda functions only.")
    with pytest.raises(InvalidParameterValueError) as caught:
        await client.put_function_concurrency(
            ipb.PutFunctionConcurrencyRequest(
                function_name=python_fn, reserved_concurrent_executions=901
            )
        )
    assert caught.value.message == (
        "Specified ReservedConcurrentExecutions for function decreases account's "
        "UnreservedConcurrentExecution below its minimum value of [100]."
    )


# --- request checks, logs, invocation types --------------------------------------------------


async def test_request_checks(client: AsyncLambdadClient, python_fn: str) -> None:
    with pytest.raises(InvalidRequestContentError) as invalid:
        await client.invoke(ipb.InvokeRequest(function_name=python_fn, payload=b"{not json"))
    assert invalid.value.message.startswith(
        "Could not parse request body into json: Could not parse payload into json: "
    )
    with pytest.raises(RequestTooLargeError) as large:
        await client.invoke(
            ipb.InvokeRequest(function_name=python_fn, payload=b'"' + b"x" * 6291456 + b'"')
        )
    assert large.value.message == (
        "Request must be smaller than 6291456 bytes for the InvokeFunction operation"
    )
    dry = await invoke(client, python_fn, {}, invocation_type="DryRun")
    assert (dry.status_code, dry.payload) == (204, b"")


async def test_log_tail_has_start_end_report(client: AsyncLambdadClient, python_fn: str) -> None:
    response = await invoke(client, python_fn, {"name": "logs"}, log_type="Tail")
    tail = base64.b64decode(response.log_result).decode()
    rid = response.request_id
    assert f"START RequestId: {rid} Version: $LATEST\n" in tail
    assert 'event {"name": "logs"}' in tail
    assert f"END RequestId: {rid}\n" in tail
    report = next(line for line in tail.splitlines() if line.startswith("REPORT"))
    fields = report.split("\t")
    assert fields[0] == f"REPORT RequestId: {rid}"
    assert fields[1].startswith("Duration: ") and fields[1].endswith(" ms")
    assert fields[3] == "Memory Size: 128 MB"
    assert fields[5].startswith("Init Duration: ")  # cold start
    assert len(base64.b64decode(response.log_result)) <= 4096

    lines = []
    async for line in client.stream_logs(ipb.StreamLogsRequest(function_name=python_fn)):
        lines.append(line.message)
    assert f"END RequestId: {rid}" in lines


async def test_event_invocation_is_queued_and_runs(
    client: AsyncLambdadClient, python_fn: str
) -> None:
    response = await invoke(client, python_fn, {"name": "async"}, invocation_type="Event")
    assert (response.status_code, response.payload) == (202, b"")
    stream = client.stream_logs(ipb.StreamLogsRequest(function_name=python_fn, follow=True))

    async def ran() -> list[str]:
        seen = []
        async for line in stream:
            seen.append(line.message)
            if line.message == f"END RequestId: {response.request_id}":
                return seen
        return seen

    seen = await asyncio.wait_for(ran(), 60)  # a deadline, not a timing assertion
    assert f"START RequestId: {response.request_id} Version: $LATEST" in seen
    assert 'event {"name": "async"}' in seen


async def test_event_invocation_retries_function_errors_twice(
    client: AsyncLambdadClient, python_fn: str
) -> None:
    response = await invoke(client, python_fn, {"action": "fail"}, invocation_type="Event")
    assert response.status_code == 202
    stream = client.stream_logs(ipb.StreamLogsRequest(function_name=python_fn, follow=True))
    end = f"END RequestId: {response.request_id}"

    async def attempts() -> int:
        ends = 0
        async for line in stream:
            ends += line.message == end
            if ends == 3:
                return ends
        return ends

    assert await asyncio.wait_for(attempts(), 60) == 3  # 1 try + 2 retries, same request id


async def test_streamed_response_from_node(client: AsyncLambdadClient) -> None:
    await create(client, "stream", "nodejs20.x", "app.handler", {"app.mjs": NODE_STREAM_HANDLER})
    messages = [
        m
        async for m in client.invoke_with_response_stream(
            ipb.InvokeWithResponseStreamRequest(function_name="stream", payload=b"{}")
        )
    ]
    assert messages[0].WhichOneof("event") == "start"
    assert messages[0].start.status_code == 200
    body = b"".join(m.payload_chunk.payload for m in messages if m.HasField("payload_chunk"))
    assert body == b"one,two,three"
    assert messages[-1].WhichOneof("event") == "invoke_complete"
    assert messages[-1].invoke_complete.error_code == ""


async def test_mid_stream_error_reported_in_trailers(client: AsyncLambdadClient) -> None:
    """The runtime announces the failure in HTTP trailers after the chunks it already sent."""
    await create(
        client,
        "stream-fails",
        "nodejs20.x",
        "app.handler",
        {"app.mjs": NODE_FAILING_STREAM_HANDLER},
    )
    request = ipb.InvokeWithResponseStreamRequest(function_name="stream-fails", payload=b"{}")
    messages = [m async for m in client.invoke_with_response_stream(request)]
    body = b"".join(m.payload_chunk.payload for m in messages if m.HasField("payload_chunk"))
    assert body == b"partial,"
    complete = messages[-1].invoke_complete
    assert complete.error_code == "TypeError"
    assert json.loads(complete.error_details)["errorMessage"] == "broke mid-stream"


async def test_streamed_response_timeout_ends_the_stream(client: AsyncLambdadClient) -> None:
    await create(
        client,
        "slow-stream",
        "nodejs20.x",
        "app.handler",
        {"app.mjs": NODE_SLOW_STREAM_HANDLER},
        timeout=1,
    )
    request = ipb.InvokeWithResponseStreamRequest(function_name="slow-stream", payload=b"{}")
    messages = [m async for m in client.invoke_with_response_stream(request)]
    body = b"".join(m.payload_chunk.payload for m in messages if m.HasField("payload_chunk"))
    assert body == b"started"
    complete = messages[-1].invoke_complete
    assert complete.error_code == "Sandbox.Timedout"
    assert json.loads(complete.error_details)["errorMessage"].endswith(
        "Task timed out after 1.00 seconds"
    )


async def test_buffered_function_through_the_stream_rpc(
    client: AsyncLambdadClient, python_fn: str
) -> None:
    async def messages(event: object) -> list[ipb.InvokeWithResponseStreamResponse]:
        request = ipb.InvokeWithResponseStreamRequest(
            function_name=python_fn, payload=json.dumps(event).encode(), log_type="Tail"
        )
        return [m async for m in client.invoke_with_response_stream(request)]

    ok = await messages({"name": "streamed"})
    body = b"".join(m.payload_chunk.payload for m in ok if m.HasField("payload_chunk"))
    assert json.loads(body)["hello"] == "streamed"
    assert ok[-1].invoke_complete.error_code == ""
    assert "REPORT RequestId" in base64.b64decode(ok[-1].invoke_complete.log_result).decode()

    failed = await messages({"action": "fail"})
    complete = failed[-1].invoke_complete
    assert complete.error_code == "Exception"
    assert json.loads(complete.error_details)["errorMessage"] == "Handler fails"


async def test_update_retires_environments(client: AsyncLambdadClient, python_fn: str) -> None:
    assert json.loads((await invoke(client, python_fn, {})).payload)["counter"] == 1
    await client.update_function_configuration(
        fs.UpdateFunctionConfigurationRequest(
            function_name=python_fn,
            environment=fpb.Environment(variables={"FOO": "changed"}),
            update_mask={"paths": ["environment"]},
        )
    )

    async def successful() -> bool:
        got = await client.get_function_configuration(
            fs.GetFunctionConfigurationRequest(function_name=python_fn)
        )
        return got.configuration.last_update_status == "Successful"

    await async_wait_for(successful)
    body = json.loads((await invoke(client, python_fn, {})).payload)
    assert body["env"]["FOO"] == "changed"
    assert body["counter"] == 1


async def test_unknown_function_is_not_found(client: AsyncLambdadClient) -> None:
    with pytest.raises(FunctionNotFoundError) as caught:
        await invoke(client, "nope", {})
    assert caught.value.message == (
        "Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope:$LATEST"
    )


async def _publish(client: AsyncLambdadClient, name: str) -> str:
    published = await client.publish_version(fs.PublishVersionRequest(function_name=name))
    version = published.configuration.version

    async def active() -> bool:
        got = await client.get_function_configuration(
            fs.GetFunctionConfigurationRequest(function_name=name, qualifier=version)
        )
        return (
            got.configuration.state == "Active"
            and (
                await client.get_function_configuration(
                    fs.GetFunctionConfigurationRequest(function_name=name)
                )
            ).configuration.last_update_status
            == "Successful"
        )

    await async_wait_for(active)
    return version


async def _update_settled(client: AsyncLambdadClient, name: str) -> None:
    """Wait until the last update of `name` is no longer InProgress (as AWS's waiter does)."""

    async def settled() -> bool:
        got = await client.get_function_configuration(
            fs.GetFunctionConfigurationRequest(function_name=name)
        )
        return got.configuration.last_update_status != "InProgress"

    await async_wait_for(settled)


async def test_alias_weighted_routing_reports_the_executed_version(
    client: AsyncLambdadClient, python_fn: str
) -> None:
    first = await _publish(client, python_fn)
    await client.update_function_configuration(
        fs.UpdateFunctionConfigurationRequest(
            function_name=python_fn,
            environment=fpb.Environment(variables={"FOO": "second"}),
            update_mask={"paths": ["environment"]},
        )
    )
    await _update_settled(client, python_fn)
    second = await _publish(client, python_fn)
    for alias, weight, expected, foo in (
        ("to-new", 1.0, second, "second"),
        ("to-old", 0.0, first, "bar"),
    ):
        await client.create_alias(
            fs.CreateAliasRequest(
                function_name=python_fn,
                name=alias,
                function_version=first,
                routing_config=fpb.AliasRoutingConfiguration(
                    additional_version_weights={second: weight}
                ),
            )
        )
        response = await invoke(client, python_fn, {}, qualifier=alias)
        assert response.executed_version == expected
        assert json.loads(response.payload)["env"]["FOO"] == foo
    by_arn = await invoke(client, f"{python_fn}:{first}", {})
    assert by_arn.executed_version == first


async def test_out_of_memory_is_reported_and_the_environment_replaced(
    request: pytest.FixtureRequest, client: AsyncLambdadClient, python_fn: str
) -> None:
    if request.node.callspec.params["daemon"] != "docker":
        pytest.skip("memory limits are enforced by the Docker executor only")
    result = await invoke(client, python_fn, {"action": "hog"})
    assert result.function_error == "Unhandled"
    error = json.loads(result.payload)
    assert error["errorType"] == "Runtime.OutOfMemory"
    assert error["errorMessage"] == (
        f"RequestId: {result.request_id} Error: Runtime exited with error: signal: killed"
    )
    after = await invoke(client, python_fn, {"name": "again"})
    assert after.function_error == ""
    assert json.loads(after.payload)["hello"] == "again"
