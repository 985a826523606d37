"""Emits ``stripe_credit_notes/resources/``: one module per resource, and the client's attributes.

Each resource module has a sync and an async class whose methods hand the call to the client's
shared implementation; only the signatures (typed keyword parameters from the spec, plus the
per-call options) and return types differ from one method to the next, which is why they are
generated. The ``with_raw_response`` views are not written out: each of their methods is the
plain method, wrapped by ``stripe_credit_notes._resource.to_raw_response``.

``resources/__init__.py`` holds the mixins that give ``Client`` and ``AsyncClient`` one lazy
attribute per resource (``client.credit_notes``, ``client.events``).
"""

from __future__ import annotations

from .operations import Operation
from .spec import pascal
from .table import Resource
from .text import docstring

# Per-call options: (name, annotation). Every operation takes them, idempotency_key only POSTs.
OPTIONS = (
    ("idempotency_key", "str | None"),
    ("stripe_account", "str | None"),
    ("api_version", "str | None"),
    ("timeout", "float | httpx.Timeout | None"),
    ("deadline", "float | None"),
    ("max_retries", "int | None"),
    ("validate", "bool | None"),
)

OPTIONS_DOC = (
    "Per-call options: ``idempotency_key`` (POST only; generated when omitted and reused by "
    "every retry), ``stripe_account``, ``api_version``, ``timeout`` (seconds per attempt, "
    "wall-clock), ``deadline`` (seconds for the whole call, retries included), "
    "``max_retries`` and ``validate`` (client-side pre-validation on or off)."
)

GET_OPTIONS_DOC = (
    "Per-call options: ``stripe_account``, ``api_version``, ``timeout`` (seconds per attempt, "
    "wall-clock), ``deadline`` (seconds for the whole call, retries included), "
    "``max_retries`` and ``validate`` (client-side pre-validation on or off)."
)

# Operations whose allocation the client pre-validates also take an invoice snapshot.
SNAPSHOT_OPTION = ("invoice_snapshot", "InvoiceSnapshot | None")
SNAPSHOT_DOC = (
    "``invoice_snapshot`` (an :class:`~stripe_credit_notes.validation.InvoiceSnapshot`) states "
    "the invoice's ``amount_remaining`` and ``status`` so the allocation check is exact."
)

PAGE_DOC = (
    "Returns the first page; iterating it walks every item across pages, fetching one page at "
    "a time."
)

ASYNC_PAGE_DOC = (
    "Returns an :class:`~stripe_credit_notes.AsyncPager`: ``await`` it for the first page, or "
    "``async for`` over every item across pages."
)

RAW_DOC = (
    "The same methods, returning the response's status, headers and request id along with "
    "the decoded object."
)


def class_name(resource: Resource, is_async: bool = False, raw: bool = False) -> str:
    """``CreditNotes``, ``AsyncCreditNotes``, ``CreditNotesWithRawResponse``, ..."""
    return (
        ("Async" if is_async else "") + pascal(resource.name) + ("WithRawResponse" if raw else "")
    )


def _options(o: Operation) -> list[tuple[str, str]]:
    options = [(n, t) for n, t in OPTIONS if n != "idempotency_key" or o.http == "POST"]
    if o.op.allocation_checked:
        options.append(SNAPSHOT_OPTION)
    return options


def _returns(o: Operation, is_async: bool) -> str:
    if o.item is None:
        return o.response.rpartition(":")[2]
    item = o.item.rpartition(":")[2]
    return f"AsyncPager[{item}]" if is_async else f"Page[{item}]"


def _doc(o: Operation, is_async: bool, resource: Resource) -> str:
    if is_async:
        # The sync method carries the spec's description; the async one points at it.
        doc = o.summary.rstrip(".") + f" (``{o.http} {o.path}``).\n\n"
        doc += (
            f"The async form of :meth:`{class_name(resource)}.{o.method}`, with the same options."
        )
        if o.item is not None:
            doc += " " + ASYNC_PAGE_DOC
        return doc
    doc = o.summary.rstrip(".") + f" (``{o.http} {o.path}``)."
    if o.description and o.description != o.summary:
        doc += "\n\n" + o.description
    doc += "\n\n" + (OPTIONS_DOC if o.http == "POST" else GET_OPTIONS_DOC)
    if o.op.allocation_checked:
        doc += " " + SNAPSHOT_DOC
    if o.item is not None:
        doc += "\n\n" + PAGE_DOC
    return doc


def _embedded_doc(o: Operation, resource: Resource, is_async: bool) -> str:
    field, arg = o.op.embedded, o.path_param
    if is_async:
        return (
            f"Every item of ``{arg}.{field}``, fetching the rest through :meth:`{o.method}`.\n\n"
            f"The async form of :meth:`{class_name(resource)}.{field}`, with the same options. "
            "Returns an :class:`~stripe_credit_notes.AsyncPager`: ``await`` it for the embedded "
            "first page (nothing is sent), or ``async for`` over every item."
        )
    return (
        f"Every item of ``{arg}.{field}``, fetching the rest through :meth:`{o.method}`.\n\n"
        f"``{arg}.{field}`` is the first page embedded in the "
        f":class:`~stripe_credit_notes.models.{pascal(resource.model)}`; this returns it as a "
        "page (no request is made for it), and iterating the page walks every item, fetching "
        f"the next page through :meth:`{o.method}` with ``starting_after`` the last item held."
        "\n\n"
        "Per-call options, for the pages fetched: ``stripe_account`` (pass the account the "
        "object came from), ``api_version``, ``timeout``, ``deadline``, ``max_retries`` and "
        "``validate``."
    )


def _def(
    o: Operation, name: str, first: list[str], tail: list[str], doc: str, body: str, is_async: bool
) -> str:
    """One method: ``first`` and the options as parameters, ``tail`` after them, then ``body``
    called with the operation's options (``{options}`` in ``body``)."""
    options = _options(o)
    args = ["self", *first, "*", *(f"{n}: {tp} = None" for n, tp in options), *tail]
    passed = "RequestOptions(" + ", ".join(f"{n}={n}" for n, _ in options) + ")"
    return (
        f"    {name}(\n"
        f"        {', '.join(args)},\n"
        f"    ) -> {_returns(o, is_async)}:\n"
        + docstring(doc, "        ")
        + f"        return {body.format(options=passed)}\n"
    )


def _embedded_method(o: Operation, resource: Resource, is_async: bool) -> str:
    """``lines(credit_note)``: the embedded first page of ``o``'s list, paged on through ``o``."""
    first = [f"{o.path_param}: {pascal(resource.model)}", "/"]
    body = f'self._embedded({o.constant}, {o.path_param}, "{o.op.embedded}", {{options}})'
    doc = _embedded_doc(o, resource, is_async)
    return _def(o, f"def {o.op.embedded}", first, [], doc, body, is_async)


def _method(o: Operation, resource: Resource, is_async: bool) -> str:
    first = [f"{o.path_param}: str", "/"] if o.path_param else []
    # Async list methods are plain functions returning an AsyncPager (awaitable and iterable).
    coroutine = is_async and o.item is None
    primitive = "_request" if o.item is None else "_list"
    awaited = "await " if coroutine else ""
    body = f"{awaited}self.{primitive}({o.constant}, {o.path_param or 'None'}, params, {{options}})"
    tail = [f"**params: Unpack[{o.params_class}]"]
    name = f"{'async def' if coroutine else 'def'} {o.method}"
    return _def(o, name, first, tail, _doc(o, is_async, resource), body, is_async)


def render_resource(resource: Resource, ops: list[Operation], header: str) -> str:
    """The source text of ``resources/<resource>.py``."""
    names = [class_name(resource, a, r) for a in (False, True) for r in (False, True)]
    models: dict[str, set[str]] = {}
    for o in ops:
        module, _, cls = (o.item or o.response).rpartition(":")
        models.setdefault(module or "models", set()).add(cls)
        if o.op.embedded:  # the embedded method takes the resource's object
            models.setdefault("models", set()).add(pascal(resource.model))
    pages = sorted({"Page" if not a else "AsyncPager" for o in ops if o.item for a in (0, 1)})
    snapshot = any(o.op.allocation_checked for o in ops)
    out = [header]
    out.append(f'"""The typed methods of ``client.{resource.name}`` (sync and async).\n\n')
    out.append("Each method hands the call to the client; the ``with_raw_response`` views reuse\n")
    out.append('the same methods (see ``stripe_credit_notes._resource``).\n"""\n\n')
    out.append("from __future__ import annotations\n\n")
    out.append("from typing import TYPE_CHECKING\n\n")
    out.append("from .._core import RequestOptions\n")
    out.append(f"from .._operations import {', '.join(sorted(o.constant for o in ops))}\n")
    out.append(
        "from .._resource import (\n    AsyncAPIResource,\n    AsyncRawResponse,\n"
        "    SyncAPIResource,\n    SyncRawResponse,\n    to_raw_response,\n)\n\n"
    )
    out.append("if TYPE_CHECKING:\n")
    out.append("    import httpx\n")
    out.append("    from typing_extensions import Unpack\n\n")
    if pages:
        out.append(f"    from .._pagination import {', '.join(pages)}\n")
    for module in sorted(models):
        out.append(f"    from ..{module} import {', '.join(sorted(models[module]))}\n")
    out.append(f"    from ..params import {', '.join(sorted(o.params_class for o in ops))}\n")
    if snapshot:
        out.append("    from ..validation import InvoiceSnapshot\n")
    out.append("\n__all__ = [" + ", ".join(f'"{n}"' for n in sorted(names)) + "]\n\n")
    for is_async in (False, True):
        plain = class_name(resource, is_async)
        raw = class_name(resource, is_async, raw=True)
        client = "AsyncClient" if is_async else "Client"
        base = "AsyncAPIResource" if is_async else "SyncAPIResource"
        out.append(f"\nclass {plain}({base}):\n")
        out.append(
            docstring(
                f"{resource.summary}\n\nThe ``{resource.name}`` of {'an' if is_async else 'a'} :class:`~stripe_credit_notes.{client}`.",
                "    ",
            )
        )
        out.append("\n    __slots__ = ()\n\n")
        out.append("    @property\n")
        out.append(f"    def with_raw_response(self) -> {raw}:\n")
        out.append(docstring(RAW_DOC, "        "))
        out.append(f"        return {raw}(self._client)\n\n")
        for o in ops:
            out.append(_method(o, resource, is_async))
            out.append("\n")
            if o.op.embedded and o.path_param:
                out.append(_embedded_method(o, resource, is_async))
                out.append("\n")
        out.append(f"\nclass {raw}({'AsyncRawResponse' if is_async else 'SyncRawResponse'}):\n")
        out.append(
            docstring(
                f"The methods of :class:`{plain}`, each returning an "
                ":class:`~stripe_credit_notes.APIResponse` around what it returns.",
                "    ",
            )
        )
        out.append("\n    __slots__ = ()\n\n")
        for o in ops:
            out.append(f"    {o.method} = to_raw_response({plain}.{o.method})\n")
        out.append("\n")
    return "".join(out)


def render_package(resources: tuple[Resource, ...], header: str) -> str:
    """The source text of ``resources/__init__.py``: the clients' lazy resource attributes."""
    out = [header]
    out.append('"""The resources of the clients, one module each, created on first use.\n\n')
    out.append(
        "``Client`` and ``AsyncClient`` inherit the attributes below; a resource's module is\n"
    )
    out.append(
        'imported the first time its attribute is read, so building a client stays cheap.\n"""\n\n'
    )
    out.append("from __future__ import annotations\n\n")
    out.append("from functools import cached_property\n")
    out.append("from typing import TYPE_CHECKING, cast\n\n")
    out.append("if TYPE_CHECKING:\n")
    out.append("    from .._client import AsyncClient, Client\n")
    for r in resources:
        out.append(f"    from .{r.name} import {class_name(r, True)}, {class_name(r)}\n")
    out.append('\n__all__ = ["AsyncResources", "SyncResources"]\n\n')
    for is_async in (False, True):
        mixin = "AsyncResources" if is_async else "SyncResources"
        client = "AsyncClient" if is_async else "Client"
        out.append(f"\nclass {mixin}:\n")
        out.append(
            docstring(f"The resource attributes of :class:`~stripe_credit_notes.{client}`.", "    ")
        )
        for r in resources:
            cls = class_name(r, is_async)
            out.append("\n    @cached_property\n")
            out.append(f"    def {r.name}(self) -> {cls}:\n")
            out.append(docstring(r.summary, "        "))
            out.append(f"        from .{r.name} import {cls}\n\n")
            out.append(f'        return {cls}(cast("{client}", self))\n')
        out.append("\n")
    return "".join(out)
