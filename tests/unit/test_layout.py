"""The architecture, held to the code: who may import whom, who writes to
the streams, and how long a module may grow (README: Architecture).

Imports are counted wherever they are, at the top or inside a function."""

from __future__ import annotations

import ast
import re
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


PRESENTATION = (
    "typer",
    "rich",
    "click",
    "todo_cli.app",
    "todo_cli.cli",
    "todo_cli.commands",
    "todo_cli.fastpath",
    "todo_cli.context",
)
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
    assert touching == {"todo_cli.environment", "todo_cli.entry"}


@pytest.mark.parametrize("name", sorted(modules()))
def test_no_module_is_over_the_limit(name: str) -> None:
    lines = len(modules()[name].read_text().splitlines())
    assert lines <= MAX_LINES, f"{name} has {lines} lines; split it by job"


# --- the top floor: layers, and no circles --------------------------------------

# Highest first. A module may import its own layer's and those below, never
# one above; everything not named is below them all (the record, the
# formats, the store, the settings).
LAYERS = (
    ("todo_cli.entry", "todo_cli.__main__"),
    ("todo_cli.cli",),
    ("todo_cli.app", "todo_cli.fastpath"),
    ("todo_cli.commands", "todo_cli.completion", "todo_cli.offline"),
    ("todo_cli.context", "todo_cli.render", "todo_cli.editform", "todo_cli.inputs"),
    ("todo_cli.output",),
    ("todo_cli.environment", "todo_cli.syntax", "todo_cli.commandline"),
)
TOP_FLOOR = tuple(name for layer in LAYERS for name in layer)


def layer(name: str) -> int:
    for rank, names in enumerate(LAYERS):
        if any(name == n or name.startswith(n + ".") for n in names):
            return rank
    return len(LAYERS)


def graph() -> dict[str, set[str]]:
    """Each module of todo_cli -> the modules of todo_cli it imports."""
    found = modules()
    edges: dict[str, set[str]] = {}
    for name, path in found.items():
        targets = set()
        for imported in imports(path):
            parts = imported.split(".")
            # `from todo_cli.store import todos` names the module todos.
            for end in range(len(parts), 0, -1):
                candidate = ".".join(parts[:end])
                if candidate in found:
                    if candidate != name:
                        targets.add(candidate)
                    break
        edges[name] = targets
    return edges


def cycles(edges: dict[str, set[str]]) -> list[set[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[set[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(component)

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [{"a", "b", "c"}]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_goes_up_a_layer() -> None:
    upward = {
        (name, target)
        for name, targets in graph().items()
        for target in targets
        if layer(target) < layer(name)
    }
    assert upward == set()


def test_the_layers_name_real_modules() -> None:
    found = modules()
    for name in TOP_FLOOR:
        assert any(m == name or m.startswith(name + ".") for m in found), name


def test_no_circle_reaches_the_top_floor() -> None:
    for component in cycles(graph()):
        assert not {m for m in component if layer(m) < len(LAYERS)}, component


def test_no_circle_anywhere() -> None:
    assert cycles(graph()) == []


# --- one meaning per name ---------------------------------------------------------


def defined_names() -> dict[str, set[str]]:
    """Class and type names (CamelCase) and every *EXAMPLES, by the modules
    that define them at the top level."""
    found: dict[str, set[str]] = {}
    for module, path in modules().items():
        for node in ast.parse(path.read_text()).body:
            names = []
            if isinstance(node, ast.ClassDef):
                names = [node.name]
            elif isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                names = [t.id for t in targets if isinstance(t, ast.Name)]
            for name in names:
                camel = name[:1].isupper() and not name.isupper()
                if camel or name.endswith("EXAMPLES"):
                    found.setdefault(name, set()).add(module)
    return found


def test_a_name_of_the_top_floor_means_one_thing() -> None:
    twice = {
        name: where
        for name, where in defined_names().items()
        if len(where) > 1 and any(layer(m) < len(LAYERS) for m in where)
    }
    assert twice == {}


def test_a_name_means_one_thing_everywhere() -> None:
    assert {name: w for name, w in defined_names().items() if len(w) > 1} == {}


def test_a_field_of_a_todo_is_named_where_it_is_defined_carried_or_shown() -> None:
    """wait_lead stands for any field: the schema (models.py and the two .sql
    files), the record, the formats that carry it, the option that reads it
    and the store's rule for it. Everything else handles fields by name."""
    naming = {
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*")
        if path.suffix in (".py", ".sql") and "wait_lead" in path.read_text(encoding="utf-8")
    }
    assert naming == {
        "models.py",
        "store/sqlite.sql",
        "store/postgresql.sql",
        "todo.py",
        "formats/native.py",
        "formats/taskwarrior.py",
        "inputs.py",
        "store/recurring.py",
    }


DATACLASS_CALLS = re.compile(
    r"dataclasses\.(asdict|astuple|fields|replace)\b"
    r"|from dataclasses import[^\n]*\b(asdict|astuple|fields|replace)\b"
)


def test_the_dataclass_call_finder_sees_both_spellings() -> None:
    assert DATACLASS_CALLS.search("x = dataclasses.asdict(t)")
    assert DATACLASS_CALLS.search("    from dataclasses import field, replace")
    assert not DATACLASS_CALLS.search("from dataclasses import dataclass, field")


@pytest.mark.parametrize("name", sorted(n for n in modules() if n != "todo_cli.classes"))
def test_records_are_taken_apart_with_classes_not_dataclasses(name: str) -> None:
    """The records are made by todo_cli/classes.py, not the dataclasses
    module (the start-up: README Performance); dataclasses.replace() and
    asdict() fail on them at run time, though mypy passes them."""
    assert not DATACLASS_CALLS.search(modules()[name].read_text(encoding="utf-8")), name


def _calls_at_import(tree: ast.Module, owner: str) -> list[int]:
    """Lines of the calls owner.anything(...) that run when the module is
    imported: everywhere but inside a function or a lambda."""
    found: list[int] = []
    todo: list[ast.AST] = [tree]
    while todo:
        node = todo.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            todo.extend(node.decorator_list if not isinstance(node, ast.Lambda) else ())
            continue
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == owner
        ):
            found.append(node.lineno)
        todo.extend(ast.iter_child_nodes(node))
    return sorted(found)


def test_the_import_time_call_finder_sees_a_compile() -> None:
    tree = ast.parse("import re\nA = re.compile('a')\nclass B:\n    C = [re.match('b', 'b')]\n"
                     "def f():\n    return re.compile('c')\n")  # fmt: skip
    assert _calls_at_import(tree, "re") == [2, 4]


@pytest.mark.parametrize("name", sorted(modules()))
def test_no_regular_expression_is_compiled_at_import(name: str) -> None:
    """Compiling a pattern costs from 0.3 to 3 million instructions (a wide
    character class the most), and a module compiles its patterns for every
    command that imports it, whether or not they are used: keep a pattern as
    a string and call re.match(PATTERN, text) where it is used (re caches
    what it compiles), or build a str.translate table (safetext.py)."""
    assert _calls_at_import(ast.parse(modules()[name].read_text()), "re") == []
