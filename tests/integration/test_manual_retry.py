"""The documented recipe: after the SDK's retries run out, retry with the error's key.

Every attempt of the create reaches the emulator (a separate process) and is carried out or
replayed, then its connection drops before the answer: the call fails although a credit note
exists. Retrying by hand with ``idempotency_key=exc.idempotency_key`` returns that note instead
of making a second one.
"""

from __future__ import annotations

import pytest

from stripe_credit_notes import APIConnectionError, AsyncClient, Client, RetryPolicy

from .conftest import API_KEY, EmulatorProcess

POLICY = RetryPolicy(max_retries=2, initial_backoff=0.01, max_backoff=0.02)


def drop_every_attempt(emu: EmulatorProcess) -> None:
    emu.fault("drop_after", count=POLICY.max_retries + 1, method="POST", path="/v1/credit_notes")


def test_a_manual_retry_with_the_errors_key_yields_one_note(emu: EmulatorProcess) -> None:
    invoice = emu.invoice([1000], paid=True)["id"]
    drop_every_attempt(emu)
    with Client(API_KEY, base_url=emu.base_url, retry_policy=POLICY, timeout=5) as c:
        with pytest.raises(APIConnectionError) as info:
            c.credit_notes.create(invoice=invoice, amount=300, credit_amount=300)
        error = info.value
        assert error.attempts == POLICY.max_retries + 1
        assert error.idempotency_key
        assert emu.count(invoice=invoice) == 1  # the first attempt made it; the rest replayed
        note = c.credit_notes.create(
            invoice=invoice, amount=300, credit_amount=300, idempotency_key=error.idempotency_key
        )
        assert [n.id for n in c.credit_notes.list(invoice=invoice)] == [note.id]
    assert emu.count(invoice=invoice) == 1


def test_a_manual_retry_without_the_key_would_make_a_second_note(emu: EmulatorProcess) -> None:
    # Why the recipe matters: the same call with a fresh key is a new credit note.
    invoice = emu.invoice([1000], paid=True)["id"]
    drop_every_attempt(emu)
    with Client(API_KEY, base_url=emu.base_url, retry_policy=POLICY, timeout=5) as c:
        with pytest.raises(APIConnectionError):
            c.credit_notes.create(invoice=invoice, amount=300, credit_amount=300)
        c.credit_notes.create(invoice=invoice, amount=300, credit_amount=300)
    assert emu.count(invoice=invoice) == 2


async def test_async_manual_retry_with_the_errors_key_yields_one_note(
    emu: EmulatorProcess,
) -> None:
    invoice = emu.invoice([1000], paid=True)["id"]
    drop_every_attempt(emu)
    async with AsyncClient(API_KEY, base_url=emu.base_url, retry_policy=POLICY, timeout=5) as c:
        with pytest.raises(APIConnectionError) as info:
            await c.credit_notes.create(invoice=invoice, amount=300, credit_amount=300)
        key = info.value.idempotency_key
        await c.credit_notes.create(
            invoice=invoice, amount=300, credit_amount=300, idempotency_key=key
        )
    assert emu.count(invoice=invoice) == 1
