"""pytest fixtures for tests that run against the emulator.

Enable them in your top-level ``conftest.py``::

    pytest_plugins = ["stripe_credit_notes.emulator.testing"]

``stripe_emulator`` is a running :class:`~stripe_credit_notes.emulator.Emulator` with empty
state: one server is started per test session and reset before every test. Seed it with
``stripe_emulator.seed_invoice(...)`` and send requests to ``stripe_emulator.base_url`` with
``stripe_emulator.api_key``, or use ``stripe_client`` / ``async_stripe_client``: SDK clients
already pointed at it.

``stripe_webhooks`` is a :class:`~stripe_credit_notes.emulator.WebhookReceiver` registered with
``stripe_emulator`` for every event type: ``stripe_webhooks.wait_for(2)`` returns the next two
verified, typed events (``CreditNoteEvent`` for credit notes) as the emulator delivers them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from .._client import AsyncClient, Client
from ._emulator import Emulator, run_emulator
from ._receiver import WebhookReceiver

__all__ = [
    "async_stripe_client",
    "stripe_client",
    "stripe_emulator",
    "stripe_emulator_server",
    "stripe_webhooks",
]


@pytest.fixture(scope="session")
def stripe_emulator_server() -> Iterator[Emulator]:
    """The session's emulator server (state is shared: prefer ``stripe_emulator``)."""
    with run_emulator() as emulator:
        yield emulator


@pytest.fixture
def stripe_emulator(stripe_emulator_server: Emulator) -> Iterator[Emulator]:
    """A running emulator with empty state, no pending faults and the real clock."""
    stripe_emulator_server.reset()
    yield stripe_emulator_server
    stripe_emulator_server.reset()


@pytest.fixture
def stripe_client(stripe_emulator: Emulator) -> Iterator[Client]:
    """A :class:`~stripe_credit_notes.Client` pointed at ``stripe_emulator`` (empty state)."""
    with Client(stripe_emulator.api_key, base_url=stripe_emulator.base_url) as client:
        yield client


@pytest.fixture
async def async_stripe_client(stripe_emulator: Emulator) -> AsyncIterator[AsyncClient]:
    """An :class:`~stripe_credit_notes.AsyncClient` pointed at ``stripe_emulator``.

    Needs an async-capable pytest plugin (pytest-asyncio or anyio) in the calling suite.
    """
    async with AsyncClient(stripe_emulator.api_key, base_url=stripe_emulator.base_url) as client:
        yield client


@pytest.fixture
def stripe_webhooks(stripe_emulator: Emulator) -> Iterator[WebhookReceiver]:
    """A local receiver registered with ``stripe_emulator`` for all events; it verifies each
    delivery and yields typed events (``wait_for(n)``, ``events()``)."""
    with WebhookReceiver() as receiver:
        receiver.register(stripe_emulator.webhooks)
        yield receiver
