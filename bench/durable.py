"""Durable executions: wait-expiry-to-resume latency, checkpoint latency, state per execution.

Starts its own ``lambdad serve`` (process executor, free ports, temporary data dir) from the
tree given with ``--tree`` (default: the installed lambdad) and a hand-written durable
function (boto3 checkpoints, no SDK), then measures:

* resume: a 1 s wait (time scale 1); the handler reports when it saw the wait completed.
  Latency = that moment minus the wait's ScheduledEndTimestamp (timer, re-invocation, warm
  environment, replay included).
* checkpoint: one invocation checkpoints N times through boto3 inside the function (each a
  STEP START+SUCCEED); p50/p99 of the calls as the function saw them.
* state: the state database's growth per finished execution (step + wait + result), with the
  WAL checkpointed, giving executions kept per GB.

Prints one JSON document.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
import zipfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.run import Lambdad, lambda_client

HANDLER = """
import json, os, time
import boto3

_client = boto3.client("lambda", region_name=os.environ.get("AWS_REGION", "us-east-1"))

def handler(event, context):
    arn, token = event["DurableExecutionArn"], event["CheckpointToken"]
    ops = {o["Id"]: o for o in event["InitialExecutionState"]["Operations"]}
    data = json.loads(next(o for o in ops.values() if o["Type"] == "EXECUTION")
                      ["ExecutionDetails"]["InputPayload"])

    def checkpoint(updates):
        nonlocal token
        answer = _client.checkpoint_durable_execution(
            DurableExecutionArn=arn, CheckpointToken=token, Updates=updates)
        token = answer.get("CheckpointToken")
        for op in answer["NewExecutionState"].get("Operations", []):
            ops[op["Id"]] = op

    if data.get("checkpoints"):
        times = []
        for i in range(data["checkpoints"]):
            began = time.perf_counter()
            checkpoint([{"Id": f"s{i}", "Type": "STEP", "Action": "START"},
                        {"Id": f"s{i}", "Type": "STEP", "Action": "SUCCEED", "Payload": "1"}])
            times.append(time.perf_counter() - began)
        return {"Status": "SUCCEEDED", "Result": json.dumps(times)}
    if "s" not in ops:
        checkpoint([{"Id": "s", "Type": "STEP", "Action": "START", "Name": "work"},
                    {"Id": "s", "Type": "STEP", "Action": "SUCCEED",
                     "Payload": json.dumps({"order": data.get("order"), "total": 42})}])
    if "w" not in ops:
        checkpoint([{"Id": "w", "Type": "WAIT", "Action": "START",
                     "WaitOptions": {"WaitSeconds": data.get("wait", 1)}}])
    if ops["w"]["Status"] != "SUCCEEDED":
        return {"Status": "PENDING"}
    return {"Status": "SUCCEEDED", "Result": json.dumps({"resumed_at": time.time()})}
"""


def make_zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _db_bytes(path: Path) -> int:
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        pages = db.execute("PRAGMA page_count").fetchone()[0]
        free = db.execute("PRAGMA freelist_count").fetchone()[0]
        size = db.execute("PRAGMA page_size").fetchone()[0]
    return int((pages - free) * size)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tree", type=Path, help="source tree to run (default: installed)")
    parser.add_argument("--resumes", type=int, default=10)
    parser.add_argument("--checkpoints", type=int, default=1000)
    parser.add_argument("--executions", type=int, default=200)
    args = parser.parse_args()
    os.environ["LAMBDAD_DURABLE_TIME_SCALE"] = "1"
    with tempfile.TemporaryDirectory(prefix="lambdad-durable-bench-") as work:
        daemon = Lambdad("process", Path(work), args.tree)
        daemon.start()
        try:
            client = lambda_client(daemon.endpoint, timeout=900)
            name = f"durable-bench-{uuid.uuid4().hex[:6]}"
            client.create_function(
                FunctionName=name,
                Runtime="python3.12",
                Role="arn:aws:iam::000000000000:role/r",
                Handler="app.handler",
                Code={"ZipFile": make_zip({"app.py": HANDLER})},
                Timeout=900,
                MemorySize=256,
                DurableConfig={"ExecutionTimeout": 3600},
            )
            while client.get_function_configuration(FunctionName=name)["State"] != "Active":
                time.sleep(0.1)
            qualified = f"{name}:$LATEST"
            client.invoke(FunctionName=qualified, Payload=b'{"wait": 1}')  # warm up
            resumes = []
            for _ in range(args.resumes):
                answer = client.invoke(FunctionName=qualified, Payload=b'{"wait": 1}')
                resumed = json.loads(answer["Payload"].read())["resumed_at"]
                events = client.get_durable_execution_history(
                    DurableExecutionArn=answer["DurableExecutionArn"], MaxItems=1000
                )["Events"]
                started = next(e for e in events if e["EventType"] == "WaitStarted")
                due = started["WaitStartedDetails"]["ScheduledEndTimestamp"].timestamp()
                resumes.append(resumed - due)
            answer = client.invoke(
                FunctionName=qualified,
                Payload=json.dumps({"checkpoints": args.checkpoints}).encode(),
            )
            latencies = json.loads(answer["Payload"].read())
            state = daemon.data_dir / "state.db"
            before = _db_bytes(state)
            for i in range(args.executions):
                client.invoke(
                    FunctionName=qualified,
                    Payload=json.dumps({"wait": 1, "order": f"order-{i:06d}"}).encode(),
                    InvocationType="Event",
                )
            deadline = time.monotonic() + 600
            while time.monotonic() < deadline:
                running = client.list_durable_executions_by_function(
                    FunctionName=name, Statuses=["RUNNING"], MaxItems=1000
                )["DurableExecutions"]
                if not running:
                    break
                time.sleep(1)
            per_execution = (_db_bytes(state) - before) / args.executions
            result: dict[str, Any] = {
                "resume_after_wait_s": {
                    "p50": statistics.median(resumes),
                    "max": max(resumes),
                    "n": len(resumes),
                },
                "checkpoint_latency_ms": {
                    "p50": _percentile(latencies, 0.5) * 1000,
                    "p99": _percentile(latencies, 0.99) * 1000,
                    "n": len(latencies),
                },
                "state_bytes_per_execution": per_execution,
                "executions_per_gb": int(1e9 / per_execution) if per_execution > 0 else None,
            }
            print(json.dumps(result, indent=2))
        finally:
            daemon.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
