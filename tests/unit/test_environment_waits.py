"""`_first_done`, the invoke path's wait: it returns at the first future done or at the
timeout, and leaves no callback behind on the futures it watched (the runtime's exit task
lives as long as the environment and is watched by every invocation)."""

from __future__ import annotations

import asyncio

from lambdad.daemon.runtime.environment import _first_done
from tests.helpers import async_wait_for


async def test_returns_when_one_is_done_and_unhooks_the_others() -> None:
    loop = asyncio.get_running_loop()
    answered, exited = loop.create_future(), loop.create_future()
    loop.call_later(0.01, answered.set_result, "ok")
    await asyncio.wait_for(_first_done((answered, exited), 30), 5)
    assert answered.done() and not exited.done()
    assert not exited._callbacks  # type: ignore[attr-defined]


async def test_returns_at_the_timeout_with_nothing_done() -> None:
    loop = asyncio.get_running_loop()
    answered, exited = loop.create_future(), loop.create_future()
    started = loop.time()
    await _first_done((answered, exited), 0.05)
    assert loop.time() - started >= 0.04
    assert not answered.done() and not exited.done()
    assert not answered._callbacks and not exited._callbacks  # type: ignore[attr-defined]


async def test_returns_at_once_when_one_is_already_done() -> None:
    loop = asyncio.get_running_loop()
    done, pending = loop.create_future(), loop.create_future()
    done.set_result(None)
    await asyncio.wait_for(_first_done((pending, done), 30), 1)
    assert not pending._callbacks  # type: ignore[attr-defined]


async def test_a_cancelled_wait_unhooks_too() -> None:
    loop = asyncio.get_running_loop()
    watched = loop.create_future()
    waiting = asyncio.ensure_future(_first_done((watched,), 30))
    await async_wait_for(lambda: watched._callbacks, interval=0.001)  # type: ignore[attr-defined]
    waiting.cancel()
    await asyncio.gather(waiting, return_exceptions=True)
    assert not watched._callbacks  # type: ignore[attr-defined]


async def test_many_invocations_leave_the_exit_future_clean() -> None:
    loop = asyncio.get_running_loop()
    exited = loop.create_future()
    for _ in range(100):
        outcome = loop.create_future()
        loop.call_soon(outcome.set_result, None)
        await _first_done((outcome, exited), 30)
    assert not exited._callbacks  # type: ignore[attr-defined]
