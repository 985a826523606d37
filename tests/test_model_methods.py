"""The models' shared ``__repr__`` / ``__eq__`` / ``__hash__`` behave like the ones attrs writes.

``models.py`` asks attrs for neither (it would compile them for every class on import); each
class takes the functions of ``_model_methods``. These tests hold them to attrs' own output.
"""

from __future__ import annotations

import copy
import pickle
from typing import Any

import attrs
import pytest

from stripe_credit_notes import from_dict
from stripe_credit_notes import models as m

from .conftest import NEWEST_FIXTURE, OLDER_FIXTURE, load_fixture

MODELS = [getattr(m, name) for name in m.__all__ if attrs.has(getattr(m, name, None))]


def attrs_twin(cls: type) -> type:
    """The same fields, with repr/eq/hash written by attrs."""
    fields = {a.name: attrs.field(repr=a.repr, eq=a.eq) for a in attrs.fields(cls)}
    return attrs.make_class(cls.__name__, fields, frozen=True, slots=True)


def as_twin(obj: Any) -> Any:
    twin = attrs_twin(type(obj))
    return twin(**{a.name: getattr(obj, a.name) for a in attrs.fields(type(obj))})


def decoded() -> list[Any]:
    out: list[Any] = []
    for name in (NEWEST_FIXTURE, OLDER_FIXTURE):
        fixture = load_fixture(name)
        note = from_dict(m.CreditNote, fixture["credit_note"])
        out += [note, note.lines, *note.lines.data, *note.lines.data[0].tax_rates]
        if "event" in fixture:
            event = from_dict(m.Event, fixture["event"])
            out += [event, event.data, event.request]
    return out


@pytest.mark.parametrize("obj", decoded(), ids=lambda o: type(o).__name__)
def test_repr_is_attrs_repr(obj: Any) -> None:
    assert repr(obj) == repr(as_twin(obj))
    assert "extra" not in repr(obj)


@pytest.mark.parametrize("obj", decoded(), ids=lambda o: type(o).__name__)
def test_equality_and_hash_follow_the_fields(obj: Any) -> None:
    same = copy.deepcopy(obj)
    assert same == obj
    assert (same != obj) is False  # __ne__ inverts __eq__
    assert pickle.loads(pickle.dumps(obj)) == obj
    changed = attrs.evolve(obj, extra={"zz_new": 1})
    assert changed != obj  # extra takes part, as in attrs
    assert obj != as_twin(obj)  # another class is never equal
    try:
        expected: Any = hash(as_twin(obj))
    except TypeError as exc:
        expected = type(exc)
    if expected is TypeError:  # a dict or list field: unhashable with attrs too
        with pytest.raises(TypeError):
            hash(obj)
    else:
        assert hash(obj) == hash(same)


def test_every_model_uses_the_shared_methods_and_stays_frozen_and_slotted() -> None:
    for cls in MODELS:
        assert cls.__repr__ is m.model_repr and cls.__eq__ is m.model_eq, cls
        assert cls.__hash__ is m.model_hash, cls
        assert "__weakref__" in cls.__mro__[1].__slots__, cls
    stub = m.EventRequest(id="req_1", idempotency_key=None)
    assert stub == m.EventRequest(id="req_1", idempotency_key=None)
    assert stub != m.EventRequest(id="req_2")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        stub.id = "x"  # type: ignore[misc]
