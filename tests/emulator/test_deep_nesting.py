"""Deep nesting in a request body or query is a Stripe-shaped 400, not a dropped connection."""

from __future__ import annotations

import pytest

from stripe_credit_notes.emulator import Emulator
from stripe_credit_notes.emulator._forms import MAX_DEPTH, FormError, parse_form

from .test_protocol_errors import AUTH, _assert_stripe_error, _reply


def _json_post(path: bytes, body: bytes) -> bytes:
    return (
        b"POST " + path + b" HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Connection: close\r\nContent-Length: %d\r\n\r\n" % len(body) + body
    )


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b'{"metadata": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", id="arrays"),
        pytest.param(b'{"metadata": ' + b'{"a": ' * 600 + b"1" + b"}" * 601, id="objects"),
        pytest.param(b'{"lines": [' + b"[" * 40 + b"1" + b"]" * 41 + b"}", id="lines"),
    ],
)
def test_deep_json_on_setup_routes_is_a_400(emu: Emulator, body: bytes) -> None:
    message = _assert_stripe_error(emu, _json_post(b"/_emulator/invoices", body), 400)
    assert "deep" in message
    assert emu.store.invoices == {}


def _form_request(method: bytes, path: bytes, body: bytes = b"") -> bytes:
    return (
        method + b" " + path + b" HTTP/1.1\r\nHost: x\r\n" + AUTH + b"Connection: close\r\n"
        b"Content-Length: %d\r\n\r\n" % len(body) + body
    )


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(_form_request(b"GET", b"/_emulator/health?a" + b"[b]" * 5000 + b"=1"), id="q"),
        pytest.param(
            _form_request(b"POST", b"/_emulator/customers", b"name" + b"[b]" * 5000 + b"=1"),
            id="setup form body",
        ),
        pytest.param(
            _form_request(
                b"POST", b"/v1/credit_notes", b"invoice=in_x&m" + b"[b]" * 20_000 + b"=1"
            ),
            id="stripe form body",
        ),
        pytest.param(
            _form_request(b"GET", b"/v1/credit_notes?lines" + b"[0]" * 5000 + b"=1"),
            id="stripe query",
        ),
    ],
)
def test_deep_brackets_are_a_400(emu: Emulator, raw: bytes) -> None:
    code, headers, body = _reply(emu, raw)
    assert code == 400, body
    assert headers["content-type"] == "application/json"
    assert "deep" in body["error"]["message"]
    assert len(body["error"].get("param", "")) < 200


def test_the_form_depth_limit_is_exact() -> None:
    at_limit = "a" + "[b]" * (MAX_DEPTH - 1)
    tree: object = parse_form(f"{at_limit}=1")
    for _ in range(MAX_DEPTH):
        assert isinstance(tree, dict)
        tree = tree["a" if "a" in tree else "b"]
    assert tree == "1"
    with pytest.raises(FormError, match="nested too deeply"):
        parse_form(f"{at_limit}[b]=1")
