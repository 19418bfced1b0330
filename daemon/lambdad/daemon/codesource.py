"""Reading deployment packages from an S3-compatible endpoint (Code.S3Bucket/S3Key)."""

from __future__ import annotations

import asyncio

import boto3
import botocore.exceptions
from botocore.config import Config as BotoConfig

from lambdad.daemon.domain.archives import MAX_UNZIPPED_BYTES
from lambdad.daemon.errors import invalid_parameter


class S3CodeSource:
    """Fetches zips with boto3; endpoint from config or botocore's standard lookup."""

    def __init__(self, endpoint_url: str | None, region: str) -> None:
        self._endpoint_url = endpoint_url
        self._region = region
        self._client = None

    def _s3(self):  # type: ignore[no-untyped-def]
        if self._client is None:
            self._client = boto3.client(
                "s3",
                endpoint_url=self._endpoint_url,
                region_name=self._region,
                config=BotoConfig(retries={"max_attempts": 2}, s3={"addressing_style": "path"}),
            )
        return self._client

    def _fetch(self, bucket: str, key: str, version: str | None) -> bytes:
        args = {"Bucket": bucket, "Key": key}
        if version:
            args["VersionId"] = version
        try:
            response = self._s3().get_object(**args)
            # S3 code has no zipped limit on AWS, only the unzipped one; an archive larger
            # than that cannot unzip to less, so it is refused before it is downloaded.
            if response.get("ContentLength", 0) > MAX_UNZIPPED_BYTES:
                raise invalid_parameter(
                    f"Unzipped size must be smaller than {MAX_UNZIPPED_BYTES} bytes"
                )
            return response["Body"].read()
        except botocore.exceptions.ClientError as error:
            details = error.response.get("Error", {})
            code = details.get("Code", "Unknown")
            message = details.get("Message") or _DEFAULT_MESSAGES.get(code, code)
            raise invalid_parameter(
                f"Error occurred while GetObject. S3 Error Code: {code}. "
                f"S3 Error Message: {message}"
            ) from None
        except (botocore.exceptions.BotoCoreError, ValueError) as error:
            raise invalid_parameter(
                f"Error occurred while GetObject. S3 Error Code: ServiceUnavailable. "
                f"S3 Error Message: {error}"
            ) from None

    async def fetch(self, bucket: str, key: str, version: str | None = None) -> bytes:
        """The object's bytes, or AWS's `Error occurred while GetObject...` error."""
        return await asyncio.to_thread(self._fetch, bucket, key, version)


_DEFAULT_MESSAGES = {
    "NoSuchKey": "The specified key does not exist.",
    "NoSuchBucket": "The specified bucket does not exist",
    "AccessDenied": "Access Denied",
}
