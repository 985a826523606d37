"""Running the ``stripe-credit-notes bulk`` command against the emulator process."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

from stripe_credit_notes import Client
from stripe_credit_notes.bulk import MARKER_ROW

from .conftest import API_KEY, EmulatorProcess


def cli(emu: EmulatorProcess, *args: str) -> list[str]:
    """The command line of one ``bulk`` invocation against ``emu``."""
    command = [sys.executable, "-m", "stripe_credit_notes", "bulk", *args]
    if args and args[0] == "run":
        command += ["--base-url", emu.base_url]
    return command


def environment(key: str = API_KEY) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "STRIPE_API_KEY"}
    return {**env, "STRIPE_API_KEY": key, "PYTHONUNBUFFERED": "1"}


def run_cli(
    emu: EmulatorProcess, *args: str, key: str = API_KEY
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        cli(emu, *args), capture_output=True, text=True, env=environment(key), timeout=300
    )


def write_plan(emu: EmulatorProcess, path: Path, rows: int, per_invoice: int) -> list[str]:
    """A JSONL plan of ``rows`` notes, ``per_invoice`` on each seeded invoice; the row keys."""
    keys = []
    with path.open("w", encoding="utf-8") as plan:
        invoice = ""
        for i in range(rows):
            if i % per_invoice == 0:
                invoice = emu.invoice([100 * per_invoice + 1000], paid=True)["id"]
            key = f"row-{i:05d}"
            keys.append(key)
            row = {"key": key, "invoice": invoice, "amount": 100, "refund_amount": 100}
            plan.write(json.dumps(row) + "\n")
    return keys


def notes_per_row(emu: EmulatorProcess) -> dict[str, list[str]]:
    """Every credit note on the emulator, grouped by the row key of its marker."""
    found: dict[str, list[str]] = {}
    with Client(API_KEY, base_url=emu.base_url) as client:
        for note in client.credit_notes.list(limit=100):
            metadata = note.metadata if isinstance(note.metadata, dict) else {}
            found.setdefault(metadata.get(MARKER_ROW, "?"), []).append(note.id)
    return found


def journal_states(path: Path) -> dict[str, tuple[str, str | None]]:
    """Row key -> (state, credit note) as the journal records it (read-only)."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return {
            key: (state, note)
            for key, state, note in db.execute("SELECT row_key, state, credit_note FROM rows")
        }
    finally:
        db.close()


def done_count(path: Path) -> int:
    if not path.exists():
        return 0
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1)
        try:
            return int(db.execute("SELECT count(*) FROM rows WHERE state = 'done'").fetchone()[0])
        finally:
            db.close()
    except sqlite3.Error:
        return 0  # not created yet, or mid-schema


def set_limits(emu: EmulatorProcess, **limits: Any) -> None:
    emu.admin.post("/limits", json=limits).raise_for_status()


def advance_clock(emu: EmulatorProcess, seconds: int) -> None:
    emu.admin.post("/clock", json={"advance": seconds}).raise_for_status()
