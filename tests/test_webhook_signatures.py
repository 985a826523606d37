"""Webhook signature verification: our checks, the official package as oracle, properties."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import pickle
import time

import pytest
import stripe
from hypothesis import given, settings
from hypothesis import strategies as st

from stripe_credit_notes import errors
from stripe_credit_notes.errors import SignatureVerificationError, StripeError, ValidationError
from stripe_credit_notes.webhooks import generate_test_header, verify_header

SECRET = "whsec_test_secret_value_0123456789"
NOW = 1_790_000_000
PAYLOAD = json.dumps({"id": "evt_1", "object": "event", "type": "credit_note.created"})


def sign(payload: bytes | str, secret: str, timestamp: int) -> str:
    """An independent signer written straight from Stripe's documentation."""
    body = payload.encode() if isinstance(payload, str) else payload
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return mac.hexdigest()


def header(*parts: str, t: int = NOW) -> str:
    return ",".join([f"t={t}", *parts])


# Accepting ----------------------------------------------------------------------------------


def test_a_valid_header_returns_the_signed_timestamp() -> None:
    h = header(f"v1={sign(PAYLOAD, SECRET, NOW)}")
    assert verify_header(PAYLOAD, h, SECRET, now=NOW) == NOW
    assert verify_header(PAYLOAD.encode(), h, SECRET, now=NOW) == NOW


def test_any_v1_may_match_and_other_schemes_are_ignored() -> None:
    good = sign(PAYLOAD, SECRET, NOW)
    h = header("v0=deadbeef", f"v1={'0' * 64}", f"v1={good}", "v9=zz")
    assert verify_header(PAYLOAD, h, SECRET, now=NOW) == NOW


def test_several_secrets_any_may_match() -> None:
    h = header(f"v1={sign(PAYLOAD, SECRET, NOW)}")
    assert verify_header(PAYLOAD, h, ["whsec_old", SECRET], now=NOW) == NOW
    assert verify_header(PAYLOAD, h, (SECRET,), now=NOW) == NOW


def test_the_signature_covers_raw_bytes_not_reparsed_json() -> None:
    raw = b'{"id": "evt_1",   "object": "event"}'
    h = header(f"v1={sign(raw, SECRET, NOW)}")
    assert verify_header(raw, h, SECRET, now=NOW) == NOW
    with pytest.raises(SignatureVerificationError):
        verify_header(json.dumps(json.loads(raw)), h, SECRET, now=NOW)


# Refusing -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sig_header", "check"),
    [
        ("", "header"),
        ("   ", "header"),
        ("garbage", "header"),
        ("t=,v1=ab", "header"),
        ("v1=abc", "header"),  # no timestamp
        ("t=abc,v1=ab", "header"),
        ("t=-5,v1=ab", "header"),
        (f"t={NOW},t={NOW},v1=ab", "header"),
        (f"t={NOW},v1=ab,,", "header"),
        (f"t={NOW}", "scheme"),
        (f"t={NOW},v0=abc", "scheme"),
        (f"t={NOW},v1={'0' * 64}", "signature"),
    ],
)
def test_refusals_name_the_failed_check(sig_header: str, check: str) -> None:
    with pytest.raises(SignatureVerificationError) as caught:
        verify_header(PAYLOAD, sig_header, SECRET, now=NOW)
    assert caught.value.check == check
    assert isinstance(caught.value, StripeError)


def test_a_header_that_is_not_a_string_is_a_header_refusal() -> None:
    with pytest.raises(SignatureVerificationError) as caught:
        verify_header(PAYLOAD, None, SECRET, now=NOW)  # type: ignore[arg-type]
    assert caught.value.check == "header"


def test_the_wrong_secret_is_refused_and_never_shown() -> None:
    h = header(f"v1={sign(PAYLOAD, SECRET, NOW)}")
    with pytest.raises(SignatureVerificationError) as caught:
        verify_header(PAYLOAD, h, "whsec_other_secret_abcdef", now=NOW)
    error = caught.value
    assert error.check == "signature"
    for text in (str(error), repr(error), repr(error.args), repr(vars(error))):
        assert "whsec_other_secret_abcdef" not in text
        assert SECRET not in text


def test_too_old_and_too_far_in_the_future() -> None:
    h = header(f"v1={sign(PAYLOAD, SECRET, NOW)}")
    assert verify_header(PAYLOAD, h, SECRET, now=NOW + 300) == NOW  # the bound is inclusive
    assert verify_header(PAYLOAD, h, SECRET, now=NOW - 300) == NOW
    with pytest.raises(SignatureVerificationError) as old:
        verify_header(PAYLOAD, h, SECRET, now=NOW + 301)
    assert old.value.check == "too_old"
    assert old.value.timestamp == NOW
    with pytest.raises(SignatureVerificationError) as future:
        verify_header(PAYLOAD, h, SECRET, now=NOW - 301)
    assert future.value.check == "in_future"
    with pytest.raises(SignatureVerificationError) as narrow:
        verify_header(PAYLOAD, h, SECRET, tolerance=10, now=NOW + 11)
    assert narrow.value.check == "too_old"


def test_the_timestamp_is_checked_only_after_the_signature() -> None:
    # A forged header must not learn anything from a timestamp answer.
    with pytest.raises(SignatureVerificationError) as caught:
        verify_header(PAYLOAD, header("v1=00", t=1), SECRET, now=NOW)
    assert caught.value.check == "signature"


def test_skipping_the_timestamp_check_takes_an_explicit_argument() -> None:
    h = header(f"v1={sign(PAYLOAD, SECRET, 1)}", t=1)
    assert verify_header(PAYLOAD, h, SECRET, skip_timestamp_check=True, now=NOW) == 1
    with pytest.raises(SignatureVerificationError):
        verify_header(PAYLOAD, h, SECRET, now=NOW)


@pytest.mark.parametrize("tolerance", [0, -1, True, 1.5, None])
def test_tolerance_must_be_a_positive_int(tolerance: object) -> None:
    h = header(f"v1={sign(PAYLOAD, SECRET, NOW)}")
    with pytest.raises(ValidationError) as caught:
        verify_header(PAYLOAD, h, SECRET, tolerance=tolerance, now=NOW)  # type: ignore[arg-type]
    assert caught.value.params == ("tolerance",)


@pytest.mark.parametrize("secret", ["", "  ", [], [""], [SECRET, 3], 42])
def test_bad_secrets_are_refused_without_echoing_them(secret: object) -> None:
    h = header(f"v1={sign(PAYLOAD, SECRET, NOW)}")
    with pytest.raises(ValidationError) as caught:
        verify_header(PAYLOAD, h, secret, now=NOW)  # type: ignore[arg-type]
    assert caught.value.params == ("secret",)
    assert SECRET not in str(caught.value)


def test_payload_must_be_bytes_or_str() -> None:
    with pytest.raises(ValidationError) as caught:
        verify_header({"id": 1}, "t=1,v1=00", SECRET)  # type: ignore[arg-type]
    assert caught.value.params == ("payload",)


def test_the_error_survives_pickle_and_deepcopy() -> None:
    error = SignatureVerificationError("nope", check="too_old", timestamp=5)
    for clone in (pickle.loads(pickle.dumps(error)), copy.deepcopy(error)):
        assert (clone.message, clone.check, clone.timestamp) == ("nope", "too_old", 5)
    assert "SignatureVerificationError" in errors.__all__


# generate_test_header -----------------------------------------------------------------------


def test_generate_test_header_is_stripes_format() -> None:
    h = generate_test_header(PAYLOAD, SECRET, timestamp=NOW)
    assert h == f"t={NOW},v1={sign(PAYLOAD, SECRET, NOW)}"
    other = generate_test_header(PAYLOAD, SECRET, timestamp=NOW, scheme="v0")
    assert other.startswith(f"t={NOW},v0=")
    with pytest.raises(SignatureVerificationError) as caught:
        verify_header(PAYLOAD, other, SECRET, now=NOW)
    assert caught.value.check == "scheme"


def test_generate_test_header_defaults_to_now() -> None:
    before = int(time.time())
    h = generate_test_header(PAYLOAD, SECRET)
    assert before <= verify_header(PAYLOAD, h, SECRET) <= int(time.time())


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"timestamp": -1}, "timestamp"),
        ({"timestamp": True}, "timestamp"),
        ({"timestamp": "1"}, "timestamp"),
        ({"scheme": ""}, "scheme"),
        ({"scheme": "v1,v1"}, "scheme"),
    ],
)
def test_generate_test_header_refuses_bad_arguments(kwargs: dict[str, object], param: str) -> None:
    with pytest.raises(ValidationError) as caught:
        generate_test_header(PAYLOAD, SECRET, **kwargs)  # type: ignore[arg-type]
    assert caught.value.params == (param,)


def test_generate_test_header_takes_one_secret() -> None:
    with pytest.raises(ValidationError):
        generate_test_header(PAYLOAD, [SECRET])  # type: ignore[arg-type]


# The official package as oracle ---------------------------------------------------------------


def test_our_headers_verify_with_the_official_package() -> None:
    h = generate_test_header(PAYLOAD, SECRET)
    event = stripe.Webhook.construct_event(PAYLOAD, h, SECRET)
    assert event["id"] == "evt_1"
    assert stripe.WebhookSignature.verify_header(PAYLOAD.encode(), h, SECRET, tolerance=300)


def test_the_official_packages_headers_verify_with_ours() -> None:
    h = stripe.WebhookSignature.generate_signature_header(PAYLOAD, SECRET, timestamp=NOW)
    assert verify_header(PAYLOAD, h, SECRET, now=NOW) == NOW


_texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=200)
_secrets_st = st.text(st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=40)


@settings(max_examples=150, deadline=None)
@given(payload=_texts, secret=_secrets_st, timestamp=st.integers(0, 2**40))
def test_oracle_agrees_both_ways(payload: str, secret: str, timestamp: int) -> None:
    ours = generate_test_header(payload, secret, timestamp=timestamp)
    theirs = stripe.WebhookSignature.generate_signature_header(payload, secret, timestamp=timestamp)
    assert ours == theirs
    assert stripe.WebhookSignature.verify_header(payload, ours, secret, tolerance=None)
    assert verify_header(payload, theirs, secret, now=timestamp) == timestamp


@settings(max_examples=100, deadline=None)
@given(payload=_texts, secret=_secrets_st, wrong=_secrets_st)
def test_oracle_agrees_on_refusals(payload: str, secret: str, wrong: str) -> None:
    if wrong == secret:
        return
    theirs = stripe.WebhookSignature.generate_signature_header(payload, wrong, timestamp=NOW)
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.WebhookSignature.verify_header(payload, theirs, secret, tolerance=None)
    with pytest.raises(SignatureVerificationError):
        verify_header(payload, theirs, secret, now=NOW)


# Properties ---------------------------------------------------------------------------------


def _flip(data: bytes, index: int, xor: int) -> bytes:
    index %= len(data)
    return data[:index] + bytes([data[index] ^ xor]) + data[index + 1 :]


@settings(max_examples=200, deadline=None)
@given(
    payload=st.binary(min_size=1, max_size=300),
    index=st.integers(min_value=0),
    xor=st.integers(1, 255),
)
def test_any_byte_change_in_the_payload_fails(payload: bytes, index: int, xor: int) -> None:
    h = generate_test_header(payload, SECRET, timestamp=NOW)
    assert verify_header(payload, h, SECRET, now=NOW) == NOW
    with pytest.raises(SignatureVerificationError) as caught:
        verify_header(_flip(payload, index, xor), h, SECRET, now=NOW)
    assert caught.value.check == "signature"


@settings(max_examples=200, deadline=None)
@given(
    payload=st.binary(max_size=100),
    index=st.integers(min_value=0),
    digit=st.sampled_from("0123456789"),
)
def test_any_change_of_the_timestamp_fails(payload: bytes, index: int, digit: str) -> None:
    text = str(NOW)
    index %= len(text)
    if text[index] == digit:
        return
    forged_t = int(text[:index] + digit + text[index + 1 :])
    signature = generate_test_header(payload, SECRET, timestamp=NOW).split(",")[1]
    with pytest.raises(SignatureVerificationError) as caught:
        verify_header(payload, f"t={forged_t},{signature}", SECRET, skip_timestamp_check=True)
    assert caught.value.check == "signature"


@settings(max_examples=200, deadline=None)
@given(
    payload=st.binary(max_size=100),
    index=st.integers(0, 63),
    char=st.sampled_from("0123456789abcdefABCDEF"),
)
def test_any_change_of_the_signature_fails(payload: bytes, index: int, char: str) -> None:
    signature = sign(payload, SECRET, NOW)
    if signature[index] == char:
        return
    forged = signature[:index] + char + signature[index + 1 :]
    with pytest.raises(SignatureVerificationError):
        verify_header(payload, header(f"v1={forged}"), SECRET, now=NOW)


@settings(max_examples=150, deadline=None)
@given(
    payload=st.binary(max_size=100),
    sender=st.lists(_secrets_st, min_size=1, max_size=4, unique=True),
    receiver_extra=st.lists(_secrets_st, max_size=3),
    data=st.data(),
)
def test_any_valid_rotation_set_passes(
    payload: bytes, sender: list[str], receiver_extra: list[str], data: st.DataObject
) -> None:
    """Stripe signs with every live secret; the receiver knows at least one of them."""
    parts = [f"v1={sign(payload, s, NOW)}" for s in sender]
    parts = data.draw(st.permutations(parts))
    shared = data.draw(st.sampled_from(sender))
    receiver = data.draw(st.permutations([*receiver_extra, shared]))
    assert verify_header(payload, header(*parts), receiver, now=NOW) == NOW


@settings(max_examples=100, deadline=None)
@given(
    payload=st.binary(max_size=100),
    sender=st.lists(_secrets_st, min_size=1, max_size=4, unique=True),
    receiver=st.lists(_secrets_st, min_size=1, max_size=4),
)
def test_a_rotation_set_with_no_shared_secret_fails(
    payload: bytes, sender: list[str], receiver: list[str]
) -> None:
    if set(sender) & set(receiver):
        return
    parts = [f"v1={sign(payload, s, NOW)}" for s in sender]
    with pytest.raises(SignatureVerificationError):
        verify_header(payload, header(*parts), receiver, now=NOW)


def test_comparison_is_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every signature is compared with hmac.compare_digest, with no early exit."""
    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    good = sign(PAYLOAD, SECRET, NOW)
    h = header(f"v1={good}", "v1=00", "v1=11")
    verify_header(PAYLOAD, h, [SECRET, "whsec_b"], now=NOW)
    assert len(calls) == 6  # 2 secrets x 3 signatures, even though the first pair matched
