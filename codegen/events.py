"""Typed variants of ``Event``: one per resource whose events carry a known object.

The spec leaves ``data.object`` free (any object), so the generated ``Event`` keeps it as a
mapping. For the event types this SDK knows the object of, the generator adds a sibling class
with the same fields, whose ``data.object`` is the decoded model: ``CreditNoteEvent`` with
``data: CreditNoteEventData`` and ``data.object: CreditNote``. The classes are siblings, not
subclasses, because a ``CreditNote`` is not the mapping ``Event.data.object`` promises;
``stripe_credit_notes.webhooks`` picks the class by the event's ``type``.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

from .models import ClassSpec, FieldSpec
from .types import EnumRegistry


@dataclass(frozen=True)
class TypedEvent:
    """Events of ``types`` (all ``<prefix>.*``) carry a ``model`` as ``data.object``."""

    prefix: str
    model: str
    types: tuple[str, ...]

    @property
    def name(self) -> str:
        return f"{self.model}Event"


# The event types Stripe documents for each resource this SDK models.
TYPED_EVENTS = (
    TypedEvent(
        "credit_note",
        "CreditNote",
        ("credit_note.created", "credit_note.updated", "credit_note.voided"),
    ),
)


def typed_events(classes: list[ClassSpec], enums: EnumRegistry) -> list[ClassSpec]:
    """The typed event classes, built from the generated ``Event`` and ``EventData``."""
    by_name = {c.name: c for c in classes}
    event, data = by_name["Event"], by_name["EventData"]
    out: list[ClassSpec] = []
    for typed in TYPED_EVENTS:
        type_alias = enums.alias(
            typed.name,
            "type",
            list(typed.types),
            f"The `{typed.prefix}.*` event types Stripe documents.",
        )
        data_spec = ClassSpec(
            f"{typed.name}Data",
            f"The `data` of a `{typed.name}`: the `{typed.model}` the event is about.",
        )
        for f in data.fields:
            field = copy.copy(f)
            if f.name == "object":
                field.type = typed.model
                field.doc = f"The `{typed.model}` as it was when the event happened."
            data_spec.fields.append(field)
        event_spec = ClassSpec(
            typed.name,
            f"An `Event` of a `{typed.prefix}.*` type, whose `data.object` is a decoded "
            f"`{typed.model}` (rendered at the event's `api_version`).\n\n" + event.doc,
        )
        for f in event.fields:
            field = copy.copy(f)
            if f.name == "data":
                field = FieldSpec("data", data_spec.name, f.default_absent, f.doc)
            elif f.name == "type":
                # Open: a type Stripe adds tomorrow (`credit_note.finalized`) still fits.
                field.type = f"{type_alias} | str"
            event_spec.fields.append(field)
        out += [event_spec, data_spec]
    return out
