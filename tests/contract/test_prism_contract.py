"""Contract tests: what the SDK puts on the wire, judged by Prism (a validator nobody here wrote).

Run with ``bash contract/run.sh``; skipped when ``PRISM_URL`` is not set. See docs/contract.md.

1. Every operation, through ``Client`` and ``AsyncClient``, with parameters of every nested kind:
   Prism answers 200 with no ``sl-violations``, every key sent is declared by the vendored spec,
   and the body decodes into the SDK's models (equal to the example Prism serves).
2. Pagination: the follow-up requests the SDK builds (``starting_after`` / ``ending_before``
   from the page it got) are accepted too.
3. Requests Prism rejects are the requests the SDK refuses locally, before sending anything.
4. Random valid create/preview parameters (Hypothesis) go through the SDK's encoder and pass.
"""

from __future__ import annotations

import inspect
import itertools
from collections.abc import AsyncIterator, Callable
from contextlib import aclosing, asynccontextmanager
from decimal import Decimal
from typing import Any

import attrs
import httpx
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from stripe_credit_notes import AsyncClient, Client, errors, from_dict
from stripe_credit_notes._encoding import encode_body, encode_query
from stripe_credit_notes._operation import Operation
from stripe_credit_notes._operations import OPERATIONS
from stripe_credit_notes.models import CreditNote
from stripe_credit_notes.validation._check import raise_if_invalid
from stripe_credit_notes.versions import LATEST

from .conftest import API_KEY, PRISM_URL, SKIP_REASON
from .wire import (
    AsyncRecordingTransport,
    Exchange,
    RecordingTransport,
    names_location,
    parse_violations,
    undeclared_keys,
)

pytestmark = pytest.mark.skipif(not PRISM_URL, reason=SKIP_REASON)

KINDS = ("sync", "async")

# Ids shaped like Stripe's (the fixture's where one exists).
INVOICE = "in_1Pgc75B7WZ01zgkWYv4iMwt7"
NOTE = "cn_1Pgc75B7WZ01zgkWJMPt5riP"
LINE = "cnli_1Pgc75B7WZ01zgkWla6u0GdZ"
TAX_RATE = "txr_1Pgc74B7WZ01zgkW94BlEhHU"
EVENT = "evt_1Pgc76B7WZ01zgkWwyRHS12y"

# -- rich parameters: every nested kind the operations take ------------------------------------

LINES: list[dict[str, Any]] = [
    {
        "type": "invoice_line_item",
        "invoice_line_item": "il_1Pgc74B7WZ01zgkWWh45tUBA",
        "quantity": 1,
        "amount": 1190,
        "tax_amounts": [
            {"amount": 190, "tax_rate": TAX_RATE, "taxable_amount": 1000},
            {"amount": 0, "tax_rate": "txr_1Pgc74B7WZ01zgkWzero0000", "taxable_amount": 1000},
        ],
        "metadata": {"sku": "A-1", "gone": ""},
    },
    {
        "type": "custom_line_item",
        "description": "Goodwill credit & thanks = 10% off [loyalty] + more",
        "quantity": 2,
        "unit_amount": 250,
        "tax_rates": [TAX_RATE, "txr_1Pgc74B7WZ01zgkWsecond00"],
        "metadata": {"reason": "late delivery", "ticket": "Ü-42"},
    },
    {
        "type": "custom_line_item",
        "description": "Partial hour",
        "quantity": 3,
        "unit_amount_decimal": Decimal("12.5"),
        "tax_rates": "",
        "tax_amounts": [{"amount": 7, "tax_rate": TAX_RATE, "taxable_amount": 37}],
    },
]
REFUNDS: list[dict[str, Any]] = [
    {"type": "refund", "refund": "re_3Pgc75B7WZ01zgkW0u7ovmAP", "amount_refunded": 300},
    {"refund": "re_3Pgc75B7WZ01zgkW1default"},  # type omitted: "refund" is the default
    {
        "type": "payment_record_refund",
        "payment_record_refund": {"payment_record": "pr_1PgcPayRecord", "refund_group": "rg_1"},
        "amount_refunded": 200,
    },
]
CREATE: dict[str, Any] = {
    "invoice": INVOICE,
    "lines": LINES,
    "refunds": REFUNDS,
    "shipping_cost": {"shipping_rate": "shr_1Pgc75B7WZ01zgkWship00"},
    "credit_amount": 100,
    "out_of_band_amount": 50,
    "refund_amount": 0,
    "effective_at": 1767225600,
    "email_type": "none",
    "reason": "order_change",
    "memo": "Ünïcode memo, spaces & symbols = fine; 100% [ok]",
    "metadata": {"order": "42", "gone": ""},
    "expand": ["invoice", "lines"],
}
CREATED = {"gte": 1700000000, "lt": 1800000000}


@attrs.frozen
class Call:
    id: str
    op: str
    params: dict[str, Any]
    path_id: str | None = None
    resource: str = "credit_notes"


CALLS = [
    Call("create", "create", CREATE),
    Call("preview", "preview", CREATE),
    Call("preview_lines-after", "preview_lines", {**CREATE, "limit": 2, "starting_after": LINE}),
    Call("preview_lines-before", "preview_lines", {**CREATE, "limit": 2, "ending_before": LINE}),
    Call(
        "list-after",
        "list",
        {
            "limit": 3,
            "created": CREATED,
            "customer": "cus_QXg1o8vcGmoR32",
            "invoice": INVOICE,
            "starting_after": NOTE,
            "expand": ["data.invoice", "data.lines"],
        },
    ),
    Call(
        "list-before", "list", {"limit": 100, "created": {"lte": 1800000000}, "ending_before": NOTE}
    ),
    Call(
        "list_lines-after",
        "list_lines",
        {"limit": 2, "starting_after": LINE, "expand": ["data.tax_rates"]},
        NOTE,
    ),
    Call("list_lines-before", "list_lines", {"limit": 1, "ending_before": LINE}, NOTE),
    Call("retrieve", "retrieve", {"expand": ["invoice", "customer"]}, NOTE),
    Call(
        "update",
        "update",
        {"memo": "Updated: 50% & more", "metadata": {"k": "v", "gone": ""}, "expand": ["invoice"]},
        NOTE,
    ),
    Call("void", "void", {"expand": ["invoice"]}, NOTE),
    Call(
        "events-list",
        "list",
        {
            "limit": 3,
            "created": CREATED,
            "delivery_success": True,
            "types": ["plan.created", "credit_note.created"],
            "starting_after": EVENT,
        },
        resource="events",
    ),
    Call("events-list-type", "list", {"type": "credit_note.*", "limit": 1}, resource="events"),
    Call("events-retrieve", "retrieve", {"expand": ["data.object"]}, EVENT, resource="events"),
]


def test_every_operation_is_called() -> None:
    assert {(call.resource, call.op) for call in CALLS} == set(OPERATIONS)


# -- helpers -----------------------------------------------------------------------------------


@asynccontextmanager
async def sdk_client(
    kind: str, validate: bool = False
) -> AsyncIterator[tuple[Client | AsyncClient, list[Exchange]]]:
    """A real client pointed at Prism, recording every exchange."""
    if kind == "sync":
        recorder = RecordingTransport()
        with Client(
            API_KEY,
            base_url=PRISM_URL,
            max_retries=0,
            timeout=20,
            validate=validate,
            transport=recorder,
        ) as client:
            yield client, recorder.exchanges
    else:
        arecorder = AsyncRecordingTransport()
        async with AsyncClient(
            API_KEY,
            base_url=PRISM_URL,
            max_retries=0,
            timeout=20,
            validate=validate,
            transport=arecorder,
        ) as aclient:
            yield aclient, arecorder.exchanges


async def invoke(namespace: Any, call: Call) -> Any:
    method: Callable[..., Any] = getattr(namespace, call.op)
    args = (call.path_id,) if call.path_id is not None else ()
    result = method(*args, **call.params)
    if inspect.isawaitable(result):
        result = await result
    return result


def example_for(served: dict[str, Any], op_name: str, resource: str = "credit_notes") -> Any:
    op = OPERATIONS[resource, op_name]
    content = served["paths"][op.path][op.method.lower()]["responses"]["200"]["content"]
    media = content["application/json"]
    if "example" in media:
        return media["example"]
    return next(iter(media["examples"].values()))["value"]  # the first one is the default


def assert_accepted(exchange: Exchange, vendored: dict[str, Any]) -> None:
    """Prism said 200 with no violations, and every key sent is one the spec declares."""
    assert exchange.response.status_code == 200, exchange.describe()
    assert "sl-violations" not in exchange.response.headers, exchange.describe()
    op = _operation_for(exchange.request.method, exchange.request.url.path)
    undeclared = undeclared_keys(vendored, op.method, op.path, exchange.pairs)
    assert not undeclared, f"{exchange.describe()}: {undeclared}"


def _operation_for(method: str, path: str) -> Operation[Any]:
    """The operation a request went to; a literal segment beats a placeholder."""
    got = path.split("/")
    candidates = []
    for op in OPERATIONS.values():
        want = op.path.split("/")
        if op.method != method or len(want) != len(got):
            continue
        if all(w == g or w.startswith("{") for w, g in zip(want, got, strict=True)):
            candidates.append((op.path.count("{"), op.name, op))
    assert candidates, f"no operation for {method} {path}"
    return min(candidates)[2]


# -- 1. every operation, rich parameters, both clients -----------------------------------------


@pytest.mark.parametrize("validate", [False, True], ids=["validate-off", "validate-on"])
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("call", CALLS, ids=lambda c: c.id)
async def test_operation_accepted_by_prism(
    call: Call,
    kind: str,
    validate: bool,
    served_spec: dict[str, Any],
    vendored_spec: dict[str, Any],
) -> None:
    async with sdk_client(kind, validate) as (client, exchanges):
        raw = await invoke(getattr(client, call.resource).with_raw_response, call)

    assert raw.status_code == 200
    assert "sl-violations" not in raw.headers, raw.headers["sl-violations"]
    assert len(exchanges) == 1
    assert_accepted(exchanges[0], vendored_spec)

    op = OPERATIONS[call.resource, call.op]
    example = example_for(served_spec, call.op, call.resource)
    expected = from_dict(op.response_type, example)
    decoded = raw.parsed.envelope if op.paginated else raw.parsed
    assert isinstance(decoded, op.response_type)
    assert decoded == expected
    assert from_dict(op.response_type, exchanges[0].response.json()) == expected


@pytest.mark.parametrize("kind", KINDS)
async def test_plain_methods_and_async_for(
    kind: str, served_spec: dict[str, Any], vendored_spec: dict[str, Any]
) -> None:
    """The non-raw methods return the model or the first page, decoded from Prism's example;
    ``async for`` / ``for`` over a list walks pages (stopped after a few items: every page Prism
    serves says ``has_more``)."""
    note = from_dict(CreditNote, example_for(served_spec, "retrieve"))
    voided = from_dict(CreditNote, example_for(served_spec, "void"))
    lines = list(note.lines.data)
    async with sdk_client(kind) as (client, exchanges):
        notes = client.credit_notes
        retrieve = Call("retrieve", "retrieve", {}, NOTE)
        create = Call("create", "create", {"invoice": INVOICE, "amount": 500})
        void = Call("void", "void", {}, NOTE)
        assert await invoke(notes, retrieve) == note
        assert await invoke(notes, create) == note
        assert await invoke(notes, void) == voided
        first = await invoke(notes, Call("list_lines", "list_lines", {"limit": 2}, NOTE))
        assert list(first.data) == lines
        walked: list[Any] = []
        if isinstance(client, AsyncClient):
            async with aclosing(client.credit_notes.list(limit=1).__aiter__()) as items:
                async for item in items:
                    walked.append(item)
                    if len(walked) == 3:
                        break
        else:
            for item in client.credit_notes.list(limit=1):
                walked.append(item)
                if len(walked) == 3:
                    break
    assert walked == [note, note, note]
    assert len(exchanges) == 4 + 3
    for exchange in exchanges:
        assert_accepted(exchange, vendored_spec)


def test_prism_checks_response_bodies(prism_url: str) -> None:
    """Canary: Prism reports a response body that breaks the schema (see make_prism_spec.py).

    Without this, a Prism or spec change that switched response validation off would make every
    "no sl-violations" assertion above pass vacuously.
    """
    headers = {"Authorization": f"Bearer {API_KEY}", "Prefer": "example=contract-canary"}
    response = httpx.get(f"{prism_url}/v1/credit_notes/{NOTE}", headers=headers, timeout=20)
    violations = parse_violations(response.headers)
    assert response.status_code == 500, response.text
    assert any(names_location(v, ("body", "amount"), side="response") for v in violations), (
        violations
    )


# -- 2. pagination: the follow-up requests the SDK builds ---------------------------------------

PAGED = [
    Call("list", "list", {"limit": 1, "created": CREATED, "expand": ["data.invoice"]}),
    Call("list_lines", "list_lines", {"limit": 2}, NOTE),
    Call("preview_lines", "preview_lines", {**CREATE, "limit": 2}),
]


@pytest.mark.parametrize("direction", ["forward", "backward"])
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("paged", PAGED, ids=lambda c: c.id)
async def test_page_walk_accepted_by_prism(
    paged: Call, kind: str, direction: str, vendored_spec: dict[str, Any]
) -> None:
    # Every page Prism serves is the same example with has_more=true: always walk with a cap.
    cursor = "starting_after" if direction == "forward" else "ending_before"
    first_cursor = "cn_cursor0" if paged.op == "list" else "cnli_cursor0"
    call = attrs.evolve(paged, params={**paged.params, cursor: first_cursor})
    cap = 5
    async with sdk_client(kind) as (client, exchanges):
        pages = await invoke(client.credit_notes, call)
        walk = pages.auto_paging_iter(max_items=cap)
        items = [item async for item in walk] if inspect.isasyncgen(walk) else list(walk)

    assert len(items) == cap
    assert len(exchanges) >= 2
    for exchange in exchanges:
        assert_accepted(exchange, vendored_spec)
    first = dict(exchanges[0].pairs)
    assert first[cursor] == first_cursor
    for previous, exchange in itertools.pairwise(exchanges):
        sent = dict(exchange.pairs)
        data = previous.response.json()["data"]
        expected_cursor = data[-1]["id"] if direction == "forward" else data[0]["id"]
        assert sent[cursor] == expected_cursor
        other = "ending_before" if direction == "forward" else "starting_after"
        assert other not in sent
        # Every filter of the first request is repeated on the next ones.
        assert {k: v for k, v in sent.items() if k != cursor} == {
            k: v for k, v in first.items() if k != cursor
        }


# -- 3. what Prism rejects, the SDK refuses locally --------------------------------------------


@attrs.frozen
class Refused:
    """A call Stripe's spec forbids: Prism must reject it and the SDK must refuse to send it."""

    id: str
    op: str
    params: dict[str, Any]
    #: Where Prism must point (``request`` omitted), and a word its message must contain.
    prism_at: tuple[str, ...]
    prism_says: str
    path_id: str | None = None
    #: The raw form/query to send to Prism when the SDK's encoder cannot produce it.
    wire: str | None = None


def _line(**extra: Any) -> dict[str, Any]:
    return {"type": "custom_line_item", "unit_amount": 100, "quantity": 1, **extra}


def _il_line(**extra: Any) -> dict[str, Any]:
    return {"type": "invoice_line_item", "invoice_line_item": "il_1", **extra}


REFUSED = [
    # Required parameter missing.
    Refused("create-no-invoice", "create", {"amount": 500}, ("body",), "'invoice'"),
    Refused("preview-no-invoice", "preview", {"amount": 500}, ("query",), "'invoice'"),
    Refused("preview_lines-no-invoice", "preview_lines", {"amount": 500}, ("query",), "'invoice'"),
    # Wrong type.
    Refused(
        "create-amount-text",
        "create",
        {"invoice": INVOICE, "amount": "500 cents"},
        ("body", "amount"),
        "integer",
    ),
    Refused(
        "create-amount-float",
        "create",
        {"invoice": INVOICE, "amount": 5.5},
        ("body", "amount"),
        "integer",
        wire=f"invoice={INVOICE}&amount=5.5",
    ),
    Refused(
        "preview-amount-text",
        "preview",
        {"invoice": INVOICE, "amount": "five"},
        ("query", "amount"),
        "integer",
    ),
    Refused(
        "create-credit_amount-text",
        "create",
        {"invoice": INVOICE, "amount": 500, "credit_amount": "1,000"},
        ("body", "credit_amount"),
        "integer",
    ),
    Refused(
        "create-effective_at-text",
        "create",
        {"invoice": INVOICE, "amount": 500, "effective_at": "2026-01-01"},
        ("body", "effective_at"),
        "integer",
    ),
    Refused(
        "create-quantity-text",
        "create",
        {"invoice": INVOICE, "lines": [_line(quantity="two")]},
        ("body", "lines", "0", "quantity"),
        "integer",
    ),
    Refused(
        "create-unit_amount-text",
        "create",
        {"invoice": INVOICE, "lines": [_line(unit_amount="1.5")]},
        ("body", "lines", "0", "unit_amount"),
        "integer",
    ),
    Refused(
        "create-tax_amount-amount-text",
        "create",
        {
            "invoice": INVOICE,
            "lines": [
                _il_line(
                    tax_amounts=[{"amount": "19.5", "tax_rate": TAX_RATE, "taxable_amount": 100}]
                )
            ],
        },
        ("body", "lines", "0", "tax_amounts", "0", "amount"),
        "integer",
    ),
    Refused(
        "create-amount_refunded-text",
        "create",
        {
            "invoice": INVOICE,
            "amount": 500,
            "refunds": [{"refund": "re_1", "amount_refunded": "all"}],
        },
        ("body", "refunds", "0", "amount_refunded"),
        "integer",
    ),
    Refused("list-limit-text", "list", {"limit": "ten"}, ("query", "limit"), "integer"),
    Refused(
        "list_lines-limit-text",
        "list_lines",
        {"limit": "ten"},
        ("query", "limit"),
        "integer",
        path_id=NOTE,
    ),
    Refused(
        "preview_lines-limit-text",
        "preview_lines",
        {"invoice": INVOICE, "amount": 500, "limit": "ten"},
        ("query", "limit"),
        "integer",
    ),
    Refused(
        "list-created-gte-text",
        "list",
        {"created": {"gte": "yesterday"}},
        ("query", "created", "gte"),
        "integer",
    ),
    # Value outside an enum.
    Refused(
        "create-email_type-enum",
        "create",
        {"invoice": INVOICE, "amount": 500, "email_type": "sms"},
        ("body", "email_type"),
        "allowed values",
    ),
    Refused(
        "preview-email_type-enum",
        "preview",
        {"invoice": INVOICE, "amount": 500, "email_type": "sms"},
        ("query", "email_type"),
        "allowed values",
    ),
    Refused(
        "create-line-type-enum",
        "create",
        {"invoice": INVOICE, "lines": [{"type": "discount_line_item", "amount": 100}]},
        ("body", "lines", "0", "type"),
        "allowed values",
    ),
    Refused(
        "preview-line-type-enum",
        "preview",
        {"invoice": INVOICE, "lines": [{"type": "discount_line_item", "amount": 100}]},
        ("query", "lines", "0", "type"),
        "allowed values",
    ),
    Refused(
        "create-refund-type-enum",
        "create",
        {"invoice": INVOICE, "amount": 500, "refunds": [{"type": "credit", "refund": "re_1"}]},
        ("body", "refunds", "0", "type"),
        "allowed values",
    ),
    # Required member of a nested object missing.
    Refused(
        "create-line-no-type",
        "create",
        {"invoice": INVOICE, "lines": [{"invoice_line_item": "il_1", "amount": 100}]},
        ("body", "lines", "0"),
        "'type'",
    ),
    Refused(
        "create-tax_amount-no-taxable_amount",
        "create",
        {
            "invoice": INVOICE,
            "lines": [_il_line(tax_amounts=[{"amount": 19, "tax_rate": TAX_RATE}])],
        },
        ("body", "lines", "0", "tax_amounts", "0"),
        "'taxable_amount'",
    ),
    Refused(
        "create-payment_record_refund-no-refund_group",
        "create",
        {
            "invoice": INVOICE,
            "amount": 500,
            "refunds": [
                {
                    "type": "payment_record_refund",
                    "payment_record_refund": {"payment_record": "pr_1"},
                }
            ],
        },
        ("body", "refunds", "0", "payment_record_refund"),
        "'refund_group'",
    ),
    Refused(
        "preview-payment_record_refund-no-refund_group",
        "preview",
        {
            "invoice": INVOICE,
            "amount": 500,
            "refunds": [
                {
                    "type": "payment_record_refund",
                    "payment_record_refund": {"payment_record": "pr_1"},
                }
            ],
        },
        ("query", "refunds", "0", "payment_record_refund"),
        "'refund_group'",
    ),
]


def _raw_request(case: Refused) -> httpx.Request:
    op = OPERATIONS["credit_notes", case.op]
    path = (
        op.path
        if op.path_param is None
        else op.path.replace(f"{{{op.path_param}}}", case.path_id or "")
    )
    headers = {"Authorization": f"Bearer {API_KEY}"}
    if op.method == "POST":
        body = case.wire.encode("ascii") if case.wire is not None else encode_body(case.params)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        return httpx.Request("POST", PRISM_URL + path, headers=headers, content=body)
    query = case.wire if case.wire is not None else encode_query(case.params)
    return httpx.Request("GET", f"{PRISM_URL}{path}?{query}", headers=headers)


@pytest.mark.parametrize("case", REFUSED, ids=lambda c: c.id)
def test_prism_rejects(case: Refused, prism_url: str) -> None:
    with httpx.Client(timeout=20) as http:
        response = http.send(_raw_request(case))
    violations = parse_violations(response.headers)
    assert response.status_code in (400, 422), (response.status_code, violations)
    assert any(
        names_location(v, case.prism_at) and case.prism_says in v.get("message", "")
        for v in violations
    ), f"Prism rejected {case.id} for another reason: {violations}"


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("case", REFUSED, ids=lambda c: c.id)
async def test_sdk_refuses_locally(case: Refused, kind: str, prism_url: str) -> None:
    sent: list[httpx.Request] = []

    def never(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(500, json={"error": {"type": "api_error", "message": "sent"}})

    call = Call(case.id, case.op, case.params, case.path_id)
    refusal: Exception | None = None
    try:
        if kind == "sync":
            transport = httpx.MockTransport(never)
            with Client(API_KEY, base_url=prism_url, max_retries=0, transport=transport) as client:
                await invoke(client.credit_notes, call)
        else:
            atransport = httpx.MockTransport(never)
            async with AsyncClient(
                API_KEY, base_url=prism_url, max_retries=0, transport=atransport
            ) as aclient:
                await invoke(aclient.credit_notes, call)
    except (errors.ValidationError, TypeError, ValueError) as exc:
        refusal = exc
    except errors.StripeError:
        pass  # the request went out; reported below
    assert not sent, (
        f"{case.id}: Prism rejects this call, but the SDK sent it instead of refusing it "
        f"locally: {sent[0].method} {sent[0].url.raw_path.decode()} {sent[0].content!r}"
    )
    assert refusal is not None


# The one deliberate difference: the spec marks `reason` with `x-stripeBypassValidation`,
# Stripe's sign that its server accepts values beyond the listed enum. Prism does not know the
# extension and refuses them; the SDK follows Stripe and sends the value (docs/validation.md).
REASON_OUTSIDE_ENUM = Refused(
    "create-reason-enum",
    "create",
    {"invoice": INVOICE, "amount": 500, "reason": "changed_mind"},
    ("body", "reason"),
    "allowed values",
)


def test_reason_outside_the_enum_is_an_accepted_difference(prism_url: str) -> None:
    test_prism_rejects(REASON_OUTSIDE_ENUM, prism_url)
    raise_if_invalid("create", REASON_OUTSIDE_ENUM.params, LATEST)  # the SDK lets it through


# -- 4. random valid parameters through the SDK's encoder --------------------------------------

ids = st.from_regex(r"[a-z]{2,4}_[A-Za-z0-9]{6,24}", fullmatch=True)
texts = st.text(max_size=24)
amounts = st.integers(0, 10**9)
metadata = st.dictionaries(
    st.from_regex(r"[a-z0-9_]{1,40}", fullmatch=True), texts | st.just(""), max_size=2
)
decimals = st.builds(
    lambda unscaled, places: Decimal(unscaled).scaleb(-places),
    st.integers(-(10**12), 10**12),
    st.integers(0, 12),
)
tax_amounts = st.lists(
    st.fixed_dictionaries({"amount": amounts, "tax_rate": ids, "taxable_amount": amounts}),
    min_size=1,
    max_size=2,
)


def _optional(**fields: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({}, optional=fields)


invoice_lines = st.builds(
    lambda base, extra: {**base, **extra},
    st.fixed_dictionaries({"type": st.just("invoice_line_item"), "invoice_line_item": ids}),
    _optional(
        amount=amounts,
        quantity=st.integers(1, 1000),
        tax_amounts=tax_amounts | st.just(""),
        metadata=metadata,
    ),
)
custom_lines = st.builds(
    lambda base, price, extra: {**base, **price, **extra},
    st.fixed_dictionaries({"type": st.just("custom_line_item")}),
    st.fixed_dictionaries({"unit_amount": st.integers(-(10**6), 10**9)})
    | st.fixed_dictionaries({"unit_amount_decimal": decimals}),
    _optional(
        description=texts,
        quantity=st.integers(1, 1000),
        tax_rates=st.lists(ids, min_size=1, max_size=2) | st.just(""),
        tax_amounts=tax_amounts | st.just(""),
        metadata=metadata,
    ),
)
refunds = st.one_of(
    st.builds(
        lambda base, extra: {**base, **extra},
        st.fixed_dictionaries({"refund": ids}),
        _optional(type=st.just("refund"), amount_refunded=amounts),
    ),
    st.builds(
        lambda base, extra: {**base, **extra},
        st.fixed_dictionaries(
            {
                "type": st.just("payment_record_refund"),
                "payment_record_refund": st.fixed_dictionaries(
                    {"payment_record": ids, "refund_group": ids}
                ),
            }
        ),
        _optional(amount_refunded=amounts),
    ),
)
credit_note_params = st.builds(
    lambda base, extra: {**base, **extra},
    st.fixed_dictionaries({"invoice": ids}),
    _optional(
        amount=amounts,
        lines=st.lists(invoice_lines | custom_lines, min_size=1, max_size=3),
        shipping_cost=st.fixed_dictionaries({"shipping_rate": ids}),
        refunds=st.lists(refunds, min_size=1, max_size=2),
        credit_amount=amounts,
        refund_amount=amounts,
        out_of_band_amount=amounts,
        effective_at=st.integers(0, 2**31),
        email_type=st.sampled_from(["credit_note", "none"]),
        reason=st.sampled_from(
            ["duplicate", "fraudulent", "order_change", "product_unsatisfactory"]
        ),
        memo=texts,
        metadata=metadata,
        expand=st.lists(st.sampled_from(["invoice", "lines", "customer"]), max_size=3, unique=True),
    ),
)


@pytest.mark.parametrize("op_name", ["create", "preview"])
@settings(
    max_examples=25,
    deadline=None,
    # No shrinking: every example is a round trip to Prism, and a failure must not turn the
    # CI run into minutes of shrinking. The failing example is printed as generated.
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(params=credit_note_params)
def test_random_valid_params_accepted(
    op_name: str, params: dict[str, Any], prism_url: str, vendored_spec: dict[str, Any]
) -> None:
    recorder = RecordingTransport()
    with Client(
        API_KEY, base_url=prism_url, max_retries=0, timeout=20, validate=False, transport=recorder
    ) as client:
        raw = getattr(client.credit_notes.with_raw_response, op_name)(**params)
    assert isinstance(raw.parsed, CreditNote)
    assert len(recorder.exchanges) == 1
    assert_accepted(recorder.exchanges[0], vendored_spec)
