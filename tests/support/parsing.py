"""A command line as the Typer app parses it, without running anything:
the command and the keywords its function would get, or the usage error
(tests of the table and of the fast path)."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import typer.main

from todo_cli import syntax
from todo_cli.app import build
from todo_cli.context import Invocation
from todo_cli.environment import Environment


@dataclass(frozen=True)
class Parsed:
    command: str
    options: dict[str, Any]  # the global options given
    given: dict[str, Any]


@dataclass(frozen=True)
class Refused:
    """Typer said no (a usage error), or showed help or the version."""

    exit_code: int
    message: str


_GLOBAL = tuple(o.dest for o in syntax.GLOBAL if o.dest != "version")
_calls: list[tuple[syntax.Command, Invocation, dict[str, Any]]] = []


@cache
def _app() -> Any:
    return typer.main.get_command(build(dispatch=lambda *call: _calls.append(call)))


def typer_parse(args: Sequence[str]) -> Parsed | Refused:
    environment = Environment(io.StringIO(), io.StringIO(), io.StringIO())
    inv = Invocation(environment)
    _calls.clear()
    shown = io.StringIO()
    try:
        with contextlib.redirect_stdout(shown), contextlib.redirect_stderr(shown):
            code = _app().main(args=list(args), prog_name="todo", standalone_mode=False, obj=inv)
    except typer.TyperException as exc:
        return Refused(exc.exit_code, exc.format_message())
    if not _calls:
        return Refused(code if isinstance(code, int) else 0, shown.getvalue())
    ((command, called, given),) = _calls
    options = {d: getattr(called, d) for d in _GLOBAL if getattr(called, d) not in (None, False)}
    return Parsed(command.name, options, given)
