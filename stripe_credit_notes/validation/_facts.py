"""What can be known locally about a credit-note request: T, R, C, O and AR as bounds.

Amounts Stripe computes on its side (the amount of an invoice line, a tax, a shipping rate, the
full amount of a linked refund) are unknown here; instead of guessing them, the validator works
with bounds ``[lo, hi]`` (``None`` = unbounded) and only reports a violation it can prove for
every value inside them.
"""

from __future__ import annotations

import decimal
import re
from collections.abc import Mapping, Sequence
from typing import Any, Final, Literal, TypeGuard

import attrs

from .._operation import OperationKey
from .._operations import OPERATIONS
from .._param_schemas import PARAM_SCHEMAS
from ..versions import LATEST, V2025_03_31_BASIL, ApiVersion
from ._bounds import int_text
from ._invoice import InvoiceSnapshot
from ._schema import fits_schema

__all__ = [
    "CREDIT_NOTE_OPERATIONS",
    "LIST_OPERATIONS",
    "Bounds",
    "Context",
    "CreditNoteOperation",
    "ListOperation",
    "decimal_places",
    "given",
    "is_int",
    "line_path",
    "linked_refunds",
    "nonempty_list",
    "parse_decimal",
    "used",
]

TAX_AMOUNTS_MAX: Final = 20
"""``lines[].tax_amounts`` holds at most 20 items (10 in the docs before 2026-06-24.dahlia)."""
LINE_TYPES: Final = ("invoice_line_item", "custom_line_item")
ONLY_INVOICE_LINE: Final = ("amount", "invoice_line_item")
ONLY_CUSTOM_LINE: Final = ("description", "unit_amount", "unit_amount_decimal", "tax_rates")

CreditNoteOperation = Literal["create", "preview", "preview_lines"]
"""The operations that take credit-note parameters (``POST /v1/credit_notes`` and the previews)."""

ListOperation = Literal["list", "list_lines", "preview_lines"]
"""The operations that take a ``limit``."""

# Both sets come from the generated operation table, keyed by (resource, method).
CREDIT_NOTE_OPERATIONS: frozenset[OperationKey] = frozenset(
    key for key, op in OPERATIONS.items() if op.allocation_checked
)
"""The operations the allocation rules check (``("credit_notes", "create")``, ...)."""
LIST_OPERATIONS: frozenset[OperationKey] = frozenset(
    key for key, op in OPERATIONS.items() if op.paginated
)
"""The operations that page, and so take a ``limit``."""


def given(value: object) -> bool:
    """``None`` is "not given" and ``""`` is Stripe's "unset": neither counts as a value."""
    return value is not None and not (isinstance(value, str) and value == "")


def used(value: object) -> bool:
    """Given, and not an empty list (which is encoded as nothing)."""
    if isinstance(value, (list, tuple)):
        return len(value) > 0
    return given(value)


def is_int(value: object) -> TypeGuard[int]:
    """An ``int`` that is not a ``bool``."""
    return isinstance(value, int) and not isinstance(value, bool)


def nonempty_list(value: object) -> TypeGuard[list[Any] | tuple[Any, ...]]:
    """A list/tuple with at least one item (an empty one is encoded as nothing)."""
    return isinstance(value, (list, tuple)) and len(value) > 0


def line_path(index: int, field: str | None = None) -> str:
    """The Stripe name of a line parameter: ``lines[0][unit_amount]``."""
    return f"lines[{index}]" if field is None else f"lines[{index}][{field}]"


@attrs.frozen
class Bounds:
    """An integer known to lie in ``[lo, hi]``; ``None`` means unbounded on that side."""

    #: Lower bound, or ``None`` for no lower bound.
    lo: int | None
    #: Upper bound, or ``None`` for no upper bound.
    hi: int | None

    @classmethod
    def point(cls, value: int) -> Bounds:
        """Exactly ``value``."""
        return cls(value, value)

    @classmethod
    def at_least(cls, value: int | None) -> Bounds:
        """``value`` or more."""
        return cls(value, None)

    @property
    def exact(self) -> int | None:
        """The value when it is known exactly, else ``None``."""
        return self.lo if self.lo is not None and self.lo == self.hi else None

    def __add__(self, other: Bounds) -> Bounds:
        lo = None if self.lo is None or other.lo is None else self.lo + other.lo
        hi = None if self.hi is None or other.hi is None else self.hi + other.hi
        return Bounds(lo, hi)

    def shift(self, value: int) -> Bounds:
        """The bounds moved by ``value``."""
        return Bounds(
            None if self.lo is None else self.lo + value,
            None if self.hi is None else self.hi + value,
        )

    def __str__(self) -> str:
        if self.exact is not None:
            return int_text(self.exact)
        lo = "-inf" if self.lo is None else int_text(self.lo)
        hi = "+inf" if self.hi is None else int_text(self.hi)
        return f"[{lo}, {hi}]"


_ZERO = Bounds.point(0)
_UNKNOWN = Bounds(None, None)
_NON_NEGATIVE = Bounds(0, None)


_DECIMAL_TEXT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")


def parse_decimal(value: object) -> decimal.Decimal | None:
    """A finite ``Decimal`` from a ``Decimal``, an ``int`` or a plain decimal ``str``."""
    if isinstance(value, str) and not _DECIMAL_TEXT.fullmatch(value):
        return None
    if not (isinstance(value, (decimal.Decimal, str)) or is_int(value)):
        return None
    result = decimal.Decimal(value)
    return result if result.is_finite() else None


def linked_refunds(params: Mapping[str, Any], version: ApiVersion) -> list[str]:
    """IDs of the refunds the request links in full, so whose amount counts in R.

    ``refund`` before basil; from basil the ``refunds[]`` items of type ``refund`` without
    ``amount_refunded`` (Stripe then takes the whole refund).
    """
    if version < V2025_03_31_BASIL:
        single = params.get("refund")
        return [single] if isinstance(single, str) and single else []
    items = params.get("refunds")
    found: list[str] = []
    for item in items if nonempty_list(items) else ():
        if not isinstance(item, Mapping) or given(item.get("amount_refunded")):
            continue
        linked = item.get("refund")
        is_refund = item.get("type") in (None, "", "refund")
        if is_refund and isinstance(linked, str) and linked and linked not in found:
            found.append(linked)
    return found


def decimal_places(number: decimal.Decimal) -> int:
    """Decimal places of a finite ``number``, trailing zeros not counted (no rounding)."""
    _, digits, exponent = number.as_tuple()
    assert isinstance(exponent, int)
    trailing = 0
    for digit in reversed(digits):
        if digit != 0:
            break
        trailing += 1
    return max(-(exponent + trailing), 0)


def _has_taxes(line: Mapping[str, Any]) -> bool:
    return nonempty_list(line.get("tax_rates")) or nonempty_list(line.get("tax_amounts"))


def _plain_lines(lines: object) -> bool:
    """See :attr:`Context.plain_lines`: stricter than each rule, so only ever sufficient."""
    if lines is None:
        return True
    if lines.__class__ is not list:
        return False
    assert isinstance(lines, list)
    for line in lines:
        if line.__class__ is not dict:
            return False
        get = line.get
        kind = get("type")
        if kind == "invoice_line_item":
            item = get("invoice_line_item")
            if item.__class__ is not str or not item:
                return False
            for name in ONLY_CUSTOM_LINE:
                if get(name) is not None:
                    return False
            amount = get("amount")
            if amount is not None and (amount.__class__ is not int or amount < 0):
                return False
        elif kind == "custom_line_item":
            for name in ONLY_INVOICE_LINE:
                if get(name) is not None:
                    return False
            if get("unit_amount_decimal") is not None:
                return False
            unit = get("unit_amount")
            if unit is not None and unit.__class__ is not int:
                return False
        else:
            return False
        quantity = get("quantity")
        if quantity is not None and quantity.__class__ is not int:
            return False
        taxes = get("tax_amounts")
        if taxes is None:
            continue
        if taxes.__class__ is not list or len(taxes) > TAX_AMOUNTS_MAX:
            return False
        if taxes and get("tax_rates") is not None:
            return False
        for tax in taxes:
            if tax.__class__ is not dict:
                return False
            rate = tax.get("tax_rate")
            if (
                tax.get("amount").__class__ is not int
                or tax.get("taxable_amount").__class__ is not int
                or rate.__class__ is not str
                or not rate
            ):
                return False
    return True


@attrs.define
class Context:
    """The request being checked plus everything derived from it (computed on first use).

    The derived amounts assume the structural rules already passed (they run first).
    """

    operation: OperationKey
    params: Mapping[str, Any]
    version: ApiVersion
    invoice: InvoiceSnapshot | None = None
    # The derived facts, worked out on first use (a plain slot: functools.cached_property on a
    # slotted class costs about a microsecond per first access, several times per request).
    _line_items: list[tuple[int, Mapping[str, Any]]] | None = attrs.field(
        default=None, init=False, repr=False, eq=False
    )
    _total: tuple[Bounds, tuple[str, ...]] | None = attrs.field(
        default=None, init=False, repr=False, eq=False
    )
    _refunded: tuple[Bounds, tuple[str, ...]] | None = attrs.field(
        default=None, init=False, repr=False, eq=False
    )
    _plain_lines: bool | None = attrs.field(default=None, init=False, repr=False, eq=False)
    _within_schema: bool | None = attrs.field(default=None, init=False, repr=False, eq=False)

    # -- raw accessors ---------------------------------------------------------------------

    def lines(self) -> Sequence[Mapping[str, Any]]:
        """The ``lines`` items (empty when not given)."""
        value = self.params.get("lines")
        return value if nonempty_list(value) else ()

    @property
    def line_items(self) -> list[tuple[int, Mapping[str, Any]]]:
        """``(index, line)`` for each ``lines`` item that is a dict, worked out once per request.

        The line rules all walk these; the params do not change while they are checked.
        """
        found = self._line_items
        if found is None:
            found = self._line_items = self._find_line_items()
        return found

    def _find_line_items(self) -> list[tuple[int, Mapping[str, Any]]]:
        value = self.params.get("lines")
        if value.__class__ is not list and not nonempty_list(value):
            return []
        # `dict` first: the ABC check behind `Mapping` is several times slower.
        return [
            (i, item)
            for i, item in enumerate(value)
            if item.__class__ is dict or isinstance(item, Mapping)
        ]

    @property
    def plain_lines(self) -> bool:
        """True only when every line rule would pass: one loop proves them all at once.

        The line rules ask this first and return ``passed`` without their own loop when it is
        True; when it is False (anything unusual: a decimal unit amount, an unset ``""``, a
        tuple, a wrong type) it says nothing, and each rule runs its full check and finds the
        first violation in table order. It only accepts what is plainly valid, so it never
        changes an answer (``tests/test_validation_fast_paths.py`` pins that).
        """
        found = self._plain_lines
        if found is None:
            found = self._plain_lines = _plain_lines(self.params.get("lines"))
        return found

    @property
    def within_schema(self) -> bool:
        """True only when both ``params.bounds`` and ``params.schema`` would pass: one walk.

        Those two rules ask this first; when it is False each runs its own full walk and finds
        the first problem (see :func:`~._schema.fits_schema`).
        """
        found = self._within_schema
        if found is None:
            schema = PARAM_SCHEMAS.get(self.operation)
            # The spec knows the enum values up to its own version; a newer pin may accept more.
            found = fits_schema(self.params, schema, check_enums=self.version <= LATEST)
            self._within_schema = found
        return found

    def refund_items(self) -> Sequence[Mapping[str, Any]]:
        """The ``refunds`` items (empty when not given)."""
        value = self.params.get("refunds")
        return value if nonempty_list(value) else ()

    def amount(self, name: str) -> int | None:
        """A top-level integer amount, ``None`` when not given."""
        value = self.params.get(name)
        return value if given(value) and is_int(value) else None

    # -- derived facts ---------------------------------------------------------------------

    @property
    def total(self) -> tuple[Bounds, tuple[str, ...]]:
        """T, the credit note total, and why it is not exact (empty when it is)."""
        found = self._total
        if found is None:
            found = self._total = self._compute_total()
        return found

    def _compute_total(self) -> tuple[Bounds, tuple[str, ...]]:
        amount = self.amount("amount")
        if amount is not None:
            return Bounds.point(amount), ()
        # The sum of the parts' bounds, in plain ints (None: unbounded on that side).
        lo: int | None = 0
        hi: int | None = 0
        why: list[str] = []
        shipping = self.params.get("shipping_cost")
        if shipping is not None and isinstance(shipping, Mapping) and shipping:
            hi = None  # + [0, +inf)
            why.append("shipping_cost: the shipping amount comes from the invoice's shipping rate")
        for index, line in enumerate(self.lines()):
            part, reason = self._line_total(index, line)
            lo = None if lo is None or part.lo is None else lo + part.lo
            hi = None if hi is None or part.hi is None else hi + part.hi
            if reason:
                why.append(reason)
        return Bounds(lo, hi), tuple(why)

    def _line_total(self, index: int, line: Mapping[str, Any]) -> tuple[Bounds, str | None]:
        path = line_path(index)
        if line.get("type") != "custom_line_item":
            return _UNKNOWN, (
                f"{path} is an invoice_line_item: its amount, discounts and taxes are on the invoice"
            )
        quantity = line.get("quantity")
        quantity = quantity if given(quantity) and is_int(quantity) else None
        unit_amount = line.get("unit_amount")
        if quantity is not None and unit_amount.__class__ is int:
            # The common case in ints: the product is exact, so no Decimal is needed.
            whole = unit_amount * quantity
            if _has_taxes(line):
                if whole < 0:
                    return _UNKNOWN, f"{path} has taxes on a negative amount"
                return Bounds.at_least(whole), f"{path} has taxes, computed by Stripe"
            return Bounds(whole, whole), None
        unit: decimal.Decimal | None = None
        if given(unit_amount) and is_int(unit_amount):
            unit = decimal.Decimal(unit_amount)
        elif given(line.get("unit_amount_decimal")):
            unit = parse_decimal(line.get("unit_amount_decimal"))
        if quantity is None or unit is None:
            missing = "quantity" if quantity is None else "unit_amount"
            non_negative = (unit is None or unit >= 0) and (quantity is None or quantity >= 0)
            return (_NON_NEGATIVE if non_negative else _UNKNOWN), (
                f"{path} has no {missing}: Stripe fills it in"
            )
        with decimal.localcontext() as exact:
            exact.prec = 100  # exact for the digits the bounds and format rules let through
            product = unit * quantity
        floor = int(product.to_integral_value(rounding=decimal.ROUND_FLOOR))
        ceiling = int(product.to_integral_value(rounding=decimal.ROUND_CEILING))
        base = Bounds(floor, ceiling)
        reason = None if floor == ceiling else f"{path}: unit_amount_decimal x quantity is rounded"
        if _has_taxes(line):
            if floor < 0:
                return _UNKNOWN, f"{path} has taxes on a negative amount"
            return Bounds.at_least(floor), f"{path} has taxes, computed by Stripe"
        return base, reason

    @property
    def allocatable_total(self) -> Bounds:
        """T clamped at 0: a negative total leaves nothing to refund, credit or record."""
        total = self.total[0]
        return Bounds(
            0 if total.lo is None else max(total.lo, 0),
            None if total.hi is None else max(total.hi, 0),
        )

    @property
    def refunded(self) -> tuple[Bounds, tuple[str, ...]]:
        """R = ``refund_amount`` + linked refunds, and why it is not exact."""
        found = self._refunded
        if found is None:
            found = self._refunded = self._compute_refunded()
        return found

    def _compute_refunded(self) -> tuple[Bounds, tuple[str, ...]]:
        result = Bounds.point(self.amount("refund_amount") or 0)
        single = self.params.get("refund")
        if single is None and not self.refund_items():
            return result, ()  # no linked refund: R is refund_amount alone
        why: list[str] = []
        known = self.invoice.refund_amounts if self.invoice is not None else {}
        hint = "state it in InvoiceSnapshot(refund_amounts=...) or use fetch_invoice=True"
        if given(single):
            amount = known.get(single) if isinstance(single, str) else None
            if amount is not None:
                result = result.shift(amount)
            else:
                result = result + _NON_NEGATIVE
                why.append(f"refund: the linked refund counts in full, its amount unknown ({hint})")
        for index, item in enumerate(self.refund_items()):
            if not isinstance(item, Mapping):
                result = result + _NON_NEGATIVE
                continue
            value = item.get("amount_refunded")
            linked = item.get("refund")
            if is_int(value):
                result = result.shift(value)
            elif (
                item.get("type") in (None, "", "refund")
                and isinstance(linked, str)
                and (linked in known)
            ):
                result = result.shift(known[linked])
            else:
                result = result + _NON_NEGATIVE
                why.append(
                    f"refunds[{index}] has no amount_refunded: it defaults to the whole refund, "
                    f"whose amount is unknown ({hint})"
                )
        return result, tuple(why)

    @property
    def credit(self) -> int:
        """C = ``credit_amount`` (0 when not given)."""
        return self.amount("credit_amount") or 0

    @property
    def out_of_band(self) -> int | None:
        """O = ``out_of_band_amount``, ``None`` when not given."""
        return self.amount("out_of_band_amount")

    @property
    def allocated(self) -> Bounds:
        """R + C + O."""
        return self.refunded[0].shift(self.credit + (self.out_of_band or 0))

    @property
    def amount_remaining(self) -> int | None:
        """AR as the rules use it (0 for a paid invoice), ``None`` without a snapshot."""
        return None if self.invoice is None else self.invoice.effective_amount_remaining

    def post_payment(self, amount_remaining: int) -> Bounds:
        """post = T - min(T, max(AR, 0)) = max(T - AR, 0), as bounds (monotone in T)."""
        total = self.total[0]
        ar = max(amount_remaining, 0)
        lo = None if total.lo is None else max(total.lo - ar, 0)
        hi = None if total.hi is None else max(total.hi - ar, 0)
        return Bounds(0 if lo is None else lo, hi)
