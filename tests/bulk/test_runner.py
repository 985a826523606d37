"""The runner against the in-process emulator: exactly one note per row, whatever happens."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from stripe_credit_notes import AsyncClient, Client, errors
from stripe_credit_notes.bulk import (
    MARKER_ROW,
    MARKER_RUN,
    FatalRunError,
    Journal,
    PlanRejected,
    RateLimits,
    arun,
    idempotency_key,
    marked_params,
    run,
)
from stripe_credit_notes.emulator import Emulator

FAST = RateLimits(200, 200)


def plan(emu: Emulator, rows: int, invoices: int) -> list[dict[str, Any]]:
    ids = [emu.seed_invoice(lines=[100_000], paid=True).id for _ in range(invoices)]
    return [
        {"key": f"row-{i}", "invoice": ids[i % invoices], "amount": 100, "refund_amount": 100}
        for i in range(rows)
    ]


def notes_by_row(emu: Emulator) -> dict[str, int]:
    counts: dict[str, int] = {}
    with emu.store.lock:
        for note in emu.store.credit_notes.values():
            key = note.metadata.get(MARKER_ROW)
            if key is not None:
                counts[key] = counts.get(key, 0) + 1
    return counts


@pytest.fixture
def client(stripe_emulator: Emulator) -> Client:
    with Client(stripe_emulator.api_key, base_url=stripe_emulator.base_url) as client:
        yield client


def test_every_row_gets_exactly_one_marked_note_and_invoices_are_never_contended(
    stripe_emulator: Emulator, client: Client, tmp_path: Path
) -> None:
    # With the invoice lock on, two creates on one invoice at once would fail lock_timeout.
    stripe_emulator.set_limits(invoice_lock=True, lock_hold=0.01)
    rows = plan(stripe_emulator, 60, 6)
    report = run(rows, client, journal=tmp_path / "j.db", limits=FAST, concurrency=8)
    assert report.counts["done"] == 60 and report.complete
    assert notes_by_row(stripe_emulator) == {row["key"]: 1 for row in rows}
    results = list(report.results())
    assert all(r.status == "done" and r.credit_note and r.attempts == 1 for r in results)
    note = stripe_emulator.credit_note(results[0].credit_note or "")
    assert note["metadata"] == {MARKER_RUN: report.run_id, MARKER_ROW: "row-0"}


def test_a_second_run_with_the_same_journal_sends_nothing(
    stripe_emulator: Emulator, client: Client, tmp_path: Path
) -> None:
    rows = plan(stripe_emulator, 20, 4)
    run(rows, client, journal=tmp_path / "j.db", limits=FAST)
    again = run(rows, client, journal=tmp_path / "j.db", limits=FAST)
    assert again.requests == 0 and again.counts["done"] == 20
    assert stripe_emulator.credit_note_count() == 20


async def test_the_async_runner_has_the_same_guarantees(
    stripe_emulator: Emulator, tmp_path: Path
) -> None:
    stripe_emulator.set_limits(invoice_lock=True, lock_hold=0.01)
    rows = plan(stripe_emulator, 40, 5)
    async with AsyncClient(stripe_emulator.api_key, base_url=stripe_emulator.base_url) as client:
        report = await arun(rows, client, journal=tmp_path / "j.db", limits=FAST, concurrency=6)
        again = await arun(rows, client, journal=tmp_path / "j.db", limits=FAST)
    assert report.counts["done"] == 40 and again.requests == 0
    assert notes_by_row(stripe_emulator) == {row["key"]: 1 for row in rows}


def test_one_invalid_row_refuses_the_plan_before_anything_is_sent(
    stripe_emulator: Emulator, client: Client, tmp_path: Path
) -> None:
    rows = plan(stripe_emulator, 5, 1)
    rows[3]["amount"] = "ten"
    rows[4]["metadata"] = {MARKER_ROW: "mine"}
    with pytest.raises(PlanRejected) as refused:
        run(rows, client, journal=tmp_path / "j.db", limits=FAST)
    assert refused.value.summary.problems == 2
    assert [p.key for p in refused.value.problems] == ["row-3", "row-4"]
    assert "amount" in refused.value.problems[0].message
    assert stripe_emulator.credit_note_count() == 0

    report = run(rows, client, journal=tmp_path / "j.db", limits=FAST, skip_invalid=True)
    assert report.counts["done"] == 3 and report.counts["invalid"] == 2
    invalid = [r for r in report.results() if r.status == "invalid"]
    assert [r.key for r in invalid] == ["row-3", "row-4"]
    assert all(isinstance(r.error, errors.ValidationError) for r in invalid)


def test_a_refused_row_fails_with_its_typed_error_and_the_others_go_through(
    stripe_emulator: Emulator, client: Client, tmp_path: Path
) -> None:
    rows = plan(stripe_emulator, 4, 2)
    rows[1]["invoice"] = "in_missing"
    report = run(rows, client, journal=tmp_path / "j.db", limits=FAST)
    assert report.counts == {"done": 3, "failed": 1, "in_flight": 0, "pending": 0, "invalid": 0}
    (failed,) = [r for r in report.results() if r.status == "failed"]
    assert isinstance(failed.error, errors.InvalidRequestError)
    assert failed.error.code == "resource_missing" and failed.error.request_id
    # A failed row is final: resuming does not resend it.
    assert run(rows, client, journal=tmp_path / "j.db", limits=FAST).requests == 0


def test_429s_slow_the_run_down_and_cost_no_duplicates(
    stripe_emulator: Emulator, client: Client, tmp_path: Path
) -> None:
    stripe_emulator.set_limits(rate_limit=15)
    rows = plan(stripe_emulator, 50, 10)
    report = run(rows, client, journal=tmp_path / "j.db", limits=RateLimits(60, 60))
    assert report.throttled > 0
    assert report.counts["done"] == 50
    assert notes_by_row(stripe_emulator) == {row["key"]: 1 for row in rows}


def test_an_in_flight_row_older_than_the_key_is_settled_by_its_marker(
    stripe_emulator: Emulator, client: Client, tmp_path: Path
) -> None:
    # The emulator forgets keys after 60 s; the first attempt reached it "two days ago".
    stripe_emulator.set_limits(idempotency_lifetime=60)
    rows = plan(stripe_emulator, 2, 1)
    path = tmp_path / "j.db"
    with Journal(path, clock=lambda: time.time() - 2 * 86400) as journal:
        journal.import_plan([_row(r) for r in rows], lambda row: None)
        for key in ("row-0", "row-1"):
            stored = journal.row(key)
            assert stored is not None
            journal.mark_sending(stored.seq, new_key_epoch=True)
        run_id = journal.run_id
    # row-0's create reached Stripe before the crash; row-1's never left.
    params = marked_params({k: v for k, v in rows[0].items() if k != "key"}, run_id, "row-0")
    first = client.credit_notes.create(**params, idempotency_key=idempotency_key(run_id, "row-0"))
    stripe_emulator.advance_time(120)  # the key is gone: a resend would make a second note

    report = run(rows, client, journal=path, limits=FAST)
    results = {r.key: r for r in report.results()}
    assert results["row-0"].credit_note == first.id
    assert results["row-0"].settled_by == "marker"
    assert results["row-1"].settled_by == "response"
    assert notes_by_row(stripe_emulator) == {"row-0": 1, "row-1": 1}


def _row(data: dict[str, Any]) -> Any:
    from stripe_credit_notes.bulk import PlanRow

    params = {k: v for k, v in data.items() if k != "key"}
    return PlanRow(data["key"], params, 1)


def test_a_young_in_flight_row_is_resent_with_its_key_and_replayed(
    stripe_emulator: Emulator, client: Client, tmp_path: Path
) -> None:
    rows = plan(stripe_emulator, 3, 3)
    # The response to each first create is lost (the connection drops after the note is made),
    # and the run has one attempt: the rows stay in flight.
    stripe_emulator.inject_fault("drop_after", count=3, method="POST", path="/v1/credit_notes")
    first = run(rows, client, journal=tmp_path / "j.db", limits=FAST, max_attempts=1)
    assert first.counts["in_flight"] == 3 and not first.complete
    assert stripe_emulator.credit_note_count() == 3
    second = run(rows, client, journal=tmp_path / "j.db", limits=FAST)
    assert {r.settled_by for r in second.results()} == {"replay"}
    assert notes_by_row(stripe_emulator) == {row["key"]: 1 for row in rows}


def test_a_dry_run_previews_every_row_and_creates_nothing(
    stripe_emulator: Emulator, client: Client, tmp_path: Path
) -> None:
    rows = plan(stripe_emulator, 4, 2)
    report = run(rows, client, journal=tmp_path / "j.db", limits=FAST, dry_run=True)
    assert report.outcomes["previewed"] == 4 and report.complete
    assert stripe_emulator.credit_note_count() == 0
    assert {r.preview_total for r in report.results()} == {100}
    real = run(rows, client, journal=tmp_path / "j.db", limits=FAST)
    assert real.counts["done"] == 4


def test_a_refused_key_stops_the_run_and_leaves_no_row_failed(
    stripe_emulator: Emulator, tmp_path: Path
) -> None:
    rows = plan(stripe_emulator, 3, 3)
    with (
        Client("sk_test_", base_url=stripe_emulator.base_url) as bad,
        pytest.raises(FatalRunError),
    ):
        run(rows, bad, journal=tmp_path / "j.db", limits=FAST, concurrency=1)
    with Journal(tmp_path / "j.db") as journal:
        assert journal.counts()["failed"] == 0


def test_the_emulator_rate_limit_and_invoice_lock_are_real(stripe_emulator: Emulator) -> None:
    # The negative control for the tests above: without the runner's care they do fire.
    stripe_emulator.set_limits(rate_limit=5)
    headers = {"Authorization": f"Bearer {stripe_emulator.api_key}"}
    with httpx.Client(base_url=stripe_emulator.base_url, headers=headers) as http:
        statuses = [http.get("/v1/credit_notes").status_code for _ in range(8)]
    assert statuses.count(429) == 3
