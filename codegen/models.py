"""Emits ``stripe_credit_notes/models.py``: frozen, slotted attrs classes for every object.

Which fields may be absent from a payload (as opposed to ``null``) follows one rule, applied
field by field from the two vendored specs:

* a field the newest spec marks *required* is always present when the object was also described
  (with that field required) by the oldest spec, or did not exist there at all: plain type;
* a field the newest spec marks required but the oldest spec lacked, or had as optional
  (``pre_payment_amount``, ``refunds``, ``pretax_credit_amounts``, ...): an older API version
  may omit it, so it defaults to ``ABSENT``;
* a field the newest spec does not mark required: defaults to ``ABSENT``;
* a field only the oldest spec has (``refund``, ``tax_amounts``, ...): typed from that spec,
  defaults to ``ABSENT``, documented as legacy;
* ``nullable`` adds ``| None``, so ``None`` (sent as ``null``) and ``ABSENT`` stay distinct.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .spec import OLDEST_VERSION, Schema, list_model_name, model_name, ref_name
from .text import clean, docstring
from .types import Aliases, EnumRegistry, Shape, render_header_lists, scalar_type

EXTRA_FIELD = "extra"


@dataclass
class FieldSpec:
    name: str
    type: str
    """The annotation, ``| None`` and ``| Absent`` included."""
    default_absent: bool
    doc: str
    shape: Shape
    """The type without ``None`` and ``Absent``, as structure (the codec is emitted from it)."""
    nullable: bool


@dataclass
class ClassSpec:
    name: str
    doc: str
    fields: list[FieldSpec] = field(default_factory=list)
    stripe_object: str | None = None
    deleted: bool = False
    stub: bool = False
    is_list: bool = False
    legacy: bool = False


class ModelBuilder:
    """Walks the schemas reachable from the operations and builds one ClassSpec per object."""

    def __init__(self, newest: Schema, oldest: Schema, enums: EnumRegistry) -> None:
        self.newest = newest["components"]["schemas"]
        self.oldest = oldest["components"]["schemas"]
        self.newest_version = newest["info"]["version"]
        self.enums = enums
        self.classes: dict[str, ClassSpec] = {}
        self.lists: set[str] = set()
        self._pending: list[tuple[str, Schema, Schema | None, bool]] = []

    # -- discovery ---------------------------------------------------------------------------

    def build(self, roots: list[str], list_envelopes: list[Schema]) -> list[ClassSpec]:
        for name in roots:
            self._ref(name)
        for envelope in list_envelopes:
            self._inline(envelope, "data")
        for name in sorted(self.newest):
            self._ref(name)  # every object schema gets a class, referenced or not
        while self._pending:
            name, schema, old, legacy = self._pending.pop(0)
            self._emit_class(name, schema, old, legacy)
        # Resources and their lists first, then sub-objects, legacy ones, and stubs last.
        first = len(roots) + len(list_envelopes)
        head = list(self.classes.values())[:first]
        rest = sorted(
            list(self.classes.values())[first:],
            key=lambda c: (c.stub, c.legacy, c.name),
        )
        return head + rest

    def _ref(self, schema_name: str, legacy: bool = False) -> str:
        cls = model_name(schema_name)
        if cls in self.classes or any(p[0] == cls for p in self._pending):
            return cls
        if schema_name in self.newest and not legacy:
            schema = self.newest[schema_name]
            old = self.oldest.get(schema_name)
        else:
            schema = self.oldest[schema_name]
            old = None
            legacy = True
        self._pending.append((cls, schema, old, legacy))
        self.classes[cls] = ClassSpec(cls, "")  # reserve the slot, keeps discovery order
        return cls

    def _inline(self, node: Schema, field_name: str) -> str:
        name = list_model_name(node)
        if name is None:
            title = node.get("title", "")
            raise ValueError(
                f"inline object {title!r} ({field_name}) is not a list envelope: give it a "
                "component schema"
            )
        self.lists.add(name)
        if name not in self.classes:
            self.classes[name] = ClassSpec(name, "")
            self._pending.append((name, node, None, False))
        return name

    # -- emission ----------------------------------------------------------------------------

    def _emit_class(self, name: str, schema: Schema, old: Schema | None, legacy: bool) -> None:
        doc = clean(schema.get("description")) or f"The `{name}` object."
        spec = ClassSpec(name, doc, stub=bool(schema.get("x-stub")), legacy=legacy)
        spec.is_list = name in self.lists
        if spec.is_list:
            item = ref_name(schema["properties"]["data"]["items"])
            spec.doc = (
                f"One page of `{model_name(item or '')}` objects; `has_more` says whether "
                "another page follows."
            )
        if legacy and not spec.stub:
            spec.doc += (
                f"\n\nLegacy: described by the {OLDEST_VERSION} spec only; newer API versions "
                "no longer return it."
            )
        required = set(schema.get("required", []))
        old_props: Schema = old.get("properties", {}) if old else {}
        old_required = set(old.get("required", [])) if old else set()
        props: Schema = schema.get("properties", {})
        for prop, node in props.items():
            always = prop in required and (old is None or legacy or prop in old_required)
            spec.fields.append(self._field(name, prop, node, not always, legacy=legacy))
        for prop, node in old_props.items():
            if prop in props:
                continue
            fs = self._field(name, prop, node, True, legacy=True)
            fs.doc = (
                (fs.doc + "\n\n" if fs.doc else "")
                + f"Legacy: in the {OLDEST_VERSION} spec, not in {self.newest_version}; "
                "present only on the API versions that still return it."
            )
            spec.fields.append(fs)
        spec.fields.sort(key=lambda f: f.name)
        obj = props.get("object", {})
        if obj.get("type") == "string" and len(obj.get("enum", [])) == 1 and not spec.is_list:
            spec.stripe_object = obj["enum"][0]
        spec.deleted = schema.get("x-resourceId", "").startswith("deleted_")
        if any(f.name == EXTRA_FIELD for f in spec.fields):
            raise ValueError(f"{name} has a field named {EXTRA_FIELD!r}; pick another name")
        self.classes[name] = spec

    def _field(
        self, owner: str, prop: str, node: Schema, may_be_absent: bool, legacy: bool
    ) -> FieldSpec:
        def ref(target: str) -> str:
            return self._ref(target, legacy=legacy and target not in self.newest)

        shape = scalar_type(node, owner, prop, self.enums, ref, self._inline)
        nullable = bool(node.get("nullable"))
        rendered = shape.render()
        if nullable:
            rendered += " | None"
        if may_be_absent:
            rendered += " | Absent"
        return FieldSpec(
            prop, rendered, may_be_absent, clean(node.get("description")), shape, nullable
        )


def slots_class(name: str) -> str:
    """The private base that holds a model's slots: ``CreditNote`` -> ``_CreditNoteSlots``."""
    return f"_{name}Slots"


def render(classes: list[ClassSpec], aliases: Aliases, header: str) -> str:
    """The source text of ``models.py``."""
    names = [c.name for c in classes]
    out: list[str] = [header]
    out.append('"""Typed models of the objects Stripe\'s Credit Notes API returns.\n\n')
    out.append("Every class keeps the fields it does not know in ``extra``, so a newer payload\n")
    out.append("decodes and round-trips. Fields a payload may lack default to ``ABSENT``.\n\n")
    out.append(
        "Each class takes its slots from a private base (``_CreditNoteSlots``, ...), which it\n"
    )
    out.append(
        "shares with the decoder's mutable twin in ``_codec``: the decoder fills the twin's\n"
    )
    out.append("slots with plain attribute stores, then makes it the frozen class.\n")
    out.append('"""\n\n')
    out.append("from __future__ import annotations\n\n")
    out.append("from collections.abc import Mapping\n")
    out.append("from decimal import Decimal\n")
    out.append("from typing import Any, ClassVar, Literal\n\n")
    out.append("import attrs\n\n")
    out.append("from ._absent import ABSENT, Absent\n")
    out.append("from ._extra import NO_EXTRA\n")
    out.append("from ._model_methods import model_eq, model_hash, model_repr\n\n")
    out.append(render_header_lists([*names, *aliases], aliases))
    for cls in classes:
        slots = [*(f.name for f in cls.fields), EXTRA_FIELD, "__weakref__"]
        out.append(f"\nclass {slots_class(cls.name)}:\n")
        out.append(f'    """The slots of `{cls.name}`."""\n\n')
        out.append(f"    __slots__ = ({', '.join(repr(n) for n in slots)})\n\n")
        # repr and eq come from _model_methods: attrs would compile them per class on import.
        out.append("\n@attrs.frozen(kw_only=True, repr=False, eq=False)\n")
        out.append(f"class {cls.name}({slots_class(cls.name)}):\n")
        out.append(docstring(cls.doc, "    "))
        out.append("\n")
        if cls.stripe_object is not None:
            out.append(f'    _stripe_object: ClassVar[str] = "{cls.stripe_object}"\n')
            out.append(f"    _stripe_deleted: ClassVar[bool] = {cls.deleted}\n\n")
        for f in cls.fields:
            default = " = ABSENT" if f.default_absent else ""
            out.append(f"    {f.name}: {f.type}{default}\n")
            if f.doc:
                out.append(docstring(f.doc, "    "))
        out.append(
            f"    {EXTRA_FIELD}: Mapping[str, Any] = attrs.field(default=NO_EXTRA, repr=False)\n"
        )
        out.append(
            docstring(
                "Fields of the payload this model does not declare (Stripe adds fields without "
                "a new API version). They survive a round trip through ``to_dict``.",
                "    ",
            )
        )
        out.append(
            "\n    __repr__ = model_repr\n    __eq__ = model_eq\n    __hash__ = model_hash\n"
        )
        out.append("\n")
    return "".join(out)
