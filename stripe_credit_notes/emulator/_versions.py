"""``Stripe-Version`` values: parsing, ordering and the version gates the emulator uses.

A version is ``YYYY-MM-DD`` optionally followed by ``.<release>`` (``2026-09-30.endive``).
Every generally available version starts with its release date and dates rise strictly from one
release to the next, so versions are ordered by their leading date alone; the release name
carries no extra ordering information.

This module is deliberately independent of ``stripe_credit_notes.versions``: the emulator is a
second, separate implementation that the SDK is tested against.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

__all__ = [
    "ALLOCATION_AUTO_OUT_OF_BAND",
    "ALLOCATION_POST_PAYMENT",
    "ALLOCATION_TOTAL",
    "DEFAULT_API_VERSION",
    "ApiVersion",
]

DEFAULT_API_VERSION = "2026-09-30.endive"

_VERSION_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:\.([a-z]+))?$")

#: Before 2019-12-03 the part of a paid invoice's credit note not refunded or credited was
#: allocated to ``out_of_band_amount`` automatically.
ALLOCATION_AUTO_OUT_OF_BAND = "auto_out_of_band"
#: 2019-12-03 up to 2025-05-28.basil: refund + credit + out of band must equal the total.
ALLOCATION_TOTAL = "sum_equals_total"
#: From 2025-05-28.basil: the note first reduces ``amount_remaining``; refund + credit + out of
#: band must equal the rest (``post_payment_amount``).
ALLOCATION_POST_PAYMENT = "sum_equals_post_payment"


@dataclass(frozen=True, order=True)
class ApiVersion:
    """A parsed ``Stripe-Version``; compares by its leading date only."""

    date: datetime.date
    raw: str = field(compare=False)

    @classmethod
    def parse(cls, value: str) -> ApiVersion:
        """Parse ``value``; raise ``ValueError`` when it is not ``YYYY-MM-DD[.name]``."""
        match = _VERSION_RE.match(value.strip())
        if match is None:
            raise ValueError(f"not a Stripe API version: {value!r}")
        year, month, day, _release = match.groups()
        try:
            date = datetime.date(int(year), int(month), int(day))
        except ValueError as exc:
            raise ValueError(f"not a Stripe API version: {value!r}") from exc
        return cls(date=date, raw=value.strip())

    def at_least(self, other: ApiVersion) -> bool:
        return self.date >= other.date

    def __str__(self) -> str:
        return self.raw

    # Version gates ---------------------------------------------------------------------------

    @property
    def uses_refunds_array(self) -> bool:
        """``refunds[]`` (param and field) instead of the singular ``refund`` (2025-03-31.basil)."""
        return self.at_least(BASIL)

    @property
    def uses_total_taxes(self) -> bool:
        """``total_taxes`` and line ``taxes`` instead of ``tax_amounts`` (2025-03-31.basil)."""
        return self.at_least(BASIL)

    @property
    def allocation_rule(self) -> str:
        if self.at_least(PARTIAL_PAYMENTS):
            return ALLOCATION_POST_PAYMENT
        if self.at_least(OUT_OF_BAND_REQUIRED):
            return ALLOCATION_TOTAL
        return ALLOCATION_AUTO_OUT_OF_BAND


OUT_OF_BAND_REQUIRED = ApiVersion.parse("2019-12-03")
BASIL = ApiVersion.parse("2025-03-31.basil")
PARTIAL_PAYMENTS = ApiVersion.parse("2025-05-28.basil")
DEFAULT = ApiVersion.parse(DEFAULT_API_VERSION)
