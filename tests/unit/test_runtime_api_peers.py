"""Who may use an environment's Runtime API: the peer checks (`runtime.peers`) and the
restricted `RuntimeApiServer` that applies them once per connection."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator

import aiohttp
import pytest

from lambdad.daemon.runtime import peers
from lambdad.daemon.runtime.runtime_api import InvocationRequest, RuntimeApiServer

BASE = "/2018-06-01/runtime"

# /proc/net/tcp as the kernel writes it: 127.0.0.1:40000 -> 127.0.0.1:8080, inode 4242.
TABLE = (
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "
    "timeout inode\n"
    "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0"
    "        0 1111 1 0000000000000000 100 0 0 10 0\n"
    "   1: 0100007F:9C40 0100007F:1F90 01 00000000:00000000 00:00000000 00000000     0"
    "        0 4242 1 0000000000000000 20 4 30 10 -1\n"
    "   2: 0100007F:9C41 0100007F:1F90 06 00000000:00000000 03:00001770 00000000     0"
    "        0 0 3 0000000000000000\n"
)


def test_proc_net_address_is_the_kernels_spelling() -> None:
    assert peers.proc_net_address("127.0.0.1", 8080) == ("tcp", "0100007F:1F90")
    table, text = peers.proc_net_address("::1", 80)
    assert table == "tcp6"
    assert text == "00000000000000000000000001000000:0050"


def test_socket_inode_matches_both_ends_of_the_connection() -> None:
    assert peers.socket_inode(TABLE, ("127.0.0.1", 40000), ("127.0.0.1", 8080)) == 4242
    # The server's own end, another port, and a closing socket (inode 0) are not it.
    assert peers.socket_inode(TABLE, ("127.0.0.1", 8080), ("127.0.0.1", 40000)) is None
    assert peers.socket_inode(TABLE, ("127.0.0.1", 40001), ("127.0.0.1", 9090)) is None
    assert peers.socket_inode(TABLE, ("127.0.0.1", 40001), ("127.0.0.1", 8080)) is None


def test_address_allowed_compares_any_spelling() -> None:
    assert peers.address_allowed("::ffff:172.17.0.3", {"172.17.0.3"})
    assert peers.address_allowed("172.17.0.3", {"172.17.0.3", "fd00::3"})
    assert not peers.address_allowed("172.17.0.4", {"172.17.0.3"})
    assert not peers.address_allowed("172.17.0.3", set())


def test_container_peer_is_told_apart_on_its_network() -> None:
    mine, networks = {"172.17.0.3"}, {"172.17.0.3/16"}
    assert peers.container_peer_allowed("172.17.0.3", mine, networks) is True
    assert peers.container_peer_allowed("::ffff:172.17.0.3", mine, networks) is True
    # Another container of the same network.
    assert peers.container_peer_allowed("172.17.0.4", mine, networks) is False
    # Translated on the way (Docker Desktop): the source says nothing.
    assert peers.container_peer_allowed("192.168.65.1", mine, networks) is None
    assert peers.container_peer_allowed("not-an-ip", mine, networks) is False


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        yield server


def test_connection_from_finds_the_process_holding_the_peer_socket(
    listener: socket.socket,
) -> None:
    with socket.create_connection(listener.getsockname()) as _mine:
        accepted, peer = listener.accept()
        with accepted:
            local = accepted.getsockname()
            assert peers.connection_from(peer, local, lambda: [os.getpid()])
            assert not peers.connection_from(peer, local, lambda: [])


def test_connection_from_refuses_a_socket_held_by_another_process(
    listener: socket.socket,
) -> None:
    host, port = listener.getsockname()
    dialer = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import socket, sys, time\n"
            f"s = socket.create_connection(({host!r}, {port}))\n"
            "print('up', flush=True); time.sleep(30)",
        ],
        stdout=subprocess.PIPE,
    )
    try:
        assert dialer.stdout is not None and dialer.stdout.readline() == b"up\n"
        accepted, peer = listener.accept()
        with accepted:
            local = accepted.getsockname()
            assert not peers.connection_from(peer, local, lambda: [os.getpid()])
            assert peers.connection_from(peer, local, lambda: [os.getpid(), dialer.pid])
    finally:
        dialer.kill()
        dialer.wait()


def test_connection_from_sees_v4_peers_of_a_dual_stack_listener() -> None:
    with socket.socket(socket.AF_INET6) as server:
        server.bind(("::", 0))
        server.listen()
        with socket.create_connection(("127.0.0.1", server.getsockname()[1])):
            accepted, peer = server.accept()
            with accepted:
                local = accepted.getsockname()[:2]
                assert peer[0].startswith("::ffff:")
                assert peers.connection_from(peer[:2], local, lambda: [os.getpid()])


class CountingOwner:
    """An owner that allows or refuses everyone, counting how often it is asked."""

    def __init__(self, allow: bool) -> None:
        self.allow = allow
        self.asked = 0

    async def owns_connection(self, peer: peers.Address, local: peers.Address) -> bool:
        self.asked += 1
        return self.allow


@pytest.fixture
async def restricted() -> AsyncIterator[RuntimeApiServer]:
    server = RuntimeApiServer("127.0.0.1", restricted=True)
    await server.start()
    try:
        yield server
    finally:
        await server.close()


def _request(request_id: str) -> InvocationRequest:
    return InvocationRequest(
        request_id=request_id,
        payload=b"{}",
        timeout_s=3.0,
        invoked_function_arn="arn:aws:lambda:us-east-1:000000000000:function:f",
    )


async def test_restricted_api_refuses_a_stranger_everywhere(restricted: RuntimeApiServer) -> None:
    owner = CountingOwner(allow=False)
    restricted.set_owner(owner)
    outcome = restricted.submit(_request("r1"))
    async with aiohttp.ClientSession(f"http://127.0.0.1:{restricted.port}") as http:
        for method, path in [
            ("GET", f"{BASE}/invocation/next"),
            ("POST", f"{BASE}/invocation/r1/response"),
            ("POST", f"{BASE}/invocation/r1/error"),
            ("POST", f"{BASE}/init/error"),
            ("POST", "/2020-01-01/extension/register"),
            ("GET", "/2020-01-01/extension/event/next"),
        ]:
            async with http.request(method, path, data=b"{}") as response:
                assert response.status == 403, path
                body = await response.json()
                assert body["errorType"] == "AccessDeniedException"
    assert not outcome.done()
    assert not restricted.init_error.done()
    assert owner.asked == 1  # one keep-alive connection, checked once


async def test_restricted_api_serves_its_owner_checking_each_connection_once(
    restricted: RuntimeApiServer,
) -> None:
    owner = CountingOwner(allow=True)
    restricted.set_owner(owner)
    async with aiohttp.ClientSession(f"http://127.0.0.1:{restricted.port}") as http:
        for n in range(3):
            outcome = restricted.submit(_request(f"r{n}"))
            async with http.get(f"{BASE}/invocation/next") as response:
                assert response.status == 200
            async with http.post(f"{BASE}/invocation/r{n}/response", data=b'"ok"') as response:
                assert response.status == 202
            assert (await outcome).payload == b'"ok"'
    assert owner.asked == 1


async def test_restricted_api_waits_for_its_owner_before_answering(
    restricted: RuntimeApiServer,
) -> None:
    owner = CountingOwner(allow=True)
    restricted.submit(_request("early"))
    # One raw connection: an HTTP client library may quietly retry on a second one, and this
    # test is about the connection that was held.
    reader, writer = await asyncio.open_connection("127.0.0.1", restricted.port)
    try:
        writer.write(f"GET {BASE}/invocation/next HTTP/1.1\r\nHost: runtime\r\n\r\n".encode())
        await writer.drain()
        head = asyncio.ensure_future(reader.readuntil(b"\r\n\r\n"))
        await asyncio.sleep(0.1)  # the poll has arrived and is held
        assert not head.done() and owner.asked == 0
        restricted.set_owner(owner)
        answer = (await asyncio.wait_for(head, 10)).decode()
    finally:
        writer.close()
    assert answer.startswith("HTTP/1.1 200 ")
    assert "Lambda-Runtime-Aws-Request-Id: early\r\n" in answer
    assert owner.asked == 1


async def test_an_owner_that_fails_refuses_the_caller(restricted: RuntimeApiServer) -> None:
    class Broken:
        async def owns_connection(self, peer: peers.Address, local: peers.Address) -> bool:
            raise OSError("proc unreadable")

    restricted.set_owner(Broken())
    async with (
        aiohttp.ClientSession(f"http://127.0.0.1:{restricted.port}") as http,
        http.get(f"{BASE}/invocation/next") as response,
    ):
        assert response.status == 403
