"""CSV, for spreadsheets (export only): one header row, then one row per
todo (RFC 4180: CRLF rows, quotes where needed)."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any, TextIO

from todo_cli.shapes import todo_dict
from todo_cli.todo import Todo, TodoText

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


def _cell(value: Any) -> Any:
    """A value of the JSON shape as a cell: empty for null, true/false,
    tags separated by spaces."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return " ".join(value)
    return value


def write(todos: Iterable[Todo | TodoText], out: TextIO) -> int:
    # Cells are written as they are: no "'" before a leading = + - @, which
    # would change the data for every program that is not a spreadsheet.
    writer = csv.writer(out)
    writer.writerow(HEADER)
    count = 0
    for todo in todos:
        # The columns are keys of the JSON shape, and hold the same values.
        shape = todo_dict(todo)
        writer.writerow([_cell(shape[key]) for key in HEADER])
        count += 1
    return count
