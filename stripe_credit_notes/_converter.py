"""The cattrs ``Converter`` users can extend, with the generated decode/encode functions as hooks.

``converter.structure(payload, CreditNote)`` and ``converter.unstructure(note)`` run the same
functions as :func:`from_dict` and :func:`to_dict` (emitted by the generator into ``_codec``).
A hook registered for a class (``converter.register_structure_hook(cls, fn)``) takes precedence
over them in the converter; :func:`from_dict` uses the converter for any class that is not a
generated model, so a hand-written class decoded there is the converter's to describe.

Importing this module imports cattrs; decoding responses does not need it (see
``_codec_support``).
"""

from __future__ import annotations

from typing import Any

import cattrs

from ._codec import STRUCTURE, UNSTRUCTURE
from ._codec_support import from_dict, to_dict

__all__ = ["converter", "from_dict", "to_dict"]


def _is_model(tp: Any) -> bool:
    return tp in STRUCTURE


converter = cattrs.Converter()
"""The SDK's converter. ``converter.structure(payload, CreditNote)`` decodes."""

# Predicate hooks: cattrs tries its per-class registrations first, so users' own hooks win.
converter.register_structure_hook_func(_is_model, lambda data, cls: STRUCTURE[cls](data))
converter.register_unstructure_hook_func(_is_model, lambda obj: UNSTRUCTURE[type(obj)](obj))
