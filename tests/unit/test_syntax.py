"""The table of the command line (syntax.py) is what Typer parses, what
each command's function takes, and what the examples of the help use."""

from __future__ import annotations

import copy
import inspect
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import typer.main
from typer.core import TyperArgument, TyperOption

from tests.support.parsing import Parsed, typer_parse
from todo_cli import commands, syntax
from todo_cli.app import build


def _click_commands(group: Any, prefix: str = "") -> dict[str, Any]:
    found = {}
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            found.update(_click_commands(command, f"{prefix}{name} "))
        else:
            found[f"{prefix}{name}"] = command
    return found


def mismatches(click_command: Any, row: syntax.Command) -> list[str]:
    """How a command as Click parses it differs from its row of the table."""
    found = []
    options: dict[str, Any] = {
        str(p.name): p
        for p in click_command.params
        if isinstance(p, TyperOption) and not set(p.opts) & set(syntax.HELP)
    }
    arguments: list[Any] = [p for p in click_command.params if isinstance(p, TyperArgument)]
    table = {o.dest: o for o in row.options}
    for name in sorted(set(options) ^ set(table)):
        found.append(f"{row.name}: {name} is in {'Typer' if name in options else 'the table'} only")
    kinds = {None: "boolean", "text": "str", "int": "int range", "path": "path"}
    for name in sorted(set(options) & set(table)):
        p, o = options[name], table[name]
        if set(p.opts) | set(p.secondary_opts) != set(o.names):
            found.append(f"{row.name} {name}: names {p.opts} vs {o.names}")
        if p.is_flag != (o.takes is None) or p.multiple != o.many or p.required != o.required:
            found.append(f"{row.name} {name}: flag, many or required differ")
        if p.type.name != kinds[o.takes]:
            found.append(f"{row.name} {name}: type {p.type.name} vs {o.takes}")
        elif o.takes == "int" and (p.type.min, p.type.max) != (o.low, o.high):
            found.append(f"{row.name} {name}: range {p.type} vs {o.low}..{o.high}")
        if not o.required and p.default != o.default and not (o.many and p.default is None):
            found.append(f"{row.name} {name}: default {p.default!r} vs {o.default!r}")
    if [a.name for a in arguments] != [a.dest for a in row.arguments]:
        found.append(f"{row.name}: arguments {[a.name for a in arguments]}")
    for argument, a in zip(arguments, row.arguments, strict=False):
        if (argument.nargs == -1) != a.many or argument.required != a.required:
            found.append(f"{row.name} {a.dest}: many or required differ")
    return found


def test_typer_parses_exactly_the_table() -> None:
    app = _click_commands(typer.main.get_command(build()))
    rows = {**syntax.BY_NAME, **{a: c for c in syntax.COMMANDS for a in c.aliases}}
    assert set(app) == set(rows)
    assert [m for name, c in app.items() for m in mismatches(c, rows[name])] == []


def test_an_option_typer_has_and_the_table_lacks_is_caught() -> None:
    """The check above, against an app edited by hand: an option added to
    Typer only, and one whose value became a flag."""
    app = _click_commands(typer.main.get_command(build()))
    add = app["add"]
    extra = copy.copy(next(p for p in add.params if p.name == "owner"))
    extra.name, extra.opts = "colour", ["--colour"]
    add.params.append(extra)
    assert mismatches(add, syntax.BY_NAME["add"]) == ["add: colour is in Typer only"]
    rm = app["rm"]
    rm.params = [p for p in rm.params if p.name != "series"]
    assert mismatches(rm, syntax.BY_NAME["rm"]) == ["rm: series is in the table only"]


def test_each_commands_function_takes_exactly_its_rows_keywords() -> None:
    """An option added to the table is taken by its function, and no
    keyword of a function is missing from the table."""
    for row in syntax.COMMANDS:
        params = inspect.signature(commands.function(row)).parameters
        (first, *rest) = params
        assert first == "inv", row.name
        keywords = {p for p in rest if params[p].kind is inspect.Parameter.KEYWORD_ONLY}
        assert keywords == set(rest), row.name
        expected = {a.dest for a in row.arguments} | {o.dest for o in row.options}
        assert keywords == expected, row.name


def test_every_name_is_used_once_in_a_command() -> None:
    for row in (*syntax.COMMANDS, syntax.Command("todo", "", "", options=syntax.GLOBAL)):
        names = [n for o in row.options for n in o.names] + list(syntax.HELP)
        assert len(names) == len(set(names)), row.name
        dests = [o.dest for o in row.options] + [a.dest for a in row.arguments]
        assert len(dests) == len(set(dests)), row.name


def _example_args(example: str) -> list[str]:
    """The todo command line in an example (`printf x | todo add -`)."""
    match = re.search(r"\btodo ([^|>&;)]*)", example)
    assert match, example
    return shlex.split(match.group(1))


@pytest.mark.parametrize("row", syntax.COMMANDS, ids=lambda r: r.name)
def test_each_example_is_a_command_line_of_its_command(row: syntax.Command) -> None:
    assert row.examples, f"{row.name} has no example for its help"
    for example, why in row.examples:
        assert why, example
        parsed = typer_parse(_example_args(example))
        assert isinstance(parsed, Parsed), (example, parsed)
        assert parsed.command == row.name, (example, parsed)


def test_todo_helps_examples_are_command_lines() -> None:
    for example, _ in syntax.TODO_EXAMPLES:
        parsed = typer_parse(_example_args(example))
        assert isinstance(parsed, Parsed), (example, parsed)


def test_the_help_shows_the_examples_of_the_table(tmp_path: Path) -> None:
    from tests.support.inprocess import InProcess

    todo = InProcess(home=tmp_path, env={"HOME": str(tmp_path)}, cwd=tmp_path)
    shown = todo.ok("rm", "--help")
    assert "  todo rm 2          asks first on a terminal\n" in shown
    assert "  todo rm 2-5 --yes  in a script\n" in shown


def test_no_help_shows_a_default_that_says_nothing(tmp_path: Path) -> None:
    """list --help said "[default: default]" of --sort: a default shown
    only where its value tells the reader something."""
    from tests.support.inprocess import InProcess

    todo = InProcess(home=tmp_path, env={"HOME": str(tmp_path)}, cwd=tmp_path)
    for command in syntax.COMMANDS:
        shown = todo.ok(*command.name.split(), "--help")
        assert "[default: default]" not in shown, command.name


def test_completion_describes_each_command_by_the_start_of_its_help() -> None:
    app = _click_commands(typer.main.get_command(build()))
    for row in syntax.COMMANDS:
        assert (app[row.name].help or "").startswith(row.summary), row.name


def test_a_process_converts_the_app_to_click_once() -> None:
    """Every command line the fast path leaves to Typer is parsed by one
    Click command a process (app.click_command), not a new one each time:
    the conversion costs about 7 ms a command line run in-process."""
    from todo_cli import app

    first = app.click_command()
    assert app.click_command() is first
    assert _click_commands(first).keys() == _click_commands(typer.main.get_command(build())).keys()
