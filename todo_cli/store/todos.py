"""Adding todos, and finding them by number (changes.py changes them).

Keyword-only, session first; they return plain data (todo.Todo) and raise
domain errors. Every statement names the current user through :me, and the
statements of an operation go to Session.execute together: on PostgreSQL
one message, one round trip, journal included (events.py).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime

from todo_cli.classes import replace
from todo_cli.dates import end_of_day
from todo_cli.errors import (
    ConcurrentChangeError,
    InvalidInputError,
    NotFoundError,
    missing_numbers,
)
from todo_cli.store import events, todo_columns
from todo_cli.store.ids import uuid4_hex
from todo_cli.store.rows import columns, to_todo
from todo_cli.store.session import Session
from todo_cli.store.sql import ME, MINE, Scope, in_set, sqlite_time, whose
from todo_cli.todo import PRIORITIES, NewTodo, Todo, clean_title

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from todo_cli.store.sql import Backend

# --- adding -------------------------------------------------------------------------

# The batch travels as one JSON parameter that the server unpacks: an
# object per todo, each value under the name of the column it fills (a
# column of todo_columns), its tags under "tags", its place in the batch
# its ord. items() (per backend) unpacks every column there is.
_NOT_CARRIED = frozenset({"version"})  # a new todo's is the column's default


def _carried() -> list[tuple[str, str]]:
    return [(n, k) for n, k in todo_columns.kinds().items() if n not in _NOT_CARRIED]


def items(backend: Backend) -> str:
    """The items of :items as a table (i): every carried column, and ord."""
    if backend == "postgresql":
        values = ", ".join(
            f"e.item ->> '{n}' AS {n}" if k == "text" else f"CAST(e.item ->> '{n}' AS {k}) AS {n}"
            for n, k in _carried()
        )
        return (
            f"(SELECT {values}, e.ord AS ord "
            "FROM json_array_elements(CAST(:items AS json)) WITH ORDINALITY AS e(item, ord)) AS i"
        )
    values = ", ".join(f"json_extract(value, '$.{n}') AS {n}" for n, _ in _carried())
    return f"(SELECT {values}, key + 1 AS ord FROM json_each(:items)) AS i"


ITEM_TAGS = {
    "postgresql": (
        "(SELECT e.item ->> 'request_id' AS request_id, "
        "json_array_elements_text(e.item -> 'tags') AS tag "
        "FROM json_array_elements(CAST(:items AS json)) AS e(item)) AS n"
    ),
    "sqlite": (
        "(SELECT json_extract(e.value, '$.request_id') AS request_id, g.value AS tag "
        "FROM json_each(:items) AS e, json_each(json_extract(e.value, '$.tags')) AS g) AS n"
    ),
}
_BATCH_MAX = 999_999  # request ids carry a 6-digit ordinal
# The proposed users row must pass row-level security even when it only
# bumps the counter: a per-user role proposes itself as db_role.
PROPOSED_ROLE = {
    "postgresql": "CASE WHEN todo_is_person() THEN session_user END",
    "sqlite": "NULL",
}


def _json_time(backend: Backend, value: datetime | None) -> str | None:
    """A timestamp inside a JSON parameter, in the form the backend stores."""
    if value is None:
        return None
    return sqlite_time(value) if backend == "sqlite" else value.astimezone(UTC).isoformat()


def _repeating(todo: NewTodo) -> dict[str, Any]:
    """What a recurring todo on its way in gets from its due: a new series,
    keeping the day of the month and the time of day of its first due."""
    due = todo.due
    if not (due and todo.every):
        return {}
    from todo_cli.recurrence import anchor_and_clock

    day, time_of_day = anchor_and_clock(due)
    return {
        "anchor": todo.anchor or day,
        "clock": time_of_day if todo.clock is None else todo.clock,
        "series": uuid4_hex(),
    }


def _item(backend: Backend, todo: NewTodo, request_id: str, number: int | None) -> dict[str, Any]:
    """One todo of the batch: its fields under their column's names, the
    ones it has (a missing key reads as NULL)."""
    item: dict[str, Any] = {"request_id": request_id, "number": number}
    for name, value in todo.stored().items():
        if name == "tags":
            item[name] = list(value)
        elif name == "priority":
            item[name] = PRIORITIES[value] if value else None
        elif isinstance(value, datetime):
            item[name] = _json_time(backend, value)
        elif value is not None and value is not False:
            item[name] = value
    item.update(_repeating(todo))
    return item


# What a todo that arrives without them gets (add_many, sharing.add_to).
_DEFAULTS = {
    "done": "COALESCE(i.done, false)",
    "created_at": "COALESCE(i.created_at, :now)",
    "updated_at": "COALESCE(i.updated_at, :now)",
    "completed_at": "CASE WHEN i.done THEN COALESCE(i.completed_at, i.updated_at, :now) END",
    "continued": "COALESCE(i.continued, false)",
}


def inserted() -> str:
    """The columns add_many and sharing.add_to insert, after user_id and number."""
    return "user_id, number, " + ", ".join(n for n, _ in _carried() if n != "number")


def item_values() -> str:
    """The values of inserted()'s columns after user_id and number, from items()."""
    return ", ".join(_DEFAULTS.get(n, f"i.{n}") for n, _ in _carried() if n != "number")


def prepared(session: Session, new: Sequence[NewTodo]) -> list[NewTodo]:
    """Todos on their way in, checked: titles cleaned, tags once, a
    repeating todo's due by the end of today when it has none."""
    ready = [
        replace(
            t,
            title=clean_title(t.title),
            tags=tuple(dict.fromkeys(t.tags)),
            due=t.due or (end_of_day(session.now) if t.every else None),
        )
        for t in new
    ]
    if len(ready) > _BATCH_MAX:
        raise InvalidInputError(f"at most {_BATCH_MAX} todos at once; split the input")
    return ready


def items_json(
    backend: Backend, new: Sequence[NewTodo], rids: Sequence[str], kept: Sequence[int | None]
) -> str:
    """The batch as the one JSON parameter the server unpacks (items())."""
    return json.dumps(
        [_item(backend, t, rid, number) for t, rid, number in zip(new, rids, kept, strict=True)]
    )


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
    new = prepared(session, [*todos, *(NewTodo(t) for t in titles)])
    if not new:
        return []
    if request_ids is not None:
        rids = list(request_ids)
        assert len(rids) == len(new)
        assert all(len(r) <= 32 for r in rids)
    else:
        prefix = (request_id or uuid4_hex())[:26]
        rids = [f"{prefix}{i:06d}" for i in range(1, len(new) + 1)]
    kept = list(numbers) if numbers is not None else [None] * len(new)
    # With numbers given, the counter moves up to the highest of them.
    bump = max(0, max(numbers) - last_number) if numbers else len(new)
    batch = items_json(backend, new, rids, kept)
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
        f"INSERT INTO todos ({inserted()}) "
        f"SELECT users.id, COALESCE(i.number, users.last_number - :n + i.ord), {item_values()} "
        f"FROM users, {items(backend)} WHERE users.name = :me AND NOT {already}",
        *(
            # The items drive the join (CROSS JOIN fixes the order on SQLite,
            # which otherwise reads the JSON once per todo of the user), each
            # finding its todo through the (user_id, request_id) index; the
            # list of request ids keeps PostgreSQL from hashing every todo
            # of the user instead.
            [
                "INSERT INTO todo_tags (todo_id, tag) SELECT todos.id, n.tag "
                f"FROM {ITEM_TAGS[backend]} CROSS JOIN todos "
                f"WHERE todos.user_id = {ME} AND todos.request_id = n.request_id "
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
            "items": batch,
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


# --- todos by number ------------------------------------------------------------


def select_numbers(backend: Backend, scope: Scope = MINE) -> str:
    return (
        f"SELECT {columns(backend, scope)} FROM todos WHERE todos.user_id = {scope.owner} "
        f"AND {in_set(backend, 'todos.number', 'numbers')}{scope.only()}"
    )


def find(session: Session, *, numbers: Sequence[int], owner: str | None = None) -> list[Todo]:
    """Look todos up by number (show, and what rm will touch): mine, or
    owner's shared with me."""
    return lookup(session, numbers, changing=False, scope=whose(owner, write=False))


def lookup(
    session: Session, numbers: Sequence[int], *, changing: bool, scope: Scope = MINE
) -> list[Todo]:
    rows = session.execute(
        select_numbers(session.backend, scope),
        params={"numbers": unique(numbers), **scope.params},
    ).all()
    todos = [to_todo(r, session.time) for r in rows]
    return in_order(numbers, todos, changing=changing, owner=scope.owner_name)


def me_row(backend: Backend) -> str:
    """The user's row, made if this is their first write (a change to
    another's todo journals it as theirs)."""
    return (
        "INSERT INTO users (name, created_at, last_number, db_role) VALUES (:me, :now, 0, "
        f"{PROPOSED_ROLE[backend]}) ON CONFLICT (name) DO NOTHING"
    )


def guard(backend: Backend, which: str, scope: Scope = MINE) -> list[str]:
    """The statements that open a change of the todos numbered :numbers:
    lock them (PostgreSQL), and stop the whole message unless every one is
    the scope's (alembic/versions/0008): all or nothing, inside the message
    that commits. On SQLite the client checks before it commits. Another's
    todos: the user's row first."""
    mine = [me_row(backend)] if scope.owner_name else []
    if backend != "postgresql":
        return mine
    numbers = "CAST(:numbers AS integer[])"
    return [
        *mine,
        *events.lock_rows(backend, which, owner=scope.owner),
        f"SELECT todo_require_numbers({numbers}, ARRAY(SELECT number FROM todos "
        f"WHERE todos.user_id = {scope.owner} AND number = ANY({numbers}){scope.only()}))",
    ]


@contextlib.contextmanager
def named(scope: Scope) -> Iterator[None]:
    """Missing numbers of another's todos named as alice/3."""
    try:
        yield
    except NotFoundError as exc:
        if scope.owner_name and exc.numbers:
            raise missing_numbers(exc.numbers, owner=scope.owner_name) from None
        raise


def unique(numbers: Iterable[int]) -> list[int]:
    return list(dict.fromkeys(numbers))


def in_order(
    asked: Sequence[int], found: list[Todo], *, changing: bool = True, owner: str | None = None
) -> list[Todo]:
    """Raise (so the caller's transaction rolls back) unless every number was found."""
    by_number = {t.number: t for t in found}
    missing = [n for n in unique(asked) if n not in by_number]
    if missing:
        raise missing_numbers(missing, changing=changing, owner=owner)
    return [by_number[n] for n in unique(asked)]
