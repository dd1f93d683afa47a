"""Every test file the project names (in comments, docstrings, the README,
pyproject.toml, CI and the bench) exists: a moved test leaves no stale
pointer behind."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
NAMED = re.compile(r"\btests/[\w/]+\.py\b")


def _texts() -> list[Path]:
    found = [REPO / "README.md", REPO / "pyproject.toml", REPO / ".ci" / "run"]
    for top in ("todo_cli", "tests", "bench", "alembic"):
        # Not the bench's own venv (bench/.work): other projects' files.
        found += sorted(p for p in (REPO / top).rglob("*.py") if ".work" not in p.parts)
    return found


def test_every_test_path_named_exists() -> None:
    stale = {
        f"{path.relative_to(REPO)}: {name}"
        for path in _texts()
        for name in NAMED.findall(path.read_text(encoding="utf-8"))
        if not (REPO / name).exists()
    }
    assert stale == set()


def test_the_scan_sees_the_names() -> None:
    """Positive control: the README's own pointer is found."""
    assert "tests/system/test_readme.py" in NAMED.findall((REPO / "README.md").read_text())
