"""CSV, for spreadsheets (export only): one header row, then one row per
todo (RFC 4180: CRLF rows, quotes where needed)."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import TextIO

from todo_cli.shapes import iso
from todo_cli.todo import Todo

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
)


def write(todos: Iterable[Todo], out: TextIO) -> int:
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
                iso(todo.due) or "",
                " ".join(todo.tags),
                todo.note or "",
                iso(todo.created_at),
                iso(todo.updated_at),
                iso(todo.completed_at) or "",
            ]
        )
        count += 1
    return count
