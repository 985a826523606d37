"""SIGKILL the bulk runner at random (seeded) points, resume, repeat: one note per row, always.

The short run is part of ``make test``; ``make soak-bulk`` runs the long one
(``BULK_SOAK=1``: 2,000 rows, 25 kills). ``BULK_KILL_SEED`` replays a failing seed.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest

from .bulk_helpers import (
    advance_clock,
    cli,
    done_count,
    environment,
    journal_states,
    notes_per_row,
    run_cli,
    set_limits,
    write_plan,
)
from .conftest import EmulatorProcess

SEED = int(os.environ.get("BULK_KILL_SEED", "20261202"))
RUN = ("--rate", "400", "--endpoint-rate", "400", "--concurrency", "8")


def kill_and_resume(
    emu: EmulatorProcess, tmp_path: Path, *, rows: int, kills: int, seed: int
) -> int:
    """Run the plan, SIGKILLing the runner ``kills`` times; returns how many kills hit a run."""
    rng = random.Random(seed)
    plan, journal = tmp_path / "plan.jsonl", tmp_path / "run.db"
    keys = write_plan(emu, plan, rows, per_invoice=5)
    hits = 0
    for kill in range(kills):
        before = done_count(journal)
        left = rows - before
        # Kill after a random share of what is left (so later kills still find work), plus a
        # random few milliseconds, so it lands mid-request, mid-commit or mid-import.
        target = before + rng.randint(0, max(0, left // (kills - kill + 1)))
        process = subprocess.Popen(
            [*cli(emu, "run", str(plan), "--journal", str(journal)), *RUN],
            env=environment(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 120
        while process.poll() is None and done_count(journal) < target:
            assert time.monotonic() < deadline, "the runner made no progress"
            time.sleep(0.005)
        time.sleep(rng.uniform(0, 0.03))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            hits += 1
        process.wait(timeout=30)
    final = run_cli(emu, "run", str(plan), "--journal", str(journal), *RUN)
    assert final.returncode == 0, final.stdout + final.stderr

    notes = notes_per_row(emu)
    assert {key: len(notes.get(key, [])) for key in keys} == {key: 1 for key in keys}
    assert set(notes) == set(keys)
    states = journal_states(journal)
    assert {key: states[key] for key in keys} == {key: ("done", notes[key][0]) for key in keys}
    return hits


def test_killed_and_resumed_runs_leave_exactly_one_note_per_row(
    emu: EmulatorProcess, tmp_path: Path
) -> None:
    # The emulator also rate-limits below the runner's rate and locks invoices, so resumes
    # meet 429s, lock contention with creates a killed runner left running, and replays.
    set_limits(emu, rate_limit=300, invoice_lock=True, lock_hold=0.002)
    hits = kill_and_resume(emu, tmp_path, rows=200, kills=5, seed=SEED)
    assert hits >= 4


@pytest.mark.skipif(not os.environ.get("BULK_SOAK"), reason="the soak run: make soak-bulk")
def test_soak_two_thousand_rows_twenty_five_kills(emu: EmulatorProcess, tmp_path: Path) -> None:
    set_limits(emu, rate_limit=300, invoice_lock=True, lock_hold=0.002)
    hits = kill_and_resume(emu, tmp_path, rows=2000, kills=25, seed=SEED)
    assert hits >= 20


def test_a_resume_after_the_key_lifetime_settles_by_marker_without_duplicates(
    emu: EmulatorProcess, tmp_path: Path
) -> None:
    plan, journal = tmp_path / "plan.jsonl", tmp_path / "run.db"
    keys = write_plan(emu, plan, 10, per_invoice=2)
    set_limits(emu, idempotency_lifetime=1)
    # The first five creates make their notes but their responses are lost; one attempt each.
    emu.fault("drop_after", count=5, method="POST", path="/v1/credit_notes")
    args = ("run", str(plan), "--journal", str(journal), "--key-lifetime", "1", *RUN)
    first = run_cli(emu, *args, "--max-attempts", "1", "--concurrency", "1")
    assert first.returncode == 1, first.stdout + first.stderr  # rows left in flight
    assert sum(state == "in_flight" for state, _ in journal_states(journal).values()) == 5
    time.sleep(1.2)  # the runner's clock: the rows' keys are past their lifetime
    advance_clock(emu, 5)  # the emulator's: it has forgotten them (a resend would duplicate)
    second = run_cli(emu, *args)
    assert second.returncode == 0, second.stdout + second.stderr
    notes = notes_per_row(emu)
    assert {key: len(notes.get(key, [])) for key in keys} == {key: 1 for key in keys}


def test_without_the_marker_check_the_same_resume_would_duplicate(
    emu: EmulatorProcess, tmp_path: Path
) -> None:
    # The control for the test above: a runner that trusts the key for a day resends into a
    # forgotten key, and Stripe (here the emulator) makes a second note.
    plan, journal = tmp_path / "plan.jsonl", tmp_path / "run.db"
    keys = write_plan(emu, plan, 2, per_invoice=2)
    set_limits(emu, idempotency_lifetime=1)
    emu.fault("drop_after", count=1, method="POST", path="/v1/credit_notes")
    args = ("run", str(plan), "--journal", str(journal), *RUN)
    run_cli(emu, *args, "--max-attempts", "1", "--concurrency", "1")
    advance_clock(emu, 5)
    run_cli(emu, *args)
    notes = notes_per_row(emu)
    assert sorted(len(notes.get(key, [])) for key in keys) == [1, 2]
