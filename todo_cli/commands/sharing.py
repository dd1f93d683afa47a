"""share, unshare and shares: my todos with a tag, shared with another user."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from todo_cli.safetext import clean as shown

if TYPE_CHECKING:
    from todo_cli.context import Invocation


def share(inv: Invocation, *, tag: str, with_: str, write: bool) -> None:
    """Share every todo of yours that carries TAG, now and later, with a user.

    Read-only unless --write. They name your todos OWNER/NUMBER (you/3); only
    you can remove them.
    """
    from todo_cli.store import sharing
    from todo_cli.todo import clean_tag

    clean, who = clean_tag(tag), _user(with_)
    (made, changed) = inv.run(
        lambda s: sharing.share(s, tag=clean, grantee=who, write=write), mode="idempotent"
    )
    inv.out.saved = f"shared +{clean} with {who}"
    how = "they may change them and add to them" if write else "read-only"
    verb = "Shared" if changed else "Already shared"
    inv.out.line(f"{verb} +{shown(made.tag)} with {shown(made.grantee)} ({how})")


def unshare(inv: Invocation, *, tag: str, with_: str) -> None:
    """Stop sharing TAG with a user: at once, on every connection."""
    from todo_cli.store import sharing
    from todo_cli.todo import clean_tag

    clean, who = clean_tag(tag), _user(with_)
    gone = inv.run(lambda s: sharing.unshare(s, tag=clean, grantee=who), mode="once")
    inv.out.saved = f"stopped sharing +{clean} with {who}"
    inv.out.line(f"Stopped sharing +{shown(gone.tag)} with {shown(gone.grantee)}")


def shares(inv: Invocation, *, json_: bool) -> None:
    """What you share, and what others share with you."""
    from todo_cli.store import sharing

    out = inv.out.use_json(json_)
    me = inv.settings().user.value
    found = inv.run(sharing.shares, mode="read")
    mine = [s for s in found if s.owner == me]
    theirs = [s for s in found if s.owner != me]
    if out.form == "json":
        data: dict[str, Any] = {
            "mine": [{"tag": s.tag, "with": s.grantee, "write": s.write} for s in mine],
            "with_me": [{"owner": s.owner, "tag": s.tag, "write": s.write} for s in theirs],
        }
        out.json(data)
        return
    if not found and out.form == "table":
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
