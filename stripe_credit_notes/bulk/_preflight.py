"""Pre-flight: every row checked locally, before anything is sent.

The checks are the client's own pre-validation (schema and allocation rules of the pinned
``Stripe-Version``, without the invoice, so nothing is fetched) on the parameters exactly as
they will be sent (marker included), plus what the bulk runner itself needs: a usable row key,
an invoice, and metadata that leaves room for the marker within Stripe's metadata limits.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import ValidationError
from ._keys import MARKER_ROW, MARKER_RUN, marked_params
from ._plan import PlanRow, RowProblem

__all__ = ["MAX_ROW_KEY_LENGTH", "check_row"]

#: Row keys go into metadata values (Stripe: at most 500 characters); keep them short.
MAX_ROW_KEY_LENGTH = 200
# Stripe's documented metadata limits: 50 keys, key names up to 40 characters, values up to 500.
_METADATA_KEYS = 50
_METADATA_KEY_LENGTH = 40
_METADATA_VALUE_LENGTH = 500


def check_row(row: PlanRow, api_version: str, run_id: str) -> RowProblem | None:
    """The first reason Stripe (or the runner) would refuse ``row``, or ``None``."""

    def problem(message: str, param: str | None = None) -> RowProblem:
        return RowProblem(row.line, row.key, message, param)

    key = row.key
    if len(key) > MAX_ROW_KEY_LENGTH:
        return problem(f"key is {len(key)} characters long; at most {MAX_ROW_KEY_LENGTH}", "key")
    if not key.isprintable() or key != key.strip():
        return problem("key must be printable, without leading or trailing spaces", "key")
    invoice = row.params.get("invoice")
    if not isinstance(invoice, str) or not invoice.strip():
        return problem("invoice is required (the id of the invoice to credit)", "invoice")
    metadata = row.params.get("metadata")
    if metadata is not None:
        found = _metadata_problem(metadata)
        if found is not None:
            return problem(found, "metadata")
    if "idempotency_key" in row.params:
        return problem("idempotency_key is derived from the run and the row key; remove it")
    from ..validation import validate_credit_note_params

    try:
        validate_credit_note_params("create", marked_params(row.params, run_id, key), api_version)
    except ValidationError as error:
        return problem(str(error), error.param)
    except (TypeError, ValueError) as error:
        return problem(str(error))
    return None


def _metadata_problem(metadata: Any) -> str | None:
    if not isinstance(metadata, Mapping):
        return "metadata must be an object of string keys and string values"
    for reserved in (MARKER_RUN, MARKER_ROW):
        if reserved in metadata:
            return f"metadata[{reserved}] is reserved for the bulk runner's marker"
    if len(metadata) + 2 > _METADATA_KEYS:
        return f"metadata has {len(metadata)} keys; the marker needs 2 of Stripe's 50"
    for name, value in metadata.items():
        if not isinstance(name, str) or not isinstance(value, str):
            return "metadata keys and values must be strings"
        if len(name) > _METADATA_KEY_LENGTH:
            return f"metadata key {name[:40]!r}... is longer than 40 characters"
        if len(value) > _METADATA_VALUE_LENGTH:
            return f"metadata[{name}] is longer than 500 characters"
    return None
