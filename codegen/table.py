"""Which spec operations the SDK exposes, and where: the resource table.

Every operation of the vendored spec is named here by its ``operationId`` and given a place,
``(resource, method)``: ``PostCreditNotes`` is ``client.credit_notes.create``. Everything the
generator writes about an operation is keyed by that pair, so two resources may both have a
``create`` (or a ``list``) without one replacing the other.

Adding a resource is one :class:`Resource` entry below plus its part of the spec (see
``docs/architecture.md``); the spec decides the rest (parameters, response models, paging).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Op:
    """One spec operation as a method of its resource."""

    operation_id: str
    """The spec's ``operationId``."""
    method: str
    """The method name on the resource (``create``, ``list``, ``list_lines``, ...)."""
    allocation_checked: bool = False
    """The credit-note allocation rules check its parameters, and it takes an invoice
    snapshot (``invoice_snapshot=``, and ``fetch_invoice`` fetches one)."""
    response: str | None = None
    """The model the response decodes into, when not the one the spec names (a class in
    ``stripe_credit_notes.models``, or ``"module:Class"`` relative to the package)."""
    item: str | None = None
    """For list operations: the model of one item, when not the one the spec names."""
    embedded: str | None = None
    """For a list under one object whose first page that object embeds: the field that holds
    it (``lines``). The resource gains a method of that name taking the object
    (``client.credit_notes.lines(note)``): a page that starts from the embedded one and
    fetches the rest through this operation."""


@dataclass(frozen=True)
class Resource:
    """One attribute of the client (``client.credit_notes``) and the operations behind it."""

    name: str
    """The attribute on the client and the module under ``stripe_credit_notes/resources/``."""
    model: str
    """The spec schema of the resource's object: it names the parameter classes
    (``credit_note`` -> ``CreditNoteCreateParams``) and their enums."""
    summary: str
    """The docstring of the client attribute."""
    operations: tuple[Op, ...]
    """In the order the methods appear."""


RESOURCES: tuple[Resource, ...] = (
    Resource(
        name="credit_notes",
        model="credit_note",
        summary="Create, preview, list, retrieve, update and void credit notes.",
        operations=(
            Op("PostCreditNotes", "create", allocation_checked=True),
            Op("GetCreditNotesPreview", "preview", allocation_checked=True),
            Op("GetCreditNotesPreviewLines", "preview_lines", allocation_checked=True),
            Op("GetCreditNotes", "list"),
            Op("GetCreditNotesCreditNoteLines", "list_lines", embedded="lines"),
            Op("GetCreditNotesId", "retrieve"),
            Op("PostCreditNotesId", "update"),
            Op("PostCreditNotesIdVoid", "void"),
        ),
    ),
    Resource(
        name="events",
        model="event",
        summary="List and retrieve the events of the account (the last 30 days).",
        operations=(
            # Typed like webhooks: CreditNoteEvent for credit notes, else the generic Event.
            Op(
                "GetEvents",
                "list",
                response="_events_api:TypedEventList",
                item="_events_api:AnyEvent",
            ),
            Op("GetEventsId", "retrieve", response="_events_api:AnyEvent"),
        ),
    ),
)


@dataclass(frozen=True)
class TypedEvent:
    """Events of ``types`` (all ``<prefix>.*``) carry a ``model`` as ``data.object``: the
    generator adds ``<model>Event`` beside ``Event`` (``codegen/events.py``)."""

    prefix: str
    model: str
    """A class of ``stripe_credit_notes.models``."""
    types: tuple[str, ...]
    """The event types Stripe documents (the field stays open to new ones)."""

    @property
    def name(self) -> str:
        return f"{self.model}Event"


TYPED_EVENTS: tuple[TypedEvent, ...] = (
    TypedEvent(
        "credit_note",
        "CreditNote",
        ("credit_note.created", "credit_note.updated", "credit_note.voided"),
    ),
)
