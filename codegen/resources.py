"""Emits ``stripe_credit_notes/_resources.py``: the typed methods of ``client.credit_notes``.

Four classes: sync and async, each plain and ``with_raw_response``. Every method is one line
that hands the call to the client's shared implementation; only the signatures (typed keyword
parameters from the spec, plus the per-call options) and return types differ, which is why they
are generated rather than written four times by hand.
"""

from __future__ import annotations

from dataclasses import dataclass

from .text import docstring

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


# Operations whose allocation the client pre-validates; they also take an invoice snapshot.
ALLOCATION_CHECKED = ("create", "preview", "preview_lines")
SNAPSHOT_DOC = (
    "``invoice_snapshot`` (an :class:`~stripe_credit_notes.validation.InvoiceSnapshot`) states "
    "the invoice's ``amount_remaining`` and ``status`` so the allocation check is exact."
)

GET_OPTIONS_DOC = (
    "Per-call options: ``stripe_account``, ``api_version``, ``timeout`` (seconds per attempt, "
    "wall-clock), ``deadline`` (seconds for the whole call, retries included), "
    "``max_retries`` and ``validate`` (client-side pre-validation on or off)."
)


@dataclass
class Method:
    name: str
    http: str
    path: str
    path_param: str | None
    params: str
    response: str
    item: str | None
    summary: str
    description: str
    constant: str


@dataclass
class Flavour:
    cls: str
    doc: str
    is_async: bool
    raw: bool


FLAVOURS = (
    Flavour("CreditNotes", "The credit-note operations of a :class:`Client`.", False, False),
    Flavour(
        "CreditNotesWithRawResponse",
        "The same operations, returning :class:`APIResponse` (status, headers, request id).",
        False,
        True,
    ),
    Flavour(
        "AsyncCreditNotes", "The credit-note operations of an :class:`AsyncClient`.", True, False
    ),
    Flavour(
        "AsyncCreditNotesWithRawResponse",
        "The same async operations, returning :class:`APIResponse`.",
        True,
        True,
    ),
)


def _return_type(m: Method, f: Flavour) -> str:
    if m.item is not None:
        page = f"AsyncPage[{m.item}]" if f.is_async else f"Page[{m.item}]"
        if f.raw:
            return f"APIResponse[{page}]"
        return f"AsyncPager[{m.item}]" if f.is_async else page
    return f"APIResponse[{m.response}]" if f.raw else m.response


def _method(m: Method, f: Flavour) -> str:
    args = ["self"]
    if m.path_param:
        args += [f"{m.path_param}: str", "/"]
    args.append("*")
    options = [(n, t) for n, t in OPTIONS if n != "idempotency_key" or m.http == "POST"]
    if m.name in ALLOCATION_CHECKED:
        options.append(("invoice_snapshot", "InvoiceSnapshot | None"))
    args += [f"{name}: {tp} = None" for name, tp in options]
    args.append(f"**params: Unpack[{m.params}]")
    returns = _return_type(m, f)
    # Async list methods are plain functions returning an AsyncPager (awaitable and iterable).
    is_coroutine = f.is_async and not (m.item is not None and not f.raw)
    prefix = "async def" if is_coroutine else "def"
    signature = ",\n        ".join(args)
    doc = m.summary.rstrip(".") + f" (``{m.http} {m.path}``)."
    if m.description and m.description != m.summary:
        doc += "\n\n" + m.description
    doc += "\n\n" + (OPTIONS_DOC if m.http == "POST" else GET_OPTIONS_DOC)
    if m.name in ALLOCATION_CHECKED:
        doc += " " + SNAPSHOT_DOC
    if m.item is not None:
        doc += (
            "\n\nReturns the first page; iterating it walks every item across pages, "
            "fetching one page at a time."
        )
    passed = ", ".join(f"{name}={name}" for name, _ in options)
    target = m.path_param or "None"
    call = f"{m.constant}, {target}, params, RequestOptions({passed})"
    if m.item is not None:
        if f.is_async and not f.raw:
            body = f"return AsyncPager(lambda: self._client._page({call}))"
        elif f.is_async:
            body = f"return await self._client._page_response({call})"
        elif f.raw:
            body = f"return self._client._page_response({call})"
        else:
            body = f"return self._client._page({call})"
    else:
        awaited = "await " if f.is_async else ""
        suffix = "" if f.raw else ".parsed"
        if f.is_async and not f.raw:
            body = f"return (await self._client._request({call})).parsed"
        else:
            body = f"return {awaited}self._client._request({call}){suffix}"
    return (
        f"    {prefix} {m.name}(\n        {signature},\n    ) -> {returns}:\n"
        + docstring(doc, "        ")
        + f"        {body}\n"
    )


def render(methods: list[Method], models: list[str], params: list[str], header: str) -> str:
    """The source text of ``_resources.py``."""
    out = [header]
    out.append('"""The typed methods of ``client.credit_notes`` (sync and async).\n\n')
    out.append("Each method is one line: the shared implementation lives in the clients.\n")
    out.append('"""\n\n')
    out.append("from __future__ import annotations\n\n")
    out.append("from typing import TYPE_CHECKING\n\n")
    out.append("from ._core import RequestOptions\n")
    out.append("from ._operations import " + ", ".join(sorted(m.constant for m in methods)) + "\n")
    out.append("from ._pagination import AsyncPage, AsyncPager, Page\n")
    out.append("from ._response import APIResponse\n\n")
    out.append("if TYPE_CHECKING:\n")
    out.append("    import httpx\n")
    out.append("    from typing_extensions import Unpack\n\n")
    out.append("    from ._client import AsyncClient, Client\n")
    out.append("    from .models import " + ", ".join(sorted(models)) + "\n")
    out.append("    from .params import " + ", ".join(sorted(params)) + "\n")
    out.append("    from .validation import InvoiceSnapshot\n\n")
    out.append("__all__ = [" + ", ".join(f'"{f.cls}"' for f in FLAVOURS) + "]\n\n")
    for f in FLAVOURS:
        client = "AsyncClient" if f.is_async else "Client"
        out.append(f"\nclass {f.cls}:\n")
        out.append(docstring(f.doc, "    "))
        out.append('\n    __slots__ = ("_client",)\n\n')
        out.append(f"    def __init__(self, client: {client}) -> None:\n")
        out.append("        self._client = client\n\n")
        if not f.raw:
            raw_cls = f.cls.replace("CreditNotes", "CreditNotesWithRawResponse")
            out.append("    @property\n")
            out.append(f"    def with_raw_response(self) -> {raw_cls}:\n")
            out.append(
                docstring(
                    "The same methods, returning the response's status, headers and request "
                    "id along with the decoded object.",
                    "        ",
                )
            )
            out.append(f"        return {raw_cls}(self._client)\n\n")
        for m in methods:
            out.append(_method(m, f))
            out.append("\n")
    return "".join(out)
