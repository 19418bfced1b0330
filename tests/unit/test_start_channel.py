"""`StartChannel`: the start command reaches a waiting program however slowly it runs.

The waiting programs (python_zygote.py, docker.PREWARM_WRAPPER) read the FIFO to its end and read
again after an empty read. The reader here does the same on a real FIFO, but closes an empty
read's descriptor late, as a process descheduled on a loaded host does: a command written in
that moment must not be lost (it was: the container then waited forever for its function).
"""

from __future__ import annotations

import asyncio
import errno
import os
import threading
import time
from pathlib import Path

import pytest

from lambdad.daemon.runtime.docker import StartChannel
from tests.helpers import async_wait_for, wait_for


class SlowReader:
    """Reads `fifo` as the waiting programs do; an empty read is closed after `close_delay_s`."""

    def __init__(self, fifo: Path, close_delay_s: float) -> None:
        self.fifo = fifo
        self.close_delay_s = close_delay_s
        self.empty_reads = 0
        self.received: bytes | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while True:
            with open(self.fifo, "rb") as fifo:
                data = fifo.read()
                if not data:
                    self.empty_reads += 1
                    self._descheduled()
            if data:
                self.received = data
                return

    def _descheduled(self) -> None:
        time.sleep(self.close_delay_s)  # stands in for a loaded host

    def unblock(self) -> None:
        """End a reader still waiting for a command (test cleanup)."""

        def stopped() -> bool:
            if not self.thread.is_alive():
                return True
            try:
                fd = os.open(self.fifo, os.O_WRONLY | os.O_NONBLOCK)
            except OSError as error:
                if error.errno == errno.ENXIO:
                    return False  # no reader this moment: it is ending, or about to open again
                raise
            os.write(fd, b"stop")
            os.close(fd)
            self.thread.join(5)
            return True

        wait_for(stopped, timeout=5)


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "go"
    os.mkfifo(path)
    return path


async def test_command_sent_right_after_ready_reaches_a_slow_reader(fifo: Path) -> None:
    reader = SlowReader(fifo, close_delay_s=0.3)
    channel = StartChannel(fifo)
    try:
        await asyncio.wait_for(channel.ready(), 5)
        await channel.send(b"start the function")
        await async_wait_for(lambda: reader.received is not None, timeout=5)
        assert reader.received == b"start the function"
        assert reader.empty_reads == 0
    finally:
        channel.close()
        reader.unblock()


async def test_ready_waits_for_the_reader(fifo: Path) -> None:
    channel = StartChannel(fifo)
    waiting = asyncio.ensure_future(channel.ready())
    done, _ = await asyncio.wait({waiting}, timeout=0.1)
    assert not done  # nobody reads the FIFO yet
    reader = SlowReader(fifo, close_delay_s=0)
    try:
        await asyncio.wait_for(waiting, 5)
        # A command larger than a pipe's buffer is written as the reader drains it.
        command = b"x" * (256 * 1024)
        await channel.send(command)
        reader.thread.join(5)
        assert reader.received == command
    finally:
        channel.close()
        reader.unblock()


async def test_a_channel_never_ready_or_already_used_refuses_to_send(fifo: Path) -> None:
    channel = StartChannel(fifo)
    with pytest.raises(OSError):
        await channel.send(b"too early")
    reader = SlowReader(fifo, close_delay_s=0)
    try:
        await asyncio.wait_for(channel.ready(), 5)
        await channel.send(b"once")
        with pytest.raises(OSError):
            await channel.send(b"twice")
    finally:
        reader.unblock()
