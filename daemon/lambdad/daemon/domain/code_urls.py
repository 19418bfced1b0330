"""Signed, time-limited code locations (GetFunction's Code.Location, layer Content.Location).

A location is a path the gateway serves; the HMAC ties it to one blob and one
expiry time so it can be handed out like AWS's presigned S3 URLs.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from urllib.parse import parse_qs, urlsplit

from lambdad.daemon.errors import LambdaError, Reason

PREFIX = "/_lambdad/code/"
VALIDITY_SECONDS = 600
_PATH_RE = re.compile(r"/_lambdad/code/([0-9a-f]{64})\.zip")


class CodeUrlSigner:
    """Signs and verifies code locations with a key kept in the data dir (store/keys.py)."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def _signature(self, sha256_hex: str, expires: int) -> str:
        message = f"{sha256_hex}:{expires}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def location(self, sha256_hex: str, now: float | None = None) -> str:
        """A path valid for ten minutes."""
        expires = int((now if now is not None else time.time()) + VALIDITY_SECONDS)
        signature = self._signature(sha256_hex, expires)
        return f"{PREFIX}{sha256_hex}.zip?expires={expires}&signature={signature}"

    def verify(self, location: str, now: float | None = None) -> str:
        """The blob digest a location names, if its signature holds and it has not expired."""
        parts = urlsplit(location)
        match = _PATH_RE.fullmatch(parts.path)
        query = parse_qs(parts.query)
        denied = LambdaError(Reason.ACCESS_DENIED, "Request has expired or is not signed.")
        if match is None or "expires" not in query or "signature" not in query:
            raise denied
        sha256_hex = match.group(1)
        try:
            expires = int(query["expires"][0])
        except ValueError:
            raise denied from None
        expected = self._signature(sha256_hex, expires)
        if not hmac.compare_digest(expected, query["signature"][0]):
            raise denied
        if expires < (now if now is not None else time.time()):
            raise denied
        return sha256_hex
