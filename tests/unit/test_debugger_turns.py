"""`DebuggerTurns`: invocations of a debugged function queue for its one environment."""

from __future__ import annotations

import asyncio
import socket

from lambdad.daemon.runtime.debugging import DebuggerTurns, wait_for_port_release


async def _settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_turns_are_taken_in_arrival_order() -> None:
    turns = DebuggerTurns()
    order: list[int] = []
    first = turns.turn(5678)
    await first.wait()

    async def invocation(n: int) -> None:
        turn = turns.turn(5678)
        await turn.wait()
        order.append(n)
        turn.release()

    waiting = [asyncio.create_task(invocation(n)) for n in range(3)]
    await _settle()
    assert order == [] and turns.waiting(5678) == 3
    first.release()
    first.release()  # idempotent: does not let a second waiter in early
    await asyncio.gather(*waiting)
    assert order == [0, 1, 2]
    assert turns.waiting(5678) == 0 and not turns._locks  # nothing left behind


async def test_other_ports_and_undebugged_functions_do_not_wait() -> None:
    turns = DebuggerTurns()
    held = turns.turn(5678)
    await held.wait()
    other = turns.turn(9229)
    await asyncio.wait_for(other.wait(), 5)
    for _ in range(3):
        await asyncio.wait_for(turns.turn(None).wait(), 5)  # no debugger: no queue
    other.release()
    held.release()


async def test_a_cancelled_waiter_leaves_the_queue() -> None:
    turns = DebuggerTurns()
    held = turns.turn(5678)
    await held.wait()
    cancelled = asyncio.create_task(turns.turn(5678).wait())
    after = turns.turn(5678)
    waiting = asyncio.create_task(after.wait())
    await _settle()
    cancelled.cancel()
    await _settle()
    assert turns.waiting(5678) == 1
    held.release()
    await asyncio.wait_for(waiting, 5)
    after.release()
    assert not turns._locks


async def test_wait_for_port_release() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = int(listener.getsockname()[1])
        assert await wait_for_port_release(port, timeout_s=0.1) is False
        loop = asyncio.get_running_loop()
        loop.call_later(0.1, listener.close)
        assert await wait_for_port_release(port, timeout_s=30) is True
