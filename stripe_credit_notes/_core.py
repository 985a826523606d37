"""Everything both clients share, with no I/O: building requests and reading responses.

``Client`` and ``AsyncClient`` differ only in how they send a prepared request and sleep between
attempts; what goes on the wire, what a response means and whether to retry are decided here.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Generic, TypedDict, TypeVar
from urllib.parse import urlsplit

import attrs
import httpx

from . import errors
from ._encoding import encode_body, encode_query, quote_path_id
from ._operation import Operation
from ._response import APIResponse
from ._retry import RetryPolicy, parse_retry_after
from ._version import __version__
from .versions import LATEST, ApiVersion

if TYPE_CHECKING:
    from .models import Invoice
    from .validation import InvoiceSnapshot

__all__ = ["ClientCore", "PreparedRequest", "RequestOptions"]

R = TypeVar("R")

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


class RequestOptions(TypedDict, total=False):
    """Per-call options, accepted as keyword arguments by every operation."""

    idempotency_key: str | None
    """Sent as ``Idempotency-Key`` (POST only). Generated when not given."""
    stripe_account: str | None
    """Act on a connected account (``Stripe-Account``)."""
    api_version: str | None
    """Override the client's pinned ``Stripe-Version`` for this call."""
    timeout: float | None
    """Seconds per attempt."""
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
    content: bytes | None = attrs.field(repr=False)
    idempotency_key: str | None
    timeout: float
    max_retries: int
    api_version: str


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
        "_base_headers",
        "api_version",
        "base_url",
        "fetch_invoice",
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
        timeout: float,
        max_retries: int | None,
        stripe_account: str | None,
        retry_policy: RetryPolicy | None,
        validate: bool,
        fetch_invoice: bool = False,
    ) -> None:
        key = api_key if api_key is not None else os.environ.get("STRIPE_API_KEY")
        if not key:
            raise errors.AuthenticationError(
                "No API key: pass api_key=... or set the STRIPE_API_KEY environment variable."
            )
        if not key.isprintable() or any(c.isspace() for c in key):
            raise ValueError("api_key contains whitespace or control characters")
        version = ApiVersion.coerce(api_version) if api_version is not None else LATEST
        self.api_version = str(version)
        self.base_url = normalize_base_url(base_url)
        if timeout <= 0:
            raise ValueError(f"timeout must be > 0 seconds, got {timeout}")
        self.timeout = float(timeout)
        policy = retry_policy or RetryPolicy()
        if max_retries is not None:
            policy = attrs.evolve(policy, max_retries=max_retries)
        self.retry_policy = policy
        self.stripe_account = stripe_account
        self.validate = validate
        self.fetch_invoice = fetch_invoice
        self._base_headers = {
            "Authorization": f"Bearer {key}",
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
            version = str(ApiVersion.parse(version))
            headers["Stripe-Version"] = version
        else:
            version = self.api_version
        if self._validating(options):
            self.pre_validate(op, params, version, options.get("invoice_snapshot"))
        account = options.get("stripe_account")
        if account:
            headers["Stripe-Account"] = account
        idempotency_key = None
        content = None
        url = self.base_url + path
        if op.method == "POST":
            import uuid  # (and the platform module it loads) only once something is posted

            idempotency_key = options.get("idempotency_key") or str(uuid.uuid4())
            if not idempotency_key.isprintable() or len(idempotency_key) > 255:
                raise ValueError("idempotency_key must be printable and at most 255 characters")
            headers["Idempotency-Key"] = idempotency_key
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            content = encode_body(params)
        else:
            if options.get("idempotency_key"):
                raise ValueError("idempotency_key only applies to POST requests")
            query = encode_query(params)
            if query:
                url = f"{url}?{query}"
        timeout = options.get("timeout")
        retries = options.get("max_retries")
        if retries is not None and retries < 0:
            raise ValueError(f"max_retries must be >= 0, got {retries}")
        return PreparedRequest(
            operation=op,
            method=op.method,
            url=url,
            path=path,
            headers=headers,
            content=content,
            idempotency_key=idempotency_key,
            timeout=float(timeout) if timeout is not None else self.timeout,
            max_retries=retries if retries is not None else self.retry_policy.max_retries,
            api_version=version,
        )

    # -- pre-validation ----------------------------------------------------------------------

    def _validating(self, options: RequestOptions) -> bool:
        flag = options.get("validate")
        return self.validate if flag is None else flag

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

    @staticmethod
    def pre_validate(
        op: Operation[Any],
        params: Mapping[str, Any],
        version: str,
        invoice: InvoiceSnapshot | None,
    ) -> None:
        """Raise ``ValidationError`` for parameters Stripe would refuse under ``version``."""
        if not params and not op.allocation_checked:
            return  # every other rule checks a given parameter: nothing to load or walk
        from .validation._check import raise_if_invalid

        raise_if_invalid(op.key, params, version, invoice)

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
            data = json.loads(body)
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


def connection_error(
    exc: httpx.HTTPError, request: PreparedRequest[Any]
) -> errors.APIConnectionError:
    """Wrap a transport failure; the message names the request, never its headers."""
    where = f"{request.method} {request.path}"
    if isinstance(exc, httpx.TimeoutException):
        return errors.APITimeoutError(
            f"Timed out after {request.timeout:g}s waiting for Stripe ({where}): "
            f"{type(exc).__name__}"
        )
    return errors.APIConnectionError(
        f"Could not reach Stripe ({where}): {type(exc).__name__}: {exc}"
    )
