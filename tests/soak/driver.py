"""Run seeded fault sequences through ``Client`` and ``AsyncClient`` and judge the outcome.

Each sequence gets its own paid invoice and its own base URL through the proxy. It creates one
credit note (tagged ``metadata[soak]=<marker>``) through its planned faults; when the create
runs out of retries with an error the docs promise, the driver does what a careful caller does:
it creates again, calmly, with ``idempotency_key=exc.idempotency_key``. Then, maybe, a
follow-up (retrieve or update) through more faults.

The ground truth comes last, straight from the emulator (not through the proxy), once the proxy
is closed and nothing can still be on its way: every credit note, grouped by marker. A
sequence with two notes is a duplicate, one with none (or not the one the caller holds) is
lost. Every call must end within its deadline plus ``slack``; every error must be one of the
types a fault can cause (``expected_error``).

The flow of a sequence is written once, as a generator of calls (``sequence_flow``); the
blocking and the asyncio runners only carry the calls out.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections import Counter
from collections.abc import Generator, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import httpx

from stripe_credit_notes import AsyncClient, Client, RetryPolicy, errors
from stripe_credit_notes._core import RequestOptions
from stripe_credit_notes._response import APIResponse

from .plans import KINDS, SequencePlan, plan_sequence
from .proxy import FaultProxy

__all__ = ["Report", "Settings", "expected_error", "judge", "run_soak", "sequence_flow"]

API_KEY = "sk_test_soak"
CLIENTS = ("Client", "AsyncClient")
# The caller's own retry after the SDK gave up: no faults left, and time to spare.
CALM_TIMEOUT = 10.0
CALM_DEADLINE = 30.0


@dataclass(frozen=True)
class Settings:
    """One soak run. The defaults are the long run (``make soak``)."""

    seed: int
    sync_sequences: int = 1000
    async_sequences: int = 300
    concurrency: int = 32
    """Sequences the asyncio run keeps in flight at once."""
    sync_workers: int = 8
    """Threads running blocking sequences side by side (each with its own ``Client``)."""
    timeout: float = 0.5
    """Per attempt, seconds."""
    deadline: float = 2.5
    """Per call across attempts and backoff, seconds: what no call may outlive."""
    slack: float = 1.5
    """Added to ``deadline`` before a call counts as over it (a loaded 2-core machine)."""
    max_retries: int = 4
    max_response_bytes: int = 1_000_000
    time_limit: float = 900.0
    """No new sequence starts after this many seconds."""
    max_requests: int = 0
    """No new sequence starts after the proxy saw this many requests (0: 40 per sequence)."""
    only: tuple[str, int] | None = None
    """Run just this one sequence (client name, index): to reproduce a failure."""

    @property
    def max_faults(self) -> int:
        """Up to two faults more than retries, so some creates run out of attempts."""
        return self.max_retries + 2

    @property
    def request_budget(self) -> int:
        return self.max_requests or 40 * (self.sync_sequences + self.async_sequences)

    def plans(self, client: str) -> list[SequencePlan]:
        """The sequences this run gives ``client``."""
        count = self.sync_sequences if client == "Client" else self.async_sequences
        indices: Iterator[int] = iter(range(count))
        if self.only is not None:
            indices = iter([self.only[1]] if self.only[0] == client else [])
        return [plan_sequence(self.seed, client, i, self.max_faults) for i in indices]


@dataclass(frozen=True)
class Support:
    """Which of the agreed client options this build of the SDK has."""

    deadline: bool
    per_call_deadline: bool
    max_response_bytes: bool
    error_keys: bool
    """Errors carry ``idempotency_key`` (the caller's safe retry needs it)."""

    @classmethod
    def detect(cls) -> Support:
        options = inspect.signature(Client.__init__).parameters
        return cls(
            deadline="deadline" in options,
            per_call_deadline="deadline" in RequestOptions.__annotations__,
            max_response_bytes="max_response_bytes" in options,
            error_keys=hasattr(errors.StripeError("probe"), "idempotency_key"),
        )

    @property
    def complete(self) -> bool:
        """The SDK has every option and error field of the agreed interface."""
        return all(vars(self).values())

    def client_options(self, settings: Settings) -> dict[str, Any]:
        policy = RetryPolicy(
            max_retries=settings.max_retries, initial_backoff=0.02, max_backoff=0.1
        )
        options: dict[str, Any] = {"timeout": settings.timeout, "retry_policy": policy}
        if self.deadline:
            options["deadline"] = settings.deadline
        if self.max_response_bytes:
            options["max_response_bytes"] = settings.max_response_bytes
        return options

    def calm_options(self) -> dict[str, Any]:
        options: dict[str, Any] = {"timeout": CALM_TIMEOUT, "max_retries": 2}
        if self.per_call_deadline:
            options["deadline"] = CALM_DEADLINE
        return options


@dataclass(frozen=True)
class Call:
    """One SDK call a sequence makes: ``client.credit_notes.with_raw_response.<method>``."""

    label: str
    method: str
    args: tuple[str, ...]
    kwargs: dict[str, Any]
    faults: tuple[str, ...]
    bound: float
    """Its deadline: the call may take this plus ``Settings.slack``, no longer."""
    calm: bool = False
    """No faults planned: any error at all is unexpected."""


@dataclass(frozen=True)
class Result:
    """How one call ended, and how long it took."""

    response: APIResponse[Any] | None
    error: Exception | None
    elapsed: float


@dataclass
class Outcome:
    """What one sequence saw from the caller's side."""

    plan: SequencePlan
    note_id: str | None = None
    exhausted: bool = False
    """The create raised an expected error: its retries (or its deadline) ran out."""
    replayed: bool = False
    """The caller's own retry got Stripe's saved response: a note existed already."""
    keyless: bool = False
    """The error carried no ``idempotency_key`` to retry with."""
    overruns: list[str] = field(default_factory=list)
    unexpected: list[tuple[str, str]] = field(default_factory=list)


Flow = Generator[Call, Result, Outcome]


def expected_error(error: BaseException) -> bool:
    """Whether a fault of the plan can explain ``error`` (the types the docs promise)."""
    if isinstance(error, errors.APIConnectionError):  # drops, drips, timeouts, deadlines
        return True
    status = error.http_status if isinstance(error, errors.StripeError) else None
    if isinstance(error, errors.IdempotencyError):
        return status == 409  # a 400 idempotency_error would be the SDK's own fault
    if isinstance(error, errors.RateLimitError):
        return status == 429
    if isinstance(error, errors.MalformedResponseError):  # cut, garbage or oversized bodies
        return True
    if isinstance(error, errors.APIError):  # 5xx (and a 2xx body the SDK could not use)
        return status is not None and (status >= 500 or 200 <= status < 300)
    return False


def error_type(error: BaseException) -> str:
    """``InvalidRequestError (HTTP 400)``: the type, and the status when there was one."""
    status = error.http_status if isinstance(error, errors.StripeError) else None
    return type(error).__name__ + (f" (HTTP {status})" if status is not None else "")


def sequence_flow(plan: SequencePlan, invoice: str, settings: Settings, support: Support) -> Flow:
    """The calls of one sequence, each decided from how the previous one ended."""
    outcome = Outcome(plan)
    params: dict[str, Any] = {
        "invoice": invoice,
        "amount": 300,
        "credit_amount": 300,
        "metadata": {"soak": plan.marker},
    }
    create = Call("create", "create", (), params, plan.create, settings.deadline)
    result = yield create
    _check(outcome, create, result, settings)
    if result.error is not None and expected_error(result.error):
        outcome.exhausted = True
        # The documented recipe: the same key again, so a note made by a lost attempt returns.
        key = getattr(result.error, "idempotency_key", None)
        outcome.keyless = key is None
        kwargs = {**params, "idempotency_key": key, **support.calm_options()}
        manual = Call("manual retry", "create", (), kwargs, (), CALM_DEADLINE, calm=True)
        result = yield manual
        _check(outcome, manual, result, settings)
        if result.response is not None:
            outcome.replayed = result.response.headers.get("idempotent-replayed") == "true"
    if result.response is None:
        return outcome
    outcome.note_id = result.response.parsed.id
    if plan.followup is not None:
        kwargs = {"metadata": {"soak_followup": "yes"}} if plan.followup == "update" else {}
        call = Call(
            plan.followup,
            plan.followup,
            (outcome.note_id,),
            kwargs,
            plan.followup_faults,
            settings.deadline,
        )
        _check(outcome, call, (yield call), settings)
    return outcome


def _check(outcome: Outcome, call: Call, result: Result, settings: Settings) -> None:
    if result.elapsed > call.bound + settings.slack:
        text = f"{call.label} took {result.elapsed:.2f}s (deadline {call.bound:g}s)"
        outcome.overruns.append(text)
    error = result.error
    if error is not None and (call.calm or not expected_error(error)):
        outcome.unexpected.append((error_type(error), f"{call.label}: {error!r}"[:300]))


# -- runners -----------------------------------------------------------------------------------


def _sync_call(client: Client, call: Call) -> Result:
    method = getattr(client.credit_notes.with_raw_response, call.method)
    start = time.monotonic()
    try:
        response = method(*call.args, **call.kwargs)
    except Exception as exc:  # judged by _check: every type counts, even the unforeseen
        return Result(None, exc, time.monotonic() - start)
    return Result(response, None, time.monotonic() - start)


async def _async_call(client: AsyncClient, call: Call) -> Result:
    method = getattr(client.credit_notes.with_raw_response, call.method)
    start = time.monotonic()
    try:
        # A last resort only: the proxy's own bounds end every fault long before this.
        response = await asyncio.wait_for(method(*call.args, **call.kwargs), call.bound + 60)
    except Exception as exc:
        return Result(None, exc, time.monotonic() - start)
    return Result(response, None, time.monotonic() - start)


def _run_sync(
    proxy: FaultProxy, flow: Flow, plan: SequencePlan, options: dict[str, Any]
) -> Outcome:
    with Client(API_KEY, base_url=proxy.url(plan.marker), **options) as client:
        call = next(flow)
        while True:
            proxy.plan(plan.marker, call.faults)
            try:
                call = flow.send(_sync_call(client, call))
            except StopIteration as stop:
                outcome: Outcome = stop.value
                return outcome


async def _run_async(
    proxy: FaultProxy, flow: Flow, plan: SequencePlan, options: dict[str, Any]
) -> Outcome:
    async with AsyncClient(API_KEY, base_url=proxy.url(plan.marker), **options) as client:
        call = next(flow)
        while True:
            proxy.plan(plan.marker, call.faults)
            try:
                call = flow.send(await _async_call(client, call))
            except StopIteration as stop:
                outcome: Outcome = stop.value
                return outcome


# -- judging -----------------------------------------------------------------------------------


@dataclass
class Tally:
    """The figures of one client's sequences."""

    sequences: int = 0
    duplicates: int = 0
    lost: int = 0
    exhausted_with_note: int = 0
    overruns: int = 0
    keyless: int = 0
    unexpected: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)

    def add(self, outcome: Outcome, note_ids: list[str]) -> None:
        """Count one sequence against the notes the emulator holds for its marker."""
        self.sequences += 1
        problems = []
        if len(note_ids) > 1:
            self.duplicates += len(note_ids) - 1
            problems.append(f"{len(note_ids)} credit notes")
        if not note_ids or (outcome.note_id is not None and outcome.note_id not in note_ids):
            self.lost += 1
            problems.append(f"lost (caller holds {outcome.note_id}, emulator has {note_ids})")
        if outcome.exhausted and (outcome.replayed or set(note_ids) - {outcome.note_id}):
            self.exhausted_with_note += 1
        self.keyless += outcome.keyless
        self.overruns += len(outcome.overruns)
        problems += outcome.overruns
        for kind, detail in outcome.unexpected:
            self.unexpected[kind] += 1
            problems.append(detail)
        if problems:
            self.failures.append(f"{outcome.plan.describe()}: {'; '.join(problems)}")


def judge(outcomes: list[Outcome], notes: dict[str, list[str]]) -> dict[str, Tally]:
    """Tally the sequences of each client against the emulator's notes by marker."""
    tallies = {name: Tally() for name in CLIENTS}
    for outcome in outcomes:
        tallies[outcome.plan.client].add(outcome, notes.get(outcome.plan.marker, []))
    return tallies


@dataclass
class Report:
    """A whole run: its figures, and whether it passed."""

    settings: Settings
    support: Support
    tallies: dict[str, Tally]
    injected: Counter[str]
    requests: int
    upstream_errors: int
    elapsed: float
    stopped: str | None = None
    """Why the run stopped before its last sequence (time or request budget), if it did."""

    def total(self, name: str) -> int:
        return sum(getattr(t, name) for t in self.tallies.values())

    @property
    def unexpected(self) -> Counter[str]:
        return sum((t.unexpected for t in self.tallies.values()), Counter())

    @property
    def ok(self) -> bool:
        """No duplicate, no lost note, no overrun, no unexpected type, and every sequence ran."""
        return (
            self.total("duplicates") == 0
            and self.total("lost") == 0
            and self.total("overruns") == 0
            and not self.unexpected
            and self.stopped is None
        )

    def render(self) -> str:
        """The printout of ``make soak``."""
        s = self.settings
        t = self.tallies
        unexpected = ", ".join(f"{k} x{n}" for k, n in self.unexpected.most_common()) or "none"
        injected = ", ".join(f"{kind}={self.injected[kind]}" for kind in KINDS)
        support = ", ".join(f"{k}={'yes' if v else 'no'}" for k, v in vars(self.support).items())
        lines = [
            f"seed: {s.seed}",
            f"sequences: {self.total('sequences')} (Client {t['Client'].sequences} with "
            f"{s.sync_workers} threads, AsyncClient {t['AsyncClient'].sequences} at "
            f"concurrency {s.concurrency})",
            f"duplicates: {self.total('duplicates')}",
            f"lost: {self.total('lost')}",
            f"exhausted-with-note: {self.total('exhausted_with_note')} (retried with "
            "exc.idempotency_key, then counted above)",
            f"calls over their deadline: {self.total('overruns')} (deadline {s.deadline:g}s "
            f"+ {s.slack:g}s slack; caller's own retry {CALM_DEADLINE:g}s)",
            f"unexpected exception types: {unexpected}",
            f"errors without idempotency_key: {self.total('keyless')}",
            f"faults injected: {injected}",
            f"requests through the proxy: {self.requests} (budget {s.request_budget}), "
            f"upstream errors: {self.upstream_errors}",
            f"client options: timeout={s.timeout:g}s max_retries={s.max_retries} "
            f"max_response_bytes={s.max_response_bytes}; SDK supports {support}",
            f"elapsed: {self.elapsed:.1f}s (limit {s.time_limit:g}s)",
        ]
        if self.stopped:
            lines.append(f"STOPPED EARLY: {self.stopped}")
        failures = [f for tally in t.values() for f in tally.failures]
        for failure in failures[:20]:
            lines.append(f"  FAIL {failure}")
        if len(failures) > 20:
            lines.append(f"  ... and {len(failures) - 20} more failing sequences")
        lines.append(f"{'PASS' if self.ok else 'FAIL'} (reproduce: make soak SEED={s.seed})")
        return "\n".join(lines)


# -- the run -----------------------------------------------------------------------------------


class _Budget:
    """Stops new sequences once the run is over its time or request budget."""

    def __init__(self, settings: Settings, proxy: FaultProxy) -> None:
        self.settings = settings
        self.proxy = proxy
        self.start = time.monotonic()
        self.stopped: str | None = None

    def exhausted(self) -> bool:
        if self.stopped is None and time.monotonic() - self.start > self.settings.time_limit:
            self.stopped = f"time limit of {self.settings.time_limit:g}s reached"
        if self.stopped is None and self.proxy.requests >= self.settings.request_budget:
            self.stopped = f"request budget of {self.settings.request_budget} reached"
        return self.stopped is not None


def _ground_truth(base_url: str) -> dict[str, list[str]]:
    """Every credit note in the emulator, by its ``metadata[soak]`` marker (newest first)."""
    notes: dict[str, list[str]] = {}
    params: dict[str, str | int] = {"limit": 100}
    with httpx.Client(base_url=base_url, auth=(API_KEY, ""), timeout=30) as http:
        for _ in range(100_000):  # bounded: a page of 100 per request
            page = http.get("/v1/credit_notes", params=params).raise_for_status().json()
            for note in page["data"]:
                marker = (note.get("metadata") or {}).get("soak")
                if marker is not None:
                    notes.setdefault(marker, []).append(note["id"])
            if not page["has_more"] or not page["data"]:
                break
            params["starting_after"] = page["data"][-1]["id"]
    return notes


def run_soak(settings: Settings, emulator: Any) -> Report:
    """Run ``settings`` against a started emulator process (``tests.integration.conftest``).

    ``emulator`` needs ``base_url`` and ``invoice(lines, **options)``.
    """
    support = Support.detect()
    options = support.client_options(settings)
    port = int(emulator.base_url.rsplit(":", 1)[1])
    outcomes: list[Outcome] = []
    with FaultProxy("127.0.0.1", port) as proxy:
        budget = _Budget(settings, proxy)
        sync_plans = settings.plans("Client")
        invoices = {p.marker: emulator.invoice([1000], paid=True)["id"] for p in sync_plans}

        def one(plan: SequencePlan) -> Outcome | None:
            if budget.exhausted():
                return None
            flow = sequence_flow(plan, invoices[plan.marker], settings, support)
            return _run_sync(proxy, flow, plan, options)

        with ThreadPoolExecutor(settings.sync_workers, thread_name_prefix="soak") as pool:
            outcomes += [o for o in pool.map(one, sync_plans) if o is not None]

        async_plans = settings.plans("AsyncClient")
        invoices = {p.marker: emulator.invoice([1000], paid=True)["id"] for p in async_plans}

        async def worker(queue: Iterator[SequencePlan]) -> None:
            for plan in queue:
                if budget.exhausted():
                    return
                flow = sequence_flow(plan, invoices[plan.marker], settings, support)
                outcomes.append(await _run_async(proxy, flow, plan, options))

        async def async_phase() -> None:
            queue = iter(async_plans)  # shared: each worker takes the next sequence
            await asyncio.gather(*(worker(queue) for _ in range(settings.concurrency)))

        asyncio.run(async_phase())
        injected, requests = Counter(proxy.injected), proxy.requests
        upstream_errors = proxy.upstream_errors
    # The proxy is closed: no attempt can still reach the emulator, so its state is final.
    tallies = judge(outcomes, _ground_truth(emulator.base_url))
    elapsed = time.monotonic() - budget.start
    return Report(
        settings, support, tallies, injected, requests, upstream_errors, elapsed, budget.stopped
    )
