"""Threads that decode (or encode) for the first time at once all succeed.

Found by the fault soak: 8 threads making their first call together got ``IndexError`` from the
converter while it compiled hooks lazily. Decoders are generated source now, but the models,
the codec and the cattrs hooks still load on first use: each test runs in a fresh interpreter,
so "first" really is first.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

from .conftest import FIXTURES, NEWEST_FIXTURE

SCRIPT = textwrap.dedent(
    """
    import json, sys, threading

    from stripe_credit_notes import converter, from_dict, to_dict

    payload = json.load(open(sys.argv[1]))["credit_note"]
    mode = sys.argv[2]
    barrier = threading.Barrier(8)
    results, failures = [], []

    def work():
        from stripe_credit_notes import models

        barrier.wait()
        try:
            if mode == "from_dict":
                results.append(to_dict(from_dict(models.CreditNote, payload)))
            else:
                results.append(to_dict(converter.structure(payload, models.CreditNote)))
        except BaseException as exc:
            failures.append(repr(exc))

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not failures, failures
    assert len(results) == 8 and all(r == payload for r in results), "results differ"
    print("ok")
    """
)


def _run(mode: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", SCRIPT, str(FIXTURES / NEWEST_FIXTURE), mode],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_first_decodes_from_many_threads_at_once_all_succeed() -> None:
    result = _run("from_dict")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_first_cattrs_structures_from_many_threads_at_once_all_succeed() -> None:
    result = _run("converter")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
