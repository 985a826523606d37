"""Each attempt ends within its timeout, each call within its deadline, each body within its cap.

Over real loopback servers started here (``tests/hostile.py``) that drip, stall, never read or
stream forever, for ``Client`` and ``AsyncClient`` alike. The time checks are correctness
bounds ("ended within its bound plus a generous slack for a loaded machine"), not speed.
"""

from __future__ import annotations

import contextlib
import json
import socket
import time
import tracemalloc
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from stripe_credit_notes import AsyncClient, Client, RetryPolicy, errors

from . import hostile
from ._loops import run_on_own_loop
from .conftest import NEWEST_FIXTURE, load_fixture

KEY = "sk_test_bounds"
# A bound, not a speed claim: every attempt must end by its timeout plus this.
SLACK = 1.5
FAST = RetryPolicy(max_retries=0)


def call(flavour: str, base_url: str, options: dict[str, Any], **client: Any) -> tuple[float, Any]:
    """Retrieve one credit note with the sync or async client; (seconds, result or error)."""
    client.setdefault("retry_policy", FAST)
    start = time.monotonic()
    outcome: Any
    if flavour == "sync":
        with Client(KEY, base_url=base_url, **client) as c:
            try:
                outcome = c.credit_notes.retrieve("cn_1", **options)
            except errors.StripeError as exc:
                outcome = exc
    else:

        async def run() -> Any:
            async with AsyncClient(KEY, base_url=base_url, **client) as c:
                try:
                    return await c.credit_notes.retrieve("cn_1", **options)
                except errors.StripeError as exc:
                    return exc

        outcome = run_on_own_loop(run())
    return time.monotonic() - start, outcome


FLAVOURS = pytest.mark.parametrize("flavour", ["sync", "async"])


@FLAVOURS
@pytest.mark.parametrize(
    "behaviour",
    [hostile.drip_headers, hostile.drip_body, hostile.stall_body, hostile.stall_response],
)
def test_an_attempt_ends_within_its_timeout_whatever_the_server_does(
    flavour: str, behaviour: Any
) -> None:
    # Before: a server dripping one byte every 0.2 s held timeout=0.5 for as long as it liked.
    with hostile.serving(behaviour()) as server:
        elapsed, outcome = call(flavour, server.base_url, {"timeout": 0.5})
    assert isinstance(outcome, errors.APITimeoutError), outcome
    assert outcome.bound == "timeout"
    assert outcome.attempts == 1
    assert elapsed < 0.5 + SLACK, elapsed


@pytest.fixture
def unreachable() -> Iterator[str]:
    """A loopback port whose accept queue is full: connecting hangs until the client gives up."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    filler = socket.create_connection(("127.0.0.1", port), timeout=2)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        filler.close()
        listener.close()


@FLAVOURS
def test_connecting_is_bounded_too(flavour: str, unreachable: str) -> None:
    elapsed, outcome = call(flavour, unreachable, {"timeout": 0.5})
    assert isinstance(outcome, errors.APITimeoutError), outcome
    assert outcome.bound == "timeout" and outcome.attempts == 1
    assert elapsed < 0.5 + SLACK


@FLAVOURS
def test_writing_to_a_server_that_never_reads_is_bounded(flavour: str) -> None:
    big = {"memo": "x" * 20_000_000}  # more than loopback buffers hold
    with hostile.serving(hostile.never_read()) as server:
        start = time.monotonic()
        if flavour == "sync":
            with Client(KEY, base_url=server.base_url, retry_policy=FAST) as c:
                with pytest.raises(errors.APITimeoutError) as info:
                    c.credit_notes.update("cn_1", timeout=0.5, validate=False, **big)  # type: ignore[arg-type]
                assert info.value.bound == "timeout" and info.value.idempotency_key
        else:

            async def run() -> None:
                async with AsyncClient(KEY, base_url=server.base_url, retry_policy=FAST) as c:
                    with pytest.raises(errors.APITimeoutError) as info:
                        await c.credit_notes.update("cn_1", timeout=0.5, validate=False, **big)  # type: ignore[arg-type]
                    assert info.value.bound == "timeout" and info.value.idempotency_key

            run_on_own_loop(run())
        assert time.monotonic() - start < 0.5 + SLACK + 1.0  # plus encoding 20 MB


@FLAVOURS
def test_an_httpx_timeout_bounds_the_attempt_by_its_largest_value(flavour: str) -> None:
    timeout = httpx.Timeout(connect=0.2, read=0.6, write=0.2, pool=0.2)
    with hostile.serving(hostile.drip_headers()) as server:
        elapsed, outcome = call(flavour, server.base_url, {"timeout": timeout})
    assert isinstance(outcome, errors.APITimeoutError), outcome
    assert 0.5 <= elapsed < 0.6 + SLACK, elapsed


@FLAVOURS
def test_the_deadline_bounds_the_call_across_attempts(flavour: str) -> None:
    policy = RetryPolicy(max_retries=50, initial_backoff=0.1, max_backoff=0.2)
    with hostile.serving(hostile.drip_body()) as server:
        elapsed, outcome = call(
            flavour, server.base_url, {"timeout": 0.4, "deadline": 1.5}, retry_policy=policy
        )
    assert isinstance(outcome, errors.APITimeoutError), outcome
    assert outcome.attempts >= 2
    assert elapsed < 1.5 + SLACK, elapsed


@FLAVOURS
def test_a_deadline_shorter_than_the_timeout_ends_the_call_with_bound_deadline(
    flavour: str,
) -> None:
    with hostile.serving(hostile.drip_headers()) as server:
        elapsed, outcome = call(
            flavour, server.base_url, {"deadline": 0.5}, timeout=30, retry_policy=RetryPolicy()
        )
    assert isinstance(outcome, errors.APITimeoutError), outcome
    assert outcome.bound == "deadline"
    assert outcome.attempts == 1  # a deadline-bound attempt is not retried
    assert elapsed < 0.5 + SLACK


def fail_503() -> bytes:
    body = json.dumps({"error": {"type": "api_error", "message": "busy"}}).encode()
    return hostile.response(503, body, {"Stripe-Should-Retry": "true"})


@FLAVOURS
def test_a_backoff_that_would_cross_the_deadline_is_not_slept(flavour: str) -> None:
    policy = RetryPolicy(max_retries=5, initial_backoff=5.0, max_backoff=5.0)
    with hostile.serving(hostile.answers(*[fail_503()] * 6)) as server:
        elapsed, outcome = call(flavour, server.base_url, {"deadline": 2.0}, retry_policy=policy)
    # The first 503 came back at once; sleeping 2.5-5 s would cross the deadline: the call ends
    # with the last error instead, which carries its status and request id.
    assert isinstance(outcome, errors.APIError), outcome
    assert outcome.http_status == 503 and outcome.request_id == "req_hostile"
    assert outcome.attempts == 1
    assert elapsed < 2.0


# -- the body cap ------------------------------------------------------------------------------


@FLAVOURS
def test_an_endless_body_is_a_typed_error_at_the_cap(flavour: str) -> None:
    with hostile.serving(hostile.endless_body(limit=100_000_000)) as server:
        _, outcome = call(flavour, server.base_url, {}, max_response_bytes=1_000_000)
        sent = server.sent
    assert isinstance(outcome, errors.ResponseTooLargeError), outcome
    assert isinstance(outcome, errors.MalformedResponseError)
    assert outcome.http_status == 200 and outcome.request_id == "req_e"
    assert outcome.max_response_bytes == 1_000_000 and outcome.body is None
    assert outcome.attempts == 1  # a body over the cap would come back as large: not retried
    assert sent < 20_000_000  # the client stopped reading, the server stopped sending


def test_the_default_cap_bounds_memory_on_an_endless_body() -> None:
    with hostile.serving(hostile.endless_body(limit=300_000_000)) as server:
        tracemalloc.start()
        try:
            _, outcome = call("sync", server.base_url, {})
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert isinstance(outcome, errors.ResponseTooLargeError), outcome
    assert outcome.max_response_bytes == 20_000_000
    assert peak < 60_000_000, peak  # the 20 MB kept before giving up, and no more than that


@FLAVOURS
@pytest.mark.parametrize("status", [200, 500])
def test_an_announced_content_length_over_the_cap_is_refused_before_reading(
    flavour: str, status: int
) -> None:
    with hostile.serving(hostile.announce(status, 50_000_000)) as server:
        elapsed, outcome = call(flavour, server.base_url, {}, max_response_bytes=1_000_000)
    assert isinstance(outcome, errors.ResponseTooLargeError), outcome
    assert outcome.http_status == status
    assert "Content-Length 50000000" in str(outcome)
    assert elapsed < SLACK  # did not wait for the 50 MB that never come


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "20"])
def test_max_response_bytes_is_checked(bad: Any) -> None:
    Client(KEY, max_response_bytes=1).close()
    with pytest.raises((TypeError, ValueError), match="max_response_bytes must"):
        Client(KEY, max_response_bytes=bad)


def test_a_body_under_the_cap_decodes_as_before() -> None:
    note = load_fixture(NEWEST_FIXTURE)["credit_note"]
    body = json.dumps(note).encode()
    with hostile.serving(hostile.answers(hostile.response(200, body))) as server:
        _, outcome = call("sync", server.base_url, {}, max_response_bytes=len(body))
    assert not isinstance(outcome, Exception), outcome
    assert outcome.id == note["id"]


# -- the stream wrapper is in place ------------------------------------------------------------


def test_the_deadline_backend_is_installed_on_the_httpx_pools() -> None:
    # httpx has no public hook for httpcore's network backend: this pins the private route,
    # so an httpx release that moves it fails here (and the drip tests above) loudly.
    from stripe_credit_notes._bounds import install_deadline_backend
    from stripe_credit_notes._network import DeadlineBackend

    with Client(KEY) as c:
        pool = c._http._transport._pool  # type: ignore[attr-defined]
        assert isinstance(pool._network_backend, DeadlineBackend)
    proxied = httpx.Client(proxy="http://127.0.0.1:9")
    with contextlib.closing(proxied):
        assert install_deadline_backend(proxied)
        assert all(
            isinstance(t._pool._network_backend, DeadlineBackend)  # type: ignore[union-attr]
            for t in [proxied._transport, *proxied._mounts.values()]
            if t is not None
        )
        assert install_deadline_backend(proxied)  # idempotent: not wrapped twice
    assert not install_deadline_backend(httpx.Client(transport=httpx.MockTransport(lambda r: r)))


class Recording:
    """A stand-in network stream/backend that records the timeouts it is given."""

    def __init__(self) -> None:
        self.timeouts: list[float | None] = []

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        self.timeouts.append(timeout)
        return b"x"

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.timeouts.append(timeout)

    def start_tls(self, ssl_context: Any, server_hostname: Any = None, timeout: Any = None) -> Any:
        self.timeouts.append(timeout)
        return self

    def connect_tcp(self, host: str, port: int, timeout: Any = None, *args: Any) -> Any:
        self.timeouts.append(timeout)
        return self


def test_every_stream_operation_is_capped_by_the_time_the_attempt_has_left() -> None:
    import httpcore

    from stripe_credit_notes._bounds import attempt_end
    from stripe_credit_notes._network import DeadlineBackend

    inner = Recording()
    backend = DeadlineBackend(inner)  # type: ignore[arg-type]
    stream = backend.connect_tcp("127.0.0.1", 1, timeout=30)
    assert inner.timeouts == [30]  # outside an SDK attempt: untouched
    token = attempt_end.set(time.monotonic() + 0.5)
    try:
        tls = stream.start_tls(None, timeout=30)  # type: ignore[arg-type]
        tls.read(10, timeout=30)
        tls.write(b"x" * 200_000, timeout=None)  # in slices, each capped
        tls.read(10, timeout=0.1)  # a shorter limit of its own stays
    finally:
        attempt_end.reset(token)
    capped = inner.timeouts[1:-1]
    assert len(capped) == 1 + 1 + 4
    assert all(t is not None and 0 < t <= 0.5 for t in capped), capped
    assert inner.timeouts[-1] == 0.1
    token = attempt_end.set(time.monotonic() - 1)
    try:
        with pytest.raises(httpcore.ReadTimeout):
            stream.read(10, timeout=30)
        with pytest.raises(httpcore.WriteTimeout):
            stream.write(b"x", timeout=30)
        with pytest.raises(httpcore.ConnectTimeout):
            backend.connect_tcp("127.0.0.1", 1, timeout=30)
    finally:
        attempt_end.reset(token)


def test_the_deadline_counts_the_opt_in_invoice_fetch() -> None:
    import respx

    def slow(seconds: float, body: dict[str, Any]) -> Any:
        def answer(request: httpx.Request) -> httpx.Response:
            time.sleep(seconds)
            return httpx.Response(200, json=body)

        return answer

    invoice = {"id": "in_1", "object": "invoice", "amount_remaining": 0, "status": "paid"}
    note = load_fixture(NEWEST_FIXTURE)["credit_note"]
    with respx.mock(base_url="https://api.stripe.com", assert_all_called=False) as router:
        router.get("/v1/invoices/in_1").mock(side_effect=slow(0.5, {**invoice, "currency": "usd"}))
        router.post("/v1/credit_notes").mock(side_effect=slow(0.5, note))
        # Each request alone fits in 0.8 s; the call as a whole does not.
        with (
            Client(KEY, fetch_invoice=True, max_retries=0) as c,
            pytest.raises(errors.APITimeoutError) as info,
        ):
            c.credit_notes.create(invoice="in_1", amount=100, out_of_band_amount=100, deadline=0.8)
    assert info.value.bound == "deadline"
    assert "POST /v1/credit_notes" in str(info.value)
