"""The emulator's state: customers, tax rates, invoices, refunds, balance transactions and
credit notes, guarded by one lock.

Amounts are integers in the currency's smallest unit, as on Stripe. Invoice amounts follow
Stripe's definitions:

* ``amount_due = total - pre_payment_credit_notes_amount`` (no starting balance is modelled);
* ``amount_remaining = amount_due - amount_paid``;
* ``status`` is ``paid`` when ``amount_remaining`` is zero, otherwise ``open``.

The ``seed_*`` methods are the setup API behind ``Emulator`` and the ``/_emulator`` routes; they
raise ``ValueError`` for bad input.
"""

from __future__ import annotations

import secrets
import string
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

__all__ = [
    "BalanceTransaction",
    "CreditNote",
    "CreditNoteLine",
    "Customer",
    "Invoice",
    "InvoiceLine",
    "Refund",
    "RefundLink",
    "Shipping",
    "Store",
    "TaxPart",
    "TaxRate",
    "new_id",
]

_ALPHABET = string.ascii_letters + string.digits


def new_id(prefix: str, length: int = 24) -> str:
    """A random Stripe-style id such as ``cn_1a2B...``."""
    return f"{prefix}_" + "".join(secrets.choice(_ALPHABET) for _ in range(length))


def round_half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass
class TaxRate:
    id: str
    percentage: Decimal
    inclusive: bool
    display_name: str
    created: int
    jurisdiction: str | None = None
    country: str | None = None
    tax_type: str | None = None

    def tax_on(self, amount: int) -> int:
        """The tax in ``amount`` (inclusive rate) or on top of it (exclusive rate)."""
        if self.inclusive:
            net = Decimal(amount) * 100 / (100 + self.percentage)
            return amount - round_half_up(net)
        return round_half_up(Decimal(amount) * self.percentage / 100)


@dataclass
class TaxPart:
    """One tax amount on a line: which rate, how much, and on what taxable amount."""

    tax_rate: str
    amount: int
    inclusive: bool
    taxable_amount: int


@dataclass
class Customer:
    id: str
    balance: int
    currency: str | None
    name: str | None
    email: str | None
    created: int
    invoice_prefix: str
    next_invoice_sequence: int = 1
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass
class BalanceTransaction:
    id: str
    customer: str
    amount: int
    currency: str
    credit_note: str | None
    type: str
    ending_balance: int
    created: int
    description: str | None = None


@dataclass
class InvoiceLine:
    id: str
    amount: int
    """Tax-exclusive for exclusive rates, tax-inclusive for inclusive ones (as on Stripe)."""
    quantity: int
    unit_amount: int | None
    description: str | None
    tax_rates: list[str]
    taxes: list[TaxPart]


@dataclass
class Shipping:
    shipping_rate: str
    amount_subtotal: int
    amount_tax: int
    amount_total: int


@dataclass
class Invoice:
    id: str
    number: str
    customer: str
    currency: str
    lines: list[InvoiceLine]
    subtotal: int
    tax: int
    """Exclusive taxes only: inclusive ones are already in the line amounts."""
    shipping: Shipping | None
    total: int
    amount_paid: int
    created: int
    charge: str | None = None
    pre_payment_credit_notes_amount: int = 0
    post_payment_credit_notes_amount: int = 0
    credit_note_sequence: int = 0
    metadata: dict[str, str] = field(default_factory=dict)

    @property
    def amount_due(self) -> int:
        return self.total - self.pre_payment_credit_notes_amount

    @property
    def amount_remaining(self) -> int:
        return self.amount_due - self.amount_paid

    @property
    def status(self) -> str:
        return "paid" if self.amount_remaining <= 0 else "open"

    @property
    def amount_shipping(self) -> int:
        return self.shipping.amount_total if self.shipping else 0

    def line(self, line_id: str) -> InvoiceLine | None:
        return next((line for line in self.lines if line.id == line_id), None)


@dataclass
class Refund:
    id: str
    amount: int
    charge: str | None
    invoice: str
    currency: str
    created: int
    credit_note: str | None
    """The credit note whose ``refund_amount`` created this refund, if any."""
    status: str = "succeeded"


@dataclass
class RefundLink:
    refund: str
    amount_refunded: int


@dataclass
class CreditNoteLine:
    id: str
    type: str
    amount: int
    quantity: int | None
    unit_amount: int | None
    unit_amount_decimal: Decimal | None
    description: str | None
    invoice_line_item: str | None
    tax_rates: list[str]
    taxes: list[TaxPart]
    metadata: dict[str, str]

    @property
    def inclusive_tax(self) -> int:
        return sum(t.amount for t in self.taxes if t.inclusive)

    @property
    def exclusive_tax(self) -> int:
        return sum(t.amount for t in self.taxes if not t.inclusive)


@dataclass
class CreditNote:
    id: str
    number: str
    invoice: str
    customer: str
    currency: str
    created: int
    sequence: int
    """Creation order across the whole store: breaks ties between equal ``created``."""
    lines: list[CreditNoteLine]
    subtotal: int
    total: int
    amount_shipping: int
    shipping_rate: str | None
    pre_payment_amount: int
    post_payment_amount: int
    type: str
    refunds: list[RefundLink]
    credit_amount: int
    out_of_band_amount: int | None
    customer_balance_transaction: str | None
    memo: str | None
    metadata: dict[str, str]
    reason: str | None
    effective_at: int
    pdf: str
    status: str = "issued"
    voided_at: int | None = None

    @property
    def inclusive_tax(self) -> int:
        return sum(line.inclusive_tax for line in self.lines)

    @property
    def exclusive_tax(self) -> int:
        return sum(line.exclusive_tax for line in self.lines)


class Store:
    """Every object the emulator knows, plus a clock. Hold ``lock`` while reading or writing."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self._fixed_now: int | None = None
        self._clock_offset = 0
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.customers: dict[str, Customer] = {}
            self.tax_rates: dict[str, TaxRate] = {}
            self.invoices: dict[str, Invoice] = {}
            self.refunds: dict[str, Refund] = {}
            self.balance_transactions: dict[str, BalanceTransaction] = {}
            self.credit_notes: dict[str, CreditNote] = {}
            self.sequence = 0
            self._fixed_now = None
            self._clock_offset = 0

    # Clock -----------------------------------------------------------------------------------

    def now(self) -> int:
        if self._fixed_now is not None:
            return self._fixed_now
        return int(time.time()) + self._clock_offset

    def set_time(self, timestamp: int | None) -> None:
        """Freeze the clock at ``timestamp`` (``None``: follow the real clock again)."""
        with self.lock:
            self._fixed_now = timestamp
            self._clock_offset = 0

    def advance_time(self, seconds: int) -> int:
        with self.lock:
            if self._fixed_now is not None:
                self._fixed_now += seconds
            else:
                self._clock_offset += seconds
            return self.now()

    def next_sequence(self) -> int:
        self.sequence += 1
        return self.sequence

    # Derived amounts -------------------------------------------------------------------------

    def issued_credit_notes(self, invoice_id: str) -> list[CreditNote]:
        return [
            cn
            for cn in self.credit_notes.values()
            if cn.invoice == invoice_id and cn.status == "issued"
        ]

    def linked_amount(self, refund_id: str) -> int:
        """How much of a refund issued credit notes account for."""
        return sum(
            link.amount_refunded
            for cn in self.credit_notes.values()
            if cn.status == "issued"
            for link in cn.refunds
            if link.refund == refund_id
        )

    def refunds_of(self, invoice_id: str) -> list[Refund]:
        return [r for r in self.refunds.values() if r.invoice == invoice_id]

    def unlinked_refunds_total(self, invoice_id: str) -> int:
        """Refunds of the invoice's payment that no issued credit note accounts for."""
        return sum(r.amount - self.linked_amount(r.id) for r in self.refunds_of(invoice_id))

    # Setup API -------------------------------------------------------------------------------

    def seed_customer(
        self,
        *,
        balance: int = 0,
        currency: str | None = "usd",
        name: str | None = None,
        email: str | None = None,
        customer_id: str | None = None,
    ) -> Customer:
        _require_int("balance", balance)
        with self.lock:
            cid = customer_id or new_id("cus", 14)
            if cid in self.customers:
                raise ValueError(f"customer {cid} already exists")
            prefix = secrets.token_hex(4).upper()
            customer = Customer(
                id=cid,
                balance=balance,
                currency=currency,
                name=name,
                email=email,
                created=self.now(),
                invoice_prefix=prefix,
            )
            self.customers[cid] = customer
            return customer

    def seed_tax_rate(
        self,
        *,
        percentage: Decimal | float | int | str,
        inclusive: bool = False,
        display_name: str = "Tax",
        jurisdiction: str | None = None,
        country: str | None = None,
        tax_type: str | None = None,
    ) -> TaxRate:
        pct = Decimal(str(percentage))
        if not pct.is_finite() or pct < 0 or pct > 100:
            raise ValueError(f"percentage must be between 0 and 100, got {percentage!r}")
        with self.lock:
            rate = TaxRate(
                id=new_id("txr"),
                percentage=pct,
                inclusive=bool(inclusive),
                display_name=display_name,
                created=self.now(),
                jurisdiction=jurisdiction,
                country=country,
                tax_type=tax_type,
            )
            self.tax_rates[rate.id] = rate
            return rate

    def seed_invoice(
        self,
        *,
        lines: Sequence[Mapping[str, Any]],
        customer: str | None = None,
        currency: str = "usd",
        paid: bool = False,
        amount_paid: int | None = None,
        number: str | None = None,
        shipping: int | Mapping[str, Any] | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> Invoice:
        """An open (or paid) finalized invoice.

        ``lines``: mappings with ``amount`` (or ``unit_amount`` and ``quantity``), optional
        ``description`` and ``tax_rates`` (ids from :meth:`seed_tax_rate`). ``paid=True`` pays
        the whole total; ``amount_paid`` pays part of it. ``shipping`` is an amount (a shipping
        rate id is made up) or a mapping with ``amount`` and optional ``shipping_rate``.
        """
        if not lines:
            raise ValueError("an invoice needs at least one line")
        if paid and amount_paid is not None:
            raise ValueError("give either paid=True or amount_paid, not both")
        with self.lock:
            if customer is None:
                owner = self.seed_customer(currency=currency)
            elif customer in self.customers:
                owner = self.customers[customer]
            else:
                raise ValueError(f"no such customer: {customer}")
            built = [self._build_invoice_line(i, spec) for i, spec in enumerate(lines)]
            ship = _build_shipping(shipping)
            subtotal = sum(line.amount for line in built)
            tax = sum(t.amount for line in built for t in line.taxes if not t.inclusive)
            total = subtotal + tax + (ship.amount_total if ship else 0)
            if total <= 0:
                raise ValueError("an invoice's total must be positive")
            paid_amount = total if paid else (amount_paid or 0)
            _require_int("amount_paid", paid_amount)
            if paid_amount < 0 or paid_amount > total:
                raise ValueError(f"amount_paid must be between 0 and the total {total}")
            if number is None:
                number = f"{owner.invoice_prefix}-{owner.next_invoice_sequence:04d}"
                owner.next_invoice_sequence += 1
            invoice = Invoice(
                id=new_id("in"),
                number=number,
                customer=owner.id,
                currency=currency.lower(),
                lines=built,
                subtotal=subtotal,
                tax=tax,
                shipping=ship,
                total=total,
                amount_paid=paid_amount,
                created=self.now(),
                charge=new_id("ch") if paid_amount > 0 else None,
                metadata=dict(metadata or {}),
            )
            self.invoices[invoice.id] = invoice
            return invoice

    def _build_invoice_line(self, index: int, spec: Mapping[str, Any]) -> InvoiceLine:
        unknown = set(spec) - {"amount", "unit_amount", "quantity", "description", "tax_rates"}
        if unknown:
            raise ValueError(f"lines[{index}]: unknown keys {sorted(unknown)}")
        quantity = int(spec.get("quantity", 1))
        raw_unit = spec.get("unit_amount")
        raw_amount = spec.get("amount")
        unit_amount: int | None
        if raw_amount is None:
            if raw_unit is None:
                raise ValueError(f"lines[{index}]: give amount or unit_amount")
            unit_amount = int(raw_unit)
            amount = unit_amount * quantity
        else:
            amount = int(raw_amount)
            if raw_unit is not None:
                unit_amount = int(raw_unit)
            elif quantity > 0 and amount % quantity == 0:
                unit_amount = amount // quantity
            else:
                unit_amount = None
        if amount <= 0 or quantity <= 0:
            raise ValueError(f"lines[{index}]: amount and quantity must be positive")
        rate_ids = [str(r) for r in spec.get("tax_rates", ())]
        taxes = []
        for rate_id in rate_ids:
            rate = self.tax_rates.get(rate_id)
            if rate is None:
                raise ValueError(f"lines[{index}]: no such tax rate {rate_id}")
            tax = rate.tax_on(amount)
            taxes.append(
                TaxPart(
                    tax_rate=rate.id,
                    amount=tax,
                    inclusive=rate.inclusive,
                    taxable_amount=amount - tax if rate.inclusive else amount,
                )
            )
        return InvoiceLine(
            id=new_id("il"),
            amount=amount,
            quantity=quantity,
            unit_amount=unit_amount,
            description=spec.get("description"),
            tax_rates=rate_ids,
            taxes=taxes,
        )

    def pay_invoice(self, invoice_id: str, amount: int | None = None) -> Invoice:
        """Record a payment (the whole ``amount_remaining`` when ``amount`` is ``None``)."""
        with self.lock:
            invoice = self._invoice(invoice_id)
            pay = invoice.amount_remaining if amount is None else amount
            _require_int("amount", pay)
            if pay <= 0 or pay > invoice.amount_remaining:
                raise ValueError(
                    f"a payment must be between 1 and amount_remaining "
                    f"({invoice.amount_remaining}), got {pay}"
                )
            invoice.amount_paid += pay
            if invoice.charge is None:
                invoice.charge = new_id("ch")
            return invoice

    def seed_refund(self, invoice_id: str, amount: int) -> Refund:
        """A refund made through the Refund API on the invoice's payment (no credit note)."""
        _require_int("amount", amount)
        with self.lock:
            invoice = self._invoice(invoice_id)
            refundable = invoice.amount_paid - sum(r.amount for r in self.refunds_of(invoice.id))
            if amount <= 0 or amount > refundable:
                raise ValueError(f"a refund must be between 1 and {refundable}, got {amount}")
            refund = Refund(
                id=new_id("re"),
                amount=amount,
                charge=invoice.charge,
                invoice=invoice.id,
                currency=invoice.currency,
                created=self.now(),
                credit_note=None,
            )
            self.refunds[refund.id] = refund
            return refund

    def _invoice(self, invoice_id: str) -> Invoice:
        invoice = self.invoices.get(invoice_id)
        if invoice is None:
            raise ValueError(f"no such invoice: {invoice_id}")
        return invoice

    def count_credit_notes(self, *, invoice: str | None = None, status: str | None = None) -> int:
        with self.lock:
            return sum(
                1
                for cn in self.credit_notes.values()
                if (invoice is None or cn.invoice == invoice)
                and (status is None or cn.status == status)
            )

    def add_balance_transaction(
        self, customer: Customer, amount: int, currency: str, credit_note: str, description: str
    ) -> BalanceTransaction:
        customer.balance += amount
        txn = BalanceTransaction(
            id=new_id("cbtxn"),
            customer=customer.id,
            amount=amount,
            currency=currency,
            credit_note=credit_note,
            type="credit_note",
            ending_balance=customer.balance,
            created=self.now(),
            description=description,
        )
        self.balance_transactions[txn.id] = txn
        return txn


def _require_int(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be an integer, got {value!r}")


def _build_shipping(shipping: int | Mapping[str, Any] | None) -> Shipping | None:
    if shipping is None:
        return None
    if isinstance(shipping, Mapping):
        amount = shipping.get("amount")
        rate = shipping.get("shipping_rate") or new_id("shr")
    else:
        amount, rate = shipping, new_id("shr")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise ValueError(f"shipping amount must be a positive integer, got {amount!r}")
    return Shipping(
        shipping_rate=str(rate), amount_subtotal=amount, amount_tax=0, amount_total=amount
    )
