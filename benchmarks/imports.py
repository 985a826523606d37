"""Import time: each statement in a fresh interpreter, minus an interpreter that runs ``pass``.

Two measures per statement, both medians over the runs:

* wall: ``perf_counter`` around ``subprocess.run([python, "-c", stmt])`` minus the same for
  ``pass``: what a user waits for, start-up noise included;
* importtime: the sum of the top-level ``cumulative`` figures that ``python -X importtime``
  reports for ``stmt``, minus the same sum for ``pass``: CPU spent importing only.

Every interpreter loads bytecode from one shared ``PYTHONPYCACHEPREFIX`` tree (see
:func:`bytecode_env`), as an installed package would. Statements run round-robin (one of each, then again), so drift on the machine hits every
statement alike. Run alone: ``python -m benchmarks.imports [--runs N]``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable

from ._report import Row, median, progress
from .server import ROOT

BASELINE = "pass"
STATEMENTS = {
    "floor": "import httpx",
    "sdk": "import stripe_credit_notes",
    "sdk_client": "from stripe_credit_notes import Client",
    "stripe": "import stripe",
    "stripe_client": "from stripe import StripeClient",
}

# Cold start: import, build a client, retrieve one credit note from the loopback server and
# decode it. The SDK loads its models and decoders on first use, so its import rows alone
# would hide that cost; these rows put it back. {url} is the benchmark server.
COLD_START = {
    "floor_first": (
        "import httpx, json; c = httpx.Client(); "
        "json.loads(c.get('{url}/v1/credit_notes/cn_1').content)"
    ),
    "sdk_first": (
        "from stripe_credit_notes import Client; "
        "Client('sk_test_x', base_url='{url}', max_retries=0).credit_notes.retrieve('cn_1')"
    ),
    "stripe_first": (
        "import stripe; stripe.StripeClient('sk_test_x', base_addresses={{'api': '{url}'}}, "
        "http_client=stripe.HTTPXClient(allow_sync_methods=True), max_network_retries=0)"
        ".v1.credit_notes.retrieve('cn_1')"
    ),
}


def bytecode_env(cache_dir: str) -> dict[str, str]:
    """The environment with bytecode caching on, its ``.pyc`` files kept under ``cache_dir``.

    The dev environment sets ``PYTHONDONTWRITEBYTECODE``, and this repo is installed editable,
    so without this the SDK would be compiled from source on every import while httpx and
    stripe load the ``.pyc`` files pip wrote at install time. A ``PYTHONPYCACHEPREFIX`` tree
    outside the repo gives every package the same treatment (compiled once, by the untimed
    warm-up run) without writing into the source tree.
    """
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = cache_dir
    return env


def _run(statement: str, env: dict[str, str], *, importtime: bool) -> tuple[float, float]:
    """(wall seconds, summed top-level import microseconds) of one fresh interpreter."""
    args = [sys.executable, *(["-X", "importtime"] if importtime else []), "-c", statement]
    start = time.perf_counter()
    done = subprocess.run(
        args, capture_output=True, text=True, timeout=60, check=True, env=env, cwd=ROOT
    )
    wall = time.perf_counter() - start
    cumulative = 0.0
    if importtime:
        for line in done.stderr.splitlines():
            # "import time:      self [us] | cumulative | imported package"
            if not line.startswith("import time:"):
                continue
            _, cum, name = line[len("import time:") :].split("|")
            if name.startswith(" ") and not name.startswith("  ") and cum.strip().isdigit():
                cumulative += int(cum)
    return wall, cumulative


def measure(runs: int, url: str) -> dict[str, tuple[float, float]]:
    """Statement key -> (median wall ms, median importtime ms), each minus the baseline."""
    cold = {key: text.format(url=url) for key, text in COLD_START.items()}
    statements = {"baseline": BASELINE, **STATEMENTS, **cold}
    keys = list(statements)
    walls: dict[str, list[float]] = {k: [] for k in keys}
    cums: dict[str, list[float]] = {k: [] for k in keys}
    with tempfile.TemporaryDirectory(prefix="bench-pycache-") as cache_dir:
        env = bytecode_env(cache_dir)
        for key in keys:  # untimed: write the .pyc files, warm the OS file cache
            _run(statements[key], env, importtime=False)
        for _ in range(runs):
            for key in keys:
                walls[key].append(_run(statements[key], env, importtime=False)[0])
                cums[key].append(_run(statements[key], env, importtime=True)[1])
    base_wall, base_cum = median(walls["baseline"]), median(cums["baseline"])
    return {
        key: (
            (median(walls[key]) - base_wall) * 1e3,
            (median(cums[key]) - base_cum) / 1e3,
        )
        for key in statements
        if key != "baseline"
    }


def _check(bound: float) -> Callable[[Row], bool | None]:
    """SDK at most ``bound`` times the floor, and below stripe."""

    def check(row: Row) -> bool | None:
        if row.sdk is None or row.floor is None or row.stripe is None:
            return None
        return row.sdk <= bound * row.floor and row.sdk < row.stripe

    return check


def rows(runs: int) -> list[Row]:
    from .server import running_server

    progress(f"import: {runs} fresh interpreters per statement ...")
    with running_server() as url:
        got = measure(runs, url)
    out = []
    for label, index, unit, checked in (
        ("wall", 0, "ms wall", True),
        ("-X importtime", 1, "ms import", False),
    ):
        for case, sdk, theirs, bound in (
            ("`import X`", "sdk", "stripe", 1.5),
            ("client class", "sdk_client", "stripe_client", 1.3),
        ):
            out.append(
                Row(
                    f"import: {case} ({label})",
                    unit,
                    got["floor"][index],
                    got[sdk][index],
                    got[theirs][index],
                    target=f"SDK <= {bound}x floor, < stripe" if checked else "info",
                    check=_check(bound) if checked else None,
                )
            )
    out[0].note = (
        "floor `import httpx`; SDK `import stripe_credit_notes`; stripe `import stripe`. "
        "Client rows: `from stripe_credit_notes import Client` vs `from stripe import "
        "StripeClient`, same floor. Each figure is minus `python -c pass`; median of "
        f"{runs} fresh interpreters each, bytecode cached."
    )
    out.append(
        Row(
            "cold start: import + client + first retrieve",
            "ms wall",
            got["floor_first"][0],
            got["sdk_first"][0],
            got["stripe_first"][0],
            target="SDK <= 1.3x floor, < stripe",
            check=_check(1.3),
            note=(
                "a fresh interpreter that imports, builds a client and decodes one credit note "
                "from the loopback server: the SDK loads its models and decoders on first use,"
                " so this row carries what the import rows leave out. Floor: httpx + "
                "json.loads."
            ),
        )
    )
    out[2].note = (
        "sum of top-level cumulative times: a lower bound, since modules loaded through "
        "importlib.import_module (the SDK's lazy `_client`, stripe's lazy attributes) are not "
        "logged themselves (their imports are); the wall rows carry the target."
    )
    return out


def main() -> None:
    from ._report import render

    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    print(render(rows(parser.parse_args().runs)))


if __name__ == "__main__":
    main()
