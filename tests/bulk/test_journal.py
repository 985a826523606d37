"""The SQLite journal: import, resume rules, durable sends, errors kept with their class."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from stripe_credit_notes import errors
from stripe_credit_notes.bulk import Journal, PlanRow, RowProblem, idempotency_key


def rows(*specs: tuple[str, str, int]) -> list[PlanRow]:
    return [
        PlanRow(key, {"invoice": invoice, "amount": amount}, line)
        for line, (key, invoice, amount) in enumerate(specs, start=1)
    ]


def accept(row: PlanRow) -> RowProblem | None:
    return None


def test_import_stores_rows_keys_and_invoices_in_plan_order(tmp_path: Path) -> None:
    with Journal(tmp_path / "j.db") as journal:
        summary = journal.import_plan(rows(("a", "in_2", 1), ("b", "in_1", 2)), accept)
        assert (summary.rows, summary.added, summary.problems) == (2, 2, 0)
        stored = list(journal.rows())
        assert [r.key for r in stored] == ["a", "b"]
        assert stored[0].idempotency_key == idempotency_key(journal.run_id, "a")
        assert stored[0].params == {"invoice": "in_2", "amount": 1}
        assert [i for _, i in journal.invoices_after(0)] == ["in_2", "in_1"]
        mode = journal._db.execute("PRAGMA journal_mode").fetchone()[0]
        assert mode == "wal"


def test_the_run_id_survives_reopening_and_differs_between_journals(tmp_path: Path) -> None:
    with Journal(tmp_path / "j.db") as journal:
        first = journal.run_id
    with Journal(tmp_path / "j.db") as journal:
        assert journal.run_id == first
    with Journal(tmp_path / "other.db") as journal:
        assert journal.run_id != first


def test_a_repeated_key_is_a_problem_and_the_first_row_stays(tmp_path: Path) -> None:
    with Journal(tmp_path / "j.db") as journal:
        summary = journal.import_plan(rows(("a", "in_1", 1), ("a", "in_1", 2)), accept)
        assert (summary.rows, summary.problems) == (1, 1)
        (problem,) = list(journal.problems())
        assert problem.line == 2 and "line 1" in problem.message
        assert journal.counts()["invalid"] == 1


def test_unsent_rows_follow_the_plan_sent_rows_cannot_change(tmp_path: Path) -> None:
    with Journal(tmp_path / "j.db") as journal:
        journal.import_plan(rows(("a", "in_1", 1), ("b", "in_1", 2), ("c", "in_1", 3)), accept)
        a = journal.row("a")
        assert a is not None
        journal.mark_sending(a.seq, new_key_epoch=True)
        # Resume with a plan that changes a (sent), changes b (unsent) and drops c (unsent).
        summary = journal.import_plan(rows(("a", "in_1", 9), ("b", "in_1", 8)), accept)
        assert summary.problems == 1
        (problem,) = list(journal.problems())
        assert problem.key == "a" and "changed after it was sent" in problem.message
        b = journal.row("b")
        assert b is not None and b.params["amount"] == 8
        assert journal.row("c") is None
        # A plan that drops the sent row keeps it: it may have made a note.
        summary = journal.import_plan(rows(("b", "in_1", 8)), accept)
        assert summary.kept == 1 and journal.row("a") is not None


def test_a_recorded_send_is_on_disk_before_the_call_returns(tmp_path: Path) -> None:
    path = tmp_path / "j.db"
    times = iter([100.0, 200.0, 300.0])
    journal = Journal(path, clock=lambda: next(times))
    journal.import_plan(rows(("a", "in_1", 1)), accept)
    row = journal.row("a")
    assert row is not None
    assert journal.mark_sending(row.seq, new_key_epoch=True) == 200.0
    # Another connection (another process after a crash) sees it without any close or commit.
    other = sqlite3.connect(path)
    assert other.execute("SELECT state, sent_at, attempts FROM rows").fetchone() == (
        "in_flight",
        200.0,
        1,
    )
    other.close()
    assert journal.mark_sending(row.seq, new_key_epoch=False) == 200.0
    journal.close()


def test_errors_come_back_as_their_own_class(tmp_path: Path) -> None:
    with Journal(tmp_path / "j.db") as journal:
        journal.import_plan(rows(("a", "in_1", 1), ("b", "in_1", 1)), accept)
        a, b = journal.row("a"), journal.row("b")
        assert a is not None and b is not None
        journal.mark_failed(
            a.seq,
            errors.InvalidRequestError(
                "No such invoice", http_status=400, code="resource_missing", request_id="req_1"
            ),
        )
        journal.mark_unsettled(b.seq, errors.APITimeoutError("timed out"))
        a, b = journal.row("a"), journal.row("b")
        assert a is not None and b is not None
        assert a.state == "failed" and isinstance(a.error, errors.InvalidRequestError)
        assert (a.error.code, a.error.http_status, a.error.request_id) == (
            "resource_missing",
            400,
            "req_1",
        )
        assert b.state == "in_flight" and isinstance(b.error, errors.APITimeoutError)
        journal.mark_done(b.seq, "cn_1", "marker")
        b = journal.row("b")
        assert b is not None and (b.state, b.credit_note, b.error) == ("done", "cn_1", None)


def test_a_file_that_is_not_a_journal_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "j.db"
    path.write_bytes(b"not sqlite at all" * 100)
    with pytest.raises(ValueError, match="not a usable journal"):
        Journal(path)


def test_a_refused_journal_releases_its_lock_and_connection(tmp_path: Path) -> None:
    path = tmp_path / "j.db"
    path.write_bytes(b"not sqlite at all" * 100)
    with pytest.raises(ValueError, match="not a usable journal") as first:
        Journal(path, exclusive=True)
    # While the first failure (and its traceback) is still alive, the lock is free again.
    with pytest.raises(ValueError, match="not a usable journal"):
        Journal(path, exclusive=True)
    assert first.value is not None


def test_a_second_runner_on_the_same_journal_is_refused(tmp_path: Path) -> None:
    from stripe_credit_notes.bulk import JournalBusy

    first = Journal(tmp_path / "j.db", exclusive=True)
    with pytest.raises(JournalBusy):
        Journal(tmp_path / "j.db", exclusive=True)
    with Journal(tmp_path / "j.db") as reader:  # status and report only read: no lock
        assert reader.run_id == first.run_id
    first.close()
    Journal(tmp_path / "j.db", exclusive=True).close()
