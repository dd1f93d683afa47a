"""Changing todos: done, reopen, edit and rm, all or nothing, journaled.

Keyword-only, session first, as todos.py; a change of a repeating todo
makes its next instance in the same message (recurring.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from todo_cli.dates import end_of_day
from todo_cli.errors import InvalidInputError
from todo_cli.store import events, recurring
from todo_cli.store.rows import WIDTH, columns, to_todo
from todo_cli.store.session import Session
from todo_cli.store.sql import ME, MINE, Backend, Scope, in_set, values_of
from todo_cli.store.todos import guard, in_order, lookup, named, select_numbers, unique
from todo_cli.todo import PRIORITIES, UNSET, Todo, _Unset, clean_title

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
    prefix = uuid.uuid4().hex[:20]
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


def complete(session: Session, *, numbers: Sequence[int], scope: Scope = MINE) -> Changed:
    """Mark todos done, making the next instance of each recurring one."""
    return _set_done(session, numbers, True, scope)


def reopen(session: Session, *, numbers: Sequence[int], scope: Scope = MINE) -> Changed:
    """Undo done."""
    return _set_done(session, numbers, False, scope)


def edit(
    session: Session,
    *,
    numbers: Sequence[int],
    title: str | None = None,
    priority: str | _Unset | None = UNSET,
    due: datetime | _Unset | None = UNSET,
    note: str | _Unset | None = UNSET,
    add_tags: Sequence[str] = (),
    remove_tags: Sequence[str] = (),
    every: str | _Unset | None = UNSET,
    until: datetime | _Unset | None = UNSET,
    wait: datetime | _Unset | None = UNSET,
    wait_lead: int | _Unset | None = UNSET,
    scope: Scope = MINE,
) -> list[Todo]:
    """Change fields of todos, all or nothing; tags are added and removed.
    every: a canonical SPEC makes each todo recurring (due by the end of
    today if it has no due date), None stops it; wait_lead: each wait is
    that long before the due, None clears it (a fixed wait stays)."""
    backend = session.backend
    if title is not None and len(unique(numbers)) > 1:
        raise InvalidInputError("--title changes one todo at a time")
    sets = ["updated_at = :now", "version = version + 1"]
    params: dict[str, Any] = {"numbers": unique(numbers), **scope.params}
    if remove_tags and scope.owner_name:
        _keep_shared_tags(session, numbers, remove_tags, scope)
    if title is not None:
        sets.append("title = :title")
        params["title"] = clean_title(title)
    if not isinstance(priority, _Unset):
        sets.append("priority = :priority")
        params["priority"] = PRIORITIES[priority] if priority else None
    if not isinstance(due, _Unset):
        sets.append("due = :due")
        params["due"] = due
    if not isinstance(note, _Unset):
        sets.append("note = :note")
        params["note"] = note
    sets += _edit_recurrence(backend, params, session.now, due, every, until, wait, wait_lead)
    which = in_set(backend, "todos.number", "numbers") + scope.only()
    mine = f"SELECT id FROM todos WHERE todos.user_id = {scope.owner} AND {which}"
    statements = [
        *guard(backend, which, scope),
        events.record_before(backend, "edit", which, scope=scope),
    ]
    if remove_tags:
        statements.append(
            f"DELETE FROM todo_tags WHERE {in_set(backend, 'tag', 'remove_tags', kind='text')} "
            f"AND todo_id IN ({mine})"
        )
        params["remove_tags"] = list(dict.fromkeys(remove_tags))
    if add_tags:
        statements.append(
            f"INSERT INTO todo_tags (todo_id, tag) SELECT todos.id, a.value FROM todos, "
            f"{values_of(backend, 'add_tags')} AS a WHERE todos.user_id = {scope.owner} "
            f"AND {which} ON CONFLICT DO NOTHING"
        )
        params["add_tags"] = list(dict.fromkeys(add_tags))
    statements.append(
        f"UPDATE todos SET {', '.join(sets)} WHERE todos.user_id = {scope.owner} AND {which}"
    )
    if backend == "sqlite":
        lookup(session, numbers, changing=True, scope=scope)
    with named(scope):
        rows = session.execute(*statements, select_numbers(backend, scope), params=params).all()
    return in_order(numbers, [to_todo(r, session.time) for r in rows], owner=scope.owner_name)


def _keep_shared_tags(
    session: Session, numbers: Sequence[int], tags: Sequence[str], scope: Scope
) -> None:
    """A tag by which another user shares a todo with me is theirs to remove."""
    session.begin()
    found = session.execute(
        "SELECT DISTINCT s.tag FROM shared_todos s JOIN todos ON todos.id = s.todo_id "
        f"WHERE s.grantee_name = :me AND todos.user_id = {scope.owner} "
        f"AND {in_set(session.backend, 'todos.number', 'numbers')} "
        f"AND {in_set(session.backend, 's.tag', 'tags', kind='text')}",
        params={"numbers": unique(numbers), "tags": list(tags), **scope.params},
    ).all()
    if found:
        tag = sorted(t for (t,) in found)[0]
        raise InvalidInputError(
            f"+{tag} is how {scope.owner_name} shares this with you: only "
            f"{scope.owner_name} can remove it (nothing was changed)"
        )


# The local time of day of a due, in seconds (a series keeps it).
_CLOCK_OF = {
    "postgresql": "CAST(extract(epoch FROM CAST(({0}) AT TIME ZONE :tz AS time)) AS integer)",
    "sqlite": "CAST(strftime('%s', strftime('1970-01-01 %H:%M:%S', {0}, 'localtime')) AS integer)",
}
# The day of the month of a due, in the local timezone (a series keeps it).
_DAY_OF = {
    "postgresql": "CAST(extract(day FROM ({0}) AT TIME ZONE :tz) AS smallint)",
    "sqlite": "CAST(strftime('%d', {0}, 'localtime') AS integer)",
}


def _edit_recurrence(
    backend: Backend,
    params: dict[str, Any],
    now: datetime,
    due: datetime | _Unset | None,
    every: str | _Unset | None,
    until: datetime | _Unset | None,
    wait: datetime | _Unset | None,
    wait_lead: int | _Unset | None,
) -> list[str]:
    """edit's SET clauses for the recurrence and the wait (each reads the
    row as it was: SET sees the old values)."""
    if due is None and isinstance(every, str):
        raise InvalidInputError("a recurring todo needs a due date; give --due a date, not none")
    sets: dict[str, str] = {}
    new_due = "todos.due"
    if isinstance(due, datetime):
        from todo_cli.recurrence import anchor_and_clock

        new_due = ":due"
        params["anchor"], params["clock"] = anchor_and_clock(due)
        sets.update(anchor=":anchor", clock=":clock")
    elif due is None and not isinstance(every, str):
        # No due date, no next one: the todo stops repeating.
        every = None
    if isinstance(every, str):
        if not isinstance(due, datetime):
            new_due = "COALESCE(todos.due, :default_due)"
            sets["due"] = new_due
            sets["anchor"] = _DAY_OF[backend].format(new_due)
            sets["clock"] = _CLOCK_OF[backend].format(new_due)
            params["default_due"] = end_of_day(now)
        sets["every"] = ":every"
        sets["series"] = "COALESCE(todos.series, :series || CAST(todos.number AS text))"
        params["every"] = every
        params["series"] = uuid.uuid4().hex[:22]
    elif every is None:
        sets.update(every="NULL", until="NULL", wait_lead="NULL")
    if not isinstance(until, _Unset):
        sets["until"] = ":until"
        params["until"] = until
    wait_at = recurring.WAIT_AT[backend]
    if not isinstance(wait_lead, _Unset) and wait_lead is not None:
        sets["wait_lead"] = ":wait_lead"
        sets["wait"] = wait_at.format(due=new_due, lead=":wait_lead")
        params["wait_lead"] = wait_lead
    elif not isinstance(wait, _Unset):
        sets.update(wait=":wait", wait_lead="NULL")
        params["wait"] = wait
    elif new_due != "todos.due":
        # The due moved: so does a wait that is a time before it.
        lead = wait_at.format(due=new_due, lead="todos.wait_lead")
        sets["wait"] = f"CASE WHEN todos.wait_lead IS NULL THEN todos.wait ELSE {lead} END"
    return [f"{column} = {value}" for column, value in sets.items()]


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
