"""The async client: credit several invoices concurrently, then walk the list with async for.

python examples/async_credit_notes.py            # against the local emulator
"""

from __future__ import annotations

import asyncio

from _environment import environment

from stripe_credit_notes import AsyncClient


async def credit_all(base_url: str, api_key: str, invoices: list[str]) -> None:
    async with AsyncClient(api_key, base_url=base_url) as client:
        # Ten creates in flight at once; each carries its own idempotency key, so a retry of
        # any of them can never issue a second credit note.
        notes = await asyncio.gather(
            *(
                client.credit_notes.create(invoice=invoice, amount=250, credit_amount=250)
                for invoice in invoices
            )
        )
        print(f"issued {len(notes)} credit notes concurrently")

        previews = await asyncio.gather(
            *(
                client.credit_notes.preview(invoice=i, amount=100, credit_amount=100)
                for i in invoices[:3]
            )
        )
        print(f"previewed {len(previews)} more without issuing them")

        seen = [note.id async for note in client.credit_notes.list(limit=4)]  # pages of 4
        assert sorted(seen) == sorted(n.id for n in notes), "every credit note is listed once"
        print(f"listed {len(seen)} credit notes across {-(-len(seen) // 4)} pages")

        voided = await asyncio.gather(*(client.credit_notes.void(n.id) for n in notes[:2]))
        print(f"voided {[v.id for v in voided]}")


def main() -> None:
    with environment() as env:
        invoices = [env.paid_invoice([1000]) for _ in range(10)]
        asyncio.run(credit_all(env.base_url, env.api_key, invoices))


if __name__ == "__main__":
    main()
