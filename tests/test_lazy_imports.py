"""Importing the package (or its Client) does not load what only a request needs."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("stripe_credit_notes.models", "stripe_credit_notes._converter", "cattrs", "tenacity")
# Recent httpx loads httpcore only when a client builds its connection pool; so does the SDK.
# httpx before 0.27 imports httpcore itself, so what `import httpx` loads is not counted.
POOL = ("httpcore", "h11", "anyio", "stripe_credit_notes._network")


def loaded_after(statement: str) -> set[str]:
    code = f"import sys; {statement}; print(' '.join(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    return set(done.stdout.split())


def test_import_package_is_light() -> None:
    loaded = loaded_after("import stripe_credit_notes")
    assert not loaded & {*HEAVY, "httpx", "stripe_credit_notes._client"}


def test_import_client_defers_models_converter_and_tenacity() -> None:
    loaded = loaded_after("from stripe_credit_notes import Client, AsyncClient")
    assert "httpx" in loaded and "stripe_credit_notes._client" in loaded
    added_by_sdk = loaded - loaded_after("import httpx")
    assert not added_by_sdk & {*HEAVY, *POOL}


def test_building_a_client_loads_the_pool_and_its_deadline_backend() -> None:
    loaded = loaded_after(
        "from stripe_credit_notes import Client; c = Client('sk_test_x'); "
        "from stripe_credit_notes._network import DeadlineBackend as D; "
        "assert isinstance(c._http._transport._pool._network_backend, D); c.close()"
    )
    assert {"httpcore", "stripe_credit_notes._network"} <= loaded


def test_the_converter_loads_them_on_first_use() -> None:
    loaded = loaded_after("import stripe_credit_notes as s; s.converter")
    assert {"stripe_credit_notes.models", "stripe_credit_notes._converter", "cattrs"} <= loaded


def test_a_call_with_retries_runs_without_a_retry_library() -> None:
    # The send loop is the SDK's own: a retry library's per-call state cost more CPU than the
    # rest of the SDK's work (docs/performance.md), so a retried call must not load one.
    loaded = loaded_after(
        "import httpx; from stripe_credit_notes import Client; "
        "replies = iter([httpx.Response(500, json={}), httpx.Response(404, json={})]); "
        "c = Client('sk_test_x', transport=httpx.MockTransport(lambda r: next(replies))); "
        "c._sleep = lambda s: None\n"
        "try: c.credit_notes.retrieve('cn_1')\n"
        "except Exception as e: assert e.http_status == 404 and e.attempts == 2, e\n"
        "c.close()"
    )
    assert "tenacity" not in loaded
