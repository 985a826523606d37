"""JSON for every object, shaped like Stripe's schema at the request's API version, plus
``expand[]`` handling.

Version-dependent fields of a credit note (and its lines):

* from 2025-03-31.basil: ``refunds[]``, ``total_taxes``, line ``taxes``;
* before: ``refund``, ``tax_amounts``, line ``tax_amounts``, ``amount_excluding_tax`` and
  ``unit_amount_excluding_tax``.

Fields Stripe added without a new version (``pre_payment_amount``/``post_payment_amount``,
``effective_at``, ``pretax_credit_amounts``, ``customer_account``, line ``metadata``) are
returned at every version, as Stripe does for backwards-compatible additions.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any, TypeAlias

from ._errors import ApiError
from ._state import (
    BalanceTransaction,
    CreditNote,
    CreditNoteLine,
    Customer,
    Invoice,
    InvoiceLine,
    Refund,
    Store,
    TaxPart,
    TaxRate,
)
from ._versions import ApiVersion

__all__ = [
    "EMBEDDED_LINES",
    "ExpandTree",
    "credit_note_expandable",
    "parse_expand",
    "render_balance_transaction",
    "render_credit_note",
    "render_customer",
    "render_invoice",
    "render_line",
    "render_list",
    "render_refund",
    "render_tax_rate",
]

ExpandTree: TypeAlias = dict[str, "ExpandTree"]
JSON: TypeAlias = dict[str, Any]

#: How many lines a credit note embeds before ``lines.has_more`` is true (as on Stripe).
EMBEDDED_LINES = 10

_INVOICE_EXPANDABLE: ExpandTree = {"customer": {}}


def credit_note_expandable(version: ApiVersion) -> ExpandTree:
    tree: ExpandTree = {
        "customer": {},
        "customer_balance_transaction": {},
        "invoice": dict(_INVOICE_EXPANDABLE),
    }
    if version.uses_refunds_array:
        tree["refunds"] = {"refund": {}}
    else:
        tree["refund"] = {}
    return tree


def invoice_expandable() -> ExpandTree:
    return dict(_INVOICE_EXPANDABLE)


def parse_expand(
    paths: Sequence[str] | None, allowed: ExpandTree, *, is_list: bool = False
) -> ExpandTree:
    """Turn ``["data.invoice", ...]`` into a tree, refusing what cannot be expanded."""
    tree: ExpandTree = {}
    for path in paths or ():
        parts = path.split(".")
        node, allowed_node = tree, ({"data": allowed} if is_list else allowed)
        for part in parts:
            if part not in allowed_node:
                hint = ""
                if is_list and parts[0] in allowed:
                    hint = f" You may want to try expanding 'data.{path}' instead."
                raise ApiError(
                    400,
                    f"This property cannot be expanded ({path}).{hint}",
                    param="expand",
                    saved=False,
                )
            allowed_node = allowed_node[part]
            node = node.setdefault(part, {})
    return tree


def _ordered(obj: JSON) -> JSON:
    """``id`` and ``object`` first, then the other keys alphabetically, as Stripe prints them."""
    head: JSON = {k: obj[k] for k in ("id", "object") if k in obj}
    return {**head, **{k: obj[k] for k in sorted(obj) if k not in head}}


def decimal_str(value: Decimal | None) -> str | None:
    if value is None:
        return None
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral() else float(value)


def render_list(data: list[JSON], url: str, has_more: bool) -> JSON:
    return {"object": "list", "data": data, "has_more": has_more, "url": url}


# Credit notes ------------------------------------------------------------------------------


def _tax_item(part: TaxPart, version: ApiVersion) -> JSON:
    if version.uses_total_taxes:
        return {
            "amount": part.amount,
            "tax_behavior": "inclusive" if part.inclusive else "exclusive",
            "tax_rate_details": {"tax_rate": part.tax_rate},
            "taxability_reason": "not_available",
            "taxable_amount": part.taxable_amount,
            "type": "tax_rate_details",
        }
    return {
        "amount": part.amount,
        "inclusive": part.inclusive,
        "tax_rate": part.tax_rate,
        "taxability_reason": None,
        "taxable_amount": part.taxable_amount,
    }


def _aggregate(parts: Iterable[TaxPart]) -> list[TaxPart]:
    """One entry per (tax rate, inclusive), in first-seen order."""
    totals: dict[tuple[str, bool], TaxPart] = {}
    for part in parts:
        key = (part.tax_rate, part.inclusive)
        if key in totals:
            totals[key].amount += part.amount
            totals[key].taxable_amount += part.taxable_amount
        else:
            totals[key] = TaxPart(part.tax_rate, part.amount, part.inclusive, part.taxable_amount)
    return list(totals.values())


def render_line(store: Store, line: CreditNoteLine, version: ApiVersion) -> JSON:
    obj: JSON = {
        "id": line.id,
        "object": "credit_note_line_item",
        "amount": line.amount,
        "description": line.description,
        "discount_amount": 0,
        "discount_amounts": [],
        "livemode": False,
        "metadata": dict(line.metadata),
        "pretax_credit_amounts": [],
        "quantity": line.quantity,
        "tax_rates": [
            render_tax_rate(store.tax_rates[rid])
            for rid in line.tax_rates
            if rid in store.tax_rates
        ],
        "type": line.type,
        "unit_amount": line.unit_amount,
        "unit_amount_decimal": decimal_str(line.unit_amount_decimal),
    }
    if line.invoice_line_item is not None:
        obj["invoice_line_item"] = line.invoice_line_item
    if version.uses_total_taxes:
        obj["taxes"] = [_tax_item(t, version) for t in line.taxes]
    else:
        obj["tax_amounts"] = [_tax_item(t, version) for t in line.taxes]
        excluding = line.amount - line.inclusive_tax
        obj["amount_excluding_tax"] = excluding
        obj["unit_amount_excluding_tax"] = (
            decimal_str(Decimal(excluding) / line.quantity) if line.quantity else None
        )
    return _ordered(obj)


def _refund_ref(store: Store, refund_id: str, expand: ExpandTree | None) -> Any:
    if expand is not None and refund_id in store.refunds:
        return render_refund(store.refunds[refund_id])
    return refund_id


def render_credit_note(
    store: Store,
    note: CreditNote,
    version: ApiVersion,
    expand: ExpandTree,
    *,
    lines_url: str | None = None,
) -> JSON:
    exclusive, inclusive = note.exclusive_tax, note.inclusive_tax
    obj: JSON = {
        "id": note.id,
        "object": "credit_note",
        "amount": note.total,
        "amount_shipping": note.amount_shipping,
        "created": note.created,
        "currency": note.currency,
        "customer": note.customer,
        "customer_account": None,
        "customer_balance_transaction": note.customer_balance_transaction,
        "discount_amount": 0,
        "discount_amounts": [],
        "effective_at": note.effective_at,
        "invoice": note.invoice,
        "lines": render_list(
            [render_line(store, line, version) for line in note.lines[:EMBEDDED_LINES]],
            lines_url or f"/v1/credit_notes/{note.id}/lines",
            len(note.lines) > EMBEDDED_LINES,
        ),
        "livemode": False,
        "memo": note.memo,
        "metadata": dict(note.metadata),
        "number": note.number,
        "out_of_band_amount": note.out_of_band_amount,
        "pdf": note.pdf,
        "post_payment_amount": note.post_payment_amount,
        "pre_payment_amount": note.pre_payment_amount,
        "pretax_credit_amounts": [],
        "reason": note.reason,
        "shipping_cost": (
            {
                "amount_subtotal": note.amount_shipping,
                "amount_tax": 0,
                "amount_total": note.amount_shipping,
                "shipping_rate": note.shipping_rate,
                "taxes": [],
            }
            if note.shipping_rate is not None
            else None
        ),
        "status": note.status,
        "subtotal": note.subtotal,
        "subtotal_excluding_tax": note.subtotal - inclusive,
        "total": note.total,
        "total_excluding_tax": note.total - exclusive - inclusive,
        "type": note.type,
        "voided_at": note.voided_at,
    }
    taxes = [_tax_item(t, version) for t in _aggregate(t for ln in note.lines for t in ln.taxes)]
    if version.uses_refunds_array:
        refund_expand = expand.get("refunds", {}).get("refund")
        obj["refunds"] = [
            {
                "amount_refunded": link.amount_refunded,
                "payment_record_refund": None,
                "refund": _refund_ref(store, link.refund, refund_expand),
                "type": "refund",
            }
            for link in note.refunds
        ]
        obj["total_taxes"] = taxes
    else:
        first = note.refunds[0].refund if note.refunds else None
        obj["refund"] = None if first is None else _refund_ref(store, first, expand.get("refund"))
        obj["tax_amounts"] = taxes
    if "invoice" in expand and note.invoice in store.invoices:
        obj["invoice"] = render_invoice(store, store.invoices[note.invoice], expand["invoice"])
    if "customer" in expand and note.customer in store.customers:
        obj["customer"] = render_customer(store.customers[note.customer])
    txn = note.customer_balance_transaction
    if "customer_balance_transaction" in expand and txn in store.balance_transactions:
        obj["customer_balance_transaction"] = render_balance_transaction(
            store.balance_transactions[txn]
        )
    return _ordered(obj)


# Other objects -----------------------------------------------------------------------------


def render_tax_rate(rate: TaxRate) -> JSON:
    return _ordered(
        {
            "id": rate.id,
            "object": "tax_rate",
            "active": True,
            "country": rate.country,
            "created": rate.created,
            "description": None,
            "display_name": rate.display_name,
            "effective_percentage": _number(rate.percentage),
            "flat_amount": None,
            "inclusive": rate.inclusive,
            "jurisdiction": rate.jurisdiction,
            "jurisdiction_level": None,
            "livemode": False,
            "metadata": {},
            "percentage": _number(rate.percentage),
            "rate_type": "percentage",
            "state": None,
            "tax_type": rate.tax_type,
        }
    )


def _invoice_line(invoice: Invoice, line: InvoiceLine) -> JSON:
    return _ordered(
        {
            "id": line.id,
            "object": "line_item",
            "amount": line.amount,
            "currency": invoice.currency,
            "description": line.description,
            "invoice": invoice.id,
            "livemode": False,
            "metadata": {},
            "quantity": line.quantity,
            "tax_rates": list(line.tax_rates),
            "taxes": [
                {
                    "amount": t.amount,
                    "tax_behavior": "inclusive" if t.inclusive else "exclusive",
                    "tax_rate_details": {"tax_rate": t.tax_rate},
                    "taxability_reason": "not_available",
                    "taxable_amount": t.taxable_amount,
                    "type": "tax_rate_details",
                }
                for t in line.taxes
            ],
            "unit_amount": line.unit_amount,
        }
    )


def render_invoice(store: Store, invoice: Invoice, expand: ExpandTree) -> JSON:
    """The fields of an invoice the emulator models (a subset of Stripe's invoice)."""
    customer: Any = invoice.customer
    if "customer" in expand and invoice.customer in store.customers:
        customer = render_customer(store.customers[invoice.customer])
    return _ordered(
        {
            "id": invoice.id,
            "object": "invoice",
            "amount_due": invoice.amount_due,
            "amount_paid": invoice.amount_paid,
            "amount_remaining": invoice.amount_remaining,
            "amount_shipping": invoice.amount_shipping,
            "charge": invoice.charge,
            "created": invoice.created,
            "currency": invoice.currency,
            "customer": customer,
            "lines": render_list(
                [_invoice_line(invoice, line) for line in invoice.lines],
                f"/v1/invoices/{invoice.id}/lines",
                False,
            ),
            "livemode": False,
            "metadata": dict(invoice.metadata),
            "number": invoice.number,
            "post_payment_credit_notes_amount": invoice.post_payment_credit_notes_amount,
            "pre_payment_credit_notes_amount": invoice.pre_payment_credit_notes_amount,
            "shipping_cost": (
                {
                    "amount_subtotal": invoice.shipping.amount_subtotal,
                    "amount_tax": invoice.shipping.amount_tax,
                    "amount_total": invoice.shipping.amount_total,
                    "shipping_rate": invoice.shipping.shipping_rate,
                    "taxes": [],
                }
                if invoice.shipping
                else None
            ),
            "status": invoice.status,
            "subtotal": invoice.subtotal,
            "tax": invoice.tax,
            "total": invoice.total,
            "total_excluding_tax": invoice.total
            - invoice.tax
            - sum(t.amount for ln in invoice.lines for t in ln.taxes if t.inclusive),
        }
    )


def render_customer(customer: Customer) -> JSON:
    return _ordered(
        {
            "id": customer.id,
            "object": "customer",
            "balance": customer.balance,
            "created": customer.created,
            "currency": customer.currency,
            "email": customer.email,
            "invoice_prefix": customer.invoice_prefix,
            "livemode": False,
            "metadata": dict(customer.metadata),
            "name": customer.name,
        }
    )


def render_refund(refund: Refund) -> JSON:
    return _ordered(
        {
            "id": refund.id,
            "object": "refund",
            "amount": refund.amount,
            "charge": refund.charge,
            "created": refund.created,
            "currency": refund.currency,
            "metadata": {},
            "reason": None,
            "status": refund.status,
        }
    )


def render_balance_transaction(txn: BalanceTransaction) -> JSON:
    return _ordered(
        {
            "id": txn.id,
            "object": "customer_balance_transaction",
            "amount": txn.amount,
            "created": txn.created,
            "credit_note": txn.credit_note,
            "currency": txn.currency,
            "customer": txn.customer,
            "description": txn.description,
            "ending_balance": txn.ending_balance,
            "invoice": None,
            "livemode": False,
            "metadata": {},
            "type": txn.type,
        }
    )
