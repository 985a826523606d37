"""Decode a 100-item credit-note list page: json.loads (floor) vs this SDK vs stripe-python.

Run: ``.venv/bin/python -m benchmarks.decode``. Each side starts from the same JSON bytes, so
every figure includes ``json.loads``; the SDK and stripe figures add their object conversion.
"""

from __future__ import annotations

import copy
import gc
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


def interleaved_medians(
    fns: dict[str, Callable[[], Any]], *, repeat: int = 7, budget: float = 0.25
) -> dict[str, float]:
    """Median time of one call of each function, the rounds taken in turn.

    Round ``i`` of every function runs before round ``i + 1`` of any: a slow spell of the
    (shared) machine lands on all sides alike, so the ratios move less than the figures.
    Each round is as many calls as fit in ``budget``; each starts from a collected heap.
    """
    numbers = {}
    for name, fn in fns.items():
        gc.collect()
        fn()  # warm up
        start = time.perf_counter()
        fn()
        once = max(time.perf_counter() - start, 1e-6)
        numbers[name] = max(1, int(budget / once))
    rounds: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            gc.collect()  # not the garbage of the side before
            number = numbers[name]
            start = time.perf_counter()
            for _ in range(number):
                fn()
            rounds[name].append((time.perf_counter() - start) / number)
    return {name: statistics.median(times) for name, times in rounds.items()}


FLOOR = "floor: json.loads"
SDK = "stripe-credit-notes"
STRIPE = "stripe (convert_to_stripe_object)"
ORJSON_FLOOR = "orjson.loads"
ORJSON_SDK = "stripe-credit-notes, orjson parser"


def cases() -> dict[str, Callable[[], Any]]:
    """The decode of each side; with orjson installed (the ``speedups`` extra), two more.

    The SDK rows call ``json.loads`` themselves, as before the extra existed; the orjson row
    parses with ``_json.orjson_loads``, what the client uses when orjson is installed.
    """
    from stripe._util import convert_to_stripe_object

    from stripe_credit_notes import _json, from_dict
    from stripe_credit_notes.models import CreditNoteList

    raw = page_bytes()
    found: dict[str, Callable[[], Any]] = {
        FLOOR: lambda: json.loads(raw),
        SDK: lambda: from_dict(CreditNoteList, json.loads(raw)),
    }
    try:
        import orjson
    except ImportError:
        pass
    else:
        _json._orjson = orjson  # whatever STRIPE_CREDIT_NOTES_NO_SPEEDUPS said at import
        found[ORJSON_FLOOR] = lambda: orjson.loads(raw)
        found[ORJSON_SDK] = lambda: from_dict(CreditNoteList, _json.orjson_loads(raw))
    found[STRIPE] = lambda: convert_to_stripe_object(json.loads(raw), api_mode="V1")
    return found


def main() -> dict[str, float]:
    results = interleaved_medians(cases())
    floor, sdk, stripe = results[FLOOR], results[SDK], results[STRIPE]
    print("Decode a 100-item credit-note list page (median of 7 interleaved rounds)")
    print(f"{'case':38} {'ms':>9} {'x floor':>9}")
    for name, seconds in results.items():
        print(f"{name:38} {seconds * 1e3:9.3f} {seconds / floor:9.2f}")
    print(
        f"SDK vs floor: {sdk / floor:.2f}x (target <= 2x); "
        f"stripe vs SDK: {stripe / sdk:.1f}x slower (target >= 15x)"
    )
    if ORJSON_SDK in results:
        print(f"SDK with orjson vs floor: {results[ORJSON_SDK] / floor:.2f}x (target <= 1.2x)")
    return results


if __name__ == "__main__":
    main()
