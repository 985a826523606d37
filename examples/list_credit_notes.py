"""Listing with the sync and the async client, auto-paging through every page.

python examples/list_credit_notes.py             # against the local emulator
"""

from __future__ import annotations

import asyncio

from _environment import environment

from stripe_credit_notes import AsyncClient, Client


def sync_listing(base_url: str, api_key: str, invoice: str) -> list[str]:
    with Client(api_key, base_url=base_url) as client:
        for amount in (100, 200, 300, 400, 500, 600, 700):
            client.credit_notes.create(invoice=invoice, amount=amount, credit_amount=amount)
        first = client.credit_notes.list(invoice=invoice, limit=3)
        print(f"first page: {len(first.data)} items, has_more={first.has_more}")
        ids = [note.id for note in first]  # walks every page, 3 at a time, newest first
        oldest_first = [
            n.id for n in client.credit_notes.list(invoice=invoice, ending_before=ids[-1], limit=3)
        ]
        print(f"backwards from the oldest: {len(oldest_first)} newer notes, oldest first")
        capped = list(
            client.credit_notes.list(invoice=invoice, limit=3).auto_paging_iter(max_items=4)
        )
        print(f"capped walk: {len(capped)} items")
        raw = client.credit_notes.with_raw_response.list(invoice=invoice, limit=1)
        print(f"request id of one call: {raw.request_id}")
        return ids


async def async_listing(base_url: str, api_key: str, invoice: str) -> list[str]:
    async with AsyncClient(api_key, base_url=base_url) as client:
        return [note.id async for note in client.credit_notes.list(invoice=invoice, limit=3)]


def main() -> None:
    with environment() as env:
        invoice = env.paid_invoice([5000])
        ids = sync_listing(env.base_url, env.api_key, invoice)
        async_ids = asyncio.run(async_listing(env.base_url, env.api_key, invoice))
    assert ids == async_ids
    print(f"{len(ids)} credit notes, same order sync and async")


if __name__ == "__main__":
    main()
