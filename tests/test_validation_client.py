"""Pre-validation as the client runs it: pins, the report on the response, linked refunds."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import respx

from stripe_credit_notes import Client

from .test_client import BASE, KEY, note_json, ok


@pytest.fixture
def mock() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=BASE, assert_all_called=False) as router:
        yield router


def test_client_refuses_an_unpublished_pin_with_a_suggestion(mock: respx.MockRouter) -> None:
    with pytest.raises(ValueError, match=r"did you mean 2025-03-31\.basil\?"):
        Client(KEY, api_version="2025-03-31")
    route = mock.post("/v1/credit_notes").mock(return_value=ok(note_json()))
    with Client(KEY) as client, pytest.raises(ValueError, match=r"2025-03-31\.basil"):
        client.credit_notes.create(invoice="in_1", amount=1, api_version="2025-03-31")
    assert route.call_count == 0
