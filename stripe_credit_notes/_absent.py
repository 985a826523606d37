"""``ABSENT``: the value of a field the payload did not contain.

Stripe distinguishes a key that is missing (an older API version, a field not returned in this
context) from a key sent as ``null``; the models keep that distinction: ``None`` is ``null``,
``ABSENT`` is "not in the payload". ``ABSENT`` is falsy, so ``if note.memo:`` works for both.
"""

from __future__ import annotations

import enum
from typing import Final, Literal

__all__ = ["ABSENT", "Absent"]


class _AbsentType(enum.Enum):
    ABSENT = "ABSENT"

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Final = _AbsentType.ABSENT
"""The singleton value of a field the payload did not contain."""

Absent = Literal[_AbsentType.ABSENT]
"""The type of ``ABSENT``, for annotations: ``int | Absent``."""
