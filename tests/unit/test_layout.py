"""The architecture, held to the code: who may import whom, who writes to
the streams, and how long a module may grow (README: Architecture)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "todo_cli"
MAX_LINES = 400


def modules() -> dict[str, Path]:
    """todo_cli's modules by dotted name."""
    found = {}
    for path in PACKAGE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def imports(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def reaches(name: str, forbidden: tuple[str, ...]) -> set[str]:
    return {
        imported
        for imported in imports(modules()[name])
        if any(imported == f or imported.startswith(f + ".") for f in forbidden)
    }


def test_the_scan_sees_the_package() -> None:
    found = modules()
    assert {"todo_cli.cli", "todo_cli.store.session", "todo_cli.formats.todotxt"} <= set(found)
    assert "todo_cli.store" in imports(found["todo_cli.commands.todos"]) or any(
        i.startswith("todo_cli.store") for i in imports(found["todo_cli.commands.todos"])
    )


PRESENTATION = ("typer", "rich", "click", "todo_cli.app", "todo_cli.cli", "todo_cli.commands")
PURE = (*PRESENTATION, "todo_cli.store", "todo_cli.render", "todo_cli.output", "psycopg2")


@pytest.mark.parametrize("name", sorted(n for n in modules() if n.startswith("todo_cli.formats")))
def test_formats_import_neither_the_store_nor_the_renderer(name: str) -> None:
    assert reaches(name, (*PURE, "sqlite3")) == set()


@pytest.mark.parametrize("name", ["todo_cli.todo", "todo_cli.shapes", "todo_cli.dates"])
def test_the_record_its_shapes_and_dates_are_pure(name: str) -> None:
    assert reaches(name, (*PURE, "sqlite3")) == set()


@pytest.mark.parametrize("name", sorted(n for n in modules() if n.startswith("todo_cli.store")))
def test_the_store_knows_nothing_of_the_command_line(name: str) -> None:
    assert reaches(name, (*PRESENTATION, "todo_cli.render", "todo_cli.output")) == set()


@pytest.mark.parametrize("name", sorted(n for n in modules() if n.startswith("todo_cli.commands")))
def test_commands_write_only_through_the_output(name: str) -> None:
    source = modules()[name].read_text()
    for stream in ("sys.stdout", "sys.stderr", "print(", "typer.echo", "typer.confirm"):
        assert stream not in source, f"{name} uses {stream}"


def test_only_the_output_and_the_entry_point_touch_the_process_streams() -> None:
    touching = {
        name
        for name, path in modules().items()
        if "sys.stdout" in path.read_text() or "sys.stderr" in path.read_text()
    }
    assert touching == {"todo_cli.app", "todo_cli.cli", "todo_cli.entry"}


@pytest.mark.parametrize("name", sorted(modules()))
def test_no_module_is_over_the_limit(name: str) -> None:
    lines = len(modules()[name].read_text().splitlines())
    assert lines <= MAX_LINES, f"{name} has {lines} lines; split it by job"
