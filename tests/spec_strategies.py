"""Hypothesis strategies for Stripe payloads, built from the vendored OpenAPI spec itself.

They read the spec directly (not the generated code), so they check the generator as well as
the converter: any payload the spec allows must decode and round-trip.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

SPEC_PATH = Path(__file__).parent.parent / "spec" / "credit_notes.openapi.json"
with SPEC_PATH.open(encoding="utf-8") as _f:
    SPEC: dict[str, Any] = json.load(_f)
SCHEMAS: dict[str, Any] = SPEC["components"]["schemas"]

ids = st.from_regex(r"[a-z]{2,4}_[A-Za-z0-9]{4,24}", fullmatch=True)
texts = st.text(max_size=20)
json_scalars = st.none() | st.booleans() | st.integers(-(2**53), 2**53) | texts
# Keys a newer API version might add; never one the schema already declares.
extra_keys = st.from_regex(r"zz_new_[a-z_]{1,12}", fullmatch=True)


def decimal_strings() -> st.SearchStrategy[str]:
    """Stripe's decimal strings: fixed-point, up to 12 places, never exponent notation."""
    return st.builds(
        lambda unscaled, places: format(Decimal(unscaled).scaleb(-places), "f"),
        st.integers(-(10**15), 10**15),
        st.integers(0, 12),
    )


def _ref(node: dict[str, Any]) -> str | None:
    ref = node.get("$ref")
    return ref.rsplit("/", 1)[1] if ref else None


def for_node(node: dict[str, Any], depth: int) -> st.SearchStrategy[Any]:
    target = _ref(node)
    if target is not None:
        return for_schema(target, depth + 1)
    if "anyOf" in node:
        strategy = st.one_of([for_node(m, depth) for m in node["anyOf"]])
    else:
        kind = node.get("type")
        if kind == "integer":
            strategy = st.integers(-(2**53), 2**53)
        elif kind == "boolean":
            strategy = st.booleans()
        elif kind == "number":
            strategy = st.floats(allow_nan=False, allow_infinity=False)
        elif kind == "string" and node.get("format") == "decimal":
            strategy = decimal_strings()
        elif kind == "string" and "enum" in node:
            # Known values, and a value Stripe might add tomorrow.
            strategy = st.sampled_from(node["enum"]) | st.just("zz_future_value")
        elif kind == "string":
            strategy = texts
        elif kind == "array":
            strategy = st.lists(for_node(node["items"], depth + 1), max_size=2 if depth < 3 else 0)
        elif kind == "object" and node.get("properties"):
            strategy = _object(node, depth)
        elif kind == "object":
            strategy = st.dictionaries(texts, texts, max_size=3)
        else:
            raise AssertionError(f"unhandled schema node {node!r}")
    if node.get("nullable"):
        strategy = st.none() | strategy
    return strategy


def _object(schema: dict[str, Any], depth: int) -> st.SearchStrategy[dict[str, Any]]:
    props = schema.get("properties", {})
    required = set(schema.get("required", []))
    req = {k: for_node(v, depth) for k, v in props.items() if k in required}
    opt = {k: for_node(v, depth) for k, v in props.items() if k not in required}
    if "object" in props and props["object"].get("enum"):
        req["object"] = st.just(props["object"]["enum"][0])
    base = st.fixed_dictionaries(req, optional=opt)
    extras = st.dictionaries(extra_keys, json_scalars, max_size=2)
    return st.tuples(base, extras).map(lambda pair: {**pair[1], **pair[0]})


def for_schema(name: str, depth: int = 0) -> st.SearchStrategy[dict[str, Any]]:
    """Payloads of component schema ``name`` (required keys always, optional ones sometimes)."""
    schema = SCHEMAS[name]
    if schema.get("x-stub"):
        # A stub keeps every field it arrives with: give it some unknown ones.
        strategy = _object(schema, depth)
        if schema.get("x-resourceId", "").startswith("deleted_"):
            strategy = strategy.map(lambda d: {**d, "deleted": True})
        return strategy
    if depth > 4:
        return st.nothing()
    return st.deferred(lambda: _object(schema, depth))
