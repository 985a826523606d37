"""The description of one API operation, instantiated by the generated ``_operations`` module."""

from __future__ import annotations

import importlib
from typing import Any, Generic, Literal, TypeVar

import attrs

__all__ = ["Operation", "OperationKey"]

R = TypeVar("R")

OperationKey = tuple[str, str]
"""``(resource, method)``, e.g. ``("credit_notes", "create")``: how every table is keyed."""


@attrs.frozen
class Operation(Generic[R]):
    """One operation of the spec: where it lives, how to call it and what it returns.

    The models are named, not imported: ``models`` (about forty attrs classes) is loaded with
    the first response decoded, not with ``import stripe_credit_notes``.
    """

    resource: str
    """The client attribute it belongs to (``credit_notes``, ``events``)."""
    name: str
    """The method name on the resource."""
    method: Literal["GET", "POST"]
    path: str
    """The path template, e.g. ``/v1/credit_notes/{id}``."""
    path_param: str | None
    """The name of the path parameter in ``path``, if any."""
    response: str
    """The model the response decodes into: a name in ``stripe_credit_notes.models``, or
    ``"module:Class"`` for a class elsewhere in the package (decoded by the converter)."""
    item: str | None
    """For list operations, the model of one item (named like ``response``); else ``None``."""
    summary: str
    allocation_checked: bool = False
    """The credit-note allocation rules check its parameters (and it takes an invoice
    snapshot; ``fetch_invoice`` fetches one for it)."""

    @property
    def key(self) -> OperationKey:
        """``(resource, name)``."""
        return (self.resource, self.name)

    @property
    def response_type(self) -> type[R]:
        """The model the response decodes into (a list envelope for list operations)."""
        model: type[R] = _model(self.response)
        return model

    @property
    def item_type(self) -> type | None:
        """For list operations, the model of one item; ``None`` otherwise."""
        return None if self.item is None else _model(self.item)

    @property
    def paginated(self) -> bool:
        """Whether the response is a page of a list."""
        return self.item is not None


def _model(name: str) -> Any:
    module, _, cls = name.rpartition(":")
    return getattr(importlib.import_module(f"stripe_credit_notes.{module or 'models'}"), cls)
