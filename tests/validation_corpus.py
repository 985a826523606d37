"""A fixed corpus of credit-note requests and what pre-validation answered for each.

The corpus is a seeded walk of mutations around realistic requests (the benchmark's request,
refunds, amounts, shipping, previews with ``limit``), across pinned versions on both sides of
every rule boundary, with and without an ``InvoiceSnapshot``. Each case's outcome is either the
``ValidationError`` (rule, message, parameters, fix, details, version) or the full report.

``tests/fixtures/validation_outcomes.json`` holds a digest of each outcome as the validator
gave it before the hot path was optimized; ``test_validation_corpus.py`` asserts every case
still gets exactly that answer, so a cache or fast path that changes any message, parameter,
rule or report entry fails. Regenerate (only for an intended change of the answers) with
``python -m tests.validation_corpus``.
"""

from __future__ import annotations

import copy
import hashlib
import json
import random
import warnings
from decimal import Decimal
from pathlib import Path
from typing import Any

from stripe_credit_notes.errors import ValidationError
from stripe_credit_notes.validation import InvoiceSnapshot, validate_credit_note_params

OUTCOMES_PATH = Path(__file__).parent / "fixtures" / "validation_outcomes.json"
SEED = 20261203
CASES = 8000

VERSIONS = (
    "2019-03-14",
    "2019-11-05",
    "2019-12-03",
    "2025-02-24.acacia",
    "2025-03-31.basil",
    "2025-04-30.basil",
    "2025-05-28.basil",
    "2026-09-30.endive",
    "2026-10-28.endive",
    "2026-01-28.preview",
    "2031-01-01.zeta",
)

BASES: tuple[dict[str, Any], ...] = (
    {
        "invoice": "in_1",
        "lines": [
            {
                "type": "invoice_line_item",
                "invoice_line_item": "il_1",
                "quantity": 1,
                "tax_amounts": [{"amount": 190, "tax_rate": "txr_1", "taxable_amount": 1000}],
            },
            {
                "type": "custom_line_item",
                "description": "Service credit",
                "quantity": 2,
                "unit_amount": 250,
                "tax_amounts": [
                    {"amount": 48, "tax_rate": "txr_1", "taxable_amount": 250},
                    {"amount": 12, "tax_rate": "txr_2", "taxable_amount": 250},
                ],
            },
        ],
        "reason": "order_change",
        "memo": "Refund for the damaged parcel",
        "credit_amount": 500,
        "metadata": {"order_id": "6735"},
        "expand": ["invoice", "customer"],
    },
    {"invoice": "in_1", "amount": 1000, "refund_amount": 400, "credit_amount": 100},
    {
        "invoice": "in_1",
        "lines": [
            {"type": "custom_line_item", "quantity": 3, "unit_amount": 300},
            {"type": "custom_line_item", "quantity": 1, "unit_amount_decimal": "99.5"},
        ],
        "refunds": [{"refund": "re_1", "amount_refunded": 300}, {"refund": "re_2"}],
        "out_of_band_amount": 200,
    },
    {
        "invoice": "in_1",
        "shipping_cost": {"shipping_rate": "shr_1"},
        "refund": "re_1",
        "email_type": "credit_note",
    },
    {
        "invoice": "in_1",
        "lines": [{"type": "custom_line_item", "quantity": 2, "unit_amount": 500}],
        "refunds": [
            {
                "type": "payment_record_refund",
                "payment_record_refund": {"payment_record": "pr_1", "refund_group": "g_1"},
                "amount_refunded": 100,
            }
        ],
        "credit_amount": 900,
        "limit": 10,
    },
)

TOP_KEYS = (
    "invoice",
    "amount",
    "credit_amount",
    "refund_amount",
    "out_of_band_amount",
    "refund",
    "refunds",
    "lines",
    "shipping_cost",
    "reason",
    "memo",
    "metadata",
    "expand",
    "email_type",
    "effective_at",
    "limit",
    "starting_after",
    "zz_new_param",
)
LINE_KEYS = (
    "type",
    "invoice_line_item",
    "amount",
    "quantity",
    "unit_amount",
    "unit_amount_decimal",
    "description",
    "tax_rates",
    "tax_amounts",
    "discount_amounts",
    "metadata",
    "zz_new",
)
REFUND_KEYS = ("type", "refund", "amount_refunded", "payment_record_refund", "zz_new")
TAX_KEYS = ("amount", "tax_rate", "taxable_amount", "zz_new")

PALETTE: tuple[Any, ...] = (
    None,
    "",
    0,
    1,
    5,
    250,
    1000,
    5000,
    -1,
    True,
    False,
    1.5,
    "x",
    "in_2",
    "re_9",
    "il_2",
    "txr_3",
    "custom_line_item",
    "invoice_line_item",
    "payment_record_refund",
    "refund",
    "duplicate",
    "zz_future_value",
    "12.5",
    "1.1234567890123",
    "1e5",
    Decimal("2.25"),
    Decimal("NaN"),
    Decimal("0.0000000000001"),
    [],
    [""],
    ["txr_1"],
    {},
    {"k": "v"},
    {"shipping_rate": "shr_2"},
    [{"refund": "re_3"}],
    [{}],
    10**31,
    -(10**31),
    10**29,
    ("a", "b"),
)


def _deep(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


def _pick_container(rng: random.Random, params: dict[str, Any]) -> tuple[Any, tuple[str, ...]]:
    """A dict inside ``params`` to mutate, and the keys that make sense there."""
    choices: list[tuple[Any, tuple[str, ...]]] = [(params, TOP_KEYS)]
    lines = params.get("lines")
    if isinstance(lines, list):
        for line in lines:
            if isinstance(line, dict):
                choices.append((line, LINE_KEYS))
                taxes = line.get("tax_amounts")
                if isinstance(taxes, list):
                    choices.extend((t, TAX_KEYS) for t in taxes if isinstance(t, dict))
    refunds = params.get("refunds")
    if isinstance(refunds, list):
        choices.extend((r, REFUND_KEYS) for r in refunds if isinstance(r, dict))
    return rng.choice(choices)


def _value(rng: random.Random) -> Any:
    roll = rng.random()
    if roll < 0.03:
        return _deep(rng.choice((5, 31, 33)))
    if roll < 0.08:
        return [{"amount": 1, "tax_rate": "txr_1", "taxable_amount": 1}] * rng.choice((2, 20, 21))
    if roll < 0.12:
        return rng.randint(-5, 3000)
    return copy.deepcopy(rng.choice(PALETTE))


def _mutate(rng: random.Random, params: dict[str, Any]) -> None:
    container, keys = _pick_container(rng, params)
    key = rng.choice(keys)
    roll = rng.random()
    if roll < 0.2:
        container.pop(key, None)
    elif roll < 0.3 and isinstance(container.get(key), list) and container[key]:
        container[key].append(copy.deepcopy(container[key][0]))
    else:
        container[key] = _value(rng)


def _invoice(rng: random.Random) -> InvoiceSnapshot | None:
    roll = rng.random()
    if roll < 0.4:
        return None
    if roll < 0.6:
        return InvoiceSnapshot(amount_remaining=0, status="paid", id="in_1")
    if roll < 0.8:
        return InvoiceSnapshot(amount_remaining=rng.choice((0, 300, 800, 5000)), status="open")
    return InvoiceSnapshot(
        amount_remaining=0,
        status="paid",
        refund_amounts={"re_1": 300, "re_2": rng.choice((0, 100, 700))},
    )


def cases() -> list[tuple[str, dict[str, Any], str, InvoiceSnapshot | None]]:
    """``(operation, params, version, invoice)`` for every case, the same on every run."""
    rng = random.Random(SEED)
    out = []
    for _ in range(CASES):
        params = copy.deepcopy(rng.choice(BASES))
        for _ in range(rng.choice((0, 1, 1, 2, 2, 3, 4))):
            _mutate(rng, params)
        operation = rng.choice(("create", "create", "preview", "preview_lines"))
        out.append((operation, params, rng.choice(VERSIONS), _invoice(rng)))
    return out


def outcome(
    operation: str, params: dict[str, Any], version: str, invoice: InvoiceSnapshot | None
) -> str:
    """Everything the validator said about one case, as text."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            report = validate_credit_note_params(operation, params, version, invoice)  # type: ignore[arg-type]
        except ValidationError as exc:
            return repr(
                (
                    "error",
                    str(exc),
                    exc.rule,
                    exc.params,
                    exc.fix,
                    exc.api_version,
                    sorted((k, repr(v)) for k, v in exc.details.items()),
                )
            )
        except (ValueError, TypeError) as exc:
            return repr(("raised", type(exc).__name__, str(exc)))
    checks = [(c.rule, c.status, c.reason, sorted(c.unknowns)) for c in report.checks]
    return repr(
        (
            "report",
            report.operation,
            str(report.api_version),
            checks,
            report.total,
            report.refunded,
            report.amount_remaining,
            report.notes,
            report.describe(),
        )
    )


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def main() -> None:
    digests = [digest(outcome(*case)) for case in cases()]
    OUTCOMES_PATH.write_text(json.dumps({"seed": SEED, "outcomes": digests}, indent=0) + "\n")
    print(f"wrote {len(digests)} outcomes to {OUTCOMES_PATH}")


if __name__ == "__main__":
    main()
