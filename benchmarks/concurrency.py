"""Async throughput: ``retrieve`` and ``create`` calls at a fixed concurrency on loopback.

``concurrency`` worker tasks share one client and take calls from a shared countdown until
``calls`` are done; the figure is wall time (and calls/s) for all of them, after a warm-up that
opens the connections. The server is another process; on this 2-core machine client and server
get about one core each, so the client's CPU per call is what limits throughput.

* floor: ``httpx.AsyncClient.get`` + ``json.loads`` (default pool limits, 100 connections);
* SDK: ``AsyncClient.credit_notes.retrieve(id)`` (``max_retries=0``);
* stripe: ``StripeClient(..., http_client=stripe.HTTPXClient()).v1.credit_notes
  .retrieve_async(id)`` (``max_network_retries=0``).

``create`` runs the same way with the request case's parameters (:data:`overhead.PARAMS`):
the floor posts ``_encoding.encode_body(PARAMS)`` with the Stripe headers and a fresh UUID4
``Idempotency-Key`` and ``json.loads`` the reply; the SDK calls
``AsyncClient.credit_notes.create(**PARAMS, validate=False)`` (as the request case's target
row); stripe ``create_async(params=PARAMS)``.

CPU per call is ``time.process_time()`` of this process (the server is another) over the timed
calls, divided by their number.

Run alone: ``python -m benchmarks.concurrency [--calls N --concurrency N --runs N]``.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import time
import uuid
import warnings
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from ._report import Row, median, progress
from .overhead import PARAMS
from .server import running_server

NOTE_ID = "cn_1BenchCannedCreditNote"
WARMUP_PER_WORKER = 2

Call = Callable[[], Awaitable[Any]]
Close = Callable[[], Awaitable[None]]


def _floor(url: str, op: str) -> tuple[Call, Close]:
    from stripe_credit_notes._encoding import encode_body

    http = httpx.AsyncClient(timeout=80.0)
    headers = {
        "Authorization": "Bearer sk_test_x",
        "Stripe-Version": "2026-09-30.endive",
        "Accept": "application/json",
    }

    async def retrieve() -> Any:
        response = await http.get(f"{url}/v1/credit_notes/{NOTE_ID}", headers=headers)
        if response.status_code != 200:
            raise RuntimeError(f"floor got HTTP {response.status_code}")
        return json.loads(response.content)

    post_headers = {**headers, "Content-Type": "application/x-www-form-urlencoded"}

    async def create() -> Any:
        sent = {**post_headers, "Idempotency-Key": str(uuid.uuid4())}
        response = await http.post(
            f"{url}/v1/credit_notes", content=encode_body(PARAMS), headers=sent
        )
        if response.status_code != 200:
            raise RuntimeError(f"floor got HTTP {response.status_code}")
        return json.loads(response.content)

    return (retrieve if op == "retrieve" else create), http.aclose


def _sdk(url: str, op: str) -> tuple[Call, Close]:
    from stripe_credit_notes import AsyncClient

    client = AsyncClient("sk_test_x", base_url=url, max_retries=0)

    async def retrieve() -> Any:
        return await client.credit_notes.retrieve(NOTE_ID)

    async def create() -> Any:
        return await client.credit_notes.create(**PARAMS, validate=False)

    return (retrieve if op == "retrieve" else create), client.aclose


def _stripe(url: str, op: str) -> tuple[Call, Close]:
    import stripe

    http = stripe.HTTPXClient()
    client = stripe.StripeClient(
        "sk_test_x", base_addresses={"api": url}, http_client=http, max_network_retries=0
    )

    async def retrieve() -> Any:
        return await client.v1.credit_notes.retrieve_async(NOTE_ID)

    async def create() -> Any:
        return await client.v1.credit_notes.create_async(params=PARAMS)  # type: ignore[arg-type]

    return (retrieve if op == "retrieve" else create), http.close_async


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


def measure(
    url: str, calls: int, concurrency: int, runs: int, op: str = "retrieve"
) -> dict[str, tuple[float, float]]:
    makers = {
        "floor": lambda: _floor(url, op),
        "sdk": lambda: _sdk(url, op),
        "stripe": lambda: _stripe(url, op),
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
    return row.sdk >= 0.95 * row.floor and row.sdk > row.stripe


def _check_cpu(row: Row) -> bool | None:
    # The SDK's own CPU per call on top of raw httpx, in µs.
    if row.sdk is None or row.floor is None:
        return None
    return row.sdk - row.floor <= 100


def _check_create(row: Row) -> bool | None:
    if row.sdk is None or row.floor is None or row.stripe is None:
        return None
    return row.sdk <= 1.3 * row.floor and row.sdk < row.stripe


def rows(calls: int, concurrency: int, runs: int) -> list[Row]:
    progress(
        f"async: {runs} runs x {calls} retrieves, then creates, at concurrency {concurrency} ..."
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        with running_server() as url:
            got = measure(url, calls, concurrency, runs)
            made = measure(url, calls, concurrency, runs, op="create")
    return [
        Row(
            "async: retrieve throughput",
            "calls/s",
            calls / got["floor"][0],
            calls / got["sdk"][0],
            calls / got["stripe"][0],
            lower_is_better=False,
            target="SDK >= 0.95x floor, > stripe",
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
            target="SDK <= floor + 100 µs",
            check=_check_cpu,
            note=(
                "client-process CPU (time.process_time) over the timed calls / calls, median of "
                f"{runs} runs; the target is on the difference SDK - floor."
            ),
        ),
        Row(
            "async: create, CPU per call",
            "µs CPU",
            made["floor"][1] / calls * 1e6,
            made["sdk"][1] / calls * 1e6,
            made["stripe"][1] / calls * 1e6,
            target="SDK <= 1.3x floor, < stripe",
            check=_check_create,
            note=(
                f"{calls} creates at concurrency {concurrency} with the request case's params, "
                "median of "
                f"{runs} runs; floor httpx.AsyncClient.post of encode_body + UUID4 key + "
                "json.loads; SDK AsyncClient.credit_notes.create(validate=False); stripe "
                "create_async."
            ),
        ),
        Row(
            "async: create throughput",
            "calls/s",
            calls / made["floor"][0],
            calls / made["sdk"][0],
            calls / made["stripe"][0],
            lower_is_better=False,
            target="info",
        ),
    ]


def main() -> None:
    from ._report import render

    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(render(rows(args.calls, args.concurrency, args.runs)))


if __name__ == "__main__":
    main()
