"""``__repr__``, ``__eq__`` and ``__hash__`` shared by every model class.

attrs would write these as source for each class and compile them when ``models`` is imported
(about half of that import's time, paid by every program's first response). The generated
classes take these three instead, which behave like attrs' own: the repr lists the fields that
have ``repr=True`` (not ``extra``), equality compares every field of two objects of the same
class, and the hash combines the same fields (so, like attrs', it fails on the ``extra`` dict).
"""

from __future__ import annotations

from typing import Any

__all__ = ["model_eq", "model_hash", "model_repr"]


def model_repr(self: Any) -> str:
    """``CreditNote(amount=500, ...)``, as attrs writes it."""
    fields = ", ".join(
        f"{a.name}={getattr(self, a.name)!r}" for a in self.__attrs_attrs__ if a.repr
    )
    return f"{type(self).__qualname__}({fields})"


def model_eq(self: Any, other: object) -> bool:
    """Equal when ``other`` is of the same class and every field is equal."""
    names = [a.name for a in self.__attrs_attrs__]
    if type(other) is not type(self):
        different: bool = NotImplemented  # Python then tries other.__eq__, as with attrs
        return different
    mine = tuple(getattr(self, n) for n in names)
    # Tuples, as attrs compares: an identical value is equal without asking it.
    return mine == tuple(getattr(other, n) for n in names)


def model_hash(self: Any) -> int:
    """The hash of the class and every field."""
    return hash((type(self), *(getattr(self, a.name) for a in self.__attrs_attrs__)))
