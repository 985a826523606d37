"""Saved results of idempotent requests, keyed by API key and ``Idempotency-Key``.

As on Stripe, only ``POST`` requests are idempotent; a result is saved once the endpoint has
started executing (successes and the errors it raised), and replayed byte for byte when the
same key comes back with the same method, path and parameters. Keys do not expire (Stripe keeps
them for at least 24 hours) unless a lifetime is configured (``_limits``); ``reset`` forgets
them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from ._forms import FormTree

__all__ = ["MAX_KEY_LENGTH", "IdempotencyCache", "SavedResponse"]

MAX_KEY_LENGTH = 255


@dataclass(frozen=True)
class SavedResponse:
    method: str
    path: str
    params: FormTree
    status: int
    body: bytes
    stripe_version: str
    request_id: str


class IdempotencyCache:
    def __init__(self, clock: Callable[[], float] = lambda: 0.0) -> None:
        self._lock = threading.Lock()
        self._clock = clock
        self._saved: dict[tuple[str, str], tuple[SavedResponse, float]] = {}

    def get(self, api_key: str, key: str, lifetime: float | None = None) -> SavedResponse | None:
        """The saved result, unless it is older than ``lifetime`` seconds (then forgotten)."""
        with self._lock:
            found = self._saved.get((api_key, key))
            if found is None:
                return None
            saved, saved_at = found
            if lifetime is not None and self._clock() - saved_at >= lifetime:
                del self._saved[(api_key, key)]
                return None
            return saved

    def put(self, api_key: str, key: str, saved: SavedResponse) -> None:
        with self._lock:
            self._saved.setdefault((api_key, key), (saved, self._clock()))

    def clear(self) -> None:
        with self._lock:
            self._saved.clear()
