"""Emits ``stripe_credit_notes/_codec.py``: one decode and one encode function per model.

Decoding is the SDK's hot path, so each function is straight-line Python written for its class:
no reflection and no hook lookups per call. It is ordinary source, formatted and type-checked
like the rest of the package, so a traceback points at the line that refused a value.

What a decode function does, field by field (the helpers live in ``_codec_support``):

* checks the JSON type: a field typed ``int`` holds an ``int`` (not ``bool``, ``str`` or
  ``float``), ``str`` a ``str``, ``bool`` a ``bool``; enums are strings (a value Stripe adds
  tomorrow stays a plain ``str``); ``Decimal`` fields parse from Stripe's decimal strings;
  ``metadata`` is an object of strings; lists are lists; ``null`` only where the spec says
  ``nullable``. Anything else raises ``DecodeError`` (a ``MalformedResponseError``) naming the
  field's path, e.g. ``data[3].lines.data[0].amount``;
* a key missing from the payload becomes ``ABSENT`` when the model allows it; otherwise it is a
  ``MissingFieldError`` (also a ``KeyError``);
* nested objects, lists of objects and expandable fields (``str | Customer | DeletedCustomer``)
  decode with their class's function, chosen by the payload's ``object`` and ``deleted`` keys;
* keys the model does not declare are kept in ``extra`` (counted, so the common payload with
  none pays no set difference), and ``to_dict`` writes them back.

What the common payload pays for, per field, is a subscript and a class check: the error path
sets ``f`` (the field's name, for the error's path) only in the branch that raises or calls a
nested decoder; an optional field counts only its absence; a list of objects is a comprehension
written in place (an empty one is kept as it came), and ``item_failed`` finds the failing index
only once an item has failed. A missing required key is named by the ``KeyError`` itself.

The models are frozen and slotted, and each takes its slots from a private base
(``_CreditNoteSlots``). A decode function builds the model's mutable twin
(``_CreditNoteBuilder``, the same base and no slots of its own), fills it with plain attribute
stores, and then assigns ``__class__``: the object is the frozen model from there on. That skips
``__init__``'s keyword parsing and the frozen ``__setattr__`` indirection (about 40% of decode
time). The models have no validators or converters that this would bypass.
"""

from __future__ import annotations

import keyword
import re

from .models import EXTRA_FIELD, ClassSpec, slots_class
from .types import Shape

# Names the decode functions use for themselves; a field with one of them gets a `_` suffix.
RESERVED = {"o", "f", "n", "obj", "extra", "exc", "d", "x", "object"}

CHECKS = {
    "int": ("int", "an integer"),
    "str": ("str", "a string"),
    "enum": ("str", "a string"),
    "bool": ("bool", "a boolean"),
}


def snake(name: str) -> str:
    """``CreditNoteLineItem`` -> ``credit_note_line_item``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _local(field: str) -> str:
    if keyword.iskeyword(field) or field in RESERVED:
        return field + "_"
    return field


class CodecWriter:
    """Writes the decode and encode functions of every model class."""

    def __init__(self, classes: list[ClassSpec]) -> None:
        self.classes = {c.name: c for c in classes}
        self.order = classes
        self.one_of: dict[str, tuple[str, ...]] = {}

    # -- decode --------------------------------------------------------------------------------

    def _decoder(self, cls: str) -> str:
        return f"structure_{snake(cls)}"

    def _dispatch(self, models: list[str], var: str) -> str:
        if len(models) == 1:
            return f"{self._decoder(models[0])}({var})"
        table = "_" + "_OR_".join(snake(m).upper() for m in models)
        self.one_of[table] = tuple(models)
        # An object type this SDK does not know decodes as the first member (never crashes).
        return f"one_of({table}, {self._decoder(models[0])}, {var})"

    def check(self, shape: Shape, nullable: bool, var: str, field: str) -> list[str]:
        """Statements that check (and convert) the JSON value in ``var``, in place.

        A statement that can raise runs after ``f = "<field>"``, which names the field in the
        error. It sits in the branch that raises or calls: the common value pays neither.
        """
        blocks = self._check_blocks(shape, nullable, var)
        lines = []
        for condition, statements in blocks:
            indent = "    " if condition else ""
            if condition:
                lines.append(f"if {condition}:")
            lines.append(f'{indent}f = "{field}"')
            lines.extend(indent + line for line in statements)
        return lines

    def _check_blocks(
        self, shape: Shape, nullable: bool, var: str
    ) -> list[tuple[str | None, list[str]]]:
        """``(condition, statements)`` pairs: the statements run (and may raise) when it holds."""
        # `null` first: a nullable field is often null, and `is not None` is the cheaper test.
        if_set = f"{var} is not None and " if nullable else ""
        kind = shape.kind
        if kind in CHECKS:
            tp, what = CHECKS[kind]
            return [(f"{if_set}{var}.__class__ is not {tp}", [f'raise expected("{what}", {var})'])]
        if kind == "float":
            condition = f"{if_set}{var}.__class__ is not float and {var}.__class__ is not int"
            return [(condition, [f'raise expected("a number", {var})'])]
        if kind == "object":
            return [(f"{if_set}{var}.__class__ is not dict", [f"{var} = mapping({var})"])]
        condition: str | None = None
        if kind == "union":
            members = shape.members()
            models = [m.name for m in members if m.kind == "model"]
            strings = [m for m in members if m.kind in ("str", "enum")]
            if not models or len(models) + len(strings) != len(members) or len(strings) > 1:
                raise ValueError(f"no decode rule for {shape.render()}")
            if strings:  # an expandable field: an id, or the expanded object
                dispatch = f"{var} = {self._dispatch(models, var)}"
                return [(f"{if_set}{var}.__class__ is not str", [dispatch])]
            converted = f"{var} = {self._dispatch(models, var)}"
        elif kind == "decimal":
            converted = f"{var} = decimal_value({var})"
        elif kind == "model":
            converted = f"{var} = {self._decoder(shape.name)}({var})"
        elif kind == "map" and shape.args[0].kind == "str":
            # Usually empty (`metadata`): then the check needs no call.
            condition = f"{var} or {var}.__class__ is not dict"
            converted = f"{var} = str_mapping({var})"
        elif kind == "list":
            item = shape.args[0]
            if item.kind == "model":
                # Inline, not a helper call: most lists are empty (kept as they are) or short.
                decode = self._decoder(item.name)
                # One item is the usual list: without a comprehension, no function object to
                # make per list (before Python 3.12).
                built = [
                    "try:",
                    f"    if len({var}) == 1:",
                    f"        {var} = [{decode}({var}[0])]",
                    "    else:",
                    f"        {var} = [{decode}(x) for x in {var}]",
                    "except DecodeError:",
                    f"    item_failed({decode}, {var})",
                ]
                not_list = f"{if_set}{var}.__class__ is not list"
                return [(not_list, [f'raise expected("an array", {var})']), (var, built)]
            if item.kind in ("str", "enum"):
                converted = f"{var} = str_list({var})"
            else:
                raise ValueError(f"no decode rule for {shape.render()}")
        else:
            raise ValueError(f"no decode rule for {shape.render()}")
        if nullable:
            condition = f"{var} is not None" + (f" and ({condition})" if condition else "")
        return [(condition, [converted])]

    @staticmethod
    def is_stub(spec: ClassSpec) -> bool:
        """A foreign resource kept as ``id`` and ``object`` (the rest in ``extra``)."""
        fields = {(f.name, f.shape.kind, f.nullable, f.default_absent) for f in spec.fields}
        return spec.stub and fields == {
            ("id", "str", False, False),
            ("object", "enum", False, False),
        }

    def decode_function(self, spec: ClassSpec) -> str:
        name = self._decoder(spec.name)
        if self.is_stub(spec):
            return (
                f"def {name}(o: Any) -> {spec.name}:\n"
                f'    """Decode a `{spec.name}` (a stub: `id`, `object`, the rest in `extra`)."""\n'
                f"    return structure_stub({spec.name}, {self._builder(spec)}, o)\n"
            )
        body: list[str] = []
        for fs in spec.fields:
            var = _local(fs.name)
            checks = self.check(fs.shape, fs.nullable, var, fs.name)
            if fs.default_absent:
                # `in` and a subscript cost less than a `get` call and a comparison; payloads
                # usually carry the field, so only its absence pays for counting.
                body.append(f'if "{fs.name}" in o:')
                body.append(f'    {var} = o["{fs.name}"]')
                body.extend("    " + line for line in checks)
                body.append("else:")
                body.append(f"    {var} = ABSENT")
                body.append("    n -= 1")
            else:
                body.append(f'{var} = o["{fs.name}"]')
                body.extend(checks)
        lines = [
            f"def {name}(o: Any) -> {spec.name}:",
            f'    """Decode a `{spec.name}` from its JSON object."""',
            "    if o.__class__ is not dict:",
            "        o = mapping(o)",
            f"    n = {len(spec.fields)}  # declared keys in the payload",
            "    try:",
            *("        " + line for line in body),
            "    except DecodeError as exc:",
            "        exc.within(f)  # each statement that raises one sets `f` first",
            "        raise",
            "    except KeyError as exc:  # a required key is not in the payload",
            "        raise missing(exc.args[0]) from None",
            # One shared empty `extra` (`_extra.NO_EXTRA`): no dict allocated per object.
            f"    extra = NO_EXTRA if len(o) == n else unknown_fields(o, {spec.name})",
            # The builder has no `__init__`: calling it costs less than `object.__new__`.
            f"    obj: Any = {self._builder(spec)}()",
        ]
        for fs in spec.fields:
            lines.append(f"    obj.{fs.name} = {_local(fs.name)}")
        lines.append(f"    obj.{EXTRA_FIELD} = extra")
        lines.append(f"    obj.__class__ = {spec.name}  # frozen from here on")
        lines.append(f"    result: {spec.name} = obj")
        lines.append("    return result")
        return "\n".join(lines) + "\n"

    @staticmethod
    def _builder(spec: ClassSpec) -> str:
        return f"_{spec.name}Builder"

    def builder(self, spec: ClassSpec) -> str:
        """The mutable twin of a model: the same slots, no frozen ``__setattr__``."""
        return (
            f"class {self._builder(spec)}({slots_class(spec.name)}):\n"
            f'    """A `{spec.name}` being decoded."""\n\n'
            "    __slots__ = ()\n\n\n"
        )

    # -- encode --------------------------------------------------------------------------------

    def _encoder(self, cls: str) -> str:
        return f"unstructure_{snake(cls)}"

    def encode(self, shape: Shape, nullable: bool, var: str) -> str:
        """An expression for the JSON value of the model value ``var``."""
        kind = shape.kind
        if kind in ("int", "str", "enum", "bool", "float"):
            return var
        if kind == "decimal":
            inner = f'format({var}, "f")'  # fixed-point, never 1E-7
        elif kind == "model":
            inner = f"{self._encoder(shape.name)}({var})"
        elif kind in ("map", "object"):
            inner = f"dict({var})"
        elif kind == "list":
            item = shape.args[0]
            if item.kind == "model":
                inner = f"[{self._encoder(item.name)}(x) for x in {var}]"
            else:
                inner = f"list({var})"
        elif kind == "union":
            if any(m.kind in ("str", "enum") for m in shape.members()):
                inner = f"{var} if isinstance({var}, str) else UNSTRUCTURE[{var}.__class__]({var})"
            else:
                inner = f"UNSTRUCTURE[{var}.__class__]({var})"
        else:
            raise ValueError(f"no encode rule for {shape.render()}")
        return f"None if {var} is None else {inner}" if nullable else inner

    def encode_function(self, spec: ClassSpec) -> str:
        if self.is_stub(spec):
            return (
                f"def {self._encoder(spec.name)}(obj: {spec.name}) -> dict[str, Any]:\n"
                f'    """The JSON object of a `{spec.name}` (a stub)."""\n'
                "    return unstructure_stub(obj)\n"
            )
        lines = [
            f"def {self._encoder(spec.name)}(obj: {spec.name}) -> dict[str, Any]:",
            f'    """The JSON object of a `{spec.name}` (absent fields left out, `extra` kept)."""',
            "    d: dict[str, Any] = {}",
        ]
        for fs in spec.fields:
            if fs.default_absent:
                var = _local(fs.name)
                lines.append(f"    {var} = obj.{fs.name}")
                lines.append(f"    if {var} is not ABSENT:")
                lines.append(f'        d["{fs.name}"] = {self.encode(fs.shape, fs.nullable, var)}')
            else:
                value = self.encode(fs.shape, fs.nullable, f"obj.{fs.name}")
                lines.append(f'    d["{fs.name}"] = {value}')
        lines.append(f"    if obj.{EXTRA_FIELD}:")
        lines.append(f"        d.update(obj.{EXTRA_FIELD})")
        lines.append("    return d")
        return "\n".join(lines) + "\n"

    # -- the module ----------------------------------------------------------------------------

    def render(self, header: str) -> str:
        """The source text of ``_codec.py``."""
        functions = []
        for spec in self.order:
            functions.append(self.decode_function(spec))
            functions.append(self.encode_function(spec))
        names = sorted(self.classes)
        out = [header]
        out.append('"""Decode and encode functions of every model, emitted by the generator.\n\n')
        out.append("``from_dict`` / ``to_dict`` (``_codec_support``) and the cattrs converter\n")
        out.append(
            "(``_converter``) call them through the ``STRUCTURE`` and ``UNSTRUCTURE`` tables.\n"
        )
        out.append('"""\n\n')
        out.append("from __future__ import annotations\n\n")
        out.append("from collections.abc import Callable\n")
        out.append("from typing import Any\n\n")
        out.append(
            "from ._codec_support import (\n    ABSENT,\n    DecodeError,\n    decimal_value,\n"
            "    expected,\n    item_failed,\n    mapping,\n    missing,\n    one_of,\n"
            "    str_list,\n    str_mapping,\n    structure_stub,\n"
            "    unknown_fields,\n    unstructure_stub,\n)\n"
        )
        out.append("from ._extra import NO_EXTRA\n")
        imported = sorted([*names, *(slots_class(n) for n in names)])
        out.append("from .models import (\n" + "".join(f"    {n},\n" for n in imported) + ")\n\n")
        out.append('__all__ = ["STRUCTURE", "UNSTRUCTURE"]\n\n')
        out.append("\n")
        for spec in self.order:
            out.append(self.builder(spec))
        for fn in functions:
            out.append("\n\n" + fn)
        out.append(
            "\n\n# Expandable fields and unions: the decode function by (`object`, `deleted`).\n"
        )
        for table, models in sorted(self.one_of.items()):
            out.append(f"{table}: dict[tuple[object, bool], Callable[[Any], Any]] = {{\n")
            for m in models:
                c = self.classes[m]
                out.append(f"    ({c.stripe_object!r}, {c.deleted}): {self._decoder(m)},\n")
            out.append("}\n")
        out.append("\nSTRUCTURE: dict[type, Callable[[Any], Any]] = {\n")
        out.extend(f"    {s.name}: {self._decoder(s.name)},\n" for s in self.order)
        out.append("}\n")
        out.append('"""The decode function of every model class."""\n\n')
        out.append("UNSTRUCTURE: dict[type, Callable[[Any], dict[str, Any]]] = {\n")
        out.extend(f"    {s.name}: {self._encoder(s.name)},\n" for s in self.order)
        out.append("}\n")
        out.append('"""The encode function of every model class."""\n')
        return "".join(out)
