"""A local, stateful emulator of Stripe's credit-notes API.

It serves the credit-note routes of Stripe's API over HTTP on loopback, keeps invoices,
customers, refunds and credit notes in memory, and applies Stripe's credit-note rules for the
request's ``Stripe-Version``. Run billing code and tests against it without a Stripe account::

    from stripe_credit_notes.emulator import run_emulator

    with run_emulator() as emu:
        invoice = emu.seed_invoice(lines=[1000], paid=True)
        ...  # point the SDK (or any HTTP client) at emu.base_url with key emu.api_key

From a shell: ``stripe-credit-notes-emulator --port 12111`` (or
``python -m stripe_credit_notes.emulator``). In pytest, the fixtures of
:mod:`stripe_credit_notes.emulator.testing` are registered when the package is installed. See
``docs/emulator.md``.

The emulator uses the standard library only and none of the SDK's client code.
"""

from typing import TYPE_CHECKING

from ._emulator import DEFAULT_API_KEY, Emulator, SeededInvoice, run_emulator
from ._faults import FaultKind
from ._limits import Limits
from ._versions import DEFAULT_API_VERSION
from ._webhooks import DeliveryAttempt, WebhookEndpoint, Webhooks

if TYPE_CHECKING:
    from ._receiver import WebhookReceiver

__all__ = [
    "DEFAULT_API_KEY",
    "DEFAULT_API_VERSION",
    "DeliveryAttempt",
    "Emulator",
    "FaultKind",
    "Limits",
    "SeededInvoice",
    "WebhookEndpoint",
    "WebhookReceiver",
    "Webhooks",
    "run_emulator",
]


def __getattr__(name: str) -> object:
    # The receiver verifies with the SDK: load it only for those who use it, so the emulator
    # itself keeps to the standard library.
    if name == "WebhookReceiver":
        from ._receiver import WebhookReceiver

        return WebhookReceiver
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
