"""Bulk issuance: credit many invoices from a CSV plan, exactly once, resumably.

The plan has one row per credit note: a key unique in the plan, the invoice, and any create
parameters. The journal (a SQLite file) makes the run resumable: running again with the same
journal skips what is done and settles what was in flight, so nothing is issued twice.

    python examples/bulk_issue.py           # against the local emulator

The same from a shell: ``stripe-credit-notes bulk run plan.csv --journal run.db``.
"""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path

from _environment import environment

from stripe_credit_notes import Client
from stripe_credit_notes.bulk import run


def write_plan(path: Path, invoices: list[str]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["key", "invoice", "amount", "refund_amount", "metadata[reason]"])
        for n, invoice in enumerate(invoices):
            writer.writerow([f"price-fix-{n}", invoice, 300, 300, "pricing mistake"])


def main() -> None:
    with environment() as env, tempfile.TemporaryDirectory() as tmp:
        plan, journal = Path(tmp) / "plan.csv", Path(tmp) / "run.db"
        write_plan(plan, [env.paid_invoice([1000]) for _ in range(3)])
        with Client(env.api_key, base_url=env.base_url) as client:
            report = run(plan, client, journal=journal)
            print(f"{env.name}: run {report.run_id}: {report.counts['done']} notes issued")
            for result in report.results():
                print(f"  {result.key}: {result.status} {result.credit_note or result.error}")
            # Resuming a finished run sends nothing: every row is already done.
            again = run(plan, client, journal=journal)
            print(f"again with the same journal: {again.requests} requests sent")


if __name__ == "__main__":
    main()
