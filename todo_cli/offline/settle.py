"""Step 3 of a replay (replay.py): the outbox, the provisional names and
the copy learn, in one local transaction, what the server did."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from todo_cli.store.outbox import Box, Entry, token

if TYPE_CHECKING:
    from todo_cli.todo import Todo


@dataclass
class Outcome:
    todos: list[Todo] = field(default_factory=list)
    removed: list[int] = field(default_factory=list)
    numbers: list[int] = field(default_factory=list)  # an add's
    already: bool = False
    max_event: int = 0
    live_event: int = 0  # the newest entry not undone, as the change left it
    after: dict[str, str] | None = None  # found applied: the versions it left


@dataclass
class Plan:
    owner: str | None
    keyed: list[tuple[str, int]]  # (key, number)
    saw: dict[str, str]
    # The request id each provisional name's todo was saved with, by its
    # number: a server restored, or another one, may give it to another.
    names: dict[int, str] = field(default_factory=dict)


def first_request_id(request_id: str) -> str:
    """The request id an add's first todo is saved with (todos.add_many)."""
    return f"{request_id[:26]}000001"


def stamp(entry: Entry) -> str:
    """The version a change leaves on a todo it changes: its stamp."""
    from datetime import UTC

    return entry.stamp.astimezone(UTC).isoformat()


def settle(box: Box, entry: Entry, plan: Plan, outcome: Outcome, me: str) -> str:
    """Step 3: the outbox, names and copy learn what the server did."""
    owner = plan.owner or me
    after: dict[str, str] = {}
    by_number = {t.number: t for t in outcome.todos if (t.owner or me) == owner}
    for key, number in plan.keyed:
        t = by_number.get(number)
        after[key] = token(t) if t is not None else "gone"
    if outcome.after is not None:
        after = {key: outcome.after.get(key, "gone") for key, _ in plan.keyed}
    if plan.owner is None:  # a todo of mine named "q1" is "2" to a later change too
        named = box.names_numbered([number for _, number in plan.keyed])
        for key, number in plan.keyed:
            for alias in [str(number), *named.get(number, [])]:
                after.setdefault(alias, after[key])
    said = f"applied: {entry.describe()}" + (" (found applied already)" if outcome.already else "")
    with box.transaction() as conn:
        box.delete(entry.seq, conn)
        if entry.kind == "add" and entry.name and outcome.numbers:
            number = outcome.numbers[0]
            box.named(entry.name, number, first_request_id(entry.request_id), conn)
            added = {t.number: t for t in outcome.todos}
            # Found applied already, it left its stamp (updated_at = :now).
            after[entry.name] = token(added[number]) if number in added else stamp(entry)
            said = f"{entry.name} is now {number}"
            if len(outcome.numbers) > 1:
                said += f"-{outcome.numbers[-1]}"
            box.raise_mark("max_number", outcome.numbers[-1], conn)
        box.pass_on(entry.seq, after, conn)
        # Applied: newer than every change queued before it, held or not
        # (what offline undo must not take back instead).
        if entry.seq > int(box.get("changed_online_after") or 0):
            box.put("changed_online_after", str(entry.seq), conn)
        box.remember(me, outcome.todos, conn)
        if outcome.removed:
            box.forget(owner, outcome.removed, conn)
        box.raise_mark("max_event", outcome.max_event, conn)
        if entry.kind == "undo" or outcome.already or not outcome.live_event:
            box.forget_key("live_event", conn)  # unknown until a listing says
        else:  # the change just journaled, in this transaction: what undo means now
            box.put("live_event", str(outcome.live_event), conn)
    return said
