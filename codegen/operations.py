"""The spec's operations placed by the resource table, and ``_operations.py`` emitted from them.

:func:`collect` is the one place that joins the spec with :mod:`codegen.table`: it refuses a
table that names an operation the spec lacks, a spec operation the table does not place, and
two operations at the same ``(resource, method)``.
"""

from __future__ import annotations

from dataclasses import dataclass

from .spec import OLDEST_SPEC, Schema, list_model_name, model_name, pascal, ref_name
from .table import Op, Resource
from .text import clean

# name -> (schema, required, description), the query or body parameters of one operation.
Params = dict[str, tuple[Schema, bool, str]]


@dataclass
class Operation:
    """One spec operation at its place in the table, with what the emitters need."""

    resource: Resource
    op: Op
    http: str
    path: str
    path_param: str | None
    params: Params
    response: str
    """The model name the response decodes into (a list envelope for lists)."""
    item: str | None
    """For list operations, the model name of one item."""
    summary: str
    description: str
    spec: Schema
    """The operation as the spec describes it."""

    @property
    def method(self) -> str:
        return self.op.method

    @property
    def key(self) -> tuple[str, str]:
        return (self.resource.name, self.op.method)

    @property
    def constant(self) -> str:
        """The name of its ``Operation`` in ``_operations.py``: ``CREDIT_NOTES_CREATE``."""
        return f"{self.resource.name}_{self.op.method}".upper()

    @property
    def params_class(self) -> str:
        """``CreditNoteCreateParams``, ``EventListParams``."""
        return pascal(self.resource.model) + pascal(self.op.method) + "Params"


def op_parameters(op: Schema) -> tuple[list[str], Params]:
    """Path parameter names, and the query/body parameters as name -> (schema, required, doc)."""
    path_params: list[str] = []
    props: Params = {}
    for p in op.get("parameters", []):
        if p["in"] == "path":
            path_params.append(p["name"])
        elif p["in"] == "query":
            props[p["name"]] = (p["schema"], bool(p.get("required")), p.get("description", ""))
    body = (
        op.get("requestBody", {})
        .get("content", {})
        .get("application/x-www-form-urlencoded", {})
        .get("schema", {})
    )
    required = set(body.get("required", []))
    for name, node in body.get("properties", {}).items():
        props[name] = (node, name in required, node.get("description", ""))
    return path_params, props


def response_schema(op: Schema) -> Schema:
    """The schema of an operation's 200 response."""
    schema: Schema = op["responses"]["200"]["content"]["application/json"]["schema"]
    return schema


def _spec_operations(spec: Schema) -> dict[str, tuple[str, str, Schema]]:
    """operationId -> (HTTP method, path, operation)."""
    found: dict[str, tuple[str, str, Schema]] = {}
    for path, item in spec["paths"].items():
        for method, op in item.items():
            op_id = op["operationId"]
            if op_id in found:
                raise ValueError(f"the spec has two operations with operationId {op_id!r}")
            found[op_id] = (method.upper(), path, op)
    return found


def collect(newest: Schema, oldest: Schema, resources: tuple[Resource, ...]) -> list[Operation]:
    """Every spec operation at its ``(resource, method)``, in table order."""
    in_spec = _spec_operations(newest)
    placed: dict[tuple[str, str], str] = {}
    names: set[str] = set()
    out: list[Operation] = []
    for resource in resources:
        if resource.name in names:
            raise ValueError(f"two resources are both named {resource.name!r}")
        names.add(resource.name)
        for op in resource.operations:
            key = (resource.name, op.method)
            if key in placed:
                raise ValueError(
                    f"{op.operation_id} and {placed[key]} would both be "
                    f"client.{resource.name}.{op.method}"
                )
            if op.operation_id in placed.values():
                raise ValueError(f"{op.operation_id} is placed twice in the resource table")
            if op.operation_id not in in_spec:
                raise ValueError(f"the table names {op.operation_id}, which the spec lacks")
            placed[key] = op.operation_id
            out.append(_operation(resource, op, *in_spec[op.operation_id], newest, oldest))
        _check_embedded(resource, newest)
    missing = sorted(set(in_spec) - set(placed.values()))
    if missing:
        raise ValueError(f"spec operations with no place in codegen/table.py: {', '.join(missing)}")
    return out


def _check_embedded(resource: Resource, newest: Schema) -> None:
    """An ``embedded`` field must be a field of the resource's object and not a method name."""
    methods = {op.method for op in resource.operations}
    fields = newest["components"]["schemas"].get(resource.model, {}).get("properties", {})
    for op in resource.operations:
        if op.embedded is None:
            continue
        if op.embedded in methods:
            raise ValueError(f"{op.operation_id}: embedded={op.embedded!r} is also a method name")
        if op.embedded not in fields:
            raise ValueError(
                f"{op.operation_id}: {resource.model} has no field {op.embedded!r} to page on from"
            )


def _operation(
    resource: Resource,
    op: Op,
    http: str,
    path: str,
    spec_op: Schema,
    newest: Schema,
    oldest: Schema,
) -> Operation:
    path_params, props = op_parameters(spec_op)
    old_op = oldest["paths"].get(path, {}).get(http.lower())
    if old_op is not None:
        # Parameters an older API version takes and the newest no longer does (`refund`).
        for prop, (node, _required, desc) in op_parameters(old_op)[1].items():
            if prop not in props:
                note = (
                    f"Legacy: in the {OLDEST_SPEC.name} spec, not in "
                    f"{newest['info']['version']}; only for clients pinned to an API version "
                    "that still takes it."
                )
                props[prop] = (node, False, f"{desc}\n\n{note}" if desc else note)
    resp = response_schema(spec_op)
    target = ref_name(resp)
    item = None
    if target is not None:
        response = model_name(target)
    else:
        response = list_model_name(resp) or ""
        item_ref = ref_name(resp.get("properties", {}).get("data", {}).get("items", {}))
        if not response or item_ref is None:
            raise ValueError(f"{op.operation_id}: the response is neither a $ref nor a list")
        item = model_name(item_ref)
    if len(path_params) > 1:
        raise ValueError(f"{op.operation_id}: more than one path parameter")
    return Operation(
        resource=resource,
        op=op,
        http=http,
        path=path,
        path_param=path_params[0] if path_params else None,
        params=props,
        response=op.response or response,
        item=op.item or item,
        summary=clean(spec_op.get("summary")),
        description=clean(spec_op.get("description")),
        spec=spec_op,
    )


def _model_import(name: str) -> tuple[str, str]:
    """(module relative to the package, class) of a response model name."""
    module, _, cls = name.rpartition(":")
    return (module or "models", cls)


def render(ops: list[Operation], head: str) -> str:
    """The source text of ``_operations.py``."""
    out = [head]
    out.append('"""Every operation of the spec, as data the clients dispatch on.\n\n')
    out.append('Keyed by ``(resource, method)``: ``OPERATIONS["credit_notes", "create"]``.\n')
    out.append('"""\n\n')
    out.append("from __future__ import annotations\n\n")
    out.append("from typing import TYPE_CHECKING, Any\n\n")
    out.append("from ._operation import Operation, OperationKey\n")
    imports: dict[str, set[str]] = {}
    rows: list[str] = []
    for o in ops:
        module, cls = _model_import(o.response)
        imports.setdefault(module, set()).add(cls)
        path_param = f'"{o.path_param}"' if o.path_param else "None"
        item = f'"{o.item}"' if o.item else "None"
        flags = "    allocation_checked=True,\n" if o.op.allocation_checked else ""
        # Models are named, not imported: they load with the first decoded response.
        rows.append(
            f"{o.constant}: Operation[{cls}] = Operation(\n"
            f'    resource="{o.resource.name}",\n'
            f'    name="{o.method}",\n'
            f'    method="{o.http}",\n'
            f'    path="{o.path}",\n'
            f"    path_param={path_param},\n"
            f'    response="{o.response}",\n'
            f"    item={item},\n"
            f'    summary="{o.summary}",\n'
            f"{flags}"
            ")\n"
        )
    out.append("\nif TYPE_CHECKING:\n")
    for module in sorted(imports):
        out.append(f"    from .{module} import {', '.join(sorted(imports[module]))}\n")
    out.append("\n")
    out.append("\n".join(rows))
    out.append(
        "\nOPERATIONS: dict[OperationKey, Operation[Any]] = {\n"
        "    op.key: op for op in (" + ", ".join(o.constant for o in ops) + ")\n}\n"
    )
    out.append('"""Every operation by ``(resource, method)``."""\n')
    return "".join(out)
