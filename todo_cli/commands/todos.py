"""add, list and show."""

from __future__ import annotations

import os

from todo_cli import render
from todo_cli.commands.args import parse_refs
from todo_cli.errors import InvalidInputError
from todo_cli.inputs import new_repeat, parse_when
from todo_cli.store.reach import OfflineError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from todo_cli.context import Invocation
    from todo_cli.store.listing import Sort


def add(
    inv: Invocation,
    *,
    title: list[str],
    priority: str | None,
    due: str | None,
    tag: list[str] | None,
    note: str | None,
    every: str | None,
    from_done: bool,
    until: str | None,
    wait: str | None,
    owner: str | None,
    json_: bool,
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

    out = inv.out.use_json(json_)
    # Read in the order the options are listed, so the first bad one is named.
    rank = fields.parse_priority(priority) if priority is not None else None
    when = parse_when(due, inv.now()) if due is not None else None
    shared: dict[str, Any] = {
        "priority": rank,
        "due": when,
        "tags": tuple(fields.clean_tag(t) for t in tag or ()),
        "note": fields.clean_note(note) if note is not None else None,
        **new_repeat(inv.now(), due=when, every=every, from_done=from_done, until=until, wait=wait),
    }
    many = title == ["-"]
    titles = _stdin_titles(inv) if many else [fields.clean_title(" ".join(title))]
    new = [fields.NewTodo(t, **shared) for t in titles]
    # One id for every attempt: a retry after a lost reply finds the first
    # attempt's todos instead of adding them twice.
    request_id = os.urandom(16).hex()  # as uuid4().hex, without importing uuid
    me = inv.settings().user.value
    if owner and owner != me:
        from todo_cli.store import sharing

        # Not repeated after an unknown outcome: the owner's counter and the
        # journal would not know the first attempt's todos.
        added = inv.run(
            lambda s: sharing.add_to(s, owner=owner, new=new, request_id=request_id),
            mode="once",
        )
    else:
        try:
            added = inv.run(
                lambda s: todos.add_many(s, todos=new, request_id=request_id), mode="idempotent"
            )
        except OfflineError as exc:  # OFFLINE: queued, with a provisional name (q1)
            from todo_cli.offline import queue

            queue.report(inv, out, queue.add(inv, exc, new, request_id))
            return
    first = render.ref(added[0], me)
    out.saved = f"added {first}-{added[-1].number}" if len(added) > 1 else f"added {first}"
    render.added(out, added, many=many, me=me)


def _stdin_titles(inv: Invocation) -> list[str]:
    from todo_cli.todo import clean_title

    if inv.environment.stdin_isatty:
        inv.out.note("Reading titles from stdin, one per line; end with Ctrl-D.")
    titles = []
    for n, line in enumerate(inv.environment.stdin, start=1):
        if n == 1 and line.startswith("\ufeff"):  # a byte-order mark, as import drops it
            line = line[1:]
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
    inv: Invocation,
    *,
    all_: bool,
    done: bool,
    tag: list[str] | None,
    priority: str | None,
    overdue: bool,
    waiting: bool,
    shared: bool,
    due_before: str | None,
    search: str | None,
    sort: str,
    reverse: bool,
    limit: int | None,
    json_: bool,
) -> None:
    """List your todos (also: ls): overdue first, then by priority, then by due date.

    A table on a terminal, tab-separated lines in a pipe, a JSON array with --json.
    """
    from todo_cli import todo as fields
    from todo_cli.offline import reads  # OFFLINE: from the copy
    from todo_cli.store import listing

    out = inv.out.use_json(json_)
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
        due_before=parse_when(due_before, inv.now()) if due_before else None,
        search=fields.clean_search(search) if search else None,
        # The default list hides the todos still waiting; --all shows them.
        wait="only" if waiting else "hide" if status == "open" else "show",
        shared=shared,
    )
    if out.form == "json":
        # Streamed as rows arrive; a script gets everything unless it asked for --limit.
        seen: list[Any] = []  # OFFLINE: what streamed by, for the copy
        inv.run(
            lambda s: out.json_array(
                reads.tee(
                    listing.iter_text(
                        s, filter=flt, sort=chosen, reverse=reverse, limit=limit or None
                    ),
                    seen,
                )
            ),
            mode="read",
            offline=lambda exc: reads.json_array(inv, exc, flt, chosen, reverse, limit or None),
        )
        reads.json_listed(inv, seen)
        return
    shown = (limit or None) if limit is not None else out.screenful()
    marks = inv.offline_hook() is not None  # OFFLINE: the journal marks ride along
    if shown is None:
        items = inv.run(
            lambda s: list(
                listing.iter_todos(s, filter=flt, sort=chosen, reverse=reverse, journal=marks)
            ),
            mode="read",
            offline=lambda exc: reads.todos(inv, exc, flt, chosen, reverse, None)[0],
        )
        total = len(items)
    else:
        items, total = inv.run(
            lambda s: listing.page(
                s, filter=flt, sort=chosen, reverse=reverse, limit=shown, journal=marks
            ),
            mode="read",
            offline=lambda exc: reads.todos(inv, exc, flt, chosen, reverse, shown),
        )
    reads.listed(inv, flt, items, total)  # OFFLINE: the copy forgets what is gone
    if items:
        render.todos(
            out, items, show_status=status != "open", now=inv.now(), me=inv.settings().user.value
        )
    elif out.form == "table":
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


def show(inv: Invocation, *, number: str, json_: bool) -> None:
    """Show one todo in full, note included."""
    from todo_cli.store import todos

    out = inv.out.use_json(json_)
    from todo_cli.offline import reads, refs  # OFFLINE: provisional names, the copy

    owner, wanted = parse_refs(refs(inv, [number]), inv.settings().user.value)
    if len(wanted) != 1:
        raise InvalidInputError("show takes one todo number")
    (found,) = inv.run(
        lambda s: todos.find(s, numbers=wanted, owner=owner),
        mode="read",
        offline=lambda exc: reads.find(inv, exc, owner, wanted),
    )
    render.todo(out, found, now=inv.now(), me=inv.settings().user.value)
