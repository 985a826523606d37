"""Events: what every create, update and void records, and ``GET /v1/events[/{id}]``.

As on Stripe, an event's ``data`` never changes once recorded: it is rendered when the event
happens, at the emulator's default API version (the "account's" version), which the event's
``api_version`` names. A webhook endpoint pinned to another version gets ``data`` rendered at
its own version, also at the moment of the event (see ``_webhooks``), so every rendering an
event will ever need is made under the state lock, from the state of that moment.

``previous_attributes`` (on ``*.updated``) holds the previous values of the top-level fields
that changed, at the same version as ``object``.
"""

from __future__ import annotations

import fnmatch
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ._errors import invalid_request, resource_missing
from ._lists import paginate
from ._params import Arr, Bool, Int, IntOrRange, Obj, Str, coerce_params
from ._render import parse_expand, render_credit_note, render_list
from ._state import CreditNote, Store, new_id
from ._versions import ApiVersion

__all__ = [
    "CREDIT_NOTE_EVENT_TYPES",
    "EventLog",
    "Renderer",
    "StoredEvent",
    "credit_note_renderer",
    "event_data",
]

JSON = dict[str, Any]
Renderer = Callable[[ApiVersion], tuple[JSON, JSON | None]]
"""Renders an event's object at a version, with its previous state (updates) or ``None``."""

#: The event types the emulator records.
CREDIT_NOTE_EVENT_TYPES = ("credit_note.created", "credit_note.updated", "credit_note.voided")

_MAX_TYPES = 20

_LIST_SCHEMA = Obj(
    {
        "created": IntOrRange(),
        "delivery_success": Bool(),
        "ending_before": Str(),
        "expand": Arr(Str()),
        "limit": Int(),
        "starting_after": Str(),
        "type": Str(),
        "types": Arr(Str(), max_items=_MAX_TYPES),
    }
)
_RETRIEVE_SCHEMA = Obj({"expand": Arr(Str())})

_BOUNDS: tuple[tuple[str, Callable[[int, int], bool]], ...] = (
    ("gt", lambda a, b: a > b),
    ("gte", lambda a, b: a >= b),
    ("lt", lambda a, b: a < b),
    ("lte", lambda a, b: a <= b),
)


def credit_note_renderer(store: Store, note: CreditNote, before: CreditNote | None) -> Renderer:
    """Render ``note`` (and its copy from before an update) at any version; call it under the
    state lock, while ``note`` is still as the event saw it."""

    def render(version: ApiVersion) -> tuple[JSON, JSON | None]:
        now = render_credit_note(store, note, version, {})
        was = None if before is None else render_credit_note(store, before, version, {})
        return now, was

    return render


def event_data(obj: JSON, previous: JSON | None) -> JSON:
    """An event's ``data``: the object, and on updates the old values of what changed."""
    data: JSON = {"object": obj}
    if previous is not None:
        data["previous_attributes"] = {
            key: value for key, value in previous.items() if obj.get(key) != value
        }
    return data


@dataclass
class StoredEvent:
    """One recorded event. ``renderings`` maps an API version to ``data`` at that version."""

    id: str
    type: str
    created: int
    sequence: int
    api_version: str
    renderings: dict[str, JSON]
    request_id: str | None
    idempotency_key: str | None
    pending: set[str] = field(default_factory=set)
    """Endpoints (ids) that have not yet answered 2xx to this event."""

    def render(self, version: str | None = None) -> JSON:
        """The event as ``GET /v1/events/{id}`` (``version=None``) or a webhook sends it."""
        version = version or self.api_version
        request = (
            None
            if self.request_id is None
            else {"id": self.request_id, "idempotency_key": self.idempotency_key}
        )
        return {
            "id": self.id,
            "object": "event",
            "api_version": version,
            "created": self.created,
            "data": self.renderings[version],
            "livemode": False,
            "pending_webhooks": len(self.pending),
            "request": request,
            "type": self.type,
        }


class EventLog:
    """Every event, oldest first; thread-safe (delivery updates ``pending`` from its worker)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._events: dict[str, StoredEvent] = {}
        self._sequence = 0

    def reset(self) -> None:
        with self._lock:
            self._events.clear()

    def record(
        self,
        type: str,
        *,
        created: int,
        default_version: ApiVersion,
        versions: Iterable[ApiVersion],
        render: Renderer,
        request_id: str | None,
        idempotency_key: str | None,
        endpoints: Iterable[str],
    ) -> StoredEvent | None:
        """Record an event, rendering its data at the default version and every ``versions``;
        ``None`` (nothing recorded) for an update that changed nothing."""
        renderings: dict[str, JSON] = {}
        for version in (default_version, *versions):
            if version.raw not in renderings:
                renderings[version.raw] = event_data(*render(version))
        if renderings[default_version.raw].get("previous_attributes") == {}:
            return None
        with self._lock:
            self._sequence += 1
            event = StoredEvent(
                id=new_id("evt"),
                type=type,
                created=created,
                sequence=self._sequence,
                api_version=default_version.raw,
                renderings=renderings,
                request_id=request_id,
                idempotency_key=idempotency_key,
                pending=set(endpoints),
            )
            self._events[event.id] = event
        return event

    def delivered(self, event_id: str, endpoint_id: str) -> None:
        with self._lock:
            event = self._events.get(event_id)
            if event is not None:
                event.pending.discard(endpoint_id)

    def get(self, event_id: str) -> StoredEvent | None:
        with self._lock:
            return self._events.get(event_id)

    def all(self) -> list[StoredEvent]:
        with self._lock:
            return list(self._events.values())

    # Routes ----------------------------------------------------------------------------------

    def retrieve_route(self, params: Mapping[str, Any], event_id: str) -> JSON:
        parse_expand(coerce_params(_RETRIEVE_SCHEMA, params).get("expand"), {})
        event = self.get(event_id)
        if event is None:
            raise resource_missing("event", event_id, param="id", status=404)
        return event.render()

    def list_route(self, params: Mapping[str, Any]) -> JSON:
        query = coerce_params(_LIST_SCHEMA, params)
        parse_expand(query.get("expand"), {}, is_list=True)
        if query.get("type") is not None and query.get("types") is not None:
            raise invalid_request(
                "You may only specify one of these parameters: type, types.", param="types"
            )
        patterns: list[str] | None = None
        if query.get("type") is not None:
            patterns = [query["type"]]
        elif query.get("types") is not None:
            # `types` takes exact names; only `type` takes a `*` wildcard.
            patterns = [name.replace("*", "[*]") for name in query["types"]]
        created = query.get("created")
        success = query.get("delivery_success")

        def include(event: StoredEvent) -> bool:
            if patterns is not None and not any(
                fnmatch.fnmatchcase(event.type, p) for p in patterns
            ):
                return False
            if isinstance(created, int) and event.created != created:
                return False
            if isinstance(created, dict) and not all(
                test(event.created, created[name])
                for name, test in _BOUNDS
                if created.get(name) is not None
            ):
                return False
            # Stripe: delivery_success=false lists events some endpoint has not acknowledged.
            return success is None or (not event.pending) is success

        ordered = sorted(self.all(), key=lambda e: (e.created, e.sequence), reverse=True)
        page, has_more = paginate(
            ordered, query, ident=lambda e: e.id, kind="event", include=include
        )
        return render_list([event.render() for event in page], "/v1/events", has_more)
