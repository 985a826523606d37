"""Bad options and header values get the package's own clear error, before anything is sent.

Before, per-call options were not checked (``idempotency_key=5`` raised AttributeError deep in
``prepare``, ``timeout=nan`` reached httpx), a non-ASCII API key passed the constructor and the
first request raised a ``UnicodeEncodeError`` whose args held ``'Bearer <key>'``, and a
100,000-character id raised ``httpx.InvalidURL``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import respx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stripe_credit_notes import Client, RetryPolicy, errors

from .test_client import BASE, KEY, note_json, ok

NAN = math.nan


@pytest.fixture
def mock() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=BASE, assert_all_called=False) as router:
        router.route().mock(return_value=ok(note_json()))
        yield router


@pytest.fixture
def client() -> Iterator[Client]:
    with Client(KEY, retry_policy=RetryPolicy(max_retries=0)) as c:
        yield c


BAD_CALL_OPTIONS = [
    ("idempotency_key", 5, TypeError),
    ("idempotency_key", b"key", TypeError),
    ("idempotency_key", "", ValueError),
    ("idempotency_key", "a\nb", ValueError),
    ("idempotency_key", "a\r\nX-Injected: 1", ValueError),
    ("idempotency_key", "clé", ValueError),
    ("idempotency_key", "k" * 256, ValueError),
    ("max_retries", "x", TypeError),
    ("max_retries", 1.5, TypeError),
    ("max_retries", True, TypeError),
    ("max_retries", -1, ValueError),
    ("timeout", NAN, ValueError),
    ("timeout", -1, ValueError),
    ("timeout", 0, ValueError),
    ("timeout", math.inf, ValueError),
    ("timeout", "5", TypeError),
    ("timeout", True, TypeError),
    ("timeout", httpx.Timeout(None), ValueError),
    ("timeout", httpx.Timeout(5, read=NAN), ValueError),
    ("deadline", NAN, ValueError),
    ("deadline", -1, ValueError),
    ("deadline", 0, ValueError),
    ("deadline", math.inf, ValueError),
    ("deadline", "5", TypeError),
    ("stripe_account", 5, TypeError),
    ("stripe_account", "acct_1\n", ValueError),
    ("stripe_account", "acct_é", ValueError),
    ("stripe_account", "acct 1", ValueError),
    ("api_version", 5, TypeError),
    ("api_version", "yesterday", ValueError),
    ("validate", "yes", TypeError),
    ("invoice_snapshot", {"amount_remaining": 0}, TypeError),
]


@pytest.mark.parametrize(
    ("option", "value", "exc"), BAD_CALL_OPTIONS, ids=[f"{o}={v!r}" for o, v, _ in BAD_CALL_OPTIONS]
)
def test_each_per_call_option_is_checked_with_a_message_naming_it(
    client: Client, mock: respx.MockRouter, option: str, value: Any, exc: type[Exception]
) -> None:
    with pytest.raises(exc) as info:
        client.credit_notes.create(invoice="in_1", amount=1, **{option: value})
    assert type(info.value) is exc  # ours, not a subclass raised by a lower layer
    assert str(info.value).startswith(option) or f" {option}" in str(info.value)
    assert mock.calls.call_count == 0


def test_good_options_still_go_through(client: Client, mock: respx.MockRouter) -> None:
    client.credit_notes.create(
        invoice="in_1",
        amount=1,
        idempotency_key="order 42 / retry-1",  # spaces and punctuation are fine
        max_retries=0,
        timeout=httpx.Timeout(10, connect=2),
        deadline=30,
        stripe_account="acct_1",
        api_version="2024-06-20",
        validate=False,
    )
    sent = mock.calls.last.request.headers
    assert sent["idempotency-key"] == "order 42 / retry-1"
    assert sent["stripe-account"] == "acct_1"


BAD_CONSTRUCTOR = [
    ({"api_key": 12345}, TypeError, "api_key must be a str"),
    ({"api_key": b"sk_test_x"}, TypeError, "api_key must be a str"),
    ({"timeout": NAN}, ValueError, "timeout must be"),
    ({"timeout": 0}, ValueError, "timeout must be"),
    ({"timeout": "80"}, TypeError, "timeout must be"),
    ({"deadline": -5}, ValueError, "deadline must be"),
    ({"max_retries": "x"}, TypeError, "max_retries must be"),
    ({"max_retries": -1}, ValueError, "max_retries must be"),
    ({"stripe_account": "acct\r\n1"}, ValueError, "stripe_account must be"),
    ({"stripe_account": 7}, TypeError, "stripe_account must be"),
    ({"validate": "no"}, TypeError, "validate must be"),
    ({"fetch_invoice": 1}, TypeError, "fetch_invoice must be"),
    ({"base_url": 443}, TypeError, "base_url must be"),
    ({"retry_policy": {"max_retries": 2}}, TypeError, "retry_policy must be"),
    ({"api_version": 2024}, TypeError, "api_version"),
]


@pytest.mark.parametrize(("kwargs", "exc", "message"), BAD_CONSTRUCTOR)
def test_constructor_options_are_checked(kwargs: dict[str, Any], exc: type, message: str) -> None:
    kwargs = {"api_key": KEY, **kwargs}
    with pytest.raises(exc, match=message):
        Client(**kwargs)


@pytest.mark.parametrize(
    "key",
    [
        "sk_test_51Sécret0000",  # non-ASCII: httpx's UnicodeEncodeError quoted 'Bearer <key>'
        "sk_test_51Secret0000\n",
        "sk_test_51Secret0000\r\nX-Evil: 1",
        " sk_test_51Secret0000",
        "sk_test_51Secret\t0000",
        "sk_test_51Secret\u200b0000",
    ],
)
def test_a_bad_api_key_is_refused_at_construction_without_quoting_it(key: str) -> None:
    with pytest.raises(ValueError) as info:
        Client(key)
    shown = str(info.value) + repr(info.value) + repr(info.value.args)
    assert "api_key" in shown
    assert "51S" not in shown and "0000" not in shown


@pytest.mark.parametrize(
    ("call", "named"),
    [
        (lambda c: c.credit_notes.retrieve("c" * 100_000), "id"),
        (lambda c: c.credit_notes.list(expand=["x" * 100_000]), "expand[0]"),
        (lambda c: c.credit_notes.list_lines("cn_1", expand=["y" * 9_000]), "expand[0]"),
        (lambda c: c.credit_notes.void("c" * 100_000), "id"),
    ],
)
def test_an_overlong_url_is_our_error_naming_the_parameter(
    client: Client, mock: respx.MockRouter, call: Any, named: str
) -> None:
    with pytest.raises(ValueError) as info:
        call(client)
    assert type(info.value) is ValueError  # not httpx.InvalidURL
    assert str(info.value).startswith(named + ":")
    assert mock.calls.call_count == 0


# -- the whole space of option values ------------------------------------------------------------

JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=300),
    st.binary(max_size=20),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.builds(httpx.Timeout, st.one_of(st.none(), st.floats(allow_nan=True))),
)
OPTIONS = (
    "idempotency_key",
    "stripe_account",
    "api_version",
    "timeout",
    "deadline",
    "max_retries",
    "validate",
    "invoice_snapshot",
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(OPTIONS), JUNK, min_size=1, max_size=3))
def test_any_option_value_is_accepted_or_refused_by_name(options: dict[str, Any]) -> None:
    with respx.mock(base_url=BASE, assert_all_called=False) as router:
        route = router.route().mock(return_value=ok(note_json()))
        with Client(KEY, retry_policy=RetryPolicy(max_retries=0)) as c:
            try:
                c.credit_notes.create(invoice="in_1", amount=1, credit_amount=1, **options)
            except (TypeError, ValueError) as exc:
                assert type(exc) in (TypeError, ValueError), repr(exc)
                assert any(name in str(exc) for name in options), (options, exc)
                assert route.call_count == 0
            except errors.StripeError as exc:  # e.g. a deadline so short it passed
                assert isinstance(exc, (errors.APITimeoutError, errors.ValidationError)), exc


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_any_api_key_text_is_accepted_or_refused_without_quoting(key: str) -> None:
    try:
        Client(key).close()
    except errors.AuthenticationError:  # the empty key: none configured
        assert key == ""
    except ValueError as exc:
        if len(key) >= 4:
            assert key not in str(exc) and key not in repr(exc.args)
