"""Threads that decode (or encode) for the first time at once never see a half-compiled hook.

Found by the fault soak: 8 threads making their first call together got ``IndexError`` from the
converter, because the placeholder of a hook being compiled was visible to the other threads.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from stripe_credit_notes import _converter
from stripe_credit_notes import models as m

from .conftest import NEWEST_FIXTURE, load_fixture

THREADS = 8


@pytest.fixture
def slow_compile(monkeypatch: pytest.MonkeyPatch) -> None:
    """Widen the window in which a hook is being compiled, so the race always shows."""
    compile_hook = _converter._HookWriter.compile

    def slow(self: Any, *args: Any) -> Any:
        time.sleep(0.01)
        return compile_hook(self, *args)

    monkeypatch.setattr(_converter._HookWriter, "compile", slow)


def at_once(work: Callable[[], object]) -> list[BaseException]:
    barrier = threading.Barrier(THREADS)
    failures: list[BaseException] = []

    def run() -> None:
        barrier.wait()
        try:
            work()
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=run) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return failures


@pytest.mark.usefixtures("slow_compile")
def test_first_decodes_from_many_threads_at_once_all_succeed() -> None:
    fresh = _converter.CreditNotesConverter()  # nothing compiled yet
    payload = load_fixture(NEWEST_FIXTURE)["credit_note"]
    notes: list[m.CreditNote] = []
    failures = at_once(lambda: notes.append(fresh.structure_fn(m.CreditNote)(payload)))
    assert failures == []
    assert len(notes) == THREADS
    assert all(note == notes[0] for note in notes)


@pytest.mark.usefixtures("slow_compile")
def test_first_encodes_from_many_threads_at_once_all_succeed() -> None:
    payload = load_fixture(NEWEST_FIXTURE)["credit_note"]
    note = _converter.from_dict(m.CreditNote, payload)
    fresh = _converter.CreditNotesConverter()
    encoded: list[dict[str, Any]] = []
    failures = at_once(lambda: encoded.append(fresh.unstructure_fn(m.CreditNote)(note)))
    assert failures == []
    assert encoded == [_converter.to_dict(note)] * THREADS
