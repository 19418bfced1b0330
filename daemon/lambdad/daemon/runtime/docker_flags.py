"""`LAMBDAD_DOCKER_FLAGS`: extra mounts, ports and environment for every function container.

The syntax is LocalStack's LAMBDA_DOCKER_FLAGS (a subset of `docker run` flags). It is parsed
once at start-up into `DockerFlags`; anything that would weaken the sandbox (privileges,
capabilities, host namespaces, devices, the Docker socket) or that lambdad does not know is a
`DockerFlagsError` naming the flag, so a typo fails the daemon's start instead of being ignored.
"""

from __future__ import annotations

import ipaddress
import posixpath
import re
import shlex
from dataclasses import dataclass

# Flags that would let a function escape its sandbox or take over the engine.
_FORBIDDEN = {
    "--privileged": "gives the container every capability and device",
    "--cap-add": "adds Linux capabilities (environments drop them all)",
    "--pid": "shares a PID namespace",
    "--ipc": "shares an IPC namespace",
    "--uts": "shares a UTS namespace",
    "--userns": "changes the user namespace",
    "--network": "the daemon chooses the network (LAMBDAD_DOCKER_NETWORK)",
    "--net": "the daemon chooses the network (LAMBDAD_DOCKER_NETWORK)",
    "--device": "exposes host devices",
    "--security-opt": "changes the security profile",
    "--mount": "use -v HOST:CONTAINER[:ro]",
    "--volumes-from": "mounts another container's volumes",
}
_ALIASES = {
    "-v": "--volume",
    "-p": "--publish",
    "-e": "--env",
}
# Where Docker engines put their socket; a mount of it, or of a directory holding it, is the
# engine itself.
_DOCKER_SOCKETS = ("/var/run/docker.sock", "/run/docker.sock")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_HOST_NAME = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$")
_ULIMIT_NAMES = {
    "core", "cpu", "data", "fsize", "locks", "memlock", "msgqueue", "nice", "nofile",
    "nproc", "rss", "rtprio", "rttime", "sigpending", "stack",
}  # fmt: skip


class DockerFlagsError(ValueError):
    """A flag in LAMBDAD_DOCKER_FLAGS that is malformed, unknown or not allowed."""


@dataclass(frozen=True)
class BindMount:
    """`-v HOST:CONTAINER[:ro]`."""

    source: str
    target: str
    read_only: bool = False


@dataclass(frozen=True)
class PortMapping:
    """`-p [IP:]HOST:CONTAINER[/tcp|udp]`."""

    host_ip: str
    host_port: int
    container_port: int
    protocol: str = "tcp"


@dataclass(frozen=True)
class UlimitSetting:
    """`--ulimit NAME=SOFT[:HARD]`."""

    name: str
    soft: int
    hard: int


@dataclass(frozen=True)
class DockerFlags:
    """The validated extras applied to every function container."""

    mounts: tuple[BindMount, ...] = ()
    ports: tuple[PortMapping, ...] = ()
    environment: tuple[tuple[str, str], ...] = ()
    extra_hosts: tuple[tuple[str, str], ...] = ()
    dns: tuple[str, ...] = ()
    ulimits: tuple[UlimitSetting, ...] = ()


def _volume(value: str) -> BindMount:
    parts = value.split(":")
    if len(parts) not in {2, 3}:
        raise DockerFlagsError(f"-v {value!r}: expected HOST:CONTAINER[:ro|rw]")
    source, target = parts[0], parts[1]
    mode = parts[2] if len(parts) == 3 else "rw"
    if mode not in {"ro", "rw"}:
        raise DockerFlagsError(f"-v {value!r}: mode must be ro or rw")
    if not source.startswith("/") or not target.startswith("/"):
        raise DockerFlagsError(f"-v {value!r}: both paths must be absolute")
    normal = posixpath.normpath(source)
    for sock in _DOCKER_SOCKETS:
        if normal == "/" or sock == normal or sock.startswith(normal.rstrip("/") + "/"):
            raise DockerFlagsError(f"-v {value!r}: mounting the Docker socket is not allowed")
    if normal.endswith("docker.sock"):
        raise DockerFlagsError(f"-v {value!r}: mounting the Docker socket is not allowed")
    return BindMount(normal, posixpath.normpath(target), read_only=mode == "ro")


def _port(value: str) -> PortMapping:
    spec, _, protocol = value.partition("/")
    protocol = protocol or "tcp"
    if protocol not in {"tcp", "udp"}:
        raise DockerFlagsError(f"-p {value!r}: protocol must be tcp or udp")
    parts = spec.rsplit(":", 2)
    # Ports on the host's loopback unless an address is given, like the debugger's port.
    host_ip = "127.0.0.1"
    if len(parts) == 3:
        host_ip = parts.pop(0).strip("[]")
        try:
            ipaddress.ip_address(host_ip)
        except ValueError:
            raise DockerFlagsError(f"-p {value!r}: {host_ip!r} is not an IP address") from None
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        raise DockerFlagsError(f"-p {value!r}: expected [IP:]HOST:CONTAINER[/tcp|udp]")
    host_port, container_port = int(parts[0]), int(parts[1])
    if not (0 < host_port < 65536 and 0 < container_port < 65536):
        raise DockerFlagsError(f"-p {value!r}: ports must be 1-65535")
    return PortMapping(host_ip, host_port, container_port, protocol)


def _env(value: str) -> tuple[str, str]:
    name, sep, text = value.partition("=")
    if not sep or not _ENV_NAME.match(name):
        raise DockerFlagsError(f"-e {value!r}: expected NAME=VALUE")
    if name == "AWS_LAMBDA_RUNTIME_API":
        raise DockerFlagsError("-e AWS_LAMBDA_RUNTIME_API: set by lambdad for each environment")
    return name, text


def _host(value: str) -> tuple[str, str]:
    # docker accepts NAME:IP and NAME=IP; an IPv6 address holds colons, so split on the first.
    match = re.match(r"^([^:=]+)[:=](.+)$", value)
    if match is None or not _HOST_NAME.match(match[1]):
        raise DockerFlagsError(f"--add-host {value!r}: expected NAME:IP")
    address = match[2].strip("[]")
    if address != "host-gateway":
        try:
            ipaddress.ip_address(address)
        except ValueError:
            raise DockerFlagsError(f"--add-host {value!r}: {address!r} is not an IP") from None
    return match[1], address


def _dns(value: str) -> str:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        raise DockerFlagsError(f"--dns {value!r}: expected an IP address") from None
    return value


def _ulimit(value: str) -> UlimitSetting:
    match = re.match(r"^([a-z]+)=(-?\d+)(?::(-?\d+))?$", value)
    if match is None or match[1] not in _ULIMIT_NAMES:
        raise DockerFlagsError(f"--ulimit {value!r}: expected NAME=SOFT[:HARD]")
    soft = int(match[2])
    hard = int(match[3]) if match[3] is not None else soft
    if hard != -1 and (soft == -1 or soft > hard):
        raise DockerFlagsError(f"--ulimit {value!r}: soft limit above the hard limit")
    return UlimitSetting(match[1], soft, hard)


def parse_docker_flags(text: str) -> DockerFlags:
    """Parse `LAMBDAD_DOCKER_FLAGS`; raise `DockerFlagsError` on anything not allowed."""
    try:
        words = shlex.split(text)
    except ValueError as exc:
        raise DockerFlagsError(f"cannot split {text!r}: {exc}") from None
    mounts: list[BindMount] = []
    ports: list[PortMapping] = []
    env: dict[str, str] = {}
    hosts: dict[str, str] = {}
    dns: list[str] = []
    ulimits: dict[str, UlimitSetting] = {}
    index = 0
    while index < len(words):
        word = words[index]
        index += 1
        flag, has_value, inline = word.partition("=") if word.startswith("--") else (word, "", "")
        flag = _ALIASES.get(flag, flag)
        if flag in _FORBIDDEN:
            raise DockerFlagsError(f"{flag} is not allowed: {_FORBIDDEN[flag]}")
        if flag not in {"--volume", "--publish", "--env", "--add-host", "--dns", "--ulimit"}:
            raise DockerFlagsError(
                f"unknown flag {word!r}: use -v, -p, -e, --add-host, --dns or --ulimit"
            )
        if has_value:
            value = inline
        elif index < len(words):
            value = words[index]
            index += 1
        else:
            raise DockerFlagsError(f"{word} needs a value")
        if flag == "--volume":
            mounts.append(_volume(value))
        elif flag == "--publish":
            ports.append(_port(value))
        elif flag == "--env":
            name, env_value = _env(value)
            env[name] = env_value
        elif flag == "--add-host":
            name, address = _host(value)
            hosts[name] = address
        elif flag == "--dns":
            dns.append(_dns(value))
        else:
            limit = _ulimit(value)
            ulimits[limit.name] = limit
    return DockerFlags(
        mounts=tuple(mounts),
        ports=tuple(ports),
        environment=tuple(env.items()),
        extra_hosts=tuple(hosts.items()),
        dns=tuple(dns),
        ulimits=tuple(ulimits.values()),
    )
