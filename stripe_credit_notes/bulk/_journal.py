"""The journal: a SQLite file (standard library, WAL) that makes a run resumable.

It holds the run id, every valid row of the plan (parameters, idempotency key, state) and the
problems of the last import. A row's key is derived from the run id and the row key and stored
when the row is imported; ``sent_at`` is committed before the row's first request leaves, so
after a crash at any point a resumed run knows which rows may have reached Stripe.

Row states: ``pending`` (never sent), ``in_flight`` (sent at least once, outcome unknown),
``done`` (a credit note id is recorded), ``failed`` (Stripe refused it; nothing was created).

Commits use ``synchronous=FULL``, so a recorded send survives a power cut, not only a crash.
One connection is shared by the runner's threads under a lock: SQLite serialises writers
anyway, and every statement here is short.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Literal

import attrs

from .. import errors
from ._keys import canonical_params, idempotency_key, new_run_id, params_digest
from ._plan import PlanRow, RowProblem

__all__ = ["ImportSummary", "Journal", "JournalBusy", "JournalRow", "RowState"]

RowState = Literal["pending", "in_flight", "done", "failed"]
OPEN_STATES = ("pending", "in_flight")

_SCHEMA_VERSION = "1"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS rows (
    seq INTEGER PRIMARY KEY,
    row_key TEXT NOT NULL UNIQUE,
    invoice TEXT NOT NULL,
    params TEXT NOT NULL,
    digest TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    line INTEGER NOT NULL,
    seen INTEGER NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    sent_at REAL,
    finished_at REAL,
    credit_note TEXT,
    settled_by TEXT,
    error_class TEXT,
    error_type TEXT,
    error_code TEXT,
    error_param TEXT,
    error_message TEXT,
    http_status INTEGER,
    request_id TEXT,
    preview_total INTEGER,
    preview_error TEXT
);
CREATE INDEX IF NOT EXISTS rows_by_invoice ON rows (invoice, seq);
CREATE TABLE IF NOT EXISTS invoices (invoice TEXT PRIMARY KEY, first_seq INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS invoices_by_seq ON invoices (first_seq);
CREATE TABLE IF NOT EXISTS problems (
    id INTEGER PRIMARY KEY,
    line INTEGER NOT NULL,
    row_key TEXT,
    message TEXT NOT NULL,
    param TEXT
);
"""

_ROW_COLUMNS = (
    "seq, row_key, invoice, params, idempotency_key, line, state, attempts, sent_at, "
    "finished_at, credit_note, settled_by, error_class, error_type, error_code, error_param, "
    "error_message, http_status, request_id, preview_total, preview_error"
)


@attrs.frozen
class JournalRow:
    """One row as the journal records it."""

    seq: int
    key: str
    invoice: str
    params: dict[str, Any]
    idempotency_key: str
    line: int
    state: RowState
    attempts: int
    sent_at: float | None
    """Wall-clock time of the first send with the current key (``None``: never sent)."""
    finished_at: float | None
    credit_note: str | None
    settled_by: str | None
    """How ``done`` was reached: ``response``, ``replay`` (Stripe replayed the key) or
    ``marker`` (found by listing the invoice's notes after the key's lifetime)."""
    error: errors.StripeError | None
    preview_total: int | None
    preview_error: str | None


@attrs.frozen
class ImportSummary:
    """What importing a plan into the journal found."""

    rows: int
    """Valid rows in the plan."""
    added: int
    """Rows new to the journal."""
    problems: int
    """Rows refused by pre-flight (see :meth:`Journal.problems`)."""
    kept: int
    """Rows already sent in an earlier run that the plan no longer lists (they still settle)."""


class JournalBusy(RuntimeError):
    """Another process is running this journal: two runners would share invoices."""


class Journal:
    """A run's journal at ``path`` (created when missing). Use it as a context manager.

    ``exclusive`` (the runner's mode) holds an advisory lock on ``<path>.lock`` while the
    journal is open, so a second runner on the same journal fails fast instead of sending
    requests for the same invoices at the same time. The lock goes with the process, so a
    crashed (or SIGKILLed) runner never leaves it behind.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        clock: Callable[[], float] = time.time,
        exclusive: bool = False,
    ) -> None:
        self.path = Path(path)
        self._clock = clock
        self._lock = threading.RLock()
        self._lock_file = _lock(self.path) if exclusive else None
        self._db = sqlite3.connect(
            str(self.path), isolation_level=None, check_same_thread=False, timeout=30
        )
        try:
            self._open()
        except BaseException:
            self.close()  # a refused journal leaves no connection or lock behind
            raise

    def _open(self) -> None:
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.executescript(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise ValueError(f"{str(self.path)!r} is not a usable journal: {exc}") from None
        version = self._meta("schema_version")
        if version is None:
            self._set_meta("schema_version", _SCHEMA_VERSION)
            self._set_meta("run_id", new_run_id())
            self._set_meta("created_at", repr(self._clock()))
        elif version != _SCHEMA_VERSION:
            raise ValueError(f"journal schema {version} is not supported (expected 1)")

    # -- lifecycle ------------------------------------------------------------------------------

    def close(self) -> None:
        """Close the database (committed state is already on disk)."""
        with self._lock:
            self._db.close()
            if self._lock_file is not None:
                self._lock_file.close()  # releases the advisory lock
                self._lock_file = None

    def __enter__(self) -> Journal:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Journal({str(self.path)!r}, run_id={self.run_id!r})"

    # -- metadata -------------------------------------------------------------------------------

    def _meta(self, name: str) -> str | None:
        with self._lock:
            found = self._db.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return None if found is None else str(found[0])

    def _set_meta(self, name: str, value: str) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO meta (name, value) VALUES (?, ?) "
                "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                (name, value),
            )

    @property
    def run_id(self) -> str:
        """The run's id: part of every idempotency key and marker; fixed for the journal."""
        value = self._meta("run_id")
        assert value is not None
        return value

    @property
    def created_at(self) -> float:
        """When the journal was created (Unix time)."""
        return float(self._meta("created_at") or 0)

    # -- import ---------------------------------------------------------------------------------

    def import_plan(
        self,
        items: Iterable[PlanRow | RowProblem],
        check: Callable[[PlanRow], RowProblem | None],
    ) -> ImportSummary:
        """Stream the plan into the journal, checking each row; nothing is sent.

        A row already in the journal keeps its key; if it was ever sent its parameters may not
        change (the same key with other parameters is an error at Stripe, and a note made from
        the old ones may exist). Unsent rows the plan no longer lists are dropped; the problems
        of this import replace those of the last one.
        """
        rows = added = problems = 0
        run_id = self.run_id
        with self._lock, self._transaction():
            generation = int(self._meta("import_generation") or 0) + 1
            self._set_meta("import_generation", str(generation))
            self._db.execute("DELETE FROM problems")
            for item in items:
                if isinstance(item, RowProblem):
                    problem: RowProblem | None = item
                else:
                    problem = check(item)
                    if problem is None:
                        problem, new = self._store(item, generation, run_id)
                        rows += problem is None
                        added += new
                if problem is not None:
                    problems += 1
                    self._db.execute(
                        "INSERT INTO problems (line, row_key, message, param) VALUES (?, ?, ?, ?)",
                        (problem.line, problem.key, problem.message, problem.param),
                    )
            self._db.execute(
                "DELETE FROM rows WHERE seen < ? AND state = 'pending' AND attempts = 0",
                (generation,),
            )
            kept = self._db.execute("SELECT count(*) FROM rows WHERE seen < ?", (generation,))
            return ImportSummary(rows, added, problems, int(kept.fetchone()[0]))

    def _store(self, row: PlanRow, generation: int, run_id: str) -> tuple[RowProblem | None, bool]:
        """Insert or refresh one checked row: (the problem it has, whether it is new)."""
        digest = params_digest(row.params)
        found = self._db.execute(
            "SELECT seq, digest, seen, state, attempts, line FROM rows WHERE row_key = ?",
            (row.key,),
        ).fetchone()
        if found is None:
            cursor = self._db.execute(
                "INSERT INTO rows (row_key, invoice, params, digest, idempotency_key, line, seen) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    row.key,
                    row.invoice,
                    canonical_params(row.params),
                    digest,
                    idempotency_key(run_id, row.key),
                    row.line,
                    generation,
                ),
            )
            self._db.execute(
                "INSERT OR IGNORE INTO invoices (invoice, first_seq) VALUES (?, ?)",
                (row.invoice, cursor.lastrowid),
            )
            return None, True
        seq, old_digest, seen, state, attempts, old_line = found
        if seen == generation:
            repeat = RowProblem(row.line, row.key, f"key repeats the row on line {old_line}", "key")
            return repeat, False
        if old_digest != digest:
            if state != "pending" or attempts:
                changed = RowProblem(
                    row.line,
                    row.key,
                    f"the row changed after it was sent (journal state {state}); a sent row "
                    "cannot change: restore it, or start a new run with a new journal",
                )
                return changed, False
            self._db.execute(
                "UPDATE rows SET params = ?, digest = ?, invoice = ? WHERE seq = ?",
                (canonical_params(row.params), digest, row.invoice, seq),
            )
            self._db.execute(
                "INSERT OR IGNORE INTO invoices (invoice, first_seq) VALUES (?, ?)",
                (row.invoice, seq),
            )
        self._db.execute(
            "UPDATE rows SET seen = ?, line = ? WHERE seq = ?", (generation, row.line, seq)
        )
        return None, False

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db)

    def problems(self) -> Iterator[RowProblem]:
        """The rows the last import refused, in file order (streamed)."""
        last = -1
        while True:
            with self._lock:
                page = self._db.execute(
                    "SELECT id, line, row_key, message, param FROM problems WHERE id > ? "
                    "ORDER BY id LIMIT 500",
                    (last,),
                ).fetchall()
            if not page:
                return
            for ident, line, key, message, param in page:
                last = ident
                yield RowProblem(line, key, message, param)

    # -- work -----------------------------------------------------------------------------------

    def invoices_after(self, first_seq: int, limit: int = 200) -> list[tuple[int, str]]:
        """Invoices with open rows, in plan order of their first row, after ``first_seq``."""
        with self._lock:
            found = self._db.execute(
                "SELECT i.first_seq, i.invoice FROM invoices i WHERE i.first_seq > ? AND EXISTS "
                "(SELECT 1 FROM rows r WHERE r.invoice = i.invoice AND r.state IN "
                "('pending', 'in_flight')) ORDER BY i.first_seq LIMIT ?",
                (first_seq, limit),
            ).fetchall()
        return [(int(seq), str(invoice)) for seq, invoice in found]

    def open_rows(self, invoice: str, after_seq: int = 0, limit: int = 100) -> list[JournalRow]:
        """The invoice's pending and in-flight rows after ``after_seq``, in plan order."""
        return self._select(
            "WHERE invoice = ? AND seq > ? AND state IN ('pending', 'in_flight') "
            "ORDER BY seq LIMIT ?",
            (invoice, after_seq, limit),
        )

    def row(self, key: str) -> JournalRow | None:
        """The row with this key, if the journal has it."""
        found = self._select("WHERE row_key = ?", (key,))
        return found[0] if found else None

    def rows(self) -> Iterator[JournalRow]:
        """Every row, in plan order, streamed a page at a time."""
        last = 0
        while True:
            page = self._select("WHERE seq > ? ORDER BY seq LIMIT 500", (last,))
            if not page:
                return
            yield from page
            last = page[-1].seq

    def _select(self, where: str, args: tuple[Any, ...]) -> list[JournalRow]:
        with self._lock:
            found = self._db.execute(f"SELECT {_ROW_COLUMNS} FROM rows {where}", args).fetchall()
        return [_journal_row(values) for values in found]

    def mark_sending(self, seq: int, *, new_key_epoch: bool) -> float:
        """Record, durably, that a request for the row is about to leave; returns ``sent_at``.

        ``new_key_epoch`` restarts the key's age: the first send ever, or the first send after
        the key outlived its lifetime and the marker showed no note.
        """
        now = self._clock()
        with self._lock:
            if new_key_epoch:
                self._db.execute(
                    "UPDATE rows SET state = 'in_flight', attempts = attempts + 1, sent_at = ? "
                    "WHERE seq = ?",
                    (now, seq),
                )
                return now
            self._db.execute(
                "UPDATE rows SET state = 'in_flight', attempts = attempts + 1 WHERE seq = ?",
                (seq,),
            )
            found = self._db.execute("SELECT sent_at FROM rows WHERE seq = ?", (seq,)).fetchone()
        return float(found[0]) if found and found[0] is not None else now

    def mark_done(self, seq: int, credit_note: str, settled_by: str) -> None:
        """The row's note exists: record its id."""
        with self._lock:
            self._db.execute(
                "UPDATE rows SET state = 'done', credit_note = ?, settled_by = ?, "
                "finished_at = ?, error_class = NULL, error_type = NULL, error_code = NULL, "
                "error_param = NULL, error_message = NULL, http_status = NULL, "
                "request_id = NULL WHERE seq = ?",
                (credit_note, settled_by, self._clock(), seq),
            )

    def mark_failed(self, seq: int, error: errors.StripeError) -> None:
        """Stripe refused the row: nothing was created, and resuming will not resend it."""
        self._record_error(seq, error, "failed")

    def mark_unsettled(self, seq: int, error: errors.StripeError) -> None:
        """The outcome is still unknown: the row stays in flight for the next resume."""
        self._record_error(seq, error, "in_flight")

    def _record_error(self, seq: int, error: errors.StripeError, state: RowState) -> None:
        code = error.rule if isinstance(error, errors.ValidationError) else error.code
        with self._lock:
            self._db.execute(
                "UPDATE rows SET state = ?, finished_at = ?, error_class = ?, error_type = ?, "
                "error_code = ?, error_param = ?, error_message = ?, http_status = ?, "
                "request_id = ? WHERE seq = ?",
                (
                    state,
                    self._clock(),
                    type(error).__name__,
                    error.type,
                    code,
                    error.param,
                    error.message,
                    error.http_status,
                    error.request_id,
                    seq,
                ),
            )

    def record_preview(self, seq: int, total: int | None, error: str | None) -> None:
        """A dry run's outcome for the row (its state does not change)."""
        with self._lock:
            self._db.execute(
                "UPDATE rows SET preview_total = ?, preview_error = ? WHERE seq = ?",
                (total, error, seq),
            )

    # -- reports --------------------------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        """Rows per state (every state present, possibly 0), plus ``invalid`` problems."""
        result = {"pending": 0, "in_flight": 0, "done": 0, "failed": 0}
        with self._lock:
            for state, count in self._db.execute("SELECT state, count(*) FROM rows GROUP BY state"):
                result[str(state)] = int(count)
            found = self._db.execute("SELECT count(*) FROM problems").fetchone()
        result["invalid"] = int(found[0])
        return result


def _lock(path: Path) -> IO[bytes] | None:
    try:
        import fcntl
    except ImportError:  # not on Unix: no advisory lock
        return None
    handle = open(f"{path}.lock", "ab")  # noqa: SIM115 - held open while the journal is
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        raise JournalBusy(f"another process is running the journal {str(path)!r}") from None
    return handle


class _Transaction:
    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._db.execute("COMMIT" if exc_type is None else "ROLLBACK")


def _journal_row(values: tuple[Any, ...]) -> JournalRow:
    (
        seq,
        key,
        invoice,
        params,
        ikey,
        line,
        state,
        attempts,
        sent_at,
        finished_at,
        credit_note,
        settled_by,
        error_class,
        error_type,
        error_code,
        error_param,
        error_message,
        http_status,
        request_id,
        preview_total,
        preview_error,
    ) = values
    error = None
    if error_class is not None:
        error = rebuild_error(
            error_class, error_message, error_type, error_code, error_param, http_status, request_id
        )
    return JournalRow(
        seq=seq,
        key=key,
        invoice=invoice,
        params=json.loads(params),
        idempotency_key=ikey,
        line=line,
        state=state,
        attempts=attempts,
        sent_at=sent_at,
        finished_at=finished_at,
        credit_note=credit_note,
        settled_by=settled_by,
        error=error,
        preview_total=preview_total,
        preview_error=preview_error,
    )


def rebuild_error(
    class_name: str,
    message: str | None,
    type_: str | None,
    code: str | None,
    param: str | None,
    http_status: int | None,
    request_id: str | None,
) -> errors.StripeError:
    """The typed error a journal row recorded, as an instance of its original class."""
    cls = getattr(errors, class_name, None)
    text = message or class_name
    if isinstance(cls, type) and issubclass(cls, errors.ValidationError):
        return cls(text, params=(param,) if param else (), rule=code or "unknown")
    if not (isinstance(cls, type) and issubclass(cls, errors.StripeError)):
        cls = errors.StripeError
    return cls(
        text, http_status=http_status, type=type_, code=code, param=param, request_id=request_id
    )
