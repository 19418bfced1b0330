"""The execution role's credentials for an environment, from STS AssumeRole when one answers.

AWS gives every environment temporary credentials of the function's role. lambdad does the
same when an STS endpoint is configured (`LAMBDAD_STS_ENDPOINT_URL`, else
`AWS_ENDPOINT_URL_STS` / `AWS_ENDPOINT_URL` of the daemon): AssumeRole with the function's
name as session name. Without one, or when it refuses (a role that is no ARN, no such
role), environments keep lambdad's static placeholder credentials. Real AWS STS is never
called unless an endpoint names it.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass

import botocore.exceptions
import structlog

from lambdad.daemon.local_aws import endpoint_client

log = structlog.get_logger(__name__)

# Credentials are renewed this long before they expire.
_RENEW_MARGIN_S = 300.0


@dataclass(frozen=True)
class _Held:
    variables: Mapping[str, str]
    expires_at: float


def sts_endpoint(configured: str | None, env: Mapping[str, str] | None = None) -> str | None:
    """The STS endpoint to assume roles at, or None (static credentials)."""
    env = os.environ if env is None else env
    return configured or env.get("AWS_ENDPOINT_URL_STS") or env.get("AWS_ENDPOINT_URL") or None


class RoleCredentials:
    """AssumeRole results per (role, function), reused until shortly before they expire."""

    def __init__(self, endpoint_url: str, region: str) -> None:
        self._endpoint_url = endpoint_url
        self._region = region
        self._held: dict[tuple[str, str], _Held] = {}
        self._client = None

    def _sts(self):  # type: ignore[no-untyped-def]
        if self._client is None:
            self._client = endpoint_client("sts", self._endpoint_url, self._region)
        return self._client

    def _assume(self, role: str, session_name: str) -> _Held | None:
        try:
            answer = self._sts().assume_role(RoleArn=role, RoleSessionName=session_name[:64])
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as error:
            log.info("execution role not assumed; static credentials", role=role, error=str(error))
            return None
        credentials = answer["Credentials"]
        expiration = credentials.get("Expiration")
        expires_at = expiration.timestamp() if expiration else time.time() + 3600
        return _Held(
            {
                "AWS_ACCESS_KEY_ID": credentials["AccessKeyId"],
                "AWS_SECRET_ACCESS_KEY": credentials["SecretAccessKey"],
                "AWS_SESSION_TOKEN": credentials["SessionToken"],
            },
            expires_at,
        )

    async def for_role(self, role: str, function_name: str) -> Mapping[str, str] | None:
        """The credential variables of `role` for a new environment, or None."""
        key = (role, function_name)
        held = self._held.get(key)
        if held is None or held.expires_at - _RENEW_MARGIN_S < time.time():
            held = await asyncio.to_thread(self._assume, role, function_name)
            if held is None:
                self._held.pop(key, None)
                return None
            self._held[key] = held
        return held.variables
