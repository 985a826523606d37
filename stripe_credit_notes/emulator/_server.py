"""The socket layer: a threading HTTP/1.1 server around ``Application``, and its lifecycle."""

from __future__ import annotations

import contextlib
import socket
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from ._errors import ApiError
from ._http import Request, Response, json_body, new_request_id
from ._routes import Application

__all__ = ["HTTPServerThread"]

MAX_BODY = 10 * 1024 * 1024
MAX_CONNECTIONS = 256
"""Connections served at once, one thread each; more wait in the listen backlog."""


class _BadRequest(Exception):
    pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # socketserver's backlog of 5 overflowed under a burst of connections, and the clients' SYN
    # retries then stretched to minutes. The kernel caps this at net.core.somaxconn.
    request_queue_size = 2048

    def __init__(self, address: tuple[str, int], app: Application, *, verbose: bool) -> None:
        self.app = app
        self.verbose = verbose
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
        self._closing = threading.Event()
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        # A thread per connection, but only so many: the accept loop waits for a free slot while
        # later connections queue in the backlog (threads and file descriptors stay bounded).
        while not self._slots.acquire(timeout=0.1):
            if self._closing.is_set():
                self.shutdown_request(request)
                return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()

    def shutdown(self) -> None:
        self._closing.set()  # the accept loop may be waiting for a slot
        super().shutdown()

    def crowded(self) -> bool:
        """More than half the slots are taken.

        Answers then close their connection, so idle keep-alive connections can never hold all
        the slots while new connections wait in the backlog.
        """
        with self._connections_lock:
            return len(self._connections) > MAX_CONNECTIONS // 2

    def track(self, conn: socket.socket) -> None:
        with self._connections_lock:
            self._connections.add(conn)

    def untrack(self, conn: socket.socket) -> None:
        with self._connections_lock:
            self._connections.discard(conn)

    def close_connections(self) -> None:
        """Unblock handler threads waiting on idle keep-alive connections."""
        with self._connections_lock:
            connections = list(self._connections)
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "StripeCreditNotesEmulator/1"
    sys_version = ""
    timeout = 60  # an idle keep-alive connection is closed after this many seconds
    wbufsize = 64 * 1024
    server: _Server

    def setup(self) -> None:
        super().setup()
        with contextlib.suppress(OSError):  # answer small requests without Nagle's delay
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.track(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.untrack(self.connection)

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def do_PATCH(self) -> None:
        self._serve()

    def do_OPTIONS(self) -> None:
        self._serve()

    def do_HEAD(self) -> None:
        self._serve(send_body=False)

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.verbose:
            sys.stderr.write(f"[emulator] {self.address_string()} {format % args}\n")

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks: list[bytes] = []
            total = 0
            while True:
                size_line = self.rfile.readline(1024)
                try:
                    size = int(size_line.split(b";")[0].strip(), 16)
                except ValueError:
                    raise _BadRequest("invalid chunk size") from None
                if size == 0:
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                total += size
                if total > MAX_BODY:
                    raise _BadRequest("request body too large")
                chunks.append(self.rfile.read(size))
                self.rfile.readline(1024)
        raw_length = self.headers.get("Content-Length") or "0"
        try:
            length = int(raw_length)
        except ValueError:
            raise _BadRequest("invalid Content-Length") from None
        if length < 0 or length > MAX_BODY:
            raise _BadRequest("invalid Content-Length")
        return self.rfile.read(length) if length else b""

    def _serve(self, *, send_body: bool = True) -> None:
        split = urllib.parse.urlsplit(self.path)
        try:
            body = self._read_body()
        except _BadRequest as exc:
            self.close_connection = True
            error = ApiError(400, f"Invalid request: {exc}")
            headers = {"Content-Type": "application/json", "Request-Id": new_request_id()}
            self._send(Response(400, json_body(error.body()), headers))
            return
        request = Request(
            method=self.command,
            path=urllib.parse.unquote(split.path),
            query=split.query,
            body=body,
            headers={k.lower(): v for k, v in self.headers.items()},
        )
        response = self.server.app.handle(request)
        if response.drop:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        self._send(response, send_body=send_body)

    def _send(self, response: Response, *, send_body: bool = True) -> None:
        if self.server.crowded():
            self.close_connection = True
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if send_body:
            self.wfile.write(response.body)
        self.wfile.flush()  # headers and body leave in one write (wfile is buffered)


class HTTPServerThread:
    """Serves ``app`` on ``host:port`` from a background thread (``port=0``: a free port)."""

    def __init__(self, app: Application, host: str, port: int, *, verbose: bool = False) -> None:
        self.app = app
        self._httpd = _Server((host, port), app, verbose=verbose)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"stripe-emulator-{self.port}",
            daemon=True,
        )

    @property
    def host(self) -> str:
        host: str = self._httpd.server_address[0]  # type: ignore[assignment]
        return host

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self.app.stopping.set()  # wake requests sleeping in a `slow` fault
        if self._thread.is_alive():
            self._httpd.shutdown()
            self._thread.join(timeout)
        self._httpd.close_connections()
        self._httpd.server_close()
