"""The commands, one module per group. Each is a function of the
Invocation and the keywords its row of the table names (syntax.py); the
table says which function runs each command, and app.py or fastpath.py
parse the command line into its call. Nothing here knows of Typer."""

from __future__ import annotations

import importlib
from collections.abc import Callable

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from todo_cli.context import Invocation
    from todo_cli.syntax import Command


def function(command: Command) -> Callable[..., Any]:
    """The function that runs `command` (its module is imported now)."""
    module, _, name = command.run.partition(":")
    found: Callable[..., Any] = getattr(
        importlib.import_module(f"todo_cli.commands.{module}"), name
    )
    return found


def call(command: Command, inv: Invocation, given: dict[str, Any]) -> Any:
    """Run `command` with what the command line gave for each of its keywords."""
    return function(command)(inv, **given)
