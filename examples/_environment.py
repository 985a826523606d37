"""Where the examples run: the local emulator, or Stripe test mode when STRIPE_API_KEY is set.

Both give the examples a base URL, an API key and a way to get a paid invoice to credit. With
the emulator, invoices are seeded directly; in test mode they are made through Stripe's own API
(customer, invoice item, invoice, finalize, pay with the test card ``pm_card_visa``), which this
SDK does not cover, so plain httpx does it here.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

import httpx

from stripe_credit_notes.emulator import run_emulator


class InvoiceMaker(Protocol):
    def __call__(self, amounts: list[int]) -> str: ...


@dataclass
class Environment:
    """What an example needs: where to send requests, and paid invoices to credit."""

    name: str
    base_url: str
    api_key: str
    paid_invoice: InvoiceMaker


@contextlib.contextmanager
def environment() -> Iterator[Environment]:
    """Stripe test mode if ``STRIPE_API_KEY`` is set (test keys only), else the emulator."""
    key = os.environ.get("STRIPE_API_KEY")
    if key:
        if not key.startswith(("sk_test_", "rk_test_")):
            raise SystemExit("the examples create and void objects: use a test-mode key")
        with _stripe_test_mode(key) as env:
            yield env
        return
    with run_emulator() as emulator:

        def paid_invoice(amounts: list[int]) -> str:
            return emulator.seed_invoice(lines=list(amounts), paid=True).id

        yield Environment("local emulator", emulator.base_url, emulator.api_key, paid_invoice)


@contextlib.contextmanager
def _stripe_test_mode(key: str) -> Iterator[Environment]:
    base = "https://api.stripe.com"
    with httpx.Client(base_url=base, auth=(key, ""), timeout=30) as http:

        def post(path: str, data: dict[str, str]) -> dict[str, object]:
            response = http.post(path, data=data)
            response.raise_for_status()
            body: dict[str, object] = response.json()
            return body

        def paid_invoice(amounts: list[int]) -> str:
            customer = post("/v1/customers", {"description": "stripe-credit-notes example"})
            invoice = post(
                "/v1/invoices",
                {"customer": str(customer["id"]), "collection_method": "charge_automatically"},
            )
            for amount in amounts:
                post(
                    "/v1/invoiceitems",
                    {
                        "customer": str(customer["id"]),
                        "invoice": str(invoice["id"]),
                        "amount": str(amount),
                        "currency": "usd",
                    },
                )
            post(f"/v1/invoices/{invoice['id']}/finalize", {})
            post(f"/v1/invoices/{invoice['id']}/pay", {"payment_method": "pm_card_visa"})
            return str(invoice["id"])

        yield Environment("Stripe test mode", base, key, paid_invoice)
