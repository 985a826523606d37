"""The description of one API operation, instantiated by the generated ``_operations`` module."""

from __future__ import annotations

from typing import Generic, Literal, TypeVar

import attrs

__all__ = ["Operation"]

R = TypeVar("R")


@attrs.frozen
class Operation(Generic[R]):
    """One operation of the spec: how to call it and what it returns."""

    name: str
    """The method name on ``client.credit_notes``."""
    method: Literal["GET", "POST"]
    path: str
    """The path template, e.g. ``/v1/credit_notes/{id}``."""
    path_param: str | None
    """The name of the path parameter in ``path``, if any."""
    response_type: type[R]
    """The model the response decodes into (a list envelope for list operations)."""
    item_type: type | None
    """For list operations, the model of one item; ``None`` otherwise."""
    summary: str

    @property
    def paginated(self) -> bool:
        """Whether the response is a page of a list."""
        return self.item_type is not None
