"""Stripe's error JSON, raised as an exception from anywhere in request handling."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

__all__ = ["ApiError", "invalid_request", "redact_key", "resource_missing"]

_DOC_URL = "https://docs.stripe.com/error-codes/"
_KEY_PREFIX = re.compile(r"(?:sk|rk|pk)_(?:test|live)_")
_MAX_MASK = 32  # stars beyond this would only make a huge key's message huge


class ApiError(Exception):
    """An error response: HTTP status plus Stripe's ``{"error": {...}}`` body.

    ``saved`` says whether an idempotent request that ended in this error records it for replay.
    Stripe records the result once the endpoint has started executing; requests that fail
    parameter validation (or are refused before execution, such as a lock timeout) are not
    recorded, so they can be retried with the same key.
    """

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
        headers: Mapping[str, str] | None = None,
        saved: bool = True,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.type = type
        self.code = code
        self.param = param
        self.headers: dict[str, str] = dict(headers or {})
        self.saved = saved

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {}
        if self.code is not None:
            error["code"] = self.code
            error["doc_url"] = _DOC_URL + self.code.replace("_", "-")
        error["message"] = self.message
        if self.param is not None:
            error["param"] = self.param
        error["type"] = self.type
        return {"error": error}


def invalid_request(
    message: str, *, param: str | None = None, code: str | None = None, saved: bool = True
) -> ApiError:
    """A 400 ``invalid_request_error``."""
    return ApiError(400, message, code=code, param=param, saved=saved)


def resource_missing(kind: str, object_id: str, *, param: str, status: int = 400) -> ApiError:
    """``No such <kind>: '<id>'``: 404 for the object in the path, 400 for one in a parameter."""
    return ApiError(status, f"No such {kind}: '{object_id}'", code="resource_missing", param=param)


def redact_key(key: str) -> str:
    """``sk_live_****...1234``: the key's prefix, then at most a quarter of its secret part.

    Like Stripe, the end of the secret is shown so a user can tell which key was refused; but a
    short secret shows fewer characters (5 characters show 1), so guessing the rest stays hard.
    A key without a known prefix is all secret.
    """
    match = _KEY_PREFIX.match(key)
    prefix = match.group(0) if match else ""
    secret = key[len(prefix) :]
    shown = min(4, len(secret) // 4)
    tail = secret[len(secret) - shown :] if shown else ""
    return prefix + "*" * min(len(secret) - shown, _MAX_MASK) + tail
