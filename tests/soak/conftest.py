"""The integration tests' emulator process (one per session), and a fresh proxy in front of it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.conftest import EmulatorProcess
from tests.integration.conftest import emulator_process as emulator_process  # the same fixture

from .proxy import FaultProxy


@pytest.fixture
def proxy(emulator_process: EmulatorProcess) -> Iterator[FaultProxy]:
    port = int(emulator_process.base_url.rsplit(":", 1)[1])
    # Short bounds: each fault still shows its nature, and the tests stay quick.
    with FaultProxy("127.0.0.1", port, drip_for=1.0, endless_bytes=2_000_000) as running:
        yield running
