"""History commands: log and undo."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from todo_cli import cli_todos, render  # noqa: F401  (cli_todos: its commands list first)
from todo_cli.cliapp import JsonOpt, app, env_of
from todo_cli.shapes import event_dict, iso

if TYPE_CHECKING:
    from todo_cli.store.history import Event

_UNDID = {
    "add": "removed",
    "import": "removed",
    "rm": "restored",
    "done": "open again",
    "reopen": "done again",
    "edit": "as before",
}


@app.command()
def log(
    ctx: typer.Context,
    limit: Annotated[
        int,
        typer.Option("--limit", "-n", min=0, help="Show the last N changes (0: all)."),
    ] = 20,
    json_: JsonOpt = False,
) -> None:
    """Your recent changes, newest first: what `todo undo` would take back."""
    from todo_cli.store import history

    events = env_of(ctx).run(lambda s: history.log(s, limit=limit or 2**31 - 1), mode="read")
    if json_:
        render.emit_json([event_dict(e) for e in events])
        return
    if not events:
        if render.stdout_is_tty():
            sys.stderr.write("No changes yet.\n")
        return
    if not render.stdout_is_tty():
        for e in events:
            undone = "\tundone" if e.undone_at else ""
            render.out(f"{e.id}\t{iso(e.at)}\t{e.action}\t{e.summary}{undone}")
        return
    render.history_table(
        [
            (str(e.id), _local(e), e.action, e.summary, "undone" if e.undone_at else "")
            for e in events
        ]
    )


def _local(event: Event) -> str:
    return event.at.astimezone().strftime("%Y-%m-%d %H:%M")


@app.command()
def undo(
    ctx: typer.Context,
    count: Annotated[
        int, typer.Argument(metavar="[N]", min=1, help="How many changes to undo (default 1).")
    ] = 1,
    json_: JsonOpt = False,
) -> None:
    """Undo your last change (or last N): add, edit, done, reopen, rm or import.

    Works from any machine: the history is in the database. Refuses, and
    changes nothing, if a todo changed after the change being undone.
    """
    from todo_cli.store import history

    # Not retried after an unknown COMMIT outcome: a second try would undo
    # one change more.
    events = env_of(ctx).run(lambda s: history.undo(s, count=count), mode="once")
    if json_:
        render.emit_json([event_dict(e) for e in events])
    else:
        for e in events:
            render.out(f"Undid {e.action} {e.summary} ({_UNDID[e.action]})")
    if len(events) < count:
        left = "1 change was" if len(events) == 1 else f"{len(events)} changes were"
        sys.stderr.write(f"Only {left} left to undo.\n")
