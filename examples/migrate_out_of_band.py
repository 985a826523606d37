"""Migrating code written for API versions before 2019-12-03.

Before 2019-12-03 Stripe put whatever a credit note did not refund or credit into
``out_of_band_amount`` by itself. From 2019-12-03 on, the three parts must add up to the
credit note's total (from 2025-05-28.basil, to its post-payment part), so the same call is
refused. ``fill_out_of_band`` computes the remainder the old API used to fill in.

    python examples/migrate_out_of_band.py           # against the local emulator
"""

from __future__ import annotations

from _environment import environment

from stripe_credit_notes import Client, ValidationError, fill_out_of_band
from stripe_credit_notes.params import CreditNoteCreateParams


def legacy_params(invoice: str) -> CreditNoteCreateParams:
    """What the old billing code sends: no out_of_band_amount."""
    return {"invoice": invoice, "amount": 800, "refund_amount": 300, "credit_amount": 200}


def main() -> None:
    with environment() as env:
        # 1. The old pin: Stripe fills in the remainder itself.
        with Client(env.api_key, base_url=env.base_url, api_version="2019-10-17") as old:
            note = old.credit_notes.create(**legacy_params(env.paid_invoice([1000])))
            print(f"2019-10-17: accepted; Stripe set out_of_band_amount={note.out_of_band_amount}")

        # 2. The new pin: the same call is refused before it is sent.
        with Client(env.api_key, base_url=env.base_url, fetch_invoice=True) as new:
            invoice = env.paid_invoice([1000])
            params = legacy_params(invoice)
            try:
                new.credit_notes.create(**params)
            except ValidationError as error:
                print(f"{new.api_version}: refused locally ({error.rule}); {error.fix}")

            # 3. The migration helper fills in what the old API did.
            fixed = fill_out_of_band(params, new.api_version)
            note = new.credit_notes.create(**fixed)
            print(
                f"{new.api_version}: accepted with out_of_band_amount={fixed['out_of_band_amount']}"
                f" -> {note.id}, out of band {note.out_of_band_amount}"
            )


if __name__ == "__main__":
    main()
