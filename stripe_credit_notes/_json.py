"""The one JSON parser of response bodies, error bodies and webhook payloads.

With the ``speedups`` extra (``pip install stripe-credit-notes[speedups]``) orjson parses, else
the standard library's ``json.loads``. The choice is made once, when this module is imported;
``STRIPE_CREDIT_NOTES_NO_SPEEDUPS=1`` (any value but empty or ``0``) keeps the standard library
even where orjson is installed.

Both parsers give the same result and the same error for every input: orjson refuses some JSON
the standard library reads (``NaN`` and ``Infinity``, integers beyond 64 bits, UTF-16 and
UTF-32 bodies, escaped lone surrogates, nesting past 1,024 levels) and words its errors in its
own way, so whatever orjson refuses is parsed again by ``json.loads``, whose value or error is
the answer. That costs a second parse only for a body that is not valid JSON, or not the JSON
Stripe sends. Duplicate keys: the last one wins in both. Two differences are left, neither in
anything Stripe sends, and both in docs/performance.md: orjson reads an integer beyond 64 bits
as a float (which a typed integer field then refuses), and it parses nesting between the
interpreter's recursion limit (about 1,000 levels, where ``json.loads`` raises
``RecursionError``) and its own 1,024.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any

__all__ = ["BACKEND", "ENV_NO_SPEEDUPS", "loads", "orjson_loads", "stdlib_loads"]

ENV_NO_SPEEDUPS = "STRIPE_CREDIT_NOTES_NO_SPEEDUPS"
"""Set to ``1`` to parse with the standard library even where orjson is installed."""

stdlib_loads = json.loads
"""The standard library's parser (the default without the ``speedups`` extra)."""


def _import_orjson() -> Any:
    if os.environ.get(ENV_NO_SPEEDUPS, "") not in ("", "0"):
        return None
    try:
        import orjson
    except ImportError:
        return None
    return orjson


_orjson = _import_orjson()


def orjson_loads(data: bytes | str) -> Any:
    """Parse with orjson; what orjson refuses, ``json.loads`` parses (or refuses) instead."""
    try:
        return _orjson.loads(data)
    except _orjson.JSONDecodeError:
        return json.loads(data)


BACKEND = "json" if _orjson is None else "orjson"
"""Which parser :func:`loads` is: ``"orjson"`` or ``"json"``."""

loads: Callable[[bytes | str], Any] = stdlib_loads if _orjson is None else orjson_loads
"""Parse a JSON body (``bytes`` or ``str``) with the parser chosen at import time."""
