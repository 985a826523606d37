"""Helpers for the emulator tests: an HTTP client wrapper and a spec-schema checker."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
NEW_SPEC = json.loads((ROOT / "spec" / "credit_notes.openapi.json").read_text("utf-8"))
OLD_SPEC = json.loads((ROOT / "spec" / "credit_notes.2022-11-15.openapi.json").read_text("utf-8"))

ENDIVE = "2026-09-30.endive"
MID = "2024-06-20"  # 2019-12-03 <= v < 2025-03-31.basil
ANCIENT = "2019-10-08"  # before 2019-12-03
BASIL_APRIL = "2025-04-30.basil"  # refunds[] but the 2019-12-03 allocation rule

# Fields Stripe added to credit notes without a new API version: the emulator returns them at
# every version, so an old-version response may carry them beyond the 2022-11-15 schema.
ADDITIVE = {
    "credit_note": {
        "customer_account",
        "effective_at",
        "post_payment_amount",
        "pre_payment_amount",
        "pretax_credit_amounts",
    },
    "credit_note_line_item": {"metadata", "pretax_credit_amounts"},
    "credit_note_tax_amount": {"taxability_reason", "taxable_amount"},
}


class Api:
    """A thin httpx wrapper: form bodies, a Stripe-Version, JSON out."""

    def __init__(self, client: httpx.Client, version: str | None = None) -> None:
        self.client = client
        self.version = version

    def _headers(self, version: str | None, key: str | None) -> dict[str, str]:
        headers = {}
        if version or self.version:
            headers["Stripe-Version"] = version or self.version or ""
        if key is not None:
            headers["Idempotency-Key"] = key
        return headers

    def post(
        self,
        path: str,
        data: Mapping[str, Any] | None = None,
        *,
        version: str | None = None,
        key: str | None = None,
    ) -> httpx.Response:
        form = {k: str(v) for k, v in (data or {}).items()}
        return self.client.post(path, data=form, headers=self._headers(version, key))

    def get(
        self, path: str, params: Mapping[str, Any] | None = None, *, version: str | None = None
    ) -> httpx.Response:
        query = {k: str(v) for k, v in (params or {}).items()}
        return self.client.get(path, params=query, headers=self._headers(version, None))

    def ok(self, response: httpx.Response) -> dict[str, Any]:
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def error(self, response: httpx.Response, status: int = 400) -> dict[str, Any]:
        assert response.status_code == status, response.text
        assert response.headers["request-id"].startswith("req_")
        err: dict[str, Any] = response.json()["error"]
        return err


# Schema checking ---------------------------------------------------------------------------


def _resolve(spec: Mapping[str, Any], schema: Mapping[str, Any]) -> tuple[Mapping[str, Any], str]:
    name = ""
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = spec["components"]["schemas"][name]
    return schema, name


def schema_errors(
    value: Any,
    schema: Mapping[str, Any],
    spec: Mapping[str, Any],
    path: str = "$",
    *,
    additive: Mapping[str, set[str]] | None = None,
) -> list[str]:
    """Where ``value`` breaks ``schema`` (types, enums, required and unexpected fields)."""
    if schema is True:  # `additionalProperties: true`: anything goes
        return []
    schema, name = _resolve(spec, schema)
    if value is None:
        return [] if schema.get("nullable") else [f"{path}: null but not nullable"]
    if "anyOf" in schema:
        options = [
            schema_errors(value, option, spec, path, additive=additive)
            for option in schema["anyOf"]
        ]
        if any(not errs for errs in options):
            return []
        return [f"{path}: matches no anyOf option: {options}"]
    kind = schema.get("type")
    checks = {
        "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
        "string": lambda v: isinstance(v, str),
        "boolean": lambda v: isinstance(v, bool),
        "array": lambda v: isinstance(v, list),
        "object": lambda v: isinstance(v, dict),
    }
    if kind in checks and not checks[kind](value):
        return [f"{path}: expected {kind}, got {value!r}"]
    if "enum" in schema and value not in schema["enum"]:
        return [f"{path}: {value!r} not in {schema['enum']}"]
    errors: list[str] = []
    if kind == "array":
        for i, item in enumerate(value):
            errors += schema_errors(item, schema["items"], spec, f"{path}[{i}]", additive=additive)
    if kind == "object" or "properties" in schema:
        props = schema.get("properties", {})
        for req in schema.get("required", []):
            if req not in value:
                errors.append(f"{path}: missing required {req!r}")
        allowed_extra = (additive or {}).get(name, set())
        for key, item in value.items():
            if key in props:
                errors += schema_errors(item, props[key], spec, f"{path}.{key}", additive=additive)
            elif "additionalProperties" in schema:
                errors += schema_errors(
                    item, schema["additionalProperties"], spec, f"{path}.{key}", additive=additive
                )
            elif not schema.get("x-stub") and key not in allowed_extra:
                errors.append(f"{path}: unexpected field {key!r}")
    return errors


def assert_credit_note_shape(note: Mapping[str, Any], version: str) -> None:
    """``note`` matches the spec of its version: the vendored newest spec from basil on, the
    2022-11-15 spec (plus the additive fields) before."""
    new = version >= "2025-03-31"
    spec = NEW_SPEC if new else OLD_SPEC
    errors = schema_errors(
        note,
        {"$ref": "#/components/schemas/credit_note"},
        spec,
        additive=None if new else ADDITIVE,
    )
    assert not errors, "\n".join(errors)


def assert_line_shape(line: Mapping[str, Any], version: str) -> None:
    new = version >= "2025-03-31"
    spec = NEW_SPEC if new else OLD_SPEC
    errors = schema_errors(
        line,
        {"$ref": "#/components/schemas/credit_note_line_item"},
        spec,
        additive=None if new else ADDITIVE,
    )
    assert not errors, "\n".join(errors)


def _line_fields(index: int, fields: Mapping[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key, value in fields.items():
        if isinstance(value, list):
            data.update({f"lines[{index}][{key}][{i}]": item for i, item in enumerate(value)})
        else:
            data[f"lines[{index}][{key}]"] = value
    return data


def invoice_line(index: int, line_id: str, **fields: Any) -> dict[str, Any]:
    """Form fields for ``lines[index]`` crediting invoice line ``line_id``."""
    data: dict[str, Any] = {
        f"lines[{index}][type]": "invoice_line_item",
        f"lines[{index}][invoice_line_item]": line_id,
    }
    data.update(_line_fields(index, fields))
    return data


def custom_line(index: int, unit_amount: int, **fields: Any) -> dict[str, Any]:
    """Form fields for a ``custom_line_item`` at ``lines[index]`` (lists become ``[i]`` keys)."""
    data: dict[str, Any] = {
        f"lines[{index}][type]": "custom_line_item",
        f"lines[{index}][unit_amount]": unit_amount,
    }
    data.update(_line_fields(index, fields))
    return data
