"""The spec-driven `params.schema` rule: types, enums and nested required keys."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stripe_credit_notes import ValidationError
from stripe_credit_notes._param_schemas import PARAM_SCHEMAS
from stripe_credit_notes.validation._check import raise_if_invalid
from stripe_credit_notes.validation._schema import schema_problem

LATEST = "2026-09-30.endive"


@pytest.mark.parametrize(
    ("operation", "params", "path"),
    [
        ("create", {"invoice": "in_1", "amount": 5, "effective_at": "2026-01-01"}, "effective_at"),
        ("preview", {"invoice": "in_1", "amount": 5, "email_type": "sms"}, "email_type"),
        ("create", {"invoice": "in_1", "amount": 5, "email_type": "sms"}, "email_type"),
        ("list", {"created": {"gte": "yesterday"}}, "created[gte]"),
        ("list", {"created": "yesterday"}, "created"),
        ("list", {"expand": "invoice"}, "expand"),
        ("retrieve", {"expand": [1.5]}, "expand[0]"),
        ("update", {"metadata": ["a"]}, "metadata"),
        ("list_lines", {"starting_after": ["cnli_1"]}, "starting_after"),
        (
            "create",
            {"invoice": "in_1", "amount": 5, "shipping_cost": {"shipping_rate": 3.5}},
            "shipping_cost[shipping_rate]",
        ),
    ],
)
def test_values_that_do_not_fit_the_spec_are_refused(
    operation: str, params: dict[str, Any], path: str
) -> None:
    with pytest.raises(ValidationError) as info:
        raise_if_invalid(operation, params, LATEST)
    assert info.value.rule == "params.schema"
    assert info.value.params == (path,)
    assert path in str(info.value) and LATEST in str(info.value)


@pytest.mark.parametrize(
    ("operation", "params", "version"),
    [
        ("create", {"invoice": "in_1", "amount": 5, "reason": "changed_mind"}, LATEST),
        ("create", {"invoice": "in_1", "amount": 5, "email_type": "sms"}, "2027-01-27.fig"),
        ("create", {"invoice": "in_1", "amount": 5, "memo": 42}, LATEST),
        ("create", {"invoice": "in_1", "amount": 5, "effective_at": None, "memo": ""}, LATEST),
        ("create", {"invoice": "in_1", "amount": 5, "some_newer_param": object()}, LATEST),
        ("list", {"created": 1700000000}, LATEST),
        ("list", {"created": {"gte": 1, "lt": 2}}, LATEST),
        ("update", {"metadata": {"a": "b", "gone": ""}}, LATEST),
        ("update", {"metadata": ""}, LATEST),
    ],
)
def test_values_stripe_accepts_pass(operation: str, params: dict[str, Any], version: str) -> None:
    raise_if_invalid(operation, params, version)


def valid(node: dict[str, Any], depth: int = 0) -> st.SearchStrategy[Any]:
    """Values that fit a reduced schema node (independent of the walker under test)."""
    if "anyOf" in node:
        return st.one_of([valid(m, depth) for m in node["anyOf"]])
    kind = node.get("type")
    if kind == "integer":
        return st.integers(-(10**9), 10**9)
    if kind == "boolean":
        return st.booleans()
    if kind == "string" and node.get("format") == "decimal":
        return st.decimals(allow_nan=False, allow_infinity=False, places=4) | st.integers()
    if kind == "string":
        return st.sampled_from(node["enum"]) if "enum" in node else st.text(max_size=8)
    if kind == "array":
        return st.lists(valid(node["items"], depth + 1), max_size=2 if depth < 2 else 0)
    if kind == "object" and "properties" in node:
        props = node["properties"]
        required = set(node.get("required", ()))
        return st.fixed_dictionaries(
            {k: valid(v, depth + 1) for k, v in props.items() if k in required},
            optional={k: valid(v, depth + 1) for k, v in props.items() if k not in required},
        )
    if kind == "object":
        return st.dictionaries(st.text(min_size=1, max_size=5), st.text(max_size=5), max_size=2)
    raise AssertionError(node)


@pytest.mark.parametrize("operation", sorted(PARAM_SCHEMAS))
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_every_value_the_spec_allows_passes_the_walker(operation: str, data: Any) -> None:
    for name, node in PARAM_SCHEMAS[operation]["properties"].items():
        value = data.draw(valid(node), label=name)
        assert schema_problem(value, node, name, check_enums=True) is None


@settings(max_examples=100, deadline=None)
@given(amount=st.text(min_size=1, max_size=5).filter(lambda s: s.strip() != ""))
def test_a_string_where_an_integer_belongs_is_found_at_any_depth(amount: str) -> None:
    params = {
        "invoice": "in_1",
        "lines": [
            {"type": "custom_line_item", "unit_amount": 5, "quantity": 1},
            {
                "type": "invoice_line_item",
                "invoice_line_item": "il_1",
                "tax_amounts": [
                    {"amount": 1, "tax_rate": "txr_1", "taxable_amount": 5},
                    {"amount": amount, "tax_rate": "txr_2", "taxable_amount": 5},
                ],
            },
        ],
    }
    node = PARAM_SCHEMAS["credit_notes", "create"]["properties"]["lines"]
    assert schema_problem(params["lines"], node, "lines", check_enums=True) == (
        "lines[1][tax_amounts][1][amount]",
        "an integer",
    )


def test_decimal_strings_follow_stripe_format() -> None:
    node = {"type": "string", "format": "decimal"}
    for ok in (Decimal("1.5"), 3, "0.0000001", "-2"):
        assert schema_problem(ok, node, "x", check_enums=True) is None
    for bad in ("1e5", "abc", Decimal("NaN"), 1.5, True):
        assert schema_problem(bad, node, "x", check_enums=True) is not None
