"""sync: replay the offline outbox now, and show what waits (issue 22)."""

from __future__ import annotations

from typing import Annotated

import typer

from todo_cli.app import env_of
from todo_cli.commands.args import JsonOpt
from todo_cli.commands.examples import epilog


def sync(
    ctx: typer.Context,
    apply: Annotated[
        list[int] | None,
        typer.Option(
            "--apply",
            metavar="N",
            help="Apply held change N anyway, over what changed meanwhile (repeatable).",
        ),
    ] = None,
    drop: Annotated[
        list[int] | None,
        typer.Option("--drop", metavar="N", help="Drop queued change N unapplied (repeatable)."),
    ] = None,
    accept_restore: Annotated[
        bool,
        typer.Option(
            "--accept-restore",
            help="The server was restored on purpose: replay into it, each change checked.",
        ),
    ] = False,
    json_: JsonOpt = False,
) -> None:
    """Replay the changes made offline now, and show what still waits.

    A change whose todo moved on meanwhile (edited elsewhere, removed, no
    longer shared) is held: --apply N makes it anyway, --drop N drops it."""
    from todo_cli.offline import sync as offline_sync

    env = env_of(ctx)
    out = env.out.use_json(json_)
    offline_sync.run(env, out, apply=apply or [], drop=drop or [], accept_restore=accept_restore)


def register(app: typer.Typer) -> None:
    app.command(epilog=epilog("sync"))(sync)
