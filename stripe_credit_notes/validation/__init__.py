"""Client-side pre-validation of credit-note requests, by API version.

A credit note whose refund / credit / out-of-band allocation Stripe would refuse is caught here,
before any request, with a message that says what to send instead, under the rules of the pinned
``Stripe-Version``. The rules are one table, :data:`RULES`, keyed by version ranges; the
human-readable version of it is ``docs/validation.md``.

Public API:

* :func:`validate_credit_note_params` - check ``create`` / ``preview`` / ``preview_lines``
  parameters; raises ``ValidationError`` or returns a :class:`ValidationReport`.
* :func:`validate_list_params` - check ``limit`` for the list operations.
* :func:`fill_out_of_band` - set ``out_of_band_amount`` to the remainder (migration helper).
* :class:`InvoiceSnapshot` - the invoice's ``amount_remaining`` and ``status``, stated by the
  caller or read from ``GET /v1/invoices/{id}`` with :meth:`InvoiceSnapshot.from_invoice_json`.
"""

from __future__ import annotations

from ._check import (
    CheckResult,
    CheckStatus,
    ValidationReport,
    fill_out_of_band,
    validate_credit_note_params,
    validate_list_params,
)
from ._facts import Bounds, CreditNoteOperation, ListOperation
from ._invoice import INVOICE_STATUSES, InvoiceSnapshot, InvoiceStatus
from ._rules import LIMIT_MAX, LIMIT_MIN, RULES, RULES_BY_ID, TAX_AMOUNTS_MAX, Rule

__all__ = [
    "INVOICE_STATUSES",
    "LIMIT_MAX",
    "LIMIT_MIN",
    "RULES",
    "RULES_BY_ID",
    "TAX_AMOUNTS_MAX",
    "Bounds",
    "CheckResult",
    "CheckStatus",
    "CreditNoteOperation",
    "InvoiceSnapshot",
    "InvoiceStatus",
    "ListOperation",
    "Rule",
    "ValidationReport",
    "fill_out_of_band",
    "validate_credit_note_params",
    "validate_list_params",
]
