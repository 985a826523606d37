"""The two bounds of one attempt: wall-clock time and response size.

httpx's timeouts limit each socket operation, not an attempt: a server that sends one byte
every 0.2 s never trips a 0.5 s read timeout and holds the call for as long as it likes. Here
each attempt gets an absolute end on the monotonic clock, enforced three ways:

* the httpx timeouts of the attempt are capped by the time it has left (:func:`attempt_timeout`);
* the network streams of the clients' connection pools cap every single read, write and connect
  by the time left (:class:`DeadlineBackend`, installed by :func:`install_deadline_backend`), so
  a dribbled status line or header block ends on time too. The end travels in a context
  variable: a thread or task that is not inside an SDK attempt is never affected;
* the body is read chunk by chunk (:func:`read_body`), checking the clock after each chunk and
  counting bytes against ``max_response_bytes``, so an endless body is a typed error after the
  cap instead of unbounded memory.

``AsyncClient`` also runs each attempt under ``asyncio.wait_for``, which cancels cleanly
wherever the attempt is waiting; threads cannot be cancelled, hence the stream wrapper.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import AsyncIterator, Iterable, Iterator
from contextvars import ContextVar
from typing import Any, Final

import httpcore
import httpx

from . import errors

__all__ = [
    "AttemptTimeout",
    "DeadlineBackend",
    "aread_body",
    "attempt_end",
    "attempt_timeout",
    "install_deadline_backend",
    "read_body",
]

#: The monotonic time at which the current attempt must end (None outside SDK attempts).
attempt_end: ContextVar[float | None] = ContextVar("stripe_credit_notes_attempt_end", default=None)

_WRITE_SLICE: Final = 65536


class AttemptTimeout(Exception):
    """Internal: the attempt reached its end on the monotonic clock (never leaves the SDK)."""


def attempt_timeout(configured: httpx.Timeout, left: float) -> httpx.Timeout:
    """``configured`` with every phase capped at ``left`` seconds (``None`` phases too)."""
    connect, read, write, pool = (
        configured.connect,
        configured.read,
        configured.write,
        configured.pool,
    )
    return httpx.Timeout(
        connect=left if connect is None or connect > left else connect,
        read=left if read is None or read > left else read,
        write=left if write is None or write > left else write,
        pool=left if pool is None or pool > left else pool,
    )


def _left(timeout: float | None, exc: type[Exception]) -> float | None:
    end = attempt_end.get()
    if end is None:
        return timeout
    left = end - time.monotonic()
    if left <= 0:
        raise exc("the attempt's time is up")
    return left if timeout is None or timeout > left else timeout


class _DeadlineStream(httpcore.NetworkStream):
    """A network stream whose every operation ends by the current attempt's end."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        # One sendall of the whole buffer can outlast the time left even with a timeout per
        # send call, so large buffers go in slices, each under the shrinking limit.
        if len(buffer) <= _WRITE_SLICE:  # every ordinary request
            self._inner.write(buffer, _left(timeout, httpcore.WriteTimeout))
            return
        for start in range(0, len(buffer), _WRITE_SLICE):
            piece = buffer[start : start + _WRITE_SLICE]
            self._inner.write(piece, _left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        tls = self._inner.start_tls(
            ssl_context, server_hostname, _left(timeout, httpcore.ConnectTimeout)
        )
        return _DeadlineStream(tls)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class DeadlineBackend(httpcore.NetworkBackend):
    """Wraps httpcore's network backend so its streams honour the attempt's end."""

    def __init__(self, inner: httpcore.NetworkBackend) -> None:
        self.inner = inner

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self.inner.connect_tcp(
            host, port, _left(timeout, httpcore.ConnectTimeout), local_address, socket_options
        )
        return _DeadlineStream(stream)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self.inner.connect_unix_socket(
            path, _left(timeout, httpcore.ConnectTimeout), socket_options
        )
        return _DeadlineStream(stream)

    def sleep(self, seconds: float) -> None:
        self.inner.sleep(seconds)


def install_deadline_backend(client: httpx.Client) -> bool:
    """Wrap the network backend of every connection pool of ``client``; True if all were.

    httpx offers no public way to choose httpcore's network backend, so this reaches into
    ``Client._transport``/``_mounts``, ``HTTPTransport._pool`` and the pool's
    ``_network_backend``. Anything else (a custom or mock transport, a future httpx without
    these attributes) is left alone and returns False: attempts are then bounded by the capped
    httpx timeouts and the chunk loop only. A test pins that the installed httpx is covered.
    """
    transports: list[Any] = [getattr(client, "_transport", None)]
    transports += list(getattr(client, "_mounts", {}).values())
    complete = True
    for transport in transports:
        if transport is None:
            continue
        pool = getattr(transport, "_pool", None)
        backend = getattr(pool, "_network_backend", None)
        if isinstance(backend, DeadlineBackend):
            continue
        if not isinstance(backend, httpcore.NetworkBackend):
            complete = False
            continue
        pool._network_backend = DeadlineBackend(backend)  # type: ignore[union-attr]
    return complete


def _content_length(headers: httpx.Headers) -> int | None:
    value = headers.get("content-length")
    if value is None or not value.isdigit():
        return None
    return int(value)


def too_large(
    status: int, headers: httpx.Headers, cap: int, size: int | None
) -> errors.ResponseTooLargeError:
    """The error for a body over ``cap`` bytes (``size`` when the server announced it)."""
    told = f" (Content-Length {size})" if size is not None else ""
    return errors.ResponseTooLargeError(
        f"Stripe answered {status} with a body over max_response_bytes={cap}{told}; "
        "it was not read further",
        http_status=status,
        request_id=headers.get("request-id"),
        headers=headers,
        max_response_bytes=cap,
    )


def check_announced_size(status: int, headers: httpx.Headers, cap: int) -> None:
    """Refuse a body whose ``Content-Length`` already exceeds the cap, before reading it."""
    size = _content_length(headers)
    if size is not None and size > cap:
        raise too_large(status, headers, cap, size)


def read_body(
    chunks: Iterator[bytes], status: int, headers: httpx.Headers, cap: int, end: float
) -> bytes:
    """Collect a body, stopping at ``cap`` bytes or at ``end`` on the monotonic clock."""
    check_announced_size(status, headers, cap)
    parts: list[bytes] = []
    size = 0
    for chunk in chunks:
        size += len(chunk)
        if size > cap:
            raise too_large(status, headers, cap, None)
        parts.append(chunk)
        if time.monotonic() >= end:
            raise AttemptTimeout
    return b"".join(parts)


async def aread_body(
    chunks: AsyncIterator[bytes], status: int, headers: httpx.Headers, cap: int
) -> bytes:
    """:func:`read_body` for async streams; the clock is enforced by ``asyncio.wait_for``."""
    check_announced_size(status, headers, cap)
    parts: list[bytes] = []
    size = 0
    async for chunk in chunks:
        size += len(chunk)
        if size > cap:
            raise too_large(status, headers, cap, None)
        parts.append(chunk)
    return b"".join(parts)
