"""The retry decision table and the backoff arithmetic, without HTTP."""

from __future__ import annotations

import pytest

from stripe_credit_notes._retry import RetryPolicy, parse_retry_after, should_retry


@pytest.mark.parametrize(
    ("status", "headers", "code", "expected"),
    [
        (None, {}, None, True),  # connection error or timeout
        (409, {}, None, True),
        (500, {}, None, True),
        (503, {}, None, True),
        (429, {}, "lock_timeout", True),
        (429, {"stripe-should-retry": "true"}, None, True),
        (429, {}, "rate_limit", False),
        (429, {}, None, False),
        (503, {"stripe-should-retry": "false"}, None, False),
        (409, {"stripe-should-retry": "false"}, None, False),
        (200, {"stripe-should-retry": "true"}, None, True),
        (400, {"stripe-should-retry": "true"}, None, False),
        (401, {}, None, False),
        (402, {}, None, False),
        (403, {}, None, False),
        (404, {"stripe-should-retry": "true"}, None, False),
        (418, {}, None, False),
    ],
)
def test_should_retry(
    status: int | None, headers: dict[str, str], code: str | None, expected: bool
) -> None:
    assert should_retry(status, headers, code) is expected


def test_backoff_doubles_up_to_the_cap_with_jitter_between_half_and_full() -> None:
    policy = RetryPolicy(initial_backoff=0.5, max_backoff=8.0)
    for n, base in enumerate([0.5, 1.0, 2.0, 4.0, 8.0, 8.0], start=1):
        assert policy.delay(n, rand=lambda: 0.0) == base * 0.5
        assert policy.delay(n, rand=lambda: 1.0) == base


@pytest.mark.parametrize(("retry_after", "expected"), [(0.0, 0.0), (2.5, 2.5), (3600.0, 60.0)])
def test_retry_after_replaces_backoff_and_is_bounded(retry_after: float, expected: float) -> None:
    assert RetryPolicy().delay(1, retry_after, rand=lambda: 1.0) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("5", 5.0), ("0.5", 0.5), ("-1", None), ("Wed, 21 Oct 2015 07:28:00 GMT", None)],
)
def test_parse_retry_after(value: str, expected: float | None) -> None:
    assert parse_retry_after({"retry-after": value}) == expected
    assert parse_retry_after({}) is None


@pytest.mark.parametrize(
    "kwargs", [{"max_retries": -1}, {"initial_backoff": -0.1}, {"max_retry_after": -5}]
)
def test_policy_rejects_negative_numbers(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        RetryPolicy(**kwargs)  # type: ignore[arg-type]
