"""The faults the soak proxy can inject, and the seeded plans that order them.

A plan depends only on ``(seed, client, index)``, so one failing sequence can be replayed alone
(``python -m tests.soak --seed S --only Client:17``) without running the ones before it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

__all__ = ["FORWARDED", "KINDS", "SequencePlan", "plan_sequence"]

# What each kind does is documented in ``proxy`` and in docs/soak.md.
KINDS: tuple[str, ...] = (
    "drop_before",  # the connection closes before the request reaches the emulator
    "drop_after",  # the emulator acted; the connection closes before its response
    "drip",  # the emulator acted; its response trickles out, far slower than the timeout
    "endless",  # the emulator acted; a 200 whose chunked body never ends
    "500",
    "503",  # with Stripe-Should-Retry: true, as Stripe sends it
    "409",  # idempotency_error: another request with this key is in flight
    "429",  # lock_timeout without Stripe-Should-Retry
    "429_retry",  # lock_timeout with Stripe-Should-Retry: true
    "truncated",  # the emulator acted; a 200 whose JSON is cut (Content-Length agrees)
    "truncated_close",  # the emulator acted; the connection closes mid-body
    "garbage",  # the emulator acted; a 200 whose body is not JSON
)

# Kinds after which the emulator has acted: a retry must be a replay, not a second note.
FORWARDED = frozenset({"drop_after", "drip", "endless", "truncated", "truncated_close", "garbage"})

FOLLOWUPS = ("retrieve", "update")


@dataclass(frozen=True)
class SequencePlan:
    """One sequence: a create through some faults, then maybe a follow-up through others."""

    client: str
    index: int
    seed: int
    create: tuple[str, ...]
    followup: str | None
    followup_faults: tuple[str, ...]

    @property
    def marker(self) -> str:
        """The metadata value that finds this sequence's credit notes in the emulator."""
        return f"{self.seed}-{self.client}-{self.index}"

    def describe(self) -> str:
        """The plan in one line, for a failure report."""
        text = f"{self.client}:{self.index} create={list(self.create)}"
        if self.followup:
            text += f" {self.followup}={list(self.followup_faults)}"
        return text


def plan_sequence(seed: int, client: str, index: int, max_faults: int) -> SequencePlan:
    """The seeded plan of sequence ``index``: up to ``max_faults`` faults before the create.

    ``max_faults`` above the client's retries makes some creates run out of attempts, which is
    the case the caller must recover with ``exc.idempotency_key``.
    """
    rng = random.Random(f"{seed}/{client}/{index}")
    create = tuple(rng.choice(KINDS) for _ in range(rng.randint(0, max_faults)))
    followup = rng.choice(FOLLOWUPS) if rng.random() < 0.5 else None
    faults = tuple(rng.choice(KINDS) for _ in range(rng.randint(0, 2))) if followup else ()
    return SequencePlan(client, index, seed, create, followup, faults)
