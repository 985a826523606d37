"""Plan reading: CSV and JSON Lines, streamed, typed from the create schema, problems per row."""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path

import pytest

from stripe_credit_notes.bulk import PlanError, PlanRow, RowProblem, read_plan


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_cells_take_the_type_the_create_schema_gives_them(tmp_path: Path) -> None:
    plan = write(
        tmp_path / "plan.csv",
        "key,invoice,amount,memo,metadata[reason],lines[0][type],lines[0][quantity],"
        "lines[0][invoice_line_item]\n"
        "a,in_1,500,500,pricing,invoice_line_item,2,il_1\n",
    )
    (row,) = list(read_plan(plan))
    assert row == PlanRow(
        key="a",
        params={
            "invoice": "in_1",
            "amount": 500,
            "memo": "500",
            "metadata": {"reason": "pricing"},
            "lines": [{"type": "invoice_line_item", "quantity": 2, "invoice_line_item": "il_1"}],
        },
        line=2,
    )


def test_csv_empty_cells_are_not_given_and_blank_lines_are_skipped(tmp_path: Path) -> None:
    plan = write(tmp_path / "p.csv", "key,invoice,amount,memo\na,in_1,100,\n\n,,,\nb,in_2,,x\n")
    rows = list(read_plan(plan))
    assert [r.params for r in rows if isinstance(r, PlanRow)] == [
        {"invoice": "in_1", "amount": 100},
        {"invoice": "in_2", "memo": "x"},
    ]


def test_csv_bad_cells_are_problems_of_their_row_only(tmp_path: Path) -> None:
    plan = write(
        tmp_path / "p.csv",
        "key,invoice,amount,lines[1][amount]\na,in_1,ten,\nb,in_1,5,\nc,in_1,5,3\n",
    )
    rows = list(read_plan(plan))
    assert isinstance(rows[0], RowProblem) and rows[0].line == 2 and "amount" in rows[0].message
    assert isinstance(rows[1], PlanRow) and rows[1].key == "b"
    assert isinstance(rows[2], RowProblem) and "indexes" in rows[2].message


def test_csv_without_a_key_column_is_refused_as_a_whole(tmp_path: Path) -> None:
    with pytest.raises(PlanError, match="'key' column"):
        list(read_plan(write(tmp_path / "p.csv", "invoice,amount\nin_1,5\n")))


def test_jsonl_rows_and_their_problems(tmp_path: Path) -> None:
    plan = write(
        tmp_path / "p.jsonl",
        '{"key": "a", "invoice": "in_1", "amount": 5, "metadata": {"k": "v"}}\n'
        "\n"
        "not json\n"
        "[1, 2]\n"
        '{"invoice": "in_1"}\n',
    )
    rows = list(read_plan(plan))
    assert rows[0] == PlanRow("a", {"invoice": "in_1", "amount": 5, "metadata": {"k": "v"}}, 1)
    assert [(r.line, r.key) for r in rows[1:] if isinstance(r, RowProblem)] == [
        (3, None),
        (4, None),
        (5, None),
    ]


def test_unknown_suffix_and_missing_file_are_plan_errors(tmp_path: Path) -> None:
    with pytest.raises(PlanError, match="format"):
        read_plan(tmp_path / "plan.txt")
    with pytest.raises(PlanError, match="cannot open"):
        read_plan(tmp_path / "missing.csv")


def test_reading_is_streamed_memory_stays_flat_in_rows(tmp_path: Path) -> None:
    def peak(rows: int) -> int:
        path = tmp_path / f"p{rows}.jsonl"
        with path.open("w") as f:
            for i in range(rows):
                f.write(json.dumps({"key": f"k{i}", "invoice": "in_1", "amount": 1}) + "\n")
        tracemalloc.start()
        count = sum(1 for _ in read_plan(path))
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert count == rows
        return top

    # Ten times the rows, not ten times the memory (a list of rows would be).
    assert peak(20_000) < 3 * peak(2_000)
