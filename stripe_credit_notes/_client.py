"""``Client`` and ``AsyncClient``: the same core, with blocking or asyncio I/O.

Only sending a prepared request and sleeping between attempts differ between the two; what is
sent, how responses are read and when to retry live in ``_core`` and ``_retry``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from types import TracebackType
from typing import Any, Literal, TypeVar

import httpx

from . import errors
from ._bounds import (
    AttemptTimeout,
    aread_body,
    attempt_end,
    attempt_timeout,
    install_deadline_backend,
    read_body,
)
from ._constants import DEFAULT_BASE_URL, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT
from ._core import (
    RETRIEVE_INVOICE,
    RETRIEVE_REFUND,
    ClientCore,
    PreparedRequest,
    RequestOptions,
    connection_error,
    timeout_error,
    undecodable,
)
from ._operation import Operation
from ._pagination import AsyncPage, Page
from ._response import APIResponse
from ._retry import RetryPolicy, is_retryable
from .resources import AsyncResources, SyncResources
from .versions import ApiVersion

__all__ = ["AsyncClient", "Client"]

R = TypeVar("R")

logger = logging.getLogger("stripe_credit_notes")

Bound = Literal["timeout", "deadline"]
#: What one attempt ends with: a decoded response, or the typed error it stands for.
Outcome = APIResponse[R] | errors.StripeError
#: What one exchange with the server gives: status, headers and body, or a typed error.
Exchanged = tuple[int, httpx.Headers, bytes] | errors.StripeError
# An httpx timeout that fires this close to the call's deadline is the deadline's doing.
_DEADLINE_SLACK = 0.05


async def _asyncio_sleep(seconds: float) -> None:
    import asyncio  # only async users pay for importing asyncio

    await asyncio.sleep(seconds)


# Parsed URLs by text. httpx parses a str URL on every request (some 15 µs of pure Python);
# an ``httpx.URL`` is immutable, so the same URL (every create posts to the same one) is parsed
# once. Bounded: URLs with a paging cursor differ on every request and only cycle through.
_URLS: dict[str, httpx.URL] = {}
_URLS_MAX = 256


def _parsed_url(text: str) -> httpx.URL:
    url = _URLS.get(text)
    if url is None:
        url = httpx.URL(text)  # an invalid URL raises here, as build_request would
        if len(_URLS) >= _URLS_MAX:
            _URLS.clear()
        _URLS[text] = url
    return url


class _BaseClient:
    """Construction, configuration and logging shared by both clients."""

    _core: ClientCore
    #: The headers the SDK's own httpx client sends by default (None for a caller's client).
    _http_defaults: dict[str, str] | None

    def _init_core(
        self,
        api_key: str | None,
        api_version: str | ApiVersion | None,
        base_url: str,
        timeout: float | httpx.Timeout,
        max_retries: int | None,
        stripe_account: str | None,
        retry_policy: RetryPolicy | None,
        validate: bool,
        fetch_invoice: bool,
        deadline: float | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        self._core = ClientCore(
            api_key=api_key,
            api_version=api_version,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            stripe_account=stripe_account,
            retry_policy=retry_policy,
            validate=validate,
            fetch_invoice=fetch_invoice,
            deadline=deadline,
            max_response_bytes=max_response_bytes,
        )
        # Per thread and per asyncio task: one attribute would show another caller's response.
        # One variable per client, so two clients never see each other's.
        self._last: ContextVar[APIResponse[None] | None] = ContextVar(
            "stripe_credit_notes.last_response", default=None
        )

    @property
    def last_response(self) -> APIResponse[None] | None:
        """The metadata of the last call this thread or task made with this client.

        Status, headers, ``request_id``, ``idempotency_key``, ``attempts`` and ``elapsed`` of
        the final response (``parsed`` is ``None``); ``None`` before any call and after a call
        that failed (its error carries the ids). Each page fetched while iterating counts as a
        call. A child task (``asyncio.gather``, ``create_task``) starts with a copy of its
        parent's value and its calls never show in the parent; a new thread starts with none.
        """
        return self._last.get()

    def _remember(self, response: APIResponse[Any] | None) -> None:
        self._last.set(None if response is None else response.with_parsed(None))

    @property
    def api_version(self) -> str:
        """The pinned ``Stripe-Version`` sent with every request."""
        return self._core.api_version

    @property
    def base_url(self) -> str:
        """Where requests go (``https://api.stripe.com`` unless overridden)."""
        return self._core.base_url

    @property
    def retry_policy(self) -> RetryPolicy:
        """How this client retries."""
        return self._core.retry_policy

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._core!r})"

    @staticmethod
    def _fetch_options(options: RequestOptions) -> RequestOptions:
        """The options of the invoice fetch: the call's account, version and time bounds."""
        return RequestOptions(
            stripe_account=options.get("stripe_account"),
            api_version=options.get("api_version"),
            timeout=options.get("timeout"),
            deadline=options.get("deadline"),
            max_retries=options.get("max_retries"),
        )

    def _retry_delay(
        self,
        request: PreparedRequest[Any],
        outcome: Outcome[Any],
        number: int,
        deadline_at: float | None,
    ) -> float | None:
        """How long to sleep before attempt ``number + 1``, or None to end with ``outcome``.

        A plain loop rather than a retry library: most calls succeed first time, and building
        the library's per-call state cost more CPU than the rest of the SDK's own work (see
        docs/performance.md). A backoff that would end past the call's deadline is not slept.
        """
        if not isinstance(outcome, errors.StripeError) or not is_retryable(outcome):
            return None
        if number > request.max_retries:
            return None
        delay = self._core.retry_delay(outcome, number)
        if deadline_at is not None and time.monotonic() + delay >= deadline_at:
            return None
        logger.debug(
            "retrying %s %s after attempt %d (%s, status=%s) request_id=%s "
            "idempotency_key=%s, sleeping %.3fs",
            request.method,
            request.path,
            number,
            type(outcome).__name__,
            outcome.http_status,
            outcome.request_id,
            request.idempotency_key,
            delay,
        )
        return delay

    def _http_request(
        self, http: httpx.Client | httpx.AsyncClient, request: PreparedRequest[Any], end: float
    ) -> httpx.Request:
        """One attempt's httpx request: Authorization is added only now, timeouts capped."""
        return http.build_request(
            request.method,
            _parsed_url(request.url),
            headers=self._core.send_headers(request, self._http_defaults),
            content=request.content,
            timeout=attempt_timeout(request.timeout, end - time.monotonic()),
        )

    @staticmethod
    def _attempt_end(
        request: PreparedRequest[Any], deadline_at: float | None
    ) -> tuple[float, Bound]:
        """When the next attempt must end, and which bound that is."""
        end = time.monotonic() + request.budget
        if deadline_at is not None and deadline_at <= end:
            return deadline_at, "deadline"
        return end, "timeout"

    @staticmethod
    def _bound_hit(end: float, bound: Bound) -> Bound:
        """Which bound an httpx timeout stands for: the deadline only once it is reached."""
        if bound == "deadline" and time.monotonic() >= end - _DEADLINE_SLACK:
            return "deadline"
        return "timeout"

    def _finish(
        self,
        request: PreparedRequest[R],
        exchanged: Exchanged,
        attempts: int,
        start: float,
    ) -> Outcome[R]:
        """One attempt's outcome: the decoded response, or its typed error (never raised)."""
        if isinstance(exchanged, errors.StripeError):
            return exchanged
        status, headers, body = exchanged
        try:
            result = self._core.read(
                request, status, headers, body, attempts, time.monotonic() - start
            )
        except errors.StripeError as exc:
            return exc
        self._log(request, result, attempts, result.elapsed)
        return result

    def _failed(
        self,
        request: PreparedRequest[Any],
        error: errors.StripeError,
        attempts: int,
        start: float,
    ) -> errors.StripeError:
        """Give the final error what a manual retry needs, log it, and hand it back to raise."""
        error.idempotency_key = request.idempotency_key
        error.attempts = attempts
        self._log(request, error, attempts, time.monotonic() - start)
        return error

    @staticmethod
    def _log(
        request: PreparedRequest[Any],
        outcome: APIResponse[Any] | errors.StripeError,
        attempts: int,
        elapsed: float,
    ) -> None:
        if isinstance(outcome, APIResponse):
            status: int | None = outcome.status_code
            request_id = outcome.request_id
        else:
            status, request_id = outcome.http_status, outcome.request_id
        logger.info(
            "%s %s -> %s request_id=%s elapsed=%.3fs attempts=%d idempotency_key=%s",
            request.method,
            request.path,
            status if status is not None else "no response",
            request_id,
            elapsed,
            attempts,
            request.idempotency_key,
        )


class _NoCookies(httpx.Cookies):
    """A cookie store that keeps nothing: Stripe's API authenticates every request by its key.

    httpx hands every response to its client's cookie store, which rebuilds the request and
    response as ``urllib`` objects for ``http.cookiejar``: about 90 µs of CPU per call here, a
    tenth of a whole ``create`` (docs/performance.md). Keeping no cookies also means no state
    is carried from one call to the next (another ``stripe_account``, say).
    """

    def extract_cookies(self, response: httpx.Response) -> None:
        """Keep nothing from ``response``."""


H = TypeVar("H", httpx.Client, httpx.AsyncClient)


def _without_cookies(http: H) -> H:
    """``http`` with a store that keeps no cookies (the SDK's own httpx clients only).

    httpx has no public switch: its ``cookies`` setter copies into a plain store, so this sets
    the private ``_cookies`` it reads; a test pins that the installed httpx keeps none.
    """
    if isinstance(getattr(http, "_cookies", None), httpx.Cookies):
        http._cookies = _NoCookies()
    return http


class Client(_BaseClient, SyncResources):
    """A blocking client for Stripe's Credit Notes API.

    >>> with Client(api_key="sk_test_...") as client:          # doctest: +SKIP
    ...     note = client.credit_notes.create(invoice="in_123", amount=500)

    ``api_key`` defaults to ``$STRIPE_API_KEY``; ``api_version`` to the version of the vendored
    spec; ``max_retries`` to 2 (see :class:`RetryPolicy` for the backoff). Pass ``http_client``
    to reuse your own ``httpx.Client`` (you close it), or ``transport`` for a custom transport.
    """

    #: How the client waits between attempts; tests replace it to run without waiting.
    _sleep: Callable[[float], None] = staticmethod(time.sleep)

    def __init__(
        self,
        api_key: str | None = None,
        *,
        api_version: str | ApiVersion | None = None,
        base_url: str = DEFAULT_BASE_URL,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        deadline: float | None = None,
        max_retries: int | None = None,
        stripe_account: str | None = None,
        retry_policy: RetryPolicy | None = None,
        validate: bool = True,
        fetch_invoice: bool = False,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        http_client: httpx.Client | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._init_core(
            api_key,
            api_version,
            base_url,
            timeout,
            max_retries,
            stripe_account,
            retry_policy,
            validate,
            fetch_invoice,
            deadline,
            max_response_bytes,
        )
        if http_client is not None and transport is not None:
            raise ValueError("pass either http_client or transport, not both")
        self._owns_http = http_client is None
        # An httpx client of its own sends the fixed headers as its defaults; a caller's client
        # is left as it is, and gets every header with each request.
        self._http_defaults = None if http_client is not None else self._core.default_headers()
        self._http = http_client or _without_cookies(
            httpx.Client(transport=transport, follow_redirects=False, headers=self._http_defaults)
        )
        # Lets every socket read/write of an attempt end by the attempt's end; only affects
        # this SDK's own requests, also on a caller-supplied client (see _bounds).
        install_deadline_backend(self._http)

    def close(self) -> None:
        """Close the connections this client opened (not a caller-supplied ``http_client``)."""
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- the shared implementation behind every method -----------------------------------------

    def _request(
        self,
        op: Operation[R],
        path_id: str | None,
        params: Mapping[str, Any],
        options: RequestOptions,
        started: float | None = None,
    ) -> APIResponse[R]:
        snapshot = options.get("invoice_snapshot")
        # The deadline counts from here: the opt-in invoice and refund fetches are part of it.
        outer, started = started is None, time.monotonic() if started is None else started
        if outer:  # the opt-in fetches are part of the call, not calls of their own
            self._remember(None)
        if self._core.fetch_invoice:  # the opt-in fetches: nothing to work out without them
            fetch = self._fetch_options(options)
            invoice = self._core.invoice_to_fetch(op, params, options)
            if invoice is not None:
                fetched = self._request(RETRIEVE_INVOICE, invoice, {}, fetch, started)
                snapshot = self._core.snapshot_from_invoice(fetched.parsed)
            for refund in self._core.refunds_to_fetch(op, params, options, snapshot):
                got = self._request(RETRIEVE_REFUND, refund, {}, fetch, started)
                snapshot = self._core.with_refund(snapshot, refund, got.parsed)
        if snapshot is not options.get("invoice_snapshot"):
            options = {**options, "invoice_snapshot": snapshot}
        request = self._core.prepare(op, path_id, params, options)
        response = self._send(request, started)
        if outer:
            self._remember(response)
        return response

    def _send(self, request: PreparedRequest[R], start: float) -> APIResponse[R]:
        deadline_at = None if request.deadline is None else start + request.deadline
        attempts = number = 0
        while True:
            number += 1
            end, bound = self._attempt_end(request, deadline_at)
            outcome: Outcome[R]
            if end <= time.monotonic():
                outcome = timeout_error(request, "deadline")  # no time left to send at all
            else:
                attempts += 1
                outcome = self._finish(
                    request, self._exchange(request, end, bound), attempts, start
                )
            delay = self._retry_delay(request, outcome, number, deadline_at)
            if delay is None:
                break
            self._sleep(delay)
        if isinstance(outcome, APIResponse):
            return outcome
        raise self._failed(request, outcome, attempts, start)

    def _exchange(self, request: PreparedRequest[Any], end: float, bound: Bound) -> Exchanged:
        """Send one attempt and read its body, all by ``end``; errors are returned, typed.

        Nothing raised here keeps this frame (whose locals hold the httpx request and
        response, and through them the Authorization header) reachable.
        """
        token = attempt_end.set(end)
        try:
            response = self._http.send(self._http_request(self._http, request, end), stream=True)
            try:
                status, headers = response.status_code, response.headers
                cap = self._core.max_response_bytes
                body = read_body(response.iter_bytes(), status, headers, cap, end)
            finally:
                response.close()
        except httpx.TransportError as exc:
            return connection_error(exc, request, self._bound_hit(end, bound), self._core.redact)
        except httpx.DecodingError:
            return undecodable(request, status, headers)
        except AttemptTimeout:
            return timeout_error(request, bound)
        except errors.ResponseTooLargeError as exc:
            return exc.with_traceback(None)
        finally:
            attempt_end.reset(token)
        return status, headers, body

    def _page_response(
        self,
        op: Operation[Any],
        path_id: str | None,
        params: Mapping[str, Any],
        options: RequestOptions,
    ) -> APIResponse[Page[Any]]:
        response = self._request(op, path_id, params, options)

        def fetch(next_params: dict[str, Any]) -> Page[Any]:
            return self._page(op, path_id, next_params, options)

        page = Page(response.parsed, params, fetch, request_id=response.request_id)
        return response.with_parsed(page)

    def _page(
        self,
        op: Operation[Any],
        path_id: str | None,
        params: Mapping[str, Any],
        options: RequestOptions,
    ) -> Page[Any]:
        return self._page_response(op, path_id, params, options).parsed


class AsyncClient(_BaseClient, AsyncResources):
    """An asyncio client for Stripe's Credit Notes API, with the same surface as :class:`Client`.

    >>> async with AsyncClient(api_key="sk_test_...") as client:  # doctest: +SKIP
    ...     async for note in client.credit_notes.list(limit=100):
    ...         print(note.id)
    """

    _sleep: Callable[[float], Any] = staticmethod(_asyncio_sleep)

    def __init__(
        self,
        api_key: str | None = None,
        *,
        api_version: str | ApiVersion | None = None,
        base_url: str = DEFAULT_BASE_URL,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        deadline: float | None = None,
        max_retries: int | None = None,
        stripe_account: str | None = None,
        retry_policy: RetryPolicy | None = None,
        validate: bool = True,
        fetch_invoice: bool = False,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        http_client: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._init_core(
            api_key,
            api_version,
            base_url,
            timeout,
            max_retries,
            stripe_account,
            retry_policy,
            validate,
            fetch_invoice,
            deadline,
            max_response_bytes,
        )
        if http_client is not None and transport is not None:
            raise ValueError("pass either http_client or transport, not both")
        self._owns_http = http_client is None
        self._http_defaults = None if http_client is not None else self._core.default_headers()
        self._http = http_client or _without_cookies(
            httpx.AsyncClient(
                transport=transport, follow_redirects=False, headers=self._http_defaults
            )
        )

    async def aclose(self) -> None:
        """Close the connections this client opened (not a caller-supplied ``http_client``)."""
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def _request(
        self,
        op: Operation[R],
        path_id: str | None,
        params: Mapping[str, Any],
        options: RequestOptions,
        started: float | None = None,
    ) -> APIResponse[R]:
        snapshot = options.get("invoice_snapshot")
        outer, started = started is None, time.monotonic() if started is None else started
        if outer:
            self._remember(None)
        if self._core.fetch_invoice:  # the opt-in fetches: nothing to work out without them
            fetch = self._fetch_options(options)
            invoice = self._core.invoice_to_fetch(op, params, options)
            if invoice is not None:
                fetched = await self._request(RETRIEVE_INVOICE, invoice, {}, fetch, started)
                snapshot = self._core.snapshot_from_invoice(fetched.parsed)
            for refund in self._core.refunds_to_fetch(op, params, options, snapshot):
                got = await self._request(RETRIEVE_REFUND, refund, {}, fetch, started)
                snapshot = self._core.with_refund(snapshot, refund, got.parsed)
        if snapshot is not options.get("invoice_snapshot"):
            options = {**options, "invoice_snapshot": snapshot}
        request = self._core.prepare(op, path_id, params, options)
        response = await self._send(request, started)
        if outer:
            self._remember(response)
        return response

    async def _send(self, request: PreparedRequest[R], start: float) -> APIResponse[R]:
        deadline_at = None if request.deadline is None else start + request.deadline
        attempts = number = 0
        while True:
            number += 1
            end, bound = self._attempt_end(request, deadline_at)
            outcome: Outcome[R]
            if end <= time.monotonic():
                outcome = timeout_error(request, "deadline")
            else:
                attempts += 1
                exchanged = await self._exchange(request, end, bound)
                outcome = self._finish(request, exchanged, attempts, start)
            delay = self._retry_delay(request, outcome, number, deadline_at)
            if delay is None:
                break
            await self._sleep(delay)
        if isinstance(outcome, APIResponse):
            return outcome
        raise self._failed(request, outcome, attempts, start)

    async def _exchange(self, request: PreparedRequest[Any], end: float, bound: Bound) -> Exchanged:
        """Send one attempt and read its body, cancelled at ``end`` wherever it waits."""
        import asyncio

        exchange = self._exchange_unbounded(request, end, bound)
        try:
            # asyncio.timeout (3.11+) cancels in place; wait_for runs the attempt in a new task.
            timeout = getattr(asyncio, "timeout", None)
            if timeout is None:
                return await asyncio.wait_for(exchange, end - time.monotonic())
            async with timeout(end - time.monotonic()):
                return await exchange
        except asyncio.TimeoutError:
            return timeout_error(request, bound)

    async def _exchange_unbounded(
        self, request: PreparedRequest[Any], end: float, bound: Bound
    ) -> Exchanged:
        try:
            response = await self._http.send(
                self._http_request(self._http, request, end), stream=True
            )
            try:
                status, headers = response.status_code, response.headers
                cap = self._core.max_response_bytes
                body = await aread_body(response.aiter_bytes(), status, headers, cap)
            finally:
                await response.aclose()
        except httpx.TransportError as exc:
            return connection_error(exc, request, self._bound_hit(end, bound), self._core.redact)
        except httpx.DecodingError:
            return undecodable(request, status, headers)
        except errors.ResponseTooLargeError as exc:
            return exc.with_traceback(None)
        return status, headers, body

    async def _page_response(
        self,
        op: Operation[Any],
        path_id: str | None,
        params: Mapping[str, Any],
        options: RequestOptions,
    ) -> APIResponse[AsyncPage[Any]]:
        response = await self._request(op, path_id, params, options)

        async def fetch(next_params: dict[str, Any]) -> AsyncPage[Any]:
            return await self._page(op, path_id, next_params, options)

        page = AsyncPage(response.parsed, params, fetch, request_id=response.request_id)
        return response.with_parsed(page)

    async def _page(
        self,
        op: Operation[Any],
        path_id: str | None,
        params: Mapping[str, Any],
        options: RequestOptions,
    ) -> AsyncPage[Any]:
        return (await self._page_response(op, path_id, params, options)).parsed
