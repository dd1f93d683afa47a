"""The journal read back: `todo log` and `todo undo`.

events.py writes one event per change; here they are listed and reversed.
Undo checks before it writes: every todo an event touched must still be as
that event left it (todos.version), so a change made since then, from this
machine or another, is never overwritten. Whatever the number of events,
undo is three messages in one transaction: read the events, read the
versions of their todos (both locked on PostgreSQL), then restore them all
and commit.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from todo_cli.classes import replace
from todo_cli.errors import ConcurrentChangeError, NotFoundError
from todo_cli.store import journal, todo_columns
from todo_cli.store.session import Session
from todo_cli.store.sql import FOR_UPDATE, ME, in_set
from todo_cli.todo import Event

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from todo_cli.store.sql import Backend

LOG_DEFAULT = 20


class UndoConflictError(ConcurrentChangeError):
    """A todo changed after the event being undone (exit 1: nothing was undone)."""


# The number of a change's first todo, read from its journal entry (each of
# events.py's shapes), and what that todo is called now. Whatever the entry
# holds (journal.py), this never fails: PostgreSQL has no cast that
# tolerates text that is not JSON, so it finds the number with a pattern
# (the first "number", which is the first todo's, or "first", or the first
# of "numbers": an unescaped quote cannot occur inside a JSON string, so a
# title cannot fake one); SQLite asks json_valid first, and compares the
# number it finds as it is.
_FIRST_NUMBER = {
    "postgresql": "CAST((regexp_match(data, "
    "'\"(?:number|first|numbers)\"\\s*:\\s*\\[?\\s*([0-9]{1,18})\\s*[],}]'))[1] AS bigint)",
    "sqlite": "CASE WHEN json_valid(data) THEN COALESCE(json_extract(data, '$.todos[0].number'), "
    "json_extract(data, '$.first'), json_extract(data, '$.numbers[0]')) END",
}


def _title_now(backend: Backend) -> str:
    # Of another's todo, only while it is shared with me (the database
    # says so too on PostgreSQL).
    return (
        "(SELECT t.title FROM todos t WHERE t.user_id = COALESCE(events.owner_id, "
        f"events.user_id) AND t.number = {_FIRST_NUMBER[backend]} AND (t.user_id = {ME} "
        "OR t.id IN (SELECT todo_id FROM shared_todos WHERE grantee_name = :me)))"
    )


def _recent(
    session: Session,
    limit: int,
    *,
    not_undone: bool = False,
    lock: str = "",
    titles_now: bool = False,
    theirs: bool = False,
) -> list[Event]:
    """The user's events, newest first; theirs: with the changes others
    made to the user's todos."""
    pending = " AND undone_at IS NULL" if not_undone else ""
    now = f", {_title_now(session.backend)}" if titles_now else ""
    whose = f"(user_id = {ME} OR owner_id = {ME})" if theirs else f"user_id = {ME}"
    rows = session.execute(
        f"SELECT id, at, action, data, undone_at, owner_id{now} FROM events "
        f"WHERE {whose}{pending} ORDER BY id DESC LIMIT :limit{lock}",
        params={"limit": limit},
    ).all()
    return [journal.event(r, session) for r in rows]


def log(session: Session, *, limit: int = LOG_DEFAULT) -> list[Event]:
    """The user's most recent changes, newest first (undone ones included),
    each todo under the title it has now."""
    return _recent(session, limit, titles_now=True, theirs=True)


# --- undo ------------------------------------------------------------------------


def _columns() -> list[tuple[str, str | None]]:
    """A journaled row's columns, with PostgreSQL's type to cast the JSON
    text to (None: text, as it is)."""
    return [(n, None if k == "text" else k) for n, k in todo_columns.kinds().items()]


# An event an older todo wrote (before 0009) holds only the columns of
# todo_columns.FIRST_JOURNALED: undo of it leaves the later ones as they
# are (an insert, for rm: as a new todo has them).
_KNOWN = {
    "postgresql": "(CAST(r AS jsonb) ? 'every') AS known",
    "sqlite": "(json_type(value, '$.every') IS NOT NULL) AS known",
}


def _rows_query(backend: Backend, param: str) -> str:
    """The todo rows an event saved (values as the backend wrote them)."""
    if backend == "postgresql":
        cols = ", ".join(
            f"CAST(r ->> '{name}' AS {cast}) AS {name}" if cast else f"r ->> '{name}' AS {name}"
            for name, cast in _columns()
        )
        return (
            f"(SELECT {cols}, {_KNOWN[backend]} "
            f"FROM json_array_elements(CAST(:{param} AS json)) AS r)"
        )
    cols = ", ".join(f"json_extract(value, '$.{name}') AS {name}" for name, _ in _columns())
    return f"(SELECT {cols}, {_KNOWN[backend]} FROM json_each(:{param}))"


def _restored(name: str, *, kept: bool = True) -> str:
    """The value undo restores; kept: the todo is there, and keeps what an
    older todo's event does not know of."""
    if name not in todo_columns.later():
        return f"b.{name}"
    if kept:
        return f"CASE WHEN b.known THEN b.{name} ELSE todos.{name} END"
    return "COALESCE(b.continued, false)" if name == "continued" else f"b.{name}"


def _tags_table(backend: Backend, param: str) -> str:
    if backend == "postgresql":
        return (
            "(SELECT CAST(r ->> 'number' AS integer) AS number, "
            "json_array_elements_text(r -> 'tags') AS tag "
            f"FROM json_array_elements(CAST(:{param} AS json)) AS r) AS t"
        )
    return (
        "(SELECT json_extract(r.value, '$.number') AS number, g.value AS tag "
        f"FROM json_each(:{param}) AS r, json_each(json_extract(r.value, '$.tags')) AS g) AS t"
    )


def _owner(event: Event, k: int) -> str:
    """Whose todos the event changed, in SQL: mine, or (a change I made to
    another's todos) theirs, while they still share them with me to write."""
    return ME if event.owner_id is None else f"CAST(:owner_{k} AS bigint)"


def _still_shared(event: Event, alias: str = "todos") -> str:
    if event.owner_id is None:
        return ""
    return (
        f" AND {alias}.id IN (SELECT todo_id FROM shared_todos WHERE grantee_name = :me "
        "AND can_write)"
    )


def _added_by_me(event: Event) -> str:
    """Of another's todos, only those I added (a todo, a next one), while
    they are shared with me to write, are mine to take back."""
    if event.owner_id is None:
        return ""
    return " AND todos.added_by = :me" + _still_shared(event)


def _clear_tags(backend: Backend, event: Event, k: int) -> str:
    # Of another's todo, not the tags that share it with me: those are the
    # owner's to remove (their policy says so on PostgreSQL).
    theirs = (
        ""
        if event.owner_id is None
        else " AND todo_tags.tag NOT IN (SELECT s.tag FROM shared_todos s "
        "WHERE s.todo_id = todo_tags.todo_id AND s.grantee_name = :me)"
    )
    return (
        f"DELETE FROM todo_tags WHERE todo_id IN (SELECT id FROM todos WHERE "
        f"todos.user_id = {_owner(event, k)} AND {in_set(backend, 'number', f'numbers_{k}')}"
        f"{_still_shared(event)}){theirs}"
    )


def _insert_tags(backend: Backend, event: Event, k: int) -> str:
    # The saved rows drive the join, each finding its todo by number
    # (CROSS JOIN fixes that order on SQLite; see todos.add_many).
    return (
        f"INSERT INTO todo_tags (todo_id, tag) SELECT todos.id, t.tag FROM "
        f"{_tags_table(backend, f'rows_{k}')} CROSS JOIN todos "
        f"WHERE todos.user_id = {_owner(event, k)} AND todos.number = t.number "
        f"AND {in_set(backend, 'todos.number', f'numbers_{k}')}{_still_shared(event)} "
        # Tags still there are not inserted again: row-level security checks
        # even a row ON CONFLICT DO NOTHING skips, and a grantee may add no
        # tag to another's todo (alembic/versions/0011).
        "AND NOT EXISTS (SELECT 1 FROM todo_tags g WHERE g.todo_id = todos.id AND g.tag = t.tag) "
        "ON CONFLICT DO NOTHING"
    )


def _reverse(backend: Backend, event: Event, k: int) -> list[str]:
    """The statements that put the todos back as they were before `event`."""
    made = (
        [
            f"DELETE FROM todos WHERE todos.user_id = {_owner(event, k)} "
            f"AND {in_set(backend, 'number', f'created_{k}')}{_added_by_me(event)}"
        ]
        if event.created
        else []
    )
    return made + _restore(backend, event, k)


def _restore(backend: Backend, event: Event, k: int) -> list[str]:
    owner = _owner(event, k)
    if event.action in ("add", "import"):
        return [
            f"DELETE FROM todos WHERE todos.user_id = {owner} "
            f"AND {in_set(backend, 'number', f'numbers_{k}')}{_added_by_me(event)}"
        ]
    if event.action == "rm":
        names = ", ".join(name for name, _ in _columns())
        return [
            f"INSERT INTO todos (user_id, {names}) SELECT users.id, "
            + ", ".join(_restored(name, kept=False) for name, _ in _columns())
            + f" FROM users, {_rows_query(backend, f'rows_{k}')} AS b WHERE users.name = :me",
            _insert_tags(backend, event, k),
        ]
    sets = ", ".join(f"{name} = {_restored(name)}" for name, _ in _columns() if name != "number")
    return [
        _clear_tags(backend, event, k),
        # Materialised, so SQLite joins through an automatic index on b.number
        # instead of reading the JSON again for every todo.
        # The list of numbers makes the todos an index range, not every
        # todo of the user hashed against the saved rows.
        f"WITH b AS MATERIALIZED {_rows_query(backend, f'rows_{k}')} "
        f"UPDATE todos SET {sets} FROM b WHERE todos.user_id = {owner} "
        f"AND todos.number = b.number AND {in_set(backend, 'todos.number', f'numbers_{k}')}"
        f"{_still_shared(event)}",
        _insert_tags(backend, event, k),
    ]


Key = tuple[int | None, int]  # (the owner's id, None for mine; the number)


def _check(events: Sequence[Event], versions: dict[Key, int]) -> None:
    """Replay the undo on the versions read: raise before anything is written."""
    state = dict(versions)
    for event in events:
        whose = event.owner_id
        for n in event.created:  # the next instances a done or rm made
            if (whose, n) not in state:
                continue  # removed since: nothing to take back
            if state.pop((whose, n)) != 1:
                _conflict(event, n, "it has changed since")
        if event.action in ("add", "import"):
            for n in event.numbers:
                if (whose, n) not in state:
                    _conflict(event, n, "it has been removed since")
                if state.pop((whose, n)) != 1:
                    _conflict(event, n, "it has changed since")
            continue
        for row in event.rows:
            n, before = int(row["number"]), int(row["version"])
            if event.action == "rm":
                if (whose, n) in state:  # numbers are never reused; only a bug gets here
                    _conflict(event, n, f"a todo numbered {n} exists again")
            elif state.get((whose, n)) != before + 1:
                gone = (whose, n) not in state
                why = "it has been removed since" if gone else "it has changed since"
                if gone and whose is not None:
                    why = "it has been removed or is no longer shared with you"
                _conflict(event, n, why)
            state[(whose, n)] = before


def _conflict(event: Event, number: int, why: str) -> None:
    name = event.label(number)
    raise UndoConflictError(
        f"cannot undo the {event.action} of todo {name} ({_when(event.at)}): {why}, on this "
        f"or another machine; nothing was undone (see: todo log, todo show {name})"
    )


def _when(value: datetime) -> str:
    return value.astimezone().strftime("%Y-%m-%d %H:%M")


def undo(session: Session, *, count: int = 1, expect: int | None = None) -> list[Event]:
    """Reverse the user's `count` most recent changes not yet undone, newest
    first, all or nothing (fewer than `count` left is refused too). Returns
    the events undone. expect: the newest must be that journal entry (a
    replayed offline undo means one change, never whatever is newest)."""
    backend = session.backend
    session.begin()
    lock = FOR_UPDATE[backend]
    events = _recent(session, count, not_undone=True, lock=lock)
    if not events:
        raise NotFoundError("nothing to undo (see: todo log)")
    if expect is not None and events[0].id != expect:
        raise UndoConflictError(
            f"a change was made since this machine was last online (#{events[0].id}, "
            f"not #{expect}): undo would take back another change than the one you meant"
        )
    if len(events) < count:
        left = "1 change is" if len(events) == 1 else f"{len(events)} changes are"
        raise NotFoundError(
            f"only {left} left to undo, not {count}; nothing was undone (see: todo log)"
        )
    for event in events:
        if event.unreadable:
            raise UndoConflictError(
                f"cannot undo change {event.id} ({_when(event.at)}): todo cannot read its "
                "journal entry; nothing was undone (see: todo log)"
            )
    _check(events, _versions(session, events, lock))
    statements: list[str] = []
    params: dict[str, Any] = {"ids": [e.id for e in events]}
    for k, event in enumerate(events):
        statements += _reverse(backend, event, k)
        params[f"numbers_{k}"] = list(event.numbers)
        params[f"created_{k}"] = list(event.created)
        params[f"rows_{k}"] = json.dumps(event.rows)
        if event.owner_id is not None:
            params[f"owner_{k}"] = event.owner_id
    statements.append(
        f"UPDATE events SET undone_at = :now WHERE user_id = {ME} AND {in_set(backend, 'id', 'ids')}"
    )
    session.execute_and_commit(*statements, params=params)
    # As they are now: undone, at this transaction's time.
    return [replace(e, undone_at=session.now) for e in events]


def _versions(session: Session, events: Sequence[Event], lock: str) -> dict[Key, int]:
    """The versions of every todo the events touched, mine and (changes I
    made to another's todos) theirs that they still share with me."""
    backend = session.backend
    owners = sorted({e.owner_id for e in events}, key=lambda o: -1 if o is None else o)
    terms = []
    params: dict[str, Any] = {}
    for k, owner in enumerate(owners):
        numbers = sorted(
            {n for e in events if e.owner_id == owner for n in (*e.numbers, *e.created)}
        )
        params[f"numbers_{k}"] = numbers
        which = in_set(backend, "todos.number", f"numbers_{k}")
        if owner is None:
            terms.append(f"(todos.user_id = {ME} AND {which})")
        else:
            params[f"owner_{k}"] = owner
            terms.append(
                f"(todos.user_id = CAST(:owner_{k} AS bigint) AND {which} AND todos.id IN "
                "(SELECT todo_id FROM shared_todos WHERE grantee_name = :me AND can_write))"
            )
    found = session.execute(
        f"SELECT CASE WHEN todos.user_id = {ME} THEN NULL ELSE todos.user_id END, "
        f"todos.number, todos.version FROM todos WHERE {' OR '.join(terms)}{lock}",
        params=params,
    ).all()
    return {(owner, number): version for owner, number, version in found}
