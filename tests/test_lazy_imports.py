"""Importing the package (or its Client) does not load what only a request needs."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("stripe_credit_notes.models", "stripe_credit_notes._converter", "cattrs", "tenacity")


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
    assert not loaded & set(HEAVY)


def test_the_converter_loads_them_on_first_use() -> None:
    loaded = loaded_after("import stripe_credit_notes as s; s.converter")
    assert {"stripe_credit_notes.models", "stripe_credit_notes._converter", "cattrs"} <= loaded
