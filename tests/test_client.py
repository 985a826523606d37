"""Client and AsyncClient against respx: wire format, headers, errors, retries, pagination."""

from __future__ import annotations

import copy
import itertools
import json
import logging
from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl, unquote

import httpx
import pytest
import respx

import stripe_credit_notes as scn
from stripe_credit_notes import AsyncClient, Client, errors
from stripe_credit_notes.models import CreditNote, CreditNoteLineItem

from .conftest import NEWEST_FIXTURE, load_fixture

BASE = "https://api.stripe.com"
KEY = "sk_test_51SecretKeyValueThatMustNeverLeak0000"


def note_json(note_id: str = "cn_1") -> dict[str, Any]:
    note = copy.deepcopy(load_fixture(NEWEST_FIXTURE)["credit_note"])
    note["id"] = note_id
    return note


def line_json(line_id: str = "cnli_1") -> dict[str, Any]:
    line = copy.deepcopy(load_fixture(NEWEST_FIXTURE)["credit_note_line_item"])
    line["id"] = line_id
    return line


def ok(body: Any, request_id: str = "req_ok") -> httpx.Response:
    return httpx.Response(200, json=body, headers={"Request-Id": request_id})


def fail(
    status: int,
    *,
    type_: str = "api_error",
    code: str | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    error: dict[str, Any] = {"type": type_, "message": f"boom {status}"}
    if code:
        error["code"] = code
    return httpx.Response(
        status, json={"error": error}, headers={"Request-Id": f"req_{status}", **(headers or {})}
    )


def form(request: httpx.Request) -> list[tuple[str, str]]:
    return parse_qsl(request.content.decode(), keep_blank_values=True)


def query(request: httpx.Request) -> list[tuple[str, str]]:
    return parse_qsl(request.url.query.decode(), keep_blank_values=True)


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def mock() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=BASE, assert_all_called=False) as router:
        yield router


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def client(sleeps: Sleeps) -> Iterator[Client]:
    with Client(KEY) as c:
        c._sleep = sleeps  # type: ignore[method-assign]
        yield c


# -- every operation, sync ---------------------------------------------------------------------


def test_create_sends_stripe_wire_format_and_headers(
    client: Client, mock: respx.MockRouter
) -> None:
    route = mock.post("/v1/credit_notes").mock(return_value=ok(note_json()))
    note = client.credit_notes.create(
        invoice="in_1",
        lines=[
            {
                "type": "invoice_line_item",
                "invoice_line_item": "il_1",
                "quantity": 1,
                "tax_amounts": [
                    {"amount": 10, "tax_rate": "txr_1", "taxable_amount": 100},
                    {"amount": 5, "tax_rate": "txr_2", "taxable_amount": 50},
                ],
            },
            {
                "type": "custom_line_item",
                "unit_amount_decimal": Decimal("0.0000001"),
                "quantity": 2,
            },
        ],
        metadata={"order": "42", "gone": ""},
        out_of_band_amount=0,
        expand=["invoice"],
        memo=None,
        validate=False,
    )
    assert isinstance(note, CreditNote)
    request = route.calls.last.request
    assert request.method == "POST"
    assert request.url.path == "/v1/credit_notes"
    assert request.url.query == b""
    assert form(request) == [
        ("invoice", "in_1"),
        ("lines[0][type]", "invoice_line_item"),
        ("lines[0][invoice_line_item]", "il_1"),
        ("lines[0][quantity]", "1"),
        ("lines[0][tax_amounts][0][amount]", "10"),
        ("lines[0][tax_amounts][0][tax_rate]", "txr_1"),
        ("lines[0][tax_amounts][0][taxable_amount]", "100"),
        ("lines[0][tax_amounts][1][amount]", "5"),
        ("lines[0][tax_amounts][1][tax_rate]", "txr_2"),
        ("lines[0][tax_amounts][1][taxable_amount]", "50"),
        ("lines[1][type]", "custom_line_item"),
        ("lines[1][unit_amount_decimal]", "0.0000001"),
        ("lines[1][quantity]", "2"),
        ("metadata[order]", "42"),
        ("metadata[gone]", ""),
        ("out_of_band_amount", "0"),
        ("expand[0]", "invoice"),
    ]
    headers = request.headers
    assert headers["authorization"] == f"Bearer {KEY}"
    assert headers["stripe-version"] == client.api_version == "2026-09-30.endive"
    assert headers["content-type"] == "application/x-www-form-urlencoded"
    assert headers["user-agent"].startswith(f"stripe-credit-notes/{scn.__version__} (Python/")
    assert f"httpx/{httpx.__version__}" in headers["user-agent"]
    assert len(headers["idempotency-key"]) == 36
    assert "stripe-account" not in headers


def test_get_operations_put_parameters_in_the_query(client: Client, mock: respx.MockRouter) -> None:
    route = mock.get("/v1/credit_notes/preview").mock(return_value=ok(note_json()))
    note = client.credit_notes.preview(
        invoice="in_1", amount=500, refund_amount=100, credit_amount=400, validate=False
    )
    assert note.id == "cn_1"
    request = route.calls.last.request
    assert request.content == b""
    assert "idempotency-key" not in request.headers
    assert query(request) == [
        ("invoice", "in_1"),
        ("amount", "500"),
        ("refund_amount", "100"),
        ("credit_amount", "400"),
    ]


def test_retrieve_update_void_use_the_id_in_the_path(
    client: Client, mock: respx.MockRouter
) -> None:
    get = mock.get("/v1/credit_notes/cn_9").mock(return_value=ok(note_json("cn_9")))
    post = mock.post("/v1/credit_notes/cn_9").mock(return_value=ok(note_json("cn_9")))
    void = mock.post("/v1/credit_notes/cn_9/void").mock(return_value=ok(note_json("cn_9")))
    assert client.credit_notes.retrieve("cn_9", expand=["customer"]).id == "cn_9"
    assert query(get.calls.last.request) == [("expand[0]", "customer")]
    client.credit_notes.update("cn_9", memo="", metadata={"a": "b"})
    assert form(post.calls.last.request) == [("memo", ""), ("metadata[a]", "b")]
    client.credit_notes.void("cn_9", idempotency_key="void-cn_9")
    assert void.calls.last.request.headers["idempotency-key"] == "void-cn_9"
    assert void.calls.last.request.content == b""


def test_list_lines_and_preview_lines_return_pages_of_line_items(
    client: Client, mock: respx.MockRouter
) -> None:
    envelope = {"object": "list", "data": [line_json()], "has_more": False, "url": "/x"}
    mock.get("/v1/credit_notes/cn_1/lines").mock(return_value=ok(envelope))
    preview = mock.get("/v1/credit_notes/preview/lines").mock(return_value=ok(envelope))
    page = client.credit_notes.list_lines("cn_1", limit=5)
    assert [type(x) for x in page] == [CreditNoteLineItem]
    page = client.credit_notes.preview_lines(invoice="in_1", amount=10, limit=3, validate=False)
    assert page.data[0].id == "cnli_1"
    assert ("limit", "3") in query(preview.calls.last.request)


def test_per_call_options_override_client_defaults(mock: respx.MockRouter) -> None:
    route = mock.get("/v1/credit_notes/cn_1").mock(return_value=ok(note_json()))
    with Client(KEY, stripe_account="acct_default", api_version="2024-06-20") as c:
        c.credit_notes.retrieve("cn_1")
        assert route.calls.last.request.headers["stripe-version"] == "2024-06-20"
        assert route.calls.last.request.headers["stripe-account"] == "acct_default"
        c.credit_notes.retrieve("cn_1", stripe_account="acct_other", api_version="2025-05-28.basil")
        headers = route.calls.last.request.headers
        assert headers["stripe-account"] == "acct_other"
        assert headers["stripe-version"] == "2025-05-28.basil"


def test_raw_response_exposes_request_id_status_headers_and_key(
    client: Client, mock: respx.MockRouter
) -> None:
    mock.post("/v1/credit_notes").mock(return_value=ok(note_json(), request_id="req_abc"))
    raw = client.credit_notes.with_raw_response.create(
        invoice="in_1", amount=1, idempotency_key="key-1", validate=False
    )
    assert raw.request_id == "req_abc"
    assert raw.status_code == 200
    assert raw.headers["request-id"] == "req_abc"
    assert raw.idempotency_key == "key-1"
    assert raw.attempts == 1
    assert isinstance(raw.parsed, CreditNote)


def test_api_key_comes_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, mock: respx.MockRouter
) -> None:
    route = mock.get("/v1/credit_notes/cn_1").mock(return_value=ok(note_json()))
    monkeypatch.setenv("STRIPE_API_KEY", "sk_test_fromenv")
    with Client() as c:
        c.credit_notes.retrieve("cn_1")
    assert route.calls.last.request.headers["authorization"] == "Bearer sk_test_fromenv"
    monkeypatch.delenv("STRIPE_API_KEY")
    with pytest.raises(errors.AuthenticationError, match="STRIPE_API_KEY"):
        Client()


# -- async -------------------------------------------------------------------------------------


async def test_async_client_every_operation(mock: respx.MockRouter) -> None:
    envelope = {"object": "list", "data": [note_json()], "has_more": False, "url": "/v1/cn"}
    lines = {"object": "list", "data": [line_json()], "has_more": False, "url": "/x"}
    create = mock.post("/v1/credit_notes").mock(return_value=ok(note_json()))
    mock.get("/v1/credit_notes/preview").mock(return_value=ok(note_json()))
    mock.get("/v1/credit_notes/preview/lines").mock(return_value=ok(lines))
    mock.get("/v1/credit_notes").mock(return_value=ok(envelope))
    mock.get("/v1/credit_notes/cn_1/lines").mock(return_value=ok(lines))
    mock.get("/v1/credit_notes/cn_1").mock(return_value=ok(note_json()))
    mock.post("/v1/credit_notes/cn_1").mock(return_value=ok(note_json()))
    mock.post("/v1/credit_notes/cn_1/void").mock(return_value=ok(note_json()))
    async with AsyncClient(KEY) as c:
        note = await c.credit_notes.create(invoice="in_1", amount=5, validate=False)
        assert isinstance(note, CreditNote)
        assert form(create.calls.last.request) == [("invoice", "in_1"), ("amount", "5")]
        assert (await c.credit_notes.preview(invoice="in_1", amount=5, validate=False)).id
        page = await c.credit_notes.preview_lines(invoice="in_1", amount=5, validate=False)
        assert page.data[0].id == "cnli_1"
        assert [n.id async for n in c.credit_notes.list(limit=10)] == ["cn_1"]
        assert [x.id async for x in c.credit_notes.list_lines("cn_1")] == ["cnli_1"]
        assert (await c.credit_notes.retrieve("cn_1")).id == "cn_1"
        assert (await c.credit_notes.update("cn_1", memo="m")).id == "cn_1"
        raw = await c.credit_notes.with_raw_response.void("cn_1")
        assert raw.request_id == "req_ok" and raw.idempotency_key


# -- errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "type_", "cls"),
    [
        (400, "invalid_request_error", errors.InvalidRequestError),
        (404, "invalid_request_error", errors.InvalidRequestError),
        (401, "invalid_request_error", errors.AuthenticationError),
        (402, "card_error", errors.CardError),
        (403, "invalid_request_error", errors.PermissionDeniedError),
        (429, "invalid_request_error", errors.RateLimitError),
        (400, "idempotency_error", errors.IdempotencyError),
        (500, "api_error", errors.APIError),
        (503, "api_error", errors.APIError),
    ],
)
def test_error_statuses_map_to_typed_errors(
    client: Client, mock: respx.MockRouter, status: int, type_: str, cls: type[Exception]
) -> None:
    body = {
        "error": {
            "type": type_,
            "code": "resource_missing",
            "param": "id",
            "message": "No such credit note",
            "doc_url": "https://docs.stripe.com/error-codes/resource-missing",
        }
    }
    mock.get("/v1/credit_notes/cn_1").mock(
        return_value=httpx.Response(
            status, json=body, headers={"Request-Id": "req_e", "Stripe-Should-Retry": "false"}
        )
    )
    with pytest.raises(cls) as info:
        client.credit_notes.retrieve("cn_1")
    error = info.value
    assert isinstance(error, errors.StripeError)
    assert error.http_status == status
    assert error.type == type_
    assert error.code == "resource_missing"
    assert error.param == "id"
    assert error.message == "No such credit note"
    assert error.doc_url == "https://docs.stripe.com/error-codes/resource-missing"
    assert error.request_id == "req_e"
    assert error.body is not None and json.loads(error.body) == body
    assert "req_e" in str(error)


@pytest.mark.usefixtures("json_backend")
@pytest.mark.parametrize(
    "body", [b"<html>502 Bad Gateway</html>", b'{"error": {"type": "api_err', b"", b"[1, 2]"]
)
def test_non_json_or_truncated_error_body_still_yields_a_typed_error(
    client: Client, mock: respx.MockRouter, body: bytes
) -> None:
    mock.get("/v1/credit_notes/cn_1").mock(
        return_value=httpx.Response(502, content=body, headers={"Request-Id": "req_gw"})
    )
    with pytest.raises(errors.APIError) as info:
        client.credit_notes.retrieve("cn_1", max_retries=0)
    assert info.value.http_status == 502
    assert info.value.request_id == "req_gw"
    assert info.value.body == body


@pytest.mark.usefixtures("json_backend")
@pytest.mark.parametrize("body", [b"not json", b'{"id": "cn_1"}', b"[]", b'{"object": "credit_'])
def test_malformed_success_body_is_a_typed_error(
    client: Client, mock: respx.MockRouter, body: bytes
) -> None:
    mock.get("/v1/credit_notes/cn_1").mock(
        return_value=httpx.Response(200, content=body, headers={"Request-Id": "req_bad"})
    )
    with pytest.raises(errors.MalformedResponseError) as info:
        client.credit_notes.retrieve("cn_1")
    assert info.value.request_id == "req_bad"
    assert info.value.http_status == 200


# -- retries and idempotency -------------------------------------------------------------------


def test_retried_create_reuses_its_idempotency_key(
    client: Client, mock: respx.MockRouter, sleeps: Sleeps
) -> None:
    route = mock.post("/v1/credit_notes").mock(
        side_effect=[
            httpx.ConnectError("refused"),
            fail(503, headers={"Stripe-Should-Retry": "true"}),
            ok(note_json()),
        ]
    )
    raw = client.credit_notes.with_raw_response.create(invoice="in_1", amount=1, validate=False)
    keys = {call.request.headers["idempotency-key"] for call in route.calls}
    assert route.call_count == 3
    assert keys == {raw.idempotency_key}
    bodies = {call.request.content for call in route.calls}
    assert len(bodies) == 1
    assert raw.attempts == 3
    assert len(sleeps) == 2


def test_caller_idempotency_key_is_sent_on_every_attempt(
    client: Client, mock: respx.MockRouter
) -> None:
    route = mock.post("/v1/credit_notes").mock(side_effect=[fail(500), ok(note_json())])
    client.credit_notes.create(invoice="in_1", amount=1, idempotency_key="mine", validate=False)
    assert [c.request.headers["idempotency-key"] for c in route.calls] == ["mine", "mine"]


@pytest.mark.parametrize(
    ("first", "retried"),
    [
        (lambda: httpx.ConnectError("refused"), True),
        (lambda: httpx.ReadTimeout("slow"), True),
        (lambda: httpx.RemoteProtocolError("dropped"), True),
        (lambda: fail(409), True),
        (lambda: fail(500), True),
        (lambda: fail(502), True),
        (lambda: fail(503), True),
        (lambda: fail(429, code="lock_timeout"), True),
        (lambda: fail(429, headers={"Stripe-Should-Retry": "true"}), True),
        (lambda: fail(429, code="rate_limit"), False),
        (lambda: fail(500, headers={"Stripe-Should-Retry": "false"}), False),
        (lambda: fail(409, headers={"Stripe-Should-Retry": "false"}), False),
        (lambda: fail(400, type_="invalid_request_error"), False),
        (
            lambda: fail(
                400, type_="invalid_request_error", headers={"Stripe-Should-Retry": "true"}
            ),
            False,
        ),
        (lambda: fail(400, type_="idempotency_error"), False),
        (lambda: fail(401), False),
        (lambda: fail(402, type_="card_error"), False),
        (lambda: fail(403), False),
        (lambda: fail(404), False),
    ],
)
def test_retry_decisions(client: Client, mock: respx.MockRouter, first: Any, retried: bool) -> None:
    route = mock.get("/v1/credit_notes/cn_1").mock(side_effect=[first(), ok(note_json())])
    if retried:
        assert client.credit_notes.retrieve("cn_1").id == "cn_1"
        assert route.call_count == 2
    else:
        with pytest.raises(errors.StripeError):
            client.credit_notes.retrieve("cn_1")
        assert route.call_count == 1


def test_retries_stop_after_max_retries_and_raise_the_last_error(
    mock: respx.MockRouter, sleeps: Sleeps
) -> None:
    route = mock.get("/v1/credit_notes/cn_1").mock(return_value=fail(503))
    with Client(KEY, max_retries=3) as c:
        c._sleep = sleeps  # type: ignore[method-assign]
        with pytest.raises(errors.APIError) as info:
            c.credit_notes.retrieve("cn_1")
        assert route.call_count == 4
        assert info.value.request_id == "req_503"
        route.reset()
        with pytest.raises(errors.APIError):
            c.credit_notes.retrieve("cn_1", max_retries=0)
        assert route.call_count == 1


def test_connection_errors_become_typed_after_retries(
    client: Client, mock: respx.MockRouter
) -> None:
    mock.get("/v1/credit_notes/cn_1").mock(side_effect=httpx.ReadTimeout("slow"))
    with pytest.raises(errors.APITimeoutError, match="Timed out"):
        client.credit_notes.retrieve("cn_1")
    mock.get("/v1/credit_notes/cn_2").mock(side_effect=httpx.ConnectError("refused"))
    with pytest.raises(errors.APIConnectionError):
        client.credit_notes.retrieve("cn_2")


def test_backoff_is_exponential_with_jitter_and_capped(
    mock: respx.MockRouter, sleeps: Sleeps
) -> None:
    mock.get("/v1/credit_notes/cn_1").mock(return_value=fail(500))
    policy = scn.RetryPolicy(max_retries=6, initial_backoff=0.5, max_backoff=4.0)
    with Client(KEY, retry_policy=policy) as c:
        c._sleep = sleeps  # type: ignore[method-assign]
        with pytest.raises(errors.APIError):
            c.credit_notes.retrieve("cn_1")
    bases = [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    assert len(sleeps) == 6
    for slept, base in zip(sleeps, bases, strict=True):
        assert base * 0.5 <= slept <= base


@pytest.mark.parametrize(("header", "expected"), [("3", 3.0), ("0", 0.0), ("600", 60.0)])
def test_retry_after_is_honoured_up_to_a_bound(
    client: Client, mock: respx.MockRouter, sleeps: Sleeps, header: str, expected: float
) -> None:
    mock.get("/v1/credit_notes/cn_1").mock(
        side_effect=[fail(503, headers={"Retry-After": header}), ok(note_json())]
    )
    client.credit_notes.retrieve("cn_1")
    assert sleeps == [expected]


async def test_async_retries_reuse_the_key_and_use_the_async_sleep(mock: respx.MockRouter) -> None:
    route = mock.post("/v1/credit_notes").mock(
        side_effect=[httpx.ConnectError("x"), fail(500), ok(note_json())]
    )
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)

    async with AsyncClient(KEY) as c:
        c._sleep = fake_sleep  # type: ignore[method-assign]
        raw = await c.credit_notes.with_raw_response.create(
            invoice="in_1", amount=1, validate=False
        )
    assert raw.attempts == 3 and len(slept) == 2
    assert {call.request.headers["idempotency-key"] for call in route.calls} == {
        raw.idempotency_key
    }


# -- pagination --------------------------------------------------------------------------------


def paging_handler(ids: list[str], seen: list[list[tuple[str, str]]]) -> Any:
    def handler(request: httpx.Request) -> httpx.Response:
        params = dict(query(request))
        seen.append(query(request))
        limit = int(params.get("limit", 10))
        if "starting_after" in params:
            start = ids.index(params["starting_after"]) + 1
            chunk = ids[start : start + limit]
            more = start + limit < len(ids)
        elif "ending_before" in params:
            end = ids.index(params["ending_before"])
            begin = max(0, end - limit)
            chunk = ids[begin:end]
            more = begin > 0
        else:
            chunk = ids[:limit]
            more = limit < len(ids)
        data = [note_json(i) for i in chunk]
        return ok({"object": "list", "data": data, "has_more": more, "url": "/v1/credit_notes"})

    return handler


def test_list_iterates_every_item_forward_keeping_filters(
    client: Client, mock: respx.MockRouter
) -> None:
    ids = [f"cn_{i:03d}" for i in range(25)]
    seen: list[list[tuple[str, str]]] = []
    mock.get("/v1/credit_notes").mock(side_effect=paging_handler(ids, seen))
    page = client.credit_notes.list(customer="cus_1", created={"gte": 1700000000}, limit=10)
    assert len(page.data) == 10 and page.has_more
    assert seen == [[("customer", "cus_1"), ("created[gte]", "1700000000"), ("limit", "10")]]
    assert [n.id for n in page] == ids
    assert len(seen) == 3  # the first page is not fetched again
    assert all(("customer", "cus_1") in q and ("created[gte]", "1700000000") in q for q in seen)
    assert seen[1][-1] == ("starting_after", "cn_009")


def test_list_iterates_backwards_from_ending_before(client: Client, mock: respx.MockRouter) -> None:
    ids = [f"cn_{i:03d}" for i in range(25)]
    seen: list[list[tuple[str, str]]] = []
    mock.get("/v1/credit_notes").mock(side_effect=paging_handler(ids, seen))
    page = client.credit_notes.list(ending_before="cn_024", limit=10)
    assert [n.id for n in page] == list(reversed(ids[:24]))
    assert [dict(q)["ending_before"] for q in seen] == ["cn_024", "cn_014", "cn_004"]


def test_list_cap_and_pages(client: Client, mock: respx.MockRouter) -> None:
    ids = [f"cn_{i:03d}" for i in range(25)]
    seen: list[list[tuple[str, str]]] = []
    mock.get("/v1/credit_notes").mock(side_effect=paging_handler(ids, seen))
    page = client.credit_notes.list(limit=10)
    assert [n.id for n in page.auto_paging_iter(max_items=12)] == ids[:12]
    assert len(seen) == 2  # never fetched the third page
    assert [len(p.data) for p in page.iter_pages()] == [10, 10, 5]


async def test_async_list_iterates_forward_and_backward(mock: respx.MockRouter) -> None:
    ids = [f"cn_{i:03d}" for i in range(23)]
    seen: list[list[tuple[str, str]]] = []
    mock.get("/v1/credit_notes").mock(side_effect=paging_handler(ids, seen))
    async with AsyncClient(KEY) as c:
        assert [n.id async for n in c.credit_notes.list(limit=5, invoice="in_1")] == ids
        assert all(("invoice", "in_1") in q for q in seen)
        back = [n.id async for n in c.credit_notes.list(limit=5, ending_before="cn_020")]
        assert back == list(reversed(ids[:20]))
        capped = [n.id async for n in c.credit_notes.list(limit=5).auto_paging_iter(max_items=7)]
        assert capped == ids[:7]
        first = await c.credit_notes.list(limit=5)
        assert len(first.data) == 5 and first.has_more


def envelope(ids: list[str], has_more: bool) -> dict[str, Any]:
    data = [note_json(i) for i in ids]
    return {"object": "list", "data": data, "has_more": has_more, "url": "/v1/credit_notes"}


def no_progress_handler(kind: str) -> Any:
    """A list endpoint that never lets a walk finish: the same page, a cycle, or an empty page."""

    def handler(request: httpx.Request) -> httpx.Response:
        after = dict(query(request)).get("starting_after")
        if kind == "repeat":  # ignores the cursor: always the first page
            return ok(envelope(["cn_1", "cn_2"], True), request_id="req_page")
        if kind == "cycle":  # cn_1, cn_2 -> cn_3 -> cn_1, cn_2 -> ...
            ids = ["cn_3"] if after == "cn_2" else ["cn_1", "cn_2"]
            return ok(envelope(ids, True), request_id="req_page")
        if after is None:  # empty: has_more with nothing to go on from
            return ok(envelope(["cn_1"], True))
        return ok(envelope([], True), request_id="req_page")

    return handler


@pytest.mark.parametrize(("kind", "requests"), [("repeat", 2), ("cycle", 3), ("empty", 2)])
def test_paging_that_makes_no_progress_stops_with_a_typed_error(
    client: Client, mock: respx.MockRouter, kind: str, requests: int
) -> None:
    # Before: a repeating cursor paged forever (the islice bounds this test if it still does).
    route = mock.get("/v1/credit_notes").mock(side_effect=no_progress_handler(kind))
    with pytest.raises(errors.PaginationError) as info:
        list(itertools.islice(client.credit_notes.list(limit=2), 1000))
    assert route.call_count == requests
    assert info.value.request_id == "req_page"
    assert "no progress" in str(info.value)


@pytest.mark.parametrize(("kind", "requests"), [("repeat", 2), ("cycle", 3), ("empty", 2)])
async def test_async_paging_that_makes_no_progress_stops_with_a_typed_error(
    mock: respx.MockRouter, kind: str, requests: int
) -> None:
    route = mock.get("/v1/credit_notes").mock(side_effect=no_progress_handler(kind))
    async with AsyncClient(KEY) as c:
        seen = 0
        with pytest.raises(errors.PaginationError):
            async for _ in c.credit_notes.list(limit=2):
                seen += 1
                assert seen < 1000
    assert route.call_count == requests


def test_next_page_refuses_a_page_that_cannot_go_on(client: Client, mock: respx.MockRouter) -> None:
    mock.get("/v1/credit_notes").mock(return_value=ok(envelope([], True)))
    page = client.credit_notes.list()
    with pytest.raises(errors.PaginationError, match="has_more is true but the page holds no"):
        page.next_page()
    mock.get("/v1/credit_notes").mock(return_value=ok(envelope(["cn_1"], False)))
    assert client.credit_notes.list().next_page() is None  # the normal end is not an error


def test_a_walk_may_not_return_to_the_cursor_it_started_from(
    client: Client, mock: respx.MockRouter
) -> None:
    # Starting after cn_2, a server answering cn_1, cn_2 again would loop.
    mock.get("/v1/credit_notes").mock(return_value=ok(envelope(["cn_1", "cn_2"], True)))
    with pytest.raises(errors.PaginationError, match="'cn_2' was already requested"):
        list(itertools.islice(client.credit_notes.list(starting_after="cn_2"), 1000))


@pytest.mark.parametrize("limit", [0, 101, -1, True, 5.0, "10"])
def test_limit_is_validated_before_sending(
    client: Client, mock: respx.MockRouter, limit: Any
) -> None:
    route = mock.get("/v1/credit_notes")
    with pytest.raises(errors.ValidationError, match="limit"):
        client.credit_notes.list(limit=limit)
    assert route.call_count == 0


# -- safety ------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad_id", ["", "cn/1", "../x", ".", "cn 1", "cn\n1"])
def test_bad_ids_are_refused_before_any_request(
    client: Client, mock: respx.MockRouter, bad_id: str
) -> None:
    route = mock.route()
    with pytest.raises(ValueError):
        client.credit_notes.retrieve(bad_id)
    with pytest.raises(ValueError):
        client.credit_notes.void(bad_id)
    assert route.call_count == 0


@pytest.mark.parametrize(
    "url",
    [
        "http://api.stripe.com",
        "http://10.0.0.5:8080",
        "ftp://127.0.0.1",
        "https://u:p@host",
        "nope",
    ],
)
def test_insecure_or_odd_base_urls_are_refused(url: str) -> None:
    with pytest.raises(ValueError):
        Client(KEY, base_url=url)


@pytest.mark.parametrize("url", ["http://127.0.0.1:12111", "http://localhost:1", "http://[::1]:9"])
def test_plain_http_is_allowed_to_loopback(url: str) -> None:
    with Client(KEY, base_url=url) as c:
        assert c.base_url == url


def test_the_api_key_never_appears_in_reprs_errors_or_logs(
    client: Client, mock: respx.MockRouter, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="stripe_credit_notes")
    mock.get("/v1/credit_notes/cn_1").mock(side_effect=[httpx.ConnectError("refused"), fail(401)])
    with pytest.raises(errors.AuthenticationError) as info:
        client.credit_notes.retrieve("cn_1")
    secret_fragment = KEY[8:]
    texts = [repr(client), str(client), str(info.value), repr(info.value), caplog.text]
    texts += [repr(v) for v in vars(info.value).values()]
    for text in texts:
        assert secret_fragment not in text
    assert "redacted" in repr(client)


def test_each_call_is_logged_with_request_id_and_no_body(
    client: Client, mock: respx.MockRouter, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="stripe_credit_notes")
    mock.post("/v1/credit_notes").mock(return_value=ok(note_json(), request_id="req_log"))
    client.credit_notes.create(invoice="in_secret_body", amount=1, validate=False)
    (record,) = [r for r in caplog.records if r.name == "stripe_credit_notes"]
    message = record.getMessage()
    assert "POST /v1/credit_notes -> 200 request_id=req_log" in message
    assert "attempts=1" in message and "elapsed=" in message
    assert "in_secret_body" not in caplog.text


def test_caller_supplied_http_client_is_used_and_not_closed(mock: respx.MockRouter) -> None:
    route = mock.get("/v1/credit_notes/cn_1").mock(return_value=ok(note_json()))
    http = httpx.Client()
    with Client(KEY, http_client=http) as c:
        c.credit_notes.retrieve("cn_1")
    assert route.call_count == 1
    assert not http.is_closed
    http.close()


def test_custom_transport(sleeps: Sleeps) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return ok(note_json())

    with Client(KEY, transport=httpx.MockTransport(handler)) as c:
        assert c.credit_notes.retrieve("cn_1").id == "cn_1"
    assert unquote(str(seen[0].url)) == f"{BASE}/v1/credit_notes/cn_1"


# -- pre-validation wired into the client ------------------------------------------------------


def test_an_allocation_stripe_would_refuse_is_caught_before_any_request(
    client: Client, mock: respx.MockRouter
) -> None:
    route = mock.route()
    with pytest.raises(errors.ValidationError) as info:
        client.credit_notes.create(invoice="in_1", amount=100, refund_amount=150)
    assert route.call_count == 0
    assert info.value.api_version == "2026-09-30.endive"
    assert "refund_amount" in info.value.params
    for op in (client.credit_notes.preview, client.credit_notes.preview_lines):
        with pytest.raises(errors.ValidationError):
            op(invoice="in_1", amount=100, refund_amount=150)
    assert route.call_count == 0


def test_the_invoice_snapshot_makes_the_check_exact(client: Client, mock: respx.MockRouter) -> None:
    from stripe_credit_notes.validation import InvoiceSnapshot

    route = mock.post("/v1/credit_notes").mock(return_value=ok(note_json()))
    paid = InvoiceSnapshot(id="in_1", amount_remaining=0, status="paid", currency="usd")
    with pytest.raises(errors.ValidationError, match="out_of_band_amount=150") as info:
        client.credit_notes.create(
            invoice="in_1", amount=500, refund_amount=350, invoice_snapshot=paid
        )
    assert info.value.details
    assert route.call_count == 0
    client.credit_notes.create(
        invoice="in_1", amount=500, refund_amount=350, out_of_band_amount=150, invoice_snapshot=paid
    )
    assert route.call_count == 1


def test_validation_can_be_turned_off_per_call_and_per_client(mock: respx.MockRouter) -> None:
    route = mock.post("/v1/credit_notes").mock(return_value=ok(note_json()))
    with Client(KEY) as c:
        c.credit_notes.create(invoice="in_1", amount=100, refund_amount=150, validate=False)
    with Client(KEY, validate=False) as c:
        c.credit_notes.create(invoice="in_1", amount=100, refund_amount=150)
        with pytest.raises(errors.ValidationError):
            c.credit_notes.create(invoice="in_1", amount=100, refund_amount=150, validate=True)
    assert route.call_count == 2


def test_version_gated_parameters_follow_the_pinned_version(mock: respx.MockRouter) -> None:
    route = mock.post("/v1/credit_notes").mock(return_value=ok(note_json()))
    with Client(KEY) as c, pytest.raises(errors.ValidationError, match="refunds"):
        c.credit_notes.create(invoice="in_1", amount=100, refund="re_1")
    with Client(KEY, api_version="2024-06-20") as c:
        c.credit_notes.create(invoice="in_1", amount=100, refund="re_1")
        with pytest.raises(errors.ValidationError, match="2024-06-20"):
            c.credit_notes.create(invoice="in_1", amount=100, refunds=[{"refund": "re_1"}])
    assert route.call_count == 1


def test_opt_in_invoice_fetch_reads_amount_remaining(mock: respx.MockRouter) -> None:
    invoice = mock.get("/v1/invoices/in_1").mock(
        return_value=ok(
            {
                "id": "in_1",
                "object": "invoice",
                "amount_remaining": 200,
                "status": "open",
                "currency": "usd",
                "total": 1000,
            }
        )
    )
    create = mock.post("/v1/credit_notes").mock(return_value=ok(note_json()))
    with Client(KEY, fetch_invoice=True) as c:
        # T=500 reduces amount_remaining 200 first: post-payment part is 300.
        with pytest.raises(errors.ValidationError, match="300"):
            c.credit_notes.create(invoice="in_1", amount=500, credit_amount=500)
        c.credit_notes.create(
            invoice="in_1", amount=500, credit_amount=300, stripe_account="acct_1"
        )
    assert invoice.call_count == 2
    assert invoice.calls.last.request.headers["stripe-account"] == "acct_1"
    assert create.call_count == 1


async def test_async_client_validates_and_fetches_the_same_way(mock: respx.MockRouter) -> None:
    mock.get("/v1/invoices/in_1").mock(
        return_value=ok(
            {
                "id": "in_1",
                "object": "invoice",
                "amount_remaining": 0,
                "status": "paid",
                "currency": "usd",
            }
        )
    )
    create = mock.post("/v1/credit_notes").mock(return_value=ok(note_json()))
    async with AsyncClient(KEY, fetch_invoice=True) as c:
        with pytest.raises(errors.ValidationError, match="out_of_band_amount=100"):
            await c.credit_notes.create(invoice="in_1", amount=100)
        await c.credit_notes.create(invoice="in_1", amount=100, out_of_band_amount=100)
    assert create.call_count == 1


def test_parsed_urls_are_reused_per_text_and_bounded(
    client: Client, mock: respx.MockRouter
) -> None:
    from stripe_credit_notes import _client

    route = mock.get(url__regex=r"/v1/credit_notes/cn_\d+$").mock(
        side_effect=lambda request: ok(note_json(request.url.path.rsplit("/", 1)[1]))
    )
    # More distinct URLs than the cache holds: each request still goes to its own URL.
    for i in range(_client._URLS_MAX + 50):
        assert client.credit_notes.retrieve(f"cn_{i}").id == f"cn_{i}"
    assert route.call_count == _client._URLS_MAX + 50
    assert len(_client._URLS) <= _client._URLS_MAX
    sent = [str(call.request.url) for call in route.calls]
    assert sent[7] == f"{BASE}/v1/credit_notes/cn_7" and len(set(sent)) == len(sent)
    again = _client._parsed_url(f"{BASE}/v1/credit_notes/cn_1")
    assert again is _client._parsed_url(f"{BASE}/v1/credit_notes/cn_1")


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"api_version": "2024-06-20", "stripe_account": "acct_call"},
        {"stripe_account": "acct_1"},
    ],
)
@pytest.mark.parametrize("account", [None, "acct_1"])
def test_own_and_caller_httpx_clients_put_the_same_headers_on_the_wire(
    mock: respx.MockRouter, options: dict[str, Any], account: str | None
) -> None:
    # The SDK's own httpx client sends the fixed headers as defaults (fewer to merge per
    # request); the wire must not tell the two apart: same headers, values and order.
    create = mock.post("/v1/credit_notes").mock(return_value=ok(note_json()))
    get = mock.get("/v1/credit_notes/cn_1").mock(return_value=ok(note_json()))
    wire = []
    for http in (None, httpx.Client()):
        with Client(KEY, http_client=http, stripe_account=account) as c:
            c.credit_notes.create(invoice="in_1", amount=5, idempotency_key="k", **options)
            c.credit_notes.retrieve("cn_1", **options)
        wire.append([create.calls.last.request.headers.raw, get.calls.last.request.headers.raw])
        if http is not None:
            http.close()
    assert wire[0] == wire[1]
    sent = dict(wire[0][0])
    assert sent[b"Authorization"] == f"Bearer {KEY}".encode()
    assert sent.get(b"Stripe-Account") == (
        None
        if not (options.get("stripe_account") or account)
        else (options.get("stripe_account") or account).encode()
    )
    if "api_version" in options:
        assert sent[b"Stripe-Version"] == b"2024-06-20"
