"""The soak's judgement, without a network: flows, error types, tallies and the verdict."""

from __future__ import annotations

from collections import Counter
from types import SimpleNamespace
from typing import Any

import pytest

from stripe_credit_notes import errors
from stripe_credit_notes._response import APIResponse

from .driver import (
    CALM_DEADLINE,
    Outcome,
    Report,
    Result,
    Settings,
    Support,
    Tally,
    expected_error,
    judge,
    sequence_flow,
)
from .plans import KINDS, SequencePlan, plan_sequence

SETTINGS = Settings(seed=7, sync_sequences=3, async_sequences=2)
SUPPORT = Support(deadline=True, per_call_deadline=True, max_response_bytes=True, error_keys=True)
PLAN = SequencePlan("Client", 0, 7, ("drop_after",), "retrieve", ("500",))


def ok(note_id: str = "cn_1", replayed: bool = False) -> Result:
    headers = {"idempotent-replayed": "true"} if replayed else {}
    response: APIResponse[Any] = APIResponse(
        SimpleNamespace(id=note_id), 200, headers, "req_1", "key", 1, 0.1
    )
    return Result(response, None, 0.1)


def failed(error: Exception, elapsed: float = 0.1, key: str | None = "key-9") -> Result:
    if key is not None:
        error.idempotency_key = key  # type: ignore[attr-defined]
    return Result(None, error, elapsed)


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (errors.APIConnectionError("dropped"), True),
        (errors.APITimeoutError("slow"), True),
        (errors.APIError("boom", http_status=500), True),
        (errors.APIError("busy", http_status=503), True),
        (errors.MalformedResponseError("cut", http_status=200), True),
        (errors.MalformedResponseError("too large"), True),
        (errors.IdempotencyError("in flight", http_status=409), True),
        (errors.RateLimitError("lock", http_status=429), True),
        (errors.IdempotencyError("reused with other params", http_status=400), False),
        (errors.InvalidRequestError("bad", http_status=400), False),
        (errors.AuthenticationError("key", http_status=401), False),
        (errors.ValidationError("local", rule="r"), False),
        (errors.APIError("no status"), False),
        (RecursionError(), False),
        (KeyError("x"), False),
    ],
)
def test_only_errors_a_fault_can_cause_are_expected(error: Exception, expected: bool) -> None:
    assert expected_error(error) is expected


def run(flow: Any, *results: Result) -> tuple[list[Any], Outcome]:
    calls = [next(flow)]
    try:
        for result in results:
            calls.append(flow.send(result))
    except StopIteration as stop:
        return calls, stop.value
    raise AssertionError(f"the flow wanted more calls: {calls}")


def test_a_create_that_gives_up_is_retried_calmly_with_the_key_of_its_error() -> None:
    flow = sequence_flow(PLAN, "in_1", SETTINGS, SUPPORT)
    calls, outcome = run(flow, failed(errors.APITimeoutError("t")), ok(replayed=True), ok())
    create, manual, follow = calls
    assert create.faults == ("drop_after",)
    assert create.kwargs["metadata"] == {"soak": PLAN.marker}
    assert manual.kwargs["idempotency_key"] == "key-9"
    assert manual.kwargs["deadline"] == CALM_DEADLINE
    assert (manual.faults, manual.calm) == ((), True)
    assert (follow.method, follow.args, follow.faults) == ("retrieve", ("cn_1",), ("500",))
    assert outcome.exhausted and outcome.replayed and not outcome.keyless
    assert outcome.note_id == "cn_1"
    assert not outcome.unexpected and not outcome.overruns


def test_an_error_without_a_key_is_flagged_and_retried_without_one() -> None:
    flow = sequence_flow(PLAN, "in_1", SETTINGS, SUPPORT)
    calls, outcome = run(flow, failed(errors.APIConnectionError("x"), key=None), ok(), ok())
    assert calls[1].kwargs["idempotency_key"] is None
    assert outcome.keyless


def test_unexpected_types_and_overruns_are_recorded_and_end_the_sequence() -> None:
    flow = sequence_flow(PLAN, "in_1", SETTINGS, SUPPORT)
    slow = SETTINGS.deadline + SETTINGS.slack + 0.01
    calls, outcome = run(flow, failed(errors.InvalidRequestError("no", http_status=400), slow))
    assert len(calls) == 1
    assert [kind for kind, _ in outcome.unexpected] == ["InvalidRequestError (HTTP 400)"]
    assert outcome.overruns and outcome.note_id is None


def test_any_error_of_the_calm_retry_is_unexpected() -> None:
    flow = sequence_flow(PLAN, "in_1", SETTINGS, SUPPORT)
    _, outcome = run(
        flow,
        failed(errors.APIError("x", http_status=500)),
        failed(errors.APIError("y", http_status=500)),
    )
    assert [kind for kind, _ in outcome.unexpected] == ["APIError (HTTP 500)"]


def test_without_sdk_support_the_deadline_options_are_not_sent() -> None:
    none = Support(
        deadline=False, per_call_deadline=False, max_response_bytes=False, error_keys=False
    )
    assert SUPPORT.complete and not none.complete
    assert "deadline" not in none.calm_options()
    assert {"deadline", "max_response_bytes"}.isdisjoint(none.client_options(SETTINGS))
    assert SUPPORT.client_options(SETTINGS)["deadline"] == SETTINGS.deadline


def outcome(index: int, note_id: str | None, **flags: Any) -> Outcome:
    return Outcome(SequencePlan("Client", index, 7, (), None, ()), note_id, **flags)


def test_judge_counts_duplicates_lost_and_exhausted_with_note() -> None:
    outcomes = [
        outcome(0, "cn_a"),  # fine
        outcome(1, "cn_b"),  # two notes: one duplicate
        outcome(2, "cn_c"),  # the emulator has none: lost
        outcome(3, "cn_d", exhausted=True, replayed=True),  # recovered by its key
        outcome(4, "cn_e", exhausted=True),  # a new note beside the lost attempt's
    ]
    notes = {
        "7-Client-0": ["cn_a"],
        "7-Client-1": ["cn_b", "cn_x"],
        "7-Client-3": ["cn_d"],
        "7-Client-4": ["cn_e", "cn_y"],
    }
    tally = judge(outcomes, notes)["Client"]
    assert (tally.sequences, tally.duplicates, tally.lost) == (5, 2, 1)
    assert tally.exhausted_with_note == 2
    assert len(tally.failures) == 3


def report(**figures: Any) -> Report:
    tallies = {"Client": Tally(sequences=3), "AsyncClient": Tally(sequences=2)}
    for name, value in figures.items():
        setattr(tallies["Client"], name, value)
    return Report(SETTINGS, SUPPORT, tallies, Counter(), 10, 0, 1.0)


@pytest.mark.parametrize(
    "figures",
    [
        {"duplicates": 1},
        {"lost": 1},
        {"overruns": 1},
        {"unexpected": Counter({"KeyError": 1})},
    ],
)
def test_any_failure_fails_the_run(figures: dict[str, Any]) -> None:
    assert report().ok
    failing = report(**figures)
    assert not failing.ok
    assert failing.render().endswith(f"FAIL (reproduce: make soak SEED={SETTINGS.seed})")


def test_a_run_that_stopped_early_fails_and_says_why() -> None:
    stopped = report()
    stopped.stopped = "time limit of 900s reached"
    assert not stopped.ok
    assert "STOPPED EARLY: time limit" in stopped.render()


def test_the_printout_names_every_figure_the_issue_asks_for() -> None:
    text = report().render()
    for label in (
        "seed:",
        "sequences: 5",
        "duplicates: 0",
        "lost: 0",
        "exhausted-with-note: 0",
        "calls over their deadline: 0",
        "unexpected exception types: none",
    ):
        assert label in text


def test_plans_depend_only_on_seed_client_and_index() -> None:
    assert plan_sequence(1, "Client", 5, 6) == plan_sequence(1, "Client", 5, 6)
    assert plan_sequence(1, "Client", 5, 6) != plan_sequence(2, "Client", 5, 6)
    plans = [
        plan_sequence(1, client, i, 6) for client in ("Client", "AsyncClient") for i in range(60)
    ]
    assert {kind for p in plans for kind in p.create + p.followup_faults} == set(KINDS)
    assert max(len(p.create) for p in plans) == 6
    assert {p.followup for p in plans} == {None, "retrieve", "update"}
