"""Every Stripe route the emulator serves, over HTTP, with shapes checked against the spec."""

from __future__ import annotations

import pytest

from stripe_credit_notes.emulator import Emulator

from .helpers import (
    ANCIENT,
    ENDIVE,
    MID,
    Api,
    assert_credit_note_shape,
    assert_line_shape,
    custom_line,
    invoice_line,
)


def test_create_retrieve_update_void_and_lines(emu: Emulator, api: Api) -> None:
    invoice = emu.seed_invoice(lines=[1000, 500], paid=True, number="ACME-0007")
    created = api.ok(
        api.post(
            "/v1/credit_notes",
            {
                "invoice": invoice.id,
                **invoice_line(0, invoice.line_ids[0]),
                "refund_amount": 400,
                "credit_amount": 600,
                "memo": "Sorry",
                "metadata[order]": "42",
                "reason": "order_change",
            },
        )
    )
    assert_credit_note_shape(created, ENDIVE)
    assert created["id"].startswith("cn_")
    assert created["number"] == "ACME-0007-CN-01"
    assert (created["amount"], created["total"], created["subtotal"]) == (1000, 1000, 1000)
    assert created["type"] == "post_payment"
    assert (created["pre_payment_amount"], created["post_payment_amount"]) == (0, 1000)
    assert created["refunds"][0]["amount_refunded"] == 400
    assert created["refunds"][0]["refund"].startswith("re_")
    assert created["customer_balance_transaction"].startswith("cbtxn_")
    assert created["metadata"] == {"order": "42"}
    assert created["memo"] == "Sorry" and created["reason"] == "order_change"
    assert created["status"] == "issued" and created["voided_at"] is None
    assert created["lines"]["url"] == f"/v1/credit_notes/{created['id']}/lines"
    note_id = created["id"]

    fetched = api.ok(api.get(f"/v1/credit_notes/{note_id}"))
    assert fetched == created

    updated = api.ok(
        api.post(
            f"/v1/credit_notes/{note_id}",
            {"memo": "Updated", "metadata[order]": "", "metadata[ticket]": "T-1"},
        )
    )
    assert updated["memo"] == "Updated"
    assert updated["metadata"] == {"ticket": "T-1"}
    cleared = api.ok(api.post(f"/v1/credit_notes/{note_id}", {"metadata": "", "memo": ""}))
    assert cleared["metadata"] == {} and cleared["memo"] is None

    lines = api.ok(api.get(f"/v1/credit_notes/{note_id}/lines"))
    assert lines["object"] == "list" and lines["url"] == f"/v1/credit_notes/{note_id}/lines"
    assert [line["invoice_line_item"] for line in lines["data"]] == [invoice.line_ids[0]]
    for line in lines["data"]:
        assert_line_shape(line, ENDIVE)

    voided = api.ok(api.post(f"/v1/credit_notes/{note_id}/void"))
    assert voided["status"] == "void"
    assert isinstance(voided["voided_at"], int)
    assert_credit_note_shape(voided, ENDIVE)


def test_list_route(emu: Emulator, api: Api) -> None:
    invoice = emu.seed_invoice(lines=[1000])
    ids = [
        api.ok(api.post("/v1/credit_notes", {"invoice": invoice.id, "amount": 100}))["id"]
        for _ in range(3)
    ]
    listed = api.ok(api.get("/v1/credit_notes"))
    assert listed["object"] == "list"
    assert listed["url"] == "/v1/credit_notes"
    assert listed["has_more"] is False
    assert [n["id"] for n in listed["data"]] == ids[::-1]
    for note in listed["data"]:
        assert_credit_note_shape(note, ENDIVE)


def test_preview_does_not_persist(emu: Emulator, api: Api) -> None:
    invoice = emu.seed_invoice(lines=[1000, 500])
    params = {"invoice": invoice.id, **invoice_line(0, invoice.line_ids[0], amount=300)}
    preview = api.ok(api.get("/v1/credit_notes/preview", params))
    assert_credit_note_shape(preview, ENDIVE)
    assert preview["amount"] == 300 and preview["type"] == "pre_payment"
    assert preview["number"] == f"{invoice.number}-CN-01"
    assert preview["lines"]["url"] == "/v1/credit_notes/preview/lines"
    assert emu.credit_note_count() == 0
    assert emu.invoice(invoice.id)["amount_remaining"] == 1500
    again = api.ok(api.get("/v1/credit_notes/preview", params))
    assert again["lines"]["data"][0]["id"] == preview["lines"]["data"][0]["id"]

    api.ok(api.post("/v1/credit_notes", params))
    after = api.ok(api.get("/v1/credit_notes/preview", params))
    assert after["number"] == f"{invoice.number}-CN-02"
    # The preview applies the rules too: the same credit again is over the line's amount left.
    too_much = {"invoice": invoice.id, **invoice_line(0, invoice.line_ids[0], amount=701)}
    err = api.error(api.get("/v1/credit_notes/preview", too_much))
    assert err["code"] == "amount_too_large"
    assert err["param"] == "lines[0][amount]"


def test_preview_lines_pages_through_deterministic_ids(emu: Emulator, api: Api) -> None:
    invoice = emu.seed_invoice(lines=[100_000])
    params: dict[str, object] = {"invoice": invoice.id}
    for i in range(15):
        params.update(custom_line(i, 10 + i, description=f"item {i}"))
    first = api.ok(api.get("/v1/credit_notes/preview/lines", {**params, "limit": 10}))
    assert first["url"] == "/v1/credit_notes/preview/lines"
    assert len(first["data"]) == 10 and first["has_more"] is True
    rest = api.ok(
        api.get(
            "/v1/credit_notes/preview/lines",
            {**params, "limit": 10, "starting_after": first["data"][-1]["id"]},
        )
    )
    assert len(rest["data"]) == 5 and rest["has_more"] is False
    descriptions = [line["description"] for line in first["data"] + rest["data"]]
    assert descriptions == [f"item {i}" for i in range(15)]
    for line in first["data"]:
        assert_line_shape(line, ENDIVE)
    preview = api.ok(api.get("/v1/credit_notes/preview", params))
    assert len(preview["lines"]["data"]) == 10 and preview["lines"]["has_more"] is True
    assert preview["amount"] == sum(10 + i for i in range(15))
    assert emu.credit_note_count() == 0


def test_credit_note_lines_pagination(emu: Emulator, api: Api) -> None:
    invoice = emu.seed_invoice(lines=[100] * 12)
    data: dict[str, object] = {"invoice": invoice.id}
    for i, line_id in enumerate(invoice.line_ids):
        data.update(invoice_line(i, line_id))
    note = api.ok(api.post("/v1/credit_notes", data))
    assert note["amount"] == 1200
    assert len(note["lines"]["data"]) == 10 and note["lines"]["has_more"] is True
    page = api.ok(
        api.get(
            f"/v1/credit_notes/{note['id']}/lines",
            {"limit": 5, "ending_before": note["lines"]["data"][7]["id"]},
        )
    )
    assert [line["id"] for line in page["data"]] == [
        line["id"] for line in note["lines"]["data"][2:7]
    ]
    assert page["has_more"] is True


def test_invoice_and_customer_routes(emu: Emulator, api: Api) -> None:
    customer = emu.seed_customer(balance=-50)
    invoice = emu.seed_invoice(lines=[1000], customer=customer, amount_paid=250)
    body = api.ok(api.get(f"/v1/invoices/{invoice.id}"))
    assert body["object"] == "invoice"
    assert (body["amount_remaining"], body["status"], body["currency"]) == (750, "open", "usd")
    assert body["customer"] == customer
    expanded = api.ok(api.get(f"/v1/invoices/{invoice.id}", {"expand[0]": "customer"}))
    assert expanded["customer"]["balance"] == -50
    assert api.ok(api.get(f"/v1/customers/{customer}"))["balance"] == -50


def test_refund_route_serves_the_refunds_it_knows(emu: Emulator, api: Api) -> None:
    invoice = emu.seed_invoice(lines=[1000], amount_paid=1000)
    refund = emu.seed_refund(invoice.id, 300)
    body = api.ok(api.get(f"/v1/refunds/{refund}"))
    assert (body["id"], body["object"], body["amount"]) == (refund, "refund", 300)


@pytest.mark.parametrize(
    ("method", "path", "kind"),
    [
        ("GET", "/v1/credit_notes/cn_missing", "credit note"),
        ("POST", "/v1/credit_notes/cn_missing", "credit note"),
        ("GET", "/v1/credit_notes/cn_missing/lines", "credit note"),
        ("POST", "/v1/credit_notes/cn_missing/void", "credit note"),
        ("GET", "/v1/invoices/in_missing", "invoice"),
        ("GET", "/v1/customers/cus_missing", "customer"),
        ("GET", "/v1/refunds/re_missing", "refund"),
    ],
)
def test_missing_objects_are_404(api: Api, method: str, path: str, kind: str) -> None:
    response = api.get(path) if method == "GET" else api.post(path)
    err = api.error(response, 404)
    assert err["type"] == "invalid_request_error"
    assert err["code"] == "resource_missing"
    assert err["doc_url"].endswith("/resource-missing")
    assert err["param"] == "id"
    assert err["message"].startswith(f"No such {kind}: ")


def test_unknown_routes_are_404(api: Api) -> None:
    err = api.error(api.get("/v1/charges"), 404)
    assert "Unrecognized request URL" in err["message"]
    err = api.error(api.client.delete("/v1/credit_notes"), 404)
    assert "DELETE" in err["message"]


def test_missing_invoice_on_create_is_400(api: Api) -> None:
    err = api.error(api.post("/v1/credit_notes", {"invoice": "in_nope", "amount": 1}))
    assert (err["code"], err["param"]) == ("resource_missing", "invoice")


@pytest.mark.parametrize(
    ("data", "code", "param"),
    [
        ({"amount": 1}, "parameter_missing", "invoice"),
        ({"invoice": "in_x", "amount": "ten"}, "parameter_invalid_integer", "amount"),
        ({"invoice": "in_x", "amount": 1, "colour": "red"}, "parameter_unknown", "colour"),
        (
            {"invoice": "in_x", "lines[0][type]": "custom_line_item", "lines[0][price]": 1},
            "parameter_unknown",
            "lines[0][price]",
        ),
        ({"invoice": "in_x", "amount": 1, "refund": "re_1"}, "parameter_unknown", "refund"),
        ({"invoice": "in_x", "reason": "whim"}, None, "reason"),
    ],
)
def test_parameter_errors(api: Api, data: dict[str, object], code: str | None, param: str) -> None:
    err = api.error(api.post("/v1/credit_notes", data))
    assert err["type"] == "invalid_request_error"
    assert err.get("code") == code
    assert err["param"] == param
    if code == "parameter_unknown":
        assert err["message"] == f"Received unknown parameter: {param}"


def test_refunds_param_is_unknown_before_basil(emu: Emulator, api: Api) -> None:
    invoice = emu.seed_invoice(lines=[1000], paid=True)
    refund = emu.seed_refund(invoice.id, 100)
    data = {"invoice": invoice.id, "amount": 100, "refunds[0][refund]": refund}
    err = api.error(api.post("/v1/credit_notes", data, version=MID))
    assert (err["code"], err["param"]) == ("parameter_unknown", "refunds")
    note = api.ok(api.post("/v1/credit_notes", data, version=ENDIVE))
    assert note["refunds"] == [
        {"amount_refunded": 100, "payment_record_refund": None, "refund": refund, "type": "refund"}
    ]


def test_list_rejects_unknown_and_bad_params(api: Api) -> None:
    err = api.error(api.get("/v1/credit_notes", {"status": "issued"}))
    assert err["code"] == "parameter_unknown"
    for limit in (0, 101, -1):
        err = api.error(api.get("/v1/credit_notes", {"limit": limit}))
        assert err["param"] == "limit"
    err = api.error(api.get("/v1/credit_notes", {"starting_after": "cn_nope"}))
    assert (err["code"], err["param"]) == ("resource_missing", "starting_after")
    err = api.error(api.get("/v1/credit_notes", {"starting_after": "a", "ending_before": "b"}))
    assert "only specify one" in err["message"]


def test_json_bodies_are_refused(emu: Emulator, api: Api) -> None:
    invoice = emu.seed_invoice(lines=[1000])
    response = api.client.post("/v1/credit_notes", json={"invoice": invoice.id, "amount": 1})
    err = api.error(response)
    assert "Content-Type" in err["message"]
    assert emu.credit_note_count() == 0


def test_bad_stripe_version_is_400(api: Api) -> None:
    err = api.error(api.get("/v1/credit_notes", version="yesterday"))
    assert "Invalid Stripe API version" in err["message"]


def test_response_headers(emu: Emulator, api: Api) -> None:
    response = api.get("/v1/credit_notes")
    assert response.headers["content-type"] == "application/json"
    assert response.headers["request-id"].startswith("req_")
    assert response.headers["stripe-version"] == ENDIVE
    other = api.get("/v1/credit_notes", version=MID)
    assert other.headers["stripe-version"] == MID
    assert other.headers["request-id"] != response.headers["request-id"]


@pytest.mark.parametrize("version", [ANCIENT, MID, "2025-04-30.basil", "2025-05-28.basil", ENDIVE])
def test_shapes_follow_the_version(emu: Emulator, api: Api, version: str) -> None:
    vat = emu.seed_tax_rate(20)
    incl = emu.seed_tax_rate(10, inclusive=True)
    invoice = emu.seed_invoice(
        lines=[{"amount": 1000, "tax_rates": [vat]}, {"amount": 550, "tax_rates": [incl]}, 2000],
        paid=True,
        shipping={"amount": 300, "shipping_rate": "shr_standard"},
    )
    note = api.ok(
        api.post(
            "/v1/credit_notes",
            {
                "invoice": invoice.id,
                **invoice_line(0, invoice.line_ids[0]),
                **invoice_line(1, invoice.line_ids[1]),
                **custom_line(2, 100, quantity=2, description="goodwill", tax_rates=[vat]),
                "shipping_cost[shipping_rate]": "shr_standard",
                "refund_amount": 1000,
                "out_of_band_amount": 1290,
            },
            version=version,
        )
    )
    assert_credit_note_shape(note, version)
    for line in note["lines"]["data"]:
        assert_line_shape(line, version)
    # 1000 + 200 VAT, 550 incl. 50 tax, 200 + 40 VAT, 300 shipping
    assert note["subtotal"] == 1750
    assert note["amount_shipping"] == 300
    assert note["total"] == note["amount"] == 2290
    assert note["subtotal_excluding_tax"] == 1700
    assert note["total_excluding_tax"] == 2000
    new = version >= "2025-03-31"
    assert ("refunds" in note) is new and ("refund" in note) is not new
    assert ("total_taxes" in note) is new and ("tax_amounts" in note) is not new
    taxes = note["total_taxes"] if new else note["tax_amounts"]
    assert sorted(t["amount"] for t in taxes) == [50, 240]
    first_line = note["lines"]["data"][0]
    assert ("taxes" in first_line) is new
    assert ("amount_excluding_tax" in first_line) is not new
    assert ("unit_amount_excluding_tax" in first_line) is not new
    if not new:
        assert note["refund"].startswith("re_")
        assert note["lines"]["data"][1]["amount_excluding_tax"] == 500
    # A note created at one version reads back in another version's shape.
    other = ENDIVE if not new else MID
    assert_credit_note_shape(
        api.ok(api.get(f"/v1/credit_notes/{note['id']}", version=other)), other
    )
