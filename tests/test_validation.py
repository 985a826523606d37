"""Tests for stripe_credit_notes.validation: the rules table, the evaluator and the helpers."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from stripe_credit_notes.errors import MalformedResponseError, ValidationError
from stripe_credit_notes.validation import (
    RULES,
    RULES_BY_ID,
    Bounds,
    InvoiceSnapshot,
    ValidationReport,
    fill_out_of_band,
    validate_credit_note_params,
    validate_list_params,
)
from stripe_credit_notes.versions import LATEST, PUBLISHED_VERSIONS, ApiVersion
from tests.conftest import ROOT

# Future pins (newer than every published version) are part of the input space here; the
# warning they raise is tested in test_versions.py.
pytestmark = pytest.mark.filterwarnings(
    "ignore::stripe_credit_notes.versions.UnknownApiVersionWarning"
)

OPERATIONS = ("create", "preview", "preview_lines")
PAID = InvoiceSnapshot(id="in_1", amount_remaining=0, status="paid", currency="usd")


def snapshot(amount_remaining: int, status: str = "open") -> InvoiceSnapshot:
    return InvoiceSnapshot(
        id="in_1", amount_remaining=amount_remaining, status=status, currency="usd"
    )


def check(
    params: dict[str, Any],
    version: str = str(LATEST),
    invoice: InvoiceSnapshot | None = None,
    operation: str = "create",
) -> ValidationReport:
    return validate_credit_note_params(operation, params, version, invoice)  # type: ignore[arg-type]


def refused(
    params: dict[str, Any],
    version: str = str(LATEST),
    invoice: InvoiceSnapshot | None = None,
    operation: str = "create",
) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        check(params, version, invoice, operation)
    return info.value


def note(**params: Any) -> dict[str, Any]:
    return {"invoice": "in_1", **params}


# ==============================================================================================
# The allocation rules at every version boundary
# ==============================================================================================

# (version, invoice, params, expected rule or None, expected fix fragment)
ALLOCATION_CASES: list[tuple[str, InvoiceSnapshot | None, dict[str, Any], str | None, str]] = [
    # R + C < T on a paid invoice, no out_of_band_amount.
    ("2019-11-05", PAID, note(amount=450, refund_amount=100, credit_amount=200), None, ""),
    ("2019-11-05", PAID, note(amount=450, refund_amount=100, credit_amount=200), None, ""),
    (
        "2019-12-03",
        PAID,
        note(amount=450, refund_amount=100, credit_amount=200),
        "allocation.sum_equals_total",
        "set out_of_band_amount=150",
    ),
    (
        "2024-06-20",
        PAID,
        note(amount=450, refund_amount=100, credit_amount=200),
        "allocation.sum_equals_total",
        "set out_of_band_amount=150",
    ),
    (
        "2025-04-30.basil",
        PAID,
        note(amount=450, refund_amount=100, credit_amount=200),
        "allocation.sum_equals_total",
        "set out_of_band_amount=150",
    ),
    (
        "2025-05-28.basil",
        PAID,
        note(amount=450, refund_amount=100, credit_amount=200),
        "allocation.sum_equals_post_payment",
        "set out_of_band_amount=150",
    ),
    (
        "2026-09-30.endive",
        PAID,
        note(amount=450, refund_amount=100, credit_amount=200),
        "allocation.sum_equals_post_payment",
        "set out_of_band_amount=150",
    ),
    # The same with the remainder given: accepted everywhere.
    *[
        (
            v,
            PAID,
            note(amount=450, refund_amount=100, credit_amount=200, out_of_band_amount=150),
            None,
            "",
        )
        for v in (
            "2019-11-05",
            "2019-12-03",
            "2025-04-30.basil",
            "2025-05-28.basil",
            "2026-10-28.endive",
        )
    ],
    # R + C > T: refused on every version.
    *[
        (
            v,
            None,
            note(amount=450, refund_amount=300, credit_amount=200),
            "allocation.within_total",
            "by 50 in total",
        )
        for v in ("2019-03-14", "2019-11-05", "2019-12-03", "2025-04-30.basil", "2025-05-28.basil")
    ],
    # Too much out_of_band_amount on a paid invoice.
    (
        "2024-06-20",
        PAID,
        note(amount=450, refund_amount=100, out_of_band_amount=400),
        "allocation.sum_equals_total",
        "set out_of_band_amount=350",
    ),
    # Partially paid open invoice (AR=200), T=450: post = 250.
    (
        "2025-04-30.basil",
        snapshot(200),
        note(amount=450, refund_amount=100, out_of_band_amount=150),
        None,
        "",
    ),
    (
        "2025-04-30.basil",
        snapshot(200),
        note(amount=450, refund_amount=100, out_of_band_amount=350),
        None,
        "",
    ),
    ("2025-04-30.basil", snapshot(200), note(amount=450), None, ""),
    (
        "2025-05-28.basil",
        snapshot(200),
        note(amount=450, refund_amount=100, out_of_band_amount=150),
        None,
        "",
    ),
    (
        "2025-05-28.basil",
        snapshot(200),
        note(amount=450, refund_amount=100, out_of_band_amount=350),
        "allocation.sum_equals_post_payment",
        "set out_of_band_amount=150",
    ),
    (
        "2025-05-28.basil",
        snapshot(200),
        note(amount=450, refund_amount=100),
        "allocation.sum_equals_post_payment",
        "set out_of_band_amount=150",
    ),
    # Unpaid open invoice (AR >= T): the whole note is pre-payment, nothing to allocate.
    ("2025-05-28.basil", snapshot(1000), note(amount=450), None, ""),
    (
        "2025-05-28.basil",
        snapshot(1000),
        note(amount=450, credit_amount=1),
        "allocation.sum_equals_post_payment",
        "omit credit_amount (or set it to 0)",
    ),
    ("2024-06-20", snapshot(1000), note(amount=450, credit_amount=1), None, ""),
    # A paid invoice: AR = 0, the whole note is post-payment.
    (
        "2025-05-28.basil",
        snapshot(0, "paid"),
        note(amount=450),
        "allocation.sum_equals_post_payment",
        "set out_of_band_amount=450",
    ),
    # No snapshot: only R + C + O <= T can be checked, on every version.
    ("2019-12-03", None, note(amount=450, refund_amount=100), None, ""),
    ("2025-05-28.basil", None, note(amount=450, refund_amount=100), None, ""),
]


@pytest.mark.parametrize(("version", "invoice", "params", "rule", "fix"), ALLOCATION_CASES)
@pytest.mark.parametrize("operation", OPERATIONS)
def test_allocation_rules_by_version(
    operation: str,
    version: str,
    invoice: InvoiceSnapshot | None,
    params: dict[str, Any],
    rule: str | None,
    fix: str,
) -> None:
    if rule is None:
        report = check(params, version, invoice, operation)
        assert report.api_version == ApiVersion.parse(version)
        return
    error = refused(params, version, invoice, operation)
    assert error.rule == rule
    assert error.api_version == version
    assert error.fix is not None and fix in error.fix
    text = str(error)
    assert version in text and fix in text and rule in text
    assert any(p in text for p in error.params)
    assert error.params and error.param == error.params[0]


def test_missing_out_of_band_names_the_parameter_numbers_and_fix() -> None:
    error = refused(note(amount=450, refund_amount=100, credit_amount=200), "2024-06-20", PAID)
    assert error.params[0] == "out_of_band_amount"
    assert set(error.params) == {"out_of_band_amount", "refund_amount", "credit_amount"}
    assert error.message.startswith("out_of_band_amount is required")
    assert "T=450" in error.message and "= 300" in error.message
    assert error.details["T"] == 450
    assert error.details["R"] == 100
    assert error.details["C"] == 200
    assert error.details["O"] is None
    assert error.details["missing"] == 150
    assert str(error).endswith("Fix: set out_of_band_amount=150")
    tag = "[rule allocation.sum_equals_total, Stripe-Version 2024-06-20, param out_of_band_amount]"
    assert error.message.endswith(tag)
    assert str(error) == f"{error.message} Fix: {error.fix}"


def test_post_payment_violation_reports_pre_and_post() -> None:
    error = refused(
        note(amount=450, refund_amount=100, out_of_band_amount=350),
        "2025-05-28.basil",
        snapshot(200),
    )
    assert error.details["AR"] == 200
    assert error.details["pre"] == 200
    assert error.details["post"] == 250
    assert error.details["excess"] == 200
    assert "post_payment_amount" in error.message and "amount_remaining AR=200" in error.message


def test_report_says_what_was_skipped_without_a_snapshot() -> None:
    report = check(note(amount=450, refund_amount=100), "2024-06-20")
    assert report.result("allocation.sum_equals_total").status == "skipped"
    assert "invoice_status" in report.result("allocation.sum_equals_total").unknowns
    assert report.result("allocation.within_total").status == "passed"
    assert report.result("allocation.sum_equals_post_payment").status == "not_applicable"
    assert "allocation.sum_equals_total" in report.skipped
    assert "allocation.within_total" in report.checked
    assert not report.complete

    report = check(note(amount=450, refund_amount=100), "2026-09-30.endive")
    assert report.result("allocation.sum_equals_post_payment").status == "skipped"
    assert report.unknowns == {"AR"}
    assert report.total is not None and report.total.exact == 450
    assert "skipped" in report.describe()


def test_report_is_exact_with_snapshot_and_amount() -> None:
    report = check(note(amount=450, refund_amount=450), "2026-09-30.endive", PAID)
    assert report.result("allocation.sum_equals_post_payment").status == "passed"
    assert report.complete and report.unknowns == frozenset()
    assert report.amount_remaining == 0


def test_open_invoice_before_partial_payments_is_skipped_with_reason() -> None:
    report = check(note(amount=450, refund_amount=100), "2025-04-30.basil", snapshot(200))
    result = report.result("allocation.sum_equals_total")
    assert result.status == "skipped"
    assert result.reason is not None and "not paid" in result.reason


# ==============================================================================================
# T from lines, R from linked refunds: bounds, never guesses
# ==============================================================================================


def custom(unit: int, quantity: int, **more: Any) -> dict[str, Any]:
    return {"type": "custom_line_item", "unit_amount": unit, "quantity": quantity, **more}


def test_total_is_exact_from_custom_lines_without_taxes() -> None:
    params = note(lines=[custom(100, 3), custom(25, 2)], credit_amount=300)
    report = check(params | {"out_of_band_amount": 50}, "2026-09-30.endive", PAID)
    assert report.total is not None and report.total.exact == 350
    assert report.complete
    error = refused(params, "2026-09-30.endive", PAID)
    assert error.fix == "set out_of_band_amount=50"


def test_total_from_unit_amount_decimal_is_bounded_by_rounding() -> None:
    line = {"type": "custom_line_item", "unit_amount_decimal": Decimal("10.5"), "quantity": 3}
    report = check(note(lines=[line], credit_amount=31), "2026-09-30.endive", PAID)
    assert report.total is not None and (report.total.lo, report.total.hi) == (31, 32)
    assert report.result("allocation.sum_equals_post_payment").status == "bounded"
    check(note(lines=[line], credit_amount=32), "2026-09-30.endive", PAID)
    error = refused(note(lines=[line], credit_amount=30), "2026-09-30.endive", PAID)
    assert error.rule == "allocation.sum_equals_post_payment"
    line["unit_amount_decimal"] = "10.50"
    line["quantity"] = 2
    assert check(note(lines=[line]), "2026-09-30.endive").total.exact == 21  # type: ignore[union-attr]


def test_taxed_custom_lines_give_a_lower_bound_only() -> None:
    params = note(lines=[custom(100, 3, tax_rates=["txr_1"])], credit_amount=100)
    error = refused(params, "2026-09-30.endive", PAID)
    assert error.rule == "allocation.sum_equals_post_payment"
    assert "at least 200" in (error.fix or "")
    # Any amount from 300 up may be right: never refused.
    for credit in (300, 330, 10_000):
        report = check(note(lines=params["lines"], credit_amount=credit), "2026-09-30.endive", PAID)
        assert report.result("allocation.sum_equals_post_payment").status == "bounded"
        assert "T" in report.unknowns


@pytest.mark.parametrize(
    "lines",
    [
        [{"type": "invoice_line_item", "invoice_line_item": "il_1"}],
        [{"type": "invoice_line_item", "invoice_line_item": "il_1", "amount": 100}],
        [custom(100, 3), {"type": "invoice_line_item", "invoice_line_item": "il_1"}],
        [{"type": "custom_line_item", "unit_amount": 100}],  # no quantity
    ],
)
@pytest.mark.parametrize("credit", [0, 1, 10**9])
def test_unknown_totals_never_block(lines: list[dict[str, Any]], credit: int) -> None:
    for version in ("2019-11-05", "2024-06-20", "2026-09-30.endive"):
        report = check(note(lines=lines, credit_amount=credit), version, PAID)
        assert report.unknowns & {"T"}


def test_shipping_cost_makes_total_unbounded() -> None:
    params = note(lines=[custom(100, 1)], shipping_cost={"shipping_rate": "shr_1"})
    report = check(params | {"credit_amount": 5000}, "2026-09-30.endive", PAID)
    assert report.total is not None and report.total.hi is None and report.total.lo == 100
    error = refused(params | {"credit_amount": 50}, "2026-09-30.endive", PAID)
    assert error.rule == "allocation.sum_equals_post_payment"


def test_linked_refund_without_amount_is_unknown() -> None:
    params = note(amount=450, refunds=[{"refund": "re_1"}])
    report = check(params, "2026-09-30.endive", PAID)
    assert report.refunded is not None and report.refunded.hi is None
    assert "R" in report.unknowns
    # ... but an out_of_band_amount alone above T is still provably wrong.
    error = refused(params | {"out_of_band_amount": 451}, "2026-09-30.endive")
    assert error.rule == "allocation.within_total"
    # amount_refunded makes R exact again.
    params = note(amount=450, refunds=[{"refund": "re_1", "amount_refunded": 400}])
    error = refused(params, "2026-09-30.endive", PAID)
    assert error.fix == "set out_of_band_amount=50"
    assert error.details["R"] == 400


def test_singular_refund_before_basil_is_unknown_amount() -> None:
    report = check(note(amount=450, refund="re_1"), "2024-06-20", PAID)
    assert report.result("allocation.sum_equals_total").status == "bounded"


# ==============================================================================================
# refund vs refunds[] by version
# ==============================================================================================


@pytest.mark.parametrize(
    ("version", "params", "rule", "fix"),
    [
        ("2025-02-24.acacia", note(amount=1, refund="re_1"), None, ""),
        ("2025-02-24.acacia", note(amount=1, refund="re_1"), None, ""),
        (
            "2025-03-31.basil",
            note(amount=1, refund="re_1"),
            "refund.removed",
            "use refunds[] on 2025-03-31.basil and later: refunds=[{'refund': 're_1'}]",
        ),
        ("2026-09-30.endive", note(amount=1, refund="re_1"), "refund.removed", "refunds[]"),
        (
            "2025-02-24.acacia",
            note(amount=1, refunds=[{"refund": "re_1"}]),
            "refunds.unavailable",
            "use refund='re_1' before 2025-03-31.basil",
        ),
        (
            "2019-12-03",
            note(amount=1, refunds=[{"refund": "re_1"}, {"refund": "re_2"}]),
            "refunds.unavailable",
            "pin 2025-03-31.basil or later",
        ),
        (
            "2024-06-20",
            note(amount=1, refunds=[{"refund": "re_1", "amount_refunded": 1}]),
            "refunds.unavailable",
            "part of one",
        ),
        ("2025-03-31.basil", note(amount=1, refunds=[{"refund": "re_1"}]), None, ""),
        # "" is Stripe's unset, so it does not count as sending the parameter.
        ("2026-09-30.endive", note(amount=1, refund=""), None, ""),
        ("2024-06-20", note(amount=1, refunds=[]), None, ""),
    ],
)
@pytest.mark.parametrize("operation", OPERATIONS)
def test_refund_parameters_by_version(
    operation: str, version: str, params: dict[str, Any], rule: str | None, fix: str
) -> None:
    if rule is None:
        check(params, version, operation=operation)
        return
    error = refused(params, version, operation=operation)
    assert error.rule == rule
    assert error.fix is not None and fix in error.fix
    assert version in str(error)
    assert error.params[0] in ("refund", "refunds")


# ==============================================================================================
# Parameter rules (every version)
# ==============================================================================================

BASE_LINE = {"type": "invoice_line_item", "invoice_line_item": "il_1"}

PARAM_CASES: list[tuple[str, dict[str, Any], str, str]] = [
    # (id, params, rule, a parameter the error must name)
    ("no invoice", {"amount": 1}, "invoice.required", "invoice"),
    ("empty invoice", {"invoice": "", "amount": 1}, "invoice.required", "invoice"),
    ("invoice not str", {"invoice": 5, "amount": 1}, "invoice.required", "invoice"),
    ("nothing to credit", note(), "amount_lines_or_shipping.required", "amount"),
    ("empty lines", note(lines=[]), "amount_lines_or_shipping.required", "lines"),
    (
        "empty shipping",
        note(shipping_cost={}),
        "amount_lines_or_shipping.required",
        "shipping_cost",
    ),
    ("amount unset", note(amount=""), "amount_lines_or_shipping.required", "amount"),
    ("negative amount", note(amount=-1), "amounts.non_negative_integer", "amount"),
    ("bool amount", note(amount=True), "amounts.non_negative_integer", "amount"),
    (
        "float credit",
        note(amount=5, credit_amount=1.5),
        "amounts.non_negative_integer",
        "credit_amount",
    ),
    (
        "str refund",
        note(amount=5, refund_amount="1"),
        "amounts.non_negative_integer",
        "refund_amount",
    ),
    (
        "decimal oob",
        note(amount=5, out_of_band_amount=Decimal(1)),
        "amounts.non_negative_integer",
        "out_of_band_amount",
    ),
    (
        "negative line amount",
        note(lines=[BASE_LINE | {"amount": -5}]),
        "amounts.non_negative_integer",
        "lines[0][amount]",
    ),
    (
        "negative amount_refunded",
        note(amount=5, refunds=[{"refund": "re_1", "amount_refunded": -1}]),
        "amounts.non_negative_integer",
        "refunds[0][amount_refunded]",
    ),
    ("lines not a list", note(lines={"type": "custom_line_item"}), "lines.shape", "lines"),
    ("line not a dict", note(lines=["il_1"]), "lines.shape", "lines[0]"),
    (
        "line without type",
        note(lines=[{"invoice_line_item": "il_1"}]),
        "lines.shape",
        "lines[0][type]",
    ),
    ("line bad type", note(lines=[{"type": "mixed"}]), "lines.shape", "lines[0][type]"),
    (
        "str quantity",
        note(lines=[BASE_LINE | {"quantity": "2"}]),
        "lines.integer_fields",
        "lines[0][quantity]",
    ),
    (
        "float unit_amount",
        note(lines=[custom(1, 1) | {"unit_amount": 1.5}]),
        "lines.integer_fields",
        "lines[0][unit_amount]",
    ),
    (
        "invoice line without id",
        note(lines=[BASE_LINE, {"type": "invoice_line_item", "quantity": 1}]),
        "lines.invoice_line_item_required",
        "lines[1][invoice_line_item]",
    ),
    *[
        (
            f"invoice line with {field}",
            note(lines=[BASE_LINE | {field: value}]),
            "lines.fields_for_type",
            f"lines[0][{field}]",
        )
        for field, value in (
            ("description", "x"),
            ("unit_amount", 1),
            ("unit_amount_decimal", Decimal(1)),
            ("tax_rates", ["txr_1"]),
        )
    ],
    *[
        (
            f"custom line with {field}",
            note(lines=[custom(1, 1) | {field: value}]),
            "lines.fields_for_type",
            f"lines[0][{field}]",
        )
        for field, value in (("amount", 1), ("invoice_line_item", "il_1"))
    ],
    (
        "both unit amounts",
        note(lines=[custom(1, 1) | {"unit_amount_decimal": Decimal("1.5")}]),
        "lines.unit_amount_exclusive",
        "lines[0][unit_amount_decimal]",
    ),
    *[
        (
            f"unit_amount_decimal {value!r}",
            note(lines=[{"type": "custom_line_item", "quantity": 1, "unit_amount_decimal": value}]),
            "lines.unit_amount_decimal_format",
            "lines[0][unit_amount_decimal]",
        )
        for value in (
            Decimal("0.1234567890123"),
            "0.1234567890123",
            1.5,
            "abc",
            "1_000",
            "1e3",
            Decimal("NaN"),
            Decimal("Infinity"),
        )
    ],
    (
        "tax_amounts and tax_rates",
        note(
            lines=[
                custom(1, 1)
                | {
                    "tax_rates": ["txr_1"],
                    "tax_amounts": [{"amount": 1, "tax_rate": "txr_1", "taxable_amount": 10}],
                }
            ]
        ),
        "lines.tax_amounts_with_tax_rates",
        "lines[0][tax_rates]",
    ),
    (
        "21 tax_amounts",
        note(
            lines=[
                BASE_LINE
                | {
                    "tax_amounts": [
                        {"amount": 1, "tax_rate": f"txr_{i}", "taxable_amount": 10}
                        for i in range(21)
                    ]
                }
            ]
        ),
        "lines.tax_amounts_max_count",
        "lines[0][tax_amounts]",
    ),
    (
        "tax_amount without tax_rate",
        note(lines=[BASE_LINE | {"tax_amounts": [{"amount": 1, "taxable_amount": 10}]}]),
        "lines.tax_amounts_shape",
        "lines[0][tax_amounts][0]",
    ),
    (
        "tax_amounts not a list",
        note(lines=[BASE_LINE | {"tax_amounts": {"amount": 1}}]),
        "lines.tax_amounts_shape",
        "lines[0][tax_amounts]",
    ),
    ("refunds not a list", note(amount=1, refunds="re_1"), "refunds.item", "refunds"),
    ("refund item not a dict", note(amount=1, refunds=["re_1"]), "refunds.item", "refunds[0]"),
    (
        "refund item without refund",
        note(amount=1, refunds=[{"amount_refunded": 1}]),
        "refunds.item",
        "refunds[0][refund]",
    ),
    (
        "type refund without refund",
        note(amount=1, refunds=[{"type": "refund", "payment_record_refund": {}}]),
        "refunds.item",
        "refunds[0][refund]",
    ),
    (
        "payment record refund missing",
        note(amount=1, refunds=[{"refund": "re_1"}, {"type": "payment_record_refund"}]),
        "refunds.item",
        "refunds[1][payment_record_refund]",
    ),
    (
        "payment record refund incomplete",
        note(
            amount=1,
            refunds=[
                {
                    "type": "payment_record_refund",
                    "payment_record_refund": {"payment_record": "pr_1"},
                }
            ],
        ),
        "refunds.item",
        "refunds[0][payment_record_refund]",
    ),
    (
        "bad refund type",
        note(amount=1, refunds=[{"type": "charge", "refund": "re_1"}]),
        "refunds.item",
        "refunds[0][type]",
    ),
]


@pytest.mark.parametrize(
    ("params", "rule", "param"), [c[1:] for c in PARAM_CASES], ids=[c[0] for c in PARAM_CASES]
)
@pytest.mark.parametrize("operation", OPERATIONS)
def test_parameter_rules(operation: str, params: dict[str, Any], rule: str, param: str) -> None:
    error = refused(params, "2026-09-30.endive", operation=operation)
    assert error.rule == rule
    assert param in error.params
    assert param in error.message
    assert error.fix
    assert "2026-09-30.endive" in str(error) and f"Fix: {error.fix}" in str(error)


ACCEPTED_CASES: list[tuple[str, dict[str, Any]]] = [
    ("amount only", note(amount=0)),
    ("lines only", note(lines=[BASE_LINE])),
    ("shipping only", note(shipping_cost={"shipping_rate": "shr_1"})),
    ("None means not given", note(amount=5, credit_amount=None, refund_amount=None, lines=None)),
    (
        "'' unsets where Stripe offers it",
        note(
            amount=5,
            metadata="",
            lines=[{**BASE_LINE, "tax_rates": "", "tax_amounts": "", "metadata": ""}],
        ),
    ),
    (
        "invoice line fields",
        note(
            lines=[
                BASE_LINE
                | {
                    "quantity": 2,
                    "amount": 100,
                    "metadata": {"k": "v"},
                    "tax_amounts": [{"amount": 1, "tax_rate": "txr_1", "taxable_amount": 10}],
                }
            ]
        ),
    ),
    (
        "invoice line with unset custom fields",
        note(lines=[BASE_LINE | {"tax_rates": "", "description": None}]),
    ),
    (
        "custom line fields",
        note(
            lines=[
                custom(100, 2)
                | {"description": "goodwill", "tax_rates": ["txr_1"], "metadata": {"k": "v"}}
            ]
        ),
    ),
    (
        "custom line with tax_amounts",
        note(
            lines=[
                custom(100, 2)
                | {"tax_amounts": [{"amount": 1, "tax_rate": "txr_1", "taxable_amount": 10}]}
            ]
        ),
    ),
    (
        "custom line without unit amount",  # Stripe documents "only one of", not "one of"
        note(lines=[{"type": "custom_line_item", "quantity": 1, "description": "x"}]),
    ),
    (
        "negative custom unit amount",  # no documented sign rule for unit_amount
        note(lines=[custom(-100, 1)]),
    ),
    (
        "decimal unit amounts",
        note(
            lines=[
                {"type": "custom_line_item", "quantity": 3, "unit_amount_decimal": v}
                for v in (Decimal("0.123456789012"), "12.5", ".5", 7, Decimal("1.5000000000000000"))
            ]
        ),
    ),
    (
        "tax_amounts with tax_rates unset",
        note(
            lines=[
                custom(1, 1)
                | {
                    "tax_rates": "",
                    "tax_amounts": [{"amount": 1, "tax_rate": "t", "taxable_amount": 1}],
                }
            ]
        ),
    ),
    (
        "tax_amounts with empty tax_rates",
        note(
            lines=[
                custom(1, 1)
                | {
                    "tax_rates": [],
                    "tax_amounts": [{"amount": 1, "tax_rate": "t", "taxable_amount": 1}],
                }
            ]
        ),
    ),
    (
        "20 tax_amounts",
        note(
            lines=[
                BASE_LINE
                | {
                    "tax_amounts": [
                        {"amount": 1, "tax_rate": f"t{i}", "taxable_amount": 1} for i in range(20)
                    ]
                }
            ]
        ),
    ),
    (
        "payment record refund",
        note(
            amount=5,
            refunds=[
                {
                    "type": "payment_record_refund",
                    "payment_record_refund": {"payment_record": "pr_1", "refund_group": "g"},
                    "amount_refunded": 5,
                }
            ],
        ),
    ),
    ("limit is not a create/preview parameter", note(amount=1, limit=None)),
]


@pytest.mark.parametrize(
    "params", [c[1] for c in ACCEPTED_CASES], ids=[c[0] for c in ACCEPTED_CASES]
)
@pytest.mark.parametrize("operation", OPERATIONS)
def test_accepted_parameters(operation: str, params: dict[str, Any]) -> None:
    check(params, "2026-09-30.endive", operation=operation)


@pytest.mark.parametrize("version", ["2023-10-16", "2026-05-27.dahlia", "2026-06-24.dahlia"])
def test_tax_amounts_limit_is_20_on_every_version(version: str) -> None:
    def params(count: int) -> dict[str, Any]:
        taxes = [{"amount": 1, "tax_rate": f"t{i}", "taxable_amount": 1} for i in range(count)]
        return note(lines=[BASE_LINE | {"tax_amounts": taxes}])

    check(params(20), version)
    assert refused(params(21), version).rule == "lines.tax_amounts_max_count"


# ==============================================================================================
# limit
# ==============================================================================================


@pytest.mark.parametrize("limit", [1, 10, 100, None])
@pytest.mark.parametrize("operation", ["list", "list_lines", "preview_lines"])
def test_limit_accepted(operation: str, limit: int | None) -> None:
    report = validate_list_params({"limit": limit}, operation)  # type: ignore[arg-type]
    assert report.checked == ("params.bounds", "limit.range", "params.schema")


@pytest.mark.parametrize("limit", [0, 101, -1, True, "10", 10.0])
@pytest.mark.parametrize("operation", ["list", "list_lines", "preview_lines"])
def test_limit_refused(operation: str, limit: object) -> None:
    with pytest.raises(ValidationError) as info:
        validate_list_params({"limit": limit}, operation)  # type: ignore[arg-type]
    assert info.value.rule == "limit.range" and info.value.params == ("limit",)
    assert "between 1 and 100" in str(info.value)


def test_limit_in_preview_lines_params() -> None:
    check(note(amount=1, limit=100), operation="preview_lines")
    error = refused(note(amount=1, limit=101), operation="preview_lines")
    assert error.rule == "limit.range"
    assert "limit.range" not in [c.rule for c in check(note(amount=1)).checks]


def test_unknown_operation_and_bad_params() -> None:
    with pytest.raises(ValueError, match="unknown operation"):
        check(note(amount=1), operation="update")
    with pytest.raises(ValueError, match="unknown operation"):
        validate_list_params({}, "create")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        validate_credit_note_params("create", [("invoice", "in_1")], LATEST)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        check(note(amount=1), version="latest")


# ==============================================================================================
# Non-GA channels and future versions
# ==============================================================================================


def test_preview_and_dashboard_versions_get_only_open_ended_rules() -> None:
    # The singular refund was gone before this preview's date and is gone on every later version.
    assert refused(note(amount=1, refund="re_1"), "2026-01-28.preview").rule == "refund.removed"
    # Before basil, a preview may already have refunds[]: neither parameter is refused.
    check(note(amount=1, refund="re_1"), "2025-03-01.dashboard")
    check(note(amount=1, refunds=[{"refund": "re_1"}]), "2025-03-01.dashboard")
    report = check(note(amount=450, refund_amount=100), "2024-06-01.preview", PAID)
    assert report.result("allocation.sum_equals_total").status == "not_applicable"
    assert "preview" in (report.result("allocation.sum_equals_total").reason or "")
    # R + C + O <= T holds on every version, so it is checked.
    assert refused(note(amount=1, credit_amount=2), "2024-06-01.preview").rule == (
        "allocation.within_total"
    )
    # After 2025-05-28.basil the post_payment rule is in force for a preview too.
    assert refused(note(amount=450), "2026-01-28.preview", PAID).rule == (
        "allocation.sum_equals_post_payment"
    )


def test_a_bare_date_on_a_release_day_is_not_a_version() -> None:
    # Stripe publishes no "2025-03-31"; sorting it before basil chose the old rules by guesswork.
    for params in (note(amount=1, refund="re_1"), note(amount=1, refunds=[{"refund": "re_1"}])):
        with pytest.raises(ValueError, match=r"did you mean 2025-03-31\.basil\?"):
            check(params, "2025-03-31")


def test_future_versions_get_the_latest_rules() -> None:
    error = refused(note(amount=450), "2027-03-31.fig", PAID)
    assert error.rule == "allocation.sum_equals_post_payment"
    assert error.api_version == "2027-03-31.fig"
    assert refused(note(amount=1, refund="re_1"), "2027-03-31.fig").rule == "refund.removed"


# ==============================================================================================
# InvoiceSnapshot
# ==============================================================================================


def test_snapshot_from_invoice_json_reads_only_what_it_needs() -> None:
    body = {
        "id": "in_1",
        "object": "invoice",
        "amount_remaining": 250,
        "status": "open",
        "currency": "eur",
        "total": 1000,
        "lines": {"data": []},
    }
    snap = InvoiceSnapshot.from_invoice_json(body)
    assert snap == InvoiceSnapshot(id="in_1", amount_remaining=250, status="open", currency="eur")
    assert snap.total is None and snap.effective_amount_remaining == 250


@pytest.mark.parametrize(
    "body",
    [
        {"amount_remaining": 1, "status": "open", "currency": "usd"},
        {"id": "in_1", "status": "open", "currency": "usd"},
        {"id": "in_1", "amount_remaining": True, "status": "open", "currency": "usd"},
        {"id": "in_1", "amount_remaining": "1", "status": "open", "currency": "usd"},
        {"id": "in_1", "amount_remaining": 1, "currency": "usd"},
        {"id": "in_1", "amount_remaining": 1, "status": "paid"},  # contradictory
        [],
    ],
)
def test_snapshot_from_malformed_json(body: Any) -> None:
    with pytest.raises(MalformedResponseError):
        InvoiceSnapshot.from_invoice_json(body)


def test_snapshot_types_and_effective_amount() -> None:
    with pytest.raises(TypeError):
        InvoiceSnapshot(id="in_1", amount_remaining=1.0, status="open", currency="usd")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        InvoiceSnapshot(id="", amount_remaining=1, status="open", currency="usd")
    assert snapshot(0, "paid").effective_amount_remaining == 0
    assert snapshot(-5).effective_amount_remaining == 0


def test_snapshot_for_another_invoice_is_a_caller_bug() -> None:
    other = InvoiceSnapshot(id="in_2", amount_remaining=0, status="paid", currency="usd")
    with pytest.raises(ValueError, match="in_2") as info:
        check(note(amount=1), invoice=other)
    assert not isinstance(info.value, ValidationError)


# ==============================================================================================
# fill_out_of_band
# ==============================================================================================


@pytest.mark.parametrize(
    ("version", "invoice", "params", "expected"),
    [
        ("2019-11-05", None, note(amount=450, refund_amount=100), 350),
        ("2024-06-20", PAID, note(amount=450, refund_amount=100, credit_amount=50), 300),
        ("2025-05-28.basil", None, note(amount=450, refund_amount=100), 350),
        ("2025-05-28.basil", snapshot(200), note(amount=450, refund_amount=100), 150),
        ("2025-05-28.basil", snapshot(1000), note(amount=450), 0),
        ("2026-09-30.endive", PAID, note(lines=[custom(100, 3)], credit_amount=100), 200),
        ("2026-09-30.endive", PAID, note(amount=450, out_of_band_amount=450), 450),
    ],
)
def test_fill_out_of_band(
    version: str, invoice: InvoiceSnapshot | None, params: dict[str, Any], expected: int
) -> None:
    filled = fill_out_of_band(params, version, invoice)
    assert filled["out_of_band_amount"] == expected
    assert filled is not params
    assert params.get("out_of_band_amount", expected) == expected
    assert {k: v for k, v in filled.items() if k != "out_of_band_amount"} == {
        k: v for k, v in params.items() if k != "out_of_band_amount"
    }
    check(filled, version, invoice)


@pytest.mark.parametrize(
    ("version", "invoice", "params", "rule"),
    [
        ("2024-06-20", None, note(lines=[BASE_LINE]), "fill_out_of_band.unknown_amounts"),
        (
            "2026-09-30.endive",
            None,
            note(amount=5, refunds=[{"refund": "re_1"}]),
            "fill_out_of_band.unknown_amounts",
        ),
        ("2024-06-20", None, note(amount=450, refund_amount=500), "allocation.within_total"),
        (
            "2026-09-30.endive",
            snapshot(200),
            note(amount=450, refund_amount=300),
            "allocation.sum_equals_post_payment",
        ),
        ("2024-06-20", snapshot(200), note(amount=450), "fill_out_of_band.invoice_not_paid"),
        ("2019-11-05", snapshot(200), note(amount=450), "fill_out_of_band.invoice_not_paid"),
        ("2024-06-20", PAID, note(amount=450, out_of_band_amount=1), "fill_out_of_band.conflict"),
        ("2024-06-20", PAID, note(amount=450, refund="re_1"), "fill_out_of_band.unknown_amounts"),
        ("2026-09-30.endive", PAID, note(amount=450, refund="re_1"), "refund.removed"),
        ("2026-09-30.endive", PAID, {"amount": 450}, "invoice.required"),
    ],
)
def test_fill_out_of_band_refuses(
    version: str, invoice: InvoiceSnapshot | None, params: dict[str, Any], rule: str
) -> None:
    with pytest.raises(ValidationError) as info:
        fill_out_of_band(params, version, invoice)
    assert info.value.rule == rule
    assert info.value.api_version == version and info.value.fix


# ==============================================================================================
# Properties: the validator against an independent oracle
# ==============================================================================================

PROPERTY_VERSIONS = [
    "2019-03-14",
    "2019-11-05",
    "2019-12-03",
    "2024-06-20",
    "2025-02-24.acacia",
    "2025-03-31.basil",
    "2025-04-30.basil",
    "2025-05-28.basil",
    "2026-06-24.dahlia",
    "2026-09-30.endive",
    "2027-01-15.fig",
]


def oracle(version: str, total: int, allocated: int, invoice: InvoiceSnapshot | None) -> bool:
    """Stripe's documented arithmetic, written without the validator's code.

    GA version strings of this list compare correctly as strings ("2025-05-28" < "2025-05-28.b").
    """
    if allocated > total:
        return False
    if version >= "2025-05-28.basil":
        if invoice is None:
            return True
        remaining = 0 if invoice.status == "paid" else max(invoice.amount_remaining, 0)
        return allocated == total - min(total, remaining)
    if version >= "2019-12-03":
        if invoice is not None and invoice.status == "paid":
            return allocated == total
        return True
    return True


amounts = st.integers(min_value=0, max_value=5_000)
optional_amounts = st.none() | amounts
invoices = (
    st.none()
    | st.just(PAID)
    | st.builds(
        InvoiceSnapshot,
        id=st.just("in_1"),
        amount_remaining=st.integers(min_value=-100, max_value=6_000),
        status=st.sampled_from(["open", "uncollectible"]),
        currency=st.just("usd"),
    )
)


def accepts(operation: str, params: dict[str, Any], version: str, invoice: Any) -> bool:
    try:
        validate_credit_note_params(operation, params, version, invoice)  # type: ignore[arg-type]
    except ValidationError as error:
        assert error.rule.startswith("allocation."), error
        return False
    return True


@settings(max_examples=400, deadline=None)
@given(
    version=st.sampled_from(PROPERTY_VERSIONS),
    total=amounts,
    refund=optional_amounts,
    credit=optional_amounts,
    out_of_band=optional_amounts,
    invoice=invoices,
    near=st.booleans(),
)
def test_accepts_exactly_when_the_arithmetic_holds(
    version: str,
    total: int,
    refund: int | None,
    credit: int | None,
    out_of_band: int | None,
    invoice: InvoiceSnapshot | None,
    near: bool,
) -> None:
    if near:  # steer half the examples onto the equality the rules care about
        remaining = 0 if invoice is None or invoice.status == "paid" else invoice.amount_remaining
        target = total - min(total, max(remaining, 0)) if version >= "2025-05-28.basil" else total
        out_of_band = max(target - (refund or 0) - (credit or 0), 0)
    params = note(amount=total, refund_amount=refund, credit_amount=credit)
    params["out_of_band_amount"] = out_of_band
    expected = oracle(version, total, (refund or 0) + (credit or 0) + (out_of_band or 0), invoice)
    results = {op: accepts(op, params, version, invoice) for op in OPERATIONS}
    assert results == dict.fromkeys(OPERATIONS, expected)


@settings(max_examples=200, deadline=None)
@given(
    version=st.sampled_from(PROPERTY_VERSIONS),
    lines=st.lists(st.tuples(st.integers(0, 500), st.integers(0, 20)), min_size=1, max_size=4),
    credit=amounts,
    invoice=invoices,
)
def test_custom_lines_total_matches_the_oracle(
    version: str, lines: list[tuple[int, int]], credit: int, invoice: InvoiceSnapshot | None
) -> None:
    total = sum(unit * quantity for unit, quantity in lines)
    params = note(lines=[custom(unit, quantity) for unit, quantity in lines], credit_amount=credit)
    assert accepts("create", params, version, invoice) == oracle(version, total, credit, invoice)


@settings(max_examples=300, deadline=None)
@given(
    version=st.sampled_from(PROPERTY_VERSIONS),
    base=st.lists(st.tuples(st.integers(0, 500), st.integers(0, 10)), min_size=1, max_size=3),
    hidden_tax=st.integers(0, 2_000),
    hidden_refund=st.integers(0, 2_000),
    refund=optional_amounts,
    invoice=invoices,
    use_linked_refund=st.booleans(),
)
def test_never_blocks_what_stripe_would_accept(
    version: str,
    base: list[tuple[int, int]],
    hidden_tax: int,
    hidden_refund: int,
    refund: int | None,
    invoice: InvoiceSnapshot | None,
    use_linked_refund: bool,
) -> None:
    """Taxes and whole linked refunds are computed by Stripe: for ANY value they may take, a
    request whose arithmetic holds with that value must not be refused."""
    total = sum(unit * quantity for unit, quantity in base) + hidden_tax
    refunded = (refund or 0) + (hidden_refund if use_linked_refund else 0)
    remaining = 0 if invoice is None or invoice.status == "paid" else invoice.amount_remaining
    target = total - min(total, max(remaining, 0)) if version >= "2025-05-28.basil" else total
    out_of_band = target - refunded
    assume(out_of_band >= 0)
    assert oracle(version, total, refunded + out_of_band, invoice)
    params = note(
        lines=[custom(unit, quantity, tax_rates=["txr_1"]) for unit, quantity in base],
        refund_amount=refund,
        out_of_band_amount=out_of_band,
    )
    if use_linked_refund:
        key = "refunds" if version >= "2025-03-31.basil" else "refund"
        params[key] = [{"refund": "re_1"}] if key == "refunds" else "re_1"
    for operation in OPERATIONS:
        assert accepts(operation, params, version, invoice)


@settings(max_examples=200, deadline=None)
@given(
    version=st.sampled_from(PROPERTY_VERSIONS),
    total=amounts,
    refund=amounts,
    credit=amounts,
    invoice=invoices,
)
def test_fill_out_of_band_produces_valid_params(
    version: str, total: int, refund: int, credit: int, invoice: InvoiceSnapshot | None
) -> None:
    params = note(amount=total, refund_amount=refund, credit_amount=credit)
    uses_post = invoice is not None and version >= "2025-05-28.basil"
    if invoice is not None and not uses_post and invoice.status != "paid":
        with pytest.raises(ValidationError, match=r"is '(open|uncollectible)'"):
            fill_out_of_band(params, version, invoice)
        return
    remaining = 0 if invoice is None or invoice.status == "paid" else invoice.amount_remaining
    target = total - min(total, max(remaining, 0)) if uses_post else total
    if refund + credit > target:
        with pytest.raises(ValidationError):
            fill_out_of_band(params, version, invoice)
        return
    filled = fill_out_of_band(params, version, invoice)
    assert filled["out_of_band_amount"] == target - refund - credit
    assert oracle(version, total, target, invoice)
    validate_credit_note_params("create", filled, version, invoice)


# ==============================================================================================
# The table itself
# ==============================================================================================


def test_rule_ids_are_unique_and_ranges_are_sane() -> None:
    assert len(RULES_BY_ID) == len(RULES)
    for rule in RULES:
        assert re.fullmatch(r"[a-z_]+\.[a-z_]+", rule.id), rule.id
        assert rule.title and rule.formula and rule.params
        if rule.since is not None and rule.until is not None:
            assert rule.since < rule.until


@pytest.mark.parametrize("version", PUBLISHED_VERSIONS, ids=str)
def test_version_gated_rules_partition_the_published_versions(version: ApiVersion) -> None:
    def covers(rule_id: str) -> bool:
        return RULES_BY_ID[rule_id].covers(version)

    assert covers("refund.removed") != covers("refunds.unavailable")
    sums = [covers("allocation.sum_equals_total"), covers("allocation.sum_equals_post_payment")]
    assert sum(sums) == (0 if str(version) < "2019-12-03" else 1)
    assert covers("allocation.within_total")


def test_every_rule_is_documented() -> None:
    text = (ROOT / "docs" / "validation.md").read_text(encoding="utf-8")
    for rule in RULES:
        assert f"`{rule.id}`" in text, rule.id
    for rule_id in (
        "fill_out_of_band.unknown_amounts",
        "fill_out_of_band.invoice_not_paid",
        "fill_out_of_band.conflict",
    ):
        assert f"`{rule_id}`" in text, rule_id


# ==============================================================================================
# Errors that point at the fix (issue 15)
# ==============================================================================================

ALLOCATION_NAMES = ("refund_amount", "refund", "refunds", "credit_amount", "out_of_band_amount")


def test_param_is_the_parameter_the_fix_changes() -> None:
    # R + C = 300 fits T = 450 only with out_of_band_amount lowered: that is the parameter.
    error = refused(
        note(amount=450, refund_amount=200, credit_amount=100, out_of_band_amount=250),
        "2024-06-20",
        PAID,
    )
    assert error.fix == "set out_of_band_amount=150"
    assert error.param == "out_of_band_amount"


def test_messages_label_only_parameters_the_request_holds() -> None:
    error = refused(note(amount=450, credit_amount=200), "2024-06-20", PAID)
    assert "R=0 (none given)" in error.message
    assert "C=200 (credit_amount)" in error.message
    assert "O=0 (none given)" in error.message
    assert "refund_amount" not in error.message
    error = refused(note(amount=450, credit_amount=500))
    assert error.fix == "lower credit_amount by 50 in total"
    assert error.param == "credit_amount"
    assert _names_in(error.message + error.fix) == {"credit_amount"}


def _names_in(text: str) -> set[str]:
    return {n for n in ALLOCATION_NAMES if re.search(rf"\b{n}\b", text)}


@settings(max_examples=400, deadline=None)
@given(
    version=st.sampled_from([str(v) for v in PUBLISHED_VERSIONS]),
    amounts=st.fixed_dictionaries(
        {},
        optional={
            "refund_amount": st.integers(0, 600),
            "credit_amount": st.integers(0, 600),
            "out_of_band_amount": st.integers(0, 600),
        },
    ),
    total=st.integers(0, 600),
    invoice=st.none()
    | st.builds(
        InvoiceSnapshot,
        id=st.just("in_1"),
        amount_remaining=st.integers(0, 600),
        status=st.sampled_from(["open", "uncollectible"]),
    )
    | st.just(PAID),
)
def test_every_error_names_rule_version_and_the_parameter_it_fixes(
    version: str, amounts: dict[str, int], total: int, invoice: InvoiceSnapshot | None
) -> None:
    params = note(amount=total, **amounts)
    try:
        check(params, version, invoice)
    except ValidationError as error:
        assert error.message.endswith(
            f"[rule {error.rule}, Stripe-Version {version}, param {error.param}]"
        )
        assert error.fix is not None and error.param is not None
        assert re.search(rf"\b{re.escape(error.param)}\b", error.fix), (error.param, error.fix)
        # Values are labelled only with what the request holds; the fix names only those, plus
        # the out_of_band_amount it asks to set.
        body = error.message[: error.message.rindex(" [rule ")]
        assert _names_in(body) - {"out_of_band_amount"} <= set(amounts)
        assert _names_in(error.fix) - {"out_of_band_amount"} <= set(amounts)
        assert set(error.params) <= set(amounts) | {"out_of_band_amount"}


# ==============================================================================================
# Inputs that cannot be mistyped into a weaker check (issue 15)
# ==============================================================================================


@pytest.mark.parametrize(("status", "hint"), [("payed", "'paid'"), ("PAID", "'paid'"), ("x", "")])
def test_snapshot_refuses_a_status_stripe_does_not_have(status: str, hint: str) -> None:
    with pytest.raises(ValueError, match="Stripe's invoice statuses") as info:
        InvoiceSnapshot(amount_remaining=0, status=status)  # type: ignore[arg-type]
    assert hint in str(info.value)


def test_snapshot_refuses_paid_with_an_amount_remaining() -> None:
    with pytest.raises(ValueError, match="contradictory"):
        InvoiceSnapshot(amount_remaining=300, status="paid")


def test_snapshot_needs_neither_id_nor_currency() -> None:
    snap = InvoiceSnapshot(amount_remaining=0, status="paid")
    error = refused(note(amount=450), "2024-06-20", snap)
    assert error.fix == "set out_of_band_amount=450"
    assert "the invoice is paid" in error.message
    with pytest.raises(TypeError):
        InvoiceSnapshot(0, "paid")  # type: ignore[misc]


def test_a_fetched_status_newer_than_the_sdk_degrades_to_unknown_loudly() -> None:
    body = {"id": "in_1", "amount_remaining": 0, "status": "partially_refunded"}
    snap = InvoiceSnapshot.from_invoice_json(body)
    assert (snap.status, snap.reported_status) == ("unknown", "partially_refunded")
    # Before basil the sum rule needs the status: skipped, never applied as for "open".
    report = check(note(amount=450), "2024-06-20", snap)
    result = report.result("allocation.sum_equals_total")
    assert result.status == "skipped" and "invoice_status" in result.unknowns
    assert "partially_refunded" in (result.reason or "")
    assert report.notes and "partially_refunded" in report.notes[0]
    assert "partially_refunded" in report.describe()
    # From basil the rule reads amount_remaining, which Stripe did send.
    report = check(note(amount=450, out_of_band_amount=450), str(LATEST), snap)
    assert report.result("allocation.sum_equals_post_payment").status == "passed"
    assert report.notes


def test_linked_refund_amounts_make_the_check_exact() -> None:
    refunds = {"re_1": 200}
    paid = InvoiceSnapshot(amount_remaining=0, status="paid", refund_amounts=refunds)
    # Before basil: `refund=` links the whole refund.
    params = note(amount=500, refund="re_1", credit_amount=100)
    assert check(params, "2024-06-20", PAID).result("allocation.sum_equals_total").status == (
        "bounded"
    )
    error = refused(params, "2024-06-20", paid)
    assert error.fix == "set out_of_band_amount=200" and error.param == "out_of_band_amount"
    assert check({**params, "out_of_band_amount": 200}, "2024-06-20", paid).complete
    # From basil: a refunds[] item without amount_refunded defaults to the whole refund.
    params = note(amount=500, refunds=[{"refund": "re_1"}], out_of_band_amount=300)
    report = check(params, str(LATEST), paid)
    assert report.complete and report.refunded == Bounds.point(200)
    error = refused(note(amount=500, refunds=[{"refund": "re_1"}]), str(LATEST), paid)
    assert error.fix == "set out_of_band_amount=300"


def test_snapshot_refund_amounts_are_checked() -> None:
    with pytest.raises(ValueError, match="non-negative"):
        InvoiceSnapshot(amount_remaining=0, status="paid", refund_amounts={"re_1": -1})
    with pytest.raises(TypeError):
        InvoiceSnapshot(amount_remaining=0, status="paid", refund_amounts=[1])  # type: ignore[arg-type]


# ==============================================================================================
# The validator's own bounds (issue 10, section 3)
# ==============================================================================================


def nested(depth: int, leaf: Any = "x", as_list: bool = False) -> Any:
    value = leaf
    for _ in range(depth):
        value = [value] if as_list else {"a": value}
    return value


PLACES = ("metadata", "expand", "lines", "memo", "some_newer_param")


@settings(max_examples=60, deadline=None)
@given(
    depth=st.integers(40, 3_000),
    place=st.sampled_from(PLACES),
    as_list=st.booleans(),
    operation=st.sampled_from(OPERATIONS),
)
def test_deep_nesting_is_our_error_not_recursion(
    depth: int, place: str, as_list: bool, operation: str
) -> None:
    error = refused(note(amount=1, **{place: nested(depth, as_list=as_list)}), operation=operation)
    assert error.rule == "params.bounds" and error.param == place
    assert len(str(error)) < 600


def test_a_cycle_is_too_deep() -> None:
    loop: list[Any] = []
    loop.append(loop)
    assert refused(note(amount=1, expand=loop)).rule == "params.bounds"


def test_documented_depths_pass() -> None:
    tax = {"amount": 1, "tax_rate": "txr_1", "taxable_amount": 10}
    line = {"type": "custom_line_item", "quantity": 1, "unit_amount": 10, "tax_amounts": [tax]}
    check(note(lines=[line], metadata={"k": "v"}))
    check(note(amount=1, some_newer_param=nested(30)))


@settings(max_examples=80, deadline=None)
@given(
    digits=st.integers(31, 20_000),
    sign=st.sampled_from([1, -1]),
    place=st.sampled_from(
        [
            "amount",
            "credit_amount",
            "refund_amount",
            "out_of_band_amount",
            "memo",
            "quantity",
            "tax_amount",
            "metadata",
        ]
    ),
)
def test_huge_ints_are_our_error_and_never_printed(digits: int, sign: int, place: str) -> None:
    value = sign * 10 ** (digits - 1)
    line: dict[str, Any] = {"type": "custom_line_item", "quantity": 1, "unit_amount": 5}
    params = note(amount=1)
    if place == "quantity":
        params = note(lines=[{**line, "quantity": value}])
    elif place == "tax_amount":
        tax = {"amount": value, "tax_rate": "txr_1", "taxable_amount": 1}
        params = note(lines=[{**line, "tax_amounts": [tax]}])
    elif place == "metadata":
        params["metadata"] = {"k": value}
    else:
        params[place] = value
    error = refused(params)
    assert error.rule == "params.bounds"
    assert "digits" in error.message and len(str(error)) < 600


def test_thirty_digit_ints_are_still_checked_exactly() -> None:
    big = 10**29
    error = refused(note(amount=big, credit_amount=big + 1))
    assert error.rule == "allocation.within_total" and str(big) in error.message


@pytest.mark.parametrize(
    "value",
    [Decimal("1E+5000"), Decimal("1E+999999"), "9" * 5000, Decimal("1E+30"), 10**40],
)
def test_huge_unit_amount_decimal_is_refused_clearly(value: object) -> None:
    line = {"type": "custom_line_item", "quantity": 3, "unit_amount_decimal": value}
    error = refused(note(lines=[line], credit_amount=1))
    assert error.rule in ("lines.unit_amount_decimal_format", "params.bounds")
    assert len(str(error)) < 600


def test_decimal_places_are_counted_without_rounding() -> None:
    # 1.000...0001 with 40 places: a 28-digit context would round it to 1 and let it through.
    value = "1." + "0" * 39 + "1"
    line = {"type": "custom_line_item", "quantity": 1, "unit_amount_decimal": value}
    assert refused(note(lines=[line])).rule == "lines.unit_amount_decimal_format"
    exact = {"type": "custom_line_item", "quantity": 10**20, "unit_amount_decimal": "1.5"}
    report = check(note(lines=[exact]))
    assert report.total == Bounds.point(15 * 10**19)


def test_bounds_text_never_fails() -> None:
    assert "digits" in str(Bounds(10**5000, None))
    assert "digits" in str(Bounds.point(-(10**5000)))
    assert str(Bounds(1, 2)) == "[1, 2]"


@settings(max_examples=60, deadline=None)
@given(length=st.integers(1_000, 200_000), where=st.sampled_from(["email_type", "key"]))
def test_long_strings_are_quoted_short(length: int, where: str) -> None:
    params = (
        note(amount=1, email_type="x" * length)
        if where == "email_type"
        else note(amount=1, metadata={"k" * length: 5.5})
    )
    error = refused(params)
    assert error.rule == "params.schema" and len(str(error)) < 600
