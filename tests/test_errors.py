"""Every error class survives pickle and deepcopy with all its fields (process pools, queues)."""

from __future__ import annotations

import copy
import inspect
import pickle
from typing import Any

import pytest

import stripe_credit_notes
from stripe_credit_notes import errors

FIELDS: dict[str, Any] = {
    "http_status": 503,
    "type": "api_error",
    "code": "lock_timeout",
    "param": "amount",
    "doc_url": "https://docs.stripe.com/error-codes/lock-timeout",
    "request_id": "req_123",
    "body": b'{"error": {"type": "api_error"}}',
    "error": {"type": "api_error", "message": "busy"},
    "headers": {"request-id": "req_123", "stripe-should-retry": "true"},
    "idempotency_key": "key-1",
    "attempts": 3,
}

EXTRA: dict[type[errors.StripeError], dict[str, Any]] = {
    errors.ValidationError: {
        "params": ("refund_amount", "amount"),
        "rule": "allocation.sum",
        "api_version": "2026-09-30.endive",
        "fix": "set out_of_band_amount=300",
        "details": {"total": 500},
    },
    errors.APITimeoutError: {"bound": "deadline"},
    errors.ResponseTooLargeError: {"max_response_bytes": 1000},
    errors.SignatureVerificationError: {"check": "too_old", "timestamp": 1_700_000_000},
}

# Errors not built from a response take their own keyword arguments only; the request fields
# are set afterwards, as the SDK does.
OWN_ARGUMENTS_ONLY = (errors.ValidationError, errors.SignatureVerificationError)

CLASSES = sorted(
    (
        cls
        for _, cls in inspect.getmembers(errors, inspect.isclass)
        if issubclass(cls, errors.StripeError)
    ),
    key=lambda cls: cls.__name__,
)


def build(cls: type[errors.StripeError]) -> errors.StripeError:
    extra = EXTRA.get(cls, {})
    if cls in OWN_ARGUMENTS_ONLY:
        error = cls("refund_amount exceeds amount", **extra)
        for name in ("idempotency_key", "attempts", "request_id"):
            setattr(error, name, FIELDS[name])
        return error
    return cls("boom", **FIELDS, **extra)


def test_every_public_error_class_is_covered() -> None:
    exported = {
        n
        for n in errors.__all__
        if isinstance(getattr(errors, n), type)
        and issubclass(getattr(errors, n), errors.StripeError)
    }
    assert exported == {cls.__name__ for cls in CLASSES}
    for name in exported:  # and re-exported from the package
        assert getattr(stripe_credit_notes, name) is getattr(errors, name)
    assert {"PaginationError", "ResponseTooLargeError"} <= exported


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
@pytest.mark.parametrize(
    "clone",
    [
        lambda e: pickle.loads(pickle.dumps(e)),
        lambda e: pickle.loads(pickle.dumps(e, protocol=0)),
        copy.deepcopy,
        copy.copy,
    ],
    ids=["pickle", "pickle-0", "deepcopy", "copy"],
)
def test_errors_survive_pickle_and_copy_with_their_fields(
    cls: type[errors.StripeError], clone: Any
) -> None:
    original = build(cls)
    copied = clone(original)
    assert type(copied) is cls
    assert vars(copied) == vars(original)
    assert copied.args == original.args
    assert str(copied) == str(original)
    assert repr(copied) == repr(original)


def test_new_fields_default_for_errors_built_without_them() -> None:
    error = errors.APIError("x")
    assert error.idempotency_key is None and error.attempts == 0
    assert errors.APITimeoutError("t").bound == "timeout"
    assert isinstance(errors.ResponseTooLargeError("big"), errors.MalformedResponseError)
    assert issubclass(errors.PaginationError, errors.StripeError)
