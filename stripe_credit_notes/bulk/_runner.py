"""``run`` and ``arun``: import the plan into the journal, then drive the rows' steps.

The sync runner drives one generator of :mod:`._engine` per worker thread; the async runner one
per task. Only how an action is carried out differs (``time.sleep`` or ``asyncio.sleep``, a
blocking journal write or one in a thread, a blocking or awaited request).
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import attrs

from .. import errors
from ._engine import (
    Action,
    Dispatcher,
    Progress,
    Record,
    Request,
    Settings,
    Sleep,
    Steps,
    Wait,
    throttles,
    worker_steps,
)
from ._journal import ImportSummary, Journal, JournalRow
from ._limiter import RateLimiter, RateLimits
from ._plan import PlanRow, RowProblem, read_plan
from ._preflight import check_row

if TYPE_CHECKING:
    from .._client import AsyncClient, Client

__all__ = ["PlanRejected", "RowResult", "RunReport", "arun", "run"]

#: Stripe prunes idempotency keys once they are at least 24 hours old.
STRIPE_KEY_LIFETIME = 24 * 3600.0

PlanSource = str | Path | Iterable[PlanRow | RowProblem | Mapping[str, Any]]
RowStatus = Literal["done", "failed", "in_flight", "pending", "invalid"]


class PlanRejected(ValueError):
    """Pre-flight refused rows of the plan, so nothing was sent.

    ``problems`` holds the first 20; :meth:`Journal.problems` (or ``bulk report``) streams all.
    Pass ``skip_invalid=True`` to run the valid rows anyway.
    """

    def __init__(self, summary: ImportSummary, problems: list[RowProblem], journal: Path) -> None:
        lines = [f"line {p.line} ({p.key or 'no key'}): {p.message}" for p in problems]
        more = summary.problems - len(problems)
        if more > 0:
            lines.append(f"... and {more} more (bulk report {journal})")
        super().__init__(
            f"the plan was refused: {summary.problems} invalid row(s), nothing was sent\n"
            + "\n".join(lines)
        )
        self.summary = summary
        self.problems = problems
        self.journal = journal


@attrs.frozen
class RowResult:
    """The outcome of one row: its credit note, or the typed error that stopped it."""

    key: str | None
    invoice: str
    status: RowStatus
    """``done``, ``failed`` (refused: no note), ``in_flight`` (outcome still unknown: resume
    to settle it), ``pending`` (not sent yet) or ``invalid`` (refused by pre-flight)."""
    credit_note: str | None = None
    error: errors.StripeError | None = None
    attempts: int = 0
    settled_by: str | None = None
    line: int = 0
    idempotency_key: str | None = None
    preview_total: int | None = None
    preview_error: str | None = None

    @classmethod
    def from_journal(cls, row: JournalRow) -> RowResult:
        """The result a journal row records."""
        return cls(
            key=row.key,
            invoice=row.invoice,
            status=row.state,
            credit_note=row.credit_note,
            error=row.error,
            attempts=row.attempts,
            settled_by=row.settled_by,
            line=row.line,
            idempotency_key=row.idempotency_key,
            preview_total=row.preview_total,
            preview_error=row.preview_error,
        )

    @classmethod
    def from_problem(cls, problem: RowProblem) -> RowResult:
        """The result of a row pre-flight refused."""
        error = errors.ValidationError(
            problem.message,
            params=(problem.param,) if problem.param else (),
            rule="bulk.preflight",
        )
        return cls(key=problem.key, invoice="", status="invalid", error=error, line=problem.line)


@attrs.frozen
class RunReport:
    """What a run did. ``results()`` streams the outcome of every row from the journal."""

    journal: Path
    run_id: str
    counts: Mapping[str, int]
    """Rows per status after the run (``done``, ``failed``, ``in_flight``, ``pending``,
    ``invalid``)."""
    imported: ImportSummary
    requests: int
    elapsed: float
    throttled: int
    """429 rate limits that slowed the run down."""
    limits: RateLimits
    dry_run: bool
    outcomes: Mapping[str, int] = attrs.field(factory=dict)
    """This run's rows by outcome (``done``, ``failed``, ``unsettled``, ``previewed``)."""

    @property
    def complete(self) -> bool:
        """Whether every valid row has its note (or, for a dry run, its preview)."""
        return self.counts.get("in_flight", 0) == 0 and (
            self.dry_run or self.counts.get("pending", 0) == 0
        )

    @property
    def achieved_rate(self) -> float:
        """Requests per second over the whole run."""
        return self.requests / self.elapsed if self.elapsed > 0 else 0.0

    def results(self) -> Iterator[RowResult]:
        """Every row's result in plan order, then the rows pre-flight refused."""
        with Journal(self.journal) as journal:
            for row in journal.rows():
                yield RowResult.from_journal(row)
            for problem in journal.problems():
                yield RowResult.from_problem(problem)


def _api_key_of(client: Any) -> str:
    # Only the prefix is read (live or sandbox); the key itself never leaves the client.
    key = getattr(getattr(client, "_core", None), "_api_key", "")
    return key if isinstance(key, str) else ""


def _items(plan: PlanSource) -> Iterable[PlanRow | RowProblem]:
    if isinstance(plan, str | Path):
        return read_plan(plan)
    return (_coerce_item(item, index) for index, item in enumerate(plan, start=1))


def _coerce_item(
    item: PlanRow | RowProblem | Mapping[str, Any], index: int
) -> PlanRow | RowProblem:
    if isinstance(item, PlanRow | RowProblem):
        return item
    data = dict(item)
    key = data.pop("key", None)
    if not isinstance(key, str) or not key:
        return RowProblem(index, None, "the row has no 'key' (a non-empty string)", "key")
    return PlanRow(key=key, params=data, line=index)


@attrs.frozen
class _Prepared:
    journal: Journal
    owned: bool
    settings: Settings
    limiter: RateLimiter
    dispatcher: Dispatcher
    progress: Progress
    imported: ImportSummary


def _prepare(
    plan: PlanSource,
    client: Any,
    journal: str | Path | Journal,
    *,
    dry_run: bool,
    skip_invalid: bool,
    limits: RateLimits | None,
    concurrency: int,
    key_lifetime: float,
    max_attempts: int,
    timeout: float | None,
) -> _Prepared:
    if concurrency < 1:
        raise ValueError(f"concurrency must be >= 1, got {concurrency}")
    if max_attempts < 1:
        raise ValueError(f"max_attempts must be >= 1, got {max_attempts}")
    if not key_lifetime > 0:
        raise ValueError(f"key_lifetime must be > 0 seconds, got {key_lifetime}")
    owned = not isinstance(journal, Journal)
    opened = journal if isinstance(journal, Journal) else Journal(journal, exclusive=True)
    try:
        run_id = opened.run_id
        version = client.api_version
        summary = opened.import_plan(_items(plan), lambda row: check_row(row, version, run_id))
        if summary.problems and not skip_invalid:
            first = list(itertools.islice(opened.problems(), 20))
            raise PlanRejected(summary, first, opened.path)
        counts = opened.counts()
    except BaseException:
        if owned:
            opened.close()
        raise
    settings = Settings(
        journal=opened,
        run_id=run_id,
        key_lifetime=key_lifetime,
        max_attempts=max_attempts,
        dry_run=dry_run,
        timeout=timeout,
    )
    total = sum(counts[state] for state in ("pending", "in_flight", "done", "failed"))
    return _Prepared(
        journal=opened,
        owned=owned,
        settings=settings,
        limiter=RateLimiter(limits or RateLimits.for_api_key(_api_key_of(client))),
        dispatcher=Dispatcher(opened),
        progress=Progress(
            total, 0 if dry_run else counts["done"] + counts["failed"], time.monotonic
        ),
        imported=summary,
    )


def _report(prepared: _Prepared) -> RunReport:
    counts = prepared.journal.counts()
    return RunReport(
        journal=prepared.journal.path,
        run_id=prepared.settings.run_id,
        counts={
            "done": counts["done"],
            "failed": counts["failed"],
            "in_flight": counts["in_flight"],
            "pending": counts["pending"],
            "invalid": counts["invalid"],
        },
        imported=prepared.imported,
        requests=prepared.progress.requests,
        elapsed=prepared.progress.elapsed,
        throttled=prepared.limiter.throttled,
        limits=prepared.limiter.limits,
        dry_run=prepared.settings.dry_run,
        outcomes=dict(prepared.progress.outcomes),
    )


def _next_action(steps: Steps, value: Any, error: errors.StripeError | None) -> Action | None:
    try:
        return steps.throw(error) if error is not None else steps.send(value)
    except StopIteration:
        return None


def _feedback(limiter: RateLimiter, error: errors.StripeError) -> None:
    if throttles(error):
        limiter.throttle()


def run(
    plan: PlanSource,
    client: Client,
    *,
    journal: str | Path | Journal,
    dry_run: bool = False,
    skip_invalid: bool = False,
    limits: RateLimits | None = None,
    concurrency: int = 8,
    key_lifetime: float = STRIPE_KEY_LIFETIME,
    max_attempts: int = 8,
    timeout: float | None = None,
    on_progress: Callable[[Progress], None] | None = None,
) -> RunReport:
    """Issue one credit note per row of ``plan``, exactly once, resumably (blocking).

    ``plan`` is a ``.csv``/``.jsonl`` path or an iterable of :class:`PlanRow` (or of mappings
    with a ``key`` and the create parameters). ``journal`` is the SQLite file (or an open
    :class:`Journal`) that makes the run resumable: run again with the same journal after a
    crash, and done rows are skipped and in-flight rows settled. Every row is checked before
    anything is sent; invalid rows refuse the whole plan (:class:`PlanRejected`) unless
    ``skip_invalid``.

    ``limits`` defaults to 80 % of Stripe's documented limits for the client's key (live or
    sandbox); ``concurrency`` workers share them, each owning one invoice at a time.
    ``key_lifetime`` is how long Stripe keeps idempotency keys (24 h); an in-flight row older
    than that is settled by listing its invoice's notes for the row's marker. ``dry_run``
    previews every open row and creates nothing. ``timeout`` is seconds per request attempt.
    """
    prepared = _prepare(
        plan,
        client,
        journal,
        dry_run=dry_run,
        skip_invalid=skip_invalid,
        limits=limits,
        concurrency=concurrency,
        key_lifetime=key_lifetime,
        max_attempts=max_attempts,
        timeout=timeout,
    )
    limiter, progress = prepared.limiter, prepared.progress
    notes = client.credit_notes

    def perform(action: Action) -> Any:
        if isinstance(action, Wait):
            while (delay := limiter.reserve(action.endpoint)) > 0:
                time.sleep(delay)
            return None
        if isinstance(action, Sleep):
            time.sleep(action.seconds)
            return None
        if isinstance(action, Record):
            return action.write()
        progress.request()
        try:
            response = action.call(notes)
        except errors.StripeError as error:
            _feedback(limiter, error)
            raise
        limiter.succeed()
        return action.finish(response)

    def worker() -> None:
        steps = worker_steps(prepared.dispatcher, prepared.settings, progress, _notify)
        value: Any = None
        error: errors.StripeError | None = None
        while (action := _next_action(steps, value, error)) is not None:
            value, error = None, None
            try:
                value = perform(action)
            except errors.StripeError as exc:
                error = exc

    def _notify() -> None:
        if on_progress is not None:
            on_progress(progress)

    try:
        with ThreadPoolExecutor(concurrency, thread_name_prefix="bulk") as pool:
            futures = [pool.submit(worker) for _ in range(concurrency)]
            try:
                for future in futures:
                    future.result()
            except BaseException:
                prepared.dispatcher.stop()
                raise
        return _report(prepared)
    finally:
        if prepared.owned:
            prepared.journal.close()


async def arun(
    plan: PlanSource,
    client: AsyncClient,
    *,
    journal: str | Path | Journal,
    dry_run: bool = False,
    skip_invalid: bool = False,
    limits: RateLimits | None = None,
    concurrency: int = 8,
    key_lifetime: float = STRIPE_KEY_LIFETIME,
    max_attempts: int = 8,
    timeout: float | None = None,
    on_progress: Callable[[Progress], None] | None = None,
) -> RunReport:
    """:func:`run` for an :class:`~stripe_credit_notes.AsyncClient`: the same guarantees,
    with ``concurrency`` asyncio tasks instead of threads (journal writes run in a thread)."""
    prepared = await asyncio.to_thread(
        _prepare,
        plan,
        client,
        journal,
        dry_run=dry_run,
        skip_invalid=skip_invalid,
        limits=limits,
        concurrency=concurrency,
        key_lifetime=key_lifetime,
        max_attempts=max_attempts,
        timeout=timeout,
    )
    limiter, progress = prepared.limiter, prepared.progress
    notes = client.credit_notes

    async def perform(action: Action) -> Any:
        if isinstance(action, Wait):
            while (delay := limiter.reserve(action.endpoint)) > 0:
                await asyncio.sleep(delay)
            return None
        if isinstance(action, Sleep):
            await asyncio.sleep(action.seconds)
            return None
        if isinstance(action, Record):
            return await asyncio.to_thread(action.write)
        assert isinstance(action, Request)
        progress.request()
        try:
            response = await action.call(notes)
        except errors.StripeError as error:
            _feedback(limiter, error)
            raise
        limiter.succeed()
        return action.finish(response)

    def notify() -> None:
        if on_progress is not None:
            on_progress(progress)

    async def worker() -> None:
        steps = worker_steps(prepared.dispatcher, prepared.settings, progress, notify)
        value: Any = None
        error: errors.StripeError | None = None
        while (action := _next_action(steps, value, error)) is not None:
            value, error = None, None
            try:
                value = await perform(action)
            except errors.StripeError as exc:
                error = exc

    try:
        tasks = [asyncio.ensure_future(worker()) for _ in range(concurrency)]
        try:
            await asyncio.gather(*tasks)
        except BaseException:
            prepared.dispatcher.stop()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise
        return _report(prepared)
    finally:
        if prepared.owned:
            await asyncio.to_thread(prepared.journal.close)
