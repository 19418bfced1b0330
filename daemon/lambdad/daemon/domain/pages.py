"""Paging of List operations: AWS's `Marker`/`MaxItems`, the API's `page_token`/`page_size`.

A page token is opaque to callers: the base64url of the sort key of the last item returned,
so a list that changes between pages neither repeats nor skips the items that stayed.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from lambdad.daemon.errors import invalid_parameter, validation_error

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 10_000


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list and the token of the next one ("" on the last page)."""

    items: list[T]
    next_token: str


def page_size(size: int, *, maximum: int = MAX_PAGE_SIZE, default: int = DEFAULT_PAGE_SIZE) -> int:
    """`size` checked against AWS's `maxItems` bounds; 0 (not given) means `default`."""
    if size < 0 or size > maximum:
        bound = "greater than or equal to 1" if size < 1 else f"less than or equal to {maximum}"
        raise validation_error(size, "maxItems", f"Member must have value {bound}")
    return size or default


def paginate(
    items: Sequence[T],
    key: Callable[[T], str],
    token: str,
    size: int,
    *,
    maximum: int = MAX_PAGE_SIZE,
) -> Page[T]:
    """Cut a list sorted by `key` after the item whose key is `token` (opaque: base64url)."""
    size = page_size(size, maximum=maximum)
    start = 0
    if token:
        try:
            after = base64.urlsafe_b64decode(token.encode()).decode()
        except (ValueError, UnicodeDecodeError):
            raise invalid_parameter("Invalid pagination token.") from None
        start = next((i for i, item in enumerate(items) if key(item) > after), len(items))
    chunk = list(items[start : start + size])
    if start + size >= len(items) or not chunk:
        return Page(chunk, "")
    return Page(chunk, base64.urlsafe_b64encode(key(chunk[-1]).encode()).decode())
