"""Checking a function's VpcConfig against an EC2-compatible endpoint (strict mode).

AWS refuses a VpcConfig naming subnets or security groups that do not exist, with EC2's
own error in its message. lambdad has no VPCs; in strict mode, when an EC2 endpoint is
configured (`AWS_ENDPOINT_URL_EC2` or `AWS_ENDPOINT_URL`, e.g. moto or LocalStack), it asks
that endpoint as AWS asks EC2. Without one nothing is checked (real AWS is never called).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping, Sequence

import botocore.exceptions
import structlog

from lambdad.daemon.errors import invalid_parameter
from lambdad.daemon.local_aws import endpoint_client

log = structlog.get_logger(__name__)


def ec2_endpoint(env: Mapping[str, str] | None = None) -> str | None:
    """The EC2 endpoint configured for the daemon, or None."""
    env = os.environ if env is None else env
    return env.get("AWS_ENDPOINT_URL_EC2") or env.get("AWS_ENDPOINT_URL") or None


_OPERATION_NAMES = {
    "describe_subnets": "DescribeSubnets",
    "describe_security_groups": "DescribeSecurityGroups",
}


class Ec2VpcCheck:
    """DescribeSubnets / DescribeSecurityGroups of a VpcConfig, with AWS's error message."""

    def __init__(self, endpoint_url: str, region: str) -> None:
        self._endpoint_url = endpoint_url
        self._region = region
        self._client = None

    def _ec2(self):  # type: ignore[no-untyped-def]
        if self._client is None:
            self._client = endpoint_client("ec2", self._endpoint_url, self._region)
        return self._client

    def _describe(self, operation: str, **args: Sequence[str]) -> None:
        try:
            getattr(self._ec2(), operation)(**args)
        except botocore.exceptions.ClientError as error:
            details = error.response.get("Error", {})
            code = details.get("Code", "Unknown")
            message = details.get("Message", code)
            name = (
                "DescribeSubnets" if operation == "describe_subnets" else "DescribeSecurityGroups"
            )
            raise invalid_parameter(
                f"Error occurred while {name}. EC2 Error Code: {code}. EC2 Error Message: {message}"
            ) from None
        except botocore.exceptions.BotoCoreError as error:
            log.info("vpc config not checked: ec2 endpoint unreachable", error=str(error))

    def _check(self, subnet_ids: Sequence[str], security_group_ids: Sequence[str]) -> None:
        if subnet_ids:
            self._describe("describe_subnets", SubnetIds=list(subnet_ids))
        if security_group_ids:
            self._describe("describe_security_groups", GroupIds=list(security_group_ids))

    async def check(self, subnet_ids: Sequence[str], security_group_ids: Sequence[str]) -> None:
        """Raise AWS's InvalidParameterValueException when EC2 does not know one of them."""
        await asyncio.to_thread(self._check, subnet_ids, security_group_ids)
