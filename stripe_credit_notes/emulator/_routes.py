"""HTTP handling independent of the socket layer: one ``Request`` in, one ``Response`` out.

Order of work for a Stripe route (``/v1/...``):

1. a pending fault may fire (drop, error status, or a delay before handling);
2. authentication (``Authorization: Bearer sk_test_...``), else 401;
3. the ``Stripe-Version`` header (default ``2026-09-30.endive``), else 400;
4. form parsing; then, under the state lock, the idempotency check, the route's handler and
   saving the idempotent result.

``/_emulator/...`` setup routes go to ``_admin`` and skip faults and authentication.
"""

from __future__ import annotations

import base64
import binascii
import copy
import hashlib
import json
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from . import _rules
from ._admin import Admin
from ._errors import ApiError, redact_key, resource_missing
from ._events import credit_note_renderer
from ._faults import Fault, FaultKind, FaultQueue
from ._forms import FormError, FormTree, parse_form
from ._http import Request, Response, json_body, new_request_id
from ._idempotency import MAX_KEY_LENGTH, IdempotencyCache, SavedResponse
from ._limits import Limits, LimitSettings, process_limited
from ._lists import paginate
from ._params import (
    coerce_params,
    create_schema,
    list_lines_schema,
    list_schema,
    preview_lines_schema,
    preview_schema,
    retrieve_schema,
    update_schema,
    void_schema,
)
from ._render import (
    credit_note_expandable,
    invoice_expandable,
    parse_expand,
    render_credit_note,
    render_customer,
    render_invoice,
    render_line,
    render_list,
    render_refund,
)
from ._state import CreditNote, Store, new_id
from ._versions import ApiVersion
from ._webhooks import Webhooks

_T = TypeVar("_T")

__all__ = ["Application"]

JSON = dict[str, Any]


@dataclass(frozen=True)
class Call:
    """What a route handler gets."""

    version: ApiVersion
    params: FormTree
    args: tuple[str, ...]
    request_id: str | None = None
    idempotency_key: str | None = None


Handler = Callable[[Call], JSON]


class Application:
    """The emulator's request handling; thread-safe."""

    def __init__(
        self,
        store: Store,
        faults: FaultQueue,
        *,
        default_version: ApiVersion,
        api_keys: frozenset[str] | None = None,
        stopping: threading.Event | None = None,
        limits: Limits | None = None,
    ) -> None:
        self.store = store
        self.faults = faults
        self.idempotency = IdempotencyCache(clock=lambda: float(store.now()))
        self.limit_settings = LimitSettings(limits)
        self.default_version = default_version
        self.api_keys = api_keys
        self.stopping = stopping or threading.Event()
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = [
            ("GET", re.compile(r"/v1/credit_notes"), self._list),
            ("POST", re.compile(r"/v1/credit_notes"), self._create),
            ("GET", re.compile(r"/v1/credit_notes/preview"), self._preview),
            ("GET", re.compile(r"/v1/credit_notes/preview/lines"), self._preview_lines),
            ("GET", re.compile(r"/v1/credit_notes/([^/]+)"), self._retrieve),
            ("POST", re.compile(r"/v1/credit_notes/([^/]+)"), self._update),
            ("GET", re.compile(r"/v1/credit_notes/([^/]+)/lines"), self._lines),
            ("POST", re.compile(r"/v1/credit_notes/([^/]+)/void"), self._void),
            ("GET", re.compile(r"/v1/invoices/([^/]+)"), self._invoice),
            ("GET", re.compile(r"/v1/customers/([^/]+)"), self._customer),
            ("GET", re.compile(r"/v1/refunds/([^/]+)"), self._refund),
            ("GET", re.compile(r"/v1/events"), lambda c: self.webhooks.events.list_route(c.params)),
            ("GET", re.compile(r"/v1/events/([^/]+)"), self._event),
        ]
        self.webhooks = Webhooks(default_version, store.now)
        self.admin = Admin(
            store,
            faults,
            self.idempotency,
            default_version,
            self.webhooks,
            limits=self.limit_settings,
        )

    # Pipeline --------------------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        request_id = new_request_id()
        if request.path == "/_emulator" or request.path.startswith("/_emulator/"):
            response = self.admin.handle(request)
            response.headers.setdefault("Request-Id", request_id)
            return response
        fault = self.faults.take(request.method, request.path)
        if fault is not None:
            if fault.kind is FaultKind.DROP_BEFORE:
                return Response(0, drop=True)
            if fault.kind is FaultKind.SLOW:
                self.stopping.wait(fault.delay)
            elif fault.kind is not FaultKind.DROP_AFTER:
                return self._fault_response(fault, request_id)
        response = process_limited(self, request, request_id)
        if fault is not None and fault.kind is FaultKind.DROP_AFTER:
            return Response(0, drop=True)
        return response

    def _base_headers(self, request_id: str, version: str) -> dict[str, str]:
        return {
            "Content-Type": "application/json",
            "Cache-Control": "no-cache, no-store",
            "Request-Id": request_id,
            "Stripe-Version": version,
        }

    def _error(self, error: ApiError, request_id: str, version: str) -> Response:
        headers = self._base_headers(request_id, version)
        headers.update(error.headers)
        return Response(error.status, json_body(error.body()), headers)

    def _fault_response(self, fault: Fault, request_id: str) -> Response:
        if fault.kind is FaultKind.SERVER_ERROR:
            error = ApiError(
                500,
                "An unexpected error occurred while handling the request (emulated fault).",
                type="api_error",
            )
        elif fault.kind is FaultKind.SERVICE_UNAVAILABLE:
            error = ApiError(
                503,
                "The API is temporarily unavailable; retry the request (emulated fault).",
                type="api_error",
                headers={"Stripe-Should-Retry": "true"},
            )
        elif fault.kind is FaultKind.LOCK_TIMEOUT:
            error = ApiError(
                429,
                "The object is locked by another request right now; retry the request "
                "(emulated fault).",
                code="lock_timeout",
            )
        else:
            error = ApiError(
                409,
                "Another request with the same Idempotency-Key is in progress; retry later "
                "(emulated fault).",
                type="idempotency_error",
            )
        return self._error(error, request_id, self.default_version.raw)

    def _authenticate(self, request: Request) -> str:
        header = request.header("authorization") or ""
        scheme, _, credentials = header.strip().partition(" ")
        key: str | None = None
        if scheme.lower() == "bearer":
            key = credentials.strip()
        elif scheme.lower() == "basic":
            try:
                decoded = base64.b64decode(credentials.strip(), validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                decoded = ""
            key = decoded.partition(":")[0]
        unauthorized = {"WWW-Authenticate": 'Basic realm="Stripe"'}
        if not key:
            raise ApiError(
                401,
                "No API key provided. Send your secret key in the Authorization header "
                "('Authorization: Bearer sk_test_...').",
                headers=unauthorized,
                saved=False,
            )
        if not key.startswith("sk_test_") or len(key) <= len("sk_test_"):
            raise ApiError(
                401,
                f"Invalid API Key provided: {redact_key(key)}. The emulator accepts test mode "
                "secret keys (sk_test_...) only.",
                headers=unauthorized,
                saved=False,
            )
        if self.api_keys is not None and key not in self.api_keys:
            raise ApiError(
                401,
                f"Invalid API Key provided: {redact_key(key)}",
                headers=unauthorized,
                saved=False,
            )
        return key

    def _version(self, request: Request) -> ApiVersion:
        value = request.header("stripe-version")
        if value is None or not value.strip():
            return self.default_version
        try:
            return ApiVersion.parse(value)
        except ValueError:
            raise ApiError(
                400,
                f"Invalid Stripe API version: {value}. Versions look like 2026-09-30.endive.",
                saved=False,
            ) from None

    def _params(self, request: Request) -> FormTree:
        raw = request.query
        if request.method == "POST" and request.body:
            content_type = (request.header("content-type") or "").split(";")[0].strip().lower()
            if content_type not in ("", "application/x-www-form-urlencoded"):
                raise ApiError(
                    400,
                    f"Invalid request: unsupported Content-Type {content_type}. Send "
                    "application/x-www-form-urlencoded parameters.",
                    saved=False,
                )
            try:
                body = request.body.decode("utf-8")
            except UnicodeDecodeError:
                raise ApiError(400, "Invalid request body: not UTF-8.", saved=False) from None
            raw = f"{raw}&{body}" if raw else body
        try:
            return parse_form(raw)
        except FormError as exc:
            raise ApiError(400, str(exc), param=exc.key or None, saved=False) from None

    def _route(self, request: Request) -> tuple[Handler, tuple[str, ...]]:
        for method, pattern, handler in self._routes:
            match = pattern.fullmatch(request.path)
            if match is not None and method == request.method:
                return handler, tuple(match.groups())
        raise ApiError(
            404,
            f"Unrecognized request URL ({request.method}: {request.path}). The emulator serves "
            "the credit notes API (see docs/emulator.md).",
            saved=False,
        )

    def _process(self, request: Request, request_id: str) -> Response:
        version_name = self.default_version.raw
        try:
            api_key = self._authenticate(request)
            version = self._version(request)
            version_name = version.raw
            handler, args = self._route(request)
            params = self._params(request)
        except ApiError as error:
            return self._error(error, request_id, version_name)
        key = request.header("idempotency-key") if request.method == "POST" else None
        if key is not None and len(key) > MAX_KEY_LENGTH:
            too_long = ApiError(
                400,
                f"Idempotency-Key is {len(key)} characters long; at most {MAX_KEY_LENGTH} "
                "are allowed.",
                type="idempotency_error",
                saved=False,
            )
            return self._error(too_long, request_id, version_name)
        with self.store.lock:
            if key is not None:
                lifetime = self.limit_settings.current.idempotency_lifetime
                saved = self.idempotency.get(api_key, key, lifetime)
                if saved is not None:
                    return self._replay(saved, request, params, key, request_id)
            try:
                call = Call(version, params, args, request_id, key)
                status, body, save = 200, handler(call), True
                payload = json_body(body)
            except ApiError as error:
                status, payload, save = error.status, json_body(error.body()), error.saved
                extra = error.headers
            else:
                extra = {}
            headers = self._base_headers(request_id, version_name)
            headers.update(extra)
            if key is not None:
                headers["Idempotency-Key"] = key
                if save:
                    self.idempotency.put(
                        api_key,
                        key,
                        SavedResponse(
                            method=request.method,
                            path=request.path,
                            params=params,
                            status=status,
                            body=payload,
                            stripe_version=version_name,
                            request_id=request_id,
                        ),
                    )
            return Response(status, payload, headers)

    def _replay(
        self, saved: SavedResponse, request: Request, params: FormTree, key: str, request_id: str
    ) -> Response:
        if (saved.method, saved.path) != (request.method, request.path):
            error = ApiError(
                400,
                f"Idempotency-Key '{key}' was first used for {saved.method} {saved.path}, not "
                f"{request.method} {request.path}. Use a new key for a different request.",
                type="idempotency_error",
                saved=False,
            )
            return self._error(error, request_id, saved.stripe_version)
        if saved.params != params:
            error = ApiError(
                400,
                f"Idempotency-Key '{key}' was first used with different parameters. Use a new "
                "key for a different request.",
                type="idempotency_error",
                saved=False,
            )
            return self._error(error, request_id, saved.stripe_version)
        headers = self._base_headers(request_id, saved.stripe_version)
        headers["Idempotency-Key"] = key
        headers["Idempotent-Replayed"] = "true"
        headers["Original-Request"] = saved.request_id
        return Response(saved.status, saved.body, headers)

    # Stripe routes -----------------------------------------------------------------------------

    def _note(self, note_id: str) -> CreditNote:
        note = self.store.credit_notes.get(note_id)
        if note is None:
            raise resource_missing("credit note", note_id, param="id", status=404)
        return note

    def _list(self, call: Call) -> JSON:
        params = coerce_params(list_schema(), call.params)
        expand = parse_expand(
            params.get("expand"), credit_note_expandable(call.version), is_list=True
        )
        created = params.get("created")

        def include(note: CreditNote) -> bool:
            if params.get("invoice") is not None and note.invoice != params["invoice"]:
                return False
            if params.get("customer") is not None and note.customer != params["customer"]:
                return False
            if params.get("customer_account") is not None:
                return False  # the emulator has no customer accounts
            if isinstance(created, int):
                return note.created == created
            if isinstance(created, dict):
                bounds: list[tuple[str, Callable[[int, int], bool]]] = [
                    ("gt", lambda a, b: a > b),
                    ("gte", lambda a, b: a >= b),
                    ("lt", lambda a, b: a < b),
                    ("lte", lambda a, b: a <= b),
                ]
                return all(
                    test(note.created, created[name])
                    for name, test in bounds
                    if created.get(name) is not None
                )
            return True

        ordered = sorted(
            self.store.credit_notes.values(), key=lambda n: (n.created, n.sequence), reverse=True
        )
        page, has_more = paginate(
            ordered, params, ident=lambda n: n.id, kind="credit note", include=include
        )
        data = [
            render_credit_note(self.store, note, call.version, expand.get("data", {}))
            for note in page
        ]
        return render_list(data, "/v1/credit_notes", has_more)

    def _create(self, call: Call) -> JSON:
        params = coerce_params(create_schema(call.version), call.params)
        expand = parse_expand(params.get("expand"), credit_note_expandable(call.version))
        draft = _rules.build_draft(
            self.store, call.version, params, line_id=lambda _index: new_id("cnli")
        )
        note = _rules.issue(self.store, draft)
        self._emit("credit_note.created", call, note)
        return render_credit_note(self.store, note, call.version, expand)

    def _preview_draft(self, call: Call, params: Mapping[str, Any]) -> tuple[_rules.Draft, str]:
        """The draft of a preview, with ids derived from the parameters: the same request
        gets the same line ids, so ``preview/lines`` can be paged through."""
        ignored = {"expand", "limit", "starting_after", "ending_before"}
        canonical = json.dumps(
            {k: v for k, v in call.params.items() if k not in ignored}, sort_keys=True
        )
        digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]
        draft = _rules.build_draft(
            self.store,
            call.version,
            params,
            line_id=lambda index: f"cnli_preview_{digest}{index:03d}",
        )
        return draft, digest

    def _preview(self, call: Call) -> JSON:
        params = coerce_params(preview_schema(call.version), call.params)
        expand = parse_expand(params.get("expand"), credit_note_expandable(call.version))
        draft, digest = self._preview_draft(call, params)
        note = _rules.preview(self.store, draft, f"cn_preview_{digest}")
        return render_credit_note(
            self.store, note, call.version, expand, lines_url="/v1/credit_notes/preview/lines"
        )

    def _preview_lines(self, call: Call) -> JSON:
        params = coerce_params(preview_lines_schema(call.version), call.params)
        parse_expand(params.get("expand"), {}, is_list=True)
        draft, _digest = self._preview_draft(call, params)
        page, has_more = paginate(
            draft.lines, params, ident=lambda line: line.id, kind="credit note line item"
        )
        data = [render_line(self.store, line, call.version) for line in page]
        return render_list(data, "/v1/credit_notes/preview/lines", has_more)

    def _retrieve(self, call: Call) -> JSON:
        params = coerce_params(retrieve_schema(), call.params)
        expand = parse_expand(params.get("expand"), credit_note_expandable(call.version))
        return render_credit_note(self.store, self._note(call.args[0]), call.version, expand)

    def _update(self, call: Call) -> JSON:
        params = coerce_params(update_schema(), call.params)
        expand = parse_expand(params.get("expand"), credit_note_expandable(call.version))
        note = self._note(call.args[0])
        before = copy.deepcopy(note)
        _rules.apply_update(note, params)
        self._emit("credit_note.updated", call, note, before)
        return render_credit_note(self.store, note, call.version, expand)

    def _lines(self, call: Call) -> JSON:
        params = coerce_params(list_lines_schema(), call.params)
        parse_expand(params.get("expand"), {}, is_list=True)
        note = self._note(call.args[0])
        page, has_more = paginate(
            note.lines, params, ident=lambda line: line.id, kind="credit note line item"
        )
        data = [render_line(self.store, line, call.version) for line in page]
        return render_list(data, f"/v1/credit_notes/{note.id}/lines", has_more)

    def _void(self, call: Call) -> JSON:
        params = coerce_params(void_schema(), call.params)
        expand = parse_expand(params.get("expand"), credit_note_expandable(call.version))
        note = self._note(call.args[0])
        _rules.void(self.store, note)
        self._emit("credit_note.voided", call, note)
        return render_credit_note(self.store, note, call.version, expand)

    def _emit(
        self, event_type: str, call: Call, note: CreditNote, before: CreditNote | None = None
    ) -> None:
        """Record the event; its deliveries happen later, off this request's path."""
        self.webhooks.emit(
            event_type,
            credit_note_renderer(self.store, note, before),
            request_id=call.request_id,
            idempotency_key=call.idempotency_key,
        )

    def _event(self, call: Call) -> JSON:
        return self.webhooks.events.retrieve_route(call.params, call.args[0])

    def _invoice(self, call: Call) -> JSON:
        params = coerce_params(retrieve_schema(), call.params)
        expand = parse_expand(params.get("expand"), invoice_expandable())
        invoice = self.store.invoices.get(call.args[0])
        if invoice is None:
            raise resource_missing("invoice", call.args[0], param="id", status=404)
        return render_invoice(self.store, invoice, expand)

    def _refund(self, call: Call) -> JSON:
        # The SDK's opt-in pre-validation fetch reads a linked refund's amount from here.
        return render_refund(self._stored(call, "refund", self.store.refunds))

    def _customer(self, call: Call) -> JSON:
        return render_customer(self._stored(call, "customer", self.store.customers))

    @staticmethod
    def _stored(call: Call, kind: str, objects: Mapping[str, _T]) -> _T:
        """The object a plain retrieve (``expand`` not supported) names, or its 404."""
        params = coerce_params(retrieve_schema(), call.params)
        parse_expand(params.get("expand"), {})
        found = objects.get(call.args[0])
        if found is None:
            raise resource_missing(kind, call.args[0], param="id", status=404)
        return found
