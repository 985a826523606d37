"""The emulator process under a burst: 1,000 connections at once, every one answered."""

from __future__ import annotations

import asyncio
import contextlib
import re
import resource
import signal
import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from stripe_credit_notes.emulator import run_emulator
from stripe_credit_notes.emulator._server import MAX_CONNECTIONS

from .._loops import run_on_own_loop
from .test_process import _start

CONNECTIONS = 1000
DEADLINE = 120.0  # generous for a loaded 2-core machine; socketserver's backlog of 5 needs more
REQUEST = (
    b"GET /v1/credit_notes?limit=1 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sk_test_x\r\n\r\n"
)
LENGTH = re.compile(rb"(?im)^content-length: *(\d+)\r$")


@pytest.fixture
def port() -> Iterator[int]:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = CONNECTIONS + 512  # our client sockets, and pytest's own files
    if soft < want:
        if hard != resource.RLIM_INFINITY and hard < want:
            pytest.skip(f"needs {want} open files, the hard limit is {hard}")
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    proc, url = _start("--port", "0")
    try:
        yield int(url.rsplit(":", 1)[1])
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.communicate(timeout=5)
            resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


async def _client(port: int, answered: list[float], everyone: asyncio.Event) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(REQUEST)  # keep-alive: the server decides whether to close
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        match = LENGTH.search(head)
        assert head.startswith(b"HTTP/1.1 200 ") and match is not None, head
        await reader.readexactly(int(match.group(1)))
        answered.append(time.monotonic())
        if len(answered) == CONNECTIONS:
            everyone.set()
        # Stay connected like an idle pooled client, until all are answered or the server closes.
        closed = asyncio.ensure_future(reader.read(1))
        done = asyncio.ensure_future(everyone.wait())
        _, pending = await asyncio.wait({closed, done}, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
    finally:
        writer.close()


async def _burst(port: int) -> tuple[int, float, list[BaseException]]:
    answered: list[float] = []
    everyone = asyncio.Event()
    start = time.monotonic()
    tasks = [asyncio.ensure_future(_client(port, answered, everyone)) for _ in range(CONNECTIONS)]
    done, pending = await asyncio.wait(tasks, timeout=DEADLINE)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    errors = [exc for task in done if (exc := task.exception()) is not None]
    last = max(answered, default=start)
    return len(answered), last - start, errors


def test_a_thousand_concurrent_connections_are_all_answered(port: int) -> None:
    answered, seconds, errors = run_on_own_loop(_burst(port))
    print(f"\n{answered} of {CONNECTIONS} connections answered in {seconds:.2f} s")
    assert errors == []
    assert answered == CONNECTIONS, f"{answered} of {CONNECTIONS} answered in {DEADLINE} s"


def _handler_threads() -> int:
    return sum("process_request_thread" in t.name for t in threading.enumerate())


def test_connections_beyond_the_cap_wait_instead_of_getting_threads() -> None:
    with run_emulator() as emu, contextlib.ExitStack() as stack:
        before = _handler_threads()
        for _ in range(MAX_CONNECTIONS + 60):  # idle connections, each would want a thread
            sock = socket.create_connection(("127.0.0.1", emu.port), timeout=10.0)
            stack.callback(sock.close)
        deadline = time.monotonic() + 20.0
        while _handler_threads() - before < MAX_CONNECTIONS and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)  # time enough for an uncapped server to start more
        assert _handler_threads() - before == MAX_CONNECTIONS
        stack.close()  # the waiting connections get their turn, and the server still answers
        with httpx.Client(base_url=emu.base_url, timeout=30.0) as client:
            assert client.get("/_emulator/health").status_code == 200
