"""What came back for a call, besides the decoded object: ids to log, status, headers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Generic, TypeVar

import attrs

if TYPE_CHECKING:
    from .validation import ValidationReport

__all__ = ["APIResponse"]

T = TypeVar("T")
U = TypeVar("U")


@attrs.frozen
class APIResponse(Generic[T]):
    """A decoded response with its HTTP metadata (``client.credit_notes.with_raw_response``)."""

    parsed: T
    """The decoded object (a model, or a page for list operations)."""
    status_code: int
    headers: Mapping[str, str] = attrs.field(repr=False)
    """Response headers (case-insensitive)."""
    request_id: str | None
    """Stripe's ``Request-Id``: log it, and quote it to Stripe support."""
    idempotency_key: str | None
    """The ``Idempotency-Key`` sent (generated for every POST that did not bring one)."""
    attempts: int
    """How many attempts the call took (1 when it was not retried)."""
    elapsed: float
    """Seconds from the first attempt to the final response, retries and waits included."""
    validation: ValidationReport | None = None
    """What pre-validation checked before the call (``create``, ``preview``, ``preview_lines``
    with validation on): ``validation.complete`` is False when a rule was only bounded or
    skipped, and ``validation.describe()`` says why. ``None`` otherwise."""

    def with_parsed(self, parsed: U) -> APIResponse[U]:
        """The same response metadata around another decoded object (a page, for lists)."""
        return APIResponse(
            parsed=parsed,
            status_code=self.status_code,
            headers=self.headers,
            request_id=self.request_id,
            idempotency_key=self.idempotency_key,
            attempts=self.attempts,
            elapsed=self.elapsed,
            validation=self.validation,
        )
