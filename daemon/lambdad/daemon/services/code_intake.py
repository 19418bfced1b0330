"""Code intake: the code CreateFunction and UpdateFunctionCode give (and the content of
PublishLayerVersion), validated and stored.

A zip given inline or fetched from S3 is inspected (`domain/archives.py`) and put into the blob
store; an image reference is pinned to its digest; the hot-reload bucket names a host
directory used in place. `FunctionRegistry` takes code through the `CodeIntake` protocol,
`LayerRegistry` through `LayerContentIntake`.
"""

from __future__ import annotations

import asyncio
import os
from typing import Protocol

from lambdad.daemon.domain.archives import (
    MAX_UNZIPPED_BYTES,
    MAX_ZIPPED_BYTES,
    ZipSummary,
    inspect_zip,
)
from lambdad.daemon.domain.functions import (
    DEFAULT_HOT_RELOAD_BUCKET,
    HOT_RELOAD_CODE_SHA256,
    CodeFetcher,
    CodeInput,
)
from lambdad.daemon.domain.layers import LayerContentInput
from lambdad.daemon.domain.model import CodeRef
from lambdad.daemon.domain.storage import BlobStore
from lambdad.daemon.errors import invalid_parameter


class ImageResolver(Protocol):
    """Pins an image reference to its digest: `(digest hex, "<repo>@sha256:<hex>")`.

    Returns None when the image is not available (the preparer then fails the version).
    """

    async def resolve_image(self, image_uri: str) -> tuple[str, str] | None: ...


class CodeIntake:
    """Takes function code in (the registry's `CodeIntake`)."""

    def __init__(
        self,
        blobs: BlobStore,
        code_fetcher: CodeFetcher,
        image_resolver: ImageResolver | None = None,
        hot_reload_bucket: str = DEFAULT_HOT_RELOAD_BUCKET,
    ) -> None:
        self._blobs = blobs
        self._code_fetcher = code_fetcher
        self._image_resolver = image_resolver
        self._hot_reload_bucket = hot_reload_bucket

    async def take(self, code: CodeInput, package_type: str) -> CodeRef:
        """Validate and store code; nothing is stored when it is rejected."""
        if package_type == "Image":
            if not code.image_uri:
                raise invalid_parameter(
                    "An image is required when the package type is set to 'image'"
                )
            if code.zip_file or code.s3_bucket or code.s3_key:
                raise invalid_parameter(
                    "Please don't provide ZipFile or S3 location when the package type is "
                    "set to 'image'"
                )
            resolved = None
            if self._image_resolver is not None:
                resolved = await self._image_resolver.resolve_image(code.image_uri)
            if resolved is None:
                return CodeRef(image_uri=code.image_uri)
            digest_hex, resolved_uri = resolved
            return CodeRef(
                image_uri=code.image_uri, resolved_image_uri=resolved_uri, code_sha256=digest_hex
            )
        if code.image_uri:
            raise invalid_parameter(
                "Please don't provide ImageUri when updating a function with packageType Zip."
            )
        if self._hot_reload_bucket and code.s3_bucket == self._hot_reload_bucket:
            return hot_reload_code(code.s3_key)
        if code.zip_file:
            data = code.zip_file
        elif code.s3_bucket and code.s3_key:
            data = await self._code_fetcher.fetch(
                code.s3_bucket, code.s3_key, code.s3_object_version or None
            )
        elif code.s3_bucket or code.s3_key:
            missing = "s3Key" if code.s3_bucket else "s3Bucket"
            raise invalid_parameter(
                f"Please provide a source for function code. {missing} is missing."
            )
        else:
            raise invalid_parameter("Please provide a source for function code.")
        # Code taken from S3 has no 50 MB zipped limit on AWS, only the unzipped one.
        max_zipped = MAX_ZIPPED_BYTES if code.zip_file else MAX_UNZIPPED_BYTES
        summary: ZipSummary = await asyncio.to_thread(inspect_zip, data, max_zipped=max_zipped)
        await asyncio.to_thread(self._blobs.put, summary.sha256_hex, data)
        return CodeRef(
            sha256_hex=summary.sha256_hex,
            code_sha256=summary.code_sha256,
            size=summary.size,
            unzipped_size=summary.unzipped_size,
        )


class LayerContentIntake:
    """Takes layer content in (the layer registry's `LayerContentIntake`)."""

    def __init__(
        self,
        blobs: BlobStore,
        code_fetcher: CodeFetcher,
        hot_reload_bucket: str = DEFAULT_HOT_RELOAD_BUCKET,
    ) -> None:
        self._blobs = blobs
        self._code_fetcher = code_fetcher
        self._hot_reload_bucket = hot_reload_bucket

    async def take(self, content: LayerContentInput) -> tuple[ZipSummary, str]:
        """The stored zip's summary and, for hot-reload content, the host directory."""
        if self._hot_reload_bucket and content.s3_bucket == self._hot_reload_bucket:
            # The same checks and placeholder CodeSha256 as a hot-reloaded function's code.
            hot = hot_reload_code(content.s3_key)
            summary = ZipSummary("", hot.code_sha256, size=0, unzipped_size=0, entries=0)
            return summary, hot.hot_reload_dir
        data = await self._content_bytes(content)
        # As for functions, content from S3 is only held to the unzipped limit (AWS).
        max_zipped = MAX_ZIPPED_BYTES if content.zip_file else MAX_UNZIPPED_BYTES
        summary = await asyncio.to_thread(inspect_zip, data, max_zipped=max_zipped)
        await asyncio.to_thread(self._blobs.put, summary.sha256_hex, data)
        return summary, ""

    async def keep(self, zip_bytes: bytes) -> ZipSummary:
        """Store a copy of another account's layer fetched from upstream."""
        summary: ZipSummary = await asyncio.to_thread(inspect_zip, zip_bytes)
        await asyncio.to_thread(self._blobs.put, summary.sha256_hex, zip_bytes)
        return summary

    async def _content_bytes(self, content: LayerContentInput) -> bytes:
        if content.zip_file:
            return content.zip_file
        if content.s3_bucket and content.s3_key:
            return await self._code_fetcher.fetch(
                content.s3_bucket, content.s3_key, content.s3_object_version or None
            )
        if content.s3_bucket or content.s3_key:
            missing = "s3Key" if content.s3_bucket else "s3Bucket"
            raise invalid_parameter(
                f"Please provide a source for layer content. {missing} is missing."
            )
        raise invalid_parameter("Please provide a source for layer content.")


def hot_reload_code(directory: str) -> CodeRef:
    """The CodeRef of a hot-reloaded function: the host directory `directory`, used in place."""
    if not directory or not os.path.isabs(directory):
        raise invalid_parameter(
            f"Hot reloading needs an absolute host directory as S3Key, got {directory!r}."
        )
    if not os.path.isdir(directory):
        raise invalid_parameter(f"Hot reloading directory {directory} does not exist.")
    return CodeRef(code_sha256=HOT_RELOAD_CODE_SHA256, hot_reload_dir=os.path.normpath(directory))
