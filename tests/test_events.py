"""The events resource: ``client.events.list`` / ``retrieve``, sync and async, and its models.

respx for the wire format; a loopback server process (``tests/events_server.py``, with
many canned events) for paging over real HTTP. ``tests/test_webhook_events.py`` covers the
events the emulator records.
"""

from __future__ import annotations

import copy
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest
import respx

from stripe_credit_notes import ABSENT, AsyncClient, Client, errors, from_dict, to_dict
from stripe_credit_notes._events_api import TypedEventList
from stripe_credit_notes._extra import NO_EXTRA
from stripe_credit_notes.models import CreditNoteEvent, Event, EventData, EventRequest

from .conftest import NEWEST_FIXTURE, load_fixture

BASE = "https://api.stripe.com"
KEY = "sk_test_events"
SERVER = Path(__file__).parent / "events_server.py"


def event_json(event_id: str = "evt_1", type_: str = "plan.created") -> dict[str, Any]:
    event = copy.deepcopy(load_fixture(NEWEST_FIXTURE)["event"])
    event["id"] = event_id
    event["type"] = type_
    return event


def page(events: list[dict[str, Any]], has_more: bool = False) -> httpx.Response:
    body = {"object": "list", "data": events, "has_more": has_more, "url": "/v1/events"}
    return httpx.Response(200, json=body, headers={"Request-Id": "req_ev"})


def query(request: httpx.Request) -> list[tuple[str, str]]:
    return parse_qsl(request.url.query.decode(), keep_blank_values=True)


@pytest.fixture
def mock() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=BASE, assert_all_called=False) as router:
        yield router


# -- the models ----------------------------------------------------------------------------------


def test_the_event_fixture_decodes_and_round_trips() -> None:
    payload = load_fixture(NEWEST_FIXTURE)["event"]
    event = from_dict(Event, payload)
    assert event.type == "plan.created" and event.pending_webhooks == 0
    assert isinstance(event.data, EventData)
    # data.object is the free-form object the event is about: a plain dict, kept whole.
    assert event.data.object["object"] == "plan" and event.data.object["amount"] == 2000
    assert event.data.previous_attributes is ABSENT
    assert event.api_version is None and event.account is ABSENT
    assert isinstance(event.request, EventRequest) and event.request.id is None
    assert to_dict(event) == payload


def test_previous_attributes_and_unknown_fields_round_trip() -> None:
    payload = event_json(type_="credit_note.updated")
    payload["data"]["previous_attributes"] = {"memo": None, "metadata": {"a": "1"}}
    payload["brand_new"] = {"x": [1]}
    payload["request"] = None
    event = from_dict(Event, payload)
    assert event.data.previous_attributes == {"memo": None, "metadata": {"a": "1"}}
    assert event.extra == {"brand_new": {"x": [1]}}
    assert event.request is None
    assert to_dict(event) == payload


@pytest.mark.parametrize(
    ("path", "value", "where"),
    [
        (("pending_webhooks",), "0", "pending_webhooks"),
        (("livemode",), 0, "livemode"),
        (("data", "object"), [1], "data.object"),
        (("data", "previous_attributes"), "x", "data.previous_attributes"),
        (("request", "id"), 5, "request.id"),
        (("type",), None, "type"),
    ],
)
def test_an_event_of_the_wrong_shape_names_the_field(
    path: tuple[str, ...], value: Any, where: str
) -> None:
    payload = event_json()
    target = payload
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(errors.MalformedResponseError, match=rf"^{where}: expected"):
        from_dict(Event, payload)


# -- respx: the wire ---------------------------------------------------------------------------


def test_list_sends_the_filters_and_pages_with_them(mock: respx.MockRouter) -> None:
    route = mock.get("/v1/events").mock(
        side_effect=[
            page([event_json("evt_3"), event_json("evt_2")], has_more=True),
            page([event_json("evt_1")]),
        ]
    )
    with Client(KEY) as client:
        events = client.events.list(
            type="credit_note.*",
            types=["credit_note.created", "credit_note.voided"],
            created={"gte": 1700000000},
            delivery_success=False,
            limit=2,
        )
        assert isinstance(events.envelope, TypedEventList)
        assert events.envelope.extra is NO_EXTRA  # like every model's empty extra
        assert [e.id for e in events] == ["evt_3", "evt_2", "evt_1"]
    first, second = (query(call.request) for call in route.calls)
    assert first == [
        ("type", "credit_note.*"),
        ("types[0]", "credit_note.created"),
        ("types[1]", "credit_note.voided"),
        ("created[gte]", "1700000000"),
        ("delivery_success", "false"),
        ("limit", "2"),
    ]
    assert second == [*first, ("starting_after", "evt_2")]


def test_retrieve_and_the_raw_response(mock: respx.MockRouter) -> None:
    route = mock.get("/v1/events/evt_1").mock(
        return_value=httpx.Response(200, json=event_json(), headers={"Request-Id": "req_1"})
    )
    mock.get("/v1/events").mock(return_value=page([]))
    with Client(KEY) as client:
        event = client.events.retrieve("evt_1", expand=["data.object"])
        assert isinstance(event, Event) and event.id == "evt_1"
        raw = client.events.with_raw_response.retrieve("evt_1")
        assert raw.request_id == "req_1" and raw.status_code == 200
        assert raw.idempotency_key is None and isinstance(raw.parsed, Event)
        raw_page = client.events.with_raw_response.list(limit=1)
    assert query(route.calls[0].request) == [("expand[0]", "data.object")]
    assert raw_page.status_code == 200 and raw_page.parsed.data == []


def test_event_calls_are_checked_before_sending(mock: respx.MockRouter) -> None:
    route = mock.get("/v1/events")
    with Client(KEY) as client:
        with pytest.raises(errors.ValidationError, match="limit"):
            client.events.list(limit=101)
        with pytest.raises(errors.ValidationError, match="types"):
            client.events.list(types="credit_note.created")  # type: ignore[typeddict-item]
        with pytest.raises(errors.ValidationError, match="delivery_success"):
            client.events.list(delivery_success="yes")  # type: ignore[typeddict-item]
        with pytest.raises(ValueError, match="id"):
            client.events.retrieve("")
    assert not route.calls


async def test_async_list_retrieve_and_raw(mock: respx.MockRouter) -> None:
    newer, older = event_json("evt_2"), event_json("evt_1")
    mock.get("/v1/events").mock(
        side_effect=[
            *(page([newer], has_more=True), page([older])),  # async for
            page([newer], has_more=True),  # await: the first page only
            *(page([newer], has_more=True), page([older])),  # the raw view, then its walk
        ]
    )
    mock.get("/v1/events/evt_1").mock(return_value=httpx.Response(200, json=event_json()))
    async with AsyncClient(KEY) as client:
        assert [e.id async for e in client.events.list(types=["plan.created"])] == [
            "evt_2",
            "evt_1",
        ]
        first = await client.events.list()
        assert [e.id for e in first.data] == ["evt_2"] and first.has_more
        assert (await client.events.retrieve("evt_1")).type == "plan.created"
        raw = await client.events.with_raw_response.retrieve("evt_1")
        assert isinstance(raw.parsed, Event)
        raw_page = await client.events.with_raw_response.list()
        assert [e.id async for e in raw_page.parsed] == ["evt_2", "evt_1"]


def test_a_malformed_event_page_is_a_typed_error_naming_the_item(mock: respx.MockRouter) -> None:
    bad = event_json("evt_bad")
    bad["created"] = "yesterday"
    mock.get("/v1/events").mock(return_value=page([event_json(), bad]))
    with Client(KEY) as client, pytest.raises(errors.MalformedResponseError) as info:
        client.events.list()
    assert "data[1].created: expected an integer" in str(info.value)
    assert info.value.http_status == 200


# -- a real loopback server process --------------------------------------------------------------


@pytest.fixture(scope="module")
def events_url() -> Iterator[str]:
    with subprocess.Popen(
        [sys.executable, str(SERVER), "25"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as server:
        assert server.stdin is not None and server.stdout is not None
        try:
            port = int(server.stdout.readline())
            yield f"http://127.0.0.1:{port}"
        finally:
            server.stdin.close()  # the server exits when its stdin closes
            server.wait(timeout=30)


def test_sync_paging_over_http(events_url: str) -> None:
    with Client(KEY, base_url=events_url, max_retries=0, timeout=20) as client:
        ids = [e.id for e in client.events.list(limit=4)]
        assert ids == [f"evt_{i:04d}" for i in range(25)]
        notes = [e.id for e in client.events.list(type="credit_note.created", limit=2)]
        assert notes == [f"evt_{i:04d}" for i in range(2, 25, 3)]
        back = [e.id for e in client.events.list(ending_before="evt_0010", limit=3)]
        assert back == [f"evt_{i:04d}" for i in range(9, -1, -1)]
        event = client.events.retrieve("evt_0005")
        assert event.created == 1_800_000_000 - 5
        with pytest.raises(errors.InvalidRequestError):
            client.events.retrieve("evt_missing")


async def test_async_paging_over_http(events_url: str) -> None:
    async with AsyncClient(KEY, base_url=events_url, max_retries=0, timeout=20) as client:
        ids = [e.id async for e in client.events.list(types=["plan.created"], limit=5)]
        assert ids == [f"evt_{i:04d}" for i in range(25) if i % 3 != 2]
        capped = client.events.list(limit=2).auto_paging_iter(max_items=3)
        assert [e.id async for e in capped] == ["evt_0000", "evt_0001", "evt_0002"]
        note_event = await client.events.retrieve("evt_0002")
        assert note_event.type == "credit_note.created"
        assert isinstance(note_event, CreditNoteEvent) and note_event.data.object.id == "cn_2"
