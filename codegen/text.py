"""Turning the spec's descriptions into docstrings."""

from __future__ import annotations

import html
import re
import textwrap

_TAG = re.compile(r"<[^>]+>")


def clean(description: str | None) -> str:
    """Plain text from a spec description (which may hold HTML or Markdown)."""
    if not description:
        return ""
    # Stripe's own systematic edit between the 2022 and the current spec.
    description = description.replace("%s", "cents (or local equivalent)")
    text = description.replace("<code>", "`").replace("</code>", "`").replace("\u2019", "'")
    text = text.replace("<li>", "- ").replace("</p>", "\n\n").replace("</li>", "\n")
    text = html.unescape(_TAG.sub("", text))
    lines = [line.rstrip() for line in text.strip().splitlines()]
    out: list[str] = []
    for line in lines:
        if not line and out and not out[-1]:
            continue  # collapse runs of blank lines
        out.append(line)
    return "\n".join(out).strip()


def docstring(text: str, indent: str, width: int = 96) -> str:
    """A triple-quoted docstring, wrapped to ``width``, escaped for Python source."""
    text = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    if text.endswith('"'):
        text += " "
    paragraphs = text.split("\n\n")
    wrapped: list[str] = []
    for para in paragraphs:
        lines = para.splitlines()
        if all(line.startswith("- ") for line in lines if line):
            for line in lines:
                wrapped.extend(
                    textwrap.wrap(
                        line,
                        width - len(indent),
                        subsequent_indent="  ",
                        break_long_words=False,
                        break_on_hyphens=False,
                    )
                )
        else:
            wrapped.extend(
                textwrap.wrap(
                    " ".join(lines),
                    width - len(indent),
                    break_long_words=False,
                    break_on_hyphens=False,
                )
            )
        wrapped.append("")
    while wrapped and not wrapped[-1]:
        wrapped.pop()
    if len(wrapped) == 1 and len(wrapped[0]) + len(indent) + 6 <= width:
        return f'{indent}"""{wrapped[0]}"""\n'
    body = "\n".join(f"{indent}{line}" if line else "" for line in wrapped)
    return f'{indent}"""\n{body}\n{indent}"""\n'
