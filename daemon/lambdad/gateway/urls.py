"""Which function URL an HTTP request is addressed to, from its Host header or path.

Everything else about a function URL request (authorisation, the event, the answer, CORS) is
the daemon's: the gateway hands the request over in one `InvokeFunctionUrl` call
(`url_serving.py`), and the rules live in `lambdad.daemon.domain.url_http`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# `<url-id>.lambda-url.<region>.<anything>[:port]`
_HOST_RE = re.compile(r"([a-z0-9]{32})\.lambda-url\.([a-z0-9-]+)\.[^:]+(:\d+)?", re.IGNORECASE)
PATH_PREFIX = "/lambda-url/"
_PATH_RE = re.compile(r"/lambda-url/([a-z0-9]{32})(/.*)?", re.DOTALL)


@dataclass(frozen=True)
class UrlAddress:
    """Which URL a request is for and the path the function sees."""

    url_id: str
    raw_path: str
    # True for `/lambda-url/<id>/...` (the path form), False for host routing.
    path_form: bool


def url_address(host: str, raw_path: str) -> UrlAddress | None:
    """The URL id from the Host header or the `/lambda-url/<id>/` path, else None."""
    match = _HOST_RE.fullmatch(host or "")
    if match:
        return UrlAddress(match.group(1).lower(), raw_path or "/", False)
    match = _PATH_RE.fullmatch(raw_path)
    if match:
        return UrlAddress(match.group(1), match.group(2) or "/", True)
    return None
