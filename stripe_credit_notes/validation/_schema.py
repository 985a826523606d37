"""Checking parameter values against the spec's schemas (``_param_schemas``, generated).

The hand-written rules cover what the spec cannot say (allocation arithmetic, which line fields
go with which line type); this walker covers what it does say, for every parameter and at every
depth: JSON types, enum values and required keys of nested objects. It is deliberately lenient
where Stripe is:

* ``None`` is "not given" and ``""`` is Stripe's "unset": neither is checked here (a required
  key that is missing or unset is reported by the rule that owns it, e.g. ``invoice.required``);
* a string parameter also accepts an ``int`` (the wire carries both as the same digits);
* enums marked ``x-stripeBypassValidation`` in the spec (``reason``) accept any string, and no
  enum is checked for a pinned version newer than the spec, which may know more values;
* keys the spec does not list are left alone (a newer API may have added them).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

__all__ = ["schema_problem"]

_DECIMAL_TEXT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")


def schema_problem(
    value: Any, node: Mapping[str, Any], path: str, *, check_enums: bool
) -> tuple[str, str] | None:
    """``(path, what was expected)`` for the first value that does not fit, else ``None``."""
    if value is None or (isinstance(value, str) and value == ""):
        return None
    if "anyOf" in node:
        problems = [schema_problem(value, m, path, check_enums=check_enums) for m in node["anyOf"]]
        if any(p is None for p in problems):
            return None
        # Report the deepest explanation: the member that got furthest into the value.
        return max((p for p in problems if p is not None), key=lambda p: len(p[0]))
    kind = node.get("type")
    if kind == "integer":
        ok = isinstance(value, int) and not isinstance(value, bool)
        return None if ok else (path, "an integer")
    if kind == "boolean":
        return None if isinstance(value, bool) else (path, "true or false")
    if kind == "string":
        return _string_problem(value, node, path, check_enums)
    if kind == "array":
        if not isinstance(value, (list, tuple)):
            return (path, "a list")
        for index, item in enumerate(value):
            problem = schema_problem(
                item, node["items"], f"{path}[{index}]", check_enums=check_enums
            )
            if problem is not None:
                return problem
        return None
    if kind == "object":
        return _object_problem(value, node, path, check_enums)
    return None


def _string_problem(
    value: Any, node: Mapping[str, Any], path: str, check_enums: bool
) -> tuple[str, str] | None:
    if node.get("format") == "decimal":
        ok = (
            (isinstance(value, Decimal) and value.is_finite())
            or (isinstance(value, int) and not isinstance(value, bool))
            or (isinstance(value, str) and _DECIMAL_TEXT.fullmatch(value) is not None)
        )
        return None if ok else (path, "a decimal (Decimal, int or a plain decimal string)")
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return (path, "a string")
    enum = node.get("enum")
    if check_enums and enum and not node.get("bypass") and value not in enum:
        return (path, "one of " + ", ".join(repr(v) for v in enum))
    return None


def _object_problem(
    value: Any, node: Mapping[str, Any], path: str, check_enums: bool
) -> tuple[str, str] | None:
    if not isinstance(value, Mapping):
        return (path, "a dict")
    for key in node.get("required", ()):
        if value.get(key) is None:
            return (f"{path}[{key}]", "given (it is required)")
    properties: Mapping[str, Any] = node.get("properties", {})
    values_node = node.get("additionalProperties")
    for key, item in value.items():
        sub = properties.get(key, values_node)
        if sub is not None:
            problem = schema_problem(item, sub, f"{path}[{key}]", check_enums=check_enums)
            if problem is not None:
                return problem
    return None
