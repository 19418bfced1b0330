"""What the gateway's model constraint check costs per request; prints one JSON document.

    python bench/constraints.py [--number 20000] [--repeat 7]

Times `translate.request_to_message` (the gateway's whole request translation: body parse,
type checks, the constraint check, the protobuf message) for a CreateFunction and an Invoke
request, with and without the checker, and the checker alone. Figures are the best of
`--repeat` runs of `--number` calls, in CPU microseconds per request (process time, so other
processes' load on a shared machine counts less than in wall time); the difference
of the two translations is the check's overhead.
"""

from __future__ import annotations

import argparse
import base64
import json
import time
import timeit
from typing import Any

from lambdad.client.constraints import ConstraintChecker
from lambdad.gateway import translate
from lambdad.gateway.routes import ALL_ROUTES

ROUTES = {route.operation: route for route in ALL_ROUTES}
ZIP = base64.b64encode(b"PK\x05\x06" + b"\x00" * 18).decode()

CREATE = {
    "FunctionName": "my-function",
    "Runtime": "python3.12",
    "Role": "arn:aws:iam::123456789012:role/lambda-role",
    "Handler": "app.handler",
    "Code": {"ZipFile": ZIP},
    "Description": "a function",
    "Timeout": 30,
    "MemorySize": 256,
    "Environment": {"Variables": {"TABLE": "orders", "STAGE": "dev"}},
    "Architectures": ["x86_64"],
    "Tags": {"team": "payments"},
    "TracingConfig": {"Mode": "PassThrough"},
}
INVOKE_HEADERS = {"X-Amz-Invocation-Type": "RequestResponse", "X-Amz-Log-Type": "None"}


def _requests() -> dict[str, tuple[Any, ...]]:
    return {
        "CreateFunction": (ROUTES["CreateFunction"], {}, {}, json.dumps(CREATE).encode(), {}),
        "Invoke": (
            ROUTES["Invoke"],
            {"FunctionName": "my-function"},
            {"Qualifier": ["live"]},
            b'{"order": 42}',
            INVOKE_HEADERS,
        ),
    }


def _best(calls: dict[str, Any], number: int, repeat: int) -> dict[str, float]:
    """CPU microseconds per call of each of `calls`, the best of `repeat` rounds. The calls
    take turns within each round, so a burst of load from other processes hits them alike;
    process time leaves other processes' time out."""
    best = dict.fromkeys(calls, float("inf"))
    for _ in range(repeat):
        for name, call in calls.items():
            took = timeit.timeit(call, number=number, timer=time.process_time)
            best[name] = min(best[name], took / number * 1e6)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--number", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=25)
    args = parser.parse_args()
    checker = ConstraintChecker()
    started = time.process_time()
    ConstraintChecker()
    figures: dict[str, Any] = {
        "checker_construction_ms": round((time.process_time() - started) * 1000, 2)
    }
    for operation, (route, path, query, body, headers) in _requests().items():
        members: dict[str, Any] = (
            dict(CREATE)
            if operation == "CreateFunction"
            else {
                "FunctionName": "my-function",
                "Qualifier": "live",
                "InvocationType": "RequestResponse",
                "LogType": "None",
            }
        )
        best = _best(
            {
                "without": lambda r=route, p=path, q=query, b=body, h=headers: (
                    translate.request_to_message(r, p, q, b, h)
                ),
                "with": lambda r=route, p=path, q=query, b=body, h=headers: (
                    translate.request_to_message(r, p, q, b, h, checker)
                ),
                "alone": lambda o=operation, m=members: checker.violations(o, m),
            },
            args.number,
            args.repeat,
        )
        figures[operation] = {
            "translate_us": round(best["without"], 2),
            "translate_with_check_us": round(best["with"], 2),
            "overhead_us": round(best["with"] - best["without"], 2),
            "checker_alone_us": round(best["alone"], 2),
        }
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
