"""Bulk issuance: thousands of credit notes from a plan, resumable, exactly once.

::

    from stripe_credit_notes import Client
    from stripe_credit_notes.bulk import run

    with Client() as client:
        report = run("plan.csv", client, journal="run.db")
        for result in report.results():
            print(result.key, result.status, result.credit_note or result.error)

A plan has one row per credit note: a caller ``key`` unique in the plan, the ``invoice`` and
any create parameters (:func:`read_plan`). The journal (:class:`Journal`, SQLite) records each
row's idempotency key and every send before it happens; run again with the same journal after
a crash and nothing is issued twice. Every note carries a metadata marker with the run id and
the row key, which settles rows whose idempotency key Stripe has already forgotten (24 h).
Requests stay below Stripe's rate limits (:class:`RateLimiter`) and never run two at a time on
one invoice. The command line is ``stripe-credit-notes bulk``; see ``docs/bulk.md``.
"""

from ._engine import FatalRunError, Progress
from ._journal import ImportSummary, Journal, JournalBusy, JournalRow
from ._keys import MARKER_ROW, MARKER_RUN, idempotency_key, marked_params
from ._limiter import RateLimiter, RateLimits
from ._plan import PlanError, PlanRow, RowProblem, read_plan
from ._preflight import check_row
from ._runner import STRIPE_KEY_LIFETIME, PlanRejected, RowResult, RunReport, arun, run

__all__ = [
    "MARKER_ROW",
    "MARKER_RUN",
    "STRIPE_KEY_LIFETIME",
    "FatalRunError",
    "ImportSummary",
    "Journal",
    "JournalBusy",
    "JournalRow",
    "PlanError",
    "PlanRejected",
    "PlanRow",
    "Progress",
    "RateLimiter",
    "RateLimits",
    "RowProblem",
    "RowResult",
    "RunReport",
    "arun",
    "check_row",
    "idempotency_key",
    "marked_params",
    "read_plan",
    "run",
]
