"""Every request of the fixed corpus gets the answer pre-validation gave before it was optimized.

See ``tests/validation_corpus.py``: the digests in ``fixtures/validation_outcomes.json`` are of
the full outcome (error message, rule, parameters, fix, details, or every report entry), so a
cached or fast path that changes any of it fails here, naming the case.
"""

from __future__ import annotations

import json
import warnings

from stripe_credit_notes.errors import ValidationError
from stripe_credit_notes.validation._check import raise_if_invalid
from tests.validation_corpus import OUTCOMES_PATH, SEED, cases, digest, outcome


def test_every_case_gets_the_recorded_answer() -> None:
    recorded = json.loads(OUTCOMES_PATH.read_text())
    assert recorded["seed"] == SEED
    corpus = cases()
    assert len(corpus) == len(recorded["outcomes"])
    changed = [
        (index, case, outcome(*case))
        for index, (case, expected) in enumerate(zip(corpus, recorded["outcomes"], strict=True))
        if digest(outcome(*case)) != expected
    ]
    assert not changed, f"{len(changed)} cases changed; first: {changed[0]}"


def test_the_client_path_answers_like_the_public_function() -> None:
    # raise_if_invalid is what the client runs before each call; it must agree case by case.
    for operation, params, version, invoice in cases()[:3000]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            expected = outcome(operation, params, version, invoice)
            try:
                report = raise_if_invalid(operation, params, version, invoice)
            except ValidationError as exc:
                assert expected.startswith("('error'") and repr(str(exc)) in expected
                continue
            except (ValueError, TypeError) as exc:
                assert expected.startswith("('raised'") and type(exc).__name__ in expected
                continue
        assert report is not None and expected.startswith("('report'")
        assert repr(report.describe()) in expected
