"""Decode a credit note as Stripe returns it and print it.

Run with `make demo`.
"""

from __future__ import annotations

import json
from pathlib import Path

from stripe_credit_notes import from_dict, to_dict
from stripe_credit_notes.models import CreditNote

FIXTURE = Path(__file__).resolve().parent.parent / "tests" / "fixtures"


def main() -> None:
    payload = json.loads((FIXTURE / "2026-07-29.fixtures3.credit_notes.json").read_text())
    note = from_dict(CreditNote, payload["credit_note"])
    print(f"{note.id}: {note.number} for invoice {note.invoice}")
    print(f"  total {note.total} {note.currency}, type {note.type}, status {note.status}")
    for line in note.lines.data:
        print(f"  - {line.description}: {line.amount}")
    assert to_dict(note) == payload["credit_note"]
    print("round trip: identical")


if __name__ == "__main__":
    main()
