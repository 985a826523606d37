"""Stripe's credit-note rules: totals, limits, the pre/post-payment split and the allocation of
refunds, customer balance credit and out-of-band credit, as they apply at a given API version.

``build_draft`` checks a create/preview request against the state without changing anything;
``issue`` applies a draft (numbers, refunds, balance credit, invoice totals); ``void`` reverses
what can be reversed.

Names used below, as in the project's reference notes::

    T    the credit note total (lines + exclusive taxes + shipping, or ``amount``)
    AR   the invoice's amount_remaining when the note is created
    R    refund_amount + linked refunds      C  credit_amount      O  out_of_band_amount

* from 2025-05-28.basil: ``pre = min(T, max(AR, 0))``, ``post = T - pre``, ``R + C + O == post``;
* 2019-12-03 up to 2025-05-28.basil: a paid invoice's note is all post-payment and
  ``R + C + O == T`` (``out_of_band_amount`` is required when ``R + C < T``); an open invoice's
  note is all pre-payment and may not exceed ``AR``;
* before 2019-12-03: as above, except that ``O`` is optional for a paid invoice: ``T - R - C`` is
  allocated to ``out_of_band_amount`` automatically, and ``R + C`` may not exceed ``T``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ._errors import ApiError, invalid_request, resource_missing
from ._state import (
    CreditNote,
    CreditNoteLine,
    Invoice,
    InvoiceLine,
    Refund,
    RefundLink,
    Store,
    TaxPart,
    new_id,
    round_half_up,
)
from ._versions import (
    ALLOCATION_AUTO_OUT_OF_BAND,
    ALLOCATION_POST_PAYMENT,
    ApiVersion,
)

__all__ = ["Draft", "apply_update", "build_draft", "issue", "merge_metadata", "preview", "void"]


@dataclass
class Draft:
    """A checked credit note that has not been applied to the state."""

    invoice: Invoice
    lines: list[CreditNoteLine]
    subtotal: int
    total: int
    amount_shipping: int
    shipping_rate: str | None
    pre_payment_amount: int
    post_payment_amount: int
    type: str
    new_refund_amount: int
    links: list[RefundLink]
    credit_amount: int
    out_of_band_amount: int | None
    memo: str | None
    metadata: dict[str, str]
    reason: str | None
    effective_at: int | None


def _too_large(message: str, param: str | None) -> ApiError:
    return invalid_request(message, param=param, code="amount_too_large")


def _too_small(message: str, param: str | None) -> ApiError:
    return invalid_request(message, param=param, code="amount_too_small")


def _non_negative(value: int | None, param: str) -> int:
    if value is None:
        return 0
    if value < 0:
        raise _too_small(f"{param} must be greater than or equal to 0, got {value}.", param)
    return value


def build_draft(
    store: Store,
    version: ApiVersion,
    params: Mapping[str, Any],
    *,
    line_id: Callable[[int], str],
) -> Draft:
    """Check a create/preview request; raise ``ApiError`` the way Stripe refuses it."""
    invoice_id: str = params["invoice"]
    invoice = store.invoices.get(invoice_id)
    if invoice is None:
        raise resource_missing("invoice", invoice_id, param="invoice")

    raw_lines: list[dict[str, Any]] = params.get("lines") or []
    shipping_param = params.get("shipping_cost") or {}
    shipping_rate: str | None = shipping_param.get("shipping_rate")
    amount_param: int | None = params.get("amount")
    if not raw_lines and shipping_rate is None and amount_param is None:
        raise invalid_request("One of `amount`, `lines`, or `shipping_cost` must be provided.")
    if amount_param is not None and amount_param <= 0:
        raise _too_small(f"amount must be greater than 0, got {amount_param}.", "amount")

    lines = _build_lines(store, invoice, raw_lines, line_id)
    amount_shipping = _shipping_amount(store, invoice, shipping_rate)
    subtotal = sum(line.amount for line in lines)
    computed = subtotal + sum(line.exclusive_tax for line in lines) + amount_shipping
    total_param = "amount" if amount_param is not None else ("lines" if lines else "shipping_cost")
    if raw_lines or shipping_rate is not None:
        total = computed
        if amount_param is not None and amount_param != computed:
            raise invalid_request(
                f"amount ({amount_param}) must equal the credit note total computed from lines "
                f"and shipping_cost ({computed}).",
                param="amount",
            )
    else:
        total = subtotal = amount_param or 0
    if total <= 0:
        raise _too_small(f"The credit note total must be positive, got {total}.", total_param)

    issued = sum(cn.total for cn in store.issued_credit_notes(invoice.id))
    if issued + total > invoice.total:
        raise _too_large(
            f"The credit notes of invoice {invoice.id} would total {issued + total}, more than "
            f"the invoice total ({invoice.total}); at most {invoice.total - issued} can still "
            "be credited.",
            total_param,
        )

    new_refund = _non_negative(params.get("refund_amount"), "refund_amount")
    links = _refund_links(store, version, invoice, params, new_refund)
    credit = _non_negative(params.get("credit_amount"), "credit_amount")
    out_of_band: int | None = params.get("out_of_band_amount")
    _non_negative(out_of_band, "out_of_band_amount")
    refundable = invoice.amount_paid - sum(r.amount for r in store.refunds_of(invoice.id))
    if new_refund > refundable:
        raise _too_large(
            f"refund_amount ({new_refund}) is more than can still be refunded on the invoice's "
            f"payment ({refundable}).",
            "refund_amount",
        )

    pre, post = _split(version, invoice, total, total_param)
    linked = sum(link.amount_refunded for link in links)
    capacity = (
        invoice.amount_paid
        - invoice.post_payment_credit_notes_amount
        - store.unlinked_refunds_total(invoice.id)
        + linked
    )
    if post > capacity:
        raise _too_large(
            f"The post-payment amount of this credit note ({post}) is more than can still be "
            f"credited against the invoice's payments ({max(capacity, 0)}): the amount paid, "
            "less earlier post-payment credit notes and refunds not linked to a credit note.",
            total_param,
        )
    out_of_band = _allocate(
        version, invoice, total, post, new_refund + linked, credit, out_of_band, params
    )
    if post == 0:
        note_type = "pre_payment"
    elif pre == 0:
        note_type = "post_payment"
    else:
        note_type = "mixed"
    metadata = {k: v for k, v in (params.get("metadata") or {}).items() if v != ""}
    return Draft(
        invoice=invoice,
        lines=lines,
        subtotal=subtotal,
        total=total,
        amount_shipping=amount_shipping,
        shipping_rate=shipping_rate,
        pre_payment_amount=pre,
        post_payment_amount=post,
        type=note_type,
        new_refund_amount=new_refund,
        links=links,
        credit_amount=credit,
        out_of_band_amount=out_of_band,
        memo=params.get("memo"),
        metadata=metadata,
        reason=params.get("reason"),
        effective_at=params.get("effective_at"),
    )


# Lines -------------------------------------------------------------------------------------


def _build_lines(
    store: Store,
    invoice: Invoice,
    raw_lines: Sequence[Mapping[str, Any]],
    line_id: Callable[[int], str],
) -> list[CreditNoteLine]:
    credited: dict[str, int] = {}
    for cn in store.issued_credit_notes(invoice.id):
        for line in cn.lines:
            if line.invoice_line_item is not None:
                credited[line.invoice_line_item] = (
                    credited.get(line.invoice_line_item, 0) + line.amount
                )
    lines = []
    for index, spec in enumerate(raw_lines):
        path = f"lines[{index}]"
        if spec["type"] == "invoice_line_item":
            line = _invoice_line(store, invoice, spec, path, credited, line_id(index))
        else:
            line = _custom_line(store, spec, path, line_id(index))
        lines.append(line)
    return lines


def _forbid(spec: Mapping[str, Any], path: str, keys: Sequence[str], line_type: str) -> None:
    for key in keys:
        if spec.get(key) is not None:
            raise invalid_request(
                f"{path}[{key}] can only be used on lines of type `{line_type}`.",
                param=f"{path}[{key}]",
            )


def _invoice_line(
    store: Store,
    invoice: Invoice,
    spec: Mapping[str, Any],
    path: str,
    credited: dict[str, int],
    line_id: str,
) -> CreditNoteLine:
    _forbid(
        spec,
        path,
        ("unit_amount", "unit_amount_decimal", "description", "tax_rates"),
        "custom_line_item",
    )
    item_id: str | None = spec.get("invoice_line_item")
    if item_id is None:
        raise ApiError(
            400,
            f"Missing required param: {path}[invoice_line_item].",
            code="parameter_missing",
            param=f"{path}[invoice_line_item]",
        )
    item = invoice.line(item_id)
    if item is None:
        raise resource_missing(
            f"line item on invoice {invoice.id}", item_id, param=f"{path}[invoice_line_item]"
        )
    quantity: int | None = spec.get("quantity")
    amount: int | None = spec.get("amount")
    if quantity is not None and not 1 <= quantity <= item.quantity:
        raise invalid_request(
            f"{path}[quantity] must be between 1 and the invoice line's quantity "
            f"({item.quantity}), got {quantity}.",
            param=f"{path}[quantity]",
        )
    if amount is not None:
        if amount <= 0:
            raise _too_small(f"{path}[amount] must be greater than 0.", f"{path}[amount]")
        credit = amount
    elif quantity is not None:
        credit = _quantity_amount(item, quantity)
    else:
        credit, quantity = item.amount, item.quantity
    left = item.amount - credited.get(item.id, 0)
    if credit > left:
        param = f"{path}[amount]" if amount is not None else f"{path}[quantity]"
        raise _too_large(
            f"{path} credits {credit} of invoice line item {item.id}, but only {left} of it "
            "is left to credit.",
            param if amount is not None or quantity is not None else path,
        )
    credited[item.id] = credited.get(item.id, 0) + credit
    explicit = spec.get("tax_amounts")
    if explicit:
        taxes = _explicit_taxes(store, explicit, path)
        rate_ids = _unique(t.tax_rate for t in taxes)
    else:
        rate_ids = list(item.tax_rates)
        taxes = [_tax_part(store, rid, credit) for rid in rate_ids]
    return CreditNoteLine(
        id=line_id,
        type="invoice_line_item",
        amount=credit,
        quantity=quantity,
        unit_amount=item.unit_amount,
        unit_amount_decimal=None if item.unit_amount is None else Decimal(item.unit_amount),
        description=item.description,
        invoice_line_item=item.id,
        tax_rates=rate_ids,
        taxes=taxes,
        metadata=_line_metadata(spec),
    )


def _quantity_amount(item: InvoiceLine, quantity: int) -> int:
    if item.unit_amount is not None:
        return item.unit_amount * quantity
    return round_half_up(Decimal(item.amount) * quantity / item.quantity)


def _custom_line(store: Store, spec: Mapping[str, Any], path: str, line_id: str) -> CreditNoteLine:
    _forbid(spec, path, ("invoice_line_item", "amount"), "invoice_line_item")
    unit_amount: int | None = spec.get("unit_amount")
    unit_decimal: Decimal | None = spec.get("unit_amount_decimal")
    if unit_amount is not None and unit_decimal is not None:
        raise invalid_request(
            f"You may only specify one of {path}[unit_amount] and {path}[unit_amount_decimal].",
            param=f"{path}[unit_amount_decimal]",
        )
    if unit_amount is None and unit_decimal is None:
        raise ApiError(
            400,
            f"Missing required param: {path}[unit_amount].",
            code="parameter_missing",
            param=f"{path}[unit_amount]",
        )
    quantity: int = spec.get("quantity") or 1
    if quantity < 1:
        raise invalid_request(f"{path}[quantity] must be at least 1.", param=f"{path}[quantity]")
    if unit_decimal is not None:
        if unit_decimal < 0:
            raise _too_small(
                f"{path}[unit_amount_decimal] must not be negative.",
                f"{path}[unit_amount_decimal]",
            )
        amount = round_half_up(unit_decimal * quantity)
        unit_amount = int(unit_decimal) if unit_decimal == unit_decimal.to_integral() else None
    else:
        assert unit_amount is not None
        if unit_amount < 0:
            raise _too_small(f"{path}[unit_amount] must not be negative.", f"{path}[unit_amount]")
        amount = unit_amount * quantity
        unit_decimal = Decimal(unit_amount)
    rate_ids: list[str] = spec.get("tax_rates") or []
    explicit = spec.get("tax_amounts")
    if rate_ids and explicit:
        raise invalid_request(
            f"{path}[tax_amounts] cannot be used together with {path}[tax_rates].",
            param=f"{path}[tax_amounts]",
        )
    if explicit:
        taxes = _explicit_taxes(store, explicit, path)
        rate_ids = _unique(t.tax_rate for t in taxes)
    else:
        for j, rid in enumerate(rate_ids):
            if rid not in store.tax_rates:
                raise resource_missing("tax rate", rid, param=f"{path}[tax_rates][{j}]")
        taxes = [_tax_part(store, rid, amount) for rid in rate_ids]
    return CreditNoteLine(
        id=line_id,
        type="custom_line_item",
        amount=amount,
        quantity=quantity,
        unit_amount=unit_amount,
        unit_amount_decimal=unit_decimal,
        description=spec.get("description"),
        invoice_line_item=None,
        tax_rates=list(rate_ids),
        taxes=taxes,
        metadata=_line_metadata(spec),
    )


def _line_metadata(spec: Mapping[str, Any]) -> dict[str, str]:
    return {k: v for k, v in (spec.get("metadata") or {}).items() if v != ""}


def _unique(values: Any) -> list[str]:
    seen: list[str] = []
    for value in values:
        if value not in seen:
            seen.append(value)
    return seen


def _tax_part(store: Store, rate_id: str, amount: int) -> TaxPart:
    rate = store.tax_rates[rate_id]
    tax = rate.tax_on(amount)
    return TaxPart(
        tax_rate=rate.id,
        amount=tax,
        inclusive=rate.inclusive,
        taxable_amount=amount - tax if rate.inclusive else amount,
    )


def _explicit_taxes(store: Store, items: Sequence[Mapping[str, Any]], path: str) -> list[TaxPart]:
    taxes = []
    for j, item in enumerate(items):
        where = f"{path}[tax_amounts][{j}]"
        rate = store.tax_rates.get(item["tax_rate"])
        if rate is None:
            raise resource_missing("tax rate", item["tax_rate"], param=f"{where}[tax_rate]")
        _non_negative(item["amount"], f"{where}[amount]")
        _non_negative(item["taxable_amount"], f"{where}[taxable_amount]")
        taxes.append(
            TaxPart(
                tax_rate=rate.id,
                amount=item["amount"],
                inclusive=rate.inclusive,
                taxable_amount=item["taxable_amount"],
            )
        )
    return taxes


def _shipping_amount(store: Store, invoice: Invoice, shipping_rate: str | None) -> int:
    if shipping_rate is None:
        return 0
    param = "shipping_cost[shipping_rate]"
    if invoice.shipping is None or invoice.shipping.shipping_rate != shipping_rate:
        raise invalid_request(
            f"shipping_cost[shipping_rate] must be the shipping rate of invoice {invoice.id}"
            f" ({invoice.shipping.shipping_rate if invoice.shipping else 'it has none'}).",
            param=param,
        )
    if any(cn.amount_shipping for cn in store.issued_credit_notes(invoice.id)):
        raise _too_large(f"The shipping cost of invoice {invoice.id} is already credited.", param)
    return invoice.shipping.amount_total


# Refunds and allocation --------------------------------------------------------------------


def _refund_links(
    store: Store,
    version: ApiVersion,
    invoice: Invoice,
    params: Mapping[str, Any],
    new_refund: int,
) -> list[RefundLink]:
    pending: dict[str, int] = {}
    links = []
    if version.uses_refunds_array:
        for j, item in enumerate(params.get("refunds") or []):
            path = f"refunds[{j}]"
            if item.get("type") == "payment_record_refund":
                record = item.get("payment_record_refund")
                if record is None:
                    raise ApiError(
                        400,
                        f"Missing required param: {path}[payment_record_refund].",
                        code="parameter_missing",
                        param=f"{path}[payment_record_refund]",
                    )
                raise resource_missing(
                    "payment record",
                    record["payment_record"],
                    param=f"{path}[payment_record_refund][payment_record]",
                )
            refund_id = item.get("refund")
            if refund_id is None:
                raise ApiError(
                    400,
                    f"Missing required param: {path}[refund].",
                    code="parameter_missing",
                    param=f"{path}[refund]",
                )
            links.append(
                _link(store, invoice, refund_id, item.get("amount_refunded"), path, pending)
            )
    else:
        refund_id = params.get("refund")
        if refund_id is not None:
            if new_refund:
                raise invalid_request(
                    "You may only specify one of `refund` and `refund_amount`: before "
                    "2025-03-31.basil a credit note has at most one refund.",
                    param="refund",
                )
            links.append(_link(store, invoice, refund_id, None, "refund", pending))
    return links


def _link(
    store: Store,
    invoice: Invoice,
    refund_id: str,
    amount: int | None,
    path: str,
    pending: dict[str, int],
) -> RefundLink:
    refund_param = path if path == "refund" else f"{path}[refund]"
    refund = store.refunds.get(refund_id)
    if refund is None:
        raise resource_missing("refund", refund_id, param=refund_param)
    if refund.invoice != invoice.id:
        raise invalid_request(
            f"Refund {refund_id} is not a refund of a payment of invoice {invoice.id}.",
            param=refund_param,
        )
    left = refund.amount - store.linked_amount(refund_id) - pending.get(refund_id, 0)
    if left <= 0:
        raise invalid_request(
            f"Refund {refund_id} is already fully accounted for by credit notes.",
            param=refund_param,
        )
    linked = left if amount is None else amount
    amount_param = f"{path}[amount_refunded]"
    if linked <= 0:
        raise _too_small(f"{amount_param} must be greater than 0.", amount_param)
    if linked > left:
        raise _too_large(
            f"{amount_param} ({linked}) is more than the part of refund {refund_id} not yet "
            f"linked to a credit note ({left}).",
            amount_param,
        )
    pending[refund_id] = pending.get(refund_id, 0) + linked
    return RefundLink(refund=refund_id, amount_refunded=linked)


def _split(version: ApiVersion, invoice: Invoice, total: int, total_param: str) -> tuple[int, int]:
    """(pre_payment_amount, post_payment_amount) of a note of ``total`` on ``invoice``."""
    remaining = invoice.amount_remaining
    if version.allocation_rule == ALLOCATION_POST_PAYMENT:
        pre = min(total, max(remaining, 0))
        return pre, total - pre
    if invoice.status == "paid":
        return 0, total
    if total > remaining:
        raise _too_large(
            f"The credit note total ({total}) is more than the open invoice's amount_remaining "
            f"({remaining}). API versions before 2025-05-28.basil cannot split a credit note "
            "between an open invoice's amount_remaining and its payments.",
            total_param,
        )
    return total, 0


def _allocate(
    version: ApiVersion,
    invoice: Invoice,
    total: int,
    post: int,
    refunded: int,
    credit: int,
    out_of_band: int | None,
    params: Mapping[str, Any],
) -> int | None:
    """Check refund + credit + out of band against the rule; return ``out_of_band_amount``."""
    allocated = refunded + credit + (out_of_band or 0)
    named = _allocation_param(params)
    if post == 0:
        if allocated:
            reason = (
                "its post_payment_amount is 0 (it fits in the invoice's amount_remaining)"
                if version.allocation_rule == ALLOCATION_POST_PAYMENT
                else f"invoice {invoice.id} is not paid"
            )
            raise invalid_request(
                f"This credit note only reduces the amount due, because {reason}: refunds, "
                "credit_amount and out_of_band_amount must be 0 or absent.",
                param=named,
            )
        return out_of_band
    if version.allocation_rule == ALLOCATION_AUTO_OUT_OF_BAND:
        if refunded + credit > total:
            raise _too_large(
                f"The refunds ({refunded}) and credit_amount ({credit}) add up to more than the "
                f"credit note total ({total}).",
                named,
            )
        if out_of_band is None:
            rest = total - refunded - credit
            return rest if rest > 0 else None
        if allocated != total:
            raise invalid_request(
                f"The refunds ({refunded}), credit_amount ({credit}) and out_of_band_amount "
                f"({out_of_band}) must add up to the credit note total ({total}).",
                param="out_of_band_amount",
            )
        return out_of_band
    if version.allocation_rule == ALLOCATION_POST_PAYMENT:
        target, what = post, "post_payment_amount"
    else:
        target, what = total, "credit note total"
    if allocated != target:
        if out_of_band is None and refunded + credit < target:
            raise invalid_request(
                f"out_of_band_amount is required: the refunds ({refunded}) and credit_amount "
                f"({credit}) add up to less than the {what} ({target}).",
                param="out_of_band_amount",
            )
        raise invalid_request(
            f"The refunds ({refunded}), credit_amount ({credit}) and out_of_band_amount "
            f"({out_of_band or 0}) must add up to the {what} ({target}), not {allocated}.",
            param=named,
        )
    return out_of_band


def _allocation_param(params: Mapping[str, Any]) -> str | None:
    for name in ("out_of_band_amount", "credit_amount", "refund_amount", "refunds", "refund"):
        if params.get(name):
            return name
    return None


# Applying ----------------------------------------------------------------------------------


def _new_note(store: Store, draft: Draft, note_id: str, number: str) -> CreditNote:
    invoice = draft.invoice
    now = store.now()
    return CreditNote(
        id=note_id,
        number=number,
        invoice=invoice.id,
        customer=invoice.customer,
        currency=invoice.currency,
        created=now,
        sequence=0,
        lines=draft.lines,
        subtotal=draft.subtotal,
        total=draft.total,
        amount_shipping=draft.amount_shipping,
        shipping_rate=draft.shipping_rate,
        pre_payment_amount=draft.pre_payment_amount,
        post_payment_amount=draft.post_payment_amount,
        type=draft.type,
        refunds=list(draft.links),
        credit_amount=draft.credit_amount,
        out_of_band_amount=draft.out_of_band_amount,
        customer_balance_transaction=None,
        memo=draft.memo,
        metadata=dict(draft.metadata),
        reason=draft.reason,
        effective_at=draft.effective_at if draft.effective_at is not None else now,
        pdf=f"https://pay.stripe.com/credit_notes/acct_emulator/test_{note_id}/pdf?s=ap",
    )


def _number(invoice: Invoice, sequence: int) -> str:
    return f"{invoice.number}-CN-{sequence:02d}"


def preview(store: Store, draft: Draft, note_id: str) -> CreditNote:
    """The credit note ``draft`` would become, without changing anything.

    A refund that ``refund_amount`` would create does not exist yet, so it is not listed in
    ``refunds``; linked refunds are.
    """
    invoice = draft.invoice
    return _new_note(store, draft, note_id, _number(invoice, invoice.credit_note_sequence + 1))


def issue(store: Store, draft: Draft) -> CreditNote:
    """Apply ``draft``: number it, create the refund, credit the balance, update the invoice."""
    invoice = draft.invoice
    invoice.credit_note_sequence += 1
    note = _new_note(store, draft, new_id("cn"), _number(invoice, invoice.credit_note_sequence))
    note.sequence = store.next_sequence()
    if draft.new_refund_amount:
        refund = Refund(
            id=new_id("re"),
            amount=draft.new_refund_amount,
            charge=invoice.charge,
            invoice=invoice.id,
            currency=invoice.currency,
            created=note.created,
            credit_note=note.id,
        )
        store.refunds[refund.id] = refund
        note.refunds.insert(0, RefundLink(refund=refund.id, amount_refunded=refund.amount))
    if draft.credit_amount:
        customer = store.customers[invoice.customer]
        txn = store.add_balance_transaction(
            customer, -draft.credit_amount, invoice.currency, note.id, f"Credit note {note.number}"
        )
        note.customer_balance_transaction = txn.id
    invoice.pre_payment_credit_notes_amount += note.pre_payment_amount
    invoice.post_payment_credit_notes_amount += note.post_payment_amount
    store.credit_notes[note.id] = note
    return note


def void(store: Store, note: CreditNote) -> None:
    """Void ``note`` once: restore the invoice's amounts and reverse the balance credit.

    Money that left through a refund cannot come back: the refund stays, no longer linked to
    an issued credit note, so it still reduces what later credit notes can credit.
    """
    if note.status == "void":
        raise invalid_request(
            f"Credit note {note.id} is already void; a credit note can only be voided once.",
            param="id",
        )
    invoice = store.invoices[note.invoice]
    invoice.pre_payment_credit_notes_amount -= note.pre_payment_amount
    invoice.post_payment_credit_notes_amount -= note.post_payment_amount
    if note.credit_amount:
        store.add_balance_transaction(
            store.customers[note.customer],
            note.credit_amount,
            note.currency,
            note.id,
            f"Void of credit note {note.number}",
        )
    note.status = "void"
    note.voided_at = store.now()


def merge_metadata(current: Mapping[str, str], update: Mapping[str, str]) -> dict[str, str]:
    """Stripe's metadata update: ``{}`` clears everything, ``""`` values delete a key."""
    if not update:
        return {}
    merged = dict(current)
    for key, value in update.items():
        if value == "":
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


def apply_update(note: CreditNote, params: Mapping[str, Any]) -> None:
    if "memo" in params:
        note.memo = params["memo"]
    if "metadata" in params:
        note.metadata = merge_metadata(note.metadata, params["metadata"])
