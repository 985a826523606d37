"""Mapping OpenAPI schema nodes to Python type expressions, shared by models and params."""

from __future__ import annotations

from collections.abc import Callable

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


def scalar_type(
    node: Schema,
    owner: str,
    field: str,
    enums: EnumRegistry,
    ref: Callable[[str], str],
    inline: Callable[[Schema, str], str],
) -> str:
    """The Python type of one schema node (without nullability)."""
    target = ref_name(node)
    if target is not None:
        return ref(target)
    if "anyOf" in node:
        members: list[str] = []
        for member in node["anyOf"]:
            if member.get("type") == "string" and member.get("enum") == [""]:
                rendered = 'Literal[""]'
            else:
                rendered = scalar_type(member, owner, field, enums, ref, inline)
            for part in rendered.split(" | "):
                if part not in members:
                    members.append(part)
        return " | ".join(members)
    kind = node.get("type")
    if kind == "integer":
        return "int"
    if kind == "boolean":
        return "bool"
    if kind == "number":
        return "float"
    if kind == "string":
        if node.get("format") == "decimal":
            return "Decimal"
        if "enum" in node:
            alias = enums.alias(owner, field, node["enum"], node.get("description"))
            return f"{alias} | str"  # a value Stripe adds tomorrow must still decode
        return "str"
    if kind == "array":
        item = scalar_type(node["items"], owner, field, enums, ref, inline)
        return f"list[{item}]"
    if kind == "object":
        if node.get("properties"):
            return inline(node, field)
        extra = node.get("additionalProperties")
        if isinstance(extra, dict):
            value = scalar_type(extra, owner, field, enums, ref, inline)
            return f"dict[str, {value}]"
        return "dict[str, Any]"
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
