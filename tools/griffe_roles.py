"""griffe extension for the docs site: reST roles in docstrings shown as inline code.

The docstrings are written for ``help()`` and editors, with Sphinx roles such as
``:class:`~stripe_credit_notes.Client```. Markdown has no roles, so each becomes `` `Client` ``
(the last part when the target starts with ``~``, the whole target otherwise).
"""

from __future__ import annotations

import re
from typing import Any

import griffe

ROLE = re.compile(r":(?:py:)?(?:class|mod|meth|func|attr|data|exc|obj):`(~?)([^`]+)`")


def _as_code(match: re.Match[str]) -> str:
    short, target = match.group(1), match.group(2)
    return f"`{target.rsplit('.', 1)[-1] if short else target}`"


class ReSTRoles(griffe.Extension):
    """Rewrites roles in every docstring griffe loads."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        """Called once per module, class, function and attribute."""
        if obj.docstring is not None:
            obj.docstring.value = ROLE.sub(_as_code, obj.docstring.value)
