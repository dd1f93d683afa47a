"""edit, done, reopen and rm: all or nothing, journaled, undoable."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from todo_cli import render
from todo_cli.app import env_of
from todo_cli.commands.args import (
    DueOpt,
    EveryOpt,
    FromDoneOpt,
    JsonOpt,
    NumbersArg,
    UntilOpt,
    WaitOpt,
    parse_refs,
)
from todo_cli.commands.examples import epilog
from todo_cli.errors import ExitCode, InvalidInputError
from todo_cli.inputs import parse_when, repeat_fields
from todo_cli.offline import OfflineError, refs

if TYPE_CHECKING:
    from todo_cli.app import Env
    from todo_cli.todo import Todo


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
    no_due: Annotated[
        bool, typer.Option("--no-due", help="Remove the due date (a repeat stops too).")
    ] = False,
    tag: Annotated[
        list[str] | None,
        typer.Option("--tag", "-t", help="+x adds tag x, -x removes it (repeatable)."),
    ] = None,
    note: Annotated[
        str | None,
        typer.Option("--note", "-n", help='New note ("" clears it).', show_default=False),
    ] = None,
    every: EveryOpt = None,
    from_done: FromDoneOpt = False,
    no_repeat: Annotated[bool, typer.Option("--no-repeat", help="Stop repeating.")] = False,
    until: UntilOpt = None,
    wait: WaitOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Change todos: all or nothing. Tags: --tag +x adds, --tag -x removes.

    --until and --wait take none to clear them. With no options, the todos
    open in $VISUAL or $EDITOR as a form, saved as one change."""
    from todo_cli import todo as fields
    from todo_cli.store import changes

    env = env_of(ctx)
    env.out.use_json(json_)
    if due is not None and no_due:
        raise InvalidInputError("--due and --no-due cannot be combined")
    add_tags: list[str] = []
    remove_tags: list[str] = []
    for t in tag or ():
        (remove_tags if t.startswith("-") else add_tags).append(fields.clean_tag(t.lstrip("+-")))
    update: dict[str, Any] = {"add_tags": add_tags, "remove_tags": remove_tags}
    if title is not None:
        update["title"] = title
    if priority is not None:
        update["priority"] = fields.parse_priority(priority)
    if due is not None or no_due:
        update["due"] = parse_when(due, env.now()) if due is not None else None
    if note is not None:
        update["note"] = fields.clean_note(note)
    if every is not None and no_repeat:
        raise InvalidInputError("--every and --no-repeat cannot be combined")
    if every is not None and no_due:
        raise InvalidInputError("a repeating todo needs a due date: --every and --no-due clash")
    update.update(
        repeat_fields(env.now(), every=every, from_done=from_done, until=until, wait=wait)
    )
    if no_repeat:
        update["every"] = None
    if update.get("until") is not None and (no_repeat or no_due):
        raise InvalidInputError(
            f"--until and {'--no-repeat' if no_repeat else '--no-due'} cannot be combined"
        )
    if len(update) == 2 and not add_tags and not remove_tags:
        from todo_cli.commands.editor import edit_in_editor, editor_command

        editor = None if json_ else editor_command(env)
        if editor is None:
            raise InvalidInputError(
                "nothing to change: give --title, --priority, --due/--no-due, --tag, --note, "
                "--every/--no-repeat, --until or --wait (or set EDITOR to edit a form)"
            )
        owner, wanted = _refs(env, numbers)
        edit_in_editor(env, owner, wanted, editor)
        return
    try:
        owner, wanted = _refs(env, numbers)
        # Editing to the same values again is harmless, so a lost reply may be retried.
        edited = env.run(
            lambda s: changes.edit(s, numbers=wanted, owner=owner, **update), mode="idempotent"
        )
    except OfflineError as exc:  # OFFLINE: queued with the version it saw
        _queue(env, exc, "edit", numbers, update=update)
        return
    _report(env, [(t, "Edited") for t in edited], "edited")


def done(ctx: typer.Context, numbers: NumbersArg, json_: JsonOpt = False) -> None:
    """Mark todos done (also: complete, finish). All or nothing: if any number is missing, nothing changes."""
    from todo_cli.store import changes

    env = env_of(ctx)
    env.out.use_json(json_)
    try:
        owner, wanted = _refs(env, numbers)
        # Completing is idempotent, so a retry after a lost reply is harmless.
        results = env.run(
            lambda s: changes.complete(s, numbers=wanted, owner=owner), mode="idempotent"
        )
    except OfflineError as exc:  # OFFLINE
        _queue(env, exc, "done", numbers)
        return
    verbs = [(t, "Completed" if newly else "Already done") for t, newly in results.todos]
    _report(env, verbs, "completed", made=results.made)


def reopen(ctx: typer.Context, numbers: NumbersArg, json_: JsonOpt = False) -> None:
    """Mark done todos open again (undo done). All or nothing."""
    from todo_cli.store import changes

    env = env_of(ctx)
    env.out.use_json(json_)
    try:
        owner, wanted = _refs(env, numbers)
        results = env.run(
            lambda s: changes.reopen(s, numbers=wanted, owner=owner), mode="idempotent"
        )
    except OfflineError as exc:  # OFFLINE
        _queue(env, exc, "reopen", numbers)
        return
    verbs = [(t, "Reopened" if newly else "Already open") for t, newly in results.todos]
    _report(env, verbs, "reopened")


def rm(
    ctx: typer.Context,
    numbers: NumbersArg,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    series: Annotated[
        bool, typer.Option("--series", help="Of a repeating todo: stop the repeat too.")
    ] = False,
    json_: JsonOpt = False,
) -> None:
    """Remove todos (also: remove, delete). Asks first on a terminal; in a script, pass --yes.

    A repeating todo's next one is made (the repeat goes on) unless --series."""
    from todo_cli.store import changes, todos

    env = env_of(ctx)
    out = env.out.use_json(json_)
    try:
        owner, wanted = parse_refs(refs(env, numbers), env.settings().user.value)  # OFFLINE
    except OfflineError as exc:
        if not yes:
            raise
        _queue(env, exc, "rm", numbers, series=series)
        return
    if owner:
        raise InvalidInputError(
            f"only {owner} can remove {owner}'s todos; you may complete them (todo done)"
        )
    if not yes:
        if not out.can_ask():
            raise InvalidInputError(
                "refusing to remove without confirmation (no terminal); pass --yes"
            )
        from todo_cli.offline import reads  # OFFLINE: confirm from the copy

        found = env.run(
            lambda s: todos.find(s, numbers=wanted),
            mode="read",
            offline=lambda exc: reads.find(env, exc, None, wanted),
        )
        for todo in found:
            out.note(f"  {todo.number}: {todo.title}")
        noun = "this todo" if len(found) == 1 else f"these {len(found)} todos"
        if not out.confirm(f"Remove {noun}?"):
            _nothing_removed(env)
        repeating = [t for t in found if t.every and not t.done]
        if repeating and not series:
            which = "it repeats" if len(found) == 1 else f"{len(repeating)} of them repeat"
            stop = out.answer(f"{which.capitalize()}: stop the repeat too?")
            if stop is None:
                _nothing_removed(env)
            series = stop
    try:
        removed = env.run(
            lambda s: changes.remove(s, numbers=wanted, series=series), mode="once", forget=True
        )
    except OfflineError as exc:  # OFFLINE
        _queue(env, exc, "rm", numbers, series=series)
        return
    _report(env, [(t, "Removed") for t, _ in removed.todos], "removed", made=removed.made)


def _nothing_removed(env: Env) -> NoReturn:
    env.out.note("Nothing removed.")
    raise typer.Exit(ExitCode.NOT_FOUND)


def _refs(env: Env, numbers: Sequence[str]) -> tuple[str | None, list[int]]:
    """The numbers, and whose: mine (None), or the owner's of alice/3."""
    return parse_refs(refs(env, numbers), env.settings().user.value)  # OFFLINE: q1


def _queue(env: Env, exc: OfflineError, kind: str, numbers: Sequence[str], **payload: Any) -> None:
    """OFFLINE: the change goes into the outbox (todo_cli/offline/queue.py)."""
    from todo_cli.offline import queue

    queue.report(env, env.out, queue.change(env, exc, kind, numbers, **payload))


def _report(
    env: Env, results: Sequence[tuple[Todo, str]], what: str, *, made: Sequence[Todo] = ()
) -> None:
    me = env.settings().user.value
    numbers = ", ".join(render.ref(t, me) for t, _ in results[:10])
    env.out.saved = f"{what} {numbers}" + (" and more" if len(results) > 10 else "")
    render.changed(env.out, results, made=made, me=me)


def register(app: typer.Typer) -> None:
    app.command(epilog=epilog("edit"))(edit)
    app.command(epilog=epilog("done"))(done)
    app.command(epilog=epilog("reopen"))(reopen)
    app.command(epilog=epilog("rm"))(rm)
    # The words people reach for, hidden from the list (their command's help names them).
    for alias, command in (("complete", done), ("finish", done), ("remove", rm), ("delete", rm)):
        app.command(alias, hidden=True, epilog=epilog(command.__name__))(command)
