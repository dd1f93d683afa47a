"""CSV, for spreadsheets (export only): one header row, then one row per
todo (RFC 4180: CRLF rows, quotes where needed)."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from datetime import datetime
from typing import TextIO

from todo_cli.shapes import TodoText, iso
from todo_cli.todo import Todo, lead_text

HEADER = (
    "number",
    "title",
    "done",
    "priority",
    "due",
    "tags",
    "note",
    "created_at",
    "updated_at",
    "completed_at",
    "every",
    "until",
    "wait",
    "wait_before",
)


def _text(value: datetime | str | None) -> str:
    return (iso(value) if isinstance(value, datetime) else value) or ""


def write(todos: Iterable[Todo | TodoText], out: TextIO) -> int:
    # Cells are written as they are: no "'" before a leading = + - @, which
    # would change the data for every program that is not a spreadsheet.
    writer = csv.writer(out)
    writer.writerow(HEADER)
    count = 0
    for todo in todos:
        writer.writerow(
            [
                todo.number,
                todo.title,
                "true" if todo.done else "false",
                todo.priority or "",
                _text(todo.due),
                " ".join(todo.tags),
                todo.note or "",
                _text(todo.created_at),
                _text(todo.updated_at),
                _text(todo.completed_at),
                todo.every or "",
                _text(todo.until),
                _text(todo.wait),
                lead_text(todo.wait_lead) if todo.wait_lead else "",
            ]
        )
        count += 1
    return count
