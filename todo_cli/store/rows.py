"""A row of `todos` as the store selects it, and back into a todo.

columns() is the select list of every query of todos; to_todo() reads it.
A long JSON listing selects text_columns() instead, and to_todo_text()
keeps the timestamps as the ISO text the JSON shape writes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from todo_cli.shapes import TodoText
from todo_cli.store.sql import MINE, Backend, Scope
from todo_cli.todo import PRIORITY_NAMES, Todo

_TAG_LIST = {
    "postgresql": "string_agg(g.tag, ',' ORDER BY g.tag)",
    "sqlite": "group_concat(g.tag, ',')",
}


_RECURRENCE = "todos.every, todos.until, todos.wait, todos.wait_lead, todos.anchor, todos.clock"
# How many columns columns() selects: a query may add its own after them.
WIDTH = 17
# The owner's name of a todo shared with me, whoever's it is (list --shared).
SHARER = (
    "(SELECT max(s.owner_name) FROM shares s WHERE s.owner_id = todos.user_id "
    "AND s.grantee_name = :me)"
)


def owner(scope: Scope | None) -> str:
    """The owner's name: mine, the scope's, or (None) each todo's sharer."""
    if scope is None:
        return SHARER
    return "CAST(:owner AS text)" if scope.owner_name else "CAST(:me AS text)"


def columns(backend: Backend, scope: Scope | None = MINE) -> str:
    """The select list of every query of todos (the table unaliased: todos),
    in the order to_todo() reads."""
    tags = f"(SELECT {_TAG_LIST[backend]} FROM todo_tags g WHERE g.todo_id = todos.id)"
    return (
        "todos.number, todos.title, todos.done, todos.priority, todos.due, "
        f"{tags} AS tags, todos.note, todos.created_at, todos.updated_at, todos.completed_at, "
        + _RECURRENCE
        + f", {owner(scope)}"
    )


# PostgreSQL formats a timestamp as the JSON shape has it (ISO 8601 in UTC
# with microseconds) itself; SQLite's stored text needs only a T and a Z,
# which Python adds quicker than SQLite's string functions do.
_PG_ISO = "to_char({0} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"


def text_columns(backend: Backend, scope: Scope | None = MINE) -> str:
    """columns(), with the timestamps ready to become ISO text, and only
    what the JSON shape writes (to_todo_text)."""
    tags = f"(SELECT {_TAG_LIST[backend]} FROM todo_tags g WHERE g.todo_id = todos.id)"
    if backend == "sqlite":
        return (
            "todos.number, todos.title, todos.done, todos.priority, todos.due, "
            f"{tags} AS tags, todos.note, todos.created_at, todos.updated_at, "
            "todos.completed_at, todos.every, todos.until, todos.wait, todos.wait_lead, "
            f"{owner(scope)}"
        )
    iso = _PG_ISO.format
    return (
        f"todos.number, todos.title, todos.done, todos.priority, {iso('todos.due')}, "
        f"{tags} AS tags, todos.note, {iso('todos.created_at')}, "
        f"{iso('todos.updated_at')}, {iso('todos.completed_at')}, todos.every, "
        f"{iso('todos.until')}, {iso('todos.wait')}, todos.wait_lead, {owner(scope)}"
    )


def _sqlite_iso(stored: str | None) -> str | None:
    """'2026-11-25 09:12:00.123456' -> '2026-11-25T09:12:00.123456Z' (a
    value written without microseconds gets them, as on PostgreSQL)."""
    if stored is None:
        return None
    text = stored.replace(" ", "T")
    return text + "Z" if len(text) == 26 else text + ".000000Z"


def to_todo_text(backend: Backend) -> Callable[[Sequence[Any]], TodoText]:
    """A row of text_columns() as a TodoText (100,000 of them for a long
    listing: the SQLite conversions are inlined for that)."""
    sqlite = backend == "sqlite"
    convert = _sqlite_iso

    def text(row: Sequence[Any]) -> TodoText:
        (number, title, done, priority, due, tags, note, created, updated, completed,
         every, until, wait, lead, who) = row  # fmt: skip
        if sqlite:
            if due is not None:
                due = convert(due)
            created = created.replace(" ", "T") + ("Z" if len(created) == 26 else ".000000Z")
            updated = updated.replace(" ", "T") + ("Z" if len(updated) == 26 else ".000000Z")
            if completed is not None:
                completed = convert(completed)
            if until is not None or wait is not None:
                until, wait = convert(until), convert(wait)
        return TodoText(
            number,
            title,
            bool(done),
            PRIORITY_NAMES.get(priority),
            due,
            tuple(sorted(tags.split(","))) if tags else (),
            note,
            created,
            updated,
            completed,
            every,
            until,
            wait,
            lead,
            who,
        )

    return text


def to_todo(row: Sequence[Any], time: Callable[[Any], Any]) -> Todo:
    number, title, done, priority, due, tags, note, created, updated, completed = row[:10]
    every, until, wait, lead, anchor, clock = row[10:16]
    return Todo(
        number,
        title,
        bool(done),
        PRIORITY_NAMES.get(priority),
        time(due),
        tuple(sorted(tags.split(","))) if tags else (),
        note,
        time(created),
        time(updated),
        time(completed),
        every,
        time(until),
        time(wait),
        lead,
        anchor,
        clock,
        row[16],
    )
