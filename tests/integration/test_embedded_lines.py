"""``credit_notes.lines(note)`` over real HTTP: the emulator embeds 10 lines, the rest are paged."""

from __future__ import annotations

from typing import Any

from stripe_credit_notes import AsyncClient, Client

from .conftest import API_KEY, EmulatorProcess

LINES = 25


def many_line_note(emu: EmulatorProcess, c: Client) -> tuple[Any, list[str]]:
    invoice = emu.invoice([100] * LINES, paid=True)
    invoice_lines = [line["id"] for line in invoice["lines"]["data"]]
    assert len(invoice_lines) == LINES
    note = c.credit_notes.create(
        invoice=invoice["id"],
        lines=[
            {"type": "invoice_line_item", "invoice_line_item": line, "quantity": 1}
            for line in invoice_lines
        ],
        out_of_band_amount=100 * LINES,
    )
    return note, invoice_lines


def test_lines_walks_past_the_embedded_page(emu: EmulatorProcess) -> None:
    with Client(API_KEY, base_url=emu.base_url) as c:
        note, invoice_lines = many_line_note(emu, c)
        assert note.lines.has_more and len(note.lines.data) < LINES  # the emulator embeds 10
        walked = list(c.credit_notes.lines(note))
        assert [line.invoice_line_item for line in walked] == invoice_lines
        # The same items, in the same order, as listing the lines from the start.
        assert [line.id for line in walked] == [
            line.id for line in c.credit_notes.list_lines(note.id, limit=7)
        ]
        retrieved = c.credit_notes.retrieve(note.id)
        pages = [len(p.data) for p in c.credit_notes.lines(retrieved).iter_pages()]
        assert pages[0] == len(retrieved.lines.data) and sum(pages) == LINES


async def test_async_lines_walks_past_the_embedded_page(emu: EmulatorProcess) -> None:
    with Client(API_KEY, base_url=emu.base_url) as c:
        note, invoice_lines = many_line_note(emu, c)
    async with AsyncClient(API_KEY, base_url=emu.base_url) as ac:
        retrieved = await ac.credit_notes.retrieve(note.id)
        walked = [line.invoice_line_item async for line in ac.credit_notes.lines(retrieved)]
        assert walked == invoice_lines
