"""log and undo: the journal read back."""

from __future__ import annotations

from typing import Annotated

import typer

from todo_cli import render
from todo_cli.app import env_of
from todo_cli.commands.args import MAX_NUMBER, JsonOpt
from todo_cli.commands.examples import epilog
from todo_cli.offline.detect import OfflineError


def log(
    ctx: typer.Context,
    limit: Annotated[
        int,
        typer.Option(
            "--limit", "-n", min=0, max=MAX_NUMBER, help="Show the last N changes (0: all)."
        ),
    ] = 20,
    json_: JsonOpt = False,
) -> None:
    """Your recent changes, newest first: what `todo undo` would take back."""
    from todo_cli.store import history

    env = env_of(ctx)
    out = env.out.use_json(json_)
    from todo_cli.offline import recall  # OFFLINE: as last read online

    events = env.run(
        lambda s: history.log(s, limit=limit or 2**31 - 1),
        mode="read",
        offline=lambda exc: recall.log(env, exc, limit or 2**31 - 1),
    )
    if not events and out.mode == "table":
        out.note("No changes yet.")
        return
    render.events(out, events)


def undo(
    ctx: typer.Context,
    count: Annotated[
        int,
        typer.Argument(
            metavar="[N]", min=1, max=MAX_NUMBER, help="How many changes to undo (default 1)."
        ),
    ] = 1,
    json_: JsonOpt = False,
) -> None:
    """Undo your last change (or last N): add, edit, done, reopen, rm or import.

    Works from any machine: the history is in the database. All or nothing:
    refuses, and changes nothing, if fewer than N changes are left, or if a
    todo changed after a change being undone.
    """
    from todo_cli.store import history

    env = env_of(ctx)
    out = env.out.use_json(json_)
    # Not retried after an unknown outcome: a second try would undo one change more.
    try:
        events = env.run(lambda s: history.undo(s, count=count), mode="once")
    except OfflineError as exc:  # OFFLINE: takes back a queued change, or queues an undo
        from todo_cli.offline import queue

        if count != 1:
            raise
        verb, entry = queue.undo(env, exc)
        queue.report(env, out, entry, verb=verb)
        return
    out.saved = f"undid {len(events)} change" + ("s" if len(events) != 1 else "")
    render.undone(out, events)


def register(app: typer.Typer) -> None:
    app.command(epilog=epilog("log"))(log)
    app.command(epilog=epilog("undo"))(undo)
