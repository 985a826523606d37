"""The parser of response bodies (``_json``): orjson with the ``speedups`` extra, else ``json``.

Both give the same value and the same error for every body: whatever orjson refuses is parsed
again by ``json.loads``. The one documented difference is an integer beyond 64 bits, which
orjson reads as a float (Stripe sends none: its integers are 64-bit).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest

from stripe_credit_notes import _json, errors, from_dict
from stripe_credit_notes import models as m

from .conftest import NEWEST_FIXTURE, load_fixture

BODIES = [
    b'{"amount": 1690, "memo": null, "metadata": {}, "lines": [1, 2.5, "x", true]}',
    b'{"a": 1, "a": 2}',  # the last duplicate wins
    b"[NaN, Infinity, -Infinity]",  # not JSON, but json.loads reads it
    b"1e400",  # a float that overflows: inf
    b"18446744073709551615",  # the largest integer orjson keeps
    b"-0.0",
    b'"\\ud800"',  # an escaped lone surrogate
    '{"a": "\u00e9"}'.encode("utf-16"),  # json.loads detects UTF-16 and UTF-32
    '{"a": "\u00e9"}'.encode("utf-32-le"),
    b'\xef\xbb\xbf{"a": 1}',  # a UTF-8 byte order mark
    b'{"a": "\\u00e9\\n"}',
    "\ufeff[1]",  # a str with a byte order mark: refused
    '"\udc00"',  # a str holding a lone surrogate
    b"",
    b"   ",
    b"not json",
    b'{"error": {"type": "api_err',
    b'{"a": 1,}',
    b"[1] [2]",
    b"01",
    b'"\x01"',  # a raw control character in a string
    b"\xff\xfe\xfd",  # not UTF-8 (nor 16, nor 32)
    b'{"a": "\xc3\x28"}',
    b"[" * 2_000 + b"]" * 2_000,  # deeper than orjson's limit and the interpreter's
    b"[" * 100_000 + b"]" * 100_000,
]


def outcome(loads: Any, body: bytes | str) -> tuple[str, ...]:
    try:
        value = loads(body)
    except RecursionError:
        return ("RecursionError",)
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError
        return (type(exc).__name__, str(exc))
    return ("ok", repr(value), type(value).__name__)


@pytest.mark.parametrize("body", BODIES, ids=lambda b: repr(b)[:30])
def test_each_parser_gives_what_json_loads_gives(json_backend: str, body: bytes | str) -> None:
    assert outcome(_json.loads, body) == outcome(json.loads, body)


def test_a_json_decode_error_is_the_standard_librarys(json_backend: str) -> None:
    with pytest.raises(json.JSONDecodeError) as info:
        _json.loads(b'{"amount": }')
    assert type(info.value) is json.JSONDecodeError
    assert (info.value.msg, info.value.pos) == ("Expecting value", 11)


def test_a_page_decodes_to_the_same_models(json_backend: str) -> None:
    note = load_fixture(NEWEST_FIXTURE)["credit_note"]
    page = {"object": "list", "data": [note, note], "has_more": False, "url": "/v1/credit_notes"}
    body = json.dumps(page).encode()
    assert from_dict(m.CreditNoteList, _json.loads(body)) == from_dict(
        m.CreditNoteList, json.loads(body)
    )


def test_an_integer_beyond_64_bits_is_a_float_under_orjson_only(json_backend: str) -> None:
    big = 2**64
    value = _json.loads(str(big).encode())
    if json_backend == "orjson":  # documented: docs/performance.md, "The speedups extra"
        assert type(value) is float and value == float(big)
    else:
        assert type(value) is int and value == big
    note = load_fixture(NEWEST_FIXTURE)["credit_note"]
    body = json.dumps({**note, "amount": big}).encode()
    if json_backend == "orjson":  # a typed field refuses it, as any float, naming the field
        with pytest.raises(errors.MalformedResponseError, match=r"^amount: expected an integer"):
            from_dict(m.CreditNote, _json.loads(body))
    else:
        assert from_dict(m.CreditNote, _json.loads(body)).amount == big


# -- the choice, made at import time -----------------------------------------------------------


def backend_in_a_fresh_interpreter(env_value: str | None, *, hide_orjson: bool = False) -> str:
    env = {k: v for k, v in os.environ.items() if k != _json.ENV_NO_SPEEDUPS}
    if env_value is not None:
        env[_json.ENV_NO_SPEEDUPS] = env_value
    hide = "import sys; sys.modules['orjson'] = None; " if hide_orjson else ""
    code = f"{hide}from stripe_credit_notes import _json; print(_json.BACKEND, _json.loads(b'[1]'))"
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return done.stdout.strip()


def test_orjson_is_chosen_when_it_is_installed() -> None:
    pytest.importorskip("orjson")
    assert backend_in_a_fresh_interpreter(None) == "orjson [1]"
    assert backend_in_a_fresh_interpreter("0") == "orjson [1]"
    assert backend_in_a_fresh_interpreter("") == "orjson [1]"


def test_the_environment_variable_forces_the_standard_library() -> None:
    assert backend_in_a_fresh_interpreter("1") == "json [1]"
    assert backend_in_a_fresh_interpreter("yes") == "json [1]"


def test_without_orjson_the_standard_library_parses() -> None:
    assert backend_in_a_fresh_interpreter(None, hide_orjson=True) == "json [1]"


def test_importing_the_package_does_not_import_a_parser() -> None:
    code = "import sys, stripe_credit_notes; print('orjson' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.split() == ["False"]
