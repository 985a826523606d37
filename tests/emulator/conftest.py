"""Fixtures for the emulator tests.

The session server and the per-test reset come from the emulator's own pytest plugin
(``stripe_credit_notes.emulator.testing``), registered by the package's pytest11 entry point.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from stripe_credit_notes.emulator import Emulator

from .helpers import Api


@pytest.fixture
def emu(stripe_emulator: Emulator) -> Emulator:
    return stripe_emulator


@pytest.fixture
def http(emu: Emulator) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {emu.api_key}"}
    with httpx.Client(base_url=emu.base_url, headers=headers, timeout=10.0) as client:
        yield client


@pytest.fixture
def api(http: httpx.Client) -> Api:
    return Api(http)
