"""The description of one API operation, instantiated by the generated ``_operations`` module."""

from __future__ import annotations

import importlib
from typing import Any, Generic, Literal, TypeVar

import attrs

__all__ = ["Operation"]

R = TypeVar("R")


@attrs.frozen
class Operation(Generic[R]):
    """One operation of the spec: how to call it and what it returns.

    The models are named, not imported: ``models`` (about thirty attrs classes) is loaded with
    the first response decoded, not with ``import stripe_credit_notes``.
    """

    name: str
    """The method name on ``client.credit_notes``."""
    method: Literal["GET", "POST"]
    path: str
    """The path template, e.g. ``/v1/credit_notes/{id}``."""
    path_param: str | None
    """The name of the path parameter in ``path``, if any."""
    response: str
    """The name in ``stripe_credit_notes.models`` of the model the response decodes into."""
    item: str | None
    """For list operations, the name of the model of one item; ``None`` otherwise."""
    summary: str

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
    return getattr(importlib.import_module("stripe_credit_notes.models"), name)
