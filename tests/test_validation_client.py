"""Pre-validation as the client runs it: pins, the report on the response, linked refunds."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
import respx

from stripe_credit_notes import AsyncClient, Client, errors
from stripe_credit_notes.validation import InvoiceSnapshot

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


def invoice_json(**fields: Any) -> dict[str, Any]:
    return {"id": "in_1", "object": "invoice", "amount_remaining": 0, "status": "paid", **fields}


def refund_json(refund_id: str, amount: int) -> dict[str, Any]:
    return {"id": refund_id, "object": "refund", "amount": amount, "currency": "usd"}


def test_the_response_carries_the_report_and_a_bound_is_logged(
    mock: respx.MockRouter, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="stripe_credit_notes")
    mock.post("/v1/credit_notes").mock(return_value=ok(note_json()))
    with Client(KEY) as client:
        # A linked refund of unknown amount: R is only bounded, and the call says so.
        raw = client.credit_notes.with_raw_response.create(
            invoice="in_1", amount=500, refunds=[{"refund": "re_1"}]
        )
    report = raw.validation
    assert report is not None and not report.complete
    assert report.result("allocation.within_total").status == "bounded"
    assert "R" in report.unknowns
    lines = [r for r in caplog.records if "not exact" in r.getMessage()]
    assert len(lines) == 1 and lines[0].levelno == logging.DEBUG
    assert "allocation.within_total bounded" in lines[0].getMessage()
    assert "refunds[0] has no amount_refunded" in lines[0].getMessage()


def test_fetch_invoice_also_fetches_linked_refund_amounts(mock: respx.MockRouter) -> None:
    mock.get("/v1/invoices/in_1").mock(return_value=ok(invoice_json()))
    refund = mock.get("/v1/refunds/re_1").mock(return_value=ok(refund_json("re_1", 200)))
    create = mock.post("/v1/credit_notes").mock(return_value=ok(note_json()))
    with Client(KEY, fetch_invoice=True) as client:
        with pytest.raises(errors.ValidationError) as info:
            client.credit_notes.create(invoice="in_1", amount=500, refunds=[{"refund": "re_1"}])
        assert info.value.fix == "set out_of_band_amount=300"
        raw = client.credit_notes.with_raw_response.create(
            invoice="in_1", amount=500, refunds=[{"refund": "re_1"}], out_of_band_amount=300
        )
        assert raw.validation is not None and raw.validation.complete
        # An amount_refunded given, or a refund the snapshot states: nothing to fetch.
        snap = InvoiceSnapshot(amount_remaining=0, status="paid", refund_amounts={"re_1": 200})
        client.credit_notes.create(
            invoice="in_1",
            amount=500,
            refunds=[{"refund": "re_1"}],
            out_of_band_amount=300,
            invoice_snapshot=snap,
        )
        client.credit_notes.create(
            invoice="in_1", amount=500, refunds=[{"refund": "re_1", "amount_refunded": 500}]
        )
    assert refund.call_count == 2 and create.call_count == 3


def test_fetch_reads_the_singular_refund_only_before_basil(mock: respx.MockRouter) -> None:
    mock.get("/v1/invoices/in_1").mock(return_value=ok(invoice_json()))
    refund = mock.get("/v1/refunds/re_1").mock(return_value=ok(refund_json("re_1", 200)))
    with (
        Client(KEY, api_version="2024-06-20", fetch_invoice=True) as client,
        pytest.raises(errors.ValidationError, match="out_of_band_amount=300"),
    ):
        client.credit_notes.create(invoice="in_1", amount=500, refund="re_1")
    # From basil refund= is refused by its own rule, not fetched.
    with (
        Client(KEY, fetch_invoice=True) as client,
        pytest.raises(errors.ValidationError, match="refunds"),
    ):
        client.credit_notes.create(invoice="in_1", amount=500, refund="re_1")
    assert refund.call_count == 1


def test_a_refund_without_an_amount_is_a_malformed_response(mock: respx.MockRouter) -> None:
    mock.get("/v1/invoices/in_1").mock(return_value=ok(invoice_json()))
    mock.get("/v1/refunds/re_1").mock(return_value=ok({"id": "re_1", "object": "refund"}))
    with (
        Client(KEY, fetch_invoice=True) as client,
        pytest.raises(errors.MalformedResponseError, match="amount"),
    ):
        client.credit_notes.create(invoice="in_1", amount=500, refunds=[{"refund": "re_1"}])


async def test_async_client_fetches_refunds_and_reports(mock: respx.MockRouter) -> None:
    mock.get("/v1/invoices/in_1").mock(return_value=ok(invoice_json()))
    mock.get("/v1/refunds/re_1").mock(return_value=ok(refund_json("re_1", 200)))
    mock.post("/v1/credit_notes").mock(return_value=ok(note_json()))
    async with AsyncClient(KEY, fetch_invoice=True) as client:
        with pytest.raises(errors.ValidationError, match="out_of_band_amount=300"):
            await client.credit_notes.create(
                invoice="in_1", amount=500, refunds=[{"refund": "re_1"}]
            )
        raw = await client.credit_notes.with_raw_response.create(
            invoice="in_1", amount=500, refunds=[{"refund": "re_1"}], out_of_band_amount=300
        )
    assert raw.validation is not None and raw.validation.complete


def test_an_unknown_fetched_status_is_logged_as_a_warning(
    mock: respx.MockRouter, caplog: pytest.LogCaptureFixture
) -> None:
    mock.get("/v1/invoices/in_1").mock(
        return_value=ok(invoice_json(status="partially_refunded", amount_remaining=0))
    )
    mock.post("/v1/credit_notes").mock(return_value=ok(note_json()))
    with Client(KEY, api_version="2024-06-20", fetch_invoice=True) as client:
        raw = client.credit_notes.with_raw_response.create(invoice="in_1", amount=500)
    assert raw.validation is not None
    assert raw.validation.result("allocation.sum_equals_total").status == "skipped"
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert any("partially_refunded" in r.getMessage() for r in warnings)
