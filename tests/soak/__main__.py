"""``python -m tests.soak``: the fault soak (``make soak``). Exits 1 when it finds a failure."""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Sequence

from tests.integration.conftest import launch_emulator

from .driver import Settings, run_soak


def _only(value: str) -> tuple[str, int]:
    client, _, index = value.partition(":")
    if client not in ("Client", "AsyncClient") or not index.isdigit():
        raise argparse.ArgumentTypeError("expected Client:<index> or AsyncClient:<index>")
    return client, int(index)


def _parser() -> argparse.ArgumentParser:
    defaults = Settings(seed=0)
    parser = argparse.ArgumentParser(prog="python -m tests.soak", description=__doc__)
    parser.add_argument("--seed", type=int, help="seed of the fault plans (default: random)")
    parser.add_argument(
        "--sync", type=int, default=defaults.sync_sequences, help="Client sequences"
    )
    parser.add_argument(
        "--async",
        dest="async_",
        type=int,
        default=defaults.async_sequences,
        help="AsyncClient sequences",
    )
    parser.add_argument("--concurrency", type=int, default=defaults.concurrency)
    parser.add_argument("--workers", type=int, default=defaults.sync_workers, help="Client threads")
    parser.add_argument(
        "--time-limit",
        type=float,
        default=defaults.time_limit,
        help="seconds after which no new sequence starts",
    )
    parser.add_argument(
        "--max-requests",
        type=int,
        default=0,
        help="requests through the proxy after which no new sequence starts (0: 40 a sequence)",
    )
    parser.add_argument(
        "--only", type=_only, help="run one sequence, e.g. Client:17 (as a failure names it)"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(10**6)
    settings = Settings(
        seed=seed,
        sync_sequences=args.sync,
        async_sequences=args.async_,
        concurrency=args.concurrency,
        sync_workers=args.workers,
        time_limit=args.time_limit,
        max_requests=args.max_requests,
        only=args.only,
    )
    print(
        f"fault soak: seed {seed}, {args.sync} Client + {args.async_} AsyncClient sequences",
        flush=True,
    )
    emulator = launch_emulator()
    try:
        report = run_soak(settings, emulator)
    finally:
        emulator.stop()
    print(report.render())
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
