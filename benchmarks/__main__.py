"""``python -m benchmarks`` (``make bench``): every case, one table, floor / SDK / stripe-python.

Cases (each module's docstring says exactly what it measures and how):

1. import       :mod:`benchmarks.imports`      fresh interpreters, wall and ``-X importtime``
2. decode       :mod:`benchmarks.decode`       a 100-item list page into objects
3. request      :mod:`benchmarks.overhead`     client CPU per sequential ``create`` on loopback
4. async        :mod:`benchmarks.concurrency`  ``retrieve`` throughput at concurrency 50
5. paging       :mod:`benchmarks.paging`       auto-paging 2,000 / 20,000 items: time, memory

Options: ``--quick`` (smaller counts and fewer runs, for a fast look), ``--only CASE ...``.
Progress goes to stderr; stdout gets the table only.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
import traceback
from collections.abc import Callable
from importlib import metadata

from ._report import Row, Settings, progress, render

CASES = ("import", "decode", "request", "async", "paging")


def _decode_rows(settings: Settings) -> list[Row]:
    from . import decode

    progress(f"decode: {settings.decode_rounds} rounds per side ...")
    medians = decode.interleaved_medians(decode.cases(), repeat=settings.decode_rounds)
    results = {name: seconds * 1e3 for name, seconds in medians.items()}
    floor, sdk, stripe = results[decode.FLOOR], results[decode.SDK], results[decode.STRIPE]

    def check(row: Row) -> bool | None:
        if row.sdk is None or row.floor is None or row.stripe is None:
            return None
        return row.sdk <= 2 * row.floor and row.stripe >= 15 * row.sdk

    def check_orjson(row: Row) -> bool | None:
        if row.sdk is None or row.floor is None:
            return None
        return row.sdk <= 1.2 * row.floor

    orjson_sdk = results.get(decode.ORJSON_SDK)
    missing = "" if orjson_sdk is not None else "orjson is not installed (the speedups extra)"
    return [
        Row(
            "decode: 100-item list page",
            "ms",
            floor,
            sdk,
            stripe,
            target="SDK <= 2x floor, stripe >= 15x SDK",
            check=check,
            note=(
                "json.loads (floor) vs from_dict(CreditNoteList, json.loads(raw)), every value "
                "type-checked, vs stripe._util.convert_to_stripe_object(json.loads(raw)); median of "
                f"{settings.decode_rounds} rounds, the sides in turn."
            ),
        ),
        Row(
            "decode with orjson: 100-item list page",
            "ms",
            floor,
            orjson_sdk,
            stripe,
            target="SDK <= 1.2x floor (json.loads)",
            check=check_orjson,
            error=missing,
            note=(
                "the speedups extra: json.loads (floor, the standard library) vs "
                "from_dict(CreditNoteList, _json.orjson_loads(raw)), every value type-checked, vs "
                "stripe as above (it has no orjson parser)."
            ),
        ),
        Row(
            "decode with orjson vs orjson.loads alone",
            "ms",
            results.get(decode.ORJSON_FLOOR),
            orjson_sdk,
            None,
            target="info",
            error=missing,
            note="orjson.loads(raw) (floor) vs the row above: what decoding adds to the parse.",
        ),
    ]


def _runners(settings: Settings) -> dict[str, Callable[[], list[Row]]]:
    from . import concurrency, imports, overhead, paging

    return {
        "import": lambda: imports.rows(settings.import_runs),
        "decode": lambda: _decode_rows(settings),
        "request": lambda: overhead.rows(settings.request_calls, settings.request_runs),
        "async": lambda: concurrency.rows(
            settings.async_calls, settings.async_concurrency, settings.async_runs
        ),
        "paging": lambda: paging.rows(settings.paging_counts, settings.paging_runs),
    }


def _versions() -> str:
    names = ("httpx", "httpcore", "stripe", "attrs", "cattrs", "stripe-credit-notes")
    found = []
    for name in names:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name} (not installed)")
    return ", ".join(found)


def _cpu() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown cpu"


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--quick", action="store_true", help="smaller counts, fewer runs")
    parser.add_argument("--only", nargs="+", choices=CASES, help="run only these cases")
    args = parser.parse_args()
    settings = Settings.for_run(args.quick)
    wanted = args.only or list(CASES)
    runners = _runners(settings)
    started = time.perf_counter()
    rows: list[Row] = []
    for case in CASES:
        if case not in wanted:
            continue
        try:
            rows.extend(runners[case]())
        except Exception as exc:  # one broken case must not hide the others' results
            traceback.print_exc()
            rows.append(
                Row(f"{case}: failed", "-", None, None, None, error=f"{type(exc).__name__}: {exc}")
            )
    elapsed = time.perf_counter() - started
    print(
        f"stripe-credit-notes benchmarks{' (--quick)' if args.quick else ''}: "
        f"{_cpu()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(_versions())
    print("floor = the least work that gets the same result (see each note); loopback only.")
    print("SDK/floor: times worse than the floor; stripe/SDK: times worse stripe is than the SDK.")
    print()
    print(render(rows))
    print()
    misses = sum(row.verdict in ("MISS", "ERROR") for row in rows)
    print(f"{len(rows)} rows, {misses} MISS/ERROR, {elapsed:.0f} s")


if __name__ == "__main__":
    main()
