"""``client.last_response``: the metadata of the last call made in this thread or task."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import respx

from stripe_credit_notes import AsyncClient, Client, errors

from .test_client import BASE, KEY, fail, note_json, ok, paging_handler


@pytest.fixture
def mock() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=BASE, assert_all_called=False) as router:
        yield router


def echo_request_id(request: httpx.Request) -> httpx.Response:
    """Answers with a request id derived from the note id asked for."""
    note = request.url.path.rsplit("/", 1)[-1]
    return ok(note_json(note), request_id=f"req_{note}")


def test_last_response_of_a_plain_call(mock: respx.MockRouter) -> None:
    mock.post("/v1/credit_notes").mock(
        return_value=httpx.Response(201, json=note_json(), headers={"Request-Id": "req_made"})
    )
    with Client(KEY) as c:
        assert c.last_response is None
        c.credit_notes.create(invoice="in_1", amount=100, idempotency_key="key_1", validate=False)
        last = c.last_response
    assert last is not None
    assert (last.status_code, last.request_id, last.idempotency_key) == (201, "req_made", "key_1")
    assert last.headers["request-id"] == "req_made"
    assert last.attempts == 1 and last.elapsed >= 0
    assert last.parsed is None  # the metadata only: it does not keep the object alive


def test_last_response_counts_retries_and_is_cleared_by_a_failure(mock: respx.MockRouter) -> None:
    route = mock.get("/v1/credit_notes/cn_1")
    route.side_effect = [fail(500), ok(note_json(), request_id="req_second")]
    with Client(KEY) as c:
        c._sleep = lambda s: None  # type: ignore[method-assign]
        c.credit_notes.retrieve("cn_1")
        assert c.last_response is not None
        assert (c.last_response.request_id, c.last_response.attempts) == ("req_second", 2)
        route.side_effect = [fail(404, type_="invalid_request_error")]
        with pytest.raises(errors.InvalidRequestError) as info:
            c.credit_notes.retrieve("cn_1")
        # The failed call's ids are on the error; last_response never shows an older call's.
        assert c.last_response is None and info.value.request_id == "req_404"


def test_raw_responses_and_each_fetched_page_update_it(mock: respx.MockRouter) -> None:
    ids = [f"cn_{i:03d}" for i in range(5)]
    mock.get("/v1/credit_notes").mock(side_effect=paging_handler(ids, []))
    mock.get("/v1/credit_notes/cn_1").mock(return_value=ok(note_json(), request_id="req_raw"))
    with Client(KEY) as c:
        c.credit_notes.with_raw_response.retrieve("cn_1")
        assert c.last_response is not None and c.last_response.request_id == "req_raw"
        page = c.credit_notes.list(limit=2)
        assert c.last_response.request_id == "req_ok"
        list(page)  # fetches two more pages
        assert c.last_response is not None and c.last_response.status_code == 200


def test_two_clients_do_not_share_it(mock: respx.MockRouter) -> None:
    mock.get(url__regex=r"/v1/credit_notes/cn_\w+$").mock(side_effect=echo_request_id)
    with Client(KEY) as a, Client(KEY) as b:
        a.credit_notes.retrieve("cn_a")
        assert b.last_response is None
        b.credit_notes.retrieve("cn_b")
        assert a.last_response is not None and a.last_response.request_id == "req_cn_a"


def test_each_thread_sees_its_own_last_response(mock: respx.MockRouter) -> None:
    mock.get(url__regex=r"/v1/credit_notes/cn_\w+$").mock(side_effect=echo_request_id)
    seen: dict[str, Any] = {}
    barrier = threading.Barrier(4, timeout=30)

    with Client(KEY) as c:

        def work(name: str) -> None:
            c.credit_notes.retrieve(name)
            barrier.wait()  # every thread has made its call before any reads
            last = c.last_response
            seen[name] = last.request_id if last is not None else None

        threads = [threading.Thread(target=work, args=(f"cn_t{i}",)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        # The main thread made no call of its own.
        assert c.last_response is None
    assert seen == {f"cn_t{i}": f"req_cn_t{i}" for i in range(4)}


async def test_async_last_response(mock: respx.MockRouter) -> None:
    mock.get("/v1/credit_notes/cn_1").mock(return_value=ok(note_json(), request_id="req_async"))
    async with AsyncClient(KEY) as c:
        assert c.last_response is None
        await c.credit_notes.retrieve("cn_1")
        assert c.last_response is not None and c.last_response.request_id == "req_async"


async def test_concurrent_tasks_each_see_their_own(mock: respx.MockRouter) -> None:
    mock.get(url__regex=r"/v1/credit_notes/cn_\w+$").mock(side_effect=echo_request_id)
    async with AsyncClient(KEY) as c:
        event = asyncio.Event()
        started = 0

        async def work(name: str) -> str | None:
            nonlocal started
            await c.credit_notes.retrieve(name)
            started += 1
            if started == 5:
                event.set()
            await asyncio.wait_for(event.wait(), 30)  # all calls done before any task reads
            last = c.last_response
            return last.request_id if last is not None else None

        names = [f"cn_k{i}" for i in range(5)]
        got = await asyncio.gather(*(work(n) for n in names))
        assert got == [f"req_{n}" for n in names]
        # gather ran the calls in child tasks: the parent's own context saw none of them.
        assert c.last_response is None
