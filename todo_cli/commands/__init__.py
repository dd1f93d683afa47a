"""The commands, one module per group. register() adds them to the app in
the order `todo --help` lists them: nothing registers itself on import."""

from __future__ import annotations

import typer

from todo_cli.commands import (
    admin,
    changes,
    history,
    setup,
    sharing,
    stats,
    sync,
    todos,
    transfer,
)


def register(app: typer.Typer) -> None:
    for group in (todos, changes, history, sync, stats, sharing, transfer, setup, admin):
        group.register(app)
