"""A minimal, canned Stripe credit-notes server for the benchmarks (loopback only).

Run in its own process so its CPU time is not charged to the client being measured::

    python -m benchmarks.server            # prints "PORT <n>" on stdout, then serves

It speaks just enough HTTP/1.1 for keep-alive clients (httpx, stripe-python on httpx): one
asyncio protocol per connection, ``Content-Length`` bodies, pipelined requests handled in
order. Nothing is parsed beyond the request line and ``Content-Length``:

* ``POST /v1/credit_notes``               -> the fixture credit note
* ``GET  /v1/credit_notes/<id>``          -> the fixture credit note
* ``GET  /v1/credit_notes?...``           -> a list page. ``limit`` (default 10) sets the page
  size, ``starting_after=cn_bench<i>`` the position, and ``customer=cus_total<n>`` the length
  of the whole list (default 1000). Item ids are ``cn_bench`` + a 20-digit index, so the list is
  fully determined by the query and the server keeps no state.

The server stops when its stdin reaches end of file (the parent exited or closed it), and in any
case after ``--lifetime`` seconds (default 900), so it can never outlive a benchmark run for long.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import select
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from .decode import FIXTURE

_HEAD_END = b"\r\n\r\n"
_MAX_HEAD = 64 * 1024
_ID_PREFIX = "cn_bench"
_TOTAL_PREFIX = "cus_total"


def _note_template() -> tuple[bytes, bytes]:
    """The fixture credit note as JSON, split around its id (so any id can be spliced in)."""
    with FIXTURE.open(encoding="utf-8") as f:
        note = json.load(f)["credit_note"]
    note["id"] = "\x00ID\x00"
    text = json.dumps(note, separators=(",", ":"))
    before, after = text.split(json.dumps("\x00ID\x00"))
    return before.encode(), after.encode()


_BEFORE_ID, _AFTER_ID = _note_template()


def note_json(note_id: str) -> bytes:
    return _BEFORE_ID + json.dumps(note_id).encode() + _AFTER_ID


def item_id(index: int) -> str:
    return f"{_ID_PREFIX}{index:020d}"


_SINGLE = note_json("cn_1BenchCannedCreditNote")


def list_page(query: str) -> bytes:
    params = dict(parse_qsl(query, keep_blank_values=True))
    limit = max(1, min(100, int(params.get("limit", "10"))))
    customer = params.get("customer", "")
    total = int(customer[len(_TOTAL_PREFIX) :]) if customer.startswith(_TOTAL_PREFIX) else 1000
    after = params.get("starting_after")
    start = int(after[len(_ID_PREFIX) :]) + 1 if after and after.startswith(_ID_PREFIX) else 0
    stop = min(total, start + limit)
    items = b",".join(note_json(item_id(i)) for i in range(start, stop))
    has_more = b"true" if stop < total else b"false"
    return (
        b'{"object":"list","data":['
        + items
        + b'],"has_more":'
        + has_more
        + b',"url":"/v1/credit_notes"}'
    )


def response(status: str, body: bytes) -> bytes:
    head = (
        f"HTTP/1.1 {status}\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Request-Id: req_bench\r\n"
        "Stripe-Version: 2026-09-30.endive\r\n"
        "\r\n"
    )
    return head.encode("ascii") + body


_NOT_FOUND = response(
    "404 Not Found", b'{"error":{"type":"invalid_request_error","message":"Unrecognized URL"}}'
)
_SINGLE_RESPONSE = response("200 OK", _SINGLE)


def route(method: str, target: str) -> bytes:
    parts = urlsplit(target)
    path = parts.path
    if path == "/v1/credit_notes":
        if method == "POST":
            return _SINGLE_RESPONSE
        if method == "GET":
            return response("200 OK", list_page(parts.query))
    elif path.startswith("/v1/credit_notes/") and method == "GET":
        return _SINGLE_RESPONSE
    return _NOT_FOUND


class _Connection(asyncio.Protocol):
    def __init__(self) -> None:
        self.buffer = bytearray()
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        assert self.transport is not None
        self.buffer += data
        out: list[bytes] = []
        while True:
            end = self.buffer.find(_HEAD_END)
            if end < 0:
                if len(self.buffer) > _MAX_HEAD:
                    self.transport.close()
                return self._flush(out)
            head = bytes(self.buffer[:end]).decode("latin-1")
            lines = head.split("\r\n")
            length = 0
            for line in lines[1:]:
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value.strip())
            if len(self.buffer) < end + 4 + length:
                return self._flush(out)
            del self.buffer[: end + 4 + length]
            method, target, _version = lines[0].split(" ", 2)
            out.append(route(method, target))

    def _flush(self, out: list[bytes]) -> None:
        if out and self.transport is not None:
            self.transport.write(b"".join(out))


async def serve(port: int, lifetime: float) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(_Connection, "127.0.0.1", port, backlog=512)
    bound = server.sockets[0].getsockname()[1]
    print(f"PORT {bound}", flush=True)
    stdin_closed: asyncio.Future[None] = loop.create_future()

    def mark_closed() -> None:
        if not stdin_closed.done():
            stdin_closed.set_result(None)

    def watch_stdin() -> None:
        # Blocks in a worker thread until the parent closes our stdin (or exits).
        sys.stdin.buffer.read()
        loop.call_soon_threadsafe(mark_closed)

    threading.Thread(target=watch_stdin, name="stdin-watch", daemon=True).start()
    async with server:
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stdin_closed, timeout=lifetime)


ROOT = Path(__file__).resolve().parent.parent


@contextlib.contextmanager
def running_server(start_timeout: float = 20.0) -> Iterator[str]:
    """Start the server in a child process; yield its base URL; stop it on exit."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.server"],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None
        ready, _, _ = select.select([proc.stdout], [], [], start_timeout)
        line = proc.stdout.readline().decode() if ready else ""
        if not line.startswith("PORT "):
            raise RuntimeError(f"benchmark server did not start (got {line!r})")
        yield f"http://127.0.0.1:{int(line.split()[1])}"
    finally:
        if proc.stdin is not None:
            proc.stdin.close()  # the server exits when its stdin closes
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--lifetime", type=float, default=900.0)
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args.port, args.lifetime))


if __name__ == "__main__":
    main()
