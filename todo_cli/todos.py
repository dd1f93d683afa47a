"""The todo operations. Keyword-only, session first; they return plain data
and raise domain errors. Nothing here knows about Typer or Rich."""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Iterable, Sequence
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


def _todo(row: Row[Any]) -> Todo:
    return Todo(**row._asdict())


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
    """Add a todo; creates the user's row on their first write.

    The counter bump, the insert and the read-back travel together, so on
    PostgreSQL the whole add is one round trip inside the transaction. With a
    request_id, repeating the call (a retry after a lost COMMIT) returns the
    todo the first call saved and changes nothing.
    """
    now = _now()
    rid = request_id or uuid.uuid4().hex
    already = "EXISTS (SELECT 1 FROM todos t WHERE t.user_id = users.id AND t.request_id = :rid)"
    row = session.execute(
        "INSERT INTO users (name, created_at, last_number) VALUES (:me, :now, 1) "
        f"ON CONFLICT (name) DO UPDATE SET last_number = users.last_number + 1 WHERE NOT {already}",
        "INSERT INTO todos (user_id, number, title, done, created_at, updated_at, request_id) "
        "SELECT id, last_number, :title, FALSE, :now, :now, :rid FROM users "
        f"WHERE name = :me AND NOT {already}",
        f"SELECT {_COLUMNS} FROM todos WHERE user_id = {_ME} AND request_id = :rid",
        params={"now": now, "title": clean_title(title), "rid": rid},
        columns=_TYPES,
    ).one()
    return _todo(row)


def list_todos(session: Session, *, status: Status = "open") -> list[Todo]:
    where = {"open": " AND done = FALSE", "done": " AND done = TRUE", "all": ""}[status]
    rows = session.execute(
        f"SELECT {_COLUMNS} FROM todos WHERE user_id = {_ME}{where} ORDER BY number",
        columns=_TYPES,
    )
    return [_todo(r) for r in rows]


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
