"""The SDK over real HTTP against the emulator process: operations, version rules, paging."""

from __future__ import annotations

import pytest

from stripe_credit_notes import (
    ABSENT,
    AsyncClient,
    Client,
    InvalidRequestError,
    InvoiceSnapshot,
    ValidationError,
)
from stripe_credit_notes.models import CreditNote, CreditNoteLineItem

from .conftest import API_KEY, EmulatorProcess


def client(emu: EmulatorProcess, **options: object) -> Client:
    return Client(API_KEY, base_url=emu.base_url, **options)  # type: ignore[arg-type]


# -- every operation ---------------------------------------------------------------------------


def test_every_operation_sync(emu: EmulatorProcess) -> None:
    invoice = emu.invoice([1000, 500], paid=True)
    line_id = invoice["lines"]["data"][0]["id"]
    with client(emu) as c:
        preview = c.credit_notes.preview(invoice=invoice["id"], amount=300, credit_amount=300)
        assert isinstance(preview, CreditNote) and preview.total == 300
        lines = c.credit_notes.preview_lines(
            invoice=invoice["id"],
            lines=[{"type": "invoice_line_item", "invoice_line_item": line_id, "quantity": 1}],
            out_of_band_amount=1000,
        )
        assert [type(x) for x in lines] == [CreditNoteLineItem]
        assert emu.count() == 0  # previews persist nothing

        note = c.credit_notes.create(
            invoice=invoice["id"],
            lines=[{"type": "invoice_line_item", "invoice_line_item": line_id, "quantity": 1}],
            refund_amount=400,
            credit_amount=100,
            out_of_band_amount=500,
            metadata={"order": "42"},
            expand=["invoice"],
        )
        assert note.total == 1000 and note.type == "post_payment"
        assert not isinstance(note.invoice, str) and note.invoice.id == invoice["id"]
        assert note.metadata == {"order": "42"}
        assert sum(r.amount_refunded for r in note.refunds or []) == 400

        assert c.credit_notes.retrieve(note.id).id == note.id
        assert [x.invoice_line_item for x in c.credit_notes.list_lines(note.id)] == [line_id]
        updated = c.credit_notes.update(note.id, memo="thanks", metadata={"order": ""})
        assert updated.memo == "thanks" and updated.metadata == {}
        assert [n.id for n in c.credit_notes.list(invoice=invoice["id"])] == [note.id]
        voided = c.credit_notes.void(note.id)
        assert voided.status == "void" and voided.voided_at
        with pytest.raises(InvalidRequestError) as info:
            c.credit_notes.void(note.id)
        assert info.value.request_id and info.value.request_id.startswith("req_")
        with pytest.raises(InvalidRequestError) as missing:
            c.credit_notes.retrieve("cn_does_not_exist")
        assert missing.value.http_status == 404 and missing.value.code == "resource_missing"


async def test_every_operation_async(emu: EmulatorProcess) -> None:
    invoice = emu.invoice([1000], paid=True)
    async with AsyncClient(API_KEY, base_url=emu.base_url) as c:
        preview = await c.credit_notes.preview(invoice=invoice["id"], amount=200, credit_amount=200)
        assert preview.total == 200
        page = await c.credit_notes.preview_lines(
            invoice=invoice["id"],
            lines=[
                {"type": "custom_line_item", "unit_amount": 150, "quantity": 2, "description": "x"}
            ],
            credit_amount=300,
        )
        assert page.data[0].unit_amount == 150
        note = await c.credit_notes.create(invoice=invoice["id"], amount=200, credit_amount=200)
        assert (await c.credit_notes.retrieve(note.id)).total == 200
        assert [x.id async for x in c.credit_notes.list_lines(note.id)] == []
        assert [n.id async for n in c.credit_notes.list(invoice=invoice["id"])] == [note.id]
        assert (await c.credit_notes.update(note.id, memo="m")).memo == "m"
        raw = await c.credit_notes.with_raw_response.void(note.id)
        assert raw.parsed.status == "void" and raw.request_id
    assert emu.count(status="void") == 1


# -- the rules of three pinned versions ----------------------------------------------------------


def test_before_2019_12_03_stripe_fills_out_of_band(emu: EmulatorProcess) -> None:
    invoice = emu.invoice([1000], paid=True)
    with client(emu, api_version="2019-10-17") as c:
        note = c.credit_notes.create(
            invoice=invoice["id"], amount=800, refund_amount=300, credit_amount=200
        )
        assert note.out_of_band_amount == 300
        assert note.refund not in (None, ABSENT) and note.refunds is ABSENT  # the old shape
        # R + C over T: refused locally, and the server agrees when asked directly.
        with pytest.raises(ValidationError):
            c.credit_notes.create(invoice=invoice["id"], amount=100, refund_amount=150)
        with pytest.raises(InvalidRequestError):
            c.credit_notes.create(
                invoice=invoice["id"], amount=100, refund_amount=150, validate=False
            )


def test_2019_12_03_to_basil_requires_the_sum_to_equal_the_total(emu: EmulatorProcess) -> None:
    invoice = emu.invoice([1000], paid=True)
    refund = emu.refund(invoice["id"], 200)
    with client(emu, api_version="2024-06-20", fetch_invoice=True) as c:
        with pytest.raises(ValidationError, match="out_of_band_amount=300") as info:
            c.credit_notes.create(invoice=invoice["id"], amount=500, credit_amount=200)
        assert info.value.api_version == "2024-06-20"
        # Without the local check Stripe (here: the emulator) refuses the same request.
        with pytest.raises(InvalidRequestError) as server:
            c.credit_notes.create(
                invoice=invoice["id"], amount=500, credit_amount=200, validate=False
            )
        assert server.value.param == "out_of_band_amount"
        # The singular `refund` belongs to this version; `refunds[]` does not.
        with pytest.raises(ValidationError, match="refunds"):
            c.credit_notes.create(invoice=invoice["id"], amount=200, refunds=[{"refund": refund}])
        note = c.credit_notes.create(
            invoice=invoice["id"],
            amount=500,
            refund=refund,
            credit_amount=100,
            out_of_band_amount=200,
        )
        assert note.refund == refund and note.out_of_band_amount == 200


def test_default_version_splits_pre_and_post_payment(emu: EmulatorProcess) -> None:
    invoice = emu.invoice([1000], amount_paid=600)  # amount_remaining 400
    with client(emu, fetch_invoice=True) as c:
        # T=1000: 400 reduces amount_remaining, 600 must be allocated.
        with pytest.raises(ValidationError, match="600"):
            c.credit_notes.create(invoice=invoice["id"], amount=1000, credit_amount=1000)
        preview = c.credit_notes.preview(invoice=invoice["id"], amount=1000, credit_amount=600)
        assert (preview.pre_payment_amount, preview.post_payment_amount) == (400, 600)
        note = c.credit_notes.create(invoice=invoice["id"], amount=1000, credit_amount=600)
        assert note.type == "mixed"
    state = emu.invoice_state(invoice["id"])
    assert state["amount_remaining"] == 0
    assert state["pre_payment_credit_notes_amount"] == 400
    assert state["post_payment_credit_notes_amount"] == 600


def test_without_the_invoice_the_client_does_not_guess(emu: EmulatorProcess) -> None:
    invoice = emu.invoice([1000], amount_paid=600)
    with client(emu) as c:  # no fetch, no snapshot: AR unknown, so the exact check is skipped
        with pytest.raises(InvalidRequestError):
            c.credit_notes.create(invoice=invoice["id"], amount=1000, credit_amount=1000)
        snapshot = InvoiceSnapshot(
            id=invoice["id"], amount_remaining=400, status="open", currency="usd"
        )
        with pytest.raises(ValidationError):
            c.credit_notes.create(
                invoice=invoice["id"], amount=1000, credit_amount=1000, invoice_snapshot=snapshot
            )
    assert emu.count() == 0


# -- pagination ----------------------------------------------------------------------------------


@pytest.fixture
def many_notes(emu: EmulatorProcess) -> tuple[str, list[str]]:
    invoice = emu.invoice([100_000], paid=True)
    with client(emu) as c:
        created = [
            c.credit_notes.create(invoice=invoice["id"], amount=100, credit_amount=100).id
            for _ in range(260)
        ]
    return invoice["id"], created


def test_paging_260_credit_notes_both_directions(
    emu: EmulatorProcess, many_notes: tuple[str, list[str]]
) -> None:
    invoice, created = many_notes
    newest_first = list(reversed(created))
    with client(emu) as c:
        forward = [n.id for n in c.credit_notes.list(invoice=invoice, limit=100)]
        assert forward == newest_first
        pages = [len(p.data) for p in c.credit_notes.list(invoice=invoice, limit=100).iter_pages()]
        assert pages == [100, 100, 60]
        backward = [
            n.id for n in c.credit_notes.list(invoice=invoice, ending_before=created[0], limit=100)
        ]
        assert backward == created[1:]  # walking towards newer notes, oldest first
        capped = c.credit_notes.list(invoice=invoice, limit=7).auto_paging_iter(max_items=30)
        assert [n.id for n in capped] == newest_first[:30]


async def test_async_paging_260_credit_notes_both_directions(
    emu: EmulatorProcess, many_notes: tuple[str, list[str]]
) -> None:
    invoice, created = many_notes
    async with AsyncClient(API_KEY, base_url=emu.base_url) as c:
        forward = [n.id async for n in c.credit_notes.list(invoice=invoice, limit=100)]
        assert forward == list(reversed(created))
        backward = [
            n.id
            async for n in c.credit_notes.list(invoice=invoice, ending_before=created[0], limit=50)
        ]
        assert backward == created[1:]
