"""Requests the HTTP layer refuses get Stripe's JSON error shape, never HTML or silence."""

from __future__ import annotations

import json
import socket
from typing import Any

import pytest

from stripe_credit_notes.emulator import Emulator
from stripe_credit_notes.emulator._server import MAX_BODY

AUTH = b"Authorization: Bearer sk_test_raw\r\n"
POST_CN = b"POST /v1/credit_notes HTTP/1.1\r\nHost: x\r\n" + AUTH


def _reply(emu: Emulator, raw: bytes) -> tuple[int, dict[str, str], dict[str, Any]]:
    """Send ``raw`` without closing our side; the server must answer and close by itself."""
    with socket.create_connection(("127.0.0.1", emu.port), timeout=10.0) as sock:
        sock.sendall(raw)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    assert status_line.startswith("HTTP/1.1 "), data[:200]
    headers = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    assert int(headers["content-length"]) == len(body)
    return int(status_line.split()[1]), headers, json.loads(body)


def _assert_stripe_error(
    emu: Emulator, raw: bytes, status: int, kind: str = "invalid_request_error"
) -> str:
    code, headers, body = _reply(emu, raw)
    assert code == status, body
    assert headers["content-type"] == "application/json"
    assert headers["request-id"].startswith("req_")
    assert headers["connection"] == "close"
    assert set(body) == {"error"}
    assert body["error"]["type"] == kind
    message: str = body["error"]["message"]
    assert 0 < len(message) < 500
    return message


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        pytest.param(b"GARBAGE\r\n\r\n", 400, id="one-word request line"),
        pytest.param(b"GET / / / HTTP/1.1\r\n\r\n", 400, id="too many words"),
        pytest.param(b"GET /v1/credit_notes HTTPS/1.1\r\n\r\n", 400, id="bad version"),
        pytest.param(b"GET /v1/credit_notes\r\n\r\n", 400, id="HTTP/0.9"),
        pytest.param(b"GET /v1/credit_notes HTTP/2.0\r\n\r\n", 505, id="HTTP/2 on HTTP/1"),
        pytest.param(b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\n\r\n", 414, id="URI too long"),
        pytest.param(
            b"GET / HTTP/1.1\r\nX-Big: " + b"a" * 70_000 + b"\r\n\r\n", 431, id="header too long"
        ),
        pytest.param(
            b"GET / HTTP/1.1\r\n" + b"".join(b"X-%d: 1\r\n" % i for i in range(150)) + b"\r\n",
            431,
            id="too many headers",
        ),
        pytest.param(b"BREW /v1/credit_notes HTTP/1.1\r\nHost: x\r\n\r\n", 501, id="method"),
    ],
)
def test_protocol_errors_are_stripe_json(emu: Emulator, raw: bytes, status: int) -> None:
    _assert_stripe_error(emu, raw, status)


@pytest.mark.parametrize(
    "size_line",
    [b"-1", b"-0", b"zz", b"", b"0x10", b"1 0", b"+5", b" 5", b"5;name=value", b"5 ;x"],
)
def test_invalid_chunk_sizes_are_a_400_without_reading_to_the_end(
    emu: Emulator, size_line: bytes
) -> None:
    # The connection stays open: reading "to EOF" would hang until the client gave up.
    raw = POST_CN + b"Transfer-Encoding: chunked\r\n\r\n" + size_line + b"\r\ninvoice=in_x\r\n"
    assert "chunk" in _assert_stripe_error(emu, raw, 400)
    assert emu.credit_note_count() == 0


def test_chunk_data_must_end_with_crlf(emu: Emulator) -> None:
    raw = POST_CN + b"Transfer-Encoding: chunked\r\n\r\n3\r\nabcdef\r\n0\r\n\r\n"
    assert "chunk" in _assert_stripe_error(emu, raw, 400)


def test_endless_trailers_are_refused(emu: Emulator) -> None:
    trailers = b"".join(b"X-%d: 1\r\n" % i for i in range(500))
    raw = POST_CN + b"Transfer-Encoding: chunked\r\n\r\n0\r\n" + trailers
    _assert_stripe_error(emu, raw, 431)


def test_unsupported_transfer_encoding_is_refused(emu: Emulator) -> None:
    raw = POST_CN + b"Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n"
    _assert_stripe_error(emu, raw, 501)


def test_a_chunk_over_the_body_limit_is_a_413(emu: Emulator) -> None:
    raw = POST_CN + b"Transfer-Encoding: chunked\r\n\r\n%x\r\n" % (MAX_BODY + 1)
    assert "too large" in _assert_stripe_error(emu, raw, 413)


def test_chunks_over_the_body_limit_in_total_are_a_413(emu: Emulator) -> None:
    half = MAX_BODY // 2 + 1
    first = b"%x\r\n%s\r\n" % (half, b"a" * half)
    raw = POST_CN + b"Transfer-Encoding: chunked\r\n\r\n" + first + b"%x\r\n" % half
    assert "too large" in _assert_stripe_error(emu, raw, 413)


def test_a_content_length_over_the_limit_is_a_413_even_while_the_body_arrives(
    emu: Emulator,
) -> None:
    # The server answers before reading the body, then drains some of it so that closing the
    # connection does not reset it and destroy the answer on its way.
    raw = POST_CN + b"Content-Length: %d\r\n\r\n" % (MAX_BODY + 1) + b"a" * 256 * 1024
    assert "too large" in _assert_stripe_error(emu, raw, 413)


@pytest.mark.parametrize(
    "length",
    [b"+5", b"5_0", b"-1", b"0x5", b"\xd9\xa5", b"5, 5", b"5\r\nContent-Length: 6"],
)
def test_malformed_content_lengths_are_a_400(emu: Emulator, length: bytes) -> None:
    raw = POST_CN + b"Content-Length: " + length + b"\r\n\r\ninvoice=in_x"
    assert "Content-Length" in _assert_stripe_error(emu, raw, 400)


def test_content_length_with_chunked_is_a_400(emu: Emulator) -> None:
    # Two framings in one request is how requests are smuggled past proxies.
    raw = POST_CN + b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
    assert "Content-Length" in _assert_stripe_error(emu, raw, 400)


def test_an_unexpected_failure_is_a_500_api_error(
    emu: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(request: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(emu.app, "handle", boom)
    raw = b"GET /v1/credit_notes HTTP/1.1\r\nHost: x\r\n" + AUTH + b"Connection: close\r\n\r\n"
    message = _assert_stripe_error(emu, raw, 500, "api_error")
    assert "a bug" not in message  # internals stay in the server's log
