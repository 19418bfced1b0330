"""Event invocations through the daemon: accept rate (202s per second) and drain time.

Not part of the test run. Starts an in-process daemon (process executor by default) on a
temporary data dir, creates a python function that appends its request id to a file, sends
`--count` Event invokes from `--concurrency` concurrent gRPC callers, and waits (bounded by
`--time-budget`) until the function has run every accepted event. Prints one JSON line:

    python bench/event_queue.py --count 2000 --concurrency 32
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("GRPC_ENABLE_FORK_SUPPORT", "0")

import grpc

from lambdad.client import AsyncLambdadClient
from lambdad.daemon.config import Config
from lambdad.daemon.server import start_daemon
from lambdad.v1 import function_pb2 as fpb
from lambdad.v1 import function_service_pb2 as fs
from lambdad.v1 import invocation_service_pb2 as ipb
from tests.helpers import make_zip

HANDLER = """
import os

def handler(event, context):
    with open(os.environ["OUT"], "a") as out:
        out.write(context.aws_request_id + "\\n")
    return None
"""


async def main(
    count: int, concurrency: int, executor: str, budget: float, reserved: int | None
) -> dict[str, object]:
    root = Path(tempfile.mkdtemp(prefix="asyncqueue-bench-"))
    out = root / "ran.txt"
    out.touch()
    daemon = await start_daemon(
        Config(data_dir=root / "data", grpc_port=0, executor=executor, metrics_port=0)
    )
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{daemon.port}") as channel:
            client = AsyncLambdadClient(channel)
            await client.create_function(
                fs.CreateFunctionRequest(
                    function_name="sink",
                    runtime="python3.12",
                    role="arn:aws:iam::000000000000:role/r",
                    handler="app.handler",
                    code=fpb.FunctionCode(zip_file=make_zip({"app.py": HANDLER})),
                    environment=fpb.Environment(variables={"OUT": str(out)}),
                )
            )
            while True:
                got = await client.get_function_configuration(
                    fs.GetFunctionConfigurationRequest(function_name="sink")
                )
                if got.configuration.state == "Active":
                    break
                await asyncio.sleep(0.05)
            if reserved is not None:
                await client.put_function_concurrency(
                    ipb.PutFunctionConcurrencyRequest(
                        function_name="sink", reserved_concurrent_executions=reserved
                    )
                )
            remaining = iter(range(count))
            accepted: list[str] = []

            async def caller() -> None:
                for _ in remaining:
                    reply = await client.invoke(
                        ipb.InvokeRequest(
                            function_name="sink", invocation_type="Event", payload=b"{}"
                        )
                    )
                    accepted.append(reply.request_id)

            start = time.monotonic()
            await asyncio.gather(*(caller() for _ in range(concurrency)))
            accept_s = time.monotonic() - start
            deadline = start + budget
            ran: set[str] = set()
            while time.monotonic() < deadline:
                ran = set(out.read_text().split())
                if ran >= set(accepted):
                    break
                await asyncio.sleep(0.05)
            drain_s = time.monotonic() - start
    finally:
        await daemon.stop(grace=0)
    delivered = len(set(accepted) & ran)
    return {
        "executor": executor,
        "count": count,
        "concurrency": concurrency,
        "reserved": reserved,
        "accepted_per_s": round(len(accepted) / accept_s, 1),
        "delivered": delivered,
        "lost": len(accepted) - delivered,
        "drain_s": round(drain_s, 2),
        "delivered_per_s": round(delivered / drain_s, 1),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--executor", default="process", choices=("process", "docker"))
    parser.add_argument("--time-budget", type=float, default=110.0)
    parser.add_argument("--reserved", type=int, help="the function's reserved concurrency")
    args = parser.parse_args()
    result = asyncio.run(
        main(args.count, args.concurrency, args.executor, args.time_budget, args.reserved)
    )
    print(json.dumps(result))
