"""Fixtures for the contract suite: where Prism listens and which document it serves.

``contract/run.sh`` starts Prism and sets ``PRISM_URL`` (and ``PRISM_SPEC``, the document Prism
serves). Without ``PRISM_URL`` every test here is skipped, so the ordinary unit run needs
neither Node nor Prism. With it, an unreachable Prism is an error, never a skip.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import httpx
import pytest

from .wire import ROOT, VENDORED_SPEC, load_json

PRISM_URL = os.environ.get("PRISM_URL", "").rstrip("/")
PRISM_SPEC = Path(
    os.environ.get("PRISM_SPEC") or ROOT / "contract" / "build" / "prism.openapi.json"
)
SKIP_REASON = "contract tests need Prism: run `bash contract/run.sh` (PRISM_URL is not set)"
API_KEY = "sk_test_contract_0000000000000000"


@pytest.fixture(scope="session")
def prism_url() -> str:
    """The base URL of the running Prism mock (checked once: it must answer)."""
    if not PRISM_URL:
        pytest.skip(SKIP_REASON)
    try:
        response = httpx.get(
            f"{PRISM_URL}/v1/credit_notes/cn_probe",
            headers={"Authorization": f"Bearer {API_KEY}"},
            timeout=10.0,
        )
    except httpx.HTTPError as exc:
        pytest.fail(f"PRISM_URL={PRISM_URL} is set but Prism does not answer: {exc!r}")
    if response.status_code != 200:
        pytest.fail(f"Prism at {PRISM_URL} answered {response.status_code} to a valid retrieve")
    return PRISM_URL


@pytest.fixture(scope="session")
def served_spec(prism_url: str) -> dict[str, Any]:
    """The document Prism serves (built by contract/make_prism_spec.py)."""
    if not PRISM_SPEC.is_file():
        pytest.fail(f"{PRISM_SPEC} does not exist: build it with contract/make_prism_spec.py")
    return load_json(PRISM_SPEC)


@pytest.fixture(scope="session")
def vendored_spec() -> dict[str, Any]:
    """The vendored spec, untouched: the source of truth for which keys exist."""
    return load_json(VENDORED_SPEC)
