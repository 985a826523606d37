"""When to retry a request, and how long to wait first.

The decision is pure (an outcome in, a verdict out) so that both clients share it and tests can
table-drive it; the clients run the loop (`_client.py`). Safety comes from the idempotency key, not from here:
every POST carries one, fixed before the first attempt and reused by every retry, so a retried
create can never make a second credit note.

Rules, in order:

1. ``Stripe-Should-Retry: false`` never retries; 400, 401, 402, 403 and 404 never retry.
2. ``Stripe-Should-Retry: true`` retries.
3. A connection error or timeout (no response) retries.
4. 409 (conflict) and every 5xx retry.
5. 429 retries only when Stripe says so: the header above, or error code ``lock_timeout``.

Backoff: ``initial_backoff * 2 ** (retry - 1)`` seconds, capped at ``max_backoff``, times a
random factor in [0.5, 1.0] (jitter, so clients that failed together do not retry together).
A ``Retry-After`` header from Stripe replaces the computed delay, bounded by
``max_retry_after``.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping

import attrs

from . import errors
from ._constants import (
    DEFAULT_INITIAL_BACKOFF,
    DEFAULT_MAX_BACKOFF,
    DEFAULT_MAX_RETRIES,
    DEFAULT_MAX_RETRY_AFTER,
)

__all__ = ["RetryPolicy", "is_retryable", "should_retry"]

NEVER_RETRY_STATUSES = frozenset({400, 401, 402, 403, 404})


@attrs.frozen
class RetryPolicy:
    """How a client retries. The defaults match what Stripe recommends for its API."""

    max_retries: int = DEFAULT_MAX_RETRIES
    """Retries after the first attempt (so at most ``max_retries + 1`` attempts)."""
    initial_backoff: float = DEFAULT_INITIAL_BACKOFF
    """Seconds before the first retry (before jitter)."""
    max_backoff: float = DEFAULT_MAX_BACKOFF
    """Cap on the computed delay, in seconds."""
    max_retry_after: float = DEFAULT_MAX_RETRY_AFTER
    """The longest ``Retry-After`` (seconds) the client honours; longer ones are capped."""

    def __attrs_post_init__(self) -> None:
        if self.max_retries < 0:
            raise ValueError(f"max_retries must be >= 0, got {self.max_retries}")
        if self.initial_backoff < 0 or self.max_backoff < 0 or self.max_retry_after < 0:
            raise ValueError("backoff bounds must be >= 0 seconds")

    def delay(
        self,
        retry_number: int,
        retry_after: float | None = None,
        *,
        rand: Callable[[], float] = random.random,
    ) -> float:
        """Seconds to wait before retry number ``retry_number`` (1 for the first retry)."""
        if retry_after is not None and retry_after >= 0:
            return min(retry_after, self.max_retry_after)
        base = min(self.max_backoff, self.initial_backoff * 2.0 ** (retry_number - 1))
        return base * (0.5 + 0.5 * rand())


def should_retry(
    status: int | None,
    headers: Mapping[str, str] | None = None,
    error_code: str | None = None,
) -> bool:
    """Whether an attempt that ended this way may be retried.

    ``status`` is ``None`` for a connection error or timeout (no response arrived).
    ``headers`` are the response headers (case-insensitive mapping), ``error_code`` the
    ``error.code`` of Stripe's error body, if any.
    """
    if status is None:
        return True
    hint = (headers or {}).get("stripe-should-retry")
    if hint == "false" or status in NEVER_RETRY_STATUSES:
        return False
    if hint == "true":
        return True
    if status == 429:
        return error_code == "lock_timeout"
    return status == 409 or status >= 500


def is_retryable(error: BaseException) -> bool:
    """Whether an attempt that raised ``error`` may be retried (the rules above).

    A 2xx whose body is truncated or not JSON is retried (a POST with its same key, so Stripe
    replays the stored response): the request succeeded, only its answer got lost. A body over
    the size cap is not: it would come back just as large. Nor is a call whose deadline passed.
    """
    if not isinstance(error, errors.StripeError) or isinstance(error, errors.ValidationError):
        return False
    if isinstance(error, errors.APITimeoutError):
        return error.bound == "timeout"
    if isinstance(error, errors.APIConnectionError):
        return True
    if error.http_status is None:
        return False
    if 200 <= error.http_status < 300:
        return isinstance(error, errors.MalformedResponseError) and not isinstance(
            error, errors.ResponseTooLargeError
        )
    return should_retry(error.http_status, error.headers, error.code)


def parse_retry_after(headers: Mapping[str, str]) -> float | None:
    """The ``Retry-After`` header in seconds, or ``None`` when absent or not a number."""
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None  # an HTTP date: Stripe sends seconds, so fall back to our own backoff
    return seconds if seconds >= 0 else None
