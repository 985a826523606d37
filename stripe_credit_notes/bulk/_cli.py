"""``stripe-credit-notes bulk run | status | report``: the bulk runner on the command line.

Exit status of ``bulk run``: 0 every row is through (done, failed or previewed), 1 some rows
are still in flight or pending (run again to settle them), 2 bad usage, 3 the plan was refused
(nothing sent), 4 the run stopped because Stripe refused the key.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from typing import IO, Any

from .. import errors
from ._engine import FatalRunError, Progress
from ._journal import Journal, JournalBusy
from ._limiter import RateLimits
from ._plan import PlanError
from ._runner import STRIPE_KEY_LIFETIME, PlanRejected, RowResult, RunReport, run

__all__ = ["add_bulk_parser"]

EXIT_OK, EXIT_UNFINISHED, EXIT_USAGE, EXIT_REFUSED, EXIT_FATAL = 0, 1, 2, 3, 4

REPORT_FIELDS = (
    "line",
    "key",
    "invoice",
    "status",
    "credit_note",
    "settled_by",
    "attempts",
    "idempotency_key",
    "error_class",
    "error_code",
    "http_status",
    "request_id",
    "message",
    "preview_total",
    "preview_error",
)


def _positive(kind: Callable[[str], float]) -> Callable[[str], float]:
    def parse(text: str) -> float:
        value = kind(text)
        if not value > 0:
            raise argparse.ArgumentTypeError(f"must be > 0, got {text}")
        return value

    return parse


def add_bulk_parser(commands: Any) -> None:
    """Add ``bulk`` and its subcommands to an ``argparse`` subparsers object."""
    bulk = commands.add_parser(
        "bulk", help="issue credit notes in bulk from a plan", description=__doc__
    )
    sub = bulk.add_subparsers(dest="bulk_command", required=True, metavar="COMMAND")

    run_cmd = sub.add_parser("run", help="run (or resume) a plan")
    run_cmd.add_argument("plan", metavar="PLAN", help="the plan: a .csv or .jsonl file")
    run_cmd.add_argument(
        "--journal", required=True, help="the run's SQLite journal (resume: reuse it)"
    )
    run_cmd.add_argument("--dry-run", action="store_true", help="preview every row, create nothing")
    run_cmd.add_argument(
        "--skip-invalid", action="store_true", help="run the valid rows even if some are invalid"
    )
    run_cmd.add_argument(
        "--rate",
        type=_positive(float),
        help="requests/s for the account (default: 80%% of "
        "Stripe's limit for the key's mode: live 80, sandbox 20)",
    )
    run_cmd.add_argument(
        "--endpoint-rate",
        type=_positive(float),
        help="requests/s per endpoint (default: the smaller of 20 and --rate)",
    )
    run_cmd.add_argument(
        "--concurrency", type=_positive(int), default=8, help="invoices worked on at once (8)"
    )
    run_cmd.add_argument(
        "--api-key", help="the secret key (default: $STRIPE_API_KEY; prefer the variable)"
    )
    run_cmd.add_argument("--base-url", default="https://api.stripe.com", help=argparse.SUPPRESS)
    run_cmd.add_argument("--api-version", help="Stripe-Version to pin (default: the SDK's)")
    run_cmd.add_argument(
        "--key-lifetime",
        type=_positive(float),
        default=STRIPE_KEY_LIFETIME,
        help="seconds Stripe keeps idempotency keys (86400)",
    )
    run_cmd.add_argument("--timeout", type=_positive(float), help="seconds per request attempt")
    run_cmd.add_argument(
        "--max-attempts", type=_positive(int), default=8, help="attempts per row per run (8)"
    )
    run_cmd.set_defaults(handler=_run)

    status = sub.add_parser("status", help="how far a run got")
    status.add_argument("journal", metavar="JOURNAL")
    status.set_defaults(handler=_status)

    report = sub.add_parser("report", help="one line per row: its note or its error")
    report.add_argument("journal", metavar="JOURNAL")
    report.add_argument("--format", choices=("csv", "jsonl"), default="csv")
    report.add_argument("--output", "-o", help="write here instead of standard output")
    report.set_defaults(handler=_report)


class _ProgressLine:
    """Done / failed / rate / ETA: redrawn in place on a terminal, plain lines otherwise."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream
        self._tty = stream.isatty()
        self._every = 0.2 if self._tty else 5.0
        self._last = 0.0
        self._drawn = False
        self._progress: Progress | None = None

    def update(self, progress: Progress, *, force: bool = False) -> None:
        self._progress = progress
        now = time.monotonic()
        if not force and now - self._last < self._every:
            return
        self._last = now
        text = _progress_text(progress)
        if self._tty:
            self._stream.write("\r" + text.ljust(78))
            self._drawn = True  # finish() ends the line
        else:
            self._stream.write(text + "\n")
        self._stream.flush()

    def finish(self) -> None:
        """Draw the final counts (if there were any) and end the line."""
        if self._progress is not None:
            self.update(self._progress, force=True)
            self._progress = None
        if self._drawn:
            self._stream.write("\n")
            self._stream.flush()


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    seconds = int(seconds + 0.5)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{secs:02d}s"


def _progress_text(progress: Progress) -> str:
    outcomes = progress.outcomes
    done = progress.already_done + outcomes["done"] + outcomes["previewed"]
    return (
        f"done {done}/{progress.total}  failed {outcomes['failed']}  "
        f"unsettled {outcomes['unsettled']}  {progress.rate():.1f} req/s  "
        f"ETA {_duration(progress.eta())}"
    )


def _run(args: argparse.Namespace) -> int:
    key = args.api_key or os.environ.get("STRIPE_API_KEY")
    if not key:
        print("error: no API key: set STRIPE_API_KEY (or pass --api-key)", file=sys.stderr)
        return EXIT_USAGE
    from .._client import Client

    limits = RateLimits.for_api_key(key, rate=args.rate, endpoint_rate=args.endpoint_rate)
    line = _ProgressLine(sys.stderr)
    try:
        with Client(key, base_url=args.base_url, api_version=args.api_version) as client:
            print(
                f"limits: {limits.rate:g} req/s, {limits.endpoint_rate:g} req/s per endpoint; "
                f"concurrency {args.concurrency}",
                file=sys.stderr,
            )
            report = run(
                args.plan,
                client,
                journal=args.journal,
                dry_run=args.dry_run,
                skip_invalid=args.skip_invalid,
                limits=limits,
                concurrency=int(args.concurrency),
                key_lifetime=args.key_lifetime,
                max_attempts=int(args.max_attempts),
                timeout=args.timeout,
                on_progress=line.update,
            )
    except PlanRejected as rejected:
        line.finish()
        _print_rejection(rejected)
        return EXIT_REFUSED
    except (PlanError, ValueError, JournalBusy) as exc:
        line.finish()
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except FatalRunError as exc:
        line.finish()
        print(f"error: {exc} (run again with a working key to resume)", file=sys.stderr)
        return EXIT_FATAL
    line.finish()
    print(_summary(report))
    return EXIT_OK if report.complete else EXIT_UNFINISHED


def _print_rejection(rejected: PlanRejected) -> None:
    summary = rejected.summary
    print(
        f"the plan was refused: {summary.problems} invalid row(s), nothing was sent "
        "(--skip-invalid runs the valid rows):",
        file=sys.stderr,
    )
    with Journal(rejected.journal) as journal:
        for problem in journal.problems():
            print(
                f"  line {problem.line} ({problem.key or 'no key'}): {problem.message}",
                file=sys.stderr,
            )


def _summary(report: RunReport) -> str:
    counts = report.counts
    if report.dry_run:
        head = (
            f"dry run {report.run_id}: previewed {report.outcomes.get('previewed', 0)}, "
            f"preview refused {report.outcomes.get('failed', 0)}, nothing created"
        )
    else:
        head = (
            f"run {report.run_id}: done {counts['done']}, failed {counts['failed']}, "
            f"in flight {counts['in_flight']}, pending {counts['pending']}, "
            f"invalid {counts['invalid']}"
        )
    return (
        f"{head}; {report.requests} requests in {report.elapsed:.1f}s "
        f"({report.achieved_rate:.1f} req/s, limit {report.limits.rate:g}/s, "
        f"{report.limits.endpoint_rate:g}/s per endpoint); throttled {report.throttled}"
    )


def _status(args: argparse.Namespace) -> int:
    if not os.path.exists(args.journal):
        print(f"error: no journal at {args.journal}", file=sys.stderr)
        return EXIT_USAGE
    with Journal(args.journal) as journal:
        counts = journal.counts()
        created = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(journal.created_at))
        print(f"run {journal.run_id} (journal created {created})")
        total = sum(counts[s] for s in ("pending", "in_flight", "done", "failed"))
        print(f"rows {total}: " + ", ".join(f"{name} {counts[name]}" for name in counts))
        unfinished = counts["pending"] + counts["in_flight"]
    return EXIT_OK if unfinished == 0 else EXIT_UNFINISHED


def _report_rows(journal: Journal) -> Iterator[dict[str, Any]]:
    for row in journal.rows():
        yield _report_row(RowResult.from_journal(row))
    for problem in journal.problems():
        yield _report_row(RowResult.from_problem(problem))


def _report_row(result: RowResult) -> dict[str, Any]:
    error = result.error
    return {
        "line": result.line,
        "key": result.key,
        "invoice": result.invoice,
        "status": result.status,
        "credit_note": result.credit_note,
        "settled_by": result.settled_by,
        "attempts": result.attempts,
        "idempotency_key": result.idempotency_key,
        "error_class": type(error).__name__ if error is not None else None,
        "error_code": _error_code(error),
        "http_status": error.http_status if error is not None else None,
        "request_id": error.request_id if error is not None else None,
        "message": error.message if error is not None else None,
        "preview_total": result.preview_total,
        "preview_error": result.preview_error,
    }


def _error_code(error: errors.StripeError | None) -> str | None:
    if isinstance(error, errors.ValidationError):
        return error.rule
    return error.code if error is not None else None


def _report(args: argparse.Namespace) -> int:
    if not os.path.exists(args.journal):
        print(f"error: no journal at {args.journal}", file=sys.stderr)
        return EXIT_USAGE
    with Journal(args.journal) as journal:
        if args.output:
            with open(args.output, "w", encoding="utf-8", newline="") as out:
                _write_report(journal, out, args.format)
        else:
            _write_report(journal, sys.stdout, args.format)
    return EXIT_OK


def _write_report(journal: Journal, out: IO[str], fmt: str) -> None:
    if fmt == "jsonl":
        for record in _report_rows(journal):
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        return
    writer = csv.DictWriter(out, fieldnames=REPORT_FIELDS, lineterminator="\n")
    writer.writeheader()
    for record in _report_rows(journal):
        writer.writerow({k: "" if v is None else v for k, v in record.items()})
