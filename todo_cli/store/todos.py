"""The todo operations: add, complete, reopen, edit, remove, find.

Keyword-only, session first; they return plain data (todo.Todo) and raise
domain errors. Every statement names the current user through :me, and the
statements of an operation go to Session.execute together: on PostgreSQL
one message, one round trip, journal included (events.py).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from todo_cli.errors import ConcurrentChangeError, InvalidInputError, missing_numbers
from todo_cli.store import events
from todo_cli.store.rows import columns, to_todo
from todo_cli.store.session import Session
from todo_cli.store.sql import ME, Backend, in_set, sqlite_time, values_of
from todo_cli.todo import PRIORITIES, UNSET, NewTodo, Todo, _Unset, clean_title

# --- adding -------------------------------------------------------------------------

# The batch travels as one JSON parameter that the server unpacks.
_ITEMS = {
    "postgresql": (
        "(SELECT e.item ->> 't' AS title, e.item ->> 'r' AS rid, e.ord AS ord, "
        "CAST(e.item ->> 'p' AS smallint) AS priority, CAST(e.item ->> 'd' AS timestamptz) AS due, "
        "e.item ->> 'n' AS note, CAST(e.item ->> 'x' AS boolean) AS done, "
        "CAST(e.item ->> 'c' AS timestamptz) AS created_at, "
        "CAST(e.item ->> 'u' AS timestamptz) AS updated_at, "
        "CAST(e.item ->> 'f' AS timestamptz) AS completed_at, CAST(e.item ->> 'k' AS integer) AS num "
        "FROM json_array_elements(CAST(:items AS json)) WITH ORDINALITY AS e(item, ord)) AS i"
    ),
    "sqlite": (
        "(SELECT json_extract(value, '$.t') AS title, json_extract(value, '$.r') AS rid, "
        "key + 1 AS ord, json_extract(value, '$.p') AS priority, "
        "json_extract(value, '$.d') AS due, json_extract(value, '$.n') AS note, "
        "json_extract(value, '$.x') AS done, json_extract(value, '$.c') AS created_at, "
        "json_extract(value, '$.u') AS updated_at, json_extract(value, '$.f') AS completed_at, "
        "json_extract(value, '$.k') AS num "
        "FROM json_each(:items)) AS i"
    ),
}
_ITEM_TAGS = {
    "postgresql": (
        "(SELECT e.item ->> 'r' AS rid, json_array_elements_text(e.item -> 'g') AS tag "
        "FROM json_array_elements(CAST(:items AS json)) AS e(item)) AS n"
    ),
    "sqlite": (
        "(SELECT json_extract(e.value, '$.r') AS rid, g.value AS tag "
        "FROM json_each(:items) AS e, json_each(json_extract(e.value, '$.g')) AS g) AS n"
    ),
}
_BATCH_MAX = 999_999  # request ids carry a 6-digit ordinal
# The proposed users row must pass row-level security even when it only
# bumps the counter: a per-user role proposes itself as db_role.
PROPOSED_ROLE = {
    "postgresql": "CASE WHEN todo_is_person() THEN current_user END",
    "sqlite": "NULL",
}


def _json_time(backend: Backend, value: datetime | None) -> str | None:
    """A timestamp inside a JSON parameter, in the form the backend stores."""
    if value is None:
        return None
    return sqlite_time(value) if backend == "sqlite" else value.astimezone(UTC).isoformat()


def add(session: Session, *, title: str, request_id: str | None = None, **fields: Any) -> Todo:
    """Add one todo (see add_many)."""
    (todo,) = add_many(session, todos=[NewTodo(title, **fields)], request_id=request_id)
    return todo


def add_many(
    session: Session,
    *,
    todos: Sequence[NewTodo] = (),
    titles: Sequence[str] = (),
    request_id: str | None = None,
    request_ids: Sequence[str] | None = None,
    numbers: Sequence[int] | None = None,
    last_number: int = 0,
    action: str | None = "add",
) -> list[Todo]:
    """Add todos in order, numbered consecutively; creates the user's row on
    their first write, and journals one event (`action`) for the batch
    (None: the caller journals it, see transfer.import_records).

    Five statements whatever the batch size (bump the user's counter by n,
    journal, insert the todos and their tags from one JSON parameter, read
    them back), which on PostgreSQL travel as one round trip. Each todo
    carries a request id, derived from request_id or given one per todo in
    request_ids (import: the item's identity in its file), so repeating the
    call (a retry after a lost reply) returns the todos the first call saved
    and changes nothing.

    numbers (import) gives each todo its number; the caller has checked, with
    the user's row locked, that all are above the user's last_number.
    """
    backend = session.backend
    new = [*todos, *(NewTodo(t) for t in titles)]
    new = [replace(t, title=clean_title(t.title), tags=tuple(dict.fromkeys(t.tags))) for t in new]
    if not new:
        return []
    if len(new) > _BATCH_MAX:
        raise InvalidInputError(f"at most {_BATCH_MAX} todos at once; split the input")
    if request_ids is not None:
        rids = list(request_ids)
        assert len(rids) == len(new)
        assert all(len(r) <= 32 for r in rids)
    else:
        prefix = (request_id or uuid.uuid4().hex)[:26]
        rids = [f"{prefix}{i:06d}" for i in range(1, len(new) + 1)]
    kept = list(numbers) if numbers is not None else [None] * len(new)
    # With numbers given, the counter moves up to the highest of them.
    bump = max(0, max(numbers) - last_number) if numbers else len(new)
    items = json.dumps(
        [
            {
                "t": t.title,
                "r": rid,
                "p": PRIORITIES[t.priority] if t.priority else None,
                "d": _json_time(backend, t.due),
                "n": t.note,
                "g": list(t.tags),
                "x": t.done,
                "c": _json_time(backend, t.created_at),
                "u": _json_time(backend, t.updated_at),
                "f": _json_time(backend, t.completed_at),
                "k": number,
            }
            for t, rid, number in zip(new, rids, kept, strict=True)
        ]
    )
    already = "EXISTS (SELECT 1 FROM todos t WHERE t.user_id = users.id AND t.request_id = :first)"
    rows = session.execute(
        f"INSERT INTO users (name, created_at, last_number, db_role) VALUES (:me, :now, :n, "
        f"{PROPOSED_ROLE[backend]}) "
        f"ON CONFLICT (name) DO UPDATE SET last_number = users.last_number + :n WHERE NOT {already}",
        *(
            [events.record_numbers(backend, action, count=":n", condition=f"NOT {already}")]
            if action
            else []
        ),
        "INSERT INTO todos (user_id, number, title, done, priority, due, note, created_at, "
        "updated_at, completed_at, request_id) "
        "SELECT users.id, COALESCE(i.num, users.last_number - :n + i.ord), i.title, "
        "COALESCE(i.done, false), "
        "i.priority, i.due, i.note, COALESCE(i.created_at, :now), COALESCE(i.updated_at, :now), "
        "CASE WHEN i.done THEN COALESCE(i.completed_at, i.updated_at, :now) END, i.rid "
        f"FROM users, {_ITEMS[backend]} WHERE users.name = :me AND NOT {already}",
        *(
            # The items drive the join (CROSS JOIN fixes the order on SQLite,
            # which otherwise reads the JSON once per todo of the user), each
            # finding its todo through the (user_id, request_id) index; the
            # list of request ids keeps PostgreSQL from hashing every todo
            # of the user instead.
            [
                "INSERT INTO todo_tags (todo_id, tag) SELECT todos.id, n.tag "
                f"FROM {_ITEM_TAGS[backend]} CROSS JOIN todos "
                f"WHERE todos.user_id = {ME} AND todos.request_id = n.rid "
                f"AND {in_set(backend, 'todos.request_id', 'rids', kind='text')} "
                "ON CONFLICT DO NOTHING"
            ]
            if any(t.tags for t in new)
            else []
        ),
        # By request id, a list of values: index lookups whatever the
        # statistics say, never a walk through every todo of the user.
        f"SELECT {columns(backend)} FROM todos WHERE user_id = {ME} "
        f"AND {in_set(backend, 'request_id', 'rids', kind='text')} ORDER BY number",
        params={
            "n": bump,
            "items": items,
            "rids": rids,
            "first": rids[0],
            "event_title": new[0].title,
        },
    ).all()
    if len(rows) != len(new):
        # Some, not all, of the request ids were there already: another
        # command saved part of this batch at the same moment.
        raise ConcurrentChangeError(
            "another command saved some of these todos at the same time; nothing was added "
            "by this one: try again"
        )
    return [to_todo(r, session.time) for r in rows]


# --- changing -----------------------------------------------------------------------


def _select_numbers(backend: Backend) -> str:
    return (
        f"SELECT {columns(backend)} FROM todos WHERE user_id = {ME} "
        f"AND {in_set(backend, 'number', 'numbers')}"
    )


_SET_DONE = {
    # A todo that was already done keeps its completion time, and vice versa.
    True: "done = true, completed_at = CASE WHEN done THEN completed_at ELSE :now END, "
    "updated_at = CASE WHEN done THEN updated_at ELSE :now END, "
    "version = CASE WHEN done THEN version ELSE version + 1 END",
    False: "updated_at = CASE WHEN done THEN :now ELSE updated_at END, "
    "version = CASE WHEN done THEN version + 1 ELSE version END, "
    "done = false, completed_at = NULL",
}
# Spelled as the partial indexes are (done = false): SQLite matches an
# index's condition by its text.
_CHANGES = {True: "todos.done = false", False: "todos.done = true"}


def _set_done(session: Session, numbers: Sequence[int], done: bool) -> list[tuple[Todo, bool]]:
    """All or nothing; (todo, changed) pairs in the order asked."""
    backend = session.backend
    which = in_set(backend, "todos.number", "numbers")
    # Only the todos that change: each change moves version, and undo
    # relies on nothing else moving it (see alembic/versions/0007).
    update = (
        f"UPDATE todos SET {_SET_DONE[done]} WHERE user_id = {ME} AND {which} AND {_CHANGES[done]}"
    )
    statements = [
        *_guard(backend, which),
        events.record_before(
            backend, "done" if done else "reopen", f"{which} AND {_CHANGES[done]}"
        ),
    ]
    params = {"numbers": _unique(numbers)}
    if backend == "postgresql":
        # One statement, so the message's one result says which rows this
        # command changed: the updated rows as RETURNING has them, then the
        # rest as they are.
        rows = session.execute(
            *statements,
            f"WITH changed AS ({update} RETURNING todos.*) "
            f"SELECT {columns(backend)}, true FROM changed AS todos UNION ALL "
            f"SELECT {columns(backend)}, false FROM todos WHERE todos.user_id = {ME} AND {which} "
            "AND todos.id NOT IN (SELECT id FROM changed)",
            params=params,
        ).all()
        changed = {row[0] for row in rows if row[10]}
    else:
        changed = {
            n
            for (n,) in session.execute(
                *statements, update + " RETURNING number", params=params
            ).all()
        }
        rows = session.execute(_select_numbers(backend), params=params).all()
    found = _in_order(numbers, [to_todo(r, session.time) for r in rows])
    return [(t, t.number in changed) for t in found]


def complete(session: Session, *, numbers: Sequence[int]) -> list[tuple[Todo, bool]]:
    """Mark todos done. Returns (todo, newly_completed) pairs."""
    return _set_done(session, numbers, True)


def reopen(session: Session, *, numbers: Sequence[int]) -> list[tuple[Todo, bool]]:
    """Undo done. Returns (todo, newly_reopened) pairs."""
    return _set_done(session, numbers, False)


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
) -> list[Todo]:
    """Change fields of todos, all or nothing; tags are added and removed."""
    backend = session.backend
    if title is not None and len(_unique(numbers)) > 1:
        raise InvalidInputError("--title changes one todo at a time")
    sets = ["updated_at = :now", "version = version + 1"]
    params: dict[str, Any] = {"numbers": _unique(numbers)}
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
    which = in_set(backend, "todos.number", "numbers")
    mine = f"SELECT id FROM todos WHERE todos.user_id = {ME} AND {which}"
    statements = [*_guard(backend, which), events.record_before(backend, "edit", which)]
    if remove_tags:
        statements.append(
            f"DELETE FROM todo_tags WHERE {in_set(backend, 'tag', 'remove_tags', kind='text')} "
            f"AND todo_id IN ({mine})"
        )
        params["remove_tags"] = list(dict.fromkeys(remove_tags))
    if add_tags:
        statements.append(
            f"INSERT INTO todo_tags (todo_id, tag) SELECT todos.id, a.value FROM todos, "
            f"{values_of(backend, 'add_tags')} AS a WHERE todos.user_id = {ME} "
            f"AND {which} ON CONFLICT DO NOTHING"
        )
        params["add_tags"] = list(dict.fromkeys(add_tags))
    statements.append(
        f"UPDATE todos SET {', '.join(sets)} WHERE user_id = {ME} "
        f"AND {in_set(backend, 'number', 'numbers')}"
    )
    rows = session.execute(*statements, _select_numbers(backend), params=params).all()
    return _in_order(numbers, [to_todo(r, session.time) for r in rows])


def remove(session: Session, *, numbers: Sequence[int]) -> list[Todo]:
    """Delete todos, all or nothing. Numbers are never reused afterwards."""
    backend = session.backend
    before = None
    if backend == "sqlite":
        # SQLite cascades to todo_tags before RETURNING is computed, so read the
        # tags first (a local read; PostgreSQL still sees them in RETURNING).
        before = {t.number: t for t in _lookup(session, numbers, changing=True)}
    which = in_set(backend, "todos.number", "numbers")
    rows = session.execute(
        *_guard(backend, which),
        events.record_before(backend, "rm", which),
        f"DELETE FROM todos WHERE user_id = {ME} AND {in_set(backend, 'number', 'numbers')} "
        f"RETURNING {columns(backend)}",
        params={"numbers": _unique(numbers)},
    ).all()
    removed = [to_todo(r, session.time) for r in rows]
    if before is not None:
        removed = [before.get(t.number, t) for t in removed]
    return _in_order(numbers, removed)


def find(session: Session, *, numbers: Sequence[int]) -> list[Todo]:
    """Look todos up by number (show, and what rm will touch)."""
    return _lookup(session, numbers, changing=False)


def _lookup(session: Session, numbers: Sequence[int], *, changing: bool) -> list[Todo]:
    rows = session.execute(
        _select_numbers(session.backend), params={"numbers": _unique(numbers)}
    ).all()
    return _in_order(numbers, [to_todo(r, session.time) for r in rows], changing=changing)


def _guard(backend: Backend, which: str) -> list[str]:
    """The statements that open a change of the todos numbered :numbers:
    lock them (PostgreSQL), and stop the whole message unless every one is
    the user's (alembic/versions/0008): all or nothing, inside the message
    that commits. On SQLite the client checks before it commits."""
    if backend != "postgresql":
        return []
    numbers = "CAST(:numbers AS integer[])"
    return [
        *events.lock_rows(backend, which),
        f"SELECT todo_require_numbers({numbers}, ARRAY(SELECT number FROM todos "
        f"WHERE user_id = {ME} AND number = ANY({numbers})))",
    ]


def _unique(numbers: Iterable[int]) -> list[int]:
    return list(dict.fromkeys(numbers))


def _in_order(asked: Sequence[int], found: list[Todo], *, changing: bool = True) -> list[Todo]:
    """Raise (so the caller's transaction rolls back) unless every number was found."""
    by_number = {t.number: t for t in found}
    missing = [n for n in _unique(asked) if n not in by_number]
    if missing:
        raise missing_numbers(missing, changing=changing)
    return [by_number[n] for n in _unique(asked)]
