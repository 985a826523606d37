"""pytest fixtures for tests that run against the emulator.

Installing the package registers this module with pytest (a ``pytest11`` entry point), so the
fixtures are there in every suite with no ``conftest.py`` line. Where plugin autoloading is
off (``PYTEST_DISABLE_PLUGIN_AUTOLOAD``), enable it with
``-p stripe_credit_notes.emulator.testing`` or, as before,
``pytest_plugins = ["stripe_credit_notes.emulator.testing"]`` (it is never registered twice).

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

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from .._client import AsyncClient, Client
    from ._emulator import Emulator
    from ._receiver import WebhookReceiver

__all__ = [
    "async_stripe_client",
    "stripe_client",
    "stripe_emulator",
    "stripe_emulator_server",
    "stripe_webhooks",
]


# The SDK and the server load when a test asks for them, not in every pytest run of a project
# that merely has the package installed.


@pytest.fixture(scope="session")
def stripe_emulator_server() -> Iterator[Emulator]:
    """The session's emulator server (state is shared: prefer ``stripe_emulator``)."""
    from ._emulator import run_emulator

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
    from .._client import Client

    with Client(stripe_emulator.api_key, base_url=stripe_emulator.base_url) as client:
        yield client


@pytest.fixture
def async_stripe_client(stripe_emulator: Emulator) -> AsyncClient:
    """An :class:`~stripe_credit_notes.AsyncClient` pointed at ``stripe_emulator``.

    Use it from an async test run by pytest-asyncio (strict mode with
    ``@pytest.mark.asyncio``, or ``asyncio_mode = "auto"``) or by anyio
    (``@pytest.mark.anyio``). The client keeps no connection open between requests, so it
    belongs to no event loop: it needs no async set-up or teardown, which is what lets one
    fixture serve every async test runner.
    """
    import httpx

    from .._client import AsyncClient

    transport = httpx.AsyncHTTPTransport(limits=httpx.Limits(max_keepalive_connections=0))
    return AsyncClient(
        stripe_emulator.api_key, base_url=stripe_emulator.base_url, transport=transport
    )


@pytest.fixture
def stripe_webhooks(stripe_emulator: Emulator) -> Iterator[WebhookReceiver]:
    """A local receiver registered with ``stripe_emulator`` for all events; it verifies each
    delivery and yields typed events (``wait_for(n)``, ``events()``)."""
    from ._receiver import WebhookReceiver

    with WebhookReceiver() as receiver:
        receiver.register(stripe_emulator.webhooks)
        yield receiver
