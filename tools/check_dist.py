"""Check what `python -m build` wrote into a folder before anyone uploads it.

    python tools/check_dist.py dist

The wheel must ship ``py.typed``, the license, both entry points and no tests; its README (the
package index page) must have no relative link; the sdist must carry what rebuilding and
testing need. `twine check` (run by ``make dist-check``) validates the metadata's syntax; this
checks its content. Exits 1 with one line per problem.
"""

from __future__ import annotations

import re
import sys
import tarfile
import zipfile
from email.message import Message
from email.parser import HeaderParser
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "stripe_credit_notes"
# A markdown link or image target without a scheme, other than an anchor.
RELATIVE_LINK = re.compile(r"\]\((?![a-zA-Z][a-zA-Z0-9+.-]*:|#)([^)\s]+)\)")


def check_wheel(wheel: Path, project: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        dist_info = next(n.split("/")[0] for n in names if ".dist-info/" in n)
        metadata = HeaderParser().parsestr(archive.read(f"{dist_info}/METADATA").decode())
        points = f"{dist_info}/entry_points.txt"
        entry_points = archive.read(points).decode() if points in names else ""
    if f"{PACKAGE}/py.typed" not in names:
        problems.append("wheel: py.typed is missing (type checkers would ignore the package)")
    stray = [n for n in names if not n.startswith((f"{PACKAGE}/", f"{dist_info}/"))]
    if stray:
        problems.append(f"wheel: files outside the package: {stray[:5]}")
    tests = [n for n in names if "/tests/" in f"/{n}" or Path(n).name.startswith("test_")]
    if tests:
        problems.append(f"wheel: ships tests: {tests[:5]}")
    if not any(n.endswith("/LICENSE") for n in names):
        problems.append("wheel: LICENSE is missing")
    if any("__pycache__" in n or n.endswith(".pyc") for n in names):
        problems.append("wheel: ships compiled files")
    for needle in (
        "[pytest11]",
        "stripe_credit_notes.emulator.testing = stripe_credit_notes.emulator.testing",
        "stripe-credit-notes-emulator = stripe_credit_notes.emulator.__main__:main",
    ):
        if needle not in entry_points:
            problems.append(f"wheel: entry_points.txt lacks {needle!r}")
    problems += check_metadata(metadata, project)
    return problems


def check_metadata(metadata: Message, project: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    get, get_all = metadata.get, metadata.get_all
    if (get("License-Expression") or get("License")) != "MIT":
        problems.append("metadata: the license is not declared as MIT")
    if get("Requires-Python") != project["requires-python"]:
        problems.append(f"metadata: Requires-Python is {get('Requires-Python')!r}")
    urls = dict(u.split(", ", 1) for u in get_all("Project-URL") or [])
    if set(urls) != set(project["urls"]):
        problems.append(f"metadata: Project-URLs are {sorted(urls)}")
    if get("Description-Content-Type") != "text/markdown":
        problems.append("metadata: the README is not declared as markdown")
    readme = str(metadata.get_payload())
    relative = RELATIVE_LINK.findall(readme)
    if relative:
        problems.append(f"metadata: README links that break on the package index: {relative}")
    source = project["urls"]["Source"]
    if f"]({source}/blob/main/docs/client.md)" not in readme:
        problems.append("metadata: README links do not point at the repository")
    classifiers = set(get_all("Classifier") or [])
    for minor in ("3.10", "3.11", "3.12", "3.13"):
        if f"Programming Language :: Python :: {minor}" not in classifiers:
            problems.append(f"metadata: no classifier for Python {minor}")
    return problems


def check_sdist(sdist: Path) -> list[str]:
    with tarfile.open(sdist) as archive:
        names = {n.split("/", 1)[1] for n in archive.getnames() if "/" in n}
    needed = [
        "LICENSE",
        "README.md",
        "CHANGELOG.md",
        "pyproject.toml",
        "hatch_build.py",
        f"{PACKAGE}/py.typed",
        "tests/conftest.py",
    ]
    return [f"sdist: {name} is missing" for name in needed if name not in names]


def read_project() -> dict[str, Any]:
    """The ``[project]`` table of pyproject.toml."""
    if sys.version_info < (3, 11):  # make runs this with .venv's 3.11
        raise SystemExit("check_dist.py needs Python >= 3.11 (tomllib)")
    import tomllib

    project: dict[str, Any] = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    return project


def main(folder: str) -> int:
    project = read_project()
    wheels = sorted(Path(folder).glob("*.whl"))
    sdists = sorted(Path(folder).glob("*.tar.gz"))
    if len(wheels) != 1 or len(sdists) != 1:
        print(f"check_dist: expected one wheel and one sdist in {folder}, found {wheels + sdists}")
        return 1
    problems = check_wheel(wheels[0], project) + check_sdist(sdists[0])
    for problem in problems:
        print(f"check_dist: {problem}")
    if not problems:
        print(f"check_dist: {wheels[0].name} and {sdists[0].name} are fine")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "dist"))
