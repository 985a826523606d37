"""The socket layer: a threading HTTP/1.1 server around ``Application``, and its lifecycle."""

from __future__ import annotations

import contextlib
import re
import socket
import sys
import threading
import time
import traceback
import urllib.parse
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from ._errors import ApiError
from ._http import Request, Response, json_body, new_request_id
from ._routes import Application

__all__ = ["HTTPServerThread"]

MAX_BODY = 10 * 1024 * 1024
MAX_CONNECTIONS = 256
"""Connections served at once, one thread each; more wait in the listen backlog."""

_MAX_LINE = 1024  # a chunk-size or trailer line
_MAX_TRAILERS = 100
_CHUNK_SIZE = re.compile(rb"([0-9A-Fa-f]{1,16})\r?\n")
_CONTENT_LENGTH = re.compile(r"[0-9]{1,20}")
_DRAIN_SECONDS = 1.0
_DRAIN_BYTES = 1024 * 1024


class _Refused(Exception):
    """A request the HTTP layer answers with an error and then closes the connection on."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _error_response(status: int, message: str) -> Response:
    # 501 and 505 refuse what the client asked for; other 5xx are the emulator's own failure.
    kind = "api_error" if status >= 500 and status not in (501, 505) else "invalid_request_error"
    error = ApiError(status, message, type=kind)
    headers = {"Content-Type": "application/json", "Request-Id": new_request_id()}
    return Response(status, json_body(error.body()), headers)


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
    _refused = False  # an error was answered: drain the rest of the request before closing

    def setup(self) -> None:
        super().setup()
        with contextlib.suppress(OSError):  # answer small requests without Nagle's delay
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.track(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
            if self._refused:
                self._drain()
        finally:
            self.server.untrack(self.connection)

    def _drain(self) -> None:
        """Read (a bounded amount of) what the client still sends after a refusal.

        Closing a socket with unread data resets the connection, and the reset can destroy the
        error response before the client has read it.
        """
        deadline = time.monotonic() + _DRAIN_SECONDS
        drained = 0
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_WR)
            while drained < _DRAIN_BYTES and (left := deadline - time.monotonic()) > 0:
                self.connection.settimeout(left)
                data = self.connection.recv(65536)
                if not data:
                    break
                drained += len(data)

    def parse_request(self) -> bool:
        if not super().parse_request():
            return False
        if self.request_version == "HTTP/0.9":  # no status line or headers to carry an answer
            self.send_error(HTTPStatus.BAD_REQUEST, "HTTP/0.9 requests are not supported")
            return False
        return True

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's own refusals (400, 414, 431, 501, 505, ...) in Stripe's JSON shape."""
        if self.request_version == "HTTP/0.9":  # http.server would then send no status line
            self.request_version = self.protocol_version
        detail = message or HTTPStatus(code).phrase
        if len(detail) > 200:  # it may quote a request line of up to 64 KiB
            detail = detail[:200] + "..."
        self._refuse(_Refused(code, f"Invalid request: {detail}."))

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
        encodings = self.headers.get_all("Transfer-Encoding") or []
        lengths = self.headers.get_all("Content-Length") or []
        if encodings and lengths:  # two framings at once is how requests get smuggled
            raise _Refused(400, "Invalid request: both Content-Length and Transfer-Encoding.")
        if encodings:
            coding = ",".join(encodings).strip().lower()
            if coding != "chunked":
                raise _Refused(
                    501,
                    f"Invalid request: Transfer-Encoding {coding[:100]!r} is not supported; "
                    "send a Content-Length or chunked.",
                )
            return self._read_chunked()
        if len(lengths) > 1:
            raise _Refused(400, "Invalid request: more than one Content-Length header.")
        raw_length = lengths[0].strip() if lengths else "0"
        if not _CONTENT_LENGTH.fullmatch(raw_length):
            raise _Refused(400, "Invalid request: invalid Content-Length.")
        length = int(raw_length)
        if length > MAX_BODY:
            raise _Refused(413, f"Request body too large: at most {MAX_BODY} bytes.")
        body = self.rfile.read(length) if length else b""
        if len(body) < length:
            raise _Refused(400, "Invalid request: the body is shorter than its Content-Length.")
        return body

    def _read_chunked(self) -> bytes:
        chunks: list[bytes] = []
        total = 0
        while True:
            line = self.rfile.readline(_MAX_LINE)
            if b";" in line:
                raise _Refused(400, "Invalid request: chunk extensions are not supported.")
            match = _CHUNK_SIZE.fullmatch(line)
            if match is None:
                raise _Refused(400, "Invalid request: invalid chunk size.")
            size = int(match.group(1), 16)
            if size == 0:
                self._read_trailers()
                return b"".join(chunks)
            total += size
            if total > MAX_BODY:
                raise _Refused(413, f"Request body too large: at most {MAX_BODY} bytes.")
            chunk = self.rfile.read(size)
            if len(chunk) < size or self.rfile.readline(_MAX_LINE) not in (b"\r\n", b"\n"):
                raise _Refused(400, "Invalid request: a chunk does not end where its size says.")
            chunks.append(chunk)

    def _read_trailers(self) -> None:
        for _ in range(_MAX_TRAILERS):
            line = self.rfile.readline(_MAX_LINE)
            if line in (b"\r\n", b"\n"):
                return
            if not line.endswith(b"\n"):
                raise _Refused(400, "Invalid request: the chunked body ends early.")
        raise _Refused(431, f"Request header fields too large: over {_MAX_TRAILERS} trailers.")

    def _refuse(self, refusal: _Refused) -> None:
        self.close_connection = True
        self._refused = True
        self._send(
            _error_response(refusal.status, refusal.message), send_body=self.command != "HEAD"
        )

    def _serve(self, *, send_body: bool = True) -> None:
        split = urllib.parse.urlsplit(self.path)
        try:
            body = self._read_body()
        except _Refused as refusal:
            self._refuse(refusal)
            return
        request = Request(
            method=self.command,
            path=urllib.parse.unquote(split.path),
            query=split.query,
            body=body,
            headers={k.lower(): v for k, v in self.headers.items()},
        )
        try:
            response = self.server.app.handle(request)
        except Exception:
            # A bug still gets an answer (the client must not wait for nothing) and a log line.
            sys.stderr.write(f"[emulator] error in {self.command} {split.path}:\n")
            sys.stderr.write(traceback.format_exc())
            response = _error_response(
                500, "The emulator failed to handle this request; see its stderr."
            )
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
