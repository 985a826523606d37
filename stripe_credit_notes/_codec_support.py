"""What the generated ``_codec`` needs at run time, and ``from_dict`` / ``to_dict``.

The decode functions in ``_codec`` check every value against its field's type; when one does
not fit they raise :class:`DecodeError`, and each enclosing function adds its field to the
error's path on the way out, so the message names the exact place:
``data[3].lines.data[0].amount: expected an integer, got a string '300'``.

Nothing here imports cattrs or the models: decoding a response loads ``models`` and ``_codec``
only. The cattrs converter users may extend lives in ``_converter``.
"""

from __future__ import annotations

import decimal
from collections.abc import Callable, Mapping
from typing import Any, NoReturn, TypeVar

from ._absent import ABSENT
from ._extra import NO_EXTRA
from .errors import MalformedResponseError

__all__ = ["ABSENT", "DecodeError", "MissingFieldError", "from_dict", "to_dict"]

T = TypeVar("T")

_Decoder = Callable[[Any], Any]


class DecodeError(MalformedResponseError):
    """A payload does not fit its model: ``path`` says where, the message says how."""

    def __init__(self, message: str, path: tuple[str, ...] = ()) -> None:
        self.problem = message
        self.path = path
        super().__init__(self._text())

    def _text(self) -> str:
        where = "".join(p if p.startswith("[") else "." + p for p in self.path).lstrip(".")
        return f"{where}: {self.problem}" if where else self.problem

    def within(self, segment: str) -> None:
        """Prefix the path with the field (or ``[index]``) the failing value sits in."""
        self.path = (segment, *self.path)
        self.message = self._text()
        self.args = (self.message,)

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.problem, self.path))


class MissingFieldError(DecodeError, KeyError):
    """A key the model requires is not in the payload (a ``KeyError`` too, as it always was)."""


def expected(what: str, got: object) -> DecodeError:
    """The error for a value of the wrong JSON type."""
    return DecodeError(f"expected {what}, got {describe(got)}")


def missing(field: str) -> MissingFieldError:
    """The error for a required key the payload lacks."""
    return MissingFieldError("required, but not in the payload", (field,))


_JSON_NAMES = {
    type(None): "null",
    bool: "a boolean",
    int: "an integer",
    float: "a number",
    str: "a string",
    list: "an array",
    dict: "an object",
}


def describe(value: object) -> str:
    """The JSON kind and a short, bounded repr of ``value`` (safe on deep or huge values)."""
    import reprlib  # only ever on the error path

    if value is None:
        return "null"
    kind = _JSON_NAMES.get(type(value), type(value).__name__)
    short = reprlib.Repr()  # bounded depth and length (keyword arguments need Python 3.12)
    short.maxlevel = 2
    short.maxstring = short.maxother = short.maxlong = 40
    return f"{kind} {short.repr(value)}"


def mapping(value: Any) -> Mapping[str, Any]:
    """``value`` when it is a JSON object (any ``Mapping``); raise otherwise."""
    if isinstance(value, Mapping):
        return value
    raise expected("an object", value)


def decimal_value(value: Any) -> decimal.Decimal:
    """A ``Decimal`` from Stripe's decimal string; raise unless it is a finite number."""
    if value.__class__ is str:
        try:
            number = decimal.Decimal(value)
        except decimal.InvalidOperation:
            pass
        else:
            if number.is_finite():
                return number
    raise expected("a decimal string", value)


def str_mapping(value: Any) -> Mapping[str, str]:
    """``value`` when it is an object of strings (``metadata``); raise otherwise."""
    items = mapping(value)
    for key, item in items.items():
        if item.__class__ is not str:
            error = expected("a string", item)
            error.within(str(key))
            raise error
    return items


def str_list(value: Any) -> list[str]:
    """``value`` when it is an array of strings; raise otherwise."""
    if value.__class__ is not list:
        raise expected("an array", value)
    for i, item in enumerate(value):
        if item.__class__ is not str:
            error = expected("a string", item)
            error.within(f"[{i}]")
            raise error
    return value


def item_failed(decode: Callable[[Any], object], items: list[Any]) -> NoReturn:
    """Raise the error of the first item of ``items`` that ``decode`` refuses, at its index.

    The decoders build their lists with a comprehension and call this only when one raised:
    decoding again, item by item, names the failing one (``lines.data[3].amount``).
    """
    for i, item in enumerate(items):
        try:
            decode(item)
        except DecodeError as exc:
            exc.within(f"[{i}]")
            raise exc from None  # the first attempt's error says the same, without the index
    raise AssertionError("unreachable: an item failed before")  # pragma: no cover


def one_of(table: Mapping[tuple[object, bool], _Decoder], default: _Decoder, value: Any) -> Any:
    """Decode with the function for the payload's ``object`` and ``deleted`` keys."""
    if value.__class__ is not dict:
        value = mapping(value)
    return table.get((value.get("object"), bool(value.get("deleted"))), default)(value)


_KNOWN: dict[type, frozenset[str]] = {}


def unknown_fields(payload: Mapping[str, Any], cls: type) -> dict[str, Any]:
    """The keys of ``payload`` that ``cls`` does not declare (they go to ``extra``)."""
    known = _KNOWN.get(cls)
    if known is None:
        import attrs

        known = frozenset(f.name for f in attrs.fields(cls) if f.name != "extra")
        _KNOWN[cls] = known
    return {k: v for k, v in payload.items() if k not in known}


def structure_stub(cls: type[T], builder: type, o: Any) -> T:
    """Decode a stub (a foreign resource kept as ``id`` and ``object``; the rest is ``extra``).

    The sixteen stub classes have the same two fields, so they share this one function;
    ``builder`` is the class's mutable twin (see ``_codec``).
    """
    if o.__class__ is not dict:
        o = mapping(o)
    f = "id"
    try:
        id_ = o["id"]
        if id_.__class__ is not str:
            raise expected("a string", id_)
        f = "object"
        object_ = o["object"]
        if object_.__class__ is not str:
            raise expected("a string", object_)
    except DecodeError as exc:
        exc.within(f)
        raise
    except KeyError:
        raise missing(f) from None
    if len(o) == 2:
        extra: Mapping[str, Any] = NO_EXTRA
    else:  # usually: a stub keeps the rest of its object, and a copy is cheaper than a filter
        rest = dict(o)
        del rest["id"], rest["object"]
        extra = rest
    obj: Any = builder()  # no `__init__`: its slots are still empty
    obj.id = id_
    obj.object = object_
    obj.extra = extra
    obj.__class__ = cls  # frozen from here on
    result: T = obj
    return result


def unstructure_stub(obj: Any) -> dict[str, Any]:
    """The JSON object of a stub."""
    d = {"id": obj.id, "object": obj.object}
    if obj.extra:
        d.update(obj.extra)
    return d


def from_dict(cls: type[T], data: Mapping[str, Any]) -> T:
    """Decode a Stripe JSON object (as ``json.loads`` returns it) into the model ``cls``.

    Raises :class:`~stripe_credit_notes.errors.MalformedResponseError` naming the field when
    the payload does not fit (a missing required field is also a ``KeyError``). A class that is
    not one of the generated models is decoded by the cattrs ``converter``, with the hooks
    registered there.
    """
    from ._codec import STRUCTURE

    decode = STRUCTURE.get(cls)
    if decode is None:
        from ._converter import converter

        return converter.structure(data, cls)
    result: T = decode(data)
    return result


def to_dict(obj: Any) -> dict[str, Any]:
    """Encode a model back to Stripe's JSON shape (absent fields omitted, ``extra`` included)."""
    from ._codec import UNSTRUCTURE

    encode = UNSTRUCTURE.get(type(obj))
    if encode is None:
        from ._converter import converter

        result: dict[str, Any] = converter.unstructure(obj)
        return result
    return encode(obj)
