"""``Client`` and ``AsyncClient``: the same core, with blocking or asyncio I/O.

Only sending a prepared request and sleeping between attempts differ between the two; what is
sent, how responses are read and when to retry live in ``_core`` and ``_retry``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any, TypeVar

import httpx

from . import errors
from ._constants import DEFAULT_BASE_URL, DEFAULT_TIMEOUT
from ._core import (
    RETRIEVE_INVOICE,
    ClientCore,
    PreparedRequest,
    RequestOptions,
    connection_error,
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


async def _asyncio_sleep(seconds: float) -> None:
    import asyncio  # only async users pay for importing asyncio

    await asyncio.sleep(seconds)


class _BaseClient:
    """Construction, configuration and logging shared by both clients."""

    _core: ClientCore

    def _init_core(
        self,
        api_key: str | None,
        api_version: str | ApiVersion | None,
        base_url: str,
        timeout: float,
        max_retries: int | None,
        stripe_account: str | None,
        retry_policy: RetryPolicy | None,
        validate: bool,
        fetch_invoice: bool,
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
        )

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
        """The options of the invoice fetch: the call's account, version, timeout, retries."""
        return RequestOptions(
            stripe_account=options.get("stripe_account"),
            api_version=options.get("api_version"),
            timeout=options.get("timeout"),
            max_retries=options.get("max_retries"),
        )

    def _retrying_kwargs(self, request: PreparedRequest[Any]) -> dict[str, Any]:
        # tenacity (and the asyncio it imports) load with the first request, not the package.
        import tenacity

        core = self._core

        def wait(state: tenacity.RetryCallState) -> float:
            error = state.outcome.exception() if state.outcome else None
            return core.retry_delay(error, state.attempt_number)

        def before_sleep(state: tenacity.RetryCallState) -> None:
            error = state.outcome.exception() if state.outcome else None
            logger.debug(
                "retrying %s %s after attempt %d (%s), sleeping %.3fs",
                request.method,
                request.path,
                state.attempt_number,
                type(error).__name__,
                state.upcoming_sleep,
            )

        return {
            "stop": tenacity.stop_after_attempt(request.max_retries + 1),
            "retry": tenacity.retry_if_exception(is_retryable),
            "wait": wait,
            "before_sleep": before_sleep,
            "reraise": True,
        }

    def _finish(
        self, request: PreparedRequest[R], response: httpx.Response, attempts: int, start: float
    ) -> APIResponse[R]:
        """Read one attempt's response (raising its typed error) and log the outcome."""
        result = self._core.read(
            request,
            response.status_code,
            response.headers,
            response.content,
            attempts,
            time.monotonic() - start,
        )
        self._log(request, result, attempts, result.elapsed)
        return result

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
            "%s %s -> %s request_id=%s elapsed=%.3fs attempts=%d",
            request.method,
            request.path,
            status if status is not None else "no response",
            request_id,
            elapsed,
            attempts,
        )


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
        timeout: float = DEFAULT_TIMEOUT,
        max_retries: int | None = None,
        stripe_account: str | None = None,
        retry_policy: RetryPolicy | None = None,
        validate: bool = True,
        fetch_invoice: bool = False,
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
        )
        if http_client is not None and transport is not None:
            raise ValueError("pass either http_client or transport, not both")
        self._owns_http = http_client is None
        self._http = http_client or httpx.Client(transport=transport, follow_redirects=False)

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
    ) -> APIResponse[R]:
        invoice = self._core.invoice_to_fetch(op, params, options)
        if invoice is not None:
            fetched = self._request(RETRIEVE_INVOICE, invoice, {}, self._fetch_options(options))
            snapshot = self._core.snapshot_from_invoice(fetched.parsed)
            options = {**options, "invoice_snapshot": snapshot}
        request = self._core.prepare(op, path_id, params, options)
        return self._send(request)

    def _send(self, request: PreparedRequest[R]) -> APIResponse[R]:
        start = time.monotonic()
        attempts = 0
        import tenacity

        retrying = tenacity.Retrying(sleep=self._sleep, **self._retrying_kwargs(request))
        try:
            for attempt in retrying:
                with attempt:
                    attempts += 1
                    try:
                        response = self._http.request(
                            request.method,
                            request.url,
                            headers=request.headers,
                            content=request.content,
                            timeout=request.timeout,
                        )
                    except httpx.TransportError as exc:
                        raise connection_error(exc, request) from exc
                    return self._finish(request, response, attempts, start)
        except errors.StripeError as exc:
            self._log(request, exc, attempts, time.monotonic() - start)
            raise
        raise AssertionError("unreachable: tenacity either returns or re-raises")

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

        return response.with_parsed(Page(response.parsed, params, fetch))

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
        timeout: float = DEFAULT_TIMEOUT,
        max_retries: int | None = None,
        stripe_account: str | None = None,
        retry_policy: RetryPolicy | None = None,
        validate: bool = True,
        fetch_invoice: bool = False,
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
        )
        if http_client is not None and transport is not None:
            raise ValueError("pass either http_client or transport, not both")
        self._owns_http = http_client is None
        self._http = http_client or httpx.AsyncClient(transport=transport, follow_redirects=False)

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
    ) -> APIResponse[R]:
        invoice = self._core.invoice_to_fetch(op, params, options)
        if invoice is not None:
            fetch = self._fetch_options(options)
            fetched = await self._request(RETRIEVE_INVOICE, invoice, {}, fetch)
            snapshot = self._core.snapshot_from_invoice(fetched.parsed)
            options = {**options, "invoice_snapshot": snapshot}
        request = self._core.prepare(op, path_id, params, options)
        return await self._send(request)

    async def _send(self, request: PreparedRequest[R]) -> APIResponse[R]:
        start = time.monotonic()
        attempts = 0
        import tenacity

        retrying = tenacity.AsyncRetrying(sleep=self._sleep, **self._retrying_kwargs(request))
        try:
            async for attempt in retrying:
                with attempt:
                    attempts += 1
                    try:
                        response = await self._http.request(
                            request.method,
                            request.url,
                            headers=request.headers,
                            content=request.content,
                            timeout=request.timeout,
                        )
                    except httpx.TransportError as exc:
                        raise connection_error(exc, request) from exc
                    return self._finish(request, response, attempts, start)
        except errors.StripeError as exc:
            self._log(request, exc, attempts, time.monotonic() - start)
            raise
        raise AssertionError("unreachable: tenacity either returns or re-raises")

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

        return response.with_parsed(AsyncPage(response.parsed, params, fetch))

    async def _page(
        self,
        op: Operation[Any],
        path_id: str | None,
        params: Mapping[str, Any],
        options: RequestOptions,
    ) -> AsyncPage[Any]:
        return (await self._page_response(op, path_id, params, options)).parsed
