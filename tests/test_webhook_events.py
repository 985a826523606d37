"""Typed events: construct_event / decode_event over both spec eras, other types, bad bodies."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
import stripe
from hypothesis import given, settings
from hypothesis import strategies as st

from stripe_credit_notes import ABSENT, AsyncClient, Client, to_dict
from stripe_credit_notes import _json as body_parser
from stripe_credit_notes._events_api import TypedEventList
from stripe_credit_notes.errors import MalformedResponseError, SignatureVerificationError
from stripe_credit_notes.models import CreditNote, CreditNoteEvent, Event
from stripe_credit_notes.webhooks import construct_event, decode_event, generate_test_header

from .conftest import NEWEST_FIXTURE, OLDER_FIXTURE, ROOT, load_fixture

SECRET = "whsec_events_test"
NOW = 1_790_000_000


def event_json(obj: dict[str, Any], type: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": "evt_123",
        "object": "event",
        "api_version": "2026-09-30.endive",
        "created": NOW,
        "data": {"object": obj, **extra},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": "req_1", "idempotency_key": "key-1"},
        "type": type,
    }


def signed(data: dict[str, Any]) -> tuple[bytes, str]:
    body = json.dumps(data).encode()
    return body, generate_test_header(body, SECRET, timestamp=NOW)


def test_a_credit_note_event_decodes_to_a_credit_note() -> None:
    note = load_fixture(NEWEST_FIXTURE)["credit_note"]
    body, header = signed(event_json(note, "credit_note.created"))
    event = construct_event(body, header, SECRET, now=NOW)
    assert isinstance(event, CreditNoteEvent)
    assert isinstance(event.data.object, CreditNote)
    assert event.data.object.id == note["id"]
    assert event.data.object.total == note["total"]
    assert event.data.previous_attributes is ABSENT
    assert event.api_version == "2026-09-30.endive"
    assert event.type == "credit_note.created"
    assert event.request is not None and event.request is not ABSENT
    assert event.request.idempotency_key == "key-1"


def test_an_old_era_payload_decodes_at_its_own_version() -> None:
    note = load_fixture(OLDER_FIXTURE)["credit_note"]
    data = event_json(note, "credit_note.voided")
    data["api_version"] = "2022-11-15"
    event = decode_event(data)
    assert isinstance(event, CreditNoteEvent)
    assert event.api_version == "2022-11-15"
    assert event.data.object.refunds is ABSENT  # not in that era
    assert event.data.object.total_taxes is ABSENT
    assert event.data.object.tax_amounts is not ABSENT
    assert "refund" in note and event.data.object.refund == note["refund"]


def test_previous_attributes_stay_the_partial_mapping() -> None:
    note = load_fixture(NEWEST_FIXTURE)["credit_note"]
    previous = {"memo": None, "metadata": {"order": "41"}}
    event = decode_event(event_json(note, "credit_note.updated", previous_attributes=previous))
    assert isinstance(event, CreditNoteEvent)
    assert event.data.previous_attributes == previous


def test_round_trip() -> None:
    note = load_fixture(NEWEST_FIXTURE)["credit_note"]
    data = event_json(note, "credit_note.updated", previous_attributes={"memo": "x"})
    data["future_field"] = {"a": 1}
    assert to_dict(decode_event(data)) == data


def test_other_event_types_parse_as_a_generic_event() -> None:
    plan_event = load_fixture(NEWEST_FIXTURE)["event"]
    body, header = signed(plan_event)
    event = construct_event(body, header, SECRET, now=NOW)
    assert type(event) is Event
    assert event.type == "plan.created"
    assert event.data.object["object"] == "plan"
    assert event.api_version is None
    assert to_dict(event) == plan_event


def test_an_unknown_credit_note_type_is_still_typed() -> None:
    note = load_fixture(NEWEST_FIXTURE)["credit_note"]
    event = decode_event(event_json(note, "credit_note.finalized"))
    assert isinstance(event, CreditNoteEvent)
    assert event.type == "credit_note.finalized"


def test_a_credit_note_type_without_a_credit_note_stays_generic() -> None:
    event = decode_event(event_json({"id": "x", "object": "thing"}, "credit_note.odd"))
    assert type(event) is Event


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=10,
)


@settings(max_examples=150, deadline=None)
@given(
    kind=st.text(min_size=1, max_size=30).filter(lambda t: not t.startswith("credit_note.")),
    obj=st.dictionaries(st.text(max_size=8), _json, max_size=5),
)
def test_any_other_type_parses_generically(kind: str, obj: dict[str, Any]) -> None:
    """Forward compatible: whatever Stripe sends under another type decodes, never crashes."""
    data = event_json(obj, kind)
    event = decode_event(data)
    assert type(event) is Event
    assert event.data.object == obj
    assert to_dict(event) == data


@pytest.mark.parametrize(
    "data",
    [
        [],
        "event",
        {"object": "credit_note"},
        {"object": "event", "data": None},
        {"object": "event", "data": {"object": 3}},
    ],
)
def test_bodies_that_are_not_events_are_malformed(data: Any) -> None:
    with pytest.raises(MalformedResponseError):
        decode_event(data)


def test_a_credit_note_that_lacks_required_fields_is_malformed() -> None:
    data = event_json({"id": "cn_1", "object": "credit_note"}, "credit_note.created")
    with pytest.raises(MalformedResponseError) as caught:
        decode_event(data)
    assert "evt_123" in str(caught.value)


def test_signature_is_checked_before_the_body_is_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[object] = []
    monkeypatch.setattr(json, "loads", lambda *a, **k: calls.append(a))
    monkeypatch.setattr(body_parser, "loads", lambda *a, **k: calls.append(a))
    with pytest.raises(SignatureVerificationError):
        construct_event(b"{not json", f"t={NOW},v1=00", SECRET, now=NOW)
    assert calls == []


@pytest.mark.usefixtures("json_backend")
@pytest.mark.parametrize("body", [b"{not json", b"\xff\xfe", b"[1, 2]"])
def test_a_verified_body_that_is_not_an_event_is_malformed(body: bytes) -> None:
    header = generate_test_header(body, SECRET, timestamp=NOW)
    with pytest.raises(MalformedResponseError):
        construct_event(body, header, SECRET, now=NOW)


def test_the_official_package_and_ours_agree_on_an_event() -> None:
    note = load_fixture(NEWEST_FIXTURE)["credit_note"]
    payload = json.dumps(event_json(note, "credit_note.voided"))
    theirs = stripe.WebhookSignature.generate_signature_header(payload, SECRET)
    ours = construct_event(payload, theirs, SECRET)
    official = stripe.Webhook.construct_event(
        payload, generate_test_header(payload, SECRET), SECRET
    )
    assert (ours.id, ours.type, ours.data.object.id) == (
        official["id"],
        official["type"],
        official["data"]["object"]["id"],
    )


# Static types ---------------------------------------------------------------------------------

SNIPPET = textwrap.dedent(
    """
    from stripe_credit_notes.webhooks import CreditNoteEvent, construct_event

    event = construct_event(b"", "", "whsec_x")
    if isinstance(event, CreditNoteEvent):
        reveal_type(event.data.object)
        reveal_type(event.data.previous_attributes)
    else:
        reveal_type(event.data.object)
    """
)


def revealed(tmp_path: Path, command: list[str], marker: str) -> list[str]:
    """Run a type checker over SNIPPET; the lines where it reports a revealed type."""
    snippet = tmp_path / "snippet.py"
    snippet.write_text(SNIPPET)
    done = subprocess.run(
        [*command, str(snippet)], capture_output=True, text=True, cwd=ROOT, timeout=300, check=False
    )
    lines = [line for line in done.stdout.splitlines() if marker in line]
    assert len(lines) == 3, done.stdout + done.stderr
    return lines


@pytest.mark.dev_tools  # runs mypy
def test_mypy_narrows_to_credit_note(tmp_path: Path) -> None:
    lines = revealed(
        tmp_path, [sys.executable, "-m", "mypy", "--strict", "--no-incremental"], "Revealed type"
    )
    assert '"stripe_credit_notes.models.CreditNote"' in lines[0]
    assert "str, Any]" in lines[1] and "ABSENT" in lines[1]  # the partial mapping
    assert lines[2].endswith('"dict[str, Any]"') or "builtins.dict" in lines[2]


@pytest.mark.skipif(shutil.which("pyright") is None, reason="pyright is not installed")
def test_pyright_narrows_to_credit_note(tmp_path: Path) -> None:
    lines = revealed(tmp_path, ["pyright", "--pythonpath", sys.executable], "Type of")
    assert '"CreditNote"' in lines[0]
    assert '"dict[str, Any]"' in lines[2]


# client.events: the same typed events -----------------------------------------------------------


def _events_page(*events: dict[str, Any]) -> httpx.Response:
    body = {"object": "list", "data": list(events), "has_more": False, "url": "/v1/events"}
    return httpx.Response(200, json=body)


def test_client_events_are_typed_like_webhooks() -> None:
    note = load_fixture(NEWEST_FIXTURE)["credit_note"]
    typed = event_json(note, "credit_note.voided")
    other = load_fixture(NEWEST_FIXTURE)["event"]
    with respx.mock(base_url="https://api.stripe.com") as router:
        router.get("/v1/events").mock(return_value=_events_page(typed, other))
        router.get("/v1/events/evt_123").mock(return_value=httpx.Response(200, json=typed))
        with Client("sk_test_events") as client:
            first, second = list(client.events.list(limit=2))
            retrieved = client.events.retrieve("evt_123")
    assert isinstance(first, CreditNoteEvent) and isinstance(first.data.object, CreditNote)
    assert type(second) is Event and second.data.object["object"] == "plan"
    assert isinstance(retrieved, CreditNoteEvent) and retrieved.data.object.id == note["id"]
    page = TypedEventList(data=[first, second], has_more=False, object="list", url="/v1/events")
    assert to_dict(page) == json.loads(_events_page(typed, other).content)


async def test_async_client_events_are_typed_like_webhooks() -> None:
    note = load_fixture(NEWEST_FIXTURE)["credit_note"]
    typed = event_json(note, "credit_note.created")
    with respx.mock(base_url="https://api.stripe.com") as router:
        router.get("/v1/events").mock(return_value=_events_page(typed))
        router.get("/v1/events/evt_123").mock(return_value=httpx.Response(200, json=typed))
        async with AsyncClient("sk_test_events") as client:
            listed = [e async for e in client.events.list()]
            retrieved = await client.events.retrieve("evt_123")
    assert [type(e) for e in listed] == [CreditNoteEvent]
    assert isinstance(retrieved, CreditNoteEvent)


def test_a_broken_credit_note_in_a_page_is_a_typed_error_naming_the_item() -> None:
    note = {"id": "cn_1", "object": "credit_note"}  # lacks every required field
    with respx.mock(base_url="https://api.stripe.com") as router:
        router.get("/v1/events").mock(
            return_value=_events_page(
                load_fixture(NEWEST_FIXTURE)["event"], event_json(note, "credit_note.created")
            )
        )
        with Client("sk_test_events") as client, pytest.raises(MalformedResponseError) as caught:
            client.events.list()
    assert "data[1]" in str(caught.value) and caught.value.http_status == 200


def test_catching_up_with_client_events_against_the_emulator(stripe_emulator: Any) -> None:
    invoice = stripe_emulator.seed_invoice(lines=[1000], paid=True)
    with Client(stripe_emulator.api_key, base_url=stripe_emulator.base_url) as client:
        note = client.credit_notes.create(invoice=invoice.id, amount=300, credit_amount=300)
        client.credit_notes.update(note.id, memo="sorry")
        client.credit_notes.void(note.id)
        events = list(client.events.list(type="credit_note.*", limit=2))
        assert [e.type for e in events] == [
            "credit_note.voided",
            "credit_note.updated",
            "credit_note.created",
        ]
        assert all(isinstance(e, CreditNoteEvent) for e in events)
        updated = events[1]
        assert isinstance(updated, CreditNoteEvent)
        assert updated.data.previous_attributes == {"memo": None}
        again = client.events.retrieve(events[0].id)
        assert isinstance(again, CreditNoteEvent) and again.data.object.status == "void"
