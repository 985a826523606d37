"""``InvoiceSnapshot``: what the validator may know about the invoice being credited."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any, Final, Literal, get_args

import attrs

from ..errors import MalformedResponseError

__all__ = ["INVOICE_STATUSES", "InvoiceSnapshot", "InvoiceStatus", "refund_amount_from_json"]

InvoiceStatus = Literal["draft", "open", "paid", "uncollectible", "void"]
"""Stripe's invoice statuses."""

INVOICE_STATUSES: Final[frozenset[str]] = frozenset(get_args(InvoiceStatus))

# A fetched invoice whose status this SDK does not know: the rules that need the status are
# skipped and the report says why, instead of treating it like some known status.
_UNKNOWN: Final = "unknown"


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_int(name: str, value: object, *, optional: bool) -> None:
    if value is None and optional:
        return
    if not _is_int(value):
        raise TypeError(f"InvoiceSnapshot.{name} must be an int, not {type(value).__name__}")


def _status_problem(status: str) -> str:
    known = ", ".join(repr(s) for s in sorted(INVOICE_STATUSES))
    close = difflib.get_close_matches(status.lower(), sorted(INVOICE_STATUSES), n=1, cutoff=0.5)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return (
        f"InvoiceSnapshot.status must be one of Stripe's invoice statuses ({known}), or "
        f"'unknown', not {status[:40]!r}{hint}"
    )


def _refund_amounts(value: Mapping[str, int] | None) -> Mapping[str, int]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise TypeError(
            "InvoiceSnapshot.refund_amounts must map refund IDs to amounts, not "
            f"{type(value).__name__}"
        )
    for key, amount in value.items():
        if not isinstance(key, str) or not key:
            raise TypeError("InvoiceSnapshot.refund_amounts keys must be refund IDs ('re_...')")
        if not _is_int(amount) or amount < 0:
            raise ValueError(
                f"InvoiceSnapshot.refund_amounts[{key[:40]!r}] must be a non-negative int amount"
            )
    return dict(value)


@attrs.frozen(kw_only=True)
class InvoiceSnapshot:
    """The state of an invoice at the time a credit note is checked.

    Pass one to :func:`~stripe_credit_notes.validation.validate_credit_note_params` (or as
    ``invoice_snapshot=`` to a client call) to let the validator use the invoice's
    ``amount_remaining`` (AR) and ``status``; without one, every rule that needs them is
    skipped (and says so in the report). A snapshot that is older than the request may be
    wrong: the opt-in fetch mode of the client reads ``GET /v1/invoices/{id}`` right before the
    request and builds one with :meth:`from_invoice_json`.

    Keyword-only. ``status`` must be one of Stripe's invoice statuses; a ``paid`` invoice with
    a non-zero ``amount_remaining`` is refused as contradictory. ``refund_amounts`` gives the
    full ``amount`` of linked refunds (``refund=`` before basil, ``refunds[]`` items without
    ``amount_refunded``), so that R is exact instead of a lower bound.
    """

    #: The invoice's ``amount_remaining``, in the smallest currency unit.
    amount_remaining: int
    #: The invoice's ``status``; ``"unknown"`` when a fetched invoice had a status this SDK
    #: does not know (it is kept in :attr:`reported_status`).
    status: InvoiceStatus | Literal["unknown"]
    #: The invoice ID (``in_...``); when given, it must equal the request's ``invoice``.
    id: str | None = None
    #: Three-letter ISO currency code, lowercase (informational; no rule uses it).
    currency: str | None = None
    #: The invoice's ``total``, when known (informational; no rule uses it).
    total: int | None = None
    #: The invoice's ``amount_paid``, when known (informational; no rule uses it).
    amount_paid: int | None = None
    #: The full ``amount`` of linked refunds, by refund ID (``re_...``).
    refund_amounts: Mapping[str, int] = attrs.field(
        factory=dict, converter=_refund_amounts, hash=False
    )
    #: The status Stripe reported when :attr:`status` is ``"unknown"``.
    reported_status: str | None = None

    def __attrs_post_init__(self) -> None:
        if self.id is not None and (not isinstance(self.id, str) or not self.id):
            raise TypeError("InvoiceSnapshot.id must be a non-empty str (or None)")
        if not isinstance(self.status, str):
            raise TypeError(f"InvoiceSnapshot.status must be a str, not {type(self.status)}")
        if self.status not in INVOICE_STATUSES and self.status != _UNKNOWN:
            raise ValueError(_status_problem(self.status))
        if self.currency is not None and not isinstance(self.currency, str):
            raise TypeError("InvoiceSnapshot.currency must be a str (or None)")
        _check_int("amount_remaining", self.amount_remaining, optional=False)
        _check_int("total", self.total, optional=True)
        _check_int("amount_paid", self.amount_paid, optional=True)
        if self.status == "paid" and self.amount_remaining != 0:
            raise ValueError(
                f"InvoiceSnapshot is contradictory: status 'paid' with amount_remaining="
                f"{self.amount_remaining} (a paid invoice has amount_remaining 0); pass the "
                f"invoice's actual status and amount_remaining"
            )

    @property
    def effective_amount_remaining(self) -> int:
        """AR as the rules use it: never below 0."""
        return max(self.amount_remaining, 0)

    @property
    def status_known(self) -> bool:
        """False when a fetched invoice had a status this SDK does not know."""
        return self.status != _UNKNOWN

    def label(self) -> str:
        """``invoice in_1`` (or ``the invoice`` when the snapshot has no id), for messages."""
        return f"invoice {self.id[:60]}" if self.id else "the invoice"

    def status_text(self) -> str:
        """The status for messages: ``'open'``, or ``unknown ('partially_paid')``."""
        if self.status_known:
            return repr(self.status)
        return f"unknown ({(self.reported_status or '')[:40]!r}, newer than this SDK)"

    @classmethod
    def from_invoice_json(cls, invoice: Mapping[str, Any]) -> InvoiceSnapshot:
        """Build a snapshot from a decoded ``GET /v1/invoices/{id}`` body.

        Reads only ``id``, ``amount_remaining``, ``status`` and ``currency`` (the fields every
        API version returns). Raises :class:`~stripe_credit_notes.errors.MalformedResponseError`
        when ``id``, ``amount_remaining`` or ``status`` is missing or of the wrong type, or
        when they contradict each other. A status this SDK does not know becomes
        ``"unknown"`` (see :attr:`reported_status`), never one of the known ones.
        """
        if not isinstance(invoice, Mapping):
            raise MalformedResponseError(
                f"expected an invoice object, got {type(invoice).__name__}"
            )
        problems: list[str] = []
        invoice_id = invoice.get("id")
        if not isinstance(invoice_id, str) or not invoice_id:
            problems.append(f"id of type {type(invoice_id).__name__}")
        amount_remaining = invoice.get("amount_remaining")
        if not _is_int(amount_remaining):
            problems.append(f"amount_remaining of type {type(amount_remaining).__name__}")
        status = invoice.get("status")
        if not isinstance(status, str) or not status:
            problems.append(f"status of type {type(status).__name__}")
        if problems:
            raise MalformedResponseError(
                "invoice object lacks the fields credit-note validation needs: "
                + ", ".join(problems)
            )
        assert isinstance(invoice_id, str)
        assert isinstance(amount_remaining, int)
        assert isinstance(status, str)
        currency = invoice.get("currency")
        known = status in INVOICE_STATUSES
        try:
            return cls(
                id=invoice_id,
                amount_remaining=amount_remaining,
                status=status if known else _UNKNOWN,  # type: ignore[arg-type]
                currency=currency if isinstance(currency, str) else None,
                reported_status=None if known else status,
            )
        except ValueError as exc:
            raise MalformedResponseError(f"invoice {invoice_id[:40]!r}: {exc}") from None


def refund_amount_from_json(refund: Mapping[str, Any]) -> int:
    """The ``amount`` of a decoded ``GET /v1/refunds/{id}`` body (the only field read).

    Raises :class:`~stripe_credit_notes.errors.MalformedResponseError` when it is not a
    non-negative int.
    """
    amount = refund.get("amount") if isinstance(refund, Mapping) else None
    if not isinstance(amount, int) or isinstance(amount, bool) or amount < 0:
        raise MalformedResponseError(
            f"refund object lacks a non-negative int amount (got {type(amount).__name__})"
        )
    return amount
