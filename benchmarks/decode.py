"""Decode a 100-item credit-note list page: json.loads (floor) vs this SDK vs stripe-python.

Run: ``.venv/bin/python -m benchmarks.decode``. Each side starts from the same JSON bytes, so
every figure includes ``json.loads``; the SDK and stripe figures add their object conversion.
"""

from __future__ import annotations

import copy
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

FIXTURE = (
    Path(__file__).resolve().parent.parent
    / "tests"
    / "fixtures"
    / "2026-07-29.fixtures3.credit_notes.json"
)


def page_bytes(items: int = 100) -> bytes:
    """A list page of ``items`` credit notes built from the fixture (distinct ids)."""
    with FIXTURE.open(encoding="utf-8") as f:
        note = json.load(f)["credit_note"]
    data = []
    for i in range(items):
        item = copy.deepcopy(note)
        item["id"] = f"cn_bench{i:020d}"
        data.append(item)
    page = {"object": "list", "data": data, "has_more": True, "url": "/v1/credit_notes"}
    return json.dumps(page).encode()


def median_seconds(fn: Callable[[], Any], *, repeat: int = 7, budget: float = 0.25) -> float:
    """Median time of one call, over ``repeat`` rounds of as many calls as fit in ``budget``."""
    fn()  # warm up
    start = time.perf_counter()
    fn()
    once = max(time.perf_counter() - start, 1e-6)
    number = max(1, int(budget / once))
    rounds = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        rounds.append((time.perf_counter() - start) / number)
    return statistics.median(rounds)


def cases() -> dict[str, Callable[[], Any]]:
    from stripe._util import convert_to_stripe_object

    from stripe_credit_notes import from_dict
    from stripe_credit_notes.models import CreditNoteList

    raw = page_bytes()
    return {
        "floor: json.loads": lambda: json.loads(raw),
        "stripe-credit-notes": lambda: from_dict(CreditNoteList, json.loads(raw)),
        "stripe (convert_to_stripe_object)": lambda: convert_to_stripe_object(
            json.loads(raw), api_mode="V1"
        ),
    }


def main() -> dict[str, float]:
    results = {name: median_seconds(fn) for name, fn in cases().items()}
    floor = results["floor: json.loads"]
    sdk = results["stripe-credit-notes"]
    print("Decode a 100-item credit-note list page (median of 7 rounds)")
    print(f"{'case':38} {'ms':>9} {'x floor':>9}")
    for name, seconds in results.items():
        print(f"{name:38} {seconds * 1e3:9.3f} {seconds / floor:9.2f}")
    stripe = results["stripe (convert_to_stripe_object)"]
    print(
        f"SDK vs floor: {sdk / floor:.2f}x (target <= 2x); stripe vs SDK: {stripe / sdk:.1f}x slower (target >= 10x)"
    )
    return results


if __name__ == "__main__":
    main()
