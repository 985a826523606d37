"""Idempotency-Key handling, as Stripe does it."""

from __future__ import annotations

import httpx

from stripe_credit_notes.emulator import Emulator

from .helpers import Api

CN = "/v1/credit_notes"


def test_same_key_same_body_replays_the_first_response(emu: Emulator, api: Api) -> None:
    invoice = emu.seed_invoice(lines=[1000])
    data = {"invoice": invoice.id, "amount": 100, "metadata[a]": "1"}
    first = api.post(CN, data, key="key-1")
    assert first.status_code == 200
    assert "idempotent-replayed" not in first.headers
    assert first.headers["idempotency-key"] == "key-1"
    # Same parameters in another order: still the same request.
    second = api.post(CN, dict(reversed(list(data.items()))), key="key-1")
    assert second.status_code == 200
    assert second.content == first.content
    assert second.headers["idempotent-replayed"] == "true"
    assert second.headers["original-request"] == first.headers["request-id"]
    assert second.headers["request-id"] != first.headers["request-id"]
    assert emu.credit_note_count() == 1
    assert emu.invoice(invoice.id)["amount_remaining"] == 900


def test_same_key_different_body_is_an_idempotency_error(emu: Emulator, api: Api) -> None:
    invoice = emu.seed_invoice(lines=[1000])
    api.ok(api.post(CN, {"invoice": invoice.id, "amount": 100}, key="key-2"))
    err = api.error(api.post(CN, {"invoice": invoice.id, "amount": 101}, key="key-2"))
    assert err["type"] == "idempotency_error"
    assert "key-2" in err["message"]
    assert emu.credit_note_count() == 1


def test_same_key_other_endpoint_is_an_idempotency_error(emu: Emulator, api: Api) -> None:
    invoice = emu.seed_invoice(lines=[1000])
    note = api.ok(api.post(CN, {"invoice": invoice.id, "amount": 100}, key="key-3"))
    err = api.error(api.post(f"{CN}/{note['id']}/void", key="key-3"))
    assert err["type"] == "idempotency_error"
    assert emu.credit_note_count(status="void") == 0


def test_errors_after_execution_started_are_replayed(emu: Emulator, api: Api) -> None:
    invoice = emu.seed_invoice(lines=[1000], paid=True)
    bad = {"invoice": invoice.id, "amount": 100}  # out_of_band_amount missing
    first = api.post(CN, bad, key="key-4")
    assert first.status_code == 400
    again = api.post(CN, bad, key="key-4")
    assert again.status_code == 400 and again.content == first.content
    assert again.headers["idempotent-replayed"] == "true"
    fixed = api.post(CN, {**bad, "out_of_band_amount": 100}, key="key-4")
    assert api.error(fixed)["type"] == "idempotency_error"
    assert emu.credit_note_count() == 0


def test_validation_errors_are_not_saved(emu: Emulator, api: Api) -> None:
    invoice = emu.seed_invoice(lines=[1000])
    first = api.post(CN, {"invoice": invoice.id, "amount": 100, "colour": "red"}, key="key-5")
    assert api.error(first)["code"] == "parameter_unknown"
    fixed = api.ok(api.post(CN, {"invoice": invoice.id, "amount": 100}, key="key-5"))
    assert fixed["amount"] == 100
    assert emu.credit_note_count() == 1


def test_void_replay_returns_the_success_not_a_second_void_error(emu: Emulator, api: Api) -> None:
    invoice = emu.seed_invoice(lines=[1000])
    note = api.ok(api.post(CN, {"invoice": invoice.id, "amount": 100}))
    first = api.post(f"{CN}/{note['id']}/void", key="void-1")
    replay = api.post(f"{CN}/{note['id']}/void", key="void-1")
    assert first.status_code == replay.status_code == 200
    assert replay.content == first.content
    assert api.post(f"{CN}/{note['id']}/void", key="void-2").status_code == 400


def test_keys_are_scoped_to_the_api_key(emu: Emulator, api: Api) -> None:
    invoice = emu.seed_invoice(lines=[1000])
    api.ok(api.post(CN, {"invoice": invoice.id, "amount": 100}, key="shared"))
    headers = {"Authorization": "Bearer sk_test_other", "Idempotency-Key": "shared"}
    with httpx.Client(base_url=emu.base_url, timeout=10.0) as other:
        response = other.post(CN, data={"invoice": invoice.id, "amount": "100"}, headers=headers)
    assert response.status_code == 200
    assert "idempotent-replayed" not in response.headers
    assert emu.credit_note_count() == 2


def test_get_requests_ignore_keys_and_reset_forgets_keys(emu: Emulator, api: Api) -> None:
    invoice = emu.seed_invoice(lines=[1000])
    response = api.client.get(CN, headers={"Idempotency-Key": "g"})
    assert response.status_code == 200 and "idempotency-key" not in response.headers
    api.ok(api.post(CN, {"invoice": invoice.id, "amount": 100}, key="k"))
    emu.reset()
    invoice = emu.seed_invoice(lines=[1000])
    response = api.post(CN, {"invoice": invoice.id, "amount": 100}, key="k")
    assert response.status_code == 200 and "idempotent-replayed" not in response.headers


def test_overlong_keys_are_refused(emu: Emulator, api: Api) -> None:
    invoice = emu.seed_invoice(lines=[1000])
    err = api.error(api.post(CN, {"invoice": invoice.id, "amount": 1}, key="k" * 256))
    assert err["type"] == "idempotency_error"
    assert emu.credit_note_count() == 0
