"""Stripe's form encoding: exact cases, errors, and stripe-python 16.1.0 as an oracle."""

from __future__ import annotations

import datetime
import enum
from collections.abc import Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stripe._encode import _api_encode
from stripe._util import sanitize_id

from stripe_credit_notes import _encoding
from stripe_credit_notes._encoding import (
    MAX_DEPTH,
    MAX_PAIRS,
    encode_body,
    encode_params,
    encode_query,
    quote_path_id,
)
from stripe_credit_notes.params import CreditNoteCreateParams


def official_pairs(params: Mapping[str, Any]) -> list[tuple[str, str]]:
    """stripe-python's pairs, values stringified the way its urlencode() call does."""
    return [(key, str(value)) for key, value in _api_encode(params)]


def official_query(params: Mapping[str, Any]) -> str:
    """The exact string stripe-python 16.1.0 sends (``_api_requestor`` request building)."""
    return urlencode(list(_api_encode(params))).replace("%5B", "[").replace("%5D", "]")


def official_path_id(value: str) -> str:
    """How stripe-python escapes an id in a path (``quote_plus``)."""
    return str(sanitize_id(value))  # type: ignore[no-untyped-call]


class Reason(str, enum.Enum):
    DUPLICATE = "duplicate"


class Count(int, enum.Enum):
    TWO = 2


# --------------------------------------------------------------------------- exact pairs

PAIR_CASES: list[tuple[str, Mapping[str, Any], list[tuple[str, str]]]] = [
    ("flat str", {"invoice": "in_1"}, [("invoice", "in_1")]),
    ("nested dict", {"metadata": {"order": 42}}, [("metadata[order]", "42")]),
    (
        "shipping_cost",
        {"shipping_cost": {"shipping_rate": "shr_1"}},
        [("shipping_cost[shipping_rate]", "shr_1")],
    ),
    ("range query", {"created": {"gte": 1700000000}}, [("created[gte]", "1700000000")]),
    (
        "expand",
        {"expand": ["lines", "invoice"]},
        [("expand[0]", "lines"), ("expand[1]", "invoice")],
    ),
    (
        "lines with nested tax_amounts",
        {
            "lines": [
                {
                    "type": "invoice_line_item",
                    "tax_amounts": [
                        {"amount": 3, "tax_rate": "txr_1", "taxable_amount": 10},
                        {"amount": 5},
                    ],
                }
            ]
        },
        [
            ("lines[0][type]", "invoice_line_item"),
            ("lines[0][tax_amounts][0][amount]", "3"),
            ("lines[0][tax_amounts][0][tax_rate]", "txr_1"),
            ("lines[0][tax_amounts][0][taxable_amount]", "10"),
            ("lines[0][tax_amounts][1][amount]", "5"),
        ],
    ),
    ("deep metadata", {"a": {"b": {"c": {"d": "e"}}}}, [("a[b][c][d]", "e")]),
    (
        "list in list",
        {"k": [["x", "y"], ["z"]]},
        [("k[0][0]", "x"), ("k[0][1]", "y"), ("k[1][0]", "z")],
    ),
    # "" is Stripe's unset and is sent as key=
    ("unset metadata", {"metadata": ""}, [("metadata", "")]),
    ("unset one metadata key", {"metadata": {"k": ""}}, [("metadata[k]", "")]),
    ("unset tax_rates", {"lines": [{"tax_rates": ""}]}, [("lines[0][tax_rates]", "")]),
    ("empty str in list", {"k": ["", "a"]}, [("k[0]", ""), ("k[1]", "a")]),
    # None means "not given"
    ("None top level", {"memo": None, "invoice": "in_1"}, [("invoice", "in_1")]),
    ("None nested", {"metadata": {"a": None, "b": "1"}}, [("metadata[b]", "1")]),
    ("None in list keeps indices", {"k": [None, "a", None, "b"]}, [("k[1]", "a"), ("k[3]", "b")]),
    ("only None", {"a": None, "b": {"c": None}}, []),
    # empty containers produce nothing (stripe-python does the same)
    ("empty dict", {"metadata": {}, "x": "1"}, [("x", "1")]),
    ("empty list", {"expand": [], "x": "1"}, [("x", "1")]),
    ("empty dict in list keeps indices", {"lines": [{}, {"a": 1}]}, [("lines[1][a]", "1")]),
    ("empty params", {}, []),
    # scalars
    ("bools", {"a": True, "b": False}, [("a", "true"), ("b", "false")]),
    ("nested bool", {"m": {"x": True}}, [("m[x]", "true")]),
    ("bool in list", {"k": [True, False]}, [("k[0]", "true"), ("k[1]", "false")]),
    ("ints", {"a": 0, "b": -5, "c": 10**20}, [("a", "0"), ("b", "-5"), ("c", "1" + "0" * 20)]),
    ("decimal plain", {"d": Decimal("500.00")}, [("d", "500.00")]),
    ("decimal tiny", {"d": Decimal("1E-7")}, [("d", "0.0000001")]),
    ("decimal positive exponent", {"d": Decimal("1E+2")}, [("d", "100")]),
    ("decimal zero with exponent", {"d": Decimal("0E-8")}, [("d", "0.00000000")]),
    ("decimal negative", {"d": Decimal("-12.345")}, [("d", "-12.345")]),
    ("decimal negative zero", {"d": Decimal("-0")}, [("d", "-0")]),
    ("decimal in list", {"k": [Decimal("2.5E-3")]}, [("k[0]", "0.0025")]),
    # subclasses and other containers
    ("str enum sends its value", {"reason": Reason.DUPLICATE}, [("reason", "duplicate")]),
    ("int enum sends digits", {"quantity": Count.TWO}, [("quantity", "2")]),
    ("tuple is a list", {"expand": ("a", "b")}, [("expand[0]", "a"), ("expand[1]", "b")]),
    ("any Mapping is a dict", {"m": MappingProxyType({"k": "v"})}, [("m[k]", "v")]),
    ("top-level Mapping", MappingProxyType({"k": "v"}), [("k", "v")]),
    # insertion order, never sorted
    (
        "insertion order",
        {"z": 1, "a": {"y": 2, "b": 3}, "m": [4]},
        [("z", "1"), ("a[y]", "2"), ("a[b]", "3"), ("m[0]", "4")],
    ),
    # keys are not interpreted: pre-bracketed keys go out as given
    ("pre-bracketed key", {"metadata[order]": "42"}, [("metadata[order]", "42")]),
    ("empty key", {"": "v", "m": {"": "w"}}, [("", "v"), ("m[]", "w")]),
    ("empty top-level key with children", {"": {"a": "1"}}, [("[a]", "1")]),
    ("unicode", {"métadonnées": {"clé": "日本語 ☃"}}, [("métadonnées[clé]", "日本語 ☃")]),
]


@pytest.mark.parametrize(
    ("params", "expected"), [c[1:] for c in PAIR_CASES], ids=[c[0] for c in PAIR_CASES]
)
def test_encode_params_exact(params: Mapping[str, Any], expected: list[tuple[str, str]]) -> None:
    assert encode_params(params) == expected


def test_accepts_the_generated_typed_dicts() -> None:
    params: CreditNoteCreateParams = {
        "invoice": "in_1",
        "lines": [{"type": "custom_line_item", "unit_amount_decimal": Decimal("0.5")}],
        "metadata": "",
    }
    assert encode_query(params) == (
        "invoice=in_1&lines[0][type]=custom_line_item&lines[0][unit_amount_decimal]=0.5&metadata="
    )


# --------------------------------------------------------------------------- exact wire bytes

QUERY_CASES: list[tuple[str, dict[str, Any], str]] = [
    ("brackets stay literal", {"lines": [{"amount": 5}]}, "lines[0][amount]=5"),
    ("several pairs", {"a": "1", "b": {"c": True}}, "a=1&b[c]=true"),
    ("unset", {"metadata": ""}, "metadata="),
    ("ampersand", {"memo": "a&b"}, "memo=a%26b"),
    ("equals", {"memo": "a=b"}, "memo=a%3Db"),
    ("plus", {"memo": "a+b"}, "memo=a%2Bb"),
    ("space", {"memo": "a b"}, "memo=a+b"),
    ("percent", {"memo": "100%"}, "memo=100%25"),
    ("percent escape lookalike", {"memo": "%5B%5d"}, "memo=%255B%255d"),
    ("brackets in a value", {"memo": "[x]"}, "memo=[x]"),
    ("unreserved", {"memo": "a-b_c.d~e"}, "memo=a-b_c.d~e"),
    ("slash question hash", {"memo": "/?#"}, "memo=%2F%3F%23"),
    ("quotes, star, comma", {"memo": "'\"*,;"}, "memo=%27%22%2A%2C%3B"),
    ("newline, tab, NUL", {"memo": "\n\t\x00"}, "memo=%0A%09%00"),
    ("unicode as UTF-8", {"memo": "é☃"}, "memo=%C3%A9%E2%98%83"),
    ("astral", {"memo": "😀"}, "memo=%F0%9F%98%80"),
    ("reserved in keys", {"metadata": {"a b&c=d+%": "v"}}, "metadata[a+b%26c%3Dd%2B%25]=v"),
    ("unicode key", {"metadata": {"clé": "v"}}, "metadata[cl%C3%A9]=v"),
    ("empty", {}, ""),
]


@pytest.mark.parametrize(
    ("params", "expected"), [c[1:] for c in QUERY_CASES], ids=[c[0] for c in QUERY_CASES]
)
def test_encode_query_exact(params: Mapping[str, Any], expected: str) -> None:
    assert encode_query(params) == expected
    assert encode_body(params) == expected.encode("ascii")
    # Every one of these cases is inside the documented common ground with stripe-python.
    assert encode_query(params) == official_query(params)


def test_query_is_repeatable_with_cached_keys() -> None:
    params = {"lines": [{"amount": 5, "metadata": {"a b": "c"}}]}
    assert encode_query(params) == encode_query(params) == official_query(params)


def test_key_cache_stays_bounded() -> None:
    for i in range(_encoding._KEY_CACHE_SIZE + 10):
        encode_query({f"k{i}": "v"})
    assert 0 < len(_encoding._KEY_CACHE) <= _encoding._KEY_CACHE_SIZE
    assert encode_query({"k0 ": "v"}) == "k0+=v"


# --------------------------------------------------------------------------- rejections

TYPE_ERRORS: list[tuple[str, dict[str, Any], str]] = [
    ("float top", {"amount": 1.5}, "amount"),
    ("float int-valued", {"amount": 100.0}, "amount"),
    ("float nested", {"lines": [{"unit_amount": 9.99}]}, "lines[0][unit_amount]"),
    ("float nan", {"x": {"y": float("nan")}}, "x[y]"),
    ("float inf", {"x": [float("inf")]}, "x[0]"),
    ("bytes", {"memo": b"abc"}, "memo"),
    ("bytearray", {"m": {"k": bytearray(b"a")}}, "m[k]"),
    ("set", {"expand": {"lines"}}, "expand"),
    (
        "frozenset deep",
        {"lines": [{}, {"tax_amounts": [{"x": frozenset()}]}]},
        "lines[1][tax_amounts][0][x]",
    ),
    (
        "object",
        {"lines": [{"tax_amounts": [{}, {"amount": object()}]}]},
        "lines[0][tax_amounts][1][amount]",
    ),
    ("datetime", {"created": {"gte": datetime.datetime(2024, 1, 1)}}, "created[gte]"),
    ("complex", {"c": 1j}, "c"),
    ("non-str key", {"metadata": {1: "a"}}, "metadata"),
]


@pytest.mark.parametrize(
    ("params", "key"), [c[1:] for c in TYPE_ERRORS], ids=[c[0] for c in TYPE_ERRORS]
)
def test_unsupported_types_raise_type_error_naming_the_key(
    params: dict[str, Any], key: str
) -> None:
    with pytest.raises(TypeError) as info:
        encode_params(params)
    assert str(info.value).startswith(key + ":")


def test_non_str_top_level_key() -> None:
    with pytest.raises(TypeError, match="top level: parameter names must be str"):
        encode_params({None: "a"})  # type: ignore[dict-item]


@pytest.mark.parametrize(
    "bad", ["NaN", "-NaN", "sNaN", "Infinity", "-Infinity", "1E+1001", "1E-1001"]
)
def test_unusable_decimals_raise_value_error_naming_the_key(bad: str) -> None:
    with pytest.raises(ValueError) as info:
        encode_params({"lines": [{"unit_amount_decimal": Decimal(bad)}]})
    assert str(info.value).startswith("lines[0][unit_amount_decimal]:")


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"metadata": {"k": "a\ud800"}}, "metadata[k]: value has no UTF-8 form"),
        ({"metadata": {"\udc00": "a"}}, "metadata[\\udc00]: name has no UTF-8 form"),
    ],
)
def test_lone_surrogates_raise_value_error_naming_the_key(
    params: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError) as info:
        encode_body(params)
    assert str(info.value).startswith(message)


def nested(depth: int, leaf: Any = "x") -> dict[str, Any]:
    value: Any = leaf
    for level in range(depth):
        value = {"k": value} if level % 2 else [value]
    return {"metadata": value}


def cyclic_dict() -> dict[str, Any]:
    inner: dict[str, Any] = {}
    inner["self"] = inner
    return {"metadata": inner}


def cyclic_list() -> dict[str, Any]:
    inner: list[Any] = []
    inner.append(inner)
    return {"lines": inner}


@pytest.mark.parametrize(
    ("params", "key"),
    [
        (nested(1_000), "metadata[k][0]"),
        (nested(100_000), "metadata[k][0]"),
        (cyclic_dict(), "metadata[self][self]"),
        (cyclic_list(), "lines[0][0]"),
    ],
    ids=["1,000 deep", "100,000 deep", "dict in itself", "list in itself"],
)
def test_deep_or_cyclic_nesting_is_a_value_error_naming_the_key(
    params: dict[str, Any], key: str
) -> None:
    # Before: RecursionError from the interpreter (or, 100,000 deep, a crash risk).
    with pytest.raises(ValueError, match="nested deeper than 20 levels") as info:
        encode_body(params)
    assert str(info.value).startswith(key)
    assert len(str(info.value)) < 400  # the key is cut, not 20,000 characters of brackets


def test_nesting_up_to_the_bound_still_encodes() -> None:
    [(key, value)] = encode_params(nested(MAX_DEPTH))
    assert key.count("[") == MAX_DEPTH and value == "x"


@pytest.mark.parametrize(
    "params",
    [
        {"lines": list(range(MAX_PAIRS + 1))},
        {"metadata": {str(i): "v" for i in range(MAX_PAIRS + 1)}},
        {"lines": [{"a": 1, "b": 2} for _ in range(MAX_PAIRS // 2 + 1)]},
        {"a": list(range(MAX_PAIRS // 2 + 1)), "b": list(range(MAX_PAIRS // 2 + 1))},
    ],
    ids=["one flat list", "one flat dict", "many small dicts", "two lists"],
)
def test_more_pairs_than_the_bound_is_a_value_error(params: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=f"more than {MAX_PAIRS} parameter values"):
        encode_body(params)


def test_exactly_the_bound_of_pairs_encodes() -> None:
    assert len(encode_params({"lines": list(range(MAX_PAIRS))})) == MAX_PAIRS


def test_decimal_range_limit_is_inclusive() -> None:
    assert encode_params({"d": Decimal("1E+1000")}) == [("d", "1" + "0" * 1000)]
    assert encode_params({"d": Decimal("1E-1000")}) == [("d", "0." + "0" * 999 + "1")]


# --------------------------------------------------------------------------- deliberate differences


def test_documented_differences_from_stripe_python() -> None:
    # A bool directly inside a list: stripe-python sends Python's "True".
    assert official_query({"k": [True]}) == "k[0]=True"
    assert encode_query({"k": [True]}) == "k[0]=true"
    # None directly inside a list: stripe-python sends the text "None".
    assert official_query({"k": ["a", None]}) == "k[0]=a&k[1]=None"
    assert encode_query({"k": ["a", None]}) == "k[0]=a"
    # Decimal: stripe-python sends str(), which uses exponent form for these.
    assert official_query({"d": Decimal("1E-7")}) == "d=1E-7"
    assert encode_query({"d": Decimal("1E-7")}) == "d=0.0000001"
    # Floats and objects with an id: stripe-python sends them, we refuse.
    assert official_query({"a": 1.5}) == "a=1.5"
    with pytest.raises(TypeError):
        encode_query({"a": 1.5})

    class WithId:
        id = "cn_1"

    assert official_query({"o": WithId()}) == "o=cn_1"
    with pytest.raises(TypeError):
        encode_query({"o": WithId()})


def test_empty_containers_match_stripe_python() -> None:
    params: dict[str, Any] = {"metadata": {}, "expand": [], "lines": [{}, {"tax_rates": []}]}
    assert encode_query(params) == official_query(params) == ""


# --------------------------------------------------------------------------- property-based

keys = st.text(max_size=8)
decimals = st.one_of(
    st.decimals(allow_nan=False, allow_infinity=False, min_value=-(10**15), max_value=10**15),
    st.decimals(allow_nan=False, allow_infinity=False, places=12),
    st.builds(
        lambda digits, exponent: Decimal(f"{digits}E{exponent}"),
        st.integers(-(10**6), 10**6),
        st.integers(-40, 40),
    ),
)
# Values whose str() has no exponent (exponent <= 0, adjusted exponent >= -6).
plain_decimals = st.builds(
    lambda digits, places: Decimal(digits).scaleb(-places),
    st.integers(-(10**15), 10**15),
    st.integers(0, 6),
)
leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.text(max_size=10),  # includes "" (unset), reserved characters, unicode
    decimals,
)


def params_strategy(
    leaves: st.SearchStrategy[Any],
    list_leaves: st.SearchStrategy[Any],
    keys: st.SearchStrategy[str] = keys,
) -> st.SearchStrategy[dict[str, Any]]:
    """Nested params: dicts of ``leaves``, lists of ``list_leaves``, dicts and lists."""

    def containers(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        dicts = st.dictionaries(keys, children, max_size=4)
        return st.one_of(
            dicts, st.lists(st.one_of(list_leaves, dicts, st.lists(children)), max_size=4)
        )

    return st.dictionaries(keys, st.recursive(leaves, containers, max_leaves=20), max_size=6)


param_dicts = params_strategy(leaves, leaves)
# The documented deviations from stripe-python never apply here (no exponent-form Decimal, no
# None or bool as a direct list element), so its output must match with no rewriting at all.
# (None and bools in a list nested in a list are fine: stripe-python encodes those as dicts.)
common_ground = params_strategy(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=10), plain_decimals),
    st.one_of(st.integers(), st.text(max_size=10), plain_decimals),
)


def as_stripe_python_input(value: Any) -> Any:
    """Rewrite params so stripe-python's encoder expresses our documented deviations.

    * a Decimal whose str() uses exponent form becomes its fixed-point string;
    * a list holding None or a bool directly becomes a dict of index -> element without the
      Nones: stripe-python encodes dict entries as ``key[index]``, skips None there and
      lowercases bools there, which is exactly our list behaviour.
    Everything else is passed through unchanged, so it exercises stripe-python's own paths.
    """
    if isinstance(value, Decimal):
        text = str(value)
        return format(value, "f") if "E" in text else value
    if isinstance(value, dict):
        return {k: as_stripe_python_input(v) for k, v in value.items()}
    if isinstance(value, list):
        items = [as_stripe_python_input(v) for v in value]
        if any(v is None or isinstance(v, bool) for v in value):
            return {i: v for i, v in enumerate(items) if v is not None}
        return items
    return value


@settings(max_examples=150)
@given(param_dicts)
def test_byte_identical_to_stripe_python(params: dict[str, Any]) -> None:
    expected_input = as_stripe_python_input(params)
    assert encode_params(params) == official_pairs(expected_input)
    assert encode_query(params) == official_query(expected_input)
    assert encode_body(params) == official_query(expected_input).encode("ascii")


@given(common_ground)
def test_identical_without_rewriting_on_common_ground(params: dict[str, Any]) -> None:
    assert encode_params(params) == official_pairs(params)
    assert encode_query(params) == official_query(params)


@given(decimals)
def test_decimals_are_fixed_point_and_exact(value: Decimal) -> None:
    [(_, text)] = encode_params({"d": value})
    assert "E" not in text and "e" not in text
    assert Decimal(text) == value
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    # Trailing zeros are significant to Decimal and kept (500.00 stays 500.00).
    assert Decimal(text).as_tuple().exponent == min(exponent, 0)


# Decoding the wire form back. Keys without brackets so the bracket path is unambiguous.
plain_keys = st.text(st.characters(codec="utf-8", exclude_characters="[]"), max_size=8)
plain_params = params_strategy(leaves, leaves, plain_keys)


def expected_tree(value: Any) -> Any:
    """What the wire should carry: leaves as text, lists as index -> element, nothing empty."""
    if isinstance(value, (dict, list)):
        items = value.items() if isinstance(value, dict) else enumerate(value)
        tree = {str(k): expected_tree(v) for k, v in items if v is not None}
        return {k: v for k, v in tree.items() if v != {}}
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def parse_tree(query: str) -> dict[str, Any]:
    """Test-only decoder: ``a[b][0]=v`` pairs back into nested dicts."""
    tree: dict[str, Any] = {}
    for key, text in parse_qsl(query, keep_blank_values=True, strict_parsing=bool(query)):
        head, _, rest = key.partition("[")
        path = [head] + (rest[:-1].split("][") if rest else [])
        node = tree
        for part in path[:-1]:
            node = node.setdefault(part, {})
        assert path[-1] not in node, f"duplicate key {key!r}"
        node[path[-1]] = text
    return tree


@given(plain_params)
def test_query_decodes_back_to_the_leaf_values(params: dict[str, Any]) -> None:
    query = encode_query(params)
    assert parse_qsl(query, keep_blank_values=True) == encode_params(params)
    assert parse_tree(query) == expected_tree(params)


# --------------------------------------------------------------------------- path ids


@pytest.mark.parametrize(
    "value",
    ["cn_1Pgc75B7WZ01zgkWJMPt5riP", "in_1", "il_tmp_1a2b", "cn.1", "...", "a-b~c", "0"],
)
def test_ordinary_ids_pass_through_unchanged(value: str) -> None:
    assert quote_path_id(value, name="id") == value


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("a?b", "a%3Fb"),
        ("a#b", "a%23b"),
        ("a%2Fb", "a%252Fb"),
        ("%2E%2E", "%252E%252E"),
        ("a[0]", "a%5B0%5D"),
        ("a+b&c=d", "a%2Bb%26c%3Dd"),
        ("a\\b", "a%5Cb"),
        ("é", "%C3%A9"),
    ],
)
def test_other_characters_are_percent_escaped(value: str, expected: str) -> None:
    assert quote_path_id(value, name="id") == expected


@pytest.mark.parametrize(
    "value",
    [
        "",
        ".",
        "..",
        "/",
        "cn_1/void",
        "../cn_1",
        "cn 1",
        " cn_1",
        "cn_1\n",
        "cn\t1",
        "cn\r1",
        "cn\x00",
        "cn\x1f",
        "cn\x7f",
        "cn\x85",  # C1 control (NEL)
        "cn\u00a0",  # no-break space
        "cn\u2028",  # line separator
        "cn\u3000",  # ideographic space
        "cn\u200b",  # zero-width space (format character)
        "cn\u202e",  # right-to-left override
        "cn\ud800",  # lone surrogate
    ],
)
def test_unsafe_ids_are_refused_naming_the_parameter(value: str) -> None:
    with pytest.raises(ValueError, match=r"^credit_note_id must not"):
        quote_path_id(value, name="credit_note_id")


@pytest.mark.parametrize("value", [None, b"cn_1", 1])
def test_non_str_ids_are_refused(value: Any) -> None:
    with pytest.raises(TypeError, match=r"^credit_note_id must be a str"):
        quote_path_id(value, name="credit_note_id")


def test_str_subclass_ids() -> None:
    class Id(str, enum.Enum):
        A = "cn_1"

    assert quote_path_id(Id.A, name="id") == "cn_1"


@given(st.text(max_size=20))
def test_path_ids_escape_like_quote_and_round_trip(value: str) -> None:
    try:
        quoted = quote_path_id(value, name="id")
    except ValueError:
        assert value in ("", ".", "..") or "/" in value or not value.isprintable() or " " in value
        return
    assert quoted == quote(value, safe="") == official_path_id(value)
    assert unquote(quoted) == value
    assert "/" not in quoted and quoted not in (".", "..")
