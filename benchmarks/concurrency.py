"""Async throughput: ``retrieve`` calls at a fixed concurrency against the loopback server.

``concurrency`` worker tasks share one client and take calls from a shared countdown until
``calls`` are done; the figure is wall time (and calls/s) for all of them, after a warm-up that
opens the connections. The server is another process; on this 2-core machine client and server
get about one core each, so the client's CPU per call is what limits throughput.

* floor: ``httpx.AsyncClient.get`` + ``json.loads`` (default pool limits, 100 connections);
* SDK: ``AsyncClient.credit_notes.retrieve(id)`` (``max_retries=0``);
* stripe: ``StripeClient(..., http_client=stripe.HTTPXClient()).v1.credit_notes
  .retrieve_async(id)`` (``max_network_retries=0``).

Run alone: ``python -m benchmarks.concurrency [--calls N --concurrency N --runs N]``.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import time
import warnings
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from ._report import Row, median, progress
from .server import running_server

NOTE_ID = "cn_1BenchCannedCreditNote"
WARMUP_PER_WORKER = 2

Call = Callable[[], Awaitable[Any]]
Close = Callable[[], Awaitable[None]]


def _floor(url: str) -> tuple[Call, Close]:
    http = httpx.AsyncClient(timeout=80.0)
    target = f"{url}/v1/credit_notes/{NOTE_ID}"
    headers = {
        "Authorization": "Bearer sk_test_x",
        "Stripe-Version": "2026-09-30.endive",
        "Accept": "application/json",
    }

    async def call() -> Any:
        response = await http.get(target, headers=headers)
        if response.status_code != 200:
            raise RuntimeError(f"floor got HTTP {response.status_code}")
        return json.loads(response.content)

    return call, http.aclose


def _sdk(url: str) -> tuple[Call, Close]:
    from stripe_credit_notes import AsyncClient

    client = AsyncClient("sk_test_x", base_url=url, max_retries=0)

    async def call() -> Any:
        return await client.credit_notes.retrieve(NOTE_ID)

    return call, client.aclose


def _stripe(url: str) -> tuple[Call, Close]:
    import stripe

    http = stripe.HTTPXClient()
    client = stripe.StripeClient(
        "sk_test_x", base_addresses={"api": url}, http_client=http, max_network_retries=0
    )

    async def call() -> Any:
        return await client.v1.credit_notes.retrieve_async(NOTE_ID)

    return call, http.close_async


async def _drive(call: Call, calls: int, concurrency: int) -> None:
    remaining = calls

    async def worker() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            await call()

    await asyncio.gather(*(worker() for _ in range(concurrency)))


async def _timed(
    make: Callable[[], tuple[Call, Close]], calls: int, concurrency: int
) -> tuple[float, float]:
    """(wall seconds, CPU seconds) for ``calls`` calls, after a warm-up at the same concurrency."""
    call, close = make()
    try:
        await _drive(call, WARMUP_PER_WORKER * concurrency, concurrency)
        gc.collect()
        cpu0, wall0 = time.process_time(), time.perf_counter()
        await asyncio.wait_for(_drive(call, calls, concurrency), timeout=300)
        return time.perf_counter() - wall0, time.process_time() - cpu0
    finally:
        await close()


def measure(url: str, calls: int, concurrency: int, runs: int) -> dict[str, tuple[float, float]]:
    makers = {
        "floor": lambda: _floor(url),
        "sdk": lambda: _sdk(url),
        "stripe": lambda: _stripe(url),
    }
    walls: dict[str, list[float]] = {k: [] for k in makers}
    cpus: dict[str, list[float]] = {k: [] for k in makers}
    keys = list(makers)
    for run in range(runs):
        for key in keys[run % len(keys) :] + keys[: run % len(keys)]:
            wall, cpu = asyncio.run(_timed(makers[key], calls, concurrency))
            walls[key].append(wall)
            cpus[key].append(cpu)
    return {k: (median(walls[k]), median(cpus[k])) for k in keys}


def _check(row: Row) -> bool | None:
    # calls/s: higher is better.
    if row.sdk is None or row.floor is None or row.stripe is None:
        return None
    return row.sdk >= 0.8 * row.floor and row.sdk > row.stripe


def rows(calls: int, concurrency: int, runs: int) -> list[Row]:
    progress(f"async throughput: {runs} runs x {calls} retrieves at concurrency {concurrency} ...")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        with running_server() as url:
            got = measure(url, calls, concurrency, runs)
    return [
        Row(
            "async: retrieve throughput",
            "calls/s",
            calls / got["floor"][0],
            calls / got["sdk"][0],
            calls / got["stripe"][0],
            lower_is_better=False,
            target="SDK >= 0.8x floor, > stripe",
            check=_check,
            note=(
                f"{calls} calls at concurrency {concurrency}, median of {runs} runs; "
                "ratios are inverted so >1 means slower."
            ),
        ),
        Row(
            "async: retrieve, wall for all calls",
            "s wall",
            got["floor"][0],
            got["sdk"][0],
            got["stripe"][0],
            target="info",
        ),
        Row(
            "async: retrieve, CPU per call",
            "µs CPU",
            got["floor"][1] / calls * 1e6,
            got["sdk"][1] / calls * 1e6,
            got["stripe"][1] / calls * 1e6,
            target="info",
        ),
    ]


def main() -> None:
    from ._report import render

    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(render(rows(args.calls, args.concurrency, args.runs)))


if __name__ == "__main__":
    main()
