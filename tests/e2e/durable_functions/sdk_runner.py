"""Runs a workflow with AWS's testing SDK and prints its result and operations as JSON.

Run as a script in a subprocess whose PYTHONPATH holds the testing SDK (and this directory):
the testing SDK wants a newer boto3 than the test environment may have, so it is kept apart.

    sdk_runner.py local JOBS
    sdk_runner.py cloud JOBS --endpoint URL

JOBS is a JSON list of runs, each {"target", "input", "callback", "register", "timeout"}:
target is a handler of workflows.py (local) or a function name (cloud); callback is success,
failure, heartbeat (a heartbeat, then success) or none; register maps chained-invoke target
names to handlers (local). One JSON list of answers is printed. The local runner skips waits;
the cloud runner drives lambdad through boto3 (DurableFunctionCloudTestRunner, endpoint
override).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

import workflows
from aws_durable_execution_sdk_python.lambda_service import ErrorObject
from aws_durable_execution_sdk_python_testing.runner import (
    DurableFunctionCloudTestRunner,
    DurableFunctionTestRunner,
)


def operations(result: Any) -> list[dict[str, Any]]:
    """Every operation of the result (nested ones too), in operation-id order."""
    found = []
    for op in result.get_all_operations():
        found.append(
            {
                "id": op.operation_id,
                "parent": op.parent_id,
                "type": str(op.operation_type.value),
                "sub_type": op.sub_type,
                "name": op.name,
                "status": str(op.status.value),
            }
        )
    return sorted(found, key=lambda op: op["id"])


def answer(runner: Any, callback: str, arn: str) -> None:
    if callback == "none":
        return
    callback_id = runner.wait_for_callback(arn, name="approval", timeout=60)
    if callback == "heartbeat":
        runner.send_callback_heartbeat(callback_id)
    if callback in ("success", "heartbeat"):
        runner.send_callback_success(callback_id, json.dumps({"ok": True}).encode())
    elif callback == "failure":
        runner.send_callback_failure(
            callback_id, ErrorObject(message="denied", type="Denied", data=None, stack_trace=None)
        )


def run(args: argparse.Namespace, job: dict[str, Any]) -> dict[str, Any]:
    """One workflow run; `job`: target, input, callback, register, timeout."""
    payload = job.get("input", {})
    callback = job.get("callback", "")
    timeout = int(job.get("timeout", 120))
    if args.mode == "local":
        runner: Any = DurableFunctionTestRunner(
            handler=getattr(workflows, job["target"]), poll_interval=0.05
        )
        for name, handler in job.get("register", {}).items():
            runner.register_function(name, getattr(workflows, handler))
        try:
            arn = runner.run_async(input=json.dumps(payload), execution_timeout=timeout)
            answer(runner, callback or "none", arn)
            result = runner.wait_for_result(arn, timeout=timeout)
            events = runner.get_execution_history(arn).events
        finally:
            runner.close()
    else:
        runner = DurableFunctionCloudTestRunner(
            function_name=job["target"],
            region=args.region,
            lambda_endpoint=args.endpoint,
            poll_interval=0.1,
        )
        if callback:
            arn = runner.run_async(input=payload, timeout=timeout)
            answer(runner, callback, arn)
            result = runner.wait_for_result(arn, timeout=timeout)
        else:
            # run(): a synchronous invoke, then the history (the ARN is the function's only
            # execution).
            result = runner.run(input=payload, timeout=timeout)
            listed = runner.lambda_client.list_durable_executions_by_function(
                FunctionName=job["target"]
            )
            arn = listed["DurableExecutions"][0]["DurableExecutionArn"]
        events = runner._fetch_execution_history(arn).events
    error = result.error
    return {
        "status": str(getattr(result.status, "value", result.status)),
        "result": result.result,
        "error": error.to_dict() if hasattr(error, "to_dict") else error,
        "operations": operations(result),
        "events": [[event.event_type, event.name] for event in events],
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["local", "cloud"])
    parser.add_argument("jobs", help="JSON list of {target, input, callback, register, timeout}")
    parser.add_argument("--endpoint")
    parser.add_argument("--region", default="us-east-1")
    args = parser.parse_args()
    answers = [run(args, job) for job in json.loads(args.jobs)]
    print(json.dumps(answers, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
