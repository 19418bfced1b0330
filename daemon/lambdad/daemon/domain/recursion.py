"""Recursive loop detection: the lineage an invocation carries and AWS's limit on it.

AWS counts, in the X-Ray trace header an event carries from service to service, how many
times the chain of requests it belongs to has invoked each function, and stops a function
(RecursiveLoop `Terminate`, the default) that would run more than 16 times in one chain.
lambdad keeps that count in the header's `Lineage` member, as `Lineage=<h>:<n>[,<h>:<n>...]`
(`h`: 8 hex digits naming a function, `n`: its invocations so far). The header reaches the
function as `_X_AMZN_TRACE_ID`, and AWS SDKs send it on with every call the function makes
(Invoke, SQS SendMessage's AWSTraceHeader, SNS), so the count survives the hop.
"""

from __future__ import annotations

import functools
import hashlib
import json

from lambdad.daemon.domain.validation import check_enum
from lambdad.daemon.errors import LambdaError, Reason, validation_error

ALLOW = "Allow"
TERMINATE = "Terminate"
RECURSIVE_LOOP_VALUES = (ALLOW, TERMINATE)
DEFAULT_RECURSIVE_LOOP = TERMINATE
# AWS stops a function in a loop once it has been invoked this many times in one chain.
MAX_CHAIN_INVOCATIONS = 16
LINEAGE_KEY = "Lineage"


@functools.lru_cache(maxsize=1024)  # every invoke asks, for a handful of functions
def function_key(function_arn: str) -> str:
    """The 8 hex digits that name a function (its unqualified ARN) in a lineage."""
    return hashlib.sha256(function_arn.encode()).hexdigest()[:8]


def parse_lineage(value: str) -> dict[str, int]:
    """Counts per function key of a `Lineage` value; unreadable entries are ignored.

    Also reads AWS's own `<version>:<hash>:<count>` form, one function per entry.
    """
    counts: dict[str, int] = {}
    for entry in value.split(","):
        parts = entry.strip().split(":")
        if len(parts) not in (2, 3):
            continue
        key, count = parts[-2], parts[-1]
        if count.isdigit() and key:
            counts[key] = max(counts.get(key, 0), int(count))
    return counts


def format_lineage(counts: dict[str, int]) -> str:
    """The `Lineage` value for `counts`."""
    return ",".join(f"{key}:{count}" for key, count in counts.items())


def stops_invocation(setting: str, previous_invocations: int) -> bool:
    """Whether a function with `setting` is stopped, having run `previous_invocations`
    times in this chain already."""
    return setting != ALLOW and previous_invocations >= MAX_CHAIN_INVOCATIONS


def recursive_invocation_error() -> LambdaError:
    """What a synchronous Invoke stopped in a loop answers."""
    return LambdaError(
        Reason.RECURSIVE_INVOCATION,
        "Lambda has detected your function being invoked in a recursive loop with other AWS "
        "resources and stopped your function's invocation.",
    )


def check_recursive_loop(value: str) -> None:
    """PutFunctionRecursionConfig's RecursiveLoop: required, Allow or Terminate."""
    if not value:
        raise validation_error(None, "recursiveLoop", "Member must not be null")
    check_enum(value, "recursiveLoop", RECURSIVE_LOOP_VALUES)


def to_json(setting: str) -> str:
    """A stored recursion setting."""
    return json.dumps({"RecursiveLoop": setting})


def from_json(text: str | None) -> str:
    """The setting stored by `to_json`, Terminate when there is none."""
    if not text:
        return DEFAULT_RECURSIVE_LOOP
    return str(json.loads(text).get("RecursiveLoop", DEFAULT_RECURSIVE_LOOP))
