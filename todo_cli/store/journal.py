"""A journal entry read back, whoever wrote it.

events.data is JSON text in the shapes events.py writes, but an older or
newer `todo`, another user's client or raw SQL may have written anything
there: text that is not JSON, a list for an object, a number as a string,
a key missing. The readers (`todo log`, `todo stats`, `todo undo`) never
fail on such a row: it reads as an entry todo cannot read, which log shows
as one line, stats counts as nothing, and undo refuses.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import UTC, datetime

from todo_cli.classes import dataclass
from todo_cli.store import todo_columns
from todo_cli.store.session import Session
from todo_cli.todo import Event

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

ACTIONS = frozenset({"add", "import", "edit", "done", "reopen", "rm"})
# A todo number as the database holds it (bigint), and the most numbers one
# add may span: a first and last further apart are not an add todo made,
# and would cost memory to list.
_NUMBER_MAX = 2**63 - 1
_SPAN_MAX = 1_000_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# How each column of a saved todo row may look (undo hands them to the
# database, which would fail on anything else).
_TIMESTAMP = r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}(:?\d{2})?)?"


class Unreadable(ValueError):
    """events.data is not a shape events.py writes."""


def event(row: Sequence[Any], session: Session) -> Event:
    """The Event of a row (id, at, action, data, undone_at, owner_id[,
    title now]); one that cannot be read is marked so, never an error."""
    event_id, at, action, _data, undone_at, _owner_id, *now = row
    try:
        return _event(row[:6], session, now)
    except (ValueError, TypeError, KeyError, OverflowError):
        return Event(
            event_id,
            _time(session, at) or _EPOCH,
            str(action),
            (),
            (),
            _time(session, undone_at),
            unreadable=True,
        )


def _time(session: Session, value: Any) -> datetime | None:
    # SQLite holds whatever text was written.
    try:
        result: datetime | None = session.time(value)
        return result
    except (ValueError, TypeError):
        return _EPOCH


@dataclass(frozen=True)
class _Entry:
    rows: list[dict[str, Any]]
    numbers: tuple[int, ...]
    titles: tuple[str, ...]
    created: tuple[int, ...]
    owner: str | None
    by: str | None
    made_done: frozenset[int] = frozenset()  # an import's todos made done


def _read(action: Any, raw: Any) -> _Entry:
    """events.data checked against the shapes events.py writes (raises
    when it is not one of them)."""
    if action not in ACTIONS:
        raise Unreadable(action)
    data = _object(json.loads(raw))
    rows: list[dict[str, Any]] = []
    if "todos" in data:
        rows = sorted((_todo_row(r) for r in _list(data["todos"])), key=lambda r: r["number"])
        numbers = tuple(r["number"] for r in rows)
        titles = tuple(r["title"] for r in rows)
    else:
        if "numbers" in data:
            numbers = tuple(sorted(_number(n) for n in _list(data["numbers"])))
        else:
            first, last = _number(data["first"]), _number(data["last"])
            if not 0 <= last - first < _SPAN_MAX:
                raise Unreadable("first and last")
            numbers = tuple(range(first, last + 1))
        titles = (_text(data["title"]),)
    if not numbers:
        raise Unreadable("no todos")
    created = tuple(sorted(_number(n) for n in _list(data.get("created") or [])))
    try:  # a count for stats only: a malformed list counts none as done
        made_done = frozenset(_number(n) for n in _list(data.get("done") or [])) & set(numbers)
    except Unreadable:
        made_done = frozenset()
    return _Entry(
        rows, numbers, titles, created, _name(data.get("owner")), _name(data.get("by")), made_done
    )


def _event(row: Sequence[Any], session: Session, now: list[Any]) -> Event:
    event_id, at, action, raw, undone_at, owner_id = row
    entry = _read(action, raw)
    by = entry.by
    title_now = now[0] if now and len(entry.numbers) == 1 and isinstance(now[0], str) else None
    return Event(
        event_id,
        session.time(at),
        action,
        entry.numbers,
        entry.titles,
        session.time(undone_at),
        entry.rows,
        title_now,
        entry.created,
        owner_id,
        # Of a change to another's todos: their name to the one who made
        # it, and who made it to the owner.
        entry.owner if by == session.user else None,
        by if by not in (None, session.user) else None,
    )


def _object(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise Unreadable("not an object")
    return value


def _list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise Unreadable("not a list")
    return value


def _number(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= _NUMBER_MAX:
        raise Unreadable("not a todo number")
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise Unreadable("not text")
    return value


def _name(value: Any) -> str | None:
    return None if value is None else _text(value)


def _todo_row(value: Any) -> dict[str, Any]:
    """A saved todo row, its columns of the types undo writes back."""
    row = _object(value)
    _number(row["number"])
    kinds = todo_columns.kinds()
    of: dict[str, list[str]] = {"integer": [], "smallint": [], "boolean": [], "text": []}
    for n, k in kinds.items():
        of.setdefault(k, []).append(n)
    for name in of["integer"] + of["smallint"]:
        v = row.get(name) if name != "version" else row["version"]
        if (v is not None or name == "version") and (
            isinstance(v, bool) or not isinstance(v, int) or abs(v) > 2**31
        ):
            raise Unreadable(name)
    for name in of["boolean"]:
        v = row.get(name)
        if v is not None and not isinstance(v, bool | int):
            raise Unreadable(name)
    _text(row["title"])
    for name in of["text"]:
        if row.get(name) is not None:
            _text(row[name])
    for name in of.get("timestamptz", []):
        v = row.get(name)
        if v is not None and not re.fullmatch(_TIMESTAMP, _text(v)):
            raise Unreadable(name)
    if not all(isinstance(t, str) for t in _list(row.get("tags", []))):
        raise Unreadable("tags")
    return row


def open_delta(action: str, raw: Any) -> int:
    """How a change moved the number of open todos (events.py's shapes);
    an entry that cannot be read moved nothing."""
    try:
        entry = _read(action, raw)
    except (ValueError, TypeError, KeyError, OverflowError):
        return 0
    made = len(entry.created)
    if action in ("add", "import"):
        return len(entry.numbers) - len(entry.made_done)
    if action == "done":
        return -len(entry.rows) + made
    if action == "reopen":
        return len(entry.rows)
    if action == "rm":
        return -sum(1 for r in entry.rows if not r.get("done")) + made
    return 0
