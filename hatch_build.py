"""Build hook: the package index gets README.md with its relative links made absolute.

The repository's address is read from ``[project.urls] Source`` in pyproject.toml, so it is
written in one place. On the repository host the README keeps its relative links.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from hatchling.metadata.plugin.interface import MetadataHookInterface

# A markdown link whose target has no scheme and is not an anchor: `[text](docs/client.md)`.
RELATIVE_LINK = re.compile(r"\]\((?![a-zA-Z][a-zA-Z0-9+.-]*:|#)([^)\s]+)\)")


def absolute_links(markdown: str, repository: str) -> str:
    """Point every relative link of ``markdown`` at the file in ``repository`` (branch main)."""
    base = repository.rstrip("/")
    return RELATIVE_LINK.sub(
        lambda m: f"]({base}/blob/main/{m.group(1).removeprefix('./')})", markdown
    )


class PackageIndexReadme(MetadataHookInterface):
    """Sets ``readme`` (declared dynamic) from README.md with absolute links."""

    def update(self, metadata: dict[str, Any]) -> None:
        text = (Path(self.root) / "README.md").read_text(encoding="utf-8")
        metadata["readme"] = {
            "content-type": "text/markdown",
            "text": absolute_links(text, metadata["urls"]["Source"]),
        }
