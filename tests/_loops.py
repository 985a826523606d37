"""Running a coroutine from a synchronous test without touching the current event loop."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def run_on_own_loop(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` on a private loop, closed afterwards.

    ``asyncio.run`` sets and then clears the policy's current loop. Some pytest-asyncio versions
    leave an open loop there between tests; clearing it orphans that loop, and its unclosed
    self-pipe socket is then reported as a ResourceWarning in whatever test collects it.
    """
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coro)
    finally:
        try:
            loop.run_until_complete(loop.shutdown_asyncgens())
        finally:
            loop.close()
