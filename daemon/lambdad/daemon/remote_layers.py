"""Fetching layer versions of other accounts from an upstream Lambda endpoint.

The upstream is a configured endpoint (another lambdad, or anything speaking the Lambda
API) or, by default, real AWS Lambda in the ARN's region with credentials from boto3's
standard chain. The zip comes from the version's `Content.Location`.
"""

from __future__ import annotations

import asyncio
import urllib.request

import boto3
import botocore.exceptions
from botocore.config import Config as BotoConfig

from lambdad.daemon.domain.archives import MAX_ZIPPED_BYTES
from lambdad.daemon.domain.layers import RemoteLayer
from lambdad.daemon.errors import invalid_parameter

_TIMEOUT_S = 30


class UpstreamLayerSource:
    """GetLayerVersionByArn + download, against `endpoint_url` (None = AWS)."""

    def __init__(self, endpoint_url: str | None) -> None:
        self._endpoint_url = endpoint_url

    async def fetch(self, arn: str) -> RemoteLayer:
        """The layer version `arn` with its zip, or a clear InvalidParameterValue error."""
        return await asyncio.to_thread(self._fetch, arn)

    def _fetch(self, arn: str) -> RemoteLayer:
        region = arn.split(":")[3]
        where = self._endpoint_url or f"AWS Lambda in {region}"
        try:
            client = boto3.client(
                "lambda",
                endpoint_url=self._endpoint_url,
                region_name=region,
                config=BotoConfig(
                    retries={"max_attempts": 2},
                    connect_timeout=5,
                    read_timeout=_TIMEOUT_S,
                ),
            )
            answer = client.get_layer_version_by_arn(Arn=arn)
        except botocore.exceptions.ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            message = error.response.get("Error", {}).get("Message", "")
            raise invalid_parameter(
                f"Layer version {arn} does not exist or is not accessible from "
                f"{where}: {code} {message}".rstrip()
            ) from None
        except (botocore.exceptions.BotoCoreError, OSError) as error:
            raise invalid_parameter(
                f"Layer version {arn} could not be fetched from {where}: {error}"
            ) from None
        content = answer.get("Content", {})
        location = content.get("Location", "")
        try:
            with urllib.request.urlopen(location, timeout=_TIMEOUT_S) as response:
                data = response.read(MAX_ZIPPED_BYTES + 1)
        except (OSError, ValueError) as error:
            raise invalid_parameter(
                f"Layer version {arn} could not be downloaded from {where}: {error}"
            ) from None
        return RemoteLayer(
            arn=arn,
            zip_bytes=data,
            code_sha256=content.get("CodeSha256", ""),
            description=answer.get("Description", ""),
            license_info=answer.get("LicenseInfo", ""),
            compatible_runtimes=list(answer.get("CompatibleRuntimes", [])),
            compatible_architectures=list(answer.get("CompatibleArchitectures", [])),
            created_date=answer.get("CreatedDate", ""),
        )
