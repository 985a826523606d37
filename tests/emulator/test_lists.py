"""List pagination, filters and expansion."""

from __future__ import annotations

from typing import Any

import pytest

from stripe_credit_notes.emulator import Emulator

from .helpers import MID, Api

CN = "/v1/credit_notes"
T0 = 1_800_000_000


def _walk(api: Api, params: dict[str, Any], direction: str, cursor: str | None) -> list[str]:
    """Follow a list in one direction until has_more is false (bounded)."""
    seen: list[str] = []
    for _ in range(200):
        query = dict(params)
        if cursor is not None:
            query[direction] = cursor
        page = api.ok(api.get(CN, query))
        ids = [note["id"] for note in page["data"]]
        if direction == "ending_before":
            seen = ids + seen
            cursor = ids[0] if ids else cursor
        else:
            seen += ids
            cursor = ids[-1] if ids else cursor
        if not page["has_more"]:
            return seen
    raise AssertionError("pagination did not end")


def test_pagination_over_260_notes_both_directions(emu: Emulator, api: Api) -> None:
    emu.set_time(T0)
    invoice = emu.seed_invoice(lines=[100_000])
    created = []
    for i in range(260):
        if i % 7 == 0:
            emu.advance_time(1)  # many notes share a `created` second
        created.append(api.ok(api.post(CN, {"invoice": invoice.id, "amount": 1}))["id"])
    newest_first = created[::-1]

    forward = _walk(api, {"limit": 100}, "starting_after", None)
    assert forward == newest_first
    assert len(set(forward)) == 260

    small = _walk(api, {"limit": 7}, "starting_after", None)
    assert small == newest_first

    backward = _walk(api, {"limit": 9}, "ending_before", newest_first[-1])
    assert backward == newest_first[:-1]

    middle = api.ok(api.get(CN, {"limit": 3, "ending_before": newest_first[100]}))
    assert [n["id"] for n in middle["data"]] == newest_first[97:100]
    assert middle["has_more"] is True

    default = api.ok(api.get(CN))
    assert len(default["data"]) == 10 and default["has_more"] is True


def test_filters(emu: Emulator, api: Api) -> None:
    emu.set_time(T0)
    first_customer = emu.seed_customer()
    a = emu.seed_invoice(lines=[1000], customer=first_customer)
    b = emu.seed_invoice(lines=[1000])
    ids: dict[str, list[str]] = {a.id: [], b.id: []}
    for step in range(6):
        emu.advance_time(10)
        target = a.id if step % 2 == 0 else b.id
        ids[target].append(api.ok(api.post(CN, {"invoice": target, "amount": 10}))["id"])

    def listed(params: dict[str, Any]) -> list[str]:
        return [n["id"] for n in api.ok(api.get(CN, {"limit": 100, **params}))["data"]]

    assert listed({"invoice": a.id}) == ids[a.id][::-1]
    assert listed({"customer": first_customer}) == ids[a.id][::-1]
    assert listed({"customer": b.customer}) == ids[b.id][::-1]
    assert listed({"invoice": "in_unknown"}) == []
    assert listed({"customer_account": "acct_x"}) == []
    # Notes were created at T0+10 .. T0+60.
    assert len(listed({"created[gte]": T0 + 20, "created[lt]": T0 + 50})) == 3
    assert len(listed({"created[gt]": T0 + 20, "created[lte]": T0 + 50})) == 3
    assert len(listed({"created": T0 + 30})) == 1
    assert listed({"created[gt]": T0 + 60}) == []
    # Filters combine with pagination.
    page = api.ok(api.get(CN, {"invoice": a.id, "limit": 2}))
    assert page["has_more"] is True
    rest = api.ok(
        api.get(CN, {"invoice": a.id, "limit": 2, "starting_after": page["data"][-1]["id"]})
    )
    assert [n["id"] for n in page["data"] + rest["data"]] == ids[a.id][::-1]
    assert rest["has_more"] is False


def test_expand_on_retrieve_create_and_list(emu: Emulator, api: Api) -> None:
    customer = emu.seed_customer(balance=-25)
    invoice = emu.seed_invoice(lines=[1000], customer=customer)
    note = api.ok(api.post(CN, {"invoice": invoice.id, "amount": 100, "expand[0]": "invoice"}))
    assert note["invoice"]["object"] == "invoice"
    assert note["invoice"]["amount_remaining"] == 900
    got = api.ok(
        api.get(f"{CN}/{note['id']}", {"expand[0]": "customer", "expand[1]": "invoice.customer"})
    )
    assert got["customer"]["balance"] == -25
    assert got["invoice"]["customer"]["id"] == customer
    listed = api.ok(api.get(CN, {"expand[]": "data.invoice"}))
    assert listed["data"][0]["invoice"]["id"] == invoice.id
    plain = api.ok(api.get(CN))
    assert plain["data"][0]["invoice"] == invoice.id


@pytest.mark.parametrize(
    ("path", "params", "needle"),
    [
        (CN, {"expand[0]": "invoice"}, "data.invoice"),
        (CN, {"expand[0]": "data.lines"}, "data.lines"),
        (f"{CN}/{{id}}", {"expand[0]": "pdf"}, "pdf"),
        (f"{CN}/{{id}}", {"expand[0]": "refund"}, "refund"),
    ],
)
def test_unexpandable_paths_are_refused(
    emu: Emulator, api: Api, path: str, params: dict[str, str], needle: str
) -> None:
    invoice = emu.seed_invoice(lines=[1000])
    note = api.ok(api.post(CN, {"invoice": invoice.id, "amount": 100}))
    err = api.error(api.get(path.format(id=note["id"]), params))
    assert err["param"] == "expand"
    assert needle in err["message"]


def test_refund_expands_by_version(emu: Emulator, api: Api) -> None:
    invoice = emu.seed_invoice(lines=[1000], paid=True)
    note = api.ok(api.post(CN, {"invoice": invoice.id, "amount": 100, "refund_amount": 100}))
    new = api.ok(api.get(f"{CN}/{note['id']}", {"expand[0]": "refunds.refund"}))
    assert new["refunds"][0]["refund"]["object"] == "refund"
    old = api.ok(api.get(f"{CN}/{note['id']}", {"expand[0]": "refund"}, version=MID))
    assert old["refund"]["amount"] == 100
