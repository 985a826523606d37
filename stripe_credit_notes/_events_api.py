"""How ``client.events`` decodes: every event typed exactly as ``construct_event`` types it.

The generator's resource table points the events operations here (``codegen/table.py``):
``retrieve`` returns an :data:`~stripe_credit_notes.webhooks.AnyEvent` and ``list`` pages of
them, so a service catching up on missed webhooks handles the same ``CreditNoteEvent`` /
``Event`` values its webhook handler does. Both decode through the converter, with the hooks
registered below (the table's documented way to decode a class that is not a generated model);
``to_dict`` writes a page back to Stripe's JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from ._codec_support import DecodeError, to_dict
from ._converter import converter
from ._extra import NO_EXTRA
from .webhooks import AnyEvent, decode_event

__all__ = ["AnyEvent", "TypedEventList"]

_ENVELOPE_FIELDS = frozenset({"data", "has_more", "object", "url"})


@attrs.frozen(kw_only=True)
class TypedEventList:
    """One page of events, each a ``CreditNoteEvent`` or a generic ``Event``."""

    data: list[AnyEvent]
    has_more: bool
    object: str
    url: str
    extra: Mapping[str, Any] = attrs.field(default=NO_EXTRA, repr=False)
    """Envelope fields this class does not declare."""


def _structure_list(data: Any, _cls: object) -> TypedEventList:
    if not isinstance(data, Mapping) or not isinstance(data.get("data"), list):
        raise DecodeError("expected a list envelope with a data array")
    items: list[AnyEvent] = []
    for index, item in enumerate(data["data"]):
        try:
            items.append(decode_event(item))
        except DecodeError as exc:
            exc.within(f"data[{index}]")
            raise
    unknown = {k: v for k, v in data.items() if k not in _ENVELOPE_FIELDS}
    return TypedEventList(
        data=items,
        has_more=bool(data["has_more"]),
        object=str(data["object"]),
        url=str(data["url"]),
        extra=unknown or NO_EXTRA,  # empty: the one shared read-only mapping, as models have
    )


def _unstructure_list(page: TypedEventList) -> dict[str, Any]:
    return {
        "object": page.object,
        "data": [to_dict(event) for event in page.data],
        "has_more": page.has_more,
        "url": page.url,
        **page.extra,
    }


converter.register_structure_hook(TypedEventList, _structure_list)
converter.register_unstructure_hook(TypedEventList, _unstructure_list)
converter.register_structure_hook(AnyEvent, lambda data, _cls: decode_event(data))
