"""Webhook endpoints and the delivery of signed events to them, off the request path.

Every event is queued, at the moment it is recorded, once for each enabled endpoint that listens
to its type, with ``data`` rendered at the endpoint's ``api_version`` (the emulator's default
when the endpoint has none). A dispatcher thread takes due deliveries from the queue and posts
each from its own short-lived thread, so the request that caused the event never waits for a
handler, and one slow handler does not hold up the others.

A delivery succeeds on any 2xx answer. Anything else (another status, a timeout, a refused or
broken connection) is retried after ``backoff * 2**(attempt - 1)`` seconds (at most
``max_backoff``), until ``max_attempts`` attempts have been made. Every attempt is recorded
(``GET /_emulator/deliveries``).

Signatures follow Stripe's scheme (``t=<unix>,v1=<HMAC-SHA256 of "t.body">``), written here
again rather than imported from the SDK, so the SDK's verifier is tested against a second
implementation. The timestamp is the real time of the attempt, not the emulator's clock, because
the receiver compares it with its own clock.
"""

from __future__ import annotations

import hashlib
import heapq
import hmac
import http.client
import itertools
import re
import socket
import threading
import time
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ._events import EventLog, Renderer
from ._http import json_body
from ._state import new_id
from ._versions import ApiVersion

__all__ = ["DeliveryAttempt", "WebhookEndpoint", "Webhooks"]

JSON = dict[str, Any]
AdminRoute = tuple[str, "re.Pattern[str]", Callable[[Mapping[str, Any], tuple[str, ...]], JSON]]

_EVENT_NAME = re.compile(r"^(\*|[a-z0-9_]+(\.[a-z0-9_]+)+)$")
_MAX_RESPONSE = 64 * 1024
_USER_AGENT = "Stripe/1.0 (+https://stripe.com/docs/webhooks)"


def signature_header(body: bytes, secret: str, timestamp: int) -> str:
    """``Stripe-Signature`` for ``body``."""
    mac = hmac.new(secret.encode("utf-8"), b"%d." % timestamp + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


@dataclass
class WebhookEndpoint:
    """A registered receiver. ``secret`` signs its deliveries (and is kept out of ``repr``)."""

    id: str
    url: str
    enabled_events: tuple[str, ...]
    api_version: str | None
    """``None``: the emulator's default version."""
    created: int
    secret: str = field(repr=False)

    def listens_to(self, event_type: str) -> bool:
        return "*" in self.enabled_events or event_type in self.enabled_events

    def to_json(self, *, with_secret: bool = False) -> JSON:
        """As ``/_emulator/webhook_endpoints`` shows it; the secret only when it is created."""
        obj: JSON = {
            "id": self.id,
            "object": "webhook_endpoint",
            "api_version": self.api_version,
            "created": self.created,
            "enabled_events": list(self.enabled_events),
            "status": "enabled",
            "url": self.url,
        }
        if with_secret:
            obj["secret"] = self.secret
        return obj


@dataclass(frozen=True)
class DeliveryAttempt:
    """One POST of one event to one endpoint."""

    id: str
    event: str
    event_type: str
    endpoint: str
    url: str
    api_version: str
    attempt: int
    succeeded: bool
    http_status: int | None
    error: str | None
    """Why the attempt failed (``HTTP 500``, ``timed out``, ``connection refused``...)."""
    started_at: float
    duration: float
    next_retry_in: float | None
    """Seconds until the next attempt; ``None`` when it succeeded or the retries are used up."""
    response_body: str

    def to_json(self) -> JSON:
        return {
            "id": self.id,
            "object": "webhook_delivery_attempt",
            "api_version": self.api_version,
            "attempt": self.attempt,
            "duration": round(self.duration, 6),
            "endpoint": self.endpoint,
            "error": self.error,
            "event": self.event,
            "event_type": self.event_type,
            "http_status": self.http_status,
            "next_retry_in": self.next_retry_in,
            "response_body": self.response_body,
            "started_at": self.started_at,
            "status": "succeeded" if self.succeeded else "failed",
            "url": self.url,
        }


@dataclass(frozen=True)
class _Job:
    event_id: str
    event_type: str
    endpoint: WebhookEndpoint
    api_version: str
    body: bytes
    attempt: int
    generation: int


def _describe(exc: BaseException) -> str:
    if isinstance(exc, (TimeoutError, socket.timeout)):
        return "timed out"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _positive(name: str, value: object, kind: type = float) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ValueError(f"{name} must be a positive number, got {value!r}")
    if kind is int and not isinstance(value, int):
        raise ValueError(f"{name} must be a positive integer, got {value!r}")


class Webhooks:
    """Endpoints, the event log, the delivery queue and its record; thread-safe.

    The Python API behind ``Emulator.webhooks`` and the ``/_emulator/webhook_endpoints`` and
    ``/_emulator/deliveries`` routes.
    """

    def __init__(self, default_version: ApiVersion, clock: Callable[[], int]) -> None:
        self.default_version = default_version
        self.clock = clock
        self.events = EventLog()
        self._cond = threading.Condition()
        self._endpoints: dict[str, WebhookEndpoint] = {}
        self._attempts: list[DeliveryAttempt] = []
        self._queue: list[tuple[float, int, _Job]] = []
        self._order = itertools.count()
        self._in_flight = 0
        self._generation = 0
        self._closing = False
        self._dispatcher: threading.Thread | None = None
        self._slots = threading.BoundedSemaphore(8)
        self._default_policy()

    def _default_policy(self) -> None:
        self.max_attempts = 4
        self.backoff = 0.5
        self.max_backoff = 30.0
        self.timeout = 10.0

    # Setup API -------------------------------------------------------------------------------

    def configure(
        self,
        *,
        max_attempts: int | None = None,
        backoff: float | None = None,
        max_backoff: float | None = None,
        timeout: float | None = None,
    ) -> None:
        """Change the retry policy: attempts per delivery, first retry delay, its cap, and the
        timeout of each attempt (seconds, per socket operation)."""
        if max_attempts is not None:
            _positive("max_attempts", max_attempts, int)
        for name, value in (("backoff", backoff), ("max_backoff", max_backoff)):
            if value is not None:
                _positive(name, value)
        if timeout is not None:
            _positive("timeout", timeout)
        with self._cond:
            self.max_attempts = max_attempts or self.max_attempts
            self.backoff = backoff or self.backoff
            self.max_backoff = max_backoff or self.max_backoff
            self.timeout = timeout or self.timeout

    def add_endpoint(
        self,
        url: str,
        *,
        enabled_events: Sequence[str] = ("*",),
        api_version: str | None = None,
    ) -> WebhookEndpoint:
        """Register a receiver; events of ``enabled_events`` (``"*"``: all) are posted to it."""
        parts = urllib.parse.urlsplit(url) if isinstance(url, str) else None
        if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"url must be an http:// or https:// URL, got {url!r}")
        if isinstance(enabled_events, str):
            enabled_events = [enabled_events]
        events = tuple(str(name) for name in enabled_events)
        if not events or not all(_EVENT_NAME.match(name) for name in events):
            raise ValueError(
                f"enabled_events must be event types such as 'credit_note.voided' or '*', "
                f"got {list(enabled_events)!r}"
            )
        if api_version is not None:
            api_version = ApiVersion.parse(api_version).raw
        endpoint = WebhookEndpoint(
            id=new_id("we"),
            url=url,
            enabled_events=events,
            api_version=api_version,
            created=self.clock(),
            secret=new_id("whsec", 32),
        )
        with self._cond:
            self._endpoints[endpoint.id] = endpoint
        return endpoint

    def remove_endpoint(self, endpoint_id: str) -> None:
        with self._cond:
            if self._endpoints.pop(endpoint_id, None) is None:
                raise ValueError(f"no such webhook endpoint: {endpoint_id}")

    def endpoints(self) -> list[WebhookEndpoint]:
        with self._cond:
            return list(self._endpoints.values())

    def deliveries(
        self, *, event: str | None = None, endpoint: str | None = None
    ) -> list[DeliveryAttempt]:
        """Every delivery attempt so far, oldest first, optionally of one event or endpoint."""
        with self._cond:
            return [
                a
                for a in self._attempts
                if (event is None or a.event == event)
                and (endpoint is None or a.endpoint == endpoint)
            ]

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Wait until nothing is queued, in flight or waiting for a retry; ``False`` on timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._queue or self._in_flight:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(remaining)
            return True

    def reset(self) -> None:
        """Forget endpoints, events and deliveries, and restore the default retry policy;
        attempts in flight are not recorded."""
        with self._cond:
            self._default_policy()
            self._generation += 1
            self._endpoints.clear()
            self._attempts.clear()
            self._queue.clear()
            self.events.reset()
            self._cond.notify_all()

    def close(self) -> None:
        """Stop the dispatcher (queued deliveries wait until the emulator starts again)."""
        with self._cond:
            self._closing = True
            dispatcher, self._dispatcher = self._dispatcher, None
            self._cond.notify_all()
        if dispatcher is not None:
            dispatcher.join(10)

    # Recording -------------------------------------------------------------------------------

    def emit(
        self,
        event_type: str,
        render: Renderer,
        *,
        request_id: str | None,
        idempotency_key: str | None,
    ) -> None:
        """Record an event and queue its deliveries; called under the state lock, returns at
        once. ``render(version)`` gives the object (and its previous state, on updates)."""
        with self._cond:
            targets = [e for e in self._endpoints.values() if e.listens_to(event_type)]
            generation = self._generation
        versions = [ApiVersion.parse(e.api_version) for e in targets if e.api_version]
        event = self.events.record(
            event_type,
            created=self.clock(),
            default_version=self.default_version,
            versions=versions,
            render=render,
            request_id=request_id,
            idempotency_key=idempotency_key,
            endpoints=[e.id for e in targets],
        )
        if event is None:
            return
        with self._cond:
            for endpoint in targets:
                version = endpoint.api_version or self.default_version.raw
                job = _Job(
                    event_id=event.id,
                    event_type=event_type,
                    endpoint=endpoint,
                    api_version=version,
                    body=json_body(event.render(version)),
                    attempt=1,
                    generation=generation,
                )
                self._push(job, time.monotonic())
            if targets:
                self._start_dispatcher()

    # Delivery --------------------------------------------------------------------------------

    def _push(self, job: _Job, due: float) -> None:
        heapq.heappush(self._queue, (due, next(self._order), job))
        self._cond.notify_all()

    def _start_dispatcher(self) -> None:
        if self._dispatcher is None or not self._dispatcher.is_alive():
            self._closing = False
            self._dispatcher = threading.Thread(
                target=self._dispatch, name="stripe-emulator-webhooks", daemon=True
            )
            self._dispatcher.start()

    def _dispatch(self) -> None:
        while True:
            with self._cond:
                while True:
                    if self._closing:
                        return
                    now = time.monotonic()
                    if self._queue and self._queue[0][0] <= now:
                        _due, _order, job = heapq.heappop(self._queue)
                        self._in_flight += 1
                        break
                    self._cond.wait(self._queue[0][0] - now if self._queue else None)
            self._slots.acquire()
            threading.Thread(target=self._attempt, args=(job,), daemon=True).start()

    def _post(self, url: str, body: bytes, signature: str, timeout: float) -> tuple[int, str]:
        parts = urllib.parse.urlsplit(url)
        connection_class = (
            http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        )
        connection = connection_class(parts.hostname or "", parts.port, timeout=timeout)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            connection.request(
                "POST",
                target,
                body=body,
                headers={
                    "Content-Type": "application/json; charset=utf-8",
                    "Stripe-Signature": signature,
                    "User-Agent": _USER_AGENT,
                    "Cache-Control": "no-cache",
                    "Connection": "close",
                },
            )
            response = connection.getresponse()
            text = response.read(_MAX_RESPONSE).decode("utf-8", "replace")
            return response.status, text[:1000]
        finally:
            connection.close()

    def _attempt(self, job: _Job) -> None:
        try:
            with self._cond:
                timeout = self.timeout
            started = time.time()
            clock = time.monotonic()
            signature = signature_header(job.body, job.endpoint.secret, int(started))
            status: int | None = None
            text = ""
            try:
                status, text = self._post(job.endpoint.url, job.body, signature, timeout)
                error = None if 200 <= status < 300 else f"HTTP {status}"
            except (OSError, http.client.HTTPException) as exc:
                error = _describe(exc)
            duration = time.monotonic() - clock
            self._finish(job, status, error, text, started, duration)
        finally:
            with self._cond:
                self._in_flight -= 1
                self._cond.notify_all()
            self._slots.release()

    def _finish(
        self,
        job: _Job,
        status: int | None,
        error: str | None,
        text: str,
        started: float,
        duration: float,
    ) -> None:
        with self._cond:
            if job.generation != self._generation:
                return  # reset while in flight: the test that queued it is over
            retry: float | None = None
            removed = job.endpoint.id not in self._endpoints
            if error is not None and job.attempt < self.max_attempts and not removed:
                retry = min(self.backoff * 2 ** (job.attempt - 1), self.max_backoff)
            self._attempts.append(
                DeliveryAttempt(
                    id=new_id("whatt"),
                    event=job.event_id,
                    event_type=job.event_type,
                    endpoint=job.endpoint.id,
                    url=job.endpoint.url,
                    api_version=job.api_version,
                    attempt=job.attempt,
                    succeeded=error is None,
                    http_status=status,
                    error=error,
                    started_at=started,
                    duration=duration,
                    next_retry_in=retry,
                    response_body=text,
                )
            )
            if error is None:
                self.events.delivered(job.event_id, job.endpoint.id)
            elif retry is not None:
                next_job = _Job(**{**vars(job), "attempt": job.attempt + 1})
                self._push(next_job, time.monotonic() + retry)

    # /_emulator routes ---------------------------------------------------------------------

    def admin_routes(self) -> list[AdminRoute]:
        return [
            ("POST", re.compile(r"/_emulator/webhook_endpoints"), self._create_route),
            ("GET", re.compile(r"/_emulator/webhook_endpoints"), self._list_route),
            ("DELETE", re.compile(r"/_emulator/webhook_endpoints/([^/]+)"), self._delete_route),
            ("POST", re.compile(r"/_emulator/webhook_settings"), self._settings_route),
            ("GET", re.compile(r"/_emulator/deliveries"), self._deliveries_route),
        ]

    def _create_route(self, data: Mapping[str, Any], args: tuple[str, ...]) -> JSON:
        unknown = set(data) - {"url", "enabled_events", "api_version"}
        if unknown:
            raise ValueError(f"unknown fields: {sorted(unknown)}")
        events = data.get("enabled_events", ["*"])
        endpoint = self.add_endpoint(
            data["url"],
            enabled_events=[events] if isinstance(events, str) else list(events),
            api_version=data.get("api_version") or None,
        )
        return endpoint.to_json(with_secret=True)

    def _list_route(self, data: Mapping[str, Any], args: tuple[str, ...]) -> JSON:
        return {"object": "list", "data": [e.to_json() for e in self.endpoints()]}

    def _delete_route(self, data: Mapping[str, Any], args: tuple[str, ...]) -> JSON:
        self.remove_endpoint(args[0])
        return {"id": args[0], "object": "webhook_endpoint", "deleted": True}

    def _settings_route(self, data: Mapping[str, Any], args: tuple[str, ...]) -> JSON:
        def number(name: str) -> float | None:
            value = data.get(name)
            if isinstance(value, bool):
                raise ValueError(f"{name} must be a number, got {value!r}")
            return None if value is None or value == "" else float(value)

        attempts = number("max_attempts")
        if attempts is not None and attempts != int(attempts):
            raise ValueError(f"max_attempts must be an integer, got {data['max_attempts']!r}")
        self.configure(
            max_attempts=None if attempts is None else int(attempts),
            backoff=number("backoff"),
            max_backoff=number("max_backoff"),
            timeout=number("timeout"),
        )
        return {
            "max_attempts": self.max_attempts,
            "backoff": self.backoff,
            "max_backoff": self.max_backoff,
            "timeout": self.timeout,
        }

    def _deliveries_route(self, data: Mapping[str, Any], args: tuple[str, ...]) -> JSON:
        attempts = self.deliveries(event=data.get("event"), endpoint=data.get("endpoint"))
        return {"object": "list", "data": [a.to_json() for a in attempts]}
