"""The SDK's defaults, in one place."""

from __future__ import annotations

from typing import Final

DEFAULT_BASE_URL: Final = "https://api.stripe.com"
"""Where requests go unless ``base_url`` says otherwise."""

DEFAULT_TIMEOUT: Final = 80.0
"""Seconds per attempt (Stripe's own libraries use 80)."""

DEFAULT_MAX_RETRIES: Final = 2
"""Retries after the first attempt."""

DEFAULT_INITIAL_BACKOFF: Final = 0.5
"""Seconds before the first retry (before jitter)."""

DEFAULT_MAX_BACKOFF: Final = 8.0
"""Cap on the computed delay between attempts, in seconds."""

DEFAULT_MAX_RETRY_AFTER: Final = 60.0
"""The longest ``Retry-After`` (seconds) a client honours; longer ones are capped."""
