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
