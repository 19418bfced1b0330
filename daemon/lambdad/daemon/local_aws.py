"""boto3 clients of the AWS-compatible endpoints the daemon itself calls (STS, EC2)."""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config as BotoConfig


def endpoint_client(service: str, endpoint_url: str, region: str) -> Any:
    """A client of `service` at `endpoint_url`: one attempt, short timeouts, and placeholder
    keys when the daemon has no credentials (a local endpoint accepts any signature)."""
    session = boto3.session.Session()
    keys = {}
    if session.get_credentials() is None:
        keys = {"aws_access_key_id": "lambdad", "aws_secret_access_key": "lambdad"}
    return session.client(
        service,
        endpoint_url=endpoint_url,
        region_name=region,
        config=BotoConfig(retries={"max_attempts": 1}, connect_timeout=2, read_timeout=5),
        **keys,
    )
