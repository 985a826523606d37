"""Checking parameter values against the spec's schemas (``_param_schemas``, generated).

The hand-written rules cover what the spec cannot say (allocation arithmetic, which line fields
go with which line type); this walker covers what it does say, for every parameter and at every
depth: JSON types, enum values and required keys of nested objects. It is deliberately lenient
where Stripe is:

* ``None`` is "not given" and is not checked here (a required key that is missing is reported
  by the rule that owns it, e.g. ``invoice.required``);
* ``""`` is Stripe's "unset", accepted exactly where the spec offers it (an
  ``anyOf [..., enum [""]]`` member, e.g. ``lines[][tax_rates]``), for ``metadata`` (the
  generator marks it ``unset``: Stripe documents it) and as the value of a string parameter;
  anywhere else (an integer, a list, an object, an enum) it is refused;
* a string parameter also accepts an ``int`` (the wire carries both as the same digits);
* enums marked ``x-stripeBypassValidation`` in the spec (``reason``) accept any string, and no
  enum is checked for a pinned version newer than the spec, which may know more values;
* keys the spec does not list are left alone (a newer API may have added them).

It runs before every request, so each schema node is compiled once into a small closure, and
the bracket path of a value is only built when that value is wrong.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from ._bounds import _INT_LIMIT, MAX_DEPTH, fits_at, short

__all__ = [
    "compiled",
    "fits_schema",
    "located",
    "property_checkers",
    "schema_problem",
    "schema_violation",
]

_DECIMAL_TEXT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")

# A failure: the path below the checked value (innermost last), what was expected there, and
# the value found there.
_Failure = tuple[tuple[str, ...], str, Any]
_Checker = Callable[[Any, bool], "_Failure | None"]

_COMPILED: dict[int, tuple[Mapping[str, Any], _Checker]] = {}


def compiled(node: Mapping[str, Any]) -> _Checker:
    """The checker of a schema node, compiled on first use (nodes are module constants)."""
    entry = _COMPILED.get(id(node))
    if entry is None or entry[0] is not node:
        entry = (node, _compile(node))
        _COMPILED[id(node)] = entry
    return entry[1]


_PROPERTIES: dict[int, tuple[Mapping[str, Any], dict[str, _Checker]]] = {}


def property_checkers(schema: Mapping[str, Any]) -> dict[str, _Checker]:
    """The checker of each top-level property of an operation's schema, compiled once.

    The same checkers as :func:`compiled` gives for each ``schema["properties"]`` node, in one
    dict, so a request costs one lookup per parameter instead of a compile-cache lookup.
    """
    entry = _PROPERTIES.get(id(schema))
    if entry is None or entry[0] is not schema:
        checkers = {name: compiled(node) for name, node in schema["properties"].items()}
        entry = (schema, checkers)
        _PROPERTIES[id(schema)] = entry
    return entry[1]


def located(path: str, failure: _Failure) -> tuple[str, str, Any]:
    """A checker's failure as ``(bracket path from path, what was expected, value found)``."""
    parts, expected, found = failure
    return path + "".join(f"[{short(p)}]" for p in parts), expected, found


def schema_violation(
    value: Any, node: Mapping[str, Any], path: str, *, check_enums: bool
) -> tuple[str, str, Any] | None:
    """``(path, what was expected, the value found)`` for the first value that does not fit."""
    failure = compiled(node)(value, check_enums)
    return None if failure is None else located(path, failure)


def schema_problem(
    value: Any, node: Mapping[str, Any], path: str, *, check_enums: bool
) -> tuple[str, str] | None:
    """``(path, what was expected)`` for the first value that does not fit, else ``None``."""
    violation = schema_violation(value, node, path, check_enums=check_enums)
    return None if violation is None else violation[:2]


def _compile(node: Mapping[str, Any]) -> _Checker:
    checker = _compile_type(node)
    return _or_unset(checker) if node.get("unset") else checker


def _or_unset(checker: _Checker) -> _Checker:
    def check(value: Any, check_enums: bool) -> _Failure | None:
        return None if value.__class__ is str and value == "" else checker(value, check_enums)

    return check


def _compile_type(node: Mapping[str, Any]) -> _Checker:
    if "anyOf" in node:
        return _any_of([_compile(member) for member in node["anyOf"]])
    kind = node.get("type")
    if kind == "integer":
        return _integer
    if kind == "boolean":
        return _boolean
    if kind == "string" and node.get("format") == "decimal":
        return _decimal
    if kind == "string":
        enum = node.get("enum")
        if enum and not node.get("bypass"):
            return _enum(frozenset(enum), "one of " + ", ".join(repr(v) for v in enum))
        return _string
    if kind == "array":
        return _array(_compile(node["items"]))
    if kind == "object":
        properties = {key: _compile(sub) for key, sub in node.get("properties", {}).items()}
        extra = node.get("additionalProperties")
        values = _compile(extra) if isinstance(extra, Mapping) else None
        return _object(properties, tuple(node.get("required", ())), values)
    return _anything


def _anything(value: Any, check_enums: bool) -> _Failure | None:
    return None


def _integer(value: Any, check_enums: bool) -> _Failure | None:
    if value.__class__ is int or value is None:
        return None
    ok = isinstance(value, int) and not isinstance(value, bool)
    return None if ok else ((), "an integer", value)


def _boolean(value: Any, check_enums: bool) -> _Failure | None:
    return None if isinstance(value, bool) or value is None else ((), "true or false", value)


def _string(value: Any, check_enums: bool) -> _Failure | None:
    if value.__class__ is str or value is None:
        return None
    ok = isinstance(value, (str, int)) and not isinstance(value, bool)
    return None if ok else ((), "a string", value)


def _decimal(value: Any, check_enums: bool) -> _Failure | None:
    if value is None:
        return None
    ok = (
        (isinstance(value, Decimal) and value.is_finite())
        or (isinstance(value, int) and not isinstance(value, bool))
        or (isinstance(value, str) and _DECIMAL_TEXT.fullmatch(value) is not None)
    )
    return None if ok else ((), "a decimal (Decimal, int or a plain decimal string)", value)


def _enum(values: frozenset[str], expected: str) -> _Checker:
    # `enum [""]` is the spec's "unset" marker, not a list a newer version may extend; and no
    # version adds "" to a real enum.
    always = values == frozenset({""})

    def check(value: Any, check_enums: bool) -> _Failure | None:
        failure = _string(value, check_enums)
        if failure is not None or value is None or value in values:
            return failure
        if check_enums or always or value == "":
            return ((), expected, value)
        return None

    return check


def _any_of(members: list[_Checker]) -> _Checker:
    def check(value: Any, check_enums: bool) -> _Failure | None:
        if value is None:
            return None
        failures = []
        for member in members:
            failure = member(value, check_enums)
            if failure is None:
                return None
            failures.append(failure)
        # Report the deepest explanation: the member that got furthest into the value.
        return max(failures, key=lambda f: len(f[0]))

    return check


def _array(item: _Checker) -> _Checker:
    def check(value: Any, check_enums: bool) -> _Failure | None:
        if value is None:
            return None
        if not isinstance(value, (list, tuple)):
            return ((), "a list", value)
        for index, element in enumerate(value):
            failure = item(element, check_enums)
            if failure is not None:
                return ((str(index), *failure[0]), *failure[1:])
        return None

    return check


def _object(
    properties: Mapping[str, _Checker], required: tuple[str, ...], values: _Checker | None
) -> _Checker:
    def check(value: Any, check_enums: bool) -> _Failure | None:
        if value is None:
            return None
        # `dict` first: the ABC check behind `Mapping` is several times slower.
        if value.__class__ is not dict and not isinstance(value, Mapping):
            return ((), "a dict", value)
        for key in required:
            if value.get(key) is None:
                return ((key,), "given (it is required)", None)
        for key, element in value.items():
            checker = properties.get(key, values)
            if checker is not None:
                failure = checker(element, check_enums)
                if failure is not None:
                    return ((str(key), *failure[0]), *failure[1:])
        return None

    return check


# ----------------------------------------------------------------------------------------------
# The fused fast pass: the schema and the validator's bounds (``_bounds``) in one walk.
#
# ``params.bounds`` and ``params.schema`` both walk every value of every request. For the usual
# request both pass, and one walk can prove it: each node's "fits" closure answers True only if
# the node's checker would accept the value AND the bounds walk would find nothing in it. A
# False says nothing more: the two rules then run their own full checks, which find (and word)
# the first problem exactly as before.

_Fits = Callable[[Any, bool], bool]
_FITS: dict[int, tuple[Mapping[str, Any], dict[str, _Fits]]] = {}


def fits_schema(
    params: Mapping[str, Any], schema: Mapping[str, Any] | None, check_enums: bool
) -> bool:
    """True only when ``params`` are within the bounds and fit ``schema`` (``None``: no schema)."""
    if schema is None:
        return fits_at(params, 0)
    entry = _FITS.get(id(schema))
    if entry is None or entry[0] is not schema:
        properties = schema["properties"]
        entry = (schema, {name: _compile_fits(node, 1) for name, node in properties.items()})
        _FITS[id(schema)] = entry
    fits = entry[1]
    for name, value in params.items():
        check = fits.get(name)
        if not (fits_at(value, 1) if check is None else check(value, check_enums)):
            return False
    return True


def _compile_fits(node: Mapping[str, Any], depth: int) -> _Fits:
    """The fits closure of ``node`` for a value ``depth`` levels down (a parameter is at 1)."""
    checker = _compile(node)
    kind = node.get("type")
    if "anyOf" in node:
        members = [_compile_fits(member, depth) for member in node["anyOf"]]
        fused = _fits_any_of(members)
    elif kind == "array":
        fused = _fits_array(_compile_fits(node["items"], depth + 1), checker, depth)
    elif kind == "object":
        properties = {
            k: _compile_fits(sub, depth + 1) for k, sub in node.get("properties", {}).items()
        }
        extra = node.get("additionalProperties")
        values = _compile_fits(extra, depth + 1) if isinstance(extra, Mapping) else None
        fused = _fits_object(properties, tuple(node.get("required", ())), values, checker, depth)
    else:
        fused = _fits_leaf(node, checker, depth)
    if node.get("unset"):
        inner = fused

        def fused(value: Any, check_enums: bool) -> bool:
            return (value.__class__ is str and value == "") or inner(value, check_enums)

    return fused


def _fits_leaf(node: Mapping[str, Any], checker: _Checker, depth: int) -> _Fits:
    def fits(value: Any, check_enums: bool) -> bool:
        return checker(value, check_enums) is None and fits_at(value, depth)

    # The usual values answered at once; anything else by the checker and the bounds.
    kind = node.get("type")
    if kind == "integer":

        def fits_integer(value: Any, check_enums: bool) -> bool:
            if value.__class__ is int:
                return -_INT_LIMIT < value < _INT_LIMIT
            return value is None or fits(value, check_enums)

        return fits_integer
    if checker is _string:

        def fits_string(value: Any, check_enums: bool) -> bool:
            return value.__class__ is str or value is None or fits(value, check_enums)

        return fits_string
    enum = node.get("enum")
    if kind == "string" and enum and node.get("format") is None:
        known = frozenset(enum)

        def fits_enum(value: Any, check_enums: bool) -> bool:
            return (value.__class__ is str and value in known) or fits(value, check_enums)

        return fits_enum
    return fits


def _fits_any_of(members: list[_Fits]) -> _Fits:
    def fits(value: Any, check_enums: bool) -> bool:
        # A member that fits accepts the value, so the anyOf does; None fits every member.
        return any(member(value, check_enums) for member in members)

    return fits


def _fits_array(item: _Fits, checker: _Checker, depth: int) -> _Fits:
    def fits(value: Any, check_enums: bool) -> bool:
        if value is None:
            return True
        if value.__class__ is not list:  # a tuple, or a wrong type: the two full checks
            return checker(value, check_enums) is None and fits_at(value, depth)
        if depth >= MAX_DEPTH:
            return False
        for element in value:  # noqa: SIM110 - a loop, not all(genexpr): once per request
            if not item(element, check_enums):
                return False
        return True

    return fits


def _fits_object(
    properties: Mapping[str, _Fits],
    required: tuple[str, ...],
    values: _Fits | None,
    checker: _Checker,
    depth: int,
) -> _Fits:
    inner = depth + 1

    def fits(value: Any, check_enums: bool) -> bool:
        if value is None:
            return True
        if value.__class__ is not dict:  # another Mapping, or a wrong type: the full checks
            return checker(value, check_enums) is None and fits_at(value, depth)
        if depth >= MAX_DEPTH:
            return False
        for key in required:
            if value.get(key) is None:
                return False
        for key, element in value.items():
            check = properties.get(key, values)
            if not (fits_at(element, inner) if check is None else check(element, check_enums)):
                return False
        return True

    return fits
