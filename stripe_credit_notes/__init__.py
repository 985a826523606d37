"""A typed, fast client for Stripe's Credit Notes API, sync and async.

The models live in :mod:`stripe_credit_notes.models`, the request parameter types in
:mod:`stripe_credit_notes.params` and the errors in :mod:`stripe_credit_notes.errors`.

Names are loaded on first use (PEP 562), so ``import stripe_credit_notes`` stays cheap for
programs that only touch part of the SDK.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._absent import ABSENT, Absent
from ._version import __version__
from .errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    CardError,
    IdempotencyError,
    InvalidRequestError,
    MalformedResponseError,
    PaginationError,
    PermissionDeniedError,
    RateLimitError,
    ResponseTooLargeError,
    SignatureVerificationError,
    StripeError,
    ValidationError,
)

if TYPE_CHECKING:
    from ._client import AsyncClient, Client
    from ._codec_support import from_dict, to_dict
    from ._converter import converter
    from ._core import RequestOptions
    from ._pagination import AsyncPage, AsyncPager, Page
    from ._response import APIResponse
    from ._retry import RetryPolicy
    from .validation import InvoiceSnapshot, fill_out_of_band, validate_credit_note_params
    from .versions import ApiVersion

__all__ = [
    "ABSENT",
    "APIConnectionError",
    "APIError",
    "APIResponse",
    "APITimeoutError",
    "Absent",
    "ApiVersion",
    "AsyncClient",
    "AsyncPage",
    "AsyncPager",
    "AuthenticationError",
    "CardError",
    "Client",
    "IdempotencyError",
    "InvalidRequestError",
    "InvoiceSnapshot",
    "MalformedResponseError",
    "Page",
    "PaginationError",
    "PermissionDeniedError",
    "RateLimitError",
    "RequestOptions",
    "ResponseTooLargeError",
    "RetryPolicy",
    "SignatureVerificationError",
    "StripeError",
    "ValidationError",
    "__version__",
    "converter",
    "fill_out_of_band",
    "from_dict",
    "to_dict",
    "validate_credit_note_params",
]

_LAZY = {
    "AsyncClient": "._client",
    "Client": "._client",
    "converter": "._converter",
    "from_dict": "._codec_support",
    "to_dict": "._codec_support",
    "RequestOptions": "._core",
    "AsyncPage": "._pagination",
    "AsyncPager": "._pagination",
    "Page": "._pagination",
    "APIResponse": "._response",
    "RetryPolicy": "._retry",
    "ApiVersion": ".versions",
    "InvoiceSnapshot": ".validation",
    "fill_out_of_band": ".validation",
    "validate_credit_note_params": ".validation",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value  # later lookups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
