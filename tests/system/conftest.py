"""System tests run the installed `todo` in a subprocess: here the process
is the point (imports at startup, terminals, signals, exit codes of the
executable, round trips, servers that fail, concurrency)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.processes import Todo, clean_env


@pytest.fixture
def todo(home: Path, tmp_path: Path) -> Todo:
    cwd = tmp_path / "work"
    cwd.mkdir()
    return Todo(home, clean_env(home), cwd)
