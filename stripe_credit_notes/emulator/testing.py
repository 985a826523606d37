"""pytest fixtures for tests that run against the emulator.

Enable them in your top-level ``conftest.py``::

    pytest_plugins = ["stripe_credit_notes.emulator.testing"]

``stripe_emulator`` is a running :class:`~stripe_credit_notes.emulator.Emulator` with empty
state: one server is started per test session and reset before every test. Seed it with
``stripe_emulator.seed_invoice(...)`` and send requests to ``stripe_emulator.base_url`` with
``stripe_emulator.api_key``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ._emulator import Emulator, run_emulator

__all__ = ["stripe_emulator", "stripe_emulator_server"]


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


# ---------------------------------------------------------------------------------------------
# SDK client fixture: reserved for the lead.
#
# A `stripe_client` fixture yielding a ready `stripe_credit_notes.Client` pointed at
# `stripe_emulator.base_url` with `stripe_emulator.api_key` belongs here, added once the
# Client's constructor is final. Add its name to `__all__` above.
# ---------------------------------------------------------------------------------------------
