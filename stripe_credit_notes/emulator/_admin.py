"""The ``/_emulator/...`` setup routes: seed state, inspect it, inject faults, move the clock.

They are not part of Stripe's API: no authentication, no faults, no idempotency. Bodies may be
JSON (``Content-Type: application/json``) or form-encoded with bracket keys
(``lines[0][amount]=1000``). Responses are JSON; errors use Stripe's error shape.

=======  ====================================  ==========================================
method   path                                  body / query
=======  ====================================  ==========================================
GET      /_emulator/health                     -
POST     /_emulator/reset                      -
POST     /_emulator/customers                  balance, currency, name, email, id
GET      /_emulator/customers/{id}             -
POST     /_emulator/tax_rates                  percentage, inclusive, display_name
POST     /_emulator/invoices                   lines[], customer, currency, paid,
                                               amount_paid, number, shipping
GET      /_emulator/invoices/{id}              -
POST     /_emulator/invoices/{id}/pay          amount (default: all of amount_remaining)
POST     /_emulator/refunds                    invoice, amount
GET      /_emulator/credit_notes/count         invoice, status (query)
GET      /_emulator/faults                     -
POST     /_emulator/faults                     kind, count, method, path, delay
DELETE   /_emulator/faults                     -
POST     /_emulator/clock                      now (freeze), advance (seconds), real=true
GET      /_emulator/limits                     -
POST     /_emulator/limits                     rate_limit, idempotency_lifetime,
                                               invoice_lock, lock_wait, lock_hold
POST     /_emulator/webhook_endpoints          url, enabled_events[], api_version
GET      /_emulator/webhook_endpoints          - (secrets are shown only on creation)
DELETE   /_emulator/webhook_endpoints/{id}     -
POST     /_emulator/webhook_settings           max_attempts, backoff, max_backoff, timeout
GET      /_emulator/deliveries                 event, endpoint (query)
=======  ====================================  ==========================================
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from ._errors import ApiError
from ._faults import Fault, FaultQueue
from ._forms import MAX_DEPTH, FormError, FormNode, parse_form
from ._http import Request, Response, json_body
from ._idempotency import IdempotencyCache
from ._limits import LimitSettings
from ._render import render_customer, render_invoice, render_refund, render_tax_rate
from ._state import Store
from ._versions import ApiVersion
from ._webhooks import Webhooks

__all__ = ["Admin"]

JSON = dict[str, Any]
AdminHandler = Callable[[Mapping[str, Any], tuple[str, ...]], JSON]


def _listify(node: Any) -> Any:
    """Form trees keep ``{"0": ..., "1": ...}``; turn those into lists, recursively."""
    if isinstance(node, dict):
        if node and all(k.isdigit() for k in node):
            return [_listify(node[k]) for k in sorted(node, key=int)]
        return {k: _listify(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_listify(v) for v in node]
    return node


def _too_deep(value: Any) -> bool:
    """Nested beyond ``MAX_DEPTH``; checked without recursion, as the handlers then recurse."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, (dict, list)):
            if depth > MAX_DEPTH:
                return True
            children = node.values() if isinstance(node, dict) else node
            stack.extend((child, depth + 1) for child in children)
    return False


def _int(value: Any, name: str) -> int:
    if isinstance(value, bool):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value):
        return int(value)
    raise ValueError(f"{name} must be an integer, got {value!r}")


def _opt_int(data: Mapping[str, Any], name: str) -> int | None:
    value = data.get(name)
    return None if value is None or value == "" else _int(value, name)


def _bool(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return bool(value == "true")
    raise ValueError(f"{name} must be true or false, got {value!r}")


def _only(data: Mapping[str, Any], allowed: set[str]) -> None:
    unknown = set(data) - allowed
    if unknown:
        raise ValueError(f"unknown fields: {sorted(unknown)}; allowed: {sorted(allowed)}")


class Admin:
    def __init__(
        self,
        store: Store,
        faults: FaultQueue,
        idempotency: IdempotencyCache,
        default_version: ApiVersion,
        webhooks: Webhooks | None = None,
        *,
        limits: LimitSettings | None = None,
    ) -> None:
        self.limits = limits or LimitSettings()
        self.store = store
        self.faults = faults
        self.idempotency = idempotency
        self.default_version = default_version
        self._routes: list[tuple[str, re.Pattern[str], AdminHandler]] = [
            ("GET", re.compile(r"/_emulator/health"), self._health),
            ("POST", re.compile(r"/_emulator/reset"), self._reset),
            ("POST", re.compile(r"/_emulator/customers"), self._create_customer),
            ("GET", re.compile(r"/_emulator/customers/([^/]+)"), self._get_customer),
            ("POST", re.compile(r"/_emulator/tax_rates"), self._create_tax_rate),
            ("POST", re.compile(r"/_emulator/invoices"), self._create_invoice),
            ("GET", re.compile(r"/_emulator/invoices/([^/]+)"), self._get_invoice),
            ("POST", re.compile(r"/_emulator/invoices/([^/]+)/pay"), self._pay_invoice),
            ("POST", re.compile(r"/_emulator/refunds"), self._create_refund),
            ("GET", re.compile(r"/_emulator/credit_notes/count"), self._count),
            ("GET", re.compile(r"/_emulator/faults"), self._list_faults),
            ("POST", re.compile(r"/_emulator/faults"), self._add_fault),
            ("DELETE", re.compile(r"/_emulator/faults"), self._clear_faults),
            ("POST", re.compile(r"/_emulator/clock"), self._clock),
            ("GET", re.compile(r"/_emulator/limits"), self._get_limits),
            ("POST", re.compile(r"/_emulator/limits"), self._set_limits),
        ]
        self.webhooks = webhooks
        if webhooks is not None:
            self._routes.extend(webhooks.admin_routes())

    def reset(self) -> None:
        """Forget everything: objects, idempotent results, faults, clock and limit changes."""
        with self.store.lock:
            self.store.reset()
            self.idempotency.clear()
            self.faults.clear()
            self.limits.reset()
            if self.webhooks is not None:
                self.webhooks.reset()

    def handle(self, request: Request) -> Response:
        headers = {"Content-Type": "application/json", "Cache-Control": "no-cache, no-store"}
        try:
            handler, args = self._route(request)
            data = self._data(request)
            with self.store.lock:
                body = handler(data, args)
            return Response(200, json_body(body), headers)
        except ApiError as error:
            return Response(error.status, json_body(error.body()), headers)
        except (ValueError, KeyError, TypeError) as exc:
            message = str(exc) if not isinstance(exc, KeyError) else f"missing field {exc}"
            setup_error = ApiError(400, f"Emulator setup error: {message}")
            return Response(400, json_body(setup_error.body()), headers)

    def _route(self, request: Request) -> tuple[AdminHandler, tuple[str, ...]]:
        for method, pattern, handler in self._routes:
            match = pattern.fullmatch(request.path)
            if match is not None and method == request.method:
                return handler, tuple(match.groups())
        raise ApiError(404, f"Unrecognized emulator route ({request.method}: {request.path}).")

    def _data(self, request: Request) -> Mapping[str, Any]:
        content_type = (request.header("content-type") or "").split(";")[0].strip().lower()
        if request.body and content_type == "application/json":
            too_deep = ValueError(
                f"the JSON body is nested too deeply (at most {MAX_DEPTH} levels)"
            )
            try:
                data = json.loads(request.body)
            except RecursionError:  # deeper than the parser's own stack
                raise too_deep from None
            except ValueError as exc:
                raise ValueError(f"invalid JSON body: {exc}") from None
            if _too_deep(data):
                raise too_deep
            if not isinstance(data, dict):
                raise ValueError("the JSON body must be an object")
            query = _listify(parse_form(request.query)) if request.query else {}
            return {**query, **data}
        raw = request.query
        if request.body:
            body = request.body.decode("utf-8")
            raw = f"{raw}&{body}" if raw else body
        try:
            tree: dict[str, FormNode] = parse_form(raw)
        except FormError as exc:
            raise ValueError(str(exc)) from None
        result: JSON = _listify(tree)
        return result

    # Handlers --------------------------------------------------------------------------------

    def _health(self, data: Mapping[str, Any], args: tuple[str, ...]) -> JSON:
        return {"ok": True, "default_api_version": self.default_version.raw}

    def _reset(self, data: Mapping[str, Any], args: tuple[str, ...]) -> JSON:
        self.reset()
        return {"ok": True}

    def _create_customer(self, data: Mapping[str, Any], args: tuple[str, ...]) -> JSON:
        _only(data, {"balance", "currency", "name", "email", "id"})
        customer = self.store.seed_customer(
            balance=_opt_int(data, "balance") or 0,
            currency=data.get("currency", "usd"),
            name=data.get("name"),
            email=data.get("email"),
            customer_id=data.get("id"),
        )
        return render_customer(customer)

    def _get_customer(self, data: Mapping[str, Any], args: tuple[str, ...]) -> JSON:
        customer = self.store.customers.get(args[0])
        if customer is None:
            raise ApiError(404, f"No such customer: '{args[0]}'", code="resource_missing")
        return render_customer(customer)

    def _create_tax_rate(self, data: Mapping[str, Any], args: tuple[str, ...]) -> JSON:
        _only(data, {"percentage", "inclusive", "display_name", "jurisdiction", "country"})
        rate = self.store.seed_tax_rate(
            percentage=data["percentage"],
            inclusive=_bool(data.get("inclusive", False), "inclusive"),
            display_name=data.get("display_name", "Tax"),
            jurisdiction=data.get("jurisdiction"),
            country=data.get("country"),
        )
        return render_tax_rate(rate)

    def _create_invoice(self, data: Mapping[str, Any], args: tuple[str, ...]) -> JSON:
        _only(
            data,
            {
                "lines",
                "customer",
                "currency",
                "paid",
                "amount_paid",
                "number",
                "shipping",
                "metadata",
            },
        )
        raw_lines = data.get("lines") or []
        if not isinstance(raw_lines, list):
            raise ValueError("lines must be a list")
        lines = []
        for index, raw in enumerate(raw_lines):
            if isinstance(raw, (int, str)) and not isinstance(raw, bool):
                raw = {"amount": raw}  # shorthand: a bare amount
            if not isinstance(raw, dict):
                raise ValueError(f"lines[{index}] must be an amount or an object")
            line: dict[str, Any] = dict(raw)
            for name in ("amount", "unit_amount", "quantity"):
                if line.get(name) is not None:
                    line[name] = _int(line[name], f"lines[{index}][{name}]")
            lines.append(line)
        shipping = data.get("shipping")
        if isinstance(shipping, dict):
            shipping = {**shipping, "amount": _int(shipping.get("amount"), "shipping[amount]")}
        elif shipping is not None:
            shipping = _int(shipping, "shipping")
        invoice = self.store.seed_invoice(
            lines=lines,
            customer=data.get("customer"),
            currency=data.get("currency", "usd"),
            paid=_bool(data.get("paid", False), "paid"),
            amount_paid=_opt_int(data, "amount_paid"),
            number=data.get("number"),
            shipping=shipping,
            metadata=data.get("metadata"),
        )
        return render_invoice(self.store, invoice, {})

    def _get_invoice(self, data: Mapping[str, Any], args: tuple[str, ...]) -> JSON:
        invoice = self.store.invoices.get(args[0])
        if invoice is None:
            raise ApiError(404, f"No such invoice: '{args[0]}'", code="resource_missing")
        return render_invoice(self.store, invoice, {})

    def _pay_invoice(self, data: Mapping[str, Any], args: tuple[str, ...]) -> JSON:
        _only(data, {"amount"})
        invoice = self.store.pay_invoice(args[0], _opt_int(data, "amount"))
        return render_invoice(self.store, invoice, {})

    def _create_refund(self, data: Mapping[str, Any], args: tuple[str, ...]) -> JSON:
        _only(data, {"invoice", "amount"})
        refund = self.store.seed_refund(str(data["invoice"]), _int(data["amount"], "amount"))
        return render_refund(refund)

    def _count(self, data: Mapping[str, Any], args: tuple[str, ...]) -> JSON:
        _only(data, {"invoice", "status"})
        count = self.store.count_credit_notes(
            invoice=data.get("invoice") or None, status=data.get("status") or None
        )
        return {"count": count}

    def _list_faults(self, data: Mapping[str, Any], args: tuple[str, ...]) -> JSON:
        return {"faults": [fault.to_json() for fault in self.faults.pending()]}

    def _add_fault(self, data: Mapping[str, Any], args: tuple[str, ...]) -> JSON:
        fault = Fault.from_json(data)
        self.faults.add(fault)
        return {"fault": fault.to_json(), "pending": len(self.faults.pending())}

    def _clear_faults(self, data: Mapping[str, Any], args: tuple[str, ...]) -> JSON:
        self.faults.clear()
        return {"faults": []}

    def _clock(self, data: Mapping[str, Any], args: tuple[str, ...]) -> JSON:
        _only(data, {"now", "advance", "real"})
        if data.get("real") is not None and _bool(data["real"], "real"):
            self.store.set_time(None)
        if data.get("now") is not None:
            self.store.set_time(_int(data["now"], "now"))
        if data.get("advance") is not None:
            self.store.advance_time(_int(data["advance"], "advance"))
        return {"now": self.store.now()}

    def _get_limits(self, data: Mapping[str, Any], args: tuple[str, ...]) -> JSON:
        return {"limits": self.limits.current.to_json()}

    def _set_limits(self, data: Mapping[str, Any], args: tuple[str, ...]) -> JSON:
        return {"limits": self.limits.update(data).to_json()}
