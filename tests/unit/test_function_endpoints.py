"""Endpoint injection without a daemon: the variables, and their place under a function's own."""

from __future__ import annotations

import pytest

from lambdad.daemon.config import Config
from lambdad.daemon.runtime.docker import NetworkPlan, container_options
from lambdad.daemon.runtime.environment import AwsEndpoints
from lambdad.daemon.runtime.executor import RuntimeApiBinding
from tests.helpers import environment_spec

GATEWAY = "http://172.18.0.3:4566"


@pytest.mark.parametrize(
    ("endpoints", "expected"),
    [
        (AwsEndpoints(4566), {"AWS_ENDPOINT_URL_LAMBDA": GATEWAY, "AWS_ENDPOINT_URL": GATEWAY}),
        (
            AwsEndpoints(4566, other_url="http://s3:5000"),
            {"AWS_ENDPOINT_URL_LAMBDA": GATEWAY, "AWS_ENDPOINT_URL": "http://s3:5000"},
        ),
        (AwsEndpoints(4566, enabled=False), {}),
    ],
    ids=["default", "other-endpoint", "off"],
)
def test_variables(endpoints: AwsEndpoints, expected: dict[str, str]) -> None:
    assert endpoints.variables("172.18.0.3") == expected


@pytest.mark.parametrize(
    ("gateway_host", "local"),
    [("0.0.0.0", "127.0.0.1"), ("127.0.0.1", "127.0.0.1"), ("10.1.2.3", "10.1.2.3")],
)
def test_processes_reach_the_gateway_where_it_listens(gateway_host: str, local: str) -> None:
    assert AwsEndpoints(4566, gateway_host=gateway_host).local_host == local


def test_containers_get_the_runtime_api_host_and_a_functions_own_value_wins() -> None:
    plan = NetworkPlan(RuntimeApiBinding("0.0.0.0", "172.18.0.3"), "stack_default", {})
    own = {"AWS_ENDPOINT_URL": "http://minio:9000"}

    options = container_options(
        environment_spec(own), "img", "172.18.0.3:9001", plan, {}, None, AwsEndpoints(4566)
    )

    assert options["environment"]["AWS_ENDPOINT_URL_LAMBDA"] == GATEWAY
    assert options["environment"]["AWS_ENDPOINT_URL"] == "http://minio:9000"


def test_config_reads_the_endpoint_settings() -> None:
    config = Config.from_env(
        {
            "LAMBDAD_DATA_DIR": "/d",
            "LAMBDAD_INJECT_AWS_ENDPOINTS": "false",
            "LAMBDAD_FUNCTION_AWS_ENDPOINT_URL": "http://s3:5000",
        }
    )
    assert config.inject_aws_endpoints is False
    assert config.function_aws_endpoint_url == "http://s3:5000"
    assert Config.from_env({"LAMBDAD_DATA_DIR": "/d"}).inject_aws_endpoints is True
