"""The emulator's opt-in limits: rate limit, idempotency-key lifetime, per-invoice create lock."""

from __future__ import annotations

import threading

import httpx
import pytest

from stripe_credit_notes.emulator import Emulator
from stripe_credit_notes.emulator._limits import Limits

from .helpers import Api


def create(api: Api, invoice: str, key: str | None = None) -> httpx.Response:
    return api.post(
        "/v1/credit_notes", {"invoice": invoice, "amount": 100, "refund_amount": 100}, key=key
    )


def test_all_limits_are_off_by_default(emu: Emulator, http: httpx.Client) -> None:
    assert http.get("/_emulator/limits").json()["limits"] == Limits().to_json()
    assert {http.get("/v1/credit_notes").status_code for _ in range(30)} == {200}


def test_above_the_rate_limit_requests_get_429_rate_limit_and_are_not_saved(
    emu: Emulator, api: Api, http: httpx.Client
) -> None:
    invoice = emu.seed_invoice(lines=[1000], paid=True).id
    set_limits = http.post("/_emulator/limits", json={"rate_limit": 3})
    assert set_limits.json()["limits"]["rate_limit"] == 3
    responses = [http.get("/v1/credit_notes") for _ in range(3)]
    refused = create(api, invoice, key="k1")
    assert [r.status_code for r in responses] == [200, 200, 200]
    assert refused.status_code == 429
    error = refused.json()["error"]
    assert (error["type"], error["code"]) == ("invalid_request_error", "rate_limit")
    emu.set_limits(rate_limit=None)
    retried = create(api, invoice, key="k1")  # the refused request left no saved result
    assert retried.status_code == 200 and "Idempotent-Replayed" not in retried.headers


def test_reset_restores_the_limits_the_emulator_started_with(
    emu: Emulator, http: httpx.Client
) -> None:
    emu.set_limits(rate_limit=1, invoice_lock=True)
    http.post("/_emulator/reset")
    assert http.get("/_emulator/limits").json()["limits"] == Limits().to_json()


def test_bad_limit_settings_are_refused(http: httpx.Client) -> None:
    assert http.post("/_emulator/limits", json={"rate_limit": 0}).status_code == 400
    assert http.post("/_emulator/limits", json={"speed": 1}).status_code == 400
    assert http.post("/_emulator/limits", json={"invoice_lock": "maybe"}).status_code == 400


def test_a_key_older_than_its_lifetime_is_forgotten(emu: Emulator, api: Api) -> None:
    emu.set_limits(idempotency_lifetime=3600)
    invoice = emu.seed_invoice(lines=[1000], paid=True).id
    first = create(api, invoice, key="k")
    emu.advance_time(3599)
    replay = create(api, invoice, key="k")
    assert replay.headers.get("Idempotent-Replayed") == "true"
    assert replay.json()["id"] == first.json()["id"]
    emu.advance_time(1)
    late = create(api, invoice, key="k")
    assert late.status_code == 200 and "Idempotent-Replayed" not in late.headers
    assert late.json()["id"] != first.json()["id"]
    assert emu.credit_note_count(invoice=invoice) == 2


def test_concurrent_creates_on_one_invoice_contend_for_its_lock(emu: Emulator, api: Api) -> None:
    emu.set_limits(invoice_lock=True, lock_hold=0.5)
    invoice = emu.seed_invoice(lines=[1000], paid=True).id
    other = emu.seed_invoice(lines=[1000], paid=True).id
    results: dict[str, int] = {}

    def send(name: str, target: str) -> None:
        results[name] = create(api, target, key=name).status_code

    threads = [threading.Thread(target=send, args=("a", invoice))]
    threads[0].start()
    # Wait until the first create holds the lock.
    for _ in range(200):
        if emu.app.limit_settings.invoices._locks.get(invoice, threading.Lock()).locked():
            break
        threading.Event().wait(0.01)
    threads += [
        threading.Thread(target=send, args=("b", invoice)),
        threading.Thread(target=send, args=("c", other)),
    ]
    for thread in threads[1:]:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert results == {"a": 200, "b": 429, "c": 200}
    retried = create(api, invoice, key="b")  # a lock timeout is not saved for its key
    assert retried.status_code == 200
    assert emu.credit_note_count(invoice=invoice) == 2


@pytest.mark.parametrize(
    "changes",
    [{"lock_wait": -1}, {"lock_hold": 61}, {"idempotency_lifetime": -5}],
)
def test_limits_validate_their_values(changes: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        Limits().updated(changes)
