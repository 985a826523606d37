"""Failures a caller can act on: keys and attempts on every error, lost 2xx bodies retried,
tracebacks that start in the SDK, and the API key unreachable from anything raised."""

from __future__ import annotations

import gc
import logging
import socket
import traceback
import types
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import respx

from stripe_credit_notes import AsyncClient, Client, RetryPolicy, errors

from .test_client import BASE, KEY, fail, note_json, ok


@pytest.fixture
def mock() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=BASE, assert_all_called=False) as router:
        yield router


@pytest.fixture
def client() -> Iterator[Client]:
    with Client(KEY) as c:
        c._sleep = lambda seconds: None  # type: ignore[method-assign]
        yield c


def keys(route: respx.Route) -> list[str | None]:
    return [call.request.headers.get("idempotency-key") for call in route.calls]


# -- every error carries what a manual retry needs ---------------------------------------------


def test_an_http_error_after_retries_carries_the_key_attempts_and_request_id(
    client: Client, mock: respx.MockRouter
) -> None:
    route = mock.post("/v1/credit_notes").mock(return_value=fail(503))
    with pytest.raises(errors.APIError) as info:
        client.credit_notes.create(invoice="in_1", amount=1, validate=False)
    sent = keys(route)
    assert len(sent) == 3 and len(set(sent)) == 1
    assert info.value.idempotency_key == sent[0]  # the generated key, reusable by hand
    assert info.value.attempts == 3
    assert info.value.request_id == "req_503"


def test_a_connection_error_carries_the_callers_key_and_attempts(
    client: Client, mock: respx.MockRouter
) -> None:
    mock.post("/v1/credit_notes/cn_1/void").mock(side_effect=httpx.ConnectError("refused"))
    with pytest.raises(errors.APIConnectionError) as info:
        client.credit_notes.void("cn_1", idempotency_key="void-1", max_retries=1)
    assert info.value.idempotency_key == "void-1"
    assert info.value.attempts == 2
    assert info.value.request_id is None


def test_a_get_error_has_no_key_and_a_refused_call_has_no_attempts(
    client: Client, mock: respx.MockRouter
) -> None:
    mock.get("/v1/credit_notes/cn_1").mock(return_value=fail(404))
    with pytest.raises(errors.InvalidRequestError) as info:
        client.credit_notes.retrieve("cn_1")
    assert info.value.idempotency_key is None and info.value.attempts == 1
    with pytest.raises(errors.ValidationError) as refused:
        client.credit_notes.create(invoice="in_1", amount=100, refund_amount=150)
    assert refused.value.attempts == 0


# -- a 2xx whose body got lost is retried --------------------------------------------------------


@pytest.mark.parametrize("body", [b"not json", b'{"object": "credit_', b"", b"<html>ok</html>"])
def test_a_post_with_a_lost_2xx_body_is_retried_with_the_same_key(
    client: Client, mock: respx.MockRouter, body: bytes
) -> None:
    route = mock.post("/v1/credit_notes").mock(
        side_effect=[httpx.Response(200, content=body), ok(note_json("cn_once"))]
    )
    raw = client.credit_notes.with_raw_response.create(invoice="in_1", amount=1, validate=False)
    assert raw.parsed.id == "cn_once" and raw.attempts == 2
    assert keys(route) == [raw.idempotency_key] * 2


def test_a_get_with_a_lost_2xx_body_is_retried(client: Client, mock: respx.MockRouter) -> None:
    route = mock.get("/v1/credit_notes/cn_1").mock(
        side_effect=[httpx.Response(200, content=b'{"id": "cn_1", "obj'), ok(note_json())]
    )
    assert client.credit_notes.retrieve("cn_1").id == "cn_1"
    assert route.call_count == 2


def test_a_lost_2xx_body_is_malformed_only_once_retries_run_out(
    client: Client, mock: respx.MockRouter
) -> None:
    route = mock.post("/v1/credit_notes").mock(
        return_value=httpx.Response(200, content=b"nope", headers={"Request-Id": "req_bad"})
    )
    with pytest.raises(errors.MalformedResponseError) as info:
        client.credit_notes.create(invoice="in_1", amount=1, validate=False)
    assert route.call_count == 3
    assert info.value.attempts == 3 and info.value.request_id == "req_bad"
    assert info.value.idempotency_key == keys(route)[0]


async def test_async_lost_2xx_body_is_retried_with_the_same_key(mock: respx.MockRouter) -> None:
    route = mock.post("/v1/credit_notes").mock(
        side_effect=[httpx.Response(200, content=b"{"), ok(note_json())]
    )

    async def no_sleep(seconds: float) -> None:
        pass

    async with AsyncClient(KEY) as c:
        c._sleep = no_sleep  # type: ignore[method-assign]
        raw = await c.credit_notes.with_raw_response.create(
            invoice="in_1", amount=1, validate=False
        )
    assert raw.attempts == 2 and keys(route) == [raw.idempotency_key] * 2


# -- logs and tracebacks -------------------------------------------------------------------------


def test_retry_log_lines_carry_the_request_id_and_idempotency_key(
    client: Client, mock: respx.MockRouter, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="stripe_credit_notes")
    mock.post("/v1/credit_notes").mock(side_effect=[fail(503), ok(note_json())])
    client.credit_notes.create(invoice="in_1", amount=1, idempotency_key="key-log", validate=False)
    lines = [r.getMessage() for r in caplog.records if r.name == "stripe_credit_notes"]
    retry = [line for line in lines if line.startswith("retrying")]
    assert len(retry) == 1
    assert "request_id=req_503" in retry[0] and "idempotency_key=key-log" in retry[0]
    assert "status=503" in retry[0]
    assert "idempotency_key=key-log" in lines[-1]  # and the call's summary line


@pytest.mark.parametrize(
    "fault",
    [lambda: fail(503), lambda: httpx.ConnectError("refused"), lambda: fail(400)],
    ids=["http", "connection", "not retried"],
)
def test_errors_are_raised_from_the_sdk_not_through_tenacity(
    client: Client, mock: respx.MockRouter, fault: Any
) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        outcome = fault()
        if isinstance(outcome, Exception):
            raise outcome
        return outcome  # type: ignore[no-any-return]

    mock.get("/v1/credit_notes/cn_1").mock(side_effect=answer)
    with pytest.raises(errors.StripeError) as info:
        client.credit_notes.retrieve("cn_1")
    files = [frame.filename for frame in traceback.extract_tb(info.value.__traceback__)]
    assert not [f for f in files if "tenacity" in f or "concurrent" in f], files
    assert any(f.endswith("stripe_credit_notes/_client.py") for f in files)


async def test_async_errors_are_raised_from_the_sdk_not_through_tenacity(
    mock: respx.MockRouter,
) -> None:
    mock.get("/v1/credit_notes/cn_1").mock(return_value=fail(404))
    async with AsyncClient(KEY) as c:
        with pytest.raises(errors.InvalidRequestError) as info:
            await c.credit_notes.retrieve("cn_1")
    files = [frame.filename for frame in traceback.extract_tb(info.value.__traceback__)]
    assert not [f for f in files if "tenacity" in f or "concurrent" in f], files


# -- the key stays unreachable -------------------------------------------------------------------


def reachable(root: BaseException, limit: int = 200_000) -> Iterator[object]:
    """Every object reachable from an exception: fields, causes, contexts, traceback locals.

    The client itself is not followed (it holds the key, legitimately), nor modules, classes,
    functions or a frame's callers: only what the exception keeps alive on its own.
    """
    skip = (Client, AsyncClient, httpx.Client, httpx.AsyncClient, types.ModuleType, type)
    seen: set[int] = set()
    todo: list[object] = [root]
    while todo and len(seen) < limit:
        obj = todo.pop()
        if (
            id(obj) in seen
            or isinstance(obj, skip)
            or (callable(obj) and not isinstance(obj, BaseException))
        ):
            continue
        seen.add(id(obj))
        yield obj
        if isinstance(obj, types.FrameType):
            todo.extend(obj.f_locals.values())
        elif isinstance(obj, types.TracebackType):
            todo.extend([obj.tb_frame, obj.tb_next])
        elif isinstance(obj, BaseException):
            todo.extend([obj.__cause__, obj.__context__, obj.__traceback__, *vars(obj).values()])
            todo.extend(obj.args)
        elif type(obj).__module__.startswith("stripe_credit_notes._core"):
            continue  # the ClientCore: part of the client
        else:
            todo.extend(gc.get_referents(obj))


def assert_no_key(error: BaseException) -> None:
    text = "".join(
        traceback.TracebackException(
            type(error), error, error.__traceback__, capture_locals=True
        ).format()
    )
    assert KEY not in text and KEY[8:20] not in text
    for obj in reachable(error):
        assert not isinstance(obj, httpx.Request), "an httpx request is reachable"
        if isinstance(obj, (str, bytes)):
            assert (KEY if isinstance(obj, str) else KEY.encode()) not in obj


def test_a_validation_error_keeps_the_key_out_of_its_traceback(client: Client) -> None:
    # Before: prepare() built the headers, Authorization included, before validating.
    with pytest.raises(errors.ValidationError) as info:
        client.credit_notes.create(invoice="in_1", amount=100, refund_amount=150)
    assert_no_key(info.value)


def test_a_connection_error_keeps_the_key_unreachable(client: Client) -> None:
    with socket.socket() as probe:  # a port nothing listens on: connection refused
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with Client(KEY, base_url=f"http://127.0.0.1:{port}", max_retries=1) as c:
        c._sleep = lambda seconds: None  # type: ignore[method-assign]
        with pytest.raises(errors.APIConnectionError) as info:
            c.credit_notes.create(invoice="in_1", amount=1, validate=False)
    # Before: exc.__cause__.request.headers["authorization"] was the key.
    assert isinstance(info.value.__cause__, httpx.ConnectError)
    assert info.value.__cause__._request is None
    assert_no_key(info.value)


@pytest.mark.parametrize(
    "response",
    [lambda: fail(401), lambda: httpx.Response(200, content=b"not json")],
    ids=["401", "malformed 200"],
)
def test_an_http_error_keeps_the_key_unreachable(
    client: Client, mock: respx.MockRouter, response: Any
) -> None:
    mock.post("/v1/credit_notes").mock(side_effect=lambda request: response())
    with pytest.raises(errors.StripeError) as info:
        client.credit_notes.create(invoice="in_1", amount=1, validate=False)
    assert_no_key(info.value)


async def test_async_errors_keep_the_key_unreachable(mock: respx.MockRouter) -> None:
    mock.get("/v1/credit_notes/cn_1").mock(side_effect=httpx.ReadError("reset"))
    async with AsyncClient(KEY, retry_policy=RetryPolicy(max_retries=0)) as c:
        with pytest.raises(errors.APIConnectionError) as info:
            await c.credit_notes.retrieve("cn_1")
    assert_no_key(info.value)


def test_the_authorization_header_is_built_at_send_time_only(client: Client) -> None:
    from stripe_credit_notes._operations import CREDIT_NOTES_RETRIEVE as RETRIEVE

    prepared = client._core.prepare(RETRIEVE, "cn_1", {}, {})
    assert "Authorization" not in prepared.headers
    assert KEY not in repr(prepared) and KEY not in repr(client)
    assert KEY not in repr(client._core._base_headers)
    assert client._core.send_headers(prepared)["Authorization"] == f"Bearer {KEY}"
