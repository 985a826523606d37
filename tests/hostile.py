"""A small threaded loopback server that misbehaves on purpose (drips, stalls, streams forever).

Each accepted connection runs ``behaviour(conn, server)`` in its own thread. Every behaviour
is bounded: it stops when the test closes the server, when the client goes away, or after
``server.max_seconds``, so a client that never gives up still ends the test (and fails it).
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

Behaviour = Callable[[socket.socket, "HostileServer"], None]


class HostileServer:
    """Listens on 127.0.0.1; ``base_url`` is what the SDK is pointed at."""

    def __init__(self, behaviour: Behaviour, *, max_seconds: float = 10.0, backlog: int = 64):
        self.behaviour = behaviour
        self.max_seconds = max_seconds
        self.stopping = threading.Event()
        self.connections = 0
        self.requests: list[bytes] = []
        self.sent = 0  # body bytes sent by the streaming behaviours
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(backlog)
        self._listener.settimeout(0.1)
        self.port = self._listener.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._threads: list[threading.Thread] = []
        self._conns: list[socket.socket] = []
        self._acceptor = threading.Thread(target=self._accept, daemon=True)
        self._acceptor.start()

    def _accept(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = self._listener.accept()
            except OSError:  # timeout, or the listener closed
                continue
            self.connections += 1
            self._conns.append(conn)
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, conn: socket.socket) -> None:
        with contextlib.suppress(OSError), conn:
            self.behaviour(conn, self)

    def expired(self, started: float) -> bool:
        return self.stopping.is_set() or time.monotonic() - started > self.max_seconds

    def close(self) -> None:
        self.stopping.set()
        self._listener.close()
        for conn in self._conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        self._acceptor.join(5)
        for thread in self._threads:
            thread.join(5)


@contextlib.contextmanager
def serving(behaviour: Behaviour, **options: Any) -> Iterator[HostileServer]:
    server = HostileServer(behaviour, **options)
    try:
        yield server
    finally:
        server.close()


def read_request(conn: socket.socket, server: HostileServer) -> bytes:
    """Read one request (headers and a Content-Length body); b"" if the client went away."""
    conn.settimeout(0.2)
    data = b""
    started = time.monotonic()
    while b"\r\n\r\n" not in data:
        if server.expired(started):
            return b""
        try:
            chunk = conn.recv(65536)
        except TimeoutError:
            continue
        if not chunk:
            return b""
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length and not server.expired(started):
        try:
            chunk = conn.recv(65536)
        except TimeoutError:
            continue
        if not chunk:
            break
        body += chunk
    server.requests.append(head)
    return head


def response(status: int, body: bytes, headers: dict[str, str] | None = None) -> bytes:
    lines = [f"HTTP/1.1 {status} X", f"Content-Length: {len(body)}", "Request-Id: req_hostile"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def wait(server: HostileServer, seconds: float) -> None:
    server.stopping.wait(seconds)


# -- behaviours ----------------------------------------------------------------------------------


def drip(head: bytes, byte: bytes, interval: float = 0.2) -> Behaviour:
    """Send ``head``, then ``byte`` every ``interval`` seconds, forever."""

    def behave(conn: socket.socket, server: HostileServer) -> None:
        if not read_request(conn, server):
            return
        conn.sendall(head)
        started = time.monotonic()
        while not server.expired(started):
            conn.sendall(byte)
            wait(server, interval)

    return behave


def drip_headers() -> Behaviour:
    """A status line, then a header dribbled one byte every 0.2 s."""
    return drip(b"HTTP/1.1 200 OK\r\nX-Pad: ", b"a")


def drip_body() -> Behaviour:
    """Headers announcing a 10,000-byte body, then one byte of it every 0.2 s."""
    return drip(b"HTTP/1.1 200 OK\r\nContent-Length: 10000\r\n\r\n", b" ")


def stall_body() -> Behaviour:
    """Headers and the first bytes of the body, then nothing."""
    return announce(200, 1000, b'{"id": ')


def stall_response() -> Behaviour:
    """Read the request, answer nothing."""

    def behave(conn: socket.socket, server: HostileServer) -> None:
        if read_request(conn, server):
            wait(server, server.max_seconds)

    return behave


def never_read() -> Behaviour:
    """Accept the connection and never read from it: a large request blocks in send."""

    def behave(conn: socket.socket, server: HostileServer) -> None:
        wait(server, server.max_seconds)

    return behave


def endless_body(limit: int = 200_000_000) -> Behaviour:
    """A chunked 200 that streams 64 KiB chunks until the client leaves (or ``limit`` bytes)."""
    chunk = b"%x\r\n%s\r\n" % (65536, b"x" * 65536)

    def behave(conn: socket.socket, server: HostileServer) -> None:
        if not read_request(conn, server):
            return
        conn.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nRequest-Id: req_e\r\n\r\n")
        conn.settimeout(5)  # a client reading slowly is not one that left
        started = time.monotonic()
        while server.sent < limit and not server.expired(started):
            conn.sendall(chunk)
            server.sent += 65536

    return behave


def announce(status: int, length: int, start: bytes = b"{}") -> Behaviour:
    """Headers announcing a body of ``length`` bytes, then only ``start`` of it."""

    def behave(conn: socket.socket, server: HostileServer) -> None:
        if not read_request(conn, server):
            return
        conn.sendall(f"HTTP/1.1 {status} X\r\nContent-Length: {length}\r\n\r\n".encode() + start)
        wait(server, server.max_seconds)

    return behave


def answers(*replies: bytes) -> Behaviour:
    """One reply per request, in order, over keep-alive connections; then 500s."""
    lock = threading.Lock()
    queue = list(replies)

    def behave(conn: socket.socket, server: HostileServer) -> None:
        while read_request(conn, server):
            with lock:
                reply = queue.pop(0) if queue else response(500, b"{}")
            conn.sendall(reply)

    return behave
