"""Checks of the client's and each call's options, once, before anything is sent.

Every check raises ``TypeError`` (wrong type) or ``ValueError`` (wrong value) with a message
that names the option. Header values (API key, ``stripe_account``, ``idempotency_key``) must be
printable ASCII: httpx would otherwise fail deep inside with a ``UnicodeEncodeError`` whose
arguments hold the whole header (``'Bearer sk_live_...'``), and a CR or LF would split the
header. Messages about the API key never quote it, not even in part.
"""

from __future__ import annotations

import math
from typing import Any, Final

import httpx

__all__ = [
    "check_api_key",
    "check_bool",
    "check_deadline",
    "check_header_value",
    "check_max_response_bytes",
    "check_max_retries",
    "check_timeout",
]

# Stripe's documented limit for an Idempotency-Key.
MAX_IDEMPOTENCY_KEY_LENGTH: Final = 255
# Longer values are certainly not an account id or key; they only make a header huge.
MAX_HEADER_VALUE_LENGTH: Final = 1024


def _type_name(value: object) -> str:
    return type(value).__name__


def _is_number(value: object) -> bool:
    # bool is an int, but timeout=True is a mistake, not one second.
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def check_api_key(key: object) -> str:
    """The API key as given, or ``TypeError``/``ValueError`` that never quotes it."""
    if not isinstance(key, str):
        raise TypeError(f"api_key must be a str (sk_... or rk_...), got {_type_name(key)}")
    if not key.isascii() or not key.isprintable() or " " in key:
        raise ValueError(
            "api_key must be printable ASCII without whitespace (a stray newline, space or "
            "non-ASCII character is likely a copy-paste artifact); the key is not shown"
        )
    if len(key) > MAX_HEADER_VALUE_LENGTH:
        raise ValueError(f"api_key is longer than {MAX_HEADER_VALUE_LENGTH} characters")
    return key


def check_header_value(
    name: str, value: object, *, max_length: int = MAX_HEADER_VALUE_LENGTH, spaces: bool = False
) -> str:
    """``value`` if it is a str fit for an HTTP header: printable ASCII, no CR/LF, bounded."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, got {_type_name(value)}")
    if not value:
        raise ValueError(f"{name} must not be empty")
    if not value.isascii() or not value.isprintable() or (not spaces and " " in value):
        bad = next(
            c for c in value if not c.isascii() or not c.isprintable() or (c == " " and not spaces)
        )
        what = "printable ASCII" if spaces else "printable ASCII without spaces"
        raise ValueError(f"{name} must be {what} (it is sent as a header); found {bad!r}")
    if len(value) > max_length:
        raise ValueError(f"{name} must be at most {max_length} characters, got {len(value)}")
    return value


def check_idempotency_key(value: object) -> str:
    """A caller's ``Idempotency-Key``: a header value of at most 255 characters."""
    return check_header_value(
        "idempotency_key", value, max_length=MAX_IDEMPOTENCY_KEY_LENGTH, spaces=True
    )


def _check_seconds(name: str, value: object) -> float:
    if not _is_number(value):
        raise TypeError(f"{name} must be a number of seconds, got {_type_name(value)}")
    seconds = float(value)  # type: ignore[arg-type]
    # NaN compares False with everything, so "not > 0" also refuses it.
    if not seconds > 0 or math.isinf(seconds):
        raise ValueError(f"{name} must be a finite number of seconds > 0, got {value!r}")
    return seconds


def check_timeout(value: object, name: str = "timeout") -> tuple[httpx.Timeout, float]:
    """The httpx timeouts and the wall-clock budget of one attempt, from a float or Timeout.

    A number ``t`` bounds every phase and the attempt as a whole by ``t`` seconds. For an
    ``httpx.Timeout`` its ``connect``, ``read``, ``write`` and ``pool`` values are passed to
    httpx as they are (each also capped by the time the attempt has left), and the attempt as
    a whole ends after the largest finite of them: a call tuned with ``read=30`` waits up to 30
    seconds for its response, however the server dribbles it. ``None`` fields mean "no limit
    of their own" (the attempt's budget still applies); at least one must be finite.
    """
    if isinstance(value, httpx.Timeout):
        limits = []
        for phase in ("connect", "read", "write", "pool"):
            limit = getattr(value, phase)
            if limit is not None:
                limits.append(_check_seconds(f"{name}.{phase}", limit))
        if not limits:
            raise ValueError(
                f"{name}: an httpx.Timeout needs at least one finite value; every attempt is "
                "bounded by its largest one"
            )
        return value, max(limits)
    seconds = _check_seconds(name, value)
    return httpx.Timeout(seconds), seconds


def check_deadline(value: object) -> float | None:
    """``deadline``: ``None`` (no overall bound) or finite seconds > 0."""
    return None if value is None else _check_seconds("deadline", value)


def check_max_retries(value: object) -> int:
    """``max_retries``: an int >= 0."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"max_retries must be an int, got {_type_name(value)}")
    if value < 0:
        raise ValueError(f"max_retries must be >= 0, got {value}")
    return value


def check_max_response_bytes(value: object) -> int:
    """``max_response_bytes``: an int > 0."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"max_response_bytes must be an int, got {_type_name(value)}")
    if value <= 0:
        raise ValueError(f"max_response_bytes must be > 0, got {value}")
    return value


def check_bool(name: str, value: Any) -> bool:
    """A flag option: exactly ``True`` or ``False``."""
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, got {_type_name(value)}")
    return value
