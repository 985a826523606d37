"""The validator's fast paths give the answers of its full checks.

* ``Context.plain_lines``: when it says the lines are plainly valid, the line rules skip their
  own loops; every line rule's full check must then pass, and the whole evaluation with the
  fast path off must answer exactly as with it on.
* ``fits_schema``: one walk for ``params.bounds`` and ``params.schema`` must say True exactly
  when both full walks pass.
* Int line totals: ``unit_amount`` x ``quantity`` in ints must give the bounds and reasons the
  Decimal computation gives for the same number as ``unit_amount_decimal``.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from stripe_credit_notes._param_schemas import PARAM_SCHEMAS
from stripe_credit_notes.errors import ValidationError
from stripe_credit_notes.validation._bounds import bounds_violation
from stripe_credit_notes.validation._check import _context, _evaluate
from stripe_credit_notes.validation._facts import Context
from stripe_credit_notes.validation._rules import (
    PASSED,
    PLAIN_LINE_RULES,
    RULES,
    RULES_BY_ID,
    _check_schema,
)
from stripe_credit_notes.validation._schema import fits_schema
from stripe_credit_notes.versions import LATEST, ApiVersion
from tests.validation_corpus import LINE_KEYS, cases

pytestmark = pytest.mark.filterwarnings(
    "ignore::stripe_credit_notes.versions.UnknownApiVersionWarning"
)

CREATE = ("credit_notes", "create")

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
        for rule in PLAIN_LINE_RULES:
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


# ----------------------------------------------------------------------------------------------
# params.bounds + params.schema in one walk (fits_schema)

odd_values = st.sampled_from(
    [None, "", 0, -1, True, 1.5, "x", Decimal("1.5"), 10**30, -(10**30), 10**30 - 1, (), {}]
) | st.builds(lambda depth: _nested(depth), st.sampled_from([1, 30, 31, 32, 33]))


def _nested(depth: int) -> Any:
    value: Any = "leaf"
    for _ in range(depth):
        value = [value]
    return value


class _Frozen(Mapping[str, Any]):
    """A Mapping that is not a dict: the fused walk leaves it to the full checks."""

    def __init__(self, data: dict[str, Any]) -> None:
        self._data = data

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)


def for_param_node(node: Mapping[str, Any]) -> st.SearchStrategy[Any]:
    """Values for a node of the generated request schemas: mostly fitting, sometimes odd."""
    if "anyOf" in node:
        fitting: st.SearchStrategy[Any] = st.one_of([for_param_node(m) for m in node["anyOf"]])
    else:
        kind = node.get("type")
        if kind == "integer":
            fitting = st.integers(-5, 5000) | st.sampled_from([10**30 - 1, -(10**30) + 1])
        elif kind == "boolean":
            fitting = st.booleans()
        elif kind == "string" and node.get("enum"):
            fitting = st.sampled_from([*node["enum"], "zz_future"])
        elif kind == "string":
            fitting = st.text(max_size=3) | st.integers(-5, 5) | st.just("12.5")
        elif kind == "array":
            items = for_param_node(node["items"])
            fitting = st.lists(items, max_size=3) | st.lists(items, max_size=2).map(tuple)
        elif kind == "object":
            props = {k: for_param_node(v) for k, v in node.get("properties", {}).items()}
            extra = node.get("additionalProperties")
            base = st.fixed_dictionaries({}, optional=props)
            if isinstance(extra, Mapping):
                base = st.tuples(
                    base, st.dictionaries(st.text(max_size=3), for_param_node(extra), max_size=2)
                ).map(lambda pair: {**pair[1], **pair[0]})
            unknown = st.dictionaries(st.just("zz_new"), odd_values, max_size=1)
            fitting = st.tuples(base, unknown).map(lambda pair: {**pair[0], **pair[1]})
            fitting = fitting | fitting.map(_Frozen)
        else:
            fitting = odd_values
    # Odd values rarely, so that an example often has exactly one thing wrong (or none).
    return st.one_of(*[fitting] * 12, odd_values)


def _params_for(operation: tuple[str, str]) -> st.SearchStrategy[dict[str, Any]]:
    schema = PARAM_SCHEMAS[operation]
    props = {name: for_param_node(node) for name, node in schema["properties"].items()}
    return st.fixed_dictionaries({}, optional={**props, "zz_new_param": odd_values})


@settings(max_examples=500, deadline=None)
@given(
    data=st.data(),
    operation=st.sampled_from(sorted(PARAM_SCHEMAS)),
    version=st.sampled_from(["2025-05-28.basil", str(LATEST), "2031-01-01.zeta"]),
)
def test_one_walk_answers_like_the_bounds_and_schema_walks(
    data: st.DataObject, operation: tuple[str, str], version: str
) -> None:
    _one_walk_agrees(data.draw(_params_for(operation)), operation, version)


def _one_walk_agrees(params: dict[str, Any], operation: tuple[str, str], version: str) -> None:
    pinned = ApiVersion.coerce(version)
    fused = fits_schema(params, PARAM_SCHEMAS[operation], check_enums=pinned <= LATEST)
    full = Context(operation, params, pinned)
    full._within_schema = False
    separate = bounds_violation(params) is None and _check_schema(full) is PASSED
    assert fused == separate


# The edges: the int limit, a missing required key, the depth limit inside a declared and an
# undeclared parameter, an enum value the spec does not list.
@pytest.mark.parametrize(
    "params",
    [
        {"amount": 10**30},
        {"amount": 10**30 - 1},
        {"lines": [{"quantity": 1}]},
        {"metadata": {"k": _nested(30)}},
        {"lines": [{"type": "custom_line_item", "metadata": {"k": _nested(29)}}]},
        {"lines": [{"type": "custom_line_item", "zz": _nested(29)}]},
        {"lines": [{"type": "custom_line_item", "zz": _nested(30)}]},
        {"zz": [_nested(29)]},
        {"zz": [_nested(30)]},
        {"zz": [_nested(31)]},
        {"email_type": "zz"},
    ],
)
def test_one_walk_at_the_edges(params: dict[str, Any]) -> None:
    _one_walk_agrees(params, CREATE, str(LATEST))
    _one_walk_agrees(params, CREATE, "2031-01-01.zeta")


def test_one_walk_without_a_schema_is_the_bounds_walk() -> None:
    for params in ({"limit": 10}, {"x": _nested(32)}, {"x": _nested(31)}, {"n": 10**30}):
        assert fits_schema(params, None, check_enums=True) == (bounds_violation(params) is None)
