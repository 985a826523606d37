"""What the runner does for each row, written once for both the sync and the async runner.

Each step function is a generator that *yields actions* (wait for the rate limiter, sleep, send
a request, write the journal) and receives their results; a request's ``StripeError`` is thrown
back into it. ``_runner`` drives the generators with blocking calls or with ``await``. So the
decisions (when to list for the marker, when to retry, what a failure means) exist once, I/O-free.

Per row:

1. An in-flight row whose key may have expired at Stripe (first sent more than
   ``key_lifetime - margin`` ago) is settled by listing the invoice's credit notes for the
   row's marker before anything is sent again. Found: done. Not found: a new key epoch starts.
2. Otherwise (and then) the create is sent with the row's own key, the marker in its metadata,
   after the journal has recorded the send. Retries reuse the key, through the limiter.
3. The outcome: a note id (done); a refusal (failed: Stripe saved an error for the key, so no
   note); or still unknown after the retries (left in flight for the next resume).
"""

from __future__ import annotations

import random
import threading
import time
from collections import deque
from collections.abc import Callable, Generator, Mapping
from functools import partial
from typing import Any, Literal

import attrs

from .. import errors
from ._journal import Journal, JournalRow
from ._keys import marked_params, matches_marker

__all__ = [
    "CREATE_ENDPOINT",
    "Action",
    "Dispatcher",
    "FatalRunError",
    "Progress",
    "Settings",
    "worker_steps",
]

CREATE_ENDPOINT = "POST /v1/credit_notes"
LIST_ENDPOINT = "GET /v1/credit_notes"
PREVIEW_ENDPOINT = "GET /v1/credit_notes/preview"

Outcome = Literal["done", "failed", "unsettled", "previewed"]
Verdict = Literal["retry", "failed", "unsettled", "fatal"]


class FatalRunError(Exception):
    """The run cannot go on (the key is refused): no row was left in an unknown state by it."""

    def __init__(self, error: errors.StripeError) -> None:
        super().__init__(f"the run stopped: {error}")
        self.error = error


# -- actions ----------------------------------------------------------------------------------


@attrs.frozen
class Wait:
    """Wait for the rate limiter's token for ``endpoint``."""

    endpoint: str


@attrs.frozen
class Sleep:
    """Back off for ``seconds``."""

    seconds: float


@attrs.frozen
class Record:
    """Run a journal write (a blocking call; the async runner runs it in a thread)."""

    write: Callable[[], Any]


@attrs.frozen
class Request:
    """One request: ``call(client.credit_notes)`` sends it (returning a response or an
    awaitable of one) and ``finish`` turns the response into what the step receives."""

    endpoint: str
    call: Callable[[Any], Any]
    finish: Callable[[Any], Any]


Action = Wait | Sleep | Record | Request
Steps = Generator[Action, Any, Any]


@attrs.frozen
class Settings:
    """How a run behaves; see :func:`stripe_credit_notes.bulk.run`."""

    journal: Journal
    run_id: str
    key_lifetime: float
    max_attempts: int
    dry_run: bool
    timeout: float | None
    clock: Callable[[], float] = time.time
    rand: Callable[[], float] = random.random

    @property
    def key_margin(self) -> float:
        """Slack before the lifetime ends: a resend must reach Stripe while the key lives."""
        return min(3600.0, self.key_lifetime / 10)


# -- outcomes ---------------------------------------------------------------------------------


def classify(error: errors.StripeError) -> Verdict:
    """What a request's error means for its row.

    ``failed`` only when Stripe answered and saved a refusal (no note exists); anything whose
    outcome is unknown is retried with the same key, and stays in flight when retries run out.
    """
    if isinstance(error, errors.AuthenticationError | errors.PermissionDeniedError):
        return "fatal"
    if isinstance(error, errors.ValidationError):
        return "failed"
    if isinstance(error, errors.APIConnectionError):
        return "retry"
    if isinstance(error, errors.MalformedResponseError):
        return "unsettled"  # a 2xx we cannot read: a retry replays the same body
    status = error.http_status
    if status is None:
        return "unsettled"
    if status in (409, 429) or status >= 500:
        return "retry"
    if isinstance(error, errors.IdempotencyError):
        return "unsettled"  # the key's first use is not this request: its outcome is unknown
    return "failed"


def throttles(error: errors.StripeError) -> bool:
    """Whether the error should slow the whole run down (a 429 that is not a lock timeout)."""
    return error.http_status == 429 and error.code != "lock_timeout"


def backoff(retry: int, error: errors.StripeError, rand: Callable[[], float]) -> float:
    """Seconds before retry ``retry`` (1-based): Stripe's ``Retry-After``, else exponential."""
    header = error.headers.get("retry-after") or error.headers.get("Retry-After")
    if header is not None:
        try:
            return min(60.0, max(0.0, float(header)))
        except ValueError:
            pass
    return min(8.0, 0.25 * 2.0 ** (retry - 1)) * (0.5 + 0.5 * rand())


# -- the steps --------------------------------------------------------------------------------


def _retrying(
    settings: Settings,
    endpoint: str,
    request: Request,
    before: Callable[[], Record] | None = None,
    young: Callable[[], bool] = lambda: True,
) -> Steps:
    """Send ``request`` until it succeeds, fails for good or runs out of attempts.

    ``before`` is recorded (durably) before each attempt; ``young`` says whether the row's key
    is still safe to resend. Raises the last ``StripeError``; returns the request's result.
    """
    attempt = 0
    while True:
        attempt += 1
        yield Wait(endpoint)
        if before is not None:
            yield before()
        try:
            result = yield request
        except errors.StripeError as error:
            if classify(error) != "retry" or attempt >= settings.max_attempts or not young():
                raise
            yield Sleep(backoff(attempt, error, settings.rand))
            continue
        return result


def _list_request(invoice: str, starting_after: str | None, timeout: float | None) -> Request:
    params: dict[str, Any] = {"invoice": invoice, "limit": 100, "max_retries": 0}
    if starting_after is not None:
        params["starting_after"] = starting_after
    if timeout is not None:
        params["timeout"] = timeout

    def finish(page: Any) -> tuple[list[tuple[str, Mapping[str, str] | None]], bool]:
        notes = [(note.id, _metadata(note)) for note in page.data]
        return notes, bool(page.has_more)

    return Request(LIST_ENDPOINT, lambda notes: notes.list(**params), finish)


def _metadata(note: Any) -> Mapping[str, str] | None:
    metadata = getattr(note, "metadata", None)
    return metadata if isinstance(metadata, dict) else None


def find_marker(row: JournalRow, settings: Settings) -> Steps:
    """Page through the invoice's credit notes for the row's marker; the note id or ``None``."""
    after: str | None = None
    while True:
        request = _list_request(row.invoice, after, settings.timeout)
        notes, has_more = yield from _retrying(settings, LIST_ENDPOINT, request)
        for note_id, metadata in notes:
            if matches_marker(metadata, settings.run_id, row.key):
                return note_id
        if not has_more or not notes:
            return None
        after = notes[-1][0]


def _create_request(row: JournalRow, settings: Settings) -> Request:
    params = marked_params(row.params, settings.run_id, row.key)
    options: dict[str, Any] = {"idempotency_key": row.idempotency_key, "max_retries": 0}
    if settings.timeout is not None:
        options["timeout"] = settings.timeout

    def finish(response: Any) -> tuple[str, bool]:
        replayed = response.headers.get("idempotent-replayed") == "true"
        return str(response.parsed.id), replayed

    return Request(
        CREATE_ENDPOINT,
        lambda notes: notes.with_raw_response.create(**params, **options),
        finish,
    )


class _KeyAge:
    """When the row's current key was first sent, recorded before each attempt."""

    def __init__(self, settings: Settings, *, new_epoch: bool, sent_at: float | None) -> None:
        self._settings = settings
        self._new_epoch = new_epoch
        self.sent_at = None if new_epoch else sent_at

    def before(self, seq: int) -> Record:
        new, self._new_epoch = self._new_epoch, False

        def write() -> float:
            self.sent_at = self._settings.journal.mark_sending(seq, new_key_epoch=new)
            return self.sent_at

        return Record(write)

    def young(self) -> bool:
        """Whether a resend still reaches Stripe while the key lives."""
        settings = self._settings
        lifetime = settings.key_lifetime - settings.key_margin
        return self.sent_at is None or settings.clock() - self.sent_at < lifetime


def row_steps(row: JournalRow, settings: Settings) -> Steps:
    """Bring one open row to done, failed, or (outcome still unknown) in flight."""
    journal = settings.journal
    if settings.dry_run:
        return (yield from _preview_steps(row, settings))
    lifetime = settings.key_lifetime - settings.key_margin
    sent_at = row.sent_at
    expired = sent_at is not None and settings.clock() - sent_at >= lifetime
    if row.state == "in_flight" and expired:
        try:
            found = yield from find_marker(row, settings)
        except errors.StripeError as error:
            if classify(error) == "fatal":
                raise FatalRunError(error) from error
            # Not knowing whether the note exists, the row must not be sent: it stays in flight.
            yield Record(partial(journal.mark_unsettled, row.seq, error))
            return "unsettled"
        if found is not None:
            yield Record(lambda: journal.mark_done(row.seq, found, "marker"))
            return "done"
    try:
        key = _KeyAge(settings, new_epoch=sent_at is None or expired, sent_at=sent_at)
        note_id, replayed = yield from _retrying(
            settings,
            CREATE_ENDPOINT,
            _create_request(row, settings),
            lambda: key.before(row.seq),
            key.young,
        )
    except errors.StripeError as error:
        verdict = classify(error)
        if verdict == "fatal":
            raise FatalRunError(error) from error
        if verdict == "failed":
            yield Record(partial(journal.mark_failed, row.seq, error))
            return "failed"
        yield Record(partial(journal.mark_unsettled, row.seq, error))
        return "unsettled"
    settled_by = "replay" if replayed else "response"
    yield Record(lambda: journal.mark_done(row.seq, note_id, settled_by))
    return "done"


def _preview_steps(row: JournalRow, settings: Settings) -> Steps:
    params = marked_params(row.params, settings.run_id, row.key)
    options: dict[str, Any] = {"max_retries": 0}
    if settings.timeout is not None:
        options["timeout"] = settings.timeout
    request = Request(
        PREVIEW_ENDPOINT,
        lambda notes: notes.preview(**params, **options),
        lambda note: int(note.total),
    )
    journal = settings.journal
    try:
        total = yield from _retrying(settings, PREVIEW_ENDPOINT, request)
    except errors.StripeError as error:
        if classify(error) == "fatal":
            raise FatalRunError(error) from error
        yield Record(partial(journal.record_preview, row.seq, None, str(error)))
        return "failed"
    yield Record(lambda: journal.record_preview(row.seq, total, None))
    return "previewed"


# -- scheduling -------------------------------------------------------------------------------


class Dispatcher:
    """Hands out invoices, one worker each at a time, in plan order; thread-safe.

    A worker owns its invoice until all of that invoice's open rows are through, so there is
    never more than one request in flight for one invoice (Stripe locks the invoice while it
    issues a note; a second concurrent create would wait and then fail with ``lock_timeout``).
    """

    def __init__(self, journal: Journal) -> None:
        self._journal = journal
        self._lock = threading.Lock()
        self._page: deque[tuple[int, str]] = deque()
        self._last = 0
        self.stopped = False

    def next_invoice(self) -> str | None:
        """The next invoice to work on, or ``None`` when there is none (or the run stopped)."""
        with self._lock:
            if self.stopped:
                return None
            if not self._page:
                self._page.extend(self._journal.invoices_after(self._last))
                if not self._page:
                    return None
            self._last, invoice = self._page.popleft()
            return invoice

    def stop(self) -> None:
        """Hand out no more invoices (workers finish the row they are on)."""
        with self._lock:
            self.stopped = True


class Progress:
    """Counts of this run, for the progress line; thread-safe."""

    def __init__(self, total: int, already_done: int, clock: Callable[[], float]) -> None:
        self.total = total
        """Rows of the journal (done before this run included)."""
        self.already_done = already_done
        self.outcomes: dict[str, int] = {"done": 0, "failed": 0, "unsettled": 0, "previewed": 0}
        self.requests = 0
        self._clock = clock
        self.started = clock()
        self._recent: deque[float] = deque()
        self._lock = threading.Lock()

    def count(self, outcome: str) -> None:
        """One row finished this run with ``outcome``."""
        with self._lock:
            self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1

    def request(self) -> None:
        """One request was sent."""
        now = self._clock()
        with self._lock:
            self.requests += 1
            self._recent.append(now)
            while self._recent and self._recent[0] < now - 5.0:
                self._recent.popleft()

    @property
    def finished(self) -> int:
        """Rows finished this run (any outcome)."""
        return sum(self.outcomes.values())

    @property
    def elapsed(self) -> float:
        """Seconds since the run started."""
        return self._clock() - self.started

    def rate(self) -> float:
        """Requests per second over the last 5 seconds (or since the start)."""
        now = self._clock()
        with self._lock:
            window = min(5.0, max(now - self.started, 1.0))
            recent = sum(1 for t in self._recent if t >= now - window)
        return recent / window

    def eta(self) -> float | None:
        """Seconds until every open row is through, at this run's pace; ``None`` if unknown."""
        finished = self.finished
        if not finished:
            return None
        remaining = self.total - self.already_done - finished
        return max(0.0, remaining * self.elapsed / finished)


def worker_steps(
    dispatcher: Dispatcher,
    settings: Settings,
    progress: Progress,
    on_row: Callable[[], None] | None = None,
) -> Steps:
    """Take invoices until there are none left; each invoice's open rows in plan order."""
    while True:
        invoice = dispatcher.next_invoice()
        if invoice is None:
            return None
        after = 0
        while True:
            rows = settings.journal.open_rows(invoice, after)
            if not rows or dispatcher.stopped:
                break
            for row in rows:
                if dispatcher.stopped:
                    break
                outcome = yield from row_steps(row, settings)
                progress.count(outcome)
                if on_row is not None:
                    on_row()
                after = row.seq
