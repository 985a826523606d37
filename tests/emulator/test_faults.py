"""Fault injection: every kind, from Python and through /_emulator/faults."""

from __future__ import annotations

import time

import httpx
import pytest

from stripe_credit_notes.emulator import Emulator, FaultKind

from .helpers import Api

CN = "/v1/credit_notes"


def _is_dropped(exc: BaseException) -> bool:
    return isinstance(exc, httpx.TransportError) and not isinstance(exc, httpx.TimeoutException)


def test_drop_before_acting(emu: Emulator, api: Api) -> None:
    invoice = emu.seed_invoice(lines=[1000])
    emu.inject_fault("drop_before")
    with pytest.raises(httpx.TransportError) as info:
        api.post(CN, {"invoice": invoice.id, "amount": 100}, key="d1")
    assert _is_dropped(info.value)
    assert emu.credit_note_count() == 0
    # Nothing was saved for the key: the retry runs for real.
    retry = api.post(CN, {"invoice": invoice.id, "amount": 100}, key="d1")
    assert retry.status_code == 200 and "idempotent-replayed" not in retry.headers
    assert emu.credit_note_count() == 1


def test_drop_after_acting_then_idempotent_retry(emu: Emulator, api: Api) -> None:
    invoice = emu.seed_invoice(lines=[1000])
    emu.inject_fault(FaultKind.DROP_AFTER, method="POST", path=CN)
    with pytest.raises(httpx.TransportError) as info:
        api.post(CN, {"invoice": invoice.id, "amount": 100}, key="d2")
    assert _is_dropped(info.value)
    assert emu.credit_note_count() == 1  # the server acted
    retry = api.post(CN, {"invoice": invoice.id, "amount": 100}, key="d2")
    assert retry.status_code == 200
    assert retry.headers["idempotent-replayed"] == "true"
    assert emu.credit_note_count() == 1
    listed = api.ok(api.get(CN))
    assert [n["id"] for n in listed["data"]] == [retry.json()["id"]]


def test_drop_after_without_a_key_duplicates(emu: Emulator, api: Api) -> None:
    invoice = emu.seed_invoice(lines=[1000])
    emu.inject_fault("drop_after")
    with pytest.raises(httpx.TransportError):
        api.post(CN, {"invoice": invoice.id, "amount": 100})
    api.ok(api.post(CN, {"invoice": invoice.id, "amount": 100}))
    assert emu.credit_note_count() == 2


@pytest.mark.parametrize(
    ("kind", "status", "error_type", "code", "should_retry"),
    [
        ("server_error", 500, "api_error", None, None),
        ("service_unavailable", 503, "api_error", None, "true"),
        ("lock_timeout", 429, "invalid_request_error", "lock_timeout", None),
        ("conflict", 409, "idempotency_error", None, None),
    ],
)
def test_error_status_faults(
    emu: Emulator,
    api: Api,
    kind: str,
    status: int,
    error_type: str,
    code: str | None,
    should_retry: str | None,
) -> None:
    invoice = emu.seed_invoice(lines=[1000])
    emu.inject_fault(kind)
    response = api.post(CN, {"invoice": invoice.id, "amount": 100}, key=f"e-{kind}")
    err = api.error(response, status)
    assert err["type"] == error_type
    assert err.get("code") == code
    assert response.headers.get("stripe-should-retry") == should_retry
    assert emu.credit_note_count() == 0
    retry = api.post(CN, {"invoice": invoice.id, "amount": 100}, key=f"e-{kind}")
    assert retry.status_code == 200 and "idempotent-replayed" not in retry.headers
    assert emu.credit_note_count() == 1


def test_slow_fault_delays_then_acts(emu: Emulator, api: Api) -> None:
    invoice = emu.seed_invoice(lines=[1000])
    emu.inject_fault("slow", delay=0.3)
    started = time.monotonic()
    api.ok(api.get(CN))
    assert time.monotonic() - started >= 0.3
    # A client that gives up early: the server still acts once the delay is over.
    emu.inject_fault("slow", delay=0.4, method="POST")
    with pytest.raises(httpx.TimeoutException):
        api.client.post(
            CN, data={"invoice": invoice.id, "amount": "100"}, timeout=httpx.Timeout(0.1)
        )
    deadline = time.monotonic() + 5.0
    while emu.credit_note_count() == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert emu.credit_note_count() == 1


def test_faults_match_method_and_path_and_count_down(emu: Emulator, api: Api) -> None:
    invoice = emu.seed_invoice(lines=[1000])
    note = api.ok(api.post(CN, {"invoice": invoice.id, "amount": 100}))
    emu.inject_fault("server_error", count=2, method="POST", path="/v1/credit_notes/*/void")
    api.ok(api.get(f"{CN}/{note['id']}"))
    api.ok(api.post(f"{CN}/{note['id']}", {"memo": "x"}))
    assert emu.pending_faults()[0]["count"] == 2
    assert api.post(f"{CN}/{note['id']}/void").status_code == 500
    assert api.post(f"{CN}/{note['id']}/void").status_code == 500
    assert api.post(f"{CN}/{note['id']}/void").status_code == 200
    assert emu.pending_faults() == []


def test_faults_through_the_setup_routes(emu: Emulator, api: Api) -> None:
    admin = api.client
    added = admin.post("/_emulator/faults", json={"kind": "503", "count": 2, "path": "/v1/*"})
    assert added.status_code == 200 and added.json()["fault"]["kind"] == "service_unavailable"
    form = admin.post("/_emulator/faults", data={"kind": "lock_timeout", "method": "GET"})
    assert form.status_code == 200
    listed = admin.get("/_emulator/faults").json()["faults"]
    assert [f["kind"] for f in listed] == ["service_unavailable", "lock_timeout"]
    # Setup routes are never faulted.
    assert admin.get("/_emulator/health").status_code == 200
    assert api.get(CN).status_code == 503
    assert api.get(CN).status_code == 503
    assert api.get(CN).status_code == 429
    assert api.get(CN).status_code == 200
    admin.post("/_emulator/faults", json={"kind": "drop_before"})
    assert admin.delete("/_emulator/faults").json() == {"faults": []}
    assert api.get(CN).status_code == 200
    bad = admin.post("/_emulator/faults", json={"kind": "meteor"})
    assert bad.status_code == 400 and "unknown fault kind" in bad.json()["error"]["message"]
