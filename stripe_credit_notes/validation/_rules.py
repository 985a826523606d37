"""The credit-note rules: ONE table (:data:`RULES`) keyed by API-version ranges.

Each row says which versions (``since`` inclusive, ``until`` exclusive) and operations it covers,
which parameters it is about, and the check to run. The checks never look at the version: every
version difference lives in the ``since``/``until`` columns of the table. The evaluator
(``_check.py``) walks the table in order and raises on the first violation.

A check returns an :class:`Outcome`: ``passed`` (checked with exact numbers), ``bounded``
(checked with bounds, nothing provably wrong), ``skipped`` (cannot be checked locally) or
``violated`` (with the message, the parameters, the fix and the numbers).
"""

from __future__ import annotations

import decimal
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, Final, Literal

import attrs

from .._operation import OperationKey
from .._param_schemas import PARAM_SCHEMAS
from ..versions import LATEST, V2019_12_03, V2025_03_31_BASIL, V2025_05_28_BASIL, ApiVersion
from ._bounds import MAX_INT_DIGITS, bounds_violation, quote
from ._facts import (
    CREDIT_NOTE_OPERATIONS,
    LINE_TYPES,
    LIST_OPERATIONS,
    ONLY_CUSTOM_LINE,
    ONLY_INVOICE_LINE,
    TAX_AMOUNTS_MAX,
    Bounds,
    Context,
    decimal_places,
    given,
    is_int,
    line_path,
    nonempty_list,
    parse_decimal,
    used,
)
from ._schema import located, property_checkers

# Every operation of the spec: the schema rule applies to all of them.
ALL_OPERATIONS: Final = frozenset(PARAM_SCHEMAS)

__all__ = [
    "LIMIT_MAX",
    "LIMIT_MIN",
    "RULES",
    "RULES_BY_ID",
    "TAX_AMOUNTS_MAX",
    "Outcome",
    "Rule",
    "Status",
    "Target",
]

Status = Literal["passed", "bounded", "skipped", "violated"]
Target = Literal["total", "post_payment"]

LIMIT_MIN: Final = 1
LIMIT_MAX: Final = 100
REFUND_TYPES: Final = ("refund", "payment_record_refund")
AMOUNT_PARAMS: Final = ("amount", "credit_amount", "refund_amount", "out_of_band_amount")
UNIT_AMOUNT_DECIMAL_PLACES: Final = 12


_NO_DETAILS: Final[Mapping[str, Any]] = MappingProxyType({})


@attrs.frozen
class Outcome:
    """What one check found."""

    status: Status
    #: Why the check was bounded or skipped (``None`` when it passed exactly).
    reason: str | None = None
    #: What was unknown: any of ``"T"``, ``"R"``, ``"AR"``, ``"invoice_status"``.
    unknowns: frozenset[str] = frozenset()
    message: str | None = None
    params: tuple[str, ...] = ()
    fix: str | None = None
    # An empty, immutable default: no dict is made for every outcome that has no details.
    details: Mapping[str, Any] = _NO_DETAILS


PASSED: Final = Outcome("passed")


def _violated(
    message: str, params: tuple[str, ...], fix: str, details: Mapping[str, Any] | None = None
) -> Outcome:
    return Outcome("violated", message=message, params=params, fix=fix, details=dict(details or {}))


Check = Callable[[Context], Outcome]


@attrs.frozen
class Rule:
    """One row of the rules table."""

    #: Stable identifier, used as ``ValidationError.rule``.
    id: str
    #: The rule in one sentence.
    title: str
    #: The rule as a formula or condition.
    formula: str
    #: The parameters the rule is about.
    params: tuple[str, ...]
    check: Check = attrs.field(repr=False)
    #: First version the rule applies to (inclusive); ``None`` = every earlier version.
    since: ApiVersion | None = None
    #: First version the rule no longer applies to; ``None`` = still in force.
    until: ApiVersion | None = None
    #: Operations the rule applies to.
    operations: frozenset[OperationKey] = CREDIT_NOTE_OPERATIONS
    #: For allocation rules: what R + C + O must add up to.
    target: Target | None = None

    @property
    def version_gated(self) -> bool:
        """True when the rule does not cover every version."""
        return self.since is not None or self.until is not None

    def covers(self, version: ApiVersion) -> bool:
        """``since <= version < until`` (by date, then release)."""
        if self.since is not None and version < self.since:
            return False
        return not (self.until is not None and version >= self.until)

    def not_applicable_reason(self, version: ApiVersion) -> str | None:
        """``None`` when the rule applies to ``version``, else why not.

        A non-GA version (``.preview``, ``.dashboard``) may already contain changes of a later
        release, so it gets only the rules in force on its date and on every later version.
        """
        if not self.covers(version):
            return f"applies to {self.range_text()}; pinned {version}"
        if not version.is_ga and self.until is not None:
            return (
                f"{version} is a {version.channel} version, which may already include the "
                f"change at {self.until}; not checked"
            )
        return None

    def range_text(self) -> str:
        """The version range, for docs and reports."""
        if self.since is None and self.until is None:
            return "all versions"
        if self.since is None:
            return f"before {self.until}"
        if self.until is None:
            return f"{self.since} and later"
        return f"{self.since} up to (not including) {self.until}"


# ----------------------------------------------------------------------------------------------
# Helpers


def _items(value: object) -> list[tuple[int, Mapping[str, Any]]]:
    if not nonempty_list(value):
        return []
    assert isinstance(value, (list, tuple))
    # `dict` first: the ABC check behind `Mapping` is several times slower.
    return [(i, item) for i, item in enumerate(value) if isinstance(item, (dict, Mapping))]


def _type_name(value: object) -> str:
    return type(value).__name__


# ----------------------------------------------------------------------------------------------
# Structural checks (every version)


def _check_bounds(ctx: Context) -> Outcome:
    if ctx.within_schema:
        return PASSED
    found = bounds_violation(ctx.params)
    if found is None:
        return PASSED
    name, path, problem = found
    return _violated(
        f"{problem}: beyond what this SDK checks and what Stripe accepts",
        (name,),
        f"pass {name} as Stripe documents it (amounts are ints of a few digits; parameters nest "
        f"a few levels deep)",
        {"path": path},
    )


def _check_invoice(ctx: Context) -> Outcome:
    value = ctx.params.get("invoice")
    if isinstance(value, str) and value:
        return PASSED
    if value is None:
        what = "missing"
    elif value == "":
        what = "'' (Stripe's unset)"
    else:
        what = f"a {_type_name(value)}, not an invoice ID"
    return _violated(
        f"invoice is required: the ID of the finalized invoice to credit (got {what})",
        ("invoice",),
        "pass invoice='in_...'",
    )


def _check_lines_shape(ctx: Context) -> Outcome:
    if ctx.plain_lines:
        return PASSED
    lines = ctx.params.get("lines")
    if not given(lines):
        return PASSED
    if not isinstance(lines, (list, tuple)):
        return _violated(
            f"lines must be a list of line dicts, not {_type_name(lines)}",
            ("lines",),
            "pass lines=[{'type': 'invoice_line_item', 'invoice_line_item': 'il_...'}, ...]",
        )
    for index, line in enumerate(lines):
        path = line_path(index)
        if not isinstance(line, Mapping):
            return _violated(
                f"{path} must be a dict, not {_type_name(line)}",
                (path,),
                f"make {path} a dict with a 'type' key",
            )
        line_type = line.get("type")
        if not given(line_type):
            return _violated(
                f"{line_path(index, 'type')} is required",
                (line_path(index, "type"),),
                f"set {line_path(index, 'type')} to 'invoice_line_item' or 'custom_line_item'",
            )
        if line_type not in LINE_TYPES:
            return _violated(
                f"{line_path(index, 'type')}={quote(line_type)} is not a credit note line type",
                (line_path(index, "type"),),
                f"set {line_path(index, 'type')} to 'invoice_line_item' or 'custom_line_item'",
            )
    return PASSED


def _check_refund_items(ctx: Context) -> Outcome:
    refunds = ctx.params.get("refunds")
    if not given(refunds):
        return PASSED
    if not isinstance(refunds, (list, tuple)):
        return _violated(
            f"refunds must be a list of dicts, not {_type_name(refunds)}",
            ("refunds",),
            "pass refunds=[{'refund': 're_...'}]",
        )
    for index, item in enumerate(refunds):
        path = f"refunds[{index}]"
        if not isinstance(item, Mapping):
            return _violated(
                f"{path} must be a dict, not {_type_name(item)}",
                (path,),
                f"make {path} a dict such as {{'refund': 're_...'}}",
            )
        kind = item.get("type") if given(item.get("type")) else "refund"
        if kind not in REFUND_TYPES:
            return _violated(
                f"{path}[type]={quote(kind)} is not one of 'refund', 'payment_record_refund'",
                (f"{path}[type]",),
                f"set {path}[type] to 'refund' (the default) or 'payment_record_refund'",
            )
        if kind == "refund":
            refund = item.get("refund")
            if not (isinstance(refund, str) and refund):
                return _violated(
                    f"{path}[refund] is required when {path}[type] is 'refund' (the default)",
                    (f"{path}[refund]",),
                    f"set {path}[refund]='re_...' (the ID of an existing refund)",
                )
        else:
            record = item.get("payment_record_refund")
            ok = (
                isinstance(record, Mapping)
                and isinstance(record.get("payment_record"), str)
                and bool(record.get("payment_record"))
                and isinstance(record.get("refund_group"), str)
                and bool(record.get("refund_group"))
            )
            if not ok:
                return _violated(
                    f"{path}[payment_record_refund] with payment_record and refund_group is "
                    f"required when {path}[type] is 'payment_record_refund'",
                    (f"{path}[payment_record_refund]",),
                    f"set {path}[payment_record_refund]={{'payment_record': '...', "
                    f"'refund_group': '...'}}",
                )
    return PASSED


def _check_amount_source(ctx: Context) -> Outcome:
    if given(ctx.params.get("amount")) or nonempty_list(ctx.params.get("lines")):
        return PASSED
    shipping = ctx.params.get("shipping_cost")
    if isinstance(shipping, Mapping) and shipping:
        return PASSED
    return _violated(
        "one of amount, lines or shipping_cost must be given: Stripe needs to know what the "
        "credit note covers",
        ("amount", "lines", "shipping_cost"),
        "pass amount=<total in the smallest currency unit>, or lines=[...], "
        "or shipping_cost={'shipping_rate': 'shr_...'}",
    )


def _amount_problem(path: str, value: object) -> Outcome | None:
    if not given(value):
        return None
    if isinstance(value, bool):
        return _violated(
            f"{path} must be an int amount in the smallest currency unit, not a bool ({quote(value)})",
            (path,),
            f"pass {path} as an int, e.g. 1050 for 10.50",
        )
    if not is_int(value):
        return _violated(
            f"{path} must be an int amount in the smallest currency unit, not "
            f"{_type_name(value)} ({quote(value)})",
            (path,),
            f"pass {path} as an int, e.g. 1050 for 10.50",
        )
    assert isinstance(value, int)
    if value < 0:
        return _violated(
            f"{path} must not be negative (got {value})",
            (path,),
            f"pass {path} as a non-negative int",
            {path: value},
        )
    return None


def _check_amounts(ctx: Context) -> Outcome:
    for name in AMOUNT_PARAMS:
        problem = _amount_problem(name, ctx.params.get(name))
        if problem:
            return problem
    for index, line in () if ctx.plain_lines else ctx.line_items:
        problem = _amount_problem(line_path(index, "amount"), line.get("amount"))
        if problem:
            return problem
    for index, item in _items(ctx.params.get("refunds")):
        path = f"refunds[{index}][amount_refunded]"
        problem = _amount_problem(path, item.get("amount_refunded"))
        if problem:
            return problem
    return PASSED


def _check_line_integers(ctx: Context) -> Outcome:
    if ctx.plain_lines:
        return PASSED
    for index, line in ctx.line_items:
        for field in ("quantity", "unit_amount"):
            value = line.get(field)
            if given(value) and not is_int(value):
                path = line_path(index, field)
                return _violated(
                    f"{path} must be an int, not {_type_name(value)} ({quote(value)})",
                    (path,),
                    f"pass {path} as an int"
                    + ("; use unit_amount_decimal for fractions" if field == "unit_amount" else ""),
                )
    return PASSED


def _check_invoice_line_item_required(ctx: Context) -> Outcome:
    if ctx.plain_lines:
        return PASSED
    for index, line in ctx.line_items:
        if line.get("type") != "invoice_line_item":
            continue
        value = line.get("invoice_line_item")
        if not (isinstance(value, str) and value):
            path = line_path(index, "invoice_line_item")
            return _violated(
                f"{path} is required for a line of type 'invoice_line_item'",
                (path,),
                f"set {path}='il_...' (the invoice line to credit), or use "
                f"type='custom_line_item' with unit_amount and quantity",
            )
    return PASSED


def _check_fields_for_type(ctx: Context) -> Outcome:
    if ctx.plain_lines:
        return PASSED
    for index, line in ctx.line_items:
        line_type = line.get("type")
        if line_type == "invoice_line_item":
            wrong = [f for f in ONLY_CUSTOM_LINE if used(line.get(f))]
            hint = (
                "credit part of an invoice line with amount or quantity; tax_rates, "
                "description and unit amounts belong to custom_line_item lines"
            )
        elif line_type == "custom_line_item":
            wrong = [f for f in ONLY_INVOICE_LINE if used(line.get(f))]
            hint = "a custom line is priced by unit_amount (or unit_amount_decimal) x quantity"
        else:
            continue
        if wrong:
            paths = tuple(line_path(index, f) for f in wrong)
            allowed = next(t for t in LINE_TYPES if t != line_type)
            return _violated(
                f"{', '.join(paths)} {'is' if len(paths) == 1 else 'are'} only valid on lines of "
                f"type '{allowed}', and {line_path(index)} has type '{line_type}'",
                paths,
                f"remove {', '.join(paths)}: {hint}",
            )
    return PASSED


def _check_unit_amount_exclusive(ctx: Context) -> Outcome:
    if ctx.plain_lines:
        return PASSED
    for index, line in ctx.line_items:
        if given(line.get("unit_amount")) and given(line.get("unit_amount_decimal")):
            paths = (line_path(index, "unit_amount"), line_path(index, "unit_amount_decimal"))
            return _violated(
                f"{paths[0]} and {paths[1]} cannot both be set",
                paths,
                f"send only one: {paths[0]} (int) or {paths[1]} (Decimal, at most 12 decimals)",
            )
    return PASSED


def _check_unit_amount_decimal(ctx: Context) -> Outcome:
    if ctx.plain_lines:
        return PASSED
    for index, line in ctx.line_items:
        value = line.get("unit_amount_decimal")
        if not given(value):
            continue
        path = line_path(index, "unit_amount_decimal")
        number = parse_decimal(value)
        if number is None:
            return _violated(
                f"{path} must be a decimal number (Decimal or str), not {quote(value)}",
                (path,),
                f"pass {path}=Decimal('12.5')",
            )
        if number.adjusted() >= MAX_INT_DIGITS:
            return _violated(
                f"{path}={quote(value)} has more than {MAX_INT_DIGITS} digits before the point",
                (path,),
                f"pass {path} as the unit price in the smallest currency unit",
            )
        if decimal_places(number) > UNIT_AMOUNT_DECIMAL_PLACES:
            with decimal.localcontext() as exact:
                exact.prec = MAX_INT_DIGITS + UNIT_AMOUNT_DECIMAL_PLACES + 8
                rounded = number.quantize(decimal.Decimal(1).scaleb(-UNIT_AMOUNT_DECIMAL_PLACES))
            return _violated(
                f"{path}={quote(value)} has more than {UNIT_AMOUNT_DECIMAL_PLACES} decimal places",
                (path,),
                f"round it: {path}=Decimal('{rounded}')",
            )
    return PASSED


def _check_tax_amounts_shape(ctx: Context) -> Outcome:
    if ctx.plain_lines:
        return PASSED
    for index, line in ctx.line_items:
        value = line.get("tax_amounts")
        if not given(value):
            continue
        path = line_path(index, "tax_amounts")
        if not isinstance(value, (list, tuple)):
            return _violated(
                f"{path} must be a list of dicts (or '' to unset), not {_type_name(value)}",
                (path,),
                f"pass {path}=[{{'amount': ..., 'tax_rate': 'txr_...', 'taxable_amount': ...}}]",
            )
        for j, tax in enumerate(value):
            item = f"{path}[{j}]"
            ok = (
                isinstance(tax, Mapping)
                and is_int(tax.get("amount"))
                and is_int(tax.get("taxable_amount"))
                and isinstance(tax.get("tax_rate"), str)
                and bool(tax.get("tax_rate"))
            )
            if not ok:
                return _violated(
                    f"{item} needs amount (int), tax_rate (str) and taxable_amount (int); "
                    f"got {quote(tax)}",
                    (item,),
                    f"set {item}={{'amount': 100, 'tax_rate': 'txr_...', 'taxable_amount': 1000}}",
                )
    return PASSED


def _check_tax_amounts_with_tax_rates(ctx: Context) -> Outcome:
    if ctx.plain_lines:
        return PASSED
    for index, line in ctx.line_items:
        if nonempty_list(line.get("tax_amounts")) and nonempty_list(line.get("tax_rates")):
            paths = (line_path(index, "tax_amounts"), line_path(index, "tax_rates"))
            return _violated(
                f"{paths[0]} cannot be combined with {paths[1]}",
                paths,
                f"send either {paths[1]} (Stripe computes the tax) or {paths[0]} "
                f"(you state it), not both",
            )
    return PASSED


def _check_tax_amounts_count(ctx: Context) -> Outcome:
    if ctx.plain_lines:
        return PASSED
    for index, line in ctx.line_items:
        value = line.get("tax_amounts")
        if isinstance(value, (list, tuple)) and len(value) > TAX_AMOUNTS_MAX:
            path = line_path(index, "tax_amounts")
            return _violated(
                f"{path} has {len(value)} items; at most {TAX_AMOUNTS_MAX} are allowed per line",
                (path,),
                f"merge amounts of the same tax rate or split the line so each has at most "
                f"{TAX_AMOUNTS_MAX}",
                {"count": len(value), "max": TAX_AMOUNTS_MAX},
            )
    return PASSED


# ----------------------------------------------------------------------------------------------
# Version-gated parameters


def _check_refund_removed(ctx: Context) -> Outcome:
    refund = ctx.params.get("refund")
    if not given(refund):
        return PASSED
    return _violated(
        f"refund (one linked refund) does not exist on Stripe-Version {ctx.version}: it was "
        f"replaced by refunds[] in {V2025_03_31_BASIL}",
        ("refund",),
        f"use refunds[] on {V2025_03_31_BASIL} and later: refunds=[{{'refund': {quote(refund)}}}]",
    )


def _check_refunds_unavailable(ctx: Context) -> Outcome:
    refunds = ctx.params.get("refunds")
    if not nonempty_list(refunds):
        return PASSED
    items = _items(refunds)
    count = len(refunds)
    single = (
        len(items) == 1
        and count == 1
        and not given(items[0][1].get("amount_refunded"))
        and items[0][1].get("type") in (None, "", "refund")
        and isinstance(items[0][1].get("refund"), str)
    )
    if single:
        fix = (
            f"use refund={quote(items[0][1]['refund'])} before {V2025_03_31_BASIL} (it links the whole "
            f"refund), or pin {V2025_03_31_BASIL} or later to use refunds[]"
        )
    else:
        fix = (
            f"before {V2025_03_31_BASIL} only one whole refund can be linked, with refund='re_...';"
            f" to link several refunds or part of one, pin {V2025_03_31_BASIL} or later"
        )
    return _violated(
        f"refunds[] does not exist on Stripe-Version {ctx.version}: it replaced the singular "
        f"refund in {V2025_03_31_BASIL}",
        ("refunds",),
        fix,
    )


def _check_schema(ctx: Context) -> Outcome:
    if ctx.within_schema:
        return PASSED
    schema = PARAM_SCHEMAS.get(ctx.operation)
    if schema is None:
        return PASSED
    # The spec knows the enum values up to its own version; a newer pin may accept more.
    check_enums = ctx.version <= LATEST
    checkers = property_checkers(schema)
    for name, value in ctx.params.items():
        checker = checkers.get(name)
        if checker is None:
            continue
        failure = checker(value, check_enums)
        if failure is not None:
            path, expected, got = located(name, failure)
            if got.__class__ is str and got == "":
                return _violated(
                    f"{path} must be {expected}, got '' (Stripe's unset), which the spec does not "
                    f"offer for {path}",
                    (path,),
                    f"omit {path} (or pass None) to leave it unset",
                    {"param": path, "value": got},
                )
            return _violated(
                f"{path} must be {expected}, got {_type_name(got)} {quote(got)}",
                (path,),
                f"pass {path} as {expected}"
                + (
                    " (or validate=False if Stripe added this value after this SDK's spec)"
                    if expected.startswith("one of")
                    else ""
                ),
                {"param": path, "value": got},
            )
    return PASSED


def _check_limit(ctx: Context) -> Outcome:
    value = ctx.params.get("limit")
    if not given(value):
        return PASSED
    if not (is_int(value) and LIMIT_MIN <= value <= LIMIT_MAX):
        return _violated(
            f"limit must be an int from {LIMIT_MIN} to {LIMIT_MAX}, got {quote(value)}",
            ("limit",),
            f"pass limit between {LIMIT_MIN} and {LIMIT_MAX} (default 10); pagination fetches "
            f"the rest",
            {"limit": value},
        )
    return PASSED


# ----------------------------------------------------------------------------------------------
# Allocation: R + C + O against T (or post_payment_amount)


def _allocation_params(ctx: Context) -> tuple[str, ...]:
    """The refund, credit and out-of-band parameters the request holds, in fix order."""
    names = ("refund_amount", "refunds", "refund", "credit_amount", "out_of_band_amount")
    return tuple(n for n in names if used(ctx.params.get(n)))


def _either(names: tuple[str, ...], word: str) -> str:
    """``a, b or c`` (``refunds`` by the amount the fix lowers: ``refunds[].amount_refunded``)."""
    shown = [f"{n}[].amount_refunded" if n == "refunds" else n for n in names]
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} {word} {shown[-1]}"


def _numbers(ctx: Context, **extra: Any) -> dict[str, Any]:
    total, _ = ctx.total
    refunded, _ = ctx.refunded
    allocated = ctx.allocated
    numbers: dict[str, Any] = {
        "T": total.exact,
        "T_bounds": (total.lo, total.hi),
        "R": refunded.exact,
        "R_bounds": (refunded.lo, refunded.hi),
        "C": ctx.credit,
        "O": ctx.out_of_band,
        "R+C+O": allocated.exact,
        "R+C+O_bounds": (allocated.lo, allocated.hi),
    }
    numbers.update(extra)
    return numbers


def given_label(ctx: Context, *names: str) -> str:
    """The parameters among ``names`` that the request holds, or ``none given``."""
    held = [name for name in names if used(ctx.params.get(name))]
    return " + ".join(held) if held else "none given"


REFUND_SOURCES: Final = ("refund_amount", "refund", "refunds")


def _sum_text(ctx: Context) -> str:
    refunded, _ = ctx.refunded
    return (
        f"R={refunded} ({given_label(ctx, *REFUND_SOURCES)}) + C={ctx.credit} "
        f"({given_label(ctx, 'credit_amount')}) + O={ctx.out_of_band or 0} "
        f"({given_label(ctx, 'out_of_band_amount')}) = {ctx.allocated}"
    )


def _unknown_reasons(ctx: Context) -> tuple[frozenset[str], str]:
    unknowns: set[str] = set()
    reasons: list[str] = []
    total, why_total = ctx.total
    if total.exact is None:
        unknowns.add("T")
        reasons.extend(why_total)
    refunded, why_refunded = ctx.refunded
    if refunded.exact is None:
        unknowns.add("R")
        reasons.extend(why_refunded)
    return frozenset(unknowns), "; ".join(reasons)


def _compare(
    ctx: Context,
    target: Bounds,
    target_text: Callable[[], str],
    details: Callable[[], dict[str, Any]],
    *,
    target_known: bool,
) -> Outcome:
    """R + C + O must lie in ``target``: passed, bounded, or a violation with a fix.

    ``target_known`` says the target was computed from exact inputs (it may still be a range,
    as for ``R + C + O <= T``). ``target_text`` and ``details`` are only called for a
    violation: a request that passes (every request, nearly) does not pay for its message.
    """
    allocated = ctx.allocated
    out_of_band = ctx.out_of_band or 0
    unknowns, reasons = _unknown_reasons(ctx)
    exact = allocated.exact is not None and target_known
    if allocated.hi is not None and target.lo is not None and allocated.hi < target.lo:
        missing = target.lo - allocated.hi
        lead = (
            "out_of_band_amount is required"
            if ctx.out_of_band is None
            else "out_of_band_amount is too small"
        )
        if exact and target.exact is not None:
            fix = f"set out_of_band_amount={out_of_band + missing}"
        else:
            fix = (
                f"raise out_of_band_amount by at least {missing} (to {out_of_band + missing} or "
                f"more; the exact amount is not known locally: {reasons})"
            )
        others = tuple(p for p in _allocation_params(ctx) if p != "out_of_band_amount")
        params = ("out_of_band_amount", *others)
        return _violated(
            f"{lead}: {_sum_text(ctx)}, but {target_text()}",
            params,
            fix,
            details() | {"missing": missing},
        )
    if allocated.lo is not None and target.hi is not None and allocated.lo > target.hi:
        excess = allocated.lo - target.hi
        held = _allocation_params(ctx)
        if target.hi == 0:
            fix = (
                f"omit {_either(held, 'and')} (or set {'it' if len(held) == 1 else 'them'} to "
                f"0): the whole credit note reduces the invoice's amount_remaining"
            )
        elif allocated.exact is not None and out_of_band >= excess:
            held = ("out_of_band_amount", *(p for p in held if p != "out_of_band_amount"))
            fix = f"set out_of_band_amount={out_of_band - excess}"
        else:
            fix = (
                f"lower {_either(held, 'or')} by "
                f"{'' if allocated.exact is not None else 'at least '}{excess} in total"
            )
        return _violated(
            f"refunded + credited + out-of-band is too large: {_sum_text(ctx)}, but "
            f"{target_text()}",
            held or ("out_of_band_amount",),
            fix,
            details() | {"excess": excess},
        )
    if exact:
        return PASSED
    return Outcome("bounded", reason=reasons or None, unknowns=unknowns)


def _total_text(ctx: Context) -> str:
    total, _ = ctx.total
    if ctx.amount("amount") is not None:
        return f"T={total} (amount)"
    return f"T={total} (from {given_label(ctx, 'lines', 'shipping_cost')})"


# What the allocation rules say without an InvoiceSnapshot: the same for every request.
_NO_STATUS: Final = Outcome(
    "skipped",
    reason=(
        "invoice status unknown: the sum rule covers post-payment credit notes (paid "
        "invoices); pass an InvoiceSnapshot to check it"
    ),
    unknowns=frozenset({"invoice_status"}),
)
_NO_AMOUNT_REMAINING: Final = Outcome(
    "skipped",
    reason=(
        "invoice amount_remaining unknown: post_payment_amount = T - min(T, AR) needs "
        "it; pass an InvoiceSnapshot (allocation.within_total still applies)"
    ),
    unknowns=frozenset({"AR"}),
)


def _check_sum_equals_total(ctx: Context) -> Outcome:
    if ctx.invoice is None:
        return _NO_STATUS
    if not ctx.invoice.status_known:
        return Outcome(
            "skipped",
            reason=(
                f"{ctx.invoice.label()} has status {ctx.invoice.status_text()}: the sum rule "
                f"covers paid invoices only, and whether this status is paid is not known here"
            ),
            unknowns=frozenset({"invoice_status"}),
        )
    if ctx.invoice.status != "paid":
        return Outcome(
            "skipped",
            reason=(
                f"{ctx.invoice.label()} is {ctx.invoice.status!r}, not paid: before "
                f"{V2025_05_28_BASIL} Stripe documents the sum rule for post-payment credit notes "
                f"only, and how a partially paid invoice splits a credit note on this version is "
                f"not documented"
            ),
        )
    total = ctx.allocatable_total
    invoice = ctx.invoice
    return _compare(
        ctx,
        total,
        lambda: (
            f"for a post-payment credit note ({invoice.label()} is paid) they must add up to "
            f"the credit note total {_total_text(ctx)}"
        ),
        lambda: _numbers(ctx, AR=0, target=total.exact),
        target_known=total.exact is not None,
    )


def _check_sum_equals_post_payment(ctx: Context) -> Outcome:
    ar = ctx.amount_remaining
    if ar is None:
        return _NO_AMOUNT_REMAINING
    post = ctx.post_payment(ar)
    total, _ = ctx.total
    pre = Bounds(
        0 if total.lo is None else min(max(total.lo, 0), ar),
        ar if total.hi is None else min(max(total.hi, 0), ar),
    )
    paid = " (paid invoice)" if ctx.invoice is not None and ctx.invoice.status == "paid" else ""
    return _compare(
        ctx,
        post,
        lambda: (
            f"they must add up to post_payment_amount = T - min(T, AR) = {post}, where "
            f"{_total_text(ctx)} and the invoice's amount_remaining AR={ar}{paid} takes the "
            f"first {pre} as pre_payment_amount"
        ),
        lambda: _numbers(ctx, AR=ar, pre=pre.exact, post=post.exact, target=post.exact),
        target_known=post.exact is not None,
    )


def _check_within_total(ctx: Context) -> Outcome:
    total = ctx.allocatable_total
    if total.hi is None:
        _, reasons = _unknown_reasons(ctx)
        return Outcome(
            "skipped",
            reason=f"no upper bound on the credit note total: {reasons}",
            unknowns=frozenset({"T"}),
        )
    return _compare(
        ctx,
        Bounds(0, total.hi),
        lambda: f"they cannot exceed the credit note total {_total_text(ctx)}",
        lambda: _numbers(ctx, target=total.hi),
        target_known=total.exact is not None,
    )


# ----------------------------------------------------------------------------------------------
# THE TABLE


RULES: Final[tuple[Rule, ...]] = (
    Rule(
        id="params.bounds",
        title="values nest at most 32 levels deep and ints have at most 30 digits",
        formula="depth <= 32 and abs(int) < 10**30",
        params=("*",),
        check=_check_bounds,
        operations=ALL_OPERATIONS,
    ),
    Rule(
        id="invoice.required",
        title="`invoice` is required",
        formula="invoice is a non-empty ID",
        params=("invoice",),
        check=_check_invoice,
    ),
    Rule(
        id="refund.removed",
        title="the singular `refund` was replaced by `refunds[]`",
        formula="refund not given",
        params=("refund",),
        check=_check_refund_removed,
        since=V2025_03_31_BASIL,
    ),
    Rule(
        id="refunds.unavailable",
        title="`refunds[]` does not exist yet; link one whole refund with `refund`",
        formula="refunds not given",
        params=("refunds",),
        check=_check_refunds_unavailable,
        until=V2025_03_31_BASIL,
    ),
    Rule(
        id="lines.shape",
        title="`lines` is a list of dicts, each with a valid `type`",
        formula="lines[i][type] in {invoice_line_item, custom_line_item}",
        params=("lines", "lines[i][type]"),
        check=_check_lines_shape,
    ),
    Rule(
        id="refunds.item",
        title="each `refunds[]` item names what it links for its `type`",
        formula="type=refund (default) needs refund; type=payment_record_refund needs "
        "payment_record_refund{payment_record, refund_group}",
        params=("refunds[i][type]", "refunds[i][refund]", "refunds[i][payment_record_refund]"),
        check=_check_refund_items,
    ),
    Rule(
        id="amount_lines_or_shipping.required",
        title="one of `amount`, `lines` or `shipping_cost` is required",
        formula="amount or lines or shipping_cost given",
        params=("amount", "lines", "shipping_cost"),
        check=_check_amount_source,
    ),
    Rule(
        id="amounts.non_negative_integer",
        title="amounts are non-negative ints (a bool is not an int)",
        formula="isinstance(x, int) and not bool and x >= 0",
        params=(*AMOUNT_PARAMS, "lines[i][amount]", "refunds[i][amount_refunded]"),
        check=_check_amounts,
    ),
    Rule(
        id="lines.integer_fields",
        title="`quantity` and `unit_amount` are ints",
        formula="isinstance(x, int) and not bool",
        params=("lines[i][quantity]", "lines[i][unit_amount]"),
        check=_check_line_integers,
    ),
    Rule(
        id="lines.invoice_line_item_required",
        title="an `invoice_line_item` line names the invoice line it credits",
        formula="type=invoice_line_item => invoice_line_item given",
        params=("lines[i][invoice_line_item]",),
        check=_check_invoice_line_item_required,
    ),
    Rule(
        id="lines.fields_for_type",
        title="line fields are valid only for their line type",
        formula="invoice_line_item: no description/unit_amount/unit_amount_decimal/tax_rates; "
        "custom_line_item: no amount/invoice_line_item",
        params=(
            "lines[i][amount]",
            "lines[i][invoice_line_item]",
            "lines[i][description]",
            "lines[i][unit_amount]",
            "lines[i][unit_amount_decimal]",
            "lines[i][tax_rates]",
        ),
        check=_check_fields_for_type,
    ),
    Rule(
        id="lines.unit_amount_exclusive",
        title="only one of `unit_amount` and `unit_amount_decimal`",
        formula="not (unit_amount and unit_amount_decimal)",
        params=("lines[i][unit_amount]", "lines[i][unit_amount_decimal]"),
        check=_check_unit_amount_exclusive,
    ),
    Rule(
        id="lines.unit_amount_decimal_format",
        title="`unit_amount_decimal` is a decimal with at most 12 decimal places",
        formula="Decimal(x).is_finite() and places(x) <= 12",
        params=("lines[i][unit_amount_decimal]",),
        check=_check_unit_amount_decimal,
    ),
    Rule(
        id="lines.tax_amounts_shape",
        title="each `tax_amounts` item has `amount`, `tax_rate` and `taxable_amount`",
        formula="amount: int, tax_rate: str, taxable_amount: int",
        params=("lines[i][tax_amounts]",),
        check=_check_tax_amounts_shape,
    ),
    Rule(
        id="lines.tax_amounts_with_tax_rates",
        title="`tax_amounts` cannot be combined with `tax_rates`",
        formula="not (tax_amounts and tax_rates)",
        params=("lines[i][tax_amounts]", "lines[i][tax_rates]"),
        check=_check_tax_amounts_with_tax_rates,
    ),
    Rule(
        id="lines.tax_amounts_max_count",
        title=f"at most {TAX_AMOUNTS_MAX} `tax_amounts` per line",
        formula=f"len(tax_amounts) <= {TAX_AMOUNTS_MAX}",
        params=("lines[i][tax_amounts]",),
        check=_check_tax_amounts_count,
    ),
    Rule(
        id="limit.range",
        title=f"`limit` is from {LIMIT_MIN} to {LIMIT_MAX}",
        formula=f"{LIMIT_MIN} <= limit <= {LIMIT_MAX}",
        params=("limit",),
        check=_check_limit,
        operations=LIST_OPERATIONS,
    ),
    Rule(
        id="allocation.sum_equals_total",
        title="post-payment credit note: refunds + credit + out-of-band = total; "
        "`out_of_band_amount` required when R + C < T",
        formula="invoice paid => R + C + O == T",
        params=("refund_amount", "refund", "credit_amount", "out_of_band_amount"),
        check=_check_sum_equals_total,
        since=V2019_12_03,
        until=V2025_05_28_BASIL,
        target="total",
    ),
    Rule(
        id="allocation.sum_equals_post_payment",
        title="refunds + credit + out-of-band = post_payment_amount (the part of the note "
        "beyond the invoice's amount_remaining)",
        formula="R + C + O == T - min(T, max(AR, 0))",
        params=("refund_amount", "refunds", "credit_amount", "out_of_band_amount"),
        check=_check_sum_equals_post_payment,
        since=V2025_05_28_BASIL,
        target="post_payment",
    ),
    Rule(
        id="allocation.within_total",
        title="refunds + credit + out-of-band never exceed the credit note total",
        formula="R + C + O <= T",
        params=("refund_amount", "refund", "refunds", "credit_amount", "out_of_band_amount"),
        check=_check_within_total,
        target="total",
    ),
    Rule(
        id="params.schema",
        title="every parameter has the type, enum value and nested keys the spec gives it",
        formula="value fits the operation's parameter schema (spec/credit_notes.openapi.json)",
        params=("*",),
        check=_check_schema,
        operations=ALL_OPERATIONS,
    ),
)
"""Every rule, in evaluation order (the first violation is raised)."""

RULES_BY_ID: Final[Mapping[str, Rule]] = {rule.id: rule for rule in RULES}

PLAIN_LINE_RULES: Final = frozenset(
    {
        "lines.shape",
        "lines.integer_fields",
        "lines.invoice_line_item_required",
        "lines.fields_for_type",
        "lines.unit_amount_exclusive",
        "lines.unit_amount_decimal_format",
        "lines.tax_amounts_shape",
        "lines.tax_amounts_with_tax_rates",
        "lines.tax_amounts_max_count",
    }
)
"""The rules that pass whenever ``Context.plain_lines`` is True (each also asks it itself)."""
