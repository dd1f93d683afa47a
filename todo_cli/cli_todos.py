"""The todo commands: add, list, show, edit, done, reopen, rm."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer

from todo_cli import render, shapes
from todo_cli.cliapp import JsonOpt, app, env_of
from todo_cli.errors import ExitCode, InvalidInputError

if TYPE_CHECKING:
    from todo_cli.store.listing import Sort
    from todo_cli.todo import NewTodo, Todo

_MAX_NUMBER = 2**31 - 1
_MAX_RANGE = 10_000

NumbersArg = Annotated[
    list[str], typer.Argument(metavar="NUMBERS...", help="Todo numbers: 3, 3 4, 1-3,7.")
]
PriorityOpt = Annotated[
    str | None,
    typer.Option("--priority", "-p", help="high, medium or low (h, m, l).", show_default=False),
]
DueOpt = Annotated[
    str | None,
    typer.Option(
        "--due", "-d", help="When: today, fri, in 3 days, 2026-12-24, tomorrow 9am...",
        show_default=False,
    ),
]  # fmt: skip
NoteOpt = Annotated[str | None, typer.Option("--note", "-n", help="Free text.", show_default=False)]


# --- add -------------------------------------------------------------------------


@app.command()
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
    json_: JsonOpt = False,
) -> None:
    """Add a todo and print its number.

    With - as the title, read one title per line from stdin (blank lines are
    skipped) and add them all in one transaction: all or nothing. The
    options apply to each of them.

    Use -- before a title that starts with a dash: todo add -- -5 degrees
    """
    import uuid

    from todo_cli import todo as fields
    from todo_cli.store import todos

    shared: dict[str, Any] = {
        "priority": fields.parse_priority(priority) if priority is not None else None,
        "due": _due(due) if due is not None else None,
        "tags": tuple(fields.clean_tag(t) for t in tag or ()),
        "note": fields.clean_note(note) if note is not None else None,
    }
    titles = _stdin_titles() if title == ["-"] else [fields.clean_title(" ".join(title))]
    new: list[NewTodo] = [fields.NewTodo(t, **shared) for t in titles]
    # One id for every attempt: a retry after a lost COMMIT finds the first
    # attempt's todos instead of adding them twice.
    request_id = uuid.uuid4().hex
    added = env_of(ctx).run(
        lambda s: todos.add_many(s, todos=new, request_id=request_id), mode="idempotent"
    )
    if json_:
        render.emit_json(
            [shapes.todo_dict(t) for t in added] if title == ["-"] else shapes.todo_dict(added[0])
        )
    elif not render.stdout_is_tty():
        render.out("\n".join(str(t.number) for t in added))
    elif len(added) == 1:
        render.out(f"Added {added[0].number}: {added[0].title}")
    else:
        render.out(f"Added {len(added)} todos: {added[0].number}-{added[-1].number}")


def _stdin_titles() -> list[str]:
    from todo_cli.todo import clean_title

    titles = []
    for n, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            titles.append(clean_title(line.rstrip("\r\n")))
        except InvalidInputError as exc:
            raise InvalidInputError(f"stdin line {n}: {exc.message}") from None
    if not titles:
        raise InvalidInputError("no titles on stdin (one per line); nothing was added")
    return titles


def _due(text: str) -> datetime:
    from todo_cli.dates import parse_due

    return parse_due(text)


# --- list and show -------------------------------------------------------------------


@app.command("list")
def list_(
    ctx: typer.Context,
    all_: Annotated[bool, typer.Option("--all", "-a", help="Open and done todos.")] = False,
    done: Annotated[bool, typer.Option("--done", help="Only done todos.")] = False,
    tag: Annotated[
        list[str] | None, typer.Option("--tag", "-t", help="Only todos with this tag (repeatable).")
    ] = None,
    priority: PriorityOpt = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only overdue todos.")] = False,
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
            help="Show at most N (0: no limit). Default: a screenful; --json: everything.",
            show_default=False,
        ),
    ] = None,
    json_: JsonOpt = False,
) -> None:
    """List your todos: overdue first, then by priority, then by due date.

    A table on a terminal, tab-separated lines in a pipe, a JSON array with --json.
    """
    from todo_cli import todo as fields
    from todo_cli.store import listing

    if all_ and done:
        raise InvalidInputError("--all and --done cannot be combined")
    if sort not in listing.SORTS:
        raise InvalidInputError(f"unknown sort {sort!r}: use {', '.join(listing.SORTS[1:])}")
    chosen: Sort = sort
    status: listing.Status = "all" if all_ else "done" if done else "open"
    flt = listing.Filter(
        status=status,
        tags=tuple(fields.clean_tag(t) for t in tag or ()),
        priority=fields.parse_priority(priority) if priority else None,
        overdue=overdue,
        due_before=_due(due_before) if due_before else None,
        search=search or None,
    )
    env = env_of(ctx)
    if json_:
        # Streamed as rows arrive; a script gets everything unless it asked for --limit.
        env.stream(
            lambda s, out: shapes.json_array(
                listing.iter_text(s, filter=flt, sort=chosen, reverse=reverse, limit=limit or None),
                out,
            )
        )
        return
    shown = (limit or None) if limit is not None else render.screenful()
    if shown is None:
        items = env.run(
            lambda s: list(listing.iter_todos(s, filter=flt, sort=chosen, reverse=reverse)),
            mode="read",
        )
        total = len(items)
    else:
        items, total = env.run(
            lambda s: listing.page(s, filter=flt, sort=chosen, reverse=reverse, limit=shown),
            mode="read",
        )
    if items:
        render.todo_list(items, show_status=status != "open")
    elif render.stdout_is_tty():
        empty = {"open": "No open todos.", "done": "No done todos.", "all": "No todos."}
        sys.stderr.write(empty[status] + "\n")
    if total > len(items):
        sys.stderr.write(
            f"… and {total - len(items)} more (todo list --limit 0 shows all; --json too)\n"
        )


@app.command()
def show(
    ctx: typer.Context,
    number: Annotated[str, typer.Argument(metavar="NUMBER", help="The todo's number.")],
    json_: JsonOpt = False,
) -> None:
    """Show one todo in full, note included."""
    from todo_cli.store import todos

    wanted = parse_numbers([number])
    if len(wanted) != 1:
        raise InvalidInputError("show takes one todo number")
    (todo,) = env_of(ctx).run(lambda s: todos.find(s, numbers=wanted), mode="read")
    if json_:
        render.emit_json(shapes.todo_dict(todo))
    else:
        render.todo_detail(todo)


# --- changing ------------------------------------------------------------------------


@app.command()
def edit(
    ctx: typer.Context,
    numbers: NumbersArg,
    title: Annotated[
        str | None,
        typer.Option("--title", help="New title (one todo at a time).", show_default=False),
    ] = None,
    priority: Annotated[
        str | None,
        typer.Option("--priority", "-p", help="high, medium, low, or none.", show_default=False),
    ] = None,
    due: DueOpt = None,
    no_due: Annotated[bool, typer.Option("--no-due", help="Remove the due date.")] = False,
    tag: Annotated[
        list[str] | None,
        typer.Option("--tag", "-t", help="+x adds tag x, -x removes it (repeatable)."),
    ] = None,
    note: Annotated[
        str | None,
        typer.Option("--note", "-n", help='New note ("" clears it).', show_default=False),
    ] = None,
    json_: JsonOpt = False,
) -> None:
    """Change todos: all or nothing. Tags: --tag +x adds, --tag -x removes."""
    from todo_cli import todo as fields
    from todo_cli.store import todos

    if due is not None and no_due:
        raise InvalidInputError("--due and --no-due cannot be combined")
    add_tags: list[str] = []
    remove_tags: list[str] = []
    for t in tag or ():
        (remove_tags if t.startswith("-") else add_tags).append(fields.clean_tag(t.lstrip("+-")))
    changes: dict[str, Any] = {"add_tags": add_tags, "remove_tags": remove_tags}
    if title is not None:
        changes["title"] = title
    if priority is not None:
        changes["priority"] = fields.parse_priority(priority)
    if due is not None or no_due:
        changes["due"] = _due(due) if due is not None else None
    if note is not None:
        changes["note"] = fields.clean_note(note)
    if len(changes) == 2 and not add_tags and not remove_tags:
        raise InvalidInputError(
            "nothing to change: give --title, --priority, --due/--no-due, --tag or --note"
        )
    wanted = parse_numbers(numbers)
    # Editing to the same values again is harmless, so a lost COMMIT may be retried.
    edited = env_of(ctx).run(lambda s: todos.edit(s, numbers=wanted, **changes), mode="idempotent")
    _report(edited, json_, lambda t: f"Edited {t.number}: {t.title}")


@app.command()
def done(ctx: typer.Context, numbers: NumbersArg, json_: JsonOpt = False) -> None:
    """Mark todos done. All or nothing: if any number is missing, nothing changes."""
    from todo_cli.store import todos

    wanted = parse_numbers(numbers)
    # Completing is idempotent, so a retry after a lost COMMIT is harmless.
    results = env_of(ctx).run(lambda s: todos.complete(s, numbers=wanted), mode="idempotent")
    _report_pairs(results, json_, "Completed", "Already done")


@app.command()
def reopen(ctx: typer.Context, numbers: NumbersArg, json_: JsonOpt = False) -> None:
    """Mark done todos open again (undo done). All or nothing."""
    from todo_cli.store import todos

    wanted = parse_numbers(numbers)
    results = env_of(ctx).run(lambda s: todos.reopen(s, numbers=wanted), mode="idempotent")
    _report_pairs(results, json_, "Reopened", "Already open")


@app.command()
def rm(
    ctx: typer.Context,
    numbers: NumbersArg,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    json_: JsonOpt = False,
) -> None:
    """Remove todos. Asks first on a terminal; in a script, pass --yes."""
    from todo_cli.store import todos

    wanted = parse_numbers(numbers)
    env = env_of(ctx)
    if not yes:
        if not (sys.stdin.isatty() and sys.stderr.isatty()):
            raise InvalidInputError(
                "refusing to remove without confirmation (no terminal); pass --yes"
            )
        found = env.run(lambda s: todos.find(s, numbers=wanted), mode="read")
        for todo in found:
            sys.stderr.write(f"  {todo.number}: {todo.title}\n")
        noun = "this todo" if len(found) == 1 else f"these {len(found)} todos"
        if not typer.confirm(f"Remove {noun}?", default=False, err=True):
            sys.stderr.write("Nothing removed.\n")
            raise typer.Exit(ExitCode.NOT_FOUND)
    removed = env.run(lambda s: todos.remove(s, numbers=wanted), mode="once")
    _report(removed, json_, lambda t: f"Removed {t.number}: {t.title}")


def _report(items: Sequence[Todo], json_: bool, line: Callable[[Todo], str]) -> None:
    if json_:
        render.emit_json([shapes.todo_dict(t) for t in items])
        return
    for item in items:
        render.out(line(item))


def _report_pairs(
    results: Sequence[tuple[Todo, bool]], json_: bool, changed: str, unchanged: str
) -> None:
    if json_:
        render.emit_json([shapes.todo_dict(t) for t, _ in results])
        return
    for todo, newly in results:
        render.out(f"{changed if newly else unchanged} {todo.number}: {todo.title}")


# --- numbers -------------------------------------------------------------------------


def parse_numbers(args: Sequence[str]) -> list[int]:
    """'3', '3 4', '1-3,7' -> [1, 2, 3, 7]; anything else is exit 2."""
    result: list[int] = []
    for arg in args:
        for part in arg.split(","):
            lo, sep, hi = part.strip().partition("-")
            if sep and lo:
                first, last = _number(lo, part), _number(hi, part)
                if last < first or last - first >= _MAX_RANGE:
                    raise InvalidInputError(f"bad range {part!r}: use LOW-HIGH, e.g. 1-3")
                result.extend(range(first, last + 1))
            else:
                result.append(_number(part.strip(), part))
    return result


def _number(text: str, whole: str) -> int:
    if (
        not (text.isascii() and text.isdigit())
        or len(text) > 10
        or not 1 <= int(text) <= _MAX_NUMBER
    ):
        raise InvalidInputError(
            f"{whole!r} is not a todo number: use positive whole numbers like 3, 3 4 or 1-3,7"
        )
    return int(text)
