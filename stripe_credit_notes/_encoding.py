"""Stripe's form encoding of request parameters (POST bodies and GET query strings alike).

Stripe's v1 API takes ``application/x-www-form-urlencoded`` pairs whose keys spell out the
nesting of the parameters (OpenAPI ``style: deepObject, explode: true``)::

    {"metadata": {"order": 42}}            ->  metadata[order]=42
    {"lines": [{"type": "custom_line_item",
                "tax_amounts": [{...}, {"amount": 5}]}]}
                                           ->  lines[0][type]=custom_line_item
                                               lines[0][tax_amounts][1][amount]=5
    {"expand": ["lines"]}                  ->  expand[0]=lines

Rules, and why:

* ``None`` anywhere means "not given" and produces nothing. Inside a list it is skipped
  *without renumbering* the elements after it: index ``i`` on the wire is always the caller's
  ``params[...][i]``, so a Stripe error about ``lines[2][amount]`` points at ``lines[2]`` of the
  caller's list. (stripe-python does the same for list elements that encode to nothing, e.g.
  ``{}``, and for ``None`` inside nested lists.)
* ``""`` is sent as ``key=``: Stripe's "unset" (``metadata=``, ``metadata[k]=``,
  ``lines[0][tax_rates]=``).
* An empty dict or list produces **nothing**, like ``None``; it does *not* mean "unset". This
  is what stripe-python 16 does (``_api_encode`` yields no pair for them), and it is also what
  the OpenAPI deepObject rules give (an exploded empty object has no members to send). Stripe's
  spec marks the parameters that accept an unset with an explicit ``""`` alternative
  (``anyOf: [array, enum [""]]`` for ``tax_rates``/``tax_amounts``; the params types spell it
  ``Literal[""]``); parameters without it, such as ``expand``, are not documented to take an
  empty value. Turning ``[]``/``{}`` into ``key=`` would therefore send an unset to parameters
  that do not accept one; callers who mean "unset" pass ``""``.
* ``bool`` is ``true``/``false`` everywhere, list elements included. (stripe-python sends
  Python's ``True``/``False`` for a bool that is a direct list element, not Stripe's documented
  boolean form; no credit-note parameter is a list of booleans, so this is about consistency.)
  Likewise a ``None`` directly in a list is skipped, where stripe-python sends the text ``None``.
* ``int`` is decimal digits. ``Decimal`` is plain fixed-point, never exponent form
  (``Decimal("1E-7")`` -> ``0.0000001``, ``Decimal("500.00")`` -> ``500.00``), because Stripe's
  ``*_decimal`` parameters are decimal strings; stripe-python sends ``str(d)``, which is
  ``1E-7`` for that value. NaN/infinity, and Decimals whose fixed-point form would be absurdly
  long (adjusted exponent beyond +-1000; formatting ``1E+999999999`` would allocate a gigabyte),
  raise ``ValueError`` naming the key.
* ``float`` is rejected with ``TypeError``. Stripe's amounts are integers of the smallest
  currency unit and its decimal parameters are typed ``Decimal`` here; a float is almost always
  a bug (``0.1 + 0.2``, ``19.99`` meant as cents) and ``str(1e-07)`` is exponent form anyway.
  Pass an ``int`` or a ``Decimal`` (``Decimal(str(x))`` if a float is truly the source).
* Anything else (bytes, sets, datetimes, arbitrary objects) is rejected with ``TypeError``
  naming the full bracket key. stripe-python would send an object's ``.id`` or a datetime's
  timestamp; the params here are plain data, so such a value is a caller mistake.
* Key order is insertion order, so the output is deterministic.
* Nesting deeper than 20 levels (Stripe's deepest credit-note parameter is 4; a deeper one is
  a mistake or a cycle such as ``d["self"] = d``) and more than 10,000 pairs in all raise
  ``ValueError`` naming the key, instead of a ``RecursionError`` or an unbounded body.

On the wire (:func:`encode_query`, :func:`encode_body`) keys and values are escaped like
``urllib.parse.quote_plus`` (space is ``+``, UTF-8 percent-escapes for the rest) except that
``[`` and ``]`` stay literal: stripe-python percent-encodes and then turns ``%5B``/``%5D`` back
into brackets "for readability", and we produce exactly those bytes (in keys and values).

Speed: this runs on every request. Flattening is one recursive pass dispatching on exact types
(no regular expressions, no reflection); quoting is one linear pass over the pairs with a C-level
"anything to escape?" check, and bracket keys, which repeat across requests, are cached.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Final

__all__ = ["encode_body", "encode_params", "encode_query", "quote_path_id"]

# RFC 3986 unreserved characters: quote()/quote_plus() never escape them.
_UNRESERVED: Final = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~"
# Characters left as-is in form pairs: the unreserved ones plus the brackets (see above).
_SAFE: Final = _UNRESERVED + "[]"
_SAFE_BYTES: Final = _SAFE.encode("ascii")
# Escape table indexed by UTF-8 byte value.
_BYTE_ESCAPES: Final = tuple(
    chr(b) if chr(b) in _SAFE else "+" if b == 0x20 else f"%{b:02X}" for b in range(256)
)
# Path segments: quote(value, safe="") keeps only the unreserved characters (brackets escaped).
_PATH_SAFE_BYTES: Final = _UNRESERVED.encode("ascii")
_PATH_ESCAPES: Final = tuple(chr(b) if chr(b) in _UNRESERVED else f"%{b:02X}" for b in range(256))

# Quoted bracket keys. Single dict operations are atomic, so threads sharing it can at worst
# quote a key twice or clear the cache early; no lock is needed.
_KEY_CACHE: dict[str, str] = {}
_KEY_CACHE_SIZE: Final = 4096

# Beyond this adjusted exponent the fixed-point form of a Decimal gets unreasonably long.
_MAX_DECIMAL_EXPONENT: Final = 1000
# Bounds on the shape of the parameters (see the module docstring).
MAX_DEPTH: Final = 20
MAX_PAIRS: Final = 10_000


def encode_params(params: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Flatten request parameters into Stripe's ``(bracket key, value)`` pairs.

    ``{"lines": [{"tax_amounts": [None, {"amount": 5}]}]}`` gives
    ``[("lines[0][tax_amounts][1][amount]", "5")]``. See the module docstring for the rules
    (``None`` dropped, ``""`` kept as Stripe's unset, empty containers dropped, ``Decimal`` in
    fixed-point form, floats and other types rejected).

    Raises:
        TypeError: a value (or a key) of an unsupported type; the message names the key.
        ValueError: a non-finite or out-of-range ``Decimal``, nesting deeper than
            ``MAX_DEPTH`` or more than ``MAX_PAIRS`` pairs; the message names the key.
    """
    out: list[tuple[str, str]] = []
    _encode_mapping(out, params, None, 0)
    if len(out) > MAX_PAIRS:
        raise _too_many(out[MAX_PAIRS][0])
    return out


def encode_query(params: Mapping[str, Any]) -> str:
    """Encode request parameters as a query string (without the leading ``?``).

    The bytes are the same as stripe-python's: ``quote_plus`` escaping with literal brackets.

    Raises:
        TypeError, ValueError: as :func:`encode_params`; also ``ValueError`` naming the key
            when a key or value holds a lone surrogate, which has no UTF-8 form.
    """
    pairs = encode_params(params)
    cached = _KEY_CACHE.get
    try:
        return "&".join(
            [(cached(key) or _quote_key(key)) + "=" + _quote(value) for key, value in pairs]
        )
    except UnicodeEncodeError as exc:
        # Only here, off the hot path, look for the pair to name in the message.
        raise _name_unencodable(pairs) from exc


def encode_body(params: Mapping[str, Any]) -> bytes:
    """Encode request parameters as an ``application/x-www-form-urlencoded`` body."""
    # The query string is pure ASCII by construction (everything else is percent-escaped).
    return encode_query(params).encode("ascii")


def quote_path_id(value: str, *, name: str) -> str:
    """Escape an object id for use as one URL path segment.

    Ordinary Stripe ids (``cn_1Pgc75B7WZ01zgkWJMPt5riP``) come back unchanged; anything outside
    the unreserved characters is percent-escaped (as ``quote(value, safe="")`` does).

    Raises:
        TypeError: ``value`` is not a ``str``.
        ValueError: ``value`` is empty, ``.`` or ``..``, or contains ``/``, whitespace or
            control/format characters; no request should be sent for such an id. The message
            names the parameter ``name``.
    """
    if type(value) is not str:
        if not isinstance(value, str):
            raise TypeError(f"{name} must be a str, got {type(value).__name__}")
        value = str.__str__(value)
    encoded = value.encode("utf-8", "surrogatepass")
    # Fast path: ids made only of unreserved characters need no escaping and no further checks
    # beyond the dot segments, which a URL resolver would collapse into a different path.
    if value and not encoded.translate(None, _PATH_SAFE_BYTES):
        if value == "." or value == "..":
            raise ValueError(f"{name} must not be {value!r}: it would change the request path")
        return value
    if not value:
        raise ValueError(f"{name} must not be empty: it would change the request path")
    if "/" in value:
        raise ValueError(f"{name} must not contain '/': {value!r}")
    # isprintable() is False for every whitespace character except " " and for all control,
    # format (e.g. bidi overrides), surrogate, private-use and unassigned code points.
    if " " in value or not value.isprintable():
        bad = next(ch for ch in value if ch == " " or not ch.isprintable())
        raise ValueError(
            f"{name} must not contain whitespace or control characters; found {bad!r} in {value!r}"
        )
    return "".join([_PATH_ESCAPES[b] for b in encoded])


def _quote(text: str) -> str:
    """``quote_plus(text, safe="[]")``, faster for the common all-safe case."""
    encoded = text.encode("utf-8")
    # Both checks are C loops; isalnum() on bytes is ASCII-only and the cheapest.
    if encoded.isalnum() or not encoded.translate(None, _SAFE_BYTES):
        return text
    return "".join([_BYTE_ESCAPES[b] for b in encoded])


def _quote_key(key: str) -> str:
    """:func:`_quote` for a bracket key, remembering the result.

    The same few dozen keys (``lines[0][amount]``...) occur in request after request, so a
    dictionary lookup beats re-scanning them. The cache is bounded: it starts over when full.
    """
    quoted = _quote(key)
    if len(_KEY_CACHE) >= _KEY_CACHE_SIZE:
        _KEY_CACHE.clear()
    _KEY_CACHE[key] = quoted
    return quoted


# The two walkers below repeat the same leaf dispatch instead of calling a shared helper: the
# exact-type checks for str/int/bool/dict/list cover nearly every value and avoid a function
# call per leaf; everything rarer goes through _encode_other.


def _encode_mapping(
    out: list[tuple[str, str]], mapping: Mapping[Any, Any], prefix: str | None, depth: int
) -> None:
    # Checked once per container, not per leaf: the leaves are the hot path.
    if depth > MAX_DEPTH:
        raise _too_deep(prefix)
    if len(out) + len(mapping) > MAX_PAIRS:
        raise _too_many(prefix)
    append = out.append
    for key, value in mapping.items():
        if value is None:
            continue
        if type(key) is not str:
            key = _key_str(key, prefix)
        name = key if prefix is None else f"{prefix}[{key}]"
        cls = type(value)
        if cls is str:
            append((name, value))
        elif cls is int:
            append((name, str(value)))
        elif cls is bool:
            append((name, "true" if value else "false"))
        elif cls is dict:
            _encode_mapping(out, value, name, depth + 1)
        elif cls is list:
            _encode_sequence(out, value, name, depth + 1)
        else:
            _encode_other(out, value, name, depth + 1)


def _encode_sequence(out: list[tuple[str, str]], items: Any, prefix: str, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise _too_deep(prefix)
    if len(out) + len(items) > MAX_PAIRS:
        raise _too_many(prefix)
    append = out.append
    for index, value in enumerate(items):
        if value is None:
            continue  # keep the other elements' indices: see the module docstring
        name = f"{prefix}[{index}]"
        # The same dispatch as in _encode_mapping, inlined on purpose: a shared per-value
        # helper would cost one more call per leaf on every request.
        cls = type(value)
        if cls is str:
            append((name, value))
        elif cls is int:
            append((name, str(value)))
        elif cls is bool:
            append((name, "true" if value else "false"))
        elif cls is dict:
            _encode_mapping(out, value, name, depth + 1)
        elif cls is list:
            _encode_sequence(out, value, name, depth + 1)
        else:
            _encode_other(out, value, name, depth + 1)


def _encode_other(out: list[tuple[str, str]], value: Any, name: str, depth: int) -> None:
    """The rarer value types: Decimal, subclasses of the common types, and the rejections."""
    if isinstance(value, Decimal):
        out.append((name, _format_decimal(value, name)))
    elif isinstance(value, float):
        raise TypeError(
            f"{name}: float {value!r} is not accepted; pass an int (amounts are in the smallest "
            "currency unit) or a decimal.Decimal"
        )
    elif isinstance(value, int):
        # int.__repr__ gives the digits for IntEnum-like subclasses whose str() is the name.
        out.append((name, int.__repr__(value)))
    elif isinstance(value, str):
        # str.__str__ gives the underlying text for (str, Enum) members.
        out.append((name, str.__str__(value)))
    elif isinstance(value, Mapping):
        _encode_mapping(out, value, name, depth)
    elif isinstance(value, tuple):
        _encode_sequence(out, value, name, depth)
    else:
        raise TypeError(
            f"{name}: unsupported parameter type {type(value).__name__}; expected str, int, "
            "bool, Decimal, list, dict or None"
        )


def _format_decimal(value: Decimal, name: str) -> str:
    if not value.is_finite():
        raise ValueError(f"{name}: Decimal {value} is not a finite number")
    if not -_MAX_DECIMAL_EXPONENT <= value.adjusted() <= _MAX_DECIMAL_EXPONENT:
        raise ValueError(f"{name}: Decimal {value} is out of range for a Stripe parameter")
    # "f" never uses exponent notation and keeps trailing zeros (500.00 stays 500.00).
    return format(value, "f")


def _too_deep(prefix: str | None) -> ValueError:
    return ValueError(
        f"{_shown(prefix)}: parameters nested deeper than {MAX_DEPTH} levels (credit-note "
        "parameters go 4 deep; is a dict or list inside itself?)"
    )


def _too_many(prefix: str | None) -> ValueError:
    return ValueError(
        f"{_shown(prefix)}: more than {MAX_PAIRS} parameter values in one request, this "
        "client's bound (no credit-note request comes near it)"
    )


def _shown(prefix: str | None) -> str:
    if prefix is None:
        return "params"
    # A key built from a cycle can be long: name where it starts and how deep it went.
    return prefix if len(prefix) <= 200 else prefix[:200] + "..."


def _name_unencodable(pairs: list[tuple[str, str]]) -> ValueError:
    for key, value in pairs:
        for part, what in ((key, "name"), (value, "value")):
            try:
                part.encode("utf-8")
            except UnicodeEncodeError:
                shown = key.encode("utf-8", "backslashreplace").decode("utf-8")
                return ValueError(f"{shown}: {what} has no UTF-8 form (a lone surrogate)")
    raise AssertionError("unreachable: some pair failed to encode")  # pragma: no cover


def _key_str(key: Any, prefix: str | None) -> str:
    if isinstance(key, str):
        return str.__str__(key)
    where = "top level" if prefix is None else prefix
    raise TypeError(f"{where}: parameter names must be str, got {type(key).__name__} {key!r}")
