"""The emitted decoders: every value type-checked, errors that name the field, no ``exec``.

The round-trip and forward-compatibility rules are in ``test_models.py``; here, what a response
of the wrong shape gives: always ``MalformedResponseError`` with the field's path, never a raw
``TypeError``, ``RecursionError`` or ``decimal.InvalidOperation``, and never a value of the
wrong type inside a model.
"""

from __future__ import annotations

import copy
import json
import pickle
import sys
import traceback
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import httpx
import pytest
import respx
from hypothesis import given, settings
from hypothesis import strategies as st

from stripe_credit_notes import Client, converter, errors, from_dict, to_dict
from stripe_credit_notes import models as m
from stripe_credit_notes._core import ClientCore

from .conftest import NEWEST_FIXTURE, load_fixture
from .spec_strategies import SCHEMAS

KEY = "sk_test_decoding"
PACKAGE = Path(m.__file__).parent


def note() -> dict[str, Any]:
    return copy.deepcopy(load_fixture(NEWEST_FIXTURE)["credit_note"])


def refused(cls: type, payload: Any) -> errors.MalformedResponseError:
    with pytest.raises(errors.MalformedResponseError) as info:
        from_dict(cls, payload)
    return info.value


# -- scalars -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("amount", "300", "an integer"),
        ("amount", 1e400, "an integer"),  # json.loads gives inf
        ("amount", 3.0, "an integer"),
        ("amount", True, "an integer"),
        ("total", None, "an integer"),  # not nullable
        ("id", 123, "a string"),
        ("livemode", 1, "a boolean"),
        ("livemode", "true", "a boolean"),
        ("status", 7, "a string"),  # an enum is any string, never another type
        ("metadata", [1, 2], "an object"),
        ("memo", {"text": "x"}, "a string"),
        ("discount_amounts", {}, "an array"),
        ("lines", "cnli_1", "an object"),
        ("customer", 42, "an object"),  # an id (string) or the expanded object
    ],
)
def test_a_value_of_the_wrong_type_names_its_field(field: str, value: Any, expected: str) -> None:
    payload = note()
    payload[field] = value
    error = refused(m.CreditNote, payload)
    assert str(error).startswith(f"{field}: expected {expected}, got ")


def test_metadata_values_must_be_strings() -> None:
    payload = note()
    payload["metadata"] = {"order": 42}
    assert str(refused(m.CreditNote, payload)).startswith("metadata.order: expected a string")


@pytest.mark.parametrize("text", ["abc", "NaN", "Infinity", "", "1.2.3"])
def test_a_decimal_that_does_not_parse_is_malformed_not_invalid_operation(text: str) -> None:
    line = copy.deepcopy(load_fixture(NEWEST_FIXTURE)["credit_note_line_item"])
    line["unit_amount_decimal"] = text
    error = refused(m.CreditNoteLineItem, line)
    assert str(error).startswith("unit_amount_decimal: expected a decimal string")


def test_a_decimal_sent_as_a_json_number_is_refused() -> None:
    line = copy.deepcopy(load_fixture(NEWEST_FIXTURE)["credit_note_line_item"])
    line["unit_amount_decimal"] = 1.5
    assert "expected a decimal string, got a number 1.5" in str(refused(m.CreditNoteLineItem, line))


def test_the_path_reaches_into_pages_lists_and_expanded_objects() -> None:
    notes = [note() for _ in range(4)]
    notes[3]["lines"]["data"][0]["amount"] = "300"
    page = {"object": "list", "data": notes, "has_more": False, "url": "/v1/credit_notes"}
    error = refused(m.CreditNoteList, page)
    assert str(error) == "data[3].lines.data[0].amount: expected an integer, got a string '300'"
    assert error.path == ("data", "[3]", "lines", "data", "[0]", "amount")
    payload = note()
    payload["lines"]["data"][1]["tax_rates"] = [{"id": 5, "object": "tax_rate"}]
    assert str(refused(m.CreditNote, payload)).startswith("lines.data[1].tax_rates[0].id:")


def test_a_failing_list_item_is_one_error_not_a_chain() -> None:
    payload = note()
    payload["refunds"] = [payload["refunds"][0], {"amount_refunded": "1"}]
    error = refused(m.CreditNote, payload)
    assert str(error).startswith("refunds[1].amount_refunded: expected an integer")
    printed = "".join(traceback.format_exception(error))
    assert "During handling" not in printed and "direct cause" not in printed


def test_a_missing_required_field_is_malformed_and_still_a_key_error() -> None:
    payload = note()
    del payload["lines"]["data"][0]["id"]
    error = refused(m.CreditNote, payload)
    assert isinstance(error, KeyError)
    assert str(error) == "lines.data[0].id: required, but not in the payload"


def test_the_description_of_a_huge_value_is_bounded() -> None:
    payload = note()
    payload["amount"] = "x" * 100_000
    assert len(str(refused(m.CreditNote, payload))) < 200


def test_a_payload_that_is_not_an_object() -> None:
    assert str(refused(m.CreditNote, [1])).startswith("expected an object, got an array")
    assert str(refused(m.CreditNoteList, "list")).startswith("expected an object")


INT_FIELDS = sorted(
    name
    for name, node in SCHEMAS["credit_note"]["properties"].items()
    if node.get("type") == "integer" and name in SCHEMAS["credit_note"]["required"]
)
not_an_int = st.one_of(
    st.text(max_size=5),
    st.booleans(),
    st.floats(),
    st.none(),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=1),
)


@settings(max_examples=150, deadline=None)
@given(field=st.sampled_from(INT_FIELDS), value=not_an_int)
def test_no_required_integer_field_takes_anything_but_an_int(field: str, value: Any) -> None:
    payload = note()
    payload[field] = value
    with pytest.raises(errors.MalformedResponseError, match=rf"^{field}: expected an integer"):
        from_dict(m.CreditNote, payload)


def test_the_error_pickles_with_its_path() -> None:
    payload = note()
    payload["lines"]["data"][0]["quantity"] = "2"
    error = refused(m.CreditNote, payload)
    copied = pickle.loads(pickle.dumps(error))
    assert type(copied) is type(error) and str(copied) == str(error)
    assert copied.path == error.path
    del payload["lines"]["data"][0]["id"]
    missing = refused(m.CreditNote, payload)
    assert str(pickle.loads(pickle.dumps(missing))) == str(missing)


# -- through the client ------------------------------------------------------------------------


@pytest.fixture
def mock() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url="https://api.stripe.com", assert_all_called=False) as router:
        yield router


DEEP = b"[" * 100_000 + b"]" * 100_000


@pytest.mark.usefixtures("json_backend")
@pytest.mark.parametrize("status", [200, 400, 500])
def test_json_nested_too_deeply_is_malformed_not_recursion_error(
    mock: respx.MockRouter, status: int
) -> None:
    mock.get("/v1/credit_notes/cn_1").mock(
        return_value=httpx.Response(status, content=DEEP, headers={"Request-Id": "req_deep"})
    )
    with Client(KEY, max_retries=0) as client, pytest.raises(errors.MalformedResponseError) as info:
        client.credit_notes.retrieve("cn_1")
    assert info.value.http_status == status and info.value.request_id == "req_deep"
    assert "nested too deeply" in str(info.value)


@pytest.mark.usefixtures("json_backend")
def test_a_bad_field_in_a_response_names_its_path(mock: respx.MockRouter) -> None:
    payload = note()
    payload["lines"]["data"][0]["unit_amount_decimal"] = "abc"
    mock.get("/v1/credit_notes/cn_1").mock(return_value=httpx.Response(200, json=payload))
    with Client(KEY, max_retries=0) as client, pytest.raises(errors.MalformedResponseError) as info:
        client.credit_notes.retrieve("cn_1")
    assert "lines.data[0].unit_amount_decimal: expected a decimal string" in str(info.value)
    assert info.value.http_status == 200
    assert not isinstance(info.value.__cause__, ArithmeticError)


# -- generated source, not exec ----------------------------------------------------------------


def test_decoding_and_encoding_compile_nothing_at_run_time() -> None:
    payload = note()
    from_dict(m.CreditNote, payload)  # the models and decoders are imported: attrs is done
    events: list[str] = []
    recording = [True]

    def hook(event: str, args: Any) -> None:
        if recording[0] and event in ("compile", "exec"):
            events.append(event)

    sys.addaudithook(hook)  # cannot be removed: it records only while the flag is set
    try:
        for _ in range(3):
            to_dict(from_dict(m.CreditNote, copy.deepcopy(payload)))
            to_dict(converter.structure(payload["lines"], m.CreditNoteLineItemList))
    finally:
        recording[0] = False
    assert events == []


def test_a_traceback_points_at_a_real_line_of_the_generated_module() -> None:
    payload = note()
    payload["amount_shipping"] = "0"
    error = refused(m.CreditNote, payload)
    frames = traceback.extract_tb(error.__traceback__)
    innermost = frames[-1]
    assert innermost.filename == str(PACKAGE / "_codec.py")
    assert innermost.line and "raise expected" in innermost.line
    assert any(f.name == "structure_credit_note" for f in frames)


# -- the cattrs converter stays the one users extend -----------------------------------------


def test_converter_structures_and_unstructures_with_the_generated_functions() -> None:
    payload = note()
    decoded = converter.structure(payload, m.CreditNote)
    assert decoded == from_dict(m.CreditNote, payload)
    assert converter.unstructure(decoded) == payload
    bad = note()
    bad["amount"] = "1"
    with pytest.raises(errors.MalformedResponseError, match=r"^amount:"):
        converter.structure(bad, m.CreditNote)


def test_a_hook_registered_on_the_converter_wins_there() -> None:
    extended = converter.copy()
    extended.register_structure_hook(m.Tax, lambda data, cls: "custom tax")
    assert extended.structure({"amount": 1}, m.Tax) == "custom tax"
    assert extended.structure(note(), m.CreditNote) == from_dict(m.CreditNote, note())
    with pytest.raises(errors.MalformedResponseError):
        converter.structure({"amount": 1}, m.Tax)  # the original is untouched


def test_from_dict_hands_other_classes_to_the_converter() -> None:
    @attrs.frozen
    class Summary:
        id: str
        amount: int

    assert from_dict(Summary, {"id": "cn_1", "amount": 5}) == Summary(id="cn_1", amount=5)
    assert to_dict(Summary(id="cn_1", amount=5)) == {"id": "cn_1", "amount": 5}


# -- the invoice snapshot is read through the model's encoding --------------------------------


def test_the_invoice_snapshot_reads_typed_fields_too() -> None:
    stub = from_dict(
        m.Invoice,
        {
            "id": "in_1",
            "object": "invoice",
            "amount_remaining": 700,
            "status": "open",
            "currency": "eur",
        },
    )
    assert ClientCore.snapshot_from_invoice(stub).amount_remaining == 700

    @attrs.frozen(kw_only=True)
    class TypedInvoice:  # what `Invoice` becomes once it is more than a stub
        id: str
        object: str
        amount_remaining: int
        status: str
        currency: str

    typed = TypedInvoice(
        id="in_2", object="invoice", amount_remaining=300, status="open", currency="usd"
    )
    snapshot = ClientCore.snapshot_from_invoice(typed)  # type: ignore[arg-type]
    assert (snapshot.id, snapshot.amount_remaining, snapshot.status) == ("in_2", 300, "open")


def test_decoded_values_are_exactly_json_types() -> None:
    decoded = from_dict(m.CreditNote, json.loads(json.dumps(note())))
    assert type(decoded.amount) is int and type(decoded.livemode) is bool
    line = decoded.lines.data[1]
    assert isinstance(line.unit_amount_decimal, Decimal)


def test_decoding_a_response_does_not_load_cattrs() -> None:
    import subprocess

    code = (
        "import json, sys; from stripe_credit_notes import from_dict, to_dict; "
        "from stripe_credit_notes.models import CreditNote; "
        f"d = json.load(open({str(PACKAGE.parent / 'tests' / 'fixtures' / NEWEST_FIXTURE)!r})); "
        "to_dict(from_dict(CreditNote, d['credit_note'])); "
        "print('cattrs' in sys.modules, 'stripe_credit_notes._converter' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.split() == ["False", "False"]
