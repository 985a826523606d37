"""Saved results of idempotent requests, keyed by API key and ``Idempotency-Key``.

As on Stripe, only ``POST`` requests are idempotent; a result is saved once the endpoint has
started executing (successes and the errors it raised), and replayed byte for byte when the
same key comes back with the same method, path and parameters. Keys do not expire (Stripe keeps
them for at least 24 hours); ``reset`` forgets them.
"""

from __future__ import annotations

import threading
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
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._saved: dict[tuple[str, str], SavedResponse] = {}

    def get(self, api_key: str, key: str) -> SavedResponse | None:
        with self._lock:
            return self._saved.get((api_key, key))

    def put(self, api_key: str, key: str, saved: SavedResponse) -> None:
        with self._lock:
            self._saved.setdefault((api_key, key), saved)

    def clear(self) -> None:
        with self._lock:
            self._saved.clear()
