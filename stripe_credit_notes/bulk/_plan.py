"""Reading a plan: one credit note per row, from CSV or JSON Lines, streamed row by row.

A plan file is never loaded whole: :func:`read_plan` yields one row at a time, so memory stays
flat however many rows there are. A row that cannot be read becomes a :class:`RowProblem`
(reported with every other problem of the plan), not an exception that hides the rest.

* JSON Lines (``.jsonl``, ``.ndjson``): one object per line, ``{"key": "...", "invoice":
  "in_...", ...}``; every member other than ``key`` is a create parameter, nested as in the API.
* CSV (``.csv``): a header row naming the columns ``key``, ``invoice`` and any create parameters
  in Stripe's bracket notation (``metadata[reason]``, ``lines[0][amount]``). Empty cells are
  "not given". Cells are converted to the parameter's type (integers, booleans) from the
  operation's schema, so ``amount`` ``500`` is the integer 500 and ``memo`` ``500`` stays text.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Literal

import attrs

__all__ = ["PlanError", "PlanFormat", "PlanRow", "RowProblem", "read_plan"]

PlanFormat = Literal["csv", "jsonl"]

KEY_FIELD = "key"

_SUFFIXES: dict[str, PlanFormat] = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}
_PATH_PART = re.compile(r"\[([^\[\]]*)\]")


class PlanError(ValueError):
    """The plan as a whole cannot be read (missing file, unknown format, no ``key`` column)."""


@attrs.frozen
class PlanRow:
    """One row of a plan: the caller's unique ``key`` and the create parameters."""

    key: str
    params: Mapping[str, Any]
    """The ``POST /v1/credit_notes`` parameters, ``invoice`` included."""
    line: int = 0
    """Where the row starts in the file (1-based; 0 when the row did not come from a file)."""

    @property
    def invoice(self) -> str:
        """The invoice the row credits (``""`` when the row has none; pre-flight refuses it)."""
        value = self.params.get("invoice")
        return value if isinstance(value, str) else ""


@attrs.frozen
class RowProblem:
    """A row that could not be read or would be refused; ``key`` is ``None`` if unknown."""

    line: int
    key: str | None
    message: str
    param: str | None = None


def read_plan(
    path: str | Path, *, format: PlanFormat | None = None
) -> Iterator[PlanRow | RowProblem]:
    """Yield the rows of the plan at ``path``, one at a time, in file order.

    ``format`` defaults to the file's suffix (``.csv``, ``.jsonl``, ``.ndjson``).
    Raises :class:`PlanError` before the first row when the file cannot be read as a plan.
    """
    path = Path(path)
    if format is None:
        format = _SUFFIXES.get(path.suffix.lower())
        if format is None:
            raise PlanError(
                f"cannot tell the plan format of {path.name!r}: name it .csv or .jsonl "
                "(or pass format=)"
            )
    if format not in ("csv", "jsonl"):
        raise PlanError(f"format must be 'csv' or 'jsonl', got {format!r}")
    try:
        handle = path.open(encoding="utf-8", newline="")
    except OSError as exc:
        raise PlanError(f"cannot open the plan {str(path)!r}: {exc.strerror}") from None
    if format == "jsonl":
        return _jsonl_rows(handle)
    return _csv_rows(handle)


def _jsonl_rows(handle: Any) -> Iterator[PlanRow | RowProblem]:
    with handle:
        for number, text in enumerate(handle, start=1):
            if not text.strip():
                continue
            try:
                data = json.loads(text)
            except ValueError as exc:
                yield RowProblem(number, None, f"not valid JSON: {exc}")
                continue
            if not isinstance(data, dict):
                yield RowProblem(number, None, "a JSON Lines row must be an object")
                continue
            yield _row(number, data)


def _row(number: int, data: dict[str, Any]) -> PlanRow | RowProblem:
    key = data.pop(KEY_FIELD, None)
    if not isinstance(key, str) or not key:
        return RowProblem(number, None, "the row has no 'key' (a non-empty string)", KEY_FIELD)
    return PlanRow(key=key, params=data, line=number)


def _csv_rows(handle: Any) -> Iterator[PlanRow | RowProblem]:
    with handle:
        reader = csv.reader(handle)
        try:
            header = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise PlanError(f"the CSV header cannot be read: {exc}") from None
        if KEY_FIELD not in header:
            raise PlanError(f"the CSV header has no {KEY_FIELD!r} column: {header!r}")
        if len(set(header)) != len(header):
            raise PlanError(f"the CSV header repeats a column: {header!r}")
        paths = [_split_path(name) for name in header]
        while True:
            line = reader.line_num + 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield RowProblem(line, None, f"not valid CSV: {exc}")
                continue
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(header):
                yield RowProblem(line, None, f"{len(cells)} cells for {len(header)} columns")
                continue
            yield _csv_row(line, header, paths, cells)


def _split_path(name: str) -> tuple[str, ...] | None:
    head, _, rest = name.partition("[")
    if not rest:
        return (name,)
    rest = "[" + rest
    parts = _PATH_PART.findall(rest)
    if "".join(f"[{p}]" for p in parts) != rest or not head or "" in parts:
        return None
    return (head, *parts)


def _csv_row(
    line: int, header: list[str], paths: list[tuple[str, ...] | None], cells: list[str]
) -> PlanRow | RowProblem:
    key = cells[header.index(KEY_FIELD)]
    tree: dict[str, Any] = {}
    for name, path, cell in zip(header, paths, cells, strict=True):
        if name == KEY_FIELD or cell == "":
            continue
        if path is None:
            return RowProblem(line, key or None, f"column {name!r} is not a parameter path", name)
        try:
            value = _coerce(path, cell)
            _place(tree, path, value)
        except ValueError as exc:
            return RowProblem(line, key or None, f"{name}: {exc}", name)
    try:
        params = _listify(tree)
    except ValueError as exc:
        return RowProblem(line, key or None, str(exc))
    params[KEY_FIELD] = key
    return _row(line, params)


def _place(tree: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    node = tree
    for part in path[:-1]:
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            raise ValueError("a column both sets a value and nests under it")
        node = child
    if path[-1] in node:
        raise ValueError("two columns set the same parameter")
    node[path[-1]] = value


def _listify(node: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in node.items():
        out[name] = _as_list(name, value) if isinstance(value, dict) else value
    return out


def _as_list(name: str, node: dict[str, Any]) -> Any:
    converted = _listify(node)
    if not converted or not all(k.isdigit() for k in converted):
        return converted
    indexes = sorted(int(k) for k in converted)
    if indexes != list(range(len(indexes))):
        raise ValueError(f"{name}[...] indexes must run 0, 1, 2, ... without gaps")
    return [converted[str(i)] for i in indexes]


def _coerce(path: tuple[str, ...], cell: str) -> Any:
    """The cell as the type the create schema gives the parameter at ``path``."""
    kind = _schema_type(path)
    if kind == "integer":
        if not re.fullmatch(r"-?\d+", cell.strip()):
            raise ValueError(f"expected an integer, got {cell!r}")
        return int(cell)
    if kind == "boolean":
        if cell not in ("true", "false"):
            raise ValueError(f"expected true or false, got {cell!r}")
        return cell == "true"
    return cell


def _schema_type(path: tuple[str, ...]) -> str | None:
    from .._param_schemas import PARAM_SCHEMAS

    # Keyed by operation name today; by (resource, method) once operations are per resource.
    table: Mapping[Any, Mapping[str, Any]] = PARAM_SCHEMAS
    found_schema = table.get("create") or table.get(("credit_notes", "create"))
    if found_schema is None:
        return None
    node: Mapping[str, Any] = found_schema
    for part in path:
        found = _descend(node, part)
        if found is None:
            return None
        node = found
    kinds = [node.get("type")] + [v.get("type") for v in node.get("anyOf", ())]
    for kind in ("integer", "boolean"):
        if kind in kinds:
            return kind
    return None


def _descend(node: Mapping[str, Any], part: str) -> Mapping[str, Any] | None:
    for variant in (node, *node.get("anyOf", ())):
        if part.isdigit() and variant.get("type") == "array":
            items: Mapping[str, Any] = variant.get("items", {})
            return items
        properties = variant.get("properties")
        if isinstance(properties, dict) and part in properties:
            found: Mapping[str, Any] = properties[part]
            return found
        extra = variant.get("additionalProperties")
        if isinstance(extra, dict):
            return extra
    return None
