"""add, list and show."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Annotated, Any

import typer

from todo_cli import render
from todo_cli.app import env_of
from todo_cli.commands.args import (
    MAX_NUMBER,
    DueOpt,
    EveryOpt,
    FromDoneOpt,
    JsonOpt,
    NoteOpt,
    PriorityOpt,
    UntilOpt,
    WaitOpt,
    parse_refs,
)
from todo_cli.commands.examples import epilog
from todo_cli.errors import InvalidInputError
from todo_cli.inputs import parse_when, repeat_fields
from todo_cli.offline.detect import OfflineError

if TYPE_CHECKING:
    from todo_cli.app import Env
    from todo_cli.store.listing import Sort


def add(
    ctx: typer.Context,
    title: Annotated[
        list[str],
        typer.Argument(
            metavar="TITLE...", help="The title; words are joined with spaces. - reads stdin."
        ),
    ],
    priority: PriorityOpt = None,
    due: DueOpt = None,
    tag: Annotated[
        list[str] | None, typer.Option("--tag", "-t", help="A tag; repeat for more.")
    ] = None,
    note: NoteOpt = None,
    every: EveryOpt = None,
    from_done: FromDoneOpt = False,
    until: UntilOpt = None,
    wait: WaitOpt = None,
    owner: Annotated[
        str | None,
        typer.Option(
            "--owner",
            help="Add to this user's list, into a tag they share with you to write.",
            show_default=False,
        ),
    ] = None,
    json_: JsonOpt = False,
) -> None:
    """Add a todo and print its number.

    --every makes it repeat: done, it is followed by the next one (due by the
    end of today if there is no --due).

    With - as the title, read one title per line from stdin (blank lines are
    skipped) and add them all in one transaction: all or nothing. The
    options apply to each of them.

    Use -- before a title that starts with a dash: todo add -- -5 degrees
    """
    from todo_cli import todo as fields
    from todo_cli.store import todos

    env = env_of(ctx)
    out = env.out.use_json(json_)
    shared: dict[str, Any] = {
        "priority": fields.parse_priority(priority) if priority is not None else None,
        "due": parse_when(due, env.now()) if due is not None else None,
        "tags": tuple(fields.clean_tag(t) for t in tag or ()),
        "note": fields.clean_note(note) if note is not None else None,
        **repeat_fields(env.now(), every=every, from_done=from_done, until=until, wait=wait),
    }
    if shared.get("until") and not shared.get("every"):
        raise InvalidInputError("--until ends a repeat: give --every too")
    if shared.get("wait_lead") and not (shared["due"] or shared.get("every")):
        raise InvalidInputError(f"--wait {wait!r} counts back from the due date: give --due too")
    many = title == ["-"]
    titles = _stdin_titles(env) if many else [fields.clean_title(" ".join(title))]
    new = [fields.NewTodo(t, **shared) for t in titles]
    # One id for every attempt: a retry after a lost reply finds the first
    # attempt's todos instead of adding them twice.
    request_id = uuid.uuid4().hex
    me = env.settings().user.value
    if owner and owner != me:
        from todo_cli.store import sharing

        # Not repeated after an unknown outcome: the owner's counter and the
        # journal would not know the first attempt's todos.
        added = env.run(
            lambda s: sharing.add_to(s, owner=owner, new=new, request_id=request_id),
            mode="once",
        )
    else:
        try:
            added = env.run(
                lambda s: todos.add_many(s, todos=new, request_id=request_id), mode="idempotent"
            )
        except OfflineError as exc:  # OFFLINE: queued, with a provisional name (q1)
            from todo_cli.offline import queue

            queue.report(env, out, queue.add(env, exc, new, request_id))
            return
    first = render.ref(added[0], me)
    out.saved = f"added {first}-{added[-1].number}" if len(added) > 1 else f"added {first}"
    render.added(out, added, many=many, me=me)


def _stdin_titles(env: Env) -> list[str]:
    from todo_cli.todo import clean_title

    if env.environment.stdin_isatty:
        env.out.note("Reading titles from stdin, one per line; end with Ctrl-D.")
    titles = []
    for n, line in enumerate(env.environment.stdin, start=1):
        if not line.strip():
            continue
        try:
            titles.append(clean_title(line.rstrip("\r\n")))
        except InvalidInputError as exc:
            raise InvalidInputError(f"stdin line {n}: {exc.message}") from None
    if not titles:
        raise InvalidInputError("no titles on stdin (one per line); nothing was added")
    return titles


def list_(
    ctx: typer.Context,
    all_: Annotated[bool, typer.Option("--all", "-a", help="Open and done todos.")] = False,
    done: Annotated[bool, typer.Option("--done", help="Only done todos.")] = False,
    tag: Annotated[
        list[str] | None, typer.Option("--tag", "-t", help="Only todos with this tag (repeatable).")
    ] = None,
    priority: PriorityOpt = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only overdue todos.")] = False,
    waiting: Annotated[
        bool, typer.Option("--waiting", help="Only the open todos waiting (see add --wait).")
    ] = False,
    shared: Annotated[
        bool, typer.Option("--shared", help="The todos others share with you (OWNER/NUMBER).")
    ] = False,
    due_before: Annotated[
        str | None,
        typer.Option("--due-before", help="Only todos due before WHEN.", show_default=False),
    ] = None,
    search: Annotated[
        str | None,
        typer.Option(
            "--search", "-s", help="Only titles containing TEXT (any case).", show_default=False
        ),
    ] = None,
    sort: Annotated[
        str,
        typer.Option(
            "--sort", help="number, due, priority or created (default: overdue, priority, due)."
        ),
    ] = "default",
    reverse: Annotated[bool, typer.Option("--reverse", "-r", help="Reverse the order.")] = False,
    limit: Annotated[
        int | None,
        typer.Option(
            "--limit",
            "-n",
            min=0,
            max=MAX_NUMBER,
            help="Show at most N (0: no limit). Default: a screenful; --json: everything.",
            show_default=False,
        ),
    ] = None,
    json_: JsonOpt = False,
) -> None:
    """List your todos (also: ls): overdue first, then by priority, then by due date.

    A table on a terminal, tab-separated lines in a pipe, a JSON array with --json.
    """
    from todo_cli import todo as fields
    from todo_cli.offline import reads  # OFFLINE: from the copy
    from todo_cli.store import listing

    env = env_of(ctx)
    out = env.out.use_json(json_)
    if sum((all_, done, waiting)) > 1:
        raise InvalidInputError("--all, --done and --waiting cannot be combined")
    if sort not in listing.SORTS:
        raise InvalidInputError(f"unknown sort {sort!r}: use {', '.join(listing.SORTS[1:])}")
    chosen: Sort = sort
    status: listing.Status = "all" if all_ else "done" if done else "open"
    flt = listing.Filter(
        status=status,
        tags=tuple(fields.clean_tag(t) for t in tag or ()),
        priority=fields.parse_priority(priority) if priority else None,
        overdue=overdue,
        due_before=parse_when(due_before, env.now()) if due_before else None,
        search=fields.clean_search(search) if search else None,
        # The default list hides the todos still waiting; --all shows them.
        wait="only" if waiting else "hide" if status == "open" else "show",
        shared=shared,
    )
    if out.mode == "json":
        # Streamed as rows arrive; a script gets everything unless it asked for --limit.
        seen: list[Any] = []  # OFFLINE: what streamed by, for the copy
        env.run(
            lambda s: out.json_array(
                reads.tee(
                    listing.iter_text(
                        s, filter=flt, sort=chosen, reverse=reverse, limit=limit or None
                    ),
                    seen,
                )
            ),
            mode="read",
            offline=lambda exc: reads.json_array(env, exc, flt, chosen, reverse, limit or None),
        )
        reads.json_listed(env, seen)
        return
    shown = (limit or None) if limit is not None else out.screenful()
    if shown is None:
        items = env.run(
            lambda s: list(listing.iter_todos(s, filter=flt, sort=chosen, reverse=reverse)),
            mode="read",
            offline=lambda exc: reads.todos(env, exc, flt, chosen, reverse, None)[0],
        )
        total = len(items)
    else:
        items, total = env.run(
            lambda s: listing.page(s, filter=flt, sort=chosen, reverse=reverse, limit=shown),
            mode="read",
            offline=lambda exc: reads.todos(env, exc, flt, chosen, reverse, shown),
        )
    reads.listed(env, flt, items, total)  # OFFLINE: the copy forgets what is gone
    if items:
        render.todos(
            out, items, show_status=status != "open", now=env.now(), me=env.settings().user.value
        )
    elif out.mode == "table":
        empty = {"open": "No open todos.", "done": "No done todos.", "all": "No todos."}
        out.note(
            "Nothing shared with you (see: todo shares)."
            if shared
            else "No todos waiting."
            if waiting
            else empty[status]
        )
    if total > len(items):
        from todo_cli.store.listing import COUNT_CAP

        more = f"over {COUNT_CAP:,}" if total - len(items) > COUNT_CAP else f"{total - len(items)}"
        out.note(f"… and {more} more (todo list --limit 0 shows all; --json too)")


def show(
    ctx: typer.Context,
    number: Annotated[
        str, typer.Argument(metavar="NUMBER", help="The todo's number (shared: alice/3).")
    ],
    json_: JsonOpt = False,
) -> None:
    """Show one todo in full, note included."""
    from todo_cli.store import todos

    env = env_of(ctx)
    out = env.out.use_json(json_)
    from todo_cli.offline import reads, refs  # OFFLINE: provisional names, the copy

    owner, wanted = parse_refs(refs(env, [number]), env.settings().user.value)
    if len(wanted) != 1:
        raise InvalidInputError("show takes one todo number")
    (found,) = env.run(
        lambda s: todos.find(s, numbers=wanted, owner=owner),
        mode="read",
        offline=lambda exc: reads.find(env, exc, owner, wanted),
    )
    render.todo(out, found, now=env.now(), me=env.settings().user.value)


def register(app: typer.Typer) -> None:
    app.command(epilog=epilog("add"))(add)
    app.command("list", epilog=epilog("list"))(list_)
    app.command("ls", hidden=True, epilog=epilog("list"))(list_)
    app.command(epilog=epilog("show"))(show)
