"""Stripe's form encoding with bracket keys, parsed into a tree.

``lines[0][tax_amounts][1][amount]=5&metadata[k]=v&expand[]=invoice`` becomes::

    {"lines": {"0": {"tax_amounts": {"1": {"amount": "5"}}}},
     "metadata": {"k": "v"},
     "expand": ["invoice"]}

Leaves are always strings (an empty string is Stripe's "unset"). Numbered children stay a
dict keyed by the index: whether a node is an array is decided later by the route's parameter
schema (``_params``), which also reports the errors. ``[]`` (append) is allowed as the last
bracket only.
"""

from __future__ import annotations

import re
import urllib.parse
from typing import TypeAlias

__all__ = ["MAX_DEPTH", "FormError", "FormNode", "FormTree", "parse_form", "render_key"]

FormNode: TypeAlias = str | dict[str, "FormNode"] | list["FormNode"]
FormTree: TypeAlias = dict[str, FormNode]

_KEY_RE = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")
_SEGMENT_RE = re.compile(r"\[([^\[\]]*)\]")
MAX_FIELDS = 5000
MAX_DEPTH = 20
"""Levels of nesting in a parameter (``lines[0][tax_amounts][1][amount]`` is 5)."""


class FormError(ValueError):
    """The form could not be parsed; ``key`` is the offending parameter name."""

    def __init__(self, message: str, key: str) -> None:
        super().__init__(message)
        self.key = key


def split_key(key: str) -> list[str]:
    """``a[b][0][]`` -> ``["a", "b", "0", ""]``."""
    match = _KEY_RE.match(key)
    if match is None:
        raise FormError(f"Invalid parameter name: {key}", key)
    segments = [match.group(1), *_SEGMENT_RE.findall(match.group(2))]
    if len(segments) > MAX_DEPTH:  # later steps walk the tree recursively
        shown = render_key(segments[:MAX_DEPTH])[:120] + "..."
        raise FormError(
            f"Invalid parameter name: {shown} is nested too deeply (at most {MAX_DEPTH} levels)",
            shown,
        )
    if any(segment == "" for segment in segments[1:-1]):
        raise FormError(f"Invalid parameter name: {key} ('[]' must come last)", key)
    return segments


def render_key(segments: list[str]) -> str:
    """``["lines", "0", "amount"]`` -> ``lines[0][amount]``."""
    return segments[0] + "".join(f"[{s}]" for s in segments[1:])


def parse_form(raw: str) -> FormTree:
    """Parse a query string or ``application/x-www-form-urlencoded`` body."""
    try:
        pairs = urllib.parse.parse_qsl(
            raw, keep_blank_values=True, max_num_fields=MAX_FIELDS, errors="strict"
        )
    except ValueError as exc:  # too many fields, or bytes that are not UTF-8
        raise FormError(f"Invalid request body: {exc}", "") from exc
    tree: FormTree = {}
    for key, value in pairs:
        _insert(tree, split_key(key), value, key)
    return tree


def _insert(tree: FormTree, segments: list[str], value: str, key: str) -> None:
    node: dict[str, FormNode] = tree
    for i, segment in enumerate(segments[:-1]):
        if segments[i + 1] == "":  # `segment[]=value`: append to a list
            existing = node.setdefault(segment, [])
            if not isinstance(existing, list):
                raise FormError(f"Invalid parameter: {key} mixes [] with other forms", key)
            existing.append(value)
            return
        child = node.setdefault(segment, {})
        if not isinstance(child, dict):
            raise FormError(f"Invalid parameter: {key} is both a value and a hash", key)
        node = child
    leaf = segments[-1]
    if isinstance(node.get(leaf), (dict, list)):
        raise FormError(f"Invalid parameter: {key} is both a value and a hash", key)
    node[leaf] = value  # a repeated scalar key: the last one wins
