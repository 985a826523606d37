"""Opt-in limits of Stripe's that bulk clients must live with: all off unless configured.

* **Rate limit**: at most ``rate_limit`` requests to ``/v1`` per second per API key (a sliding
  one-second window of admitted requests); above it, 429 ``rate_limit``. Refused requests are
  not counted and not saved for idempotency, as on Stripe (they never reached an endpoint).
* **Idempotency-key lifetime**: saved results are forgotten ``idempotency_lifetime`` seconds
  (emulator clock, so ``advance_time`` ages them) after they were saved; Stripe keeps them at
  least 24 hours. A key reused after that is a new request.
* **Invoice lock**: a credit-note create holds its invoice for ``lock_hold`` seconds (simulated
  work, outside the global state lock); a second create for the same invoice waits up to
  ``lock_wait`` seconds, then gets 429 ``lock_timeout`` (not saved, so it can be retried).
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING, Any

from ._errors import ApiError
from ._http import Request, Response

if TYPE_CHECKING:
    from ._routes import Application

__all__ = ["InvoiceLocks", "LimitSettings", "Limits", "RequestRateLimiter", "process_limited"]


@dataclass(frozen=True)
class Limits:
    """The emulator's opt-in limits (``None`` / ``False``: off)."""

    rate_limit: float | None = None
    idempotency_lifetime: float | None = None
    invoice_lock: bool = False
    lock_wait: float = 0.0
    lock_hold: float = 0.0

    def __post_init__(self) -> None:
        for name in ("rate_limit", "idempotency_lifetime"):
            value = getattr(self, name)
            if value is not None and not value > 0:
                raise ValueError(f"{name} must be > 0 (or null: off), got {value!r}")
        for name in ("lock_wait", "lock_hold"):
            value = getattr(self, name)
            if not 0 <= value <= 60:
                raise ValueError(f"{name} must be between 0 and 60 seconds, got {value!r}")

    def updated(self, changes: Mapping[str, Any]) -> Limits:
        """A copy with ``changes`` (JSON values) applied; unknown names are an error."""
        allowed = set(asdict(self))
        unknown = set(changes) - allowed
        if unknown:
            raise ValueError(f"unknown limits: {sorted(unknown)}; allowed: {sorted(allowed)}")
        values: dict[str, Any] = {}
        for name, value in changes.items():
            if name == "invoice_lock":
                if value not in (True, False, "true", "false"):
                    raise ValueError(f"invoice_lock must be true or false, got {value!r}")
                values[name] = value in (True, "true")
            elif value is None or value == "":
                if name in ("lock_wait", "lock_hold"):
                    raise ValueError(f"{name} must be a number of seconds")
                values[name] = None
            else:
                values[name] = float(value)
        return replace(self, **values)

    def to_json(self) -> dict[str, Any]:
        """The limits as the admin API shows them."""
        return asdict(self)


class RequestRateLimiter:
    """A sliding one-second window of admitted requests per API key."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._windows: dict[str, deque[float]] = {}

    def admit(self, api_key: str, limit: float) -> None:
        """Count one request, or raise 429 ``rate_limit`` when the window is full."""
        now = self._clock()
        with self._lock:
            window = self._windows.setdefault(api_key, deque())
            while window and window[0] <= now - 1.0:
                window.popleft()
            if len(window) + 1 > limit:
                raise ApiError(
                    429,
                    "Too many requests hit the API too quickly. We recommend an exponential "
                    "backoff of your requests (emulated rate limit).",
                    code="rate_limit",
                    saved=False,
                )
            window.append(now)

    def clear(self) -> None:
        with self._lock:
            self._windows.clear()


class InvoiceLocks:
    """One lock per invoice, held while a credit note for it is being created."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}

    @contextlib.contextmanager
    def hold(self, invoice: str, limits: Limits, stopping: threading.Event) -> Iterator[None]:
        """Hold ``invoice`` for the request (and ``lock_hold`` seconds), or raise 429."""
        with self._guard:
            lock = self._locks.setdefault(invoice, threading.Lock())
        if limits.lock_wait > 0:
            acquired = lock.acquire(timeout=limits.lock_wait)
        else:
            acquired = lock.acquire(blocking=False)
        if not acquired:
            raise ApiError(
                429,
                "This object cannot be accessed right now because another API request or "
                "Stripe process is currently accessing it (emulated lock_timeout).",
                code="lock_timeout",
                saved=False,
            )
        try:
            if limits.lock_hold:
                stopping.wait(limits.lock_hold)
            yield
        finally:
            lock.release()


class LimitSettings:
    """The limits in force (changed through the admin API) and those the emulator started with."""

    def __init__(self, initial: Limits | None = None) -> None:
        self.initial = initial or Limits()
        self.current = self.initial
        self.rate = RequestRateLimiter()
        self.invoices = InvoiceLocks()

    def update(self, changes: Mapping[str, Any]) -> Limits:
        self.current = self.current.updated(changes)
        return self.current

    def reset(self) -> None:
        self.current = self.initial
        self.rate.clear()


def process_limited(app: Application, request: Request, request_id: str) -> Response:
    """``app._process``, behind the rate limit and the invoice lock when they are on."""
    limits = app.limit_settings.current
    if limits.rate_limit is None and not limits.invoice_lock:
        return app._process(request, request_id)
    try:
        api_key = app._authenticate(request)
    except ApiError:
        return app._process(request, request_id)  # answers the 401 itself
    invoice = _created_invoice(app, request) if limits.invoice_lock else None
    try:
        if limits.rate_limit is not None:
            app.limit_settings.rate.admit(api_key, limits.rate_limit)
        if invoice is not None:
            with app.limit_settings.invoices.hold(invoice, limits, app.stopping):
                return app._process(request, request_id)
    except ApiError as error:
        return app._error(error, request_id, app.default_version.raw)
    return app._process(request, request_id)


def _created_invoice(app: Application, request: Request) -> str | None:
    """The invoice a ``POST /v1/credit_notes`` credits, if the request names one."""
    if request.method != "POST" or request.path != "/v1/credit_notes":
        return None
    try:
        invoice = app._params(request).get("invoice")
    except ApiError:
        return None
    return invoice if isinstance(invoice, str) and invoice else None
