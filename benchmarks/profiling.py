"""Where the SDK's time goes: cProfile of the SDK side of each benchmark case.

``python -m benchmarks.profiling [request|validate|async|decode|paging ...] [--top N]``

For each case: the top functions by own time (``tottime``) with their share of the profiled
total, then the same time summed per package (the SDK, httpx and its transport stack,
tenacity, attrs/cattrs, the standard library). cProfile slows Python code down unevenly, so
read the shares, not the absolute figures, and confirm any fix with ``python -m benchmarks``.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import subprocess
import sys
import sysconfig
import warnings
from collections import Counter
from collections.abc import Callable
from typing import Any

from .server import running_server

CASES = ("import", "request", "validate", "async", "decode", "paging")

_STDLIB = os.path.realpath(sysconfig.get_paths()["stdlib"])
_GROUPS = (
    ("stripe_credit_notes/", "SDK (stripe_credit_notes)"),
    ("/httpx/", "httpx"),
    ("/httpcore/", "httpcore"),
    ("/h11/", "h11"),
    ("/anyio/", "anyio"),
    ("/tenacity/", "tenacity"),
    ("/cattrs/", "cattrs"),
    ("/attr/", "attrs"),
    ("/stripe/", "stripe"),
    ("/benchmarks/", "benchmark harness"),
)


def _group(filename: str) -> str:
    for marker, name in _GROUPS:
        if marker in filename:
            return name
    if filename.startswith(("<structure", "<unstructure")):
        return "SDK generated decode hooks"
    if filename.startswith(("~", "<")):
        return "builtins (C) / frozen importlib"
    if os.path.realpath(filename).startswith(_STDLIB):
        return "stdlib"
    return "other"


def report(profile: cProfile.Profile, title: str, top: int) -> None:
    stats = pstats.Stats(profile)
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    total = sum(entry[2] for entry in raw.values()) or 1e-12
    print(f"\n## {title}\n")
    print(f"profiled total {total * 1e3:.1f} ms (own time of every function)\n")
    print(f"{'own %':>6} {'cum %':>6} {'calls':>9}  function")
    ranked = sorted(raw.items(), key=lambda kv: kv[1][2], reverse=True)[:top]
    for (filename, line, name), (_cc, calls, own, cum, _callers) in ranked:
        where = filename.split("site-packages/")[-1].replace(os.getcwd() + "/", "")
        print(f"{own / total:6.1%} {cum / total:6.1%} {calls:9d}  {where}:{line}({name})")
    groups: Counter[str] = Counter()
    for (filename, _line, _name), entry in raw.items():
        groups[_group(filename)] += entry[2]
    print("\nown time by package:")
    for name, seconds in groups.most_common():
        print(f"  {seconds / total:6.1%}  {name}")


def _profile(fn: Callable[[], Any]) -> cProfile.Profile:
    profile = cProfile.Profile()
    profile.enable()
    try:
        fn()
    finally:
        profile.disable()
    return profile


def profile_request(url: str, validate: bool, calls: int = 1000) -> cProfile.Profile:
    from stripe_credit_notes import Client

    from .overhead import PARAMS

    with Client("sk_test_x", base_url=url, max_retries=0) as client:
        for _ in range(50):
            client.credit_notes.create(**PARAMS, validate=validate)

        def run() -> None:
            for _ in range(calls):
                client.credit_notes.create(**PARAMS, validate=validate)

        return _profile(run)


def profile_async(url: str, calls: int = 1000, concurrency: int = 50) -> cProfile.Profile:
    from .concurrency import _drive, _sdk

    async def main() -> cProfile.Profile:
        call, close = _sdk(url, "retrieve")
        try:
            await _drive(call, 2 * concurrency, concurrency)
            profile = cProfile.Profile()
            profile.enable()
            try:
                await _drive(call, calls, concurrency)
            finally:
                profile.disable()
            return profile
        finally:
            await close()

    return asyncio.run(main())


def profile_decode(rounds: int = 50) -> cProfile.Profile:
    import json

    from stripe_credit_notes import from_dict
    from stripe_credit_notes.models import CreditNoteList

    from .decode import page_bytes

    raw = page_bytes()
    from_dict(CreditNoteList, json.loads(raw))

    def run() -> None:
        for _ in range(rounds):
            from_dict(CreditNoteList, json.loads(raw))

    return _profile(run)


def profile_paging(url: str, count: int = 20000) -> cProfile.Profile:
    from stripe_credit_notes import Client

    with Client("sk_test_x", base_url=url, max_retries=0) as client:
        list(client.credit_notes.list(limit=1, customer="cus_total1"))

        def run() -> None:
            for _ in client.credit_notes.list(limit=100, customer=f"cus_total{count}"):
                pass

        return _profile(run)


_STDLIB_NAMES = frozenset(sys.stdlib_module_names)


def _import_group(chain: list[str]) -> str:
    """Who to charge a module's own import time to; ``chain`` runs from the top-level import."""
    name = chain[-1]
    top = name.split(".")[0]
    if name.startswith("stripe_credit_notes.models"):
        return "SDK: models.py (generated attrs classes)"
    if top == "stripe_credit_notes":
        return "SDK: other modules"
    if top in ("httpx", "httpcore", "h11", "anyio", "idna", "certifi", "sniffio"):
        return "httpx and its stack"
    if top in ("attr", "attrs"):
        return "attrs"
    if top not in _STDLIB_NAMES and not top.startswith("_"):
        return top
    # A standard-library module: charge it to the outermost standard-library module of the
    # run of them it was imported through (asyncio, not asyncio.base_events or inspect).
    owner = name
    for ancestor in reversed(chain[:-1]):
        first = ancestor.split(".")[0]
        if first not in _STDLIB_NAMES and not first.startswith("_"):
            break
        owner = ancestor
    return f"stdlib: {owner.split('.')[0]}"


def _import_breakdown(statement: str, env: dict[str, str]) -> Counter[str]:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", statement],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        env=env,
    )
    entries: list[tuple[int, str, int]] = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "imported package" in line:
            continue
        own_us, _cum, raw = line[len("import time:") :].split("|")
        depth = (len(raw) - len(raw.lstrip()) - 1) // 2
        entries.append((depth, raw.strip(), int(own_us)))
    # -X importtime prints children before their parent; walk backwards to know the parents.
    groups: Counter[str] = Counter()
    stack: list[tuple[int, str]] = []
    for depth, name, own in reversed(entries):
        while stack and stack[-1][0] >= depth:
            stack.pop()
        chain = [n for _, n in stack] + [name]
        groups[_import_group(chain)] += own
        stack.append((depth, name))
    return groups


def profile_import(runs: int = 9) -> None:
    """Own import time per group, ``from stripe_credit_notes import Client`` vs ``import httpx``."""
    import statistics
    import tempfile

    from .imports import bytecode_env

    statements = {"httpx": "import httpx", "Client": "from stripe_credit_notes import Client"}
    with tempfile.TemporaryDirectory(prefix="bench-pycache-") as cache_dir:
        env = bytecode_env(cache_dir)
        for statement in statements.values():
            _import_breakdown(statement, env)
        samples: dict[str, list[Counter[str]]] = {k: [] for k in statements}
        for _ in range(runs):
            for key, statement in statements.items():
                samples[key].append(_import_breakdown(statement, env))
    groups = sorted(set().union(*samples["Client"], *samples["httpx"]))

    def med(key: str, group: str) -> float:
        return statistics.median(c[group] for c in samples[key]) / 1e3

    rows = [(g, med("httpx", g), med("Client", g)) for g in groups]
    rows.sort(key=lambda r: r[2] - r[1], reverse=True)
    print(f"\n## import: own time per group, median of {runs} runs (ms)\n")
    print(f"{'import httpx':>13} {'Client':>8} {'extra':>7}  group")
    for group, floor, sdk in rows:
        if max(floor, sdk) >= 0.3:
            print(f"{floor:13.1f} {sdk:8.1f} {sdk - floor:7.1f}  {group}")
    total_floor = sum(r[1] for r in rows)
    total_sdk = sum(r[2] for r in rows)
    print(f"{total_floor:13.1f} {total_sdk:8.1f} {total_sdk - total_floor:7.1f}  total logged")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="*", choices=CASES, default=list(CASES))
    parser.add_argument("--top", type=int, default=20)
    args = parser.parse_args()
    warnings.simplefilter("ignore", DeprecationWarning)
    if "import" in args.cases:
        profile_import()
    with running_server() as url:
        for case in args.cases:
            if case == "request":
                report(
                    profile_request(url, False), "request: 1,000 creates, validate=False", args.top
                )
            elif case == "validate":
                report(
                    profile_request(url, True), "request: 1,000 creates, validate=True", args.top
                )
            elif case == "async":
                report(profile_async(url), "async: 1,000 retrieves at concurrency 50", args.top)
            elif case == "decode":
                report(profile_decode(), "decode: 50 x 100-item page", args.top)
            elif case == "paging":
                report(profile_paging(url), "paging: 20,000 items", args.top)


if __name__ == "__main__":
    main()
