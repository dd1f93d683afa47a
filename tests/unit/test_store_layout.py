"""The store's own rules, held to the code (README: Architecture): it takes
no configuration and no JSON shape from above, its modules import each
other in one direction, and so do the formats'."""

from __future__ import annotations

import re

import pytest

from tests.unit.test_layout import imports, modules, reaches

STORE = sorted(n for n in modules() if n.startswith("todo_cli.store"))


def _graph(prefix: str) -> dict[str, set[str]]:
    """Which module of the prefix's imports which, counting imports inside
    functions (`from todo_cli.store import x` is an import of x)."""
    known = modules()
    graph: dict[str, set[str]] = {}
    for name, path in known.items():
        if not name.startswith(prefix):
            continue
        targets = set()
        for imported in imports(path):
            while imported and imported not in known:
                imported = imported.rpartition(".")[0]
            if imported.startswith(prefix) and imported != name:
                targets.add(imported)
        graph[name] = targets
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph, or None."""
    done: set[str] = set()
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        if node in path:
            return [*path[path.index(node) :], node]
        if node in done:
            return None
        path.append(node)
        for target in sorted(graph.get(node, ())):
            if found := visit(target):
                return found
        path.pop()
        done.add(node)
        return None

    for node in sorted(graph):
        if found := visit(node):
            return found
    return None


@pytest.mark.parametrize("name", STORE)
def test_the_store_takes_no_configuration_and_no_json_shape(name: str) -> None:
    """What to connect to arrives as store.target.Target, which
    config.Settings happens to satisfy; the store returns the record
    (todo.py), which shapes.py writes as JSON."""
    assert reaches(name, ("todo_cli.config", "todo_cli.shapes")) == set()


@pytest.mark.parametrize("prefix", ["todo_cli.store", "todo_cli.formats"])
def test_no_circle_of_imports(prefix: str) -> None:
    assert _cycle(_graph(prefix)) is None


def test_a_circle_is_seen() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


OUTSIDE = sorted(n for n in modules() if not n.startswith("todo_cli.store"))
# The start of a statement as the store writes them; a word of prose
# ("select", "update") is lower case.
_SQL = re.compile(r"\b(SELECT|INSERT INTO|UPDATE \w+ SET|DELETE FROM|CREATE TABLE)\b")


@pytest.mark.parametrize("name", OUTSIDE)
def test_sql_only_in_the_store(name: str) -> None:
    assert _SQL.findall(modules()[name].read_text()) == []


@pytest.mark.parametrize("name", sorted(n for n in modules() if n.startswith("todo_cli.commands")))
def test_commands_use_the_store_api_not_its_sql(name: str) -> None:
    """Whose todos a command touches is an owner's name (store API:
    owner=), not a scope of SQL fragments (store/sql.py)."""
    assert reaches(name, ("todo_cli.store.sql",)) == set()


def test_the_sql_rule_sees_sql() -> None:
    assert _SQL.findall('x = "SELECT number FROM todos"') == ["SELECT"]
    assert _SQL.findall("select the todos to update") == []
