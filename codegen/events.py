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

from .models import ClassSpec
from .table import TYPED_EVENTS
from .types import EnumRegistry, Shape


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
                field.shape = Shape("model", typed.model)
                field.type = field.shape.render()
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
                field.shape = Shape("model", data_spec.name)
                field.type = field.shape.render()
            elif f.name == "type":
                # Open (`Alias | str`): a type Stripe adds tomorrow still fits.
                field.shape = Shape("enum", type_alias)
                field.type = field.shape.render()
            event_spec.fields.append(field)
        out += [event_spec, data_spec]
    return out
