"""mkdocs hook: the site's repository link comes from pyproject.toml, where it is written once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import tomllib

ROOT = Path(__file__).resolve().parent.parent


def on_config(config: Any) -> Any:
    """Set ``repo_url`` and ``repo_name`` from ``[project.urls] Source``."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    source: str = project["urls"]["Source"]
    config["repo_url"] = source
    config["repo_name"] = source.rstrip("/").rsplit("/", 1)[-1]
    return config
