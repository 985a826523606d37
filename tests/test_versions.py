"""Tests for stripe_credit_notes.versions: parsing, ordering, constants."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stripe_credit_notes.versions import (
    LATEST,
    PUBLISHED_VERSIONS,
    RELEASE_LINES,
    V2019_12_03,
    V2025_03_31_BASIL,
    V2025_05_28_BASIL,
    V2026_06_24_DAHLIA,
    ApiVersion,
    UnknownApiVersionWarning,
    pin,
)
from tests.conftest import ROOT

# -- parsing ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "date", "release", "channel", "line"),
    [
        ("2019-03-14", dt.date(2019, 3, 14), None, "ga", None),
        ("2024-06-20", dt.date(2024, 6, 20), None, "ga", None),
        ("2024-09-30.acacia", dt.date(2024, 9, 30), "acacia", "ga", "acacia"),
        ("2025-03-31.basil", dt.date(2025, 3, 31), "basil", "ga", "basil"),
        ("2025-05-28.basil", dt.date(2025, 5, 28), "basil", "ga", "basil"),
        ("2025-09-30.clover", dt.date(2025, 9, 30), "clover", "ga", "clover"),
        ("2026-06-24.dahlia", dt.date(2026, 6, 24), "dahlia", "ga", "dahlia"),
        ("2026-09-30.endive", dt.date(2026, 9, 30), "endive", "ga", "endive"),
        ("2027-03-31.fig", dt.date(2027, 3, 31), "fig", "ga", "fig"),  # future release
        ("2025-05-27", dt.date(2025, 5, 27), None, "ga", "basil"),  # bare date in basil's span
        ("2026-01-28.preview", dt.date(2026, 1, 28), "preview", "preview", "clover"),
        ("2025-03-01.dashboard", dt.date(2025, 3, 1), "dashboard", "dashboard", "acacia"),
    ],
)
def test_parse_valid(
    text: str, date: dt.date, release: str | None, channel: str, line: str | None
) -> None:
    version = ApiVersion.parse(text)
    assert version.date == date
    assert version.release == release
    assert version.channel == channel
    assert version.is_ga is (channel == "ga")
    assert version.release_line == line
    assert str(version) == text
    assert repr(version) == f"ApiVersion({text!r})"
    assert ApiVersion.parse(str(version)) == version


@pytest.mark.parametrize(
    "text",
    [
        "latest",
        "2019-13-45",
        "",
        "2025-05-28.Basil!",
        "2025-05-28.BASIL",
        "2025-02-30",
        " 2025-05-28.basil",
        "2025-05-28.basil ",
        "2025-05-28.",
        "2025-5-28",
        "20250528",
        "2025-05-28.basil.x",
        "2025-05-28-basil",
        "\uff12\uff10\uff12\uff15-05-28",  # full-width digits
        "2025-05-28.bas1l",
    ],
)
def test_parse_rejects_garbage_with_the_expected_format(text: str) -> None:
    with pytest.raises(ValueError, match=r"YYYY-MM-DD"):
        ApiVersion.parse(text)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("2025-05-28.clover", r"'clover' release line starts on 2025-09-30.*belong to 'basil'"),
        ("2019-12-03.acacia", r"before the first named release"),
        ("2026-10-28.basil", r"belong to 'endive'"),
        ("2025-05-28.basl", r"unknown release name 'basl'.*belong to 'basil'"),
        ("2026-09-30.fig", r"unknown release name 'fig'"),
    ],
)
def test_parse_rejects_release_names_that_do_not_fit_the_date(text: str, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        ApiVersion.parse(text)


def test_parse_rejects_non_str() -> None:
    with pytest.raises(TypeError):
        ApiVersion.parse(20240620)  # type: ignore[arg-type]


def test_constructor_validates_too() -> None:
    assert ApiVersion(dt.date(2025, 5, 28), "basil") == V2025_05_28_BASIL
    with pytest.raises(ValueError):
        ApiVersion(dt.date(2025, 5, 28), "Basil")
    with pytest.raises(TypeError):
        ApiVersion(dt.datetime(2025, 5, 28), "basil")


def test_coerce() -> None:
    assert ApiVersion.coerce("2025-05-28.basil") is not V2025_05_28_BASIL
    assert ApiVersion.coerce("2025-05-28.basil") == V2025_05_28_BASIL
    assert ApiVersion.coerce(V2025_05_28_BASIL) is V2025_05_28_BASIL


def test_immutable_and_hashable() -> None:
    version = ApiVersion.parse("2025-05-28.basil")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        version.release = "clover"  # type: ignore[misc]
    assert hash(version) == hash(V2025_05_28_BASIL)
    assert len({version, V2025_05_28_BASIL, ApiVersion.parse("2025-05-28")}) == 2


# -- ordering -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("2019-12-02", "2019-12-03"),
        ("2025-03-30", "2025-03-31.basil"),
        ("2025-05-27", "2025-05-28.basil"),
        ("2025-02-24.acacia", "2025-03-31.basil"),
        ("2024-06-20", "2024-09-30.acacia"),
        # Same date: bare date < named release < dashboard < preview.
        ("2025-03-31", "2025-03-31.basil"),
        ("2026-01-28.clover", "2026-01-28.preview"),
        ("2025-03-01", "2025-03-01.dashboard"),
        ("2026-09-30.endive", "2027-01-15.fig"),
        ("2026-10-28.endive", "2026-10-29"),
    ],
)
def test_ordering_pairs(before: str, after: str) -> None:
    a, b = ApiVersion.parse(before), ApiVersion.parse(after)
    assert a < b and a <= b and b > a and b >= a and a != b
    assert not (b < a) and not (a > b)
    assert sorted([b, a]) == [a, b]


def test_comparison_with_other_types_is_refused() -> None:
    version: Any = V2019_12_03
    assert (version == "2019-12-03") is False
    with pytest.raises(TypeError):
        _ = version < "2020-01-01"


def test_published_versions_are_strictly_ordered_ga_and_complete() -> None:
    assert list(PUBLISHED_VERSIONS) == sorted(PUBLISHED_VERSIONS)
    assert len(set(PUBLISHED_VERSIONS)) == len(PUBLISHED_VERSIONS)
    assert all(v.is_ga and v.is_published for v in PUBLISHED_VERSIONS)
    assert not ApiVersion.parse("2025-03-01.dashboard").is_published
    assert not ApiVersion.parse("2025-05-27").is_published
    texts = [str(v) for v in PUBLISHED_VERSIONS]
    assert texts[0] == "2019-03-14"
    assert texts[-1] == "2026-10-28.endive"
    # Every named release line starts with a published version of that name.
    for name, start in RELEASE_LINES:
        assert f"{start.isoformat()}.{name}" in texts
    # Bare dates stop at 2024-06-20; named releases start at acacia.
    assert all(v.release is None for v in PUBLISHED_VERSIONS if v.date < dt.date(2024, 9, 30))
    assert all(v.release for v in PUBLISHED_VERSIONS if v.date >= dt.date(2024, 9, 30))


def test_boundary_constants() -> None:
    assert str(V2019_12_03) == "2019-12-03"
    assert str(V2025_03_31_BASIL) == "2025-03-31.basil"
    assert str(V2025_05_28_BASIL) == "2025-05-28.basil"
    assert str(V2026_06_24_DAHLIA) == "2026-06-24.dahlia"
    for boundary in (V2019_12_03, V2025_03_31_BASIL, V2025_05_28_BASIL, V2026_06_24_DAHLIA):
        assert boundary.is_published
    assert V2019_12_03 < V2025_03_31_BASIL < V2025_05_28_BASIL < V2026_06_24_DAHLIA < LATEST


def test_latest_is_the_vendored_spec_version() -> None:
    with (ROOT / "spec" / "credit_notes.openapi.json").open(encoding="utf-8") as f:
        spec = json.load(f)
    assert str(LATEST) == spec["info"]["version"] == "2026-09-30.endive"
    assert LATEST.is_published


# -- properties ---------------------------------------------------------------------------------


def _release_for(date: dt.date) -> str | None:
    name = None
    for release, start in RELEASE_LINES:
        if date >= start:
            name = release
    return name


@st.composite
def versions(draw: st.DrawFn) -> ApiVersion:
    date = draw(st.dates(min_value=dt.date(2011, 1, 1), max_value=dt.date(2030, 12, 31)))
    kind = draw(st.sampled_from(["bare", "named", "preview", "dashboard", "future"]))
    if kind == "bare":
        return ApiVersion(date)
    if kind in ("preview", "dashboard"):
        return ApiVersion(date, kind)
    if kind == "future" and date > RELEASE_LINES[-1][1]:
        return ApiVersion(date, draw(st.sampled_from(["fig", "ginkgo", "holly"])))
    release = _release_for(date)
    return ApiVersion(date, release)


@settings(max_examples=300, deadline=None)
@given(versions(), versions())
def test_total_order_consistent_with_dates_and_equality(a: ApiVersion, b: ApiVersion) -> None:
    assert [a < b, a == b, a > b].count(True) == 1
    assert (a <= b) == (a < b or a == b)
    assert (a >= b) == (a > b or a == b)
    if a.date != b.date:
        assert (a < b) == (a.date < b.date)
    if a == b:
        assert hash(a) == hash(b) and str(a) == str(b)
    else:
        assert str(a) != str(b)


@settings(max_examples=200, deadline=None)
@given(versions())
def test_str_round_trips(version: ApiVersion) -> None:
    assert ApiVersion.parse(str(version)) == version


# -- pins: only versions Stripe publishes ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "suggestion"),
    [
        ("2025-03-31", "2025-03-31.basil"),  # no release name: Stripe has no such version
        ("2025-05-27.basil", "2025-05-28.basil"),
        ("2024-09-30", "2024-09-30.acacia"),
        ("2020-01-01", "2019-12-03"),
        ("2026-10-27.endive", "2026-10-28.endive"),
    ],
)
def test_pin_refuses_an_unpublished_version_inside_the_known_range(
    text: str, suggestion: str
) -> None:
    with pytest.raises(ValueError, match=f"did you mean {re.escape(suggestion)}\\?"):
        pin(text)


def test_pin_accepts_every_published_version_as_is() -> None:
    for version in PUBLISHED_VERSIONS:
        assert pin(str(version)) == version
        assert pin(version) is version


def test_pin_newer_than_known_warns_once_and_gets_the_newest_rules() -> None:
    from stripe_credit_notes.validation import RULES

    text = "2027-06-30.fig"
    with pytest.warns(UnknownApiVersionWarning, match="newer than every version") as caught:
        version = pin(text)
        pin(text)
        pin(ApiVersion.parse(text))
    assert len(caught) == 1 and str(version) == text
    newest = PUBLISHED_VERSIONS[-1]
    assert [r.covers(version) for r in RULES] == [r.covers(newest) for r in RULES]


def test_pin_accepts_channels_and_versions_older_than_credit_notes() -> None:
    assert pin("2025-03-01.dashboard").channel == "dashboard"
    assert pin("2026-01-28.preview").channel == "preview"
    assert str(pin("2018-02-28")) == "2018-02-28"


def test_emulator_and_validator_order_every_published_version_identically() -> None:
    from stripe_credit_notes.emulator import _versions as emulated

    texts = [str(v) for v in PUBLISHED_VERSIONS]
    for a in texts:
        for b in texts:
            ours, theirs = pin(a), emulated.ApiVersion.parse(b)
            mine_b, their_a = pin(b), emulated.ApiVersion.parse(a)
            assert (ours < mine_b) == (their_a < theirs), (a, b)
            assert (ours == mine_b) == (their_a == theirs), (a, b)


def test_emulator_and_validator_gate_every_published_version_identically() -> None:
    from stripe_credit_notes.emulator import _versions as emulated
    from stripe_credit_notes.validation import RULES_BY_ID

    names = {
        emulated.ALLOCATION_AUTO_OUT_OF_BAND: None,
        emulated.ALLOCATION_TOTAL: "allocation.sum_equals_total",
        emulated.ALLOCATION_POST_PAYMENT: "allocation.sum_equals_post_payment",
    }
    for version in PUBLISHED_VERSIONS:
        theirs = emulated.ApiVersion.parse(str(version))
        gated = [
            rule_id
            for rule_id in ("allocation.sum_equals_total", "allocation.sum_equals_post_payment")
            if RULES_BY_ID[rule_id].covers(version)
        ]
        assert gated == [r for r in [names[theirs.allocation_rule]] if r], version
        assert theirs.uses_refunds_array == RULES_BY_ID["refund.removed"].covers(version)
        assert theirs.uses_refunds_array != RULES_BY_ID["refunds.unavailable"].covers(version)
