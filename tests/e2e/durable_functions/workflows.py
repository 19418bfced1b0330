"""Durable functions written with AWS's Durable Execution SDK, as a developer writes them.

One module, several handlers: the e2e tests deploy it (with the SDK vendored into the zip)
under a different Handler per workflow, and AWS's testing SDK runs the same handlers in its
local runner, so the two histories can be compared operation by operation.
"""

from __future__ import annotations

from typing import Any

from aws_durable_execution_sdk_python import DurableContext, StepContext, durable_execution
from aws_durable_execution_sdk_python.config import (
    CallbackConfig,
    Duration,
    JitterStrategy,
    MapConfig,
    StepConfig,
)
from aws_durable_execution_sdk_python.retries import RetryStrategyConfig, create_retry_strategy

# A step that fails on its first attempt and succeeds on its second: one RETRY checkpoint,
# one re-invocation after a 1 s delay.
RETRY_ONCE = StepConfig(
    retry_strategy=create_retry_strategy(
        RetryStrategyConfig(
            max_attempts=3,
            initial_delay=Duration.from_seconds(1),
            jitter_strategy=JitterStrategy.NONE,
        )
    )
)


def _flaky(step: StepContext) -> dict[str, int]:
    if step.attempt < 2:
        raise RuntimeError(f"transient failure on attempt {step.attempt}")
    return {"attempts": step.attempt}


@durable_execution
def steps(event: dict[str, Any], context: DurableContext) -> dict[str, Any]:
    """Two steps (the second retried once), a wait, a final step."""
    order = context.step(lambda _: {"order": event.get("order", "o-1")}, name="validate")
    flaky = context.step(_flaky, name="flaky", config=RETRY_ONCE)
    context.wait(Duration.from_seconds(int(event.get("wait_seconds", 5))), name="cool-down")
    done = context.step(lambda _: f"shipped {order['order']}", name="ship")
    return {"order": order["order"], "attempts": flaky["attempts"], "result": done}


@durable_execution
def long_wait(event: dict[str, Any], context: DurableContext) -> dict[str, Any]:
    """A step, a wait of `wait_seconds` (a day by default), a step: for time control."""
    before = context.step(lambda _: "before", name="before")
    context.wait(Duration.from_seconds(int(event.get("wait_seconds", 86400))), name="long")
    after = context.step(lambda _: "after", name="after")
    return {"steps": [before, after]}


@durable_execution
def slow_step(event: dict[str, Any], context: DurableContext) -> dict[str, Any]:
    """A step that sleeps (a daemon is killed while it runs), then a wait and a step."""
    import time

    def sleepy(_: StepContext) -> str:
        time.sleep(float(event.get("sleep", 3)))
        return "slept"

    slept = context.step(sleepy, name="sleepy")
    context.wait(Duration.from_seconds(int(event.get("wait_seconds", 2))), name="pause")
    return {"slept": slept, "final": context.step(lambda _: "final", name="final")}


@durable_execution
def callback(event: dict[str, Any], context: DurableContext) -> dict[str, Any]:
    """Waits for an external callback (its id is in the history); returns what was sent."""
    config = CallbackConfig(
        timeout=Duration.from_seconds(int(event.get("timeout", 0))),
        heartbeat_timeout=Duration.from_seconds(int(event.get("heartbeat_timeout", 0))),
    )
    pending = context.create_callback(name="approval", config=config)
    context.step(lambda _: pending.callback_id, name="notify")
    answer = pending.result()
    return {"approval": answer}


@durable_execution
def chained(event: dict[str, Any], context: DurableContext) -> dict[str, Any]:
    """Invokes another function (`event["target"]`) as a chained invoke and keeps its answer."""
    prepared = context.step(lambda _: {"n": int(event.get("n", 1))}, name="prepare")
    answer = context.invoke(event["target"], prepared, name="call-target")
    return {"target_said": answer}


def _branch(label: str):
    def run(ctx: DurableContext) -> str:
        return ctx.step(lambda _: f"branch-{label}", name=f"work-{label}")

    return run


def _square(ctx: DurableContext, item: int, index: int, _items: Any) -> int:
    return ctx.step(lambda _: item * item, name=f"square-{index}")


def _nested(ctx: DurableContext) -> str:
    first = ctx.step(lambda _: "inner", name="inner-step")
    ctx.wait(Duration.from_seconds(1), name="inner-wait")
    return f"{first}-done"


@durable_execution
def fanout(event: dict[str, Any], context: DurableContext) -> dict[str, Any]:
    """parallel (3 branches), map (3 items, 2 at a time) and a child context with a wait."""
    parallel = context.parallel([_branch("a"), _branch("b"), _branch("c")], name="fan")
    mapped = context.map(
        list(event.get("items", [1, 2, 3])),
        _square,
        name="squares",
        config=MapConfig(max_concurrency=2),
    )
    child = context.run_in_child_context(_nested, name="child")
    return {
        "parallel": sorted(parallel.get_results()),
        "squares": mapped.get_results(),
        "child": child,
    }


@durable_execution
def failing(event: dict[str, Any], context: DurableContext) -> dict[str, Any]:
    """A step that always fails, without retries: the execution ends FAILED."""

    def boom(_: StepContext) -> None:
        raise ValueError(event.get("message", "boom"))

    context.step(boom, name="boom", config=StepConfig(retry_strategy=lambda e, n: _no_retry()))
    return {"unreachable": True}


def _no_retry() -> Any:
    from aws_durable_execution_sdk_python.retries import RetryDecision

    return RetryDecision.no_retry()


def plain(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """A plain (not durable) handler: the target of the chained invoke."""
    return {"doubled": int(event.get("n", 0)) * 2}


@durable_execution
def many_steps(event: dict[str, Any], context: DurableContext) -> dict[str, Any]:
    """`count` tiny steps in a row: each is one checkpoint round trip (for measurements)."""
    total = 0
    for index in range(int(event.get("count", 50))):
        total += context.step(lambda _, i=index: i, name=f"s{index}")
    return {"total": total}
