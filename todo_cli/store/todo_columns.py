"""The columns of `todos` and their kinds, read from the schema at head
(store/sqlite.sql), for the statements that handle a todo's row as a
whole: the batch an add or an import sends (todos.py), the row a change
journals (events.py), the checks on a journaled row (journal.py), and
undo's restoring it (history.py).

So a column added by a migration (and so to sqlite.sql) is carried,
journaled and restored with no edit to those modules. Kinds come from the
SQLite column types, which the migrations write as SQLAlchemy renders the
models (tests/unit/test_todo_columns.py checks them against models.py).
"""

from __future__ import annotations

import functools
import re

from todo_cli.store.revision import sqlite_sql

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Final

# SQLite's column type -> the kind of value, and PostgreSQL's cast for it.
_KINDS: Final = {
    "INTEGER": "integer",
    "SMALLINT": "smallint",
    "BOOLEAN": "boolean",
    "DATETIME": "timestamptz",
    "VARCHAR": "text",
    "TEXT": "text",
}
# Not a todo's own data: its key, its owner's key (a todo never moves
# between users) and who added it to a shared list (set once, by that add).
_NOT_JOURNALED: Final = frozenset({"id", "user_id", "added_by"})
# What every journal entry has held since the first (0007): an older
# todo's entry holds these and no later column (history.py).
FIRST_JOURNALED: Final = (
    "number",
    "title",
    "done",
    "created_at",
    "updated_at",
    "completed_at",
    "request_id",
    "priority",
    "due",
    "note",
    "version",
)
_COLUMN = r"^\s*([a-z_]+) ([A-Z]+)"


@functools.cache
def kinds() -> dict[str, str]:
    """Every column of todos a journal entry holds, in the table's order,
    with its kind (PostgreSQL's name of it: integer, boolean, text, ...)."""
    table = re.search(r'CREATE TABLE "?todos"? \((.*?)\n\)', sqlite_sql(), re.S)
    assert table is not None, "store/sqlite.sql has no todos table"
    found: dict[str, str] = {}
    # One column per comma: no type of the table has a comma in it.
    for part in table.group(1).split(","):
        match = re.match(_COLUMN, part)
        if match and match.group(2) in _KINDS and match.group(1) not in _NOT_JOURNALED:
            found[match.group(1)] = _KINDS[match.group(2)]
    return found


def journaled() -> tuple[str, ...]:
    return tuple(kinds())


def later() -> frozenset[str]:
    """The columns an entry journaled before 0009 does not hold."""
    return frozenset(kinds()) - frozenset(FIRST_JOURNALED)
