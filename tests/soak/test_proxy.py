"""The soak proxy does what each fault kind says, to real requests, in front of the emulator."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.integration.conftest import API_KEY, EmulatorProcess

from .plans import KINDS
from .proxy import GARBAGE, FaultProxy


@pytest.fixture
def http(proxy: FaultProxy) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=proxy.url("seq"), auth=(API_KEY, ""), timeout=10) as client:
        yield client


def create(http: httpx.Client, invoice: str) -> httpx.Response:
    body = {"invoice": invoice, "amount": "300", "credit_amount": "300"}
    # One key per invoice: the emulator's saved keys outlive a test.
    return http.post("/v1/credit_notes", data=body, headers={"Idempotency-Key": f"k-{invoice}"})


@pytest.fixture
def invoice(emulator_process: EmulatorProcess) -> str:
    return str(emulator_process.invoice([1000], paid=True)["id"])


def test_without_a_plan_requests_pass_through_on_a_kept_alive_connection(
    proxy: FaultProxy, http: httpx.Client, invoice: str, emulator_process: EmulatorProcess
) -> None:
    first = create(http, invoice)
    again = create(http, invoice)
    assert first.status_code == 200, first.text
    assert first.json()["object"] == "credit_note"
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert emulator_process.count(invoice=invoice) == 1
    assert proxy.requests == 2


def test_drop_before_never_reaches_the_emulator(
    proxy: FaultProxy, http: httpx.Client, invoice: str, emulator_process: EmulatorProcess
) -> None:
    proxy.plan("seq", ["drop_before"])
    with pytest.raises(httpx.RemoteProtocolError):
        create(http, invoice)
    assert emulator_process.count(invoice=invoice) == 0
    assert create(http, invoice).status_code == 200  # the plan is used up: this one passes


def test_drop_after_loses_the_response_of_a_request_the_emulator_carried_out(
    proxy: FaultProxy, http: httpx.Client, invoice: str, emulator_process: EmulatorProcess
) -> None:
    proxy.plan("seq", ["drop_after"])
    with pytest.raises(httpx.RemoteProtocolError):
        create(http, invoice)
    assert emulator_process.count(invoice=invoice) == 1
    assert create(http, invoice).headers["idempotent-replayed"] == "true"


@pytest.mark.parametrize(
    ("kind", "status", "should_retry", "code"),
    [
        ("500", 500, None, None),
        ("503", 503, "true", None),
        ("409", 409, None, None),
        ("429", 429, None, "lock_timeout"),
        ("429_retry", 429, "true", "lock_timeout"),
    ],
)
def test_refusals_answer_without_reaching_the_emulator(
    proxy: FaultProxy,
    http: httpx.Client,
    invoice: str,
    emulator_process: EmulatorProcess,
    kind: str,
    status: int,
    should_retry: str | None,
    code: str | None,
) -> None:
    proxy.plan("seq", [kind])
    response = create(http, invoice)
    assert response.status_code == status
    assert response.headers.get("stripe-should-retry") == should_retry
    assert response.json()["error"].get("code") == code
    assert emulator_process.count(invoice=invoice) == 0


def test_truncated_is_a_2xx_whose_json_is_cut(
    proxy: FaultProxy, http: httpx.Client, invoice: str, emulator_process: EmulatorProcess
) -> None:
    proxy.plan("seq", ["truncated"])
    response = create(http, invoice)
    assert response.status_code == 200
    assert response.content.startswith(b"{")
    with pytest.raises(json.JSONDecodeError):
        response.json()
    assert emulator_process.count(invoice=invoice) == 1


def test_truncated_close_ends_the_connection_in_the_middle_of_the_body(
    proxy: FaultProxy, http: httpx.Client, invoice: str, emulator_process: EmulatorProcess
) -> None:
    proxy.plan("seq", ["truncated_close"])
    with pytest.raises(httpx.RemoteProtocolError):
        create(http, invoice)
    assert emulator_process.count(invoice=invoice) == 1


def test_garbage_is_a_2xx_whose_body_is_not_json(
    proxy: FaultProxy, http: httpx.Client, invoice: str, emulator_process: EmulatorProcess
) -> None:
    proxy.plan("seq", ["garbage"])
    response = create(http, invoice)
    assert (response.status_code, response.content) == (200, GARBAGE)
    assert emulator_process.count(invoice=invoice) == 1


def test_drip_sends_slower_than_any_read_timeout_after_the_emulator_acted(
    proxy: FaultProxy, invoice: str, emulator_process: EmulatorProcess
) -> None:
    proxy.plan("seq", ["drip"])
    # Each byte comes 0.1 s after the last: a read timeout of 0.02 s can never be met.
    timeout = httpx.Timeout(10, read=0.02)
    with (
        httpx.Client(base_url=proxy.url("seq"), auth=(API_KEY, ""), timeout=timeout) as http,
        pytest.raises(httpx.ReadTimeout),
    ):
        create(http, invoice)
    assert emulator_process.count(invoice=invoice) == 1


def test_endless_body_outgrows_any_reasonable_cap_then_stops(
    proxy: FaultProxy, http: httpx.Client, invoice: str, emulator_process: EmulatorProcess
) -> None:
    proxy.plan("seq", ["endless"])
    received = 0
    body = {"invoice": invoice, "amount": "300", "credit_amount": "300"}
    # Bounded all the same: after endless_bytes it closes without the last chunk.
    with (
        pytest.raises(httpx.RemoteProtocolError),
        http.stream("POST", "/v1/credit_notes", data=body) as response,
    ):
        assert response.status_code == 200
        for chunk in response.iter_raw():
            assert received or chunk.startswith(b'{"id": "cn_')
            received += len(chunk)
    assert received >= 2_000_000
    assert emulator_process.count(invoice=invoice) == 1


def test_each_sequence_meets_its_own_faults_in_order(
    proxy: FaultProxy, emulator_process: EmulatorProcess
) -> None:
    proxy.plan("a", ["500", "503"])
    proxy.plan("b", [])
    with httpx.Client(auth=(API_KEY, ""), timeout=10) as http:
        statuses = [
            http.get(f"{proxy.url(name)}/v1/credit_notes").status_code
            for name in ("b", "a", "b", "a", "a")
        ]
    assert statuses == [200, 500, 200, 503, 200]
    assert proxy.pending("a") == []
    assert proxy.injected == {"500": 1, "503": 1}


def test_bad_plans_and_targets_are_refused(proxy: FaultProxy) -> None:
    with pytest.raises(ValueError, match="unknown fault kinds"):
        proxy.plan("a", ["500", "explode"])
    with httpx.Client(timeout=10) as http:
        response = http.get(f"http://127.0.0.1:{proxy.port}/v1/credit_notes")
    assert response.status_code == 404
    with pytest.raises(ValueError, match="loopback"):
        FaultProxy("10.0.0.1", 80)


def test_every_kind_has_a_test_here() -> None:
    source = Path(__file__).read_text()
    assert all(f'"{kind}"' in source for kind in KINDS)
