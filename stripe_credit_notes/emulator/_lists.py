"""Cursor pagination as Stripe does it: ``limit``, ``starting_after``, ``ending_before``.

Items come in the list's order (newest first for credit notes). ``starting_after`` returns the
items that follow the cursor; ``ending_before`` returns the ``limit`` items right before it, still
in list order. ``has_more`` says whether more items exist beyond the page in the direction of
travel. A cursor keeps its place even when a filter excludes the cursor's own object.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from ._errors import ApiError, invalid_request, resource_missing

__all__ = ["DEFAULT_LIMIT", "MAX_LIMIT", "check_limit", "paginate"]

T = TypeVar("T")

DEFAULT_LIMIT = 10
MAX_LIMIT = 100


def check_limit(params: Mapping[str, Any]) -> int:
    limit: int | None = params.get("limit")
    if limit is None:
        return DEFAULT_LIMIT
    if not 1 <= limit <= MAX_LIMIT:
        raise ApiError(
            400,
            f"Invalid limit: must be between 1 and {MAX_LIMIT}, got {limit}.",
            param="limit",
            saved=False,
        )
    return limit


def paginate(
    ordered: Sequence[T],
    params: Mapping[str, Any],
    *,
    ident: Callable[[T], str],
    kind: str,
    include: Callable[[T], bool] = lambda _item: True,
) -> tuple[list[T], bool]:
    """The page of ``ordered`` the request asks for, and ``has_more``."""
    limit = check_limit(params)
    after: str | None = params.get("starting_after")
    before: str | None = params.get("ending_before")
    if after is not None and before is not None:
        raise invalid_request(
            "You may only specify one of these parameters: ending_before, starting_after.",
            param="ending_before",
        )
    if after is None and before is None:
        matching = [item for item in ordered if include(item)]
        return matching[:limit], len(matching) > limit
    cursor = after if after is not None else before
    assert cursor is not None
    position = next((i for i, item in enumerate(ordered) if ident(item) == cursor), None)
    if position is None:
        raise resource_missing(
            kind, cursor, param="starting_after" if after is not None else "ending_before"
        )
    if after is not None:
        matching = [item for item in ordered[position + 1 :] if include(item)]
        return matching[:limit], len(matching) > limit
    matching = [item for item in ordered[:position] if include(item)]
    return matching[-limit:], len(matching) > limit
