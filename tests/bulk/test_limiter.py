"""The rate limiter, on a fake clock: the recorded grant times are checked window by window."""

from __future__ import annotations

import bisect
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stripe_credit_notes.bulk import RateLimiter, RateLimits


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def simulate(
    limiter: RateLimiter,
    clock: FakeClock,
    *,
    callers: int,
    until: float,
    endpoints: tuple[str, ...] = ("POST /v1/credit_notes",),
    seed: int = 0,
    on_grant: object = None,
) -> list[tuple[float, str]]:
    """Callers that ask for a token, wait as told, and 'send' for a random while."""
    rng = random.Random(seed)
    due = [(0.0, i) for i in range(callers)]
    grants: list[tuple[float, str]] = []
    while due:
        due.sort()
        at, caller = due.pop(0)
        if at >= until:
            continue
        clock.now = at
        endpoint = endpoints[caller % len(endpoints)]
        wait = limiter.reserve(endpoint)
        if wait > 0:
            due.append((at + wait, caller))
            continue
        grants.append((at, endpoint))
        if callable(on_grant):
            on_grant(at, limiter)
        due.append((at + rng.uniform(0.001, 0.3), caller))
    return grants


def max_in_any_window(times: list[float], width: float = 1.0) -> int:
    times = sorted(times)
    return max((bisect.bisect_left(times, t + width) - i for i, t in enumerate(times)), default=0)


@settings(max_examples=40, deadline=None)
@given(
    # Stripe's limits are whole requests per second; a fractional rate r allows ceil(r).
    rate=st.integers(1, 120),
    endpoint_rate=st.integers(1, 120),
    callers=st.integers(1, 32),
    seed=st.integers(0, 1000),
)
def test_no_one_second_window_ever_exceeds_the_configured_rates(
    rate: int, endpoint_rate: int, callers: int, seed: int
) -> None:
    clock = FakeClock()
    limiter = RateLimiter(RateLimits(rate, endpoint_rate), clock=clock)
    grants = simulate(
        limiter, clock, callers=callers, until=6.0, endpoints=("a", "b", "c"), seed=seed
    )
    assert max_in_any_window([t for t, _ in grants]) <= rate
    for endpoint in ("a", "b", "c"):
        assert max_in_any_window([t for t, e in grants if e == endpoint]) <= endpoint_rate


def test_with_enough_callers_it_runs_at_the_configured_rate() -> None:
    clock = FakeClock()
    limiter = RateLimiter(RateLimits(20, 20), clock=clock)
    grants = simulate(limiter, clock, callers=16, until=10.0)
    assert 190 <= len(grants) <= 200


def test_a_429_halves_the_rate_for_everyone_and_successes_bring_it_back() -> None:
    clock = FakeClock()
    limiter = RateLimiter(RateLimits(40, 40), clock=clock, increase=0.1)
    throttled_at = 3.0

    def on_grant(at: float, lim: RateLimiter) -> None:
        if throttled_at <= at < throttled_at + 0.05:
            for _ in range(10):  # one burst of 429s counts once
                lim.throttle()
        elif at > throttled_at + 0.05:
            lim.succeed()

    grants = [t for t, _ in simulate(limiter, clock, callers=16, until=20.0, on_grant=on_grant)]
    before = [t for t in grants if 1 <= t < 2]
    after = [t for t in grants if throttled_at + 0.1 <= t < throttled_at + 1.1]
    assert len(before) == 40
    # Halved once (20/s, creeping up by 10 % of 40/s per second), not ten times (2/s).
    assert 15 <= len(after) <= 26
    assert limiter.throttled == 10
    late = [t for t in grants if 18 <= t < 19]
    assert len(late) == 40 and limiter.factor == 1.0


def test_repeated_429s_drive_it_down_to_the_floor_never_to_zero() -> None:
    clock = FakeClock()
    limiter = RateLimiter(RateLimits(20, 20), clock=clock, floor=0.1, cooldown=1.0)
    for step in range(20):
        clock.now = step * 1.5
        limiter.throttle()
    assert limiter.factor == pytest.approx(0.1)
    assert limiter.current_rate == pytest.approx(2.0)


def test_defaults_follow_the_key_mode_and_stay_below_stripes_limits() -> None:
    assert RateLimits.for_api_key("sk_test_x") == RateLimits(20, 20)
    assert RateLimits.for_api_key("rk_test_x") == RateLimits(20, 20)
    assert RateLimits.for_api_key("sk_live_x") == RateLimits(80, 20)
    assert RateLimits.for_api_key("sk_live_x", rate=50) == RateLimits(50, 20)
    assert RateLimits.for_api_key("sk_test_x", rate=5) == RateLimits(5, 5)
    assert RateLimits.for_api_key("sk_test_x", rate=90, endpoint_rate=90) == RateLimits(90, 90)
    with pytest.raises(ValueError, match="rate"):
        RateLimits(0, 1)
