"""The todo operations. Keyword-only, session first; they return plain data
and raise domain errors. Nothing here knows about Typer or Rich.

Every statement names the current user through :me (db.Session refuses any
that does not). Where an operation needs several statements they go to
db.Session.execute together, which sends them to PostgreSQL as one message.
"""

from __future__ import annotations

import json
import re
import unicodedata
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import Boolean, Row
from sqlalchemy.types import TypeEngine

from todo_cli import events
from todo_cli.db import Session, json_values
from todo_cli.errors import ConcurrentChangeError, InvalidInputError, NotFoundError
from todo_cli.sqltypes import UTCDateTime

TITLE_MAX = 500  # characters, after trimming; mirrored by models.TITLE_MAX
NOTE_MAX = 10_000
PRIORITIES: Final = {"high": 1, "medium": 2, "low": 3}
_PRIORITY_NAMES = {v: k for k, v in PRIORITIES.items()}
_PRIORITY_ALIASES = {"h": "high", "m": "medium", "l": "low", "med": "medium"}
_TAG_RE = re.compile(r"[^\W\d_][\w.-]{0,63}|\d[\w.-]{0,63}")
_ME = "(SELECT id FROM users WHERE name = :me)"


class _Unset:
    """Marks an edit field that was not given (None means: clear it)."""


UNSET: Final = _Unset()


@dataclass(frozen=True)
class Todo:
    number: int
    title: str
    done: bool
    priority: str | None
    due: datetime | None
    tags: tuple[str, ...]
    note: str | None
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None


# --- rows -------------------------------------------------------------------------

_TAG_LIST = {
    "postgresql": "string_agg(g.tag, ',' ORDER BY g.tag)",
    "sqlite": "group_concat(g.tag, ',')",
}
_TYPES: dict[str, TypeEngine[Any]] = {
    "done": Boolean(),
    "due": UTCDateTime(),
    "created_at": UTCDateTime(),
    "updated_at": UTCDateTime(),
    "completed_at": UTCDateTime(),
}


def columns(session: Session) -> str:
    """The select list every query of todos uses (the table unaliased: todos)."""
    tags = f"(SELECT {_TAG_LIST[session.backend]} FROM todo_tags g WHERE g.todo_id = todos.id)"
    return (
        "todos.number, todos.title, todos.done, todos.priority, todos.due, "
        f"{tags} AS tags, todos.note, todos.created_at, todos.updated_at, todos.completed_at"
    )


def row_types() -> dict[str, TypeEngine[Any]]:
    return _TYPES


def to_todo(row: Row[Any]) -> Todo:
    m = row._mapping
    return Todo(
        number=m["number"],
        title=m["title"],
        done=m["done"],
        priority=_PRIORITY_NAMES.get(m["priority"]),
        due=m["due"],
        tags=tuple(sorted(m["tags"].split(","))) if m["tags"] else (),
        note=m["note"],
        created_at=m["created_at"],
        updated_at=m["updated_at"],
        completed_at=m["completed_at"],
    )


def _now() -> datetime:
    return datetime.now(UTC)


# --- input --------------------------------------------------------------------------


def _check_text(what: str, text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInputError(f"the {what} is not valid UTF-8 text") from None


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
    _check_text("title", title)
    bad = next((c for c in title if unicodedata.category(c) == "Cc"), None)
    if bad is not None:
        raise InvalidInputError(
            f"the title contains a control character (U+{ord(bad):04X}); "
            "titles are a single line of text"
        )
    return title


def clean_note(raw: str) -> str | None:
    """Free text (newlines allowed); empty clears the note."""
    note = raw.strip()
    if len(note) > NOTE_MAX:
        raise InvalidInputError(f"the note is {len(note)} characters; the limit is {NOTE_MAX}")
    _check_text("note", note)
    bad = next((c for c in note if unicodedata.category(c) == "Cc" and c not in "\n\t"), None)
    if bad is not None:
        raise InvalidInputError(f"the note contains a control character (U+{ord(bad):04X})")
    return note or None


def parse_priority(raw: str) -> str | None:
    """high/medium/low (or h/m/l); none or - clears."""
    word = raw.strip().lower()
    if word in ("none", "-", ""):
        return None
    word = _PRIORITY_ALIASES.get(word, word)
    if word not in PRIORITIES:
        raise InvalidInputError(f"unknown priority {raw!r}: use high, medium or low (h, m, l)")
    return word


def clean_tag(raw: str) -> str:
    tag = raw.strip().lstrip("+")
    if not _TAG_RE.fullmatch(tag):
        raise InvalidInputError(
            f"invalid tag {raw!r}: use up to 64 letters, digits, _ . or -, starting with a "
            "letter or digit"
        )
    return tag


# --- adding -------------------------------------------------------------------------


@dataclass(frozen=True)
class NewTodo:
    title: str
    priority: str | None = None
    due: datetime | None = None
    tags: tuple[str, ...] = ()
    note: str | None = None
    # Set by import to keep a todo's history; None means: now.
    done: bool = False
    created_at: datetime | None = None
    updated_at: datetime | None = None
    completed_at: datetime | None = None


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
PROPOSED_ROLE = {
    "postgresql": "CASE WHEN todo_is_person() THEN current_user END",
    "sqlite": "NULL",
}


def _json_time(session: Session, value: datetime | None) -> str | None:
    """A timestamp inside a JSON parameter, in the form the backend stores."""
    if value is None:
        return None
    utc = value.astimezone(UTC)
    if session.backend == "sqlite":  # what SQLAlchemy's SQLite DATETIME writes and reads
        return utc.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
    return utc.isoformat()


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
    call (a retry after a lost COMMIT) returns the todos the first call saved
    and changes nothing.

    numbers (import) gives each todo its number; the caller has checked, with
    the user's row locked, that all are above the user's last_number.
    """
    new = [*todos, *(NewTodo(t) for t in titles)]
    new = [replace(t, title=clean_title(t.title), tags=tuple(dict.fromkeys(t.tags))) for t in new]
    if not new:
        return []
    if len(new) > _BATCH_MAX:
        raise InvalidInputError(f"at most {_BATCH_MAX} todos at once; split the input")
    if request_ids is not None:
        rids = list(request_ids)
        assert len(rids) == len(new) and all(len(r) <= 32 for r in rids)
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
                "d": _json_time(session, t.due),
                "n": t.note,
                "g": list(t.tags),
                "x": t.done,
                "c": _json_time(session, t.created_at),
                "u": _json_time(session, t.updated_at),
                "f": _json_time(session, t.completed_at),
                "k": number,
            }
            for t, rid, number in zip(new, rids, kept, strict=True)
        ]
    )
    already = "EXISTS (SELECT 1 FROM todos t WHERE t.user_id = users.id AND t.request_id = :first)"
    rows = session.execute(
        # The proposed row must pass row-level security even when it only
        # bumps the counter: a per-user role proposes itself as db_role.
        f"INSERT INTO users (name, created_at, last_number, db_role) VALUES (:me, :now, :n, "
        f"{PROPOSED_ROLE[session.backend]}) "
        f"ON CONFLICT (name) DO UPDATE SET last_number = users.last_number + :n WHERE NOT {already}",
        *(
            [events.record_numbers(session, action, count=":n", condition=f"NOT {already}")]
            if action
            else []
        ),
        "INSERT INTO todos (user_id, number, title, done, priority, due, note, created_at, "
        "updated_at, completed_at, request_id) "
        "SELECT users.id, COALESCE(i.num, users.last_number - :n + i.ord), i.title, "
        "COALESCE(i.done, FALSE), "
        "i.priority, i.due, i.note, COALESCE(i.created_at, :now), COALESCE(i.updated_at, :now), "
        "CASE WHEN i.done THEN COALESCE(i.completed_at, i.updated_at, :now) END, i.rid "
        f"FROM users, {_ITEMS[session.backend]} WHERE users.name = :me AND NOT {already}",
        *(
            # The items drive the join (CROSS JOIN fixes the order on SQLite,
            # which otherwise reads the JSON once per todo of the user), each
            # finding its todo through the (user_id, request_id) index.
            [
                "INSERT INTO todo_tags (todo_id, tag) SELECT todos.id, n.tag "
                f"FROM {_ITEM_TAGS[session.backend]} CROSS JOIN todos "
                f"WHERE todos.user_id = {_ME} AND todos.request_id = n.rid ON CONFLICT DO NOTHING"
            ]
            if any(t.tags for t in new)
            else []
        ),
        f"SELECT {columns(session)} FROM todos WHERE user_id = {_ME} "
        f"AND request_id IN (SELECT i.rid FROM {_ITEMS[session.backend]}) ORDER BY number",
        params={
            "now": _now(),
            "n": bump,
            "items": items,
            "first": rids[0],
            "event_title": new[0].title,
        },
        columns=_TYPES,
    ).all()
    if len(rows) != len(new):
        # Some, not all, of the request ids were there already: another
        # command saved part of this batch at the same moment.
        raise ConcurrentChangeError(
            "another command saved some of these todos at the same time; nothing was added "
            "by this one: try again"
        )
    return [to_todo(r) for r in rows]


# --- changing -----------------------------------------------------------------------


def _select_numbers(session: Session) -> str:
    return f"SELECT {columns(session)} FROM todos WHERE user_id = {_ME} AND number IN :numbers"


_SET_DONE = {
    # A todo that was already done keeps its completion time, and vice versa.
    True: "done = TRUE, completed_at = CASE WHEN done THEN completed_at ELSE :now END, "
    "updated_at = CASE WHEN done THEN updated_at ELSE :now END, "
    "version = CASE WHEN done THEN version ELSE version + 1 END",
    False: "updated_at = CASE WHEN done THEN :now ELSE updated_at END, "
    "version = CASE WHEN done THEN version + 1 ELSE version END, "
    "done = FALSE, completed_at = NULL",
}
_CHANGES = {True: "todos.done = FALSE", False: "todos.done = TRUE"}


def _set_done(session: Session, numbers: Sequence[int], done: bool) -> list[tuple[Todo, bool]]:
    """All or nothing; (todo, changed) pairs in the order asked."""
    now = _now()
    rows = session.execute(
        *events.lock_rows(session, "todos.number IN :numbers"),
        events.record_before(
            session, "done" if done else "reopen", f"todos.number IN :numbers AND {_CHANGES[done]}"
        ),
        # Only the todos that change: each change moves version, and undo
        # relies on nothing else moving it (see alembic/versions/0007).
        f"UPDATE todos SET {_SET_DONE[done]} WHERE user_id = {_ME} AND number IN :numbers "
        f"AND {_CHANGES[done].replace('todos.', '')}",
        _select_numbers(session),
        params={"now": now, "numbers": _unique(numbers)},
        columns=_TYPES,
    ).all()
    return [(t, t.updated_at == now) for t in _in_order(numbers, [to_todo(r) for r in rows])]


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
    if title is not None and len(_unique(numbers)) > 1:
        raise InvalidInputError("--title changes one todo at a time")
    sets, params = (
        ["updated_at = :now", "version = version + 1"],
        {
            "now": _now(),
            "numbers": _unique(numbers),
        },
    )
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
    mine = f"SELECT id FROM todos WHERE user_id = {_ME} AND number IN :numbers"
    statements = [
        *events.lock_rows(session, "todos.number IN :numbers"),
        events.record_before(session, "edit", "todos.number IN :numbers"),
    ]
    if remove_tags:
        statements.append(
            f"DELETE FROM todo_tags WHERE tag IN :remove_tags AND todo_id IN ({mine})"
        )
        params["remove_tags"] = list(dict.fromkeys(remove_tags))
    if add_tags:
        statements.append(
            f"INSERT INTO todo_tags (todo_id, tag) SELECT todos.id, a.value FROM todos, "
            f"{json_values(session.backend, 'add_tags')} AS a WHERE todos.user_id = {_ME} "
            "AND todos.number IN :numbers ON CONFLICT DO NOTHING"
        )
        params["add_tags"] = json.dumps(list(dict.fromkeys(add_tags)))
    statements.append(
        f"UPDATE todos SET {', '.join(sets)} WHERE user_id = {_ME} AND number IN :numbers"
    )
    rows = session.execute(
        *statements, _select_numbers(session), params=params, columns=_TYPES
    ).all()
    return _in_order(numbers, [to_todo(r) for r in rows])


def remove(session: Session, *, numbers: Sequence[int]) -> list[Todo]:
    """Delete todos, all or nothing. Numbers are never reused afterwards."""
    before = None
    if session.backend == "sqlite":
        # SQLite cascades to todo_tags before RETURNING is computed, so read the
        # tags first (a local read; PostgreSQL still sees them in RETURNING).
        before = {t.number: t for t in find(session, numbers=numbers)}
    rows = session.execute(
        *events.lock_rows(session, "todos.number IN :numbers"),
        events.record_before(session, "rm", "todos.number IN :numbers"),
        f"DELETE FROM todos WHERE user_id = {_ME} AND number IN :numbers "
        f"RETURNING {columns(session)}",
        params={"numbers": _unique(numbers), "now": _now()},
        columns=_TYPES,
    ).all()
    removed = [to_todo(r) for r in rows]
    if before is not None:
        removed = [before.get(t.number, t) for t in removed]
    return _in_order(numbers, removed)


def find(session: Session, *, numbers: Sequence[int]) -> list[Todo]:
    """Look todos up by number (for showing what a command will touch)."""
    rows = session.execute(
        _select_numbers(session), params={"numbers": _unique(numbers)}, columns=_TYPES
    ).all()
    return _in_order(numbers, [to_todo(r) for r in rows])


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
