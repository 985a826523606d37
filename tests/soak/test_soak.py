"""The short fault soak ``make test`` runs: 100 seeded sequences through both clients.

It fails on any duplicate or lost credit note, any call over its deadline and any exception
type no fault explains; ``SOAK_SEED=<n>`` runs another seed. ``make soak`` is the long run.
"""

from __future__ import annotations

import os

from tests.integration.conftest import EmulatorProcess

from .driver import Settings, run_soak
from .plans import KINDS

SEED = int(os.environ.get("SOAK_SEED", "20261202"))
SHORT = Settings(
    seed=SEED,
    sync_sequences=68,
    async_sequences=32,
    concurrency=32,
    time_limit=120,  # a bound, not a speed target: the run usually takes a fraction of it
)


def test_short_soak_makes_exactly_one_note_per_sequence_within_deadlines(
    emulator_process: EmulatorProcess,
) -> None:
    report = run_soak(SHORT, emulator_process)
    print(report.render())
    assert report.ok, report.render()
    assert set(report.injected) == set(KINDS), report.render()
