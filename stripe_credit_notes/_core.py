"""Everything both clients share, with no I/O: building requests and reading responses.

``Client`` and ``AsyncClient`` differ only in how they send a prepared request and sleep between
attempts; what goes on the wire, what a response means and whether to retry are decided here.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Generic, Literal, TypedDict, TypeVar
from urllib.parse import urlsplit

import attrs
import httpx

from . import _json, _options, errors
from ._constants import DEFAULT_MAX_RESPONSE_BYTES, MAX_URL_LENGTH
from ._encoding import encode_body, encode_params, encode_query, quote_path_id
from ._operation import Operation
from ._response import APIResponse
from ._retry import RetryPolicy, parse_retry_after
from ._version import __version__
from .versions import LATEST, ApiVersion, pin

if TYPE_CHECKING:
    from .models import Invoice, Refund
    from .validation import InvoiceSnapshot, ValidationReport

__all__ = ["ClientCore", "PreparedRequest", "RequestOptions"]

R = TypeVar("R")

logger = logging.getLogger("stripe_credit_notes")

# The one request that is not an operation of the spec: the opt-in invoice fetch that makes the
# allocation checks exact. Only `amount_remaining`, `status` and `currency` are read from it.
RETRIEVE_INVOICE: Operation[Invoice] = Operation(
    resource="invoices",
    name="retrieve",
    method="GET",
    path="/v1/invoices/{invoice}",
    path_param="invoice",
    response="Invoice",
    item=None,
    summary="Retrieve an invoice (for pre-validation)",
)

# With `fetch_invoice`, the amount of each linked refund whose amount the request leaves to
# Stripe (`refund=` before basil, `refunds[]` items without `amount_refunded`). Only `amount`
# is read from it.
RETRIEVE_REFUND: Operation[Refund] = Operation(
    resource="refunds",
    name="retrieve",
    method="GET",
    path="/v1/refunds/{refund}",
    path_param="refund",
    response="Refund",
    item=None,
    summary="Retrieve a refund (for pre-validation)",
)


class RequestOptions(TypedDict, total=False):
    """Per-call options, accepted as keyword arguments by every operation."""

    idempotency_key: str | None
    """Sent as ``Idempotency-Key`` (POST only). Generated when not given."""
    stripe_account: str | None
    """Act on a connected account (``Stripe-Account``)."""
    api_version: str | None
    """Override the client's pinned ``Stripe-Version`` for this call."""
    timeout: float | httpx.Timeout | None
    """Seconds per attempt, wall-clock (or an ``httpx.Timeout``: see ``docs/client.md``)."""
    deadline: float | None
    """Overall seconds for the call: every attempt and the backoff between them."""
    max_retries: int | None
    """Retries after the first attempt, for this call."""
    validate: bool | None
    """Run (or skip) client-side pre-validation for this call."""
    invoice_snapshot: InvoiceSnapshot | None
    """The invoice's ``amount_remaining`` and ``status``, for exact allocation checks."""


@attrs.frozen
class PreparedRequest(Generic[R]):
    """A request ready to send: everything the I/O layer needs, decided once, reused by retries."""

    operation: Operation[R]
    method: str
    url: str
    path: str
    headers: dict[str, str] = attrs.field(repr=False)
    """Every header but ``Authorization``, which is added at send time only."""
    content: bytes | None = attrs.field(repr=False)
    idempotency_key: str | None
    timeout: httpx.Timeout
    """httpx's per-phase limits (each capped by the attempt's time left when sent)."""
    budget: float
    """Wall-clock seconds one attempt may take."""
    deadline: float | None
    """Wall-clock seconds the whole call may take, or ``None``."""
    max_retries: int
    api_version: str
    #: What pre-validation checked (credit-note operations with validation on), else ``None``.
    validation: ValidationReport | None = None


def _is_loopback(host: str) -> bool:
    if host in ("localhost", "127.0.0.1", "::1"):
        return True  # the usual spellings, without importing ipaddress
    import ipaddress

    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def normalize_base_url(base_url: str) -> str:
    """Check and normalise a base URL: https, or http to a loopback host only."""
    if not isinstance(base_url, str):
        raise TypeError(f"base_url must be a str, got {type(base_url).__name__}")
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"base_url must be an http(s) URL with a host, got {base_url!r}")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise ValueError(
            "base_url must use https: plain http is only allowed to a loopback host "
            f"(localhost, 127.0.0.0/8, ::1), got host {parts.hostname!r}"
        )
    if parts.username or parts.password or parts.query or parts.fragment:
        raise ValueError("base_url must not carry credentials, a query or a fragment")
    return base_url.rstrip("/")


def user_agent() -> str:
    """``User-Agent`` naming the package, Python and httpx versions."""
    # What platform.python_version() returns ("3.11.7", "3.13.0rc1"), without importing it.
    python = sys.version.split()[0]
    return f"stripe-credit-notes/{__version__} (Python/{python}; httpx/{httpx.__version__})"


class ClientCore:
    """Configuration and the I/O-free request/response logic of one client."""

    __slots__ = (
        "_api_key",  # kept apart from every header until send time (see send_headers)
        "_base_headers",
        "api_version",
        "base_url",
        "budget",
        "deadline",
        "fetch_invoice",
        "max_response_bytes",
        "retry_policy",
        "stripe_account",
        "timeout",
        "validate",
    )

    def __init__(
        self,
        *,
        api_key: str | None,
        api_version: str | ApiVersion | None,
        base_url: str,
        timeout: float | httpx.Timeout,
        max_retries: int | None,
        stripe_account: str | None,
        retry_policy: RetryPolicy | None,
        validate: bool,
        fetch_invoice: bool = False,
        deadline: float | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        key = api_key if api_key is not None else os.environ.get("STRIPE_API_KEY")
        if not key:
            raise errors.AuthenticationError(
                "No API key: pass api_key=... or set the STRIPE_API_KEY environment variable."
            )
        self._api_key = _options.check_api_key(key)
        self.api_version = (
            _check_api_version(api_version) if api_version is not None else str(LATEST)
        )
        self.base_url = normalize_base_url(base_url)
        self.timeout, self.budget = _options.check_timeout(timeout)
        self.deadline = _options.check_deadline(deadline)
        self.max_response_bytes = _options.check_max_response_bytes(max_response_bytes)
        if retry_policy is not None and not isinstance(retry_policy, RetryPolicy):
            raise TypeError(
                f"retry_policy must be a RetryPolicy, got {type(retry_policy).__name__}"
            )
        policy = retry_policy or RetryPolicy()
        if max_retries is not None:
            policy = attrs.evolve(policy, max_retries=_options.check_max_retries(max_retries))
        self.retry_policy = policy
        if stripe_account is not None:
            _options.check_header_value("stripe_account", stripe_account)
        self.stripe_account = stripe_account
        self.validate = _options.check_bool("validate", validate)
        self.fetch_invoice = _options.check_bool("fetch_invoice", fetch_invoice)
        # No Authorization here: it is added at send time only (see send_headers), so no
        # object built before sending, nor a traceback of a refused call, holds the key.
        self._base_headers = {
            "Stripe-Version": self.api_version,
            "User-Agent": user_agent(),
            "Accept": "application/json",
        }
        if stripe_account:
            self._base_headers["Stripe-Account"] = stripe_account

    def __repr__(self) -> str:
        # Never the key, not even part of it.
        return (
            f"base_url={self.base_url!r}, api_version={self.api_version!r}, "
            f"api_key=<redacted>, max_retries={self.retry_policy.max_retries}"
        )

    # -- requests ----------------------------------------------------------------------------

    def prepare(
        self,
        op: Operation[R],
        path_id: str | None,
        params: Mapping[str, Any],
        options: RequestOptions,
    ) -> PreparedRequest[R]:
        """Check and encode one call. Raises before anything is sent when the input is bad."""
        # The options first, each once, so a bad one is named before any other work.
        timeout, budget = self.timeout, self.budget
        if options.get("timeout") is not None:
            timeout, budget = _options.check_timeout(options["timeout"])
        deadline = self.deadline
        if options.get("deadline") is not None:
            deadline = _options.check_deadline(options["deadline"])
        retries = options.get("max_retries")
        if retries is not None:
            _options.check_max_retries(retries)
        validating = self._validating(options)
        given_key = options.get("idempotency_key")
        if given_key is not None:
            if op.method != "POST":
                raise ValueError("idempotency_key only applies to POST requests")
            _options.check_idempotency_key(given_key)
        account = options.get("stripe_account")
        if account:
            _options.check_header_value("stripe_account", account)
        snapshot = options.get("invoice_snapshot")
        if snapshot is not None:
            _check_snapshot(snapshot)
        path = op.path
        if op.path_param is not None:
            if path_id is None:
                raise ValueError(f"{op.name}() needs the {op.path_param!r} id")
            path = path.replace(
                "{" + op.path_param + "}", quote_path_id(path_id, name=op.path_param)
            )
        headers = dict(self._base_headers)
        version = options.get("api_version")
        if version is not None:
            version = _check_api_version(version)
            headers["Stripe-Version"] = version
        else:
            version = self.api_version
        validation = None
        if validating:
            validation = self.pre_validate(op, params, version, snapshot)
        if account:
            headers["Stripe-Account"] = account
        idempotency_key = None
        content = None
        url = self.base_url + path
        if op.method == "POST":
            import uuid  # (and the platform module it loads) only once something is posted

            idempotency_key = given_key or str(uuid.uuid4())
            headers["Idempotency-Key"] = idempotency_key
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            content = encode_body(params)
        else:
            query = encode_query(params)
            if query:
                url = f"{url}?{query}"
        if len(url) > MAX_URL_LENGTH:
            raise _url_too_long(url, op, path_id, params)
        return PreparedRequest(
            operation=op,
            method=op.method,
            url=url,
            path=path,
            headers=headers,
            content=content,
            idempotency_key=idempotency_key,
            timeout=timeout,
            budget=budget,
            deadline=deadline,
            max_retries=retries if retries is not None else self.retry_policy.max_retries,
            api_version=version,
            validation=validation,
        )

    def default_headers(self) -> dict[str, str]:
        """The headers every request of this client carries, as the defaults of its own httpx
        client (see :meth:`send_headers`)."""
        return dict(self._base_headers)

    def send_headers(
        self, request: PreparedRequest[Any], defaults: Mapping[str, str] | None = None
    ) -> dict[str, str]:
        """The headers to send: the request's plus ``Authorization``, built only now.

        ``defaults`` are headers the httpx client already sends (:meth:`default_headers` on a
        client the SDK made itself). When the request carries every one of them unchanged (a
        call that overrides neither the version nor the account) they are left out, so httpx
        does not merge, pop and re-append them on every request; otherwise all are sent, as
        with a caller's client. The wire carries the same headers, values and order either way.
        """
        headers = request.headers
        if defaults is not None and all(headers.get(k) == v for k, v in defaults.items()):
            sent = {k: v for k, v in headers.items() if k not in defaults}
        else:
            sent = dict(headers)
        sent["Authorization"] = "Bearer " + self._api_key
        return sent

    def redact(self, text: str) -> str:
        """``text`` with the API key replaced, for messages quoting a lower layer."""
        return text.replace(self._api_key, "<redacted>")

    # -- pre-validation ----------------------------------------------------------------------

    def _validating(self, options: RequestOptions) -> bool:
        flag = options.get("validate")
        return self.validate if flag is None else _options.check_bool("validate", flag)

    def invoice_to_fetch(
        self, op: Operation[Any], params: Mapping[str, Any], options: RequestOptions
    ) -> str | None:
        """The invoice id to fetch before this call (opt-in ``fetch_invoice`` mode), if any."""
        if (
            self.fetch_invoice
            and op.allocation_checked
            and options.get("invoice_snapshot") is None
            and self._validating(options)
        ):
            invoice = params.get("invoice")
            if isinstance(invoice, str) and invoice:
                return invoice
        return None

    @staticmethod
    def snapshot_from_invoice(invoice: Invoice) -> InvoiceSnapshot:
        """Read ``amount_remaining``, ``status`` and ``currency`` from a fetched invoice.

        Through the model's own encoding (``to_dict``), so it reads the same fields whether
        ``Invoice`` declares them (typed) or keeps them in ``extra`` (today's stub).
        """
        from ._codec_support import to_dict
        from .validation import InvoiceSnapshot

        return InvoiceSnapshot.from_invoice_json(to_dict(invoice))

    def refunds_to_fetch(
        self,
        op: Operation[Any],
        params: Mapping[str, Any],
        options: RequestOptions,
        snapshot: InvoiceSnapshot | None,
    ) -> tuple[str, ...]:
        """Linked refunds whose amount the rules need and the snapshot lacks (``fetch_invoice``).

        Only the refund parameter of the pinned version counts (``refund`` before basil,
        ``refunds[]`` from it): the other one is refused by its own rule, not fetched.
        """
        if not (
            self.fetch_invoice
            and snapshot is not None
            and op.allocation_checked
            and self._validating(options)
        ):
            return ()
        from .validation._facts import linked_refunds

        version = ApiVersion.coerce(options.get("api_version") or self.api_version)
        known = snapshot.refund_amounts
        return tuple(r for r in linked_refunds(params, version) if r not in known)

    @staticmethod
    def with_refund(
        snapshot: InvoiceSnapshot | None, refund_id: str, refund: Refund
    ) -> InvoiceSnapshot:
        """The snapshot with the ``amount`` of one fetched refund added."""
        assert snapshot is not None, "refunds_to_fetch() names refunds only for a snapshot"
        from .validation._invoice import refund_amount_from_json

        body = dict(refund.extra)
        if getattr(refund, "amount", None) is not None:  # should the model ever declare it
            body["amount"] = getattr(refund, "amount")  # noqa: B009
        amount = refund_amount_from_json(body)
        return attrs.evolve(snapshot, refund_amounts={**snapshot.refund_amounts, refund_id: amount})

    @staticmethod
    def pre_validate(
        op: Operation[Any],
        params: Mapping[str, Any],
        version: str,
        invoice: InvoiceSnapshot | None,
    ) -> ValidationReport | None:
        """Raise ``ValidationError`` for parameters Stripe would refuse under ``version``.

        For an allocation-checked operation, returns the report and says at DEBUG level what
        was only bounded or skipped (and at WARNING an invoice status newer than this SDK).
        """
        if not params and not op.allocation_checked:
            return None  # every other rule checks a given parameter: nothing to load or walk
        from .validation._check import raise_if_invalid

        report = raise_if_invalid(op.key, params, version, invoice)
        if report is not None:
            for note in report.notes:
                logger.warning("pre-validation of %s: %s", op.name, note)
            # Only a logger that shows DEBUG pays for finding and joining the inexact rules.
            inexact = logger.isEnabledFor(logging.DEBUG) and [
                c for c in report.checks if c.status in ("bounded", "skipped")
            ]
            if inexact:
                logger.debug(
                    "pre-validation of %s under Stripe-Version %s is not exact: %s",
                    op.name,
                    version,
                    "; ".join(f"{c.rule} {c.status} ({c.reason})" for c in inexact),
                )
        return report

    # -- responses ---------------------------------------------------------------------------

    def read(
        self,
        request: PreparedRequest[R],
        status: int,
        headers: httpx.Headers,
        body: bytes,
        attempts: int,
        elapsed: float,
    ) -> APIResponse[R]:
        """Decode a response, or raise the typed error it stands for."""
        request_id = headers.get("request-id")
        if not 200 <= status < 300:
            raise errors.error_from_response(status, headers, body)
        from ._codec_support import DecodeError, from_dict  # the models load with the first

        try:
            data = _json.loads(body)  # orjson with the `speedups` extra
            parsed = from_dict(request.operation.response_type, data)
        except (
            DecodeError,
            RecursionError,
            ValueError,
            KeyError,
            TypeError,
            AttributeError,
        ) as exc:
            raise errors.MalformedResponseError(
                f"Stripe answered {status} but the body is not a valid "
                f"{request.operation.response_type.__name__} ({_problem(exc)})",
                http_status=status,
                request_id=request_id,
                body=body,
                headers=headers,
            ) from exc
        return APIResponse(
            parsed=parsed,
            status_code=status,
            headers=headers,
            request_id=request_id,
            idempotency_key=request.idempotency_key,
            attempts=attempts,
            elapsed=elapsed,
            validation=request.validation,
        )

    def retry_delay(self, error: BaseException | None, retry_number: int) -> float:
        """Seconds to wait before retry ``retry_number``, honouring Stripe's ``Retry-After``."""
        retry_after = None
        if isinstance(error, errors.StripeError):
            retry_after = parse_retry_after(error.headers)
        return self.retry_policy.delay(retry_number, retry_after)


def _problem(exc: BaseException) -> str:
    """What was wrong with a 2xx body, for the message of its ``MalformedResponseError``."""
    if isinstance(exc, errors.MalformedResponseError):
        return exc.message  # the decoder's: the field path and what was wrong there
    if isinstance(exc, RecursionError):
        return "the JSON is nested too deeply to decode"
    return f"{type(exc).__name__}: {exc}"


def _check_api_version(value: object) -> str:
    try:
        return str(pin(value))  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"api_version: {exc}") from None


def _check_snapshot(value: object) -> None:
    from .validation import InvoiceSnapshot

    if not isinstance(value, InvoiceSnapshot):
        raise TypeError(f"invoice_snapshot must be an InvoiceSnapshot, got {type(value).__name__}")


def _url_too_long(
    url: str, op: Operation[Any], path_id: str | None, params: Mapping[str, Any]
) -> ValueError:
    """The error for an over-long URL, naming the parameter that made it long."""
    culprit = op.path_param if path_id is not None and len(path_id) > MAX_URL_LENGTH // 2 else None
    if culprit is None:
        pairs = encode_params(params)
        culprit = max(pairs, key=lambda pair: len(pair[0]) + len(pair[1]))[0] if pairs else "id"
    return ValueError(
        f"{culprit}: the request URL would be {len(url)} characters, over the "
        f"{MAX_URL_LENGTH} this client sends; no Stripe id or parameter is that long"
    )


def timeout_error(
    request: PreparedRequest[Any], bound: Literal["timeout", "deadline"], during: str = ""
) -> errors.APITimeoutError:
    """The error for an attempt (or a call) that ran out of time (``during``: httpx's name)."""
    where = f"{request.method} {request.path}"
    if bound == "deadline":
        message = f"The call's deadline of {request.deadline or 0:g}s passed ({where})"
    else:
        message = f"Timed out after {request.budget:g}s waiting for Stripe ({where})"
    return errors.APITimeoutError(f"{message}: {during}" if during else message, bound=bound)


def undecodable(
    request: PreparedRequest[Any], status: int, headers: httpx.Headers
) -> errors.MalformedResponseError:
    """The error for a body whose ``Content-Encoding`` could not be decoded."""
    return errors.MalformedResponseError(
        f"Stripe answered {status} to {request.method} {request.path} but its body could not "
        f"be decoded (Content-Encoding {headers.get('content-encoding')!r})",
        http_status=status,
        request_id=headers.get("request-id"),
        headers=headers,
    )


def connection_error(
    exc: httpx.HTTPError,
    request: PreparedRequest[Any],
    bound: Literal["timeout", "deadline"] = "timeout",
    redact: Callable[[str], str] = str,
) -> errors.APIConnectionError:
    """Wrap a transport failure; the message names the request, never its headers.

    The httpx exception is not kept: it references the request, whose headers hold the API
    key. The cause is a copy of the same type and message, without the request.
    """
    where = f"{request.method} {request.path}"
    detail = redact(str(exc))
    error: errors.APIConnectionError
    if isinstance(exc, httpx.TimeoutException):
        error = timeout_error(request, bound, type(exc).__name__)
    else:
        error = errors.APIConnectionError(
            f"Could not reach Stripe ({where}): {type(exc).__name__}: {detail}"
        )
    try:
        cause: BaseException = type(exc)(detail)
    except TypeError:  # an httpx exception type with another signature
        cause = httpx.TransportError(detail)
    error.__cause__ = cause
    return error
