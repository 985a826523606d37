"""Unit tests of the emulator's building blocks (no server)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from stripe_credit_notes.emulator._errors import ApiError
from stripe_credit_notes.emulator._faults import FaultKind, FaultQueue, make_fault
from stripe_credit_notes.emulator._forms import FormError, parse_form
from stripe_credit_notes.emulator._lists import paginate
from stripe_credit_notes.emulator._params import coerce_params, create_schema, list_schema
from stripe_credit_notes.emulator._state import Store
from stripe_credit_notes.emulator._versions import (
    ALLOCATION_AUTO_OUT_OF_BAND,
    ALLOCATION_POST_PAYMENT,
    ALLOCATION_TOTAL,
    DEFAULT_API_VERSION,
    ApiVersion,
)

ENDIVE = ApiVersion.parse(DEFAULT_API_VERSION)
OLD = ApiVersion.parse("2024-06-20")


# Forms --------------------------------------------------------------------------------------


def test_bracket_keys_nest() -> None:
    tree = parse_form(
        "lines[0][tax_amounts][1][amount]=5&lines[0][type]=custom_line_item"
        "&metadata[k]=v&expand[]=invoice&expand[]=customer&created[gte]=10"
    )
    assert tree == {
        "lines": {"0": {"tax_amounts": {"1": {"amount": "5"}}, "type": "custom_line_item"}},
        "metadata": {"k": "v"},
        "expand": ["invoice", "customer"],
        "created": {"gte": "10"},
    }


def test_percent_encoded_brackets_and_values() -> None:
    tree = parse_form("metadata%5Bnote%5D=a%20b%26c&memo=x+y")
    assert tree == {"metadata": {"note": "a b&c"}, "memo": "x y"}


def test_blank_values_are_kept() -> None:
    assert parse_form("metadata=&memo=") == {"metadata": "", "memo": ""}


@pytest.mark.parametrize("raw", ["a[b=1", "a]b[=1", "a[][b]=1", "a=1&a[b]=2", "a[b]=1&a=2"])
def test_malformed_forms_are_refused(raw: str) -> None:
    with pytest.raises(FormError):
        parse_form(raw)


# Parameter coercion -------------------------------------------------------------------------


def test_create_params_coerce_to_python_values() -> None:
    tree = parse_form(
        "invoice=in_1&amount=100&lines[1][type]=custom_line_item&lines[1][unit_amount_decimal]=1.5"
        "&lines[0][type]=invoice_line_item&metadata[a]=&memo="
    )
    params = coerce_params(create_schema(ENDIVE), tree)
    assert params["amount"] == 100
    assert [line["type"] for line in params["lines"]] == ["invoice_line_item", "custom_line_item"]
    assert params["lines"][1]["unit_amount_decimal"] == Decimal("1.5")
    assert params["metadata"] == {"a": ""}
    assert "memo" in params and params["memo"] is None


@pytest.mark.parametrize(
    ("raw", "code", "param"),
    [
        ("invoice=in_1&bogus=1", "parameter_unknown", "bogus"),
        (
            "invoice=in_1&lines[0][type]=custom_line_item&lines[0][foo]=1",
            "parameter_unknown",
            "lines[0][foo]",
        ),
        ("amount=1", "parameter_missing", "invoice"),
        ("invoice=in_1&lines[0][amount]=1", "parameter_missing", "lines[0][type]"),
        ("invoice=in_1&amount=1.5", "parameter_invalid_integer", "amount"),
        ("invoice=in_1&reason=angry", None, "reason"),
        ("invoice=in_1&lines[x][type]=custom_line_item", None, "lines[x]"),
        ("invoice=in_1&refund=re_1", "parameter_unknown", "refund"),
    ],
)
def test_create_params_errors(raw: str, code: str | None, param: str) -> None:
    with pytest.raises(ApiError) as info:
        coerce_params(create_schema(ENDIVE), parse_form(raw))
    assert info.value.status == 400
    assert info.value.code == code
    assert info.value.param == param
    assert info.value.saved is False


def test_refund_params_are_version_gated() -> None:
    old = coerce_params(create_schema(OLD), parse_form("invoice=in_1&refund=re_1"))
    assert old["refund"] == "re_1"
    with pytest.raises(ApiError) as info:
        coerce_params(create_schema(OLD), parse_form("invoice=in_1&refunds[0][refund]=re_1"))
    assert info.value.code == "parameter_unknown"
    assert info.value.param == "refunds"


def test_created_filter_takes_an_int_or_a_range() -> None:
    assert coerce_params(list_schema(), parse_form("created=5"))["created"] == 5
    assert coerce_params(list_schema(), parse_form("created[gt]=5"))["created"] == {"gt": 5}
    with pytest.raises(ApiError):
        coerce_params(list_schema(), parse_form("created[between]=5"))


# Versions -----------------------------------------------------------------------------------


def test_versions_order_by_leading_date() -> None:
    names = ["2026-09-30.endive", "2019-03-14", "2025-05-28.basil", "2024-09-30.acacia"]
    ordered = sorted(ApiVersion.parse(n) for n in names)
    assert [v.raw for v in ordered] == [
        "2019-03-14",
        "2024-09-30.acacia",
        "2025-05-28.basil",
        "2026-09-30.endive",
    ]
    assert ApiVersion.parse("2025-03-31.basil") == ApiVersion.parse("2025-03-31")


@pytest.mark.parametrize(
    ("version", "rule", "refunds_array"),
    [
        ("2019-03-14", ALLOCATION_AUTO_OUT_OF_BAND, False),
        ("2019-12-02", ALLOCATION_AUTO_OUT_OF_BAND, False),
        ("2019-12-03", ALLOCATION_TOTAL, False),
        ("2025-02-24.acacia", ALLOCATION_TOTAL, False),
        ("2025-03-31.basil", ALLOCATION_TOTAL, True),
        ("2025-04-30.basil", ALLOCATION_TOTAL, True),
        ("2025-05-28.basil", ALLOCATION_POST_PAYMENT, True),
        ("2026-09-30.endive", ALLOCATION_POST_PAYMENT, True),
    ],
)
def test_version_gates(version: str, rule: str, refunds_array: bool) -> None:
    parsed = ApiVersion.parse(version)
    assert parsed.allocation_rule == rule
    assert parsed.uses_refunds_array is refunds_array
    assert parsed.uses_total_taxes is refunds_array


@pytest.mark.parametrize("bad", ["", "2024", "2024-13-01", "2024-02-30", "latest", "2024-06-20.X"])
def test_bad_versions_are_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        ApiVersion.parse(bad)


# Pagination ---------------------------------------------------------------------------------


def test_paginate_both_directions() -> None:
    items = [str(i) for i in range(25)]
    page, more = paginate(items, {"limit": 10}, ident=str, kind="x")
    assert page == items[:10] and more
    page, more = paginate(items, {"limit": 10, "starting_after": "19"}, ident=str, kind="x")
    assert page == items[20:] and not more
    page, more = paginate(items, {"limit": 10, "ending_before": "15"}, ident=str, kind="x")
    assert page == items[5:15] and more
    page, more = paginate(items, {"limit": 10, "ending_before": "5"}, ident=str, kind="x")
    assert page == items[:5] and not more
    with pytest.raises(ApiError):
        paginate(items, {"limit": 0}, ident=str, kind="x")
    with pytest.raises(ApiError):
        paginate(items, {"starting_after": "nope"}, ident=str, kind="x")


# Faults -------------------------------------------------------------------------------------


def test_fault_queue_matches_and_counts_down() -> None:
    queue = FaultQueue()
    queue.add(make_fault("500", count=2, method="post", path="/v1/credit_notes/*/void"))
    assert queue.take("GET", "/v1/credit_notes/cn_1/void") is None
    assert queue.take("POST", "/v1/credit_notes") is None
    first = queue.take("POST", "/v1/credit_notes/cn_1/void")
    assert first is not None and first.kind is FaultKind.SERVER_ERROR
    assert queue.take("POST", "/v1/credit_notes/cn_2/void") is not None
    assert queue.take("POST", "/v1/credit_notes/cn_3/void") is None
    assert queue.pending() == []


@pytest.mark.parametrize(
    "kwargs", [{"kind": "explode"}, {"kind": "slow"}, {"kind": "500", "count": 0}]
)
def test_bad_faults_are_refused(kwargs: dict[str, object]) -> None:
    kind = str(kwargs.pop("kind"))
    with pytest.raises(ValueError):
        make_fault(kind, **kwargs)  # type: ignore[arg-type]


# State --------------------------------------------------------------------------------------


def test_seeded_invoice_amounts() -> None:
    store = Store()
    vat = store.seed_tax_rate(percentage=19)
    incl = store.seed_tax_rate(percentage=25, inclusive=True)
    invoice = store.seed_invoice(
        lines=[
            {"amount": 1000, "tax_rates": [vat.id]},
            {"unit_amount": 250, "quantity": 2, "tax_rates": [incl.id]},
        ],
        amount_paid=600,
        shipping=300,
    )
    assert invoice.subtotal == 1500
    assert invoice.tax == 190  # inclusive tax (100 of the 500) is inside the line amount
    assert invoice.lines[1].taxes[0].amount == 100
    assert invoice.total == 1990
    assert invoice.amount_remaining == 1390
    assert invoice.status == "open"
    store.pay_invoice(invoice.id)
    assert invoice.status == "paid" and invoice.amount_remaining == 0


def test_seed_invoice_refuses_bad_input() -> None:
    store = Store()
    with pytest.raises(ValueError):
        store.seed_invoice(lines=[])
    with pytest.raises(ValueError):
        store.seed_invoice(lines=[{"amount": 100}], amount_paid=101)
    with pytest.raises(ValueError):
        store.seed_invoice(lines=[{"amount": 100, "tax_rates": ["txr_missing"]}])
    with pytest.raises(ValueError):
        store.seed_invoice(lines=[{"amount": 100}], customer="cus_missing")
