"""Stripe's credit-note rules, per API version range."""

from __future__ import annotations

import concurrent.futures

import httpx

from stripe_credit_notes.emulator import Emulator

from .helpers import ANCIENT, BASIL_APRIL, ENDIVE, MID, Api, custom_line, invoice_line

CN = "/v1/credit_notes"


# Allocation of refund / credit / out-of-band, one version per range -------------------------


def test_before_2019_12_03_out_of_band_is_allocated_automatically(emu: Emulator, api: Api) -> None:
    invoice = emu.seed_invoice(lines=[1000], paid=True)
    note = api.ok(
        api.post(
            CN,
            {"invoice": invoice.id, "amount": 600, "refund_amount": 100, "credit_amount": 200},
            version=ANCIENT,
        )
    )
    assert note["out_of_band_amount"] == 300
    assert note["type"] == "post_payment"
    # Refund and credit covering the whole total: nothing left for out of band.
    full = api.ok(
        api.post(CN, {"invoice": invoice.id, "amount": 100, "credit_amount": 100}, version=ANCIENT)
    )
    assert full["out_of_band_amount"] is None
    # R + C may not exceed T.
    err = api.error(
        api.post(CN, {"invoice": invoice.id, "amount": 100, "credit_amount": 150}, version=ANCIENT)
    )
    assert err["code"] == "amount_too_large"
    # An explicit out_of_band_amount must make the sum exact.
    err = api.error(
        api.post(
            CN,
            {"invoice": invoice.id, "amount": 100, "credit_amount": 50, "out_of_band_amount": 10},
            version=ANCIENT,
        )
    )
    assert err["param"] == "out_of_band_amount"
    assert emu.credit_note_count() == 2


def test_2019_12_03_to_basil_requires_out_of_band(emu: Emulator, api: Api) -> None:
    invoice = emu.seed_invoice(lines=[1000], paid=True)
    data = {"invoice": invoice.id, "amount": 600, "refund_amount": 100, "credit_amount": 200}
    for version in (MID, BASIL_APRIL):
        err = api.error(api.post(CN, data, version=version))
        assert err["type"] == "invalid_request_error"
        assert err["param"] == "out_of_band_amount"
        assert "required" in err["message"]
    note = api.ok(api.post(CN, {**data, "out_of_band_amount": 300}, version=MID))
    assert note["out_of_band_amount"] == 300
    assert (note["pre_payment_amount"], note["post_payment_amount"]) == (0, 600)
    err = api.error(api.post(CN, {**data, "amount": 300, "out_of_band_amount": 1}, version=MID))
    assert "must add up to the credit note total (300)" in err["message"]
    assert emu.credit_note_count() == 1


def test_endive_sum_must_equal_post_payment_amount(emu: Emulator, api: Api) -> None:
    invoice = emu.seed_invoice(lines=[1000], paid=True)
    data = {"invoice": invoice.id, "amount": 600, "refund_amount": 100, "credit_amount": 200}
    err = api.error(api.post(CN, data, version=ENDIVE))
    assert err["param"] == "out_of_band_amount"
    assert "post_payment_amount (600)" in err["message"]
    err = api.error(api.post(CN, {**data, "out_of_band_amount": 301}, version=ENDIVE))
    assert err["param"] == "out_of_band_amount"
    note = api.ok(api.post(CN, {**data, "out_of_band_amount": 300}, version=ENDIVE))
    assert (note["pre_payment_amount"], note["post_payment_amount"]) == (0, 600)
    assert note["type"] == "post_payment"


def test_open_invoice_note_is_pre_payment_and_takes_no_allocation(emu: Emulator, api: Api) -> None:
    invoice = emu.seed_invoice(lines=[1000])
    for version in (ANCIENT, MID, ENDIVE):
        err = api.error(
            api.post(
                CN, {"invoice": invoice.id, "amount": 100, "credit_amount": 100}, version=version
            )
        )
        assert err["param"] == "credit_amount"
    note = api.ok(api.post(CN, {"invoice": invoice.id, "amount": 100}, version=MID))
    assert note["type"] == "pre_payment"
    assert (note["pre_payment_amount"], note["post_payment_amount"]) == (100, 0)
    body = api.ok(api.get(f"/v1/invoices/{invoice.id}"))
    assert (body["amount_remaining"], body["amount_due"]) == (900, 900)
    assert body["pre_payment_credit_notes_amount"] == 100
    assert body["status"] == "open"


# Partial payments ---------------------------------------------------------------------------


def test_partial_payment_splits_into_pre_and_post_from_2025_05_28(emu: Emulator, api: Api) -> None:
    invoice = emu.seed_invoice(lines=[1000], amount_paid=400)  # amount_remaining 600
    data = {"invoice": invoice.id, "amount": 800}
    err = api.error(api.post(CN, data, version=ENDIVE))
    assert "post_payment_amount (200)" in err["message"]
    preview = api.ok(api.get(f"{CN}/preview", {**data, "out_of_band_amount": 200}))
    assert (preview["pre_payment_amount"], preview["post_payment_amount"]) == (600, 200)
    assert preview["type"] == "mixed"
    note = api.ok(api.post(CN, {**data, "refund_amount": 150, "credit_amount": 50}))
    assert note["type"] == "mixed"
    assert (note["pre_payment_amount"], note["post_payment_amount"]) == (600, 200)
    body = api.ok(api.get(f"/v1/invoices/{invoice.id}"))
    assert body["amount_remaining"] == 0
    assert body["status"] == "paid"
    assert body["pre_payment_credit_notes_amount"] == 600
    assert body["post_payment_credit_notes_amount"] == 200
    # Only 200 of the 400 paid is left to credit (150 of it refunded already, through this note).
    err = api.error(api.post(CN, {"invoice": invoice.id, "amount": 201, "out_of_band_amount": 201}))
    assert err["code"] == "amount_too_large"
    api.ok(api.post(CN, {"invoice": invoice.id, "amount": 200, "out_of_band_amount": 200}))
    assert emu.invoice(invoice.id)["post_payment_credit_notes_amount"] == 400


def test_partial_payment_before_2025_05_28_cannot_split(emu: Emulator, api: Api) -> None:
    invoice = emu.seed_invoice(lines=[1000], amount_paid=400)
    err = api.error(
        api.post(CN, {"invoice": invoice.id, "amount": 800, "out_of_band_amount": 200}, version=MID)
    )
    assert err["code"] == "amount_too_large"
    note = api.ok(api.post(CN, {"invoice": invoice.id, "amount": 600}, version=MID))
    assert note["type"] == "pre_payment"
    assert emu.invoice(invoice.id)["status"] == "paid"
    # Now paid: a later note is post-payment, and needs its allocation.
    later = api.ok(
        api.post(CN, {"invoice": invoice.id, "amount": 100, "refund_amount": 100}, version=MID)
    )
    assert later["type"] == "post_payment"


def test_payment_after_a_credit_note(emu: Emulator, api: Api) -> None:
    invoice = emu.seed_invoice(lines=[1000])
    api.ok(api.post(CN, {"invoice": invoice.id, "amount": 300}))
    emu.pay_invoice(invoice.id)  # pays the remaining 700
    body = emu.invoice(invoice.id)
    assert (body["amount_paid"], body["amount_remaining"], body["status"]) == (700, 0, "paid")
    note = api.ok(api.post(CN, {"invoice": invoice.id, "amount": 700, "refund_amount": 700}))
    assert note["type"] == "post_payment"
    err = api.error(api.post(CN, {"invoice": invoice.id, "amount": 1, "out_of_band_amount": 1}))
    assert err["code"] == "amount_too_large"


# Limits ---------------------------------------------------------------------------------------


def test_sum_of_notes_cannot_exceed_invoice_total(emu: Emulator, api: Api) -> None:
    invoice = emu.seed_invoice(lines=[1000])
    api.ok(api.post(CN, {"invoice": invoice.id, "amount": 700}))
    err = api.error(api.post(CN, {"invoice": invoice.id, "amount": 301}))
    assert (err["code"], err["param"]) == ("amount_too_large", "amount")
    api.ok(api.post(CN, {"invoice": invoice.id, "amount": 300}))
    assert emu.credit_note_count(invoice=invoice.id) == 2


def test_amount_lines_or_shipping_is_required_and_positive(emu: Emulator, api: Api) -> None:
    invoice = emu.seed_invoice(lines=[1000])
    err = api.error(api.post(CN, {"invoice": invoice.id, "memo": "nothing"}))
    assert "One of `amount`, `lines`, or `shipping_cost`" in err["message"]
    for amount in (0, -5):
        err = api.error(api.post(CN, {"invoice": invoice.id, "amount": amount}))
        assert err["code"] == "amount_too_small"


def test_amount_with_lines_must_match(emu: Emulator, api: Api) -> None:
    invoice = emu.seed_invoice(lines=[1000])
    line = invoice_line(0, invoice.line_ids[0], amount=400)
    err = api.error(api.post(CN, {"invoice": invoice.id, "amount": 500, **line}))
    assert err["param"] == "amount"
    api.ok(api.post(CN, {"invoice": invoice.id, "amount": 400, **line}))


def test_invoice_line_credits(emu: Emulator, api: Api) -> None:
    invoice = emu.seed_invoice(lines=[{"unit_amount": 250, "quantity": 4}, 100])
    first, second = invoice.line_ids
    note = api.ok(api.post(CN, {"invoice": invoice.id, **invoice_line(0, first, quantity=3)}))
    assert note["amount"] == 750
    assert note["lines"]["data"][0]["quantity"] == 3
    err = api.error(api.post(CN, {"invoice": invoice.id, **invoice_line(0, first, amount=251)}))
    assert (err["code"], err["param"]) == ("amount_too_large", "lines[0][amount]")
    err = api.error(api.post(CN, {"invoice": invoice.id, **invoice_line(0, first, quantity=5)}))
    assert err["param"] == "lines[0][quantity]"
    err = api.error(api.post(CN, {"invoice": invoice.id, **invoice_line(0, "il_other")}))
    assert (err["code"], err["param"]) == ("resource_missing", "lines[0][invoice_line_item]")
    err = api.error(api.post(CN, {"invoice": invoice.id, **invoice_line(0, second, unit_amount=5)}))
    assert err["param"] == "lines[0][unit_amount]"
    # Both lines of one request count against the same invoice line.
    both = {
        "invoice": invoice.id,
        **invoice_line(0, first, amount=200),
        **invoice_line(1, first, amount=100),
    }
    assert api.error(api.post(CN, both))["param"] == "lines[1][amount]"
    full = api.ok(api.post(CN, {"invoice": invoice.id, **invoice_line(0, second)}))
    assert full["amount"] == 100 and full["lines"]["data"][0]["quantity"] == 1


def test_custom_lines_and_taxes(emu: Emulator, api: Api) -> None:
    vat = emu.seed_tax_rate(20)
    incl = emu.seed_tax_rate(25, inclusive=True)
    invoice = emu.seed_invoice(lines=[10_000])
    note = api.ok(
        api.post(
            CN,
            {
                "invoice": invoice.id,
                **custom_line(0, 150, quantity=3, tax_rates=[vat]),
                **custom_line(1, 500, tax_rates=[incl]),
                "lines[2][type]": "custom_line_item",
                "lines[2][unit_amount_decimal]": "33.5",
                "lines[2][quantity]": "3",
            },
        )
    )
    lines = note["lines"]["data"]
    assert [line["amount"] for line in lines] == [450, 500, 101]
    assert lines[0]["taxes"][0]["amount"] == 90
    assert lines[1]["taxes"][0] | {"tax_rate_details": None} == {
        "amount": 100,
        "tax_behavior": "inclusive",
        "tax_rate_details": None,
        "taxability_reason": "not_available",
        "taxable_amount": 400,
        "type": "tax_rate_details",
    }
    assert lines[2]["unit_amount_decimal"] == "33.5" and lines[2]["unit_amount"] is None
    assert note["total"] == 450 + 90 + 500 + 101
    mixed = {"invoice": invoice.id, **custom_line(0, 100, tax_rates=[vat])}
    mixed.update(
        {
            "lines[0][tax_amounts][0][amount]": 1,
            "lines[0][tax_amounts][0][tax_rate]": vat,
            "lines[0][tax_amounts][0][taxable_amount]": 100,
        }
    )
    assert api.error(api.post(CN, mixed))["param"] == "lines[0][tax_amounts]"
    explicit = {k: v for k, v in mixed.items() if "tax_rates" not in k}
    note = api.ok(api.post(CN, explicit))
    assert note["total_taxes"][0]["amount"] == 1 and note["total"] == 101
    err = api.error(api.post(CN, {"invoice": invoice.id, "lines[0][type]": "custom_line_item"}))
    assert (err["code"], err["param"]) == ("parameter_missing", "lines[0][unit_amount]")
    err = api.error(api.post(CN, {"invoice": invoice.id, **custom_line(0, 5, tax_rates=["txr_x"])}))
    assert (err["code"], err["param"]) == ("resource_missing", "lines[0][tax_rates][0]")


def test_shipping_cost_credit(emu: Emulator, api: Api) -> None:
    invoice = emu.seed_invoice(lines=[1000], shipping={"amount": 450, "shipping_rate": "shr_1"})
    err = api.error(api.post(CN, {"invoice": invoice.id, "shipping_cost[shipping_rate]": "shr_2"}))
    assert err["param"] == "shipping_cost[shipping_rate]"
    note = api.ok(api.post(CN, {"invoice": invoice.id, "shipping_cost[shipping_rate]": "shr_1"}))
    assert (note["amount"], note["amount_shipping"], note["subtotal"]) == (450, 450, 0)
    assert note["shipping_cost"]["shipping_rate"] == "shr_1"
    err = api.error(api.post(CN, {"invoice": invoice.id, "shipping_cost[shipping_rate]": "shr_1"}))
    assert err["code"] == "amount_too_large"


# Refunds, balance credit, numbers --------------------------------------------------------


def test_refunds_and_customer_balance(emu: Emulator, api: Api) -> None:
    customer = emu.seed_customer(balance=0)
    invoice = emu.seed_invoice(lines=[1000], customer=customer, paid=True)
    note = api.ok(
        api.post(
            CN,
            {
                "invoice": invoice.id,
                "amount": 700,
                "refund_amount": 300,
                "credit_amount": 400,
                "expand[0]": "customer_balance_transaction",
                "expand[1]": "refunds.refund",
            },
        )
    )
    txn = note["customer_balance_transaction"]
    assert (txn["object"], txn["amount"], txn["ending_balance"]) == (
        "customer_balance_transaction",
        -400,
        -400,
    )
    assert txn["credit_note"] == note["id"]
    assert note["refunds"][0]["refund"]["amount"] == 300
    assert api.ok(api.get(f"/v1/customers/{customer}"))["balance"] == -400
    err = api.error(api.post(CN, {"invoice": invoice.id, "amount": 300, "refund_amount": 301}))
    assert err["param"] == "refund_amount" and "must add up" in err["message"]
    # A refund can never exceed what is left of the payment.
    emu.seed_refund(invoice.id, 600)  # 1000 paid: 300 + 600 refunded, 100 left
    err = api.error(api.post(CN, {"invoice": invoice.id, "amount": 100, "refund_amount": 101}))
    assert (err["code"], err["param"]) == ("amount_too_large", "refund_amount")


def test_linked_refunds_and_refund_api_refunds(emu: Emulator, api: Api) -> None:
    invoice = emu.seed_invoice(lines=[1000], paid=True)
    refund = emu.seed_refund(invoice.id, 400)  # refunded outside credit notes
    # Unlinked refunds reduce what can still be credited: 1000 - 400.
    err = api.error(api.post(CN, {"invoice": invoice.id, "amount": 601, "out_of_band_amount": 601}))
    assert err["code"] == "amount_too_large"
    linked = api.ok(
        api.post(
            CN,
            {
                "invoice": invoice.id,
                "amount": 700,
                "refunds[0][refund]": refund,
                "refunds[0][amount_refunded]": 250,
                "out_of_band_amount": 450,
            },
        )
    )
    assert linked["refunds"][0]["amount_refunded"] == 250
    err = api.error(
        api.post(
            CN,
            {
                "invoice": invoice.id,
                "amount": 151,
                "refunds[0][refund]": refund,
                "refunds[0][amount_refunded]": 151,
            },
        )
    )
    assert err["param"] == "refunds[0][amount_refunded]"
    # Without amount_refunded the link takes the rest of the refund.
    rest = api.ok(
        api.post(CN, {"invoice": invoice.id, "amount": 150, "refunds[0][refund]": refund})
    )
    assert rest["refunds"][0]["amount_refunded"] == 150
    err = api.error(
        api.post(CN, {"invoice": invoice.id, "amount": 10, "refunds[0][refund]": "re_no"})
    )
    assert (err["code"], err["param"]) == ("resource_missing", "refunds[0][refund]")


def test_single_refund_param_before_basil(emu: Emulator, api: Api) -> None:
    invoice = emu.seed_invoice(lines=[1000], paid=True)
    refund = emu.seed_refund(invoice.id, 300)
    note = api.ok(
        api.post(CN, {"invoice": invoice.id, "amount": 300, "refund": refund}, version=MID)
    )
    assert note["refund"] == refund
    expanded = api.ok(api.get(f"{CN}/{note['id']}", {"expand[0]": "refund"}, version=MID))
    assert expanded["refund"]["id"] == refund
    err = api.error(
        api.post(
            CN,
            {"invoice": invoice.id, "amount": 300, "refund": refund, "refund_amount": 1},
            version=MID,
        )
    )
    assert err["param"] == "refund"


def test_numbers_count_every_note_of_the_invoice(emu: Emulator, api: Api) -> None:
    invoice = emu.seed_invoice(lines=[1000], number="INV-9")
    other = emu.seed_invoice(lines=[1000], number="INV-10")
    numbers = []
    for target in (invoice.id, invoice.id, other.id, invoice.id):
        note = api.ok(api.post(CN, {"invoice": target, "amount": 10}))
        numbers.append(note["number"])
        if len(numbers) == 2:
            api.ok(api.post(f"{CN}/{note['id']}/void"))
    assert numbers == ["INV-9-CN-01", "INV-9-CN-02", "INV-10-CN-01", "INV-9-CN-03"]


# Void -----------------------------------------------------------------------------------------


def test_void_reverses_and_only_once(emu: Emulator, api: Api) -> None:
    customer = emu.seed_customer()
    invoice = emu.seed_invoice(lines=[1000], customer=customer, amount_paid=400)
    note = api.ok(api.post(CN, {"invoice": invoice.id, "amount": 800, "credit_amount": 200}))
    assert emu.customer(customer)["balance"] == -200
    assert emu.invoice(invoice.id)["status"] == "paid"
    voided = api.ok(api.post(f"{CN}/{note['id']}/void"))
    assert voided["status"] == "void"
    body = emu.invoice(invoice.id)
    assert (body["amount_remaining"], body["status"]) == (600, "open")
    assert body["pre_payment_credit_notes_amount"] == 0
    assert body["post_payment_credit_notes_amount"] == 0
    assert emu.customer(customer)["balance"] == 0
    err = api.error(api.post(f"{CN}/{note['id']}/void"))
    assert err["type"] == "invalid_request_error"
    assert "already void" in err["message"]
    # The voided amount can be credited again.
    api.ok(api.post(CN, {"invoice": invoice.id, "amount": 600}))
    assert emu.credit_note_count(invoice=invoice.id, status="void") == 1


def test_void_keeps_refunds_that_already_left(emu: Emulator, api: Api) -> None:
    invoice = emu.seed_invoice(lines=[1000], paid=True)
    note = api.ok(api.post(CN, {"invoice": invoice.id, "amount": 500, "refund_amount": 500}))
    api.ok(api.post(f"{CN}/{note['id']}/void"))
    # The 500 refunded stays refunded: only 500 of the payment can still be credited.
    err = api.error(api.post(CN, {"invoice": invoice.id, "amount": 501, "out_of_band_amount": 501}))
    assert err["code"] == "amount_too_large"
    # ...and the refund can be linked to a new note.
    refund = note["refunds"][0]["refund"]
    relinked = api.ok(
        api.post(CN, {"invoice": invoice.id, "amount": 500, "refunds[0][refund]": refund})
    )
    assert relinked["refunds"][0]["amount_refunded"] == 500


# Concurrency ---------------------------------------------------------------------------------


def test_concurrent_creates_never_over_credit(emu: Emulator) -> None:
    invoice = emu.seed_invoice(lines=[1000])
    headers = {"Authorization": f"Bearer {emu.api_key}"}

    def create(_: int) -> int:
        with httpx.Client(base_url=emu.base_url, headers=headers, timeout=10.0) as client:
            return client.post(CN, data={"invoice": invoice.id, "amount": "100"}).status_code

    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(create, range(16), timeout=30))
    assert sorted(statuses) == [200] * 10 + [400] * 6
    assert emu.invoice(invoice.id)["amount_remaining"] == 0
    assert emu.credit_note_count(invoice=invoice.id) == 10
