"""Who is on the other end of a Runtime API connection.

Every environment has its own Runtime API port, but a port is no secret: any function can
dial another environment's port and long-poll `invocation/next` for its events. So each
connection is checked once, when its first request arrives, against the environment that
owns the server:

- Docker: the connection's source address must be one of the container's addresses
  (containers reach the daemon across the bridge without address translation); another
  address of the container's networks is another container. Where the engine translates
  addresses (Docker Desktop), the source says nothing and the check cannot be made.
- Process mode: the peer's TCP socket is looked up in `/proc/net/tcp{,6}` (its inode), and
  one of the environment's processes (its cgroup, or its session) must hold that socket.

The verdict is cached on the connection, so keep-alive clients pay for it once.
"""

from __future__ import annotations

import ipaddress
import os
import struct
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import Protocol, runtime_checkable

Address = tuple[str, int]

PROC = Path("/proc")


@runtime_checkable
class ConnectionOwner(Protocol):
    """A runtime process that can tell whether a Runtime API connection comes from it."""

    def owns_connection(self, peer: Address, local: Address) -> Awaitable[bool]:
        """True if the TCP connection `peer` -> `local` (the server's end) is this process's."""
        ...


def normalize_host(host: str) -> str:
    """An address in one spelling: IPv4-mapped IPv6 (`::ffff:10.0.0.2`) as plain IPv4."""
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return host
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(address)


def address_allowed(peer_host: str, allowed: Iterable[str]) -> bool:
    """True if `peer_host` is one of the `allowed` addresses (any spelling)."""
    peer = normalize_host(peer_host)
    return any(peer == normalize_host(a) for a in allowed if a)


def container_peer_allowed(
    peer_host: str, addresses: Iterable[str], networks: Iterable[str]
) -> bool | None:
    """Whether a peer is the container with `addresses` on its `networks` (CIDRs).

    True: one of its addresses. False: another address of those networks -- another
    container. None: outside them all, i.e. translated on the way (Docker Desktop's VM,
    a userland proxy): the source tells nothing about which container is calling.
    """
    if address_allowed(peer_host, addresses):
        return True
    try:
        peer = ipaddress.ip_address(normalize_host(peer_host))
    except ValueError:
        return False
    for network in networks:
        try:
            if peer in ipaddress.ip_network(network, strict=False):
                return False
        except ValueError:
            continue
    return None


def proc_net_address(host: str, port: int) -> tuple[str, str]:
    """(`/proc/net/tcp*` file name, the `ADDR:PORT` hex the kernel writes for this end).

    The kernel prints each 32-bit word of the address in host byte order, then the port.
    An IPv4-mapped peer of a dual-stack socket is in `tcp6` as `::ffff:a.b.c.d`.
    """
    address = ipaddress.ip_address(host.split("%", 1)[0])
    packed = address.packed
    text = "".join(
        f"{struct.unpack('=I', packed[i : i + 4])[0]:08X}" for i in range(0, len(packed), 4)
    )
    return ("tcp6" if address.version == 6 else "tcp"), f"{text}:{port:04X}"


def socket_inode(table: str, peer: Address, local: Address) -> int | None:
    """The inode of the socket whose local end is `peer` and remote end `local`, from the
    text of a `/proc/net/tcp` or `/proc/net/tcp6` table; None if it is not there."""
    _, peer_hex = proc_net_address(*peer)
    _, local_hex = proc_net_address(*local)
    for line in table.splitlines()[1:]:
        fields = line.split()
        if len(fields) >= 10 and fields[1] == peer_hex and fields[2] == local_hex:
            inode = int(fields[9])
            return inode or None  # 0: the socket is already closing (TIME_WAIT)
    return None


def _candidates(peer: Address, local: Address) -> list[tuple[str, Address, Address]]:
    """Tables and spellings to look the peer up in (v4 sockets, and v4 peers of v6 sockets)."""
    peer_host, local_host = normalize_host(peer[0]), normalize_host(local[0])
    peer_v6 = ipaddress.ip_address(peer_host).version == 6
    if peer_v6:
        return [("tcp6", (peer_host, peer[1]), (local_host, local[1]))]
    mapped = (f"::ffff:{peer_host}", peer[1]), (f"::ffff:{local_host}", local[1])
    return [("tcp", (peer_host, peer[1]), (local_host, local[1])), ("tcp6", *mapped)]


def peer_socket_inode(peer: Address, local: Address, proc: Path = PROC) -> int | None:
    """The inode of the peer's socket of the loopback connection `peer` -> `local`."""
    for table, peer_end, local_end in _candidates(peer, local):
        try:
            text = (proc / "net" / table).read_text()
        except OSError:
            continue
        inode = socket_inode(text, peer_end, local_end)
        if inode is not None:
            return inode
    return None


def holder_of(inode: int, pids: Iterable[int], proc: Path = PROC) -> int | None:
    """The first of `pids` with an open file descriptor on socket `inode`, if any."""
    wanted = f"socket:[{inode}]"
    for pid in pids:
        fd_dir = proc / str(pid) / "fd"
        try:
            names = os.listdir(fd_dir)
        except OSError:
            continue  # exited, or not ours to look at
        for name in names:
            try:
                if os.readlink(fd_dir / name) == wanted:
                    return pid
            except OSError:
                continue
    return None


def connection_from(
    peer: Address, local: Address, members: Callable[[], Iterable[int]], proc: Path = PROC
) -> bool:
    """True if a process among `members()` holds the peer end of `peer` -> `local`.

    Blocking (reads /proc): call it from a thread.
    """
    inode = peer_socket_inode(peer, local, proc)
    if inode is None:
        return False
    return holder_of(inode, members(), proc) is not None
