"""The evaluator: walks :data:`~._rules.RULES` for one request and reports what it checked."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, get_args

import attrs

from .._operation import OperationKey
from ..errors import ValidationError
from ..versions import LATEST, ApiVersion, pin
from ._facts import (
    CREDIT_NOTE_OPERATIONS,
    LIST_OPERATIONS,
    Bounds,
    Context,
    CreditNoteOperation,
    ListOperation,
    used,
)
from ._invoice import InvoiceSnapshot
from ._rules import PASSED, PLAIN_LINE_RULES, RULES, RULES_BY_ID, Rule

# What list, list_lines and preview_lines share: the paging rule, and the spec's schemas.
_LIST_RULES: tuple[Rule, ...] = tuple(
    r
    for r in RULES
    if r.operations <= LIST_OPERATIONS or r.id in ("params.schema", "params.bounds")
)

__all__ = [
    "CheckResult",
    "CheckStatus",
    "ValidationReport",
    "fill_out_of_band",
    "validate_credit_note_params",
    "validate_list_params",
]

CheckStatus = Literal["passed", "bounded", "skipped", "not_applicable"]
"""``passed``: checked with exact numbers. ``bounded``: checked with bounds, nothing provably
wrong. ``skipped``: applies to this version but could not be checked locally.
``not_applicable``: the rule does not apply to the pinned version."""


@attrs.frozen
class CheckResult:
    """The outcome of one rule for one request."""

    #: The rule's id (a key of ``RULES_BY_ID``).
    rule: str
    status: CheckStatus
    #: Why the rule was bounded, skipped or not applicable.
    reason: str | None = None
    #: What was unknown locally: ``"T"``, ``"R"``, ``"AR"``, ``"invoice_status"``.
    unknowns: frozenset[str] = frozenset()


@attrs.frozen
class ValidationReport:
    """What :func:`validate_credit_note_params` checked, and what it could not.

    Returned when no rule is violated (a violation raises ``ValidationError`` instead).
    """

    operation: str
    #: The pinned version the rules were taken from (``None`` for list operations).
    api_version: ApiVersion | None
    #: One result per rule of the operation, in table order.
    checks: tuple[CheckResult, ...]
    #: Bounds on T, the credit note total (``None`` for list operations).
    total: Bounds | None = None
    #: Bounds on R, the refunded amount (``None`` for list operations).
    refunded: Bounds | None = None
    #: AR as used by the rules (0 for a paid invoice), ``None`` without a snapshot.
    amount_remaining: int | None = None
    #: Warnings about the inputs that no single rule owns, such as an invoice status newer
    #: than this SDK.
    notes: tuple[str, ...] = ()

    def result(self, rule: str) -> CheckResult:
        """The result of rule ``rule`` (``KeyError`` if it was not evaluated)."""
        for check in self.checks:
            if check.rule == rule:
                return check
        raise KeyError(rule)

    def ids(self, *statuses: CheckStatus) -> tuple[str, ...]:
        """The ids of the rules whose status is one of ``statuses``."""
        return tuple(c.rule for c in self.checks if c.status in statuses)

    @property
    def checked(self) -> tuple[str, ...]:
        """Rules that ran (``passed`` or ``bounded``)."""
        return self.ids("passed", "bounded")

    @property
    def skipped(self) -> tuple[str, ...]:
        """Rules that apply to this version but could not be checked locally."""
        return self.ids("skipped")

    @property
    def unknowns(self) -> frozenset[str]:
        """Everything some rule needed but did not know."""
        found: set[str] = set()
        for check in self.checks:
            found.update(check.unknowns)
        return frozenset(found)

    @property
    def complete(self) -> bool:
        """True when every applicable rule was checked with exact numbers."""
        return all(c.status in ("passed", "not_applicable") for c in self.checks)

    def describe(self) -> str:
        """A human-readable summary, one line per rule."""
        head = f"{self.operation} on Stripe-Version {self.api_version}"
        if self.total is not None:
            head += f": T={self.total}, R={self.refunded}, AR={self.amount_remaining}"
        lines = [head, *(f"  note: {note}" for note in self.notes)]
        for check in self.checks:
            line = f"  {check.status:<14} {check.rule}"
            if check.reason:
                line += f" - {check.reason}"
            lines.append(line)
        return "\n".join(lines)


# The public functions name credit-note operations by method ("create"); the rules by key.
_RESOURCE = "credit_notes"


def _coerce_operation(operation: str, allowed: frozenset[OperationKey]) -> OperationKey:
    key = (_RESOURCE, operation)
    if key not in allowed:
        names = sorted(method for resource, method in allowed if resource == _RESOURCE)
        raise ValueError(f"unknown operation {operation!r}; expected one of {names}")
    return key


def _coerce_params(params: object) -> Mapping[str, Any]:
    if not isinstance(params, Mapping):
        raise TypeError(f"params must be a mapping (a dict), not {type(params).__name__}")
    return params


# One step of a plan: the rule, and either the result it always has for this version (not
# applicable: it does not depend on the params) or ``None`` (run the check); plus the result the
# rule gives whenever its check returns ``PASSED``, built once instead of on every request; and
# whether it is a line rule that ``Context.plain_lines`` proves passed (then it is not called).
_Step = tuple[Rule, "CheckResult | None", "CheckResult", bool]
_Plan = tuple[_Step, ...]
_PLANS: dict[tuple[int, OperationKey, ApiVersion], _Plan] = {}


def _plan(rules: tuple[Rule, ...], operation: OperationKey, version: ApiVersion) -> _Plan:
    """The rules of ``operation``, each with its fixed result for ``version`` when it has one.

    Depends only on the version, so it is worked out once per version, not on every request.
    The rule tables are module constants, so their identity is a safe cache key.
    """
    key = (id(rules), operation, version)
    plan = _PLANS.get(key)
    if plan is None:
        if len(_PLANS) > 1024:
            _PLANS.clear()  # bounded: only a caller cycling through many versions gets here
        steps = []
        for rule in rules:
            if operation not in rule.operations:
                continue
            reason = rule.not_applicable_reason(version)
            fixed = None if reason is None else CheckResult(rule.id, "not_applicable", reason)
            plain = rule.id in PLAIN_LINE_RULES
            steps.append((rule, fixed, CheckResult(rule.id, "passed"), plain))
        plan = tuple(steps)
        _PLANS[key] = plan
    return plan


def _evaluate(
    ctx: Context,
    rules: tuple[Rule, ...],
    *,
    version_label: str | None,
    collect: bool = True,
) -> list[CheckResult]:
    """Run the applicable rules in table order; raise on the first violation.

    With ``collect=False`` (the client's hot path) no report is built.
    """
    results: list[CheckResult] = []
    append = results.append
    plain_lines: bool | None = None
    for rule, fixed, passed, plain in _plan(rules, ctx.operation, ctx.version):
        if fixed is not None:
            if collect:
                append(fixed)
            continue
        if plain:
            if plain_lines is None:
                plain_lines = ctx.plain_lines
            if plain_lines:
                if collect:
                    append(passed)
                continue
        outcome = rule.check(ctx)
        if outcome is PASSED:
            if collect:
                append(passed)
            continue
        if outcome.status == "violated":
            raise ValidationError(
                outcome.message or rule.title,
                params=outcome.params or rule.params,
                rule=rule.id,
                api_version=version_label,
                fix=outcome.fix,
                details=outcome.details,
            )
        if collect:
            append(CheckResult(rule.id, outcome.status, outcome.reason, outcome.unknowns))
    return results


def _context(
    operation: OperationKey,
    params: Mapping[str, Any],
    api_version: ApiVersion | str,
    invoice: InvoiceSnapshot | None,
) -> Context:
    version = pin(api_version)
    if invoice is not None:
        if not isinstance(invoice, InvoiceSnapshot):
            raise TypeError(f"invoice must be an InvoiceSnapshot, not {type(invoice).__name__}")
        requested = params.get("invoice")
        # The id is optional; when given it must be the invoice the request credits.
        stated = invoice.id
        if stated is not None and isinstance(requested, str) and requested and requested != stated:
            raise ValueError(
                f"the InvoiceSnapshot is for {invoice.id!r} but the request credits "
                f"{requested!r}; pass the snapshot of the invoice being credited"
            )
    return Context(operation, params, version, invoice)


def validate_credit_note_params(
    operation: CreditNoteOperation,
    params: Mapping[str, Any],
    api_version: ApiVersion | str,
    invoice: InvoiceSnapshot | None = None,
) -> ValidationReport:
    """Check credit-note parameters against the rules of ``api_version`` before sending them.

    ``operation`` is ``"create"``, ``"preview"`` or ``"preview_lines"`` (the same rules; the
    last one also checks ``limit``). ``params`` is the plain dict the caller passes (``None`` =
    not given, ``""`` = unset). ``invoice``, when given, states the invoice's
    ``amount_remaining`` and ``status``; without it the rules that need them are skipped.

    Raises :class:`~stripe_credit_notes.errors.ValidationError` on the first violated rule
    (table order), naming the parameters, the rule, the version, the numbers and the fix.
    Otherwise returns a :class:`ValidationReport` saying what was checked and what was skipped.
    A rule that cannot be decided locally is skipped, never guessed: a request Stripe would
    accept is not refused.
    """
    key = _coerce_operation(operation, CREDIT_NOTE_OPERATIONS)
    params = _coerce_params(params)
    ctx = _context(key, params, api_version, invoice)
    return _report(ctx, _evaluate(ctx, RULES, version_label=str(ctx.version)))


def _report(ctx: Context, checks: list[CheckResult]) -> ValidationReport:
    notes = []
    if ctx.invoice is not None and not ctx.invoice.status_known:
        notes.append(
            f"{ctx.invoice.label()} has status {ctx.invoice.status_text()}: rules that depend "
            f"on the status are skipped, none is applied as if it were a known status"
        )
    return ValidationReport(
        operation=ctx.operation[1],  # the method name, as callers pass it
        api_version=ctx.version,
        checks=tuple(checks),
        total=ctx.total[0],
        refunded=ctx.refunded[0],
        amount_remaining=ctx.amount_remaining,
        notes=tuple(notes),
    )


def raise_if_invalid(
    operation: OperationKey | str,
    params: Mapping[str, Any],
    api_version: ApiVersion | str,
    invoice: InvoiceSnapshot | None = None,
) -> ValidationReport | None:
    """What the client runs before a call: the same rules, for any operation.

    ``operation`` is any ``(resource, method)`` key (a bare method name means a credit-note
    operation). Returns the report of an allocation-checked operation (``create``,
    ``preview``, ``preview_lines``), so that the call can say what was only bounded or
    skipped; for the others (only the schema and paging rules) no report is built.
    """
    if isinstance(operation, str):
        operation = (_RESOURCE, operation)
    if operation in CREDIT_NOTE_OPERATIONS:
        ctx = _context(operation, params, api_version, invoice)
        return _report(ctx, _evaluate(ctx, RULES, version_label=str(ctx.version)))
    ctx = Context(operation, params, ApiVersion.coerce(api_version))
    # The plan keeps only the rules whose operations include this one.
    _evaluate(ctx, RULES, version_label=str(ctx.version), collect=False)
    return None


def validate_list_params(
    params: Mapping[str, Any],
    operation: ListOperation = "list",
    api_version: ApiVersion | str | None = None,
) -> ValidationReport:
    """Check the paging parameters of ``list``, ``list_lines`` or ``preview_lines``.

    Only ``limit`` (an int from 1 to 100) has a rule; no version changes it, so
    ``api_version`` is optional and only recorded in the report and the error. For
    ``preview_lines`` this runs only the paging rule; use :func:`validate_credit_note_params`
    for the full check.
    """
    key = _coerce_operation(operation, LIST_OPERATIONS)
    params = _coerce_params(params)
    version = pin(api_version) if api_version is not None else None
    ctx = Context(key, params, version or LATEST)
    label = str(version) if version is not None else None
    checks = _evaluate(ctx, _LIST_RULES, version_label=label)
    return ValidationReport(operation=operation, api_version=version, checks=tuple(checks))


def fill_out_of_band(
    params: Mapping[str, Any],
    api_version: ApiVersion | str,
    invoice: InvoiceSnapshot | None = None,
) -> dict[str, Any]:
    """Return a copy of create ``params`` with ``out_of_band_amount`` set to the remainder.

    For code written against the pre-``2019-12-03`` behaviour, where Stripe put whatever was
    not refunded or credited into ``out_of_band_amount`` itself. The remainder is:

    * ``post - R - C`` on ``2025-05-28.basil`` and later when ``invoice`` is given
      (post = T - min(T, AR));
    * ``T - R - C`` otherwise (without a snapshot the invoice is taken to be fully paid).

    Raises :class:`~stripe_credit_notes.errors.ValidationError` when the remainder cannot be
    computed locally (T or R not known exactly; the invoice is known to be unpaid on a version
    where only post-payment credit notes take an out-of-band amount), when it would be
    negative, or when ``out_of_band_amount`` is already set to something else. The returned
    params pass :func:`validate_credit_note_params`.
    """
    params = _coerce_params(params)
    ctx = _context((_RESOURCE, "create"), params, api_version, invoice)
    version_label = str(ctx.version)
    structural = tuple(r for r in RULES if r.target is None)
    _evaluate(ctx, structural, version_label=version_label)

    post_rule = RULES_BY_ID["allocation.sum_equals_post_payment"]
    total, why_total = ctx.total
    refunded, why_refunded = ctx.refunded
    uses_post = invoice is not None and post_rule.not_applicable_reason(ctx.version) is None
    if invoice is not None and not uses_post and invoice.status != "paid":
        raise ValidationError(
            f"cannot fill out_of_band_amount: {invoice.label()} is {invoice.status_text()}; before "
            f"{post_rule.since} only a post-payment credit note (paid invoice) takes refund, "
            f"credit and out-of-band amounts, and an unpaid invoice's credit note reduces its "
            f"amount_due instead",
            params=("out_of_band_amount",),
            rule="fill_out_of_band.invoice_not_paid",
            api_version=version_label,
            fix="omit out_of_band_amount for a credit note on an unpaid invoice, or set it "
            "yourself",
            details={"status": invoice.status, "AR": invoice.amount_remaining},
        )
    if total.exact is None or refunded.exact is None:
        reasons = "; ".join(why_total + why_refunded)
        if total.exact is None:
            unknown: tuple[str, ...] = ("amount",)
            fix = (
                "pass amount=<credit note total> (a preview returns it), or set "
                "out_of_band_amount yourself"
            )
        else:
            unknown = tuple(n for n in ("refund", "refunds") if used(params.get(n)))
            fix = (
                "state each linked refund's amount (InvoiceSnapshot(refund_amounts=...) or "
                "fetch_invoice=True) or its amount_refunded, or set out_of_band_amount yourself"
            )
        raise ValidationError(
            f"cannot fill out_of_band_amount: the credit note total or the refunded amount is not "
            f"known locally ({reasons})",
            params=(*unknown, "out_of_band_amount"),
            rule="fill_out_of_band.unknown_amounts",
            api_version=version_label,
            fix=fix,
            details={"T_bounds": (total.lo, total.hi), "R_bounds": (refunded.lo, refunded.hi)},
        )
    target_rule = post_rule if uses_post else RULES_BY_ID["allocation.within_total"]
    ar = ctx.amount_remaining
    if uses_post and ar is not None:
        target = max(total.exact - max(ar, 0), 0)
        target_text = f"post_payment_amount={target} (T={total.exact}, AR={ar})"
    else:
        target = total.exact
        target_text = f"the credit note total T={target}"
    remainder = target - refunded.exact - ctx.credit
    numbers = {"T": total.exact, "R": refunded.exact, "C": ctx.credit, "target": target, "AR": ar}
    if remainder < 0:
        sources = ("refund_amount", "refund", "refunds", "credit_amount")
        held = tuple(n for n in sources if used(params.get(n)))
        raise ValidationError(
            f"refunds R={refunded.exact} + credit_amount C={ctx.credit} exceed {target_text}: "
            f"there is no remainder to put into out_of_band_amount",
            params=held,
            rule=target_rule.id,
            api_version=version_label,
            fix=f"lower {' or '.join(held)} by {-remainder} in total",
            details=numbers | {"excess": -remainder},
        )
    existing = ctx.out_of_band
    if existing is not None and existing != remainder:
        raise ValidationError(
            f"out_of_band_amount is already {existing}, but the remainder of {target_text} after "
            f"R={refunded.exact} and C={ctx.credit} is {remainder}",
            params=("out_of_band_amount",),
            rule="fill_out_of_band.conflict",
            api_version=version_label,
            fix=f"set out_of_band_amount={remainder}, or drop it and let this helper fill it",
            details=numbers | {"O": existing, "remainder": remainder},
        )
    filled = dict(params)
    filled["out_of_band_amount"] = remainder
    validate_credit_note_params("create", filled, ctx.version, invoice)
    return filled


# The Literal types and the generated table must name the same credit-note operations.
assert {(_RESOURCE, m) for m in get_args(CreditNoteOperation)} == CREDIT_NOTE_OPERATIONS
assert {(_RESOURCE, m) for m in get_args(ListOperation)} == {
    key for key in LIST_OPERATIONS if key[0] == _RESOURCE
}
