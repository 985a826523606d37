"""Emits ``stripe_credit_notes/_param_schemas.py``: each operation's parameter schemas as data.

Pre-validation walks these to check types, enum values and required nested keys of every
parameter, so that what the spec says about a parameter is enforced from the spec itself, not
from a second, hand-written copy. Only the keys the walker reads are kept.
"""

from __future__ import annotations

import pprint
from typing import Any

from .spec import Schema

KEPT = ("type", "format", "enum", "items", "properties", "required", "anyOf")


def reduce(node: Schema) -> dict[str, Any]:
    """The parts of a schema node the walker uses (no descriptions, titles or lengths)."""
    out: dict[str, Any] = {}
    for key in KEPT:
        if key not in node:
            continue
        value = node[key]
        if key == "items":
            out[key] = reduce(value)
        elif key == "properties":
            out[key] = {name: reduce(sub) for name, sub in sorted(value.items())}
        elif key == "anyOf":
            out[key] = [reduce(sub) for sub in value]
        elif key == "required":
            out[key] = sorted(value)
        else:
            out[key] = value
    extra = node.get("additionalProperties")
    if isinstance(extra, dict):
        out["additionalProperties"] = reduce(extra)
    if node.get("x-stripeBypassValidation"):
        out["bypass"] = True  # Stripe accepts values beyond the listed enum
    return out


def render(operations: dict[tuple[str, str], dict[str, Any]], header: str) -> str:
    """The source text of ``_param_schemas.py``."""
    body = pprint.pformat(operations, width=96, sort_dicts=False)
    return (
        header
        + '"""The parameter schemas of every operation, reduced to what pre-validation checks.\n\n'
        + 'Keyed by ``(resource, method)``, like every operation table.\n"""\n\n'
        + "from __future__ import annotations\n\n"
        + "from typing import Any, Final\n\n"
        + "from ._operation import OperationKey\n\n"
        + "PARAM_SCHEMAS: Final[dict[OperationKey, dict[str, Any]]] = "
        + body
        + "\n"
    )
