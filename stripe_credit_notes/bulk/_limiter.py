"""The rate limiter every request of a run passes through: token buckets with AIMD.

Stripe limits requests per second per account (live 100, sandbox 25) and, unless an endpoint
says otherwise, per endpoint (25; every named operation, such as ``POST /v1/credit_notes``, is
an endpoint). The limiter keeps one bucket for the account and one per endpoint; a request
waits until both have a token. By default both run at 80 % of the documented limit.

Buckets hold one token (no bursts): consecutive grants are at least ``1 / rate`` apart, so over
any one-second window (``[t, t + 1)``) at most ``rate`` requests start. A larger ``burst``
would let ``rate + burst - 1`` through a window, which is exactly what Stripe's limiter punishes.

On a 429 (a rate limit, not a lock timeout) the rate of every bucket is halved for every caller
at once (multiplicative decrease, at most once per ``cooldown`` seconds so that one burst of
429s counts once), and the next grant waits a full new interval. Each success adds back a
little (additive increase: about ``increase`` of the configured rate per second of successes),
never above the configured rate.

The limiter is pure bookkeeping on an injectable clock: :meth:`RateLimiter.reserve` says how
long to wait (0: granted now); the sync and async runners do the waiting.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import attrs

__all__ = [
    "ENDPOINT_LIMIT",
    "HEADROOM",
    "LIVE_LIMIT",
    "SANDBOX_LIMIT",
    "RateLimiter",
    "RateLimits",
]

#: Stripe's documented global limits (requests per second per account) and default endpoint limit.
LIVE_LIMIT = 100.0
SANDBOX_LIMIT = 25.0
ENDPOINT_LIMIT = 25.0
#: The share of a documented limit the runner uses by default.
HEADROOM = 0.8


@attrs.frozen
class RateLimits:
    """Requests per second for the account and for each endpoint."""

    rate: float
    endpoint_rate: float

    def __attrs_post_init__(self) -> None:
        for name in ("rate", "endpoint_rate"):
            value = getattr(self, name)
            if not value > 0 or value != value or value == float("inf"):
                raise ValueError(f"{name} must be a positive number of requests/s, got {value}")

    @classmethod
    def for_api_key(
        cls, api_key: str, *, rate: float | None = None, endpoint_rate: float | None = None
    ) -> RateLimits:
        """The defaults for the key's mode (live: 80/s, sandbox: 20/s; endpoints: 20/s).

        ``rate`` overrides the account rate; ``endpoint_rate`` defaults to the smaller of the
        documented endpoint limit (with headroom) and ``rate``. Only the key's prefix is read.
        """
        live = api_key.startswith(("sk_live_", "rk_live_"))
        account = rate if rate is not None else (LIVE_LIMIT if live else SANDBOX_LIMIT) * HEADROOM
        endpoint = endpoint_rate
        if endpoint is None:
            endpoint = min(ENDPOINT_LIMIT * HEADROOM, account)
        return cls(rate=account, endpoint_rate=endpoint)


def _interval(rate: float) -> float:
    # A hair over 1/rate: float sums such as 3 * (1/3) can land just below 1.0, which would let
    # rate + 1 grants into one window.
    return (1.0 / rate) * (1 + 1e-9) + 1e-9


class _Bucket:
    __slots__ = ("next_at", "rate")

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.next_at = float("-inf")


class RateLimiter:
    """Token buckets (account and per endpoint) with AIMD; thread-safe, clock injectable."""

    def __init__(
        self,
        limits: RateLimits,
        *,
        clock: Callable[[], float] = time.monotonic,
        floor: float = 0.05,
        increase: float = 0.05,
        cooldown: float = 1.0,
    ) -> None:
        if not 0 < floor <= 1:
            raise ValueError(f"floor must be in (0, 1], got {floor}")
        self.limits = limits
        self._clock = clock
        self._floor = floor
        self._increase = increase
        self._cooldown = cooldown
        self._factor = 1.0
        self._last_decrease = float("-inf")
        self._lock = threading.Lock()
        self._account = _Bucket(limits.rate)
        self._endpoints: dict[str, _Bucket] = {}
        self.throttled = 0
        """How many 429s have slowed the limiter down."""

    @property
    def factor(self) -> float:
        """The share of the configured rates in force now (1.0 until a 429)."""
        return self._factor

    @property
    def current_rate(self) -> float:
        """The account rate in force now, in requests per second."""
        return self.limits.rate * self._factor

    def reserve(self, endpoint: str) -> float:
        """Take a token for one request to ``endpoint`` if both buckets have one (returns 0.0);
        otherwise take nothing and return the seconds to wait before asking again."""
        with self._lock:
            now = self._clock()
            bucket = self._endpoints.get(endpoint)
            if bucket is None:
                bucket = self._endpoints[endpoint] = _Bucket(self.limits.endpoint_rate)
            ready = max(self._account.next_at, bucket.next_at)
            if now < ready:
                return ready - now
            for each in (self._account, bucket):
                each.next_at = now + _interval(each.rate * self._factor)
            return 0.0

    def throttle(self) -> None:
        """A request got a 429 rate limit: halve the rates for everyone and pause."""
        with self._lock:
            now = self._clock()
            self.throttled += 1
            if now - self._last_decrease < self._cooldown:
                return
            self._last_decrease = now
            self._factor = max(self._floor, self._factor / 2)
            for each in (self._account, *self._endpoints.values()):
                each.next_at = max(each.next_at, now + _interval(each.rate * self._factor))

    def succeed(self) -> None:
        """A request went through: creep back towards the configured rates."""
        with self._lock:
            if self._factor < 1.0:
                per_second = max(1.0, self.limits.rate * self._factor)
                self._factor = min(1.0, self._factor + self._increase / per_second)
