"""Figures for the bulk runner: ``python -m benchmarks.bulk_figures [ROWS ...]``.

For each plan size: an emulator process, a JSONL plan (5 notes per invoice), then
``stripe-credit-notes bulk run`` in its own process. Prints wall time, the achieved request
rate against the configured one, the journal's size and the runner's peak RSS (from
``wait4``, so it is the runner's alone, not the emulator's).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

KEY = "sk_test_figures"


def start_emulator() -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "stripe_credit_notes.emulator", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    return process, process.stdout.readline().strip()


def figure(rows: int, rate: float, concurrency: int) -> dict[str, float]:
    emulator, base = start_emulator()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            plan, journal = Path(tmp) / "plan.jsonl", Path(tmp) / "run.db"
            with httpx.Client(base_url=f"{base}/_emulator") as admin, plan.open("w") as f:
                for i in range(rows):
                    if i % 5 == 0:
                        body = {"lines": [10_000], "paid": True}
                        invoice = admin.post("/invoices", json=body).json()["id"]
                    row = {"key": f"r{i}", "invoice": invoice, "amount": 100, "refund_amount": 100}
                    f.write(json.dumps(row) + "\n")
            command = [
                sys.executable, "-m", "stripe_credit_notes", "bulk", "run", str(plan),
                "--journal", str(journal), "--base-url", base, "--rate", str(rate),
                "--endpoint-rate", str(rate), "--concurrency", str(concurrency),
            ]  # fmt: skip
            env = {**os.environ, "STRIPE_API_KEY": KEY}
            start = time.monotonic()
            runner = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)
            _, status, usage = os.wait4(runner.pid, 0)
            wall = time.monotonic() - start
            assert runner.stdout is not None
            summary = runner.stdout.read().strip()
            runner.stdout.close()
            assert os.waitstatus_to_exitcode(status) == 0, summary
            size = sum(p.stat().st_size for p in Path(tmp).glob("run.db*"))
            # The runner's own rate (requests over its run, start-up and import excluded).
            inner = float(summary.split(" requests in ")[1].split("(")[1].split(" req/s")[0])
            return {
                "rows": rows,
                "wall_s": round(wall, 1),
                "rows_per_s_wall": round(rows / wall, 1),
                "achieved_req_s": inner,
                "configured_req_s": rate,
                "journal_kib": round(size / 1024),
                "peak_rss_mib": round(usage.ru_maxrss / 1024, 1),
            }
    finally:
        emulator.terminate()
        emulator.wait(timeout=30)


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [1_000, 10_000]
    rate = float(os.environ.get("BULK_RATE", "300"))
    for rows in sizes:
        print(json.dumps(figure(rows, rate, int(os.environ.get("BULK_CONCURRENCY", "8")))))


if __name__ == "__main__":
    main()
