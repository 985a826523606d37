"""The SDK's error hierarchy.

Every error the SDK raises on purpose derives from :class:`StripeError`, so one ``except`` clause
catches them all. Errors built from an HTTP response carry everything needed to report it to
Stripe support: the HTTP status, Stripe's ``type``/``code``/``param``/``message``/``doc_url``,
the ``request_id`` and the raw body. None of them ever holds the API key.

Every error raised for a request also carries ``idempotency_key`` (the key the SDK sent, also a
generated one) and ``attempts`` (0 when nothing was sent), so a caller whose retries ran out can
retry by hand without making a second credit note::

    except StripeError as exc:
        client.credit_notes.create(..., idempotency_key=exc.idempotency_key)

All of them survive ``pickle`` and ``copy.deepcopy`` with their fields (``__cause__`` and the
traceback are not pickled, as for any exception).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

__all__ = [
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AuthenticationError",
    "CardError",
    "IdempotencyError",
    "InvalidRequestError",
    "MalformedResponseError",
    "PaginationError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResponseTooLargeError",
    "SignatureVerificationError",
    "StripeError",
    "ValidationError",
    "error_from_response",
]


def _rebuild(cls: type[StripeError], args: tuple[Any, ...]) -> StripeError:
    """Unpickling: a bare instance with ``args``; ``__setstate__`` then restores the fields."""
    return cls.__new__(cls, *args)


class StripeError(Exception):
    """Base class of every error this SDK raises on purpose."""

    #: Stripe's human-readable message (or ours, for client-side errors).
    message: str
    #: HTTP status of the response, or ``None`` when no response was received.
    http_status: int | None
    #: Stripe's error ``type`` (``invalid_request_error``, ``api_error``, ...).
    type: str | None
    #: Stripe's machine-readable error ``code``, when it sent one.
    code: str | None
    #: The request parameter the error is about, when Stripe named one.
    param: str | None
    #: A link to Stripe's documentation of ``code``.
    doc_url: str | None
    #: The ``Request-Id`` header of the response: quote it to Stripe support.
    request_id: str | None
    #: The raw response body, exactly as received (may be empty or not JSON).
    body: bytes | None
    #: The decoded ``error`` object of the body, when the body was Stripe's error JSON.
    error: Mapping[str, Any] | None
    #: Response headers (never includes request headers, so never the API key).
    headers: Mapping[str, str]
    #: The ``Idempotency-Key`` sent (POST only): retry by hand with it to stay exactly-once.
    idempotency_key: str | None
    #: How many attempts were sent before this error (0 when nothing was sent).
    attempts: int

    def __init__(
        self,
        message: str,
        *,
        http_status: int | None = None,
        type: str | None = None,
        code: str | None = None,
        param: str | None = None,
        doc_url: str | None = None,
        request_id: str | None = None,
        body: bytes | None = None,
        error: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        idempotency_key: str | None = None,
        attempts: int = 0,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.http_status = http_status
        self.type = type
        self.code = code
        self.param = param
        self.doc_url = doc_url
        self.request_id = request_id
        self.body = body
        self.error = error
        self.headers = dict(headers) if headers is not None else {}
        self.idempotency_key = idempotency_key
        self.attempts = attempts

    def __reduce__(self) -> tuple[Any, ...]:
        # The default rebuilds with ``cls(*args)``, which fails for subclasses with required
        # keyword arguments (``ValidationError(rule=...)``): rebuild without calling __init__,
        # then restore every field from the instance dict.
        return (_rebuild, (type(self), self.args), self.__dict__.copy())

    def __str__(self) -> str:
        parts = []
        if self.http_status is not None:
            parts.append(f"HTTP {self.http_status}")
        if self.code:
            parts.append(f"code={self.code}")
        if self.param:
            parts.append(f"param={self.param}")
        if self.request_id:
            parts.append(f"request_id={self.request_id}")
        suffix = f" ({', '.join(parts)})" if parts else ""
        return f"{self.message}{suffix}"

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(message={self.message!r}, http_status={self.http_status!r}, "
            f"code={self.code!r}, request_id={self.request_id!r})"
        )


class InvalidRequestError(StripeError):
    """The request was refused as invalid (HTTP 400 or 404)."""


class AuthenticationError(StripeError):
    """The API key was missing, wrong or revoked (HTTP 401)."""


class PermissionDeniedError(StripeError):
    """The API key may not perform this request (HTTP 403)."""


class CardError(StripeError):
    """A card or payment failed while Stripe carried out the request (HTTP 402)."""


class RateLimitError(StripeError):
    """Too many requests, or a lock could not be taken in time (HTTP 429)."""


class IdempotencyError(StripeError):
    """An ``Idempotency-Key`` was reused with different parameters (``idempotency_error``)."""


class APIError(StripeError):
    """Stripe failed to handle the request (HTTP 5xx, or an unexpected status)."""


class MalformedResponseError(APIError):
    """A response arrived but its body is not what the API documents (not JSON, wrong shape)."""


class ResponseTooLargeError(MalformedResponseError):
    """The response body exceeded the client's ``max_response_bytes``; it was not kept.

    ``body`` is ``None``; ``max_response_bytes`` is the cap that was exceeded.
    """

    max_response_bytes: int | None

    def __init__(
        self, message: str, *, max_response_bytes: int | None = None, **fields: Any
    ) -> None:
        super().__init__(message, **fields)
        self.max_response_bytes = max_response_bytes


class APIConnectionError(StripeError):
    """No response was received: the connection failed or broke."""


class APITimeoutError(APIConnectionError):
    """No response was received in time.

    ``bound`` says which limit ended the call: ``"timeout"`` (one attempt ran out of its
    ``timeout`` and retries, if any, were used up) or ``"deadline"`` (the call's overall
    ``deadline``, retries and backoff included, was reached).
    """

    bound: Literal["timeout", "deadline"]

    def __init__(
        self, message: str, *, bound: Literal["timeout", "deadline"] = "timeout", **fields: Any
    ) -> None:
        super().__init__(message, **fields)
        self.bound = bound


class PaginationError(StripeError):
    """Auto-paging stopped because a page made no progress.

    Raised when the next page's cursor was already requested in this walk (a repeat or a
    cycle), or when a page says ``has_more`` but holds no items, so there is no cursor to go on
    with. ``request_id`` is that of the page that made no progress.
    """


class ValidationError(StripeError, ValueError):
    """Client-side: Stripe would refuse these parameters, so no request was sent.

    ``params`` names the parameters involved, the first of them (``param``) being the one the
    ``fix`` changes; ``rule`` identifies the rule, ``api_version`` is the pinned
    ``Stripe-Version`` whose rules were applied, ``fix`` says what to send instead and
    ``details`` holds the numbers the rule was checked with. ``message`` itself ends with
    ``[rule ..., Stripe-Version ..., param ...]``, so code that logs only ``message`` keeps them.
    """

    params: tuple[str, ...]
    rule: str
    api_version: str | None
    fix: str | None
    details: Mapping[str, Any]

    def __init__(
        self,
        message: str,
        *,
        params: tuple[str, ...] = (),
        rule: str,
        api_version: str | None = None,
        fix: str | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        param = params[0] if params else None
        tag = _validation_tag(rule, api_version, param)
        if not message.endswith(tag):  # already tagged when rebuilt from its own message
            message = f"{message} {tag}"
        super().__init__(message, param=param)
        self.params = params
        self.rule = rule
        self.api_version = api_version
        self.fix = fix
        self.details = dict(details) if details is not None else {}

    def __str__(self) -> str:
        text = self.message
        if self.fix:
            text += f" Fix: {self.fix}"
        return text


def _validation_tag(rule: str, api_version: str | None, param: str | None) -> str:
    version = f"Stripe-Version {api_version}" if api_version else "every Stripe-Version"
    return f"[rule {rule}, {version}, param {param or 'none'}]"


class SignatureVerificationError(StripeError):
    """A webhook's ``Stripe-Signature`` did not prove that Stripe sent this payload just now.

    ``check`` names the check that failed: ``header`` (missing or garbled), ``scheme`` (no
    ``v1`` signature), ``signature`` (no signature matches any secret), ``too_old`` or
    ``in_future`` (the signed timestamp is more than the tolerance away from now).
    ``timestamp`` is the signed timestamp when the header had one. The secret is never kept.
    """

    check: Literal["header", "scheme", "signature", "too_old", "in_future"]
    timestamp: int | None

    def __init__(
        self,
        message: str,
        *,
        check: Literal["header", "scheme", "signature", "too_old", "in_future"] = "signature",
        timestamp: int | None = None,
    ) -> None:
        super().__init__(message)
        self.check = check
        self.timestamp = timestamp

    def __repr__(self) -> str:
        return f"SignatureVerificationError(message={self.message!r}, check={self.check!r})"


_ERROR_CLASSES: dict[int, type[StripeError]] = {
    400: InvalidRequestError,
    404: InvalidRequestError,
    401: AuthenticationError,
    402: CardError,
    403: PermissionDeniedError,
    429: RateLimitError,
}


def error_from_response(status: int, headers: Mapping[str, str], body: bytes) -> StripeError:
    """The typed error for a non-2xx response; never fails on a non-JSON or truncated body.

    A body nested too deeply to decode is a :class:`MalformedResponseError` (the interpreter's
    ``RecursionError`` never escapes).
    """
    from . import _json  # loaded by the client anyway; not by `import stripe_credit_notes`

    request_id = headers.get("request-id")
    error: Mapping[str, Any] | None = None
    try:
        decoded = _json.loads(body) if body else None
    except ValueError:
        decoded = None
    except RecursionError:
        return MalformedResponseError(
            f"Stripe returned HTTP {status} with a body nested too deeply to decode",
            http_status=status,
            request_id=request_id,
            body=body,
            headers=headers,
        )
    if isinstance(decoded, dict) and isinstance(decoded.get("error"), dict):
        error = decoded["error"]
    if error is not None:
        message = str(error.get("message") or f"Stripe returned HTTP {status}")
    else:
        snippet = body[:200].decode("utf-8", "replace") if body else ""
        message = f"Stripe returned HTTP {status} with a body that is not Stripe's error JSON"
        if snippet:
            message += f": {snippet!r}"
    error_type = _str_or_none(error, "type")
    if error_type == "idempotency_error":
        cls: type[StripeError] = IdempotencyError
    else:
        cls = _ERROR_CLASSES.get(status, APIError)
    return cls(
        message,
        http_status=status,
        type=error_type,
        code=_str_or_none(error, "code"),
        param=_str_or_none(error, "param"),
        doc_url=_str_or_none(error, "doc_url"),
        request_id=request_id,
        body=body,
        error=error,
        headers=headers,
    )


def _str_or_none(error: Mapping[str, Any] | None, key: str) -> str | None:
    if error is None:
        return None
    value = error.get(key)
    return value if isinstance(value, str) else None
