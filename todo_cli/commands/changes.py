"""edit, done, reopen and rm: all or nothing, journaled, undoable."""

from __future__ import annotations

from collections.abc import Sequence

from todo_cli import render
from todo_cli.commands.args import parse_refs
from todo_cli.errors import ExitCode, InvalidInputError, Stop
from todo_cli.inputs import parse_when, repeat_fields
from todo_cli.offline import OfflineError, refs

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, NoReturn

    from todo_cli.context import Invocation
    from todo_cli.todo import Todo


def edit(
    inv: Invocation,
    *,
    numbers: list[str],
    title: str | None,
    priority: str | None,
    due: str | None,
    no_due: bool,
    tag: list[str] | None,
    note: str | None,
    every: str | None,
    from_done: bool,
    no_repeat: bool,
    until: str | None,
    wait: str | None,
    json_: bool,
) -> None:
    """Change todos: all or nothing. Tags: --tag +x adds, --tag -x removes.

    --until and --wait take none to clear them. With no options, the todos
    open in $VISUAL or $EDITOR as a form, saved as one change."""
    from todo_cli import todo as fields
    from todo_cli.store import changes

    inv.out.use_json(json_)
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
        update["due"] = parse_when(due, inv.now()) if due is not None else None
    if note is not None:
        update["note"] = fields.clean_note(note)
    if every is not None and no_repeat:
        raise InvalidInputError("--every and --no-repeat cannot be combined")
    if every is not None and no_due:
        raise InvalidInputError("a repeating todo needs a due date: --every and --no-due clash")
    update.update(
        repeat_fields(inv.now(), every=every, from_done=from_done, until=until, wait=wait)
    )
    if no_repeat:
        update["every"] = None
    if update.get("until") is not None and (no_repeat or no_due):
        raise InvalidInputError(
            f"--until and {'--no-repeat' if no_repeat else '--no-due'} cannot be combined"
        )
    if len(update) == 2 and not add_tags and not remove_tags:
        from todo_cli.commands.editor import edit_in_editor, editor_command

        editor = None if json_ else editor_command(inv)
        if editor is None:
            raise InvalidInputError(
                "nothing to change: give --title, --priority, --due/--no-due, --tag, --note, "
                "--every/--no-repeat, --until or --wait (or set EDITOR to edit a form)"
            )
        owner, wanted = _refs(inv, numbers)
        edit_in_editor(inv, owner, wanted, editor)
        return
    try:
        owner, wanted = _refs(inv, numbers)
        # Editing to the same values again is harmless, so a lost reply may be retried.
        edited = inv.run(
            lambda s: changes.edit(s, numbers=wanted, owner=owner, **update), mode="idempotent"
        )
    except OfflineError as exc:  # OFFLINE: queued with the version it saw
        _queue(inv, exc, "edit", numbers, update=update)
        return
    _report(inv, [(t, "Edited") for t in edited], "edited")


def done(inv: Invocation, *, numbers: list[str], json_: bool) -> None:
    """Mark todos done (also: complete, finish). All or nothing: if any number is missing, nothing changes."""
    from todo_cli.store import changes

    inv.out.use_json(json_)
    try:
        owner, wanted = _refs(inv, numbers)
        # Completing is idempotent, so a retry after a lost reply is harmless.
        results = inv.run(
            lambda s: changes.complete(s, numbers=wanted, owner=owner), mode="idempotent"
        )
    except OfflineError as exc:  # OFFLINE
        _queue(inv, exc, "done", numbers)
        return
    verbs = [(t, "Completed" if newly else "Already done") for t, newly in results.todos]
    _report(inv, verbs, "completed", made=results.made)


def reopen(inv: Invocation, *, numbers: list[str], json_: bool) -> None:
    """Mark done todos open again (undo done). All or nothing."""
    from todo_cli.store import changes

    inv.out.use_json(json_)
    try:
        owner, wanted = _refs(inv, numbers)
        results = inv.run(
            lambda s: changes.reopen(s, numbers=wanted, owner=owner), mode="idempotent"
        )
    except OfflineError as exc:  # OFFLINE
        _queue(inv, exc, "reopen", numbers)
        return
    verbs = [(t, "Reopened" if newly else "Already open") for t, newly in results.todos]
    _report(inv, verbs, "reopened")


def rm(inv: Invocation, *, numbers: list[str], yes: bool, series: bool, json_: bool) -> None:
    """Remove todos (also: remove, delete). Asks first on a terminal; in a script, pass --yes.

    A repeating todo's next one is made (the repeat goes on) unless --series."""
    from todo_cli.store import changes, todos

    out = inv.out.use_json(json_)
    try:
        owner, wanted = parse_refs(refs(inv, numbers), inv.settings().user.value)  # OFFLINE
    except OfflineError as exc:
        if not yes:
            raise
        _queue(inv, exc, "rm", numbers, series=series)
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

        found = inv.run(
            lambda s: todos.find(s, numbers=wanted),
            mode="read",
            offline=lambda exc: reads.find(inv, exc, None, wanted),
        )
        for todo in found:
            out.note(f"  {todo.number}: {todo.title}")
        noun = "this todo" if len(found) == 1 else f"these {len(found)} todos"
        if not out.confirm(f"Remove {noun}?"):
            _nothing_removed(inv)
        repeating = [t for t in found if t.every and not t.done]
        if repeating and not series:
            which = "it repeats" if len(found) == 1 else f"{len(repeating)} of them repeat"
            stop = out.answer(f"{which.capitalize()}: stop the repeat too?")
            if stop is None:
                _nothing_removed(inv)
            series = stop
    try:
        removed = inv.run(
            lambda s: changes.remove(s, numbers=wanted, series=series), mode="once", forget=True
        )
    except OfflineError as exc:  # OFFLINE
        _queue(inv, exc, "rm", numbers, series=series)
        return
    _report(inv, [(t, "Removed") for t, _ in removed.todos], "removed", made=removed.made)


def _nothing_removed(inv: Invocation) -> NoReturn:
    inv.out.note("Nothing removed.")
    raise Stop(ExitCode.NOT_FOUND)


def _refs(inv: Invocation, numbers: Sequence[str]) -> tuple[str | None, list[int]]:
    """The numbers, and whose: mine (None), or the owner's of alice/3."""
    return parse_refs(refs(inv, numbers), inv.settings().user.value)  # OFFLINE: q1


def _queue(
    inv: Invocation, exc: OfflineError, kind: str, numbers: Sequence[str], **payload: Any
) -> None:
    """OFFLINE: the change goes into the outbox (todo_cli/offline/queue.py)."""
    from todo_cli.offline import queue

    queue.report(inv, inv.out, queue.change(inv, exc, kind, numbers, **payload))


def _report(
    inv: Invocation, results: Sequence[tuple[Todo, str]], what: str, *, made: Sequence[Todo] = ()
) -> None:
    me = inv.settings().user.value
    numbers = ", ".join(render.ref(t, me) for t, _ in results[:10])
    inv.out.saved = f"{what} {numbers}" + (" and more" if len(results) > 10 else "")
    render.changed(inv.out, results, made=made, me=me)
