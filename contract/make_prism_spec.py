"""Build the OpenAPI document that the contract tests' Prism mock serves.

Input: the vendored ``spec/credit_notes.openapi.json`` (never modified) and the newest fixture
file ``tests/fixtures/<date>.fixtures3.credit_notes.json``. Output: one JSON document, by
default ``contract/build/prism.openapi.json`` (ignored by git; rebuilt by ``contract/run.sh``
on every run, never edited by hand).

The copy differs from the vendored spec in three ways, each needed for Prism 4.14.1 to check
what it is meant to check. ``docs/contract.md`` explains them; in short:

1. **Response examples.** Every ``200`` response gets an ``example`` built from the fixture, and
   every ``default`` (error) response a Stripe-shaped error, so Prism answers with realistic
   bodies instead of ``"string"`` placeholders. Each example is decoded with the SDK's own
   ``from_dict`` and encoded back with ``to_dict`` before the file is written; the build fails
   if one does not round-trip. ``retrieve`` also gets a second, deliberately invalid example
   (the canary, see ``CANARY_EXAMPLE``) that Prism serves only when asked for it.
2. **Response schemas Prism can compile.** Stripe writes "nullable reference" as
   ``{"anyOf": [...], "nullable": true}``. Prism's ajv refuses ``nullable`` without ``type``,
   and Prism then silently skips response validation. The copy spells those as
   ``{"anyOf": [..., {"enum": [null]}]}`` (the same set of values), so Prism checks the example
   bodies against the schemas and reports a mismatch in ``sl-violations``.
3. **Request schemas Prism's deepObject decoder can see.** Prism 4.14.1 rebuilds a
   ``deepObject`` parameter from its schema, not from the request:

   * for an ``anyOf`` it only reads the bare key (``lines[0][tax_amounts]``), so it never sees
     ``lines[0][tax_amounts][0][amount]`` and validates nothing inside. Where an ``anyOf`` has
     exactly one structured alternative (an array or an object) and otherwise scalars (Stripe's
     ``""`` unset, the plain-integer form of ``created``), the copy keeps only the structured
     alternative. The bracketed members are then checked; the scalar form is no longer checked
     (it decodes to an empty array or object).
   * it creates every declared object property, present or not, so an optional object with
     required members (``refunds[i][payment_record_refund]``) always looks present and empty,
     and every ``refunds[i]`` of type ``refund`` would be rejected. The copy turns such a
     ``required`` list into "all of them or none of them", which is what the vendored spec means
     on the wire (form encoding cannot send an empty object).

Run it with the project's virtualenv (it imports the SDK to check the examples)::

    .venv/bin/python contract/make_prism_spec.py [--out PATH]
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SPEC = ROOT / "spec" / "credit_notes.openapi.json"
FIXTURES = ROOT / "tests" / "fixtures"
DEFAULT_OUT = Path(__file__).resolve().parent / "build" / "prism.openapi.json"

FIXTURE_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})\.fixtures3\.credit_notes\.json$")
METHODS = ("get", "post", "put", "patch", "delete")
SCALAR_TYPES = frozenset({"string", "integer", "number", "boolean"})

# The body Prism sends with a 4xx/5xx when the spec has only a ``default`` error response.
ERROR_EXAMPLE: dict[str, Any] = {
    "error": {
        "type": "invalid_request_error",
        "code": "parameter_invalid_integer",
        "message": "Invalid integer: abc",
        "param": "amount",
        "doc_url": "https://docs.stripe.com/error-codes/parameter-invalid-integer",
        "request_log_url": "https://dashboard.stripe.com/test/logs/req_contract",
    }
}


# A deliberately invalid response (``amount`` as a string) that Prism serves only when asked
# with ``Prefer: example=contract-canary``: the contract suite checks that Prism reports it, so
# a Prism or spec change that silently switches response validation off cannot go unnoticed.
CANARY_OPERATION = ("credit_notes", "retrieve")
CANARY_EXAMPLE = "contract-canary"


class SpecError(Exception):
    """The vendored spec or the fixtures hold something this script does not know how to map."""


# -- inputs ------------------------------------------------------------------------------------


def newest_fixture(directory: Path = FIXTURES) -> Path:
    """The fixture file with the latest date in its name."""
    dated = []
    for path in directory.glob("*.json"):
        match = FIXTURE_NAME.match(path.name)
        if match:
            dated.append((match.group(1), path))
    if not dated:
        raise SpecError(f"no <date>.fixtures3.credit_notes.json file in {directory}")
    return max(dated)[1]


def _load(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as f:
        data: dict[str, Any] = json.load(f)
    return data


def _operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in spec["paths"].items():
        for method in METHODS:
            if method in item:
                yield method.upper(), path, item[method]


# -- 2. response schemas -----------------------------------------------------------------------


def _spell_out_nullable(node: Any, counter: list[int]) -> Any:
    """``{"anyOf": [...], "nullable": true}`` -> ``{"anyOf": [..., {"enum": [null]}]}``."""
    if isinstance(node, list):
        return [_spell_out_nullable(item, counter) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _spell_out_nullable(value, counter) for key, value in node.items()}
    if out.get("nullable") is True and "type" not in out:
        if "anyOf" not in out:
            raise SpecError(f"'nullable' without 'type' or 'anyOf' is not handled: {node!r}")
        del out["nullable"]
        out["anyOf"] = [*out["anyOf"], {"enum": [None]}]
        counter[0] += 1
    return out


# -- 3. request schemas ------------------------------------------------------------------------


def _is_structured(schema: dict[str, Any]) -> bool:
    return schema.get("type") in ("array", "object")


def _is_scalar(schema: dict[str, Any]) -> bool:
    return schema.get("type") in SCALAR_TYPES and "anyOf" not in schema


def _decodable(schema: dict[str, Any], *, always_built: bool, notes: list[str], where: str) -> Any:
    """A copy of a deepObject parameter schema that Prism 4.14.1's decoder handles.

    ``always_built``: Prism creates this object whether or not the request has it (true for
    a parameter's own schema and for object-valued properties; false for array items, which
    exist only for the indices the request sends).
    """
    if "$ref" in schema:
        raise SpecError(f"{where}: a $ref inside a request parameter is not handled")
    node = copy.deepcopy(schema)
    if "anyOf" in node:
        branches = node["anyOf"]
        structured = [b for b in branches if _is_structured(b)]
        scalars = [b for b in branches if _is_scalar(b)]
        if len(structured) != 1 or len(structured) + len(scalars) != len(branches):
            raise SpecError(f"{where}: anyOf shape not handled: {branches!r}")
        dropped = ", ".join(json.dumps(b, sort_keys=True) for b in scalars)
        notes.append(f"{where}: anyOf -> its {structured[0]['type']} branch (dropped {dropped})")
        del node["anyOf"]
        node.update(structured[0])
    kind = node.get("type")
    if kind == "array" and isinstance(node.get("items"), dict):
        node["items"] = _decodable(
            node["items"], always_built=False, notes=notes, where=f"{where}[i]"
        )
    elif kind == "object":
        props = node.get("properties") or {}
        for name, prop in props.items():
            props[name] = _decodable(prop, always_built=True, notes=notes, where=f"{where}[{name}]")
        required = node.get("required")
        if required and always_built:
            del node["required"]
            node["anyOf"] = [
                {"required": list(required)},
                {"not": {"anyOf": [{"required": [name]} for name in required]}},
            ]
            notes.append(f"{where}: required {required} -> all of them or none")
    return node


def _rewrite_requests(spec: dict[str, Any], notes: list[str]) -> None:
    for method, path, op in _operations(spec):
        label = f"{method} {path}"
        for param in op.get("parameters", []):
            if param.get("style") == "deepObject":
                param["schema"] = _decodable(
                    param["schema"],
                    always_built=True,
                    notes=notes,
                    where=f"{label} {param['name']}",
                )
        body = op.get("requestBody", {}).get("content", {})
        form = body.get("application/x-www-form-urlencoded")
        if not form:
            continue
        props = form.get("schema", {}).get("properties", {})
        for name, encoding in form.get("encoding", {}).items():
            if encoding.get("style") == "deepObject" and name in props:
                props[name] = _decodable(
                    props[name], always_built=True, notes=notes, where=f"{label} {name}"
                )


# -- 1. examples -------------------------------------------------------------------------------


def _examples(fixture: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """Example bodies by operation key (``stripe_credit_notes._operations.OPERATIONS``)."""
    note = copy.deepcopy(fixture["credit_note"])
    event = copy.deepcopy(fixture["event"])
    lines = copy.deepcopy(note["lines"]["data"])
    voided = copy.deepcopy(note)
    voided["status"] = "void"
    # has_more=True lets the tests walk pages (always with a cap: every page is the same).
    notes = {
        "create": note,
        "preview": note,
        "retrieve": note,
        "update": note,
        "void": voided,
        "list": {"object": "list", "data": [note], "has_more": True, "url": "/v1/credit_notes"},
        "list_lines": {
            "object": "list",
            "data": lines,
            "has_more": True,
            "url": f"/v1/credit_notes/{note['id']}/lines",
        },
        "preview_lines": {
            "object": "list",
            "data": lines,
            "has_more": True,
            "url": "/v1/credit_notes/preview/lines",
        },
    }
    events = {
        "retrieve": event,
        "list": {"object": "list", "data": [event], "has_more": True, "url": "/v1/events"},
    }
    return {
        **{("credit_notes", name): body for name, body in notes.items()},
        **{("events", name): body for name, body in events.items()},
    }


def _check_round_trip(name: str, response_type: type, body: dict[str, Any]) -> None:
    from stripe_credit_notes import from_dict, to_dict

    try:
        decoded = from_dict(response_type, copy.deepcopy(body))
    except Exception as exc:
        raise SpecError(
            f"example for {name} does not decode into {response_type.__name__}: {exc!r}"
        ) from exc
    if to_dict(decoded) != body:
        raise SpecError(f"example for {name} does not round-trip through {response_type.__name__}")


def _attach_examples(spec: dict[str, Any], fixture: dict[str, Any]) -> list[str]:
    from stripe_credit_notes._operations import OPERATIONS

    by_route = {(op.method, op.path): op for op in OPERATIONS.values()}
    examples = _examples(fixture)
    done = []
    for method, path, op in _operations(spec):
        sdk_op = by_route.get((method, path))
        if sdk_op is None:
            raise SpecError(f"{method} {path} is not an operation of the SDK")
        body = examples[sdk_op.key]
        label = ".".join(sdk_op.key)
        _check_round_trip(label, sdk_op.response_type, body)
        responses = op["responses"]
        ok = responses.get("200", {}).get("content", {}).get("application/json")
        if ok is None:
            raise SpecError(f"{method} {path} has no 200 application/json response")
        if sdk_op.key == CANARY_OPERATION:
            # The first named example is the default; the canary is served only on request.
            canary = copy.deepcopy(body)
            canary["amount"] = str(canary["amount"])
            ok["examples"] = {
                "fixture": {"value": body},
                CANARY_EXAMPLE: {"summary": "deliberately invalid", "value": canary},
            }
        else:
            ok["example"] = body
        error = responses.get("default", {}).get("content", {}).get("application/json")
        if error is not None:
            error["example"] = ERROR_EXAMPLE
        done.append(label)
    return done


# -- the whole build ---------------------------------------------------------------------------


def build(spec: dict[str, Any], fixture: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The document Prism serves, and notes on what was changed."""
    out = copy.deepcopy(spec)
    notes: list[str] = []
    counter = [0]
    out["components"] = _spell_out_nullable(out["components"], counter)
    for _method, _path, op in _operations(out):
        # Before the examples go in: only schemas are rewritten, never example data.
        op["responses"] = _spell_out_nullable(op["responses"], counter)
    notes.append(f"{counter[0]} nullable anyOf schemas spelled with an explicit null branch")
    _rewrite_requests(out, notes)
    names = _attach_examples(out, fixture)
    notes.append(f"examples for {len(names)} operations: {', '.join(sorted(names))}")
    info = out.setdefault("info", {})
    info["description"] = (
        "Generated by contract/make_prism_spec.py for the contract tests; do not edit or commit."
    )
    return out, notes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", type=Path, default=DEFAULT_SPEC)
    parser.add_argument("--fixture", type=Path, default=None, help="default: the newest one")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    fixture_path = args.fixture or newest_fixture()
    try:
        document, notes = build(_load(args.spec), _load(fixture_path))
    except SpecError as exc:
        print(f"make_prism_spec: {exc}", file=sys.stderr)
        return 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_name(args.out.name + ".tmp")
    tmp.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(args.out)
    if not args.quiet:
        print(f"make_prism_spec: {args.out} (examples from {fixture_path.name})")
        for note in notes:
            print(f"  - {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
