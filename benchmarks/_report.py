"""Rows of the benchmark table, their targets, and the one table ``python -m benchmarks`` prints."""

from __future__ import annotations

import statistics
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass
class Row:
    """One line of the table: the floor, this SDK and stripe-python, in one unit.

    ``lower_is_better`` says how to read the unit (ms, µs/call and MB: lower; calls/s: higher).
    ``sdk_vs_floor`` is always "how many times worse than the floor" (>1 is slower/bigger) and
    ``stripe_vs_sdk`` "how many times worse stripe is than the SDK" (>1: the SDK wins), whatever
    the unit, so the two ratio columns read the same way on every line.
    """

    case: str
    unit: str
    floor: float | None
    sdk: float | None
    stripe: float | None
    lower_is_better: bool = True
    target: str = ""
    check: Callable[[Row], bool | None] | None = None
    note: str = ""
    error: str = ""
    ratios: bool = True
    """False for figures whose ratios mean nothing (differences near zero, say)."""

    @property
    def sdk_vs_floor(self) -> float | None:
        if not self.ratios:
            return None
        return _worse(self.sdk, self.floor, self.lower_is_better)

    @property
    def stripe_vs_sdk(self) -> float | None:
        if not self.ratios:
            return None
        return _worse(self.stripe, self.sdk, self.lower_is_better)

    @property
    def verdict(self) -> str:
        if self.error:
            return "ERROR"
        if self.check is None:
            return "info"
        ok = self.check(self)
        if ok is None:
            return "n/a"
        return "PASS" if ok else "MISS"


def _worse(value: float | None, reference: float | None, lower_is_better: bool) -> float | None:
    if value is None or reference is None:
        return None
    if lower_is_better:
        return value / reference if reference > 0 else None
    return reference / value if value > 0 else None


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def _fmt(value: float | None) -> str:
    if value is None:
        return "-"
    magnitude = abs(value)
    if magnitude >= 1000:
        return f"{value:,.0f}"
    if magnitude >= 100:
        return f"{value:.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    if magnitude >= 1:
        return f"{value:.2f}"
    return f"{value:.3f}"


def _fmt_ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


HEADERS = ("case", "unit", "floor", "SDK", "stripe", "SDK/floor", "stripe/SDK", "target", "result")


def render(rows: Sequence[Row]) -> str:
    """The table, as GitHub-flavoured Markdown (readable as plain text too)."""
    body = []
    for row in rows:
        body.append(
            (
                row.case,
                row.unit,
                _fmt(row.floor),
                _fmt(row.sdk),
                _fmt(row.stripe),
                _fmt_ratio(row.sdk_vs_floor),
                _fmt_ratio(row.stripe_vs_sdk),
                row.target,
                row.verdict,
            )
        )
    widths = [max(len(h), *(len(r[i]) for r in body)) for i, h in enumerate(HEADERS)]
    numeric = {2, 3, 4, 5, 6}

    def line(cells: Sequence[str]) -> str:
        out = []
        for i, cell in enumerate(cells):
            out.append(cell.rjust(widths[i]) if i in numeric else cell.ljust(widths[i]))
        return "| " + " | ".join(out) + " |"

    rule = "|" + "|".join(
        ("-" * (w + 1) + ":") if i in numeric else ("-" * (w + 2)) for i, w in enumerate(widths)
    )
    lines = [line(HEADERS), rule + "|", *(line(r) for r in body)]
    notes = [f"- {row.case}: {row.note}" for row in rows if row.note]
    errors = [f"- {row.case}: ERROR {row.error}" for row in rows if row.error]
    if notes or errors:
        lines.append("")
        lines.extend(notes)
        lines.extend(errors)
    return "\n".join(lines)


def progress(message: str) -> None:
    """Progress goes to stderr so stdout carries only the table."""
    print(message, file=sys.stderr, flush=True)


@dataclass
class Settings:
    """How big a run is: ``--quick`` shrinks every count and the number of repetitions."""

    quick: bool = False
    import_runs: int = 15
    decode_rounds: int = 7
    request_calls: int = 2000
    request_runs: int = 5
    async_calls: int = 5000
    async_concurrency: int = 50
    # Five, not three: at concurrency 50 one run's CPU per call moves by several hundred µs
    # with how httpcore's pool lines requests up (docs/performance.md, "Async at concurrency 50").
    async_runs: int = 5
    paging_counts: tuple[int, int] = (2000, 20000)
    paging_runs: int = 3

    @classmethod
    def for_run(cls, quick: bool) -> Settings:
        if not quick:
            return cls()
        return cls(
            quick=True,
            import_runs=5,
            decode_rounds=5,
            request_calls=500,
            request_runs=2,
            async_calls=1000,
            async_runs=1,
            paging_counts=(2000, 20000),
            paging_runs=1,
        )
