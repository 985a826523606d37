"""``ApiVersion``: parsing and ordering of ``Stripe-Version`` header values.

Stripe names an API version by its release date, ``YYYY-MM-DD`` (every version up to
``2024-06-20``), and from ``2024-09-30.acacia`` on by the date plus the name of the release line
it belongs to, ``YYYY-MM-DD.<release>`` (``acacia``, ``basil``, ``clover``, ``dahlia``,
``endive``, ...). Versions are ordered by their date; the release name follows from the date.

Channels
--------
Two suffixes are not release lines but channels: ``.preview`` (the public-preview SDKs and specs,
e.g. ``2026-01-28.preview``) and ``.dashboard`` (``2025-03-01.dashboard``, a version the
Dashboard uses). This module accepts both, orders them by their date (after the GA versions of the
same day) and reports them through :attr:`ApiVersion.channel`. A preview version may already
contain the breaking changes of the *next* release, so its date does not say which rules apply;
the validator therefore applies to non-GA versions only the rules that hold on their date *and*
on every later version, and records the others as skipped (see ``docs/validation.md``).

Strictness
----------
* The date must be a real calendar date and the release a lowercase ASCII word.
* A known release name must match its date: ``2025-05-28.clover`` is refused (clover starts on
  ``2025-09-30``), so a typo in a pin is caught when the client is built.
* An unknown release name is accepted only after the start of the newest known release line,
  as a future release (ordered by its date); before that every release line is known, so an
  unknown name there is a typo.
* A bare date is accepted at any date. Stripe has published none after ``2024-06-20``, but a bare
  date is unambiguous for ordering (it sorts before the named versions of the same day).
"""

from __future__ import annotations

import datetime as _dt
import functools
import re
import threading
import warnings
from typing import Final, Literal

import attrs

__all__ = [
    "KNOWN_CHANNELS",
    "LATEST",
    "PUBLISHED_VERSIONS",
    "RELEASE_LINES",
    "V2019_12_03",
    "V2025_03_31_BASIL",
    "V2025_05_28_BASIL",
    "V2026_06_24_DAHLIA",
    "ApiVersion",
    "Channel",
    "UnknownApiVersionWarning",
    "pin",
]

Channel = Literal["ga", "preview", "dashboard"]
"""Where a version belongs: ``ga`` (generally available), ``preview`` or ``dashboard``."""

KNOWN_CHANNELS: Final[frozenset[str]] = frozenset({"preview", "dashboard"})
"""Suffixes that name a channel rather than a release line."""

RELEASE_LINES: Final[tuple[tuple[str, _dt.date], ...]] = (
    ("acacia", _dt.date(2024, 9, 30)),
    ("basil", _dt.date(2025, 3, 31)),
    ("clover", _dt.date(2025, 9, 30)),
    ("dahlia", _dt.date(2026, 3, 25)),
    ("endive", _dt.date(2026, 9, 30)),
)
"""The named release lines Stripe has published, each with the date of its first version."""

_PATTERN: Final = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})(?:\.([a-z]+))?")
_FORMAT_HELP: Final = (
    "expected 'YYYY-MM-DD' or 'YYYY-MM-DD.<release>' with a lowercase release name, "
    "e.g. '2024-06-20' or '2025-05-28.basil'"
)
_RANK_BARE: Final = 0
_RANK_RELEASE: Final = 1
_RANK_DASHBOARD: Final = 2
_RANK_PREVIEW: Final = 3


def _release_line_of(date: _dt.date) -> str | None:
    """The known release line whose span contains ``date`` (``None`` before acacia)."""
    line: str | None = None
    for name, start in RELEASE_LINES:
        if date >= start:
            line = name
    return line


def _check_release(date: _dt.date, release: str | None) -> None:
    if release is None or release in KNOWN_CHANNELS:
        return
    if not re.fullmatch(r"[a-z]+", release):
        raise ValueError(f"invalid release name {release!r}: {_FORMAT_HELP}")
    names = [name for name, _ in RELEASE_LINES]
    actual = _release_line_of(date)
    if release in names:
        if release != actual:
            start = dict(RELEASE_LINES)[release]
            where = (
                f"versions of {date.isoformat()} belong to {actual!r}"
                if actual is not None
                else f"{date.isoformat()} is before the first named release (acacia, 2024-09-30)"
            )
            raise ValueError(
                f"{date.isoformat()}.{release} is not a Stripe API version: the {release!r} "
                f"release line starts on {start.isoformat()} and {where}"
            )
        return
    newest_name, newest_start = RELEASE_LINES[-1]
    if date <= newest_start:
        hint = f"versions of that date belong to {actual!r}" if actual else "use a bare date"
        raise ValueError(
            f"unknown release name {release!r} for {date.isoformat()}: {hint}; an unknown "
            f"release name is accepted only after {newest_start.isoformat()} "
            f"(start of {newest_name!r}) as a future release"
        )


@attrs.frozen(eq=True, order=False, repr=False)
class ApiVersion:
    """One ``Stripe-Version`` value: immutable, hashable and totally ordered.

    Order: by date; on the same date a bare date sorts first, then a named release, then the
    ``dashboard`` and ``preview`` channels. ``str(version)`` is the exact header value.
    Build one with :meth:`parse` (or :meth:`coerce`); the constructor validates too.
    """

    #: The release date.
    date: _dt.date
    #: The release name (``"basil"``), the channel (``"preview"``/``"dashboard"``), or ``None``
    #: for a bare-date version.
    release: str | None = None

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.date, _dt.date) or isinstance(self.date, _dt.datetime):
            raise TypeError(f"ApiVersion.date must be a datetime.date, not {self.date!r}")
        _check_release(self.date, self.release)

    @classmethod
    def parse(cls, text: str) -> ApiVersion:
        """Parse a header value such as ``"2024-06-20"`` or ``"2025-05-28.basil"``.

        Raises ``ValueError`` (saying the expected format) for anything else.
        """
        if not isinstance(text, str):
            raise TypeError(f"a Stripe API version is a str, not {type(text).__name__}")
        match = _PATTERN.fullmatch(text)
        if match is None:
            raise ValueError(f"invalid Stripe API version {text!r}: {_FORMAT_HELP}")
        year, month, day, release = match.groups()
        try:
            date = _dt.date(int(year), int(month), int(day))
        except ValueError as exc:
            raise ValueError(
                f"invalid Stripe API version {text!r}: {exc} ({_FORMAT_HELP})"
            ) from None
        return cls(date, release)

    @classmethod
    def coerce(cls, value: ApiVersion | str) -> ApiVersion:
        """Return ``value`` if it is an ``ApiVersion``, else :meth:`parse` it."""
        if isinstance(value, ApiVersion):
            return value
        if cls is ApiVersion and isinstance(value, str):
            return _parse_cached(value)  # clients pass the same few strings on every request
        return cls.parse(value)

    # -- properties ----------------------------------------------------------------------

    @property
    def channel(self) -> Channel:
        """``"preview"`` or ``"dashboard"`` for those suffixes, else ``"ga"``."""
        if self.release == "preview":
            return "preview"
        if self.release == "dashboard":
            return "dashboard"
        return "ga"

    @property
    def is_ga(self) -> bool:
        """True for a generally-available version (bare date or named release)."""
        return self.channel == "ga"

    @property
    def release_line(self) -> str | None:
        """The known release line of the date (``"basil"`` for ``2025-05-27``), ``None`` before
        acacia; for a future unknown release, its own name."""
        if self.release is not None and self.release not in KNOWN_CHANNELS:
            return self.release
        return _release_line_of(self.date)

    @property
    def is_published(self) -> bool:
        """True if this exact value is one of :data:`PUBLISHED_VERSIONS`."""
        return self in _PUBLISHED_SET

    def _key(self) -> tuple[_dt.date, int, str]:
        if self.release is None:
            rank = _RANK_BARE
        elif self.release == "dashboard":
            rank = _RANK_DASHBOARD
        elif self.release == "preview":
            rank = _RANK_PREVIEW
        else:
            rank = _RANK_RELEASE
        return (self.date, rank, self.release or "")

    # -- ordering ------------------------------------------------------------------------

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, ApiVersion):
            return NotImplemented
        return self._key() < other._key()

    def __le__(self, other: object) -> bool:
        if not isinstance(other, ApiVersion):
            return NotImplemented
        return self._key() <= other._key()

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, ApiVersion):
            return NotImplemented
        return self._key() > other._key()

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, ApiVersion):
            return NotImplemented
        return self._key() >= other._key()

    # -- text ----------------------------------------------------------------------------

    def __str__(self) -> str:
        text = self.date.isoformat()
        return f"{text}.{self.release}" if self.release is not None else text

    def __repr__(self) -> str:
        return f"ApiVersion({str(self)!r})"


@functools.lru_cache(maxsize=256)
def _parse_cached(text: str) -> ApiVersion:
    return ApiVersion.parse(text)


def _v(text: str) -> ApiVersion:
    return ApiVersion.parse(text)


PUBLISHED_VERSIONS: Final[tuple[ApiVersion, ...]] = tuple(
    _v(text)
    for text in (
        # Before the 2019-12-03 out_of_band_amount change (credit notes exist from 2019-03-14).
        "2019-03-14",
        "2019-05-16",
        "2019-08-14",
        "2019-09-09",
        "2019-10-08",
        "2019-10-17",
        "2019-11-05",
        # Legacy, date only.
        "2019-12-03",
        "2020-03-02",
        "2020-08-27",
        "2022-08-01",
        "2022-11-15",
        "2023-08-16",
        "2023-10-16",
        "2024-04-10",
        "2024-06-20",
        # Acacia.
        "2024-09-30.acacia",
        "2024-10-28.acacia",
        "2024-11-20.acacia",
        "2024-12-18.acacia",
        "2025-01-27.acacia",
        "2025-02-24.acacia",
        # Basil.
        "2025-03-31.basil",
        "2025-04-30.basil",
        "2025-05-28.basil",
        "2025-06-30.basil",
        "2025-07-30.basil",
        "2025-08-27.basil",
        # Clover.
        "2025-09-30.clover",
        "2025-10-29.clover",
        "2025-11-17.clover",
        "2025-12-15.clover",
        "2026-01-28.clover",
        "2026-02-25.clover",
        # Dahlia.
        "2026-03-25.dahlia",
        "2026-04-22.dahlia",
        "2026-05-27.dahlia",
        "2026-06-24.dahlia",
        "2026-07-29.dahlia",
        "2026-08-26.dahlia",
        # Endive.
        "2026-09-30.endive",
        "2026-10-28.endive",
    )
)
"""The GA versions Stripe has published that matter for credit notes, oldest first.

Channels (``2025-03-01.dashboard``, ``*.preview``) are not listed: they are not on the GA line.
"""

_PUBLISHED_SET: Final[frozenset[ApiVersion]] = frozenset(PUBLISHED_VERSIONS)

V2019_12_03: Final = _v("2019-12-03")
"""``out_of_band_amount`` becomes required for post-payment credit notes (breaking)."""

V2025_03_31_BASIL: Final = _v("2025-03-31.basil")
"""The singular ``refund`` parameter is replaced by ``refunds[]`` (breaking)."""

V2025_05_28_BASIL: Final = _v("2025-05-28.basil")
"""Partial payments: a credit note first reduces ``amount_remaining`` (``pre_payment_amount``)."""

V2026_06_24_DAHLIA: Final = _v("2026-06-24.dahlia")
"""The documented ``lines[].tax_amounts`` limit goes from 10 to 20 (not gated, see docs)."""

LATEST: Final = _v("2026-09-30.endive")
"""The version of the vendored OpenAPI spec (``info.version``): the SDK's default pin.

Stripe has published a newer version, ``2026-10-28.endive`` (in :data:`PUBLISHED_VERSIONS`),
with no credit-note changes; ``LATEST`` follows the spec this SDK is generated from.
"""


class UnknownApiVersionWarning(UserWarning):
    """A pinned ``Stripe-Version`` newer than every version this SDK knows (newest rules used)."""


_WARNED: set[ApiVersion] = set()
_WARNED_LOCK = threading.Lock()


def _nearest_published(version: ApiVersion) -> ApiVersion:
    """The published version closest in date (the same date's release first, then earlier)."""
    return min(PUBLISHED_VERSIONS, key=lambda v: (abs((v.date - version.date).days), v > version))


def pin(value: ApiVersion | str) -> ApiVersion:
    """Parse ``value`` and check it is a version Stripe publishes, as a client pin must be.

    * A published GA version (:data:`PUBLISHED_VERSIONS`) is returned as is.
    * A GA value inside the published range that Stripe never published (``2025-03-31``
      without ``.basil``, ``2025-05-27.basil``) raises ``ValueError`` with the nearest
      published version as a suggestion: Stripe refuses unknown versions, and sorting one
      between the known ones would pick rules by guesswork.
    * A value newer than the newest published version is accepted with one
      :class:`UnknownApiVersionWarning` per value and process; it gets the newest rules.
    * A value older than the first one listed (before credit notes existed) is accepted and
      gets the oldest rules; ``.preview`` and ``.dashboard`` channels are accepted at any date
      (Stripe publishes no list of them).
    """
    version = ApiVersion.coerce(value)
    if version in _PUBLISHED_SET or not version.is_ga or version < PUBLISHED_VERSIONS[0]:
        return version
    newest = PUBLISHED_VERSIONS[-1]
    if version > newest:
        with _WARNED_LOCK:
            first = version not in _WARNED
            _WARNED.add(version)
        if first:
            warnings.warn(
                f"Stripe-Version {version} is newer than every version this SDK knows (newest "
                f"{newest}): pre-validation applies the rules of {newest}",
                UnknownApiVersionWarning,
                stacklevel=2,
            )
        return version
    suggestion = _nearest_published(version)
    raise ValueError(
        f"{version} is not a published Stripe API version (Stripe refuses unknown versions); "
        f"did you mean {suggestion}?"
    )
