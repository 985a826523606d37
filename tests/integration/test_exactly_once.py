"""Retries through injected faults never lose or double a credit note, and never hang.

Each case is a random sequence of faults (seeded, so a failure names its reproduction) put in
front of one logical ``create``. The emulator is a separate process, the faults happen on real
sockets: connections dropped before or after the server acted, 500, 503, 409, 429
``lock_timeout``, and responses slower than the client's timeout. With no more faults than
retries (less one spare attempt for a busy machine), the call must succeed and the invoice
must have exactly one credit note; with more, the call may fail, but there is still at most one. Every call ends within its time bound.
"""

from __future__ import annotations

import random
import time
from typing import Any

import pytest

from stripe_credit_notes import AsyncClient, Client, RetryPolicy, StripeError

from .conftest import API_KEY, EmulatorProcess

FAULTS = ("drop_before", "drop_after", "500", "503", "409", "lock_timeout", "slow")
TIMEOUT = 0.25  # seconds per attempt
SLOW = 0.4  # a slow fault outlasts the timeout: the client gives up, the server still acts
POLICY = RetryPolicy(max_retries=4, initial_backoff=0.01, max_backoff=0.05)
# One spare attempt: on a busy machine an unfaulted attempt can also outlast the short
# timeout. With at most this many faults the call must succeed; with more it may fail.
MUST_SUCCEED = POLICY.max_retries - 1


def plan(seed: int) -> list[str]:
    rng = random.Random(seed)
    return [rng.choice(FAULTS) for _ in range(rng.randint(0, 6))]


def inject(emu: EmulatorProcess, faults: list[str]) -> None:
    for kind in faults:
        options: dict[str, Any] = {"method": "POST", "path": "/v1/credit_notes"}
        if kind == "slow":
            options["delay"] = SLOW
        emu.fault(kind, **options)


def bound(attempts: int) -> float:
    """The longest a call may take: every attempt times out, plus the capped backoffs."""
    return attempts * TIMEOUT + (attempts - 1) * POLICY.max_backoff + 1.0


def check(emu: EmulatorProcess, invoice: str, faults: list[str], outcome: object) -> None:
    if len(faults) <= MUST_SUCCEED:
        assert not isinstance(outcome, BaseException), f"{faults}: {outcome!r}"
    # A slow fault may still be executing on the server: wait for it before counting.
    time.sleep(SLOW if "slow" in faults else 0)
    count = emu.count(invoice=invoice)
    if isinstance(outcome, BaseException):
        assert count <= 1, faults
    else:
        assert count == 1, faults


@pytest.mark.parametrize("seed", range(30))
def test_each_create_makes_exactly_one_credit_note(emu: EmulatorProcess, seed: int) -> None:
    faults = plan(seed)
    invoice = emu.invoice([1000], paid=True)["id"]
    inject(emu, faults)
    outcome: object
    with Client(API_KEY, base_url=emu.base_url, timeout=TIMEOUT, retry_policy=POLICY) as c:
        start = time.monotonic()
        try:
            outcome = c.credit_notes.create(invoice=invoice, amount=300, credit_amount=300)
        except StripeError as error:
            outcome = error
        elapsed = time.monotonic() - start
    assert elapsed < bound(POLICY.max_retries + 1), (faults, elapsed)
    check(emu, invoice, faults, outcome)
    emu.clear_faults()


@pytest.mark.parametrize("seed", range(100, 112))
async def test_async_create_makes_exactly_one_credit_note(emu: EmulatorProcess, seed: int) -> None:
    faults = plan(seed)
    invoice = emu.invoice([1000], paid=True)["id"]
    inject(emu, faults)
    outcome: object
    async with AsyncClient(
        API_KEY, base_url=emu.base_url, timeout=TIMEOUT, retry_policy=POLICY
    ) as c:
        start = time.monotonic()
        try:
            outcome = await c.credit_notes.create(invoice=invoice, amount=300, credit_amount=300)
        except StripeError as error:
            outcome = error
        elapsed = time.monotonic() - start
    assert elapsed < bound(POLICY.max_retries + 1), (faults, elapsed)
    check(emu, invoice, faults, outcome)
    emu.clear_faults()


def test_every_fault_kind_is_exercised() -> None:
    seen = {kind for seed in [*range(30), *range(100, 112)] for kind in plan(seed)}
    assert seen == set(FAULTS)


def test_a_dropped_response_is_recovered_by_replay_not_by_a_second_note(
    emu: EmulatorProcess,
) -> None:
    invoice = emu.invoice([1000], paid=True)["id"]
    emu.fault("drop_after", method="POST", path="/v1/credit_notes")
    with Client(API_KEY, base_url=emu.base_url, timeout=TIMEOUT, retry_policy=POLICY) as c:
        raw = c.credit_notes.with_raw_response.create(
            invoice=invoice, amount=300, credit_amount=300
        )
    assert raw.attempts == 2
    assert raw.headers.get("idempotent-replayed") == "true"
    assert emu.count(invoice=invoice) == 1


def test_without_retries_a_dropped_response_surfaces_and_the_key_recovers_it(
    emu: EmulatorProcess,
) -> None:
    invoice = emu.invoice([1000], paid=True)["id"]
    emu.fault("drop_after", method="POST", path="/v1/credit_notes")
    with Client(API_KEY, base_url=emu.base_url, timeout=TIMEOUT, max_retries=0) as c:
        with pytest.raises(StripeError):
            c.credit_notes.create(
                invoice=invoice, amount=300, credit_amount=300, idempotency_key="order-77"
            )
        # The caller retries later with its own key: the same credit note comes back.
        note = c.credit_notes.create(
            invoice=invoice, amount=300, credit_amount=300, idempotency_key="order-77"
        )
    assert emu.count(invoice=invoice) == 1
    assert note.total == 300
