"""The SDK against the emulator running as a separate server process, over loopback HTTP."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

API_KEY = "sk_test_integration"


class EmulatorProcess:
    """A running ``python -m stripe_credit_notes.emulator`` and its ``/_emulator`` setup API."""

    def __init__(self, base_url: str, process: subprocess.Popen[str]) -> None:
        self.base_url = base_url
        self.process = process
        self.admin = httpx.Client(base_url=f"{base_url}/_emulator", timeout=10)

    def reset(self) -> None:
        self.admin.post("/reset").raise_for_status()

    def invoice(self, lines: list[int], **options: Any) -> dict[str, Any]:
        response = self.admin.post("/invoices", json={"lines": lines, **options})
        response.raise_for_status()
        body: dict[str, Any] = response.json()
        return body

    def invoice_state(self, invoice_id: str) -> dict[str, Any]:
        body: dict[str, Any] = self.admin.get(f"/invoices/{invoice_id}").raise_for_status().json()
        return body

    def refund(self, invoice_id: str, amount: int) -> str:
        body = self.admin.post("/refunds", json={"invoice": invoice_id, "amount": amount})
        return str(body.raise_for_status().json()["id"])

    def count(self, **filters: str) -> int:
        body = self.admin.get("/credit_notes/count", params=filters).raise_for_status().json()
        return int(body["count"])

    def fault(self, kind: str, **options: Any) -> None:
        self.admin.post("/faults", json={"kind": kind, **options}).raise_for_status()

    def pending_faults(self) -> list[dict[str, Any]]:
        faults: list[dict[str, Any]] = self.admin.get("/faults").raise_for_status().json()["faults"]
        return faults

    def clear_faults(self) -> None:
        self.admin.delete("/faults").raise_for_status()

    def stop(self) -> int:
        """Stop the process (SIGTERM) and return its exit status."""
        self.admin.close()
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=10)
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()
        return code


def launch_emulator() -> EmulatorProcess:
    """Start the emulator server process on a free loopback port (stop it with ``stop()``)."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "stripe_credit_notes.emulator", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert process.stdout is not None
    line = process.stdout.readline().strip()  # the server prints its URL once it listens
    if not line.startswith("http://127.0.0.1:"):
        process.kill()
        _, errors = process.communicate(timeout=10)
        raise RuntimeError(f"emulator did not start: {line!r} {errors}")
    return EmulatorProcess(line, process)


@pytest.fixture(scope="session")
def emulator_process() -> Iterator[EmulatorProcess]:
    emulator = launch_emulator()
    try:
        yield emulator
    finally:
        assert emulator.stop() == 0


@pytest.fixture
def emu(emulator_process: EmulatorProcess) -> Iterator[EmulatorProcess]:
    emulator_process.reset()
    yield emulator_process
    emulator_process.clear_faults()
