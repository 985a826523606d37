"""``NO_EXTRA``: the ``extra`` of every model whose payload had no undeclared field.

Nearly every object Stripe sends fits its model exactly, so nearly every ``extra`` is empty.
One shared, read-only empty mapping instead of a new ``{}`` per model saves an allocation per
object, and with it a share of the cyclic collector's passes while a large page decodes
(``docs/performance.md``). It is a ``dict`` subclass so that ``==``, ``json.dumps``, orjson and
``isinstance(extra, dict)`` behave as they did; writes raise instead of leaking into every model.
"""

from __future__ import annotations

from typing import Any, Final, NoReturn

__all__ = ["NO_EXTRA"]


class _NoExtra(dict[str, Any]):
    """The type of :data:`NO_EXTRA`: an empty ``dict`` that refuses to change."""

    __slots__ = ()

    def _refuse(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError(
            "a model's extra is read-only (one empty mapping is shared by every model); "
            "copy it first: dict(model.extra)"
        )

    __setitem__ = __delitem__ = __ior__ = _refuse
    update = setdefault = pop = popitem = clear = _refuse

    def __copy__(self) -> _NoExtra:
        return self

    def __deepcopy__(self, memo: object) -> _NoExtra:
        return self

    def __reduce__(self) -> str:
        return "NO_EXTRA"  # pickles by name: unpickling gives the same shared object

    def __repr__(self) -> str:
        return "{}"


NO_EXTRA: Final = _NoExtra()
"""The shared empty ``extra``; ``dict(model.extra)`` gives a mutable copy."""
