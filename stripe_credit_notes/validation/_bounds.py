"""The validator's own bounds: how deep and how large a value it checks and quotes.

Every rule after ``params.bounds`` may recurse into a value, do arithmetic with it or quote it
in a message. Without a bound, a value nested 1,000 deep ends in ``RecursionError`` and a
5,000-digit int in the interpreter's "Exceeds the limit (4300 digits)" while the message is
built. The walk here is iterative, runs first, and refuses such values with the package's own
error; :func:`quote` keeps every quoted value short whatever it is.
"""

from __future__ import annotations

import reprlib
from collections.abc import Mapping
from typing import Any, Final

__all__ = [
    "MAX_DEPTH",
    "MAX_INT_DIGITS",
    "bounds_violation",
    "fits_at",
    "int_text",
    "quote",
    "short",
]

MAX_DEPTH: Final = 32
"""Deepest nesting checked (the deepest parameter Stripe documents, ``lines[i][tax_amounts]
[j][amount]``, is 4 levels; form decoders refuse far less than 1,000)."""

MAX_INT_DIGITS: Final = 30
"""Largest int checked: 30 digits, beyond any amount, quantity or timestamp Stripe takes."""

_INT_LIMIT: Final = 10**MAX_INT_DIGITS
_SHORT: Final = 40


def int_text(value: int) -> str:
    """``str(value)``, or ``<int of about N digits>`` past :data:`MAX_INT_DIGITS`."""
    if -_INT_LIMIT < value < _INT_LIMIT:
        return str(value)
    # bit_length * log10(2): no decimal conversion, which is what would fail.
    return f"<int of about {int(value.bit_length() * 0.30103) + 1} digits>"


def short(text: str) -> str:
    """``text`` cut to 40 characters (a key or id quoted in a path)."""
    return text if len(text) <= _SHORT else text[:_SHORT] + "..."


class _Quoter(reprlib.Repr):
    def __init__(self) -> None:
        super().__init__()
        self.maxlevel = 2
        self.maxstring = 60
        self.maxother = 60
        self.maxlist = self.maxtuple = self.maxdict = self.maxset = 6

    def repr_int(self, x: int, level: int) -> str:
        return int_text(x)

    def repr_str(self, x: str, level: int) -> str:
        return repr(short(x)) if len(x) > _SHORT else repr(x)


_QUOTER: Final = _Quoter()


def quote(value: object) -> str:
    """A short ``repr`` for messages: bounded depth, length and int size, never an error."""
    if value.__class__ is bool or value is None:
        return repr(value)
    try:
        return _QUOTER.repr(value)
    except Exception:  # a caller's object whose repr fails must not hide the real problem
        return f"<{type(value).__name__}>"


def _segment(key: object) -> str:
    return short(key) if isinstance(key, str) else quote(key)


def fits_at(value: Any, depth: int) -> bool:
    """Whether ``value``, found ``depth`` levels down (a parameter is at 1), is in bounds.

    What :func:`bounds_violation` decides for the whole params, for one value inside them: a
    walk that starts there gives the same answer as the walk from the top passing through it.
    """
    cls = value.__class__
    if cls is str or value is None or cls is bool or cls is float:
        return True
    if cls is int:
        inside: bool = -_INT_LIMIT < value < _INT_LIMIT
        return inside
    if cls is dict or cls is list or isinstance(value, (Mapping, list, tuple)):
        return _fits(value, depth)
    return not isinstance(value, int) or -_INT_LIMIT < value < _INT_LIMIT


def _fits(params: Any, depth: int = 0) -> bool:
    """The fast pass run before every request: no paths, leaves checked without a push."""
    stack: list[tuple[Any, int]] = [(params, depth)]
    while stack:
        value, depth = stack.pop()
        if depth >= MAX_DEPTH:
            return False
        # `dict` first: the ABC check behind `Mapping` is several times slower.
        children = value.values() if isinstance(value, (dict, Mapping)) else value
        for child in children:
            cls = child.__class__
            if cls is str or child is None or cls is bool or cls is float:
                continue
            if cls is int:
                if not -_INT_LIMIT < child < _INT_LIMIT:
                    return False
            elif cls is dict or cls is list or isinstance(child, (Mapping, list, tuple)):
                stack.append((child, depth + 1))
            elif isinstance(child, int) and not -_INT_LIMIT < child < _INT_LIMIT:
                return False
    return True


def bounds_violation(params: Mapping[str, Any]) -> tuple[str, str, str] | None:
    """``(parameter, path, problem)`` for the first value beyond the bounds, else ``None``.

    Iterative, so the depth it can look at is not limited by the interpreter's stack; a cycle
    (a list that contains itself) is reported as too deep.
    """
    if _fits(params):
        return None
    # Only a request that is refused pays for building the path.
    stack: list[tuple[Any, int, str, tuple[object, ...]]] = [
        (value, 1, name, ()) for name, value in params.items()
    ]
    while stack:
        value, depth, name, trail = stack.pop()
        cls = value.__class__
        if cls is int:
            if not -_INT_LIMIT < value < _INT_LIMIT:
                return _too_large(name, trail, depth, value)
            continue
        if cls is str or value is None or cls is bool or cls is float:
            continue
        if isinstance(value, Mapping):
            children: Any = value.items()
        elif isinstance(value, (list, tuple)):
            children = enumerate(value)
        else:
            if isinstance(value, int) and not -_INT_LIMIT < value < _INT_LIMIT:
                return _too_large(name, trail, depth, value)
            continue
        if depth >= MAX_DEPTH:
            path = _path(name, trail, depth)
            return name, path, f"{path} holds values nested more than {MAX_DEPTH} levels deep"
        for key, child in children:
            stack.append((child, depth + 1, name, (*trail, key) if len(trail) < 5 else trail))
    raise AssertionError("unreachable: the fast pass found a problem the full walk did not")


def _too_large(
    name: str, trail: tuple[object, ...], depth: int, value: int
) -> tuple[str, str, str]:
    path = _path(name, trail, depth)
    return name, path, f"{path} is an int of more than {MAX_INT_DIGITS} digits ({int_text(value)})"


def _path(name: str, trail: tuple[object, ...], depth: int) -> str:
    """The bracket path of a value: at most five segments, ``[...]`` for the deeper rest."""
    text = short(name) + "".join(f"[{_segment(k)}]" for k in trail)
    return text if depth - 1 == len(trail) else text + "[...]"
