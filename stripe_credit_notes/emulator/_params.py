"""Parameter schemas of every route, and coercion of a parsed form into plain Python values.

The schemas are written out by hand from Stripe's documentation (the emulator does not read the
SDK's generated code, so it can catch the SDK's mistakes). Coercion turns form strings into
``int``/``str``/``Decimal``/``dict``/``list`` and reports errors the way Stripe does:
``parameter_unknown``, ``parameter_missing``, ``parameter_invalid_integer`` and so on.

Conventions of the coerced values:

* a parameter that was not sent is absent from its dict;
* a parameter sent as ``""`` (Stripe's "unset") is present with the value ``None``;
* metadata is a ``dict[str, str]`` where ``""`` deletes that key; ``metadata=`` (clear all)
  coerces to an empty dict.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, TypeAlias

from ._errors import ApiError
from ._forms import FormNode
from ._versions import ApiVersion

__all__ = [
    "Arr",
    "Bool",
    "DecimalStr",
    "Int",
    "IntOrRange",
    "Map",
    "Obj",
    "Schema",
    "Str",
    "coerce_params",
    "create_schema",
    "list_lines_schema",
    "list_schema",
    "preview_lines_schema",
    "preview_schema",
    "retrieve_schema",
    "update_schema",
    "void_schema",
]

_INT_RE = re.compile(r"^-?\d{1,18}$")


@dataclass(frozen=True)
class Int:
    pass


@dataclass(frozen=True)
class Str:
    max_length: int = 5000
    enum: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Bool:
    pass


@dataclass(frozen=True)
class DecimalStr:
    pass


@dataclass(frozen=True)
class Map:
    """Metadata: string keys to string values."""

    max_keys: int = 50
    max_key_length: int = 40
    max_value_length: int = 500


@dataclass(frozen=True)
class Arr:
    item: Schema
    max_items: int | None = None


@dataclass(frozen=True)
class IntOrRange:
    """``created``: an integer, or a hash of ``gt``/``gte``/``lt``/``lte`` integers."""


@dataclass(frozen=True)
class Obj:
    fields: Mapping[str, Schema]
    required: frozenset[str] = field(default_factory=frozenset)


Schema: TypeAlias = Int | Str | Bool | DecimalStr | Map | Arr | IntOrRange | Obj


def _param_error(message: str, path: str, code: str | None = None) -> ApiError:
    return ApiError(400, message, code=code, param=path, saved=False)


def _join(path: str, key: str) -> str:
    return f"{path}[{key}]" if path else key


def _describe(node: FormNode) -> str:
    return "a hash" if isinstance(node, dict) else "an array"


def coerce(schema: Schema, node: FormNode, path: str) -> Any:
    """Coerce one form node; ``""`` on anything but metadata becomes ``None`` (unset)."""
    if isinstance(schema, Map):
        return _coerce_map(schema, node, path)
    if node == "":
        return None
    if isinstance(schema, Int):
        if isinstance(node, str) and _INT_RE.match(node):
            return int(node)
        shown = node if isinstance(node, str) else _describe(node)
        raise _param_error(f"Invalid integer: {shown}", path, "parameter_invalid_integer")
    if isinstance(schema, Str):
        if not isinstance(node, str):
            raise _param_error(f"Invalid string: got {_describe(node)} for {path}", path)
        if schema.enum is not None and node not in schema.enum:
            raise _param_error(f"Invalid {path}: must be one of {_or_list(schema.enum)}", path)
        if len(node) > schema.max_length:
            raise _param_error(
                f"Invalid {path}: must be at most {schema.max_length} characters", path
            )
        return node
    if isinstance(schema, Bool):
        if node in ("true", "false"):
            return node == "true"
        raise _param_error(f"Invalid boolean: {node if isinstance(node, str) else ''}", path)
    if isinstance(schema, DecimalStr):
        if isinstance(node, str):
            try:
                value = Decimal(node)
            except InvalidOperation:
                value = Decimal("NaN")
            if value.is_finite():
                return value
        raise _param_error(f"Invalid decimal: {node if isinstance(node, str) else ''}", path)
    if isinstance(schema, IntOrRange):
        if isinstance(node, str):
            return coerce(Int(), node, path)
        return coerce(_RANGE, node, path)
    if isinstance(schema, Arr):
        return _coerce_array(schema, node, path)
    return _coerce_object(schema, node, path)


def _or_list(values: tuple[str, ...]) -> str:
    if len(values) == 1:
        return values[0]
    return ", ".join(values[:-1]) + f", or {values[-1]}"


def _coerce_map(schema: Map, node: FormNode, path: str) -> dict[str, str]:
    if node == "":
        return {}
    if not isinstance(node, dict):
        raise _param_error(f"Invalid hash: {path} must be a hash of strings", path)
    if len(node) > schema.max_keys:
        raise _param_error(f"Invalid {path}: at most {schema.max_keys} keys are allowed", path)
    result: dict[str, str] = {}
    for key, value in node.items():
        if not isinstance(value, str):
            raise _param_error(f"Invalid {path}: values must be strings", _join(path, key))
        if len(key) > schema.max_key_length:
            raise _param_error(
                f"Invalid {path}: keys must be at most {schema.max_key_length} characters",
                _join(path, key),
            )
        if len(value) > schema.max_value_length:
            raise _param_error(
                f"Invalid {path}: values must be at most {schema.max_value_length} characters",
                _join(path, key),
            )
        result[key] = value
    return result


def _coerce_array(schema: Arr, node: FormNode, path: str) -> list[Any]:
    if isinstance(node, str):
        raise _param_error(f"Invalid array: {path} must be an array", path)
    if isinstance(node, list):
        items: list[FormNode] = node
    else:
        if not all(k.isdigit() for k in node):
            bad = next(k for k in node if not k.isdigit())
            raise _param_error(
                f"Invalid array: {path} must be an array (got key '{bad}')", _join(path, bad)
            )
        items = [node[k] for k in sorted(node, key=int)]
    if schema.max_items is not None and len(items) > schema.max_items:
        raise _param_error(f"Invalid {path}: at most {schema.max_items} items", path)
    result = []
    for index, item in enumerate(items):
        value = coerce(schema.item, item, f"{path}[{index}]")
        if value is not None:
            result.append(value)
    return result


def _coerce_object(schema: Obj, node: FormNode, path: str) -> dict[str, Any]:
    if not isinstance(node, dict):
        raise _param_error(f"Invalid hash: {path} must be a hash", path)
    result: dict[str, Any] = {}
    for key, child in node.items():
        sub = schema.fields.get(key)
        if sub is None:
            full = _join(path, key)
            raise _param_error(f"Received unknown parameter: {full}", full, "parameter_unknown")
        result[key] = coerce(sub, child, _join(path, key))
    for key in sorted(schema.required):
        if result.get(key) is None:
            full = _join(path, key)
            raise _param_error(f"Missing required param: {full}.", full, "parameter_missing")
    return result


def coerce_params(schema: Obj, tree: Mapping[str, FormNode]) -> dict[str, Any]:
    """Coerce a whole request (top-level parameters)."""
    return _coerce_object(schema, dict(tree), "")


# Schemas ---------------------------------------------------------------------------------

_RANGE = Obj({"gt": Int(), "gte": Int(), "lt": Int(), "lte": Int()})
_EXPAND = Arr(Str())
_REASONS = ("duplicate", "fraudulent", "order_change", "product_unsatisfactory")

_TAX_AMOUNT = Obj(
    {"amount": Int(), "tax_rate": Str(), "taxable_amount": Int()},
    frozenset({"amount", "tax_rate", "taxable_amount"}),
)
_LINE = Obj(
    {
        "amount": Int(),
        "description": Str(),
        "invoice_line_item": Str(),
        "metadata": Map(),
        "quantity": Int(),
        "tax_amounts": Arr(_TAX_AMOUNT, max_items=20),
        "tax_rates": Arr(Str()),
        "type": Str(enum=("custom_line_item", "invoice_line_item")),
        "unit_amount": Int(),
        "unit_amount_decimal": DecimalStr(),
    },
    frozenset({"type"}),
)
_REFUND_LINK = Obj(
    {
        "amount_refunded": Int(),
        "payment_record_refund": Obj(
            {"payment_record": Str(), "refund_group": Str()},
            frozenset({"payment_record", "refund_group"}),
        ),
        "refund": Str(),
        "type": Str(enum=("payment_record_refund", "refund")),
    }
)
_PAGING: dict[str, Schema] = {"ending_before": Str(), "limit": Int(), "starting_after": Str()}


def _credit_note_fields(version: ApiVersion) -> dict[str, Schema]:
    """Parameters shared by create, preview and preview/lines, as ``version`` accepts them."""
    fields: dict[str, Schema] = {
        "amount": Int(),
        "credit_amount": Int(),
        "effective_at": Int(),
        "email_type": Str(enum=("credit_note", "none")),
        "expand": _EXPAND,
        "invoice": Str(),
        "lines": Arr(_LINE),
        "memo": Str(),
        "metadata": Map(),
        "out_of_band_amount": Int(),
        "reason": Str(enum=_REASONS),
        "refund_amount": Int(),
        "shipping_cost": Obj({"shipping_rate": Str()}),
    }
    # 2025-03-31.basil replaced the singular `refund` with `refunds[]`: the other is unknown.
    if version.uses_refunds_array:
        fields["refunds"] = Arr(_REFUND_LINK)
    else:
        fields["refund"] = Str()
    return fields


def create_schema(version: ApiVersion) -> Obj:
    return Obj(_credit_note_fields(version), frozenset({"invoice"}))


def preview_schema(version: ApiVersion) -> Obj:
    return Obj(_credit_note_fields(version), frozenset({"invoice"}))


def preview_lines_schema(version: ApiVersion) -> Obj:
    return Obj({**_credit_note_fields(version), **_PAGING}, frozenset({"invoice"}))


def list_schema() -> Obj:
    return Obj(
        {
            "created": IntOrRange(),
            "customer": Str(),
            "customer_account": Str(),
            "expand": _EXPAND,
            "invoice": Str(),
            **_PAGING,
        }
    )


def list_lines_schema() -> Obj:
    return Obj({"expand": _EXPAND, **_PAGING})


def retrieve_schema() -> Obj:
    return Obj({"expand": _EXPAND})


def update_schema() -> Obj:
    return Obj({"expand": _EXPAND, "memo": Str(), "metadata": Map()})


def void_schema() -> Obj:
    return Obj({"expand": _EXPAND})
