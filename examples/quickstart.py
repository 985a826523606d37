"""Issue, inspect and void a credit note: the SDK's main job, end to end.

    make demo                      # against the local emulator
    STRIPE_API_KEY=sk_test_... python examples/quickstart.py   # against Stripe test mode

1. a paid invoice of 20.00 to credit;
2. preview a 10.00 credit note: 4.00 refunded, 3.00 to the customer's balance, 3.00 outside
   Stripe;
3. a wrong allocation (no out-of-band part) is refused on this machine, before any request,
   and the error says what to send instead;
4. issue the credit note, list the invoice's credit notes (auto-paging), and void it.
"""

from __future__ import annotations

from _environment import environment

from stripe_credit_notes import Client, ValidationError


def main() -> None:
    with (
        environment() as env,
        Client(env.api_key, base_url=env.base_url, fetch_invoice=True) as client,
    ):
        # fetch_invoice=True: before create/preview the client reads the invoice's
        # amount_remaining, so the allocation check is exact for the pinned version.
        print(f"Running against {env.name}, Stripe-Version {client.api_version}")
        invoice = env.paid_invoice([1500, 500])
        print(f"paid invoice {invoice}: 20.00")

        preview = client.credit_notes.preview(
            invoice=invoice,
            amount=1000,
            refund_amount=400,
            credit_amount=300,
            out_of_band_amount=300,
        )
        print(
            f"preview: total {preview.total}, type {preview.type}, "
            f"post-payment {preview.post_payment_amount}"
        )

        try:
            client.credit_notes.create(
                invoice=invoice, amount=1000, refund_amount=400, credit_amount=300
            )
        except ValidationError as error:
            print(f"refused locally, nothing sent: {error}")
            print(f"  fix: {error.fix}")

        raw = client.credit_notes.with_raw_response.create(
            invoice=invoice,
            amount=1000,
            refund_amount=400,
            credit_amount=300,
            out_of_band_amount=300,
            memo="Damaged item",
            reason="product_unsatisfactory",
            metadata={"ticket": "T-1042"},
        )
        note = raw.parsed
        refunded = sum(r.amount_refunded for r in note.refunds or [])
        print(
            f"issued {note.id} ({note.number}): refunded {refunded}, "
            f"out of band {note.out_of_band_amount}; request id {raw.request_id}"
        )

        client.credit_notes.create(invoice=invoice, amount=200, credit_amount=200)
        for listed in client.credit_notes.list(invoice=invoice, limit=1):  # one per page
            print(f"  listed {listed.id}: {listed.total} {listed.status}")

        voided = client.credit_notes.void(note.id)
        print(f"voided {voided.id}: status {voided.status}")


if __name__ == "__main__":
    main()
