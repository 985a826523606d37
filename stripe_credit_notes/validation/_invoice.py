"""``InvoiceSnapshot``: what the validator may know about the invoice being credited."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from ..errors import MalformedResponseError

__all__ = ["InvoiceSnapshot"]


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_int(name: str, value: object, *, optional: bool) -> None:
    if value is None and optional:
        return
    if not _is_int(value):
        raise TypeError(f"InvoiceSnapshot.{name} must be an int, not {value!r}")


@attrs.frozen
class InvoiceSnapshot:
    """The state of an invoice at the time a credit note is checked.

    Pass one to :func:`~stripe_credit_notes.validation.validate_credit_note_params` to let the
    validator use the invoice's ``amount_remaining`` (AR) and ``status``; without one, every
    rule that needs them is skipped (and says so in the report). A snapshot that is older than
    the request may be wrong: the opt-in fetch mode of the client reads
    ``GET /v1/invoices/{id}`` right before the request and builds one with
    :meth:`from_invoice_json`.

    ``status == "paid"`` means AR = 0 whatever ``amount_remaining`` says.
    """

    #: The invoice ID (``in_...``); must equal the request's ``invoice`` parameter.
    id: str
    #: The invoice's ``amount_remaining``, in the smallest currency unit.
    amount_remaining: int
    #: The invoice's ``status`` (``draft``, ``open``, ``paid``, ``uncollectible``, ``void``).
    status: str
    #: Three-letter ISO currency code, lowercase.
    currency: str
    #: The invoice's ``total``, when known (informational; no rule uses it).
    total: int | None = None
    #: The invoice's ``amount_paid``, when known (informational; no rule uses it).
    amount_paid: int | None = None

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id:
            raise TypeError(f"InvoiceSnapshot.id must be a non-empty str, not {self.id!r}")
        if not isinstance(self.status, str) or not self.status:
            raise TypeError(f"InvoiceSnapshot.status must be a non-empty str, not {self.status!r}")
        if not isinstance(self.currency, str):
            raise TypeError(f"InvoiceSnapshot.currency must be a str, not {self.currency!r}")
        _check_int("amount_remaining", self.amount_remaining, optional=False)
        _check_int("total", self.total, optional=True)
        _check_int("amount_paid", self.amount_paid, optional=True)

    @property
    def effective_amount_remaining(self) -> int:
        """AR as the rules use it: 0 for a ``paid`` invoice, never below 0."""
        if self.status == "paid":
            return 0
        return max(self.amount_remaining, 0)

    @classmethod
    def from_invoice_json(cls, invoice: Mapping[str, Any]) -> InvoiceSnapshot:
        """Build a snapshot from a decoded ``GET /v1/invoices/{id}`` body.

        Reads only ``id``, ``amount_remaining``, ``status`` and ``currency`` (the fields every
        API version returns). Raises :class:`~stripe_credit_notes.errors.MalformedResponseError`
        when one is missing or of the wrong type.
        """
        if not isinstance(invoice, Mapping):
            raise MalformedResponseError(
                f"expected an invoice object, got {type(invoice).__name__}"
            )
        problems: list[str] = []
        invoice_id = invoice.get("id")
        if not isinstance(invoice_id, str) or not invoice_id:
            problems.append(f"id={invoice_id!r}")
        amount_remaining = invoice.get("amount_remaining")
        if not _is_int(amount_remaining):
            problems.append(f"amount_remaining={amount_remaining!r}")
        status = invoice.get("status")
        if not isinstance(status, str) or not status:
            problems.append(f"status={status!r}")
        currency = invoice.get("currency")
        if not isinstance(currency, str):
            problems.append(f"currency={currency!r}")
        if problems:
            raise MalformedResponseError(
                "invoice object lacks the fields credit-note validation needs: "
                + ", ".join(problems)
            )
        assert isinstance(invoice_id, str)
        assert isinstance(amount_remaining, int)
        assert isinstance(status, str)
        assert isinstance(currency, str)
        return cls(
            id=invoice_id, amount_remaining=amount_remaining, status=status, currency=currency
        )
