"""The SDK's own httpx clients keep no cookies; a caller's client keeps its own behaviour."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import respx

from stripe_credit_notes import AsyncClient, Client

from .test_client import BASE, KEY, note_json, ok


@pytest.fixture
def mock() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=BASE, assert_all_called=False) as router:
        route = router.get("/v1/credit_notes/cn_1")
        route.side_effect = [
            httpx.Response(200, json=note_json("cn_1"), headers={"Set-Cookie": "lb=a1; Path=/"}),
            ok(note_json("cn_1")),
        ]
        yield router


def cookies_sent(router: respx.MockRouter) -> list[str | None]:
    return [call.request.headers.get("cookie") for call in router.calls]


def test_a_cookie_stripe_sets_is_not_sent_back(mock: respx.MockRouter) -> None:
    with Client(KEY) as c:
        c.credit_notes.retrieve("cn_1")
        c.credit_notes.retrieve("cn_1")
        assert len(c._http.cookies) == 0
    assert cookies_sent(mock) == [None, None]


async def test_nor_by_the_async_client(mock: respx.MockRouter) -> None:
    async with AsyncClient(KEY) as c:
        await c.credit_notes.retrieve("cn_1")
        await c.credit_notes.retrieve("cn_1")
    assert cookies_sent(mock) == [None, None]


def test_a_callers_http_client_keeps_its_cookies(mock: respx.MockRouter) -> None:
    # The control: the same two responses through a plain httpx client do carry the cookie,
    # so the tests above would see it if the SDK's store kept it.
    with httpx.Client() as http:
        c = Client(KEY, http_client=http)
        c.credit_notes.retrieve("cn_1")
        c.credit_notes.retrieve("cn_1")
    assert cookies_sent(mock) == [None, "lb=a1"]
