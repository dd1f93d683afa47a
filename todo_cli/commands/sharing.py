"""share, unshare and shares: my todos with a tag, shared with another user."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from todo_cli.app import env_of
from todo_cli.commands.args import JsonOpt
from todo_cli.commands.examples import epilog
from todo_cli.safetext import clean as shown

WithOpt = Annotated[
    str, typer.Option("--with", "-w", help="The user to share with.", show_default=False)
]
TagArg = Annotated[str, typer.Argument(metavar="TAG", help="The tag, with or without +.")]


def share(
    ctx: typer.Context,
    tag: TagArg,
    with_: WithOpt,
    write: Annotated[
        bool,
        typer.Option("--write", help="Let them edit, complete and reopen them, and add to them."),
    ] = False,
) -> None:
    """Share every todo of yours that carries TAG, now and later, with a user.

    Read-only unless --write. They name your todos OWNER/NUMBER (you/3); only
    you can remove them.
    """
    from todo_cli.store import sharing
    from todo_cli.todo import clean_tag

    env = env_of(ctx)
    clean, who = clean_tag(tag), _user(with_)
    (made, changed) = env.run(
        lambda s: sharing.share(s, tag=clean, grantee=who, write=write), mode="idempotent"
    )
    env.out.saved = f"shared +{clean} with {who}"
    how = "they may change them and add to them" if write else "read-only"
    verb = "Shared" if changed else "Already shared"
    env.out.line(f"{verb} +{shown(made.tag)} with {shown(made.grantee)} ({how})")


def unshare(ctx: typer.Context, tag: TagArg, with_: WithOpt) -> None:
    """Stop sharing TAG with a user: at once, on every connection."""
    from todo_cli.store import sharing
    from todo_cli.todo import clean_tag

    env = env_of(ctx)
    clean, who = clean_tag(tag), _user(with_)
    gone = env.run(lambda s: sharing.unshare(s, tag=clean, grantee=who), mode="once")
    env.out.saved = f"stopped sharing +{clean} with {who}"
    env.out.line(f"Stopped sharing +{shown(gone.tag)} with {shown(gone.grantee)}")


def shares(ctx: typer.Context, json_: JsonOpt = False) -> None:
    """What you share, and what others share with you."""
    from todo_cli.store import sharing

    env = env_of(ctx)
    out = env.out.use_json(json_)
    me = env.settings().user.value
    found = env.run(sharing.shares, mode="read")
    mine = [s for s in found if s.owner == me]
    theirs = [s for s in found if s.owner != me]
    if out.mode == "json":
        data: dict[str, Any] = {
            "mine": [{"tag": s.tag, "with": s.grantee, "write": s.write} for s in mine],
            "with_me": [{"owner": s.owner, "tag": s.tag, "write": s.write} for s in theirs],
        }
        out.json(data)
        return
    if not found and out.mode == "table":
        out.note("Nothing shared (see: todo share --help).")
    out.lines(
        [
            # Names and tags from the database: a tab or a newline written
            # with raw SQL must not fake a column or a line.
            *(
                f"+{shown(s.tag)}\tto {shown(s.grantee)}\t{'write' if s.write else 'read'}"
                for s in mine
            ),
            *(
                f"+{shown(s.tag)}\tfrom {shown(s.owner)}\t{'write' if s.write else 'read'}"
                for s in theirs
            ),
        ]
    )


def _user(name: str) -> str:
    from todo_cli.errors import InvalidInputError

    who = name.strip()
    if not who or "/" in who or len(who) > 64:
        raise InvalidInputError(f"{name!r} is not a user name")
    return who


def register(app: typer.Typer) -> None:
    app.command(epilog=epilog("share"))(share)
    app.command(epilog=epilog("unshare"))(unshare)
    app.command(epilog=epilog("shares"))(shares)
