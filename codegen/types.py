"""Mapping OpenAPI schema nodes to Python type expressions, shared by models and params."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from .spec import Schema, pascal, ref_name
from .text import clean, docstring

Aliases = dict[str, tuple[tuple[str, ...], str]]


class EnumRegistry:
    """Every enum becomes one exported ``Literal[...]`` alias, shared by equal value sets."""

    def __init__(self) -> None:
        self._by_values: dict[tuple[str, ...], str] = {("list",): "ListObjectType"}
        self.aliases: dict[str, tuple[tuple[str, ...], str]] = {
            "ListObjectType": (("list",), "The `object` of every list envelope.")
        }

    def mark(self) -> int:
        """How many aliases exist now: aliases after the mark were created later."""
        return len(self.aliases)

    def since(self, mark: int) -> dict[str, tuple[tuple[str, ...], str]]:
        """The aliases created after ``mark``."""
        return dict(list(self.aliases.items())[mark:])

    def alias(self, owner: str, field: str, values: list[str], description: str | None) -> str:
        """The alias for ``values``, named after the first owner/field that uses them."""
        key = tuple(values)
        existing = self._by_values.get(key)
        if existing is not None:
            return existing
        name = enum_alias_name(owner, field)
        if name in self.aliases:
            raise ValueError(f"two different enums would both be named {name}")
        self._by_values[key] = name
        self.aliases[name] = (key, clean(description))
        return name


def enum_alias_name(owner: str, field: str) -> str:
    """``CreditNote`` + ``reason`` -> ``CreditNoteReason``; ``Tax`` + ``tax_behavior`` ->
    ``TaxBehavior`` (no stutter)."""
    field_part = pascal(field)
    if field_part.startswith(owner):
        return field_part
    return owner + field_part


@dataclass(frozen=True)
class Shape:
    """A type the generator emits, kept as structure: rendered as an annotation for the models
    and params, and read by the codec emitter to write each field's decode and encode."""

    kind: Literal[
        "int",
        "bool",
        "float",
        "str",
        "decimal",
        "enum",
        "model",
        "list",
        "map",
        "object",
        "union",
        "empty",
    ]
    name: str = ""
    """The alias of an ``enum``, the class of a ``model``."""
    args: tuple[Shape, ...] = ()
    """The item of a ``list``, the value of a ``map``, the members of a ``union``."""

    def render(self) -> str:
        """The Python annotation, e.g. ``str | Customer | DeletedCustomer``."""
        if self.kind == "union":
            parts: list[str] = []
            for member in self.args:
                for part in member.render().split(" | "):
                    if part not in parts:
                        parts.append(part)
            return " | ".join(parts)
        if self.kind == "enum":
            return f"{self.name} | str"  # a value Stripe adds tomorrow must still decode
        if self.kind == "model":
            return self.name
        if self.kind == "list":
            return f"list[{self.args[0].render()}]"
        if self.kind == "map":
            return f"dict[str, {self.args[0].render()}]"
        return _SCALARS[self.kind]

    def members(self) -> tuple[Shape, ...]:
        """The members of a union (flattened), or the shape itself."""
        if self.kind != "union":
            return (self,)
        return tuple(m for member in self.args for m in member.members())


_SCALARS = {
    "int": "int",
    "bool": "bool",
    "float": "float",
    "str": "str",
    "decimal": "Decimal",
    "object": "dict[str, Any]",
    "empty": 'Literal[""]',
}


def scalar_type(
    node: Schema,
    owner: str,
    field: str,
    enums: EnumRegistry,
    ref: Callable[[str], str],
    inline: Callable[[Schema, str], str],
) -> Shape:
    """The shape of one schema node (without nullability)."""
    target = ref_name(node)
    if target is not None:
        return Shape("model", ref(target))
    if "anyOf" in node:
        members: list[Shape] = []
        for member in node["anyOf"]:
            if member.get("type") == "string" and member.get("enum") == [""]:
                members.append(Shape("empty"))
            else:
                members.append(scalar_type(member, owner, field, enums, ref, inline))
        return members[0] if len(members) == 1 else Shape("union", args=tuple(members))
    kind = node.get("type")
    if kind == "integer":
        return Shape("int")
    if kind == "boolean":
        return Shape("bool")
    if kind == "number":
        return Shape("float")
    if kind == "string":
        if node.get("format") == "decimal":
            return Shape("decimal")
        if "enum" in node:
            return Shape("enum", enums.alias(owner, field, node["enum"], node.get("description")))
        return Shape("str")
    if kind == "array":
        return Shape("list", args=(scalar_type(node["items"], owner, field, enums, ref, inline),))
    if kind == "object":
        if node.get("properties"):
            return Shape("model", inline(node, field))
        extra = node.get("additionalProperties")
        if isinstance(extra, dict):
            return Shape("map", args=(scalar_type(extra, owner, field, enums, ref, inline),))
        return Shape("object")
    raise ValueError(f"{owner}.{field}: unsupported schema {node!r}")


def render_header_lists(exported: list[str], aliases: Aliases) -> str:
    """``__all__`` and the ``Literal`` alias definitions of a generated module."""
    out = ["__all__ = [\n", *(f'    "{n}",\n' for n in sorted(exported)), "]\n\n"]
    for alias, (values, doc) in aliases.items():
        literal = ", ".join(f'"{v}"' for v in values)
        out.append(f"{alias} = Literal[{literal}]\n")
        if doc:
            out.append(docstring(doc, ""))
        out.append("\n")
    return "".join(out)
