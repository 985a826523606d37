"""Fault injection: make the next N matching requests fail in a chosen way.

Faults apply to Stripe routes (``/v1/...``) only, never to the ``/_emulator`` setup routes.
They are consumed first in, first out: a request takes the oldest fault whose method and path
match it, and the fault is gone once it has fired ``count`` times.
"""

from __future__ import annotations

import fnmatch
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

__all__ = ["Fault", "FaultKind", "FaultQueue"]

#: The longest delay a ``slow`` fault may ask for, in seconds.
MAX_DELAY = 120.0


class FaultKind(str, Enum):
    """How a request fails."""

    DROP_BEFORE = "drop_before"
    """The connection closes before the emulator acts: nothing changes, no response."""
    DROP_AFTER = "drop_after"
    """The emulator acts (state changes, idempotent results are saved), then the connection
    closes without a response."""
    SERVER_ERROR = "server_error"
    """HTTP 500 ``api_error``; nothing changes."""
    SERVICE_UNAVAILABLE = "service_unavailable"
    """HTTP 503 ``api_error`` with ``Stripe-Should-Retry: true``; nothing changes."""
    LOCK_TIMEOUT = "lock_timeout"
    """HTTP 429 ``invalid_request_error`` with code ``lock_timeout``; nothing changes."""
    CONFLICT = "conflict"
    """HTTP 409 ``idempotency_error`` (another request with the same key in flight)."""
    SLOW = "slow"
    """Wait ``delay`` seconds, then handle the request normally."""

    @classmethod
    def parse(cls, value: str | FaultKind) -> FaultKind:
        if isinstance(value, FaultKind):
            return value
        aliases = {
            "500": cls.SERVER_ERROR,
            "503": cls.SERVICE_UNAVAILABLE,
            "429": cls.LOCK_TIMEOUT,
            "409": cls.CONFLICT,
        }
        if value in aliases:
            return aliases[value]
        try:
            return cls(value)
        except ValueError:
            names = ", ".join(k.value for k in cls)
            raise ValueError(f"unknown fault kind {value!r}; use one of: {names}") from None


@dataclass
class Fault:
    kind: FaultKind
    remaining: int = 1
    method: str | None = None
    """Only requests with this HTTP method (any when ``None``)."""
    path: str | None = None
    """Only requests whose path matches this ``fnmatch`` pattern, e.g. ``/v1/credit_notes*``."""
    delay: float = 0.0
    """Seconds to wait (``slow``)."""

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method.upper() != method.upper():
            return False
        return self.path is None or fnmatch.fnmatchcase(path, self.path)

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "count": self.remaining,
            "method": self.method,
            "path": self.path,
            "delay": self.delay,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Fault:
        unknown = set(data) - {"kind", "count", "method", "path", "delay"}
        if unknown:
            raise ValueError(f"unknown fault fields: {sorted(unknown)}")
        if "kind" not in data:
            raise ValueError("a fault needs a kind")
        return make_fault(
            data["kind"],
            count=int(data.get("count", 1)),
            method=data.get("method") or None,
            path=data.get("path") or None,
            delay=float(data.get("delay", 0.0)),
        )


def make_fault(
    kind: str | FaultKind,
    *,
    count: int = 1,
    method: str | None = None,
    path: str | None = None,
    delay: float = 0.0,
) -> Fault:
    parsed = FaultKind.parse(kind)
    if count < 1:
        raise ValueError(f"count must be at least 1, got {count}")
    if not 0 <= delay <= MAX_DELAY:
        raise ValueError(f"delay must be between 0 and {MAX_DELAY} seconds, got {delay}")
    if parsed is FaultKind.SLOW and delay <= 0:
        raise ValueError("a slow fault needs a delay > 0 seconds")
    return Fault(
        kind=parsed,
        remaining=count,
        method=method.upper() if method else None,
        path=path,
        delay=delay,
    )


class FaultQueue:
    """Pending faults, safe to use from many threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> None:
        with self._lock:
            self._faults.append(fault)

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def pending(self) -> list[Fault]:
        with self._lock:
            return [Fault(f.kind, f.remaining, f.method, f.path, f.delay) for f in self._faults]

    def take(self, method: str, path: str) -> Fault | None:
        """The fault this request triggers, if any (counting it down)."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(method, path):
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self._faults.remove(fault)
                    return Fault(fault.kind, 1, fault.method, fault.path, fault.delay)
            return None
