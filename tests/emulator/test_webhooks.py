"""Events and signed webhook deliveries: /v1/events, /_emulator/webhook_endpoints, retries."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import stripe

from stripe_credit_notes.emulator import Emulator
from stripe_credit_notes.emulator._receiver import WebhookReceiver
from stripe_credit_notes.models import CreditNote, CreditNoteEvent
from stripe_credit_notes.webhooks import verify_header

from .helpers import ENDIVE, MID, NEW_SPEC, Api, assert_credit_note_shape, schema_errors


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as r:
        yield r


def listen(emu: Emulator, receiver: WebhookReceiver, **options: Any) -> str:
    return receiver.register(emu.webhooks, **options).id


def issue(emu: Emulator, api: Api, **extra: Any) -> dict[str, Any]:
    invoice = emu.seed_invoice(lines=[1000], paid=True)
    params = {"invoice": invoice.id, "amount": 400, "refund_amount": 400, **extra}
    return api.ok(api.post("/v1/credit_notes", params))


def bodies(receiver: WebhookReceiver, count: int) -> list[dict[str, Any]]:
    receiver.wait_for(count)
    return [json.loads(d.body) for d in receiver.deliveries if d.event is not None]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


# Events ---------------------------------------------------------------------------------------


def test_create_update_void_record_events(emu: Emulator, api: Api) -> None:
    note = issue(emu, api)
    api.ok(api.post(f"/v1/credit_notes/{note['id']}", {"memo": "late"}, key="upd-1"))
    api.ok(api.post(f"/v1/credit_notes/{note['id']}/void"))
    listed = api.ok(api.get("/v1/events"))
    assert [e["type"] for e in listed["data"]] == [
        "credit_note.voided",
        "credit_note.updated",
        "credit_note.created",
    ]
    voided, updated, created = listed["data"]
    assert created["data"]["object"]["id"] == note["id"]
    assert created["data"]["object"]["status"] == "issued"
    assert voided["data"]["object"]["status"] == "void"
    assert updated["data"]["previous_attributes"] == {"memo": None}
    assert updated["data"]["object"]["memo"] == "late"
    assert "previous_attributes" not in created["data"]
    assert updated["request"]["idempotency_key"] == "upd-1"
    assert created["request"]["id"].startswith("req_")
    for event in listed["data"]:
        assert not schema_errors(event, {"$ref": "#/components/schemas/event"}, NEW_SPEC)
        assert_credit_note_shape(event["data"]["object"], ENDIVE)
        assert event["object"] == "event"
        assert event["id"].startswith("evt_")
        assert event["api_version"] == ENDIVE
        assert event["livemode"] is False
        assert event["pending_webhooks"] == 0
    assert api.ok(api.get(f"/v1/events/{created['id']}")) == created


def test_event_data_never_changes(emu: Emulator, api: Api) -> None:
    note = issue(emu, api)
    api.ok(api.post(f"/v1/credit_notes/{note['id']}/void"))
    created = api.ok(api.get("/v1/events", {"type": "credit_note.created"}))["data"][0]
    assert created["data"]["object"]["status"] == "issued"


def test_events_are_rendered_at_the_account_version_whatever_the_request(
    emu: Emulator, api: Api
) -> None:
    note = issue(emu, api)
    event = api.ok(api.get("/v1/events", version=MID))["data"][0]
    assert event["api_version"] == ENDIVE
    assert "refunds" in event["data"]["object"]
    old_note = api.ok(api.get(f"/v1/credit_notes/{note['id']}", version=MID))
    assert "refund" in old_note


def test_replays_and_failures_record_no_event(emu: Emulator, api: Api) -> None:
    invoice = emu.seed_invoice(lines=[1000], paid=True)
    params = {"invoice": invoice.id, "amount": 400, "refund_amount": 400}
    note = api.ok(api.post("/v1/credit_notes", params, key="k1"))
    api.ok(api.post("/v1/credit_notes", params, key="k1"))  # replayed
    api.error(api.post("/v1/credit_notes", {"invoice": invoice.id, "amount": 99999}))
    api.ok(api.post(f"/v1/credit_notes/{note['id']}", {"memo": ""}))  # no change: no event
    api.ok(api.post(f"/v1/credit_notes/{note['id']}/void"))
    api.error(api.post(f"/v1/credit_notes/{note['id']}/void"))
    assert [e["type"] for e in api.ok(api.get("/v1/events"))["data"]] == [
        "credit_note.voided",
        "credit_note.created",
    ]


def test_list_filters_and_paging(emu: Emulator, api: Api) -> None:
    emu.set_time(1_800_000_000)
    first = issue(emu, api)
    emu.advance_time(10)
    second = issue(emu, api)
    api.ok(api.post(f"/v1/credit_notes/{first['id']}/void"))

    def types(**params: Any) -> list[str]:
        return [e["type"] for e in api.ok(api.get("/v1/events", params))["data"]]

    assert types(type="credit_note.created") == ["credit_note.created"] * 2
    assert types(type="credit_note.*") == [
        "credit_note.voided",
        "credit_note.created",
        "credit_note.created",
    ]
    assert types(type="invoice.*") == []
    assert types(**{"types[0]": "credit_note.voided", "types[1]": "credit_note.updated"}) == [
        "credit_note.voided"
    ]
    assert types(**{"types[0]": "credit_note.*"}) == []  # types[] takes exact names
    assert types(**{"created[lt]": 1_800_000_010}) == ["credit_note.created"]
    assert types(created=1_800_000_010) == ["credit_note.voided", "credit_note.created"]
    assert types(delivery_success="false") == []

    page = api.ok(api.get("/v1/events", {"limit": 2}))
    assert page["has_more"] is True
    assert page["url"] == "/v1/events"
    rest = api.ok(api.get("/v1/events", {"starting_after": page["data"][-1]["id"]}))
    assert rest["has_more"] is False
    assert rest["data"][0]["data"]["object"]["id"] == first["id"]
    back = api.ok(api.get("/v1/events", {"ending_before": rest["data"][0]["id"]}))
    assert [e["id"] for e in back["data"]] == [e["id"] for e in page["data"]]
    assert second["id"] in json.dumps(page)


def test_list_and_retrieve_errors(api: Api) -> None:
    error = api.error(
        api.get("/v1/events", {"type": "credit_note.created", "types[0]": "credit_note.voided"})
    )
    assert error["param"] == "types"
    assert api.error(api.get("/v1/events", {"colour": "red"}))["code"] == "parameter_unknown"
    assert api.error(api.get("/v1/events", {"limit": 0}))["param"] == "limit"
    missing = api.error(api.get("/v1/events/evt_nope"), 404)
    assert missing["code"] == "resource_missing"
    assert api.error(api.get("/v1/events", {"starting_after": "evt_nope"}))["code"] == (
        "resource_missing"
    )


def test_events_need_authentication(emu: Emulator) -> None:
    assert httpx.get(f"{emu.base_url}/v1/events").status_code == 401


# Endpoints over HTTP ----------------------------------------------------------------------------


def test_register_endpoints_over_http(emu: Emulator, receiver: WebhookReceiver) -> None:
    admin = f"{emu.base_url}/_emulator/webhook_endpoints"
    created = httpx.post(
        admin,
        json={
            "url": receiver.url,
            "enabled_events": ["credit_note.voided"],
            "api_version": MID,
        },
    )
    assert created.status_code == 200, created.text
    endpoint = created.json()
    assert endpoint["id"].startswith("we_")
    assert endpoint["secret"].startswith("whsec_")
    assert (endpoint["enabled_events"], endpoint["api_version"]) == (["credit_note.voided"], MID)
    form = httpx.post(admin, data={"url": receiver.url, "enabled_events[0]": "*"})
    assert form.json()["enabled_events"] == ["*"]
    listed = httpx.get(admin).json()["data"]
    assert [e["id"] for e in listed] == [endpoint["id"], form.json()["id"]]
    assert all("secret" not in e for e in listed)  # shown once, on creation
    assert httpx.delete(f"{admin}/{endpoint['id']}").json()["deleted"] is True
    assert [e["id"] for e in httpx.get(admin).json()["data"]] == [form.json()["id"]]
    assert httpx.delete(f"{admin}/{endpoint['id']}").status_code == 400


@pytest.mark.parametrize(
    "body",
    [
        {"url": "ftp://example.test/hook"},
        {"url": "not a url"},
        {"url": "http://127.0.0.1:9/x", "enabled_events": []},
        {"url": "http://127.0.0.1:9/x", "enabled_events": ["Credit Note"]},
        {"url": "http://127.0.0.1:9/x", "api_version": "yesterday"},
        {"url": "http://127.0.0.1:9/x", "colour": "red"},
        {},
    ],
)
def test_bad_endpoints_are_refused(emu: Emulator, body: dict[str, Any]) -> None:
    response = httpx.post(f"{emu.base_url}/_emulator/webhook_endpoints", json=body)
    assert response.status_code == 400, response.text
    assert emu.webhooks.endpoints() == []


def test_the_secret_stays_out_of_reprs(emu: Emulator) -> None:
    endpoint = emu.webhooks.add_endpoint("http://127.0.0.1:9/hook")
    assert endpoint.secret not in repr(endpoint)
    assert endpoint.secret not in repr(emu.webhooks.endpoints())


# Delivery -------------------------------------------------------------------------------------


def test_deliveries_are_signed_and_verify_with_the_official_package(
    emu: Emulator, api: Api, receiver: WebhookReceiver
) -> None:
    endpoint_id = listen(emu, receiver)
    note = issue(emu, api)
    (typed,) = receiver.wait_for(1)
    assert isinstance(typed, CreditNoteEvent) and isinstance(typed.data.object, CreditNote)
    assert typed.data.object.id == note["id"]
    (delivery,) = receiver.deliveries
    body, header = delivery.body, delivery.headers["stripe-signature"]
    assert receiver.secret is not None
    event = stripe.Webhook.construct_event(body, header, receiver.secret)
    assert event["type"] == "credit_note.created"
    assert event["data"]["object"]["id"] == note["id"]
    assert verify_header(body, header, receiver.secret) > 0
    assert delivery.headers["content-type"].startswith("application/json")
    assert delivery.path == "/webhooks"
    assert emu.webhooks.wait_idle(10)
    (attempt,) = emu.webhooks.deliveries()
    assert (attempt.endpoint, attempt.succeeded, attempt.http_status) == (endpoint_id, True, 200)
    assert api.ok(api.get(f"/v1/events/{attempt.event}"))["pending_webhooks"] == 0
    assert api.ok(api.get("/v1/events", {"delivery_success": "true"}))["data"]


def test_each_endpoint_gets_its_own_version_and_types(
    emu: Emulator, api: Api, receiver: WebhookReceiver
) -> None:
    with WebhookReceiver() as old:
        listen(emu, receiver)
        listen(emu, old, api_version=MID, enabled_events=["credit_note.voided"])
        note = issue(emu, api)
        api.ok(api.post(f"/v1/credit_notes/{note['id']}/void"))
        new_events = bodies(receiver, 2)
        (old_event,) = bodies(old, 1)
        assert emu.webhooks.wait_idle(10)
    assert sorted(e["type"] for e in new_events) == ["credit_note.created", "credit_note.voided"]
    assert all(e["api_version"] == ENDIVE and "refunds" in e["data"]["object"] for e in new_events)
    assert old_event["type"] == "credit_note.voided"
    assert old_event["api_version"] == MID
    assert_credit_note_shape(old_event["data"]["object"], MID)
    assert "refund" in old_event["data"]["object"]
    assert "refunds" not in old_event["data"]["object"]
    assert old_event["id"] in {e["id"] for e in api.ok(api.get("/v1/events"))["data"]}


def test_failed_deliveries_are_retried_with_backoff(
    emu: Emulator, api: Api, receiver: WebhookReceiver
) -> None:
    emu.webhooks.configure(backoff=0.05, max_attempts=4)
    listen(emu, receiver)
    receiver.respond_with(500, 503)
    issue(emu, api)
    receiver.wait_for(1)
    assert emu.webhooks.wait_idle(10)
    attempts = emu.webhooks.deliveries()
    assert [(a.attempt, a.http_status, a.succeeded) for a in attempts] == [
        (1, 500, False),
        (2, 503, False),
        (3, 200, True),
    ]
    assert [a.next_retry_in for a in attempts] == [0.05, 0.1, None]
    assert attempts[0].error == "HTTP 500"
    assert len({a.event for a in attempts}) == 1
    # The retry came no sooner than its backoff (a lower bound: a correctness check).
    assert attempts[1].started_at - attempts[0].started_at >= 0.05


def test_retries_stop_after_max_attempts(emu: Emulator, api: Api) -> None:
    emu.webhooks.configure(backoff=0.02, max_attempts=3)
    emu.webhooks.add_endpoint(f"http://127.0.0.1:{free_port()}/nobody-listens")
    issue(emu, api)
    assert emu.webhooks.wait_idle(10)
    attempts = emu.webhooks.deliveries()
    assert [a.attempt for a in attempts] == [1, 2, 3]
    assert not any(a.succeeded for a in attempts)
    assert attempts[-1].next_retry_in is None
    assert all(a.http_status is None and a.error for a in attempts)
    assert "refused" in (attempts[0].error or "")
    event = api.ok(api.get("/v1/events"))["data"][0]
    assert event["pending_webhooks"] == 1
    assert api.ok(api.get("/v1/events", {"delivery_success": "false"}))["data"] == [event]
    listed = httpx.get(f"{emu.base_url}/_emulator/deliveries", params={"event": event["id"]})
    assert [a["status"] for a in listed.json()["data"]] == ["failed"] * 3


def test_a_handler_that_times_out_is_retried(
    emu: Emulator, api: Api, receiver: WebhookReceiver
) -> None:
    emu.webhooks.configure(backoff=0.02, max_attempts=2, timeout=0.2)
    listen(emu, receiver)
    receiver.respond_with(200, delay=2.0)
    issue(emu, api)
    assert emu.webhooks.wait_idle(20)
    first, second = emu.webhooks.deliveries()
    assert (first.error, first.succeeded) == ("timed out", False)
    assert second.succeeded


def test_delivery_is_off_the_request_path(
    emu: Emulator, api: Api, receiver: WebhookReceiver
) -> None:
    """The create answers while the handler is still busy with its event."""
    listen(emu, receiver)
    release = threading.Event()
    entered = threading.Event()
    original = receiver._receive

    def slow_receive(path: str, headers: dict[str, str], body: bytes) -> int:
        entered.set()
        release.wait(30)
        return original(path, headers, body)

    receiver._receive = slow_receive  # type: ignore[method-assign]
    try:
        issue(emu, api)  # would block here if delivery were on the request path
        assert entered.wait(10)
        assert emu.webhooks.deliveries() == []  # still in flight
    finally:
        release.set()
    assert emu.webhooks.wait_idle(10)
    assert [a.succeeded for a in emu.webhooks.deliveries()] == [True]


def test_a_bad_signature_is_refused_by_the_receiver(
    emu: Emulator, api: Api, receiver: WebhookReceiver
) -> None:
    emu.webhooks.configure(backoff=0.02, max_attempts=2)
    emu.webhooks.add_endpoint(receiver.url)
    receiver.secret = "whsec_not_the_endpoints_secret"
    issue(emu, api)
    assert emu.webhooks.wait_idle(10)
    assert [a.http_status for a in emu.webhooks.deliveries()] == [400, 400]
    assert all(d.error and "No signature" in d.error for d in receiver.deliveries)


def test_reset_forgets_endpoints_events_and_deliveries(
    emu: Emulator, api: Api, receiver: WebhookReceiver
) -> None:
    emu.webhooks.configure(max_attempts=9)
    listen(emu, receiver)
    issue(emu, api)
    assert emu.webhooks.wait_idle(10)
    emu.reset()
    assert emu.webhooks.endpoints() == []
    assert emu.webhooks.deliveries() == []
    assert emu.webhooks.max_attempts == 4
    assert api.ok(api.get("/v1/events"))["data"] == []


def test_settings_over_http(emu: Emulator) -> None:
    url = f"{emu.base_url}/_emulator/webhook_settings"
    answer = httpx.post(url, json={"max_attempts": 2, "backoff": 0.1, "timeout": 3})
    assert answer.json() == {"max_attempts": 2, "backoff": 0.1, "max_backoff": 30.0, "timeout": 3}
    assert httpx.post(url, json={"max_attempts": 0}).status_code == 400
    assert httpx.post(url, json={"max_attempts": 1.5}).status_code == 400
    assert httpx.post(url, json={"backoff": -1}).status_code == 400
    assert httpx.post(url, json={"timeout": True}).status_code == 400


def test_the_stripe_webhooks_fixture_yields_typed_events(
    stripe_emulator: Emulator, stripe_webhooks: WebhookReceiver, api: Api
) -> None:
    note = issue(stripe_emulator, api)
    api.ok(api.post(f"/v1/credit_notes/{note['id']}", {"metadata[k]": "v"}))
    events = list(stripe_webhooks.events(timeout=5))
    assert sorted(e.type for e in events) == ["credit_note.created", "credit_note.updated"]
    updated = next(e for e in events if e.type == "credit_note.updated")
    assert isinstance(updated, CreditNoteEvent)
    assert updated.data.object.metadata == {"k": "v"}
    assert updated.data.previous_attributes == {"metadata": {}}
    assert stripe_webhooks.endpoint is not None
    assert stripe_webhooks.secret == stripe_webhooks.endpoint.secret
    assert stripe_webhooks.secret not in repr(stripe_webhooks)
