"""The schema's head revision is read from the migration scripts' names
(store/revision.HEAD), so a new migration moves it with no edit elsewhere;
these tests hold every script to the naming that makes that true."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from todo_cli.errors import SchemaError
from todo_cli.store import revision

VERSIONS = Path(__file__).resolve().parents[2] / "alembic" / "versions"


def _assigned(path: Path) -> dict[str, object]:
    """The module-level `revision` and `down_revision` of a script."""
    found: dict[str, object] = {}
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.AnnAssign | ast.Assign):
            targets = [node.target] if isinstance(node, ast.AnnAssign) else node.targets
            for target in targets:
                if (
                    isinstance(target, ast.Name)
                    and target.id in ("revision", "down_revision")
                    and node.value is not None
                ):
                    found[target.id] = ast.literal_eval(node.value)
    return found


def test_every_script_is_named_by_its_revision_and_follows_the_one_before() -> None:
    scripts = sorted(p for p in VERSIONS.glob("*.py") if p.name != "__init__.py")
    assert len(scripts) >= 11
    previous = None
    for path in scripts:
        values = _assigned(path)
        assert path.name[:5] == f"{values['revision']}_", path.name
        assert values["down_revision"] == previous, path.name
        previous = values["revision"]
    # The head the hot path compares with is the last script's revision.
    assert previous == revision.HEAD


def test_the_head_is_the_newest_script_name(tmp_path: Path) -> None:
    for name in ("0001_initial.py", "0002_more.py", "__init__.py", "README", "0003.txt"):
        (tmp_path / name).write_text("")
    assert revision.head_of(tmp_path) == "0002"
    (tmp_path / "0012_next.py").write_text("")
    assert revision.head_of(tmp_path) == "0012"


def test_no_scripts_is_a_schema_error(tmp_path: Path) -> None:
    with pytest.raises(SchemaError, match="no migration scripts"):
        revision.head_of(tmp_path)
    with pytest.raises(SchemaError, match="no migration scripts"):
        revision.head_of(tmp_path / "missing")


def test_the_checkout_and_the_wheel_layouts_are_both_found() -> None:
    # In this checkout the scripts are the top-level alembic/ (the wheel's
    # todo_cli/migrations is checked by tests/system/test_migrations.py).
    assert revision.script_location() == VERSIONS.parent
    assert revision.HEAD == "0011"
