"""A fault-injecting HTTP/1.1 proxy on loopback, in front of the emulator process.

Clients address one sequence at a time through a path prefix: ``http://127.0.0.1:<port>/s/<name>``
is the base URL of sequence ``<name>``, and the proxy strips the prefix before forwarding. Each
sequence has its own queue of planned faults (``plan``); every request of that sequence takes
the next one, and once the queue is empty requests pass through untouched. The kinds are listed
in ``plans.KINDS``.

Everything is bounded so a soak stops by itself: a drip lasts ``drip_for`` seconds, an endless
body stops after ``endless_bytes``, the upstream must answer within ``upstream_timeout`` and an
idle keep-alive connection is closed after ``idle_timeout``. It runs its own asyncio loop in a
daemon thread, so blocking and asyncio drivers can share it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections import Counter, deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .plans import KINDS

__all__ = ["FaultProxy"]

HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "content-length"}
)
MAX_HEAD = 64 * 1024
MAX_UPSTREAM_BODY = 20 * 1024 * 1024

_LOCK_TIMEOUT = {
    "type": "invalid_request_error",
    "code": "lock_timeout",
    "message": "Soak proxy: could not take the lock in time.",
}
# Canned answers of the kinds that never reach the emulator: (status, headers, error object).
_REFUSALS: dict[str, tuple[int, dict[str, str], dict[str, str]]] = {
    "500": (500, {}, {"type": "api_error", "message": "Soak proxy: injected server error."}),
    "503": (
        503,
        {"Stripe-Should-Retry": "true"},
        {"type": "api_error", "message": "Soak proxy: injected service unavailable."},
    ),
    "409": (
        409,
        {},
        {
            "type": "idempotency_error",
            "message": "Soak proxy: another request with this idempotency key is in flight.",
        },
    ),
    "429": (429, {}, _LOCK_TIMEOUT),
    "429_retry": (429, {"Stripe-Should-Retry": "true"}, _LOCK_TIMEOUT),
}
GARBAGE = b"<html><body><h1>502 Bad Gateway</h1></body></html>\x00\xff"


@dataclass(frozen=True)
class _Request:
    method: str
    target: str
    headers: list[tuple[str, str]]
    body: bytes


@dataclass(frozen=True)
class _Response:
    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes

    def encode(self, *, content_length: int | None = None) -> bytes:
        """The response on the wire, keep-alive, with its own (or a given) Content-Length."""
        length = len(self.body) if content_length is None else content_length
        lines = [f"HTTP/1.1 {self.status} {self.reason}"]
        lines += [f"{k}: {v}" for k, v in self.headers if k.lower() not in HOP_BY_HOP]
        lines.append(f"Content-Length: {length}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + self.body


class FaultProxy:
    """Forwards ``/s/<sequence>/...`` to the upstream, injecting each sequence's planned faults."""

    def __init__(
        self,
        upstream_host: str,
        upstream_port: int,
        *,
        drip_interval: float = 0.1,
        drip_for: float = 6.0,
        endless_bytes: int = 8_000_000,
        upstream_timeout: float = 30.0,
        idle_timeout: float = 30.0,
    ) -> None:
        if upstream_host not in ("127.0.0.1", "localhost"):
            raise ValueError("the soak proxy forwards to loopback only")
        self.upstream = (upstream_host, upstream_port)
        self.drip_interval = drip_interval
        self.drip_for = drip_for
        self.endless_bytes = endless_bytes
        self.upstream_timeout = upstream_timeout
        self.idle_timeout = idle_timeout
        self.port = 0
        #: Requests received, faults injected by kind, upstream failures (all thread-safe reads).
        self.requests = 0
        self.injected: Counter[str] = Counter()
        self.upstream_errors = 0
        self._lock = threading.Lock()
        self._plans: dict[str, deque[str]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._ready = threading.Event()

    # -- control, from any thread ------------------------------------------------------------

    def url(self, sequence: str) -> str:
        """The base URL a client uses for ``sequence``."""
        return f"http://127.0.0.1:{self.port}/s/{sequence}"

    def plan(self, sequence: str, faults: Iterable[str]) -> None:
        """Replace the faults the next requests of ``sequence`` will meet, in order."""
        faults = list(faults)
        unknown = set(faults) - set(KINDS)
        if unknown:
            raise ValueError(f"unknown fault kinds {sorted(unknown)}")
        with self._lock:
            self._plans[sequence] = deque(faults)

    def pending(self, sequence: str) -> list[str]:
        """The planned faults ``sequence`` has not met yet."""
        with self._lock:
            return list(self._plans.get(sequence, ()))

    def start(self) -> FaultProxy:
        """Listen on a free loopback port (``self.port``) from a daemon thread."""
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name="soak-proxy", daemon=True)
        self._thread.start()
        if not self._ready.wait(10) or self._server is None:
            raise RuntimeError("the soak proxy did not start")
        return self

    def stop(self) -> None:
        """Close the listener and every open connection, then end the thread."""
        if self._loop is None or self._thread is None:
            return
        future = asyncio.run_coroutine_threadsafe(self._close(), self._loop)
        with contextlib.suppress(Exception):
            future.result(15)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(15)
        self._loop.close()
        self._loop = None

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- the loop ----------------------------------------------------------------------------

    def _run(self) -> None:
        assert self._loop is not None
        asyncio.set_event_loop(self._loop)
        try:
            self._server = self._loop.run_until_complete(
                asyncio.start_server(self._connection, "127.0.0.1", 0, limit=MAX_HEAD)
            )
            self.port = int(self._server.sockets[0].getsockname()[1])
        finally:
            self._ready.set()
        self._loop.run_forever()

    async def _close(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            while True:
                request = await asyncio.wait_for(_read_request(reader), self.idle_timeout)
                if request is None or not await self._serve(request, writer):
                    return
        except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError, ValueError):
            return  # the client went away or sent something that is not HTTP: just close
        except asyncio.CancelledError:
            return  # stop() ends the connection; the stream's callback would log a cancel
        finally:
            self._tasks.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _serve(self, request: _Request, writer: asyncio.StreamWriter) -> bool:
        """Answer one request; ``False`` closes the connection."""
        sequence, path = _split_target(request.target)
        with self._lock:
            self.requests += 1
            queue = self._plans.get(sequence) if sequence is not None else None
            fault = queue.popleft() if queue else None
            if fault is not None:
                self.injected[fault] += 1
        if sequence is None:
            writer.write(_json_response(404, {}, {"message": "no /s/<sequence>/ prefix"}).encode())
            await writer.drain()
            return True
        if fault == "drop_before":
            return False
        if fault in _REFUSALS:
            status, headers, error = _REFUSALS[fault]
            writer.write(_json_response(status, headers, error).encode())
            await writer.drain()
            return True
        try:
            response = await asyncio.wait_for(self._forward(request, path), self.upstream_timeout)
        except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError, ValueError):
            with self._lock:
                self.upstream_errors += 1
            return False
        return await self._answer(fault, response, writer)

    async def _answer(
        self, fault: str | None, response: _Response, writer: asyncio.StreamWriter
    ) -> bool:
        """Send the emulator's answer the way ``fault`` says (it has acted already)."""
        if fault == "drop_after":
            return False
        if fault == "drip":
            await self._drip(response.encode(), writer)
            return False
        if fault == "endless":
            await self._endless(response, writer)
            return False
        if fault == "truncated":
            cut = _Response(200, "OK", response.headers, response.body[: len(response.body) // 2])
            writer.write(cut.encode())
        elif fault == "truncated_close":
            half = response.body[: len(response.body) // 2]
            cut = _Response(200, "OK", response.headers, half)
            writer.write(cut.encode(content_length=len(response.body)))
            await writer.drain()
            return False
        elif fault == "garbage":
            writer.write(_Response(200, "OK", response.headers, GARBAGE).encode())
        else:
            writer.write(response.encode())
        await writer.drain()
        return True

    async def _drip(self, data: bytes, writer: asyncio.StreamWriter) -> None:
        loop = asyncio.get_running_loop()
        stop_at = loop.time() + self.drip_for
        for index in range(len(data)):
            if loop.time() >= stop_at or writer.is_closing():
                return
            writer.write(data[index : index + 1])
            await writer.drain()
            await asyncio.sleep(self.drip_interval)

    async def _endless(self, response: _Response, writer: asyncio.StreamWriter) -> None:
        head = _Response(200, "OK", response.headers, b"").encode(content_length=0)
        writer.write(head.replace(b"Content-Length: 0\r\n", b"Transfer-Encoding: chunked\r\n"))
        block = b'{"id": "cn_' + b"9" * 65_525  # JSON that never ends, 64 KiB a chunk
        sent = 0
        while sent < self.endless_bytes and not writer.is_closing():
            writer.write(b"%x\r\n%s\r\n" % (len(block), block))
            await writer.drain()
            sent += len(block)
            block = b"9" * 65_536

    async def _forward(self, request: _Request, path: str) -> _Response:
        reader, writer = await asyncio.open_connection(*self.upstream)
        try:
            lines = [f"{request.method} {path} HTTP/1.1"]
            lines += [f"{k}: {v}" for k, v in request.headers if k.lower() not in HOP_BY_HOP]
            lines += [f"Content-Length: {len(request.body)}", "Connection: close"]
            writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + request.body)
            await writer.drain()
            raw = await reader.read(MAX_UPSTREAM_BODY)
            while chunk := await reader.read(MAX_UPSTREAM_BODY):
                raw += chunk
                if len(raw) > MAX_UPSTREAM_BODY:
                    raise ValueError("upstream response too large")
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()
        return _parse_response(raw)


async def _read_request(reader: asyncio.StreamReader) -> _Request | None:
    """One request from the client, or ``None`` when it closed the connection between requests."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as exc:
        if not exc.partial:
            return None
        raise
    except asyncio.LimitOverrunError as exc:
        raise ValueError("request head too large") from exc
    request_line, *header_lines = head.decode("latin-1").rstrip("\r\n").split("\r\n")
    method, target, _version = request_line.split(" ", 2)
    headers = [_header(line) for line in header_lines]
    length = int(next((v for k, v in headers if k.lower() == "content-length"), "0"))
    if not 0 <= length <= MAX_UPSTREAM_BODY:
        raise ValueError("bad Content-Length")
    body = await reader.readexactly(length) if length else b""
    return _Request(method, target, headers, body)


def _parse_response(raw: bytes) -> _Response:
    head, separator, body = raw.partition(b"\r\n\r\n")
    if not separator:
        raise ValueError("upstream sent no complete response head")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    _version, status, reason = [*status_line.split(" ", 2), ""][:3]
    headers = [_header(line) for line in header_lines]
    length = next((int(v) for k, v in headers if k.lower() == "content-length"), len(body))
    return _Response(int(status), reason, headers, body[:length])


def _header(line: str) -> tuple[str, str]:
    name, separator, value = line.partition(":")
    if not separator:
        raise ValueError(f"bad header line {line[:40]!r}")
    return name.strip(), value.strip()


def _split_target(target: str) -> tuple[str | None, str]:
    """``/s/<sequence>/v1/...`` into the sequence and the upstream target."""
    if not target.startswith("/s/"):
        return None, target
    sequence, separator, rest = target[3:].partition("/")
    if not sequence or not separator:
        return None, target
    return sequence, "/" + rest


def _json_response(status: int, headers: dict[str, str], error: dict[str, str]) -> _Response:
    reasons = {404: "Not Found", 409: "Conflict", 429: "Too Many Requests", 500: "Server Error"}
    body = json.dumps({"error": error}).encode()
    pairs = [
        ("Content-Type", "application/json"),
        ("Request-Id", "req_soakproxy"),
        *headers.items(),
    ]
    return _Response(status, reasons.get(status, "Service Unavailable"), pairs, body)
