"""Loading the vendored OpenAPI documents and naming what the generator emits.

Stripe's schema names are machine names (``billing_bill_resource_invoicing_taxes_tax``); the
tables here give them the names a hand-written library would use. A schema with no entry gets
its name in PascalCase, so a new schema still generates, just with a plainer name.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
NEWEST_SPEC = ROOT / "spec" / "credit_notes.openapi.json"
OLDEST_SPEC = ROOT / "spec" / "credit_notes.2022-11-15.openapi.json"
OLDEST_VERSION = "2022-11-15"  # the older spec's info.version was overwritten; see spec/README.md

Schema = dict[str, Any]

MODEL_NAMES: dict[str, str] = {
    "api_errors": "ErrorObject",
    "error": "ErrorResponse",
    "billing.credit_balance_transaction": "CreditBalanceTransaction",
    "billing_bill_resource_invoicing_taxes_tax": "Tax",
    "billing_bill_resource_invoicing_taxes_tax_rate_details": "TaxRateDetails",
    "credit_notes_payment_record_refund": "PaymentRecordRefund",
    "credit_notes_pretax_credit_amount": "PretaxCreditAmount",
    "discounts_resource_discount_amount": "DiscountAmount",
    "invoices_resource_shipping_cost": "ShippingCost",
    "invoices_shipping_cost": "ShippingCost",  # the 2022-11-15 name of the same shape
    "line_items_tax_amount": "LineItemTaxAmount",
    "notification_event_data": "EventData",
    "notification_event_request": "EventRequest",
}

# Inline request-parameter objects, by their schema title.
PARAM_NAMES: dict[str, str] = {
    "credit_note_line_item_params": "CreditNoteLineParams",
    "tax_amount_with_tax_rate_param": "LineTaxAmountParams",
    "credit_note_refund_params": "CreditNoteRefundParams",
    "payment_record_refund_params": "PaymentRecordRefundParams",
    "credit_note_shipping_cost": "ShippingCostParams",
    "range_query_specs": "RangeQueryParams",
}


def pascal(name: str) -> str:
    """``credit_note_line_item`` -> ``CreditNoteLineItem``."""
    return "".join(part[:1].upper() + part[1:] for part in name.replace(".", "_").split("_"))


def model_name(schema_name: str) -> str:
    """The Python class name for a component schema."""
    return MODEL_NAMES.get(schema_name) or pascal(schema_name)


def load(path: Path) -> Schema:
    """Parse one vendored OpenAPI document."""
    with path.open(encoding="utf-8") as f:
        data: Schema = json.load(f)
    return data


def ref_name(node: Schema) -> str | None:
    """The component name a ``$ref`` node points at, or ``None``."""
    ref = node.get("$ref")
    if ref is None:
        return None
    prefix = "#/components/schemas/"
    if not ref.startswith(prefix):
        raise ValueError(f"unsupported $ref {ref!r}")
    return str(ref[len(prefix) :])


def list_model_name(node: Schema) -> str | None:
    """The class of an inline list envelope (its item's class + ``List``), or ``None``.

    Stripe writes every list envelope inline (``CreditNotesList``, ``NotificationEventList``),
    with the same four properties; the item schema names it.
    """
    props = node.get("properties", {})
    if set(props) != {"data", "has_more", "object", "url"}:
        return None
    item = ref_name(props["data"].get("items", {}))
    return None if item is None else model_name(item) + "List"
