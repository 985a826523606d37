"""Helpers for the contract tests: record what went over the wire, read Prism's verdicts.

Prism 4.14.1 silently drops form and query keys it has no schema for (``additionalProperties:
false`` has no effect on form bodies or query strings), so a misspelt bracket key would pass
unnoticed. :func:`undeclared_keys` closes that hole: it walks every key the SDK actually sent
through the *vendored* spec and names the ones that lead nowhere.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import attrs
import httpx

ROOT = Path(__file__).resolve().parent.parent.parent
VENDORED_SPEC = ROOT / "spec" / "credit_notes.openapi.json"
SCALAR_TYPES = frozenset({"string", "integer", "number", "boolean"})
_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")


def load_json(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as f:
        data: dict[str, Any] = json.load(f)
    return data


# -- recording ---------------------------------------------------------------------------------


@attrs.define
class Exchange:
    """One request the SDK sent and the response it got (the body is read by the client)."""

    request: httpx.Request
    response: httpx.Response

    @property
    def pairs(self) -> list[tuple[str, str]]:
        """The form pairs sent: the body of a POST, the query string of a GET."""
        if self.request.method == "POST":
            text = self.request.content.decode("ascii")
        else:
            text = urlsplit(str(self.request.url)).query
        return parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text))

    @property
    def violations(self) -> list[dict[str, Any]]:
        return parse_violations(self.response.headers)

    def describe(self) -> str:
        return (
            f"{self.request.method} {self.request.url.raw_path.decode()} -> "
            f"{self.response.status_code}; sl-violations: {self.violations}"
        )


class RecordingTransport(httpx.BaseTransport):
    """A real HTTP transport that keeps every exchange for the test to inspect."""

    def __init__(self) -> None:
        self._inner = httpx.HTTPTransport()
        self.exchanges: list[Exchange] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self._inner.handle_request(request)
        # Read here: the client streams the body, which would leave response.json() unusable.
        response.read()
        self.exchanges.append(Exchange(request, response))
        return response

    def close(self) -> None:
        self._inner.close()


class AsyncRecordingTransport(httpx.AsyncBaseTransport):
    """The async twin of :class:`RecordingTransport`."""

    def __init__(self) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self.exchanges: list[Exchange] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self._inner.handle_async_request(request)
        await response.aread()
        self.exchanges.append(Exchange(request, response))
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()


# -- Prism's verdicts --------------------------------------------------------------------------


def parse_violations(headers: Mapping[str, str]) -> list[dict[str, Any]]:
    """Prism's ``sl-violations`` header (a JSON list), or ``[]`` when there is none."""
    raw = headers.get("sl-violations")
    if raw is None:
        return []
    data = json.loads(raw)
    assert isinstance(data, list), raw
    return data


def names_location(
    violation: Mapping[str, Any], location: tuple[str, ...], side: str = "request"
) -> bool:
    """Whether a violation points at ``location`` (or inside it), e.g. ``("body", "amount")``.

    ``side`` is ``"request"`` or ``"response"``, the first element of Prism's location.
    """
    where = [str(part) for part in violation.get("location", [])]
    want = [side, *location]
    return where[: len(want)] == want


# -- keys the spec declares --------------------------------------------------------------------


def split_key(key: str) -> list[str]:
    """``lines[0][tax_amounts][1][amount]`` -> ``["lines", "0", "tax_amounts", "1", "amount"]``."""
    match = _KEY.match(key)
    if match is None:
        raise AssertionError(f"malformed bracket key {key!r}")
    head, rest = match.groups()
    return [head, *re.findall(r"\[([^\[\]]*)\]", rest)]


def _branches(schema: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return list(schema["anyOf"]) if "anyOf" in schema else [schema]


def _step(schema: Mapping[str, Any], segment: str) -> list[Mapping[str, Any]]:
    out: list[Mapping[str, Any]] = []
    for branch in _branches(schema):
        kind = branch.get("type")
        if kind == "array" and segment.isdigit():
            out.append(branch["items"])
        elif kind == "object":
            props = branch.get("properties") or {}
            extra = branch.get("additionalProperties")
            if segment in props:
                out.append(props[segment])
            elif isinstance(extra, dict):
                out.append(extra)
    return out


def _takes_text(schema: Mapping[str, Any]) -> bool:
    return any(branch.get("type") in SCALAR_TYPES for branch in _branches(schema))


def top_level_schemas(spec: Mapping[str, Any], method: str, path: str) -> dict[str, Any]:
    """Parameter name -> schema, for the query (GET) or the form body (POST) of one operation."""
    op = spec["paths"][path][method.lower()]
    if method == "GET":
        return {p["name"]: p["schema"] for p in op.get("parameters", []) if p["in"] == "query"}
    form = op["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]
    return dict(form.get("properties", {}))


def undeclared_keys(
    spec: Mapping[str, Any], method: str, path: str, pairs: list[tuple[str, str]]
) -> list[str]:
    """The sent keys (with a reason) that the spec does not declare for this operation."""
    roots = top_level_schemas(spec, method, path)
    problems = []
    seen: set[str] = set()
    for key, _value in pairs:
        if key in seen:
            problems.append(f"{key}: sent twice")
        seen.add(key)
        head, *rest = split_key(key)
        if head not in roots:
            problems.append(f"{key}: no parameter {head!r}")
            continue
        nodes: list[Mapping[str, Any]] = [roots[head]]
        for segment in rest:
            nodes = [n for node in nodes for n in _step(node, segment)]
        if not nodes:
            problems.append(f"{key}: the spec has no such member")
        elif not any(_takes_text(node) for node in nodes):
            problems.append(f"{key}: the spec wants an object or array here, not a value")
    return problems
