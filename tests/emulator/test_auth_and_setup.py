"""Authentication, and the /_emulator setup routes."""

from __future__ import annotations

import base64

import httpx
import pytest

from stripe_credit_notes.emulator import Emulator, run_emulator

CN = "/v1/credit_notes"


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "Bearer sk_live_123",
        "Bearer pk_test_123",
        "Bearer sk_test_",
        "Token sk_test_123",
        "Basic !!!not-base64",
    ],
)
def test_requests_without_a_test_secret_key_are_401(
    emu: Emulator, authorization: str | None
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    with httpx.Client(base_url=emu.base_url, timeout=10.0) as client:
        response = client.get(CN, headers=headers)
    assert response.status_code == 401
    assert response.headers["request-id"].startswith("req_")
    assert response.headers["www-authenticate"]
    err = response.json()["error"]
    assert err["type"] == "invalid_request_error"
    assert "sk_live_123" not in err["message"]  # keys are redacted


def test_bearer_and_basic_test_keys_are_accepted(emu: Emulator) -> None:
    basic = base64.b64encode(b"sk_test_abc:").decode()
    with httpx.Client(base_url=emu.base_url, timeout=10.0) as client:
        assert client.get(CN, headers={"Authorization": "Bearer sk_test_abc"}).status_code == 200
        assert client.get(CN, headers={"Authorization": f"Basic {basic}"}).status_code == 200


def test_auth_comes_before_everything_else(emu: Emulator) -> None:
    invoice = emu.seed_invoice(lines=[1000])
    with httpx.Client(base_url=emu.base_url, timeout=10.0) as client:
        response = client.post(CN, data={"invoice": invoice.id, "amount": "1", "bogus": "1"})
    assert response.status_code == 401
    assert emu.credit_note_count() == 0


def test_an_emulator_can_accept_only_given_keys() -> None:
    with (
        run_emulator(api_keys=["sk_test_only"]) as emu,
        httpx.Client(base_url=emu.base_url, timeout=10.0) as client,
    ):
        assert emu.api_key == "sk_test_only"
        assert client.get(CN, headers={"Authorization": "Bearer sk_test_only"}).status_code == 200
        assert client.get(CN, headers={"Authorization": "Bearer sk_test_else"}).status_code == 401


def test_setup_routes(emu: Emulator, http: httpx.Client) -> None:
    assert http.get("/_emulator/health").json()["default_api_version"] == "2026-09-30.endive"
    customer = http.post("/_emulator/customers", json={"balance": -100, "name": "Ada"}).json()
    assert customer["object"] == "customer" and customer["balance"] == -100
    rate = http.post("/_emulator/tax_rates", json={"percentage": 7.5}).json()
    assert rate["percentage"] == 7.5
    invoice = http.post(
        "/_emulator/invoices",
        json={
            "customer": customer["id"],
            "lines": [
                {"amount": 1000, "tax_rates": [rate["id"]]},
                {"unit_amount": 200, "quantity": 3},
            ],
            "amount_paid": 500,
            "number": "SETUP-1",
            "shipping": {"amount": 100, "shipping_rate": "shr_x"},
        },
    ).json()
    assert invoice["number"] == "SETUP-1"
    assert invoice["total"] == 1000 + 75 + 600 + 100
    assert invoice["amount_remaining"] == 1275
    assert [line["id"][:3] for line in invoice["lines"]["data"]] == ["il_", "il_"]
    # Form-encoded works too.
    form = http.post("/_emulator/invoices", data={"lines[0][amount]": "300", "paid": "true"}).json()
    assert (form["status"], form["amount_paid"]) == ("paid", 300)
    paid = http.post(f"/_emulator/invoices/{invoice['id']}/pay", json={"amount": 275}).json()
    assert paid["amount_remaining"] == 1000
    refund = http.post("/_emulator/refunds", json={"invoice": invoice["id"], "amount": 50}).json()
    assert refund["object"] == "refund" and refund["amount"] == 50
    assert http.get(f"/_emulator/invoices/{invoice['id']}").json()["amount_paid"] == 775
    assert http.get(f"/_emulator/customers/{customer['id']}").json()["name"] == "Ada"

    note = http.post(CN, data={"invoice": invoice["id"], "amount": "100"})
    assert note.status_code == 200
    count = http.get("/_emulator/credit_notes/count", params={"invoice": invoice["id"]}).json()
    assert count == {"count": 1}
    assert http.get("/_emulator/credit_notes/count", params={"status": "void"}).json() == {
        "count": 0
    }
    assert http.post("/_emulator/clock", json={"now": 1_700_000_000}).json()["now"] == 1_700_000_000
    assert http.post("/_emulator/clock", json={"advance": 60}).json()["now"] == 1_700_000_060
    http.post("/_emulator/reset")
    assert http.get("/_emulator/credit_notes/count").json() == {"count": 0}
    assert http.get(f"/v1/invoices/{invoice['id']}").status_code == 404


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/_emulator/invoices", {"lines": []}),
        ("/_emulator/invoices", {"lines": [{"amount": 10}], "customer": "cus_none"}),
        ("/_emulator/invoices", {"lines": [{"amount": 10}], "amount_paid": 11}),
        ("/_emulator/invoices", {"lines": [{"amount": 10}], "colour": "red"}),
        ("/_emulator/refunds", {"invoice": "in_none", "amount": 1}),
        ("/_emulator/tax_rates", {"percentage": 101}),
    ],
)
def test_setup_errors_are_400(http: httpx.Client, path: str, body: dict[str, object]) -> None:
    response = http.post(path, json=body)
    assert response.status_code == 400
    assert response.json()["error"]["type"] == "invalid_request_error"


def test_unknown_setup_route_is_404(http: httpx.Client) -> None:
    assert http.get("/_emulator/nothing").status_code == 404
