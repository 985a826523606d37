"""``len``, iteration and ``data`` of a page say the same thing (issue 14).

Iterating a page walks every item across pages; ``data`` is this page's items. ``len(page)``
used to count only this page while iteration gave more, so it now refuses, naming both.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import respx

from stripe_credit_notes import AsyncClient, Client

from .test_client import BASE, KEY, paging_handler


@pytest.fixture
def mock() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=BASE, assert_all_called=False) as router:
        yield router


IDS = [f"cn_{i:03d}" for i in range(5)]


def test_len_of_a_page_is_refused_with_the_two_meanings(mock: respx.MockRouter) -> None:
    mock.get("/v1/credit_notes").mock(side_effect=paging_handler(IDS, []))
    with Client(KEY) as c:
        page = c.credit_notes.list(limit=2)
        with pytest.raises(TypeError, match=r"len\(page\.data\)"):
            len(page)
        # What each spelling means: this page's items, and every item across pages.
        assert len(page.data) == 2
        assert len(list(page)) == len(IDS)
        assert [n.id for n in page] == [n.id for p in page.iter_pages() for n in p.data]


def test_a_page_is_truthy_even_when_empty(mock: respx.MockRouter) -> None:
    mock.get("/v1/credit_notes").mock(side_effect=paging_handler([], []))
    with Client(KEY) as c:
        page = c.credit_notes.list()
        assert page and page.data == [] and list(page) == []


async def test_async_page_len_is_refused_too(mock: respx.MockRouter) -> None:
    mock.get("/v1/credit_notes").mock(side_effect=paging_handler(IDS, []))
    async with AsyncClient(KEY) as c:
        page = await c.credit_notes.list(limit=2)
        with pytest.raises(TypeError, match=r"len\(page\.data\)"):
            len(page)
        assert len(page.data) == 2 and page
        assert [n.id async for n in page] == IDS
