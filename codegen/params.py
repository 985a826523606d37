"""Emits ``stripe_credit_notes/params.py``: a ``TypedDict`` for every operation's parameters.

Required keys live in a private base class and optional ones in the public subclass declared
``total=False``: that spells ``Required`` without ``typing_extensions`` on Python 3.10.
Path parameters (``id``, ``credit_note``) are positional arguments of the client methods and
are not part of these dicts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .spec import PARAM_NAMES, Schema
from .text import clean, docstring
from .types import Aliases, EnumRegistry, render_header_lists, scalar_type

# Stripe documents that posting "" to `metadata` unsets every key, though the schema says object.
UNSETTABLE = {"metadata"}


@dataclass
class ParamField:
    name: str
    type: str
    required: bool
    doc: str


@dataclass
class ParamsSpec:
    name: str
    doc: str
    fields: list[ParamField] = field(default_factory=list)
    operation: bool = False
    resource: str = ""
    """For an operation's parameters: its resource (parameters inherit within one only)."""


class ParamsBuilder:
    """Builds one ParamsSpec per operation and per distinct nested parameter object."""

    def __init__(
        self, enums: EnumRegistry, ref: dict[str, str], enum_owners: tuple[str, ...]
    ) -> None:
        self.enum_owners = enum_owners
        self.enums = enums
        self.specs: dict[str, ParamsSpec] = {}
        self._shapes: dict[str, Schema] = {}
        self._ref = ref

    def operation(
        self, name: str, doc: str, properties: dict[str, tuple[Schema, bool, str]], resource: str
    ) -> None:
        spec = ParamsSpec(name, doc, operation=True, resource=resource)
        for prop in sorted(properties):
            node, required, description = properties[prop]
            spec.fields.append(self._field(name, prop, node, required, description))
        self.specs[name] = spec

    def _field(self, owner: str, prop: str, node: Schema, required: bool, desc: str) -> ParamField:
        def ref(target: str) -> str:
            return self._ref[target]

        # Enums of a resource's parameters are named after the resource (`CreditNoteEmailType`).
        enum_owner = next((o for o in self.enum_owners if owner.startswith(o)), owner)
        rendered = scalar_type(node, enum_owner, prop, self.enums, ref, self._inline).render()
        if prop in UNSETTABLE and 'Literal[""]' not in rendered:
            rendered += ' | Literal[""]'
        return ParamField(prop, rendered, required, clean(desc or node.get("description")))

    def _inline(self, node: Schema, field_name: str) -> str:
        title = node.get("title", "")
        name = PARAM_NAMES.get(title)
        if name is None:
            raise ValueError(
                f"parameter object {title!r} ({field_name}) has no name in PARAM_NAMES"
            )
        if name in self._shapes:
            if _shape(self._shapes[name]) != _shape(node):
                raise ValueError(f"{title!r} has two different shapes")
            return name
        self._shapes[name] = node
        spec = ParamsSpec(name, clean(node.get("description")) or f"The `{field_name}` parameter.")
        self.specs[name] = spec  # reserve before recursing
        required = set(node.get("required", []))
        for prop in sorted(node.get("properties", {})):
            sub = node["properties"][prop]
            spec.fields.append(self._field(name, prop, sub, prop in required, ""))
        return name


def _shape(node: object) -> object:
    """A schema without its descriptions: the same object may be documented differently."""
    if isinstance(node, dict):
        return {k: _shape(v) for k, v in node.items() if k != "description"}
    if isinstance(node, list):
        return [_shape(v) for v in node]
    return node


def _parent(spec: ParamsSpec, specs: list[ParamsSpec]) -> ParamsSpec | None:
    """An earlier operation of the same resource (of more than `expand` and paging) whose
    parameters ``spec`` has all of, with the same types."""
    if not spec.operation:
        return None
    mine = {(f.name, f.type, f.required) for f in spec.fields}
    for other in specs:
        if other is spec:
            return None
        theirs = {(f.name, f.type, f.required) for f in other.fields}
        same = other.operation and other.resource == spec.resource
        if same and len(other.fields) > 2 and theirs <= mine:
            return other
    return None


def render(
    specs: list[ParamsSpec],
    model_aliases: Aliases,
    own_aliases: Aliases,
    header: str,
) -> str:
    """The source text of ``params.py``: its own enum aliases, the models' ones imported."""
    out: list[str] = [header]
    out.append('"""Typed request parameters of every operation.\n\n')
    out.append(
        '``None`` for a key means "not given" and is not sent; ``""`` is Stripe\'s "unset".\n'
    )
    out.append('"""\n\n')
    out.append("from __future__ import annotations\n\n")
    out.append("from decimal import Decimal\n")
    out.append("from typing import Literal, TypedDict\n\n")
    used = {
        part
        for s in specs
        for f in s.fields
        for part in f.type.replace("[", " ").replace("]", " ").replace("|", " ").split()
    }
    imports = sorted(a for a in model_aliases if a in used)
    if imports:
        out.append("from .models import (\n" + "".join(f"    {n},\n" for n in imports) + ")\n\n")
    out.append(render_header_lists([*(s.name for s in specs), *own_aliases], own_aliases))
    for spec in specs:
        parent = _parent(spec, specs)
        inherited = {f.name for f in parent.fields} if parent else set()
        required = [f for f in spec.fields if f.required and f.name not in inherited]
        optional = [f for f in spec.fields if not f.required and f.name not in inherited]
        base = "TypedDict"
        if parent is not None:
            # Preview takes exactly create's parameters (and preview lines adds paging):
            # say so with inheritance instead of repeating them.
            base = parent.name
        elif required:
            base = f"_{spec.name}Required"
            out.append(f"\nclass {base}(TypedDict):\n")
            out.append(docstring(f"The required keys of `{spec.name}`.", "    "))
            out.append("\n")
            _fields(out, required)
        out.append(f"\nclass {spec.name}({base}, total=False):\n")
        out.append(docstring(spec.doc, "    "))
        out.append("\n")
        _fields(out, optional)
        if not optional:
            out.append("    pass\n")
    return "".join(out)


def _fields(out: list[str], fields: list[ParamField]) -> None:
    for f in fields:
        optional_none = "" if f.required else " | None"
        out.append(f"    {f.name}: {f.type}{optional_none}\n")
        if f.doc:
            out.append(docstring(f.doc, "    "))
