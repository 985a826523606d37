"""Check that the built site's API reference lists every public name.

    python tools/check_docs.py build/site

mkdocstrings gives each documented object an anchor named by its dotted path; every name in
the ``__all__`` of each module of docs/reference/ must have one. Exits 1 naming what is missing.
"""

from __future__ import annotations

import importlib
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# `::: module` lines of the reference pages: the modules the reference promises.
DIRECTIVE = re.compile(r"^::: ([\w.]+)\s*$", re.MULTILINE)
# Dunder names (`__version__`) are left out of the rendered reference on purpose.
ANCHOR = re.compile(r'id="([\w.]+)"')


def main(site: str) -> int:
    anchors: set[str] = set()
    for page in Path(site).glob("reference/**/*.html"):
        anchors.update(ANCHOR.findall(page.read_text(encoding="utf-8")))
    modules = [
        name
        for page in sorted((ROOT / "docs" / "reference").glob("*.md"))
        for name in DIRECTIVE.findall(page.read_text(encoding="utf-8"))
    ]
    missing = [
        f"{module}.{name}"
        for module in modules
        for name in getattr(importlib.import_module(module), "__all__", [])
        if not name.startswith("__") and f"{module}.{name}" not in anchors
    ]
    if not modules:
        print("check_docs: no `::: module` line in docs/reference/*.md")
        return 1
    for name in missing:
        print(f"check_docs: {name} is public but not in the API reference")
    if missing:
        return 1
    print(f"check_docs: {len(modules)} modules, every public name is in the reference")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "build/site"))
