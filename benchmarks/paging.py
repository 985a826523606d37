"""Auto-paging: walk a long list (pages of 100) from the loopback server; time and peak RSS.

Every run is a fresh interpreter (``python -m benchmarks.paging --child SIDE COUNT URL``), so
one side's allocations never inflate another's figure. In the child:

1. import and construct the client;
2. warm up: walk a 1-item list once, so one-time work (lazy imports, the SDK's decode hooks,
   stripe-python's resource classes, the connection) is done before the baseline;
3. ``gc.collect()``, note ``VmRSS`` and reset the kernel's peak-RSS mark (``VmHWM``) to it by
   writing ``5`` to ``/proc/self/clear_refs``; walk all ``COUNT`` items (checking the count and
   the last id), sampling ``sys.getallocatedblocks()`` (live Python memory blocks) at every
   item; then read ``VmHWM``.

Peak RSS growth is ``VmHWM`` after the walk minus ``VmRSS`` at the reset: the most memory the
walk itself needed. (``ru_maxrss`` is not used: Linux carries it across ``exec``, so a child of
a big parent reports the parent's peak.) RSS includes the allocator's own warm-up, which takes a
few thousand items to settle in every client, so "flat" is judged on live blocks: the peak block
count at 20,000 items minus that at 2,000, per extra item. Keeping anything at all per item
would cost at least one block per item.

* floor: ``httpx.Client.get`` + ``json.loads`` in a ``starting_after`` loop over plain dicts;
* SDK: ``for note in Client.credit_notes.list(limit=100, ...)``;
* stripe: ``StripeClient.v1.credit_notes.list(params=...).auto_paging_iter()``.

Run alone: ``python -m benchmarks.paging [--runs N]``.
"""

from __future__ import annotations

import argparse
import gc
import json
import subprocess
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from typing import Any

from ._report import Row, median, progress
from .server import ROOT, item_id, running_server

SIDES = ("floor", "sdk", "stripe")
PAGE = 100
FLAT_BLOCKS_PER_ITEM = 1.0


def _walker(side: str, url: str) -> Callable[[int], Iterator[str]]:
    """A function that walks a list of ``count`` items and yields their ids."""
    if side == "floor":
        import httpx

        http = httpx.Client(
            timeout=80.0,
            headers={"Authorization": "Bearer sk_test_x", "Stripe-Version": "2026-09-30.endive"},
        )

        def floor(count: int) -> Iterator[str]:
            params: dict[str, Any] = {"limit": PAGE, "customer": f"cus_total{count}"}
            while True:
                response = http.get(url + "/v1/credit_notes", params=params)
                if response.status_code != 200:
                    raise RuntimeError(f"floor got HTTP {response.status_code}")
                page = json.loads(response.content)
                for item in page["data"]:
                    yield item["id"]
                if not page["has_more"] or not page["data"]:
                    return
                params["starting_after"] = page["data"][-1]["id"]

        return floor
    if side == "sdk":
        from stripe_credit_notes import Client

        client = Client("sk_test_x", base_url=url, max_retries=0)

        def sdk(count: int) -> Iterator[str]:
            for note in client.credit_notes.list(limit=PAGE, customer=f"cus_total{count}"):
                yield note.id

        return sdk
    if side == "stripe":
        import stripe

        sc = stripe.StripeClient(
            "sk_test_x",
            base_addresses={"api": url},
            http_client=stripe.HTTPXClient(allow_sync_methods=True),
            max_network_retries=0,
        )

        def theirs(count: int) -> Iterator[str]:
            page = sc.v1.credit_notes.list(params={"limit": PAGE, "customer": f"cus_total{count}"})
            for note in page.auto_paging_iter():
                yield note.id

        return theirs
    raise ValueError(f"unknown side {side!r}")


def _status_kb(field: str) -> int:
    """A ``kB`` field of ``/proc/self/status`` (``VmRSS``: resident now; ``VmHWM``: its peak)."""
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def _reset_peak() -> bool:
    """Reset VmHWM to the current RSS (Linux >= 4.0); False if not allowed here."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as f:
            f.write("5")
    except OSError:
        return False
    return True


def child(side: str, count: int, url: str) -> dict[str, float]:
    warnings.simplefilter("ignore", DeprecationWarning)
    walk = _walker(side, url)
    cold = _status_kb("VmRSS")
    assert list(walk(1)) == [item_id(0)]
    gc.collect()
    warm_peak = _status_kb("VmHWM")
    warm = _status_kb("VmRSS")
    if not _reset_peak():
        # Without the reset the peak only shows growth beyond the warm-up's own peak.
        warm = warm_peak
    blocks = sys.getallocatedblocks
    warm_blocks = peak_blocks = blocks()
    start_wall, start_cpu = time.perf_counter(), time.process_time()
    seen = 0
    last = None
    for note_id in walk(count):
        seen += 1
        last = note_id
        now = blocks()  # cheap on CPython 3.11: live pymalloc blocks, summed per arena
        if now > peak_blocks:
            peak_blocks = now
    wall, cpu = time.perf_counter() - start_wall, time.process_time() - start_cpu
    end_peak = _status_kb("VmHWM")
    if seen != count or last != item_id(count - 1):
        raise RuntimeError(f"{side}: walked {seen} items ending at {last!r}, expected {count}")
    return {
        "wall": wall,
        "cpu": cpu,
        "growth_mb": (end_peak - warm) / 1024,
        "cold_growth_mb": (max(end_peak, warm_peak) - cold) / 1024,
        "peak_blocks": float(peak_blocks - warm_blocks),
    }


def _spawn(side: str, count: int, url: str) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.paging", "--child", side, str(count), url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    if done.returncode != 0:
        raise RuntimeError(f"paging child {side} {count} failed: {done.stderr.strip()[-500:]}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def measure(counts: tuple[int, ...], runs: int) -> dict[tuple[str, int], dict[str, float]]:
    results: dict[tuple[str, int], list[dict[str, float]]] = {}
    with running_server() as url:
        for run in range(runs):
            order = SIDES[run % 3 :] + SIDES[: run % 3]
            for count in counts:
                for side in order:
                    results.setdefault((side, count), []).append(_spawn(side, count, url))
    return {
        key: {metric: median([r[metric] for r in rs]) for metric in rs[0]}
        for key, rs in results.items()
    }


def rows(counts: tuple[int, int], runs: int) -> list[Row]:
    small, large = counts
    progress(f"auto-paging: {runs} runs of {small:,} and {large:,} items, fresh process each ...")
    got = measure(counts, runs)

    def three(metric: str, count: int) -> tuple[float, float, float]:
        a, b, c = (got[(side, count)][metric] for side in SIDES)
        return a, b, c

    def diff(side: str) -> float:
        return got[(side, large)]["growth_mb"] - got[(side, small)]["growth_mb"]

    def under_10(row: Row) -> bool | None:
        return None if row.sdk is None else row.sdk < 10.0

    def flat(row: Row) -> bool | None:
        return None if row.sdk is None else row.sdk < FLAT_BLOCKS_PER_ITEM

    def per_item(side: str) -> float:
        extra = got[(side, large)]["peak_blocks"] - got[(side, small)]["peak_blocks"]
        return extra / (large - small)

    b_small = three("peak_blocks", small)
    b_large = three("peak_blocks", large)

    cold = three("cold_growth_mb", large)
    return [
        Row(
            f"paging: {large:,} items, wall",
            "s wall",
            *three("wall", large),
            target="SDK <= 1.6x floor",
            check=lambda row: (
                None if row.sdk is None or row.floor is None else row.sdk <= 1.6 * row.floor
            ),
            note=f"median of {runs} runs, pages of {PAGE}, each run a fresh process.",
        ),
        Row(
            f"paging: peak RSS growth, {small:,} items",
            "MB",
            *three("growth_mb", small),
            target="info",
        ),
        Row(
            f"paging: peak RSS growth, {large:,} items",
            "MB",
            *three("growth_mb", large),
            target="SDK < 10 MB",
            check=under_10,
            note=(
                "VmHWM (peak RSS, reset via /proc/self/clear_refs after a 1-item warm-up walk) "
                "minus VmRSS at that reset. Cold (peak from client construction, warm-up "
                f"included), {large:,} items: floor "
                f"{cold[0]:.1f}, SDK {cold[1]:.1f}, stripe {cold[2]:.1f} MB."
            ),
        ),
        Row(
            f"paging: RSS growth {large:,} minus {small:,}",
            "MB",
            diff("floor"),
            diff("sdk"),
            diff("stripe"),
            target="info",
            ratios=False,
            note=(
                "RSS peaks settle after a few thousand items in every client (allocator "
                "warm-up; see docs/performance.md), so flatness is judged on live blocks."
            ),
        ),
        Row(
            f"paging: live blocks kept per item {small:,}->{large:,}",
            "blocks",
            per_item("floor"),
            per_item("sdk"),
            per_item("stripe"),
            target=f"SDK < {FLAT_BLOCKS_PER_ITEM:g} (flat)",
            check=flat,
            ratios=False,
            note=(
                "peak of sys.getallocatedblocks() over the walk (sampled at every item) minus "
                "the warm baseline, (large - small) / (items large - items small); "
                f"{small:,} items: floor {b_small[0]:,.0f}, SDK {b_small[1]:,.0f}, stripe "
                f"{b_small[2]:,.0f} blocks; {large:,} items: floor {b_large[0]:,.0f}, SDK "
                f"{b_large[1]:,.0f}, stripe {b_large[2]:,.0f}. Keeping anything per item costs "
                "at least one block per item (a decoded note is hundreds). The small rise is "
                "urllib.parse.urlsplit's lru_cache filling up to its 128 URLs."
            ),
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", nargs=3, metavar=("SIDE", "COUNT", "URL"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--counts", type=int, nargs=2, default=(2000, 20000))
    args = parser.parse_args()
    if args.child:
        side, count, url = args.child
        print(json.dumps(child(side, int(count), url)))
        return
    from ._report import render

    print(render(rows(tuple(args.counts), args.runs)))


if __name__ == "__main__":
    main()
