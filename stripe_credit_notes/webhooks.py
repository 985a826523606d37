"""Verify Stripe webhooks and decode them into typed events.

Stripe signs every webhook it sends: the ``Stripe-Signature`` header is
``t=<unix seconds>,v1=<hex>[,v1=<hex>...]`` where each ``v1`` is the HMAC-SHA256, keyed with the
endpoint's signing secret (``whsec_...``), of the bytes ``b"<t>." + body``. While an endpoint's
secret is being rolled Stripe signs with the old and the new secret, so the header carries
several ``v1`` values, and any one of them may match. Other schemes (``v0`` test signatures,
future ones) are ignored.

:func:`construct_event` checks the header *before* it parses the body, so an attacker's JSON is
never read, then decodes the event. :func:`generate_test_header` signs a payload the same way,
for tests of your own handler. See ``docs/webhooks.md``.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Mapping, Sequence
from typing import Any, TypeAlias, Union

from . import _json
from ._codec_support import DecodeError, from_dict
from .errors import MalformedResponseError, SignatureVerificationError, ValidationError
from .models import CreditNoteEvent, Event

__all__ = [
    "DEFAULT_TOLERANCE",
    "SIGNATURE_HEADER",
    "AnyEvent",
    "CreditNoteEvent",
    "Event",
    "construct_event",
    "decode_event",
    "generate_test_header",
    "verify_header",
]

# typing.Union rather than `|`: the operation table uses it as a response type, whose
# `__name__` the client's error messages read.
AnyEvent: TypeAlias = Union[CreditNoteEvent, Event]  # noqa: UP007
"""What decoding an event gives: ``CreditNoteEvent`` for ``credit_note.*`` types, else the
generic ``Event``. Narrow with ``isinstance(event, CreditNoteEvent)``."""

#: Seconds a signed timestamp may lie in the past (or the future) and still be accepted.
DEFAULT_TOLERANCE = 300
#: The HTTP header Stripe puts the signature in.
SIGNATURE_HEADER = "Stripe-Signature"

_SCHEME = "v1"


def _payload_bytes(payload: bytes | bytearray | str) -> bytes:
    if isinstance(payload, str):
        return payload.encode("utf-8")
    if isinstance(payload, (bytes, bytearray)):
        return bytes(payload)
    raise ValidationError(
        f"payload must be the raw request body (bytes or str), got {type(payload).__name__}",
        params=("payload",),
        rule="webhooks.payload",
    )


def _secrets(secret: str | Sequence[str]) -> list[bytes]:
    """The secrets as HMAC keys; several when the receiving side is rolling its secret."""
    if isinstance(secret, str):
        candidates: list[object] = [secret]
    elif isinstance(secret, Sequence) and not isinstance(secret, (bytes, bytearray)):
        candidates = list(secret)
    else:
        candidates = []
    if not candidates or not all(isinstance(s, str) and s.strip() for s in candidates):
        # Never echo the value: it may be a real secret with a typo.
        raise ValidationError(
            "secret must be a non-empty webhook signing secret (whsec_...) or a non-empty "
            "sequence of them",
            params=("secret",),
            rule="webhooks.secret",
        )
    return [s.encode("utf-8") for s in candidates if isinstance(s, str)]


def _check_tolerance(tolerance: int) -> None:
    if isinstance(tolerance, bool) or not isinstance(tolerance, int) or tolerance <= 0:
        raise ValidationError(
            f"tolerance must be a positive number of seconds, got {tolerance!r}; to accept any "
            "timestamp pass skip_timestamp_check=True instead",
            params=("tolerance",),
            rule="webhooks.tolerance",
        )


def _sign(timestamp: int, body: bytes, key: bytes) -> bytes:
    """The hex ``v1`` signature of ``body`` at ``timestamp``, as ASCII bytes."""
    message = str(timestamp).encode("ascii") + b"." + body
    return hmac.new(key, message, hashlib.sha256).hexdigest().encode("ascii")


def _parse_header(sig_header: str) -> tuple[int, list[bytes]]:
    """The timestamp and the ``v1`` signatures of a ``Stripe-Signature`` value."""
    if not isinstance(sig_header, str) or not sig_header.strip():
        raise SignatureVerificationError(
            "No Stripe-Signature header: pass the header of the incoming request",
            check="header",
        )
    timestamps: list[str] = []
    signatures: list[bytes] = []
    for item in sig_header.split(","):
        key, sep, value = item.strip().partition("=")
        if not sep or not key or not value:
            raise SignatureVerificationError(
                "Garbled Stripe-Signature header: expected comma-separated key=value items",
                check="header",
            )
        if key == "t":
            timestamps.append(value)
        elif key == _SCHEME:
            signatures.append(value.encode("utf-8", "replace"))
    if len(timestamps) != 1 or not (timestamps[0].isascii() and timestamps[0].isdigit()):
        raise SignatureVerificationError(
            "Garbled Stripe-Signature header: expected exactly one t=<unix seconds>",
            check="header",
        )
    timestamp = int(timestamps[0])
    if not signatures:
        raise SignatureVerificationError(
            f"No {_SCHEME} signature in the Stripe-Signature header",
            check="scheme",
            timestamp=timestamp,
        )
    return timestamp, signatures


def verify_header(
    payload: bytes | str,
    sig_header: str,
    secret: str | Sequence[str],
    *,
    tolerance: int = DEFAULT_TOLERANCE,
    skip_timestamp_check: bool = False,
    now: float | None = None,
) -> int:
    """Check that ``sig_header`` signs ``payload`` with ``secret``; return the signed timestamp.

    ``payload`` is the raw request body, exactly as received (re-serialized JSON does not
    verify). ``secret`` is the endpoint's signing secret, or several (old and new) while you roll
    it. Any ``v1`` signature of the header may match any secret; other schemes are ignored.

    The signed timestamp must lie within ``tolerance`` seconds (a positive ``int``) of ``now``
    (default: the current time) in either direction, so a captured webhook cannot be replayed
    later, nor one signed with a clock far ahead be used for long. Only
    ``skip_timestamp_check=True`` turns that check off (for replaying stored webhooks you have
    verified before); ``tolerance=0`` is refused rather than read as "no check".

    Raises :class:`~stripe_credit_notes.errors.SignatureVerificationError` naming the failed
    check, and :class:`~stripe_credit_notes.errors.ValidationError` for bad arguments.
    """
    _check_tolerance(tolerance)
    body = _payload_bytes(payload)
    keys = _secrets(secret)
    timestamp, signatures = _parse_header(sig_header)
    # Compare every pair with compare_digest and no early exit, so the time taken says nothing
    # about which signature or how much of it matched.
    matched = False
    for key in keys:
        expected = _sign(timestamp, body, key)
        for signature in signatures:
            matched |= hmac.compare_digest(expected, signature)
    if not matched:
        raise SignatureVerificationError(
            "No signature in the Stripe-Signature header matches the payload for the given "
            "secret(s): check the endpoint's signing secret and that the body is the raw bytes "
            "received",
            check="signature",
            timestamp=timestamp,
        )
    if not skip_timestamp_check:
        current = time.time() if now is None else now
        if timestamp < current - tolerance:
            raise SignatureVerificationError(
                f"Timestamp {timestamp} is more than {tolerance}s in the past "
                f"(now {int(current)}): a replayed or badly delayed webhook",
                check="too_old",
                timestamp=timestamp,
            )
        if timestamp > current + tolerance:
            raise SignatureVerificationError(
                f"Timestamp {timestamp} is more than {tolerance}s in the future "
                f"(now {int(current)}): check the clocks",
                check="in_future",
                timestamp=timestamp,
            )
    return timestamp


def construct_event(
    payload: bytes | str,
    sig_header: str,
    secret: str | Sequence[str],
    *,
    tolerance: int = DEFAULT_TOLERANCE,
    skip_timestamp_check: bool = False,
    now: float | None = None,
) -> AnyEvent:
    """Verify a webhook (see :func:`verify_header`), then decode it (see :func:`decode_event`).

    The signature is checked before the body is parsed: an unverified body is never read.
    Raises :class:`~stripe_credit_notes.errors.SignatureVerificationError` when it does not
    verify, :class:`~stripe_credit_notes.errors.MalformedResponseError` when it verifies but is
    not an event.
    """
    verify_header(
        payload,
        sig_header,
        secret,
        tolerance=tolerance,
        skip_timestamp_check=skip_timestamp_check,
        now=now,
    )
    try:
        data = _json.loads(payload)
    except ValueError as exc:  # UnicodeDecodeError included
        raise MalformedResponseError(
            f"The webhook verified but its body is not JSON: {exc}"
        ) from None
    return decode_event(data)


def decode_event(data: Mapping[str, Any]) -> AnyEvent:
    """Decode a Stripe event object (already verified, or read from the API).

    A ``credit_note.*`` event whose ``data.object`` is a credit note becomes a
    :class:`CreditNoteEvent` (``data.object`` a ``CreditNote``, ``data.previous_attributes``
    the partial mapping Stripe sent); any other event, including types this SDK has never
    heard of, a generic :class:`Event` whose ``data.object`` stays a mapping. The payload is
    decoded as rendered, at its own ``api_version``: fields of the other spec era are
    ``ABSENT``, unknown ones are kept in ``extra`` (see ``docs/webhooks.md``).
    """
    if not isinstance(data, Mapping) or data.get("object") != "event":
        raise DecodeError("the payload is not a Stripe event object")
    body = data.get("data")
    if not isinstance(body, Mapping) or not isinstance(body.get("object"), Mapping):
        raise DecodeError("the event has no data.object", ("data",))
    kind = data.get("type")
    typed = (
        isinstance(kind, str)
        and kind.startswith("credit_note.")
        and body["object"].get("object") == "credit_note"
    )
    try:
        return from_dict(CreditNoteEvent, data) if typed else from_dict(Event, data)
    except DecodeError as exc:
        exc.message = f"event {data.get('id')!r}: {exc.message}"
        raise
    except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
        raise DecodeError(
            f"event {data.get('id')!r} does not have the documented shape: {exc!r}"
        ) from None


def generate_test_header(
    payload: bytes | str,
    secret: str,
    *,
    timestamp: int | None = None,
    scheme: str = _SCHEME,
) -> str:
    """A ``Stripe-Signature`` value for ``payload``, signed with ``secret`` as Stripe signs it.

    Use it to test your webhook handler without Stripe: post ``payload`` with this header.
    ``timestamp`` defaults to now; ``scheme`` other than ``"v1"`` makes a header that
    :func:`verify_header` (and Stripe's SDKs) ignore, for testing that path.
    """
    body = _payload_bytes(payload)
    # One secret only: a header signed with several is Stripe's rolling, not a test helper's.
    (key,) = _secrets(secret if isinstance(secret, str) else "")
    if timestamp is None:
        timestamp = int(time.time())
    elif isinstance(timestamp, bool) or not isinstance(timestamp, int) or timestamp < 0:
        raise ValidationError(
            f"timestamp must be a non-negative int of unix seconds, got {timestamp!r}",
            params=("timestamp",),
            rule="webhooks.timestamp",
        )
    if not isinstance(scheme, str) or not scheme or not scheme.isalnum():
        raise ValidationError(
            f"scheme must be a short alphanumeric name such as 'v1', got {scheme!r}",
            params=("scheme",),
            rule="webhooks.scheme",
        )
    return f"t={timestamp},{scheme}={_sign(timestamp, body, key).decode('ascii')}"
