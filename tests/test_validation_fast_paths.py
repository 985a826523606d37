"""The validator's fast paths give the answers of its full checks.

* ``Context.plain_lines``: when it says the lines are plainly valid, the line rules skip their
  own loops; every line rule's full check must then pass, and the whole evaluation with the
  fast path off must answer exactly as with it on.
* Int line totals: ``unit_amount`` x ``quantity`` in ints must give the bounds and reasons the
  Decimal computation gives for the same number as ``unit_amount_decimal``.
"""

from __future__ import annotations

import warnings
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from stripe_credit_notes.errors import ValidationError
from stripe_credit_notes.validation._check import _context, _evaluate
from stripe_credit_notes.validation._facts import Context
from stripe_credit_notes.validation._rules import PASSED, RULES, RULES_BY_ID
from stripe_credit_notes.versions import LATEST
from tests.validation_corpus import LINE_KEYS, cases

pytestmark = pytest.mark.filterwarnings(
    "ignore::stripe_credit_notes.versions.UnknownApiVersionWarning"
)

CREATE = ("credit_notes", "create")
# The rules that ask Context.plain_lines before their own loop (amounts.non_negative_integer
# asks it for its line loop only: the whole evaluation covers it).
LINE_RULES = (
    "lines.shape",
    "lines.integer_fields",
    "lines.invoice_line_item_required",
    "lines.fields_for_type",
    "lines.unit_amount_exclusive",
    "lines.unit_amount_decimal_format",
    "lines.tax_amounts_shape",
    "lines.tax_amounts_with_tax_rates",
    "lines.tax_amounts_max_count",
)

values = st.sampled_from(
    [None, "", 0, 3, 250, -1, True, 1.5, "x", "il_1", "txr_1", Decimal("2.5"), "12.5", [], {}]
)
taxes = st.lists(
    st.fixed_dictionaries(
        {},
        optional={
            "amount": values | st.integers(-5, 500),
            "tax_rate": values,
            "taxable_amount": values | st.integers(-5, 500),
        },
    ),
    max_size=22,
).map(lambda items: items[:3] if len(items) < 20 else items)
line_fields = st.fixed_dictionaries(
    {},
    optional={
        "type": st.sampled_from(["invoice_line_item", "custom_line_item", "other", "", None]),
        "invoice_line_item": values,
        "amount": values | st.integers(-5, 5000),
        "quantity": values | st.integers(-5, 50),
        "unit_amount": values | st.integers(-5, 5000),
        "unit_amount_decimal": values,
        "description": values,
        "tax_rates": st.sampled_from([None, "", [], ["txr_1"]]),
        "tax_amounts": st.none() | st.just("") | taxes,
    },
)
TAX = {"amount": 1, "tax_rate": "txr_1", "taxable_amount": 10}
VALID_LINES = (
    {"type": "invoice_line_item", "invoice_line_item": "il_1"},
    {"type": "invoice_line_item", "invoice_line_item": "il_1", "quantity": 1, "tax_amounts": [TAX]},
    {"type": "custom_line_item", "quantity": 2, "unit_amount": 250},
    {"type": "custom_line_item", "quantity": 1, "unit_amount": 5, "tax_amounts": [TAX, TAX]},
)
# Mostly a valid line with one to three fields changed: where the fast path's edge is.
near_valid = st.builds(
    lambda base, changes: {**base, **changes},
    st.sampled_from(VALID_LINES),
    st.dictionaries(st.sampled_from(LINE_KEYS), values | st.integers(-5, 50), max_size=3),
)
lines_strategy = st.lists(
    st.one_of(
        near_valid, near_valid, near_valid, st.sampled_from(VALID_LINES), line_fields, values
    ),
    max_size=3,
) | values.filter(lambda v: v is not None)


def _full(ctx: Context) -> Context:
    """The same request with the fast path off (every line rule runs its own loop)."""
    full = Context(ctx.operation, ctx.params, ctx.version, ctx.invoice)
    full._plain_lines = False
    return full


def _answer(ctx: Context) -> object:
    try:
        return _evaluate(ctx, RULES, version_label=str(ctx.version))
    except ValidationError as exc:
        return ("error", str(exc), exc.rule, exc.params, exc.fix, exc.details)


def _same_answers(params: dict[str, Any], version: object = LATEST, invoice: Any = None) -> bool:
    ctx = _context(CREATE, params, version, invoice)  # type: ignore[arg-type]
    fast = _answer(ctx)
    assert fast == _answer(_full(ctx))
    if ctx.plain_lines:
        full = _full(ctx)
        for rule in LINE_RULES:
            assert RULES_BY_ID[rule].check(full) is PASSED, rule
    return ctx.plain_lines


@settings(max_examples=800, deadline=None)
@given(lines=lines_strategy, credit=st.sampled_from([None, 0, 100, -1]))
# The edges hypothesis reaches only rarely: a negative line amount, 20 and 21 tax amounts.
@example(lines=[{**VALID_LINES[0], "amount": -1}], credit=None)
@example(lines=[{**VALID_LINES[2], "tax_amounts": [TAX] * 20}], credit=None)
@example(lines=[{**VALID_LINES[2], "tax_amounts": [TAX] * 21}], credit=None)
def test_plain_lines_never_changes_an_answer(lines: object, credit: object) -> None:
    _same_answers({"invoice": "in_1", "lines": lines, "credit_amount": credit})


def test_plain_lines_agrees_on_the_whole_corpus() -> None:
    plain = 0
    for operation, params, version, invoice in cases():
        if operation != "create":
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                plain += _same_answers(params, version, invoice)
            except (ValueError, TypeError) as exc:  # a bad pin or snapshot, before any rule
                assert not isinstance(exc, ValidationError)
    assert plain > 500  # the fast path is taken, so the comparison means something


def test_plain_lines_takes_the_bench_request_and_refuses_the_unusual() -> None:
    from benchmarks.overhead import PARAMS

    assert Context(CREATE, PARAMS, LATEST).plain_lines
    custom = {"type": "custom_line_item", "quantity": 1}
    for unusual in (
        {**custom, "unit_amount_decimal": "1.5"},
        {**custom, "quantity": True},
        {**custom, "tax_amounts": ""},
        {**custom, "tax_amounts": [{"amount": 1, "tax_rate": "", "taxable_amount": 1}]},
        {"type": "invoice_line_item", "invoice_line_item": "il_1", "description": ""},
    ):
        assert not Context(CREATE, {"lines": [unusual]}, LATEST).plain_lines, unusual
    assert not Context(CREATE, {"lines": (custom,)}, LATEST).plain_lines


@settings(max_examples=300, deadline=None)
@given(
    unit=st.integers(-(10**29), 10**29),
    quantity=st.integers(-(10**6), 10**6),
    taxed=st.booleans(),
    more=st.booleans(),
)
def test_int_line_totals_match_the_decimal_computation(
    unit: int, quantity: int, taxed: bool, more: bool
) -> None:
    extra = {"tax_rates": ["txr_1"]} if taxed else {}
    other = [{"type": "custom_line_item", "quantity": 1, "unit_amount": 7}] if more else []
    as_int = {"type": "custom_line_item", "quantity": quantity, "unit_amount": unit, **extra}
    as_decimal = {
        "type": "custom_line_item",
        "quantity": quantity,
        "unit_amount_decimal": str(unit),
        **extra,
    }
    ints = Context(CREATE, {"lines": [as_int, *other]}, LATEST).total
    decimals = Context(CREATE, {"lines": [as_decimal, *other]}, LATEST).total
    assert ints == decimals
