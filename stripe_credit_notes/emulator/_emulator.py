"""``Emulator``: the in-process handle on a running emulator, with the Python setup API."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from types import TracebackType
from typing import Any

from ._faults import FaultKind, FaultQueue, make_fault
from ._limits import Limits
from ._render import render_credit_note, render_customer, render_invoice
from ._routes import Application
from ._server import HTTPServerThread
from ._state import Store
from ._versions import DEFAULT_API_VERSION, ApiVersion
from ._webhooks import Webhooks

__all__ = ["DEFAULT_API_KEY", "Emulator", "SeededInvoice", "run_emulator"]

#: A key the emulator accepts (any ``sk_test_...`` key is accepted unless ``api_keys`` is set).
DEFAULT_API_KEY = "sk_test_emulator"


@dataclass(frozen=True)
class SeededInvoice:
    """What :meth:`Emulator.seed_invoice` created."""

    id: str
    customer: str
    number: str
    line_ids: tuple[str, ...]
    total: int
    currency: str


class Emulator:
    """A local, stateful emulator of Stripe's credit-notes API.

    Use it as a context manager (or call :meth:`start` / :meth:`stop`)::

        with Emulator() as emu:
            invoice = emu.seed_invoice(lines=[1000], paid=True)
            httpx.post(f"{emu.base_url}/v1/credit_notes", ...)

    The ``seed_*`` methods, :meth:`reset`, :meth:`inject_fault` and friends are the setup API;
    they work whether or not the server is running, and are thread-safe.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        default_api_version: str = DEFAULT_API_VERSION,
        api_keys: Iterable[str] | None = None,
        verbose: bool = False,
        limits: Limits | None = None,
    ) -> None:
        self.host = host
        self.requested_port = port
        self.verbose = verbose
        self.store = Store()
        self.faults = FaultQueue()
        self.default_api_version = ApiVersion.parse(default_api_version)
        keys = frozenset(api_keys) if api_keys is not None else None
        self.api_key = next(iter(sorted(keys))) if keys else DEFAULT_API_KEY
        self.app = Application(
            self.store,
            self.faults,
            default_version=self.default_api_version,
            api_keys=keys,
            stopping=threading.Event(),
            limits=limits,
        )
        self._server: HTTPServerThread | None = None

    # Lifecycle ---------------------------------------------------------------------------------

    def start(self) -> Emulator:
        if self._server is not None:
            raise RuntimeError("the emulator is already running")
        self.app.stopping.clear()
        server = HTTPServerThread(self.app, self.host, self.requested_port, verbose=self.verbose)
        server.start()
        self._server = server
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None
        self.app.webhooks.close()

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the emulator is not running")
        return self._server.port

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``: use it as the SDK's API base URL."""
        host = self.host if ":" not in self.host else f"[{self.host}]"
        return f"http://{host}:{self.port}"

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # Setup API ---------------------------------------------------------------------------------

    @property
    def webhooks(self) -> Webhooks:
        """Webhook endpoints, recorded events and delivery attempts (see ``docs/webhooks.md``)."""
        return self.app.webhooks

    def reset(self) -> None:
        """Forget every object, idempotent result and pending fault; use the real clock."""
        self.app.admin.reset()

    def seed_customer(
        self,
        *,
        balance: int = 0,
        currency: str | None = "usd",
        name: str | None = None,
        email: str | None = None,
    ) -> str:
        """Create a customer; returns its id (``cus_...``)."""
        return self.store.seed_customer(
            balance=balance, currency=currency, name=name, email=email
        ).id

    def seed_tax_rate(
        self,
        percentage: Decimal | float | int | str,
        *,
        inclusive: bool = False,
        display_name: str = "Tax",
    ) -> str:
        """Create a tax rate; returns its id (``txr_...``)."""
        return self.store.seed_tax_rate(
            percentage=percentage, inclusive=inclusive, display_name=display_name
        ).id

    def seed_invoice(
        self,
        *,
        lines: Sequence[int | Mapping[str, Any]],
        customer: str | None = None,
        currency: str = "usd",
        paid: bool = False,
        amount_paid: int | None = None,
        number: str | None = None,
        shipping: int | Mapping[str, Any] | None = None,
    ) -> SeededInvoice:
        """Create a finalized invoice (and a customer, unless ``customer`` is given).

        ``lines`` items are amounts (``1000``) or mappings with ``amount`` or ``unit_amount`` and
        ``quantity``, plus optional ``description`` and ``tax_rates`` (ids). ``paid=True`` pays
        it in full, ``amount_paid=...`` partially; otherwise it is open and unpaid.
        ``shipping`` is a shipping amount, or a mapping with ``amount`` and ``shipping_rate``.
        """
        specs = [{"amount": line} if isinstance(line, int) else line for line in lines]
        invoice = self.store.seed_invoice(
            lines=specs,
            customer=customer,
            currency=currency,
            paid=paid,
            amount_paid=amount_paid,
            number=number,
            shipping=shipping,
        )
        return SeededInvoice(
            id=invoice.id,
            customer=invoice.customer,
            number=invoice.number,
            line_ids=tuple(line.id for line in invoice.lines),
            total=invoice.total,
            currency=invoice.currency,
        )

    def pay_invoice(self, invoice: str, amount: int | None = None) -> None:
        """Record a payment on ``invoice`` (all of ``amount_remaining`` by default)."""
        self.store.pay_invoice(invoice, amount)

    def seed_refund(self, invoice: str, amount: int) -> str:
        """A refund of the invoice's payment made outside credit notes (the Refund API)."""
        return self.store.seed_refund(invoice, amount).id

    def credit_note_count(self, *, invoice: str | None = None, status: str | None = None) -> int:
        return self.store.count_credit_notes(invoice=invoice, status=status)

    def invoice(self, invoice_id: str) -> dict[str, Any]:
        """The invoice as ``GET /v1/invoices/{id}`` returns it."""
        with self.store.lock:
            return render_invoice(self.store, self.store.invoices[invoice_id], {})

    def customer(self, customer_id: str) -> dict[str, Any]:
        with self.store.lock:
            return render_customer(self.store.customers[customer_id])

    def credit_note(self, credit_note_id: str, *, api_version: str | None = None) -> dict[str, Any]:
        """The credit note as ``GET /v1/credit_notes/{id}`` returns it at ``api_version``."""
        version = ApiVersion.parse(api_version) if api_version else self.default_api_version
        with self.store.lock:
            note = self.store.credit_notes[credit_note_id]
            return render_credit_note(self.store, note, version, {})

    def inject_fault(
        self,
        kind: str | FaultKind,
        *,
        count: int = 1,
        method: str | None = None,
        path: str | None = None,
        delay: float = 0.0,
    ) -> None:
        """Make the next ``count`` matching ``/v1`` requests fail (see :class:`FaultKind`).

        ``method`` and ``path`` (an ``fnmatch`` pattern such as ``/v1/credit_notes*``) narrow
        which requests it applies to; ``delay`` is the wait of a ``slow`` fault in seconds.
        """
        self.faults.add(make_fault(kind, count=count, method=method, path=path, delay=delay))

    def clear_faults(self) -> None:
        self.faults.clear()

    def pending_faults(self) -> list[dict[str, Any]]:
        return [fault.to_json() for fault in self.faults.pending()]

    def set_time(self, timestamp: int | None) -> None:
        """Freeze the clock used for ``created`` at ``timestamp`` (``None``: real time)."""
        self.store.set_time(timestamp)

    def advance_time(self, seconds: int) -> int:
        return self.store.advance_time(seconds)

    def now(self) -> int:
        return self.store.now()

    def set_limits(self, **changes: Any) -> Limits:
        """Turn the opt-in limits on or off: ``rate_limit`` (requests/s per key),
        ``idempotency_lifetime`` (seconds), ``invoice_lock``, ``lock_wait``, ``lock_hold``
        (seconds). ``reset()`` restores the limits the emulator was started with."""
        return self.app.limit_settings.update(changes)


@contextlib.contextmanager
def run_emulator(
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    default_api_version: str = DEFAULT_API_VERSION,
    api_keys: Iterable[str] | None = None,
    verbose: bool = False,
) -> Iterator[Emulator]:
    """Start an emulator on a free port in a background thread; stop it on exit."""
    emulator = Emulator(
        host=host,
        port=port,
        default_api_version=default_api_version,
        api_keys=api_keys,
        verbose=verbose,
    )
    with emulator:
        yield emulator
