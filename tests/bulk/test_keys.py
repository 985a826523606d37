"""Idempotency keys and markers: pure functions of the run id and the row key."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from stripe_credit_notes.bulk import MARKER_ROW, MARKER_RUN, idempotency_key, marked_params
from stripe_credit_notes.bulk._keys import matches_marker, new_run_id, params_digest

keys = st.text(min_size=1, max_size=200)
runs = st.text(alphabet="0123456789abcdef", min_size=20, max_size=20)  # as new_run_id() makes


@given(runs, keys)
def test_the_key_is_deterministic_short_and_printable(run: str, row: str) -> None:
    key = idempotency_key(run, row)
    assert key == idempotency_key(run, row)
    assert len(key) <= 255 and key.isprintable() and key.isascii()


@given(keys, keys, keys)
def test_different_rows_or_runs_get_different_keys(run: str, row: str, other: str) -> None:
    if row != other:
        assert idempotency_key(run, row) != idempotency_key(run, other)
        assert idempotency_key(row, run) != idempotency_key(other, run) or row == other


def test_run_id_and_row_key_cannot_be_confused_by_concatenation() -> None:
    assert idempotency_key("ab", "c") != idempotency_key("a", "bc")


def test_the_marker_is_added_without_touching_the_callers_metadata() -> None:
    params = {"invoice": "in_1", "metadata": {"reason": "x"}}
    marked = marked_params(params, "run1", "row1")
    assert marked["metadata"] == {"reason": "x", MARKER_RUN: "run1", MARKER_ROW: "row1"}
    assert params == {"invoice": "in_1", "metadata": {"reason": "x"}}
    assert matches_marker(marked["metadata"], "run1", "row1")
    assert not matches_marker(marked["metadata"], "run2", "row1")
    assert not matches_marker(marked["metadata"], "run1", "row2")
    assert not matches_marker(None, "run1", "row1")


def test_digest_ignores_key_order_and_run_ids_are_fresh() -> None:
    assert params_digest({"a": 1, "b": {"c": 2, "d": 3}}) == params_digest(
        {"b": {"d": 3, "c": 2}, "a": 1}
    )
    assert new_run_id() != new_run_id()
