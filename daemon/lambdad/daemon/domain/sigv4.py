"""Checking AWS Signature Version 4 on incoming requests with botocore's own signer.

The request's signature is recomputed by `botocore.auth.SigV4Auth` (header auth) or
`SigV4QueryAuth` (presigned URLs) over exactly the headers the client says it signed, with
the client's timestamp, and compared in constant time. Nothing of the algorithm is
reimplemented here: only the parsing of what the client sent.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, quote

from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

ALGORITHM = "AWS4-HMAC-SHA256"
# AWS refuses header-signed requests whose X-Amz-Date is further than this from now.
MAX_CLOCK_SKEW = timedelta(minutes=15)
_AMZ_DATE_FORMAT = "%Y%m%dT%H%M%SZ"


class SignatureError(Exception):
    """The request is unsigned, signed for something else, or signed wrongly."""


def _parse_authorization(value: str) -> dict[str, str]:
    algorithm, _, rest = value.strip().partition(" ")
    if algorithm != ALGORITHM:
        raise SignatureError(f"unsupported algorithm {algorithm!r}")
    parts: dict[str, str] = {}
    for item in rest.split(","):
        key, _, val = item.strip().partition("=")
        parts[key] = val
    if not {"Credential", "SignedHeaders", "Signature"} <= parts.keys():
        raise SignatureError("incomplete Authorization header")
    return parts


def _parse_date(text: str) -> datetime:
    try:
        return datetime.strptime(text, _AMZ_DATE_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        raise SignatureError(f"bad X-Amz-Date {text!r}") from None


def verify_sigv4(
    *,
    method: str,
    raw_path: str,
    raw_query: str,
    headers: Sequence[tuple[str, str]],
    body: bytes,
    region: str,
    service: str,
    credentials: Mapping[str, str],
    now: datetime | None = None,
) -> str:
    """Return the access key id that validly signed the request, or raise SignatureError.

    `credentials` maps access key ids to secret keys. `raw_path` and `raw_query` are as sent
    on the wire (still percent-encoded), which is what the client signed.
    """
    now = now or datetime.now(UTC)
    by_name: dict[str, list[str]] = {}
    for name, value in headers:
        by_name.setdefault(name.lower(), []).append(value)
    query = parse_qsl(raw_query, keep_blank_values=True)
    query_names = {k for k, _ in query}
    presigned = "X-Amz-Signature" in query_names
    if presigned:
        params = dict(query)
        if params.get("X-Amz-Algorithm") != ALGORITHM:
            raise SignatureError("unsupported presign algorithm")
        credential = params.get("X-Amz-Credential", "")
        signed_headers = params.get("X-Amz-SignedHeaders", "")
        given_signature = params["X-Amz-Signature"]
        amz_date = params.get("X-Amz-Date", "")
        try:
            expires = int(params.get("X-Amz-Expires", "0"))
        except ValueError:
            raise SignatureError("bad X-Amz-Expires") from None
    else:
        authorization = by_name.get("authorization")
        if not authorization:
            raise SignatureError("no Authorization header")
        parts = _parse_authorization(authorization[0])
        credential = parts["Credential"]
        signed_headers = parts["SignedHeaders"]
        given_signature = parts["Signature"]
        amz_date = (by_name.get("x-amz-date") or [""])[0]
        expires = 0

    scope = credential.split("/")
    if len(scope) != 5 or scope[4] != "aws4_request":
        raise SignatureError("malformed credential scope")
    access_key, scope_date, scope_region, scope_service = scope[:4]
    if scope_region != region or scope_service != service:
        raise SignatureError(f"signed for {scope_region}/{scope_service}")
    secret = credentials.get(access_key)
    if secret is None:
        raise SignatureError(f"unknown access key {access_key!r}")
    signed_at = _parse_date(amz_date)
    if scope_date != amz_date[:8]:
        raise SignatureError("credential scope date differs from X-Amz-Date")
    if presigned:
        if not 1 <= expires <= 604800 or now > signed_at + timedelta(seconds=expires):
            raise SignatureError("presigned URL expired")
    elif abs(now - signed_at) > MAX_CLOCK_SKEW:
        raise SignatureError("X-Amz-Date too far from now")

    names = [n for n in signed_headers.split(";") if n]
    if "host" not in names:
        raise SignatureError("host is not signed")
    signed = {}
    for name in names:
        if name not in by_name:
            raise SignatureError(f"signed header {name} is missing")
        signed[name] = ",".join(v.strip() for v in by_name[name])
    content_sha = signed.get("x-amz-content-sha256")
    body_checked = bool(content_sha) and content_sha != "UNSIGNED-PAYLOAD" and not presigned
    if body_checked and not hmac.compare_digest(
        content_sha or "", hashlib.sha256(body).hexdigest()
    ):
        raise SignatureError("body does not match x-amz-content-sha256")

    unsigned_query = "&".join(
        f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}"
        for k, v in query
        if k != "X-Amz-Signature"
    )
    url = f"http://{signed['host']}{raw_path}" + (f"?{unsigned_query}" if unsigned_query else "")
    request = AWSRequest(method=method, url=url, headers=signed, data=body)
    request.context["timestamp"] = amz_date
    creds = Credentials(access_key, secret)
    signer: SigV4Auth = (
        SigV4QueryAuth(creds, service, region, expires=expires)
        if presigned
        else SigV4Auth(creds, service, region)
    )
    canonical = signer.canonical_request(request)
    expected = signer.signature(signer.string_to_sign(request, canonical), request)
    if not hmac.compare_digest(expected, given_signature):
        raise SignatureError("signature mismatch")
    return access_key
