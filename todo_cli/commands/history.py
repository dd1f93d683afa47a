"""log and undo: the journal read back."""

from __future__ import annotations

from todo_cli import render
from todo_cli.store.reach import OfflineError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from todo_cli.context import Invocation


def log(inv: Invocation, *, limit: int, json_: bool) -> None:
    """Your recent changes, newest first: what `todo undo` would take back."""
    from todo_cli.store import history

    out = inv.out.use_json(json_)
    from todo_cli.offline import recall  # OFFLINE: as last read online

    events = inv.run(
        lambda s: history.log(s, limit=limit or 2**31 - 1),
        mode="read",
        offline=lambda exc: recall.log(inv, exc, limit or 2**31 - 1),
    )
    if not events and out.form == "table":
        out.note("No changes yet.")
        return
    render.events(out, events)


def undo(inv: Invocation, *, count: int, json_: bool) -> None:
    """Undo your last change (or last N): add, edit, done, reopen, rm or import.

    Works from any machine: the history is in the database. All or nothing:
    refuses, and changes nothing, if fewer than N changes are left, or if a
    todo changed after a change being undone.
    """
    from todo_cli.store import history

    out = inv.out.use_json(json_)
    # Not retried after an unknown outcome: a second try would undo one change more.
    try:
        events = inv.run(lambda s: history.undo(s, count=count), mode="once")
    except OfflineError as exc:  # OFFLINE: takes back a queued change, or queues an undo
        from todo_cli.offline import queue

        if count != 1:
            raise
        verb, entry = queue.undo(inv, exc)
        queue.report(inv, out, entry, verb=verb)
        return
    out.saved = f"undid {len(events)} change" + ("s" if len(events) != 1 else "")
    render.undone(out, events)
