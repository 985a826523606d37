"""The HTTP layer seen from a raw socket: framing, keep-alive, headers on every response."""

from __future__ import annotations

import socket

from stripe_credit_notes.emulator import Emulator

AUTH = b"Authorization: Bearer sk_test_raw\r\n"


def _exchange(emu: Emulator, raw: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", emu.port), timeout=5.0) as sock:
        sock.sendall(raw)
        chunks = []
        while True:
            data = sock.recv(65536)
            if not data:
                return b"".join(chunks)
            chunks.append(data)


def test_chunked_request_body(emu: Emulator) -> None:
    invoice = emu.seed_invoice(lines=[1000])
    body = f"invoice={invoice.id}&amount=250".encode()
    chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
    reply = _exchange(
        emu,
        b"POST /v1/credit_notes HTTP/1.1\r\nHost: x\r\n"
        + AUTH
        + b"Content-Type: application/x-www-form-urlencoded\r\n"
        + b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        + chunked,
    )
    assert reply.startswith(b"HTTP/1.1 200 ")
    assert b'"amount": 250' in reply
    assert emu.credit_note_count() == 1


def test_bad_content_length_is_a_400_with_a_request_id(emu: Emulator) -> None:
    reply = _exchange(
        emu,
        b"POST /v1/credit_notes HTTP/1.1\r\nHost: x\r\n" + AUTH + b"Content-Length: lots\r\n\r\n",
    )
    head = reply.split(b"\r\n\r\n", 1)[0].lower()
    assert reply.startswith(b"HTTP/1.1 400 ")
    assert b"request-id: req_" in head


def test_keep_alive_serves_several_requests_on_one_connection(emu: Emulator) -> None:
    request = b"GET /v1/credit_notes HTTP/1.1\r\nHost: x\r\n" + AUTH + b"\r\n"
    last = b"GET /v1/credit_notes HTTP/1.1\r\nHost: x\r\n" + AUTH + b"Connection: close\r\n\r\n"
    reply = _exchange(emu, request + request + last)
    assert reply.count(b"HTTP/1.1 200 ") == 3
    assert reply.lower().count(b"request-id: req_") == 3


def test_head_and_options_get_request_ids(emu: Emulator) -> None:
    for method in (b"HEAD", b"OPTIONS"):
        reply = _exchange(
            emu,
            method
            + b" /v1/credit_notes HTTP/1.1\r\nHost: x\r\n"
            + AUTH
            + b"Connection: close\r\n\r\n",
        )
        assert reply.startswith(b"HTTP/1.1 404 ")
        assert b"request-id: req_" in reply.lower()
