"""Webhooks end to end: the SDK creates and voids against the emulator process, the emulator
delivers signed events to a local receiver, and the SDK verifies and decodes them."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from stripe_credit_notes import ABSENT, Client
from stripe_credit_notes.emulator import WebhookReceiver
from stripe_credit_notes.models import CreditNote, CreditNoteEvent

from .conftest import API_KEY, EmulatorProcess


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as r:
        yield r


def register(emu: EmulatorProcess, receiver: WebhookReceiver, **options: object) -> str:
    response = emu.admin.post("/webhook_endpoints", json={"url": receiver.url, **options})
    endpoint = response.raise_for_status().json()
    receiver.secret = str(endpoint["secret"])
    return str(endpoint["id"])


def test_create_and_void_arrive_verified_and_typed(
    emu: EmulatorProcess, receiver: WebhookReceiver
) -> None:
    register(emu, receiver)
    invoice = emu.invoice([1000], paid=True)
    with Client(API_KEY, base_url=emu.base_url) as client:
        note = client.credit_notes.create(invoice=invoice["id"], amount=600, credit_amount=600)
        client.credit_notes.void(note.id)
    events = receiver.wait_for(2, timeout=30)
    by_type = {e.type: e for e in events}
    assert set(by_type) == {"credit_note.created", "credit_note.voided"}
    for event in events:
        assert isinstance(event, CreditNoteEvent)
        assert isinstance(event.data.object, CreditNote)
        assert event.data.object.id == note.id
        assert event.api_version == client.api_version
    assert by_type["credit_note.created"].data.object.status == "issued"
    assert by_type["credit_note.voided"].data.object.status == "void"
    assert all(d.status == 200 and d.error is None for d in receiver.deliveries)


def test_an_endpoint_on_an_older_version_decodes_at_that_version(
    emu: EmulatorProcess, receiver: WebhookReceiver
) -> None:
    register(emu, receiver, api_version="2024-06-20", enabled_events=["credit_note.created"])
    invoice = emu.invoice([1000], paid=True)
    with Client(API_KEY, base_url=emu.base_url) as client:
        note = client.credit_notes.create(invoice=invoice["id"], amount=400, refund_amount=400)
        client.credit_notes.void(note.id)  # not listened to
    (event,) = receiver.wait_for(1, timeout=30)
    assert isinstance(event, CreditNoteEvent)
    assert event.api_version == "2024-06-20"
    old = event.data.object
    assert old.refunds is ABSENT and old.refund is not ABSENT  # the 2022-11-15 era shape
    assert note.refunds is not ABSENT and old.refund == note.refunds[0].refund
    # The emulator records an attempt once the answer is back: poll, bounded.
    deadline = time.monotonic() + 20
    while True:
        deliveries = emu.admin.get("/deliveries").raise_for_status().json()["data"]
        if deliveries or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert [d["event_type"] for d in deliveries] == ["credit_note.created"]


def test_retries_reach_a_handler_that_failed_first(
    emu: EmulatorProcess, receiver: WebhookReceiver
) -> None:
    emu.admin.post("/webhook_settings", json={"backoff": 0.05}).raise_for_status()
    register(emu, receiver)
    receiver.respond_with(503)
    invoice = emu.invoice([1000], paid=True)
    with Client(API_KEY, base_url=emu.base_url) as client:
        client.credit_notes.create(invoice=invoice["id"], amount=100, credit_amount=100)
    (event,) = receiver.wait_for(1, timeout=30)
    assert [d.status for d in receiver.deliveries] == [503, 200]
    assert {d.event.id for d in receiver.deliveries if d.event is not None} == {event.id}
