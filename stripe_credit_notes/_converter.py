"""The one converter between Stripe JSON and the models: a cattrs ``Converter``.

Decoding is the SDK's hot path, so each model gets a structure and an unstructure function
written for it once, the first time it is used (a cattrs hook factory), as straight-line Python
compiled with ``exec``: no per-call reflection, no per-field hook lookups.

What the hooks do, field by field:

* JSON scalars (``int``, ``str``, ``bool``, enums, ``dict[str, str]`` metadata, ``list[str]``)
  are taken as they are: ``json.loads`` already produced the right Python type, and an enum
  value Stripe adds tomorrow stays a plain ``str``;
* ``Decimal`` fields are built from Stripe's decimal strings and written back in fixed-point;
* nested objects, lists of objects and expandable fields (``str | Customer | DeletedCustomer``)
  dispatch on the payload's ``object`` (and ``deleted``) keys;
* a key missing from the payload becomes ``ABSENT`` (when the model allows it; otherwise the
  payload is malformed and decoding raises ``KeyError``), a ``null`` becomes ``None``;
* keys the model does not declare are kept in ``extra`` and written back by ``to_dict``, so
  ``to_dict(from_dict(cls, x)) == x`` for any payload, including newer ones.
"""

from __future__ import annotations

import threading
import types
import typing
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, Literal, TypeVar, get_args, get_origin

import attrs
import cattrs

from . import models
from ._absent import ABSENT, _AbsentType

__all__ = ["converter", "from_dict", "to_dict"]

T = TypeVar("T")

_NONE = type(None)
_Hook = Callable[..., Any]


def _is_model(cls: Any) -> bool:
    return isinstance(cls, type) and attrs.has(cls) and cls.__module__ == models.__name__


def _members(tp: Any) -> tuple[Any, ...]:
    """The members of a union type, or the type itself."""
    if get_origin(tp) in (typing.Union, types.UnionType):
        return get_args(tp)
    return (tp,)


def _is_passthrough(tp: Any) -> bool:
    """Types json.loads already produces exactly, so the hook takes the value as it is."""
    if tp in (int, str, bool, float, Any, _NONE) or get_origin(tp) is Literal:
        return True
    origin = get_origin(tp)
    if origin in (dict, list):
        return all(_is_passthrough(m) for a in get_args(tp) for m in _members(a))
    return False


class _HookWriter:
    """Writes the structure/unstructure source of one model class."""

    def __init__(self, conv: CreditNotesConverter) -> None:
        self.conv = conv
        self.env: dict[str, Any] = {"ABSENT": ABSENT, "Decimal": Decimal, "_new": object.__new__}
        self._n = 0

    def name(self, value: Any, prefix: str) -> str:
        """Bind ``value`` in the generated function's globals under a fresh name."""
        self._n += 1
        key = f"_{prefix}{self._n}"
        self.env[key] = value
        return key

    # -- structure ---------------------------------------------------------------------------

    def structure_expr(self, tp: Any, var: str) -> str | None:
        """An expression converting JSON value ``var`` to ``tp``; ``None`` means take it as is."""
        members = [m for m in _members(tp) if m is not _NONE and not _is_passthrough_absent(m)]
        nullable = _NONE in _members(tp)
        if all(_is_passthrough(m) for m in members):
            return None
        models_in = [m for m in members if _is_model(m)]
        if len(members) == 1:
            inner = self._structure_one(members[0], var)
        elif str in members and models_in and len(models_in) + 1 == len(members):
            # Expandable field: an id, or the expanded object.
            inner = f"{var} if {var}.__class__ is str else {self._dispatch(models_in, var)}"
        elif models_in and len(models_in) == len(members):
            inner = self._dispatch(models_in, var)
        else:
            raise TypeError(f"no structure rule for {tp!r}")
        if nullable:
            return f"None if {var} is None else ({inner})"
        return inner

    def _structure_one(self, tp: Any, var: str) -> str:
        if tp is Decimal:
            return f"Decimal({var})"
        if _is_model(tp):
            return f"{self.name(self.conv.structure_fn(tp), 's')}({var})"
        if get_origin(tp) is list:
            (item,) = get_args(tp)
            expr = self.structure_expr(item, "_x")
            return f"[{expr} for _x in {var}]" if expr else var
        if get_origin(tp) is dict:
            _, value = get_args(tp)
            expr = self.structure_expr(value, "_v")
            return f"{{_k: {expr} for _k, _v in {var}.items()}}" if expr else var
        raise TypeError(f"no structure rule for {tp!r}")

    def _dispatch(self, classes: list[type], var: str) -> str:
        if len(classes) == 1:
            return f"{self.name(self.conv.structure_fn(classes[0]), 's')}({var})"
        table: dict[tuple[str | None, bool], _Hook] = {}
        for cls in classes:
            key = (getattr(cls, "_stripe_object", None), getattr(cls, "_stripe_deleted", False))
            table[key] = self.conv.structure_fn(cls)
        fallback = self.conv.structure_fn(classes[0])
        table_name = self.name(table, "table")
        fallback_name = self.name(fallback, "s")
        # An object type this SDK does not know decodes as the first member (never crashes).
        return (
            f"{table_name}.get(({var}.get('object'), bool({var}.get('deleted'))), "
            f"{fallback_name})({var})"
        )

    def structure_source(self, cls: type) -> str:
        fields = attrs.fields(cls)
        known = frozenset(f.name for f in fields if f.name != "extra")
        lines = ["def structure(o, _=None):"]
        args: list[str] = []
        for f in fields:
            if f.name == "extra":
                continue
            optional = f.default is ABSENT
            expr = self.structure_expr(f.type, "v")
            if not optional and expr is None:
                args.append(f"{f.name}=o[{f.name!r}]")
                continue
            getter = f"o.get({f.name!r}, ABSENT)" if optional else f"o[{f.name!r}]"
            if expr is None:
                args.append(f"{f.name}={getter}")
                continue
            lines.append(f"    v = {getter}")
            if optional:
                lines.append(f"    {f.name} = v if v is ABSENT else ({expr})")
            else:
                lines.append(f"    {f.name} = {expr}")
            args.append(f"{f.name}={f.name}")
        known_name = self.name(known, "known")
        lines.append(f"    unknown = o.keys() - {known_name}")
        lines.append("    extra = {k: v for k, v in o.items() if k in unknown} if unknown else {}")
        args.append("extra=extra")
        cls_name = self.name(cls, "cls")
        # The models are frozen and slotted: filling the slots through their descriptors skips
        # __init__'s keyword parsing and frozen-setattr indirection (about 40% of decode time).
        # The models have no validators or converters that this would bypass.
        lines.append(f"    obj = _new({cls_name})")
        for arg in args:
            field_name, value = arg.split("=", 1)
            slot = self.name(getattr(cls, field_name).__set__, "set_" + field_name + "_")
            lines.append(f"    {slot}(obj, {value})")
        lines.append("    return obj")
        return "\n".join(lines)

    # -- unstructure -------------------------------------------------------------------------

    def unstructure_expr(self, tp: Any, var: str) -> str | None:
        members = [m for m in _members(tp) if m is not _NONE and not _is_passthrough_absent(m)]
        nullable = _NONE in _members(tp)
        if all(_is_passthrough(m) for m in members):
            return None
        if len(members) == 1:
            inner = self._unstructure_one(members[0], var)
        else:
            table = {m: self.conv.unstructure_fn(m) for m in members if _is_model(m)}
            inner = (
                f"{var} if {var}.__class__ is str else "
                f"{self.name(table, 'table')}[{var}.__class__]({var})"
            )
        if nullable:
            return f"None if {var} is None else ({inner})"
        return inner

    def _unstructure_one(self, tp: Any, var: str) -> str:
        if tp is Decimal:
            return f"format({var}, 'f')"  # fixed-point, never 1E-7
        if _is_model(tp):
            return f"{self.name(self.conv.unstructure_fn(tp), 'u')}({var})"
        if get_origin(tp) is list:
            (item,) = get_args(tp)
            expr = self.unstructure_expr(item, "_x")
            return f"[{expr} for _x in {var}]" if expr else f"list({var})"
        if get_origin(tp) is dict:
            _, value = get_args(tp)
            expr = self.unstructure_expr(value, "_v")
            return f"{{_k: {expr} for _k, _v in {var}.items()}}" if expr else f"dict({var})"
        raise TypeError(f"no unstructure rule for {tp!r}")

    def unstructure_source(self, cls: type) -> str:
        lines = ["def unstructure(obj):", "    d = {}"]
        for f in attrs.fields(cls):
            if f.name == "extra":
                continue
            optional = f.default is ABSENT
            expr = self.unstructure_expr(f.type, "v")
            lines.append(f"    v = obj.{f.name}")
            indent = "    "
            if optional:
                lines.append("    if v is not ABSENT:")
                indent = "        "
            lines.append(f"{indent}d[{f.name!r}] = {expr or 'v'}")
        lines.append("    if obj.extra:")
        lines.append("        d.update(obj.extra)")
        lines.append("    return d")
        return "\n".join(lines)

    def compile(self, source: str, cls: type, kind: str) -> _Hook:
        code = compile(source, f"<{kind} {cls.__qualname__}>", "exec")
        namespace: dict[str, Any] = {}
        exec(code, self.env, namespace)
        fn: _Hook = namespace[kind]
        return fn


def _is_passthrough_absent(tp: Any) -> bool:
    return tp is _AbsentType or (get_origin(tp) is Literal and get_args(tp) == (ABSENT,))


class CreditNotesConverter(cattrs.Converter):
    """A cattrs converter whose hooks for the SDK's models are generated per class."""

    def __init__(self) -> None:
        super().__init__()
        self._structure_fns: dict[type, _Hook] = {}
        self._unstructure_fns: dict[type, _Hook] = {}
        self._compiling = threading.RLock()
        self.register_structure_hook_factory(_is_model, self.structure_fn)
        self.register_unstructure_hook_factory(_is_model, self.unstructure_fn)

    def structure_fn(self, cls: type) -> _Hook:
        """The (cached) generated structure function of a model class."""
        fn = self._structure_fns.get(cls)
        return fn if fn is not None else self._compile(self._structure_fns, cls, "structure")

    def unstructure_fn(self, cls: type) -> _Hook:
        """The (cached) generated unstructure function of a model class."""
        fn = self._unstructure_fns.get(cls)
        return fn if fn is not None else self._compile(self._unstructure_fns, cls, "unstructure")

    def _compile(self, cache: dict[type, _Hook], cls: type, kind: str) -> _Hook:
        # One thread compiles at a time (re-entrant: nested classes compile inside), so two
        # threads decoding for the first time never build the same hook or see half of one.
        with self._compiling:
            fn = cache.get(cls)
            if fn is not None:
                return fn
            attrs.resolve_types(cls, vars(models))
            # Bind a forwarder first, so self-referencing and mutually recursive classes work.
            slot: list[_Hook] = []
            compiling = self._compiling

            def forward(obj: Any, *rest: Any) -> Any:
                if not slot:  # another thread is still compiling it: wait until it is done
                    with compiling:
                        pass
                return slot[0](obj, *rest)

            cache[cls] = forward
            writer = _HookWriter(self)
            source = (
                writer.structure_source(cls)
                if kind == "structure"
                else writer.unstructure_source(cls)
            )
            fn = writer.compile(source, cls, kind)
            slot.append(fn)
            cache[cls] = fn
            return fn


converter = CreditNotesConverter()
"""The SDK's converter. ``converter.structure(payload, CreditNote)`` decodes."""


def from_dict(cls: type[T], data: Mapping[str, Any]) -> T:
    """Decode a Stripe JSON object (as ``json.loads`` returns it) into the model ``cls``."""
    fn = converter.structure_fn(cls)
    result: T = fn(data)
    return result


def to_dict(obj: Any) -> dict[str, Any]:
    """Encode a model back to Stripe's JSON shape (absent fields omitted, ``extra`` included)."""
    fn = converter.unstructure_fn(type(obj))
    result: dict[str, Any] = fn(obj)
    return result
