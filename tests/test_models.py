"""Decoding and encoding Stripe payloads with the generated models and the converter."""

from __future__ import annotations

import copy
import pickle
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from codegen.spec import model_name
from stripe_credit_notes import ABSENT, from_dict, to_dict
from stripe_credit_notes import models as m

from .conftest import NEWEST_FIXTURE, OLDER_FIXTURE, load_fixture
from .spec_strategies import SCHEMAS, for_schema
from .spec_strategies import SPEC as NEWEST_SPEC


def test_fixtures_round_trip_exactly(fixture_file: dict[str, Any]) -> None:
    note = fixture_file["credit_note"]
    line = fixture_file["credit_note_line_item"]
    assert to_dict(from_dict(m.CreditNote, note)) == note
    assert to_dict(from_dict(m.CreditNoteLineItem, line)) == line


def test_newest_fixture_decodes_to_typed_values() -> None:
    note = from_dict(m.CreditNote, load_fixture(NEWEST_FIXTURE)["credit_note"])
    assert note.id == "cn_1Pgc75B7WZ01zgkWJMPt5riP"
    assert note.amount == 1690 and isinstance(note.amount, int)
    assert isinstance(note.lines, m.CreditNoteLineItemList)
    custom = note.lines.data[1]
    assert custom.type == "custom_line_item"
    assert custom.unit_amount_decimal == Decimal("500")
    assert custom.invoice_line_item is ABSENT  # not in the payload at all
    assert note.memo is None  # sent as null
    assert isinstance(note.lines.data[0].tax_rates[0], m.TaxRate)
    # The stub keeps every field it arrived with.
    assert note.lines.data[0].tax_rates[0].extra["percentage"] == 19


def test_older_payload_decodes_with_absent_newer_fields() -> None:
    note = from_dict(m.CreditNote, load_fixture(OLDER_FIXTURE)["credit_note"])
    for name in ("pre_payment_amount", "post_payment_amount", "refunds", "pretax_credit_amounts"):
        assert getattr(note, name) is ABSENT, name
    # Fields removed from newer versions are still typed.
    assert note.tax_amounts is not ABSENT
    assert all(isinstance(t, m.CreditNoteTaxAmount) for t in note.tax_amounts)
    assert note.refund is None
    line = note.lines.data[0]
    assert line.amount_excluding_tax == 1190
    assert line.unit_amount_excluding_tax == Decimal("1190")


def test_unknown_fields_are_kept_and_round_trip() -> None:
    payload = copy.deepcopy(load_fixture(NEWEST_FIXTURE)["credit_note"])
    payload["brand_new_field"] = {"nested": [1, 2]}
    payload["lines"]["data"][0]["another_new_one"] = "x"
    note = from_dict(m.CreditNote, payload)
    assert note.extra == {"brand_new_field": {"nested": [1, 2]}}
    assert note.lines.data[0].extra == {"another_new_one": "x"}
    assert to_dict(note) == payload


def test_an_empty_extra_is_one_shared_read_only_mapping() -> None:
    # Decoded without unknown fields, every model (stubs too) shares one empty `extra`
    # instead of allocating a dict each: see stripe_credit_notes/_extra.py.
    payload = copy.deepcopy(load_fixture(NEWEST_FIXTURE)["credit_note"])
    payload["customer"] = {"id": "cus_1", "object": "customer"}
    note = from_dict(m.CreditNote, payload)
    line = note.lines.data[0]
    assert isinstance(note.customer, m.Customer)
    assert note.extra is line.extra is note.customer.extra
    assert note.extra is m.ShippingCost(amount_subtotal=1, amount_tax=0, amount_total=1).extra
    assert note.extra == {} and isinstance(note.extra, dict) and repr(note.extra) == "{}"
    for write in (
        lambda e: e.__setitem__("x", 1),
        lambda e: e.update(x=1),
        lambda e: e.setdefault("x", 1),
        lambda e: e.pop("x", None),
        lambda e: e.clear(),
        lambda e: e.__ior__({"x": 1}),
    ):
        with pytest.raises(TypeError, match="read-only"):
            write(note.extra)
    assert note.extra == {} and line.extra == {}
    copied = dict(note.extra)
    copied["x"] = 1  # the way to a mutable one
    assert note.extra == {}
    # The unknown fields of a model that has them are its own.
    payload["lines"]["data"][0]["another_new_one"] = "x"
    assert from_dict(m.CreditNote, payload).lines.data[0].extra == {"another_new_one": "x"}


def test_decoded_models_survive_pickle_and_deepcopy() -> None:
    note = from_dict(m.CreditNote, load_fixture(NEWEST_FIXTURE)["credit_note"])
    for again in (pickle.loads(pickle.dumps(note)), copy.deepcopy(note), copy.copy(note)):
        assert again == note and to_dict(again) == to_dict(note)
        assert again.extra is note.extra  # the shared empty one, not a writable copy
        assert again.lines.data[0].extra is note.extra


def test_unknown_enum_value_stays_a_string() -> None:
    payload = copy.deepcopy(load_fixture(NEWEST_FIXTURE)["credit_note"])
    payload["type"] = "some_future_type"
    payload["status"] = "archived"
    note = from_dict(m.CreditNote, payload)
    assert note.type == "some_future_type"
    assert note.status == "archived"
    assert to_dict(note) == payload


def test_null_and_absent_are_distinct_and_both_round_trip() -> None:
    payload = copy.deepcopy(load_fixture(NEWEST_FIXTURE)["credit_note"])
    payload["memo"] = None
    payload.pop("voided_at")
    note = from_dict(m.CreditNote, payload)
    assert note.memo is None
    assert note.voided_at is ABSENT
    out = to_dict(note)
    assert "memo" in out and out["memo"] is None
    assert "voided_at" not in out


def test_missing_always_present_field_is_an_error() -> None:
    payload = copy.deepcopy(load_fixture(NEWEST_FIXTURE)["credit_note"])
    del payload["amount"]
    with pytest.raises(KeyError):
        from_dict(m.CreditNote, payload)


@pytest.mark.parametrize(
    "text", ["0", "500", "1.50", "0.0000001", "-12.345678901234", "123456789012.000000000001"]
)
def test_decimal_round_trips_exactly(text: str) -> None:
    payload = copy.deepcopy(load_fixture(NEWEST_FIXTURE)["credit_note_line_item"])
    payload["unit_amount_decimal"] = text
    line = from_dict(m.CreditNoteLineItem, payload)
    assert line.unit_amount_decimal == Decimal(text)
    assert to_dict(line)["unit_amount_decimal"] == text


def test_expandable_field_decodes_id_object_or_deleted_object() -> None:
    payload = copy.deepcopy(load_fixture(NEWEST_FIXTURE)["credit_note"])
    assert from_dict(m.CreditNote, payload).customer == "cus_QXg1o8vcGmoR32"
    payload["customer"] = {"id": "cus_1", "object": "customer", "email": "a@example.com"}
    customer = from_dict(m.CreditNote, payload).customer
    assert isinstance(customer, m.Customer) and customer.extra["email"] == "a@example.com"
    payload["customer"] = {"id": "cus_1", "object": "customer", "deleted": True}
    assert isinstance(from_dict(m.CreditNote, payload).customer, m.DeletedCustomer)
    assert to_dict(from_dict(m.CreditNote, payload)) == payload


def test_models_are_frozen_and_slotted() -> None:
    note = from_dict(m.CreditNote, load_fixture(NEWEST_FIXTURE)["credit_note"])
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        note.amount = 1  # type: ignore[misc]
    assert not hasattr(note, "__dict__")
    assert "extra" not in repr(note)  # repr stays readable; unknown fields are one lookup away


def test_every_object_schema_has_a_frozen_slotted_model() -> None:
    for name in NEWEST_SPEC["components"]["schemas"]:
        cls = getattr(m, model_name(name))
        assert attrs.has(cls), name
        assert "__slots__" in cls.__dict__, name
        assert "extra" in attrs.fields_dict(cls), name


MODEL_FOR_SCHEMA = {
    "credit_note": m.CreditNote,
    "credit_note_line_item": m.CreditNoteLineItem,
    "credit_note_refund": m.CreditNoteRefund,
    "billing_bill_resource_invoicing_taxes_tax": m.Tax,
    "credit_notes_pretax_credit_amount": m.PretaxCreditAmount,
    "discounts_resource_discount_amount": m.DiscountAmount,
    "invoices_resource_shipping_cost": m.ShippingCost,
    "line_items_tax_amount": m.LineItemTaxAmount,
    "error": m.ErrorResponse,
    "event": m.Event,
    "notification_event_data": m.EventData,
    "notification_event_request": m.EventRequest,
}


@pytest.mark.parametrize("schema_name", sorted(MODEL_FOR_SCHEMA))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_generated_payloads_round_trip(schema_name: str, data: Any) -> None:
    payload = data.draw(for_schema(schema_name))
    cls = MODEL_FOR_SCHEMA[schema_name]
    assert to_dict(from_dict(cls, payload)) == payload


def test_strategies_cover_every_schema_with_a_model() -> None:
    # Keeps the table above honest when the spec grows.
    full = {n for n, s in SCHEMAS.items() if not s.get("x-stub") and s.get("properties")}
    assert full - set(MODEL_FOR_SCHEMA) <= {
        "api_errors",
        "billing_bill_resource_invoicing_taxes_tax_rate_details",
        "credit_notes_payment_record_refund",
    }
