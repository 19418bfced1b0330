"""LAMBDAD_DOCKER_FLAGS: the parser's accept/reject table and how the flags reach a container."""

from __future__ import annotations

from pathlib import Path

import pytest

from lambdad.daemon.cli import main
from lambdad.daemon.config import Config
from lambdad.daemon.runtime.docker import NetworkPlan, container_options
from lambdad.daemon.runtime.docker_flags import (
    BindMount,
    DockerFlags,
    DockerFlagsError,
    PortMapping,
    UlimitSetting,
    parse_docker_flags,
)
from lambdad.daemon.runtime.executor import RuntimeApiBinding
from tests.helpers import environment_spec

ACCEPTED = [
    ("", DockerFlags()),
    ("-v /data:/mnt/data:ro", DockerFlags(mounts=(BindMount("/data", "/mnt/data", True),))),
    ("--volume=/a/b/:/c", DockerFlags(mounts=(BindMount("/a/b", "/c", False),))),
    ("-p 8080:80", DockerFlags(ports=(PortMapping("127.0.0.1", 8080, 80),))),
    ("-p 0.0.0.0:53:53/udp", DockerFlags(ports=(PortMapping("0.0.0.0", 53, 53, "udp"),))),
    ("-e A=1 --env B=x=y -e A=2", DockerFlags(environment=(("A", "2"), ("B", "x=y")))),
    ("-e 'MSG=hello world'", DockerFlags(environment=(("MSG", "hello world"),))),
    ("--add-host db:10.0.0.5", DockerFlags(extra_hosts=(("db", "10.0.0.5"),))),
    ("--add-host=v6:fd00::1", DockerFlags(extra_hosts=(("v6", "fd00::1"),))),
    ("--add-host gw:host-gateway", DockerFlags(extra_hosts=(("gw", "host-gateway"),))),
    ("--dns 1.1.1.1 --dns=8.8.8.8", DockerFlags(dns=("1.1.1.1", "8.8.8.8"))),
    ("--ulimit nofile=2048:4096", DockerFlags(ulimits=(UlimitSetting("nofile", 2048, 4096),))),
    ("--ulimit core=0", DockerFlags(ulimits=(UlimitSetting("core", 0, 0),))),
]

REJECTED = [
    ("--privileged", "not allowed"),
    ("--cap-add SYS_ADMIN", "not allowed"),
    ("--cap-add=NET_ADMIN", "not allowed"),
    ("--pid=host", "not allowed"),
    ("--network=host", "not allowed"),
    ("--net host", "not allowed"),
    ("--device /dev/sda", "not allowed"),
    ("--security-opt seccomp=unconfined", "not allowed"),
    ("-v /var/run/docker.sock:/var/run/docker.sock", "Docker socket"),
    ("-v /run/docker.sock:/d.sock:ro", "Docker socket"),
    ("-v /var/run:/host-run", "Docker socket"),
    ("-v /:/host", "Docker socket"),
    ("-v /home/me/.docker/run/docker.sock:/s", "Docker socket"),
    ("-v /var/run/../run/docker.sock:/s", "Docker socket"),
    ("-v relative:/x", "absolute"),
    ("-v /a:/b:rx", "ro or rw"),
    ("-v /a", "HOST:CONTAINER"),
    ("-p 80", "HOST:CONTAINER"),
    ("-p 99999:80", "1-65535"),
    ("-p nothost:80:80", "not an IP"),
    ("-p 80:80/sctp", "tcp or udp"),
    ("-e NOVALUE", "NAME=VALUE"),
    ("-e 1BAD=x", "NAME=VALUE"),
    ("-e AWS_LAMBDA_RUNTIME_API=x:1", "set by lambdad"),
    ("--add-host db", "NAME:IP"),
    ("--add-host db:not-an-ip", "not an IP"),
    ("--dns example.com", "IP address"),
    ("--ulimit nofile", "NAME=SOFT"),
    ("--ulimit bogus=1", "NAME=SOFT"),
    ("--ulimit nofile=10:5", "soft limit"),
    ("--memory 1g", "unknown flag"),
    ("-v", "needs a value"),
    ("-e 'unterminated", "cannot split"),
]


@pytest.mark.parametrize(("text", "expected"), ACCEPTED)
def test_accepted_flags(text: str, expected: DockerFlags) -> None:
    assert parse_docker_flags(text) == expected


@pytest.mark.parametrize(("text", "message"), REJECTED)
def test_rejected_flags(text: str, message: str) -> None:
    with pytest.raises(DockerFlagsError, match=message):
        parse_docker_flags(text)


def test_flags_reach_the_container_options() -> None:
    flags = parse_docker_flags(
        "-v /data:/mnt/data:ro -p 8080:80 -e SHARED=flag -e MINE=flag "
        "--add-host db:10.0.0.5 --dns 1.1.1.1 --ulimit nofile=2048:4096 --ulimit core=0"
    )
    plan = NetworkPlan(RuntimeApiBinding("127.0.0.1", "172.17.0.1"), None, {"gw": "10.9.9.9"})
    options = container_options(
        environment_spec({"MINE": "function"}), "img", "172.17.0.1:9001", plan, {}, flags
    )
    targets = {m["Target"]: (m["Source"], m["ReadOnly"]) for m in options["mounts"]}
    assert targets["/mnt/data"] == ("/data", True)
    assert targets["/var/task"] == ("/code", True)
    # The function's own Environment wins over the daemon-wide flags.
    assert options["environment"]["SHARED"] == "flag"
    assert options["environment"]["MINE"] == "function"
    assert options["environment"]["AWS_LAMBDA_RUNTIME_API"] == "172.17.0.1:9001"
    assert options["ports"] == {"80/tcp": ("127.0.0.1", 8080)}
    assert options["extra_hosts"] == {"db": "10.0.0.5", "gw": "10.9.9.9"}
    assert options["dns"] == ["1.1.1.1"]
    limits = {u["Name"]: (u["Soft"], u["Hard"]) for u in options["ulimits"]}
    assert limits == {"nofile": (2048, 4096), "core": (0, 0)}


def test_without_flags_the_sandbox_defaults_stay() -> None:
    plan = NetworkPlan(RuntimeApiBinding("127.0.0.1", "172.17.0.1"), None, {})
    options = container_options(environment_spec({}), "img", "h:1", plan, {})
    assert "ports" not in options and "dns" not in options
    assert [u["Name"] for u in options["ulimits"]] == ["nofile"]
    assert options["cap_drop"] == ["ALL"]


def test_config_reads_docker_flags() -> None:
    config = Config.from_env({"LAMBDAD_DOCKER_FLAGS": "-e A=1"})
    assert config.docker_flags == "-e A=1"


def test_serve_refuses_to_start_with_a_forbidden_flag(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("LAMBDAD_DOCKER_FLAGS", "--privileged")
    assert main(["serve", "--data-dir", str(tmp_path)]) == 2
    assert "LAMBDAD_DOCKER_FLAGS: --privileged is not allowed" in capsys.readouterr().err
    assert not (tmp_path / "state.db").exists()
