"""Shared test helpers: fixtures loaded from tests/fixtures (copied from ../shared/spec)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

# The emulator's fixtures come from the package's pytest11 entry point, as in users' suites;
# pytester runs users' test files in temporary projects (tests/test_pytest_plugin.py).
pytest_plugins = ["pytester"]

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = Path(__file__).parent.parent


def load_fixture(name: str) -> dict[str, Any]:
    with (FIXTURES / name).open(encoding="utf-8") as f:
        data: dict[str, Any] = json.load(f)
    return data


NEWEST_FIXTURE = "2026-07-29.fixtures3.credit_notes.json"
OLDER_FIXTURE = "2023-04-28.fixtures3.credit_notes.json"


@pytest.fixture(params=[NEWEST_FIXTURE, OLDER_FIXTURE])
def fixture_file(request: pytest.FixtureRequest) -> dict[str, Any]:
    return load_fixture(request.param)


@pytest.fixture(params=["json", "orjson"])
def json_backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The test runs once on each parser of response bodies (``stripe_credit_notes._json``).

    orjson is in the test extra, so every venv has both; without it the orjson run is skipped.
    Whatever ``STRIPE_CREDIT_NOTES_NO_SPEEDUPS`` chose at import, the parser is set here.
    """
    from stripe_credit_notes import _json

    if request.param == "orjson":
        monkeypatch.setattr(_json, "_orjson", pytest.importorskip("orjson"))
        monkeypatch.setattr(_json, "loads", _json.orjson_loads)
    else:
        monkeypatch.setattr(_json, "loads", _json.stdlib_loads)
    return str(request.param)
