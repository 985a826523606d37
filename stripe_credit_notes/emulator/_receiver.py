"""``WebhookReceiver``: a local HTTP server that receives webhooks, for tests.

It verifies and decodes every delivery with the SDK's
:func:`~stripe_credit_notes.webhooks.construct_event` (answering 400 to a bad signature, as a
real handler should) and keeps both the raw deliveries and the typed events. ``respond_with`` scripts its next answers, to test the
emulator's retries. Unlike the rest of the emulator package it uses the SDK: it is the receiving
side, the code under test in a webhook handler's suite.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

from ..errors import MalformedResponseError, SignatureVerificationError
from ..webhooks import AnyEvent, construct_event
from ._webhooks import WebhookEndpoint, Webhooks

__all__ = ["ReceivedDelivery", "WebhookReceiver"]

_MAX_BODY = 10 * 1024 * 1024


@dataclass(frozen=True)
class ReceivedDelivery:
    """One POST the receiver got, as it arrived, and what verification said."""

    path: str
    headers: dict[str, str]
    """Header names in lower case."""
    body: bytes
    event: AnyEvent | None
    """The verified, decoded event, or ``None`` when verification failed."""
    status: int
    """The status the receiver answered."""
    error: str | None
    """Why verification failed, or ``None``."""
    received_at: float


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    receiver: WebhookReceiver


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(min(length, _MAX_BODY))
        headers = {k.lower(): v for k, v in self.headers.items()}
        status = self.server.receiver._receive(self.path, headers, body)
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "2")
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(b"{}")
        self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:
        pass


class WebhookReceiver:
    """Receives webhooks on ``url`` (loopback, a free port) and verifies them with ``secret``.

    :meth:`register` adds it as an endpoint of an emulator and takes the endpoint's secret (or
    set ``secret`` yourself); until then every delivery fails verification. Use it as a context
    manager::

        with WebhookReceiver() as receiver:
            receiver.register(emulator.webhooks, enabled_events=["credit_note.voided"])
            ...
            (event,) = receiver.wait_for(1)
    """

    def __init__(
        self, secret: str | None = None, *, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self.secret = secret
        self.endpoint: WebhookEndpoint | None = None
        self._host = host
        self._port = port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._deliveries: list[ReceivedDelivery] = []
        self._verified: queue.Queue[AnyEvent] = queue.Queue()
        self._script: list[tuple[int, float]] = []

    def __repr__(self) -> str:  # never the secret
        return f"WebhookReceiver(url={self.url if self._server else None!r})"

    # Lifecycle -------------------------------------------------------------------------------

    def start(self) -> WebhookReceiver:
        server = _Server((self._host, self._port), _Handler)
        server.receiver = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="webhook-receiver",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(10)
            self._thread = None

    def __enter__(self) -> WebhookReceiver:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """Where to point a webhook endpoint: ``http://127.0.0.1:<port>/webhooks``."""
        if self._server is None:
            raise RuntimeError("the receiver is not running")
        return f"http://{self._host}:{self._server.server_address[1]}/webhooks"

    def register(
        self,
        webhooks: Webhooks,
        *,
        enabled_events: Sequence[str] = ("*",),
        api_version: str | None = None,
    ) -> WebhookEndpoint:
        """Register this receiver with an emulator (``emulator.webhooks``) and use its secret."""
        self.endpoint = webhooks.add_endpoint(
            self.url, enabled_events=enabled_events, api_version=api_version
        )
        self.secret = self.endpoint.secret
        return self.endpoint

    # Scripting and inspection ----------------------------------------------------------------

    def respond_with(self, *statuses: int, delay: float = 0.0) -> None:
        """Answer the next deliveries with ``statuses`` (in order; then 2xx again), each after
        ``delay`` seconds. A bad signature is answered 400 regardless."""
        with self._lock:
            self._script.extend((status, delay) for status in statuses)

    @property
    def deliveries(self) -> list[ReceivedDelivery]:
        """Every POST received so far, oldest first."""
        with self._lock:
            return list(self._deliveries)

    def events(self, timeout: float = 10.0) -> Iterator[AnyEvent]:
        """Yield each verified, typed event as it arrives; stop once ``timeout`` seconds pass
        with nothing new."""
        while True:
            try:
                yield self._verified.get(timeout=timeout)
            except queue.Empty:
                return

    def wait_for(self, count: int, timeout: float = 10.0) -> list[AnyEvent]:
        """The next ``count`` verified, typed events, in arrival order; ``TimeoutError`` if
        they do not all arrive within ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        got: list[AnyEvent] = []
        while len(got) < count:
            remaining = deadline - time.monotonic()
            try:
                got.append(self._verified.get(timeout=max(remaining, 0.0)))
            except queue.Empty:
                raise TimeoutError(
                    f"{len(got)} of {count} verified webhooks arrived within {timeout}s"
                ) from None
        return got

    # Receiving -------------------------------------------------------------------------------

    def _receive(self, path: str, headers: dict[str, str], body: bytes) -> int:
        with self._lock:
            status, delay = self._script.pop(0) if self._script else (200, 0.0)
        error: str | None = None
        event: AnyEvent | None = None
        try:
            if self.secret is None:
                raise SignatureVerificationError("the receiver has no secret yet")
            event = construct_event(body, headers.get("stripe-signature", ""), self.secret)
        except (SignatureVerificationError, MalformedResponseError) as exc:
            status, error = 400, str(exc)
        if delay:
            time.sleep(delay)
        with self._lock:
            self._deliveries.append(
                ReceivedDelivery(path, headers, body, event, status, error, time.time())
            )
        if event is not None and 200 <= status < 300:
            self._verified.put(event)
        return status
