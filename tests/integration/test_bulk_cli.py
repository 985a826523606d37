"""``stripe-credit-notes bulk run | status | report`` as a user runs them."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

from .bulk_helpers import cli, environment, run_cli, write_plan
from .conftest import EmulatorProcess

SECRET = "sk_test_cli_do_not_print_me_4242"
FAST = ("--rate", "200", "--endpoint-rate", "200")


def test_run_status_and_report_and_the_key_is_never_printed(
    emu: EmulatorProcess, tmp_path: Path
) -> None:
    plan, journal = tmp_path / "plan.jsonl", tmp_path / "run.db"
    keys = write_plan(emu, plan, 6, per_invoice=3)
    done = run_cli(emu, "run", str(plan), "--journal", str(journal), *FAST, key=SECRET)
    assert done.returncode == 0, done.stderr
    assert "done 6, failed 0" in done.stdout
    assert "done 6/6" in done.stderr  # the plain progress line (not a terminal)
    status = run_cli(emu, "status", str(journal))
    assert status.returncode == 0 and "done 6" in status.stdout

    report = run_cli(emu, "report", str(journal), "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(report.stdout)))
    assert [r["key"] for r in rows] == keys
    assert {r["status"] for r in rows} == {"done"} and all(r["credit_note"] for r in rows)
    lines = run_cli(emu, "report", str(journal), "--format", "jsonl").stdout.splitlines()
    assert [json.loads(line)["key"] for line in lines] == keys

    for output in (done, status, report):
        assert SECRET not in output.stdout + output.stderr
        assert SECRET[-8:] not in output.stdout + output.stderr


def test_an_invalid_plan_is_refused_with_a_line_per_row_and_nothing_sent(
    emu: EmulatorProcess, tmp_path: Path
) -> None:
    plan, journal = tmp_path / "plan.csv", tmp_path / "run.db"
    invoice = emu.invoice([5000], paid=True)["id"]
    plan.write_text(
        "key,invoice,amount,refund_amount\n"
        f"a,{invoice},100,100\n"
        f"b,{invoice},ten,100\n"
        f"a,{invoice},100,100\n"
        f"c,,100,100\n",
        encoding="utf-8",
    )
    refused = run_cli(emu, "run", str(plan), "--journal", str(journal), *FAST)
    assert refused.returncode == 3
    assert "3 invalid row(s), nothing was sent" in refused.stderr
    for line in ("line 3 (b)", "line 4 (a)", "line 5 (c)"):
        assert line in refused.stderr
    assert emu.count() == 0

    skipped = run_cli(emu, "run", str(plan), "--journal", str(journal), "--skip-invalid", *FAST)
    assert skipped.returncode == 0 and emu.count() == 1
    report = run_cli(emu, "report", str(journal)).stdout
    statuses = [(r["key"], r["status"]) for r in csv.DictReader(io.StringIO(report))]
    assert statuses == [("a", "done"), ("b", "invalid"), ("a", "invalid"), ("c", "invalid")]


def test_a_dry_run_previews_and_creates_nothing(emu: EmulatorProcess, tmp_path: Path) -> None:
    plan, journal = tmp_path / "plan.jsonl", tmp_path / "run.db"
    write_plan(emu, plan, 4, per_invoice=2)
    dry = run_cli(emu, "run", str(plan), "--journal", str(journal), "--dry-run", *FAST)
    assert dry.returncode == 0, dry.stderr
    assert "previewed 4" in dry.stdout and emu.count() == 0
    report = run_cli(emu, "report", str(journal), "--format", "jsonl").stdout.splitlines()
    assert {json.loads(line)["preview_total"] for line in report} == {100}


def test_usage_errors(emu: EmulatorProcess, tmp_path: Path) -> None:
    plan = tmp_path / "plan.jsonl"
    plan.write_text("", encoding="utf-8")
    env = {k: v for k, v in environment().items() if k != "STRIPE_API_KEY"}
    no_key = subprocess.run(
        cli(emu, "run", str(plan), "--journal", str(tmp_path / "j.db")),
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert no_key.returncode == 2 and "STRIPE_API_KEY" in no_key.stderr
    missing = run_cli(emu, "status", str(tmp_path / "nothing.db"))
    assert missing.returncode == 2
    bad = run_cli(emu, "run", str(tmp_path / "plan.txt"), "--journal", str(tmp_path / "j.db"))
    assert bad.returncode == 2 and "format" in bad.stderr


def test_the_console_script_is_installed() -> None:
    script = shutil.which("stripe-credit-notes", path=str(Path(sys.executable).parent))
    assert script is not None
    done = subprocess.run([script, "bulk", "--help"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "run" in done.stdout
