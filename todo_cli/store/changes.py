"""Changing todos: done, reopen, edit and rm, all or nothing, journaled.

Keyword-only, session first, as todos.py; a change of a repeating todo
makes its next instance in the same message (recurring.py).
"""

from __future__ import annotations

from collections.abc import Sequence

from todo_cli.classes import NamedTuple
from todo_cli.store import events, recurring
from todo_cli.store.editing import edit
from todo_cli.store.ids import uuid4_hex
from todo_cli.store.rows import WIDTH, columns, to_todo
from todo_cli.store.session import Session
from todo_cli.store.sql import ME, MINE, Scope, in_set, whose
from todo_cli.store.todos import guard, in_order, lookup, named, select_numbers, unique

__all__ = ["Changed", "complete", "edit", "remove", "reopen"]
from todo_cli.todo import Todo

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_SET_DONE = {
    # A todo that was already done keeps its completion time, and vice versa.
    # A recurring one completed here has its next instance (continued).
    True: "done = true, completed_at = CASE WHEN done THEN completed_at ELSE :now END, "
    "updated_at = CASE WHEN done THEN updated_at ELSE :now END, "
    "continued = CASE WHEN done THEN continued ELSE true END, "
    "version = CASE WHEN done THEN version ELSE version + 1 END",
    False: "updated_at = CASE WHEN done THEN :now ELSE updated_at END, "
    "version = CASE WHEN done THEN version + 1 ELSE version END, "
    "done = false, completed_at = NULL",
}
# Spelled as the partial indexes are (done = false): SQLite matches an
# index's condition by its text.
_CHANGES = {True: "todos.done = false", False: "todos.done = true"}
# The open recurring todos among :numbers, whose next instance a done or
# rm makes.
_FOLLOWED = "s.every IS NOT NULL AND s.done = false AND "


class Changed(NamedTuple):
    """What done, reopen and rm did: the todos (with whether each changed)
    and the next instances of recurring ones that the change made."""

    todos: list[tuple[Todo, bool]]
    made: list[Todo]

    @property
    def items(self) -> list[Todo]:
        """The todos alone."""
        return [t for t, _ in self.todos]


def _next_instances(
    session: Session, params: dict[str, Any], scope: Scope, *, done_at: str, repair: bool
) -> tuple[list[str], str]:
    """The statements that make the next instances of the recurring todos
    numbered :numbers (and, with repair, of my own that a release without
    recurrence completed), and a condition on `todos` for what they made."""
    backend = session.backend
    prefix = uuid4_hex()[:20]
    params["spawn"] = prefix
    params["made"] = recurring.made_ids(prefix, "n", params["numbers"])
    followed = _FOLLOWED + in_set(backend, "s.number", "numbers") + scope.only("s")
    return [
        *(recurring.repairs(session) if repair else []),
        *recurring.spawn(backend, followed, done_at=done_at, letter="n", owner=scope.owner),
    ], recurring.made(backend, "made", owner=scope.owner)


def _set_done(session: Session, numbers: Sequence[int], done: bool, scope: Scope) -> Changed:
    """All or nothing; (todo, changed) pairs in the order asked."""
    backend = session.backend
    which = in_set(backend, "todos.number", "numbers") + scope.only()
    # Only the todos that change: each change moves version, and undo
    # relies on nothing else moving it (see alembic/versions/0007).
    update = (
        f"UPDATE todos SET {_SET_DONE[done]} WHERE todos.user_id = {scope.owner} AND {which} "
        f"AND {_CHANGES[done]}"
    )
    params: dict[str, Any] = {"numbers": unique(numbers), **scope.params}
    statements = guard(backend, which, scope)
    made = None
    if done:
        more, made = _next_instances(session, params, scope, done_at=":now", repair=True)
        statements += more
    statements.append(
        events.record_before(
            backend,
            "done" if done else "reopen",
            f"{which} AND {_CHANGES[done]}",
            created=made,
            scope=scope,
        )
    )
    cols = columns(backend, scope)
    if backend == "postgresql":
        # One statement, so the message's one result says which rows this
        # command changed: the updated rows as RETURNING has them, the rest
        # as they are, then the next instances made (flag NULL).
        made_rows = f" UNION ALL SELECT {cols}, NULL FROM todos WHERE {made}"
        with named(scope):
            rows = session.execute(
                *statements,
                f"WITH changed AS ({update} RETURNING todos.*) "
                f"SELECT {cols}, true FROM changed AS todos UNION ALL "
                f"SELECT {cols}, false FROM todos WHERE todos.user_id = {scope.owner} "
                f"AND {which} AND todos.id NOT IN (SELECT id FROM changed)"
                + (made_rows if made else ""),
                params=params,
            ).all()
        flagged = [(to_todo(r, session.time), r[WIDTH]) for r in rows]
    else:
        # The client checks before it writes (a missing number could be the
        # one a next instance is about to take).
        lookup(session, numbers, changing=True, scope=scope)
        changed = {
            n
            for (n,) in session.execute(
                *statements, update + " RETURNING number", params=params
            ).all()
        }
        rows = session.execute(
            select_numbers(backend, scope) + (f" OR ({made})" if made else ""), params=params
        ).all()
        asked = set(params["numbers"])
        flagged = [
            (t, t.number in changed if t.number in asked else None)
            for t in (to_todo(r, session.time) for r in rows)
        ]
    found = in_order(
        numbers, [t for t, flag in flagged if flag is not None], owner=scope.owner_name
    )
    changed_now = {t.number for t, flag in flagged if flag}
    return Changed(
        [(t, t.number in changed_now) for t in found],
        sorted((t for t, flag in flagged if flag is None), key=lambda t: t.number),
    )


def complete(session: Session, *, numbers: Sequence[int], owner: str | None = None) -> Changed:
    """Mark todos done (mine, or owner's shared with me to write), making
    the next instance of each recurring one."""
    return _set_done(session, numbers, True, whose(owner, write=True))


def reopen(session: Session, *, numbers: Sequence[int], owner: str | None = None) -> Changed:
    """Undo done."""
    return _set_done(session, numbers, False, whose(owner, write=True))


def remove(session: Session, *, numbers: Sequence[int], series: bool = False) -> Changed:
    """Delete todos, all or nothing. Numbers are never reused afterwards.
    An open recurring todo's series goes on from its next due date, unless
    `series` (then it ends with this one)."""
    backend = session.backend
    before = None
    if backend == "sqlite":
        # SQLite cascades to todo_tags before RETURNING is computed, so read the
        # tags first (a local read; PostgreSQL still sees them in RETURNING).
        before = {t.number: t for t in lookup(session, numbers, changing=True)}
    which = in_set(backend, "todos.number", "numbers")
    params: dict[str, Any] = {"numbers": unique(numbers)}
    statements = guard(backend, which)
    made = None
    if not series:
        more, made = _next_instances(session, params, MINE, done_at="NULL", repair=False)
        statements += more
    statements.append(events.record_before(backend, "rm", which, created=made))
    delete = (
        f"DELETE FROM todos WHERE user_id = {ME} AND {in_set(backend, 'number', 'numbers')} "
        f"RETURNING {columns(backend)}"
    )
    made_rows: list[Todo] = []
    if backend == "postgresql" and made:
        rows = session.execute(
            *statements,
            f"WITH gone AS ({delete}) SELECT gone.*, true FROM gone "
            f"UNION ALL SELECT {columns(backend)}, false FROM todos WHERE {made}",
            params=params,
        ).all()
        made_rows = [to_todo(r, session.time) for r in rows if not r[WIDTH]]
        rows = [r for r in rows if r[WIDTH]]
    else:
        rows = session.execute(*statements, delete, params=params).all()
        if made:
            made_rows = [
                to_todo(r, session.time)
                for r in session.execute(
                    f"SELECT {columns(backend)} FROM todos WHERE {made}",
                    params=params,
                ).all()
            ]
    removed = [to_todo(r, session.time) for r in rows]
    if before is not None:
        removed = [before.get(t.number, t) for t in removed]
    return Changed(
        [(t, True) for t in in_order(numbers, removed)],
        sorted(made_rows, key=lambda t: t.number),
    )
