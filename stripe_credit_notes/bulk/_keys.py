"""What ties a credit note to its row: the idempotency key and the metadata marker.

Both are pure functions of the run id and the row key, so a resumed run (same journal, same run
id) sends exactly the key and the marker the first attempt sent, and can recognise the note the
first attempt made even after Stripe has forgotten the key.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Mapping
from typing import Any

__all__ = [
    "MARKER_ROW",
    "MARKER_RUN",
    "idempotency_key",
    "marked_params",
    "matches_marker",
    "new_run_id",
    "params_digest",
]

#: Metadata keys every note of a bulk run carries (Stripe allows 50 keys of up to 40 characters).
MARKER_RUN = "scn_bulk_run"
MARKER_ROW = "scn_bulk_row"

_KEY_PREFIX = "scn-bulk-v1-"


def new_run_id() -> str:
    """A fresh run id: 20 random hex characters (80 bits)."""
    return secrets.token_hex(10)


def idempotency_key(run_id: str, row_key: str) -> str:
    """The row's ``Idempotency-Key``: the same run and row always give the same key.

    Hashed so that any row key fits Stripe's 255-character limit and the key reveals nothing
    of the row; the run id keeps two runs of the same plan apart.
    """
    digest = hashlib.sha256(f"{run_id}\x00{row_key}".encode()).hexdigest()
    return f"{_KEY_PREFIX}{run_id}-{digest[:40]}"


def marked_params(params: Mapping[str, Any], run_id: str, row_key: str) -> dict[str, Any]:
    """The row's create parameters with the marker added to ``metadata``."""
    metadata = dict(params.get("metadata") or {})
    metadata[MARKER_RUN] = run_id
    metadata[MARKER_ROW] = row_key
    return {**params, "metadata": metadata}


def matches_marker(metadata: Mapping[str, str] | None, run_id: str, row_key: str) -> bool:
    """Whether a note's metadata carries this run's marker for this row."""
    if not metadata:
        return False
    return metadata.get(MARKER_RUN) == run_id and metadata.get(MARKER_ROW) == row_key


def canonical_params(params: Mapping[str, Any]) -> str:
    """The parameters as canonical JSON (sorted keys): what the journal stores."""
    return json.dumps(params, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def params_digest(params: Mapping[str, Any]) -> str:
    """A digest of the canonical parameters: a resumed plan row must keep it."""
    return hashlib.sha256(canonical_params(params).encode()).hexdigest()
