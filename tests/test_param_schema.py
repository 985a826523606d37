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

# Future pins (newer than every published version) are part of the input space here; the
# warning they raise is tested in test_versions.py.
pytestmark = pytest.mark.filterwarnings(
    "ignore::stripe_credit_notes.versions.UnknownApiVersionWarning"
)

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


# -- "" (Stripe's "unset") only where the spec or Stripe's docs offer it ---------------------------

LINE = {"type": "custom_line_item", "quantity": 1, "unit_amount": 5}


@pytest.mark.parametrize(
    ("params", "path"),
    [
        ({"effective_at": ""}, "effective_at"),
        ({"email_type": ""}, "email_type"),
        ({"shipping_cost": ""}, "shipping_cost"),
        ({"refunds": ""}, "refunds"),
        ({"expand": ""}, "expand"),
        ({"credit_amount": ""}, "credit_amount"),
        ({"lines": [{**LINE, "quantity": ""}]}, "lines[0][quantity]"),
        ({"lines": [{**LINE, "unit_amount": None, "unit_amount_decimal": ""}]}, None),
    ],
)
def test_unset_is_refused_where_the_spec_does_not_offer_it(
    params: dict[str, Any], path: str | None
) -> None:
    for operation in ("create", "preview", "preview_lines"):
        with pytest.raises(ValidationError) as info:
            raise_if_invalid(operation, {"invoice": "in_1", "amount": 5, **params}, LATEST)
        error = info.value
        assert error.rule == "params.schema"
        expected = path or "lines[0][unit_amount_decimal]"
        assert error.param == expected and "Stripe's unset" in error.message
        assert error.fix == f"omit {expected} (or pass None) to leave it unset"


@pytest.mark.parametrize(
    ("operation", "params"),
    [
        ("create", {"metadata": ""}),
        ("update", {"metadata": ""}),
        ("create", {"lines": [{**LINE, "tax_rates": "", "tax_amounts": "", "metadata": ""}]}),
        ("create", {"memo": ""}),  # a string parameter: "" is a string
        ("create", {"metadata": {"gone": ""}}),  # unsets one key
    ],
)
def test_unset_passes_where_stripe_offers_it(operation: str, params: dict[str, Any]) -> None:
    base = {"invoice": "in_1", "amount": 5} if operation == "create" else {}
    raise_if_invalid(operation, {**base, **params}, LATEST)


def offers_unset(node: dict[str, Any]) -> bool:
    """Whether "" fits a reduced schema node, read from the data (not from the walker)."""
    if node.get("unset"):
        return True
    if "anyOf" in node:
        return any(offers_unset(m) for m in node["anyOf"])
    return (
        node.get("type") == "string"
        and ("" in node.get("enum", [""]) or bool(node.get("bypass")))
        and node.get("format") != "decimal"
    )


def every_node(node: dict[str, Any], path: str) -> list[tuple[str, dict[str, Any]]]:
    found = [(path, node)]
    for member in node.get("anyOf", ()):
        found += every_node(member, path)
    if "items" in node:
        found += every_node(node["items"], path + "[0]")
    for key, sub in node.get("properties", {}).items():
        found += every_node(sub, f"{path}[{key}]")
    return found


ALL_NODES = [
    (operation, path, node)
    for operation, schema in PARAM_SCHEMAS.items()
    for name, top in schema["properties"].items()
    for path, node in every_node(top, name)
]


@settings(max_examples=300, deadline=None)
@given(case=st.sampled_from(ALL_NODES), future=st.booleans())
def test_unset_fits_exactly_the_nodes_that_offer_it(
    case: tuple[str, str, dict[str, Any]], future: bool
) -> None:
    _, path, node = case
    problem = schema_problem("", node, path, check_enums=not future)
    assert (problem is None) == offers_unset(node), (path, node)


def test_metadata_is_marked_unset_by_the_generator() -> None:
    for schema in PARAM_SCHEMAS.values():
        node = schema["properties"].get("metadata")
        if node is not None:
            assert node.get("unset") is True
