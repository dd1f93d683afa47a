"""The todo operations. Keyword-only, session first; they return plain data
and raise domain errors. Nothing here knows about Typer or Rich."""

from __future__ import annotations

import json
import unicodedata
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import Boolean, Row
from sqlalchemy.types import TypeEngine

from todo_cli.db import Session
from todo_cli.errors import InvalidInputError, NotFoundError
from todo_cli.sqltypes import UTCDateTime

TITLE_MAX = 500  # characters, after trimming; mirrored by models.TITLE_MAX
Status = Literal["open", "done", "all"]

_COLUMNS = "number, title, done, created_at, updated_at, completed_at"
_TYPES: dict[str, TypeEngine[Any]] = {
    "done": Boolean(),
    "created_at": UTCDateTime(),
    "updated_at": UTCDateTime(),
    "completed_at": UTCDateTime(),
}
_ME = "(SELECT id FROM users WHERE name = :me)"


@dataclass(frozen=True)
class Todo:
    number: int
    title: str
    done: bool
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None


_FIELDS = [f.strip() for f in _COLUMNS.split(",")]


def _todo(row: Row[Any]) -> Todo:
    mapping = row._mapping
    return Todo(**{f: mapping[f] for f in _FIELDS})


def _now() -> datetime:
    return datetime.now(UTC)


def clean_title(raw: str) -> str:
    """1-500 characters after trimming; never silently cut.

    Control characters (NUL, newlines, tabs, escapes) are refused: a title
    is one line, and plain output stays one todo per line.
    """
    title = raw.strip()
    if not title:
        raise InvalidInputError(
            "the title is empty; say what needs doing, e.g. todo add Call the bank"
        )
    if len(title) > TITLE_MAX:
        raise InvalidInputError(
            f"the title is {len(title)} characters; the limit is {TITLE_MAX}. "
            "Shorten it (nothing was saved)"
        )
    try:
        title.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInputError("the title is not valid UTF-8 text") from None
    bad = next((c for c in title if unicodedata.category(c) == "Cc"), None)
    if bad is not None:
        raise InvalidInputError(
            f"the title contains a control character (U+{ord(bad):04X}); "
            "titles are a single line of text"
        )
    return title


def add(session: Session, *, title: str, request_id: str | None = None) -> Todo:
    """Add one todo (see add_many)."""
    (todo,) = add_many(session, titles=[title], request_id=request_id)
    return todo


# The batch travels as one JSON parameter and is unpacked by the server:
# (title, request id, ordinal) per item, whatever the batch size.
_ITEMS = {
    "postgresql": (
        "(SELECT e.item ->> 't' AS title, e.item ->> 'r' AS rid, e.ord AS ord "
        "FROM json_array_elements(CAST(:items AS json)) WITH ORDINALITY AS e(item, ord)) AS i"
    ),
    "sqlite": (
        "(SELECT json_extract(value, '$.t') AS title, json_extract(value, '$.r') AS rid, "
        "key + 1 AS ord FROM json_each(:items)) AS i"
    ),
}
_BATCH_MAX = 999_999  # request ids carry a 6-digit ordinal


def add_many(
    session: Session, *, titles: Sequence[str], request_id: str | None = None
) -> list[Todo]:
    """Add todos in order, numbered consecutively; creates the user's row on
    their first write.

    Three statements whatever the batch size (bump the user's counter by n,
    insert every todo from one JSON parameter, read them back), which on
    PostgreSQL travel as one round trip. Each todo carries a request id
    derived from request_id, so repeating the call (a retry after a lost
    COMMIT) returns the todos the first call saved and changes nothing.
    """
    cleaned = [clean_title(t) for t in titles]
    if not cleaned:
        return []
    if len(cleaned) > _BATCH_MAX:
        raise InvalidInputError(f"at most {_BATCH_MAX} todos at once; split the input")
    prefix = (request_id or uuid.uuid4().hex)[:26]
    rids = [f"{prefix}{i:06d}" for i in range(1, len(cleaned) + 1)]
    items = json.dumps([{"t": t, "r": r} for t, r in zip(cleaned, rids, strict=True)])
    already = "EXISTS (SELECT 1 FROM todos t WHERE t.user_id = users.id AND t.request_id = :first)"
    rows = session.execute(
        "INSERT INTO users (name, created_at, last_number) VALUES (:me, :now, :n) "
        f"ON CONFLICT (name) DO UPDATE SET last_number = users.last_number + :n WHERE NOT {already}",
        "INSERT INTO todos (user_id, number, title, done, created_at, updated_at, request_id) "
        "SELECT users.id, users.last_number - :n + i.ord, i.title, FALSE, :now, :now, i.rid "
        f"FROM users, {_ITEMS[session.backend]} WHERE users.name = :me AND NOT {already}",
        f"SELECT {_COLUMNS} FROM todos WHERE user_id = {_ME} "
        "AND request_id BETWEEN :first AND :last ORDER BY number",
        params={
            "now": _now(),
            "n": len(cleaned),
            "items": items,
            "first": rids[0],
            "last": rids[-1],
        },
        columns=_TYPES,
    ).all()
    return [_todo(r) for r in rows]


_STATUS_FILTER = {"open": " AND done = FALSE", "done": " AND done = TRUE", "all": ""}


def list_todos(session: Session, *, status: Status = "open") -> list[Todo]:
    """Every matching todo, by number."""
    return list(iter_todos(session, status=status))


def page(session: Session, *, status: Status = "open", limit: int) -> tuple[list[Todo], int]:
    """The first `limit` todos by number, and how many match in all.

    The total comes from a scalar subquery in the same statement (an index
    scan, no rows fetched), so the cost stays flat as a user's list grows.
    """
    where = _STATUS_FILTER[status]
    total = f"(SELECT count(*) FROM todos WHERE user_id = {_ME}{where})"
    rows = session.execute(
        f"SELECT {_COLUMNS}, {total} AS total FROM todos WHERE user_id = {_ME}{where} "
        "ORDER BY number LIMIT :limit",
        params={"limit": limit},
        columns=_TYPES,
    ).all()
    if not rows:
        return [], 0
    return [_todo(r) for r in rows], int(rows[0].total)


def iter_todos(
    session: Session, *, status: Status = "open", limit: int | None = None, batch: int = 2000
) -> Iterator[Todo]:
    """Every matching todo by number, fetched in keyset-paged batches, so any
    number of rows streams in bounded memory: one round trip per batch, and
    a plain query each (no server-side cursor, which a pooler may not keep)."""
    where = _STATUS_FILTER[status]
    after, left = 0, limit
    while left is None or left > 0:
        size = batch if left is None else min(batch, left)
        rows = session.execute(
            f"SELECT {_COLUMNS} FROM todos WHERE user_id = {_ME}{where} AND number > :after "
            "ORDER BY number LIMIT :size",
            params={"after": after, "size": size},
            columns=_TYPES,
        ).all()
        for row in rows:
            yield _todo(row)
        if len(rows) < size:
            return
        after = rows[-1].number
        if left is not None:
            left -= len(rows)


def complete(session: Session, *, numbers: Sequence[int]) -> list[tuple[Todo, bool]]:
    """Mark todos done, all or nothing. Returns (todo, newly_completed) pairs
    in the order asked; a todo that was already done keeps its completion time."""
    now = _now()
    rows = session.execute(
        "UPDATE todos SET done = TRUE, "
        "completed_at = CASE WHEN done THEN completed_at ELSE :now END, "
        "updated_at = CASE WHEN done THEN updated_at ELSE :now END "
        f"WHERE user_id = {_ME} AND number IN :numbers RETURNING {_COLUMNS}",
        params={"now": now, "numbers": _unique(numbers)},
        columns=_TYPES,
    ).all()
    todos = _in_order(numbers, [_todo(r) for r in rows])
    return [(t, t.completed_at == now) for t in todos]


def remove(session: Session, *, numbers: Sequence[int]) -> list[Todo]:
    """Delete todos, all or nothing. Numbers are never reused afterwards."""
    rows = session.execute(
        f"DELETE FROM todos WHERE user_id = {_ME} AND number IN :numbers RETURNING {_COLUMNS}",
        params={"numbers": _unique(numbers)},
        columns=_TYPES,
    ).all()
    return _in_order(numbers, [_todo(r) for r in rows])


def _unique(numbers: Iterable[int]) -> list[int]:
    return list(dict.fromkeys(numbers))


def _in_order(asked: Sequence[int], found: list[Todo]) -> list[Todo]:
    """Raise (so the caller's transaction rolls back) unless every number was found."""
    by_number = {t.number: t for t in found}
    missing = [n for n in _unique(asked) if n not in by_number]
    if missing:
        listed = ", ".join(str(n) for n in missing)
        plural = "s" if len(missing) > 1 else ""
        raise NotFoundError(
            f"no todo{plural} numbered {listed}; nothing was changed (see: todo list --all)"
        )
    return [by_number[n] for n in _unique(asked)]


def find(session: Session, *, numbers: Sequence[int]) -> list[Todo]:
    """Look todos up by number (for showing what a command will touch)."""
    rows = session.execute(
        f"SELECT {_COLUMNS} FROM todos WHERE user_id = {_ME} AND number IN :numbers",
        params={"numbers": _unique(numbers)},
        columns=_TYPES,
    ).all()
    return _in_order(numbers, [_todo(r) for r in rows])
