"""``client.credit_notes.lines(note)``: a note's embedded first page of lines, paged on."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import respx

from stripe_credit_notes import AsyncClient, Client, from_dict
from stripe_credit_notes.models import CreditNote

from .test_client import BASE, KEY, line_json, note_json, ok, query

LINE_IDS = [f"cnli_{i:02d}" for i in range(7)]


def note_with_lines(embedded: int, has_more: bool) -> dict[str, Any]:
    note = note_json("cn_many")
    note["lines"] = {
        "object": "list",
        "data": [line_json(i) for i in LINE_IDS[:embedded]],
        "has_more": has_more,
        "url": "/v1/credit_notes/cn_many/lines",
    }
    return note


def lines_handler(seen: list[list[tuple[str, str]]]) -> Any:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(query(request))
        params = dict(query(request))
        start = LINE_IDS.index(params["starting_after"]) + 1 if "starting_after" in params else 0
        limit = int(params.get("limit", 2))
        chunk = LINE_IDS[start : start + limit]
        return ok(
            {
                "object": "list",
                "data": [line_json(i) for i in chunk],
                "has_more": start + limit < len(LINE_IDS),
                "url": "/v1/credit_notes/cn_many/lines",
            }
        )

    return handler


@pytest.fixture
def mock() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=BASE, assert_all_called=False) as router:
        yield router


def test_lines_start_from_the_embedded_page_and_fetch_the_rest(mock: respx.MockRouter) -> None:
    seen: list[list[tuple[str, str]]] = []
    route = mock.get("/v1/credit_notes/cn_many/lines").mock(side_effect=lines_handler(seen))
    mock.get("/v1/credit_notes/cn_many").mock(return_value=ok(note_with_lines(3, True)))
    with Client(KEY) as c:
        note = c.credit_notes.retrieve("cn_many")
        page = c.credit_notes.lines(note, stripe_account="acct_1")
        assert route.call_count == 0  # the first page is the embedded one
        assert page.data == note.lines.data and page.has_more
        assert [line.id for line in page] == LINE_IDS
    # Onwards from the last embedded line; each page from the last one held.
    assert [dict(q)["starting_after"] for q in seen] == ["cnli_02", "cnli_04"]
    assert all(r.request.headers["Stripe-Account"] == "acct_1" for r in route.calls)


def test_a_complete_embedded_page_sends_nothing(mock: respx.MockRouter) -> None:
    route = mock.get("/v1/credit_notes/cn_many/lines")
    with Client(KEY) as c:
        note = from_dict(CreditNote, note_with_lines(7, False))
        assert [line.id for line in c.credit_notes.lines(note)] == LINE_IDS
    assert route.call_count == 0


def test_an_id_instead_of_the_note_is_refused_before_sending(mock: respx.MockRouter) -> None:
    route = mock.get(url__regex=r".*")
    with Client(KEY) as c, pytest.raises(TypeError, match=r"list_lines\(id\)"):
        c.credit_notes.lines("cn_many")  # type: ignore[arg-type]
    assert route.call_count == 0


async def test_async_lines(mock: respx.MockRouter) -> None:
    seen: list[list[tuple[str, str]]] = []
    route = mock.get("/v1/credit_notes/cn_many/lines").mock(side_effect=lines_handler(seen))
    note = from_dict(CreditNote, note_with_lines(3, True))
    async with AsyncClient(KEY) as c:
        first = await c.credit_notes.lines(note)
        assert route.call_count == 0 and first.data == note.lines.data
        assert [line.id async for line in c.credit_notes.lines(note)] == LINE_IDS
        capped = c.credit_notes.lines(note).auto_paging_iter(max_items=4)
        assert [line.id async for line in capped] == LINE_IDS[:4]
    assert dict(seen[0])["starting_after"] == "cnli_02"
