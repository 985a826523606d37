"""The two bounds of one attempt: wall-clock time and response size.

httpx's timeouts limit each socket operation, not an attempt: a server that sends one byte
every 0.2 s never trips a 0.5 s read timeout and holds the call for as long as it likes. Here
each attempt gets an absolute end on the monotonic clock, enforced three ways:

* the httpx timeouts of the attempt are capped by the time it has left (:func:`attempt_timeout`);
* the network streams of the clients' connection pools cap every single read, write and connect
  by the time left (``_network.DeadlineBackend``, installed by :func:`install_deadline_backend`), so
  a dribbled status line or header block ends on time too. The end travels in a context
  variable: a thread or task that is not inside an SDK attempt is never affected;
* the body is read chunk by chunk (:func:`read_body`), checking the clock after each chunk and
  counting bytes against ``max_response_bytes``, so an endless body is a typed error after the
  cap instead of unbounded memory.

``AsyncClient`` also runs each attempt under ``asyncio.wait_for``, which cancels cleanly
wherever the attempt is waiting; threads cannot be cancelled, hence the stream wrapper.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from contextvars import ContextVar
from typing import Any

import httpx

from . import errors

__all__ = [
    "AttemptTimeout",
    "aread_body",
    "attempt_end",
    "attempt_timeout",
    "install_deadline_backend",
    "read_body",
]

#: The monotonic time at which the current attempt must end (None outside SDK attempts).
attempt_end: ContextVar[float | None] = ContextVar("stripe_credit_notes_attempt_end", default=None)


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


def install_deadline_backend(client: httpx.Client) -> bool:
    """Wrap the network backend of every connection pool of ``client``; True if all were.

    httpx offers no public way to choose httpcore's network backend, so this reaches into
    ``Client._transport``/``_mounts``, ``HTTPTransport._pool`` and the pool's
    ``_network_backend``. Anything else (a custom or mock transport, a future httpx without
    these attributes) is left alone and returns False: attempts are then bounded by the capped
    httpx timeouts and the chunk loop only. A test pins that the installed httpx is covered.
    """
    import httpcore  # httpx has loaded it by now: it builds its pools with it

    from ._network import DeadlineBackend

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
